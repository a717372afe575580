"""Feed files that appear complete or not at all, and recovery of what a killed run left.

A feed is written as ``<name>.part`` and renamed to ``<name>`` when the crawl closes it, so a
reader never sees a half-written feed under its final name. A run killed mid-way leaves the
``.part`` file; the next run keeps its complete lines (dropping a torn last line, whose article
is simply crawled again) and renames it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
from scrapy.extensions.feedexport import FileFeedStorage

PART_SUFFIX = ".part"


class AtomicFileFeedStorage(FileFeedStorage):
    """Local feed storage writing to ``<path>.part`` and renaming to ``<path>`` at close."""

    def open(self, spider: Any) -> IO[bytes]:
        """Open the ``.part`` file (a copy of the existing feed when appending to one)."""
        final = Path(self.path)
        final.parent.mkdir(parents=True, exist_ok=True)
        part = final.with_name(final.name + PART_SUFFIX)
        if self.write_mode == "ab" and final.exists():
            shutil.copyfile(final, part)
        return part.open(self.write_mode)

    def store(self, file: IO[bytes]) -> None:
        """Close the ``.part`` file and move it to its final name in one step."""
        file.flush()
        os.fsync(file.fileno())
        file.close()
        final = Path(self.path)
        os.replace(final.with_name(final.name + PART_SUFFIX), final)


def complete_lines(part: Path) -> Iterator[dict[str, Any]]:
    """The records of a partial feed, stopping at the first torn or unreadable line."""
    with part.open("rb") as lines:
        for line in lines:
            if not line.endswith(b"\n"):
                return  # the write was cut off: that article is crawled again
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                return
            if isinstance(record, dict):
                yield record


def finish_partial_feed(part: Path, reserved: set[Path]) -> tuple[Path, list[dict[str, Any]]]:
    """Rewrite ``part`` with its complete lines only and give it a final name.

    The final name is the feed's own unless that exists or this run is about to write it
    (``reserved``): then ``<stem>.recovered-<time><suffix>``. Returns it and the records kept.
    """
    records = list(complete_lines(part))
    final = part.with_name(part.name.removesuffix(PART_SUFFIX))
    if final.exists() or final.resolve() in reserved:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S")
        final = final.with_name(f"{final.stem}.recovered-{stamp}{final.suffix}")
    tmp = part.with_name(part.name + ".tmp")
    with tmp.open("wb") as out:
        out.writelines(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE) for record in records)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, final)
    part.unlink()
    return final, records
