"""Tests of the mirror's pages that need a browser (``build_site(js=True)``): the default site is
unchanged, browser-only articles cannot be reached without a browser, the JSON API answers, the
decoys and misbehaving scripts stay where they belong, and (slow) a real headless Chromium
renders the JS listing, the load-more listing, the client-rendered article bodies and the
dateline drawn on ``client_meta`` pages (layout D pages whose data lacks the date and the
outlet's name)."""

from __future__ import annotations

import copy
import dataclasses
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

from newscrawl.sites.vietnamvn import VIETNAM_VN
from newscrawl.urls import ARTICLE, UrlMapper
from tests.mirror import feeds
from tests.mirror.model import (
    CANONICAL,
    EMBEDDED_LAYOUTS,
    JS_CATEGORIES,
    JS_PAGINATION_STYLES,
    Article,
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
from tests.mirror.render import (
    NEWSLETTER,
    PAGE_SCRIPTS,
    PROMO_SENTENCES,
    UI,
    Page,
    PageMap,
    SiteRenderer,
    date_text,
    render_site,
)
from tests.mirror.server import MirrorServer, lookup_key
from tests.mirror.truth import (
    DRAWN_FIELDS,
    normalize_text,
    split_browser_only,
    truth_records,
    without_browser,
)
from tests.test_mirror import assert_read_back, next_data

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


FLAG_DEFAULTS = {"client_meta": False, "page_script": ""}
"""Version flags that ``build_site(js=True)`` sets on articles of the default site."""


def without_flags(art: Article, flags: tuple[str, ...] = ("client_meta",)) -> Article:
    """A copy of ``art`` with the version ``flags`` (:data:`FLAG_DEFAULTS`) reset."""
    reset = {name: FLAG_DEFAULTS[name] for name in flags}
    return dataclasses.replace(art, versions={
        lg: dataclasses.replace(ver, **reset) for lg, ver in art.versions.items()})


def cleared_site(site: SiteModel, flags: tuple[str, ...] = ("client_meta",)) -> SiteModel:
    """A copy of ``site`` with the version ``flags`` reset (what the site would be without
    them; ``client_meta`` by default)."""
    out = copy.deepcopy(site)
    out.articles = {slug: without_flags(art, flags) for slug, art in out.articles.items()}
    return out


def load_more_first_pages(site: SiteModel) -> dict[str, str]:
    """Request target of each ``js_load_more`` listing's page 1 (the only one) → its language."""
    return {category_path(lg, c.slug): lg for c in site.js_categories()
            if c.pagination == "js_load_more" for lg in site.langs}


def client_meta_paths(site: SiteModel) -> set[str]:
    """Request targets of the ``client_meta`` pages and of their post API."""
    out = set()
    for art in site.articles.values():
        for lang, ver in art.versions.items():
            if ver.client_meta:
                out |= {article_path(lang, art.slug), api_post_path(lang, art.slug)}
    return out


# --------------------------------------------------------------------------- default site


def test_default_site_is_unchanged() -> None:
    for kwargs in ({}, {"seed": 3, "n_articles": 30, "langs": ("vi", "en", "ja"), "unlisted": 2}):
        plain, off = build_site(**kwargs), build_site(**kwargs, js=False)
        assert plain == off
        assert truth_records(plain) == truth_records(off)
        assert not plain.js_categories() and not plain.browser_listing_paths()
        assert plain.browser_only_urls() == set() and plain.client_rendered_urls() == set()
        assert split_browser_only(plain, truth_records(plain))[1] == []
        assert plain.client_meta_urls() == set() and plain.misbehaving_urls() == {}
        pages = render_site(plain)
        assert pages == render_site(off)
        assert not [k for k in pages if k.startswith("/api/")]
        assert NEWSLETTER not in pages and not [p for p in pages.values() if b"/newsletter" in p.body]
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
    # (flags aside: tested in test_client_meta_versions_change_only_their_pages and
    # test_misbehaving_scripts_change_only_their_pages)
    assert all(without_flags(js.articles[slug], tuple(FLAG_DEFAULTS)) == art
               for slug, art in plain.articles.items())
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


def test_client_meta_versions_change_only_their_pages(js_site: SiteModel) -> None:
    drawn = js_site.client_meta_urls()
    first_d = next(a for a in js_site.articles.values() if a.layout == "D")
    # the first layout D article, in Vietnamese and one other language
    assert {u.rsplit("/", 1)[1] for u in drawn} == {first_d.slug} and len(drawn) == 2
    assert canonical_url("vi", first_d.slug) in drawn
    assert [lg for lg, v in first_d.versions.items() if v.client_meta] == [
        lg for lg in js_site.langs if canonical_url(lg, first_d.slug) in drawn]
    assert not [v for a in js_site.articles.values() if a.layout != "D"
                for v in a.versions.values() if v.client_meta]
    assert first_d.outlet and first_d.source_url
    assert not drawn & js_site.browser_only_urls()  # a crawl without a browser still emits them
    assert build_site().client_meta_urls() == set()
    assert build_site(js=True, embedded=0).client_meta_urls() == set()
    assert build_site(js=True, seed=3, n_articles=30).client_meta_urls()
    # every other page is byte-identical, and the truth is unchanged
    cleared = cleared_site(js_site)
    pages, before = render_site(js_site), render_site(cleared)
    changed = {k for k in set(pages) | set(before) if pages.get(k) != before.get(k)}
    assert changed == client_meta_paths(js_site)
    assert {k for k in changed if k not in before} == {
        k for k in changed if k.startswith("/api/")}
    truth = truth_records(js_site)
    assert truth == truth_records(cleared)
    # without a browser: the same records, the drawn fields None on client_meta pages only
    static, _ = split_browser_only(js_site, truth)
    by_url = {r["url"]: r for r in truth}
    for rec in static:
        want = by_url[rec["url"]]
        if rec["url"] in drawn:
            assert want["published_at"] and want["source_name"]
            assert rec == {**want, "published_at": None, "source_name": None}
        else:
            assert rec == want
    assert {r["url"] for r in static} >= drawn and set(DRAWN_FIELDS) == {
        "published_at", "source_name"}
    assert without_browser(js_site, truth) != truth == without_browser(cleared, truth)


def test_misbehaving_scripts_change_only_their_pages(js_site: SiteModel) -> None:
    scripts = js_site.misbehaving_urls()
    assert sorted(scripts.values()) == ["navigates", "throws"]
    # one article: the first listed layout A one whose versions are all static, translated
    slug = next(a.slug for a in js_site.articles.values() if a.layout == "A")
    assert {u.removeprefix(CANONICAL).rsplit("/", 1)[1] for u in scripts} == {slug}
    art = js_site.articles[slug]
    assert art.listed and not art.dup_of and not js_site.browser_listed(art)
    assert not [v for v in art.versions.values() if v.client_body or v.client_meta]
    assert scripts[canonical_url("vi", slug)] == "navigates"
    assert not scripts.keys() & (js_site.browser_only_urls() | js_site.client_meta_urls())
    assert build_site(js=True).misbehaving_urls() == scripts
    assert sorted(build_site(js=True, seed=3, n_articles=30).misbehaving_urls().values()) == [
        "navigates", "throws"]
    # their pages only change, by the script at their end; the truth is unchanged
    cleared = cleared_site(js_site, ("page_script",))
    pages, before = render_site(js_site), render_site(cleared)
    assert set(pages) == set(before)
    changed = {k for k in pages if pages[k] != before[k]}
    assert changed == {u.removeprefix(CANONICAL) for u in scripts}
    for url, script in scripts.items():
        body = pages[url.removeprefix(CANONICAL)].body.decode()
        tail = PAGE_SCRIPTS[script]
        assert body.count(tail) == 1 and body.endswith(tail + "</body></html>")
        assert body.replace(tail, "").encode() == before[url.removeprefix(CANONICAL)].body
    assert "/newsletter" in PAGE_SCRIPTS["navigates"] and "throw " in PAGE_SCRIPTS["throws"]
    assert truth_records(js_site) == truth_records(cleared)


def test_load_more_decoys_only_on_its_first_page(js_mirror: MirrorServer) -> None:
    """Beside the load-more button: a newsletter form whose submit button bears the button's
    label, and a promo link whose sentence contains it; both lead to ``/newsletter``."""
    site, pages = js_mirror.site, js_mirror.pages
    first_pages = load_more_first_pages(site)
    with_decoys = {k for k in pages if b'class="newsletter"' in pages[k].body
                   or b'class="promo"' in pages[k].body}
    assert with_decoys == set(first_pages)
    for key, lang in first_pages.items():
        doc = lxml.html.fromstring(pages[key].body.decode())
        more = UI[lang]["more"]
        form, = doc.xpath("//form")
        assert (form.get("class"), form.get("action"), form.get("method")) == (
            "newsletter", NEWSLETTER, "get")
        assert form.xpath(".//input[@type='email']")
        button, = form.xpath(".//button")
        assert button.get("type") is None and button.text_content() == more  # a submit button
        assert "btn-more" in button.get("class")
        promo, = doc.xpath("//a[@class='promo']")
        text = promo.text_content()
        assert text == PROMO_SENTENCES[lang]
        assert more.lower() in text.lower() and text.lower() != more.lower()
        assert promo.get("href") == "javascript:void(0)"
        assert promo.get("onclick") == f"location.href='{NEWSLETTER}'"
        # the decoys come first, then the real button
        controls = doc.xpath("//form | //a[@class='promo'] | //button[contains(@class,'btn-load-more')]")
        assert [c.tag for c in controls] == ["form", "a", "button"], key
        assert controls[2].text_content() == more and controls[2].get("type") == "button"
    assert PROMO_SENTENCES["fr"] == "Pour en savoir plus sur nos lettres d'information, cliquez ici"
    assert set(PROMO_SENTENCES) == set(site.langs)


def test_newsletter_is_reachable_but_linked_by_no_href(js_mirror: MirrorServer) -> None:
    site, pages = js_mirror.site, js_mirror.pages
    status, ctype, body = get(js_mirror, NEWSLETTER)
    assert (status, ctype) == (200, "text/html; charset=utf-8")
    doc = lxml.html.fromstring(body.decode())
    assert not doc.xpath("//@href") and not doc.xpath("//script")
    assert NEWSLETTER not in static_crawl(pages, site.langs)
    assert pages.routes[NEWSLETTER] == ("newsletter",)
    assert not [r for r in js_mirror.truth if urlsplit(r["url"]).path == NEWSLETTER]
    newsletter = UrlMapper(None, VIETNAM_VN).parse(CANONICAL + NEWSLETTER)
    assert newsletter is not None and newsletter.kind != ARTICLE  # the crawler: not an article
    # named only by the decoys' form and onclick, and by the navigating script
    naming = set()
    for key in pages:
        page = pages[key]
        if NEWSLETTER in links(page, key):
            pytest.fail(f"{key} links to {NEWSLETTER}")
        if b"/newsletter" in page.body:
            naming.add(key)
    navigates = {u.removeprefix(CANONICAL) for u, s in site.misbehaving_urls().items()
                 if s == "navigates"}
    assert naming == set(load_more_first_pages(site)) | navigates


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


def test_client_meta_pages_hold_no_date_or_outlet(js_mirror: MirrorServer) -> None:
    """The static page of a ``client_meta`` version: its data lacks the date and the outlet's
    name (and keeps the source URL and everything else); no markup shows them; its script
    calls the post API."""
    site, pages = js_mirror.site, js_mirror.pages
    truth = {r["url"]: r for r in js_mirror.truth}
    plain = SiteRenderer(cleared_site(site))
    for url in sorted(site.client_meta_urls()):
        path, rec = url.removeprefix(CANONICAL), truth[url]
        art = site.articles[rec["translation_key"]]
        html = pages[path].body.decode()
        for shown in (rec["published_at"], art.published.isoformat(timespec="seconds"),
                      date_text(art.published), date_text(art.published).replace("/", "\\/")):
            assert shown not in html, (path, shown)
        props = next_data(html)["props"]["pageProps"]
        post = props["post"]
        assert "publishedAt" not in post and post["source"] == {"url": rec["source_url"]}
        # everything else is the data of the same page without client_meta
        full = next_data(plain.article(plain.site.articles[art.slug], rec["lang"])
                         )["props"]["pageProps"]
        assert {k: v for k, v in props.items() if k != "post"} == {
            k: v for k, v in full.items() if k != "post"}
        assert {**post, "publishedAt": full["post"]["publishedAt"],
                "source": full["post"]["source"]} == full["post"]
        assert list(post) == [k for k in full["post"] if k != "publishedAt"]
        assert full["post"]["source"]["name"] == rec["source_name"]
        # the outlet's name: neither in the data nor in any markup (the footer's list of
        # partner outlets names every outlet on every page)
        doc = lxml.html.fromstring(html)
        for footer in doc.xpath("//footer"):
            footer.drop_tree()
        assert rec["source_name"] not in lxml.html.tostring(doc, encoding="unicode"), path
        root = doc.xpath("//div[@id='post-root']")
        assert len(root) == 1 and len(root[0]) == 0 and not root[0].text
        assert not doc.xpath("//time | //*[contains(@class,'post-detail')]")
        scripts = doc.xpath("//script[not(@src) and not(@type)]/text()")
        assert [s for s in scripts if api_post_path(rec["lang"], art.slug) in s], path


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
        assert set(data) == {"slug", "lang", "url", "title", "body_html"}
        assert (data["slug"], data["lang"], data["url"]) == (slug, lang, url)
        assert_body(truth[url], data["body_html"])
    # client_meta pages: the outlet and the date their data leaves out
    assert site.client_meta_urls()
    for url in site.client_meta_urls():
        rec = truth[url]
        art = site.articles[rec["translation_key"]]
        status, ctype, body = get(js_mirror, api_post_path(rec["lang"], art.slug))
        assert (status, ctype) == (200, "application/json; charset=utf-8")
        data = json.loads(body)
        assert (data["slug"], data["lang"], data["url"]) == (art.slug, rec["lang"], url)
        assert data["source"] == {"name": rec["source_name"], "url": rec["source_url"]}
        assert data["published_at"] == rec["published_at"]
        assert data["published_at"].endswith("+07:00") and len(data["published_at"]) == 25
        assert data["date"] == date_text(art.published)
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
            # client_meta articles: title and body from the data, then outlet and date from
            # the API, under the title
            assert site.client_meta_urls()
            for url in sorted(site.client_meta_urls()):
                rec = truth[url]
                page.goto(base + url.removeprefix(CANONICAL), wait_until="domcontentloaded")
                page.wait_for_selector("#post-root time.post-detail-time")
                assert normalize_text(page.inner_text("#post-root > h1")) == rec["title"]
                meta = "#post-root > h1 + .post-detail-meta"
                assert normalize_text(page.inner_text(f"{meta} .post-detail-source")) == \
                    rec["source_name"]
                time = page.query_selector(f"{meta} > time.post-detail-time")
                assert time is not None
                assert time.get_attribute("datetime") == rec["published_at"]
                art = site.articles[rec["translation_key"]]
                assert time.inner_text() == date_text(art.published)
                assert_body(rec, page.inner_html("#post-root"))
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
