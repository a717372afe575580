"""The Arrow schemas of the exports, and records turned into their rows (pure functions).

Decisions, also told in each export's dataset card:

- timestamps are ``timestamp[us, tz=UTC]``: instants. The records' ISO strings carry an offset
  (the site's local time for ``published_at``/``modified_at``, UTC for ``crawled_at``); the instant
  is kept, the offset is not (convert with ``tz_convert`` where local time matters). A string
  without an offset is taken as UTC;
- ``translations`` is ``list<struct<lang, url>>`` in the record's order, not a ``map``: pandas,
  DuckDB, Polars and Hugging Face ``datasets`` all read lists of structs, not all read maps;
- ``images`` is ``list<struct<url, caption>>``; ``sections``, ``authors``, ``tags`` are ``list<string>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from newscrawl.items import complete_record

_STRING = pa.string()
_TIME = pa.timestamp("us", tz="UTC")
_STRINGS = pa.list_(_STRING)


def _required(name: str, kind: pa.DataType) -> pa.Field:
    return pa.field(name, kind, nullable=False)


#: One row per article and language: the output record, typed.
ARTICLE_SCHEMA = pa.schema([
    _required("id", _STRING),
    _required("url", _STRING),
    _required("lang", _STRING),
    _required("translation_key", _STRING),
    _required("translations", pa.list_(pa.struct([_required("lang", _STRING), _required("url", _STRING)]))),
    _required("sections", _STRINGS),
    _required("title", _STRING),
    _required("summary", _STRING),
    _required("body", _STRING),
    pa.field("source_name", _STRING),
    pa.field("source_url", _STRING),
    _required("authors", _STRINGS),
    _required("tags", _STRINGS),
    pa.field("published_at", _TIME),
    pa.field("modified_at", _TIME),
    _required("images", pa.list_(pa.struct([_required("url", _STRING), pa.field("caption", _STRING)]))),
    _required("word_count", pa.int64()),
    _required("content_hash", _STRING),
    _required("crawled_at", _TIME),
    _required("status", _STRING),
    _required("version", pa.int64()),
])  # fmt: skip

#: One row per Vietnamese article and one of its translations.
PAIR_SCHEMA = pa.schema([
    _required("translation_key", _STRING),
    _required("other_lang", _STRING),
    pa.field("source_name", _STRING),
    _required("vi_url", _STRING),
    _required("other_url", _STRING),
    _required("vi_title", _STRING),
    _required("other_title", _STRING),
    _required("vi_body", _STRING),
    _required("other_body", _STRING),
    pa.field("vi_published_at", _TIME),
    pa.field("other_published_at", _TIME),
    _required("vi_paragraphs", pa.int32()),
    _required("other_paragraphs", pa.int32()),
    _required("paragraphs_aligned", pa.bool_()),
])  # fmt: skip

TIMESTAMP_FIELDS = frozenset(f.name for s in (ARTICLE_SCHEMA, PAIR_SCHEMA) for f in s if f.type == _TIME)

#: What each column means, for the dataset cards (the README's output table, shortened).
FIELD_NOTES: dict[str, str] = {
    "id": "SHA-1 (hex) of `url`",
    "url": "canonical URL of this language's page",
    "lang": "language code as in the URL prefix (`vi` for none)",
    "translation_key": "the slug, shared by every language version of one article",
    "translations": "the other language versions the page links to, `{lang, url}` each",
    "sections": "category slugs",
    "title": "title",
    "summary": 'lead paragraph (`""` if none)',
    "body": "article text, paragraphs separated by a blank line",
    "source_name": "original outlet (null if none)",
    "source_url": "the outlet's article URL (null if none)",
    "authors": "as shown on the page",
    "tags": "as shown on the page",
    "published_at": "publication time (UTC instant; null if unknown)",
    "modified_at": "last modification time (UTC instant; null if unknown)",
    "images": "the body's images in page order, `{url, caption}` each (caption null if none)",
    "word_count": "whitespace-separated words in `body`",
    "content_hash": 'SHA-256 (hex) of `title + "\\n" + body`',
    "crawled_at": "when this version was fetched (UTC)",
    "status": "`new` or `updated` (removed articles are not exported)",
    "version": "1 when first seen, +1 each time the text changed",
    "other_lang": "language of the translation",
    "vi_url": "URL of the Vietnamese article",
    "other_url": "URL of the translation",
    "vi_title": "Vietnamese title",
    "other_title": "translated title",
    "vi_body": "Vietnamese body, paragraphs separated by a blank line",
    "other_body": "translated body, paragraphs separated by a blank line",
    "vi_published_at": "publication time of the Vietnamese article (UTC instant)",
    "other_published_at": "publication time of the translation (UTC instant)",
    "vi_paragraphs": "paragraphs in `vi_body`",
    "other_paragraphs": "paragraphs in `other_body`",
    "paragraphs_aligned": "both bodies have the same number of paragraphs (at least one)",
}


def timestamp(value: object) -> datetime | None:
    """An ISO 8601 string as a UTC datetime (None stays None; no offset means UTC).

    Raises ValueError or TypeError for anything else.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"not an ISO 8601 string: {value!r}")
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _typed_times(row: dict[str, Any]) -> dict[str, Any]:
    for key in TIMESTAMP_FIELDS & row.keys():
        row[key] = timestamp(row[key])
    return row


def article_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as a row of :data:`ARTICLE_SCHEMA` (keys outside the contract dropped).

    Raises ValueError, TypeError or AttributeError for a record that does not fit.
    """
    row = complete_record(dict(record))
    row["translations"] = [{"lang": lang, "url": url} for lang, url in row["translations"].items()]
    return _typed_times(row)


def pair_arrow_row(pair: Mapping[str, Any]) -> dict[str, Any]:
    """A pair (as :func:`newscrawl.datasets.pairs.pair_row` makes it) as a row of :data:`PAIR_SCHEMA`."""
    return _typed_times(dict(pair))


def record_from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """An :data:`ARTICLE_SCHEMA` row read back (``to_pylist``) as a record: translations as a dict.

    Timestamps stay datetimes: they compare equal to the record's strings parsed with :func:`timestamp`.
    """
    record = dict(row)
    record["translations"] = {item["lang"]: item["url"] for item in row["translations"]}
    return record
