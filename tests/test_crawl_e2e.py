"""End-to-end: `scrapy crawl vietnamvn` against the offline mirror, compared with its truth."""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.compare import compare
from tests.crawl import crawl, scrapy

pytestmark = pytest.mark.slow


def problems(log: str) -> str:
    """Error lines and newscrawl's counters of a crawl log, to explain a failure."""
    return "\n".join(line for line in log.splitlines() if "ERROR" in line or "'newscrawl/" in line)


def requested_paths(mirror) -> list[str]:
    return [urlsplit(target).path.rstrip("/") or "/" for method, target, _ in mirror.log if method == "GET"]


def test_full_crawl_equals_the_truth(mirror, tmp_path):
    mirror.reset_log()
    run = crawl(mirror.base_url, tmp_path / "out.jsonl")
    assert run.returncode == 0, run.log[-3000:]
    result = compare(run.records, mirror.truth)
    assert result.equal, result.summary() + "\n" + problems(run.log)
    assert "Traceback" not in run.log and "ERROR" not in run.log
    # Every article page is fetched once, whatever alias, slash or tracking form links used.
    article_paths = {urlsplit(r["url"]).path for r in mirror.truth}
    fetched = Counter(p for p in requested_paths(mirror) if p in article_paths)
    assert set(fetched) == article_paths
    assert max(fetched.values()) == 1
    # Tag and author pages are never fetched; they cannot become records anyway.
    assert not [p for p in requested_paths(mirror) if re.search(r"/(tag|author)/", p)]
    for field in ("title", "body", "published_at"):
        assert f"newscrawl/field/{field}/" in run.log
    health = json.loads((tmp_path / "out.health.json").read_text())
    assert health["healthy"] and health["articles"]["emitted"] == len(mirror.truth) - 1  # one duplicate
    assert health["coverage"]["body"] == 1.0 and health["speed"]["pages_per_second"] > 0


def test_unhealthy_output_exits_non_zero_naming_the_threshold(mirror, tmp_path):
    run = crawl(
        mirror.base_url, tmp_path / "out.jsonl", "-a", "langs=en",
        "-s", 'NEWSCRAWL_HEALTH_MIN_COVERAGE={"source_url": 0.99}',
    )  # fmt: skip
    assert run.returncode == 3
    assert "health check failed: coverage of source_url" in run.log
    assert json.loads((tmp_path / "out.health.json").read_text())["healthy"] is False


def test_languages_argument_limits_the_crawl(mirror, tmp_path):
    mirror.reset_log()
    run = crawl(mirror.base_url, tmp_path / "out.jsonl", "-a", "langs=en,zh-cn")
    assert run.returncode == 0, run.log[-3000:]
    expected = [r for r in mirror.truth if r["lang"] in ("en", "zh-cn")]
    result = compare(run.records, expected)
    assert result.equal, result.summary()
    assert not [p for p in requested_paths(mirror) if p.startswith(("/fr", "/ko", "/ja"))]


def test_sections_argument_keeps_only_those_categories(mirror, tmp_path):
    mirror.reset_log()
    run = crawl(
        mirror.base_url, tmp_path / "out.jsonl", "-a", "sections=di-san,the-thao", "-a", "langs=vi,en"
    )
    assert run.returncode == 0, run.log[-3000:]
    expected = [
        r for r in mirror.truth
        if r["lang"] in ("vi", "en") and {"di-san", "the-thao"} & set(r["sections"])
    ]  # fmt: skip
    result = compare(run.records, expected)
    assert result.equal, result.summary()
    walked = {m.group(1) for p in requested_paths(mirror) if (m := re.search(r"/category/([^/?]+)", p))}
    assert walked == {"di-san", "the-thao"}


def test_max_pages_caps_every_category(mirror, tmp_path):
    mirror.reset_log()
    run = crawl(mirror.base_url, tmp_path / "out.jsonl", "-a", "max_pages=1", "-a", "langs=vi")
    assert run.returncode == 0, run.log[-3000:]
    targets = [t for m, t, _ in mirror.log if "/category/" in t]
    assert targets and not [t for t in targets if re.search(r"page[=/]", t)]
    truth_urls = {r["url"] for r in mirror.truth}
    assert run.records and {r["url"] for r in run.records} <= truth_urls


def test_since_skips_older_articles_and_stops_paginating(mirror, tmp_path):
    since = "2026-01-01"
    mirror.reset_log()
    assert crawl(mirror.base_url, tmp_path / "all.jsonl", "-a", "langs=vi").returncode == 0
    full_listing_pages = sum(1 for _, t, _ in mirror.log if "/category/" in t)
    mirror.reset_log()
    run = crawl(mirror.base_url, tmp_path / "out.jsonl", "-a", f"since={since}", "-a", "langs=vi")
    assert run.returncode == 0, run.log[-3000:]
    expected = [r for r in mirror.truth if r["lang"] == "vi" and r["published_at"][:10] >= since]
    result = compare(run.records, expected)
    assert result.equal, result.summary() + "\n" + problems(run.log)
    listing_pages = sum(1 for _, t, _ in mirror.log if "/category/" in t)
    assert 0 < listing_pages < full_listing_pages


def test_default_feed_lands_in_output_folder(mirror, tmp_path):
    # Run from another folder so the default relative FEEDS path lands in tmp_path/output.
    done = scrapy(
        "crawl", "vietnamvn", "-a", f"base_url={mirror.base_url}", "-a", "langs=ko", "-a", "max_pages=1",
        "-s", "AUTOTHROTTLE_ENABLED=False", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    feeds = list((tmp_path / "output" / "vietnamvn").glob("*.jsonl"))
    assert len(feeds) == 1
    assert feeds[0].read_text(encoding="utf-8").count("\n") > 0


def test_articles_only_in_embedded_data_without_a_browser(mirror, tmp_path):
    """Layouts D (``__NEXT_DATA__``), E (App Router flight data) and F (JSON-LD ``@graph``) show no
    date, outlet or source line: every field of theirs comes from the data, with rendering off."""
    embedded = {a.slug for a in mirror.site.articles.values() if a.layout in "DEF"}
    assert {a.layout for a in mirror.site.articles.values() if a.slug in embedded} == set("DEF")
    run = crawl(mirror.base_url, tmp_path / "out.jsonl", "-a", "langs=vi,ja", "-s", "NEWSCRAWL_RENDER=never")
    assert run.returncode == 0, problems(run.log)
    expected = [r for r in mirror.truth if r["lang"] in ("vi", "ja")]
    result = compare(run.records, expected)
    assert result.equal, result.summary() + "\n" + problems(run.log)
    got = [r for r in run.records if r["translation_key"] in embedded]
    assert len(got) == 2 * len(embedded)
    assert all(r["published_at"] and r["source_name"] and r["source_url"] for r in got)
    assert "newscrawl/field/published_at/embedded" in run.log
    assert "newscrawl/render/" not in run.log
