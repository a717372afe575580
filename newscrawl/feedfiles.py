"""Feed files that appear complete or not at all, and recovery of what a killed run left.

A feed is written as ``<name>.part`` and renamed to ``<name>`` when the crawl closes it, so a
reader never sees a half-written feed under its final name. A run killed mid-way leaves the
``.part`` file; the next run keeps its complete lines (dropping a torn last line, whose article
is simply crawled again) and renames it.

Feed URIs may use ``%(output_dir)s`` (``NEWSCRAWL_OUTPUT_DIR`` made absolute) and ``%(worker)s``
(this worker's id): :func:`feed_uri_params` is the project's ``FEED_URI_PARAMS``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from weakref import WeakKeyDictionary

import orjson
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.settings import BaseSettings

from newscrawl.cluster.workers import worker_id

PART_SUFFIX = ".part"


def output_dir(settings: BaseSettings) -> str:
    """``NEWSCRAWL_OUTPUT_DIR``, absolute: where the default feeds and health reports go."""
    return str(Path(settings.get("NEWSCRAWL_OUTPUT_DIR") or "output").expanduser().resolve())


# The crawl's start time as its first feed names it (``batch_time``), per crawler: the archive
# names its files with the same string.
_START_TIMES: WeakKeyDictionary[Crawler, str] = WeakKeyDictionary()


def feed_uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``FEED_URI_PARAMS``: Scrapy's URI parameters plus ``output_dir`` and ``worker``."""
    settings = spider.crawler.settings
    if "batch_time" in params:
        _START_TIMES.setdefault(spider.crawler, str(params["batch_time"]))
    return {**params, "output_dir": output_dir(settings), "worker": worker_id(settings)}


def start_time(crawler: Crawler) -> str:
    """The crawl's start time as its feed's name has it (``2026-12-03T20-18-05.123456+00-00``).

    Known once the feeds are open (at ``spider_opened``); a crawl without feeds gets the time
    of this first call, written the same way.
    """
    if crawler not in _START_TIMES:
        _START_TIMES[crawler] = datetime.now(tz=UTC).isoformat().replace(":", "-")
    return _START_TIMES[crawler]


class AtomicFileFeedStorage(FileFeedStorage):
    """Local feed storage writing to ``<path>.part`` and renaming to ``<path>`` at close."""

    def open(self, spider: Any) -> IO[bytes]:
        """Open the ``.part`` file (a copy of the existing feed when appending to one)."""
        final = Path(self.path)
        final.parent.mkdir(parents=True, exist_ok=True)
        part = final.with_name(final.name + PART_SUFFIX)
        if self.write_mode == "ab" and final.exists():
            shutil.copyfile(final, part)
        file = part.open(self.write_mode)
        # Held while the crawl writes: recovery leaves a locked .part alone (its crawl is alive).
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return file

    def store(self, file: IO[bytes]) -> None:
        """Close the ``.part`` file and move it to its final name in one step."""
        file.flush()
        os.fsync(file.fileno())
        file.close()
        final = Path(self.path)
        os.replace(final.with_name(final.name + PART_SUFFIX), final)


def complete_records(part: Path) -> tuple[list[dict[str, Any]], int]:
    """The records of a partial feed up to the first torn or unreadable line, and their byte length."""
    records: list[dict[str, Any]] = []
    good = 0
    with part.open("rb") as lines:
        for line in lines:
            if not line.endswith(b"\n"):
                break  # the write was cut off: that article is crawled again
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                break
            if not isinstance(record, dict):
                break
            records.append(record)
            good += len(line)
    return records, good


def _starts_with(path: Path, prefix: Path) -> bool:
    size = prefix.stat().st_size
    if path.stat().st_size < size:
        return False
    with path.open("rb") as whole, prefix.open("rb") as head:
        while chunk := head.read(1 << 20):
            if whole.read(len(chunk)) != chunk:
                return False
    return True


def in_use(part: Path) -> bool:
    """True while a live crawl still writes ``part`` (it holds a lock on it)."""
    try:
        with part.open("rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except FileNotFoundError:
        return False
    return False


def recover_partial_feed(part: Path, reserved: set[Path], commit: Callable[[dict[str, Any]], None]) -> Path:
    """Finish a feed a killed run left: keep its complete lines, record them, give it a final name.

    Every step can be interrupted and redone: the torn tail is cut off in place, each kept record
    is passed to ``commit`` (an idempotent state write) *before* the file is renamed in one step.
    The final name is the feed's own unless that exists or this run is about to write it
    (``reserved``): then ``<stem>.recovered-<time><suffix>``.
    """
    records, good = complete_records(part)
    if good < part.stat().st_size:
        with part.open("r+b") as handle:
            handle.truncate(good)
            handle.flush()
            os.fsync(handle.fileno())
    for record in records:
        commit(record)
    final = part.with_name(part.name.removesuffix(PART_SUFFIX))
    if final.exists() and _starts_with(part, final):
        # An append run copies the feed into its .part first: the .part continues the feed.
        os.replace(part, final)
        return final
    if final.exists() or final.resolve() in reserved:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S")
        final = final.with_name(f"{final.stem}.recovered-{stamp}{final.suffix}")
    os.replace(part, final)
    return final
