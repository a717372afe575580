"""Layer 3: text patterns over the whole page — for markup the site selectors do not know."""

from __future__ import annotations

from functools import cache, cached_property
from itertools import islice

from lxml import etree

from newscrawl.extract import patterns
from newscrawl.extract.base import DatelineLayer, node_text, page_chrome
from newscrawl.extract.context import PageContext
from newscrawl.extract.fields import answers
from newscrawl.extract.tree import string_value
from newscrawl.normalize.text import clean_text
from newscrawl.sites.profile import SiteProfile
from newscrawl.urls import ARTICLE, CATEGORY, TAG, last_segment

# Elements with a text holding a date, after the headline: the anchors of the outlet/date line.
_HOLDS_DATE = "[not(self::script)][text()[contains(., '/20') or contains(., '-20')]]"
_DATE_HOLDERS = etree.XPath("//*" + _HOLDS_DATE)
_AFTER_HEADLINE = etree.XPath("(//h1)[1]/following::*" + _HOLDS_DATE)
_DATE_HOLDERS_TRIED = 3
_MAX_LINE = 200
_ANCESTOR_LEVELS = 2
_TITLE_TEXT = etree.XPath("//title/text()", smart_strings=False)
# Elements that may hold a source line: a paragraph, div or span in the body with a link of its
# own. Found from the links up (the union is in page order): far cheaper than testing every element.
_SOURCE_LINE_HOLDERS = etree.XPath("//body//a/parent::p | //body//a/parent::div | //body//a/parent::span")
_LINK_HREFS = etree.XPath(".//a/@href", smart_strings=False)
_LINK_HREFS_ALL = etree.XPath("//a/@href", smart_strings=False)
# Links inside page chrome (base.Chrome) are not the article's, nor those inside paragraphs,
# list items and headings: auto-linked keywords and link lists.
_KEYWORD_HOLDERS = frozenset(("p", "li", "h1", "h2", "h3"))


@cache
def _skipped_tags(site: SiteProfile) -> frozenset[str]:
    return page_chrome(site).tags | _KEYWORD_HOLDERS


def content_links(ctx: PageContext) -> list[etree._Element]:
    """The page's ``<a href>`` elements with no chrome element among their ancestors, in page order.

    One walk down the page that does not enter chrome (header, footer, menus, sidebars…), nor
    paragraphs and list items, whose links are auto-linked keywords and link lists.
    """
    root = ctx.root
    found = []
    skipped_tags = _skipped_tags(ctx.site)
    chrome_class = page_chrome(ctx.site).classes
    # iterwalk's skip_subtree prunes in C what a stack of children did in Python.
    walker = etree.iterwalk(root, events=("start",), tag=etree.Element)  # elements only
    for _event, element in walker:
        tag = element.tag
        if tag == "a" and element.get("href") is not None and element is not root:
            found.append(element)
        # base.is_chrome, inlined: this runs for every element of the page.
        if tag in skipped_tags:
            walker.skip_subtree()
            continue
        classes = element.get("class")
        if classes and chrome_class.search(classes):
            walker.skip_subtree()
    return found


class TextPatternLayer(DatelineLayer):
    """Fields recognised by the shape of their text, wherever the page puts them."""

    name = "patterns"

    @cached_property
    def _dateline(self) -> tuple[str | None, str | None]:
        """``(outlet as shown, date text)``: the smallest element around a date reading as a dateline."""
        holders = _AFTER_HEADLINE(self.ctx.root) or _DATE_HOLDERS(self.ctx.root)
        bare_date = None
        for holder in holders[:_DATE_HOLDERS_TRIED]:
            for element in [holder, *islice(holder.iterancestors(), _ANCESTOR_LEVELS)]:
                line = clean_text(string_value(element))
                if len(line) > _MAX_LINE:
                    break
                if patterns.is_dateline(line):
                    return patterns.outlet_and_date(line) or (None, None)
                if bare_date is None and patterns.is_bare_date(line):
                    bare_date = line
        return None, bare_date

    @cached_property
    def _content_links(self) -> list[tuple[etree._Element, str, str]]:
        """``(node, kind, slug)`` of the site links in the article's own area."""
        found = []
        for node in content_links(self.ctx):
            target = self.ctx.mapper.parse(node.get("href"), self.ctx.url)
            if target is not None and target.kind in (CATEGORY, TAG):
                found.append((node, target.kind, target.slug))
        return found

    @answers
    def title(self) -> str | None:
        raw = next(iter(_TITLE_TEXT(self.ctx.root)), None)
        title = clean_text(patterns.for_site(self.ctx.site).strip_title_suffix(raw or ""))
        if title:
            return title
        h1 = next(self.ctx.root.iter("h1"), None)
        return node_text(h1, self.ctx.site) if h1 is not None else None

    @answers
    def source_url(self) -> str | None:
        lines = patterns.for_site(self.ctx.site)
        for node in _SOURCE_LINE_HOLDERS(self.ctx.root):
            line = clean_text(string_value(node))
            if len(line) <= _MAX_LINE and lines.is_source_line(line):
                for href in _LINK_HREFS(node):
                    if href.startswith(("http://", "https://")):
                        return href
        return None

    @answers
    def tags(self) -> list[str] | None:
        names = (node_text(node, self.ctx.site) for node, kind, _ in self._content_links if kind == TAG)
        return list(dict.fromkeys(name for name in names if name)) or None

    @answers
    def sections(self) -> list[str] | None:
        slugs = (slug for _, kind, slug in self._content_links if kind == CATEGORY)
        return list(dict.fromkeys(slugs)) or None

    @answers
    def translations(self) -> dict[str, str] | None:
        here = self.ctx.mapper.parse(self.ctx.url)
        if here is None or here.kind != ARTICLE:
            return None
        hrefs = _LINK_HREFS_ALL(self.ctx.root)
        return self.ctx.article_links(href for href in hrefs if last_segment(href) == here.slug) or None
