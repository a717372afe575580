"""Layer 1: structured data — Open Graph and ``article:*`` meta, JSON-LD, hreflang, __NEXT_DATA__."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import html as lxml_html

from newscrawl.extract import patterns
from newscrawl.extract.base import Layer
from newscrawl.extract.blocks import BodyParts
from newscrawl.normalize.text import clean_text

# Keys under which Next.js page props of news sites keep an article's HTML body.
_NEXT_BODY_KEYS = ("content", "contentHtml", "body", "bodyHtml", "html", "detail")
_NEXT_MAX_DEPTH = 6
_QUOTED_BODY_KEYS = tuple(f'"{key}"'.encode() for key in _NEXT_BODY_KEYS)


def _jsonld_values(objects: list[dict[str, Any]], key: str) -> Iterator[Any]:
    for obj in objects:
        if obj.get(key):
            yield obj[key]


def _names(value: Any) -> list[str]:
    """Person names from a JSON-LD author value (a string, an object, or a list of either)."""
    items = value if isinstance(value, list) else [value]
    names = (item.get("name") if isinstance(item, dict) else item for item in items)
    return [clean_text(n) for n in names if isinstance(n, str) and clean_text(n)]


def _is_next_article(data: dict[str, Any]) -> bool:
    return isinstance(data.get("title"), str) and any(
        isinstance(data.get(key), str) and "<" in data[key] for key in _NEXT_BODY_KEYS
    )


def find_next_article(data: Any) -> dict[str, Any] | None:
    """The first dict in a Next.js payload that looks like an article: a title and an HTML body.

    Depth first, in the payload's order, at most ``_NEXT_MAX_DEPTH`` levels down; iterative
    and visiting containers only, as the payload of a padded page has hundreds of values.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if _is_next_article(node):
                return node
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth < _NEXT_MAX_DEPTH:
            containers = (child for child in reversed(children) if isinstance(child, (dict, list)))
            stack.extend((child, depth + 1) for child in containers)
    return None


def may_hold_article(raw: bytes) -> bool:
    """Whether Next.js JSON (UTF-8) may hold what :func:`find_next_article` looks for.

    Such a dict has a ``"title"`` key and an HTML body, which appear in the text as written
    (a ``<`` among them) unless escaped (``\\u003c``, ``\\u0074itle``): a text with neither
    escapes nor those need not be parsed at all, and most pages' payloads (menus, settings)
    have no article.
    """
    # One-byte searches first: a memchr, far faster than a key's on a long payload.
    if b"\\" in raw and b"\\u" in raw:
        return True
    return b"<" in raw and b'"title"' in raw and any(key in raw for key in _QUOTED_BODY_KEYS)


class StructuredLayer(Layer):
    """Fields the page declares about itself in machine-readable form."""

    name = "structured"

    def title(self) -> str | None:
        raw = self.ctx.first_meta("og:title", "twitter:title") or next(
            _jsonld_values(self.ctx.jsonld, "headline"), None
        )
        return clean_text(patterns.strip_title_suffix(raw)) if isinstance(raw, str) else None

    def summary(self) -> str | None:
        raw = self.ctx.first_meta("og:description", "description", "twitter:description") or next(
            _jsonld_values(self.ctx.jsonld, "description"), None
        )
        return clean_text(raw) if isinstance(raw, str) else None

    def published_at(self) -> str | None:
        raw = self.ctx.first_meta("article:published_time", "datepublished", "pubdate") or next(
            _jsonld_values(self.ctx.jsonld, "datePublished"), None
        )
        return self.date(raw) if isinstance(raw, str) else None

    def modified_at(self) -> str | None:
        raw = self.ctx.first_meta("article:modified_time", "og:updated_time", "datemodified") or next(
            _jsonld_values(self.ctx.jsonld, "dateModified"), None
        )
        return self.date(raw) if isinstance(raw, str) else None

    def authors(self) -> list[str] | None:
        # A meta author may list several people: "Khải Minh, Đức Thắng".
        names = [
            clean_text(name)
            for key in ("author", "article:author")
            for value in self.ctx.meta.get(key, ())
            if "://" not in value
            for name in patterns.split_names(value)
        ]
        names.extend(n for value in _jsonld_values(self.ctx.jsonld, "author") for n in _names(value))
        return list(dict.fromkeys(n for n in names if n)) or None

    def tags(self) -> list[str] | None:
        tags = [clean_text(t) for t in self.ctx.meta.get("article:tag", ())]
        return list(dict.fromkeys(t for t in tags if t)) or None

    def translations(self) -> dict[str, str] | None:
        return self.ctx.alternates or None

    def is_article(self) -> bool | None:
        og_type = self.ctx.first_meta("og:type")
        if og_type:
            return og_type.strip().lower() == "article"
        return True if self.ctx.jsonld else None

    def body_parts(self) -> BodyParts | None:
        raw = self.ctx.next_data_raw
        if not raw or not may_hold_article(raw):
            return None
        article = find_next_article(self.ctx.next_data) if self.ctx.next_data else None
        if article is None:
            return None
        markup = next(v for k in _NEXT_BODY_KEYS if isinstance(v := article.get(k), str) and "<" in v)
        try:
            root = lxml_html.fragment_fromstring(markup, create_parent="div")
        except (ValueError, lxml_html.etree.ParserError):
            return None
        return self.assemble_body(root)
