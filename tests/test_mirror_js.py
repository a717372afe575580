"""Tests of the mirror's pages that need a browser (``build_site(js=True)``): the default site is
unchanged, browser-only articles cannot be reached without a browser, the JSON API answers, and
(slow) a real headless Chromium renders the JS listing, the load-more listing and the
client-rendered article bodies."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from tests.mirror import feeds
from tests.mirror.model import (
    CANONICAL,
    EMBEDDED_LAYOUTS,
    JS_CATEGORIES,
    JS_PAGINATION_STYLES,
    SiteModel,
    add_articles,
    api_category_path,
    api_post_path,
    article_path,
    build_site,
    canonical_url,
    category_path,
    home_path,
)
from tests.mirror.render import Page, PageMap, SiteRenderer, render_site
from tests.mirror.server import MirrorServer, lookup_key
from tests.mirror.truth import normalize_text, split_browser_only, truth_records
from tests.test_mirror import assert_read_back

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
HOSTS = ("https://www.vietnam.vn", "https://vietnam.vn", "https://vcdn.vietnam.vn",
         "https://vjs.vietnam.vn", "//thongtin.vietnam.vn", "https://thongtin.vietnam.vn")
XML_LINK = re.compile(r"<loc>([^<]+)</loc>|<link>([^<]+)</link>|href=\"([^\"]+)\"")


@pytest.fixture(scope="module")
def js_site() -> SiteModel:
    """The default site with the browser sections (not mutated by the tests)."""
    return build_site(js=True)


@pytest.fixture(scope="module")
def js_mirror(js_site: SiteModel) -> Iterator[MirrorServer]:
    """``js_site`` served on 127.0.0.1."""
    with MirrorServer(js_site) as server:
        yield server


# --------------------------------------------------------------------------- helpers


def site_target(href: str, current: str = "/") -> str | None:
    """Request target (path and query) of an href on the page at ``current``; None off-site."""
    for host in HOSTS:
        if href.startswith(host):
            href = href[len(host):] or "/"
            break
    parts = urlsplit(urljoin("http://mirror" + current, href))
    if parts.netloc != "mirror" or parts.scheme != "http":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def links(page: Page, current: str) -> set[str]:
    """Request targets a crawler without a browser finds on a page: ``href`` attributes of
    HTML elements (never script text), sitemap ``<loc>``, feed ``<link>`` and robots lines."""
    ctype = page.headers.get("Content-Type", "")
    text = page.body.decode()
    if ctype.startswith("text/html"):
        hrefs = lxml.html.fromstring(text).xpath("//@href")
    elif ctype.startswith("text/plain"):
        hrefs = re.findall(r"^Sitemap: (\S+)", text, re.M)
    elif "xml" in ctype:
        hrefs = ["".join(groups) for groups in XML_LINK.findall(text)]
    else:
        hrefs = []
    found = {site_target(str(h), current) for h in hrefs}
    return {t for t in found if t is not None}


def static_crawl(pages: PageMap, langs: tuple[str, ...]) -> set[str]:
    """Every page key reachable without a browser from the homes, robots.txt, the sitemap
    index and the feeds, following every link (not only the ones a crawler would)."""
    seeds = ["/robots.txt", feeds.SITEMAP_INDEX, *(home_path(lg) for lg in langs),
             *(feeds.rss_path(lg) for lg in langs)]
    seen: set[str] = set()
    queue = deque(seeds)
    while queue:
        key = lookup_key(queue.popleft())
        if key in seen or key not in pages:
            continue
        seen.add(key)
        queue.extend(links(pages[key], key) - seen)
    return seen


def body_paragraphs(body_html: str) -> list[str]:
    """Normalised text of the paragraphs and subheadings of a body container's inner HTML."""
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    for br in root.iter("br"):
        br.tail = " " + (br.tail or "")
    return [normalize_text(el.text_content()) for el in root.iter("p", "h2", "h3")]


def assert_body(rec: dict[str, Any], body_html: str) -> None:
    """Every paragraph of the record's body is in ``body_html``, in order."""
    found = body_paragraphs(body_html)
    expected = rec["body"].split("\n\n")
    assert [p for p in found if p in expected] == expected, rec["url"]


def get(mirror: MirrorServer, target: str) -> tuple[int, str, bytes]:
    """GET ``target`` over HTTP: (status, Content-Type, body)."""
    try:
        with urllib.request.urlopen(mirror.base_url + target, timeout=10) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()


def expected_listing(site: SiteModel, slug: str, lang: str) -> list[str]:
    """Article paths a complete listing of ``slug`` in ``lang`` shows, in order."""
    return [article_path(lang, a.slug) for a in site.listing(slug, lang)]


# --------------------------------------------------------------------------- default site


def test_default_site_is_unchanged() -> None:
    for kwargs in ({}, {"seed": 3, "n_articles": 30, "langs": ("vi", "en", "ja"), "unlisted": 2}):
        plain, off = build_site(**kwargs), build_site(**kwargs, js=False)
        assert plain == off
        assert truth_records(plain) == truth_records(off)
        assert not plain.js_categories() and not plain.browser_listing_paths()
        assert plain.browser_only_urls() == set() and plain.client_rendered_urls() == set()
        assert split_browser_only(plain, truth_records(plain))[1] == []
        pages = render_site(plain)
        assert pages == render_site(off)
        assert not [k for k in pages if k.startswith("/api/")]
        # inline scripts only where the article's data is embedded (layouts D and E), and
        # none of them fetches anything
        embedded = {article_path(lg, a.slug) for a in plain.articles.values()
                    if a.layout in EMBEDDED_LAYOUTS for lg in a.versions}
        assert not [k for k, p in pages.items() if b"<script>" in p.body and k not in embedded]
        assert not [k for k in embedded if b"fetch(" in pages[k].body]


def test_js_site_adds_only_its_sections() -> None:
    plain, js = build_site(), build_site(js=True)
    assert js == build_site(js=True)
    assert render_site(js) == render_site(build_site(js=True))
    assert all(js.articles[slug] == art for slug, art in plain.articles.items())
    extra = [a for slug, a in js.articles.items() if slug not in plain.articles]
    assert sorted(c for a in extra for c in a.categories) == sorted(
        slug for slug, (_, n, _) in JS_CATEGORIES.items() for _ in range(n))
    assert {c.slug: c.pagination for c in js.js_categories()} == {
        slug: style for slug, (style, _, _) in JS_CATEGORIES.items()}
    assert set(JS_PAGINATION_STYLES) == {c.pagination for c in js.js_categories()}
    before, after = truth_records(plain), truth_records(js)
    extra_urls = {canonical_url(lg, a.slug) for a in extra for lg in a.versions}
    assert [r for r in after if r["url"] not in extra_urls] == before
    assert {r["url"] for r in after} - {r["url"] for r in before} == extra_urls
    assert {r["sections"][0] for r in after if r["url"] in extra_urls} == set(JS_CATEGORIES)
    # a few client-rendered versions: in both categories, layouts A/B, not only Vietnamese
    client = [(a, lg) for a in extra for lg, v in a.versions.items() if v.client_body]
    assert 3 <= len(client) <= 6
    assert {a.categories[0] for a, _ in client} == set(JS_CATEGORIES)
    assert {a.layout for a, _ in client} <= {"A", "B"} and {lg for _, lg in client} - {"vi"}
    assert not [a for a in plain.articles.values() if any(v.client_body
                                                          for v in a.versions.values())]
    # browser-only: every client-rendered version, and unreachable listing-only articles
    hidden = js.browser_only_urls()
    assert hidden <= extra_urls and js.client_rendered_urls() <= hidden
    assert hidden - js.client_rendered_urls()
    static, browser = split_browser_only(js, after)
    assert {r["url"] for r in browser} == hidden and len(static) + len(browser) == len(after)
    # one client-rendered page is reachable statically (load-more page 1): it lacks only its body
    assert {u.rsplit("/", 1)[1] for u in js.client_rendered_urls()} & js.static_entry_slugs()
    # new articles never join a browser category
    added = add_articles(js, 30)
    assert not {c for a in added for c in a.categories} & set(JS_CATEGORIES)


# --------------------------------------------------------------------------- without a browser


def test_browser_only_urls_are_missed_without_a_browser(js_mirror: MirrorServer) -> None:
    site, pages = js_mirror.site, js_mirror.pages
    reached = static_crawl(pages, site.langs)
    assert not [k for k in reached if k.startswith("/api/")]
    articles = {CANONICAL + k for k in reached if pages.routes[k][0] == "article"}
    truth = {r["url"] for r in js_mirror.truth}
    missed = truth - articles
    client = site.client_rendered_urls()
    assert missed and articles & client
    assert missed | (articles & client) == site.browser_only_urls()
    # browser listings are reached, but their later pages only through links a script adds
    for target in site.browser_listing_paths():
        assert (lookup_key(target) in reached) == ("?page=" not in target), target


def test_browser_only_urls_absent_from_static_pages(js_mirror: MirrorServer) -> None:
    site, pages = js_mirror.site, js_mirror.pages
    reached = static_crawl(pages, site.langs)
    missed = {u.removeprefix(CANONICAL) for u in site.browser_only_urls()
              if u.removeprefix(CANONICAL) not in reached}
    assert missed
    hidden = re.compile("/(?:" + "|".join(sorted({p.rsplit("/", 1)[1] for p in missed}))
                        + ")[/<\"]")
    for key, route in pages.routes.items():
        if route[0] in ("api_category", "api_post"):
            continue
        if route[0] == "article" and article_path(route[2], route[1]) in missed:
            continue  # a hidden article's own page links its (hidden) translations
        linked = {urlsplit(t).path.rstrip("/") or "/" for t in links(pages[key], key)}
        assert not linked & missed, key
        if route[0] in ("sitemap_index", "sitemap_day", "sitemap_section", "news_sitemap", "rss"):
            assert not hidden.findall(pages[key].body.decode()), key


def test_browser_pages_hold_nothing_without_a_browser(js_mirror: MirrorServer) -> None:
    site, pages = js_mirror.site, js_mirror.pages
    for target, style in site.browser_listing_paths().items():
        key = lookup_key(target)
        html = pages[key].body.decode()
        doc = lxml.html.fromstring(html)
        slug = key.split("/category/")[1].split("?")[0]
        lang = next(lg for lg in site.langs if key.startswith(category_path(lg, slug)))
        arts = site.listing(slug, lang)
        next_data = doc.xpath("//script[@id='__NEXT_DATA__']/text()")[0]
        assert not [a for a in arts if a.slug in next_data or a.versions[lang].title in next_data]
        assert "?page=" not in "".join(doc.xpath("//@href")), key
        assert not doc.xpath("//link[@rel='next'] | //*[contains(@class,'pagination')]"), key
        if style == "js_listing":
            assert '<div id="post-list"></div>' in html
            assert not doc.xpath("//a[contains(@class,'v-link-title')]"), key
            assert not [a for a in arts if article_path(lang, a.slug) in html], key
            assert api_category_path(lang, slug, 1).removesuffix("&page=1") in html
        else:
            shown = [site_target(h, key) for h in doc.xpath("//div[@id='post-list']//a/@href")]
            paths = [urlsplit(t).path.rstrip("/") for t in shown if t]
            size = site.categories[slug].page_size
            assert paths == expected_listing(site, slug, lang)[:size], key
            buttons = doc.xpath("//button[contains(@class,'btn-load-more')]")
            assert len(buttons) == (len(arts) > size), key
            assert not [b for b in buttons if b.get("href") is not None], key
            assert not [a for a in arts[size:] if a.slug in html], key
    assert lookup_key("/category/giai-tri?page=2") not in pages
    truth = {r["url"]: r for r in js_mirror.truth}
    for url in site.client_rendered_urls():
        path, rec = url.removeprefix(CANONICAL), truth[url]
        html = pages[path].body.decode()
        doc = lxml.html.fromstring(html)
        assert [el.text_content() for el in doc.cssselect(".post-detail-body")] == [""], path
        assert api_post_path(rec["lang"], rec["translation_key"]) in html
        text = normalize_text(doc.text_content())
        assert not [p for p in rec["body"].split("\n\n") if p in text], path


def test_truth_matches_pages_as_a_browser_sees_them(js_mirror: MirrorServer) -> None:
    site, pages = js_mirror.site, js_mirror.pages
    records = [r for r in js_mirror.truth if r["sections"][0] in JS_CATEGORIES]
    client = site.client_rendered_urls()
    assert len(records) > 40 and client <= {r["url"] for r in records}
    shown: dict[str, Page] = {}
    for rec in records:
        path = rec["url"].removeprefix(CANONICAL)
        page = pages[path]
        if rec["url"] in client:  # what the script does: the API's body into the container
            api = pages[api_post_path(rec["lang"], rec["translation_key"])]
            body = json.loads(api.body)["body_html"]
            html = page.body.decode().replace('<div class="post-detail-body"></div>',
                                              f'<div class="post-detail-body">{body}</div>', 1)
            page = Page(page.status, page.headers, html.encode())
        shown[path] = page
    assert_read_back(shown, site, records)


# --------------------------------------------------------------------------- JSON API


def test_json_endpoints_answer(js_mirror: MirrorServer) -> None:
    site = js_mirror.site
    for cat in site.js_categories():
        for lang in site.langs:
            n = site.page_count(cat.slug, lang)
            paths: list[str] = []
            for p in range(1, n + 1):
                status, ctype, body = get(js_mirror, api_category_path(lang, cat.slug, p))
                assert (status, ctype) == (200, "application/json; charset=utf-8")
                data = json.loads(body)
                assert set(data) == {"category", "lang", "page", "pages", "page_size", "total",
                                     "has_more", "items"}
                assert (data["category"], data["lang"], data["page"], data["pages"],
                        data["has_more"]) == (cat.slug, lang, p, n, p < n)
                for item in data["items"]:
                    assert set(item) == {"slug", "path", "url", "title", "date", "published"}
                    assert item["url"] == CANONICAL + item["path"]
                paths += [item["path"] for item in data["items"]]
            assert paths == expected_listing(site, cat.slug, lang)
            assert data["total"] == len(paths)
            assert get(js_mirror, api_category_path(lang, cat.slug, n + 1))[0] == 404
    truth = {r["url"]: r for r in js_mirror.truth}
    for url in site.client_rendered_urls():
        path = url.removeprefix(CANONICAL)
        slug = path.rsplit("/", 1)[1]
        lang = truth[url]["lang"]
        status, ctype, body = get(js_mirror, api_post_path(lang, slug))
        assert (status, ctype) == (200, "application/json; charset=utf-8")
        data = json.loads(body)
        assert (data["slug"], data["lang"], data["url"]) == (slug, lang, url)
        assert_body(truth[url], data["body_html"])
    assert get(js_mirror, "/api/post/no-such-post?lang=vi")[0] == 404


# --------------------------------------------------------------------------- real browser


@pytest.mark.slow
def test_headless_chromium_renders_browser_pages(js_mirror: MirrorServer) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is missing at {CHROMIUM}: run scripts/install-chromium (as root)")
    from playwright.sync_api import sync_playwright

    site, base = js_mirror.site, js_mirror.base_url
    truth = {r["url"]: r for r in js_mirror.truth}
    listing = "#post-list a.v-link-title"
    requests: list[tuple[str, str]] = []

    def hrefs(page: Any) -> list[str]:
        return [urlsplit(str(h)).path.rstrip("/")
                for h in page.eval_on_selector_all(listing, "els => els.map(e => e.href)")]

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.set_default_timeout(15000)
            context.on("request", lambda r: requests.append((r.url, r.resource_type)))
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(base) else route.abort())
            page = context.new_page()
            # the JS listing: items and pager appear after load; follow "next" to the end
            for lang in ("vi", "en"):
                target = category_path(lang, "doi-song")
                seen: list[str] = []
                for _ in range(site.page_count("doi-song", lang) + 1):
                    page.goto(base + target, wait_until="domcontentloaded")
                    page.wait_for_selector(listing)
                    seen += hrefs(page)
                    nxt = page.query_selector(".ant-pagination-next a")
                    if nxt is None:
                        break
                    target = site_target(str(nxt.get_attribute("href")), target) or ""
                assert seen == expected_listing(site, "doi-song", lang)
            # the load-more listing: click until the button disappears
            for lang in ("vi", "ja"):
                page.goto(base + category_path(lang, "giai-tri"), wait_until="domcontentloaded")
                clicks = 0
                while page.query_selector("button.btn-load-more") and clicks < 10:
                    count = len(hrefs(page))
                    page.click("button.btn-load-more")
                    page.wait_for_function(
                        "n => document.querySelectorAll('#post-list a.v-link-title').length > n"
                        " || !document.querySelector('button.btn-load-more')", arg=count)
                    clicks += 1
                assert page.query_selector("button.btn-load-more") is None
                assert clicks == site.page_count("giai-tri", lang) - 1
                assert hrefs(page) == expected_listing(site, "giai-tri", lang)
            # client-rendered articles: the body arrives after load
            for url in sorted(site.client_rendered_urls()):
                page.goto(base + url.removeprefix(CANONICAL), wait_until="domcontentloaded")
                page.wait_for_selector(".post-detail-body p")
                assert_body(truth[url], page.inner_html(".post-detail-body"))
        finally:
            browser.close()
    scripted = [u for u, kind in requests if kind in ("fetch", "xhr", "script", "document")]
    assert scripted and all(u.startswith(base) for u in scripted)
    assert any("/api/post/" in u for u in scripted) and any("/api/category/" in u for u in scripted)


def test_renderer_indexes_hide_browser_listed_articles(js_site: SiteModel) -> None:
    renderer = SiteRenderer(js_site)
    hidden = renderer.hidden
    assert hidden == {a.slug for a in js_site.articles.values() if js_site.browser_listed(a)}
    assert not {a.slug for a in renderer.newest} & hidden
    for lang in js_site.langs:
        assert not {a.slug for a in renderer.newest_in(lang)} & hidden
        for slug in JS_CATEGORIES:
            assert [a.slug for a in renderer.listed(slug, lang)] == [
                a.slug for a in js_site.listing(slug, lang)]
            assert not list(renderer.linkable(slug, lang))
