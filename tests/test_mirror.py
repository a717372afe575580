"""Tests of the offline mirror itself (``tests/mirror``): determinism, coverage, variety, and that
every expected record can be read back from the served HTML."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from lxml import etree
from parsel import Selector

from tests.mirror import feeds, truth
from tests.mirror.model import (
    CANONICAL,
    EMBEDDED_LAYOUTS,
    PAGINATION_STYLES,
    QUIRKS,
    Article,
    SiteModel,
    add_articles,
    advance_clock,
    article_path,
    build_site,
    canonical_url,
    category_path,
    change_article,
    home_path,
    lang_prefix,
    remove_article,
)
from tests.mirror.render import UI, Page, SiteRenderer, css_class, http_date, meta_time, render_site
from tests.mirror.server import MirrorServer, lookup_key
from tests.mirror.truth import caption_truth, normalize_text, record, truth_records

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


def test_build_is_deterministic_and_renders_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[Any] = []
    monkeypatch.setattr(SiteRenderer, "page", lambda self, route: rendered.append(route))
    first = build_site()
    second = build_site()
    assert rendered == [], "building the model must not render pages (the renderer does, on demand)"
    monkeypatch.undo()
    assert first == second
    assert render_site(first) == render_site(second)
    assert build_site(seed=8) != first


DIGEST = """
import hashlib, json
from tests.mirror.model import add_articles, build_site, change_article, remove_article
from tests.mirror.render import render_site
from tests.mirror.truth import truth_records
plain = build_site(n_articles=40)
heavy = build_site(n_articles=30, unlisted=3, page_padding_kb=16)
add_articles(heavy, 3)
change_article(heavy, sorted(heavy.articles)[2], retitle="vi")
remove_article(heavy, sorted(heavy.articles)[4])
digest = hashlib.sha256()
for site in (plain, heavy):
    pages = render_site(site)
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
        captions = [i["caption"] for i in rec["images"] if i["caption"] is not None]
        for text in [rec["title"], rec["summary"], *rec["body"].split("\n\n"), *rec["tags"],
                     *captions]:
            assert normalize_text(text) == text
        for caption in captions:  # no file name, no markup residue, never ""
            assert caption and caption_truth(caption) == caption and caption[0] not in "_*"
        assert all(i["url"].startswith("https://vstatic.vietnam.vn/") for i in rec["images"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", rec["published_at"])
        if "_dup_group" not in rec:
            titles.setdefault(rec["lang"], Counter())[rec["title"]] += 1
    assert all(max(c.values()) == 1 for c in titles.values())
    captions = Counter(i["caption"] is None for r in truth for i in r["images"])
    assert captions[True] >= 10 and captions[False] >= 10
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


def _body(container: lxml.html.HtmlElement) -> tuple[str, list[dict[str, str | None]]]:
    """Read body paragraphs and images back from a body container (mirror markup only)."""
    paragraphs: list[str] = []
    images: list[dict[str, str | None]] = []
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
            images.append({"url": _image(el), "caption": caption_truth(caption)})
            continue
        text = _texts(el)
        outbound = [a for a in el.iter("a") if not a.get("href", "").startswith("/")]
        if not text or re.fullmatch(r"\[[^\]]+\]", text) or outbound:
            continue
        paragraphs.append(text)
    return "\n\n".join(paragraphs), images


def _html_body(fragment: str) -> tuple[str, list[dict[str, str | None]]]:
    """Body paragraphs and images of a body given as HTML (embedded data)."""
    return _body(lxml.html.fragment_fromstring(fragment, create_parent="div"))


def _vn(stamp: str | int | None, unit: int = 1) -> str | None:
    """A page's time (ISO with offset or ``Z``, naive ISO in Vietnam time, or epoch ``unit``s)
    as ISO 8601 in Vietnam time."""
    if stamp is None:
        return None
    if isinstance(stamp, int):
        return datetime.fromtimestamp(stamp / unit, VN).isoformat()
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (when.astimezone(VN) if when.tzinfo else when.replace(tzinfo=VN)).isoformat()


def _urls(langs: list[str], slug: str) -> dict[str, str]:
    return {lg: canonical_url(lg, slug) for lg in langs}


def next_data(html: str) -> dict[str, Any]:
    """The parsed ``__NEXT_DATA__`` of a page."""
    script = lxml.html.fromstring(html).xpath("//script[@id='__NEXT_DATA__']/text()")[0]
    return json.loads(script)


def flight_chunks(html: str) -> list[str]:
    """The strings pushed to ``self.__next_f`` by a page, in order."""
    out = []
    for code in lxml.html.fromstring(html).xpath("//script[not(@src)]/text()"):
        if code.startswith("self.__next_f.push("):
            kind, text = json.loads(code.removeprefix("self.__next_f.push(").removesuffix(")"))
            assert kind == 1
            out.append(text)
    return out


def flight_rows(html: str) -> list[tuple[str, str, Any]]:
    """The RSC rows of a page's flight data, in order: (id, kind, value) where kind is ``T``
    (value: the text), ``json`` (value: parsed) or the row's tag (``I``, ``HL``: value raw)."""
    data = "".join(flight_chunks(html)).encode()
    rows: list[tuple[str, str, Any]] = []
    i = 0
    while i < len(data):
        colon = data.index(b":", i)
        row_id = data[i:colon].decode()
        if data[colon + 1:colon + 2] == b"T":
            comma = data.index(b",", colon)
            end = comma + 1 + int(data[colon + 2:comma], 16)
            rows.append((row_id, "T", data[comma + 1:end].decode()))
            i = end
            continue
        end = data.index(b"\n", colon)
        text = data[colon + 1:end].decode()
        tag = re.match(r"[A-Z]*", text).group()
        rows.append((row_id, tag or "json", json.loads(text) if not tag else text))
        i = end + 1
    return rows


def _rsc(value: Any, texts: dict[str, str]) -> Any:
    """A flight JSON value with ``$$`` escapes undone and ``$<id>`` text references resolved."""
    if isinstance(value, str):
        if value.startswith("$$"):
            return value[1:]
        if value[1:] in texts and value.startswith("$"):
            return texts[value[1:]]
        return value
    if isinstance(value, dict):
        return {k: _rsc(v, texts) for k, v in value.items()}
    if isinstance(value, list):
        return [_rsc(v, texts) for v in value]
    return value


def flight_post(html: str) -> dict[str, Any]:
    """The article object of a layout E page (the props of the element that has ``post``)."""
    rows = flight_rows(html)
    texts = {rid: value for rid, kind, value in rows if kind == "T"}
    posts = [v[3]["post"] for _, kind, v in rows
             if kind == "json" and isinstance(v, list) and len(v) == 4 and "post" in v[3]]
    assert len(posts) == 1
    return _rsc(posts[0], texts)


def json_ld_article(html: str) -> dict[str, Any]:
    """The NewsArticle of a page's JSON-LD ``@graph``."""
    script = lxml.html.fromstring(html).xpath("//script[@type='application/ld+json']/text()")
    graph = json.loads(script[0])["@graph"]
    return next(node for node in graph if node["@type"] == "NewsArticle")


def _read_embedded(html: str, layout: str, site: SiteModel) -> dict[str, object]:
    """Fields of a layout D, E or F page, read from its embedded data only."""
    norm = normalize_text
    if layout == "D":
        post = next_data(html)["props"]["pageProps"]["post"]
        body, images = _html_body(post["content"])
        return {
            "title": norm(post["title"]), "summary": norm(post.get("excerpt", "")),
            "body": body, "images": images, "source_url": post["source"]["url"],
            "source_name": norm(post["source"]["name"]),
            "tags": [norm(t["name"]) for t in post["tags"]],
            "authors": [norm(a["name"]) for a in post["author"]],
            "published_at": _vn(post["publishedAt"]), "modified_at": _vn(post.get("updatedAt")),
            "translations": _urls([t["lang"] for t in post["translations"]], post["slug"]),
            "sections": [c["slug"] for c in post["categories"]],
        }
    if layout == "E":
        post = flight_post(html)
        if "title" in post:  # spelling 0
            body, images = _html_body(post["contentHtml"])
            assert [{"url": i["src"], "caption": caption_truth(i["caption"])}
                    for i in post["images"]] == images
            keywords = post["keywords"]
            return {
                "title": norm(post["title"]), "summary": norm(post.get("sapo", "")),
                "body": body, "images": images, "source_url": post["sourceUrl"],
                "source_name": norm(post["sourceName"]),
                "tags": [norm(t) for t in keywords.split(", ")] if keywords else [],
                "authors": [norm(a) for a in post["authors"]],
                "published_at": _vn(post["publishTime"]),
                "modified_at": _vn(post.get("modifiedAt")),
                "translations": _urls(post["translations"], post["slug"]),
                "sections": post["category"],
            }
        body, images = _html_body(post["body_html"])
        authors = post.get("author", [])
        sections = post["sections"] if "sections" in post else [post["section"]]
        return {
            "title": norm(post["headline"]), "summary": norm(post.get("description", "")),
            "body": body, "images": images, "source_url": post["origin"]["link"],
            "source_name": norm(post["origin"]["title"]),
            "tags": [norm(t) for t in post["tag_list"]],
            "authors": [norm(a["name"]) for a in
                        (authors if isinstance(authors, list) else [authors])],
            "published_at": _vn(post["published_at"], 1000),
            "modified_at": _vn(post.get("updated_at")),
            "translations": {lang_of(a["path"], site): CANONICAL + a["path"]
                             for a in post["alternates"]},
            "sections": [s["slug"] for s in sections],
        }
    news = json_ld_article(html)
    return {
        "title": norm(news["headline"]), "summary": norm(news.get("description", "")),
        "body": "\n\n".join(norm(p) for p in news["articleBody"].split("\n\n")),
        "images": [{"url": i["url"], "caption": caption_truth(i.get("caption", ""))}
                   for i in news.get("image", [])],
        "source_url": news["isBasedOn"],
        "source_name": norm(news["sourceOrganization"]["name"]),
        "tags": [norm(t) for t in news.get("keywords", [])],
        "authors": [norm(a["name"]) for a in news.get("author", [])],
        "published_at": _vn(news["datePublished"]), "modified_at": _vn(news.get("dateModified")),
        "translations": {lang_of(site_path(t["url"]), site): t["url"]
                         for t in news.get("workTranslation", [])},
        "sections": news["articleSection"],
    }


def _read_back(html: str, layout: str, slug: str, site: SiteModel) -> dict[str, object]:
    """Fields of one article page, extracted with knowledge of the mirror's markup (layouts D,
    E and F: from the data the page embeds)."""
    if layout in EMBEDDED_LAYOUTS:
        return _read_embedded(html, layout, site)
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


def assert_read_back(pages: Mapping[str, Page], site: SiteModel,
                     records: list[dict[str, Any]]) -> None:
    """Every record's fields can be read back from its served article page."""
    for rec in records:
        art = site.articles[rec["translation_key"]]
        html = pages[article_path(rec["lang"], art.slug)].body.decode()
        got = _read_back(html, art.layout, art.slug, site)
        for key, value in got.items():
            assert value == rec[key], (rec["url"], key)


def test_truth_matches_served_html(mirror: MirrorServer) -> None:
    assert_read_back(mirror.pages, mirror.site, mirror.truth)


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
    assert [(r.method, r.target, r.path, r.status) for r in mirror.requests] == [
        ("GET", "/en?x=1", "/en", 404), ("GET", "/robots.txt", "/robots.txt", 200)]
    assert mirror.requests[0].headers == log[0][2]
    assert log[0][2]["User-Agent"] == "mirror-test" and log[0][2]["Accept-Language"] == "en"
    assert "Host" in log[0][2]
    mirror.reset_log()
    assert mirror.log == [] and mirror.requests == []
    assert lookup_key("/x/?utm_source=a&page=2#f") == "/x?page=2"
    assert lookup_key("/") == "/"


def test_wait_for_requests_wakes_up_as_requests_arrive(mirror: MirrorServer) -> None:
    mirror.reset_log()
    assert not mirror.wait_for_requests(1, timeout=0.01)
    client = threading.Thread(target=fetch, args=(mirror, "/robots.txt"))
    client.start()
    try:
        assert mirror.wait_for_requests(1, timeout=60), "no request logged within 60 s"
    finally:
        client.join(timeout=60)
    assert [r.path for r in mirror.requests] == ["/robots.txt"]
    assert not mirror.wait_for_requests(2, timeout=0.01)


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
                  " - Ảnh 1.", "Screenshot 20", ".png", "IMG_", ".JPG", "dsc-", ".jpeg"):
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


# --------------------------------------------------------------------------- sitemaps and feeds

NS = {"sm": feeds.SM_NS, "xhtml": feeds.XHTML_NS, "news": feeds.NEWS_NS}
LASTMOD_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
SITE_HOSTS = ("https://www.vietnam.vn", "https://vietnam.vn", "https://vcdn.vietnam.vn")


def get(mirror: MirrorServer, target: str, headers: dict[str, str] | None = None
        ) -> tuple[int, dict[str, str], bytes]:
    """GET ``target`` from the running mirror: (status, response headers, body)."""
    conn = http.client.HTTPConnection(mirror.host, mirror.port, timeout=10)
    try:
        conn.request("GET", target, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def get_xml(mirror: MirrorServer, target: str, ctype: str = "application/xml"
            ) -> etree._Element:
    """Fetch and parse an XML document, checking its status and content type."""
    status, headers, body = get(mirror, target)
    assert status == 200, target
    assert headers["Content-Type"] == f"{ctype}; charset=utf-8", target
    return etree.fromstring(body)


def canonical(loc: str) -> str:
    """Canonical URL of a sitemap ``<loc>`` (alias host and trailing slash dropped)."""
    host = next(h for h in SITE_HOSTS if loc.startswith(h + "/"))
    return CANONICAL + (loc[len(host):].rstrip("/") or "/")


def utc(stamp: str) -> datetime:
    """A sitemap ``lastmod`` as an aware datetime."""
    assert LASTMOD_RE.fullmatch(stamp), stamp
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def sitemap_index(mirror: MirrorServer) -> dict[str, datetime]:
    """Sub-sitemap path → lastmod, in index order, found from robots.txt."""
    robots = get(mirror, "/robots.txt")[2].decode()
    assert "Sitemap: https://www.vietnam.vn/sitemap.xml" in robots
    index = get_xml(mirror, "/sitemap.xml")
    assert index.tag == f"{{{feeds.SM_NS}}}sitemapindex"
    out = {}
    for entry in index.findall("sm:sitemap", NS):
        loc = entry.findtext("sm:loc", namespaces=NS)
        assert loc.startswith(CANONICAL + "/")
        out[loc.removeprefix(CANONICAL)] = utc(entry.findtext("sm:lastmod", namespaces=NS))
    return out


def day_sitemaps(mirror: MirrorServer) -> dict[str, list[tuple[str, str, datetime, dict[str, str]]]]:
    """Day → [(loc as written, canonical URL, lastmod, {hreflang: href})] of every day sitemap."""
    out = {}
    for path in sitemap_index(mirror):
        match = re.fullmatch(r"/sitemap/sitemap-post/(\d{4}-\d\d-\d\d)\.xml", path)
        if not match:
            continue
        urls = []
        for url in get_xml(mirror, path).findall("sm:url", NS):
            loc = url.findtext("sm:loc", namespaces=NS)
            alts = {a.get("hreflang"): a.get("href")
                    for a in url.findall("xhtml:link[@rel='alternate']", NS)}
            urls.append((loc, canonical(loc), utc(url.findtext("sm:lastmod", namespaces=NS)),
                         alts))
        out[match.group(1)] = urls
    return out


def by_url(site: SiteModel) -> dict[str, tuple[Article, str]]:
    """Canonical URL → (article, language) of every current article version."""
    return {canonical_url(lang, a.slug): (a, lang)
            for a in site.articles.values() for lang in a.versions}


def test_sitemaps_cover_every_truth_url_once() -> None:
    site = build_site(n_articles=60, unlisted=4)
    removed = remove_article(site, sorted(site.articles)[3])
    with MirrorServer(site) as mirror:
        index = sitemap_index(mirror)
        days = day_sitemaps(mirror)
        truth_urls = [r["url"] for r in mirror.truth]
        sections = {p: get_xml(mirror, p) for p in index if "sitemap-post" not in p}
    assert {"/news-sitemap.xml", "/sitemap/sitemap-category.xml", "/sitemap/sitemap-tag.xml",
            "/sitemap/sitemap-page.xml", "/sitemap/sitemap-author.xml"} <= set(index)
    assert list(days) == sorted(days, reverse=True)
    found = [url for urls in days.values() for _, url, _, _ in urls]
    assert sorted(found) == truth_urls  # every truth URL exactly once, nothing else
    assert not {canonical_url(lang, removed.slug) for lang in removed.versions} & set(found)
    versions = by_url(site)
    written = [loc for urls in days.values() for loc, _, _, _ in urls]
    assert any(loc.startswith(("https://vietnam.vn/", "https://vcdn.vietnam.vn/"))
               for loc in written)
    assert any(loc.endswith("/") for loc in written)
    for day, urls in days.items():
        for _, url, mod, alts in urls:
            art, lang = versions[url]
            assert art.published.date().isoformat() == day
            assert mod == art.changed
            assert set(alts.values()) == {canonical_url(lg, art.slug) for lg in art.versions}
            assert alts[{"zh-cn": "zh-CN"}.get(lang, lang)] == url
        assert index[f"/sitemap/sitemap-post/{day}.xml"] == max(m for _, _, m, _ in urls)
    categories = sections["/sitemap/sitemap-category.xml"]
    locs = {canonical(u.findtext("sm:loc", namespaces=NS)) for u in categories}
    assert locs == {CANONICAL + category_path(lg, c) for lg in site.langs for c in site.categories}
    pages = {canonical(u.findtext("sm:loc", namespaces=NS))
             for u in sections["/sitemap/sitemap-page.xml"]}
    assert {CANONICAL + p for p in site.static_pages} <= pages
    tags = {canonical(u.findtext("sm:loc", namespaces=NS))
            for u in sections["/sitemap/sitemap-tag.xml"]}
    assert tags == {CANONICAL + lang_prefix(lg) + f"/tag/{t.slug}"
                    for lg in site.langs for t in site.tags.values() if t.has_page}


def test_sitemap_lastmods_move_after_change_and_add() -> None:
    site = build_site(n_articles=60)
    with MirrorServer(site) as mirror:
        before = sitemap_index(mirror)
        old_days = day_sitemaps(mirror)
        art = next(a for a in site.articles.values() if a.layout == "A" and not a.dup_of)
        day = f"/sitemap/sitemap-post/{art.published.date().isoformat()}.xml"
        change_article(site, art.slug)
        mirror.rebuild()
        after = sitemap_index(mirror)
        assert after[day] == site.now > before[day]
        assert {p: m for p, m in after.items() if p != day and "sitemap-post" in p} == \
            {p: m for p, m in before.items() if p != day and "sitemap-post" in p}
        days = day_sitemaps(mirror)
        lastmods = {url: mod for urls in days.values() for _, url, mod, _ in urls}
        for lang in art.versions:
            assert lastmods[canonical_url(lang, art.slug)] == site.now
        page = mirror.pages[article_path("vi", art.slug)].body.decode()
        assert f'property="article:modified_time" content="{meta_time(site.now, art.time_format)}"' \
            in page

        added = add_articles(site, 3, langs=["en"])
        mirror.rebuild()
        latest = sitemap_index(mirror)
        new_day = f"/sitemap/sitemap-post/{site.now.date().isoformat()}.xml"
        assert [p for p in latest if "sitemap-post" in p][0] == new_day
        assert latest[new_day] == site.now == added[-1].published
        assert latest["/news-sitemap.xml"] > before["/news-sitemap.xml"]
        assert latest["/sitemap/sitemap-category.xml"] == site.now
        urls = {url for _, url, _, _ in day_sitemaps(mirror)[site.now.date().isoformat()]}
        assert urls >= {canonical_url(lg, a.slug) for a in added for lg in ("vi", "en")}
        assert {lg for a in added for lg in a.versions} == {"vi", "en"}
        assert len(day_sitemaps(mirror)) == len(old_days) + 1


def news_entries(mirror: MirrorServer) -> list[dict[str, str]]:
    """The entries of /news-sitemap.xml."""
    doc = get_xml(mirror, "/news-sitemap.xml")
    out = []
    for url in doc.findall("sm:url", NS):
        news = url.find("news:news", NS)
        out.append({"url": url.findtext("sm:loc", namespaces=NS),
                    "name": news.findtext("news:publication/news:name", namespaces=NS),
                    "language": news.findtext("news:publication/news:language", namespaces=NS),
                    "date": news.findtext("news:publication_date", namespaces=NS),
                    "title": news.findtext("news:title", namespaces=NS)})
    return out


def test_news_sitemap_window() -> None:
    site = build_site(n_articles=40)
    assert site.now == datetime(2026, 11, 25, 12, 0, tzinfo=VN)
    assert all(a.changed < site.now for a in site.articles.values())
    with MirrorServer(site) as mirror:
        assert news_entries(mirror) == []  # nothing published in the last 48 hours
        added = add_articles(site, 3, minutes_apart=30 * 60)  # 30 h apart
        mirror.rebuild()
        truth = {r["url"]: r for r in mirror.truth}
        entries = news_entries(mirror)
        expected = [canonical_url(lg, a.slug) for a in reversed(added[1:]) for lg in site.langs
                    if lg in a.versions]
        assert [e["url"] for e in entries] == expected  # the first is 60 h old: outside
        for entry in entries:
            rec = truth[entry["url"]]
            assert entry["name"] == "Vietnam.vn" and entry["language"] == rec["lang"]
            assert entry["title"] == rec["title"]
            assert datetime.fromisoformat(entry["date"]) == site.articles[
                rec["translation_key"]].published
        advance_clock(site, 24 * 60)
        mirror.rebuild()
        assert {e["url"] for e in news_entries(mirror)} == {
            canonical_url(lg, added[-1].slug) for lg in added[-1].versions}


def test_rss_per_language() -> None:
    site = build_site(n_articles=120)
    hidden = add_articles(site, 1, listed=False)[0]
    with MirrorServer(site) as mirror:
        truth = {r["url"]: r for r in mirror.truth}
        for lang in site.langs:
            path = "/sitemap.rss" if lang == "vi" else f"/{lang}/sitemap.rss"
            rss = get_xml(mirror, path, "application/rss+xml")
            assert rss.tag == "rss" and rss.get("version") == "2.0"
            items = rss.findall("channel/item")
            expected = site.in_lang(lang)[:50]
            assert len(items) == min(50, len(site.in_lang(lang)))
            assert [i.findtext("link") for i in items] == [canonical_url(lang, a.slug)
                                                           for a in expected]
            for item, art in zip(items, expected, strict=True):
                rec = truth[item.findtext("link")]
                assert item.findtext("guid") == rec["url"]
                assert item.findtext("title") == rec["title"]
                assert item.findtext("description") == rec["summary"]
                pub = item.findtext("pubDate")
                assert pub.endswith(" +0700") and parsedate_to_datetime(pub) == art.published
        vi_first = get_xml(mirror, "/sitemap.rss", "application/rss+xml").find("channel/item")
        assert vi_first.findtext("link") == canonical_url("vi", hidden.slug)


# --------------------------------------------------------------------------- validators


def test_conditional_requests_get_304() -> None:
    site = build_site(n_articles=40)
    art = next(a for a in site.articles.values() if a.layout == "A" and not a.dup_of)
    path = article_path("vi", art.slug)
    with MirrorServer(site) as mirror:
        status, headers, body = get(mirror, path)
        assert status == 200
        assert headers["ETag"] == '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        last = headers["Last-Modified"]
        assert parsedate_to_datetime(last) == art.changed and last.endswith(" GMT")
        etag = headers["ETag"]
        earlier = http_date(art.changed - timedelta(seconds=1))
        later = http_date(art.changed + timedelta(days=1))
        cases = [({"If-None-Match": etag}, 304),
                 ({"If-None-Match": f'"0000000000000000", W/{etag}'}, 304),
                 ({"If-None-Match": "*"}, 304),
                 ({"If-None-Match": '"0000000000000000"'}, 200),
                 ({"If-None-Match": '"0000000000000000"', "If-Modified-Since": later}, 200),
                 ({"If-Modified-Since": last}, 304),
                 ({"If-Modified-Since": later}, 304),
                 ({"If-Modified-Since": earlier}, 200),
                 ({"If-Modified-Since": "not a date"}, 200)]
        mirror.reset_log()
        for request_headers, want in cases:
            status, headers, body = get(mirror, path, request_headers)
            assert status == want, request_headers
            assert headers["ETag"] == etag
            assert (body == b"") == (want == 304)
        assert [r.status for r in mirror.requests] == [want for _, want in cases]
        assert mirror.requests[0].path == path and mirror.requests[0].method == "GET"
        assert mirror.requests[0].headers["If-None-Match"] == etag

        listing = category_path("vi", art.categories[0])
        status, headers, _ = get(mirror, listing)
        assert status == 200 and "ETag" in headers and "Last-Modified" not in headers
        assert get(mirror, listing, {"If-None-Match": headers["ETag"]})[0] == 304
        assert get(mirror, listing, {"If-Modified-Since": later})[0] == 200
        assert get(mirror, "/nothing-here-at-all", {"If-None-Match": "*"})[0] == 404
        listings = {category_path("vi", c): get(mirror, category_path("vi", c))[1]["ETag"]
                    for c in site.categories}
        unchanged = next(a for a in site.articles.values() if a.layout == "B")
        other = get(mirror, article_path("vi", unchanged.slug))[1]["ETag"]

        change_article(site, art.slug, langs=["vi"])
        added = add_articles(site, 2)
        mirror.rebuild()
        status, headers, _ = get(mirror, path, {"If-None-Match": etag})
        assert status == 200 and headers["ETag"] != etag
        assert get(mirror, path, {"If-Modified-Since": last})[0] == 200
        for cat in {c for a in added for c in a.categories}:  # new items on page 1
            now = get(mirror, category_path("vi", cat), {"If-None-Match": listings[
                category_path("vi", cat)]})
            assert now[0] == 200 and now[1]["ETag"] != listings[category_path("vi", cat)]
        if "related" not in unchanged.versions["vi"].quirks:  # same bytes, same validator
            assert get(mirror, article_path("vi", unchanged.slug), {"If-None-Match": other}
                       )[0] == 304


# --------------------------------------------------------------------------- mutations


def listing_paths(mirror: MirrorServer) -> set[str]:
    """Site paths linked from every listing, home, tag and author page (most-read included)."""
    out = set()
    for key, page in mirror.pages.items():
        if page.headers.get("Content-Type", "").startswith("text/html") and not \
                ARTICLE_KEY.fullmatch(key):
            sel = Selector(text=page.body.decode())
            out |= {site_path(h) for h in sel.css("a::attr(href)").getall()}
    return out


ARTICLE_KEY = re.compile(r"(/[a-z-]{2,5})?/[a-z0-9]+(-[a-z0-9]+){3,}")


def test_mutations_change_pages_and_truth() -> None:
    site = build_site(n_articles=60)
    with MirrorServer(site) as mirror:
        before = mirror.truth
        added = add_articles(site, 4, minutes_apart=7)
        mirror.rebuild()
        assert [a.published for a in added] == [
            added[0].published + timedelta(minutes=7 * k) for k in range(4)]
        assert all(a.published > b.published for a in added for b in site.articles.values()
                   if b not in added)
        after_add = mirror.truth
        change = truth.diff(before, after_add)
        assert change == {"new": {canonical_url(lg, a.slug) for a in added for lg in a.versions},
                          "updated": set(), "removed": set()}
        for art in added:  # each tops its category listings, older ones move down
            for lang in art.versions:
                for cat in art.categories:
                    first = Selector(text=get(mirror, category_path(lang, cat))[2].decode())
                    hrefs = first.css(".post-list a.v-link-title::attr(href)").getall()
                    assert site_path(hrefs[0]) == article_path(lang, site.listing(cat, lang)[0].slug)
                    assert article_path(lang, art.slug) in {site_path(h) for h in hrefs}

        layout_a = next(a for a in site.articles.values() if a.layout == "A" and a.modified
                        and not a.dup_of and "en" in a.versions)
        layout_b = next(a for a in site.articles.values() if a.layout == "B" and not a.dup_of
                        and "en" in a.versions)
        old_en = next(r for r in after_add if r["url"] == canonical_url("en", layout_a.slug))
        change_article(site, layout_a.slug, langs=["en"], retitle="en")
        changed_at = site.now
        change_article(site, layout_b.slug, langs=["en"])
        assert site.now > changed_at
        mirror.rebuild()
        after_change = mirror.truth
        change = truth.diff(after_add, after_change)
        assert change["new"] == change["removed"] == set()
        # Layout A shows modified_time on every version; layout B only changed in English.
        assert change["updated"] == {canonical_url(lg, layout_a.slug) for lg in layout_a.versions
                                     } | {canonical_url("en", layout_b.slug)}
        new_en = next(r for r in after_change if r["url"] == canonical_url("en", layout_a.slug))
        assert new_en["title"] != old_en["title"] and new_en["body"] != old_en["body"]
        assert new_en["word_count"] > old_en["word_count"]
        assert new_en["modified_at"] == changed_at.isoformat() != old_en["modified_at"]
        assert_read_back(mirror.pages, site, [r for r in after_change
                                              if r["url"] in change["updated"]])

        doomed = next(a for a in site.articles.values() if a.layout == "A" and not a.dup_of
                      and len(a.versions) > 2)
        doomed_paths = {article_path(lg, doomed.slug) for lg in doomed.versions}
        assert doomed_paths & listing_paths(mirror)
        remove_article(site, doomed.slug, status=410)
        mirror.rebuild()
        assert truth.diff(after_change, mirror.truth) == {
            "new": set(), "updated": set(),
            "removed": {canonical_url(lg, doomed.slug) for lg in doomed.versions}}
        mirror.reset_log()
        for path in sorted(doomed_paths):
            assert get(mirror, path)[0] == 410
            assert get(mirror, path + "/")[0] == 410
        assert {r.status for r in mirror.requests} == {410}
        assert not doomed_paths & listing_paths(mirror)
        in_maps = {url for urls in day_sitemaps(mirror).values() for _, url, _, _ in urls}
        assert not {CANONICAL + p for p in doomed_paths} & in_maps
        for lang in site.langs:
            feed = get(mirror, f"{lang_prefix(lang)}/sitemap.rss")[2].decode()
            assert doomed.slug not in feed
        for page in (mirror.pages[article_path(lg, a.slug)] for a in site.articles.values()
                     for lg in a.versions):
            assert doomed.slug not in page.body.decode()  # related boxes too

        gone_404 = sorted(site.articles)[0]
        remove_article(site, gone_404, status=404)
        mirror.rebuild()
        assert get(mirror, article_path("vi", gone_404))[0] == 404


def test_mutations_are_deterministic_and_validated() -> None:
    def mutated() -> SiteModel:
        site = build_site(n_articles=30, unlisted=2)
        add_articles(site, 2)
        change_article(site, sorted(site.articles)[1], retitle="vi")
        remove_article(site, sorted(site.articles)[2], status=404)
        return site

    first, second = mutated(), mutated()
    assert first == second and first.revision == second.revision == 3
    assert render_site(first) == render_site(second)
    assert truth_records(first) == truth_records(second)
    slug = sorted(first.articles)[0]
    for bad in (lambda: remove_article(first, slug, status=500),
                lambda: change_article(first, slug, langs=["xx"]),
                lambda: add_articles(first, 1, langs=["de"]),
                lambda: advance_clock(first, -5)):
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(KeyError):
        change_article(first, "no-such-article-here-at-all")


def test_changing_a_duplicate_breaks_its_group() -> None:
    site = build_site(n_articles=40)
    dup = next(a for a in site.articles.values() if a.dup_of)
    assert any("_dup_group" in r for r in truth_records(site))
    change_article(site, dup.dup_of, langs=["vi"])
    assert not any("_dup_group" in r for r in truth_records(site))


def test_unlisted_articles_only_in_sitemaps_and_feeds() -> None:
    site = build_site(n_articles=60, unlisted=6)
    hidden = [a for a in site.articles.values() if not a.listed]
    assert len(hidden) == 6 and all(a.listed for a in site.articles.values() if a not in hidden)
    hidden += add_articles(site, 2, listed=False)
    hidden_paths = {article_path(lg, a.slug) for a in hidden for lg in a.versions}
    with MirrorServer(site) as mirror:
        truth_urls = {r["url"] for r in mirror.truth}
        assert {CANONICAL + p for p in hidden_paths} <= truth_urls
        assert not hidden_paths & listing_paths(mirror)
        for art in site.articles.values():  # only an article's own pages link its translations
            for lang in art.versions:
                sel = Selector(text=mirror.pages[article_path(lang, art.slug)].body.decode())
                linked = {site_path(h) for h in sel.css("a::attr(href)").getall()}
                own = {article_path(lg, art.slug) for lg in art.versions}
                assert not (linked & hidden_paths) - own, art.slug
        in_maps = {url for urls in day_sitemaps(mirror).values() for _, url, _, _ in urls}
        assert {CANONICAL + p for p in hidden_paths} <= in_maps
        vi_feed = get_xml(mirror, "/sitemap.rss", "application/rss+xml")
        links = [i.findtext("link") for i in vi_feed.findall("channel/item")]
        assert links[:2] == [canonical_url("vi", a.slug) for a in reversed(hidden[-2:])]
        for lang in site.langs:
            for cat in site.categories:
                assert all(a.listed for a in site.listing(cat, lang))


# --------------------------------------------------------------------------- scale and weight


def test_large_site_renders_lazily() -> None:
    site = build_site(n_articles=20000)
    assert len(site.articles) == 20001 + 2 * len(EMBEDDED_LAYOUTS)
    with MirrorServer(site, cache_size=50) as mirror:
        assert len(mirror.pages) > 100000
        # Starting the server and counting its pages rendered none of them.
        assert (mirror.pages.renders, mirror.pages.cached) == (0, 0)
        rng = random.Random(20000)
        art = rng.choice(sorted(site.articles.values(), key=lambda a: a.slug))
        lang = rng.choice(sorted(art.versions))
        status, _, body = get(mirror, article_path(lang, art.slug))
        assert status == 200
        rec = record(site, art, art.versions[lang])
        got = _read_back(body.decode(), art.layout, art.slug, site)
        assert {k: rec[k] for k in got} == got
        for a in list(site.articles.values())[:60]:
            assert get(mirror, article_path("vi", a.slug))[0] == 200
        assert mirror.pages.renders == 61
        assert mirror.pages.cached == 50
        index = get(mirror, "/sitemap.xml")[2].decode()
        assert index.count("sitemap-post/") > 900


def test_padding_keeps_truth_and_reaches_size() -> None:
    plain = build_site(n_articles=40)
    padded = build_site(n_articles=40, page_padding_kb=40)
    assert truth_records(padded) == truth_records(plain)
    plain_pages, pages = render_site(plain), render_site(padded)
    assert pages == render_site(build_site(n_articles=40, page_padding_kb=40))
    assert pages.keys() == plain_pages.keys()
    html = {k: p for k, p in pages.items()
            if p.status == 200 and p.headers["Content-Type"].startswith("text/html")}
    assert len(html) > 200
    flight_pages = {article_path(lg, a.slug) for a in padded.articles.values()
                    if a.layout == "E" for lg in a.versions}
    assert flight_pages
    for key, page in html.items():
        assert 0.9 * 40 * 1024 <= len(page.body) <= 48 * 1024, key
        text = page.body.decode()
        app_router = key in flight_pages  # layout E: never a __NEXT_DATA__, even padded
        assert text.count('id="__NEXT_DATA__"') == (0 if app_router else 1), key
        assert ("self.__next_f.push(" in text) == app_router, key
        before = plain_pages[key].body.decode()
        dates = re.compile(r"\d\d/\d\d/\d{4}")
        assert dates.findall(text) == dates.findall(before), key
        old, new = Selector(text=before), Selector(text=text)
        for css in ("nav.main-menu a::attr(href)", "a.v-link-title::attr(href)",
                    "link::attr(href)", "meta::attr(content)", "h1, h2, h3, p, figure",
                    "aside a::attr(href)"):
            assert new.css(css).getall() == old.css(css).getall(), (key, css)
        on_site = [h for h in new.css("a::attr(href)").getall()
                   if urlsplit(h).netloc in ("", *(urlsplit(a).netloc for a in ALIASES))]
        extra = {site_path(h) for h in on_site} - {
            site_path(h) for h in old.css("a::attr(href)").getall()}
        for path in extra:  # only tags, shown categories, static pages or homes (or off-site)
            assert ("/tag/" in path or path in plain.static_pages
                    or path in {home_path(lg) for lg in plain.langs}
                    or any(path == category_path(lg, c.slug) for lg in plain.langs
                           for c in plain.categories.values() if c.placement != "sidebar")
                    ), (key, path)
    assert_read_back(pages, padded, truth_records(padded))
    # A fresh renderer draws one page of a padded site without rendering any other page or
    # padding any other language.
    art = next(iter(padded.articles.values()))
    renderer = SiteRenderer(padded)
    documents: list[str] = []
    draw = renderer.document

    def document(lang: str, *args: Any, **kwargs: Any) -> str:
        documents.append(lang)
        return draw(lang, *args, **kwargs)

    renderer.document = document  # type: ignore[method-assign]
    page = renderer.page(("article", art.slug, "vi"))
    assert page.status == 200 and documents == ["vi"]
    assert renderer.padding is not None
    assert {lang for _, lang in renderer.padding._cache} == {"vi"}


def test_cli_serves_with_unlisted_and_padding(tmp_path: Path) -> None:
    truth_file = tmp_path / "truth.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.mirror", "serve", "--port", "0", "--articles", "20",
         "--unlisted", "3", "--padding-kb", "20", "--truth", str(truth_file)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("wrote ")
        line = proc.stdout.readline()
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group()
        site = build_site(n_articles=20, unlisted=3)
        hidden = next(a for a in site.articles.values() if not a.listed)
        with urllib.request.urlopen(base + article_path("vi", hidden.slug), timeout=10) as resp:
            assert len(resp.read()) >= 0.9 * 20 * 1024
        with urllib.request.urlopen(base + "/sitemap.xml", timeout=10) as resp:
            assert resp.headers["Content-Type"] == "application/xml; charset=utf-8"
        assert len(truth_file.read_text(encoding="utf-8").splitlines()) == len(
            truth_records(site))
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
