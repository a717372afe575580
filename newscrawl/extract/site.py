"""Layer 2: the site's own markup — the selectors of the vietnam.vn profile."""

from __future__ import annotations

from functools import cached_property

from parsel import Selector

from newscrawl.extract import blocks, patterns
from newscrawl.extract.base import Layer, element_text, first_css, texts
from newscrawl.extract.blocks import BodyParts
from newscrawl.normalize.text import clean_text, dedouble_outlet
from newscrawl.sites import vietnamvn as site
from newscrawl.urls import CATEGORY

_SELECTORS = site.ARTICLE_SELECTORS


class SiteLayer(Layer):
    """Fields read from the elements the site's templates use."""

    name = "selectors"

    @cached_property
    def _container(self) -> Selector:
        return first_css(self.ctx.selector, _SELECTORS["container"]) or self.ctx.selector

    @cached_property
    def _body_element(self) -> Selector | None:
        return first_css(self._container, _SELECTORS["body"])

    @cached_property
    def _dateline(self) -> tuple[str, str] | None:
        node = first_css(self._container, _SELECTORS["source"])
        if node is None:
            return None
        return patterns.outlet_and_date(clean_text(node.xpath("string()").get()))

    def title(self) -> str | None:
        node = first_css(self._container, _SELECTORS["title"])
        return element_text(node) if node is not None else None

    def summary(self) -> str | None:
        node = first_css(self._container, _SELECTORS["summary"])
        return element_text(node) if node is not None else None

    def body_parts(self) -> BodyParts | None:
        if self._body_element is None:
            return None
        return blocks.assemble(
            blocks.walk(self._body_element.root, self.ctx.url),
            self.ctx.url,
            title=self.resolved.get("title", ""),
            summary=self.resolved.get("summary", ""),
        )

    def source_url(self) -> str | None:
        parts = self._body_parts
        return parts.source_url if parts else None

    def source_name(self) -> str | None:
        return dedouble_outlet(self._dateline[0]) if self._dateline else None

    def published_at(self) -> str | None:
        if self._dateline:
            return self.date(self._dateline[1])
        stamp = self._container.css("time::attr(datetime)").get()
        return self.date(stamp)

    def authors(self) -> list[str] | None:
        for css in _SELECTORS["authors"]:
            found = texts(self._container, css)
            if found:
                return found
        return None

    def tags(self) -> list[str] | None:
        for css in _SELECTORS["tags"]:
            found = texts(self._container, css)
            if found:
                return found
        return None

    def sections(self) -> list[str] | None:
        slugs: list[str] = []
        for css in _SELECTORS["breadcrumb"]:
            for node in self.ctx.selector.css(css):
                target = self.ctx.mapper.parse(node.attrib.get("href"), self.ctx.url)
                if target is not None and target.kind == CATEGORY and target.slug not in slugs:
                    slugs.append(target.slug)
            if slugs:
                return slugs
        return None

    def translations(self) -> dict[str, str] | None:
        return self.ctx.article_links(self.ctx.selector.xpath("//a[@hreflang][@href]")) or None
