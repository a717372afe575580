"""Crawl logic for vietnam.vn: language homes → categories → listing pages → articles,
plus robots.txt → sitemaps and per-language RSS feeds as a second discovery path
(``newscrawl.spiders.sitemaps``).

What is specific to the site is its profile (``site``: vietnam.vn's, or the one the
``NEWSCRAWL_SITE`` setting names), handed to everything else through the URL mapper.

Only decisions about what to fetch live here. Reading pages is ``newscrawl.extract``'s job,
building records ``newscrawl.loaders``' and ``newscrawl.items``', making requests conditional
``newscrawl.middlewares``', and remembering earlier runs the state keeper's
(``newscrawl.state.keeper``): the spider reads the state and tells the keeper what it saw.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, TypeGuard

import scrapy
from lxml import etree
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newscrawl import stats as keys
from newscrawl.arguments import CrawlArguments, parse_arguments
from newscrawl.discovery.ledger import LINK, LISTING, STATE, DiscoveryLedger
from newscrawl.discovery.listing import (
    has_load_more_button,
    listing_items,
    next_page,
    page_number,
    says_empty,
)
from newscrawl.encoding import is_html, utf8_if_mislabelled
from newscrawl.extract.article import Extraction, extract_article
from newscrawl.extract.context import PageContext
from newscrawl.items import LAYERS_KEY, ArticleItem, tombstone
from newscrawl.loaders import load_article
from newscrawl.middlewares import VALIDATORS
from newscrawl.render import (
    RENDER_FAILED,
    RENDER_KIND,
    RENDERED,
    browser_problem,
    has_scripts,
    missing_drawn_fields,
    render_meta,
    render_mode,
    static_retry,
)
from newscrawl.sites.profile import SiteProfile, crawl_site
from newscrawl.sites.vietnamvn import VIETNAM_VN
from newscrawl.spiders.sitemaps import SitemapsAndFeeds
from newscrawl.state import ArticleState, StateStore
from newscrawl.state.incremental import FETCH_NEW, SKIP_KNOWN, decide, parse_durations
from newscrawl.state.keeper import FETCH_KEY, StateKeeper, fetch_of, find_keeper
from newscrawl.urls import ARTICLE, CATEGORY, SiteUrl, UrlMapper

# Plain strings straight from lxml: a parsel Selector per link cost more than the link itself.
_HREFS = etree.XPath("//a/@href", smart_strings=False)
# Statuses an article request wants to see rather than have filtered out.
_ARTICLE_STATUSES = [304, 404, 410]


class VietnamVnSpider(SitemapsAndFeeds, scrapy.Spider):
    """Walks every selected language's categories, page by page, and emits one record per article."""

    name = "vietnamvn"
    # Our `crawl` command checks the arguments before starting (see newscrawl.commands.crawl).
    validates_arguments = True
    # The site crawled unless the NEWSCRAWL_SITE setting names another profile.
    site: SiteProfile = VIETNAM_VN
    # An article page's translations and new categories are followed; a replay of archived
    # pages (newscrawl.tools.replay) reads only the pages it is given.
    follow_links = True
    # Read from the settings by from_crawler.
    recheck_schedule: tuple[float, ...]
    known_pages_to_stop: int
    lastmod_margin: float
    max_listing_pages: int
    use_sitemaps: bool
    robots_obeyed: bool
    render_mode: str
    browser_missing: str | None

    def __init__(self, name: str | None = None, site: SiteProfile | None = None, **kwargs: Any) -> None:
        if site is not None:
            if not isinstance(site, SiteProfile):
                raise TypeError(f"site must be a SiteProfile, not {type(site).__name__}")
            self.site = site
        self.args: CrawlArguments = parse_arguments(kwargs, self.site)
        super().__init__(name)
        self.mapper = UrlMapper(self.args.base_url, self.site)
        self.langs: set[str] = set(self.args.langs or ())
        self.categories: set[str] = set()
        self._listings_started: set[tuple[str, str]] = set()
        self.ledger = DiscoveryLedger()
        self._told_rendering_off = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> VietnamVnSpider:
        """Crawl the site of ``NEWSCRAWL_SITE`` (else :attr:`site`), read the incremental settings,
        and listen for robots.txt (it names the sitemaps)."""
        kwargs.setdefault("site", crawl_site(crawler.settings, cls.site))
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

    # --- the state: read here, written by the keeper ------------------------------------

    @property
    def keeper(self) -> StateKeeper | None:
        """The state keeper, told what this crawl saw; None when it is disabled."""
        return find_keeper(self.crawler)

    @property
    def store(self) -> StateStore | None:
        """The crawl state, to read; None when the state keeper is disabled."""
        keeper = self.keeper
        return keeper.store if keeper is not None else None

    @property
    def incremental(self) -> bool:
        """True when known, unchanged articles are skipped."""
        return self.args.mode == "incremental" and self.store is not None

    def _previous_run(self) -> tuple[float, float] | None:
        """``(start, finish)`` of the last completed run (a killed run does not count)."""
        keeper = self.keeper
        return keeper.previous_run if keeper is not None else None

    def _known(self, urls: list[SiteUrl]) -> dict[str, ArticleState]:
        store = self.store
        if not urls or store is None:
            return {}
        return store.get_many(u.canonical for u in urls)

    # --- requests ---------------------------------------------------------------------

    def _request(self, url: SiteUrl, callback: Any, **meta: Any) -> scrapy.Request:
        pages = (self.parse_home, self.parse_listing, self.parse_article)  # not sitemaps or feeds
        if self.render_mode == "always" and not self.browser_missing and callback in pages:
            meta.update(render_meta(self.settings, self.site, "always"))
        return scrapy.Request(
            self.mapper.fetch_url(url), callback=callback, errback=self.download_failed,
            meta={"site_url": url, **meta},
        )  # fmt: skip

    def _path_request(self, path: str, callback: Any, **meta: Any) -> scrapy.Request | None:
        url = self.mapper.parse(path)
        return self._request(url, callback, **meta) if url is not None else None

    def download_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A request that failed for good (after retries): one log line, one counter, no traceback.
        A page the browser failed on is read once more without it."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest):
            self.crawler.stats.inc_value(keys.http_failed(type(failure.value).__name__))
            return  # off-site, robots.txt, too large: counted where it was decided
        if request.meta.get("playwright"):
            self.crawler.stats.inc_value(keys.render_failed(request.meta[RENDER_KIND]))
            self.logger.warning("the browser failed on %s (%s): reading it without one",
                                request.url, failure.getErrorMessage()[:300])  # fmt: skip
            yield static_retry(request)
            return
        self.crawler.stats.inc_value(keys.http_failed(type(failure.value).__name__))
        self.logger.warning("gave up on %s: %s", request.url, failure.getErrorMessage()[:300])

    def _rendered(self, response: Response, kind: str, required: bool = True) -> scrapy.Request | None:
        """The same request through the browser, once; None when none may be used (counted
        when the page needed it, silent when rendering was only worth a try)."""
        if response.meta.get(RENDER_FAILED):  # the browser's failure was logged with the page
            if required:
                self._count_not_rendered(kind)
            return None
        if response.meta.get(RENDERED):
            return None
        if self.render_mode == "never" or self.browser_missing:
            if required:
                self._count_not_rendered(kind)
                self._tell_rendering_off()
            return None
        self.crawler.stats.inc_value(keys.rendered(kind))
        meta = {**response.meta, **render_meta(self.settings, self.site, kind)}
        assert response.request is not None  # a response handed to a callback has its request
        return response.request.replace(meta=meta, dont_filter=True)

    def _count_not_rendered(self, kind: str) -> None:
        """Count a page that needed a browser it could not have."""
        self.crawler.stats.inc_value(keys.NOT_RENDERED)
        self.crawler.stats.inc_value(keys.not_rendered(kind))

    def _tell_rendering_off(self) -> None:
        """Say once why pages that need a browser go without one."""
        if not self._told_rendering_off:
            self._told_rendering_off = True
            why = self.browser_missing or "NEWSCRAWL_RENDER=never"
            self.logger.error("pages need a browser but rendering is disabled (%s): they are skipped "
                              "and counted as %s", why, keys.NOT_RENDERED)  # fmt: skip

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
            if u.kind == ARTICLE and wanted(u.lang) and not self.ledger.found(u.canonical, via)
        ]  # fmt: skip
        known = self._known([u for u, _ in candidates])
        now = time.time()
        for url, lastmod in candidates:
            request = self._article_request(url, known.get(url.canonical), lastmod, now, found_under)
            if request is not None:
                self.ledger.requested(url.canonical)
                yield request

    def _article_request(
        self, url: SiteUrl, state: ArticleState | None, lastmod: float | None, now: float,
        found_under: str | None,
    ) -> scrapy.Request | None:  # fmt: skip
        """An article's request (conditional when the state knows it); None when not due."""
        verdict = decide(state, now, self.recheck_schedule, lastmod) if self.incremental else FETCH_NEW
        if verdict == SKIP_KNOWN:
            self.crawler.stats.inc_value(keys.SKIPPED_KNOWN)
            return None
        request = self._request(
            url, self.parse_article, found_under=[found_under] if found_under else [],
            handle_httpstatus_list=_ARTICLE_STATUSES,
        )  # fmt: skip
        if state is not None and self.incremental:
            self.crawler.stats.inc_value(keys.fetch_reason(verdict))
            request.meta[VALIDATORS] = (state.etag, state.last_modified)
        return request

    # --- start and navigation -----------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Each selected language's home; with ``langs=all``, the Vietnamese home finds the rest."""
        if self.use_sitemaps and not self.robots_obeyed:
            robots = self._path_request("/robots.txt", self.parse_robots)
            if robots is not None:
                yield robots
        for lang in self.args.langs or (self.site.default_lang,):
            self.langs.add(lang)
            for request in self._home(lang):
                yield request
        for request in self._due_rechecks():
            yield request

    def _home(self, lang: str) -> Iterator[scrapy.Request]:
        home = self._path_request(self.mapper.home_path(lang) or "/", self.parse_home)
        assert home is not None
        yield home
        if self.use_sitemaps:
            feed = self._feed(self.mapper.home_path(lang))
            if feed is not None:
                yield feed

    def _due_rechecks(self) -> Iterator[scrapy.Request]:
        """Known articles whose re-check is due, linked or not: a removed page is linked nowhere."""
        if not self.incremental:
            return
        assert self.store is not None
        urls = self.store.due_for_recheck(time.time(), self.recheck_schedule)
        due = (self.mapper.parse(url) for url in urls)
        yield from self._articles(((url, None) for url in due if url is not None), STATE)

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
            yield from self._articles(((u, None) for u in links), LINK)

    # --- callbacks: homes and listings --------------------------------------------------

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
        slug = response.meta["category"]
        self.crawler.stats.inc_value(keys.LISTING_PAGES)
        links = self._links(response)
        yield from self._discover(links)
        items = listing_items(response.selector, page, self.mapper, response.url)
        # A page that says the category has no posts needs no browser to say so.
        said_empty = not items and says_empty(response.selector, self.site)
        if not items and not said_empty and has_scripts(response):
            rendered = self._rendered(response, "listing")
            if rendered is not None:
                yield rendered
                return
        self._count_listing(response, slug, len(items), said_empty)
        since = self.args.since
        fresh = [i for i in items if not (since and i.listed_on and i.listed_on < since)]
        self.crawler.stats.inc_value(keys.SKIPPED_OLDER_THAN_SINCE, len(items) - len(fresh))
        yield from self._articles(((i.url, None) for i in fresh), LISTING, found_under=slug)
        yield from self._other_articles(links)
        if self._paginate(response, items):
            yield from self._next_listing_page(response)

    def _count_listing(self, response: Response, slug: str, items: int, said_empty: bool) -> None:
        """Stats the health report judges listings by, per language: links found, first pages with none."""
        stats, listing = self.crawler.stats, f"{response.meta['site_url'].lang}/{slug}"
        stats.inc_value(keys.listing_items(listing), items)
        if not items and response.meta["page_no"] == 1:
            stats.inc_value(keys.listing_says_empty(listing) if said_empty else keys.listing_empty(listing))
            stats.set_value(keys.listing_example(listing), response.url)

    def _next_listing_page(self, response: TextResponse) -> Iterator[scrapy.Request]:
        """The listing's next page; the page again through the browser when only a click shows more."""
        page: SiteUrl = response.meta["site_url"]
        following = next_page(response.selector, page, self.mapper, response.url)
        if following is None and has_load_more_button(response.selector, self.site):
            rendered = self._rendered(response, "listing")  # items appear only when clicked
            if rendered is not None:
                yield rendered
                return
        if following is not None and page_number(following) > page_number(page):
            yield self._request(
                following, self.parse_listing, category=response.meta["category"],
                page_no=response.meta["page_no"] + 1, known_pages=response.meta["known_pages"],
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

    # --- callbacks: articles ------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[ArticleItem | scrapy.Request]:
        """Extract the article; follow its translations and categories."""
        url: SiteUrl = response.meta["site_url"]
        fetch = fetch_of(response)
        if response.status in (304, 404, 410):
            yield from self._article_unchanged_or_gone(url, response.status, fetch)
            return
        if not self._is_html(response):
            return
        response = utf8_if_mislabelled(response)
        extraction = self._extract(response, url)
        rendered = self._render_article(response, extraction)
        if rendered is not None:
            yield rendered
            return
        for field, layer in extraction.layers.items():
            self.crawler.stats.inc_value(keys.field_layer(field, layer))
        if self.follow_links:
            yield from self._follow(extraction)
        item = self._article_item(response, url, extraction, fetch)
        if item is not None:
            yield item

    def _article_unchanged_or_gone(
        self, url: SiteUrl, status: int, fetch: dict[str, Any]
    ) -> Iterator[ArticleItem]:
        """304: the re-check found it unchanged; 404 or 410: a tombstone for a known article."""
        if status == 304:
            if self.keeper is not None:
                self.keeper.record_fetch(url.canonical, fetch)
            self.crawler.stats.inc_value(keys.NOT_MODIFIED)
            return
        self.crawler.stats.inc_value(keys.http_status(status))
        record = tombstone(url.canonical, url.lang, url.slug, fetch["fetched_at"])
        yield ArticleItem(record, **{FETCH_KEY: fetch})

    def _extract(self, response: TextResponse, url: SiteUrl) -> Extraction:
        """The article's fields, layer by layer; embedded data left unread is counted."""
        ctx = PageContext.from_response(response, url.lang, self.page_mapper(response))
        extraction = extract_article(ctx)
        for reason, count in ctx.skips.items():
            self.crawler.stats.inc_value(keys.embedded_skipped(reason), count)
        return extraction

    def page_mapper(self, response: Response) -> UrlMapper:
        """The mapper a page's links are read with: the crawl's (a replay's pages may come from
        other origins, each with its own)."""
        return self.mapper

    def _render_article(self, response: TextResponse, extraction: Extraction) -> scrapy.Request | None:
        """The page again through the browser when the static page lacks what a browser may show.

        A page without a body needs the browser; one drawn from its data may show there the date
        or outlet its data lacks. Scripts are looked for last: ``has_scripts`` parses the page a
        second time (parsel's tree, kept with the response), which nearly every page can skip.
        """
        if "body" not in extraction.fields or extraction.body_container_empty:
            return self._rendered(response, "article") if has_scripts(response) else None
        if missing_drawn_fields(extraction) and has_scripts(response):
            return self._rendered(response, "article_fields", required=False)
        return None

    def _follow(self, extraction: Extraction) -> Iterator[scrapy.Request]:
        """The article's translations, and listings of categories it names that are new."""
        translations = extraction.fields.get("translations") or {}
        translated = (self.mapper.parse(target) for target in translations.values())
        yield from self._articles(((u, None) for u in translated if u is not None), LINK)
        yield from self._new_categories(extraction.fields.get("sections") or ())

    def _article_item(
        self, response: Response, url: SiteUrl, extraction: Extraction, fetch: dict[str, Any]
    ) -> ArticleItem | None:
        """The record of an article page, or None (counted) for a page that gives none."""
        stats = self.crawler.stats
        if not extraction.is_article:
            stats.inc_value(keys.SKIPPED_NOT_ARTICLE)
            if self.keeper is not None:  # so incremental runs need not fetch it again
                self.keeper.record_not_emitted(url.canonical, lang=url.lang, slug=url.slug, fetch=fetch)
            return None
        # Stamped with the fetch's time: a replayed page's record says when its page was fetched.
        crawled_at = datetime.fromtimestamp(fetch["fetched_at"], UTC)
        record = load_article(url, extraction, response.meta.get("found_under", []), crawled_at)
        if self._too_old(record["published_at"]):
            stats.inc_value(keys.SKIPPED_OLDER_THAN_SINCE)
            return None
        if self.args.sections is not None and self.args.sections.isdisjoint(record["sections"]):
            stats.inc_value(keys.SKIPPED_OTHER_SECTION)
            return None
        stats.inc_value(keys.articles(url.lang))
        for section in record["sections"]:
            stats.inc_value(keys.section(section))
        return ArticleItem(record, **{FETCH_KEY: fetch, LAYERS_KEY: extraction.layers})

    def _is_html(self, response: Response) -> TypeGuard[TextResponse]:
        """A page to read (status 200, HTML); anything else is counted as skipped."""
        if response.status == 200 and is_html(response):
            return True
        self.crawler.stats.inc_value(keys.SKIPPED_NOT_HTML)
        return False

    def _too_old(self, published_at: str | None) -> bool:
        since: date | None = self.args.since
        return bool(since and published_at and date.fromisoformat(published_at[:10]) < since)

    def report_discovery(self, spider: scrapy.Spider) -> None:
        """Stats: article URLs found per discovery path, and how many only that path found."""
        self.ledger.report(self.crawler.stats)
