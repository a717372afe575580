"""Tests of the offline mirror itself (``tests/mirror``): determinism, coverage, variety, and that
every expected record can be read back from the served HTML."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
from parsel import Selector

from tests.mirror.model import (
    CANONICAL,
    PAGINATION_STYLES,
    QUIRKS,
    SiteModel,
    article_path,
    build_site,
    category_path,
    home_path,
)
from tests.mirror.render import UI, css_class, render_site
from tests.mirror.server import MirrorServer, lookup_key
from tests.mirror.truth import normalize_text

RECORD_KEYS = ["id", "url", "lang", "translation_key", "translations", "sections", "title",
               "summary", "body", "source_name", "source_url", "authors", "tags",
               "published_at", "modified_at", "images", "word_count", "content_hash", "status",
               "version"]
ALIASES = ("https://www.vietnam.vn", "https://vietnam.vn", "https://vcdn.vietnam.vn",
           "//thongtin.vietnam.vn")
VN = timezone(timedelta(hours=7))
ROOT = Path(__file__).resolve().parent.parent


def fetch(mirror: MirrorServer, target: str, headers: dict[str, str] | None = None
          ) -> tuple[int, str]:
    """GET ``target`` from the running mirror: (status, body text)."""
    req = urllib.request.Request(mirror.base_url + target, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def site_path(href: str, base: str = "/") -> str:
    """Canonical site path of an href (alias hosts, query, fragment and trailing slash dropped)."""
    for alias in ALIASES:
        if href.startswith(alias):
            href = href[len(alias):] or "/"
            break
    return urlsplit(urljoin(base, href)).path.rstrip("/") or "/"


def lang_of(path: str, site: SiteModel) -> str:
    first = path.strip("/").split("/")[0]
    return first if first in site.langs else "vi"


# --------------------------------------------------------------------------- determinism


def test_build_is_deterministic_and_fast() -> None:
    start = time.perf_counter()
    first = build_site()
    assert time.perf_counter() - start < 1.0
    second = build_site()
    assert first == second
    assert render_site(first) == render_site(second)
    assert build_site(seed=8) != first


DIGEST = """
import hashlib, json
from tests.mirror.model import build_site
from tests.mirror.render import render_site
from tests.mirror.truth import truth_records
site = build_site(n_articles=40)
pages, digest = render_site(site), hashlib.sha256()
for key in sorted(pages):
    digest.update(key.encode() + pages[key].body)
digest.update(json.dumps(truth_records(site), ensure_ascii=False).encode())
print(digest.hexdigest())
"""


def test_output_ignores_hash_seed() -> None:
    digests = {subprocess.run([sys.executable, "-c", DIGEST], capture_output=True, text=True,
                              check=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}
                              ).stdout for seed in ("0", "1")}
    assert len(digests) == 1


# --------------------------------------------------------------------------- truth


def test_truth_records_are_consistent(mirror: MirrorServer) -> None:
    truth = mirror.truth
    assert truth == sorted(truth, key=lambda r: r["url"])
    assert len({r["url"] for r in truth}) == len(truth)
    titles: dict[str, Counter[str]] = {}
    for rec in truth:
        assert [k for k in rec if k != "_dup_group"] == RECORD_KEYS
        assert rec["id"] == hashlib.sha1(rec["url"].encode()).hexdigest()
        assert rec["url"] == CANONICAL + article_path(rec["lang"], rec["translation_key"])
        assert rec["lang"] not in rec["translations"]
        assert len(rec["translation_key"].split("-")) >= 4
        assert re.fullmatch(r"[a-z0-9-]+", rec["translation_key"])
        digest = hashlib.sha256(f"{rec['title']}\n{rec['body']}".encode()).hexdigest()
        assert rec["content_hash"] == digest
        assert rec["word_count"] == len(rec["body"].split())
        for text in [rec["title"], rec["summary"], *rec["body"].split("\n\n"), *rec["tags"],
                     *(i["caption"] for i in rec["images"])]:
            assert normalize_text(text) == text
        assert all(i["url"].startswith("https://vstatic.vietnam.vn/") for i in rec["images"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", rec["published_at"])
        if "_dup_group" not in rec:
            titles.setdefault(rec["lang"], Counter())[rec["title"]] += 1
    assert all(max(c.values()) == 1 for c in titles.values())
    groups = Counter(r["_dup_group"] for r in truth if "_dup_group" in r)
    assert list(groups.values()) == [2]
    pair = [r for r in truth if "_dup_group" in r]
    assert pair[0]["url"] != pair[1]["url"]
    assert pair[0]["content_hash"] == pair[1]["content_hash"]


def test_every_truth_page_is_served(mirror: MirrorServer) -> None:
    for rec in mirror.truth:
        path = rec["url"].removeprefix(CANONICAL)
        status, body = fetch(mirror, path)
        assert status == 200, path
        assert "<title>" in body and "Vietnam.vn - Nền tảng quảng bá Việt Nam" in body
    sample = mirror.truth[0]["url"].removeprefix(CANONICAL)
    assert fetch(mirror, sample + "/")[1] == fetch(mirror, sample)[1]
    assert fetch(mirror, sample + "?utm_source=x&utm_medium=y")[0] == 200


def _texts(el: lxml.html.HtmlElement) -> str:
    for br in el.iter("br"):
        br.tail = " " + (br.tail or "")
    return normalize_text(el.text_content())


def _image(el: lxml.html.HtmlElement) -> str:
    img = el if el.tag == "img" else el.find(".//img")
    src = img.get("data-src") or img.get("src")
    return "https:" + src if src.startswith("//") else src


def _body(container: lxml.html.HtmlElement) -> tuple[str, list[dict[str, str]]]:
    """Read body paragraphs and images back from a body container (mirror markup only)."""
    paragraphs: list[str] = []
    images: list[dict[str, str]] = []
    children = list(container)
    skip = set()
    for n, el in enumerate(children):
        if n in skip:
            continue
        if el.tag == "figure" or el.find(".//img") is not None:
            cap = el.find("figcaption")
            caption = _texts(cap) if cap is not None else ""
            nxt = children[n + 1] if n + 1 < len(children) else None
            if nxt is not None and (nxt.get("class") == "caption" or (
                    len(nxt) == 1 and nxt[0].tag == "em" and not (nxt.text or "").strip())):
                caption = _texts(nxt)
                skip.add(n + 1)
            images.append({"url": _image(el), "caption": caption})
            continue
        text = _texts(el)
        outbound = [a for a in el.iter("a") if not a.get("href", "").startswith("/")]
        if not text or re.fullmatch(r"\[[^\]]+\]", text) or outbound:
            continue
        paragraphs.append(text)
    return "\n\n".join(paragraphs), images


def _read_back(html: str, layout: str, slug: str, site: SiteModel) -> dict[str, object]:
    """Fields of one article page, extracted with knowledge of the mirror's markup."""
    doc = lxml.html.fromstring(html)

    def one(css: str) -> lxml.html.HtmlElement | None:
        found = doc.cssselect(css)
        return found[0] if found else None

    def c(role: str) -> str:
        return "." + css_class(role, slug)

    sel = {"A": (".post-detail-title", ".post-detail-sapo", ".post-detail-body",
                 ".post-detail-source .source-name-text", ".post-tags a", ".post-author a",
                 ".ant-breadcrumb a"),
           "B": ("h1.title", ".post-sapo", ".post-detail-body", ".post-source", ".post-tags a",
                 ".post-author a", ".breadcrumb a"),
           "C": ("h1" + c("title"), c("lead"), c("inner"), c("meta") + " span:first-child",
                 c("tags") + " a", "nothing", c("crumbs") + " a")}[layout]
    title, lead, body_el, outlet = (one(s) for s in sel[:4])
    if outlet is not None and re.fullmatch(r"\d\d/\d\d/\d{4}", _texts(outlet)):
        outlet = None  # layout C without an outlet: the first span is the date
    body, images = _body(body_el)
    source = [a.get("href") for a in body_el.iter("a") if a.get("href", "").startswith("http")]
    authors = [_texts(a) for a in doc.cssselect(sel[5])]
    meta_author = doc.xpath("//meta[@name='author']/@content")
    if meta_author:
        authors = [normalize_text(n) for n in meta_author[0].split(",")]
    if layout == "A":
        links = doc.xpath("//link[@rel='alternate'][@hreflang!='x-default']/@href")
        stamp = doc.xpath("//meta[@property='article:published_time']/@content")[0]
        published = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(VN)
        mod = doc.xpath("//meta[@property='article:modified_time']/@content")
        modified = (datetime.fromisoformat(mod[0].replace("Z", "+00:00")).astimezone(VN)
                    .isoformat() if mod else None)
        date = published.isoformat()
    else:
        links = [urljoin(CANONICAL, h) for h in doc.xpath("//div[@class='lang-switcher']/a/@href")]
        day = re.search(r"\d\d/\d\d/\d{4}", doc.text_content()).group()
        date = datetime.strptime(day, "%d/%m/%Y").replace(tzinfo=VN).isoformat()
        modified = None
    path = urlsplit(doc.xpath("//a[contains(@class,'lang-item active')]/@href")[0]).path
    translations = {lang_of(site_path(u), site): u for u in links if site_path(u) != path}
    crumbs = [a.get("href") for a in doc.cssselect(sel[6]) if "/category/" in a.get("href")]
    return {
        "title": _texts(title), "summary": _texts(lead) if lead is not None else "",
        "body": body, "images": images, "source_url": source[0] if source else None,
        "source_name": _texts(outlet) if outlet is not None else None,
        "tags": [_texts(a) for a in doc.cssselect(sel[4])], "authors": authors,
        "published_at": date, "modified_at": modified, "translations": translations,
        "sections": [u.rsplit("/", 1)[1] for u in crumbs],
    }


def test_truth_matches_served_html(mirror: MirrorServer) -> None:
    site = mirror.site
    for rec in mirror.truth:
        art = site.articles[rec["translation_key"]]
        html = mirror.pages[article_path(rec["lang"], art.slug)].body.decode()
        got = _read_back(html, art.layout, art.slug, site)
        for key, value in got.items():
            assert value == rec[key], (rec["url"], key)


# --------------------------------------------------------------------------- listings


NEXT_TEXTS = {ui["next"] for ui in UI.values()}
STYLE_MARKERS = {"rel_next": 'rel="next"', "ant": "ant-pagination", "path": "/page/2",
                 "next_text": 'class="pager"', "load_more": "btn-load-more"}


def _resolve(current: str, href: str) -> str:
    """Request target of ``href`` found on the page at ``current``."""
    for alias in ALIASES:
        if href.startswith(alias):
            href = href[len(alias):]
            break
    parts = urlsplit(urljoin("http://mirror" + current, href))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _next_page(sel: Selector) -> str | None:
    """The next listing page, whatever the pagination style."""
    found = (sel.css("link[rel=next]::attr(href)").getall()
             + sel.css(".ant-pagination-next a::attr(href)").getall()
             + sel.css("a.btn-load-more::attr(href)").getall()
             + [a.attrib["href"] for a in sel.css(".pager a")
                if a.css("::text").get() in NEXT_TEXTS])
    current = sel.css(".pagination .current::text").get()
    if current:
        found += sel.css(".pagination a").xpath(f"self::*[text()='{int(current) + 1}']/@href")\
            .getall()
    return found[0] if found else None


def test_listings_paginate_to_the_end(mirror: MirrorServer) -> None:
    site = mirror.site
    pages_per_listing = []
    for cat in site.categories.values():
        for lang in site.langs:
            target: str | None = category_path(lang, cat.slug)
            seen: list[str] = []
            count = 0
            while target:
                status, body = fetch(mirror, target)
                assert status == 200, target
                count += 1
                for style, marker in STYLE_MARKERS.items():
                    assert (style == cat.pagination) or marker not in body, (target, style)
                sel = Selector(text=body)
                seen += [site_path(h) for h in
                         sel.css(".post-list .post-item a.v-link-title::attr(href)").getall()]
                nxt = _next_page(sel)
                target = _resolve(target, nxt) if nxt else None
            expected = [article_path(lang, a.slug) for a in site.listing(cat.slug, lang)]
            assert seen == expected, (cat.slug, lang)
            pages_per_listing.append(count)
    assert {c.pagination for c in site.categories.values()} == set(PAGINATION_STYLES)
    assert sum(2 <= n <= 5 for n in pages_per_listing) > len(pages_per_listing) / 2


def _listing_hrefs(mirror: MirrorServer) -> list[str]:
    hrefs = []
    for key, page in mirror.pages.items():
        if "/category/" in key or key in {home_path(lg) for lg in mirror.site.langs}:
            hrefs += Selector(text=page.body.decode()).css("a.v-link-title::attr(href)").getall()
    return hrefs


def test_alias_and_tracking_links_present(mirror: MirrorServer) -> None:
    hrefs = _listing_hrefs(mirror)
    for marker in ("https://www.vietnam.vn/", "https://vietnam.vn/", "https://vcdn.vietnam.vn/",
                   "//thongtin.vietnam.vn/", "utm_source=", "#comments"):
        assert sum(marker in h for h in hrefs) >= 3, marker
    assert sum(h.startswith("/") and not h.startswith("//") for h in hrefs) >= 20
    assert any(urlsplit(h).path.endswith("/") and urlsplit(h).path != "/" for h in hrefs)
    home = Selector(text=mirror.pages["/"].body.decode())
    forms = Counter(site_path(h) for h in home.css("a.v-link-title::attr(href)").getall())
    assert any(n >= 2 for n in forms.values())  # one article, several href forms


# --------------------------------------------------------------------------- structure


def test_site_structure(mirror: MirrorServer) -> None:
    site = mirror.site
    status, robots = fetch(mirror, "/robots.txt")
    assert status == 200 and "Sitemap: https://www.vietnam.vn/sitemap.xml" in robots
    for path in ("/gioi-thieu", "/chinh-sach-bao-mat-thong-tin", "/lien-he"):
        status, body = fetch(mirror, path)
        assert status == 200 and 'content="article"' not in body
        assert not re.search(r"\d\d/\d\d/\d{4}", body)
    for lang in site.langs:
        assert fetch(mirror, home_path(lang))[0] == 200
        assert fetch(mirror, home_path(lang).rstrip("/") + "/")[0] == 200
    status, body = fetch(mirror, "/khong-co-trang-nay-o-day")
    assert status == 404 and "<html" in body
    tag_status = Counter(fetch(mirror, f"/tag/{t}")[0] for t in site.tags)
    author_status = Counter(fetch(mirror, f"/en/author/{a}")[0] for a in site.authors)
    assert set(tag_status) == set(author_status) == {200, 404}
    assert 'lang="zh-CN"' in fetch(mirror, "/zh-cn")[1]
    assert fetch(mirror, "/")[1].count('src="/_next/static/') >= 3

    nav_html = Selector(text=mirror.pages["/en"].body.decode())
    nav = {site_path(h) for h in nav_html.css("nav.main-menu a::attr(href)").getall()}
    footer = {site_path(h) for h in nav_html.css("footer a::attr(href)").getall()}
    for cat in site.categories.values():
        path = category_path("en", cat.slug)
        assert (path in nav) == (cat.placement == "nav"), cat.slug
        if cat.placement != "nav":
            assert (path in footer) == (cat.placement == "footer"), cat.slug
    hidden = [c.slug for c in site.categories.values() if c.placement == "sidebar"]
    assert hidden
    for slug in hidden:
        hosts = {c.slug for c in site.categories.values() if slug in c.sidebar_extra}
        linked_from = set()
        for key, page in mirror.pages.items():
            body = page.body.decode()
            if f"/category/{slug}" not in body:
                continue
            sel = Selector(text=body)
            menus = sel.css("nav a::attr(href), footer a::attr(href)").getall()
            assert not any(h.endswith(f"/category/{slug}") for h in menus), key
            sidebar = sel.css("aside .sidebar-categories a::attr(href)").getall()
            if any(h.endswith(f"/category/{slug}") for h in sidebar):
                linked_from.add(key.split("/category/")[1].split("/")[0].split("?")[0])
        assert linked_from == hosts


def test_access_log(mirror: MirrorServer) -> None:
    mirror.reset_log()
    fetch(mirror, "/en?x=1", {"User-Agent": "mirror-test", "Accept-Language": "en"})
    fetch(mirror, "/robots.txt")
    log = mirror.log
    assert [(m, p) for m, p, _ in log] == [("GET", "/en?x=1"), ("GET", "/robots.txt")]
    assert log[0][2]["User-Agent"] == "mirror-test" and log[0][2]["Accept-Language"] == "en"
    assert "Host" in log[0][2]
    mirror.reset_log()
    assert mirror.log == []
    assert lookup_key("/x/?utm_source=a&page=2#f") == "/x?page=2"
    assert lookup_key("/") == "/"


# --------------------------------------------------------------------------- variety


def test_variety_occurs(mirror: MirrorServer) -> None:
    site = mirror.site
    arts = [a for a in site.articles.values() if not a.dup_of]
    versions = [v for a in arts for v in a.versions.values()]
    n = len(arts)
    layouts = Counter(a.layout for a in arts)
    assert layouts["A"] >= 0.6 * n and layouts["B"] >= 0.1 * n and layouts["C"] >= 0.1 * n
    assert sum(len(a.categories) == 2 for a in arts) >= 0.08 * n
    assert len(site.categories) >= 8
    for lang in site.langs[1:]:
        assert 0.5 * n <= sum(lang in a.versions for a in arts) <= 0.9 * n, lang
    quirks = Counter(q for v in versions for q in v.quirks)
    assert all(quirks[q] >= 5 for q in QUIRKS), quirks
    images = [i for v in versions for i in v.images]
    assert Counter(i.placement for i in images).keys() == {"figcaption", "p.caption", "p.em",
                                                           "none"}
    assert sum(i.lazy for i in images) >= 5 and sum(i.protocol_relative for i in images) >= 5
    captions = " | ".join(i.caption for i in images)
    for style in ("Photo: ", "Ảnh: ", "_Photo: ", "(Foto: ", "写真", "사진: ", "PHOTO: ",
                  " - Ảnh 1.", "Screenshot 20", ".png"):
        assert style in captions, style
    assert sum(not v.lead for v in versions) >= 10
    assert sum(v.lead.startswith("TCCS - ") for v in versions) >= 3
    assert sum(a.outlet is None for a in arts) >= 2
    assert sum(a.outlet is not None and a.source_url is None for a in arts) >= 1
    assert {a.time_format for a in arts if a.layout == "A"} == {"local", "utc"}
    assert sum(a.modified is not None for a in arts) >= 10
    assert sum(bool(a.authors) for a in arts) >= 10 and sum(not a.authors for a in arts) >= 10
    assert sum(bool(a.tags) for a in arts) >= 10 and sum(not a.tags for a in arts) >= 10
    assert sum(any(b.kind != "p" for b in v.blocks) for v in versions) >= 5
    assert sum(a.lead_first for a in arts) >= 10 and sum(not a.lead_first for a in arts) >= 10

    html = {k: p.body.decode() for k, p in mirror.pages.items()}
    articles = [html[article_path(v.lang, a.slug)] for a in arts for v in a.versions.values()]
    every = "\n".join(articles)
    for marker in ("[ad_1]", "[ad_2]", "[Anzeige_2]", "[광고_2]", "[広告2]", "Nguồn: ",
                   "Source: ", "Source : ", "来源: ", "出典: ", "ソースリンク", "소스 링크",
                   "Comment (", "Bình luận (", "Commentaire (", "댓글 (", "コメント (", "评论 (",
                   "\u200b", "\ufeff", "&nbsp;", "<br/>", "<b>", "<i>", "<h2>", "<h3>",
                   'class="related-posts"', "data-src=", 'src="//vstatic', "keyword-link",
                   "ZNews</span><span", "</span>•<span", 'content="article"', "hreflang=",
                   ".000Z", "+07:00", 'name="author"', 'class="post-author"'):
        assert marker in every, marker
    assert sum(unicodedata.is_normalized("NFC", page) is False for page in articles) >= 10
    with_next_data = sum("__NEXT_DATA__" in page for page in articles)
    assert 10 <= with_next_data < len(articles)
    layout_c = [html[article_path("vi", a.slug)] for a in arts if a.layout == "C"]
    assert not any("post-detail" in page or "<article" in page or "og:" in page
                   for page in layout_c)
