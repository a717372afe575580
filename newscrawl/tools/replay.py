"""Archived article pages served to the site's own spider, offline: the machinery of re-extraction.

- :class:`ReplaySpider` is the site spider with :meth:`~ReplaySpider.start` replaced: one request
  per archived page it is given, with the meta the live crawl had (``site_url``, ``found_under``,
  the statuses an article request handles, and ``newscrawl_rendered`` for a page the browser drew,
  so that no browser is wanted). Links are not followed (``follow_links = False``): it reads the
  pages it is given, nothing else.
- :class:`ArchiveDownloadHandler` answers every request from the archived page it carries; no
  request ever reaches the network.
- :func:`page_record` reads one archived page the way :meth:`ReplaySpider.parse_article` does,
  without a crawl (fixtures, tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from newscrawl import stats as keys
from newscrawl.archive.records import ArchivedPage
from newscrawl.encoding import is_html, utf8_if_mislabelled
from newscrawl.extract.article import extract_article
from newscrawl.extract.context import PageContext
from newscrawl.loaders import load_article
from newscrawl.pipelines import problems
from newscrawl.render import RENDERED
from newscrawl.sites.profile import SiteProfile, load_profile
from newscrawl.spiders.vietnamvn import VietnamVnSpider
from newscrawl.state.keeper import FETCHED_AT
from newscrawl.urls import ARTICLE, SiteUrl, UrlMapper

ARCHIVED_PAGE = "newscrawl_archived_page"  # request meta: the page the handler answers with
# Statuses of archived article pages that give a record (200) or a tombstone (404, 410).
REPLAYED_STATUSES = (200, 404, 410)
# While the engine has no room, start() waits this long before looking again: the engine takes
# start requests eagerly, and a million archived pages must not all wait in memory.
_BACKOUT_POLL = 0.01


def page_origin(page: ArchivedPage) -> str:
    """The origin the page was crawled from: the crawl's ``base_url``, else the fetched URL's."""
    base = page.meta.get("base_url")
    if isinstance(base, str) and base:
        return base
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}"


def page_site_url(page: ArchivedPage, mapper: UrlMapper) -> SiteUrl | None:
    """The page's article URL on the site (from its canonical URL, else the URL fetched)."""
    found = mapper.parse(page.canonical) if page.canonical else None
    if found is None:
        found = mapper.parse(page.url)
    return found if found is not None and found.kind == ARTICLE else None


def archived_response(page: ArchivedPage, request: Request) -> Response:
    """The response the crawl had, rebuilt from the archive (rendered pages: the DOM it read)."""
    headers = Headers(page.headers)
    respcls = responsetypes.from_args(headers=headers, url=page.url, body=page.body)
    flags = ["archive", *(["playwright"] if page.rendered else [])]
    return respcls(url=page.url, status=page.status, headers=headers, body=page.body, request=request,
                   flags=flags)  # fmt: skip


class ArchiveDownloadHandler:
    """Download handler (``http``, ``https``) answering each request with its archived page.

    A request without one is refused (``IgnoreRequest``): a replay reads the archive only.
    """

    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveDownloadHandler:
        """Build from the crawler."""
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        """The archived page of ``request``, as a response."""
        page = request.meta.get(ARCHIVED_PAGE)
        if not isinstance(page, ArchivedPage):
            raise IgnoreRequest(f"{request.url} is not in the archive")
        return archived_response(page, request)

    async def close(self) -> None:
        """Nothing to close: pages come with their requests."""


class ReplaySpider(VietnamVnSpider):
    """The site spider reading archived article pages instead of crawling.

    ``pages`` is called once, at start, and gives the pages to read in order. Each page is read
    with a URL mapper of the origin it was crawled from (its archived ``base_url``), so that its
    links resolve as they did in the crawl, whatever origin this spider was given.
    """

    name = f"{VietnamVnSpider.name}-reextract"
    follow_links = False
    validates_arguments = False

    def __init__(self, *args: Any, pages: Callable[[], Iterable[ArchivedPage]] = tuple, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.pages = pages
        self._mappers: dict[str, UrlMapper] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReplaySpider:
        """The site spider's settings; pages needing a browser say why they go without one."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ReplaySpider)
        # A page the crawl could not render is read as archived, counted as not rendered.
        spider.browser_missing = "a re-extraction reads archived pages only"
        return spider

    def mapper_for(self, page: ArchivedPage) -> UrlMapper:
        """The URL mapper of the origin ``page`` was crawled from."""
        origin = page_origin(page)
        mapper = self._mappers.get(origin)
        if mapper is None:
            mapper = self._mappers[origin] = UrlMapper(origin, self.site)
        return mapper

    def page_mapper(self, response: Response) -> UrlMapper:
        """The mapper of the page's own crawl origin."""
        page = response.meta.get(ARCHIVED_PAGE)
        return self.mapper_for(page) if isinstance(page, ArchivedPage) else self.mapper

    def replay_request(self, page: ArchivedPage) -> Request | None:
        """The request the crawl made for ``page``, answered from the archive; None (counted)
        for a page whose URL is not an article of the site."""
        url = page_site_url(page, self.mapper_for(page))
        if url is None:
            self.crawler.stats.inc_value(keys.SKIPPED_NOT_ARTICLE)
            self.logger.warning("%s (%s, offset %d) is not an article URL of %s: skipped",
                                page.url, page.path, page.offset, self.site.name)  # fmt: skip
            return None
        meta: dict[str, Any] = {
            "site_url": url, "found_under": list(page.meta.get("found_under") or []),
            "handle_httpstatus_list": list(REPLAYED_STATUSES), ARCHIVED_PAGE: page,
            FETCHED_AT: page.fetched_at,
        }  # fmt: skip
        if page.rendered:
            meta[RENDERED] = True
        return Request(page.url, callback=self.parse_article, errback=self.download_failed, meta=meta,
                       dont_filter=True)  # fmt: skip

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """One request per archived page, taken only as the engine has room for it."""
        for page in self.pages():
            request = self.replay_request(page)
            if request is None:
                continue
            while self.crawler.engine.needs_backout():
                await asyncio.sleep(_BACKOUT_POLL)
            yield request


def site_profile(name: str) -> SiteProfile:
    """The profile at ``package.module:NAME``; the site spider's own when ``name`` is empty
    (raises :class:`~newscrawl.sites.profile.SiteProfileError`)."""
    return load_profile(name) if name else VietnamVnSpider.site


def page_record(page: ArchivedPage, site: SiteProfile) -> dict[str, Any] | None:
    """The record a replay of ``page`` gives before the state pipeline (status ``new``, version 1),
    or None when it gives none: read as :meth:`ReplaySpider.parse_article` reads it, without a
    crawl. Only for pages of status 200 (a tombstone needs the state)."""
    mapper = UrlMapper(page_origin(page), site)
    url = page_site_url(page, mapper)
    if url is None or page.status != 200:
        return None
    response = archived_response(page, Request(page.url))
    if not is_html(response):
        return None
    ctx = PageContext.from_response(utf8_if_mislabelled(response), url.lang, mapper)  # type: ignore[arg-type]
    extraction = extract_article(ctx)
    if not extraction.is_article:
        return None
    crawled_at = datetime.fromtimestamp(page.fetched_at, UTC)
    record = load_article(url, extraction, list(page.meta.get("found_under") or []), crawled_at)
    return None if problems(record, UrlMapper(None, site)) else record
