"""Layer 2: the site's own markup — the selectors of the page's site profile."""

from __future__ import annotations

from functools import cache, cached_property

from lxml import etree

from newscrawl.extract import patterns
from newscrawl.extract.base import BodyLayer, DatelineLayer, node_text, texts
from newscrawl.extract.blocks import BodyParts
from newscrawl.extract.fields import answers, vetoes
from newscrawl.extract.select import Css
from newscrawl.extract.tree import string_value
from newscrawl.normalize.text import clean_text
from newscrawl.sites.profile import SiteProfile
from newscrawl.urls import CATEGORY


@cache
def article_selectors(site: SiteProfile) -> dict[str, tuple[Css, ...]]:
    """The profile's article selectors by role, compiled once per profile."""
    return {name: tuple(map(Css, candidates)) for name, candidates in site.article.items()}


# Links of the language switcher (plain strings: no element objects to build).
_HREFLANG_HREFS = etree.XPath("//a[@hreflang]/@href", smart_strings=False)


class SiteLayer(BodyLayer, DatelineLayer):
    """Fields read from the elements the site's templates use."""

    name = "selectors"

    @cached_property
    def _selectors(self) -> dict[str, tuple[Css, ...]]:
        return article_selectors(self.ctx.site)

    @cached_property
    def _container(self) -> etree._Element:
        found = self.ctx.first(self._selectors["container"])
        return found if found is not None else self.ctx.root

    @cached_property
    def _body_element(self) -> etree._Element | None:
        return self.ctx.first(self._selectors["body"], self._container)

    def _first(self, name: str) -> etree._Element | None:
        return self.ctx.first(self._selectors[name], self._container)

    @cached_property
    def _dateline(self) -> tuple[str | None, str | None]:
        """``(outlet as shown, date text)`` from the source and date elements."""
        outlet = date = None
        for css in self._selectors["source"]:
            for node in self.ctx.select(css, self._container):
                # string() runs the logo and name together as the site shows them: "ZNewsZNews".
                line = clean_text(string_value(node))
                found = patterns.outlet_and_date(line)
                if found:
                    return found
                if outlet is None and patterns.is_outlet_name(line):
                    outlet = line
        node = self._first("date")
        if node is not None:
            date = node.get("datetime") or clean_text(string_value(node))
        return outlet, date

    @answers
    def title(self) -> str | None:
        node = self._first("title")
        return node_text(node, self.ctx.site) if node is not None else None

    @answers
    def summary(self) -> str | None:
        node = self._first("summary")
        return node_text(node, self.ctx.site) if node is not None else None

    @vetoes("body")
    def body_container_empty(self) -> bool:
        """The site's body element is there but holds no text: it is filled in by scripts, and
        what a later layer would take for the body (by text density) is page chrome."""
        return self._body_element is not None and self._body_parts is None

    def body_parts(self) -> BodyParts | None:
        if self._body_element is None:
            return None
        return self.assemble_body(self._body_element)

    @answers
    def source_url(self) -> str | None:
        parts = self._body_parts
        return parts.source_url if parts else None

    @answers
    def authors(self) -> list[str] | None:
        for css in self._selectors["authors"]:
            for node in self.ctx.select(css, self._container):
                # A byline of links names one person per link; plain text lists them with commas.
                linked = texts(node.iter("a"), self.ctx.site)
                names = linked or patterns.split_names(node_text(node, self.ctx.site))
                if names:
                    return names
        return None

    @answers
    def tags(self) -> list[str] | None:
        for css in self._selectors["tags"]:
            found = texts(self.ctx.select(css, self._container), self.ctx.site)
            if found:
                return found
        return None

    @answers
    def sections(self) -> list[str] | None:
        """Category slugs of the breadcrumb, in page order."""
        slugs: list[str] = []
        for css in self._selectors["breadcrumb"]:
            for node in self.ctx.select(css):
                target = self.ctx.mapper.parse(node.get("href"), self.ctx.url)
                if target is not None and target.kind == CATEGORY and target.slug not in slugs:
                    slugs.append(target.slug)
            if slugs:
                return slugs
        return None

    @answers
    def translations(self) -> dict[str, str] | None:
        return self.ctx.article_links(_HREFLANG_HREFS(self.ctx.root)) or None
