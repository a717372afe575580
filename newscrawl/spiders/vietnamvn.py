"""Crawl logic for vietnam.vn: language homes → categories → listing pages → articles,
plus robots.txt → sitemaps and per-language RSS feeds as a second discovery path.

Only decisions about what to fetch live here; reading pages is ``newscrawl.extract``'s job,
building records ``newscrawl.loaders``' and remembering earlier runs ``newscrawl.state``'s.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date
from typing import Any

import scrapy
from lxml import etree
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newscrawl import stats as keys
from newscrawl.arguments import CrawlArguments, parse_arguments
from newscrawl.discovery.listing import has_load_more_button, listing_items, next_page, page_number
from newscrawl.discovery.sitemaps import CATEGORIES, DAY, SKIPPED, parse_feed, parse_sitemap, sitemap_kind
from newscrawl.encoding import is_html, utf8_if_mislabelled
from newscrawl.extract.article import extract_article
from newscrawl.extract.context import PageContext
from newscrawl.items import ArticleItem, complete_record
from newscrawl.loaders import load_article
from newscrawl.normalize.text import article_id
from newscrawl.render import (
    RENDERED,
    browser_problem,
    has_scripts,
    missing_drawn_fields,
    render_meta,
    render_mode,
)
from newscrawl.sites import vietnamvn as site
from newscrawl.state import ArticleState, ResourceState, StateStore
from newscrawl.state.incremental import FETCH_NEW, SKIP_KNOWN, decide, parse_durations
from newscrawl.state.keeper import FETCH_KEY, StateKeeper, find_state
from newscrawl.urls import ARTICLE, CATEGORY, SiteUrl, UrlMapper

# Discovery paths, for the end-of-crawl report of which path found what.
VIA_LISTING, VIA_SITEMAP, VIA_FEED, VIA_LINK, VIA_STATE = "listing", "sitemap", "feed", "link", "state"
_VIA_BITS = {VIA_LISTING: 1, VIA_SITEMAP: 2, VIA_FEED: 4, VIA_LINK: 8, VIA_STATE: 16}
_REQUESTED = 32  # also kept per URL: this run has requested it
# Plain strings straight from lxml: a parsel Selector per link cost more than the link itself.
_HREFS = etree.XPath("//a/@href", smart_strings=False)
# Statuses an article request wants to see rather than have filtered out.
_ARTICLE_STATUSES = [304, 404, 410]


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
        # Article URL hash → bits of the paths that found it, and whether it was requested.
        self._found_by: dict[int, int] = {}
        self._told_rendering_off = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> VietnamVnSpider:
        """Read the incremental settings and listen for robots.txt (it names the sitemaps)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.recheck_schedule = parse_durations(settings.get("NEWSCRAWL_RECHECK_AFTER"))
        spider.known_pages_to_stop = settings.getint("NEWSCRAWL_KNOWN_PAGES_BEFORE_STOP")
        spider.lastmod_margin = parse_durations(settings.get("NEWSCRAWL_SITEMAP_LASTMOD_MARGIN"))[0]
        spider.max_listing_pages = spider.args.max_pages or settings.getint("NEWSCRAWL_MAX_LISTING_PAGES")
        spider.use_sitemaps = settings.getbool("NEWSCRAWL_SITEMAPS")
        spider.robots_obeyed = settings.getbool("ROBOTSTXT_OBEY")
        spider.render_mode = render_mode(settings)
        spider.browser_missing = browser_problem(settings)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider.report_discovery, signal=signals.spider_closed)
        return spider

    @property
    def store(self) -> StateStore | None:
        """The crawl state, or None when the state keeper is disabled."""
        return find_state(self.crawler)

    @property
    def incremental(self) -> bool:
        """True when known, unchanged articles are skipped."""
        return self.args.mode == "incremental" and self.store is not None

    def _previous_run(self) -> tuple[float, float] | None:
        """``(start, finish)`` of the last completed run (a killed run does not count)."""
        for extension in getattr(self.crawler.extensions, "middlewares", ()):
            if isinstance(extension, StateKeeper):
                return extension.previous_run
        return None

    # --- requests ---------------------------------------------------------------------

    def _request(self, url: SiteUrl, callback: Any, **meta: Any) -> scrapy.Request:
        pages = (self.parse_home, self.parse_listing, self.parse_article)  # not sitemaps or feeds
        if self.render_mode == "always" and not self.browser_missing and callback in pages:
            meta.update(render_meta(self.settings))
        return scrapy.Request(
            self.mapper.fetch_url(url), callback=callback, errback=self.download_failed,
            meta={"site_url": url, **meta},
        )  # fmt: skip

    def download_failed(self, failure: Failure) -> None:
        """A request that failed for good (after retries): one log line, one counter, no traceback."""
        request = failure.request  # type: ignore[attr-defined]
        reason = type(failure.value).__name__
        self.crawler.stats.inc_value(keys.http_failed(reason))
        if failure.check(IgnoreRequest):
            return  # off-site, robots.txt, too large: counted where it was decided
        self.logger.warning("gave up on %s: %s", request.url, failure.getErrorMessage()[:300])

    def _rendered(self, response: Response, kind: str, required: bool = True) -> scrapy.Request | None:
        """The same request through the browser, once; None when none may be used (counted
        when the page needed it, silent when rendering was only worth a try)."""
        stats = self.crawler.stats
        if response.meta.get(RENDERED):
            return None
        if self.render_mode == "never" or self.browser_missing:
            if not required:
                return None
            stats.inc_value(keys.NOT_RENDERED)
            stats.inc_value(keys.not_rendered(kind))
            if not self._told_rendering_off:
                self._told_rendering_off = True
                why = self.browser_missing or "NEWSCRAWL_RENDER=never"
                self.logger.error("pages need a browser but rendering is disabled (%s): they are skipped "
                                  "and counted as %s", why, keys.NOT_RENDERED)  # fmt: skip
            return None
        stats.inc_value(keys.rendered(kind))
        meta = {**response.meta, **render_meta(self.settings)}
        return response.request.replace(meta=meta, dont_filter=True)

    def _path_request(self, path: str, callback: Any, **meta: Any) -> scrapy.Request | None:
        url = self.mapper.parse(path)
        return self._request(url, callback, **meta) if url is not None else None

    def _home(self, lang: str) -> Iterator[scrapy.Request]:
        home = self._path_request(self.mapper.home_path(lang) or "/", self.parse_home)
        assert home is not None
        yield home
        if self.use_sitemaps:
            feed = self._resource_request(f"{self.mapper.home_path(lang)}/sitemap.rss", self.parse_feed)
            if feed is not None:
                yield feed

    def _resource_request(self, loc: str, callback: Any) -> scrapy.Request | None:
        """A sitemap or feed request, conditional on what the last run saw of it."""
        request = self._path_request(loc, callback)
        if request is None:
            return None
        request.meta["handle_httpstatus_list"] = [304]
        known = self.store.resource(request.meta["site_url"].canonical) if self.store else None
        if known is not None and self.args.mode == "incremental":
            _conditional(request, known.etag, known.last_modified)
        return request

    def _articles(
        self, urls: Iterable[tuple[SiteUrl, float | None]], via: str, found_under: str | None = None
    ) -> Iterator[scrapy.Request]:
        """Requests for the article URLs worth fetching now (all of them in a full crawl)."""
        # Every wanted language counts, even one whose home page has not been read yet: a
        # sitemap or feed can be read before the language switcher that names it.
        wanted = self.args.wants_lang
        # An article is linked from its listing, every translation, a sitemap and a feed: a
        # request this run already made would only be built to be dropped by the duplicate filter.
        candidates = [
            (u, lastmod) for u, lastmod in urls
            if u.kind == ARTICLE and wanted(u.lang) and not self._note_found(u, via)
        ]  # fmt: skip
        known = self._known([u for u, _ in candidates])
        now = time.time()
        stats = self.crawler.stats
        for url, lastmod in candidates:
            state = known.get(url.canonical)
            verdict = decide(state, now, self.recheck_schedule, lastmod) if self.incremental else FETCH_NEW
            if verdict == SKIP_KNOWN:
                stats.inc_value(keys.SKIPPED_KNOWN)
                continue
            request = self._request(
                url, self.parse_article, found_under=[found_under] if found_under else [],
                handle_httpstatus_list=_ARTICLE_STATUSES,
            )  # fmt: skip
            if state is not None and self.incremental:
                stats.inc_value(keys.fetch_reason(verdict))
                _conditional(request, state.etag, state.last_modified)
            key = hash(url.canonical)
            self._found_by[key] |= _REQUESTED
            yield request

    def _known(self, urls: list[SiteUrl]) -> dict[str, ArticleState]:
        if not urls or self.store is None:
            return {}
        return self.store.get_many(u.canonical for u in urls)

    def _note_found(self, url: SiteUrl, via: str) -> bool:
        """Count the discovery path; True when this run has requested the URL already."""
        key = hash(url.canonical)
        bits = self._found_by.get(key, 0)
        self._found_by[key] = bits | _VIA_BITS[via]
        return bool(bits & _REQUESTED)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Each selected language's home; with ``langs=all``, the Vietnamese home finds the rest."""
        if self.use_sitemaps and not self.robots_obeyed:
            robots = self._path_request("/robots.txt", self.parse_robots)
            if robots is not None:
                yield robots
        for lang in self.args.langs or (site.DEFAULT_LANG,):
            self.langs.add(lang)
            for request in self._home(lang):
                yield request
        for request in self._due_rechecks():
            yield request

    def _due_rechecks(self) -> Iterator[scrapy.Request]:
        """Known articles whose re-check is due, linked or not: a removed page is linked nowhere."""
        if not self.incremental:
            return
        assert self.store is not None
        urls = self.store.due_for_recheck(time.time(), self.recheck_schedule)
        due = (self.mapper.parse(url) for url in urls)
        yield from self._articles(((url, None) for url in due if url is not None), VIA_STATE)

    def _new_languages(self, links: Iterable[SiteUrl]) -> Iterator[scrapy.Request]:
        """Homes and listings of languages seen for the first time (any link of theirs counts)."""
        if self.args.langs is not None:
            return
        for url in links:
            if url.lang not in self.langs:
                self.langs.add(url.lang)
                self.crawler.stats.inc_value(keys.DISCOVERED_LANGUAGES)
                yield from self._home(url.lang)
                yield from self._listings(langs=[url.lang], slugs=sorted(self.categories))

    def _new_categories(self, slugs: Iterable[str]) -> Iterator[scrapy.Request]:
        fresh = sorted(set(slugs) - self.categories)
        self.categories.update(fresh)
        self.crawler.stats.inc_value(keys.DISCOVERED_CATEGORIES, len(fresh))
        yield from self._listings(langs=sorted(self.langs), slugs=fresh)

    def _listings(self, langs: list[str], slugs: list[str]) -> Iterator[scrapy.Request]:
        # A category found in one language is walked in every selected language.
        for lang in langs:
            for slug in slugs:
                if (lang, slug) in self._listings_started or not self.args.wants_section(slug):
                    continue
                self._listings_started.add((lang, slug))
                request = self._path_request(self.mapper.category_path(lang, slug), self.parse_listing)
                assert request is not None
                request.meta.update(category=slug, page_no=1, known_pages=0)
                yield request

    def _links(self, response: TextResponse) -> list[SiteUrl]:
        found = (self.mapper.parse(href, response.url) for href in _HREFS(response.selector.root))
        return [url for url in found if url is not None]

    def _discover(self, links: list[SiteUrl]) -> Iterator[scrapy.Request]:
        yield from self._new_languages(links)
        yield from self._new_categories(u.slug for u in links if u.kind == CATEGORY)

    def _other_articles(self, links: list[SiteUrl]) -> Iterator[scrapy.Request]:
        # Links outside a listing's own items (home page, "most read" boxes) add coverage,
        # unless the user asked for some sections only.
        if self.args.sections is None:
            yield from self._articles(((u, None) for u in links), VIA_LINK)

    # --- callbacks: navigation ----------------------------------------------------------

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        """Discover languages and categories from a home page's navigation."""
        if not self._is_html(response):
            return
        links = self._links(response)
        yield from self._discover(links)
        yield from self._other_articles(links)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """Request a listing page's articles and its next page."""
        if not self._is_html(response):
            return
        page: SiteUrl = response.meta["site_url"]
        slug, page_no = response.meta["category"], response.meta["page_no"]
        self.crawler.stats.inc_value(keys.LISTING_PAGES)
        links = self._links(response)
        yield from self._discover(links)
        since = self.args.since
        items = listing_items(response.selector, page, self.mapper, response.url)
        if not items and has_scripts(response):
            rendered = self._rendered(response, "listing")
            if rendered is not None:
                yield rendered
                return
        if not items and page_no == 1:
            self.crawler.stats.inc_value(keys.listing_empty(slug))
        fresh = [i for i in items if not (since and i.listed_on and i.listed_on < since)]
        self.crawler.stats.inc_value(keys.SKIPPED_OLDER_THAN_SINCE, len(items) - len(fresh))
        yield from self._articles(((i.url, None) for i in fresh), VIA_LISTING, found_under=slug)
        yield from self._other_articles(links)
        if not self._paginate(response, items):
            return
        following = next_page(response.selector, page, self.mapper, response.url)
        if following is None and has_load_more_button(response.selector):
            rendered = self._rendered(response, "listing")  # items appear only when clicked
            if rendered is not None:
                yield rendered
                return
        if following is not None and page_number(following) > page_number(page):
            yield self._request(
                following, self.parse_listing, category=slug, page_no=page_no + 1,
                known_pages=response.meta["known_pages"],
            )  # fmt: skip

    def _paginate(self, response: Response, items: list[Any]) -> bool:
        """Whether to read the listing's next page."""
        since = self.args.since
        if since is not None and items and all(i.listed_on and i.listed_on < since for i in items):
            return False
        if response.meta["page_no"] >= self.max_listing_pages:
            return False
        previous = self._previous_run()
        if self.incremental and items and previous is not None:
            # Known by the end of the last completed run: what a killed run or this run found
            # does not count, or articles deeper in the listing could be missed for good.
            known = self._known([i.url for i in items])
            all_known = all(
                i.url.canonical in known and known[i.url.canonical].first_seen <= previous[1] for i in items
            )
            response.meta["known_pages"] = response.meta["known_pages"] + 1 if all_known else 0
            if response.meta["known_pages"] >= self.known_pages_to_stop:
                self.crawler.stats.inc_value(keys.LISTINGS_STOPPED_EARLY)
                return False
        return True

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
        for loc in locations or ["/sitemap.xml"]:
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
        if self.store is not None:
            self.store.record_sitemap_lastmods((u.canonical, m) for u, m in site_urls if m is not None)
        yield from self._new_languages(u for u, _ in site_urls)
        yield from self._new_categories(u.slug for u, _ in site_urls if u.kind == CATEGORY)
        yield from self._articles(site_urls, VIA_SITEMAP)

    def _changed_sitemaps(self, entries: list[Any]) -> Iterator[scrapy.Request]:
        previous = self._previous_run() if self.incremental else None
        margin = self.lastmod_margin
        since = self.args.since
        for entry in entries:
            url = self.mapper.parse(entry.loc)
            if url is None:
                continue
            kind, day = sitemap_kind(url.path)
            if kind == SKIPPED or (kind == CATEGORIES and self.args.sections is not None):
                continue
            if kind == DAY and since is not None and day is not None and date.fromisoformat(day) < since:
                continue
            # The margin absorbs clock skew between the site and us; the request is conditional.
            if previous is not None and entry.lastmod is not None and entry.lastmod <= previous[0] - margin:
                self.crawler.stats.inc_value(keys.SITEMAPS_UNCHANGED)
                continue
            request = self._resource_request(entry.loc, self.parse_sitemap)
            if request is not None:
                request.meta["lastmod"] = entry.lastmod
                yield request

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """Request the articles of an RSS/Atom feed that are worth fetching."""
        if self._not_modified(response):
            return
        self.crawler.stats.inc_value(keys.FEEDS_READ)
        urls = [(self.mapper.parse(e.loc), None) for e in parse_feed(response.body)]
        yield from self._articles(((u, m) for u, m in urls if u is not None), VIA_FEED)

    def _not_modified(self, response: Response) -> bool:
        """Record a sitemap's or feed's validators; True when it did not change (304)."""
        url: SiteUrl = response.meta["site_url"]
        if response.status == 304:
            self.crawler.stats.inc_value(keys.SITEMAPS_NOT_MODIFIED)
            return True
        if self.store is not None:
            self.store.record_resource(ResourceState(
                url.canonical, _header(response, b"ETag"), _header(response, b"Last-Modified"),
                response.meta.get("lastmod"), time.time(),
            ))  # fmt: skip
        return False

    # --- callbacks: articles ------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[ArticleItem | scrapy.Request]:
        """Extract the article; follow its translations and categories."""
        stats = self.crawler.stats
        url: SiteUrl = response.meta["site_url"]
        fetch = {
            "fetched_at": time.time(), "status": response.status,
            "etag": _header(response, b"ETag"), "last_modified": _header(response, b"Last-Modified"),
        }  # fmt: skip
        if response.status == 304:
            if self.store is not None:
                self.store.record_fetch(url.canonical, **fetch)
            stats.inc_value(keys.NOT_MODIFIED)
            return
        if response.status in (404, 410):
            stats.inc_value(keys.http_status(response.status))
            yield self._tombstone(url, fetch)
            return
        if not self._is_html(response):
            return
        response = utf8_if_mislabelled(response)
        ctx = PageContext.from_response(response, url.lang, self.mapper)
        extraction = extract_article(ctx)
        for reason, count in ctx.skips.items():
            stats.inc_value(keys.embedded_skipped(reason), count)
        if has_scripts(response):
            # A page without a body needs the browser; one drawn from its data may show there
            # the date or outlet its data lacks.
            if "body" not in extraction.fields or extraction.body_container_empty:
                rendered = self._rendered(response, "article")
            elif missing_drawn_fields(extraction):
                rendered = self._rendered(response, "article_fields", required=False)
            else:
                rendered = None
            if rendered is not None:
                yield rendered
                return
        for field, layer in extraction.layers.items():
            stats.inc_value(keys.field_layer(field, layer))
        translations = extraction.fields.get("translations") or {}
        translated = (self.mapper.parse(target) for target in translations.values())
        yield from self._articles(((u, None) for u in translated if u is not None), VIA_LINK)
        yield from self._new_categories(extraction.fields.get("sections") or ())
        if not extraction.is_article:
            stats.inc_value(keys.SKIPPED_NOT_ARTICLE)
            if self.store is not None:  # so incremental runs need not fetch it again
                self.store.record_not_emitted(
                    url.canonical, lang=url.lang, slug=url.slug, status=response.status,
                    fetched_at=fetch["fetched_at"],
                )  # fmt: skip
            return
        record = load_article(url, extraction, response.meta.get("found_under", []))
        if self._too_old(record["published_at"]):
            stats.inc_value(keys.SKIPPED_OLDER_THAN_SINCE)
            return
        if self.args.sections is not None and self.args.sections.isdisjoint(record["sections"]):
            stats.inc_value(keys.SKIPPED_OTHER_SECTION)
            return
        stats.inc_value(keys.articles(url.lang))
        for section in record["sections"]:
            stats.inc_value(keys.section(section))
        yield ArticleItem(record, **{FETCH_KEY: fetch})

    def _tombstone(self, url: SiteUrl, fetch: dict[str, Any]) -> ArticleItem:
        """The record telling consumers an article is gone (the state pipeline drops unknown ones)."""
        record = complete_record({
            "id": article_id(url.canonical), "url": url.canonical, "lang": url.lang,
            "translation_key": url.slug, "status": "removed",
            "crawled_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(fetch["fetched_at"])),
        })  # fmt: skip
        return ArticleItem(record, **{FETCH_KEY: fetch})

    def _is_html(self, response: Response) -> bool:
        if response.status == 200 and is_html(response):
            return True
        self.crawler.stats.inc_value(keys.SKIPPED_NOT_HTML)
        return False

    def _too_old(self, published_at: str | None) -> bool:
        since: date | None = self.args.since
        return bool(since and published_at and date.fromisoformat(published_at[:10]) < since)

    def report_discovery(self, spider: scrapy.Spider) -> None:
        """Stats: article URLs found per discovery path, and how many only that path found."""
        stats = self.crawler.stats
        for via, bit in _VIA_BITS.items():
            found = [bits & ~_REQUESTED for bits in self._found_by.values() if bits & bit]
            stats.set_value(keys.discovery(via), len(found))
            stats.set_value(keys.discovery_only(via), sum(1 for bits in found if bits == bit))


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _conditional(request: scrapy.Request, etag: str | None, last_modified: str | None) -> None:
    if etag:
        request.headers[b"If-None-Match"] = etag
    if last_modified:
        request.headers[b"If-Modified-Since"] = last_modified
