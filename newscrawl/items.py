"""The output record (DESIGN.md §2): one article in one language."""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

import scrapy
from itemadapter import ItemAdapter

from newscrawl.normalize.text import article_id

# Every key of the contract with the value a record carries when the page gives nothing.
RECORD_DEFAULTS: dict[str, Any] = {
    "id": "",
    "url": "",
    "lang": "",
    "translation_key": "",
    "translations": {},
    "sections": [],
    "title": "",
    "summary": "",
    "body": "",
    "source_name": None,
    "source_url": None,
    "authors": [],
    "tags": [],
    "published_at": None,
    "modified_at": None,
    "images": [],
    "word_count": 0,
    "content_hash": "",
    "crawled_at": "",
    "status": "new",
    "version": 1,
}
RECORD_KEYS = tuple(RECORD_DEFAULTS)


class ArticleItem(scrapy.Item):
    """One article record; keys and meaning as in the README's output table."""

    id = scrapy.Field()
    url = scrapy.Field()
    lang = scrapy.Field()
    translation_key = scrapy.Field()
    translations = scrapy.Field()
    sections = scrapy.Field()
    title = scrapy.Field()
    summary = scrapy.Field()
    body = scrapy.Field()
    source_name = scrapy.Field()
    source_url = scrapy.Field()
    authors = scrapy.Field()
    tags = scrapy.Field()
    published_at = scrapy.Field()
    modified_at = scrapy.Field()
    images = scrapy.Field()
    word_count = scrapy.Field()
    content_hash = scrapy.Field()
    crawled_at = scrapy.Field()
    status = scrapy.Field()
    version = scrapy.Field()
    # Response validators for the crawl state; not part of the record, never exported.
    _fetch = scrapy.Field()
    # Which extraction layer gave each field, for the health report; never exported.
    _layers = scrapy.Field()


LAYERS_KEY = "_layers"


def complete_record(values: dict[str, Any]) -> dict[str, Any]:
    """All contract keys in contract order, missing ones filled with fresh defaults."""
    record = {}
    for key, default in RECORD_DEFAULTS.items():
        value = values.get(key)
        if value is None:
            value = default.copy() if isinstance(default, (dict, list)) else default
        record[key] = value
    return record


def fields_of(item: Any) -> MutableMapping[str, Any]:
    """The item as a mutable mapping: dicts and scrapy Items as they are, anything else adapted.

    Our records are ArticleItems; building an ItemAdapter for each, in every pipeline, cost more
    than the pipelines' own work.
    """
    return item if isinstance(item, MutableMapping) else ItemAdapter(item)


def tombstone(url: str, lang: str, slug: str, fetched_at: float) -> dict[str, Any]:
    """The record telling consumers an article is gone (the state pipeline drops unknown ones)."""
    return complete_record({
        "id": article_id(url), "url": url, "lang": lang, "translation_key": slug, "status": "removed",
        "crawled_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(fetched_at)),
    })  # fmt: skip
