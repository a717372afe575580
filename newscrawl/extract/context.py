"""The page, parsed once: every extraction layer reads this shared context."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson
from parsel import Selector

from newscrawl.urls import ARTICLE, UrlMapper

# JSON-LD types that describe an article.
_ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenewsarticle", "webpage"})


@dataclass
class PageContext:
    """One fetched page: its selector, metadata and language, parsed once and shared."""

    selector: Selector
    url: str  # the fetched URL
    lang: str  # language from the URL prefix
    html: str = field(default="", repr=False)  # raw text, for the generic extractor only
    mapper: UrlMapper = field(default_factory=UrlMapper, repr=False)

    @classmethod
    def from_html(cls, html: str, url: str, lang: str, mapper: UrlMapper | None = None) -> PageContext:
        """Parse ``html`` (for tests and tools that have no Scrapy response)."""
        return cls(Selector(text=html), url, lang, html, mapper or UrlMapper())

    def article_links(self, nodes: list[Selector]) -> dict[str, str]:
        """``{lang: canonical URL}`` of the article URLs among ``nodes``' hrefs, other languages only."""
        found: dict[str, str] = {}
        for node in nodes:
            target = self.mapper.parse(node.attrib.get("href"), self.url)
            if target is not None and target.kind == ARTICLE and target.lang != self.lang:
                found.setdefault(target.lang, target.canonical)
        return found

    @cached_property
    def alternates(self) -> dict[str, str]:
        """Translations declared by ``<link rel="alternate" hreflang>``: ``{lang: canonical URL}``."""
        return self.article_links(self.selector.xpath("//link[@rel='alternate'][@hreflang][@href]"))

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """``<meta>`` contents by lower-cased ``property``/``name``/``itemprop``, in page order."""
        found: dict[str, list[str]] = {}
        for node in self.selector.xpath("//meta[@content]"):
            key = node.attrib.get("property") or node.attrib.get("name") or node.attrib.get("itemprop")
            if key:
                found.setdefault(key.strip().lower(), []).append(node.attrib["content"])
        return found

    def first_meta(self, *keys: str) -> str | None:
        """The first non-empty content among meta ``keys``, in the order given."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value
        return None

    @cached_property
    def jsonld(self) -> list[dict[str, Any]]:
        """JSON-LD objects of article types (``@graph`` flattened); broken blocks are skipped."""
        objects: list[dict[str, Any]] = []
        for raw in self.selector.xpath("//script[@type='application/ld+json']/text()").getall():
            try:
                data = orjson.loads(raw.strip().encode())
            except orjson.JSONDecodeError:
                continue
            stack = data if isinstance(data, list) else [data]
            while stack:
                obj = stack.pop(0)
                if not isinstance(obj, dict):
                    continue
                stack.extend(obj.get("@graph", []) if isinstance(obj.get("@graph"), list) else [])
                types = obj.get("@type")
                names = types if isinstance(types, list) else [types]
                if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in names):
                    objects.append(obj)
        return objects

    @cached_property
    def next_data(self) -> dict[str, Any] | None:
        """Next.js ``__NEXT_DATA__`` payload, if the page carries one."""
        raw = self.selector.xpath("//script[@id='__NEXT_DATA__']/text()").get()
        if not raw:
            return None
        try:
            data = orjson.loads(raw.strip().encode())
        except orjson.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None
