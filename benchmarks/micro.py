"""Micro-benchmarks, run in their own process: parse-only extraction and the feed exporters.

``python -m benchmarks.micro parse --pages LIST --out RESULT.json`` times, per saved article
page (raw bytes in, result out): lxml's parse alone (the floor), parsel's ``Selector`` (decode +
parse), newscrawl's path as the spider runs it (``HtmlResponse`` → ``PageContext`` →
``extract_article`` → ``load_article``), ``trafilatura.extract`` (defaults, and with metadata as
JSON) and newspaper4k. Each page is timed in several passes after a warm-up pass, the contenders
taking turns page by page; a page's time is its fastest pass (the one least disturbed by the
machine's other load, as ``timeit`` advises), and the report gives the median, p95 and mean over
pages. Times
are CPU time of the thread (``time.thread_time_ns``), so other processes competing for the
machine's two cores do not inflate them; the exporters are timed in process CPU time
(``time.process_time``, system time of the writes included).

``python -m benchmarks.micro export --pages LIST --items 100000 --out RESULT.json`` writes the
same items (newscrawl records of those pages, repeated) with newscrawl's ``OrjsonLinesExporter``
and Scrapy's ``JsonLinesItemExporter`` to real files, alternating, and checks both files hold
the same data.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from lxml import etree
from lxml.html import HTMLParser
from parsel import Selector
from scrapy.exporters import JsonLinesItemExporter
from scrapy.http import HtmlResponse

from newscrawl.exporters import OrjsonLinesExporter
from newscrawl.extract.article import extract_article
from newscrawl.extract.context import PageContext
from newscrawl.items import ArticleItem
from newscrawl.loaders import load_article
from newscrawl.sites.vietnamvn import VIETNAM_VN
from newscrawl.urls import UrlMapper

ORIGIN = "http://127.0.0.1:8000"
HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def read_pages(listing: Path) -> list[tuple[str, str, bytes]]:
    """``(fetch URL, language, raw bytes)`` of the pages named in ``listing`` (JSON list of
    ``[file, site path, language]``)."""
    return [
        (ORIGIN + path, lang, Path(file).read_bytes()) for file, path, lang in json.loads(listing.read_text())
    ]


def newscrawl_record(mapper: UrlMapper, url: str, raw: bytes) -> dict[str, Any] | None:
    """What the spider's ``parse_article`` computes for one page (None when not an article)."""
    site_url = mapper.parse(url)
    assert site_url is not None
    response = HtmlResponse(url, body=raw, headers=HEADERS)
    ctx = PageContext.from_response(response, site_url.lang, mapper)
    extraction = extract_article(ctx)
    if not extraction.is_article:
        return None
    return load_article(site_url, extraction, [])


NEWSPAPER_LANGS = frozenset({"vi", "en", "fr"})
"""Languages newspaper4k handles without nltk and its data (Korean needs nltk's tokenizer,
which needs a data download this machine cannot do): it is timed on those pages only."""

Extractor = Callable[[str, bytes], Any]


def contenders() -> dict[str, tuple[Extractor, frozenset[str] | None]]:
    """Name → (function of URL and raw page, languages it is timed on or None for all)."""
    import trafilatura

    parser = HTMLParser(recover=True, encoding="utf-8")
    mapper = UrlMapper(ORIGIN, VIETNAM_VN)
    found: dict[str, tuple[Extractor, frozenset[str] | None]] = {
        "lxml parse (floor)": (lambda url, raw: etree.fromstring(raw, parser), None),
        "parsel Selector (decode + parse)": (lambda url, raw: Selector(text=raw.decode("utf-8")), None),
        "newscrawl (parse + extract + load)": (lambda url, raw: newscrawl_record(mapper, url, raw), None),
        "trafilatura.extract (defaults)": (
            lambda url, raw: trafilatura.extract(raw.decode("utf-8"), url=url),
            None,
        ),
        "trafilatura.extract (metadata, JSON)": (
            lambda url, raw: trafilatura.extract(
                raw.decode("utf-8"), url=url, with_metadata=True, output_format="json"
            ),
            None,
        ),
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import newspaper
    except ImportError:
        return found
    config = newspaper.Config()
    config.fetch_images = False
    config.memorize_articles = False

    def newspaper_parse(url: str, raw: bytes) -> Any:
        article = newspaper.Article(url, config=config)
        article.download(input_html=raw.decode("utf-8"))
        article.parse()
        return article.text

    found["newspaper4k (Article.parse; vi, en, fr pages)"] = (newspaper_parse, NEWSPAPER_LANGS)
    return found


def summary_ms(times_ns: list[float]) -> dict[str, float]:
    """Median, p95 and mean in milliseconds of per-page times in nanoseconds."""
    ordered = sorted(times_ns)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": statistics.median(ordered) / 1e6,
        "p95_ms": p95 / 1e6,
        "mean_ms": statistics.fmean(ordered) / 1e6,
    }


# Timed side by side, page by page: the parse floor and newscrawl, whose ratio the issue's
# target is about. The other extractors run one after another: taking turns with them would
# leave newscrawl each page the caches that trafilatura or newspaper4k have just churned.
SIDE_BY_SIDE = (
    "lxml parse (floor)", "parsel Selector (decode + parse)", "newscrawl (parse + extract + load)",
)  # fmt: skip


def bench_parse(pages: list[tuple[str, str, bytes]], passes: int) -> dict[str, Any]:
    """Time every contender on every page; count what each found.

    The :data:`SIDE_BY_SIDE` contenders take turns page by page (each pass in a rotated
    order), so a slow spell of this shared machine falls on all of them alike and their
    ratios hold even when the times do not.
    """
    found_by = contenders()
    timed = {
        name: [i for i, (_url, lang, _raw) in enumerate(pages) if langs is None or lang in langs]
        for name, (_func, langs) in found_by.items()
    }
    found = {}
    for name, indexes in timed.items():  # the warm-up pass (imports, caches), which counts results
        outputs = (found_by[name][0](pages[i][0], pages[i][2]) for i in indexes)
        found[name] = sum(1 for out in outputs if out is not None and out != "")
    times: dict[str, dict[int, list[int]]] = {name: {i: [] for i in timed[name]} for name in found_by}
    groups = [list(SIDE_BY_SIDE)] + [[name] for name in found_by if name not in SIDE_BY_SIDE]
    for group in groups:
        for n in range(passes):
            for i, (url, _lang, raw) in enumerate(pages):
                shift = (i + n) % len(group)
                for name in group[shift:] + group[:shift]:
                    if i in times[name]:
                        func = found_by[name][0]
                        start = time.thread_time_ns()
                        func(url, raw)
                        times[name][i].append(time.thread_time_ns() - start)
    results = {
        name: {
            **summary_ms([min(t) for t in times[name].values()]),
            "pages": len(timed[name]),
            "found": found[name],
        }
        for name in found_by
    }
    gc.collect()
    sizes = [len(raw) for _url, _lang, raw in pages]
    langs: dict[str, int] = {}
    for _url, lang, _raw in pages:
        langs[lang] = langs.get(lang, 0) + 1
    return {
        "pages": len(pages),
        "passes": passes,
        "mean_kb": statistics.fmean(sizes) / 1024,
        "langs": langs,
        "results": results,
    }


def _export(exporter_cls: type, items: list[ArticleItem], path: Path) -> float:
    """CPU seconds to export ``items`` to ``path`` through ``exporter_cls`` (file opened as a feed is)."""
    gc.collect()
    with path.open("wb") as file:
        start = time.process_time()
        exporter = exporter_cls(file, encoding="utf-8")
        exporter.start_exporting()
        for item in items:
            exporter.export_item(item)
        exporter.finish_exporting()
        file.flush()
        return time.process_time() - start


def same_data(first: Path, second: Path) -> bool:
    """Whether two JSON Lines files hold the same objects, line by line."""
    with first.open("rb") as a, second.open("rb") as b:
        for line_a, line_b in zip(a, b, strict=True):
            if orjson.loads(line_a) != orjson.loads(line_b):
                return False
    return True


def bench_export(pages: list[tuple[str, str, bytes]], n_items: int, rounds: int) -> dict[str, Any]:
    """Median seconds of each exporter over ``rounds`` alternating runs on ``n_items`` items."""
    mapper = UrlMapper(ORIGIN, VIETNAM_VN)
    records = [r for url, _lang, raw in pages if (r := newscrawl_record(mapper, url, raw))]
    items = [ArticleItem(records[i % len(records)]) for i in range(n_items)]
    exporters = {
        "newscrawl OrjsonLinesExporter": OrjsonLinesExporter,
        "Scrapy JsonLinesItemExporter": JsonLinesItemExporter,
    }
    times: dict[str, list[float]] = {name: [] for name in exporters}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="nc-export-") as tmp:
        names = list(exporters)
        for r in range(rounds):
            for name in names if r % 2 == 0 else names[::-1]:
                path = Path(tmp) / f"{names.index(name)}.jsonl"  # overwritten each round
                times[name].append(_export(exporters[name], items, path))
                sizes[name] = path.stat().st_size
        equal = same_data(Path(tmp) / "0.jsonl", Path(tmp) / "1.jsonl")
    result = {
        name: {
            "median_s": statistics.median(t),
            "runs_s": t,
            "bytes": sizes[name],
            "items_per_s": n_items / statistics.median(t),
        }
        for name, t in times.items()
    }
    return {
        "items": n_items,
        "distinct_records": len(records),
        "rounds": rounds,
        "same_data": equal,
        "results": result,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: ``parse`` or ``export``; writes the result as JSON to ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.micro")
    parser.add_argument("what", choices=("parse", "export"))
    parser.add_argument("--pages", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--passes", type=int, default=7, help="parse: timed passes over the pages")
    parser.add_argument("--rounds", type=int, default=3, help="export: alternating rounds")
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args(argv)
    pages = read_pages(args.pages)
    if args.what == "parse":
        result = bench_parse(pages, args.passes)
    else:
        result = bench_export(pages, args.items, args.rounds)
    args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
