"""A full disk or an unwritable output folder fails the crawl clearly and loses nothing."""

from __future__ import annotations

import sqlite3

import pytest

from tests.compare import compare
from tests.crawl import crawl, scrapy

pytestmark = pytest.mark.slow


def recorded(state) -> int:
    with sqlite3.connect(state) as db:
        return db.execute("SELECT COUNT(*) FROM articles WHERE version > 0").fetchone()[0]


def test_full_disk_stops_the_crawl_and_records_nothing_unwritten(mirror, tmp_path):
    state = tmp_path / "state.sqlite3"
    storage = "tests.full_disk.FullDiskFeedStorage"
    storages = f'FEED_STORAGES={{"": "{storage}", "file": "{storage}"}}'
    full = crawl(mirror.base_url, tmp_path / "full.jsonl", "-s", storages, state=state)
    assert full.returncode == 3, full.log[-2000:]
    assert "could not be written" in full.log and "'finish_reason': 'feed_error'" in full.log
    assert recorded(state) == 0  # nothing reached a feed, so nothing is marked done
    # With a working disk the next run emits every article: nothing was lost.
    again = crawl(mirror.base_url, tmp_path / "again.jsonl", state=state)
    assert again.returncode == 0, again.log[-2000:]
    result = compare(again.records, mirror.truth)
    assert result.equal, result.summary()


def test_unwritable_output_folder_fails_at_start_with_one_line(mirror, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    done = scrapy(
        "crawl", "vietnamvn", "-a", f"base_url={mirror.base_url}",
        "-s", f"NEWSCRAWL_OUTPUT_DIR={blocker}/corpus", "-s", f"NEWSCRAWL_STATE_URI={tmp_path}/s.sqlite3",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "NEWSCRAWL_OUTPUT_DIR" in lines[0] and "not writable" in lines[0]
