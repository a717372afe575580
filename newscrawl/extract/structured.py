"""Layer 1: structured data — Open Graph and ``article:*`` meta, JSON-LD, hreflang."""

from __future__ import annotations

from typing import Any

from newscrawl.extract import patterns
from newscrawl.extract.base import Layer
from newscrawl.extract.fields import answers
from newscrawl.normalize.text import clean_text


def _names(value: Any) -> list[str]:
    """Person names from a JSON-LD author value (a string, an object, or a list of either)."""
    items = value if isinstance(value, list) else [value]
    names = (item.get("name") if isinstance(item, dict) else item for item in items)
    return [clean_text(n) for n in names if isinstance(n, str) and clean_text(n)]


class StructuredLayer(Layer):
    """Fields the page declares about itself in machine-readable form."""

    name = "structured"

    @answers
    def title(self) -> str | None:
        raw = self.ctx.meta_or_jsonld(("og:title", "twitter:title"), "headline")
        if not isinstance(raw, str):
            return None
        return clean_text(patterns.for_site(self.ctx.site).strip_title_suffix(raw))

    @answers
    def summary(self) -> str | None:
        raw = self.ctx.meta_or_jsonld(("og:description", "description", "twitter:description"), "description")
        return clean_text(raw) if isinstance(raw, str) else None

    @answers
    def published_at(self) -> str | None:
        raw = self.ctx.meta_or_jsonld(("article:published_time", "datepublished", "pubdate"), "datePublished")
        return self.date(raw) if isinstance(raw, str) else None

    @answers
    def modified_at(self) -> str | None:
        raw = self.ctx.meta_or_jsonld(
            ("article:modified_time", "og:updated_time", "datemodified"), "dateModified"
        )
        return self.date(raw) if isinstance(raw, str) else None

    @answers
    def authors(self) -> list[str] | None:
        # A meta author may list several people: "Khải Minh, Đức Thắng".
        names = [
            clean_text(name)
            for key in ("author", "article:author")
            for value in self.ctx.meta.get(key, ())
            if "://" not in value
            for name in patterns.split_names(value)
        ]
        names.extend(n for value in self.ctx.jsonld_values("author") for n in _names(value))
        return list(dict.fromkeys(n for n in names if n)) or None

    @answers
    def tags(self) -> list[str] | None:
        tags = [clean_text(t) for t in self.ctx.meta.get("article:tag", ())]
        return list(dict.fromkeys(t for t in tags if t)) or None

    @answers
    def translations(self) -> dict[str, str] | None:
        return self.ctx.alternates or None

    @answers
    def is_article(self) -> bool | None:
        og_type = self.ctx.first_meta("og:type")
        if og_type:
            return og_type.strip().lower() == "article"
        return True if self.ctx.jsonld else None
