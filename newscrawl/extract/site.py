"""Layer 2: the site's own markup — the selectors of the vietnam.vn profile."""

from __future__ import annotations

from functools import cached_property

from parsel import Selector

from newscrawl.extract import patterns
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
    def _dateline(self) -> tuple[str | None, str | None]:
        """``(outlet as shown, date text)`` from the source and date elements."""
        outlet = date = None
        for css in _SELECTORS["source"]:
            for node in self._container.css(css):
                # string() runs the logo and name together as the site shows them: "ZNewsZNews".
                line = clean_text(node.xpath("string()").get())
                found = patterns.outlet_and_date(line)
                if found:
                    return found
                if outlet is None and patterns.is_outlet_name(line):
                    outlet = line
        node = first_css(self._container, _SELECTORS["date"])
        if node is not None:
            date = node.attrib.get("datetime") or clean_text(node.xpath("string()").get())
        return outlet, date

    def title(self) -> str | None:
        node = first_css(self._container, _SELECTORS["title"])
        return element_text(node) if node is not None else None

    def summary(self) -> str | None:
        node = first_css(self._container, _SELECTORS["summary"])
        return element_text(node) if node is not None else None

    def body_container_empty(self) -> bool:
        """The site's body element is there but holds no text: it is filled in by scripts."""
        return self._body_element is not None and self._body_parts is None

    def body_parts(self) -> BodyParts | None:
        if self._body_element is None:
            return None
        return self.assemble_body(self._body_element.root)

    def source_url(self) -> str | None:
        parts = self._body_parts
        return parts.source_url if parts else None

    def source_name(self) -> str | None:
        outlet = self._dateline[0]
        return dedouble_outlet(outlet) if outlet else None

    def published_at(self) -> str | None:
        return self.date(self._dateline[1])

    def authors(self) -> list[str] | None:
        for css in _SELECTORS["authors"]:
            for node in self._container.css(css):
                # A byline of links names one person per link; plain text lists them with commas.
                linked = texts(node, "a")
                names = linked or patterns.split_names(element_text(node))
                if names:
                    return names
        return None

    def tags(self) -> list[str] | None:
        for css in _SELECTORS["tags"]:
            found = texts(self._container, css)
            if found:
                return found
        return None

    def sections(self) -> list[str] | None:
        """Category slugs of the breadcrumb, in page order."""
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
