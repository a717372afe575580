"""Translation pairs: each Vietnamese article with each of its translations (same ``translation_key``).

``--format pairs`` writes them as ``pairs.parquet`` and ``pairs.jsonl``; ``--format moses``
(:mod:`newscrawl.datasets.moses`) splits the paragraph-aligned ones into parallel lines.

Paragraphs: the loader stores a body as its paragraphs, each cleaned to one line of text
(whitespace collapsed, so no line break inside), joined with a blank line (``\\n\\n``). Splitting
on the blank line gives them back, in page order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from newscrawl.datasets.card import Facts
from newscrawl.datasets.rowgroups import ROW_ERRORS, OnBadRow, RowGroupWriter
from newscrawl.datasets.schema import PAIR_SCHEMA, pair_arrow_row
from newscrawl.datasets.staging import Staging
from newscrawl.tools.snapshot import Fold

ORIGINAL = "vi"
PARQUET_NAME, JSONL_NAME = "pairs.parquet", "pairs.jsonl"


def paragraphs(body: str) -> list[str]:
    """The paragraphs of a body, each on one line (a stray line break inside becomes a space)."""
    return [" ".join(text.split()) for text in body.split("\n\n") if text.strip()]


def _text(record: Mapping[str, Any], key: str, *, optional: bool = False) -> Any:
    value = record.get(key)
    if isinstance(value, str) or (optional and value is None):
        return value
    raise TypeError(f"{key} is {value!r}, not a string")


def pair_row(original: Mapping[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    """The pair of a Vietnamese record and one translation (timestamps as the records have them).

    ``source_name`` is the original's outlet (the translation's if the original names none).
    Raises TypeError when a field the pair needs is not a string: the Parquet and JSON Lines files
    must hold the same pairs, so a pair is checked before either is written.
    """
    vi_body, other_body = _text(original, "body"), _text(other, "body")
    vi_count, other_count = len(paragraphs(vi_body)), len(paragraphs(other_body))
    return {
        "translation_key": _text(original, "translation_key"),
        "other_lang": _text(other, "lang"),
        "source_name": _text(original, "source_name", optional=True)
        or _text(other, "source_name", optional=True),
        "vi_url": _text(original, "url"),
        "other_url": _text(other, "url"),
        "vi_title": _text(original, "title"),
        "other_title": _text(other, "title"),
        "vi_body": vi_body,
        "other_body": other_body,
        "vi_published_at": _text(original, "published_at", optional=True),
        "other_published_at": _text(other, "published_at", optional=True),
        "vi_paragraphs": vi_count,
        "other_paragraphs": other_count,
        "paragraphs_aligned": vi_count == other_count > 0,
    }


@dataclass(frozen=True)
class Matched:
    """A Vietnamese record and one of its translations, with where the translation was read."""

    original: dict[str, Any]
    other: dict[str, Any]
    where: str
    size: int
    """Bytes of both input lines."""


def matched(fold: Fold) -> Iterator[Matched]:
    """Every (Vietnamese, translation) pair of ``fold``: translation language by language, then in
    snapshot order. Only the Vietnamese records' positions are held in memory."""
    originals = {}
    for item, record in fold.records(ORIGINAL):
        key = record.get("translation_key")
        if key:
            originals[key] = item
    with fold.reader() as read:
        for lang in sorted(set(fold.languages()) - {ORIGINAL}):
            for item, line in fold.lines(lang):
                other = orjson.loads(line)
                found = originals.get(other.get("translation_key") or "")
                if found is not None:
                    original = read(found)
                    yield Matched(orjson.loads(original), other, fold.where(item), len(line) + len(original))


def pairs(fold: Fold, on_bad_row: OnBadRow) -> Iterator[tuple[Matched, dict[str, Any]]]:
    """Each match with its pair row; a pair that cannot be made (a record missing a field) is
    reported to ``on_bad_row`` and left out."""
    for match in matched(fold):
        try:
            row = pair_row(match.original, match.other)
        except ROW_ERRORS as error:
            on_bad_row(match.where, f"cannot pair: {error!r}")
        else:
            yield match, row


def write_pairs(
    fold: Fold,
    out: Path,
    staging: Staging,
    facts: Facts,
    on_bad_row: OnBadRow,
    advance: Callable[[int], None] = lambda _n: None,
    **group_limits: int,
) -> None:
    """Stage ``pairs.parquet`` and ``pairs.jsonl`` under ``out``; count them in ``facts``."""

    seen = _counter(facts)
    writer = RowGroupWriter(staging.path(out / PARQUET_NAME), PAIR_SCHEMA, on_bad_row, seen, **group_limits)
    try:
        with staging.path(out / JSONL_NAME).open("wb") as jsonl:
            for match, row in pairs(fold, on_bad_row):
                advance(1)
                try:
                    arrow_row = pair_arrow_row(row)
                except ROW_ERRORS as error:
                    on_bad_row(match.where, str(error))
                    continue
                # The JSON Lines file keeps the records' own timestamp strings (with their offset).
                jsonl.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
                writer.add(arrow_row, match.size, match.where)
    except BaseException:
        writer.abort()
        raise
    writer.close()


def _counter(facts: Facts) -> Callable[[Any], None]:
    def seen(table: Any) -> None:
        facts.saw(table, url="vi_url", published="vi_published_at")
        columns = ("other_lang", "paragraphs_aligned", "vi_paragraphs")
        for lang, aligned, count in zip(*(table.column(c).to_pylist() for c in columns), strict=True):
            facts.articles[lang] += 1
            if aligned:
                facts.aligned[lang] += 1
                facts.lines[lang] += count

    return seen
