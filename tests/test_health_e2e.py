"""Health judged against the run history, end to end: two crawls of the mirror sharing a state,
the second seeing the site changed (through the mirror's faults)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.crawl import crawl
from tests.mirror.faults import Rewrite, Serve
from tests.mirror.model import category_path
from tests.mirror.render import Page

pytestmark = pytest.mark.slow

# "No posts yet" in the language of each page (the site profile knows every one of them).
NO_POSTS = {"vi": "Chưa có bài viết", "en": "No posts yet", "fr": "Aucun article pour le moment"}
ARGS = ("-a", "langs=vi,en,fr", "-s", "NEWSCRAWL_SITEMAPS=False")


def listing(lang: str, message: str) -> Serve:
    """A category page whose list holds only ``message`` (menus and footer as on any page)."""
    html = (f'<!DOCTYPE html><html lang="{lang}"><head><title>Category</title></head><body>'
            f'<header><nav><a href="/">Home</a></nav></header><main><h1>Category</h1>'
            f'<div class="post-list"><p class="no-posts">{message}</p></div></main>'
            f"<footer><p>© Vietnam.vn</p></footer></body></html>")
    return Serve(html.encode())


def run(mirror, tmp_path: Path, name: str, faults: dict[str, Any] | None = None,
        mode: str = "full") -> tuple[int, dict, str]:
    """One crawl on the shared state; its exit status, health report and log."""
    out = tmp_path / f"{name}.jsonl"
    with mirror.faults.injected(faults or {}):
        done = crawl(mirror.base_url, out, *ARGS, "-a", f"mode={mode}", state=tmp_path / "state.sqlite3")
    return done.returncode, json.loads(out.with_suffix(".health.json").read_text()), done.log


def test_categories_that_say_they_have_no_posts_stay_healthy_run_after_run(mirror, tmp_path):
    slugs = [c.slug for c in mirror.site.nav_categories()][:3]
    said = sorted(f"{lang}/{slug}" for slug in slugs for lang in ("en", "fr"))
    empty = {category_path(*key.split("/")): listing(key[:2], NO_POSTS[key[:2]]) for key in said}
    for mode in ("full", "incremental"):  # the incremental run finds nothing new
        status, health, log = run(mirror, tmp_path, mode, empty, mode)
        assert status == 0, (health["broken_thresholds"], log[-2000:])
        assert health["listings"]["said_empty"] == said and health["listings"]["empty_categories"] == []
        assert health["warnings"] == []
        assert "newscrawl/render/" not in log  # a page that says it is empty needs no browser


def test_categories_that_had_articles_and_now_show_none_are_broken_and_named(mirror, tmp_path):
    first, second = (c.slug for c in mirror.site.nav_categories()[:2])
    assert run(mirror, tmp_path, "before")[0] == 0
    notice = "Chuyên mục đang bảo trì, vui lòng quay lại sau"  # a maintenance notice, not "no posts"
    status, health, log = run(mirror, tmp_path, "after", {category_path("vi", first): listing("vi", notice),
                                                          category_path("vi", second): listing("vi", notice)})
    assert status == 3
    assert health["broken_thresholds"] == [
        f"category {slug} (vi): its first listing page showed no article and does not say it is empty "
        f"(e.g. {mirror.base_url}{category_path('vi', slug)}): the listing markup probably changed (check "
        f"the listing selectors) or it is now drawn by a script" for slug in sorted((first, second))]
    # The same categories saying "no posts" after showing articles are just as broken.
    no_posts = {category_path("vi", slug): listing("vi", NO_POSTS["vi"]) for slug in (first, second)}
    status, health, _ = run(mirror, tmp_path, "said", no_posts)
    assert status == 3 and len(health["broken_thresholds"]) == 2
    for slug, sentence in zip(sorted((first, second)), health["broken_thresholds"], strict=True):
        assert re.match(rf"category {slug} \(vi\): its listing now says it is empty .* but it showed \d+ "
                        rf"articles in the run of \d{{4}}-\d\d-\d\d", sentence), sentence


def renamed(page: Page) -> Page:
    """The article template with its body class renamed, as a site redesign does."""
    return Page(page.status, page.headers, page.body.replace(b"post-detail-body", b"story-content-v2"))


def test_a_template_rename_is_a_warning_not_an_alarm(mirror, tmp_path):
    assert run(mirror, tmp_path, "before")[0] == 0
    articles = {re.sub(r"^https?://[^/]+", "", r["url"]): Rewrite(renamed, name="renamed")
                for r in mirror.truth if r["lang"] in ("vi", "en", "fr")}
    status, health, log = run(mirror, tmp_path, "after", articles)
    assert status == 0, health["broken_thresholds"]
    body = [w for w in health["warnings"] if w.startswith("body now comes from the")]
    assert len(body) == 1, health["warnings"]
    assert re.match(r"body now comes from the generic layer for 9\d% of pages \(usually 1?\d%\) and from "
                    r"selectors for 0% \(usually [5-9]\d%; median of the last 1 healthy runs\) \(e\.g\. http",
                    body[0]), body[0]
    assert "health warning: body now comes from the" in log
