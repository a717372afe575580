"""Layer 3: text patterns over the whole page — for markup the site selectors do not know."""

from __future__ import annotations

from functools import cached_property

from parsel import Selector

from newscrawl.extract import patterns
from newscrawl.extract.base import Layer, element_text
from newscrawl.normalize.text import clean_text, dedouble_outlet
from newscrawl.sites import vietnamvn as site
from newscrawl.urls import ARTICLE, CATEGORY, TAG

# Elements with a text holding a date, after the headline: the anchors of the outlet/date line.
_HOLDS_DATE = "[not(self::script)][text()[contains(., '/20') or contains(., '-20')]]"
_DATE_HOLDERS = "//*" + _HOLDS_DATE
_AFTER_HEADLINE = "(//h1)[1]/following::*" + _HOLDS_DATE
_DATE_HOLDERS_TRIED = 3
_MAX_LINE = 200
_ANCESTOR_LEVELS = 3
# Links outside the page chrome and outside paragraphs (where keywords are auto-linked).
_CONTENT_LINKS = "//a[@href][not(ancestor::*[{}])]".format(
    " or ".join(
        [f"self::{tag}" for tag in (*site.LISTING_EXCLUDED_AREAS, "p", "li", "h1", "h2", "h3")]
        + [f"contains(@class, '{name}')" for name in site.LISTING_EXCLUDED_CLASSES]
    )
)


class TextPatternLayer(Layer):
    """Fields recognised by the shape of their text, wherever the page puts them."""

    name = "patterns"

    @cached_property
    def _dateline(self) -> tuple[str | None, str | None]:
        """``(outlet as shown, date text)``: the smallest element around a date reading as a dateline."""
        holders = self.ctx.selector.xpath(_AFTER_HEADLINE) or self.ctx.selector.xpath(_DATE_HOLDERS)
        bare_date = None
        for holder in holders[:_DATE_HOLDERS_TRIED]:
            ancestors = holder.xpath(f"ancestor::*[position() < {_ANCESTOR_LEVELS}]")
            for element in [holder, *reversed(ancestors)]:
                line = clean_text(element.xpath("string()").get())
                if len(line) > _MAX_LINE:
                    break
                if patterns.is_dateline(line):
                    return patterns.outlet_and_date(line) or (None, None)
                if bare_date is None and patterns.is_bare_date(line):
                    bare_date = line
        return None, bare_date

    @cached_property
    def _content_links(self) -> list[tuple[Selector, str, str]]:
        """``(node, kind, slug)`` of the site links in the article's own area."""
        found = []
        for node in self.ctx.selector.xpath(_CONTENT_LINKS):
            target = self.ctx.mapper.parse(node.attrib.get("href"), self.ctx.url)
            if target is not None and target.kind in (CATEGORY, TAG):
                found.append((node, target.kind, target.slug))
        return found

    def title(self) -> str | None:
        raw = self.ctx.selector.xpath("//title/text()").get()
        title = clean_text(patterns.strip_title_suffix(raw or ""))
        if title:
            return title
        h1 = self.ctx.selector.xpath("//h1")
        return element_text(h1[0]) if h1 else None

    def source_name(self) -> str | None:
        outlet = self._dateline[0]
        return dedouble_outlet(outlet) if outlet else None

    def published_at(self) -> str | None:
        return self.date(self._dateline[1])

    def source_url(self) -> str | None:
        for node in self.ctx.selector.xpath("//body//*[self::p or self::div or self::span][a]"):
            line = clean_text(node.xpath("string()").get())
            if len(line) <= _MAX_LINE and patterns.is_source_line(line):
                for href in node.xpath(".//a/@href").getall():
                    if href.startswith(("http://", "https://")):
                        return href
        return None

    def tags(self) -> list[str] | None:
        names = (element_text(node) for node, kind, _ in self._content_links if kind == TAG)
        return list(dict.fromkeys(name for name in names if name)) or None

    def sections(self) -> list[str] | None:
        slugs = (slug for _, kind, slug in self._content_links if kind == CATEGORY)
        return list(dict.fromkeys(slugs)) or None

    def translations(self) -> dict[str, str] | None:
        here = self.ctx.mapper.parse(self.ctx.url)
        if here is None or here.kind != ARTICLE:
            return None
        links = [node for node in self.ctx.selector.xpath("//a[@href]") if _same_slug(node, here.slug)]
        return self.ctx.article_links(links) or None


def _same_slug(node: Selector, slug: str) -> bool:
    href = node.attrib.get("href", "")
    return href.rstrip("/").split("?")[0].split("#")[0].endswith("/" + slug)
