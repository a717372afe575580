"""``--format moses``: paragraph-aligned pairs as the parallel text files translation toolkits read.

For each translation language ``xx``: ``pairs.vi-xx.vi`` and ``pairs.vi-xx.xx``, line *n* of one
the translation of line *n* of the other, one paragraph a line. Only pairs whose bodies have the
same number of paragraphs are used (``paragraphs_aligned``), paragraphs paired in order.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from pathlib import Path
from types import TracebackType
from typing import IO

from newscrawl.datasets.card import Facts
from newscrawl.datasets.pairs import ORIGINAL, pairs, paragraphs
from newscrawl.datasets.rowgroups import OnBadRow
from newscrawl.datasets.schema import timestamp
from newscrawl.datasets.staging import Staging
from newscrawl.tools.snapshot import Fold


def moses_names(lang: str) -> tuple[str, str]:
    """The two file names of the ``vi``–``lang`` pair."""
    stem = f"pairs.{ORIGINAL}-{lang}"
    return f"{stem}.{ORIGINAL}", f"{stem}.{lang}"


def moses_files(out: Path) -> list[Path]:
    """The Moses files an export left in ``out``."""
    return sorted(out.glob(f"pairs.{ORIGINAL}-*"))


class _Parallel:
    """The two files of one language pair, staged at the first line written (none if no line is)."""

    def __init__(self, staging: Staging, out: Path, lang: str) -> None:
        self._paths = [out / name for name in moses_names(lang)]
        self._staging = staging
        self._files: list[IO[str]] = []

    def write(self, left: list[str], right: list[str]) -> None:
        if not self._files:
            self._files = [self._staging.path(p).open("w", encoding="utf-8") for p in self._paths]
        for target, lines in zip(self._files, (left, right), strict=True):
            target.write("".join(line + "\n" for line in lines))

    def __enter__(self) -> _Parallel:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for target in self._files:
            target.close()


def write_moses(
    fold: Fold,
    out: Path,
    staging: Staging,
    facts: Facts,
    on_bad_row: OnBadRow,
    advance: Callable[[int], None] = lambda _n: None,
) -> None:
    """Stage the two files of each language that has paragraph-aligned pairs; count them in ``facts``."""

    # Pairs come language by language: two files are open at a time.
    for lang, group in groupby(pairs(fold, on_bad_row), key=lambda pair: pair[1]["other_lang"]):
        with _Parallel(staging, out, lang) as parallel:
            for match, row in group:
                advance(1)
                try:
                    published = timestamp(row["vi_published_at"])
                except ValueError as error:
                    on_bad_row(match.where, str(error))
                    continue
                facts.note(row["vi_url"], published)
                facts.articles[lang] += 1
                if row["paragraphs_aligned"]:
                    left, right = paragraphs(row["vi_body"]), paragraphs(row["other_body"])
                    parallel.write(left, right)
                    facts.aligned[lang] += 1
                    facts.lines[lang] += len(left)
