"""Synthetic run histories for the report page: health reports shaped like newscrawl.health's.

    python -m tests.report_history STATE_FILE            # the demo history into a new SQLite state
    python -m tests.report_history --screenshot HTML PNG # a full-page screenshot of a report file

The demo: 30 runs over 15 days, steady volumes, one run after a template rename (the body
found by the generic layer instead of the selectors: a warning) and one run with an empty
category (an alarm). ``scripts/report-screenshot`` uses both to draw docs/report.png.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path
from typing import Any

from newscrawl.state import RunRecord, SqliteStateStore

SPIDER = "vietnamvn"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
LANGUAGES = {"vi": 120, "en": 64, "zh": 26, "ja": 18}
CATEGORIES = ("thoi-su", "kinh-te", "the-thao", "doi-song", "du-lich", "van-hoa")
RENAME_WARNING = (
    "body found by the generic layer on 94% of pages (selectors on 0%): the article template may have changed"
)
EMPTY_ALARM = "categories whose first listing page showed no article: the-thao"


def summary(
    *, emitted: dict[str, int], broken: list[str] | None = None, warnings: list[str] | None = None,
    body_layers: dict[str, int] | None = None, date_layers: dict[str, int] | None = None,
    requests: int = 400, errors: int = 2, coverage: dict[str, float | None] | None = None,
    empty_categories: list[str] | None = None, elapsed: float = 300.0, new: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A health report of one finished run (every section :mod:`newscrawl.health` writes)."""
    total = sum(emitted.values())
    broken = list(broken or [])
    layers = {f"body/{k}": v for k, v in (body_layers or {"selectors": total}).items()}
    layers |= {f"published_at/{k}": v for k, v in (date_layers or {"structured": total}).items()}
    layers |= {"title/embedded": total}
    new = total if new is None else new
    return {
        "spider": SPIDER,
        "finish_reason": "finished",
        "articles": {
            "emitted": total,
            "by_language": dict(emitted),
            "by_category": {c: total // len(CATEGORIES) for c in CATEGORIES},
            "by_status": {"new": new, "updated": total - new, "removed": 0},
            "unchanged": 40,
        },
        "dropped": {"duplicate": 1},
        "skipped": {"not_article": 3},
        "coverage": coverage
        or {
            "title": 1.0,
            "body": 0.99,
            "published_at": 0.97,
            "source_name": 0.9,
            "summary": 0.85,
            "authors": 0.6,
            "tags": 0.7,
            "images": 0.95,
        },  # fmt: skip
        "layers": layers,
        "listings": {"pages": 30, "empty_categories": list(empty_categories or [])},
        "http": {
            "requests": requests,
            "errors": errors,
            "status": {"200": requests - errors, "503": errors},
            "exceptions": 0,
            "retries_given_up": 0,
        },  # fmt: skip
        "pages": {"not_rendered": 0},
        "speed": {
            "elapsed_seconds": elapsed,
            "pages_per_second": round(requests / elapsed, 2),
            "items_per_second": round(total / elapsed, 2),
        },  # fmt: skip
        "discovery": {"sitemap": total, "listing": 5},
        "healthy": not broken,
        "broken_thresholds": broken,
        "warnings": list(warnings or []),
        "exit_status": 3 if broken else 0,
    }


def record(
    run_id: int, started_at: float, report: dict[str, Any] | None, *, outcome: str | None = "finished",
    mode: str = "incremental", worker: str = "",
) -> RunRecord:  # fmt: skip
    """A run of the history; no report and no outcome make a killed (or running) run."""
    elapsed = (report or {}).get("speed", {}).get("elapsed_seconds", 300.0)
    details = {"mode": mode, "arguments": {}, "render": "auto", "worker": worker or "worker"}
    finished = started_at + elapsed if outcome is not None else None
    return RunRecord(run_id, SPIDER, worker, started_at, finished, outcome, details, report)


def demo_history(end: float, runs: int = 30, step: float = 12 * 3600, seed: int = 13) -> list[RunRecord]:
    """``runs`` runs every ``step`` seconds up to ``end``: the demo described in the module docstring."""
    rng = random.Random(seed)
    rename, empty = runs - 11, runs - 6
    history = []
    for i in range(runs):
        started = end - (runs - 1 - i) * step
        emitted = {lang: max(1, round(n * rng.uniform(0.85, 1.15))) for lang, n in LANGUAGES.items()}
        total = sum(emitted.values())
        requests = round(total * rng.uniform(1.6, 1.9)) + 30
        errors = rng.randint(0, max(1, requests // 80))
        body = {"selectors": total - 4, "generic": 4}
        warnings: list[str] = []
        broken: list[str] = []
        categories: list[str] = []
        coverage = None
        if i == rename:
            body = {"selectors": 0, "generic": round(total * 0.94), "patterns": total - round(total * 0.94)}
            warnings = [RENAME_WARNING]
            coverage = {"title": 1.0, "body": 0.97, "published_at": 0.97, "source_name": 0.9, "summary": 0.84,
                        "authors": 0.2, "tags": 0.69, "images": 0.6}  # fmt: skip
        if i == empty:
            emitted["vi"] = round(emitted["vi"] * 0.8)
            total = sum(emitted.values())
            body = {"selectors": total - 4, "generic": 4}
            broken, categories = [EMPTY_ALARM], ["the-thao"]
        dates = {"structured": round(total * 0.8), "embedded": total - round(total * 0.8)}
        report = summary(
            emitted=emitted, broken=broken, warnings=warnings, body_layers=body, date_layers=dates,
            requests=requests, errors=errors, coverage=coverage, empty_categories=categories,
            elapsed=rng.uniform(240, 420), new=None if i == 0 else round(total * 0.85),
        )  # fmt: skip
        history.append(record(i + 1, started, report, mode="full" if i == 0 else "incremental"))
    return history


def long_history(count: int, end: float, step: float = 3 * 3600) -> list[RunRecord]:
    """``count`` runs, every tenth unhealthy, every 37th killed (no outcome, no report)."""
    rng = random.Random(count)
    history = []
    for i in range(count):
        started = end - (count - 1 - i) * step
        if i % 37 == 36:
            history.append(record(i + 1, started, None, outcome=None))
            continue
        emitted = {lang: round(n * rng.uniform(0.8, 1.2)) for lang, n in LANGUAGES.items()}
        broken = ["error rate 7.0% above 5%"] if i % 10 == 9 else []
        report = summary(
            emitted=emitted, broken=broken, requests=500, errors=35 if broken else rng.randint(0, 5)
        )
        history.append(record(i + 1, started, report))
    return history


def write_state(path: Path, runs: list[RunRecord]) -> None:
    """Record ``runs`` in a SQLite state at ``path`` as the crawls would have."""
    store = SqliteStateStore(path)
    try:
        for run in runs:
            run_id = store.start_run(run.spider, run.started_at, run.details)
            if run.outcome is not None and run.finished_at is not None:
                store.finish_run(run_id, run.finished_at, run.outcome, run.summary)
    finally:
        store.close()


def screenshot(html: Path, png: Path, width: int = 1280) -> None:
    """A full-page screenshot of a local HTML file in headless Chromium (nothing else loaded),
    saved with a 256-colour palette to keep it small."""
    from PIL import Image  # Pillow comes with matplotlib
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
            )
            page.goto(html.resolve().as_uri(), wait_until="load")
            shot = page.screenshot(full_page=True)
        finally:
            browser.close()
    png.parent.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(png, optimize=True)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: write the demo state, or take a screenshot."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.report_history", description=__doc__.split("\n")[0]
    )
    parser.add_argument("paths", nargs="+", type=Path, help="STATE_FILE, or HTML PNG with --screenshot")
    parser.add_argument("--screenshot", action="store_true")
    options = parser.parse_args(argv)
    if options.screenshot:
        if len(options.paths) != 2:
            parser.error("--screenshot takes HTML PNG")
        screenshot(*options.paths)
        return 0
    (state,) = options.paths
    if state.exists():
        parser.error(f"{state} exists: give a new file")
    write_state(state, demo_history(end=(time.time() // 3600 - 1) * 3600))
    return 0


if __name__ == "__main__":
    sys.exit(main())
