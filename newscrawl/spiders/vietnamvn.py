"""Crawl logic for vietnam.vn: language homes → categories → listing pages → articles.

Only decisions about what to fetch live here; reading pages is ``newscrawl.extract``'s job
and building records is ``newscrawl.loaders``'.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from newscrawl.arguments import CrawlArguments, parse_arguments
from newscrawl.extract.article import extract_article
from newscrawl.extract.context import PageContext
from newscrawl.extract.listing import listing_items, next_page, page_number
from newscrawl.items import ArticleItem
from newscrawl.loaders import load_article
from newscrawl.sites import vietnamvn as site
from newscrawl.urls import ARTICLE, CATEGORY, HOME, SiteUrl, UrlMapper

STATS = "newscrawl"


class VietnamVnSpider(scrapy.Spider):
    """Walks every selected language's categories, page by page, and emits one record per article."""

    name = "vietnamvn"
    # Our `crawl` command checks the arguments before starting (see newscrawl.commands.crawl).
    validates_arguments = True

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        self.args: CrawlArguments = parse_arguments(kwargs)
        super().__init__(name)
        self.mapper = UrlMapper(self.args.base_url)
        self.langs: set[str] = set(self.args.langs or ())
        self.categories: set[str] = set()
        self._listings_started: set[tuple[str, str]] = set()

    # --- requests ---------------------------------------------------------------------

    def _request(self, url: SiteUrl, callback: Any, **meta: Any) -> scrapy.Request:
        return scrapy.Request(self.mapper.fetch_url(url), callback=callback, meta={"site_url": url, **meta})

    def _home(self, lang: str) -> scrapy.Request:
        url = self.mapper.parse(self.mapper.home_path(lang) or "/")
        assert url is not None
        return self._request(url, self.parse_home)

    def _article(self, url: SiteUrl, found_under: str | None = None) -> scrapy.Request:
        return self._request(url, self.parse_article, found_under=[found_under] if found_under else [])

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Each selected language's home; with ``langs=all``, the Vietnamese home finds the rest."""
        for lang in self.args.langs or (site.DEFAULT_LANG,):
            yield self._home(lang)

    def _new_languages(self, links: list[SiteUrl]) -> Iterator[scrapy.Request]:
        if self.args.langs is not None:
            return
        for url in links:
            if url.kind == HOME and url.lang not in self.langs and url.lang in site.LANGUAGES:
                self.langs.add(url.lang)
                self.crawler.stats.inc_value(f"{STATS}/discovered/languages")
                yield self._home(url.lang)
                yield from self._listings(langs=[url.lang], slugs=sorted(self.categories))

    def _new_categories(self, links: list[SiteUrl]) -> Iterator[scrapy.Request]:
        fresh = sorted({u.slug for u in links if u.kind == CATEGORY} - self.categories)
        for slug in fresh:
            self.categories.add(slug)
            self.crawler.stats.inc_value(f"{STATS}/discovered/categories")
        yield from self._listings(langs=sorted(self.langs), slugs=fresh)

    def _listings(self, langs: list[str], slugs: list[str]) -> Iterator[scrapy.Request]:
        # A category found in one language is walked in every selected language.
        for lang in langs:
            for slug in slugs:
                if (lang, slug) in self._listings_started or not self.args.wants_section(slug):
                    continue
                self._listings_started.add((lang, slug))
                url = self.mapper.parse(self.mapper.category_path(lang, slug))
                assert url is not None
                yield self._request(url, self.parse_listing, category=slug, page_no=1)

    def _links(self, response: TextResponse) -> list[SiteUrl]:
        found = (self.mapper.parse(href, response.url) for href in response.xpath("//a/@href").getall())
        return [url for url in found if url is not None]

    def _discover(self, response: TextResponse) -> tuple[list[SiteUrl], Iterator[scrapy.Request]]:
        links = self._links(response)

        def requests() -> Iterator[scrapy.Request]:
            yield from self._new_languages(links)
            yield from self._new_categories(links)

        return links, requests()

    def _other_articles(self, links: list[SiteUrl]) -> Iterator[scrapy.Request]:
        # Links outside a listing's own items (home page, "most read" boxes) add coverage,
        # unless the user asked for some sections only.
        if self.args.sections is not None:
            return
        for url in links:
            if url.kind == ARTICLE and url.lang in self.langs:
                yield self._article(url)

    # --- callbacks --------------------------------------------------------------------

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        """Discover languages and categories from a home page's navigation."""
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value(f"{STATS}/skipped/not_html")
            return
        lang = response.meta["site_url"].lang
        self.langs.add(lang)
        links, requests = self._discover(response)
        yield from requests
        yield from self._other_articles(links)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """Request a listing page's articles and its next page."""
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value(f"{STATS}/skipped/not_html")
            return
        page: SiteUrl = response.meta["site_url"]
        slug, page_no = response.meta["category"], response.meta["page_no"]
        self.crawler.stats.inc_value(f"{STATS}/listing_pages")
        links, requests = self._discover(response)
        yield from requests
        items = listing_items(response.selector, page, self.mapper, response.url)
        since = self.args.since
        for item in items:
            if since and item.listed_on and item.listed_on < since:
                self.crawler.stats.inc_value(f"{STATS}/skipped/older_than_since")
                continue
            yield self._article(item.url, found_under=slug)
        yield from self._other_articles(links)
        all_older = since is not None and items and all(i.listed_on and i.listed_on < since for i in items)
        limit = self.args.max_pages or self.settings.getint("NEWSCRAWL_MAX_LISTING_PAGES")
        if all_older or page_no >= limit:
            return
        following = next_page(response.selector, page, self.mapper, response.url)
        if following is not None and page_number(following) > page_number(page):
            yield self._request(following, self.parse_listing, category=slug, page_no=page_no + 1)

    def parse_article(self, response: Response) -> Iterator[ArticleItem | scrapy.Request]:
        """Extract the article; follow its translations and categories."""
        stats = self.crawler.stats
        if not isinstance(response, TextResponse):
            stats.inc_value(f"{STATS}/skipped/not_html")
            return
        url: SiteUrl = response.meta["site_url"]
        ctx = PageContext(response.selector, response.url, url.lang, response.text, self.mapper)
        extraction = extract_article(ctx)
        for field, layer in extraction.layers.items():
            stats.inc_value(f"{STATS}/field/{field}/{layer}")
        for lang, target in (extraction.fields.get("translations") or {}).items():
            if lang in self.langs:
                translated = self.mapper.parse(target)
                if translated is not None:
                    yield self._article(translated)
        yield from self._listings(langs=sorted(self.langs), slugs=self._fresh(extraction.fields))
        if not extraction.is_article:
            stats.inc_value(f"{STATS}/skipped/not_article")
            return
        record = load_article(url, extraction, response.meta.get("found_under", []))
        if self._too_old(record["published_at"]):
            stats.inc_value(f"{STATS}/skipped/older_than_since")
            return
        if self.args.sections is not None and self.args.sections.isdisjoint(record["sections"]):
            stats.inc_value(f"{STATS}/skipped/other_section")
            return
        stats.inc_value(f"{STATS}/articles/{url.lang}")
        yield ArticleItem(record)

    def _fresh(self, fields: dict[str, Any]) -> list[str]:
        fresh = [slug for slug in fields.get("sections") or () if slug not in self.categories]
        self.categories.update(fresh)
        return fresh

    def _too_old(self, published_at: str | None) -> bool:
        since: date | None = self.args.since
        return bool(since and published_at and date.fromisoformat(published_at[:10]) < since)
