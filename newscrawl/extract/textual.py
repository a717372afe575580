"""Layer 3: text patterns over the whole page — for markup the site selectors do not know."""

from __future__ import annotations

from functools import cached_property

from parsel import Selector

from newscrawl.extract import patterns
from newscrawl.extract.base import Layer, element_text
from newscrawl.normalize.text import clean_text, dedouble_outlet
from newscrawl.urls import ARTICLE

# Text nodes holding a date: the anchor of the outlet/date line.
_DATE_TEXT_NODES = "//body//text()[contains(., '/20') or contains(., '-20')][not(ancestor::script)]"
_MAX_LINE = 200
_ANCESTOR_LEVELS = 3


class TextPatternLayer(Layer):
    """Fields recognised by the shape of their text, wherever the page puts them."""

    name = "patterns"

    @cached_property
    def _dateline(self) -> tuple[str, str] | None:
        # The smallest element around a date text that reads as "OUTLET…date" is the dateline.
        for text_node in self.ctx.selector.xpath(_DATE_TEXT_NODES):
            for level in range(1, _ANCESTOR_LEVELS + 1):
                element = text_node.xpath(f"ancestor::*[{level}]")
                if not element:
                    break
                line = clean_text(element[0].xpath("string()").get())
                if len(line) > _MAX_LINE:
                    break
                found = patterns.outlet_and_date(line)
                if found and patterns.is_dateline(line):
                    return found
        return None

    def title(self) -> str | None:
        raw = self.ctx.selector.xpath("//title/text()").get()
        title = clean_text(patterns.strip_title_suffix(raw or ""))
        if title:
            return title
        h1 = self.ctx.selector.xpath("//h1")
        return element_text(h1[0]) if h1 else None

    def source_name(self) -> str | None:
        return dedouble_outlet(self._dateline[0]) if self._dateline else None

    def published_at(self) -> str | None:
        return self.date(self._dateline[1]) if self._dateline else None

    def source_url(self) -> str | None:
        for node in self.ctx.selector.xpath("//body//*[self::p or self::div or self::span][a]"):
            line = clean_text(node.xpath("string()").get())
            if len(line) <= _MAX_LINE and patterns.is_source_line(line):
                for href in node.xpath(".//a/@href").getall():
                    if href.startswith(("http://", "https://")):
                        return href
        return None

    def translations(self) -> dict[str, str] | None:
        here = self.ctx.mapper.parse(self.ctx.url)
        if here is None or here.kind != ARTICLE:
            return None
        links = [
            node
            for node in self.ctx.selector.xpath("//a[@href]")
            if _same_slug(node, here.slug)
        ]
        return self.ctx.article_links(links) or None


def _same_slug(node: Selector, slug: str) -> bool:
    href = node.attrib.get("href", "")
    return href.rstrip("/").split("?")[0].split("#")[0].endswith("/" + slug)
