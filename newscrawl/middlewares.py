"""Downloader middlewares: fetching from the crawl origin only, conditional requests, retries with backoff."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from newscrawl import stats as keys
from newscrawl.normalize.dates import http_date
from newscrawl.urls import safe_split

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    when = http_date(text)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, but waiting before each retry: exponential backoff, or ``Retry-After``.

    Waiting inside the middleware keeps the request's concurrency slot, so a struggling
    server sees less traffic until it recovers.
    """

    backoff_base: float  # seconds before the first retry, doubled for each later one
    backoff_max: float  # longest wait, whatever the retry count or Retry-After

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        """Read the backoff settings."""
        middleware = super().from_crawler(crawler)
        middleware.backoff_base = crawler.settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE")
        middleware.backoff_max = crawler.settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_MAX")
        return middleware

    def backoff_delay(self, request: Request, response: Response | None = None) -> float:
        """Delay before the next try of ``request``."""
        retries = request.meta.get("retry_times", 0)
        delay = self.backoff_base * (2**retries)
        if response is not None:
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            if asked is not None:
                delay = max(delay, asked)
        return min(delay, self.backoff_max)

    # Scrapy (2.13+) takes coroutine middleware methods; its RetryMiddleware's are plain ones, so
    # the override differs from the base class in type, not in use.
    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        """Retry listed statuses after a backoff delay."""
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await asyncio.sleep(self.backoff_delay(request, response))
        return retry

    # Coroutine over the base class's plain method, as process_response above.
    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        """Retry network errors after a backoff delay."""
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self.backoff_delay(request))
        return retry


class SiteOnlyMiddleware:
    """Only the crawl origin is ever fetched — also after redirects.

    Requests to the site's alias hosts are sent to the crawl origin instead (same path and
    query); every other target — other hosts, other ports of the origin's host, loopback,
    private or link-local addresses, ``file:`` and other schemes — is dropped and counted
    under ``newscrawl/offsite/``. Redirected requests pass through here again.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteOnlyMiddleware:
        """Build from the crawler (the spider's URL mapper is read per request)."""
        return cls(crawler)

    def process_request(self, request: Request) -> Request | None:
        """Pass origin requests, re-target alias hosts, drop the rest."""
        mapper = getattr(self.crawler.spider, "mapper", None)
        if mapper is None:
            return None
        target = safe_split(request.url)
        stats = self.crawler.stats
        if target is None or target.scheme not in ("http", "https"):
            stats.inc_value(keys.OFFSITE_SCHEME)
            raise IgnoreRequest(f"not an http(s) URL: {request.url[:200]}")
        if mapper.is_origin(target.scheme, target.hostname, target.port):
            return None
        if mapper.is_site_host(target.scheme, target.hostname, target.port):
            stats.inc_value(keys.OFFSITE_REMAPPED)
            path = target.path or "/"
            return request.replace(url=mapper.origin + path + (f"?{target.query}" if target.query else ""))
        stats.inc_value(keys.OFFSITE_BLOCKED)
        logger.debug("not fetching off-site URL %s", request.url)
        raise IgnoreRequest(f"off-site URL: {request.url[:200]}")


VALIDATORS = "validators"  # request meta: (etag, last_modified) of the last fetch of that URL


class ConditionalRequestMiddleware:
    """Makes a request conditional on the validators its spider found in the crawl state.

    The spider puts ``(etag, last_modified)`` in ``request.meta["validators"]``; this sends them
    as ``If-None-Match`` and ``If-Modified-Since``, so an unchanged page comes back as a bodiless
    304. Headers the request already carries are left as they are.
    """

    def process_request(self, request: Request) -> None:
        """Add the conditional headers the request's validators call for."""
        etag, last_modified = request.meta.get(VALIDATORS) or (None, None)
        if etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = etag
        if last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = last_modified
