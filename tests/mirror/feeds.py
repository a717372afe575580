"""Sitemaps and RSS feeds of the mirror (DESIGN.md §1 shapes), derived from the model only.

- ``/sitemap.xml``: a sitemap index of the day sitemaps
  ``/sitemap/sitemap-post/YYYY-MM-DD.xml`` (Vietnam-time publication day, newest first) and of
  ``/sitemap/sitemap-{page,author,category,tag}.xml`` and ``/news-sitemap.xml``;
- a day sitemap lists every language version of that day's articles with its ``lastmod`` (the
  article's modified, else published, time) and ``xhtml:link`` alternates;
- ``/news-sitemap.xml``: Google News entries published within 48 h before ``site.now``;
- ``/sitemap.rss`` (vi) and ``/<lang>/sitemap.rss``: RSS 2.0 of the 50 newest articles.

``lastmod`` values are UTC with milliseconds (``2026-07-08T04:04:10.000Z``). A few ``<loc>`` use an
alias host or a trailing slash, as links on the real site do.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from .model import (
    CANONICAL,
    DATE_START,
    Article,
    article_path,
    canonical_url,
    category_path,
    home_path,
    lang_prefix,
)

if TYPE_CHECKING:
    from .render import SiteRenderer

SM_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
NEWS_WINDOW = timedelta(hours=48)
RSS_ITEMS = 50
PUBLICATION = "Vietnam.vn"
SITEMAP_INDEX = "/sitemap.xml"
NEWS_SITEMAP = "/news-sitemap.xml"
SECTION_SITEMAPS = ("page", "author", "category", "tag")
"""``/sitemap/sitemap-<name>.xml`` besides the day sitemaps."""
HREFLANG = {"zh-cn": "zh-CN"}
STATIC_LASTMOD = DATE_START


def day_path(day: str) -> str:
    """Path of the day sitemap of ``YYYY-MM-DD``."""
    return f"/sitemap/sitemap-post/{day}.xml"


def section_path(name: str) -> str:
    """Path of a non-post sitemap (``page``, ``author``, ``category``, ``tag``)."""
    return f"/sitemap/sitemap-{name}.xml"


def rss_path(lang: str) -> str:
    """Path of a language's RSS feed."""
    return f"{lang_prefix(lang)}/sitemap.rss"


def day_of(art: Article) -> str:
    """The day sitemap an article is listed in: its publication day in Vietnam time."""
    return art.published.date().isoformat()


def lastmod(dt: datetime) -> str:
    """Sitemap ``lastmod``: UTC with milliseconds and ``Z``."""
    utc = dt.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def loc(path: str) -> str:
    """A ``<loc>`` for a site path: mostly canonical; some alias hosts and trailing slashes."""
    variant = zlib.crc32(path.encode()) % 12
    host = {0: "https://vietnam.vn", 7: "https://vcdn.vietnam.vn"}.get(variant, CANONICAL)
    return host + path + ("/" if variant in (3, 0) and path != "/" else "")


def _alternates(urls: Iterable[tuple[str, str]]) -> str:
    return "".join(f'\n    <xhtml:link rel="alternate" hreflang="{HREFLANG.get(lg, lg)}" '
                   f'href="{url}"/>' for lg, url in urls)


def _urlset(entries: list[str], *namespaces: str) -> bytes:
    ns = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in
                 (("xhtml", XHTML_NS), ("news", NEWS_NS)) if prefix in namespaces)
    return (f'{XML_DECL}<urlset xmlns="{SM_NS}"{ns}>\n{"".join(entries)}</urlset>\n').encode()


def _url(location: str, modified: datetime | None, alternates: str = "") -> str:
    mod = f"\n    <lastmod>{lastmod(modified)}</lastmod>" if modified else ""
    return f"  <url>\n    <loc>{escape(location)}</loc>{mod}{alternates}\n  </url>\n"


class Feeds:
    """Renders the sitemaps and feeds of one :class:`SiteRenderer`'s site."""

    def __init__(self, renderer: SiteRenderer) -> None:
        self.r = renderer
        self.site = renderer.site

    # ------------------------------------------------------------------ routing

    def routes(self) -> dict[str, tuple[str, ...]]:
        """Request target → route of every sitemap and feed."""
        out: dict[str, tuple[str, ...]] = {SITEMAP_INDEX: ("sitemap_index",),
                                           NEWS_SITEMAP: ("news_sitemap",)}
        out.update({section_path(name): ("sitemap_section", name) for name in SECTION_SITEMAPS})
        out.update({day_path(day): ("sitemap_day", day) for day in self.r.days})
        out.update({rss_path(lang): ("rss", lang) for lang in self.site.langs})
        return out

    def render(self, route: tuple[str, ...]) -> bytes:
        """Body of one route from :meth:`routes`."""
        kind, *args = route
        if kind == "sitemap_index":
            return self.index()
        if kind == "news_sitemap":
            return self.news()
        if kind == "sitemap_section":
            return self.section(args[0])
        if kind == "sitemap_day":
            return self.day(args[0])
        return self.rss(args[0])

    # ------------------------------------------------------------------ lastmods

    def _section_entries(self, name: str) -> list[tuple[str, datetime | None, list[str]]]:
        """(path, lastmod, languages of the alternates) of a non-post sitemap's URLs."""
        r, site = self.r, self.site
        out: list[tuple[str, datetime | None, list[str]]] = []
        langs = list(site.langs)
        if name == "category":
            for cat in site.categories.values():
                for lang in langs:
                    arts = r.listed(cat.slug, lang)
                    out.append((category_path(lang, cat.slug),
                                max((a.changed for a in arts), default=None), langs))
        elif name in ("tag", "author"):
            for lang in langs:
                prefix = lang_prefix(lang)
                for slug, arts in r.group_pages(lang, name).items():
                    out.append((f"{prefix}/{name}/{slug}",
                                max((a.changed for a in arts), default=None), []))
        else:
            for lang in langs:
                arts = r.shown(lang)
                out.append((home_path(lang), arts[0].changed if arts else None, langs))
            out += [(path, STATIC_LASTMOD, []) for path in site.static_pages]
        return out

    def day_lastmod(self, day: str) -> datetime:
        """Latest published/modified time of a day's articles."""
        return max(a.changed for a in self.r.days[day])

    def section_lastmod(self, name: str) -> datetime:
        """Latest ``lastmod`` among a non-post sitemap's URLs."""
        return max((m for _, m, _ in self._section_entries(name) if m), default=STATIC_LASTMOD)

    def news_entries(self) -> list[tuple[Article, str]]:
        """(article, language) published within 48 h before ``site.now``, newest first."""
        now = self.site.now
        fresh = [a for a in self.r.newest if now - NEWS_WINDOW <= a.published <= now]
        return [(a, lang) for a in fresh for lang in self.site.langs if lang in a.versions]

    # ------------------------------------------------------------------ documents

    def index(self) -> bytes:
        """``/sitemap.xml``: the sitemap index."""
        newest = self.r.newest
        entries = [(NEWS_SITEMAP, newest[0].changed if newest else self.site.now)]
        entries += [(section_path(n), self.section_lastmod(n)) for n in SECTION_SITEMAPS]
        entries += [(day_path(day), self.day_lastmod(day)) for day in self.r.days]
        body = "".join(f"  <sitemap>\n    <loc>{CANONICAL}{path}</loc>\n"
                       f"    <lastmod>{lastmod(mod)}</lastmod>\n  </sitemap>\n"
                       for path, mod in entries)
        return f'{XML_DECL}<sitemapindex xmlns="{SM_NS}">\n{body}</sitemapindex>\n'.encode()

    def day(self, day: str) -> bytes:
        """A day sitemap: every language version of the day's articles."""
        entries = []
        for art in self.r.days[day]:
            alts = _alternates((lg, canonical_url(lg, art.slug))
                               for lg in self.site.langs if lg in art.versions)
            entries += [_url(loc(article_path(lang, art.slug)), art.changed, alts)
                        for lang in self.site.langs if lang in art.versions]
        return _urlset(entries, "xhtml")

    def section(self, name: str) -> bytes:
        """``sitemap-category.xml`` (all languages), ``-tag``, ``-author`` or ``-page``."""
        entries = []
        for path, mod, alt_langs in self._section_entries(name):
            alts = ""
            if alt_langs:
                suffix = path.removeprefix(lang_prefix(self._lang_of(path))) or "/"
                alts = _alternates((lg, CANONICAL + (lang_prefix(lg) + suffix
                                                     if suffix != "/" else home_path(lg)))
                                   for lg in alt_langs)
            entries.append(_url(loc(path), mod, alts))
        return _urlset(entries, "xhtml")

    def _lang_of(self, path: str) -> str:
        first = path.strip("/").split("/")[0]
        return first if first in self.site.langs else "vi"

    def news(self) -> bytes:
        """``/news-sitemap.xml``: Google News sitemap of the last 48 hours."""
        entries = []
        for art, lang in self.news_entries():
            title = escape(art.versions[lang].title)
            entries.append(
                f"  <url>\n    <loc>{canonical_url(lang, art.slug)}</loc>\n    <news:news>\n"
                f"      <news:publication>\n        <news:name>{PUBLICATION}</news:name>\n"
                f"        <news:language>{lang}</news:language>\n      </news:publication>\n"
                f"      <news:publication_date>{art.published.isoformat(timespec='seconds')}"
                f"</news:publication_date>\n      <news:title>{title}</news:title>\n"
                "    </news:news>\n  </url>\n")
        return _urlset(entries, "news")

    def rss(self, lang: str) -> bytes:
        """RSS 2.0 of the 50 newest articles in ``lang``."""
        arts = self.r.newest_in(lang)[:RSS_ITEMS]
        items = []
        for art in arts:
            ver = art.versions[lang]
            url = canonical_url(lang, art.slug)
            items.append(
                f"    <item>\n      <title>{escape(ver.title)}</title>\n"
                f"      <link>{url}</link>\n      <guid isPermaLink=\"true\">{url}</guid>\n"
                f"      <pubDate>{format_datetime(art.published)}</pubDate>\n"
                f"      <description>{escape(ver.lead)}</description>\n    </item>\n")
        built = format_datetime(arts[0].published) if arts else format_datetime(self.site.now)
        home = CANONICAL + (lang_prefix(lang) or "/")
        return (f'{XML_DECL}<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n'
                f"  <channel>\n    <title>{PUBLICATION}</title>\n    <link>{home}</link>\n"
                "    <description>Nền tảng quảng bá Việt Nam</description>\n"
                f"    <language>{HREFLANG.get(lang, lang)}</language>\n"
                f"    <lastBuildDate>{built}</lastBuildDate>\n"
                f'    <atom:link href="{CANONICAL}{rss_path(lang)}" rel="self" '
                'type="application/rss+xml"/>\n'
                f"{''.join(items)}  </channel>\n</rss>\n").encode()
