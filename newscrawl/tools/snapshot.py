"""Fold run feeds into one snapshot: the latest version of every article, removed ones left out.

    python -m newscrawl.snapshot [--feeds output/vietnamvn [FOLDER ...]]
                                 [--out output/vietnamvn-snapshot.jsonl]

Several folders (say, one copied from each worker of a distributed crawl) fold into one.
Feeds are read in name order (their names start with the run's start time, then the worker
of a distributed crawl, whatever folder they are in); for each ``id``
the record with the highest ``version`` wins (the later one on a tie). Only offsets are kept
in memory, so a corpus of millions of articles folds in a few hundred MB at most. The
snapshot is written to a temporary file and renamed, so readers see the old or the new one.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import orjson

from newscrawl.feedfiles import PART_SUFFIX


@dataclass(slots=True)
class _Latest:
    version: int
    removed: bool
    file: int
    offset: int


@dataclass
class SnapshotReport:
    """What a fold read and wrote."""

    feeds: int = 0
    records: int = 0
    unreadable_lines: int = 0
    articles: int = 0
    removed: int = 0


def feed_files(*folders: Path, exclude: Path | None = None) -> list[Path]:
    """Complete feeds of the folders in run order (``.part`` files and the snapshot itself excluded)."""
    skip = exclude.resolve() if exclude else None
    found = {
        p.resolve() for folder in folders for p in folder.glob("*.jsonl")
        if not p.name.endswith(PART_SUFFIX) and p.resolve() != skip
    }  # fmt: skip
    return sorted(found, key=lambda p: (p.name, str(p)))


def build_snapshot(feeds: list[Path], out: Path) -> SnapshotReport:
    """Write the latest non-removed version of every article in ``feeds`` to ``out``."""
    report = SnapshotReport(feeds=len(feeds))
    latest: dict[str, _Latest] = {}
    for index, path in enumerate(feeds):
        with path.open("rb") as lines:
            offset = 0
            for line in lines:
                try:
                    record = orjson.loads(line)
                    key, version = record["id"], int(record.get("version") or 0)
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                    report.unreadable_lines += 1
                else:
                    report.records += 1
                    known = latest.get(key)
                    if known is None or version >= known.version:
                        latest[key] = _Latest(version, record.get("status") == "removed", index, offset)
                offset += len(line)
    kept = sorted((item.file, item.offset) for item in latest.values() if not item.removed)
    report.articles, report.removed = len(kept), len(latest) - len(kept)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    handles = [path.open("rb") for path in feeds]
    try:
        with tmp.open("wb") as target:
            for file_index, offset in kept:
                source = handles[file_index]
                source.seek(offset)
                target.write(source.readline())
            target.flush()
            os.fsync(target.fileno())
        os.replace(tmp, out)
    finally:
        for handle in handles:
            handle.close()
        tmp.unlink(missing_ok=True)
    return report


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
    print(
        f"{out}: {report.articles} articles from {report.records} records in {report.feeds} feeds "
        f"({report.removed} removed left out, {report.unreadable_lines} unreadable lines skipped)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
