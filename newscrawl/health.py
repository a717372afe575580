"""The end-of-crawl health report: what a run produced, and whether the output went bad.

Logged and written as JSON beside the feed (``<feed name>.health.json``). Thresholds live in
settings (``NEWSCRAWL_HEALTH_*``); breaking one logs an ERROR naming it, and the ``crawl``
command then exits with status 3, so cron and Scrapyd monitoring notice a layout change the
day it happens. A run that emitted too few records to judge coverage (an incremental run
with nothing new) is healthy.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl import stats as keys
from newscrawl.compat import feed_slots
from newscrawl.feedfiles import output_dir
from newscrawl.items import fields_of

logger = logging.getLogger(__name__)
# Fields whose coverage (share of emitted articles where they are not empty) is reported.
COVERAGE_FIELDS = (
    "title", "body", "summary", "published_at", "source_name", "source_url", "authors", "tags",
    "images", "sections", "translations",
)  # fmt: skip
_ERROR_STATUSES = ("429", "500", "502", "503", "504")


def evaluate(report: dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """The thresholds a report breaks, each as one readable line."""
    broken = []
    if report["finish_reason"] == "feed_error":
        broken.append("the feed could not be written; the crawl stopped early")
    articles = report["articles"]["emitted"]
    if articles >= thresholds["min_items"]:
        for field, minimum in thresholds["coverage"].items():
            share = report["coverage"].get(field, 0.0)
            if share < minimum:
                broken.append(f"coverage of {field} is {share:.1%}, below {minimum:.0%}")
    empty = report["listings"]["empty_categories"]
    if empty:
        broken.append(f"categories whose first listing page showed no article: {', '.join(empty)}")
    requests, errors = report["http"]["requests"], report["http"]["errors"]
    if requests and errors / requests > thresholds["max_error_rate"]:
        broken.append(f"error rate {errors / requests:.1%} above {thresholds['max_error_rate']:.0%}")
    if report["pages"]["not_rendered"] > thresholds["max_not_rendered"]:
        broken.append(f"{report['pages']['not_rendered']} pages needed a browser and were not rendered")
    return broken


class HealthReport:
    """Counts field coverage of emitted records; at close, builds, judges and writes the report."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_HEALTH_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.thresholds = {
            "coverage": {k: float(v) for k, v in settings.getdict("NEWSCRAWL_HEALTH_MIN_COVERAGE").items()},
            "min_items": settings.getint("NEWSCRAWL_HEALTH_MIN_ITEMS"),
            "max_error_rate": settings.getfloat("NEWSCRAWL_HEALTH_MAX_ERROR_RATE"),
            "max_not_rendered": settings.getint("NEWSCRAWL_HEALTH_MAX_NOT_RENDERED"),
        }
        self.filled: Counter[str] = Counter()
        self.started = time.monotonic()
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HealthReport:
        """Build from settings."""
        return cls(crawler)

    def item_scraped(self, item: Any, spider: Spider) -> None:
        """Count which fields an emitted article has."""
        record = fields_of(item)
        if record.get("status") == "removed":
            return
        self.filled["_articles"] += 1
        for field in COVERAGE_FIELDS:
            if record.get(field) not in (None, "", [], {}):
                self.filled[field] += 1

    def build(self, spider: Spider, reason: str) -> dict[str, Any]:
        """The report of this crawl, from the stats and the coverage counts."""
        stats = self.crawler.stats.get_stats()
        elapsed = max(time.monotonic() - self.started, 1e-6)

        def under(prefix: str) -> dict[str, int]:
            return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}

        articles = self.filled["_articles"]
        coverage = {f: round(self.filled[f] / articles, 4) if articles else None for f in COVERAGE_FIELDS}
        statuses = under("downloader/response_status_count/")
        responses = stats.get("response_received_count", 0)
        failures = stats.get("downloader/exception_count", 0)
        errors = failures + sum(statuses.get(code, 0) for code in _ERROR_STATUSES)
        return {
            "spider": spider.name,
            "finish_reason": reason,
            "articles": {
                "emitted": articles,
                "by_language": under(keys.ARTICLES_PREFIX),
                "by_category": under(keys.SECTIONS_PREFIX),
                "by_status": under(keys.STATUS_PREFIX),
                "unchanged": stats.get(keys.UNCHANGED, 0),
            },
            "dropped": under(keys.DROPPED_PREFIX),
            "skipped": under(keys.SKIPPED_PREFIX),
            "coverage": coverage,
            "layers": under(keys.FIELD_PREFIX),
            "listings": {
                "pages": stats.get(keys.LISTING_PAGES, 0),
                "empty_categories": sorted(under(keys.LISTING_EMPTY_PREFIX)),
            },
            "http": {
                "requests": responses + failures,
                "errors": errors,
                "status": statuses,
                "exceptions": stats.get("downloader/exception_count", 0),
                "retries_given_up": stats.get("retry/max_reached", 0),
            },
            "pages": {"not_rendered": stats.get(keys.NOT_RENDERED, 0)},
            "speed": {
                "elapsed_seconds": round(elapsed, 3),
                "pages_per_second": round(responses / elapsed, 2),
                "items_per_second": round(articles / elapsed, 2),
            },
        }

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Judge the crawl, log the verdict and write the report beside the feed."""
        report = self.build(spider, reason)
        broken = evaluate(report, self.thresholds)
        report["healthy"], report["broken_thresholds"] = not broken, broken
        for line in broken:
            logger.error("health check failed: %s", line)
        if broken:
            self.crawler.stats.set_value(keys.HEALTH_FAILED, len(broken))
        speed = report["speed"]
        logger.info(
            "health: %d articles, %s pages/s, %s items/s, %s",
            report["articles"]["emitted"], speed["pages_per_second"], speed["items_per_second"],
            "healthy" if not broken else f"{len(broken)} thresholds broken",
        )  # fmt: skip
        path = self._report_path(spider)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        except OSError as error:
            logger.error("cannot write the health report %s: %s", path, error.strerror)

    def _report_path(self, spider: Spider) -> Path:
        # Beside the first local feed file; else in the output folder, named by the start time.
        for slot in feed_slots(self.crawler):
            uri = slot.uri
            if uri and ("://" not in uri or uri.startswith("file://")):
                return Path(uri.removeprefix("file://")).with_suffix(".health.json")
        stamp = time.strftime("%Y-%m-%dT%H-%M-%S", time.gmtime())
        return Path(output_dir(self.crawler.settings)) / spider.name / f"{stamp}.health.json"
