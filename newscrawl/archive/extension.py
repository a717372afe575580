"""The Scrapy wiring of the archive: every response worth keeping goes into the WARC files as fetched.

``NEWSCRAWL_ARCHIVE``: ``off`` (default), ``articles`` (every response to an article request,
whatever its status: 200, 304, 404, 410…) or ``all`` (also homes, listings, sitemaps, feeds,
robots.txt: every HTML, XML and JSON response).

Why a downloader middleware rather than an extension on ``signals.response_received``:

- **Order.** A middleware's ``process_response`` runs before the response reaches the spider,
  and it can wait: the response goes on only once its records are written and flushed. The
  article's item, feed line and state commit all come after, so a record is in the archive
  before its article counts as done. A signal handler cannot hold the response back.
- **Failure.** When a record cannot be written (a full disk), the middleware raises
  :class:`ArchiveFailed` (an ``IgnoreRequest``): the page is not handed to the spider, its
  article is not recorded and is crawled again next time, and the crawl is stopped
  (``archive_error``). Scrapy logs and swallows a signal handler's exception: the article would
  count as done without its record.
- **Position.** At 540 in ``DOWNLOADER_MIDDLEWARES`` it sees, on the way back (high numbers
  first), the final response of each request: after RedirectMiddleware (600) followed redirects
  and HttpCompressionMiddleware (590) decoded the body, and after the retry middleware (550)
  dropped the responses it retries. The request then carries every header the middlewares above
  added (User-Agent 500, Accept-Encoding 590, conditional headers 60 on the way out).
  :class:`ContentCodingNote`, at 595, notes the ``Content-Encoding`` that 590 is about to remove.

Building, digesting and gzipping the records (about 2 ms for a 40 KB page) runs in one worker
thread — zlib and hashlib release the GIL, so it overlaps the crawl on a second core — while the
file is written from the crawl's thread. Files are recovered, named and rotated by
:class:`~newscrawl.archive.writer.ArchiveWriter`; the records are ``newscrawl.archive.records``'.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import is_asyncio_available

from newscrawl import stats as keys
from newscrawl.archive.records import KIND_OF_CALLBACK, Fetch, build_records
from newscrawl.archive.writer import ArchiveWriter, encode_records, recover_folder
from newscrawl.cluster.workers import worker_id
from newscrawl.feedfiles import output_dir, start_time
from newscrawl.render import RENDER_KIND, RENDERED
from newscrawl.sites.profile import SiteProfile
from newscrawl.state.store import is_redis_uri

logger = logging.getLogger(__name__)

MODES = ("off", "articles", "all")
CONTENT_CODING = "newscrawl_content_coding"  # request meta: the Content-Encoding Scrapy decoded
_KEPT_TYPES = ("html", "xml", "json")  # what `all` keeps, by Content-Type


class ArchiveFailed(IgnoreRequest):
    """A response whose records could not be written: the page is not processed."""


def archive_mode(settings: BaseSettings) -> str:
    """``NEWSCRAWL_ARCHIVE``, validated (raises ValueError naming the accepted values)."""
    mode = str(settings.get("NEWSCRAWL_ARCHIVE") or "off").strip().lower()
    if mode not in MODES:
        raise ValueError(f"{mode!r} is not one of {', '.join(MODES)}")
    return mode


def archive_dir(settings: BaseSettings, spider_name: str) -> Path:
    """``NEWSCRAWL_ARCHIVE_DIR``, else ``<NEWSCRAWL_OUTPUT_DIR>/<spider>/archive``, absolute."""
    chosen = str(settings.get("NEWSCRAWL_ARCHIVE_DIR") or "").strip()
    if chosen:
        return Path(chosen).expanduser().resolve()
    return Path(output_dir(settings)) / spider_name / "archive"


def page_kind(request: Request) -> str:
    """What a page is, by the callback that reads it (robots.txt by its path)."""
    name = getattr(request.callback, "__name__", "")
    if name in KIND_OF_CALLBACK:
        return KIND_OF_CALLBACK[name]
    return "robots" if urlsplit(request.url).path == "/robots.txt" else "other"


def site_path(settings: BaseSettings, site: SiteProfile | None) -> str | None:
    """The import path of the crawl's site profile: ``NEWSCRAWL_SITE``, else where ``site`` is defined."""
    configured = str(settings.get("NEWSCRAWL_SITE") or "").strip()
    if configured or site is None:
        return configured or None
    for name, module in sorted(sys.modules.items()):
        if name.startswith("newscrawl.sites."):
            found = next((attr for attr, value in vars(module).items() if value is site), None)
            if found is not None:
                return f"{name}:{found}"
    return None


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    return [
        (bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
        for name in headers
        for value in headers.getlist(name)
    ]


class ContentCodingNote:
    """Notes in ``request.meta`` which ``Content-Encoding`` the response had before Scrapy decoded it.

    Placed just above HttpCompressionMiddleware (590), which removes the header as it decodes.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentCodingNote:
        """Only when the archive is on."""
        if archive_mode(crawler.settings) == "off":
            raise NotConfigured
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        """Note the coding (or its absence: a retried request keeps the meta of its first try)."""
        codings = response.headers.getlist(b"Content-Encoding")
        if codings:
            request.meta[CONTENT_CODING] = ", ".join(c.decode("latin-1") for c in codings)
        else:
            request.meta.pop(CONTENT_CODING, None)
        return response


class ArchiveMiddleware:
    """Writes the WARC records of every response the archive keeps, before the spider sees it."""

    def __init__(self, crawler: Crawler, mode: str, writer: ArchiveWriter) -> None:
        self.crawler = crawler
        self.mode = mode
        self.writer = writer
        self.failed = False
        self.closed = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newscrawl-archive")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveMiddleware:
        """Recover the files killed runs left, and get ready to write (files open at the first record)."""
        settings = crawler.settings
        mode = archive_mode(settings)
        if mode == "off":
            raise NotConfigured
        spider = crawler.spider
        if spider is None:  # Scrapy builds the downloader after the spider
            raise RuntimeError("ArchiveMiddleware is built once the crawler has its spider")
        folder = archive_dir(settings, spider.name)
        if folder.is_dir():
            for recovered in recover_folder(folder):
                crawler.stats.inc_value(keys.ARCHIVE_RECOVERED_FILES)
                if recovered.torn_bytes:
                    crawler.stats.inc_value(keys.ARCHIVE_TORN_RECORDS)
        max_bytes = int(settings.getfloat("NEWSCRAWL_ARCHIVE_MAX_MB") * 1024 * 1024)
        writer = ArchiveWriter(folder, "", max_bytes=max_bytes)
        middleware = cls(crawler, mode, writer)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        logger.info("archiving %s responses (WARC) to %s", mode, folder)
        return middleware

    def _start(self, spider: Spider) -> None:
        """Name the files and describe the crawl, once the feed has its start time."""
        settings = self.crawler.settings
        cluster = is_redis_uri(settings.get("NEWSCRAWL_STATE_URI"))
        start = start_time(self.crawler)
        self.writer.prefix = f"{start}-{worker_id(settings)}" if cluster else start
        agent = str(settings.get("USER_AGENT") or "newscrawl").split()[0]
        args = getattr(spider, "args", None)
        self.writer.info = {
            "software": f"{agent} Scrapy/{scrapy.__version__} warcio/{version('warcio')}",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "spider": spider.name, "base_url": getattr(args, "base_url", None),
            "site": site_path(settings, getattr(spider, "site", None)), "start_time": start,
            "worker": worker_id(settings) if cluster else None, "archive": self.mode,
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        }  # fmt: skip

    def wanted(self, kind: str, response: Response) -> bool:
        """Whether the archive keeps this response (see the module docstring)."""
        if kind == "article" or self.mode == "all" and kind != "other":
            return True
        if self.mode != "all":
            return False
        declared = (response.headers.get(b"Content-Type") or b"").split(b";")[0].lower()
        return any(name.encode() in declared for name in _KEPT_TYPES)

    async def process_response(self, request: Request, response: Response) -> Response:
        """Write the response's records (flushed) before handing it on; see :class:`ArchiveFailed`."""
        kind = page_kind(request)
        if not self.wanted(kind, response):
            return response
        if self.failed:
            raise ArchiveFailed(f"not archived (the archive cannot be written): {response.url}")
        spider = self.crawler.spider
        assert spider is not None
        if not self.writer.prefix:
            self._start(spider)
        fetch = self.fetch(request, response, kind, spider)
        if is_asyncio_available() and not self.closed:  # else no loop to wait on: encode here
            data, count = await asyncio.get_running_loop().run_in_executor(self._pool, _encode, fetch)
        else:
            data, count = _encode(fetch)
        try:
            self.writer.append(data, count)
        except OSError as error:
            self._fail(error)
            raise ArchiveFailed(f"not archived ({error.strerror}): {response.url}") from error
        if self.closed:  # a response that arrived as the crawl closed: finish its file at once
            self.writer.close()
        self._count(count)
        return response

    def fetch(self, request: Request, response: Response, kind: str, spider: Spider) -> Fetch:
        """What the archive keeps of a request and its response (a records :class:`Fetch`)."""
        meta = request.meta
        site_url = meta.get("site_url")
        mapper = getattr(spider, "mapper", None)
        if site_url is None and mapper is not None:
            site_url = mapper.parse(response.url)
        rendered = bool(meta.get(RENDERED)) and "playwright" in response.flags
        now = time.time()
        args = getattr(spider, "args", None)
        return Fetch(
            url=response.url, status=response.status, response_headers=_header_pairs(response.headers),
            body=response.body, fetched_at=now, method=request.method,
            request_headers=_header_pairs(request.headers), request_body=request.body,
            canonical=site_url.canonical if site_url is not None else None,
            content_encoding=meta.get(CONTENT_CODING), rendered=rendered,
            meta={
                "canonical": site_url.canonical if site_url is not None else None,
                "lang": site_url.lang if site_url is not None else None,
                "slug": site_url.slug if site_url is not None else None,
                "kind": kind, "found_under": list(meta.get("found_under") or ()),
                "base_url": getattr(args, "base_url", None),
                "site": site_path(self.crawler.settings, getattr(spider, "site", None)),
                "rendered": rendered, "render_kind": meta.get(RENDER_KIND) if rendered else None,
                "fetched_at": now, "spider": spider.name,
            },
        )  # fmt: skip

    def _count(self, records: int) -> None:
        stats = self.crawler.stats
        stats.inc_value(keys.ARCHIVE_PAGES)
        stats.inc_value(keys.ARCHIVE_RECORDS, records)
        stats.set_value(keys.ARCHIVE_BYTES, self.writer.bytes)
        stats.set_value(keys.ARCHIVE_FILES, self.writer.number)

    def _fail(self, error: OSError) -> None:
        """Stop the crawl once: pages from now on are not processed (their articles not recorded)."""
        if self.failed:
            return
        self.failed = True
        self.crawler.stats.set_value(keys.ARCHIVE_FAILED, 1)
        logger.error(
            "the archive %s could not be written (%s: full disk or unwritable folder?): stopping the crawl; "
            "pages not archived are not processed and their articles are crawled again next time",
            self.writer.part_path or self.writer.folder, error.strerror,
        )  # fmt: skip
        engine = self.crawler.engine
        if engine is not None:
            asyncio.ensure_future(engine.close_spider_async(reason="archive_error"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Finish the file being written (fsync, rename to ``.warc.gz``)."""
        self.closed = True
        self._pool.shutdown(wait=True)
        try:
            final = self.writer.close()
        except OSError as error:
            logger.error("cannot finish the archive file %s: %s", self.writer.part_path, error.strerror)
            return
        self.crawler.stats.set_value(keys.ARCHIVE_FILES, self.writer.number)
        if final is not None or self.writer.finished:
            logger.info("archive: %d pages in %d files, last %s", self.writer.pages, self.writer.number,
                        self.writer.finished[-1] if self.writer.finished else None)  # fmt: skip


def _encode(fetch: Fetch) -> tuple[bytes, int]:
    """The records of ``fetch``, gzipped, and how many there are (runs in the worker thread)."""
    records = build_records(fetch)
    return encode_records(records), len(records)
