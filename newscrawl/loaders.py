"""Item loader: turns an :class:`Extraction` and the page's URL into a contract record.

Normalisation lives in pure functions (``newscrawl.normalize``); the loader only wires
them to fields and derives the computed keys (id, word count, content hash).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from itemloaders.processors import Identity, TakeFirst
from scrapy.loader import ItemLoader

from newscrawl.extract.article import Extraction
from newscrawl.items import ArticleItem, complete_record
from newscrawl.normalize.text import (
    article_id,
    clean_caption,
    clean_text,
    content_hash,
    join_paragraphs,
    word_count,
)
from newscrawl.urls import SiteUrl

# Processors are plain functions of the whole value list: itemloaders' MapCompose and Compose
# build a context chain and wrap every function again on each call, which made the loader
# cost more than all the normalising it runs.


def _clean_texts(values: list[str]) -> list[str]:
    return [clean_text(value) for value in values]


def _clean_bodies(values: list[str]) -> list[str]:
    return [join_paragraphs(value.split("\n\n")) for value in values]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _clean_images(images: list[dict[str, str]]) -> list[dict[str, str | None]]:
    return [{"url": img["url"], "caption": clean_caption(img.get("caption"))} for img in images]


class ArticleLoader(ItemLoader):
    """Loader for :class:`ArticleItem`; single values by default, lists where the record has lists."""

    default_item_class = ArticleItem
    default_input_processor = Identity()
    default_output_processor = TakeFirst()

    title_in = summary_in = source_name_in = authors_in = tags_in = sections_in = _clean_texts
    body_in = _clean_bodies
    authors_out = tags_out = sections_out = _unique
    images_out = _clean_images

    # A field's processors depend only on the loader and item classes: look each up once.
    _processors: ClassVar[dict[tuple[type, type, str, str], Callable[..., Any]]] = {}

    def _processor(
        self, kind: str, field_name: str, find: Callable[[str], Callable[..., Any]]
    ) -> Callable[..., Any]:
        key = (type(self), type(self.item), kind, field_name)
        found = self._processors.get(key)
        if found is None:
            found = self._processors[key] = find(field_name)
        return found

    def get_input_processor(self, field_name: str) -> Callable[..., Any]:
        """The field's input processor (cached per loader and item class)."""
        return self._processor("in", field_name, super().get_input_processor)

    def get_output_processor(self, field_name: str) -> Callable[..., Any]:
        """The field's output processor (cached per loader and item class)."""
        return self._processor("out", field_name, super().get_output_processor)


def load_article(
    url: SiteUrl, extraction: Extraction, found_under: list[str], crawled_at: datetime | None = None
) -> dict[str, Any]:
    """Build the complete output record of an article page."""
    loader = ArticleLoader()
    fields = extraction.fields
    # Only the fields with something to normalise go through the loader; the rest are copied.
    for name in ("title", "summary", "body", "source_name"):
        if fields.get(name) is not None:
            loader.add_value(name, fields[name])
    lists: tuple[Literal["authors", "tags", "images"], ...] = ("authors", "tags", "images")
    for list_name in lists:
        if fields.get(list_name):  # an empty list adds nothing; the record's default is one
            loader.add_value(list_name, fields[list_name])
    # The page's own breadcrumb is authoritative; where it has none, the listing it came from.
    loader.add_value("sections", list(fields.get("sections") or found_under))
    record = dict(loader.load_item())
    canonical = url.canonical
    record.update(
        source_url=fields.get("source_url"),
        published_at=fields.get("published_at"),
        modified_at=fields.get("modified_at"),
        translations={k: v for k, v in (fields.get("translations") or {}).items() if k != url.lang},
        id=article_id(canonical),
        url=canonical,
        lang=url.lang,
        translation_key=url.slug,
        crawled_at=(crawled_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        status="new",
        version=1,
    )
    record = complete_record(record)
    record["word_count"] = word_count(record["body"])
    record["content_hash"] = content_hash(record["title"], record["body"])
    return record
