"""The health report extension: counts what the crawl emitted, builds the report at close,
has it judged against the run history and hands it to the state keeper for that history.

Logged and written as JSON beside the feed (``<feed name>.health.json``). Thresholds live in
settings (``NEWSCRAWL_HEALTH_*``). A run that emitted too few records to judge coverage (an
incremental run with nothing new) is healthy.
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
from newscrawl.commands.crawl import EXIT_UNHEALTHY
from newscrawl.compat import feed_slots
from newscrawl.feedfiles import output_dir
from newscrawl.health.rules import Thresholds, judge
from newscrawl.items import LAYERS_KEY, fields_of
from newscrawl.state.keeper import find_keeper

logger = logging.getLogger(__name__)
# Fields whose coverage (share of emitted articles where they are not empty) is reported.
COVERAGE_FIELDS = (
    "title", "body", "summary", "published_at", "source_name", "source_url", "authors", "tags",
    "images", "sections", "translations",
)  # fmt: skip
_ERROR_STATUSES = ("429", "500", "502", "503", "504")
_EXAMPLES = 3  # example URLs kept per missing field and per field/layer


def thresholds_from(settings: Any) -> Thresholds:
    """The ``NEWSCRAWL_HEALTH_*`` settings."""
    return Thresholds(
        coverage={k: float(v) for k, v in settings.getdict("NEWSCRAWL_HEALTH_MIN_COVERAGE").items()},
        min_items=settings.getint("NEWSCRAWL_HEALTH_MIN_ITEMS"),
        max_error_rate=settings.getfloat("NEWSCRAWL_HEALTH_MAX_ERROR_RATE"),
        max_not_rendered=settings.getint("NEWSCRAWL_HEALTH_MAX_NOT_RENDERED"),
        max_layer_shift=settings.getfloat("NEWSCRAWL_HEALTH_MAX_LAYER_SHIFT") / 100,
        min_volume_ratio=settings.getfloat("NEWSCRAWL_HEALTH_MIN_VOLUME_RATIO"),
        baseline_runs=settings.getint("NEWSCRAWL_HEALTH_BASELINE_RUNS"),
    )


class HealthReport:
    """Counts field coverage of emitted records; at close, builds, judges and writes the report."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_HEALTH_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.thresholds = thresholds_from(settings)
        self.history_runs = settings.getint("NEWSCRAWL_HISTORY_RUNS")
        self.filled: Counter[str] = Counter()
        self.missing: dict[str, list[str]] = {}  # field → example URLs of articles without it
        self.by_layer: dict[str, list[str]] = {}  # "field/layer" → example URLs
        self.started = time.monotonic()
        self.started_at = time.time()
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HealthReport:
        """Build from settings."""
        return cls(crawler)

    def item_scraped(self, item: Any, spider: Spider) -> None:
        """Count which fields an emitted article has; keep a few example URLs."""
        record = fields_of(item)
        if record.get("status") == "removed":
            return
        self.filled["_articles"] += 1
        url = record.get("url") or ""
        for name in COVERAGE_FIELDS:
            if record.get(name) not in (None, "", [], {}):
                self.filled[name] += 1
            else:
                _keep(self.missing.setdefault(name, []), url)
        self._keep_layer_examples(record)

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Spider) -> None:
        """A dropped article (an unchanged re-fetch, mostly) was still extracted: keep its layers."""
        self._keep_layer_examples(fields_of(item))

    def _keep_layer_examples(self, record: Any) -> None:
        url = record.get("url") or ""
        for name, layer in (record.get(LAYERS_KEY) or {}).items():
            _keep(self.by_layer.setdefault(f"{name}/{layer}", []), url)

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
            "mode": getattr(getattr(spider, "args", None), "mode", "full"),
            "started_at": self.started_at,
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
                "said_empty": sorted(under(keys.LISTING_SAYS_EMPTY_PREFIX)),
                "items": under(keys.LISTING_ITEMS_PREFIX),
                "examples": under(keys.LISTING_EXAMPLE_PREFIX),
            },
            "discovery": under(keys.DISCOVERY_PREFIX),
            "examples": {"missing": self.missing, "layers": self.by_layer},
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
        """Judge the crawl against the history, log the verdict, write the report beside the feed
        and hand it to the state keeper for the history."""
        report = self.build(spider, reason)
        keeper = find_keeper(self.crawler)
        earlier: list[dict[str, Any]] = []
        if keeper is not None:  # the runs before this one (on a cluster, not this crawl's other workers)
            history = keeper.store.run_history(spider.name, self.history_runs)
            earlier = [r.summary for r in history if r.summary is not None and r.run_id != keeper.run_id]
        verdict = judge(report, earlier, self.thresholds)
        report.update(healthy=not verdict.broken, broken_thresholds=verdict.broken, warnings=verdict.warnings,
                      exit_status=EXIT_UNHEALTHY if verdict.broken else 0)  # fmt: skip
        for line in verdict.broken:
            logger.error("health check failed: %s", line)
        for line in verdict.warnings:
            logger.warning("health warning: %s", line)
        if verdict.broken:
            self.crawler.stats.set_value(keys.HEALTH_FAILED, len(verdict.broken))
        if verdict.warnings:
            self.crawler.stats.set_value(keys.HEALTH_WARNINGS, len(verdict.warnings))
        speed = report["speed"]
        logger.info(
            "health: %d articles, %s pages/s, %s items/s, %s",
            report["articles"]["emitted"], speed["pages_per_second"], speed["items_per_second"],
            "healthy" if not verdict.broken else f"{len(verdict.broken)} thresholds broken",
        )  # fmt: skip
        if keeper is not None:
            keeper.run_summary = report
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


def _keep(examples: list[str], url: str) -> None:
    if url and len(examples) < _EXAMPLES:
        examples.append(url)
