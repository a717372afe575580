"""Rendering in a real headless Chromium, only where the mirror's pages need it."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.compare import compare
from tests.crawl import crawl, start_crawl
from tests.mirror.faults import Rewrite
from tests.mirror.model import api_post_path, build_site
from tests.mirror.server import MirrorServer
from tests.mirror.truth import split_browser_only

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def js_mirror():
    """A site with a JavaScript-built listing, a load-more listing, client-rendered article bodies
    and pages whose date and outlet are drawn by a script (``client_meta``)."""
    with MirrorServer(build_site(js=True)) as server:
        yield server


# scrapy-playwright's log line when Playwright's driver starts.
PLAYWRIGHT_STARTED = "Starting download handler. Versions: scrapy-playwright=="


def rendered_paths(log: str) -> list[str]:
    return [line for line in log.splitlines() if "newscrawl/render/" in line]


# One counter of Scrapy's final stats dump: " 'newscrawl/render/article': 4,".
RENDER_STAT = re.compile(r"'(newscrawl/render/[^']+)': (\d+)")


def render_stats(log: str) -> dict[str, int]:
    """The ``newscrawl/render/*`` counters of the crawl's final stats dump (other log lines
    that name them, such as the "rendering is disabled" error, are skipped)."""
    return {m[1]: int(m[2]) for line in rendered_paths(log) if (m := RENDER_STAT.search(line))}


def test_auto_renders_exactly_the_pages_that_need_it(js_mirror, tmp_path):
    site = js_mirror.site
    js_mirror.reset_log()
    run = crawl(js_mirror.base_url, tmp_path / "out.jsonl")
    assert run.returncode == 0, run.log[-3000:]
    result = compare(run.records, js_mirror.truth)
    assert result.equal, result.summary()
    health = json.loads((tmp_path / "out.health.json").read_text())
    assert health["healthy"] and health["pages"]["not_rendered"] == 0
    assert run.log.count(PLAYWRIGHT_STARTED) == 1
    # Browser requests show in the access log as page loads followed by API calls; every API
    # call comes from a rendered page, and only pages that need a browser were rendered.
    api_calls = [r.target for r in js_mirror.requests if r.path.startswith("/api/")]
    assert api_calls
    listings = site.browser_listing_paths()
    client_rendered = {urlsplit(u).path for u in site.client_rendered_urls()}
    stats = render_stats(run.log)
    assert stats.get("newscrawl/render/article", 0) == len(client_rendered)
    assert 0 < stats.get("newscrawl/render/listing", 0) <= len(listings)
    # Pages drawn from their data that lack the date and outlet are rendered once each; the
    # records above show the rendered dateline was read (published_at and source_name).
    assert site.client_meta_urls()
    assert stats.get("newscrawl/render/article_fields", 0) == len(site.client_meta_urls())
    drawn_api = {api_post_path(rec["lang"], rec["translation_key"])
                 for rec in js_mirror.truth if rec["url"] in site.client_meta_urls()}
    assert drawn_api <= set(api_calls)


def test_never_reports_what_it_could_not_render_and_exits_non_zero(js_mirror, tmp_path):
    run = crawl(js_mirror.base_url, tmp_path / "out.jsonl", "-s", "NEWSCRAWL_RENDER=never")
    assert run.returncode == 3, run.log[-3000:]
    assert "rendering is disabled (NEWSCRAWL_RENDER=never)" in run.log
    # client_meta pages are emitted as they are (date and outlet None), without a render
    reachable, hidden = split_browser_only(js_mirror.site, list(js_mirror.truth))
    assert hidden
    drawn = [r for r in reachable if r["url"] in js_mirror.site.client_meta_urls()]
    assert drawn and all(r["published_at"] is None and r["source_name"] is None for r in drawn)
    result = compare(run.records, reachable)
    assert result.equal, result.summary()
    health = json.loads((tmp_path / "out.health.json").read_text())
    assert health["pages"]["not_rendered"] > 0 and not health["healthy"]
    # ...and only pages that needed the browser count as not rendered (not the client_meta ones)
    stats = render_stats(run.log)
    assert "newscrawl/render/not_rendered/article_fields" not in stats
    assert health["pages"]["not_rendered"] == stats["newscrawl/render/not_rendered"] == (
        stats.get("newscrawl/render/not_rendered/article", 0)
        + stats.get("newscrawl/render/not_rendered/listing", 0))


def test_missing_browser_is_one_clear_error_and_the_static_pages_still_complete(js_mirror, tmp_path):
    run = crawl(js_mirror.base_url, tmp_path / "out.jsonl", "-s", "NEWSCRAWL_CHROMIUM=/nonexistent/chromium")
    assert run.returncode == 3
    assert run.log.count("pages need a browser but rendering is disabled") == 1
    assert "/nonexistent/chromium is not an executable file" in run.log
    # as with NEWSCRAWL_RENDER=never: client_meta pages without their date and outlet
    reachable, _ = split_browser_only(js_mirror.site, list(js_mirror.truth))
    result = compare(run.records, reachable)
    assert result.equal, result.summary()


def test_playwright_starts_only_when_a_page_needs_the_browser(mirror, tmp_path):
    """With NEWSCRAWL_RENDER=auto, a crawl of static pages never starts Playwright's driver."""
    run = crawl(mirror.base_url, tmp_path / "out.jsonl", "-a", "langs=vi")
    assert run.returncode == 0, run.log[-3000:]
    assert "[scrapy-playwright] INFO: Closing download handler" in run.log  # it was set up
    assert PLAYWRIGHT_STARTED not in run.log


# --------------------------------------------------------------------------- NEWSCRAWL_RENDER=always

STAT = re.compile(r"'([^']+)': (\d+)")


def final_stats(log: str) -> dict[str, int]:
    """Every integer counter of the crawl's final stats dump."""
    dump = log[log.rfind("Dumping Scrapy stats"):]
    return {m[1]: int(m[2]) for m in STAT.finditer(dump)}


def busy(page):
    """The page with a script that never yields: its load event never comes."""
    return dataclasses.replace(page, body=page.body.replace(b"<body", b"<script>for(;;){}</script><body", 1))


def busy_faults(mirror, count):
    """``count`` article pages (of different languages) whose script never yields."""
    by_lang = {}
    for rec in mirror.truth:
        by_lang.setdefault(rec["lang"], urlsplit(rec["url"]).path)
    return {path: Rewrite(busy, name="busy") for path in sorted(by_lang.values())[:count]}


def test_always_renders_every_page_and_equals_the_truth(js_mirror, tmp_path):
    """Every page through the browser, all languages: the records equal the truth. Pages that
    never finish loading, or whose script navigates away, are read without the browser."""
    site = js_mirror.site
    faults = busy_faults(js_mirror, 2)
    with js_mirror.faults.injected(faults):
        run = crawl(js_mirror.base_url, tmp_path / "out.jsonl", "-s", "NEWSCRAWL_RENDER=always",
                    "-s", "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT=4000", "-s", "LOG_LEVEL=INFO")
    assert run.returncode == 0, run.log[-3000:]
    result = compare(run.records, js_mirror.truth)
    assert result.equal, result.summary()
    stats = final_stats(run.log)
    assert stats["playwright/page_count"] >= len(js_mirror.truth)
    navigating = [u for u, how in site.misbehaving_urls().items() if how == "navigates"]
    assert stats["newscrawl/render/failed/always"] == len(faults) + len(navigating)
    assert "newscrawl/render/not_rendered" not in stats
    # every browser page was closed: none is left holding a slot
    assert stats["playwright/page_count"] == stats["playwright/page_count/closed"]


def chromium_pids():
    """Process ids of every Chromium on the machine."""
    pids = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if b"chrom" in (proc / "cmdline").read_bytes().split(b"\0")[0]:
                    pids.add(int(proc.name))
            except OSError:
                continue
    return pids


def test_sigint_closes_a_rendering_crawl_within_its_timeout(js_mirror, tmp_path):
    """SIGINT mid-way, with pages stuck in the browser: the crawl closes within
    NEWSCRAWL_RENDER_CLOSE_TIMEOUT (20 s here; the issue asks for 30), the browser is gone and
    the feed is finished as on a normal stop."""
    before = chromium_pids()
    output, log_path = tmp_path / "corpus", tmp_path / "crawl.log"
    js_mirror.reset_log()
    with js_mirror.faults.injected(busy_faults(js_mirror, 6)), log_path.open("wb") as log:
        process = start_crawl(js_mirror.base_url, tmp_path / "state.sqlite3", output,
                              "-s", "NEWSCRAWL_RENDER=always", "-s", "NEWSCRAWL_RENDER_CLOSE_TIMEOUT=20",
                              "-s", "LOG_LEVEL=INFO", log=log)
        try:
            # Mid-way: records written, and a page that never loads is in the browser.
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and process.poll() is None and not (
                any(r.fault == "Rewrite(busy)" for r in js_mirror.requests)
                and sum(p.read_bytes().count(b"\n") for p in output.rglob("*.part")) >= 10):
                time.sleep(0.2)
            assert process.poll() is None, log_path.read_text()[-3000:]
            process.send_signal(signal.SIGINT)
            signalled = time.monotonic()
            process.wait(timeout=60)
            took = time.monotonic() - signalled
        finally:
            process.kill()
    text = log_path.read_text()
    assert took <= 30, (took, text[-3000:])
    assert "'finish_reason': 'shutdown'" in text, text[-3000:]
    assert "pages still in the browser" in text
    lines = [line for p in output.rglob("*.jsonl*") for line in p.read_bytes().splitlines(keepends=True)]
    assert not list(output.rglob("*.part")) and lines and all(line.endswith(b"\n") for line in lines)
    truth = {r["url"]: r for r in js_mirror.truth}
    records = [json.loads(line) for line in lines]
    assert len({r["url"] for r in records}) == len(records)
    assert compare(records, [truth[r["url"]] for r in records]).equal
    for _ in range(50):  # Chromium's processes exit with the crawl
        if not chromium_pids() - before:
            break
        time.sleep(0.2)
    assert not chromium_pids() - before
