"""Item pipelines: validate, then deduplicate, before the feed exporter writes the item.

Every drop raises DropItem with a short reason and counts it under
``newscrawl/dropped/<reason>`` in the crawl stats.
"""

from __future__ import annotations

import re
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from newscrawl.items import RECORD_KEYS
from newscrawl.sites import vietnamvn as site

_CANONICAL_URL = re.compile(
    r"^" + re.escape(site.CANONICAL_ORIGIN) + r"(?:/[a-z]{2}(?:-[a-z]{2})?)?/[a-z0-9]+(?:-[a-z0-9]+)*$"
)
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def drop(stats: StatsCollector, reason: str, detail: str) -> DropItem:
    """Count a drop under ``newscrawl/dropped/<reason>`` and build the DropItem to raise."""
    stats.inc_value(f"newscrawl/dropped/{reason}")
    return DropItem(f"{reason}: {detail}", log_level="INFO")


def problems(record: dict[str, Any]) -> list[str]:
    """What makes a record break the output contract (empty list: it is valid)."""
    found = [f"missing key {key}" for key in RECORD_KEYS if key not in record]
    if found:
        return found
    if not record["title"]:
        found.append("no_title")
    if not record["body"]:
        found.append("no_body")
    if not _CANONICAL_URL.match(record["url"] or ""):
        found.append("bad_url")
    for key in ("published_at", "modified_at"):
        if record[key] is not None and not _ISO.match(record[key]):
            found.append(f"bad_{key}")
    return found


class ValidatePipeline:
    """Drop records without a title or body, or that break the contract, with a counted reason."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        """Build from the crawler's stats."""
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        """Pass valid items on; raise DropItem for the rest."""
        record = ItemAdapter(item)
        if record.get("status") == "removed":  # tombstones carry only id and url
            return item
        found = problems(dict(record))
        if found:
            raise drop(self.stats, found[0], str(record.get("url")))
        return item


class DeduplicatePipeline:
    """Drop a second record with the same canonical URL, or the same content in one language.

    Keeps 8-byte digests rather than strings so memory stays small on long crawls.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen_urls: set[int] = set()
        self.seen_content: set[int] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeduplicatePipeline:
        """Build from the crawler's stats."""
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        """Pass the first record of each URL and of each (language, content); drop repeats."""
        record = ItemAdapter(item)
        url_key = int(record["id"][:16], 16)
        if url_key in self.seen_urls:
            raise drop(self.stats, "duplicate_url", record["url"])
        content_key = hash((record["lang"], record["content_hash"]))
        if record.get("status") != "removed" and content_key in self.seen_content:
            raise drop(self.stats, "duplicate_content", record["url"])
        self.seen_urls.add(url_key)
        if record.get("status") != "removed":
            self.seen_content.add(content_key)
        return item
