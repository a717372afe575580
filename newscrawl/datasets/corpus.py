"""``--format parquet``: the snapshot's records as one zstd Parquet file per language.

The output is ``<out>/lang=<code>/part-0.parquet`` (Hive-style folders, ``lang`` also a column of
every file so that each file stands alone). Languages are written one after the other, each file
a row group at a time, so memory holds one row group whatever the corpus size.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import orjson

from newscrawl.datasets.card import Facts
from newscrawl.datasets.rowgroups import ROW_ERRORS, OnBadRow, RowGroupWriter
from newscrawl.datasets.schema import ARTICLE_SCHEMA, article_row
from newscrawl.datasets.staging import Staging
from newscrawl.tools.snapshot import Fold

PARTITION = "lang={lang}/part-0.parquet"


def language_files(out: Path) -> list[Path]:
    """The per-language files an export left in ``out``."""
    return sorted(out.glob(PARTITION.format(lang="*")))


def write_corpus(
    fold: Fold,
    out: Path,
    staging: Staging,
    facts: Facts,
    on_bad_row: OnBadRow,
    advance: Callable[[int], None] = lambda _n: None,
    **group_limits: int,
) -> None:
    """Stage one Parquet file per language of ``fold`` under ``out``; count what is written in ``facts``.

    ``advance`` is told of each record read (a progress bar); ``group_limits`` are
    :class:`RowGroupWriter`'s ``rows_per_group`` / ``bytes_per_group``.
    """

    for lang in sorted(fold.languages()):
        final = out / PARTITION.format(lang=lang)
        seen = partial(facts.saw, url="url", published="published_at")
        writer = RowGroupWriter(staging.path(final), ARTICLE_SCHEMA, on_bad_row, seen, **group_limits)
        try:
            for item, line in fold.lines(lang):
                advance(1)
                try:
                    row = article_row(orjson.loads(line))
                except ROW_ERRORS as error:
                    on_bad_row(fold.where(item), str(error))
                else:
                    writer.add(row, len(line), fold.where(item))
        except BaseException:
            writer.abort()
            raise
        facts.articles[lang] += writer.close()
