"""Where newscrawl's time goes, per page: for the lead engineer when a target is missed.

- ``python -m benchmarks.profiling extract --pages LIST --out R.json``: cProfile of the spider's
  article path (``HtmlResponse`` → ``PageContext`` → ``extract_article`` → ``load_article``) on
  saved pages, plus the time of every (layer, field) pair, measured by wrapping ``Layer.get`` in
  this process only (newscrawl's files are not touched).
- ``python -m benchmarks.profiling export --pages LIST --out R.json``: cProfile of
  ``OrjsonLinesExporter.export_item``.
- :func:`crawl_profile_rows` reads a ``cProfile`` dump of a whole ``scrapy crawl``.

Rows give milliseconds per page (per item for the exporter): cumulative (the function and what
it calls) and self time, and calls per page.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.micro import ORIGIN, newscrawl_record, read_pages

SKIPPED_FUNCTIONS = (
    "<built-in method builtins.exec>",
    "<module>",
    "run_module",
    "_run_code",
    "_run_module_as_main",
    "runctx",
    "run_path",
)


PROJECT = str(Path(__file__).resolve().parent.parent) + "/"


def _label(func: tuple[str, int, str]) -> str:
    """``package/module.py:line(function)`` with site-packages and the project root cut off."""
    path, line, name = func
    path = path.removeprefix(PROJECT)
    for marker in ("site-packages/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{path}:{line}({name})" if line else name


def _package(func: tuple[str, int, str]) -> str:
    """What a function belongs to: ``newscrawl/extract``, ``parsel``, ``C: sqlite3``…"""
    path, _line, name = func
    if path == "~":
        found = re.search(r"of '([\w.]+)' objects|built-in method ([\w.]+)>", name)
        module = next((g for g in found.groups() if g), "builtins") if found else "builtins"
        return f"C: {module.split('.')[0]}"
    label = _label(func).split(":", 1)[0]
    parts = label.split("/")
    if parts[0] == "newscrawl" and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0].removesuffix(".py") if len(parts) > 1 or parts[0].endswith(".py") else parts[0]


def profile_rows(stats: pstats.Stats, per: int, top: int = 30, min_share: float = 0.01) -> dict[str, Any]:
    """Top functions by cumulative and by self time, in ms per unit (``per`` pages or items);
    self time summed per package; newscrawl's own functions; who calls the hottest ones."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max((ct for (_cc, _nc, _tt, ct, _callers) in raw.values()), default=0.0)
    rows = []
    packages: dict[str, float] = defaultdict(float)
    for func, (_cc, ncalls, tottime, cumtime, _callers) in raw.items():
        packages[_package(func)] += tottime
        label = _label(func)
        if any(skip in label for skip in SKIPPED_FUNCTIONS):
            continue
        rows.append(
            {
                "function": label,
                "calls_per_unit": ncalls / per,
                "cum_ms_per_unit": cumtime * 1000 / per,
                "self_ms_per_unit": tottime * 1000 / per,
                "cum_share": cumtime / total if total else 0.0,
            }
        )
    by_cum = sorted((r for r in rows if r["cum_share"] >= min_share), key=lambda r: -r["cum_ms_per_unit"])
    by_self = sorted(rows, key=lambda r: -r["self_ms_per_unit"])
    own = [r for r in by_cum if r["function"].startswith("newscrawl/")]
    hottest = sorted(raw.items(), key=lambda kv: -kv[1][2])[:4]
    callers = []
    for func, (_cc, _nc, _tt, _ct, by_caller) in hottest:
        ranked = sorted(by_caller.items(), key=lambda kv: -kv[1][3])[:6]
        callers.append(
            {
                "function": _label(func),
                "callers": [
                    {
                        "caller": _label(caller),
                        "calls_per_unit": info[1] / per,
                        "ms_per_unit": info[3] * 1000 / per,
                    }
                    for caller, info in ranked
                ],
            }
        )
    return {
        "units": per,
        "total_ms_per_unit": total * 1000 / per,
        "by_cumulative": by_cum[:top],
        "by_self": by_self[:top],
        "newscrawl": own[:top],
        "by_package": sorted(
            ({"package": k, "self_ms_per_unit": v * 1000 / per} for k, v in packages.items()),
            key=lambda r: -r["self_ms_per_unit"],
        )[:20],
        "hot_callers": callers,
    }


def layer_field_times(pages: list[tuple[str, str, bytes]], passes: int = 2) -> list[dict[str, Any]]:
    """Milliseconds per page spent in each (layer, field) answer, cached page parts included
    where a field is the first to need them."""
    from scrapy.http import HtmlResponse

    from newscrawl.extract.base import Layer
    from newscrawl.extract.context import PageContext
    from newscrawl.sites.vietnamvn import VIETNAM_VN
    from newscrawl.urls import UrlMapper

    spent: dict[tuple[str, str], float] = defaultdict(float)
    calls: dict[tuple[str, str], int] = defaultdict(int)
    original = Layer.get

    def timed_get(self: Layer, field: str) -> Any:
        start = time.thread_time()
        try:
            return original(self, field)
        finally:
            spent[(self.name, field)] += time.thread_time() - start
            calls[(self.name, field)] += 1

    mapper = UrlMapper(ORIGIN, VIETNAM_VN)
    headers = {"Content-Type": "text/html; charset=utf-8"}
    parse = whole = 0.0
    for round_ in range(passes + 1):  # the first round warms up
        for url, _lang, raw in pages:
            start = time.thread_time()
            response = HtmlResponse(url, body=raw, headers=headers)
            site_url = mapper.parse(url)
            assert site_url is not None
            PageContext.from_response(response, site_url.lang, mapper)
            middle = time.thread_time()
            newscrawl_record(mapper, url, raw)
            if round_:
                parse += middle - start
                whole += time.thread_time() - middle
    Layer.get = timed_get  # type: ignore[method-assign]
    try:
        for _ in range(passes):
            for url, _lang, raw in pages:
                newscrawl_record(mapper, url, raw)
    finally:
        Layer.get = original  # type: ignore[method-assign]
    n = len(pages) * passes
    rows = [
        {
            "layer": layer,
            "field": field,
            "ms_per_page": seconds * 1000 / n,
            "calls_per_page": calls[(layer, field)] / n,
        }
        for (layer, field), seconds in spent.items()
    ]
    rows.sort(key=lambda r: -r["ms_per_page"])
    in_layers = sum(r["ms_per_page"] for r in rows)
    rows.insert(
        0,
        {
            "layer": "(whole path, unwrapped)",
            "field": "",
            "ms_per_page": whole * 1000 / n,
            "calls_per_page": 1.0,
        },
    )
    rows.insert(
        1,
        {
            "layer": "(HtmlResponse + lxml parse + PageContext)",
            "field": "",
            "ms_per_page": parse * 1000 / n,
            "calls_per_page": 1.0,
        },
    )
    rows.append(
        {
            "layer": "(rest: orchestration, load_article)",
            "field": "",
            "ms_per_page": whole * 1000 / n - parse * 1000 / n - in_layers,
            "calls_per_page": 1.0,
        }
    )
    return rows


def profile_extract(pages: list[tuple[str, str, bytes]]) -> dict[str, Any]:
    """cProfile of newscrawl's per-page path, and the per-(layer, field) times."""
    mapper_pages = [(url, raw) for url, _lang, raw in pages]
    from newscrawl.sites.vietnamvn import VIETNAM_VN
    from newscrawl.urls import UrlMapper

    mapper = UrlMapper(ORIGIN, VIETNAM_VN)
    for url, raw in mapper_pages:
        newscrawl_record(mapper, url, raw)
    profiler = cProfile.Profile()
    profiler.enable()
    for url, raw in mapper_pages:
        newscrawl_record(mapper, url, raw)
    profiler.disable()
    result = profile_rows(pstats.Stats(profiler), len(mapper_pages))
    result["layer_fields"] = layer_field_times(pages)
    return result


def profile_export(pages: list[tuple[str, str, bytes]], n_items: int = 20_000) -> dict[str, Any]:
    """cProfile of newscrawl's exporter writing ``n_items`` records to a real file."""
    from newscrawl.exporters import OrjsonLinesExporter
    from newscrawl.items import ArticleItem
    from newscrawl.sites.vietnamvn import VIETNAM_VN
    from newscrawl.urls import UrlMapper

    mapper = UrlMapper(ORIGIN, VIETNAM_VN)
    records = [r for url, _lang, raw in pages if (r := newscrawl_record(mapper, url, raw))]
    items = [ArticleItem(records[i % len(records)]) for i in range(n_items)]
    with tempfile.TemporaryDirectory(prefix="nc-profile-") as tmp, (Path(tmp) / "x.jsonl").open("wb") as file:
        exporter = OrjsonLinesExporter(file, encoding="utf-8")
        profiler = cProfile.Profile()
        profiler.enable()
        for item in items:
            exporter.export_item(item)
        profiler.disable()
    return profile_rows(pstats.Stats(profiler), n_items, top=15, min_share=0.0)


def crawl_profile_rows(dump: Path, article_pages: int) -> dict[str, Any]:
    """Rows of a whole crawl's cProfile dump, per article page fetched."""
    return profile_rows(pstats.Stats(str(dump)), max(1, article_pages), top=40, min_share=0.005)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``extract`` or ``export``; writes JSON to ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling")
    parser.add_argument("what", choices=("extract", "export"))
    parser.add_argument("--pages", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    pages = read_pages(args.pages)
    result = profile_extract(pages) if args.what == "extract" else profile_export(pages)
    args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
