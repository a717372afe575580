"""Scheduled incremental runs: a real Scrapyd runs the crawl twice while the mirror changes."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.tools import deploy, schedule
from tests.compare import compare, read_jsonl
from tests.crawl import crawl
from tests.mirror.model import add_articles, advance_clock, build_site, change_article, remove_article
from tests.mirror.server import MirrorServer
from tests.mirror.truth import diff

pytestmark = pytest.mark.slow
PROJECT = "newscrawl"
LANGS = ("vi", "en", "fr")


@pytest.fixture
def small_mirror():
    """A small site of its own: these tests change it."""
    with MirrorServer(build_site(seed=11, n_articles=40, langs=LANGS)) as server:
        yield server


def catch_up_with_the_wall_clock(site) -> None:
    # The mirror's clock is fixed in 2026-11; edits must look newer than the first crawl.
    minutes = int((datetime.now(site.now.tzinfo) - site.now).total_seconds() // 60) + 2
    advance_clock(site, max(minutes, 1))


def scheduled_run(scrapyd, mirror, tmp: Path) -> list[dict]:
    settings = [
        ("NEWSCRAWL_STATE_URI", str(tmp / "state.sqlite3")),
        ("NEWSCRAWL_OUTPUT_DIR", str(tmp / "corpus")),
        ("AUTOTHROTTLE_ENABLED", "False"),
    ]
    before = set((tmp / "corpus" / "vietnamvn").glob("*.jsonl")) if (tmp / "corpus").exists() else set()
    args = [("base_url", mirror.base_url)]
    outcome, job_id = schedule.schedule_once(scrapyd.url, PROJECT, "vietnamvn", args, settings)
    assert outcome == schedule.STARTED
    scrapyd.wait_for_job(PROJECT, job_id)
    log = scrapyd.job_log(PROJECT, "vietnamvn", job_id)
    assert "'finish_reason': 'finished'" in log and "Traceback" not in log, log[-3000:]
    (feed,) = set((tmp / "corpus" / "vietnamvn").glob("*.jsonl")) - before
    return read_jsonl(feed)


def article_paths(mirror) -> list[str]:
    """Article pages requested, as paths (sitemaps, listings, homes and feeds left out)."""
    truth_paths = {urlsplit(r["url"]).path for r in mirror.truth}
    gone = {p for p in (r.path.rstrip("/") for r in mirror.requests) if p not in truth_paths}
    return [r.path.rstrip("/") for r in mirror.requests if r.path.rstrip("/") in truth_paths | gone
            and not any(k in r.path for k in ("/category/", "sitemap", ".rss", "robots.txt"))
            and r.path.strip("/") not in ("", *LANGS)]  # fmt: skip


def test_second_scheduled_run_fetches_and_emits_only_what_changed(scrapyd, small_mirror, tmp_path):
    mirror, site = small_mirror, small_mirror.site
    deploy.deploy(scrapyd.url, PROJECT, "incremental")
    first = scheduled_run(scrapyd, mirror, tmp_path)
    truth_before = list(mirror.truth)
    assert compare(first, truth_before).equal

    catch_up_with_the_wall_clock(site)
    added = add_articles(site, 3, langs=LANGS)
    changed = change_article(site, sorted(site.articles)[5])
    mirror.rebuild()
    truth_after = list(mirror.truth)
    expected = diff(truth_before, truth_after)
    assert len(expected["new"]) == 9 and expected["updated"] and not expected["removed"]

    mirror.reset_log()
    second = scheduled_run(scrapyd, mirror, tmp_path)
    # Emitted: exactly the new and the updated records, with the right status and version.
    assert {r["url"] for r in second} == expected["new"] | expected["updated"]
    for record in second:
        status, version = ("new", 1) if record["url"] in expected["new"] else ("updated", 2)
        assert (record["status"], record["version"]) == (status, version), record["url"]
    # Fetched: the new and changed articles only (no re-check is due), each once.
    fetched = article_paths(mirror)
    wanted = {urlsplit(u).path for u in expected["new"] | expected["updated"]}
    assert sorted(fetched) == sorted(wanted)
    slugs = {p.rsplit("/", 1)[-1] for p in fetched}
    assert {a.slug for a in added} | {changed.slug} <= slugs
    # Listings: the first page of every category, plus the second page where new articles
    # pushed older ones down; nothing deeper.
    listing_pages = [r.target for r in mirror.requests if "/category/" in r.path]
    assert listing_pages and all("page" not in t or t.endswith(("=2", "/2")) for t in listing_pages)

    # Both runs together, latest version per URL, equal the truth as it is now.
    latest = {r["url"]: r for r in first + second}
    updated = expected["updated"]
    want = [dict(r, status="updated", version=2) if r["url"] in updated else r for r in truth_after]
    result = compare(list(latest.values()), want)
    assert result.equal, result.summary()


def test_removed_article_is_emitted_once_as_a_tombstone(small_mirror, tmp_path):
    mirror, site = small_mirror, small_mirror.site
    state = tmp_path / "state.sqlite3"
    first = crawl(mirror.base_url, tmp_path / "1.jsonl", state=state)
    assert first.returncode == 0
    slug = sorted(site.articles)[3]
    gone = [r for r in first.records if r["translation_key"] == slug]
    remove_article(site, slug, status=410)
    mirror.rebuild()
    # Pretend the last fetch came a minute after publication: the 1-hour re-check is due.
    with sqlite3.connect(state) as db:
        db.execute("UPDATE articles SET last_fetched = published_ts + 60 WHERE translation_key = ?", (slug,))
    second = crawl(mirror.base_url, tmp_path / "2.jsonl", state=state)
    assert second.returncode == 0, second.log[-2000:]
    assert sorted(r["url"] for r in second.records) == sorted(r["url"] for r in gone)
    for tombstone, original in zip(sorted(second.records, key=lambda r: r["url"]),
                                   sorted(gone, key=lambda r: r["url"]), strict=True):  # fmt: skip
        assert tombstone["status"] == "removed" and tombstone["id"] == original["id"]
        assert tombstone["version"] == original["version"]
        assert tombstone["title"] == "" and tombstone["body"] == "" and tombstone["images"] == []
    third = crawl(mirror.base_url, tmp_path / "3.jsonl", state=state)
    assert third.returncode == 0 and third.records == []


def test_full_mode_refetches_but_emits_only_changes(small_mirror, tmp_path):
    mirror = small_mirror
    state = tmp_path / "state.sqlite3"
    assert crawl(mirror.base_url, tmp_path / "1.jsonl", state=state).returncode == 0
    mirror.reset_log()
    again = crawl(mirror.base_url, tmp_path / "2.jsonl", "-a", "mode=full", state=state)
    assert again.returncode == 0 and again.records == []
    assert "newscrawl/unchanged" in again.log
    fetched = {r.path.rstrip("/") for r in mirror.requests}
    assert {urlsplit(r["url"]).path for r in mirror.truth} <= fetched


def test_nothing_new_reads_only_homes_first_listing_pages_and_unchanged_sitemaps(small_mirror, tmp_path):
    mirror = small_mirror
    state = tmp_path / "state.sqlite3"
    assert crawl(mirror.base_url, tmp_path / "1.jsonl", state=state).returncode == 0
    mirror.reset_log()
    again = crawl(mirror.base_url, tmp_path / "2.jsonl", state=state)
    assert again.returncode == 0 and again.records == []
    kinds = {}
    for request in mirror.requests:
        path = request.path.rstrip("/") or "/"
        kind = ("listing-1" if "/category/" in path and "page" not in request.target else
                "listing-n" if "/category/" in path else
                "home" if path.strip("/") in ("", *LANGS) else
                "robots" if path == "/robots.txt" else
                "sitemap-or-feed" if "sitemap" in path else "other")  # fmt: skip
        kinds.setdefault(kind, []).append((request.target, request.status))
    assert set(kinds) <= {"listing-1", "home", "robots", "sitemap-or-feed"}, kinds.get("other") or kinds
    assert len(kinds["robots"]) == 1
    # Sitemaps and feeds were asked for conditionally and had not changed.
    assert all(status == 304 for _, status in kinds["sitemap-or-feed"])
