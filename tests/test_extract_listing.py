"""Listing pages: their own article links (with the listed dates) and the way to the next page.

The mirror's category listings are rendered in-process and read as if fetched from a mirror
origin; following ``next_page`` from page 1 must visit every page once and collect exactly the
model's listing. Hand-written snippets cover pager shapes the mirror does not render.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from newscrawl.discovery.listing import ListingItem, listing_base, listing_items, next_page, page_number
from newscrawl.sites.vietnamvn import VIETNAM_VN
from newscrawl.urls import ARTICLE, CATEGORY, SiteUrl, UrlMapper
from tests.mirror.model import LANGS, PAGINATION_STYLES, Category, SiteModel, build_site, canonical_url
from tests.mirror.render import UI, Page, render_site
from tests.mirror.server import lookup_key

BASE = "http://127.0.0.1:8765"  # the fetch origin the pages are read from (nothing listens)
MAPPER = UrlMapper(BASE, VIETNAM_VN)
CANONICAL = "https://www.vietnam.vn"


@cache
def mirror() -> tuple[SiteModel, dict[str, Page]]:
    """The default mirror (seed 7), rendered once."""
    site = build_site()
    return site, render_site(site)


def site_url(href: str, base: str = BASE) -> SiteUrl:
    """``href`` as the spider's mapper reads it."""
    url = MAPPER.parse(href, base)
    assert url is not None, href
    return url


def fetch(url: SiteUrl) -> tuple[Selector, str]:
    """The mirror page the spider would get for ``url``: its selector and fetch URL."""
    fetch_url = MAPPER.fetch_url(url)
    parts = urlsplit(fetch_url)
    page = mirror()[1].get(lookup_key(parts.path + (f"?{parts.query}" if parts.query else "")))
    assert page is not None and page.status == 200, fetch_url
    return Selector(text=page.body.decode()), fetch_url


def walk(category: str, lang: str, limit: int = 50) -> tuple[list[SiteUrl], list[ListingItem]]:
    """Follow next_page from page 1 of a listing: the pages visited and every item, in order."""
    page: SiteUrl | None = site_url(MAPPER.category_path(lang, category))
    visited: list[SiteUrl] = []
    items: list[ListingItem] = []
    while page is not None and len(visited) < limit:
        selector, fetch_url = fetch(page)
        visited.append(page)
        items += listing_items(selector, page, MAPPER, fetch_url)
        page = next_page(selector, page, MAPPER, fetch_url)
    return visited, items


def categories(style: str | None = None) -> list[Category]:
    """The mirror's categories (of one pagination style)."""
    return [c for c in mirror()[0].categories.values() if style in (None, c.pagination)]


# --------------------------------------------------------------------------- the mirror's listings


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("category", [c.slug for c in categories()])
def test_following_next_page_collects_the_whole_listing(category: str, lang: str) -> None:
    """Every page once, in order; every article once, in the listing's order, with its date."""
    site = mirror()[0]
    expected = site.listing(category, lang)
    size = site.categories[category].page_size
    visited, items = walk(category, lang)
    assert [page_number(page) for page in visited] == list(range(1, max(1, -(-len(expected) // size)) + 1))
    assert {listing_base(page) for page in visited} == {MAPPER.category_path(lang, category)}
    assert [item.url.canonical for item in items] == [canonical_url(lang, art.slug) for art in expected]
    assert [item.listed_on for item in items] == [art.published.date() for art in expected]
    assert all(item.url.kind == ARTICLE and item.url.lang == lang for item in items)


STYLE_MARKERS = {
    "rel_next": '<link rel="next"',
    "ant": 'class="ant-pagination-next"',
    "path": 'class="pagination"',
    "next_text": 'class="pager-link"',
    "load_more": 'class="btn-load-more"',
}


@pytest.mark.parametrize("style", PAGINATION_STYLES)
def test_each_pagination_style(style: str) -> None:
    """Each style the mirror renders leads from page p to p + 1 (URL shape kept) and ends with None."""
    long_listings = [
        (category, lang, pages)
        for category in categories(style)
        for lang in LANGS
        if len(pages := walk(category.slug, lang)[0]) >= 3
    ]
    assert long_listings, f"no listing of style {style} has 3 pages"
    for category, lang, pages in long_listings:
        for number, page in enumerate(pages, 1):
            selector, fetch_url = fetch(page)
            assert STYLE_MARKERS[style] in selector.get() or number == len(pages), (
                category.slug,
                lang,
                number,
            )
            following = next_page(selector, page, MAPPER, fetch_url)
            if number == len(pages):
                assert following is None
                continue
            assert following is not None and page_number(following) == number + 1
            if style == "path":
                assert following.path.endswith(f"/page/{number + 1}") and not following.query
            else:
                assert following.query == f"page={number + 1}"


def test_mirror_renders_every_pagination_style() -> None:
    """The mirror's categories use all five styles, so the tests above cover each."""
    assert {c.pagination for c in categories()} == set(PAGINATION_STYLES) == set(STYLE_MARKERS)


def test_next_text_labels_are_localised() -> None:
    """The ``next_text`` style's link reads "Trang sau", "Suivant", "Next"… and is still followed."""
    checked = []
    for category in categories("next_text"):
        for lang in LANGS:
            selector, fetch_url = fetch(site_url(MAPPER.category_path(lang, category.slug)))
            if f">{UI[lang]['next']}</a>" in selector.get():
                following = next_page(selector, site_url(fetch_url), MAPPER, fetch_url)
                assert following is not None and page_number(following) == 2, (category.slug, lang)
                checked.append(lang)
    assert "vi" in checked and len(set(checked)) >= 4  # "다음" is in test_next_text_link


# --------------------------------------------------------------------------- hand-written pagers

LISTING = "/category/the-thao"


def follow(markup: str, at: str = LISTING) -> str | None:
    """The next page's listing key (path plus query) for ``markup`` shown at ``at``, or None."""
    page = site_url(at)
    found = next_page(Selector(text=f"<html><body>{markup}</body></html>"), page, MAPPER, BASE + at)
    if found is not None:
        assert found.kind == CATEGORY
    return None if found is None else found.path + (f"?{found.query}" if found.query else "")


QUERY_PAGER = '<div><a href="?page=1">1</a><a href="?page=2">2</a><a href="?page=3">3</a></div>'


@pytest.mark.parametrize(
    ("at", "expected"),
    [(LISTING, LISTING + "?page=2"), (LISTING + "?page=2", LISTING + "?page=3"), (LISTING + "?page=3", None)],
)
def test_query_pager_without_container_class(at: str, expected: str | None) -> None:
    """Bare ``?page=N`` links in an unnamed ``div``: the next number, then None on the last page."""
    assert follow(QUERY_PAGER, at) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("/en/category/di-san", "/en/category/di-san/page/2"),
        ("/en/category/di-san/page/2", "/en/category/di-san/page/3"),
        ("/en/category/di-san/page/3/", None),
    ],
)
def test_path_pager(at: str, expected: str | None) -> None:
    """``/page/N`` links (absolute, relative and on an alias host alike)."""
    markup = (
        '<nav class="paging-box"><a href="/en/category/di-san">1</a>'
        '<a href="https://vietnam.vn/en/category/di-san/page/2/">2</a>'
        '<a href="//vcdn.vietnam.vn/en/category/di-san/page/3">3</a></nav>'
    )
    assert follow(markup, at) == expected


@pytest.mark.parametrize(
    ("label", "lang"),
    [
        ("Trang sau", "vi"),
        ("Suivant", "fr"),
        ("다음", "ko"),
        ("次へ", "ja"),
        ("下一页", "zh-cn"),
        ("Next", "en"),
    ],
)
def test_next_text_link(label: str, lang: str) -> None:
    """A lone localised "next" link, with a "previous" link beside it."""
    base = MAPPER.category_path(lang, "the-thao")
    markup = f'<div><a href="{base}?page=1">&lt;</a> <a href="{base}?page=3">{label}</a></div>'
    assert follow(markup, base + "?page=2") == base + "?page=3"


def test_offset_pager_without_the_next_number() -> None:
    """An offset pager (``?page=20`` shows items 20–39): no link names page 21, the "Trang sau"
    link leads on."""
    markup = (
        '<div><a href="?page=0">Trang trước</a><a href="?page=60">60</a>'
        '<a href="?page=80">80</a><a href="?page=40">Trang sau</a></div>'
    )
    assert follow(markup, LISTING + "?page=20") == LISTING + "?page=40"


def test_hinted_class_marks_the_next_link() -> None:
    """An icon-only link with a ``next``-like class."""
    markup = '<a href="?page=9">9</a><a class="page-next" href="?page=4"><i class="icon"></i></a>'
    assert follow(markup, LISTING + "?page=3") == LISTING + "?page=4"


def test_last_page_has_no_next_page() -> None:
    """Only links backwards: None."""
    markup = (
        '<div class="pager"><a href="?page=2">Trang trước</a><a href="?page=1">1</a><a href="?page=2">2</a>'
    )
    assert follow(markup, LISTING + "?page=3") is None


@pytest.mark.parametrize(
    "markup",
    [
        f'<a href="{LISTING}">1</a><a href="?page=2">2</a>',  # page 1 named without a number
        f'<a class="next" href="{LISTING}">Trang sau</a>',  # a "next" that loops back
        f'<link rel="next" href="{LISTING}"/>',
        f'<a rel="next" href="{CANONICAL}{LISTING}?page=1">»</a>',
    ],
)
def test_link_back_to_page_one_is_not_followed(markup: str) -> None:
    """On page 3, links to page 1 (however named) never lead onwards: no loop."""
    assert follow(markup, LISTING + "?page=3") is None


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="/category/di-san?page=2">2</a>',  # another category's pager (sidebar)
        '<a href="/en/category/the-thao?page=2">2</a>',  # the same category in another language
        '<a href="/tag/the-thao?page=2">2</a>',
        '<a href="https://example.com/category/the-thao?page=2">2</a>',
        '<a href="/category/the-thao/page/x">Next</a>',
    ],
)
def test_other_listings_pagers_are_not_followed(markup: str) -> None:
    """Only this listing's own pages count."""
    assert follow(markup) is None


def test_rel_next_wins_over_a_numbered_pager() -> None:
    """``<link rel=next>`` (here on the canonical host) is taken first."""
    markup = f'<link rel="next" href="{CANONICAL}{LISTING}?page=2"/><a href="?page=5">5</a>'
    assert follow(markup) == LISTING + "?page=2"


# --------------------------------------------------------------------------- listing items

ARTICLES = [f"/{slug}" for slug in ("mot-bai-viet-ve-ha-noi", "hai-bai-viet-ve-hue", "ba-bai-viet-ve-hoi-an")]
ITEMS_PAGE = f"""
<header><nav><a class="v-link-title" href="/bon-bai-trong-menu-dau">menu</a></nav></header>
<div class="post-list">
  <div class="post-item"><a class="post-thumb" href="{ARTICLES[0]}"><img src="/a.jpg"/></a>
    <a class="v-link-title" href="{ARTICLES[0]}?utm_source=x">Một</a>
    <span class="time">26/05/2026</span></div>
  <div class="post-item"><a class="v-link-title" href="https://vietnam.vn{ARTICLES[1]}/">Hai</a>
    <span class="time">01/02/2026</span></div>
  <div class="post-item"><a class="v-link-title" href="{ARTICLES[0]}#comments">Một lần nữa</a></div>
  <div class="post-item"><a class="v-link-title" href="/en{ARTICLES[2]}">Three (English)</a></div>
  <div class="post-item"><a class="v-link-title" href="/category/the-thao">Thể thao</a></div>
  <div class="post-item"><a class="v-link-title" href="//thongtin.vietnam.vn{ARTICLES[2]}">Ba</a>
    <time>13/07/2025</time></div>
</div>
<aside class="ant-col sidebar"><a class="v-link-title" href="/nam-bai-viet-thanh-ben-le">aside</a></aside>
<div class="most-read"><div class="most-read-item">
  <a class="v-link-title" href="/sau-bai-viet-doc-nhieu-nhat">most read</a></div></div>
<div class="widget-box"><a class="v-link-title" href="/bay-bai-viet-trong-widget">widget</a></div>
<div class="related-posts"><a class="v-link-title" href="/tam-bai-viet-lien-quan-day">related</a></div>
<footer><a class="v-link-title" href="/chin-bai-viet-o-chan-trang">footer</a></footer>
"""


def test_listing_items_are_the_listings_own_articles() -> None:
    """Sidebar, most-read, widget, related, header and footer links are left out; other languages,
    non-articles and repeats too; the listed date is read beside each link."""
    page = site_url(LISTING)
    items = listing_items(Selector(text=ITEMS_PAGE), page, MAPPER, BASE + LISTING)
    assert [item.url.canonical for item in items] == [
        CANONICAL + path for path in (ARTICLES[0], ARTICLES[1], ARTICLES[2])
    ]
    assert [item.listed_on for item in items] == [date(2026, 5, 26), date(2026, 2, 1), date(2025, 7, 13)]


def test_an_undated_item_does_not_take_another_items_date() -> None:
    """Items of one list, the second without a date: expected ``listed_on`` None, actual the
    first item's date (2026-05-26). With ``-a since`` the spider then skips (or keeps) it on
    the strength of a date that is not its own."""
    markup = (
        f'<div class="post-list"><div class="post-item"><a class="v-link-title" href="{ARTICLES[0]}">Một</a>'
        '<span class="time">26/05/2026</span></div>'
        f'<div class="post-item"><a class="v-link-title" href="{ARTICLES[1]}">Hai</a></div></div>'
    )
    items = listing_items(Selector(text=markup), site_url(LISTING), MAPPER, BASE + LISTING)
    assert [item.listed_on for item in items] == [date(2026, 5, 26), None]


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="post-item"><a href="{0}">x</a><span class="date">01/02/2025</span></div>',
        '<article><h3><a href="{0}">x</a></h3><p class="time">01/02/2025</p></article>',
    ],
)
def test_listing_items_without_v_link_title(markup: str) -> None:
    """Without ``a.v-link-title`` the items are the links inside ``.post-item`` or ``<article>``."""
    page = site_url("/ko/category/the-thao")
    html = (
        markup.format("/ko/mot-bai-viet-ve-ha-noi")
        + '<aside><article><a href="/ko/hai-bai-viet-khac-nua">y</a></article></aside>'
    )
    items = listing_items(Selector(text=html), page, MAPPER, BASE + "/ko/category/the-thao")
    assert [(item.url.canonical, item.listed_on) for item in items] == [
        (CANONICAL + "/ko/mot-bai-viet-ve-ha-noi", date(2025, 2, 1))
    ]


def test_listing_without_items() -> None:
    """An empty listing (or a page that is not one) has no items and no next page."""
    page = site_url(LISTING)
    selector = Selector(text="<html><body><p>Không có bài viết.</p></body></html>")
    assert listing_items(selector, page, MAPPER, BASE + LISTING) == []
    assert next_page(selector, page, MAPPER, BASE + LISTING) is None


# --------------------------------------------------------------------------- page numbers


@pytest.mark.parametrize(
    ("href", "number", "base"),
    [
        ("/category/the-thao", 1, "/category/the-thao"),
        ("/category/the-thao?page=3", 3, "/category/the-thao"),
        ("/category/the-thao?utm_source=x&page=4", 4, "/category/the-thao"),
        ("/en/category/di-san/page/5", 5, "/en/category/di-san"),
        ("/en/category/di-san/page/5/", 5, "/en/category/di-san"),
        ("/zh-cn/category/di-san/trang/2", 2, "/zh-cn/category/di-san"),
        ("/category/the-thao?trang=6", 6, "/category/the-thao"),
        ("/category/the-thao?p=7", 7, "/category/the-thao"),
        ("/category/the-thao?PG=8", 8, "/category/the-thao"),
        ("/category/the-thao?page=abc", 1, "/category/the-thao"),
        ("/category/the-thao?page=", 1, "/category/the-thao"),
    ],
)
def test_page_number_and_listing_base(href: str, number: int, base: str) -> None:
    """The page a listing URL names, and the path of its first page."""
    url = site_url(href)
    assert url.kind == CATEGORY
    assert page_number(url) == number
    assert listing_base(url) == base


@pytest.mark.parametrize("query", ["page=²", "page=³", "p=①"])
def test_page_number_ignores_digits_that_are_not_decimal(query: str) -> None:
    """``?page=²`` is no page number (expected 1); page_number raises, and so does next_page on
    any listing that links such a URL (the spider then stops paginating that category)."""
    url = site_url(f"{LISTING}?{query}")
    assert page_number(url) == 1
    assert follow(f'<a href="{LISTING}?{query}">2</a><a href="?page=2">2</a>') == LISTING + "?page=2"
