"""Issue 3 item 8: what an incremental run costs next to a full one, on the mutable mirror.

The Python ``MirrorServer`` (it supports mutations, validators and 304s) serves the same model
as the static mirror. One full crawl builds a state file; copies of that state then serve three
incremental runs, each against its own version of the site:

- ``nothing new``: the site as crawled;
- ``50 new, site clock = wall clock``: the site clock is moved to the wall clock and 50
  articles are published evenly while the full run was crawling (as in production, where the
  site and the crawler share one clock, so sitemaps changed since the last run have a newer
  ``lastmod`` than its start);
- ``50 new, mirror clock``: 50 articles added with the mirror's own clock, which stands days
  before today's wall clock (2026-11-25 vs the machine's date): every ``lastmod`` then looks
  older than the previous run, so no sitemap counts as changed.

For each run: requests by kind (from the server's access log), wall time, items emitted, and a
budget of what the run needs: the new article pages, the listing pages that hold them plus the
one all-known page after them (or just page 1), each language's home and feed, robots.txt, the
sitemap index, the sitemaps whose ``lastmod`` moved past the previous run's start, and the
re-checks the schedule made due (from newscrawl's stats).
"""

from __future__ import annotations

import copy
import math
import re
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import run_measured
from newscrawl import stats as keys
from newscrawl.state.incremental import FETCH_CHANGED, FETCH_RECHECK
from tests.mirror import feeds
from tests.mirror.model import Article, SiteModel, add_articles, advance_clock
from tests.mirror.render import SiteRenderer
from tests.mirror.server import MirrorServer, lookup_key

NEW_ARTICLES = 50
_INDEX_ENTRY = re.compile(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>")
_SKIPPED_SITEMAPS = re.compile(r"sitemap-(?:tag|page|author)s?\.xml$")


def request_kind(server: MirrorServer, target: str) -> str:
    """What a logged request asked for: ``article``, ``listing``, ``home``, ``feed``…"""
    route = server.pages.routes.get(lookup_key(target))
    if route is None:
        return "unknown (404)"
    kind = route[0]
    if kind in ("sitemap_day", "sitemap_section", "news_sitemap"):
        return "sitemap"
    return {"rss": "feed", "gone": "article"}.get(kind, kind)


def _epoch(lastmod: str) -> float:
    return datetime.fromisoformat(lastmod.replace("Z", "+00:00")).timestamp()


def changed_sitemaps(site: SiteModel, since: float) -> list[str]:
    """Sitemaps of the index newscrawl reads whose ``lastmod`` is after ``since`` (epoch)."""
    index = feeds.Feeds(SiteRenderer(site)).index().decode()
    return [
        loc
        for loc, mod in _INDEX_ENTRY.findall(index)
        if _epoch(mod) > since and not _SKIPPED_SITEMAPS.search(loc)
    ]


def listing_pages_needed(site: SiteModel, new_slugs: set[str], stop_after: int = 1) -> int:
    """Listing pages an incremental run must read: for each category and language, the pages
    holding new articles and ``stop_after`` all-known pages after them (page 1 at least)."""
    renderer = SiteRenderer(site)
    total = 0
    for lang in site.langs:
        for cat in site.categories.values():
            listed = renderer.listed(cat.slug, lang)
            count = renderer.listing_count(cat, lang)
            positions = [i for i, art in enumerate(listed) if art.slug in new_slugs]
            with_new = positions[-1] // cat.page_size + 1 if positions else 0
            total += min(count, max(1, with_new + stop_after)) if positions else 1
    return total


def publish_during(site: SiteModel, start: float, end: float) -> list[Article]:
    """Add :data:`NEW_ARTICLES` articles published evenly between ``start`` and ``end`` (epochs,
    the full run's span): the site clock moves to the wall clock, the articles appeared while
    the full run was crawling, and the site clock ends at ``end``."""
    advance_clock(site, math.floor((start - site.now.timestamp()) / 60))
    added = add_articles(site, NEW_ARTICLES, minutes_apart=1)
    step = (end - start) / (NEW_ARTICLES + 1)
    for k, article in enumerate(added, 1):
        article.published = datetime.fromtimestamp(start + k * step, tz=article.published.tzinfo)
    site.now = datetime.fromtimestamp(end, tz=site.now.tzinfo)
    return added


def previous_run_start(state: Path, fallback: float) -> float:
    """Start of the last completed run recorded in a state file (``fallback`` if unreadable)."""
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
            row = db.execute(
                "SELECT started_at FROM runs WHERE outcome = 'finished' ORDER BY started_at DESC LIMIT 1"
            ).fetchone()
        return float(row[0]) if row else fallback
    except sqlite3.Error:
        return fallback


def copy_state(state: Path, target: Path) -> Path:
    """Copy a closed SQLite state file (and any WAL files beside it) to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(state) + suffix)
        if source.exists():
            shutil.copyfile(source, Path(str(target) + suffix))
    return target


class IncrementalBenchmark:
    """Runs the full and incremental crawls against one in-process ``MirrorServer``."""

    def __init__(
        self,
        site: SiteModel,
        workdir: Path,
        crawl_cmd: Callable[..., list[str]],
        env: dict[str, str],
        cwd: Path,
        log: Callable[[str], None] = print,
    ) -> None:
        self.original = site
        self.workdir, self.crawl_cmd, self.env, self.cwd, self.log = workdir, crawl_cmd, env, cwd, log
        self.server = MirrorServer(copy.deepcopy(site))

    def crawl(self, label: str, state: Path) -> dict[str, Any]:
        """One crawl with ``state``; requests counted from the server's access log."""
        out = self.workdir / label
        shutil.rmtree(out, ignore_errors=True)
        self.server.reset_log()
        started = time.time()
        run = run_measured(
            self.crawl_cmd(self.server.base_url, state, out / "output"),
            out / "crawl.log",
            cwd=self.cwd,
            env=self.env,
        )
        requests = self.server.requests
        kinds = Counter(request_kind(self.server, r.target) for r in requests)
        statuses = Counter(r.status for r in requests)
        feed_lines = sum(sum(1 for _ in p.open("rb")) for p in (out / "output").rglob("*.jsonl"))
        stats = run.stats
        self.log(
            f"incremental: {label}: {len(requests)} requests, {feed_lines} records, "
            f"{run.wall_s:.1f} s, exit {run.returncode}"
        )
        return {
            "label": label,
            "returncode": run.returncode,
            "started": started,
            "wall_s": run.wall_s,
            "cpu_s": run.cpu_s,
            "max_rss_mb": run.max_rss_mb,
            "requests": len(requests),
            "by_kind": dict(kinds),
            "by_status": {str(k): v for k, v in statuses.items()},
            "items": feed_lines,
            "stats": {
                k: v
                for k, v in stats.items()
                if k.startswith(
                    (
                        keys.ROOT + "incremental/",
                        keys.ROOT + "sitemaps/",
                        keys.STATUS_PREFIX,
                        keys.UNCHANGED,
                        "downloader/request_count",
                        "item_scraped_count",
                        keys.FEEDS_READ,
                    )
                )
            },
        }

    def serve(self, site: SiteModel) -> None:
        """Serve ``site`` from now on."""
        self.server.site = site
        self.server.rebuild()

    def budget(
        self, site: SiteModel, new_slugs: set[str], since: float, run: dict[str, Any]
    ) -> dict[str, int]:
        """What the run needed to read, per kind (see the module docstring)."""
        stats = run["stats"]
        # Counted when decided, before Scrapy's duplicate filter: an upper bound of the fetches.
        rechecks = int(
            stats.get(keys.fetch_reason(FETCH_RECHECK), 0) + stats.get(keys.fetch_reason(FETCH_CHANGED), 0)
        )
        new_pages = sum(len(site.articles[s].versions) for s in new_slugs)
        langs = len(site.langs)
        return {
            "article": new_pages + rechecks,
            "listing": listing_pages_needed(site, new_slugs),
            "home": langs,
            "feed": langs,
            "robots": 1,
            "sitemap_index": 1,
            "sitemap": len(changed_sitemaps(site, since)),
        }

    def scenario(
        self, label: str, site: SiteModel, new_slugs: set[str], state: Path, since: float
    ) -> dict[str, Any]:
        """Serve ``site``, crawl it incrementally with ``state`` and judge it against its budget."""
        self.serve(site)
        run = self.crawl(label, state)
        budget = self.budget(site, new_slugs, since, run)
        new_pages = sum(len(site.articles[s].versions) for s in new_slugs)
        run.update(
            budget=budget,
            budget_total=sum(budget.values()),
            new_article_pages=new_pages,
            over_budget={k: v - budget.get(k, 0) for k, v in run["by_kind"].items() if v > budget.get(k, 0)},
        )
        return run

    def run(self) -> dict[str, Any]:
        """Full crawl, then the three incremental scenarios; the server is stopped at the end."""
        self.server.start()
        try:
            state = self.workdir / "state" / "full.sqlite3"
            shutil.rmtree(state.parent, ignore_errors=True)
            full = self.crawl("full", state)
            full_end = time.time()
            since = previous_run_start(state, full["started"])
            results: dict[str, Any] = {
                "full": full,
                "article_pages": sum(len(a.versions) for a in self.original.articles.values()),
                "scenarios": [],
            }
            nothing = copy_state(state, self.workdir / "state" / "nothing.sqlite3")
            results["scenarios"].append(
                self.scenario("nothing new", copy.deepcopy(self.original), set(), nothing, since)
            )

            aligned = copy.deepcopy(self.original)
            behind = (full["started"] - aligned.now.timestamp()) / 60
            if behind >= 0:
                added = publish_during(aligned, full["started"], full_end)
                results["scenarios"].append(
                    self.scenario(
                        f"{NEW_ARTICLES} new, site clock = wall clock",
                        aligned,
                        {a.slug for a in added},
                        copy_state(state, self.workdir / "state" / "aligned.sqlite3"),
                        since,
                    )
                )
            results["site_clock_behind_wall_clock_days"] = behind / 1440

            own = copy.deepcopy(self.original)
            added = add_articles(own, NEW_ARTICLES)
            results["scenarios"].append(
                self.scenario(
                    f"{NEW_ARTICLES} new, mirror clock",
                    own,
                    {a.slug for a in added},
                    copy_state(state, self.workdir / "state" / "mirror-clock.sqlite3"),
                    since,
                )
            )
            results["mirror_clock_new_published"] = [
                added[0].published.isoformat(),
                added[-1].published.isoformat(),
            ]
            return results
        finally:
            self.server.stop()
