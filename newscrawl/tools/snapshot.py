"""Fold run feeds into one snapshot: the latest version of every article, removed ones left out.

    python -m newscrawl.snapshot [--feeds output/vietnamvn [FOLDER ...]]
                                 [--out output/vietnamvn-snapshot.jsonl]

Several folders (say, one copied from each worker of a distributed crawl) fold into one.
Feeds are read in name order (their names start with the run's start time, then the worker
of a distributed crawl, whatever folder they are in); for each ``id``
the record with the highest ``version`` wins (the later one on a tie). Only offsets are kept
in memory, so a corpus of millions of articles folds in a few hundred MB at most. The
snapshot is written to a temporary file and renamed, so readers see the old or the new one.

A line that is not a record (torn by a crash, or a file that is not JSON Lines) is skipped,
counted, and reported with its path and line number.

:func:`fold_feeds` is the fold itself, for other tools (``newscrawl.export``): one pass that
finds the latest version of each article, then :meth:`Fold.lines` / :meth:`Fold.records` read
them back one at a time, in the snapshot's order, by language if asked.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from newscrawl.feedfiles import PART_SUFFIX

#: Unreadable lines reported one by one; the rest are only counted.
REPORTED_LINES = 10


@dataclass(slots=True)
class _Latest:
    version: int
    removed: bool
    file: int
    offset: int
    line: int
    lang: str


@dataclass(frozen=True, slots=True)
class Kept:
    """Where the latest version of one article is: feed index, byte offset, line number, language."""

    file: int
    offset: int
    line: int
    lang: str


@dataclass
class SnapshotReport:
    """What a fold read and wrote."""

    feeds: int = 0
    records: int = 0
    unreadable_lines: int = 0
    articles: int = 0
    removed: int = 0
    unreadable: list[str] = field(default_factory=list)
    """``path:line`` of the first :data:`REPORTED_LINES` unreadable lines."""

    def skipped(self, where: str) -> None:
        """Count one unreadable line (remembering where, for the first few)."""
        self.unreadable_lines += 1
        if len(self.unreadable) < REPORTED_LINES:
            self.unreadable.append(where)

    def warnings(self) -> list[str]:
        """One message per reported unreadable line, and one for those only counted."""
        lines = [f"{where}: not a record (torn or not JSON Lines), skipped" for where in self.unreadable]
        if self.unreadable_lines > len(self.unreadable):
            more = self.unreadable_lines - len(self.unreadable)
            lines.append(f"… and {more} more unreadable lines skipped")
        return lines


@dataclass
class Fold:
    """The latest non-removed version of every article of some feeds, found but not yet read."""

    feeds: list[Path]
    kept: list[Kept]
    """In snapshot order: feed by feed, line by line."""
    report: SnapshotReport

    def languages(self) -> Counter[str]:
        """Articles per language."""
        return Counter(item.lang for item in self.kept)

    def where(self, item: Kept) -> str:
        """``path:line`` of a kept record, for messages."""
        return f"{self.feeds[item.file]}:{item.line}"

    def lines(self, lang: str | None = None) -> Iterator[tuple[Kept, bytes]]:
        """Each kept record's raw line (of ``lang`` only, if given), in snapshot order."""
        selected = self.kept if lang is None else [item for item in self.kept if item.lang == lang]
        with self.reader() as read:
            for item in selected:
                yield item, read(item)

    def records(self, lang: str | None = None) -> Iterator[tuple[Kept, dict[str, Any]]]:
        """Each kept record, parsed (of ``lang`` only, if given), in snapshot order."""
        for item, line in self.lines(lang):
            yield item, orjson.loads(line)

    def reader(self) -> _Reader:
        """A context manager giving a function that reads any kept record's line (feeds stay open)."""
        return _Reader(self.feeds)


class _Reader:
    def __init__(self, feeds: list[Path]) -> None:
        self._feeds = feeds
        self._stack = ExitStack()
        self._handles: dict[int, Any] = {}

    def __enter__(self) -> Callable[[Kept], bytes]:
        return self._read

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _read(self, item: Kept) -> bytes:
        handle = self._handles.get(item.file)
        if handle is None:
            handle = self._handles[item.file] = self._stack.enter_context(self._feeds[item.file].open("rb"))
        handle.seek(item.offset)
        line: bytes = handle.readline()
        # The last line of a feed copied by hand may lack its newline: a snapshot must not glue
        # the next record to it.
        return line if line.endswith(b"\n") else line + b"\n"


def feed_files(*folders: Path, exclude: Path | None = None) -> list[Path]:
    """Complete feeds of the folders in run order (``.part`` files and the snapshot itself excluded)."""
    skip = exclude.resolve() if exclude else None
    found = {
        p.resolve() for folder in folders for p in folder.glob("*.jsonl")
        if not p.name.endswith(PART_SUFFIX) and p.resolve() != skip
    }  # fmt: skip
    return sorted(found, key=lambda p: (p.name, str(p)))


def fold_feeds(feeds: list[Path], progress: Callable[[int], None] | None = None) -> Fold:
    """Find the latest version of every article in ``feeds`` (one pass; only positions are kept).

    ``progress`` is called with the bytes read, now and then, for a progress bar.
    """
    report = SnapshotReport(feeds=len(feeds))
    latest: dict[str, _Latest] = {}
    langs: dict[str, str] = {}  # one string object per language, not one per record
    for index, path in enumerate(feeds):
        with path.open("rb") as lines:
            offset = unreported = 0
            for number, line in enumerate(lines, 1):
                try:
                    record = orjson.loads(line)
                    key, version = record["id"], int(record.get("version") or 0)
                    lang = str(record.get("lang") or "")
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                    report.skipped(f"{path}:{number}")
                else:
                    report.records += 1
                    known = latest.get(key)
                    if known is None or version >= known.version:
                        lang = langs.setdefault(lang, lang)
                        removed = record.get("status") == "removed"
                        latest[key] = _Latest(version, removed, index, offset, number, lang)
                offset += len(line)
                unreported += len(line)
                if progress and unreported >= 1 << 20:
                    progress(unreported)
                    unreported = 0
            if progress and unreported:
                progress(unreported)
    kept = sorted(
        (Kept(item.file, item.offset, item.line, item.lang) for item in latest.values() if not item.removed),
        key=lambda item: (item.file, item.offset),
    )
    report.articles, report.removed = len(kept), len(latest) - len(kept)
    return Fold(feeds, kept, report)


def write_atomically(out: Path, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to ``out`` through a temporary file renamed at the end (nothing half-written)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        with tmp.open("wb") as target:
            for chunk in chunks:
                target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def build_snapshot(feeds: list[Path], out: Path) -> SnapshotReport:
    """Write the latest non-removed version of every article in ``feeds`` to ``out``."""
    fold = fold_feeds(feeds)
    write_atomically(out, (line for _item, line in fold.lines()))
    return fold.report


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m newscrawl.snapshot", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--feeds", type=Path, nargs="+", default=[Path("output/vietnamvn")], help="folders of run feeds"
    )
    parser.add_argument("--out", type=Path, help="snapshot file (default: <first folder>-snapshot.jsonl)")
    args = parser.parse_args(argv)
    first = args.feeds[0]
    out = args.out or first.with_name(f"{first.name}-snapshot.jsonl")
    missing = [folder for folder in args.feeds if not folder.is_dir()]
    if missing:
        print(f"newscrawl: error: no feed folder {missing[0]}", file=sys.stderr)
        return 2
    report = build_snapshot(feed_files(*args.feeds, exclude=out), out)
    for warning in report.warnings():
        print(f"newscrawl: warning: {warning}", file=sys.stderr)
    print(
        f"{out}: {report.articles} articles from {report.records} records in {report.feeds} feeds "
        f"({report.removed} removed left out, {report.unreadable_lines} unreadable lines skipped)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
