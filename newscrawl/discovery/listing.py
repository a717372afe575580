"""Listing pages: which links are the listing's articles, and where the next page is.

Pagination is recognised whatever shape it takes: ``rel=next``, a numbered pager,
``?page=N``, ``/page/N``, or a "next"/"load more" link in one of the site's languages. The
site's selectors, labels and page-number shapes come from its profile: the mapper's for a
listing page, the URL's own for a listing URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl

from parsel import Selector

from newscrawl.extract.base import element_text, in_chrome
from newscrawl.normalize.dates import parse_date
from newscrawl.sites.profile import SiteProfile
from newscrawl.urls import ARTICLE, CATEGORY, SiteUrl, UrlMapper, last_segment

_PAGE_NUMBER = re.compile(r"[0-9]{1,7}")  # ASCII digits only: "²".isdigit() is True


def page_number(url: SiteUrl) -> int:
    """The page a listing URL names (1 when it names none)."""
    grammar = url.site.urls
    found = grammar.page_path.search(url.path)
    if found:
        return int(found.group(1))
    for key, value in parse_qsl(url.query):
        if key.lower() in grammar.page_query_keys and _PAGE_NUMBER.fullmatch(value):
            return int(value)
    return 1


def listing_base(url: SiteUrl) -> str:
    """Path of a listing's first page (``/en/category/x`` for ``/en/category/x/page/3``)."""
    found = url.site.urls.page_path.search(url.path)
    return url.path[: found.start()] if found else url.path


@dataclass(frozen=True, slots=True)
class ListingItem:
    """An article link of a listing, with the date the listing shows for it (if any)."""

    url: SiteUrl
    listed_on: date | None


def listing_items(selector: Selector, page: SiteUrl, mapper: UrlMapper, page_url: str) -> list[ListingItem]:
    """The listing's own article links in page order (same language), with their listed dates."""
    items: dict[str, ListingItem] = {}
    site = mapper.site
    for css in site.listing_links:
        for node in selector.css(css):
            if in_chrome(node.root, site):
                continue
            target = mapper.parse(node.attrib.get("href"), page_url)
            if target is None or target.kind != ARTICLE or target.lang != page.lang:
                continue
            if target.path not in items:
                items[target.path] = ListingItem(target, _listed_on(node, page.lang, site))
        if items:
            break
    return list(items.values())


def _listed_on(link: Selector, lang: str, site: SiteProfile) -> date | None:
    # The date sits beside the link inside its item: look in the nearest ancestors, but never
    # in one that holds another item's link (that would be the whole list).
    own = last_segment(link.attrib.get("href", ""))
    links = ", ".join(site.listing_links)
    for ancestor in link.xpath("ancestor::*[position() <= 3]")[::-1]:
        if any(last_segment(other) != own for other in ancestor.css(links).xpath("@href").getall()):
            return None
        for css in site.listing_dates:
            text = ancestor.css(css)
            if text:
                iso = parse_date(element_text(text[0], site), lang, tz=site.timezone)
                if iso:
                    return date.fromisoformat(iso[:10])
    return None


def next_page(selector: Selector, page: SiteUrl, mapper: UrlMapper, page_url: str) -> SiteUrl | None:
    """The listing page after ``page``, or None on the last page."""
    current = page_number(page)
    base = listing_base(page)

    def onward(href: str | None) -> SiteUrl | None:
        target = mapper.parse(href, page_url)
        if target is None or target.kind != CATEGORY or listing_base(target) != base:
            return None
        return target if page_number(target) > current else None

    rel_next = "//link[@rel='next']/@href | //a[contains(concat(' ', @rel, ' '), ' next ')]/@href"
    for href in selector.xpath(rel_next).getall():
        if found := onward(href):
            return found
    by_page: dict[int, SiteUrl] = {}
    labelled: SiteUrl | None = None
    site = mapper.site
    hints = site.next_page_classes + site.load_more_classes
    for node in selector.xpath("//a[@href]"):
        target = onward(node.attrib.get("href"))
        if target is None:
            continue
        by_page.setdefault(page_number(target), target)
        if labelled is None:
            classes = (node.attrib.get("class") or "").lower()
            hinted = any(hint in classes for hint in hints)
            if hinted or element_text(node, site).lower() in site.labels.next_page:
                labelled = target
    if current + 1 in by_page:
        return by_page[current + 1]
    if labelled is not None:
        return labelled
    return by_page[min(by_page)] if by_page else None


def says_empty(selector: Selector, site: SiteProfile) -> bool:
    """True when the page shows one of the site's "no posts yet" messages outside its chrome
    (header, menus, footer): the category has no articles, as opposed to a listing gone wrong."""
    labels = site.labels.empty_listing
    for element in selector.root.iter():
        text = element.text
        if not text or not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        said = " ".join(text.split()).lower()
        if any(label in said for label in labels) and not in_chrome(element, site):
            return True
    return False


def has_load_more_button(selector: Selector, site: SiteProfile) -> bool:
    """A "load more" control that fetches items with JavaScript (a button, or a link without href)."""
    for node in selector.xpath("//button | //a[not(@href)] | //*[@role='button']"):
        classes = (node.attrib.get("class") or "").lower()
        if any(hint in classes for hint in site.load_more_classes):
            return True
        if element_text(node, site).lower() in site.labels.next_page:
            return True
    return False
