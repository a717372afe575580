"""Sitemaps and feeds, the second discovery path: pure parsing of their XML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from newscrawl.normalize.dates import http_date
from newscrawl.sites.profile import Discovery

DAY, NEWS, CATEGORIES, SKIPPED, OTHER = "day", "news", "categories", "skipped", "other"
_MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit
_XML_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``<url>``/``<sitemap>``/feed item: its location, lastmod and alternates."""

    loc: str
    lastmod: float | None = None
    alternates: tuple[str, ...] = ()


def lastmod_epoch(text: str | None) -> float | None:
    """A sitemap ``lastmod`` (W3C datetime) or feed date (RFC 2822) in POSIX seconds, or None."""
    if not text or not (text := text.strip()):
        return None
    try:
        when: datetime | None = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = http_date(text)
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def sitemap_kind(path: str, discovery: Discovery) -> tuple[str, str | None]:
    """What a sitemap in the index holds, by the site's sitemap names (``discovery``):
    ``(kind, day)``; day is ``YYYY-MM-DD`` for day sitemaps."""
    day = discovery.day_sitemap.search(path)
    if day:
        return DAY, day.group(1)
    if discovery.news_sitemap.search(path):
        return NEWS, None
    if discovery.category_sitemap.search(path):
        return CATEGORIES, None
    if discovery.skipped_sitemaps.search(path):
        return SKIPPED, None
    return OTHER, None


def _body(raw: bytes) -> bytes:
    return gunzip(raw, max_size=_MAX_SITEMAP_BYTES) if raw[:2] == b"\x1f\x8b" else raw


def parse_sitemap(raw: bytes) -> tuple[str, list[Entry]]:
    """``("sitemapindex" | "urlset" | "", entries)``; unreadable XML gives no entries."""
    entries: list[Entry] = []
    try:
        sitemap = Sitemap(_body(raw))
        for item in sitemap:
            loc = (item.get("loc") or "").strip()
            if loc:
                alternates = tuple(a for a in item.get("alternate", ()) if a and a != loc)
                entries.append(Entry(loc, lastmod_epoch(item.get("lastmod")), alternates))
    except (etree.XMLSyntaxError, OSError, ValueError, StopIteration):
        return "", entries  # what was read before the XML broke off is still good
    return sitemap.type or "", entries


def parse_feed(raw: bytes) -> list[Entry]:
    """Items of an RSS 2.0 or Atom feed: link and publication (or update) date."""
    try:
        root = etree.fromstring(_body(raw), parser=_XML_PARSER)
    except (etree.XMLSyntaxError, OSError, ValueError):
        return []
    if root is None:
        return []
    entries = []
    for item in root.iter("item", "{http://www.w3.org/2005/Atom}entry"):
        link = item.findtext("link") or item.findtext("guid") or ""
        if not link.strip():
            atom_link = item.find("{http://www.w3.org/2005/Atom}link")
            link = atom_link.get("href", "") if atom_link is not None else ""
        date = item.findtext("pubDate") or item.findtext("{http://www.w3.org/2005/Atom}updated")
        if link.strip():
            entries.append(Entry(link.strip(), lastmod_epoch(date)))
    return entries
