"""URL shapes, host mapping and canonical URLs."""

from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.sites.vietnamvn import VIETNAM_VN
from newscrawl.urls import (
    ARTICLE,
    CATEGORY,
    HOME,
    OTHER,
    TAG,
    UrlMapper,
    _join,
    classify_path,
    clean_query,
    last_segment,
)

SLUG = "xiaomi-ra-mat-dien-thoai-gap-moi"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", (HOME, "vi", "")),
        ("/en", (HOME, "en", "")),
        ("/zh-cn", (HOME, "zh-cn", "")),
        (f"/{SLUG}", (ARTICLE, "vi", SLUG)),
        (f"/en/{SLUG}", (ARTICLE, "en", SLUG)),
        (f"/zh-cn/{SLUG}", (ARTICLE, "zh-cn", SLUG)),
        ("/category/the-thao", (CATEGORY, "vi", "the-thao")),
        ("/fr/category/di-san", (CATEGORY, "fr", "di-san")),
        ("/category/di-san/page/3", (CATEGORY, "vi", "di-san")),
        ("/category/di-san/extra", (OTHER, "vi", "")),
        ("/tag/bong-da-viet-nam-hom-nay", (TAG, "vi", "bong-da-viet-nam-hom-nay")),
        ("/en/tag/ha-noi", (TAG, "en", "ha-noi")),
        ("/en/tag/ha-noi/page/2", (OTHER, "en", "")),
        ("/author/nguyen-van-an-tac-gia", (OTHER, "vi", "")),
        ("/gioi-thieu", (OTHER, "vi", "")),
        ("/lien-he", (OTHER, "vi", "")),
        ("/_next/static/chunks/main-abc-def-ghi.js", (OTHER, "vi", "")),
        ("/sitemap.xml", (OTHER, "vi", "")),
        ("/xx/" + SLUG, (OTHER, "vi", "")),  # unknown language prefix
        ("/en/" + SLUG + "/comments", (OTHER, "en", "")),
        ("/Xiaomi-Ra-Mat-Dien-Thoai", (OTHER, "vi", "")),  # site slugs are lower case
    ],
)
def test_classify_path(path, expected):
    assert classify_path(path, VIETNAM_VN) == expected


@pytest.mark.parametrize(
    ("href", "canonical"),
    [
        (f"/{SLUG}", f"https://www.vietnam.vn/{SLUG}"),
        (f"/en/{SLUG}/", f"https://www.vietnam.vn/en/{SLUG}"),
        (f"https://www.vietnam.vn/en/{SLUG}?utm_source=fb#comments", f"https://www.vietnam.vn/en/{SLUG}"),
        (f"https://vietnam.vn/en/{SLUG}", f"https://www.vietnam.vn/en/{SLUG}"),
        (f"//thongtin.vietnam.vn/{SLUG}", f"https://www.vietnam.vn/{SLUG}"),
        (f"http://vcdn.vietnam.vn//fr//{SLUG}", f"https://www.vietnam.vn/fr/{SLUG}"),
        (f"https://VJS.vietnam.vn/{SLUG}", f"https://www.vietnam.vn/{SLUG}"),
        (f"http://127.0.0.1:8000/ko/{SLUG}", f"https://www.vietnam.vn/ko/{SLUG}"),
    ],
)
def test_site_links_map_to_canonical_and_to_the_crawl_origin(href, canonical):
    mapper = UrlMapper("http://127.0.0.1:8000", VIETNAM_VN)
    url = mapper.parse(href, "http://127.0.0.1:8000/category/x")
    assert url is not None and url.kind == ARTICLE
    assert url.canonical == canonical
    assert mapper.fetch_url(url) == "http://127.0.0.1:8000" + canonical.removeprefix("https://www.vietnam.vn")
    assert mapper.parse(href, "http://127.0.0.1:8000/category/x", cache=False) == url


@pytest.mark.parametrize(
    "href",
    [
        f"https://znews.vn/{SLUG}",
        f"https://evil.vietnam.vn.example.com/{SLUG}",
        f"http://127.0.0.1:9999/{SLUG}",  # another port on the crawl host is off-site
        f"http://localhost:8000/{SLUG}",
        f"file:///etc/{SLUG}",
        f"ftp://www.vietnam.vn/{SLUG}",
        "mailto:toasoan@vietnam.vn",
        "javascript:void(0)",
        f"https://www.vietnam.vn:8443/{SLUG}",
        "http://[::1/broken",
        "",
        None,
    ],
)
def test_off_site_links_are_rejected(href):
    assert UrlMapper("http://127.0.0.1:8000", VIETNAM_VN).parse(href) is None
    assert UrlMapper("http://127.0.0.1:8000", VIETNAM_VN).parse(href, cache=False) is None


def test_listing_keeps_page_query_but_drops_tracking():
    url = UrlMapper(None, VIETNAM_VN).parse("/en/category/di-san/?utm_campaign=x&page=2&fbclid=abc")
    assert url is not None and url.kind == CATEGORY
    assert url.query == "page=2"
    assert UrlMapper(None, VIETNAM_VN).fetch_url(url) == "https://www.vietnam.vn/en/category/di-san?page=2"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("page=2", "page=2"), ("utm_source=a&utm_medium=b", ""), ("gclid=1&p=3", "p=3"), ("", "")],
)
def test_clean_query(query, expected):
    assert clean_query(query) == expected


@pytest.mark.parametrize("bad", ["ftp://x", "not a url", "http://"])
def test_mapper_rejects_non_http_origins(bad):
    with pytest.raises(ValueError):
        UrlMapper(bad, VIETNAM_VN)


_URL_PIECES = [*"aZ09-._~:/?#[]@!$&'()*+,;=%\\ \t\nđ\x00\x7f", "..", "//", "http:", "https:"]
_SCHEMES = ["http://", "https://", "//", "HTTP://", "ftp://", ""]
_HREFS = st.tuples(st.sampled_from(_SCHEMES), st.lists(st.sampled_from(_URL_PIECES), max_size=12)).map(
    lambda parts: parts[0] + "".join(parts[1])
)


@settings(max_examples=3000, deadline=None)
@given(
    base=st.sampled_from(
        ["https://www.vietnam.vn/en/a-b-c-d", "http://127.0.0.1:8000/x/", "https://h/p?q#f"]
    ),
    href=_HREFS,
)
def test_join_is_urljoin(base: str, href: str) -> None:
    """The shortcut for plain absolute links gives exactly what urljoin gives."""
    try:
        expected = urljoin(base, href)
    except ValueError:
        return
    assert _join(base, href) == expected


@pytest.mark.parametrize(
    "href",
    [
        SLUG,
        f"/{SLUG}",
        f"/en/{SLUG}/",
        f"https://www.vietnam.vn/en/{SLUG}?a=1#x",
        f"/en/{SLUG}/?a=/b",
        f"/{SLUG}#c/d",
    ],
)
def test_last_segment_is_the_slug_whatever_the_query_fragment_or_slash(href: str) -> None:
    assert last_segment(href) == SLUG
