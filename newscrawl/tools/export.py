"""Export the snapshot as datasets: Parquet by language, translation pairs, Moses parallel text.

    python -m newscrawl.export [--feeds output/vietnamvn [FOLDER ...]] --format parquet|pairs|moses
                               --out FOLDER

The records are the snapshot's (:mod:`newscrawl.tools.snapshot`: the latest version of each
article, removed ones left out), read one at a time, so memory stays bounded whatever the corpus
size. Each format goes to its own folder, with a dataset card (``README.md``):

- ``parquet``: ``lang=<code>/part-0.parquet``, one zstd file per language, typed columns
  (:mod:`newscrawl.datasets.schema`);
- ``pairs``: ``pairs.parquet`` and ``pairs.jsonl``, one row per Vietnamese article and translation;
- ``moses``: ``pairs.vi-<lang>.vi`` / ``.<lang>``, paragraph-aligned pairs, one paragraph a line.

The files of an export appear together or not at all (an error leaves the previous export as it
was); files of a language no longer in the corpus are removed. Lines that are not records (torn,
not JSON Lines) and records that do not fit the schema are skipped, counted and reported with their
path and line, as the snapshot does; a missing feed folder, or an output folder holding another
format's export, is an error (exit status 2).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from newscrawl.datasets.card import Facts, render
from newscrawl.datasets.corpus import language_files, write_corpus
from newscrawl.datasets.moses import moses_files, write_moses
from newscrawl.datasets.pairs import JSONL_NAME, PARQUET_NAME, write_pairs
from newscrawl.datasets.staging import Staging, remove_stale
from newscrawl.tools.snapshot import REPORTED_LINES, Fold, SnapshotReport, feed_files, fold_feeds

FORMATS = ("parquet", "pairs", "moses")
CARD = "README.md"
#: A progress bar is shown (on a terminal) from this many records on; feeds hold about 3 KB a record.
PROGRESS_FROM = 10_000
RECORD_BYTES = 3_000


@dataclass
class ExportReport:
    """What an export read, wrote and left out."""

    fold: SnapshotReport
    facts: Facts
    bad_rows: list[str] = field(default_factory=list)
    """``path:line: error`` of the first records left out."""
    removed: list[Path] = field(default_factory=list)
    """Files of an earlier export no longer part of this one."""

    def bad_row(self, where: str, error: str) -> None:
        """Count a record left out; remember the first few, with the reason."""
        self.facts.skipped += 1
        if len(self.bad_rows) < REPORTED_LINES:
            self.bad_rows.append(f"{where}: {error}")

    def warnings(self) -> list[str]:
        """The fold's unreadable lines, then the records that did not fit."""
        lines = self.fold.warnings() + [f"{row}, left out" for row in self.bad_rows]
        if self.facts.skipped > len(self.bad_rows):
            lines.append(f"… and {self.facts.skipped - len(self.bad_rows)} more records left out")
        return lines


def other_exports(out: Path, kind: str) -> list[str]:
    """The formats other than ``kind`` whose files are in ``out``."""
    found = {
        "parquet": bool(language_files(out)),
        "pairs": (out / PARQUET_NAME).exists() or (out / JSONL_NAME).exists(),
        "moses": bool(moses_files(out)),
    }
    return [name for name, present in found.items() if present and name != kind]


def _bar(total: int, records: int, show: bool | None, **options: Any) -> Any:
    """A progress bar over ``total`` units for an input of about ``records`` records."""
    # disable=None: tqdm shows the bar only on a terminal.
    hidden = (None if records >= PROGRESS_FROM else True) if show is None else not show
    return tqdm(total=total, disable=hidden, leave=False, **options)


def export(
    feeds: list[Path], out: Path, kind: str, *, progress: bool | None = None, **group_limits: int
) -> ExportReport:
    """Export the snapshot of ``feeds`` to ``out`` in format ``kind`` (one of :data:`FORMATS`).

    ``progress``: show progress bars (None: on a terminal, for long inputs); ``group_limits``: the
    Parquet row group's ``rows_per_group`` / ``bytes_per_group``.
    """
    size = sum(path.stat().st_size for path in feeds)
    with _bar(size, size // RECORD_BYTES, progress, unit="B", unit_scale=True, desc="reading feeds") as bar:
        fold = fold_feeds(feeds, progress=bar.update)
    report = ExportReport(fold.report, Facts(kind, feeds=len(feeds)))
    total = len(fold.kept)
    with Staging() as staging, _bar(total, total, progress, unit=" records", desc=kind) as bar:
        _write(kind, fold, out, staging, report, bar.update, group_limits)
        staging.path(out / CARD).write_text(render(report.facts), encoding="utf-8")
        written = staging.commit()
    found = language_files(out) if kind == "parquet" else moses_files(out) if kind == "moses" else []
    report.removed = remove_stale(found, written, out)
    return report


def _write(
    kind: str,
    fold: Fold,
    out: Path,
    staging: Staging,
    report: ExportReport,
    advance: Callable[[int], None],
    group_limits: dict[str, int],
) -> None:
    if kind == "parquet":
        write_corpus(fold, out, staging, report.facts, report.bad_row, advance, **group_limits)
    elif kind == "pairs":
        write_pairs(fold, out, staging, report.facts, report.bad_row, advance, **group_limits)
    elif kind == "moses":
        write_moses(fold, out, staging, report.facts, report.bad_row, advance)
    else:
        raise ValueError(f"unknown format {kind!r}; accepted: {', '.join(FORMATS)}")


def _summary(out: Path, report: ExportReport) -> str:
    facts, fold = report.facts, report.fold
    what = {"parquet": "articles", "pairs": "pairs", "moses": "pairs"}[facts.kind]
    counts = ", ".join(f"{lang} {n}" for lang, n in sorted(facts.articles.items()) if n)
    extra = f", {sum(facts.lines.values())} paragraph pairs" if facts.kind == "moses" else ""
    return (
        f"{out}: {sum(facts.articles.values())} {what} ({counts or 'none'}{extra}) from {fold.articles} "
        f"articles in {fold.feeds} feeds ({fold.removed} removed left out, {fold.unreadable_lines} "
        f"unreadable lines and {facts.skipped} unfit records skipped)"
    )


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m newscrawl.export", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--feeds", type=Path, nargs="+", default=[Path("output/vietnamvn")], help="folders of run feeds"
    )
    parser.add_argument("--format", choices=FORMATS, default="parquet", help="what to write")
    parser.add_argument("--out", type=Path, required=True, help="output folder (one per format)")
    parser.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, help="progress bars (default: on a terminal)"
    )
    args = parser.parse_args(argv)
    missing = [folder for folder in args.feeds if not folder.is_dir()]
    error = f"no feed folder {missing[0]}" if missing else None
    if args.out.exists() and not args.out.is_dir():
        error = f"--out {args.out} is not a folder"
    elif any(args.out.resolve() == folder.resolve() for folder in args.feeds):
        error = f"--out {args.out} is a feed folder; give the export a folder of its own"
    elif args.out.is_dir() and (others := other_exports(args.out, args.format)):
        error = f"--out {args.out} holds a {others[0]} export; give each format its own folder"
    if error:
        print(f"newscrawl: error: {error}", file=sys.stderr)
        return 2
    feeds = feed_files(*args.feeds, exclude=args.out / JSONL_NAME)
    report = export(feeds, args.out, args.format, progress=args.progress)
    for warning in report.warnings():
        print(f"newscrawl: warning: {warning}", file=sys.stderr)
    print(_summary(args.out, report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
