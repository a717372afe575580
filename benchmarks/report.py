"""``benchmarks/RESULTS.md`` from the results ``run.py`` gathers (also kept as ``results.json``)."""

from __future__ import annotations

import statistics
import time
from typing import Any

from newscrawl import stats as keys
from newscrawl.state.incremental import FETCH_RECHECK

NAMES = {"a": "(a) bare Scrapy spider", "b": "(b) newscrawl full crawl", "c": "(c) Scrapy + trafilatura"}
PASS, FAIL = "**pass**", "**FAIL**"


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return PASS if ok else FAIL


# The issue's extraction target: 0.8 ms a page, on a machine where lxml parses such a page in
# ~0.25 ms. This machine's speed drifts with its neighbours' load by more than the margin, so
# the target is judged as that ratio to lxml's parse, timed page by page beside newscrawl.
EXTRACTION_TARGET_MS = 0.8
ISSUE_LXML_MS = 0.25
NEWSCRAWL = "newscrawl (parse + extract + load)"
FLOOR = "lxml parse (floor)"


def extraction_ratio(results: dict[str, Any]) -> tuple[float, float, float]:
    """``(newscrawl's median ms, lxml's median ms, their ratio)`` from the parse micro-benchmark."""
    timings = results["parse"]["results"]
    median, floor = timings[NEWSCRAWL]["median_ms"], timings[FLOOR]["median_ms"]
    return median, floor, median / floor


def extraction_met(results: dict[str, Any]) -> bool:
    """Whether the extraction target is met (see :data:`EXTRACTION_TARGET_MS`)."""
    return extraction_ratio(results)[2] <= EXTRACTION_TARGET_MS / ISSUE_LXML_MS


def targets(results: dict[str, Any]) -> list[list[str]]:
    """Rows of the targets table: target, measured, verdict."""
    rows = []
    crawls = results["crawls"]
    a, b, c = (_median(crawls[k], "pages_per_s") for k in ("a", "b", "c"))
    ca, cb, cc = (statistics.median(r["responses"] / r["cpu_s"] for r in crawls[k]) for k in ("a", "b", "c"))
    rows.append(
        [
            "(b) ≥ 0.75 × (a) pages/s",
            f"{b:.0f} vs {a:.0f} pages/s = {b / a:.2f} × "
            f"(per CPU second: {cb:.0f} vs {ca:.0f} = {cb / ca:.2f} ×)",
            _verdict(b >= 0.75 * a),
        ]
    )
    rows.append(
        [
            "(b) ≥ 2 × (c) pages/s",
            f"{b:.0f} vs {c:.0f} pages/s = {b / c:.2f} × "
            f"(per CPU second: {cb:.0f} vs {cc:.0f} = {cb / cc:.2f} ×)",
            _verdict(b >= 2 * c),
        ]
    )
    median, floor, ratio = extraction_ratio(results)
    rows.append(
        [
            f"extraction median ≤ {EXTRACTION_TARGET_MS} ms per ~40 KB page, where lxml parses one in "
            f"{ISSUE_LXML_MS} ms: ≤ {EXTRACTION_TARGET_MS / ISSUE_LXML_MS:.1f} × lxml, side by side",
            f"{median:.2f} ms = {ratio:.2f} × lxml's {floor:.2f} ms here "
            f"({ratio * ISSUE_LXML_MS:.2f} ms at the issue's {ISSUE_LXML_MS} ms; "
            f"p95 {results['parse']['results'][NEWSCRAWL]['p95_ms']:.2f} ms)",
            _verdict(extraction_met(results)),
        ]
    )
    rss = _median(crawls["b"], "max_rss_mb")
    pages = results["mirror"]["article_pages"]
    rows.append([f"peak RSS of (b) ≤ 300 MB at {pages:,} articles", f"{rss:.0f} MB", _verdict(rss <= 300)])
    if "growth" in results:
        growth = memory_growth(results)
        rows.append(
            [
                "(b) RSS grows < 15 MB per extra 10,000 articles",
                f"{growth['b_per_10k']:+.1f} MB per 10,000 ((a): {growth['a_per_10k']:+.1f} MB)",
                _verdict(growth["b_per_10k"] < 15),
            ]
        )
    export = results["export"]["results"]
    ratio = (
        export["Scrapy JsonLinesItemExporter"]["median_s"]
        / export["newscrawl OrjsonLinesExporter"]["median_s"]
    )
    rows.append(
        [
            f"orjson exporter ≥ 3 × Scrapy's on {results['export']['items']:,} items",
            f"{ratio:.2f} ×",
            _verdict(ratio >= 3),
        ]
    )
    inc = results.get("incremental")
    if inc:
        full = inc["full"]["requests"]
        for scenario in inc["scenarios"]:
            if scenario["label"].startswith("nothing"):
                continue
            ok = scenario["requests"] <= scenario["budget_total"]
            rows.append(
                [
                    f"incremental ({scenario['label']}): requests ≤ new article pages + listing pages "
                    "needed + changed sitemaps (+ homes, feeds, robots.txt, index, due re-checks)",
                    f"{scenario['requests']} ≤ {scenario['budget_total']}",
                    _verdict(ok),
                ]
            )
            ratio = full / max(1, scenario["requests"])
            rows.append(
                [
                    f"incremental ({scenario['label']}): ≥ 50 × fewer requests than a full run",
                    f"{full:,} / {scenario['requests']} = {ratio:.0f} ×",
                    _verdict(ratio >= 50),
                ]
            )
    return rows


def memory_growth(results: dict[str, Any]) -> dict[str, float]:
    """Peak RSS growth of (a) and (b) per 10,000 extra article pages."""
    extra = (results["growth_mirror"]["article_pages"] - results["mirror"]["article_pages"]) / 10_000
    out = {"extra_10k": extra}
    for which in ("a", "b"):
        small = _median(results["crawls"][which], "max_rss_mb")
        large = _median(results["growth"][which], "max_rss_mb")
        out[f"{which}_small"], out[f"{which}_large"] = small, large
        out[f"{which}_per_10k"] = (large - small) / extra if extra else 0.0
    return out


def _run_order(row: list[str]) -> tuple[int, int]:
    """Sort key giving runs in the order they ran: a b c, then c b a, …"""
    _tag, which, rep = row[0].rsplit("-", 2)
    position = "abc".index(which)
    return int(rep), position if int(rep) % 2 else -position


def crawl_section(results: dict[str, Any]) -> str:
    """Side-by-side medians, ratios to (a), and every run."""
    crawls = results["crawls"]
    base = {k: _median(crawls["a"], k) for k in ("pages_per_s", "cpu_s_per_1000_articles", "max_rss_mb")}
    rows = []
    for which, runs in crawls.items():
        rate, cpu, rss = (_median(runs, k) for k in ("pages_per_s", "cpu_s_per_1000_articles", "max_rss_mb"))
        out_mb = _median(runs, "output_bytes") / 2**20
        rows.append(
            [
                NAMES[which],
                f"{rate:.0f}",
                f"{rate / base['pages_per_s']:.2f}",
                f"{_median(runs, 'pages_per_s_wall'):.0f}",
                f"{statistics.median(r['responses'] / r['cpu_s'] for r in runs):.0f}",
                f"{cpu:.2f}",
                f"{cpu / base['cpu_s_per_1000_articles']:.2f}",
                f"{rss:.0f}",
                f"{rss / base['max_rss_mb']:.2f}",
                f"{out_mb:.1f}",
                f"{_median(runs, 'items'):.0f}",
                f"{_median(runs, 'requests'):.0f}",
            ]
        )
    header = [
        "crawler",
        "pages/s",
        "× (a)",
        "pages/s (wall)",
        "pages per CPU s",
        "CPU s / 1,000 articles",
        "× (a)",
        "peak RSS MB",
        "× (a)",
        "output MB",
        "records",
        "requests",
    ]
    per_run = [
        [
            r["label"],
            f"{r['pages_per_s']:.0f}",
            f"{r['elapsed_s']:.1f}",
            f"{r['wall_s']:.1f}",
            f"{r['cpu_s']:.1f}",
            f"{100 * r['cpu_s'] / r['wall_s']:.0f} %",
            f"{r['max_rss_mb']:.0f}",
            f"{r.get('tree_peak_mb', 0):.0f}",
            f"{r.get('kernel_max_rss_mb', r['max_rss_mb']):.0f}",
            f"{r['requests']}",
            str(r["statuses"]),
            str(r["returncode"]),
        ]
        for runs in crawls.values()
        for r in runs
    ]
    order = sorted(per_run, key=_run_order)
    same = results.get("same_requests", {})
    checks = []
    for which, diffs in same.items():
        for rep, diff in enumerate(diffs, 1):
            checks.append(
                f"{NAMES[which]} run {rep}: {diff['n_only_here']} URLs not requested by (a), "
                f"{diff['n_only_in_a']} requested only by (a)"
                + (
                    f" (e.g. {diff['only_here'][:3]} / {diff['only_in_a'][:3]})"
                    if diff["n_only_here"] or diff["n_only_in_a"]
                    else ""
                )
            )
    notes = []
    b_runs = crawls["b"]
    tree = max(r.get("tree_peak_mb", 0.0) for r in b_runs)
    if tree > 2 * _median(b_runs, "max_rss_mb"):
        extra = max(r["requests"] for r in b_runs) - _median(crawls["a"], "requests")
        why = (
            "started Chromium through scrapy-playwright for the article page(s) its extractors found no "
            f"body in, and that browser made up to {extra:.0f} extra requests (the page's `/_next/static` "
            "scripts)"
            if extra > 0
            else "started scrapy-playwright's driver though no page needed the browser (no request beyond "
            "(a)'s)"
        )
        notes.append(
            f"Note: during (b) the process tree peaked at {tree:,.0f} MB: newscrawl "
            f"(`NEWSCRAWL_RENDER=auto`) {why}. The memory targets below are judged on the crawler "
            "process itself."
        )
    return "\n\n".join(
        [
            _table(header, rows),
            *notes,
            "Every run (in the order run; pages/s = responses ÷ Scrapy's `elapsed_time_seconds`):",
            _table(
                [
                    "run",
                    "pages/s",
                    "engine s",
                    "wall s",
                    "CPU s",
                    "CPU ÷ wall",
                    "peak RSS MB",
                    "with children MB",
                    "kernel maxrss MB",
                    "requests",
                    "statuses",
                    "exit",
                ],
                order,
            ),
            "Same link graph (URL sets from nginx's access log, compared with (a) of the same "
            "repetition):\n\n" + "\n".join(f"- {line}" for line in checks),
        ]
    )


def growth_section(results: dict[str, Any]) -> str:
    """Peak RSS at the two mirror sizes."""
    growth = memory_growth(results)
    small, large = results["mirror"]["article_pages"], results["growth_mirror"]["article_pages"]
    rows = [
        [
            NAMES[w],
            f"{growth[f'{w}_small']:.0f}",
            f"{growth[f'{w}_large']:.0f}",
            f"{growth[f'{w}_per_10k']:+.1f}",
        ]
        for w in ("a", "b")
    ]
    runs = [
        [r["label"], f"{r['max_rss_mb']:.0f}", f"{r['pages_per_s']:.0f}", f"{r['requests']}"]
        for rs in results["growth"].values()
        for r in rs
    ]
    return "\n\n".join(
        [
            _table(
                [
                    "crawler",
                    f"peak RSS MB at {small:,} articles",
                    f"at {large:,} articles",
                    "MB per extra 10,000",
                ],
                rows,
            ),
            _table(["run (larger mirror)", "peak RSS MB", "pages/s", "requests"], runs),
        ]
    )


def parse_section(results: dict[str, Any]) -> str:
    """Parse-only timings."""
    parse = results["parse"]
    floor = parse["results"][FLOOR]["median_ms"]
    rows = [
        [
            name,
            str(r["pages"]),
            f"{r['median_ms']:.2f}",
            f"{r['p95_ms']:.2f}",
            f"{r['mean_ms']:.2f}",
            f"{r['median_ms'] / floor:.1f}",
            str(r["found"]),
        ]
        for name, r in parse["results"].items()
    ]
    langs = ", ".join(f"{k} {v}" for k, v in sorted(parse["langs"].items()))
    return (
        f"{parse['pages']} saved article pages ({langs}), mean {parse['mean_kb']:.1f} KB; "
        f"{parse['passes']} timed passes after a warm-up, a page's time is its fastest pass (the one "
        "least disturbed by the machine's other load, as `timeit` advises); "
        "thread CPU time. lxml, parsel and newscrawl take turns page by page, so they see the machine "
        "in the same state (their ratios are steadier than their times); the other extractors run one "
        "after another, so that their churn of the caches does not land on newscrawl.\n\n"
        + _table(
            ["extractor", "pages", "median ms", "p95 ms", "mean ms", "× lxml", "non-empty results"], rows
        )
    )


def export_section(results: dict[str, Any]) -> str:
    """Exporter timings."""
    export = results["export"]
    scrapy_s = export["results"]["Scrapy JsonLinesItemExporter"]["median_s"]
    rows = [
        [
            name,
            f"{r['median_s']:.2f}",
            f"{r['items_per_s']:,.0f}",
            f"{scrapy_s / r['median_s']:.2f}",
            f"{r['bytes'] / 2**20:.0f}",
        ]
        for name, r in export["results"].items()
    ]
    return (
        f"{export['items']:,} `ArticleItem`s ({export['distinct_records']} distinct newscrawl records of the "
        f"saved pages, repeated) written to a real file, {export['rounds']} alternating rounds, median "
        "process CPU time; "
        f"both files hold the same data: {export['same_data']}.\n\n"
        + _table(["exporter", "CPU seconds", "items/s", "speed × Scrapy's", "file MB"], rows)
    )


def incremental_section(results: dict[str, Any]) -> str:
    """Full vs incremental runs, requests by kind against the budget."""
    inc = results["incremental"]
    full = inc["full"]
    kinds = [
        "article",
        "asset",
        "listing",
        "home",
        "feed",
        "robots",
        "sitemap_index",
        "sitemap",
        "tag",
        "author",
        "unknown (404)",
    ]
    rows = [
        ["full run", f"{full['requests']:,}", f"{full['wall_s']:.1f}", f"{full['items']:,}", "—"]
        + [str(full["by_kind"].get(k, 0)) for k in kinds]
    ]
    for s in inc["scenarios"]:
        rows.append(
            [s["label"], str(s["requests"]), f"{s['wall_s']:.1f}", str(s["items"]), str(s["budget_total"])]
            + [
                f"{s['by_kind'].get(k, 0)} / {s['budget'].get(k, 0)}"
                if k in s["budget"]
                else str(s["by_kind"].get(k, 0))
                for k in kinds
            ]
        )
    stats_rows = [
        [
            s["label"],
            str(s["new_article_pages"]),
            ", ".join(
                f"{k.split('/', 1)[1]} {v:.0f}"
                for k, v in sorted(s["stats"].items())
                if k.startswith(keys.ROOT)
            ),
        ]
        for s in inc["scenarios"]
    ]
    return "\n\n".join(
        [
            f"Mirror: {inc['article_pages']:,} article pages served by `tests.mirror.server.MirrorServer` "
            f"(rendered on demand, `ETag`/`Last-Modified`, 304s). Cells: requests made / budget.",
            _table(["run", "requests", "wall s", "records", "budget"] + kinds, rows),
            _table(["run", "new article pages", "newscrawl counters"], stats_rows),
        ]
    )


def incremental_notes(results: dict[str, Any]) -> str:
    """What the clocks mean for re-checks and sitemaps, with the numbers of this run."""
    inc = results["incremental"]
    rechecks = {
        s["label"]: int(s["stats"].get(keys.fetch_reason(FETCH_RECHECK), 0)) for s in inc["scenarios"]
    }
    behind = inc.get("site_clock_behind_wall_clock_days", 0.0)
    own = next((s for s in inc["scenarios"] if s["label"].endswith("mirror clock")), None)
    lines = [
        "Budget per kind: new article pages (+ re-checks newscrawl counted as due), for each category "
        "and language the listing pages holding new articles plus the one all-known page after them "
        "(page 1 alone when none), one home and one feed per language, robots.txt, the sitemap index, "
        "and the sitemaps whose `lastmod` is after the previous run's start (tag, page and author "
        "sitemaps excluded: newscrawl never reads them).",
        f"**Re-checks.** `NEWSCRAWL_RECHECK_AFTER` (1h, 1d, 7d, 30d after publication) makes an article due "
        "when one of those points falls between its last fetch and now. The incremental runs start minutes "
        "after the full run fetched everything, on today's wall clock, while the mirror's articles are "
        f"dated 2024-01-01 … 2026-11-20 and its clock stands {behind:.1f} days behind the wall clock: "
        "only the 30-day points of articles published about 30 days ago can fall into a window of a few "
        f"minutes, so almost none fire here (observed: {rechecks}). This benchmark therefore measures the "
        "cost of new articles, not of re-checks. In production (site and crawler on one clock, a run every "
        "30 min) each article is re-checked up to four times, so a steady-state run also sends about "
        "four conditional requests (mostly 304s) per new article of one interval: those are outside the "
        "issue's formula.",
    ]
    if own is not None:
        lines.append(
            "**Sitemaps and clock skew.** In the *mirror clock* scenario the 50 articles carry the mirror's "
            f"dates ({' … '.join(inc.get('mirror_clock_new_published', []))}), older than the previous run's "
            "start on the wall clock, so the changed day sitemap looks unchanged and is not read "
            f"({own['by_kind'].get('sitemap', 0)} sitemaps fetched); the new articles are still found "
            "through the listings and feeds. An article reachable only from a sitemap whose `lastmod` "
            "lags the crawler's clock would be missed by incremental runs: worth a safety margin in "
            "`newscrawl.spiders` (e.g. compare `lastmod` with the previous start minus some hours)."
        )
    return "\n\n".join(lines)


def profile_rows(profile: dict[str, Any], unit: str, top: int = 20) -> str:
    """A profile's top rows: by cumulative time, by self time, and who calls the hottest ones."""
    cum = [
        [
            f"`{r['function']}`",
            f"{r['cum_ms_per_unit']:.3f}",
            f"{r['self_ms_per_unit']:.3f}",
            f"{r['calls_per_unit']:.1f}",
        ]
        for r in profile["by_cumulative"][:top]
    ]
    own = [
        [
            f"`{r['function']}`",
            f"{r['self_ms_per_unit']:.3f}",
            f"{r['cum_ms_per_unit']:.3f}",
            f"{r['calls_per_unit']:.1f}",
        ]
        for r in profile["by_self"][: top // 2]
    ]
    callers = [
        [f"`{hot['function']}`", f"`{c['caller']}`", f"{c['ms_per_unit']:.3f}", f"{c['calls_per_unit']:.1f}"]
        for hot in profile.get("hot_callers", [])[:2]
        for c in hot["callers"][:4]
    ]
    return "\n\n".join(
        [
            f"Total {profile['total_ms_per_unit']:.2f} ms per {unit} under cProfile "
            "(which inflates call-heavy code).",
            "By cumulative time:\n\n"
            + _table(["function", f"cum ms/{unit}", f"self ms/{unit}", f"calls/{unit}"], cum),
            "By self time:\n\n"
            + _table(["function", f"self ms/{unit}", f"cum ms/{unit}", f"calls/{unit}"], own),
            "Who calls the hottest functions (time of the callee spent for that caller):\n\n"
            + _table(["function", "caller", f"ms/{unit}", f"calls/{unit}"], callers),
        ]
    )


def crawl_profile_section(profiles: dict[str, Any]) -> str:
    """(b) against (a): self time per package, then newscrawl's own functions."""
    b, a = profiles["b"], profiles["a"]
    a_pkg = {r["package"]: r["self_ms_per_unit"] for r in a["by_package"]}
    b_pkg = {r["package"]: r["self_ms_per_unit"] for r in b["by_package"]}
    packages = sorted(set(a_pkg) | set(b_pkg), key=lambda k: -(b_pkg.get(k, 0.0) - a_pkg.get(k, 0.0)))
    rows = [
        [
            p,
            f"{b_pkg.get(p, 0.0):.3f}",
            f"{a_pkg.get(p, 0.0):.3f}",
            f"{b_pkg.get(p, 0.0) - a_pkg.get(p, 0.0):+.3f}",
        ]
        for p in packages[:16]
    ]
    rows.append(
        [
            "**total**",
            f"{b['total_ms_per_unit']:.2f}",
            f"{a['total_ms_per_unit']:.2f}",
            f"{b['total_ms_per_unit'] - a['total_ms_per_unit']:+.2f}",
        ]
    )
    own = [
        [
            f"`{r['function']}`",
            f"{r['cum_ms_per_unit']:.3f}",
            f"{r['self_ms_per_unit']:.3f}",
            f"{r['calls_per_unit']:.1f}",
        ]
        for r in b["newscrawl"][:25]
    ]
    return "\n\n".join(
        [
            f"cProfile of `scrapy crawl vietnamvn` stopped after {b['article_requests']:,} article pages "
            f"({b['requests']:,} requests), and of (a) over the same number of responses "
            f"({a['article_requests']:,} article pages). Milliseconds are per article page fetched "
            "(listing, sitemap "
            "and feed work spread over them); cProfile inflates call-heavy code, so read them as shares.",
            "Self time by package, (b) against (a), largest extra cost first:\n\n"
            + _table(["package", "(b) ms/page", "(a) ms/page", "extra in (b)"], rows),
            "newscrawl's functions in (b), by cumulative time:\n\n"
            + _table(["function", "cum ms/page", "self ms/page", "calls/page"], own),
            profile_rows(b, "page", top=16),
        ]
    )


def profile_section(results: dict[str, Any]) -> str:
    """Profiles gathered for the targets newscrawl misses."""
    parts = []
    if "extract_profile" in results:
        prof = results["extract_profile"]
        layers = [
            [r["layer"], r["field"] or "—", f"{r['ms_per_page']:.3f}", f"{r['calls_per_page']:.2f}"]
            for r in prof["layer_fields"]
            if r["ms_per_page"] >= 0.005
        ]
        parts.append(
            "### Extraction, per article page (saved pages, no network)\n\n"
            "Time per (layer, field) answer, measured by wrapping `Layer.get` in the benchmark process "
            "(a field that first touches a cached part of the page pays for it):\n\n"
            + _table(["layer", "field", "ms/page", "calls/page"], layers)
            + "\n\n"
            + profile_rows(prof, "page")
        )
    if "crawl_profile" in results:
        parts.append(
            "### Whole crawl (b), per article page fetched\n\n"
            + crawl_profile_section(results["crawl_profile"])
        )
    if "export_profile" in results:
        parts.append("### Exporter, per item\n\n" + profile_rows(results["export_profile"], "item", top=12))
    return "\n\n".join(parts)


METHOD = """\
Each crawler runs as its own process on the same nginx mirror, in alternating order per repetition
(a b c, then c b a). All use `CONCURRENT_REQUESTS=16`, `CONCURRENT_REQUESTS_PER_DOMAIN=8`, robots.txt
obeyed, `LOG_LEVEL=INFO`, no AutoThrottle, telnet console and RemoteControl off:

- (a) `python -m benchmarks.spiders bare`: Scrapy's default settings; follows the homes, every listing
  page (`<a href>` and `<link rel=next>`), robots.txt's sitemap index with its day, news and category
  sitemaps, each language's RSS feed, and every article page, which it does not parse;
- (b) `scrapy crawl vietnamvn -a base_url=… -s AUTOTHROTTLE_ENABLED=False -s LOG_LEVEL=INFO` with the
  same concurrency, a fresh state file and output folder (newscrawl's own settings otherwise);
- (c) the spider of (a) plus `trafilatura.extract(response.text, url=…)` (default options) per article
  page, records written with Scrapy's `JsonLinesItemExporter`.

pages/s = responses ÷ Scrapy's `elapsed_time_seconds` (engine time; "wall" divides by the process's
wall time, start-up included). CPU seconds (user + system) come from the kernel's rusage of the
crawler process (`wait4`, children it reaped included); CPU per 1,000 articles divides by the
mirror's article pages. Peak RSS is the largest RSS of the crawler process itself, sampled from
`/proc` every 0.5 s; "with children" adds the processes it started (scrapy-playwright's Node
driver and Chromium, which newscrawl starts only for a page that needs them), "kernel maxrss"
is `wait4`'s `ru_maxrss`."""


def code_line(results: dict[str, Any]) -> str:
    """Which newscrawl was measured."""
    code = results.get("code") or {}
    dirty = code.get("dirty") or []
    line = f"newscrawl and the mirror at commit `{code.get('commit', '?')[:12]}` (HEAD when the run started, "
    line += "measured from a copy of it so that commits landing during the run do not mix in)."
    if dirty:
        shown = ", ".join(f"`{d.strip()}`" for d in dirty[:8]) + (" …" if len(dirty) > 8 else "")
        line += f" Uncommitted changes not measured: {shown}."
    return line


def render(results: dict[str, Any]) -> str:
    """The whole report."""
    m, v, mirror = results["machine"], results["versions"], results["mirror"]
    command = results["command"]
    if command.startswith("python "):
        command = ".venv/bin/" + command
    server = results["server"]
    a_rate = _median(results["crawls"]["a"], "pages_per_s")
    sections = [
        "# newscrawl benchmarks",
        f"Generated by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"in {results['seconds'] / 60:.0f} minutes. Raw numbers: `results.json` in the work folder.",
        code_line(results),
        "## Machine and versions\n\n"
        + _table(
            ["", ""],
            [
                ["CPU", f"{m['cpu']}, {m['nproc']} cores"],
                ["memory", f"{m['memory_gb']} GB"],
                ["OS", m["os"]],
                *([name, value] for name, value in v.items()),
            ],
        ),
        "## Targets\n\n" + _table(["target", "measured", "verdict"], targets(results)),
        "## The mirror\n\n"
        f"`tests.mirror` model, seed {mirror['seed']}, {mirror['stories']:,} stories → "
        f"**{mirror['article_pages']:,} article pages** (one per article and language: "
        f"vi, en, fr, zh-cn, ko, ja) of {mirror['mean_article_kb']:.1f} KB on average "
        f"(`page_padding_kb=40`), {mirror['listing_pages']:,} "
        f"category listing pages, {mirror['pages'].get('sitemap_day', 0):,} day sitemaps, "
        f"{mirror['pages'].get('home', 0)} homes and {mirror['pages'].get('rss', 0)} feeds, written as "
        'static files and served by nginx (one worker, 127.0.0.1). "Articles" below means article '
        "pages = output records.",
        f"## Server alone\n\n{server['tool']}, {server['seconds']:.0f} s over article pages: "
        f"**{server['pages_per_s']:,.0f} pages/s** ({server['mb_per_s']:.0f} MB/s, "
        f"{server['non_2xx']} errors), "
        f"{server['pages_per_s'] / a_rate:.0f} × what the fastest crawler (a) asks of it: the server is not "
        "the bottleneck.",
        "## Crawls side by side (median of the repetitions)\n\n" + METHOD + "\n\n" + crawl_section(results),
    ]
    if "growth" in results:
        sections.append("## Memory growth\n\n" + growth_section(results))
    sections += [
        "## Parse-only micro-benchmark\n\n" + parse_section(results),
        "## Exporter micro-benchmark\n\n" + export_section(results),
    ]
    if "incremental" in results:
        sections.append(
            "## Incremental runs (issue 3 item 8)\n\n"
            + incremental_section(results)
            + "\n\n"
            + incremental_notes(results)
        )
    profiles = profile_section(results)
    if profiles:
        sections.append(f"{PROFILES_HEADING}\n\n" + profiles)
    return "\n\n".join(sections) + "\n"


# Written only when a target is missed: a fresh report without it drops an older one's.
PROFILES_HEADING = "## Profiles of the missed targets"


def merge_kept_sections(previous: str, fresh: str) -> str:
    """``fresh`` followed by the ``## `` sections of ``previous`` that other benchmark commands
    wrote (e.g. ``benchmarks.render_memory``'s): sections this report writes itself, and ones
    marked preliminary, are replaced."""
    own = {line for line in fresh.splitlines() if line.startswith("## ")} | {PROFILES_HEADING}
    kept, current = [], None
    for line in previous.splitlines():
        if line.startswith("## "):
            keep = line not in own and "preliminary" not in line.lower()
            current = [line] if keep else None
            if keep:
                kept.append(current)
        elif line.startswith("# "):
            current = None
        elif current is not None:
            current.append(line)
    if not kept:
        return fresh
    blocks = ["\n".join(block).rstrip() for block in kept]
    return fresh.rstrip() + "\n\n" + "\n\n".join(blocks) + "\n"
