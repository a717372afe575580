"""The extension that keeps the crawl state in step with the feed: the state's one writer.

It opens the state store for the crawl, finishes feeds a killed run left behind, and records
each emitted article in the state only *after* the feed exporter has written (and flushed)
it: a crash can then at worst leave an article in a feed but not in the state — which the
next run's recovery repairs — and never in the state but missing from every feed.

Everything else the crawl learns for the state goes through it too: the spider and the
pipelines find it with :func:`find_keeper` and tell it what happened (``record_fetch``,
``record_not_emitted``, ``record_sitemap_lastmods``, ``record_resource``). They read the
state through :attr:`StateKeeper.store`, but never write it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newscrawl import stats as keys
from newscrawl.cluster.workers import worker_id
from newscrawl.compat import feed_slots
from newscrawl.feedfiles import PART_SUFFIX, in_use, output_dir, recover_partial_feed
from newscrawl.items import fields_of
from newscrawl.state import ResourceState, StateStore, is_redis_uri, open_state
from newscrawl.state.incremental import parse_durations
from newscrawl.state.store import SharedClaims

logger = logging.getLogger(__name__)
FETCH_KEY = "_fetch"  # item field with the response's validators; never exported
# Request meta: when the page was fetched, if not now (a page replayed from the archive).
FETCHED_AT = "newscrawl_fetched_at"


def find_keeper(crawler: Crawler) -> StateKeeper | None:
    """The crawl's state keeper, or None when it is disabled (or the extensions are not built)."""
    try:
        return crawler.get_extension(StateKeeper)
    except RuntimeError:  # no extension manager yet: a crawler that does not crawl
        return None


def find_state(crawler: Crawler) -> StateStore | None:
    """The crawl's state store, to read; None when the state keeper is disabled."""
    keeper = find_keeper(crawler)
    return keeper.store if keeper is not None else None


def run_details(crawler: Crawler, spider: Spider) -> dict[str, Any]:
    """What the run history keeps of how a crawl was started: mode, arguments, rendering, worker."""
    args = getattr(spider, "args", None)
    arguments = {}
    if args is not None:
        arguments = {
            "base_url": args.base_url, "langs": list(args.langs) if args.langs else None,
            "sections": sorted(args.sections) if args.sections else None,
            "since": args.since.isoformat() if args.since else None, "max_pages": args.max_pages,
        }  # fmt: skip
    return {
        "mode": getattr(args, "mode", "full"), "arguments": arguments,
        "render": crawler.settings.get("NEWSCRAWL_RENDER"), "worker": worker_id(crawler.settings),
    }  # fmt: skip


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def fetch_of(response: Response) -> dict[str, Any]:
    """What the state keeps of a fetch: when, its status and its validators (``FETCH_KEY``)."""
    request = response.request
    fetched_at = request.meta.get(FETCHED_AT) if request is not None else None
    return {
        "fetched_at": fetched_at or time.time(), "status": response.status,
        "etag": _header(response, b"ETag"), "last_modified": _header(response, b"Last-Modified"),
    }  # fmt: skip


class _KeepUnknown(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return f"%({key})s"


def local_feed_folders(crawler: Crawler, spider: Spider) -> tuple[set[Path], set[Path]]:
    """Folders of the crawl's local feeds, and the feed files this run writes by fixed name.

    URI parameters that stay the same between runs (``name`` and ``output_dir``) are filled
    in; per-run ones such as ``time`` make a name not fixed.
    """
    params = _KeepUnknown(name=spider.name, output_dir=output_dir(crawler.settings))
    folders: set[Path] = set()
    fixed: set[Path] = set()
    for uri in crawler.settings.getdict("FEEDS"):
        uri = str(uri)
        if "://" in uri and not uri.startswith("file://"):
            continue
        path = Path(uri.removeprefix("file://") % params)
        if "%(" not in str(path.parent):
            folders.add(path.parent.resolve())
        if "%(" not in str(path):
            fixed.add(path.resolve())
    return folders, fixed


class StateKeeper:
    """Opens the state store, recovers partial feeds, and commits state after feed writes.

    Built after the spider and before the engine opens it, so recovery happens before this
    run's feeds are opened.
    """

    def __init__(self, crawler: Crawler, store: StateStore, *, shares_claims: bool = False) -> None:
        self.crawler = crawler
        self.store = store
        # True when the store is shared by the workers of a distributed crawl (Redis):
        # within-run duplicates are then claimed there (see :meth:`claim`).
        self.shares_claims = shares_claims
        self.feed_failed = False
        self._slot_counts: dict[int, int] = {}  # feed slot → items it had written so far
        # (start, finish) of the last run that completed; killed runs do not count.
        self.previous_run: tuple[float, float] | None = None
        self.run_id: int | None = None
        # This run's health report, for the history; set by the health extension as the crawl closes.
        self.run_summary: dict[str, Any] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StateKeeper:
        """Open the store and start the run (raises StateError when the store cannot be opened)."""
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_STATE_ENABLED"):
            raise NotConfigured
        spider = crawler.spider
        # Scrapy builds extensions after the spider (Crawler.crawl), so it is there by now.
        if spider is None:
            raise RuntimeError("StateKeeper is an extension: built once the crawler has its spider")
        uri = settings.get("NEWSCRAWL_STATE_URI")
        store = open_state(
            uri, worker=worker_id(settings),
            recheck_schedule=parse_durations(settings.get("NEWSCRAWL_RECHECK_AFTER")),
            heartbeat_ttl=settings.getfloat("NEWSCRAWL_WORKER_TIMEOUT"),
            history_runs=settings.getint("NEWSCRAWL_HISTORY_RUNS"),
        )  # fmt: skip
        keeper = cls(crawler, store, shares_claims=is_redis_uri(uri))
        keeper.start(spider)
        return keeper

    def start(self, spider: Spider) -> None:
        """Recover killed runs' feeds, start this run in the state, and listen to the crawl."""
        self.recover(spider)
        self.previous_run = self.store.last_completed_run(spider.name)
        # Here rather than at spider_opened: a distributed crawl's scheduler, built when the
        # engine opens, works on the keys of the cluster-wide crawl this joins.
        self.run_id = self.store.start_run(spider.name, time.time(), run_details(self.crawler, spider))
        # Connected after the FeedExporter (an earlier extension), so item_scraped runs after it wrote.
        self.crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        self.crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    # --- what the crawl tells the state --------------------------------------------------

    def record_fetch(self, url: str, fetch: Mapping[str, Any]) -> None:
        """A fetch of a known article that emitted nothing (304, or unchanged text)."""
        self.store.record_fetch(
            url, status=fetch.get("status", 200), fetched_at=fetch.get("fetched_at") or time.time(),
            etag=fetch.get("etag"), last_modified=fetch.get("last_modified"),
        )  # fmt: skip

    def record_not_emitted(self, url: str, *, lang: str, slug: str, fetch: Mapping[str, Any]) -> None:
        """A page that gave no record (not an article, or a duplicate): later runs need not fetch it."""
        self.store.record_not_emitted(
            url, lang=lang, slug=slug, status=fetch.get("status", 200),
            fetched_at=fetch.get("fetched_at") or time.time(),
        )  # fmt: skip

    def record_sitemap_lastmods(self, lastmods: Iterable[tuple[str, float]]) -> None:
        """The lastmod a sitemap gives for article URLs (a newer one makes them worth a re-check)."""
        self.store.record_sitemap_lastmods(lastmods)

    def record_resource(self, url: str, response: Response, lastmod: float | None) -> None:
        """A sitemap's or feed's validators and lastmod, for next run's conditional request."""
        fetch = fetch_of(response)
        self.store.record_resource(
            ResourceState(url, fetch["etag"], fetch["last_modified"], lastmod, fetch["fetched_at"])
        )

    def claim(self, key: str) -> bool:
        """Claim ``key`` for this worker in the shared store; True for the first worker only.

        Only for a store that :attr:`shares_claims`.
        """
        return cast(SharedClaims, self.store).claim(key)

    # --- signals -------------------------------------------------------------------------

    def recover(self, spider: Spider) -> None:
        """Finish the feeds killed runs left, committing their records to the state.

        Runs before the feed exporter opens this run's own ``.part`` file (at spider_opened).
        """
        stats = self.crawler.stats
        folders, fixed = local_feed_folders(self.crawler, spider)
        for folder in sorted(folders):
            for part in sorted(folder.glob(f"*{PART_SUFFIX}")):
                if in_use(part):
                    logger.info("leaving %s alone: a running crawl is writing it", part)
                    continue
                recovered: list[str] = []

                def commit(record: dict[str, Any], recovered: list[str] = recovered) -> None:
                    self._commit(record, {})
                    recovered.append(record.get("url", ""))

                final = recover_partial_feed(part, fixed, commit)
                stats.inc_value(keys.RECOVERED_FEEDS)
                stats.inc_value(keys.RECOVERED_RECORDS, len(recovered))
                logger.warning("recovered %d records of an interrupted run into %s", len(recovered), final)

    def spider_opened(self, spider: Spider) -> None:
        """Say where the state is."""
        logger.info("crawl state: %s", self.store.location)

    def item_scraped(self, item: Any, spider: Spider) -> None:
        """Record the item in the state — only if every feed meant to hold it wrote it."""
        if self.feed_failed:
            return
        broken = self._feeds_not_written(item)
        if broken:
            self.feed_failed = True
            logger.error(
                "the feed %s could not be written (full disk or unwritable folder?): stopping the crawl; "
                "articles not written stay unrecorded and are crawled again next time", ", ".join(broken),
            )  # fmt: skip
            self.crawler.stats.set_value(keys.FEED_FAILED, 1)
            asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="feed_error"))
            return
        record = fields_of(item)
        self._commit(record, record.get(FETCH_KEY) or {})

    def _feeds_not_written(self, item: Any) -> list[str]:
        """Feeds that should have taken ``item`` but did not (their item count did not move)."""
        broken: list[str] = []
        for slot in feed_slots(self.crawler):
            if not slot.accepts(item):
                continue
            before = self._slot_counts.get(slot.key, 0)
            self._slot_counts[slot.key] = slot.itemcount
            if slot.itemcount != before + 1:
                broken.append(slot.uri)
        return broken

    def _commit(self, record: Any, fetch: dict[str, Any]) -> None:
        if not record.get("url") or record.get("status") not in ("new", "updated", "removed"):
            return
        self.store.record_item(
            dict(record),
            fetched_at=fetch.get("fetched_at") or time.time(),
            status=fetch.get("status", 200),
            etag=fetch.get("etag"),
            last_modified=fetch.get("last_modified"),
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Record how the run ended and close the store."""
        assert self.run_id is not None
        self.store.finish_run(self.run_id, time.time(), reason, self.run_summary)
        self.store.close()
