"""Which worker this is, and what a Redis state URI switches on (settings only: no Redis
client is imported, so a single-machine crawl does not load one)."""

from __future__ import annotations

import os
import re
import socket
from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newscrawl.state.store import is_redis_uri

FEED_WITH_WORKER = "%(output_dir)s/%(name)s/%(batch_time)s-%(worker)s.jsonl"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def worker_id(settings: BaseSettings) -> str:
    """This worker's name: ``NEWSCRAWL_WORKER_ID``, else ``<host>-<pid>`` (safe in file names)."""
    chosen = str(settings.get("NEWSCRAWL_WORKER_ID") or "").strip() or f"{socket.gethostname()}-{os.getpid()}"
    return _UNSAFE.sub("_", chosen)


def cluster_settings(settings: BaseSettings) -> dict[str, Any]:
    """The settings a Redis state URI implies (empty for a single-machine crawl).

    Only the project's default feed is renamed to carry the worker id; feeds given on the
    command line (``-O``, ``-s FEEDS``) are the user's choice.
    """
    if not is_redis_uri(settings.get("NEWSCRAWL_STATE_URI")):
        return {}
    changes: dict[str, Any] = {
        "SCHEDULER": "newscrawl.cluster.scheduler.ClusterScheduler",
        "SCHEDULER_PERSIST": True,
        "DUPEFILTER_CLASS": "newscrawl.cluster.scheduler.FingerprintDupeFilter",
        # Heartbeat and idle waiting; after the state keeper (100), which joins the crawl.
        "EXTENSIONS": {**settings.getdict("EXTENSIONS"), "newscrawl.cluster.scheduler.ClusterWorker": 150},
    }
    # FEEDS always has a priority (Scrapy's defaults set it); unset would mean no one chose it.
    if (settings.getpriority("FEEDS") or 0) <= SETTINGS_PRIORITIES["project"]:
        options = next(iter(settings.getdict("FEEDS").values()), {"format": "jsonlines"})
        changes["FEEDS"] = {FEED_WITH_WORKER: options}
    return changes
