"""Rendering in a real headless Chromium, only where the mirror's pages need it."""

from __future__ import annotations

import json
import shutil
from urllib.parse import urlsplit

import pytest

from tests.compare import compare
from tests.crawl import crawl
from tests.mirror.model import build_site
from tests.mirror.server import MirrorServer
from tests.mirror.truth import split_browser_only

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def js_mirror():
    """A site with a JavaScript-built listing, a load-more listing and client-rendered articles."""
    with MirrorServer(build_site(js=True)) as server:
        yield server


# scrapy-playwright's log line when Playwright's driver starts.
PLAYWRIGHT_STARTED = "Starting download handler. Versions: scrapy-playwright=="


def rendered_paths(log: str) -> list[str]:
    return [line for line in log.splitlines() if "newscrawl/render/" in line]


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
    stats = {line.split("'")[1]: int(line.rsplit(":", 1)[1].strip(" ,}")) for line in rendered_paths(run.log)}
    assert stats.get("newscrawl/render/article", 0) == len(client_rendered)
    assert 0 < stats.get("newscrawl/render/listing", 0) <= len(listings)


def test_never_reports_what_it_could_not_render_and_exits_non_zero(js_mirror, tmp_path):
    run = crawl(js_mirror.base_url, tmp_path / "out.jsonl", "-s", "NEWSCRAWL_RENDER=never")
    assert run.returncode == 3, run.log[-3000:]
    assert "rendering is disabled (NEWSCRAWL_RENDER=never)" in run.log
    reachable, hidden = split_browser_only(js_mirror.site, list(js_mirror.truth))
    assert hidden
    result = compare(run.records, reachable)
    assert result.equal, result.summary()
    health = json.loads((tmp_path / "out.health.json").read_text())
    assert health["pages"]["not_rendered"] > 0 and not health["healthy"]


def test_missing_browser_is_one_clear_error_and_the_static_pages_still_complete(js_mirror, tmp_path):
    run = crawl(js_mirror.base_url, tmp_path / "out.jsonl", "-s", "NEWSCRAWL_CHROMIUM=/nonexistent/chromium")
    assert run.returncode == 3
    assert run.log.count("pages need a browser but rendering is disabled") == 1
    assert "/nonexistent/chromium is not an executable file" in run.log
    reachable, _ = split_browser_only(js_mirror.site, list(js_mirror.truth))
    assert compare(run.records, reachable).equal


def test_playwright_starts_only_when_a_page_needs_the_browser(mirror, tmp_path):
    """With NEWSCRAWL_RENDER=auto, a crawl of static pages never starts Playwright's driver."""
    run = crawl(mirror.base_url, tmp_path / "out.jsonl", "-a", "langs=vi")
    assert run.returncode == 0, run.log[-3000:]
    assert "[scrapy-playwright] INFO: Closing download handler" in run.log  # it was set up
    assert PLAYWRIGHT_STARTED not in run.log
