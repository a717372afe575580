"""Render a :class:`SiteModel` to the pages the mirror serves (Next.js / Ant Design-like SSR HTML).

Rendering is a pure function of the model: every quirk (zero-width characters, NFD text, split
words, ad placeholders…) is either recorded in the model or placed at a position derived from
stable data, so the same model always gives the same bytes.

Pages are rendered on demand: :class:`SiteRenderer` indexes the model and maps each request
target to a route, :class:`PageMap` renders routes as they are read and keeps an LRU of them.
Every 200 page carries an ``ETag`` (hash of its body); article pages also a ``Last-Modified``.
Sitemaps and feeds live in ``feeds.py``; the optional page weight in ``padding.py``.

Article layouts D, E and F (:data:`~.model.EMBEDDED_LAYOUTS`) show none of the article's fields in
their markup (D and E) or only title, lead and body (F): everything is in data the page embeds,
after decoys (menu, footer text, related posts) that look like an article:

- D: ``__NEXT_DATA__`` ``props.pageProps`` = ``{"menu", "footer", "relatedPosts", "post"}``; an
  inline script draws ``post`` into the empty ``#post-root``;
- E: React flight data (``self.__next_f.push([1, "…"])`` chunks of an RSC payload, long bodies
  in ``T`` text rows), the article object in one of two key spellings (``Article.data_variant``);
- F: a JSON-LD ``@graph`` (WebSite, BreadcrumbList, NewsArticle) and hashed-class markup.

Pages that need a browser (``build_site(js=True)``) carry small inline ES5 scripts that run on
``DOMContentLoaded`` (after the deferred Next.js chunks, like hydration) and fetch same-origin
JSON routes, rendered here as pages with ``Content-Type: application/json``:

- ``/api/category/<slug>?lang=<lang>&page=N`` → ``{"category", "lang", "page", "pages",
  "page_size", "total", "has_more", "items": [{"slug", "path", "url", "title", "date",
  "published"}]}`` for every page of a browser category (``path`` is the site-relative href);
- ``/api/post/<slug>?lang=<lang>`` → ``{"slug", "lang", "url", "title", "body_html"}`` for a
  client-rendered article version (``body_html``: what ``.post-detail-body`` would hold); for a
  ``client_meta`` version (layout D) also ``"source": {"name", "url"}``, ``"published_at"`` (ISO
  8601, ``+07:00``) and ``"date"`` (dd/mm/yyyy), which its page's data leaves out and a second
  script (:data:`JS_DRAW_META`) draws into ``#post-root`` as
  ``div.post-detail-meta > div.post-detail-source > span.source-name`` and
  ``time.post-detail-time[datetime]``.

They also carry controls and scripts a browser must not be fooled by (the WHOLE label of a
control, not a word in it, makes it a "load more" button; a form's submit button and a link
that leaves the page are never one):

- the ``js_load_more`` listing's page 1 shows, before its ``button.btn-load-more``, a newsletter
  ``form.newsletter`` (``action="/newsletter"``) whose submit ``button.btn-more`` carries the
  same label, and an ``a.promo`` (``href="javascript:void(0)"``) whose sentence
  (:data:`PROMO_SENTENCES`) contains that label and whose click goes to ``/newsletter``;
- article versions with a :attr:`~.model.ArticleVersion.page_script` end with an inline script
  (:data:`PAGE_SCRIPTS`) that leaves for ``/newsletter`` 200 ms after load, or throws.

``/newsletter`` (:data:`NEWSLETTER`) is a small static page that no ``href`` links to, so a
crawl without a browser never fetches it.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import unicodedata
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from itertools import islice
from typing import Any

from . import feeds
from .grammar import Grammar
from .model import (
    CANONICAL,
    EMBEDDED_LAYOUTS,
    JS_PAGINATION_STYLES,
    OUTLETS,
    SPACED,
    VN_TZ,
    Article,
    ArticleVersion,
    Category,
    Image,
    SiteModel,
    api_category_path,
    api_post_path,
    article_path,
    canonical_url,
    category_path,
    home_path,
    lang_prefix,
    slugify,
)
from .padding import Padding

SITE_NAME = "Vietnam.vn - Nền tảng quảng bá Việt Nam"
BUILD_ID = "vn7Kq2xRz0aB3cD4eF5gH"
CSS = "/_next/static/css/8f2c1e0a9b7d6c5e.css"
SCRIPTS = ("/_next/static/chunks/webpack-3b9c0e7a5d1f2e4c.js",
           "/_next/static/chunks/framework-5f1e2d3c4b5a6978.js",
           "/_next/static/chunks/main-9a8b7c6d5e4f3a2b.js",
           f"/_next/static/{BUILD_ID}/_buildManifest.js")
LOGO = "https://vstatic.vietnam.vn/vietnam/resource/IMAGE/logo-vietnam-vn.png"
DEFAULT_IMAGE = "https://vstatic.vietnam.vn/vietnam/resource/IMAGE/default-thumbnail.jpeg"
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
HTML_LANG = {"zh-cn": "zh-CN"}
"""``<html lang>`` / ``hreflang`` spelling where it differs from the URL prefix."""
HOSTS = {"relative": "", "absolute": CANONICAL, "alias": "https://vietnam.vn",
         "cdn": "https://vcdn.vietnam.vn", "protocol": "//thongtin.vietnam.vn"}
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8", "X-Powered-By": "Next.js",
                "Cache-Control": "private, no-cache, no-store, max-age=0, must-revalidate",
                "Vary": "Accept-Encoding"}
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English", "fr": "Français", "zh-cn": "简体中文",
              "ko": "한국어", "ja": "日本語"}
UI: dict[str, dict[str, str]] = {
    "vi": {"home": "Trang chủ", "related": "Tin liên quan", "tags": "Thẻ",
           "comment": "Bình luận", "source": "Nguồn:", "source_link": "Link nguồn",
           "next": "Trang sau", "prev": "Trang trước", "more": "Xem thêm",
           "most_read": "Đọc nhiều", "categories": "Chuyên mục", "latest": "Tin mới"},
    "en": {"home": "Home", "related": "Related", "tags": "Tags", "comment": "Comment",
           "source": "Source:", "source_link": "Source link", "next": "Next",
           "prev": "Previous", "more": "Load more", "most_read": "Most read",
           "categories": "Categories", "latest": "Latest"},
    "fr": {"home": "Accueil", "related": "Articles liés", "tags": "Mots-clés",
           "comment": "Commentaire", "source": "Source :", "source_link": "Lien source",
           "next": "Suivant", "prev": "Précédent", "more": "Voir plus",
           "most_read": "Les plus lus", "categories": "Rubriques", "latest": "À la une"},
    "zh-cn": {"home": "首页", "related": "相关新闻", "tags": "标签", "comment": "评论",
              "source": "来源:", "source_link": "来源链接", "next": "下一页", "prev": "上一页",
              "more": "加载更多", "most_read": "热门", "categories": "栏目", "latest": "最新"},
    "ko": {"home": "홈", "related": "관련 기사", "tags": "태그", "comment": "댓글",
           "source": "출처:", "source_link": "소스 링크", "next": "다음", "prev": "이전",
           "more": "더 보기", "most_read": "많이 본 뉴스", "categories": "카테고리",
           "latest": "최신"},
    "ja": {"home": "ホーム", "related": "関連記事", "tags": "タグ", "comment": "コメント",
           "source": "出典:", "source_link": "ソースリンク", "next": "次へ", "prev": "前へ",
           "more": "もっと見る", "most_read": "よく読まれている", "categories": "カテゴリー",
           "latest": "最新"},
}
NEWSLETTER = "/newsletter"
"""Where the decoys and the navigating script lead (``build_site(js=True)`` only)."""
NEWSLETTER_PAGE = ('<!DOCTYPE html><html lang="vi"><head><meta charSet="utf-8"/>'
                   "<title>Đăng ký nhận bản tin</title></head><body><div class=\"newsletter-page\">"
                   "<h1>Đăng ký nhận bản tin</h1><p>Cảm ơn bạn đã đăng ký nhận bản tin của chúng tôi."
                   "</p></div></body></html>")
PROMO_SENTENCES = {
    "vi": "Đăng ký nhận bản tin để xem thêm nhiều tin bài hấp dẫn mỗi ngày",
    "en": "Subscribe to our newsletter to load more stories into your inbox every morning",
    "fr": "Pour en savoir plus sur nos lettres d'information, cliquez ici",
    "zh-cn": "订阅我们的新闻简报，每天为您加载更多精彩内容",
    "ko": "뉴스레터를 구독하시면 소식을 더 보기 쉽게 받아 보실 수 있습니다",
    "ja": "ニュースレターに登録して、最新のニュースをもっと見る",
}
"""The promo link's text on the ``js_load_more`` page 1: a sentence that contains the
language's "load more" label (``UI[lang]["more"]``, ignoring case), never only that label."""
PAGE_SCRIPTS = {
    "navigates": ('<script>window.addEventListener("load",function(){setTimeout(function(){'
                  f'location.href="{NEWSLETTER}";}},200);}});</script>'),
    "throws": '<script>throw new Error("mirror: a broken script");</script>',
}
"""The inline script ending an article page, by :attr:`~.model.ArticleVersion.page_script`."""
STATIC_LINKS = {"/gioi-thieu": "Giới thiệu",
                "/chinh-sach-bao-mat-thong-tin": "Chính sách bảo mật thông tin",
                "/lien-he": "Liên hệ"}
BLANK_PARAGRAPHS = ("<p>&nbsp;</p>", "<p> </p>", "<p>\u200b</p>", "<p><br/></p>")
ROBOTS = f"User-agent: *\nAllow: /\n\nSitemap: {CANONICAL}/sitemap.xml\n"
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "X-Powered-By": "Next.js",
                "Cache-Control": "private, no-cache, no-store, max-age=0, must-revalidate",
                "Vary": "Accept-Encoding"}
JS_HELPERS = (
    'function getJSON(url){return fetch(url,{credentials:"same-origin"}).then(function(r){'
    'if(!r.ok){throw new Error(url+": HTTP "+r.status);}return r.json();});}'
    'function ready(f){if(document.readyState==="loading"){'
    'document.addEventListener("DOMContentLoaded",f);}else{f();}}')
"""Functions shared by the inline scripts (plain ES5, same-origin relative URLs only)."""
JS_ITEMS = (
    'function postItem(it){var d=document.createElement("div");d.className="post-item";'
    'var a=document.createElement("a");a.className="v-link-title";a.setAttribute("href",it.path);'
    'a.setAttribute("title",it.title);a.textContent=it.title;var t=document.createElement("span");'
    't.className="time";t.textContent=it.date;d.appendChild(a);d.appendChild(t);return d;}'
    'function addItems(items){var list=document.getElementById("post-list");'
    'for(var i=0;i<items.length;i++){list.appendChild(postItem(items[i]));}}')
"""Builds listing entries (``div.post-item > a.v-link-title``) from JSON items."""
JS_LISTING = JS_ITEMS + (
    'ready(function(){getJSON(cfg.api+"&page="+cfg.page).then(function(data){'
    'addItems(data.items);if(data.pages<2){return;}'
    'var ul=document.createElement("ul");ul.className="ant-pagination";'
    'function li(cls,page,text,rel){var e=document.createElement("li");e.className=cls;'
    'var a=document.createElement("a");a.setAttribute("href",page===1?cfg.base:'
    'cfg.base+"?page="+page);if(rel){a.setAttribute("rel",rel);}a.textContent=text;'
    'e.appendChild(a);ul.appendChild(e);}'
    'if(data.page>1){li("ant-pagination-prev",data.page-1,"\\u2039","prev");}'
    'for(var p=1;p<=data.pages;p++){li("ant-pagination-item ant-pagination-item-"+p+'
    '(p===data.page?" ant-pagination-item-active":""),p,String(p),"");}'
    'if(data.has_more){li("ant-pagination-next",data.page+1,"\\u203a","next");}'
    'document.getElementById("post-pager").appendChild(ul);});});')
"""Builds a JS listing page: its items and its pager, from the JSON page ``cfg.page``."""
JS_LOAD_MORE = JS_ITEMS + (
    'var btn=document.querySelector("button.btn-load-more");var next=cfg.next;var busy=false;'
    'if(btn){btn.addEventListener("click",function(){if(busy){return;}busy=true;'
    'btn.disabled=true;getJSON(cfg.api+"&page="+next).then(function(data){addItems(data.items);'
    'if(data.has_more){next=data.page+1;busy=false;btn.disabled=false;}else{'
    'var wrap=btn.parentNode;wrap.parentNode.removeChild(wrap);}},'
    'function(){busy=false;btn.disabled=false;});});}')
"""Each click on "load more" appends the next JSON page; the button goes when none is left."""
JS_POST = (
    'ready(function(){getJSON(cfg.api).then(function(data){'
    'var el=document.querySelector(".post-detail-body");if(el){el.innerHTML=data.body_html;}'
    '});});')
"""Fills the empty article body from the post API."""
JS_DRAW_POST = (
    '(function(){function draw(){var data=document.getElementById("__NEXT_DATA__");'
    'var root=document.getElementById("post-root");if(!data||!root){return;}'
    'var post=JSON.parse(data.textContent).props.pageProps.post;'
    'var h=document.createElement("h1");h.textContent=post.title;root.appendChild(h);'
    'if(post.excerpt){var p=document.createElement("p");p.textContent=post.excerpt;'
    'root.appendChild(p);}var b=document.createElement("div");b.innerHTML=post.content;'
    'root.appendChild(b);}if(document.readyState==="loading"){'
    'document.addEventListener("DOMContentLoaded",draw);}else{draw();}})();')
"""Layout D: draws title, lead and body from ``__NEXT_DATA__`` into ``#post-root``."""
JS_DRAW_META = (
    'ready(function(){getJSON(cfg.api).then(function(data){'
    'var root=document.getElementById("post-root");if(!root){return;}'
    'var meta=document.createElement("div");meta.className="post-detail-meta";'
    'var src=document.createElement("div");src.className="post-detail-source";'
    'var name=document.createElement("span");name.className="source-name";'
    'name.textContent=data.source.name;src.appendChild(name);meta.appendChild(src);'
    'var t=document.createElement("time");t.className="post-detail-time";'
    't.setAttribute("datetime",data.published_at);t.textContent=data.date;meta.appendChild(t);'
    'var h=root.querySelector("h1");root.insertBefore(meta,h?h.nextSibling:root.firstChild);'
    '});});')
"""Layout D, ``client_meta`` versions: draws the outlet and the date from the post API under
the title. The wrapper is not ``.post-detail-info`` and the ``datetime`` sits on the element
that carries ``.post-detail-time``: a crawler reading the site's selectors then takes the full
time from the attribute, not the bare dd/mm/yyyy text of an outlet-and-date line."""
FLIGHT_MODULES = (
    f'1:HL["{CSS}","style"]\n',
    '2:I[5312,["static/chunks/app/layout-2c9f41e7b0d3a586.js"],"SiteShell"]\n',
    '3:I[9071,["static/chunks/app/%5B...slug%5D/page-7e1d0c4b9a2f3856.js"],"PostView"]\n')
"""Layout E: the non-JSON rows (style hint, client modules ``$L2`` and ``$L3``)."""
TEXT_ROW_MIN = 1024
"""Layout E: bodies of at least this many characters go into a ``T`` text row."""
XML_TYPE = "application/xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Page:
    """One HTTP response of the mirror."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def etag(self) -> str | None:
        """The ``ETag`` header, if any."""
        return self.headers.get("ETag")

    @property
    def last_modified(self) -> datetime | None:
        """The ``Last-Modified`` header as an aware datetime, if any."""
        value = self.headers.get("Last-Modified")
        return parsedate_to_datetime(value) if value else None


Route = tuple[str, ...]
"""What a request target shows: ``("article", slug, lang)``, ``("listing", cat, lang, page)``…"""
NextData = tuple[str, dict[str, Any], dict[str, Any]]
"""(Next.js page, query, page props) of a ``__NEXT_DATA__`` script."""


def etag(body: bytes) -> str:
    """Strong ETag of a body: the first 16 hex digits of its SHA-1, quoted."""
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def http_date(dt: datetime) -> str:
    """RFC 7231 date (``Wed, 25 Nov 2026 05:00:00 GMT``)."""
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def with_validators(page: Page, modified: datetime | None = None) -> Page:
    """``page`` with an ``ETag`` (and ``Last-Modified`` when ``modified`` is given)."""
    headers = {**page.headers, "ETag": etag(page.body)}
    if modified is not None:
        headers["Last-Modified"] = http_date(modified)
    return Page(page.status, headers, page.body)


def esc(text: str) -> str:
    """HTML-escape text and attribute values."""
    return html.escape(text, quote=True)


def css_class(role: str, key: str) -> str:
    """Hashed class name (layout C) of ``role`` on the page of ``key``."""
    return f"css-{zlib.crc32(f'{role}:{key}'.encode()):08x}"[:10]


def link(path: str, style: str = "relative", variant: int = 0) -> str:
    """An href for a site path in a host ``style``; ``variant`` may add a trailing slash,
    tracking parameters or a fragment (all leave the canonical URL unchanged)."""
    href = HOSTS[style] + path
    if variant % 5 == 2:
        href += "/"
    if variant % 7 == 3:
        href += "?utm_source=vietnam.vn&utm_medium=referral&utm_campaign=listing"
    if variant % 11 == 5:
        href += "#comments"
    return href


def date_text(dt: datetime) -> str:
    """Visible date: dd/mm/yyyy in Vietnam time."""
    return dt.strftime("%d/%m/%Y")


def meta_time(dt: datetime, fmt: str) -> str:
    """``article:*_time`` value: local ISO with offset, or UTC with milliseconds and ``Z``."""
    if fmt == "utc":
        return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return dt.isoformat(timespec="seconds")


def iso_local(dt: datetime) -> str:
    """ISO 8601 in Vietnam time with its offset (``2025-03-04T08:15:00+07:00``)."""
    return dt.astimezone(VN_TZ).isoformat(timespec="seconds")


def iso_naive(dt: datetime) -> str:
    """ISO 8601 in Vietnam time without an offset (``2025-03-04T08:15:00``)."""
    return dt.astimezone(VN_TZ).replace(tzinfo=None).isoformat(timespec="seconds")


def iso_utc(dt: datetime) -> str:
    """ISO 8601 in UTC with ``Z`` (``2025-03-04T01:15:00Z``)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def nfd(value: Any) -> Any:
    """``value`` (JSON-like) with every string in NFD (the ``nfd`` quirk, in embedded data)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFD", value)
    if isinstance(value, dict):
        return {k: nfd(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfd(v) for v in value]
    return value


def rsc_escape(value: Any) -> Any:
    """``value`` (JSON-like) with strings starting with ``$`` escaped as React does (``$$…``)."""
    if isinstance(value, str):
        return "$" + value if value.startswith("$") else value
    if isinstance(value, dict):
        return {k: rsc_escape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rsc_escape(v) for v in value]
    return value


def compact(data: Any) -> str:
    """Compact JSON text, non-ASCII kept."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def script_json(data: Any) -> str:
    """JSON (or a JS string literal) safe inside ``<script>``: ``</`` written ``<\\/``."""
    return compact(data).replace("</", "<\\/")


def flight_scripts(payload: str, key: str) -> str:
    """The App Router scripts carrying an RSC ``payload``: the bootstrap push, then 3–5 string
    chunks cut at points derived from ``key`` (anywhere: inside rows, strings, text rows)."""
    n = 3 + zlib.crc32(key.encode()) % 3
    cuts = sorted({min(len(payload) - 1, max(1, len(payload) * k // n
                                            + zlib.crc32(f"{key}/{k}".encode()) % 41 - 20))
                   for k in range(1, n)})
    pieces = [payload[a:b] for a, b in zip([0, *cuts], [*cuts, len(payload)], strict=True)]
    return ("<script>(self.__next_f=self.__next_f||[]).push([0])</script>"
            + "".join(f"<script>self.__next_f.push([1,{script_json(p)}])</script>"
                      for p in pieces))


def html_page(body: str, status: int = 200) -> Page:
    """An HTML page with the site's usual headers."""
    return Page(status, dict(HTML_HEADERS), body.encode("utf-8"))


def json_page(data: Any) -> Page:
    """A JSON API response (UTF-8, compact)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Page(200, dict(JSON_HEADERS), body)


def inline_script(code: str, cfg: dict[str, Any]) -> str:
    """An inline ``<script>`` running ``code`` with the shared helpers and ``var cfg``."""
    config = json.dumps(cfg, separators=(",", ":")).replace("</", "<\\/")
    return f"<script>(function(){{var cfg={config};{JS_HELPERS}{code}}})();</script>"


def gone_page(status: int) -> Page:
    """The page of a taken-down article: the 404 page, or a 410 page."""
    if status == 404:
        return not_found_page()
    body = ('<!DOCTYPE html><html><head><meta charSet="utf-8"/>'
            "<title>410: This page has been removed</title></head><body><div id=\"__next\">"
            '<div class="next-error-h1-wrap"><h1 class="next-error-h1">410</h1>'
            "<h2>This page has been removed.</h2></div></div></body></html>")
    return html_page(body, 410)


def not_found_page() -> Page:
    """The Next.js 404 page."""
    body = ('<!DOCTYPE html><html><head><meta charSet="utf-8"/>'
            "<title>404: This page could not be found</title></head><body><div id=\"__next\">"
            '<div class="next-error-h1-wrap"><h1 class="next-error-h1">404</h1>'
            "<h2>This page could not be found.</h2></div></div></body></html>")
    return html_page(body, 404)


def _split_punct(word: str) -> tuple[str, str]:
    if word and word[-1] in ",.":
        return word[:-1], word[-1]
    return word, ""


def inline_html(text: str, lang: str, quirks: AbstractSet[str], i: int, tag_href: str) -> str:
    """Inner HTML of paragraph ``i``: the text plus the version's inline quirks."""
    if lang not in SPACED:
        return _inline_cjk(text, quirks, i, tag_href)
    raw = text.split(" ")
    if "zw" in quirks and i % 3 == 0 and len(raw) > 3 and len(raw[1]) > 1:
        raw[1] = raw[1][0] + "\u200b" + raw[1][1:]
    toks = [esc(t) for t in raw]
    if "autolink" in quirks and i % 2 == 0 and len(raw) > 4:
        word, punct = _split_punct(raw[2])
        toks[2] = (f' <a class="keyword-link" href="{tag_href}">{esc(word)} </a>'
                   + (f" {punct}" if punct else ""))
    if "split_word" in quirks and i % 2 == 1:
        j = next((k for k, t in enumerate(raw)
                  if k != 2 and len(t) >= 5 and t.isascii() and t.isalpha()), None)
        if j is not None:
            tag = "b" if i % 4 == 1 else "i"
            toks[j] = f"{esc(raw[j][:2])}<{tag}>{esc(raw[j][2:])}</{tag}>"
    gaps = [" "] * (len(toks) - 1)
    if "nbsp" in quirks and i % 3 == 0 and len(gaps) > 4:
        gaps[0], gaps[3] = "&nbsp;", " &nbsp; "
    if "br" in quirks and i % 2 == 0:
        k = next((k for k, t in enumerate(raw[:-1]) if t.endswith(".")), None)
        if k is not None:
            gaps[k] = "<br/>"
    out = toks[0] + "".join(g + t for g, t in zip(gaps, toks[1:], strict=True))
    return ("\ufeff" + out) if "zw" in quirks and i == 0 else out


def _inline_cjk(text: str, quirks: AbstractSet[str], i: int, tag_href: str) -> str:
    if "autolink" in quirks and i % 2 == 0 and len(text) > 6:
        out = f'<a class="keyword-link" href="{tag_href}">{esc(text[:2])}</a>{esc(text[2:])}'
    elif "split_word" in quirks and i % 2 == 1 and len(text) > 8:
        out = f"{esc(text[:3])}<b>{esc(text[3:6])}</b>{esc(text[6:])}"
    else:
        out = esc(text)
    if "zw" in quirks and i % 3 == 0:
        out = "\ufeff" + out + "\u200b"
    return out


def _noisy(text: str, quirks: AbstractSet[str]) -> str:
    """Lead/title text with the version's whitespace quirks."""
    out = esc(text)
    if "nbsp" in quirks:
        out = out.replace(" ", "&nbsp;", 1)
    if "zw" in quirks:
        out = "\u200b" + out
    return out


def image_html(img: Image, alt: str, cls: str = "image") -> str:
    """A body image with its caption in the image's placement style."""
    real = img.url.removeprefix("https:") if img.protocol_relative else img.url
    src = f'src="{PLACEHOLDER}" data-src="{real}"' if img.lazy else f'src="{real}"'
    tag = f'<img {src} alt="{esc(img.caption or alt)}" loading="lazy"/>'
    cap = esc(img.caption)
    if img.placement == "figcaption":
        return f'<figure class="{cls}">{tag}<figcaption>{cap}</figcaption></figure>'
    if img.placement == "p.caption":
        return f'<figure class="{cls}">{tag}</figure><p class="caption">{cap}</p>'
    if img.placement == "p.em":
        return f'<p style="text-align:center">{tag}</p><p><em>{cap}</em></p>'
    return f'<figure class="{cls}">{tag}</figure>'


class SiteRenderer:
    """Renders one site on demand. The constructor indexes the model (orderings, listings, day
    sitemaps); :meth:`routes` maps every request target to a route and :meth:`page` renders one.
    Build a new renderer after changing the model."""

    def __init__(self, site: SiteModel, grammar: Grammar | None = None) -> None:
        self.site = site
        self.grammar = grammar
        """The URL grammar and hosts pages are served in (``grammar.py``); None: vietnam.vn's."""
        arts = sorted(site.articles.values(), key=lambda a: (a.published, a.slug), reverse=True)
        self.hidden: frozenset[str] = frozenset(
            a.slug for a in arts if site.browser_listed(a)) if site.js_categories() else frozenset()
        """Slugs of browser-listed articles: only their browser listings link to them."""
        shown = [a for a in arts if a.slug not in self.hidden] if self.hidden else arts
        self.newest: list[Article] = shown
        """Every current article, newest first (sitemaps and feeds; not browser-listed ones)."""
        self._all = {lang: [a for a in shown if lang in a.versions] for lang in site.langs}
        self._in_lang = {lang: [a for a in self._all[lang] if a.listed] for lang in site.langs}
        listed = self._in_lang if not self.hidden else {
            lang: [a for a in arts if lang in a.versions and a.listed] for lang in site.langs}
        self._by_cat: dict[tuple[str, str], list[Article]] = {}
        for lang in site.langs:
            for art in listed[lang]:
                for slug in art.categories:
                    self._by_cat.setdefault((slug, lang), []).append(art)
        self.days: dict[str, list[Article]] = {}
        """Publication day (``YYYY-MM-DD``, Vietnam time) → its articles, newest days first."""
        for art in shown:
            self.days.setdefault(feeds.day_of(art), []).append(art)
        self._groups: dict[tuple[str, str], dict[str, list[Article]]] = {}
        self.padding = Padding(site) if site.padding_kb > 0 else None
        self.feeds = feeds.Feeds(self)

    # ------------------------------------------------------------------ indices

    def newest_in(self, lang: str) -> list[Article]:
        """Every article in ``lang`` (listed or not; not browser-listed), newest first."""
        return self._all[lang]

    def shown(self, lang: str) -> list[Article]:
        """Listed articles in ``lang`` that boxes may link (not browser-listed), newest first."""
        return self._in_lang[lang]

    def listed(self, category: str, lang: str) -> list[Article]:
        """Listed articles of a category in ``lang``, newest first."""
        return self._by_cat.get((category, lang), [])

    def linkable(self, category: str, lang: str) -> Iterator[Article]:
        """Listed articles of a category that static boxes may link (not browser-listed)."""
        return (a for a in self.listed(category, lang) if a.slug not in self.hidden)

    def group_slugs(self, kind: str) -> list[str]:
        """Tags or authors (``kind``) that have a page."""
        group = self.site.tags if kind == "tag" else self.site.authors
        return [slug for slug, item in group.items() if item.has_page]

    def group_pages(self, lang: str, kind: str) -> dict[str, list[Article]]:
        """Tag or author (``kind``) pages that exist → their listed articles in ``lang``."""
        key = (lang, kind)
        if key not in self._groups:
            pages: dict[str, list[Article]] = {slug: [] for slug in self.group_slugs(kind)}
            for art in self._in_lang[lang]:
                for slug in art.tags if kind == "tag" else art.authors:
                    if slug in pages:
                        pages[slug].append(art)
            self._groups[key] = pages
        return self._groups[key]

    # ------------------------------------------------------------------ routing

    def routes(self) -> dict[str, Route]:
        """Every request target the site answers (path plus optional ``?query``) → its route."""
        site = self.site
        out: dict[str, Route] = {"/robots.txt": ("robots",)}
        out.update({path: ("asset", path) for path in (*SCRIPTS, CSS)})
        for lang in site.langs:
            out[home_path(lang)] = ("home", lang)
            for cat in site.categories.values():
                base = category_path(lang, cat.slug)
                n = self.listing_count(cat, lang)
                for p in range(1, n + 1):
                    route = ("listing", cat.slug, lang, str(p))
                    if cat.pagination in JS_PAGINATION_STYLES:
                        out[api_category_path(lang, cat.slug, p)] = ("api_category", cat.slug,
                                                                     lang, str(p))
                        if cat.pagination == "js_load_more":
                            if p == 1:
                                out[base] = route
                            continue
                    if cat.pagination == "path":
                        out[f"{base}/page/{p}"] = route
                    else:
                        out[f"{base}?page={p}"] = route
                    if p == 1:
                        out[base] = route
            prefix = lang_prefix(lang)
            for kind in ("tag", "author"):
                for slug in self.group_slugs(kind):
                    out[f"{prefix}/{kind}/{slug}"] = (kind, lang, slug)
        for art in site.articles.values():
            for lang, ver in art.versions.items():
                out[article_path(lang, art.slug)] = ("article", art.slug, lang)
                if ver.client_body or ver.client_meta:
                    out[api_post_path(lang, art.slug)] = ("api_post", art.slug, lang)
        for slug, removal in site.gone.items():
            for lang in removal.article.versions:
                out[article_path(lang, slug)] = ("gone", slug, lang)
        out.update({path: ("static", path) for path in site.static_pages})
        if site.js_categories():
            out[NEWSLETTER] = ("newsletter",)
        out.update(self.feeds.routes())
        if self.grammar is not None:
            return {self.grammar.rewrite(target): route for target, route in out.items()}
        return out

    def rewrite(self, text: str) -> str:
        """``text`` in the served grammar (unchanged without one)."""
        return text if self.grammar is None else self.grammar.rewrite(text)

    def page(self, route: Route) -> Page:
        """Render one route from :meth:`routes` (with its validators), in the served grammar:
        the body rewritten, its ``ETag`` recomputed."""
        page = self._page(route)
        if self.grammar is None:
            return page
        body = self.grammar.rewrite_bytes(page.body)
        if body == page.body:
            return page
        headers = {**page.headers, "ETag": etag(body)} if "ETag" in page.headers else page.headers
        return Page(page.status, headers, body)

    def _page(self, route: Route) -> Page:
        kind, *args = route
        if kind == "robots":
            return Page(200, {"Content-Type": "text/plain; charset=utf-8"}, ROBOTS.encode())
        if kind == "asset":
            ctype = "text/css" if args[0].endswith(".css") else "application/javascript"
            return Page(200, {"Content-Type": f"{ctype}; charset=utf-8"},
                        b"/* next.js static asset (mirror) */\n")
        if kind == "gone":
            return gone_page(self.site.gone[args[0]].status)
        if kind in ("sitemap_index", "sitemap_day", "sitemap_section", "news_sitemap", "rss"):
            ctype = RSS_TYPE if kind == "rss" else XML_TYPE
            return with_validators(Page(200, {"Content-Type": ctype, "X-Powered-By": "Next.js"},
                                        self.feeds.render(route)))
        if kind == "article":
            art = self.site.articles[args[0]]
            page = html_page(self.article(art, args[1]))
            return with_validators(page, art.changed)
        if kind == "api_category":
            return with_validators(json_page(self.api_category(
                self.site.categories[args[0]], args[1], int(args[2]))))
        if kind == "api_post":
            art = self.site.articles[args[0]]
            return with_validators(json_page(self.api_post(art, args[1])), art.changed)
        if kind == "newsletter":
            return with_validators(html_page(NEWSLETTER_PAGE))
        if kind == "home":
            body = self.home(args[0])
        elif kind == "listing":
            body = self.listing_page(self.site.categories[args[0]], args[1], int(args[2]))
        elif kind in ("tag", "author"):
            body = self.group_page(kind, args[0], args[1])
        else:
            body = self.static_page(args[0])
        return with_validators(html_page(body))

    def render(self) -> dict[str, Page]:
        """Every page, keyed by request target (targets of one route share one render)."""
        done: dict[Route, Page] = {}
        out = {}
        for key, route in self.routes().items():
            if route not in done:
                done[route] = self.page(route)
            out[key] = done[route]
        return out

    # ------------------------------------------------------------------ page frame

    def document(self, lang: str, title: str, content: str, *, head: str = "",
                 switcher: dict[str, str] | None = None, next_data: NextData | None = None,
                 route: str = "/[...slug]", tail: str = "", app_router: bool = False) -> str:
        """A full HTML document: head, site header, ``content``, footer, ``__NEXT_DATA__`` and
        the ``tail`` scripts; padded to about ``site.padding_kb`` KB when asked (``route`` names
        the Next.js page for the padding's ``__NEXT_DATA__`` when the page has none of its own;
        an ``app_router`` page never gets one)."""
        switcher = switcher or {lg: home_path(lg) for lg in self.site.langs}
        parts = {"title": title, "head": head, "content": content, "tail": tail,
                 "header": self.header(lang, switcher), "footer_inner": self.footer_inner(lang)}
        page = self._assemble(lang, parts, next_data)
        pad = self.padding
        if pad is None:
            return page
        target = self.site.padding_kb * 1024
        remaining = target - len(page.encode())
        if remaining <= 0:
            return page
        pieces = {"config": len(json.dumps(pad.config(lang), ensure_ascii=False).encode()),
                  "mega": len(pad.mega_menu(lang).encode()),
                  "farm": len(pad.footer_farm(lang).encode())}
        use = set()
        for name, size in pieces.items():
            if size <= remaining and not (app_router and name == "config"):
                use.add(name)
                remaining -= size
        if "config" in use:
            page_name, query, props = next_data or (route, {}, {})
            next_data = (page_name, query, {**props, "layout": pad.config(lang)})
        page = self._assemble(lang, parts, next_data, use)
        size, n = len(page.encode()), 0
        while size < target:
            size += len(pad.chunk(n).encode())
            n += 1
        return self._assemble(lang, parts, next_data, use, n)

    def _assemble(self, lang: str, parts: dict[str, str], next_data: NextData | None,
                  use: set[str] | frozenset[str] = frozenset(), chunks: int = 0) -> str:
        pad = self.padding
        mega = pad.mega_menu(lang) if pad and "mega" in use else ""
        farm = pad.footer_farm(lang) if pad and "farm" in use else ""
        inline = "".join(pad.chunk(i) for i in range(chunks)) if pad else ""
        nd = self.next_data(*next_data) if next_data else ""
        scripts = "".join(f'<script src="{s}" defer=""></script>' for s in SCRIPTS)
        header = parts["header"].replace("</header>", f"{mega}</header>") if mega else \
            parts["header"]
        return ("<!DOCTYPE html>"
                f'<html lang="{HTML_LANG.get(lang, lang)}"><head><meta charSet="utf-8"/>'
                '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
                f"<title>{esc(parts['title'])} - Vietnam.vn</title>{parts['head']}"
                f'<link rel="preload" href="{CSS}" as="style"/>'
                f'<link rel="stylesheet" href="{CSS}" data-n-g=""/>{scripts}</head>'
                f'<body><div id="__next"><section class="ant-layout">'
                f"{header}{parts['content']}"
                f'<footer class="ant-layout-footer site-footer">{parts["footer_inner"]}{farm}'
                f"</footer></section></div>{nd}{parts['tail']}{inline}</body></html>")

    def header(self, lang: str, switcher: dict[str, str]) -> str:
        """Site header: logo, slogan, language switcher and nav menu."""
        home = home_path(lang)
        langs = "".join(
            f'<a class="lang-item{" active" if lg == lang else ""}" '
            f'hreflang="{HTML_LANG.get(lg, lg)}" href="{href}">{LANG_NAMES[lg]}</a>'
            for lg, href in switcher.items())
        nav = "".join(f'<li class="ant-menu-item"><a href="{category_path(lang, c.slug)}">'
                      f"{esc(c.labels[lang])}</a></li>" for c in self.site.nav_categories())
        return (f'<header class="ant-layout-header site-header"><div class="header-top">'
                f'<a class="logo" href="{home}"><img src="{LOGO}" alt="Vietnam.vn"/></a>'
                f'<div class="site-slogan">{SITE_NAME}</div>'
                f'<div class="lang-switcher">{langs}</div></div>'
                f'<nav class="main-menu"><ul class="ant-menu ant-menu-horizontal">'
                f'<li class="ant-menu-item"><a href="{home}">{UI[lang]["home"]}</a></li>'
                f"{nav}</ul></nav></header>")

    def footer(self, lang: str) -> str:
        """Footer: footer-only categories, static pages, social and partner links."""
        return (f'<footer class="ant-layout-footer site-footer">{self.footer_inner(lang)}'
                "</footer>")

    def footer_inner(self, lang: str) -> str:
        """Inside of the footer."""
        cats = [c for c in self.site.categories.values() if c.placement == "footer"]
        cats += self.site.nav_categories()[:3]
        cat_links = "".join(f'<a href="{category_path(lang, c.slug)}">{esc(c.labels[lang])}</a>'
                            for c in cats)
        static = "".join(f'<a href="{p}">{esc(t)}</a>' for p, t in STATIC_LINKS.items())
        partners = "".join(f'<a href="{home}" target="_blank" rel="nofollow">{esc(name)}</a>'
                           for name, (home, _, _) in OUTLETS.items())
        return (f'<div class="footer-categories">{cat_links}</div>'
                f'<div class="footer-links">{static}</div>'
                '<div class="footer-social">'
                '<a href="https://www.facebook.com/vietnamvn" target="_blank" '
                'rel="noopener nofollow">Facebook</a>'
                '<a href="https://www.youtube.com/@vietnamvn" target="_blank" '
                'rel="noopener nofollow">YouTube</a></div>'
                f'<div class="footer-partners">{partners}</div>'
                f'<p class="copyright">© 2026 {SITE_NAME}</p>')

    @staticmethod
    def next_data(page: str, query: dict[str, Any], props: dict[str, Any]) -> str:
        """The ``__NEXT_DATA__`` script."""
        data = {"props": {"pageProps": props, "__N_SSP": True}, "page": page, "query": query,
                "buildId": BUILD_ID, "isFallback": False, "gssp": True, "scriptLoader": []}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        return f'<script id="__NEXT_DATA__" type="application/json">{text}</script>'

    def static_page(self, path: str) -> str:
        """A Vietnamese static page (about, privacy, contact)."""
        static = self.site.static_pages[path]
        content = "".join(f"<p>{esc(p)}</p>" for p in static.paragraphs)
        head = '<meta property="og:type" content="website"/>'
        return self.document("vi", static.title, head=head,
                             content=f'<div class="ant-layout-content"><div class="static-page">'
                                     f"<h1>{esc(static.title)}</h1>{content}</div></div>")

    # ------------------------------------------------------------------ listings

    @staticmethod
    def post_item(art: Article, lang: str, href: str, thumb: bool = False) -> str:
        """One listing entry."""
        title = esc(art.versions[lang].title)
        pic = ""
        if thumb:
            imgs = art.versions[lang].images
            src = imgs[0].url if imgs else DEFAULT_IMAGE
            pic = (f'<a class="post-thumb" href="{article_path(lang, art.slug)}">'
                   f'<img src="{src}" alt="{title}"/></a>')
        return (f'<div class="post-item">{pic}<a class="v-link-title" href="{esc(href)}" '
                f'title="{title}">{title}</a><span class="time">{date_text(art.published)}'
                "</span></div>")

    def home(self, lang: str) -> str:
        """Home page: latest articles (in varied link forms) and a block per nav category."""
        forms = ("relative", "alias", "absolute", "cdn", "protocol")
        latest = "".join(
            self.post_item(a, lang, link(article_path(lang, a.slug), forms[k % 5], k), k < 4)
            for k, a in enumerate(self._in_lang[lang][:20]))
        blocks = []
        for cat in self.site.nav_categories():
            top = list(islice(self.linkable(cat.slug, lang), 3))
            items = "".join(self.post_item(a, lang, article_path(lang, a.slug)) for a in top)
            blocks.append(f'<div class="home-category-block"><h2><a href="'
                          f'{category_path(lang, cat.slug)}">{esc(cat.labels[lang])}</a></h2>'
                          f"{items}</div>")
        content = (f'<div class="ant-layout-content"><div class="home-page">'
                   f'<h2 class="section-title">{UI[lang]["latest"]}</h2>'
                   f'<div class="home-latest">{latest}</div>{"".join(blocks)}</div></div>')
        nd = ("/", {}, {"lang": lang, "categories": list(self.site.categories)})
        head = ('<meta property="og:type" content="website"/>'
                f'<meta property="og:url" content="{CANONICAL}{lang_prefix(lang)}"/>')
        return self.document(lang, "Nền tảng quảng bá Việt Nam", content, head=head,
                             next_data=nd)

    def listing_count(self, cat: Category, lang: str) -> int:
        """Number of pages of a category listing (at least 1)."""
        return max(1, -(-len(self.listed(cat.slug, lang)) // cat.page_size))

    def listing_page(self, cat: Category, lang: str, p: int) -> str:
        """Page ``p`` of a category listing."""
        if cat.pagination in JS_PAGINATION_STYLES:
            return self.js_listing_page(cat, lang, p)
        arts = self.listed(cat.slug, lang)
        size = cat.page_size
        n = self.listing_count(cat, lang)
        switcher = {lg: category_path(lg, cat.slug) for lg in self.site.langs}
        chunk = arts[(p - 1) * size:p * size]
        items = "".join(
            self.post_item(a, lang, link(article_path(lang, a.slug), cat.href_style,
                                         (p - 1) * size + k), cat.thumbs)
            for k, a in enumerate(chunk))
        head, pager = self.pager(cat, lang, p, n)
        content = (f'<div class="ant-layout-content"><div class="ant-row category-page">'
                   f'<div class="ant-col main-col"><h1 class="category-title">'
                   f'{esc(cat.labels[lang])}</h1><div class="post-list">{items}</div>'
                   f"{pager}</div>{self.sidebar(cat, lang)}</div></div>")
        nd: NextData | None = None
        if cat.thumbs:
            nd = ("/category/[slug]", {"slug": cat.slug, "page": str(p)},
                  {"category": cat.slug, "page": p, "total": len(arts)})
        return self.document(lang, cat.labels[lang], content, switcher=switcher,
                             head='<meta property="og:type" content="website"/>' + head,
                             next_data=nd, route="/category/[slug]")

    def js_listing_page(self, cat: Category, lang: str, p: int) -> str:
        """Page ``p`` of a browser category: ``js_listing`` pages hold an empty
        ``#post-list`` filled by a script (and no article link at all: the most-read box is
        empty too); a ``js_load_more`` page 1 holds its first items and a "load more" button
        (no href) whose clicks append the next JSON pages, after the decoys that go to
        ``/newsletter`` (:meth:`load_more_decoys`)."""
        base = category_path(lang, cat.slug)
        api = api_category_path(lang, cat.slug, 1).removesuffix("&page=1")
        if cat.pagination == "js_listing":
            main = '<div id="post-list"></div><div id="post-pager"></div>'
            script = inline_script(JS_LISTING, {"api": api, "page": p, "base": base})
        else:
            items = "".join(
                self.post_item(a, lang, link(article_path(lang, a.slug), cat.href_style, k))
                for k, a in enumerate(self.listed(cat.slug, lang)[:cat.page_size]))
            button = (f'{self.load_more_decoys(lang)}<div class="load-more-wrap">'
                      f'<button type="button" class="btn-load-more">{UI[lang]["more"]}</button>'
                      "</div>" if self.listing_count(cat, lang) > 1 else "")
            main = f'<div class="post-list" id="post-list">{items}</div>{button}'
            script = inline_script(JS_LOAD_MORE, {"api": api, "next": 2})
        switcher = {lg: category_path(lg, cat.slug) for lg in self.site.langs}
        content = (f'<div class="ant-layout-content"><div class="ant-row category-page">'
                   f'<div class="ant-col main-col"><h1 class="category-title">'
                   f'{esc(cat.labels[lang])}</h1>{main}</div>'
                   f'{self.sidebar(cat, lang, cat.pagination != "js_listing")}</div></div>{script}')
        nd = ("/category/[slug]", {"slug": cat.slug, "page": str(p)},
              {"category": cat.slug, "page": p})
        return self.document(lang, cat.labels[lang], content, switcher=switcher,
                             head='<meta property="og:type" content="website"/>',
                             next_data=nd, route="/category/[slug]")

    @staticmethod
    def load_more_decoys(lang: str) -> str:
        """A newsletter form whose submit button reads like "load more", and a promo link
        whose sentence contains that label; both lead to ``/newsletter``."""
        return (f'<form class="newsletter" action="{NEWSLETTER}" method="get">'
                '<input type="email" name="email" placeholder="email@example.com"/>'
                f'<button class="btn-more">{UI[lang]["more"]}</button></form>'
                f'<p class="promo-line"><a href="javascript:void(0)" class="promo" '
                f"onclick=\"location.href='{NEWSLETTER}'\">{esc(PROMO_SENTENCES[lang])}</a></p>")

    def api_category(self, cat: Category, lang: str, p: int) -> dict[str, Any]:
        """Page ``p`` of a category's JSON listing (see the module docstring)."""
        arts = self.listed(cat.slug, lang)
        n = self.listing_count(cat, lang)
        items = [{"slug": a.slug, "path": article_path(lang, a.slug),
                  "url": canonical_url(lang, a.slug), "title": a.versions[lang].title,
                  "date": date_text(a.published),
                  "published": a.published.isoformat(timespec="seconds")}
                 for a in arts[(p - 1) * cat.page_size:p * cat.page_size]]
        return {"category": cat.slug, "lang": lang, "page": p, "pages": n,
                "page_size": cat.page_size, "total": len(arts), "has_more": p < n,
                "items": items}

    def api_post(self, art: Article, lang: str) -> dict[str, Any]:
        """The JSON body of a client-rendered article version (see the module docstring)."""
        ver = art.versions[lang]
        body = self.body_html(art, ver)
        if "nfd" in ver.quirks:
            body = unicodedata.normalize("NFD", body)
        data: dict[str, Any] = {"slug": art.slug, "lang": lang,
                                "url": canonical_url(lang, art.slug), "title": ver.title,
                                "body_html": body}
        if ver.client_meta:
            data |= {"source": {"name": art.outlet, "url": art.source_url},
                     "published_at": iso_local(art.published),
                     "date": date_text(art.published)}
        return data

    def listing_pages(self, cat: Category, lang: str) -> dict[str, str]:
        """Every page of a category listing, keyed by each request target that serves it."""
        base = category_path(lang, cat.slug)
        out: dict[str, str] = {}
        for p in range(1, self.listing_count(cat, lang) + 1):
            if cat.pagination == "js_load_more":  # one page; the rest comes from the API
                out[base] = self.listing_page(cat, lang, 1)
                break
            page = self.listing_page(cat, lang, p)
            if cat.pagination == "path":
                keys = [f"{base}/page/{p}"] + ([base] if p == 1 else [])
            else:
                keys = [f"{base}?page={p}"] + ([base] if p == 1 else [])
            out.update(dict.fromkeys(keys, page))
        return out

    @staticmethod
    def pager(cat: Category, lang: str, p: int, n: int) -> tuple[str, str]:
        """(head links, visible pager) for page ``p`` of ``n`` in the category's style."""
        base = category_path(lang, cat.slug)
        ui = UI[lang]
        style = cat.pagination
        if n == 1:
            return "", ""
        if style == "rel_next":
            head = f'<link rel="prev" href="{CANONICAL}{base}?page={p - 1}"/>' if p > 1 else ""
            if p < n:
                head += f'<link rel="next" href="{CANONICAL}{base}?page={p + 1}"/>'
            return head, ""
        if style == "ant":
            items = "".join(
                f'<li class="ant-pagination-item ant-pagination-item-{i}'
                f'{" ant-pagination-item-active" if i == p else ""}">'
                f'<a rel="nofollow" href="{base if i == 1 else f"?page={i}"}">{i}</a></li>'
                for i in range(1, n + 1))
            prev = (f'<li class="ant-pagination-prev"><a href="?page={p - 1}">'
                    '<span class="anticon anticon-left"></span></a></li>') if p > 1 else ""
            nxt = (f'<li class="ant-pagination-next"><a href="?page={p + 1}">'
                   '<span class="anticon anticon-right"></span></a></li>') if p < n else ""
            return "", f'<ul class="ant-pagination">{prev}{items}{nxt}</ul>'
        if style == "path":
            links = "".join(
                f'<span class="current">{i}</span>' if i == p else
                f'<a href="{base if i == 1 else f"{base}/page/{i}"}">{i}</a>'
                for i in range(1, n + 1))
            return "", f'<div class="pagination">{links}</div>'
        if style == "next_text":
            prev = f'<a class="pager-link" href="{base}?page={p - 1}">{ui["prev"]}</a>'
            nxt = f'<a class="pager-link" href="{base}?page={p + 1}">{ui["next"]}</a>'
            return "", (f'<div class="pager">{prev if p > 1 else ""}'
                        f'{nxt if p < n else ""}</div>')
        if p < n:  # load_more
            return "", (f'<div class="load-more-wrap"><a class="btn-load-more" '
                        f'href="{base}?page={p + 1}">{ui["more"]}</a></div>')
        return "", ""

    def sidebar(self, cat: Category, lang: str, most_read: bool = True) -> str:
        """Listing sidebar: other categories, most-read articles of other categories (an empty
        box when not ``most_read``), tags, authors and an external link."""
        site = self.site
        cats = [c for c in site.nav_categories() if c.slug != cat.slug]
        cats += [site.categories[s] for s in cat.sidebar_extra]
        cat_links = "".join(f'<li><a href="{category_path(lang, c.slug)}">'
                            f"{esc(c.labels[lang])}</a></li>" for c in cats)
        forms = ("alias", "cdn", "relative", "protocol")
        others = list(islice((a for a in self._in_lang[lang] if cat.slug not in a.categories),
                             4 if most_read else 0))
        most = "".join(
            f'<div class="most-read-item"><a class="v-link-title" href="'
            f'{esc(link(article_path(lang, a.slug), forms[k], k + 2))}" '
            f'title="{esc(a.versions[lang].title)}">{esc(a.versions[lang].title)}</a></div>'
            for k, a in enumerate(others))
        prefix = lang_prefix(lang)
        tags = "".join(f'<a href="{prefix}/tag/{t.slug}">{esc(t.labels[lang])}</a>'
                       for t in list(site.tags.values())[:6])
        authors = "".join(f'<a href="{prefix}/author/{a.slug}">{esc(a.name)}</a>'
                          for a in list(site.authors.values())[:3])
        ui = UI[lang]
        return (f'<aside class="ant-col sidebar"><div class="sidebar-categories">'
                f'<h3>{ui["categories"]}</h3><ul>{cat_links}</ul></div>'
                f'<div class="most-read"><h3>{ui["most_read"]}</h3>{most}</div>'
                f'<div class="tag-cloud">{tags}</div><div class="sidebar-authors">{authors}</div>'
                '<a class="fanpage" href="https://www.facebook.com/vietnamvn" target="_blank" '
                'rel="noopener nofollow">Facebook</a></aside>')

    def group_page(self, kind: str, lang: str, slug: str) -> str:
        """A small listing for a tag or an author (``kind``) that has a page."""
        title = ("#" + self.site.tags[slug].labels[lang] if kind == "tag"
                 else self.site.authors[slug].name)
        arts = self.group_pages(lang, kind)[slug]
        items = "".join(self.post_item(a, lang, article_path(lang, a.slug)) for a in arts[:12])
        content = (f'<div class="ant-layout-content"><div class="tag-page">'
                   f'<h1>{esc(title)}</h1><div class="post-list">{items}</div></div></div>')
        return self.document(lang, title, content, route=f"/{kind}/[slug]",
                             head='<meta property="og:type" content="website"/>')

    def tag_and_author_pages(self, lang: str) -> dict[str, str]:
        """Small listings for tags and authors that have a page (the others are 404)."""
        prefix = lang_prefix(lang)
        out = {}
        for kind in ("tag", "author"):
            for slug in self.group_slugs(kind):
                out[f"{prefix}/{kind}/{slug}"] = self.group_page(kind, lang, slug)
        return out

    # ------------------------------------------------------------------ articles

    def article(self, art: Article, lang: str) -> str:
        """An article page in its layout variant."""
        ver = art.versions[lang]
        if art.layout in EMBEDDED_LAYOUTS:
            return self._embedded_article(art, ver)
        layout = {"A": self._layout_a, "B": self._layout_b, "C": self._layout_c}[art.layout]
        head, content = layout(art, ver)
        if "nfd" in ver.quirks:
            content = unicodedata.normalize("NFD", content)
        switcher = {lg: article_path(lg, art.slug) for lg in self.site.langs
                    if lg in art.versions}
        nd: NextData | None = None
        if art.next_data:
            nd = ("/[...slug]", {"slug": [art.slug]},
                  {"post": {"slug": art.slug, "lang": lang, "title": ver.title}})
        return self.document(lang, ver.title, content, head=head, switcher=switcher,
                             next_data=nd, tail=PAGE_SCRIPTS.get(ver.page_script, ""))

    def body_html(self, art: Article, ver: ArticleVersion, fig_class: str = "image",
                  source_line: bool = True) -> str:
        """Inner HTML of the article body: ads, blocks, images and the source line (unless
        not ``source_line``)."""
        prefix = lang_prefix(ver.lang)
        tags = list(self.site.tags)
        parts = ["<p>[ad_1]</p>"] if "ad_top" in ver.quirks else []
        for k, block in enumerate(ver.blocks):
            if block.kind == "p":
                tag = tags[zlib.crc32(f"{art.slug}{k}".encode()) % len(tags)]
                inner = inline_html(block.text, ver.lang, ver.quirks, k, f"{prefix}/tag/{tag}")
                parts.append(f"<p>{inner}</p>")
            else:
                parts.append(f"<{block.kind}>{esc(block.text)}</{block.kind}>")
            if k == 0 and "blank_para" in ver.quirks:
                parts.append(BLANK_PARAGRAPHS[zlib.crc32(art.slug.encode()) % 4])
            parts += [image_html(img, ver.title, fig_class)
                      for img in ver.images if img.after_block == k]
        if ver.ad_marker:
            parts.append(f"<p>{ver.ad_marker}</p>")
        if source_line and art.outlet and art.source_url:
            url = esc(art.source_url)
            anchor = f'<a href="{url}" target="_blank" rel="noopener nofollow">'
            if ver.source_style == "link":
                parts.append(f"<p>{anchor}{UI[ver.lang]['source_link']}</a></p>")
            else:
                parts.append(f"<p>{UI[ver.lang]['source']} {anchor}{url}</a></p>")
        return "".join(parts)

    def _body_container(self, art: Article, ver: ArticleVersion) -> str:
        """``.post-detail-body`` with the body, or empty plus the script that fetches it."""
        if not ver.client_body:
            return f'<div class="post-detail-body">{self.body_html(art, ver)}</div>'
        return ('<div class="post-detail-body"></div>'
                + inline_script(JS_POST, {"api": api_post_path(ver.lang, art.slug)}))

    def _crumbs(self, art: Article, lang: str, sep: str) -> str:
        links = [f'<a href="{home_path(lang)}">{UI[lang]["home"]}</a>']
        links += [f'<a href="{category_path(lang, s)}">'
                  f'{esc(self.site.categories[s].labels[lang])}</a>' for s in art.categories]
        return sep.join(links)

    def _related(self, art: Article, lang: str) -> list[Article]:
        """Up to three listed articles of the article's first category (never itself, never an
        embedded-data layout: adding those leaves every other article page as it was)."""
        return list(islice((a for a in self.linkable(art.categories[0], lang)
                            if a.slug != art.slug and a.layout not in EMBEDDED_LAYOUTS), 3))

    def _tag_links(self, art: Article, lang: str, cls: str = "tag-item") -> str:
        prefix = lang_prefix(lang)
        return "".join(f'<a class="{cls}" href="{prefix}/tag/{t}">'
                       f"{esc(self.site.tags[t].labels[lang])}</a>" for t in art.tags)

    def _author_links(self, art: Article, lang: str) -> str:
        prefix = lang_prefix(lang)
        return ", ".join(f'<a href="{prefix}/author/{a}">{esc(self.site.authors[a].name)}</a>'
                         for a in art.authors)

    def _common_head(self, art: Article, ver: ArticleVersion) -> str:
        head = ""
        if ver.lead:
            head += f'<meta name="description" content="{esc(ver.lead)}"/>'
        return head

    def _layout_a(self, art: Article, ver: ArticleVersion) -> tuple[str, str]:
        """Current layout: Open Graph, hreflang, ``post-detail-*`` markup."""
        lang, site = ver.lang, self.site
        url = canonical_url(lang, art.slug)
        image = ver.images[0].url if ver.images else DEFAULT_IMAGE
        head = [self._common_head(art, ver),
                '<meta property="og:site_name" content="Vietnam.vn"/>',
                '<meta property="og:type" content="article"/>',
                f'<meta property="og:title" content="{esc(ver.title)}"/>',
                f'<meta property="og:description" content="{esc(ver.lead)}"/>' if ver.lead
                else "",
                f'<meta property="og:url" content="{url}"/>',
                f'<meta property="og:image" content="{image}"/>',
                f'<meta property="article:published_time" '
                f'content="{meta_time(art.published, art.time_format)}"/>']
        if art.modified:
            head.append(f'<meta property="article:modified_time" '
                        f'content="{meta_time(art.modified, art.time_format)}"/>')
        head += [f'<meta property="article:tag" content="{esc(site.tags[t].labels[lang])}"/>'
                 for t in art.tags]
        if art.authors:
            names = ", ".join(site.authors[a].name for a in art.authors)
            head.append(f'<meta name="author" content="{esc(names)}"/>')
        head.append(f'<link rel="canonical" href="{url}"/>')
        head += [f'<link rel="alternate" hreflang="{HTML_LANG.get(lg, lg)}" '
                 f'href="{canonical_url(lg, art.slug)}"/>'
                 for lg in site.langs if lg in art.versions]
        head.append(f'<link rel="alternate" hreflang="x-default" '
                    f'href="{canonical_url("vi", art.slug)}"/>')

        sep = '<span class="ant-breadcrumb-separator">/</span>'
        lead = (f'<div class="post-detail-sapo">{_noisy(ver.lead, ver.quirks)}</div>'
                if ver.lead else "")
        date = f'<div class="post-detail-time"><span>{date_text(art.published)}</span></div>'
        info = f'<div class="post-detail-info">{date}</div>'
        if art.outlet:
            home = OUTLETS[art.outlet][0]
            name = esc(art.outlet)
            logo = f"https://vstatic.vietnam.vn/vietnam/resource/IMAGE/source/{slugify(name)}.png"
            info = (f'<div class="post-detail-info"><div class="post-detail-source">'
                    f'<a href="{home}" target="_blank" rel="nofollow">'
                    f'<img class="source-logo" src="{logo}" alt="{name}"/>'
                    f'<span class="source-name">{name}</span></a>'
                    f'<span class="source-name-text">{name}</span></div>{date}</div>')
        parts = [
            '<div class="ant-layout-content"><div class="post-detail-container">',
            f'<div class="ant-breadcrumb">{self._crumbs(art, lang, sep)}</div>',
            f'<h1 class="post-detail-title">{esc(ver.title)}</h1>',
            lead + info if art.lead_first else info + lead,
            self._body_container(art, ver)]
        if art.authors:
            parts.append(f'<div class="post-author">{self._author_links(art, lang)}</div>')
        if art.tags:
            parts.append(f'<div class="post-tags"><span class="tags-label">'
                         f'{UI[lang]["tags"]}:</span>{self._tag_links(art, lang)}</div>')
        parts.append(f'<div class="post-detail-comment"><span class="comment-count">'
                     f'{UI[lang]["comment"]} ({ver.comments})</span></div>')
        parts.append(self._related_box(art, ver))
        parts.append("</div></div>")
        return "".join(head), "".join(parts)

    def _related_box(self, art: Article, ver: ArticleVersion) -> str:
        if "related" not in ver.quirks:
            return ""
        lang = ver.lang
        items = "".join(self.post_item(a, lang, article_path(lang, a.slug))
                        for a in self._related(art, lang))
        return (f'<div class="related-posts"><h3 class="related-title">{UI[lang]["related"]}'
                f"</h3>{items}</div>")

    def _layout_b(self, art: Article, ver: ArticleVersion) -> tuple[str, str]:
        """Old layout: no Open Graph or hreflang, ``Outlet•dd/mm/yyyy`` line."""
        lang = ver.lang
        head = (self._common_head(art, ver)
                + f'<link rel="canonical" href="{canonical_url(lang, art.slug)}"/>')
        date = f'<span class="post-date">{date_text(art.published)}</span>'
        meta = (f'<div class="post-meta"><span class="post-source">{esc(art.outlet)}</span>•'
                f"{date}</div>" if art.outlet else f'<div class="post-meta">{date}</div>')
        lead = (f'<div class="post-sapo"><strong>{_noisy(ver.lead, ver.quirks)}</strong></div>'
                if ver.lead else "")
        parts = [
            '<div class="ant-layout-content"><div class="post-old">',
            f'<div class="breadcrumb">{self._crumbs(art, lang, " › ")}</div>',
            f'<h1 class="title">\n    {esc(ver.title)}\n  </h1>',
            lead + meta if art.lead_first else meta + lead]
        if art.authors:
            parts.append(f'<div class="post-author">{self._author_links(art, lang)}</div>')
        parts.append(self._body_container(art, ver))
        if art.tags:
            parts.append(f'<div class="post-tags">{self._tag_links(art, lang)}</div>')
        parts.append(f'<div class="post-detail-comment"><span class="comment-count">'
                     f'{UI[lang]["comment"]} ({ver.comments})</span></div>')
        parts.append(self._related_box(art, ver))
        parts.append("</div></div>")
        return head, "".join(parts)

    def _layout_c(self, art: Article, ver: ArticleVersion) -> tuple[str, str]:
        """Unknown markup: hashed class names only, no Open Graph, no ``<article>``."""
        lang = ver.lang

        def c(role: str) -> str:
            return css_class(role, art.slug)

        head = self._common_head(art, ver)
        if art.authors:
            names = ", ".join(self.site.authors[a].name for a in art.authors)
            head += f'<meta name="author" content="{esc(names)}"/>'
        outlet = f"<span>{esc(art.outlet)}</span>" * 2 if art.outlet else ""
        meta = f'<div class="{c("meta")}">{outlet}<span>{date_text(art.published)}</span></div>'
        lead = (f'<div class="{c("lead")}">{_noisy(ver.lead, ver.quirks)}</div>'
                if ver.lead else "")
        parts = [
            f'<div class="{c("wrap")}"><div class="{c("main")}">',
            f'<div class="{c("crumbs")}">{self._crumbs(art, lang, " › ")}</div>',
            f'<h1 class="{c("title")}">{esc(ver.title)}</h1>',
            lead + meta if art.lead_first else meta + lead,
            f'<div class="{c("body")}"><div class="{c("inner")}">'
            f'{self.body_html(art, ver, c("figure"))}</div></div>']
        if art.tags:
            parts.append(f'<div class="{c("tags")}">{self._tag_links(art, lang, c("tag"))}'
                         "</div>")
        parts.append(f'<div class="{c("comment")}"><span>{UI[lang]["comment"]} '
                     f"({ver.comments})</span></div>")
        parts.append(self._hashed_related(art, ver))
        parts.append("</div></div>")
        return head, "".join(parts)

    def _hashed_related(self, art: Article, ver: ArticleVersion) -> str:
        """The related box of the hashed-class layouts (C, F), if the version has one."""
        if "related" not in ver.quirks:
            return ""
        lang = ver.lang
        items = "".join(f'<li><a href="{article_path(lang, a.slug)}">'
                        f"{esc(a.versions[lang].title)}</a></li>"
                        for a in self._related(art, lang))
        return (f'<div class="{css_class("related", art.slug)}"><span>{UI[lang]["related"]}'
                f"</span><ul>{items}</ul></div>")

    # ------------------------------------------------------------------ embedded-data articles

    def _embedded_article(self, art: Article, ver: ArticleVersion) -> str:
        """An article page of layout D, E or F: the default language switcher (homes only),
        a canonical link and no other head tag that names a field."""
        layout = {"D": self._layout_d, "E": self._layout_e, "F": self._layout_f}[art.layout]
        head, content, next_data, tail = layout(art, ver)
        if "nfd" in ver.quirks:
            content = unicodedata.normalize("NFD", content)
        head = f'<link rel="canonical" href="{canonical_url(ver.lang, art.slug)}"/>' + head
        return self.document(ver.lang, ver.title, content, head=head, next_data=next_data,
                             tail=tail + PAGE_SCRIPTS.get(ver.page_script, ""),
                             app_router=art.layout == "E")

    def _decoy_posts(self, art: Article, lang: str) -> list[Article]:
        """Two or three other listed articles in ``lang`` (related-post decoys)."""
        want = 2 + zlib.crc32(f"{art.slug}/{lang}".encode()) % 2
        out: dict[str, Article] = {}
        for other in (*islice(self.linkable(art.categories[0], lang), 6),
                      *islice(self.shown(lang), 6)):
            if other.slug != art.slug:
                out.setdefault(other.slug, other)
        return list(out.values())[:want]

    @staticmethod
    def _excerpt(art: Article, lang: str) -> str:
        ver = art.versions[lang]
        return f"<p>{esc(ver.lead or ver.title)}</p>"

    def _footer_decoy(self) -> dict[str, str]:
        """The "about" text a layout ships with every page (a title and HTML, like a post)."""
        about = self.site.static_pages.get("/gioi-thieu")
        text = about.paragraphs[0] if about else SITE_NAME
        return {"title": "Giới thiệu", "content": f"<p>{esc(text)}</p>"}

    def _menu_decoy(self, lang: str) -> list[dict[str, str]]:
        """Nav menu items as page data (the last one carries HTML)."""
        items = [{"title": c.labels[lang], "slug": c.slug} for c in self.site.nav_categories()]
        items.append({"title": UI[lang]["most_read"], "slug": "doc-nhieu",
                      "html": f'<span class="menu-badge">{esc(UI[lang]["latest"])}</span>'})
        return items

    def _others(self, art: Article, lang: str) -> list[str]:
        """The article's other languages, in site order."""
        return [lg for lg in self.site.langs if lg in art.versions and lg != lang]

    def _layout_d(self, art: Article, ver: ArticleVersion
                  ) -> tuple[str, str, NextData | None, str]:
        """Next.js pages router: an empty ``#post-root`` drawn by a script from
        ``__NEXT_DATA__`` (decoys first, then ``post``). A ``client_meta`` version's ``post``
        has no ``publishedAt`` and its ``source`` only the URL: a second script draws the date
        and the outlet from the post API."""
        lang, site = ver.lang, self.site
        post: dict[str, Any] = {"title": ver.title, "slug": art.slug, "lang": lang}
        if ver.lead:
            post["excerpt"] = ver.lead
        post["content"] = self.body_html(art, ver, source_line=False)
        if not ver.client_meta:
            post["publishedAt"] = iso_local(art.published)
        if art.modified:
            post["updatedAt"] = iso_local(art.modified)
        if art.outlet:
            # A client_meta version keeps the source URL in its data: only the name is drawn.
            post["source"] = ({"url": art.source_url} if ver.client_meta
                              else {"name": art.outlet, "url": art.source_url})
        post["categories"] = [{"slug": s, "name": site.categories[s].labels[lang]}
                              for s in art.categories]
        post["tags"] = [{"slug": t, "name": site.tags[t].labels[lang]} for t in art.tags]
        post["author"] = [{"name": site.authors[a].name} for a in art.authors]
        if ver.images:
            post["thumbnail"] = ver.images[0].url
        post["translations"] = [{"lang": lg, "slug": art.slug} for lg in self._others(art, lang)]
        props = {"menu": self._menu_decoy(lang), "footer": self._footer_decoy(),
                 "relatedPosts": [{"title": a.versions[lang].title, "slug": a.slug,
                                   "excerpt": self._excerpt(a, lang),
                                   "publishedAt": iso_local(a.published)}
                                  for a in self._decoy_posts(art, lang)],
                 "post": nfd(post) if "nfd" in ver.quirks else post}
        content = '<div class="ant-layout-content"><div id="post-root"></div></div>'
        tail = f"<script>{JS_DRAW_POST}</script>"
        if ver.client_meta:
            tail += inline_script(JS_DRAW_META, {"api": api_post_path(lang, art.slug)})
        return "", content, ("/[...slug]", {"slug": [art.slug]}, props), tail

    def _flight_post(self, art: Article, ver: ArticleVersion, body: str) -> dict[str, Any]:
        """Layout E's article object in the article's key spelling (see the module docs)."""
        lang, site = ver.lang, self.site
        tags = [site.tags[t].labels[lang] for t in art.tags]
        names = [site.authors[a].name for a in art.authors]
        others = self._others(art, lang)
        post: dict[str, Any]
        if art.data_variant == 0:
            post = {"title": ver.title, "slug": art.slug}
            if ver.lead:
                post["sapo"] = ver.lead
            post["contentHtml"] = body
            post["publishTime"] = iso_naive(art.published)
            if art.modified:
                post["modifiedAt"] = iso_naive(art.modified)
            if art.outlet:
                post |= {"sourceName": art.outlet, "sourceUrl": art.source_url}
            post |= {"category": list(art.categories), "keywords": ", ".join(tags),
                     "authors": names,
                     "images": [{"src": i.url, "caption": i.caption} for i in ver.images],
                     "translations": others}
            return post
        post = {"headline": ver.title, "slug": art.slug}
        if ver.lead:
            post["description"] = ver.lead
        post["body_html"] = body
        post["published_at"] = int(art.published.timestamp()) * 1000
        if art.modified:
            post["updated_at"] = int(art.modified.timestamp())
        if art.outlet:
            post["origin"] = {"title": art.outlet, "link": art.source_url}
        sections = [{"slug": s, "title": site.categories[s].labels[lang]}
                    for s in art.categories]
        if len(sections) == 1:
            post["section"] = sections[0]
        else:
            post["sections"] = sections
        post["tag_list"] = tags
        if names:
            post["author"] = {"name": names[0]} if len(names) == 1 else [
                {"name": n} for n in names]
        if ver.images:
            post["cover"] = {"url": ver.images[0].url}
        post["alternates"] = [{"locale": lg, "path": article_path(lg, art.slug)}
                              for lg in others]
        return post

    def _layout_e(self, art: Article, ver: ArticleVersion
                  ) -> tuple[str, str, NextData | None, str]:
        """Next.js App Router: a title and an empty body container; the data in flight rows
        (modules, the decoy shell, a ``T`` row for a long body, then the article)."""
        lang = ver.lang

        def c(role: str) -> str:
            return css_class(role, art.slug)

        # The payload is measured (T rows) and cut anywhere into chunks: its URLs are put in the
        # served grammar first, so that no URL is cut before the page is rewritten.
        body = self.rewrite(self.body_html(art, ver, source_line=False))
        post = self._flight_post(art, ver, body)
        if "nfd" in ver.quirks:
            post = nfd(post)
        post = rsc_escape(post)
        body_key = "contentHtml" if art.data_variant == 0 else "body_html"
        shell = rsc_escape({
            "lang": lang, "footer": self._footer_decoy(),
            "relatedPosts": [{"title": a.versions[lang].title, "slug": a.slug,
                              "excerpt": self._excerpt(a, lang)}
                             for a in self._decoy_posts(art, lang)],
            "menu": [{"title": i["title"], "slug": i["slug"]} for i in self._menu_decoy(lang)]})
        # the root row (decoys) comes first and refers ahead to the article's row, as a
        # streamed page does
        rows = [*FLIGHT_MODULES,
                f'0:{self.rewrite(compact(["$", "$L2", None, {**shell, "children": "$L4"}]))}\n']
        text = unicodedata.normalize("NFD", body) if "nfd" in ver.quirks else body
        if len(text) >= TEXT_ROW_MIN:
            rows.append(f"5:T{len(text.encode()):x},{text}")  # no newline: the length ends it
            post[body_key] = "$5"
        rows.append(f'4:{self.rewrite(compact(["$", "$L3", None, {"post": post}]))}\n')
        content = (f'<div class="{c("wrap")}"><div class="{c("main")}">'
                   f'<h1 class="{c("title")}">{esc(ver.title)}</h1>'
                   f'<div class="{c("body")}"></div></div></div>')
        return "", content, None, flight_scripts("".join(rows), f"{art.slug}/{lang}")

    def _layout_f(self, art: Article, ver: ArticleVersion
                  ) -> tuple[str, str, NextData | None, str]:
        """Hashed-class markup for title, lead and body; every other field only in a JSON-LD
        ``@graph`` (WebSite, BreadcrumbList, NewsArticle)."""
        lang, site = ver.lang, self.site

        def c(role: str) -> str:
            return css_class(role, art.slug)

        url = canonical_url(lang, art.slug)
        crumbs = [{"@type": "ListItem", "position": 1, "name": UI[lang]["home"],
                   "item": CANONICAL + home_path(lang)}]
        crumbs += [{"@type": "ListItem", "position": k, "name": site.categories[s].labels[lang],
                    "item": CANONICAL + category_path(lang, s)}
                   for k, s in enumerate(art.categories, 2)]
        news: dict[str, Any] = {"@type": "NewsArticle", "@id": f"{url}#article",
                                "headline": ver.title}
        if ver.lead:
            news["description"] = ver.lead
        news["datePublished"] = iso_utc(art.published)
        if art.modified:
            news["dateModified"] = iso_utc(art.modified)
        if art.authors:
            news["author"] = [{"@type": "Person", "name": site.authors[a].name}
                              for a in art.authors]
        if art.tags:
            news["keywords"] = [site.tags[t].labels[lang] for t in art.tags]
        news["articleSection"] = list(art.categories)
        if ver.images:
            news["image"] = [{"@type": "ImageObject", "url": i.url,
                              **({"caption": i.caption} if i.caption else {})}
                             for i in ver.images]
        if art.outlet:
            news |= {"isBasedOn": art.source_url,
                     "sourceOrganization": {"@type": "Organization", "name": art.outlet}}
        news |= {"publisher": {"@type": "Organization", "name": "Vietnam.vn",
                               "logo": {"@type": "ImageObject", "url": LOGO}},
                 "inLanguage": HTML_LANG.get(lang, lang), "mainEntityOfPage": url,
                 "articleBody": "\n\n".join(b.text for b in ver.blocks)}
        others = self._others(art, lang)
        if others:
            news["workTranslation"] = [{"@type": "NewsArticle",
                                        "inLanguage": HTML_LANG.get(lg, lg),
                                        "url": canonical_url(lg, art.slug)} for lg in others]
        graph = {"@context": "https://schema.org", "@graph": [
            {"@type": "WebSite", "@id": f"{CANONICAL}/#website", "name": "Vietnam.vn",
             "url": CANONICAL + home_path(lang),
             "potentialAction": {"@type": "SearchAction",
                                 "target": f"{CANONICAL}/search?q={{search_term_string}}",
                                 "query-input": "required name=search_term_string"}},
            {"@type": "BreadcrumbList", "itemListElement": crumbs},
            nfd(news) if "nfd" in ver.quirks else news]}
        head = f'<script type="application/ld+json">{script_json(graph)}</script>'
        lead = (f'<div class="{c("lead")}">{_noisy(ver.lead, ver.quirks)}</div>'
                if ver.lead else "")
        content = (f'<div class="{c("wrap")}"><div class="{c("main")}">'
                   f'<h1 class="{c("title")}">{esc(ver.title)}</h1>{lead}'
                   f'<div class="{c("body")}"><div class="{c("inner")}">'
                   f'{self.body_html(art, ver, c("figure"), source_line=False)}</div></div>'
                   f'<div class="{c("comment")}"><span>{UI[lang]["comment"]} '
                   f"({ver.comments})</span></div>{self._hashed_related(art, ver)}</div></div>")
        return head, content, None, ""


def render_site(site: SiteModel) -> dict[str, Page]:
    """Render every page of ``site``, keyed by request target (eagerly: small sites only)."""
    return SiteRenderer(site).render()


class PageMap(Mapping[str, Page]):
    """Request target → page, rendered on demand and kept in a bounded LRU cache (thread-safe).

    Iterating, ``len`` and ``in`` only use the route table; reading a page renders it (once per
    route while it stays cached). ``cache_size`` bounds the number of cached routes.
    """

    def __init__(self, renderer: SiteRenderer, cache_size: int = 2000) -> None:
        self.renderer = renderer
        self.routes = renderer.routes()
        self.cache_size = cache_size
        self._cache: OrderedDict[Route, Page] = OrderedDict()
        self._lock = threading.Lock()
        self.renders = 0
        """Number of pages rendered so far (cache misses)."""

    def __getitem__(self, key: str) -> Page:
        route = self.routes[key]
        with self._lock:
            page = self._cache.get(route)
            if page is not None:
                self._cache.move_to_end(route)
                return page
        page = self.renderer.page(route)
        with self._lock:
            self.renders += 1
            self._cache[route] = page
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return page

    def __iter__(self) -> Iterator[str]:
        return iter(self.routes)

    def __len__(self) -> int:
        return len(self.routes)

    def __contains__(self, key: object) -> bool:
        return key in self.routes

    @property
    def cached(self) -> int:
        """Number of rendered pages currently cached."""
        with self._lock:
            return len(self._cache)
