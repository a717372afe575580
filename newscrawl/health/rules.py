"""Judging a crawl's health report, alone and against the runs before it (pure functions).

Two kinds of verdict:

- **broken thresholds** (the crawl exits 3): the feed failed, a field's coverage fell below its
  minimum, a category's listing showed nothing where it had shown articles before or without
  saying it is empty, too many HTTP errors, pages that needed a browser went without;
- **warnings** (logged, exit status unchanged): a field's extraction moved between layers
  (the warning that comes before a break: the site's markup changed), a full run emitted far
  fewer articles in a language than usual.

Every sentence says what broke, by how much, gives example URLs and the likely fix. History
entries are earlier runs' reports (``RunRecord.summary``), oldest first.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Report = Mapping[str, Any]
# Which layers can take over a field (the order of newscrawl.extract's layers).
LAYERS = ("embedded", "structured", "selectors", "patterns", "generic")


@dataclass(frozen=True)
class Thresholds:
    """The ``NEWSCRAWL_HEALTH_*`` settings."""

    coverage: Mapping[str, float] = field(default_factory=dict)
    min_items: int = 20
    max_error_rate: float = 0.05
    max_not_rendered: int = 0
    max_layer_shift: float = 0.20  # share points (0.20 = 20 points)
    min_volume_ratio: float = 0.5
    baseline_runs: int = 10


@dataclass(frozen=True)
class Verdict:
    """What a run broke (exit 3) and what it should be warned about (exit unchanged)."""

    broken: list[str]
    warnings: list[str]


def judge(report: Report, history: Sequence[Report], thresholds: Thresholds) -> Verdict:
    """The verdict on ``report`` given the reports of earlier runs (oldest first)."""
    broken = [
        *_feed(report),
        *_coverage(report, thresholds),
        *_empty_listings(report, history),
        *_error_rate(report, thresholds),
        *_not_rendered(report, thresholds),
    ]
    baseline = healthy_baseline(history, thresholds.baseline_runs)
    warnings = [*_layer_drift(report, baseline, thresholds), *_volume_drop(report, baseline, thresholds)]
    return Verdict(broken, warnings)


def healthy_baseline(history: Sequence[Report], runs: int) -> list[Report]:
    """The last ``runs`` reports of runs that finished healthy: what normal looks like."""
    healthy = [r for r in history if r.get("finish_reason") == "finished" and r.get("healthy")]
    return healthy[-runs:]


# --------------------------------------------------------------------------- broken thresholds


def _feed(report: Report) -> list[str]:
    if report.get("finish_reason") != "feed_error":
        return []
    return ["the feed could not be written and the crawl stopped early: check the disk and the FEEDS "
            "URI (the next run recovers what was written)"]  # fmt: skip


def _coverage(report: Report, thresholds: Thresholds) -> list[str]:
    if report["articles"]["emitted"] < thresholds.min_items:
        return []
    missing = report.get("examples", {}).get("missing", {})
    out = []
    for name, minimum in thresholds.coverage.items():
        share = report["coverage"].get(name) or 0.0
        if share < minimum:
            out.append(f"coverage of {name} is {share:.1%}, below {minimum:.0%}{_eg(missing.get(name))}: "
                       f"the pages without it show where extraction lost it; check them against the "
                       f"site profile's selectors (newscrawl/sites/)")  # fmt: skip
    return out


def _empty_listings(report: Report, history: Sequence[Report]) -> list[str]:
    """Listings (``<lang>/<slug>``) whose first page showed nothing: broken unless the page says
    the category has no posts and it never showed any in an earlier run."""
    listings = report["listings"]
    examples = listings.get("examples", {})
    out = []
    for listing in listings.get("empty_categories", []):
        out.append(f"{_category(listing)}: its first listing page showed no article and does not say it "
                   f"is empty{_eg([examples.get(listing)])}: the listing markup probably changed (check "
                   f"the listing selectors) or it is now drawn by a script")  # fmt: skip
    for listing in listings.get("said_empty", []):
        before = _last_with_items(listing, history)
        if before is not None:
            when, items = before
            where = _eg([examples.get(listing)])
            out.append(f"{_category(listing)}: its listing now says it is empty{where}, but it showed "
                       f"{items} articles in the run of {when}: a maintenance notice or a broken listing "
                       f"on the site; look at the page in a browser")  # fmt: skip
    return out


def _category(listing: str) -> str:
    lang, _, slug = listing.rpartition("/")
    return f"category {slug} ({lang})" if lang else f"category {slug}"


def _last_with_items(listing: str, history: Sequence[Report]) -> tuple[str, int] | None:
    """(date, article links) of the latest earlier run whose ``listing`` showed articles."""
    for past in reversed(history):
        items = past.get("listings", {}).get("items", {}).get(listing, 0)
        if items:
            return _date(past.get("started_at")), items
    return None


def _error_rate(report: Report, thresholds: Thresholds) -> list[str]:
    http = report["http"]
    requests, errors = http["requests"], http["errors"]
    if not requests or errors / requests <= thresholds.max_error_rate:
        return []
    failed = sorted((code, n) for code, n in http.get("status", {}).items() if int(code) >= 400)
    statuses = ", ".join(f"{code}: {n}" for code, n in failed)
    return [f"error rate {errors / requests:.1%} above {thresholds.max_error_rate:.0%} ({errors} of "
            f"{requests} requests; {statuses or 'network errors'}): the site is struggling or refusing "
            f"us; lower CONCURRENT_REQUESTS_PER_DOMAIN or wait"]  # fmt: skip


def _not_rendered(report: Report, thresholds: Thresholds) -> list[str]:
    count = report["pages"]["not_rendered"]
    if count <= thresholds.max_not_rendered:
        return []
    return [f"{count} pages needed a browser and were not rendered: install Chromium "
            f"(scripts/install-chromium) or set NEWSCRAWL_RENDER=auto"]  # fmt: skip


# --------------------------------------------------------------------------- warnings


def _pages_per_field(report: Report) -> Counter[str]:
    pages: Counter[str] = Counter()
    for key, count in report.get("layers", {}).items():
        pages[key.partition("/")[0]] += count
    return pages


def layer_shares(report: Report) -> dict[str, dict[str, float]]:
    """Field → layer → share of the pages that had the field, from ``layers`` counts."""
    counts: dict[str, dict[str, int]] = {}
    for key, count in report.get("layers", {}).items():
        name, _, layer = key.partition("/")
        counts.setdefault(name, {})[layer] = count
    return {name: {layer: n / total for layer, n in by_layer.items()}
            for name, by_layer in counts.items() if (total := sum(by_layer.values()))}  # fmt: skip


def _layer_drift(report: Report, baseline: Sequence[Report], thresholds: Thresholds) -> list[str]:
    """Fields whose layer shares moved against the baseline's medians (judged on the pages read,
    emitted or not: an unchanged re-fetch was extracted too)."""
    if not baseline:
        return []
    now, before = layer_shares(report), [layer_shares(r) for r in baseline]
    pages = _pages_per_field(report)
    examples = report.get("examples", {}).get("layers", {})
    out = []
    for name, shares in sorted(now.items()):
        if pages[name] < thresholds.min_items:
            continue
        usual = {layer: statistics.median(b.get(name, {}).get(layer, 0.0) for b in before)
                 for layer in {*shares, *(layer for b in before for layer in b.get(name, {}))}}  # fmt: skip
        shifts = {layer: shares.get(layer, 0.0) - usual[layer] for layer in usual}
        gained = max(shifts, key=lambda layer: shifts[layer])
        lost = min(shifts, key=lambda layer: shifts[layer])
        if shifts[gained] <= thresholds.max_layer_shift and -shifts[lost] <= thresholds.max_layer_shift:
            continue
        out.append(f"{name} now comes from the {gained} layer for {shares.get(gained, 0.0):.0%} of pages "
                   f"(usually {usual[gained]:.0%}) and from {lost} for {shares.get(lost, 0.0):.0%} "
                   f"(usually {usual[lost]:.0%}; median of the last {len(baseline)} healthy runs)"
                   f"{_eg(examples.get(f'{name}/{gained}'))}: the site's markup probably changed; update "
                   f"the site profile's selectors (newscrawl/sites/) before {name} is lost")  # fmt: skip
    return out


def _volume_drop(report: Report, baseline: Sequence[Report], thresholds: Thresholds) -> list[str]:
    if report.get("mode") != "full" or report.get("finish_reason") != "finished":
        return []
    full = [r for r in baseline if r.get("mode") == "full"]
    if not full:
        return []
    now = report["articles"].get("by_language", {})
    langs = {lang for r in full for lang in r["articles"].get("by_language", {})}
    out = []
    for lang in sorted(langs):
        usual = statistics.median(r["articles"].get("by_language", {}).get(lang, 0) for r in full)
        emitted = now.get(lang, 0)
        if usual >= thresholds.min_items and emitted < thresholds.min_volume_ratio * usual:
            out.append(f"a full run emitted {emitted} articles in {lang}, {emitted / usual:.0%} of the usual "
                       f"{usual:g} (median of the last {len(full)} full runs): listings, sitemaps or a "
                       f"language switcher may have changed; compare newscrawl/discovery/* with an "
                       f"earlier run's")  # fmt: skip
    return out


# --------------------------------------------------------------------------- wording


def _eg(urls: Iterable[str | None] | None) -> str:
    """`` (e.g. URL, URL)`` for up to three example URLs, or nothing."""
    shown = [u for u in (urls or ()) if u][:3]
    return f" (e.g. {', '.join(shown)})" if shown else ""


def _date(epoch: float | None) -> str:
    if epoch is None:
        return "an earlier run"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
