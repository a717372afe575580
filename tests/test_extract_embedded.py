"""The embedded-data layer on hand-written payloads: every source, key spelling and bad value.

Each page below has no site markup, no date or source line and no Open Graph: whatever the
record holds comes from the data the page embeds for its scripts, or is not there at all.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from newscrawl.extract import payloads
from newscrawl.extract.article import extract_article
from newscrawl.extract.context import PageContext
from newscrawl.extract.embedded import (
    FIELD_KEYS,
    EmbeddedLayer,
    checked_date,
    checked_url,
    find_candidates,
    is_html_body,
    may_hold_article,
    norm_key,
)
from newscrawl.extract.payloads import Skips
from newscrawl.render import missing_drawn_fields
from newscrawl.sites.vietnamvn import VIETNAM_VN
from newscrawl.urls import UrlMapper

CANONICAL = "https://www.vietnam.vn"
SLUG = "ha-noi-mo-tuyen-metro-moi"
URL = f"{CANONICAL}/en/{SLUG}"
TITLE = "Hanoi opens a new metro line"
LEAD = "The line links the centre with the west."
PARAGRAPHS = ["The first trains ran at dawn on Monday.", "Tickets cost twelve thousand dong."]
BODY_HTML = (
    f"<p>{PARAGRAPHS[0]}</p><figure><img src='/img/metro.jpeg'/><figcaption>_Photo: VNA</figcaption>"
    f"</figure><p>{PARAGRAPHS[1]}</p><p>[ad_2]</p>"
)
IMAGES = [{"url": f"{CANONICAL}/img/metro.jpeg", "caption": "Photo: VNA"}]
SOURCE_URL = "https://vnexpress.net/ha-noi-mo-tuyen-metro-moi-4801234.html"
TRANSLATIONS = {"vi": f"{CANONICAL}/{SLUG}", "fr": f"{CANONICAL}/fr/{SLUG}"}

# What every full payload below yields (dates and images vary by shape where noted).
EXPECTED = {
    "title": TITLE,
    "summary": LEAD,
    "body": "\n\n".join(PARAGRAPHS),
    "published_at": "2025-03-04T08:15:00+07:00",
    "source_name": "VnExpress",
    "source_url": SOURCE_URL,
    "sections": ["giao-thong"],
    "tags": ["Metro", "Hanoi"],
    "authors": ["Thu Hà", "Minh Anh"],
    "images": IMAGES,
    "translations": TRANSLATIONS,
}

DECOYS = {
    "menu": [
        {"title": "Home", "slug": "home"},
        {"title": "News", "html": "<p>All the latest news here.</p>"},
    ],
    "footer": {"title": "About Vietnam.vn", "content": "<p>The national promotion portal of Vietnam.</p>"},
    "relatedPosts": [
        {
            "title": "Da Nang hosts fireworks",
            "slug": "da-nang-to-chuc-le-hoi-phao-hoa",
            "excerpt": "<p>Teams from eight countries will compete this summer.</p>",
        },
    ],
}


def page(head: str = "", body: str = "", url: str = URL, lang: str = "en") -> PageContext:
    """A page at ``url`` with its ``<title>`` (as every real page has) and the given parts."""
    html = f"<html><head><title>{TITLE} - Vietnam.vn</title>{head}</head><body>{body}</body></html>"
    return PageContext.from_html(html, url, lang, UrlMapper(None, VIETNAM_VN))


def next_data(props: dict[str, Any]) -> str:
    payload = {"props": {"pageProps": props, "__N_SSP": True}, "page": "/[...slug]", "buildId": "x"}
    text = json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")
    return f'<script id="__NEXT_DATA__" type="application/json">{text}</script>'


def ld_json(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def flight(rows: list[str], cuts: int = 3) -> str:
    """Flight scripts carrying ``rows`` (``id:payload`` lines), cut into ``cuts`` pushes anywhere."""
    payload = "".join(rows)
    step = max(1, len(payload) // cuts)
    pieces = [payload[i : i + step] for i in range(0, len(payload), step)]
    pushed = (json.dumps([1, piece], ensure_ascii=False).replace("</", "<\\/") for piece in pieces)
    pushes = "".join(f"<script>self.__next_f.push({text})</script>" for text in pushed)
    return "<script>(self.__next_f=self.__next_f||[]).push([0])</script>" + pushes


def text_row(row_id: str, text: str) -> str:
    """A React text row: ``id:T<hex UTF-8 length>,<text>`` with no newline of its own."""
    return f"{row_id}:T{len(text.encode()):x},{text}"


def fields(ctx: PageContext) -> dict[str, Any]:
    """The record fields the layers extract, each checked to come from the embedded layer."""
    result = extract_article(ctx)
    assert result.is_article
    embedded = {name: value for name, value in result.fields.items() if result.layers[name] == "embedded"}
    assert embedded == result.fields, {k: result.layers[k] for k in result.fields}
    return result.fields


# --------------------------------------------------------------------------- one page per source


PAGES_ROUTER = {
    **DECOYS,
    "post": {
        "title": TITLE,
        "slug": SLUG,
        "excerpt": LEAD,
        "content": BODY_HTML,
        "publishedAt": "2025-03-04T08:15:00+07:00",
        "source": {"name": "VnExpress", "url": SOURCE_URL},
        "categories": [{"slug": "giao-thong", "name": "Transport"}],
        "tags": [{"slug": "metro", "name": "Metro"}, {"slug": "ha-noi", "name": "Hanoi"}],
        "author": [{"name": "Thu Hà"}, {"name": "Minh Anh"}],
        "thumbnail": "/img/metro.jpeg",
        "translations": [
            {"lang": "vi", "slug": SLUG},
            {"lang": "fr", "slug": SLUG},
            {"lang": "en", "slug": SLUG},
        ],
    },
}


def test_pages_router_next_data_gives_every_field() -> None:
    assert fields(page(body='<div id="__next"></div>' + next_data(PAGES_ROUTER))) == EXPECTED


def app_router_rows(article: dict[str, Any]) -> list[str]:
    """A flight payload: module and hint rows, decoys first, the article's body in a text row."""
    tree = [
        "$",
        "$L2",
        None,
        {"footer": DECOYS["footer"], "related": DECOYS["relatedPosts"], "post": article},
    ]
    return [
        '1:I["(app)/[...slug]/page","static/chunks/app.js"]\n',
        '2:HL["/_next/static/css/app.css","style"]\n',
        text_row("3", BODY_HTML + "<p>" + "Padding to make React send a text row. " * 30 + "</p>"),
        "0:" + json.dumps(tree, ensure_ascii=False) + "\n",
    ]


APP_ROUTER_FLAT = {
    "title": TITLE,
    "slug": SLUG,
    "sapo": LEAD,
    "contentHtml": "$3",
    "publishTime": "2025-03-04T08:15:00",  # no offset: Vietnam time
    "sourceName": "VnExpress",
    "sourceUrl": SOURCE_URL,
    "category": ["giao-thong"],
    "keywords": "Metro, Hanoi",
    "authors": ["Thu Hà", "Minh Anh"],
    "images": [{"src": "/img/metro.jpeg", "caption": "Photo: VNA"}],
    "translations": ["vi", "fr"],
}


def test_app_router_flight_data_gives_every_field() -> None:
    """Rows cut across pushes, a body in a text row referred to as "$3", flat keys."""
    ctx = page(body="<h1>" + TITLE + "</h1><div></div>" + flight(app_router_rows(APP_ROUTER_FLAT)))
    found = fields(ctx)
    assert found["body"].startswith("\n\n".join(PARAGRAPHS))
    assert found | {"body": EXPECTED["body"]} == EXPECTED


APP_ROUTER_NESTED = {
    "headline": TITLE,
    "slug": SLUG,
    "description": LEAD,
    "body_html": BODY_HTML,
    "published_at": 1741050900000,  # epoch milliseconds
    "updated_at": 1741054500,  # epoch seconds
    "origin": {"title": "VnExpress", "link": SOURCE_URL},
    "section": {"slug": "giao-thong", "title": "Transport"},
    "tag_list": ["Metro", "Hanoi"],
    "author": [{"name": "Thu Hà"}, {"name": "Minh Anh"}],
    "cover": {"url": "/img/metro.jpeg"},
    "alternates": [{"locale": "vi-VN", "path": f"/{SLUG}"}, {"locale": "fr", "path": f"/fr/{SLUG}"}],
}


def test_app_router_flight_data_with_other_spellings_and_epoch_dates() -> None:
    found = fields(page(body=flight(app_router_rows(APP_ROUTER_NESTED), cuts=5)))
    assert found == EXPECTED | {"modified_at": "2025-03-04T09:15:00+07:00"}


JSON_LD_GRAPH = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "WebSite", "name": "Vietnam.vn", "url": CANONICAL},
        {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "name": "Transport"}]},
        {
            "@type": "NewsArticle",
            "headline": TITLE,
            "description": LEAD,
            "datePublished": "2025-03-04T01:15:00Z",
            "author": [{"@type": "Person", "name": "Thu Hà"}, {"@type": "Person", "name": "Minh Anh"}],
            "keywords": ["Metro", "Hanoi"],
            "articleSection": ["giao-thong"],
            "image": [
                {"@type": "ImageObject", "url": f"{CANONICAL}/img/metro.jpeg", "caption": "Photo: VNA"}
            ],
            "isBasedOn": SOURCE_URL,
            "sourceOrganization": {"@type": "Organization", "name": "VnExpress"},
            "mainEntityOfPage": URL,
            "articleBody": "\n\n".join(PARAGRAPHS),
            "workTranslation": [
                {"@type": "NewsArticle", "inLanguage": lang, "url": url} for lang, url in TRANSLATIONS.items()
            ],
        },
    ],
}


def test_json_ld_graph_gives_every_field() -> None:
    """A plain-text ``articleBody``; the images come from the article's ``image`` list."""
    assert fields(page(head=ld_json(JSON_LD_GRAPH))) == EXPECTED


INITIAL_STATE = {
    "app": {"menu": DECOYS["menu"]},
    "article": {
        "current": {
            "id": 4801,
            "title": {"rendered": TITLE},
            "link": f"/en/{SLUG}",
            "excerpt": {"rendered": f"<p>{LEAD}</p>"},
            "content": {"rendered": BODY_HTML},
            "date": "2025-03-04 08:15:00",
            "sourceOrganization": "VnExpress",
            "originalUrl": SOURCE_URL,
            "categorySlug": "giao-thong",
            "tags": "Metro,Hanoi",
            "byline": "Thu Hà, Minh Anh",
            "featuredImage": {"src": "/img/metro.jpeg"},
            "languages": {"vi": f"/{SLUG}", "fr": f"/fr/{SLUG}"},
        }
    },
}


@pytest.mark.parametrize(
    "assign", ["window.__INITIAL_STATE__ = ", "window['__PRELOADED_STATE__']=", "var __STATE__ = "]
)
def test_script_assignment_gives_every_field(assign: str) -> None:
    """``window.__X__ = {…};`` with WordPress-style wrapped values, a mapping of translations."""
    script = f"<script>{assign}{json.dumps(INITIAL_STATE, ensure_ascii=False)};window.x=1;</script>"
    assert fields(page(body=script)) == EXPECTED


# --------------------------------------------------------------------------- which object


def test_decoys_first_do_not_win() -> None:
    """Footer and related posts have titles and HTML too; the page's own title and slug decide."""
    layer = EmbeddedLayer(page(body=next_data(PAGES_ROUTER)), {})
    assert layer.title() == TITLE


def test_the_slug_identifies_the_article_when_titles_differ() -> None:
    """A page whose ``<title>`` is the site's name only: the URL's slug matches the post's."""
    html = f"<html><head><title>Vietnam.vn</title></head><body>{next_data(PAGES_ROUTER)}</body></html>"
    ctx = PageContext.from_html(html, URL, "en", UrlMapper(None, VIETNAM_VN))
    assert EmbeddedLayer(ctx, {}).title() == TITLE


def test_only_decoys_give_nothing() -> None:
    """A page whose data holds only a footer and related posts: no field, no article claim."""
    ctx = page(body=next_data(DECOYS) + "<div><p>Static text.</p></div>")
    layer = EmbeddedLayer(ctx, {})
    assert [layer.get(name) for name in (*EXPECTED, "is_article")] == [None] * (len(EXPECTED) + 1)


def test_candidates_in_payload_order_and_bounded_depth() -> None:
    first = {"title": "First", "body": "<p>One paragraph with enough letters.</p>"}
    second = {"title": "Second", "html": "<div>Another paragraph with enough letters.</div>"}
    found = find_candidates({"a": [{"x": {"y": first}}], "b": second}, "next_data")
    assert [c.obj for c in found] == [first, second]
    deep: Any = first
    for _ in range(60):
        deep = {"k": deep}
    assert find_candidates(deep, "next_data") == []


def test_body_leaves_out_the_resolved_title_and_lead() -> None:
    post = {
        "title": TITLE,
        "slug": SLUG,
        "contentHtml": f"<h1>{TITLE}</h1><p>{LEAD}</p><p>{PARAGRAPHS[0]}</p>",
    }
    layer = EmbeddedLayer(page(body=next_data({"post": post})), {"title": TITLE, "summary": LEAD})
    parts = layer.body()
    assert parts is not None and parts.paragraphs == [PARAGRAPHS[0]]


def test_an_escaped_title_key_is_read() -> None:
    post = f'{{"\\u0074itle":"{TITLE}","content":"<p>{PARAGRAPHS[0]}</p>"}}'
    payload = f'{{"props":{{"pageProps":{{"post":{post}}}}}}}'
    ctx = page(body=f'<script id="__NEXT_DATA__" type="application/json">{payload}</script>')
    assert EmbeddedLayer(ctx, {}).title() == TITLE


# --------------------------------------------------------------------------- bad input


BAD_PAGES = {
    "truncated __NEXT_DATA__": (
        '<script id="__NEXT_DATA__" type="application/json">{"props": {"pageProps": {"post": {"title": "<p>',
        {payloads.BAD_JSON: 1},
    ),
    "flight chunk that is not JSON": (
        "<script>self.__next_f.push([1, 'single quotes'])</script><script>self.__next_f.push([1,\"x</script>",
        {payloads.BAD_FLIGHT_CHUNK: 2},
    ),
    "flight row that is not JSON": (
        flight(['0:["$","div",{broken\n', "1:{}\n"]),
        {payloads.BAD_FLIGHT_ROW: 1},
    ),
    "torn text row": (
        flight(['0:{"title":"T","content":"$1"}\n', "1:T400,<p>short</p>"]),
        {payloads.BAD_FLIGHT_ROW: 1},
    ),
    "Nuxt function call": (
        "<script>window.__NUXT__=(function(a){return {title:a}}('T'))</script>",
        {payloads.NOT_JSON_ASSIGNMENT: 1},
    ),
    "JSON-LD cut short": (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>',
        {},
    ),
}


@pytest.mark.parametrize("name", BAD_PAGES)
def test_bad_payloads_are_counted_skips(name: str) -> None:
    """Never an exception, nothing invented; the reason is counted for the crawl stats."""
    markup, skips = BAD_PAGES[name]
    ctx = page(body=markup)
    result = extract_article(ctx)
    assert "embedded" not in result.layers.values()
    assert dict(ctx.skips) == skips


def test_a_bad_chunk_does_not_hide_rows_in_the_others() -> None:
    good = flight(app_router_rows(APP_ROUTER_FLAT))
    ctx = page(body=good + "<script>self.__next_f.push([1, broken])</script>")
    assert EmbeddedLayer(ctx, {}).title() == TITLE
    assert ctx.skips == Skips({payloads.BAD_FLIGHT_CHUNK: 1})


BAD_VALUES = {
    "publishedAt": 0,  # 1970
    "updatedAt": "2099-01-01T00:00:00+07:00",  # far in the future
    "source": {"name": "https://vnexpress.net", "url": "javascript:alert(1)"},
    "sourceUrl": "/not-on-an-outlet",  # a path of the site itself
    "thumbnail": "javascript:void(0)",
    "images": ["data:image/png;base64,AAAA", {"src": "ftp://x/y.jpeg"}],
    "categories": [{"name": "Giao thông"}],  # a name only: no slug to invent
    "translations": ["xx", {"lang": "fr"}],  # an unknown code; a language with no slug: the page's slug
    "author": [{"name": ""}, "https://vietnam.vn/author/x"],
}


def test_values_that_fail_their_check_are_ignored() -> None:
    post = {"title": TITLE, "slug": SLUG, "content": BODY_HTML, **BAD_VALUES}
    layer = EmbeddedLayer(page(body=next_data({"post": post})), {})
    assert layer.title() == TITLE
    assert [
        layer.get(name)
        for name in ("published_at", "modified_at", "source_name", "source_url", "sections", "authors")
    ] == [None] * 6
    assert layer.translations() == {"fr": f"{CANONICAL}/fr/{SLUG}"}
    parts = layer.body()
    assert parts is not None and parts.images == IMAGES  # the body's own image


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-04T08:15:00+07:00", "2025-03-04T08:15:00+07:00"),
        ("2025-03-04T01:15:00Z", "2025-03-04T08:15:00+07:00"),
        ("2025-03-04T08:15:00", "2025-03-04T08:15:00+07:00"),
        ("2025-03-04", "2025-03-04T00:00:00+07:00"),
        (1741050900, "2025-03-04T08:15:00+07:00"),
        (1741050900000, "2025-03-04T08:15:00+07:00"),
        ("1741050900000", "2025-03-04T08:15:00+07:00"),
        (1741050900.5, "2025-03-04T08:15:00+07:00"),
        (0, None),
        ("1970-01-01T00:00:00Z", None),
        (4102444800, None),
        (True, None),
        (None, None),
        ("04/03/2025", None),
        ("yesterday", None),
        ("", None),
        ([2025], None),
        (float("nan"), None),
    ],
)
def test_checked_date(value: Any, expected: str | None) -> None:
    assert checked_date(value, "en", VIETNAM_VN.timezone) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://znews.vn/a-1.html", "https://znews.vn/a-1.html"),
        ("/img/a.jpeg", f"{CANONICAL}/img/a.jpeg"),
        ("javascript:alert(1)", None),
        ("data:image/png;base64,AA", None),
        ("ftp://x/y", None),
        ("img/a.jpeg", None),
        ("https://x/<script>", None),
        (42, None),
        ("", None),
    ],
)
def test_checked_url(value: Any, expected: str | None) -> None:
    assert checked_url(value, URL) == expected


@pytest.mark.parametrize(
    ("value", "is_body"),
    [
        ("<p>A paragraph with more than twenty letters.</p>", True),
        ("<div>Short</div>", False),
        ("<b>Bold text that is long enough but not a block</b>", False),
        ("Plain text that is long enough but has no markup", False),
        ('<p><img src="/a-very-long-file-name-with-many-letters.jpeg"/></p>', False),
        (["<p>not a string</p>"], False),
    ],
)
def test_is_html_body(value: Any, is_body: bool) -> None:
    assert is_html_body(value) is is_body


def test_synonyms_compare_without_case_or_separators() -> None:
    for spelling in ("publishedAt", "published_at", "PUBLISHED-AT", "published at", "datePublished"):
        assert norm_key(spelling) in FIELD_KEYS["published_at"]
    assert norm_key("publishedAtX") not in FIELD_KEYS["published_at"]


@pytest.mark.parametrize(
    ("raw", "may"),
    [
        ('{"title": "T", "content": "<p>x</p>"}', True),
        ('{"headline": "T", "body_html": "<p>x</p>"}', True),
        ('{"postTitle": "T", "html": "<div>x</div>"}', True),
        ('{"title": "T", "body": "\\u003cp>x\\u003c/p>"}', True),  # markup escaped
        ('{"\\u0074itle": "T", "body": "x"}', True),  # escapes could spell any key
        ('{"menu": [{"label": "body", "html": "<b>x</b>"}]}', False),  # markup, no title-like key
        ('{"post": {"title": "T", "slug": "s"}}', False),  # a title, no markup
    ],
)
def test_may_hold_article(raw: str, may: bool) -> None:
    """A payload is parsed only when it may hold a title-like key and markup."""
    assert may_hold_article(raw.encode()) is may
    assert (find_candidates(json.loads(raw), "next_data") != []) <= may


# --------------------------------------------------------------------------- rendering by field


def test_a_page_drawn_from_its_data_is_worth_rendering_for_what_the_data_lacks() -> None:
    post = {key: value for key, value in PAGES_ROUTER["post"].items() if key not in ("publishedAt", "source")}
    drawn = extract_article(page(body=next_data({"post": post})))
    assert drawn.layers["body"] == "embedded"
    assert missing_drawn_fields(drawn) == ["published_at", "source_name"]
    assert missing_drawn_fields(extract_article(page(body=next_data(PAGES_ROUTER)))) == []


def test_a_static_page_without_an_outlet_is_not_worth_rendering() -> None:
    """The server rendered its date line: a missing outlet is the article's own (no browser)."""
    static = extract_article(page(body=f"<article><p>{PARAGRAPHS[0]} {PARAGRAPHS[1]}</p></article>"))
    assert static.layers["body"] != "embedded" and "source_name" not in static.fields
    assert missing_drawn_fields(static) == []
