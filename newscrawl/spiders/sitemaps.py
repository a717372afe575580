"""The crawl's second discovery path: robots.txt → sitemaps (index, days, categories) and each
language's RSS feed. It finds what listings miss (unlisted articles, languages, categories)
and, in incremental runs, skips the sitemaps and feeds that did not change.

A mixin of the site's spider: the article requests, the state and the URL mapper are the
spider's (see ``newscrawl.spiders.vietnamvn``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response, TextResponse

from newscrawl import stats as keys
from newscrawl.discovery.ledger import FEED, SITEMAP
from newscrawl.discovery.sitemaps import CATEGORIES, DAY, SKIPPED, parse_feed, parse_sitemap, sitemap_kind
from newscrawl.middlewares import VALIDATORS
from newscrawl.urls import CATEGORY, SiteUrl

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newscrawl.arguments import CrawlArguments
    from newscrawl.sites.profile import SiteProfile
    from newscrawl.state import StateStore
    from newscrawl.state.keeper import StateKeeper
    from newscrawl.urls import UrlMapper


class SitemapsAndFeeds:
    """Callbacks for robots.txt, sitemaps and feeds; every URL they find goes to the spider."""

    if TYPE_CHECKING:  # what the spider provides
        crawler: Crawler
        site: SiteProfile
        mapper: UrlMapper
        args: CrawlArguments
        use_sitemaps: bool
        lastmod_margin: float

        @property
        def keeper(self) -> StateKeeper | None: ...
        @property
        def store(self) -> StateStore | None: ...
        @property
        def incremental(self) -> bool: ...
        def _previous_run(self) -> tuple[float, float] | None: ...
        def _path_request(self, path: str, callback: Any, **meta: Any) -> scrapy.Request | None: ...
        def _new_languages(self, links: Iterable[SiteUrl]) -> Iterator[scrapy.Request]: ...
        def _new_categories(self, slugs: Iterable[str]) -> Iterator[scrapy.Request]: ...
        def _articles(
            self, urls: Iterable[tuple[SiteUrl, float | None]], via: str, found_under: str | None = None
        ) -> Iterator[scrapy.Request]: ...

    def _resource_request(self, loc: str, callback: Any) -> scrapy.Request | None:
        """A sitemap or feed request, conditional on what the last run saw of it."""
        request = self._path_request(loc, callback)
        if request is None:
            return None
        request.meta["handle_httpstatus_list"] = [304]
        known = self.store.resource(request.meta["site_url"].canonical) if self.store else None
        if known is not None and self.args.mode == "incremental":
            request.meta[VALIDATORS] = (known.etag, known.last_modified)
        return request

    def _feed(self, lang_home: str) -> scrapy.Request | None:
        """The RSS feed of the language whose home is at ``lang_home``."""
        return self._resource_request(self.site.discovery.feed.format(home=lang_home), self.parse_feed)

    def robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """robots.txt was read for the crawl origin: queue the sitemaps it names."""
        if not self.use_sitemaps:
            return
        protego = getattr(robotparser, "rp", None)
        self._queue_sitemaps(list(getattr(protego, "sitemaps", ()) or ()))

    def parse_robots(self, response: Response) -> None:
        """robots.txt fetched by us (when Scrapy does not obey it): queue its sitemaps."""
        lines = response.text.splitlines() if isinstance(response, TextResponse) else []
        named = [line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("sitemap:")]
        self._queue_sitemaps(named)

    def _queue_sitemaps(self, locations: list[str]) -> None:
        for loc in locations or [self.site.discovery.sitemap]:
            request = self._resource_request(loc, self.parse_sitemap)
            if request is not None:
                self.crawler.engine.crawl(request)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow a sitemap index's changed sitemaps; request a urlset's articles worth fetching."""
        if self._not_modified(response):
            return
        kind, entries = parse_sitemap(response.body)
        self.crawler.stats.inc_value(keys.SITEMAPS_READ)
        if kind == "sitemapindex":
            yield from self._changed_sitemaps(entries)
            return
        urls = [(self.mapper.parse(e.loc), e.lastmod) for e in entries]
        alternates = [(self.mapper.parse(a), e.lastmod) for e in entries for a in e.alternates]
        site_urls = [(u, lastmod) for u, lastmod in urls + alternates if u is not None]
        if self.keeper is not None:
            self.keeper.record_sitemap_lastmods((u.canonical, m) for u, m in site_urls if m is not None)
        yield from self._new_languages(u for u, _ in site_urls)
        yield from self._new_categories(u.slug for u, _ in site_urls if u.kind == CATEGORY)
        yield from self._articles(site_urls, SITEMAP)

    def _changed_sitemaps(self, entries: list[Any]) -> Iterator[scrapy.Request]:
        previous = self._previous_run() if self.incremental else None
        # The margin absorbs clock skew between the site and us; the request is conditional.
        unchanged_before = previous[0] - self.lastmod_margin if previous is not None else None
        for entry in entries:
            url = self.mapper.parse(entry.loc)
            if url is None or not self._wants_sitemap(url):
                continue
            if (
                unchanged_before is not None
                and entry.lastmod is not None
                and entry.lastmod <= unchanged_before
            ):
                self.crawler.stats.inc_value(keys.SITEMAPS_UNCHANGED)
                continue
            request = self._resource_request(entry.loc, self.parse_sitemap)
            if request is not None:
                request.meta["lastmod"] = entry.lastmod
                yield request

    def _wants_sitemap(self, url: SiteUrl) -> bool:
        """False for sitemaps of no use to this crawl: skipped kinds, other sections, older days."""
        kind, day = sitemap_kind(url.path, self.site.discovery)
        if kind == SKIPPED or (kind == CATEGORIES and self.args.sections is not None):
            return False
        since = self.args.since
        return not (kind == DAY and since is not None and day is not None and date.fromisoformat(day) < since)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """Request the articles of an RSS/Atom feed that are worth fetching."""
        if self._not_modified(response):
            return
        self.crawler.stats.inc_value(keys.FEEDS_READ)
        urls = [(self.mapper.parse(e.loc), None) for e in parse_feed(response.body)]
        yield from self._articles(((u, m) for u, m in urls if u is not None), FEED)

    def _not_modified(self, response: Response) -> bool:
        """Have a sitemap's or feed's validators recorded; True when it did not change (304)."""
        if response.status == 304:
            self.crawler.stats.inc_value(keys.SITEMAPS_NOT_MODIFIED)
            return True
        if self.keeper is not None:
            self.keeper.record_resource(
                response.meta["site_url"].canonical, response, response.meta.get("lastmod")
            )
        return False
