"""The extension that keeps the crawl state in step with the feed.

It opens the state store for the crawl, finishes feeds a killed run left behind, and records
each emitted article in the state only *after* the feed exporter has written (and flushed)
it: a crash can then at worst leave an article in a feed but not in the state — which the
next run's recovery repairs — and never in the state but missing from every feed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl import stats as keys
from newscrawl.cluster.workers import worker_id
from newscrawl.feedfiles import PART_SUFFIX, in_use, recover_partial_feed
from newscrawl.items import fields_of
from newscrawl.state import StateStore, open_state
from newscrawl.state.incremental import parse_durations

logger = logging.getLogger(__name__)
FETCH_KEY = "_fetch"  # item field with the response's validators; never exported


def find_state(crawler: Crawler) -> StateStore | None:
    """The crawl's state store, or None when the state keeper is disabled."""
    for extension in getattr(crawler.extensions, "middlewares", ()):
        if isinstance(extension, StateKeeper):
            return extension.store
    return None


class _KeepUnknown(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return f"%({key})s"


def local_feed_folders(crawler: Crawler, spider: Spider) -> tuple[set[Path], set[Path]]:
    """Folders of the crawl's local feeds, and the feed files this run writes by fixed name.

    URI parameters that stay the same between runs (spider attributes such as ``name`` and
    ``output_dir``) are filled in; per-run ones such as ``time`` make a name not fixed.
    """
    params = _KeepUnknown(name=spider.name, output_dir=getattr(spider, "output_dir", "output"))
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

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSCRAWL_STATE_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        settings = crawler.settings
        self.store: StateStore = open_state(
            settings.get("NEWSCRAWL_STATE_URI"), worker=worker_id(settings),
            recheck_schedule=parse_durations(settings.get("NEWSCRAWL_RECHECK_AFTER")),
            heartbeat_ttl=settings.getfloat("NEWSCRAWL_WORKER_TIMEOUT"),
        )  # fmt: skip
        self.feed_failed = False
        self._slot_counts: dict[int, int] = {}  # feed slot → items it had written so far
        spider = crawler.spider
        self.recover(spider)
        # (start, finish) of the last run that completed; killed runs do not count.
        self.previous_run = self.store.last_completed_run(spider.name)
        # Here rather than at spider_opened: a distributed crawl's scheduler, built when the
        # engine opens, works on the keys of the cluster-wide crawl this joins.
        self.run_id = self.store.start_run(spider.name, time.time())
        # Connected after the FeedExporter (an earlier extension), so item_scraped runs after it wrote.
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StateKeeper:
        """Build the extension (raises StateError when the store cannot be opened)."""
        return cls(crawler)

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
        broken = []
        for exporter in getattr(self.crawler.extensions, "middlewares", ()):
            for slot in getattr(exporter, "slots", ()):
                if not slot.filter.accepts(item):
                    continue
                before = self._slot_counts.get(id(slot), 0)
                self._slot_counts[id(slot)] = slot.itemcount
                if slot.itemcount != before + 1:
                    broken.append(str(slot.uri))
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
        self.store.finish_run(self.run_id, time.time(), reason)
        self.store.close()
