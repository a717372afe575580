"""The page, parsed once: every extraction layer reads this shared context.

What several layers need (meta tags, JSON-LD, ``__NEXT_DATA__``, the class index the site's
selectors read) is found once per page with lxml directly: a parsel query costs far more.
The site the page belongs to is its mapper's profile (:attr:`PageContext.site`): the layers read
its selectors, labels and time zone from there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson
from lxml import etree
from scrapy.http import TextResponse

from newscrawl.extract.select import Css, PageIndex
from newscrawl.extract.tree import parse_html, parse_html_text
from newscrawl.sites.profile import SiteProfile
from newscrawl.urls import ARTICLE, UrlMapper

# JSON-LD types that describe an article.
ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenewsarticle", "webpage"})
_TEXT_NODES = etree.XPath("text()", smart_strings=False)


def _is_javascript(script_type: str | None) -> bool:
    return not script_type or "javascript" in script_type or script_type == "module"


@dataclass
class PageContext:
    """One fetched page: its tree, metadata and language, parsed once and shared."""

    root: etree._Element
    url: str  # the fetched URL
    lang: str  # language from the URL prefix
    mapper: UrlMapper = field(repr=False)  # the crawl's: its site is the page's
    # The page's text, or a function giving it: only the generic extractor reads it.
    html_source: str | Callable[[], str] = field(default="", repr=False)
    # What the layers could not read (a broken payload, say): reason → count, for the stats.
    skips: Counter[str] = field(default_factory=Counter, repr=False)

    @classmethod
    def from_html(cls, html: str, url: str, lang: str, mapper: UrlMapper) -> PageContext:
        """Parse ``html`` (for tests and tools that have no Scrapy response)."""
        return cls(parse_html_text(html), url, lang, mapper, html)

    @classmethod
    def from_response(cls, response: TextResponse, lang: str, mapper: UrlMapper) -> PageContext:
        """Parse a fetched page from its bytes.

        ``response.selector`` would decode the page to text and encode it back first, a third
        of the parse's cost, and build lxml.html elements (see :mod:`newscrawl.extract.tree`).
        """
        root = parse_html(response.body, response.encoding, lambda: response.text)
        return cls(root, response.url, lang, mapper, lambda: response.text)

    @cached_property
    def site(self) -> SiteProfile:
        """The site's profile (the mapper's)."""
        return self.mapper.site

    @cached_property
    def html(self) -> str:
        """The page's text (decoded on first use)."""
        source = self.html_source
        return source() if callable(source) else source

    @cached_property
    def index(self) -> PageIndex:
        """Elements by class and attribute, for :meth:`select`."""
        return PageIndex(self.root)

    def select(self, css: Css, scope: etree._Element | None = None) -> list[etree._Element]:
        """Elements matching ``css`` at or below ``scope`` (default: the whole page), in page order."""
        return css.select(self.index, scope)

    def first(self, candidates: Iterable[Css], scope: etree._Element | None = None) -> etree._Element | None:
        """The first element matched by the first selector in ``candidates`` that matches any."""
        for css in candidates:
            found = css.first(self.index, scope)
            if found is not None:
                return found
        return None

    @cached_property
    def _by_tag(self) -> dict[str, list[etree._Element]]:
        """The page's ``<meta>``, ``<link>`` and ``<script>`` elements, in page order: one walk for all."""
        found: dict[str, list[etree._Element]] = {"meta": [], "link": [], "script": []}
        for node in self.root.iter(*found):
            found[node.tag].append(node)
        return found

    def article_links(self, hrefs: Iterable[str | None]) -> dict[str, str]:
        """``{lang: canonical URL}`` of the article URLs among ``hrefs``, other languages only."""
        found: dict[str, str] = {}
        for href in hrefs:
            target = self.mapper.parse(href, self.url)
            if target is not None and target.kind == ARTICLE and target.lang != self.lang:
                found.setdefault(target.lang, target.canonical)
        return found

    @cached_property
    def alternates(self) -> dict[str, str]:
        """Translations declared by ``<link rel="alternate" hreflang>``: ``{lang: canonical URL}``."""
        links = self._by_tag["link"]
        declared = (node for node in links if node.get("rel") == "alternate" and "hreflang" in node.attrib)
        return self.article_links(node.get("href") for node in declared if node.get("href") is not None)

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """``<meta>`` contents by lower-cased ``property``/``name``/``itemprop``, in page order."""
        found: dict[str, list[str]] = {}
        for node in self._by_tag["meta"]:
            content = node.get("content")
            if content is None:
                continue
            key = node.get("property") or node.get("name") or node.get("itemprop")
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
        return found

    def first_meta(self, *keys: str) -> str | None:
        """The first non-empty content among meta ``keys``, in the order given."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value
        return None

    def meta_or_jsonld(self, meta_keys: Iterable[str], jsonld_key: str) -> Any:
        """The first non-empty content among ``meta_keys`` (:meth:`first_meta`), else the first
        non-empty ``jsonld_key`` value of the page's JSON-LD articles (any JSON type), else None.

        The JSON-LD is only parsed when no meta tag answers.
        """
        found = self.first_meta(*meta_keys)
        if found:
            return found
        return next(self.jsonld_values(jsonld_key), None)

    def jsonld_values(self, key: str) -> Iterator[Any]:
        """The non-empty values of ``key`` in the page's JSON-LD articles, in page order."""
        for obj in self.jsonld:
            if obj.get(key):
                yield obj[key]

    @cached_property
    def jsonld(self) -> list[dict[str, Any]]:
        """JSON-LD objects of article types (``@graph`` flattened); broken blocks are skipped."""
        objects: list[dict[str, Any]] = []
        for raw in self._script_texts("type", "application/ld+json"):
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
                if any(isinstance(t, str) and t.lower() in ARTICLE_TYPES for t in names):
                    objects.append(obj)
        return objects

    def _script_texts(self, attribute: str, value: str) -> Iterator[str]:
        """Text nodes of the ``<script>`` elements whose ``attribute`` is ``value``, in page order."""
        for node in self._by_tag["script"]:
            if node.get(attribute) == value:
                yield from _TEXT_NODES(node)

    @cached_property
    def title_text(self) -> str | None:
        """The text of the page's ``<title>``."""
        node = next(self.root.iter("title"), None)
        return node.text if node is not None else None

    @cached_property
    def canonical_link(self) -> str | None:
        """The ``href`` of ``<link rel="canonical">``."""
        return next((n.get("href") for n in self._by_tag["link"] if n.get("rel") == "canonical"), None)

    @cached_property
    def inline_scripts(self) -> list[str]:
        """Texts of the page's inline JavaScript ``<script>`` elements, in page order."""
        # Attributes first: the text of a JSON script (__NEXT_DATA__) runs to tens of KB.
        found = (
            node.text
            for node in self._by_tag["script"]
            if node.get("src") is None and _is_javascript(node.get("type"))
        )
        return [text for text in found if text]

    @cached_property
    def next_data_raw(self) -> bytes | None:
        """The JSON of Next.js ``__NEXT_DATA__`` as UTF-8 bytes, if the page carries one.

        Bytes, not text: the payload runs to tens of KB, most pages only need to know that it
        holds no article, and lxml hands over its bytes at a quarter of the cost of a string.
        """
        for node in self._by_tag["script"]:
            if node.get("id") == "__NEXT_DATA__":
                return etree.tostring(node, method="text", encoding="utf-8", with_tail=False)
        return None

    @cached_property
    def next_data(self) -> dict[str, Any] | None:
        """Next.js ``__NEXT_DATA__`` payload, if the page carries one."""
        raw = self.next_data_raw
        if not raw:
            return None
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None
