"""Validation and deduplication pipelines."""

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.items import ArticleItem, complete_record
from newscrawl.normalize.text import article_id, content_hash
from newscrawl.pipelines import DeduplicatePipeline, ValidatePipeline
from newscrawl.spiders.vietnamvn import VietnamVnSpider


def record(slug="bai-viet-thu-nghiem-so-mot", lang="vi", title="Tiêu đề", body="Nội dung.", **extra):
    url = "https://www.vietnam.vn" + ("" if lang == "vi" else f"/{lang}") + f"/{slug}"
    values = {
        "id": article_id(url), "url": url, "lang": lang, "translation_key": slug, "title": title,
        "body": body, "content_hash": content_hash(title, body), **extra,
    }  # fmt: skip
    return ArticleItem(complete_record(values))


@pytest.fixture
def crawler():
    crawler = get_crawler(VietnamVnSpider)
    crawler.stats.open_spider()
    return crawler


def test_valid_record_passes(crawler):
    item = record(published_at="2026-05-26T10:30:00+07:00")
    assert ValidatePipeline.from_crawler(crawler).process_item(item) is item


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"title": ""}, "no_title"),
        ({"body": ""}, "no_body"),
        ({"url": "https://www.vietnam.vn/en/x?y=1"}, "bad_url"),
        ({"url": "http://127.0.0.1:8000/en/bai-viet"}, "bad_url"),
        ({"published_at": "26/05/2026"}, "bad_published_at"),
    ],
)
def test_invalid_records_are_dropped_with_a_counted_reason(crawler, changes, reason):
    item = record()
    item.update(changes)
    with pytest.raises(DropItem, match=reason):
        ValidatePipeline.from_crawler(crawler).process_item(item)
    assert crawler.stats.get_value(f"newscrawl/dropped/{reason}") == 1


def test_missing_key_is_a_drop_not_a_crash(crawler):
    item = record()
    del item["body"]
    with pytest.raises(DropItem, match="missing key body"):
        ValidatePipeline.from_crawler(crawler).process_item(item)


def test_duplicates_by_url_and_by_content_per_language(crawler):
    dedup = DeduplicatePipeline.from_crawler(crawler)
    dedup.process_item(record())
    with pytest.raises(DropItem, match="duplicate_url"):
        dedup.process_item(record(body="changed text"))
    with pytest.raises(DropItem, match="duplicate_content"):
        dedup.process_item(record(slug="bai-viet-dang-lai-lan-thu-hai"))
    # The same text in another language is a translation, not a duplicate.
    dedup.process_item(record(lang="en"))
    assert crawler.stats.get_value("newscrawl/dropped/duplicate_url") == 1
    assert crawler.stats.get_value("newscrawl/dropped/duplicate_content") == 1
