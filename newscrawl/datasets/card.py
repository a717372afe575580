"""The dataset card: ``README.md`` in the export folder, from the facts gathered while writing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc

from newscrawl.datasets.schema import ARTICLE_SCHEMA, FIELD_NOTES, PAIR_SCHEMA

TRANSLATION_NOTE = (
    "**About the translations.** Each article is published in Vietnamese first; the versions in other "
    "languages are the site's own translations of that Vietnamese original (linked to it by "
    "`translation_key`), published as they are, not independent articles and not made by this export. "
    "Their quality is the site's; they may lag behind an update of the original, or leave parts out."
)


@dataclass
class Facts:
    """What an export wrote, counted as it went."""

    kind: str
    """``parquet``, ``pairs`` or ``moses``."""
    feeds: int = 0
    host: str = ""
    articles: Counter[str] = field(default_factory=Counter)
    """Rows per language (``parquet``) or per translation language (``pairs``, ``moses``)."""
    aligned: Counter[str] = field(default_factory=Counter)
    """Pairs whose bodies have the same number of paragraphs, per translation language."""
    lines: Counter[str] = field(default_factory=Counter)
    """Paragraph pairs (lines of each Moses file), per translation language."""
    first: datetime | None = None
    last: datetime | None = None
    skipped: int = 0
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))

    def note(self, url: str, published: datetime | None) -> None:
        """Note an article written: the first URL gives the host; its publication time the date range."""
        if not self.host and url:
            self.host = urlsplit(url).netloc
        if published is not None:
            self.first = published if self.first is None else min(self.first, published)
            self.last = published if self.last is None else max(self.last, published)

    def saw(self, table: pa.Table, url: str, published: str) -> None:
        """Note a row group written: :meth:`note` for its first URL, and the range of ``published``."""
        if table.num_rows:
            low, high = pc.min_max(table.column(published)).values()
            self.note(table.column(url)[0].as_py(), low.as_py())
            self.note("", high.as_py())


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)])


def _fields(schema: pa.Schema) -> str:
    rows = [[f"`{f.name}`", f"`{f.type}`", FIELD_NOTES.get(f.name, "")] for f in schema]
    return _table(["column", "Arrow type", "meaning"], rows)


def _dates(facts: Facts) -> str:
    if facts.first is None or facts.last is None:
        return "No publication dates"
    return f"Published {facts.first:%Y-%m-%d %H:%M} to {facts.last:%Y-%m-%d %H:%M} UTC"


def _counts(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(((k, n) for k, n in counter.items() if n), key=lambda item: (-item[1], item[0]))


def render(facts: Facts) -> str:
    """The card's Markdown."""
    source = facts.host or "the crawled site"
    head = [
        f"# {source}: {_TITLES[facts.kind]}",
        "",
        f"Exported by `python -m newscrawl.export --format {facts.kind}` on "
        f"{facts.generated:%Y-%m-%d %H:%M} UTC from {facts.feeds} crawl feeds: the latest version of each "
        f"article, articles the site removed left out. {_dates(facts)}."
        + (f" {facts.skipped} records that did not fit the schema were left out." if facts.skipped else ""),
        "",
    ]
    body = {"parquet": _parquet, "pairs": _pairs, "moses": _moses}[facts.kind](facts)
    return "\n".join([*head, *body, "", TRANSLATION_NOTE, ""])


_TITLES = {
    "parquet": "news articles by language (Parquet)",
    "pairs": "Vietnamese articles paired with their translations",
    "moses": "paragraph-aligned Vietnamese translation pairs (Moses text)",
}


def _parquet(facts: Facts) -> list[str]:
    total = sum(facts.articles.values())
    rows = [[f"`{lang}`", f"{n:,}", f"`lang={lang}/part-0.parquet`"] for lang, n in _counts(facts.articles)]
    return [
        f"{total:,} articles in {len(facts.articles)} languages, one zstd Parquet file per language.",
        "",
        _table(["language", "articles", "file"], rows),
        "",
        "## Loading",
        "",
        "`EXPORT` stands for this folder's path.",
        "",
        "```python",
        "import pandas as pd  # lang is a column of every file: do not let pandas add it from the path",
        'df = pd.read_parquet("EXPORT", partitioning=None)',
        "import duckdb",
        "duckdb.sql(\"SELECT lang, count(*) FROM 'EXPORT/lang=*/part-0.parquet' GROUP BY lang\")",
        "from datasets import load_dataset",
        'ds = load_dataset("parquet", data_files={"train": "EXPORT/lang=*/part-0.parquet"})',
        "```",
        "",
        "## Columns",
        "",
        "Timestamps are UTC instants (the crawl's records say them in the site's local time). "
        "`translations` is a list of `{lang, url}` structs rather than a map, which every reader supports.",
        "",
        _fields(ARTICLE_SCHEMA),
    ]


def _pair_rows(facts: Facts) -> list[list[str]]:
    return [
        [f"vi-{lang}", f"{n:,}", f"{facts.aligned[lang]:,}", f"{facts.lines[lang]:,}"]
        for lang, n in _counts(facts.articles)
    ]


def _pairs(facts: Facts) -> list[str]:
    total = sum(facts.articles.values())
    return [
        f"{total:,} pairs: one row per Vietnamese article and each of its translations (same "
        "`translation_key`), in `pairs.parquet` (zstd) and `pairs.jsonl` (the same rows, timestamps as "
        "the crawl wrote them). `paragraphs_aligned` is true where both bodies have the same number of "
        "paragraphs: those pairs can be split into paragraph pairs, in order.",
        "",
        _table(["pair", "documents", "paragraph-aligned", "paragraph pairs"], _pair_rows(facts)),
        "",
        "## Loading",
        "",
        "`EXPORT` stands for this folder's path.",
        "",
        "```python",
        "import pandas as pd",
        'pairs = pd.read_parquet("EXPORT/pairs.parquet")',
        "import duckdb",
        "duckdb.sql(\"SELECT other_lang, count(*) FROM 'EXPORT/pairs.parquet' GROUP BY other_lang\")",
        "from datasets import load_dataset",
        'ds = load_dataset("parquet", data_files={"train": "EXPORT/pairs.parquet"})',
        "```",
        "",
        "## Columns",
        "",
        _fields(PAIR_SCHEMA),
    ]


def _moses(facts: Facts) -> list[str]:
    return [
        "Plain-text parallel files as translation toolkits read them: for each language `xx`, "
        "`pairs.vi-xx.vi` and `pairs.vi-xx.xx` have the same number of lines, line *n* of one being the "
        "translation of line *n* of the other. A line is one paragraph of an article body; only articles "
        "whose two bodies have the same number of paragraphs are included, paragraphs paired in order.",
        "",
        _table(["pair", "documents", "paragraph-aligned", "paragraph pairs (lines)"], _pair_rows(facts)),
    ]
