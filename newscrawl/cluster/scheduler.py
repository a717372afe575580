"""Distributed crawling: several workers share one frontier through scrapy-redis.

``NEWSCRAWL_STATE_URI=redis://…`` is the one switch. ``workers.cluster_settings`` then puts
scrapy-redis's scheduler in (through :class:`ClusterScheduler`), and the crawl state goes to
Redis (:mod:`newscrawl.state.redis_store`), where workers join one cluster-wide crawl. The
scrapy-redis traps this module handles:

- the queue and duplicate filter are *always* persisted (a worker that closes would
  otherwise wipe them under its peers); the last worker to leave drops them instead;
- their keys belong to one crawl (``crawl:<id>:…``), so a new crawl starts with an empty
  filter and never touches the keys of a crawl peers are still running;
- the duplicate filter uses Scrapy's request fingerprinter, not scrapy-redis's own hash;
- every worker yields the seeds (homes, feeds) as ordinary requests, never ``dont_filter``
  ones, so the filter lets one worker fetch each (robots.txt excepted: each worker reads it);
- a worker with nothing to do waits (``NEWSCRAWL_IDLE_TIMEOUT``) while a peer is busy and may
  still produce work, rather than closing;
- stats stay per worker (scrapy-redis's ``RedisStatsCollector`` fails on Scrapy 2.19); each
  worker stores its final stats in the crawl, :func:`crawl_stats` sums them;
- within-run duplicates (same text in two URLs) are claimed in Redis, not in one worker's memory.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections import deque
from typing import Any

import orjson
import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured, ScrapyDeprecationWarning
from scrapy.utils.asyncio import create_looping_call
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from newscrawl import stats as keys
from newscrawl.state.keeper import find_state
from newscrawl.state.redis_store import CrawlKeys, RedisStateStore, connect
from newscrawl.state.store import is_redis_uri

logger = logging.getLogger(__name__)
TAKEN = "newscrawl_cluster_taken"  # meta key: a request this worker already took from the queue


def _cluster_store(crawler: Crawler) -> RedisStateStore:
    store = find_state(crawler)
    if not isinstance(store, RedisStateStore) or store.crawl is None:
        raise NotConfigured("the cluster scheduler needs NEWSCRAWL_STATE_URI=redis://… and the state keeper")
    return store


class FingerprintDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared duplicate filter, fingerprinting with Scrapy's request fingerprinter."""

    def __init__(self, server: redis.Redis, key: str, crawler: Crawler) -> None:
        super().__init__(server, key=key, debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))
        self.fingerprinter = crawler.request_fingerprinter

    def request_fingerprint(self, request: Request) -> str:
        """The fingerprint Scrapy's own duplicate filter and cache would use."""
        return self.fingerprinter.fingerprint(request).hex()

    def close(self, reason: str = "") -> None:
        """Keep the shared fingerprints: peers still use them (the crawl's last worker drops them)."""


class ClusterScheduler(Scheduler):
    """scrapy-redis's scheduler on the keys of the crawl this worker joined, always persistent."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterScheduler:
        """Use the crawl the state store joined (the state keeper opens it before the engine)."""
        store = _cluster_store(crawler)
        assert store.crawl is not None
        # The queue holds pickled requests: a client that does not decode responses.
        server = connect(store.uri, decode=False)
        scheduler = cls(
            server=server, persist=True, queue_key=store.crawl.requests,
            dupefilter=FingerprintDupeFilter(server, store.crawl.dupefilter, crawler),
        )  # fmt: skip
        scheduler.stats = crawler.stats
        return scheduler

    def close(self, reason: str) -> None:
        """Leave the queue and filter to the peers (``persist`` is forced on)."""
        self.server.close()

    def has_pending_requests(self) -> bool:
        """Requests wait here or in the shared queue."""
        return bool(self.taken) or len(self) > 0

    def open(self, spider: Spider) -> None:
        """Open the shared queue, plus a local one for requests already taken from it."""
        with warnings.catch_warnings():
            # scrapy-redis says it resumes a non-empty queue through the deprecated Spider.log();
            # here that is a worker joining its peers, which ClusterWorker logs itself.
            warnings.filterwarnings("ignore", r"Spider\.log\(\) is deprecated", ScrapyDeprecationWarning)
            super().open(spider)
        self.taken: deque[Request] = deque()

    def enqueue_request(self, request: Request) -> bool:
        """Queue the request unless some worker of this crawl already scheduled it."""
        if request.meta.pop(TAKEN, False):  # popped from the shared queue by ClusterWorker.wake_up
            self.taken.append(request)
            return True
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            self.stats.inc_value("scheduler/filtered/redis")
            return False
        self.queue.push(request)
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        """The next request of the shared queue, if any (never blocks the reactor)."""
        if self.taken:
            return self.taken.popleft()
        request = self.queue.pop(0)
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class ClusterWorker:
    """Heartbeat, idle waiting and per-worker stats of one worker of a distributed crawl.

    While it runs, the worker refreshes a key with a time to live saying whether it is busy;
    a killed worker's key expires, so peers stop waiting for it. An idle worker closes only
    when the shared queue is empty and no live peer has been busy for ``NEWSCRAWL_IDLE_TIMEOUT``.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not is_redis_uri(crawler.settings.get("NEWSCRAWL_STATE_URI")):
            raise NotConfigured
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("NEWSCRAWL_HEARTBEAT_INTERVAL")
        self.idle_timeout = crawler.settings.getfloat("NEWSCRAWL_IDLE_TIMEOUT")
        self._quiet_since: float | None = None
        self._beat: Any = None
        self.queue: PriorityQueue | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterWorker:
        """Built only for a Redis state URI."""
        return cls(crawler)

    @property
    def store(self) -> RedisStateStore:
        """The worker's Redis state (joined to the crawl)."""
        return _cluster_store(self.crawler)

    def spider_opened(self, spider: Spider) -> None:
        """Start the heartbeat and say which crawl this worker joined."""
        store = self.store
        assert store.crawl is not None
        self.crawler.stats.set_value(keys.CLUSTER_CRAWL, int(store.crawl.crawl_id))
        self.crawler.stats.set_value(keys.CLUSTER_WORKER, store.worker)
        logger.info("worker %s joined crawl %s on %s", store.worker, store.crawl.crawl_id, store.location)
        # The shared queue, read with a client of its own (pickled requests, not decoded).
        self.queue = PriorityQueue(connect(store.uri, decode=False), spider, store.crawl.requests)
        self._beat = create_looping_call(self.heartbeat)
        self._beat.start(self.interval, now=True)

    def heartbeat(self) -> None:
        """Refresh this worker's key (``busy`` while it has work in hand or queued, else ``idle``),
        and wake an idle engine up when peers have queued work."""
        engine = self.crawler.engine
        try:
            busy = not engine.spider_is_idle()
        except (AttributeError, RuntimeError):  # no engine, or the spider is not open (yet, or any more)
            return
        try:
            self.store.heartbeat("busy" if busy else "idle")
            if not engine.downloader.active:
                self.wake_up()
        except redis.RedisError as error:
            logger.warning("could not refresh the worker heartbeat: %s", error)

    def wake_up(self) -> None:
        """Hand the engine one request from the shared queue, if there is one.

        After an idle spell Scrapy's engine looks at its scheduler only every 5 s; crawling a
        request makes it pull from the scheduler again at once. The request is marked as taken
        so that the scheduler keeps it rather than filtering it as seen.
        """
        request = self.queue.pop(0) if self.queue is not None else None
        if request is not None:
            request.meta[TAKEN] = True
            self.crawler.stats.inc_value(keys.CLUSTER_WAKE_UPS)
            self.crawler.engine.crawl(request)

    def spider_idle(self, spider: Spider) -> None:
        """Keep the worker open while the crawl may still give it work."""
        store = self.store
        assert store.crawl is not None
        store.heartbeat("idle")
        if store.peers_may_add_work():
            self._quiet_since = None
            self.crawler.stats.inc_value(keys.CLUSTER_WAITS)
            raise DontCloseSpider
        now = time.monotonic()
        self._quiet_since = self._quiet_since or now
        if now - self._quiet_since < self.idle_timeout:
            raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Stop the heartbeat and store this worker's stats in the crawl."""
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        if self.queue is not None:
            self.queue.server.close()
        store = self.store
        stats = {key: value for key, value in self.crawler.stats.get_stats().items()
                 if isinstance(value, int | float | str)}  # fmt: skip
        stats["finish_reason"] = reason
        try:
            store.save_worker_stats(stats)
        except redis.RedisError as error:
            logger.warning("could not store the worker's stats in Redis: %s", error)


def crawl_stats(server: redis.Redis, crawl_id: str) -> dict[str, Any]:
    """Every worker's final stats of a crawl, and their numeric sum under ``"total"``."""
    keys = CrawlKeys(crawl_id)
    per_worker: dict[str, Any] = {}
    total: dict[str, float] = {}
    for key in server.scan_iter(match=f"{keys.base}:stats:*"):
        name = key.decode() if isinstance(key, bytes) else key
        stats = orjson.loads(server.get(key) or b"{}")
        per_worker[name.rsplit(":", 1)[1]] = stats
        for stat, value in stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[stat] = total.get(stat, 0) + value
    return {"workers": per_worker, "total": total}
