"""Series and charts of the report page (:mod:`newscrawl.tools.report`): pure functions over runs.

A chart point is one crawl: the runs of a cluster crawl (one per worker, one run id) are
combined. Past ``MAX_POINTS`` crawls, consecutive points are averaged in groups so a long
history keeps a small file. Charts are inline SVG drawn by matplotlib without pyplot (no
global figure state, no display), with fixed hash salt so the same runs give the same text.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from newscrawl.state.store import RunRecord

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

MAX_POINTS = 200
# Fields whose coverage the coverage chart draws, in the order of the legend.
COVERAGE_FIELDS = ("title", "body", "published_at", "source_name", "summary", "authors", "tags", "images")
# Extraction layers, first tried first; a layer the report does not know is drawn after these.
LAYERS = ("embedded", "structured", "selectors", "patterns", "generic")
LAYER_COLOURS = {
    "embedded": "#4c72b0",
    "structured": "#55a868",
    "selectors": "#8172b2",
    "patterns": "#ccb974",
    "generic": "#dd8452",
}
# Tick labels by the locator's unit (years, months, days, hours, minutes, seconds): "Nov 21".
DATE_FORMATS = ["%Y", "%b", "%b %d", "%H:%M", "%H:%M", "%S.%f"]
ZERO_FORMATS = ["", "%Y", "%b", "%b %d", "%H:%M", "%H:%M"]
ALARM_COLOUR = "#d62728"
UNFINISHED_COLOUR = "#7f7f7f"
RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "newscrawl-report",
    "svg.image_inline": True,
    "timezone": "UTC",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.6,
    "path.simplify": True,
}


@dataclass(slots=True)
class Point:
    """One crawl (or, past ``MAX_POINTS``, the average of a few consecutive crawls) on the charts."""

    started_at: float
    runs: int = 1
    has_report: bool = False  # a health report was recorded: the values below mean something
    unhealthy: bool = False  # a threshold broken (health report says not healthy)
    unfinished: bool = False  # killed, or still running: no outcome
    emitted: float = 0.0
    by_language: dict[str, float] = field(default_factory=dict)
    coverage: dict[str, float] = field(default_factory=dict)  # fields with a share only
    coverage_weight: dict[str, float] = field(default_factory=dict)  # articles behind each share
    layers: dict[str, float] = field(default_factory=dict)  # "<field>/<layer>": pages
    requests: float = 0.0
    errors: float = 0.0


def section(summary: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """``summary[name]`` when it is a dict, else an empty one (older runs lack some sections)."""
    value = (summary or {}).get(name)
    return value if isinstance(value, dict) else {}


def number(value: Any) -> float | None:
    """A finite number from a report value, or None (missing, text, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def is_unhealthy(summary: dict[str, Any] | None) -> bool:
    """True when a health report says a threshold broke (``healthy`` false, or broken thresholds)."""
    if not summary:
        return False
    healthy = summary.get("healthy")
    if isinstance(healthy, bool):
        return not healthy
    return bool(summary.get("broken_thresholds"))


def point_of(run: RunRecord) -> Point:
    """The chart values of one run (nothing but its start when it has no health report)."""
    summary = run.summary
    point = Point(started_at=run.started_at, unfinished=run.outcome is None)
    if not isinstance(summary, dict):
        return point
    point.has_report, point.unhealthy = True, is_unhealthy(summary)
    articles = section(summary, "articles")
    point.emitted = number(articles.get("emitted")) or 0.0
    point.by_language = {
        str(lang): n
        for lang, value in section(articles, "by_language").items()
        if (n := number(value)) is not None
    }
    for name, value in section(summary, "coverage").items():
        share = number(value)
        if share is not None:
            point.coverage[str(name)] = share
            point.coverage_weight[str(name)] = max(point.emitted, 1.0)
    point.layers = {
        str(k): n for k, value in section(summary, "layers").items() if (n := number(value)) is not None
    }
    http = section(summary, "http")
    point.requests = number(http.get("requests")) or 0.0
    point.errors = number(http.get("errors")) or 0.0
    return point


def combine(points: Sequence[Point], *, average: bool) -> Point:
    """One point for several: summed counts (the workers of one crawl) or, with ``average``, the
    mean crawl of a group of consecutive crawls. Shares are weighted by what they count."""
    if len(points) == 1:
        return points[0]
    runs = sum(p.runs for p in points)
    reported = [p for p in points if p.has_report]
    scale = 1.0 / len(reported) if average and reported else 1.0
    out = Point(
        started_at=sum(p.started_at for p in points) / len(points) if average else points[0].started_at,
        runs=runs,
        has_report=bool(reported),
        unhealthy=any(p.unhealthy for p in points),
        unfinished=any(p.unfinished for p in points),
    )
    for p in reported:
        out.emitted += p.emitted * scale
        out.requests += p.requests
        out.errors += p.errors
        for lang, n in p.by_language.items():
            out.by_language[lang] = out.by_language.get(lang, 0.0) + n * scale
        for name, n in p.layers.items():
            out.layers[name] = out.layers.get(name, 0.0) + n
        for name, share in p.coverage.items():
            weight = p.coverage_weight.get(name, 1.0)
            total = out.coverage_weight.get(name, 0.0)
            out.coverage[name] = (out.coverage.get(name, 0.0) * total + share * weight) / (total + weight)
            out.coverage_weight[name] = total + weight
    return out


def crawl_points(runs: Iterable[RunRecord]) -> list[Point]:
    """One point per crawl, by start time: runs sharing a run id (cluster workers) are summed."""
    groups: dict[int, list[RunRecord]] = {}
    for run in runs:
        groups.setdefault(run.run_id, []).append(run)
    points = [
        combine([point_of(r) for r in sorted(group, key=lambda r: r.started_at)], average=False)
        for group in groups.values()
    ]
    return sorted(points, key=lambda p: p.started_at)


def downsample(points: Sequence[Point], limit: int = MAX_POINTS) -> list[Point]:
    """At most ``limit`` points: consecutive crawls averaged in groups of equal size (one bad
    crawl marks its group bad)."""
    if len(points) <= limit:
        return list(points)
    size = math.ceil(len(points) / limit)
    return [combine(points[i : i + size], average=True) for i in range(0, len(points), size)]


def error_rate(point: Point) -> float:
    """Share of HTTP requests that failed (NaN when the crawl sent none or has no report)."""
    return point.errors / point.requests if point.has_report and point.requests else math.nan


def layer_names(points: Iterable[Point], field_name: str) -> list[str]:
    """The layers that answered ``field_name`` in any point: known layers in order, then others."""
    seen = {
        name.partition("/")[2] for p in points for name in p.layers if name.partition("/")[0] == field_name
    }
    return [layer for layer in LAYERS if layer in seen] + sorted(seen - set(LAYERS))


def layer_shares(point: Point, field_name: str, layers: Sequence[str]) -> list[float]:
    """Share of each layer among the pages whose ``field_name`` was found (NaN without any)."""
    counts = [point.layers.get(f"{field_name}/{layer}", 0.0) for layer in layers]
    total = sum(counts)
    return [n / total if total else math.nan for n in counts]


def languages(points: Iterable[Point]) -> list[str]:
    """Languages of the emitted articles, most emitted first."""
    totals: dict[str, float] = {}
    for p in points:
        for lang, n in p.by_language.items():
            totals[lang] = totals.get(lang, 0.0) + n
    return sorted(totals, key=lambda lang: (-totals[lang], lang))


# --------------------------------------------------------------------------- drawing


def _dates(points: Sequence[Point]) -> list[float]:
    return [float(mdates.date2num(datetime.fromtimestamp(p.started_at, UTC))) for p in points]


def _values(points: Sequence[Point], get: Any) -> list[float]:
    return [get(p) if p.has_report else math.nan for p in points]


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=(7.2, 2.5), layout="constrained")
    return figure, figure.add_subplot()


def _style(markers: bool) -> dict[str, Any]:
    return {"linewidth": 1.4, "marker": "o" if markers else None, "markersize": 3.5}


def _finish(figure: Figure, axes: Axes, points: Sequence[Point], xs: Sequence[float]) -> None:
    """Date axis, the marks of bad and unfinished crawls, the legend outside on the right."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(locator, formats=DATE_FORMATS, zero_formats=ZERO_FORMATS)
    )
    if len(set(xs)) <= 1:
        middle = xs[0] if xs else 0.0
        axes.set_xlim(middle - 0.5, middle + 0.5)
    else:
        pad = (max(xs) - min(xs)) * 0.02
        axes.set_xlim(min(xs) - pad, max(xs) + pad)
    top = axes.get_xaxis_transform()
    bad = [x for x, p in zip(xs, points, strict=True) if p.unhealthy]
    if bad:
        axes.vlines(bad, 0, 1, transform=top, colors=ALARM_COLOUR, alpha=0.25, linewidth=1.0)
        axes.scatter(
            bad, [1.0] * len(bad), transform=top, marker="v", s=22, color=ALARM_COLOUR, clip_on=False,
            zorder=5, label="threshold broken",
        )  # fmt: skip
    unfinished = [x for x, p in zip(xs, points, strict=True) if p.unfinished and not p.unhealthy]
    if unfinished:
        axes.scatter(
            unfinished, [1.0] * len(unfinished), transform=top, marker="x", s=18, color=UNFINISHED_COLOUR,
            clip_on=False, zorder=5, label="not finished",
        )  # fmt: skip
    if axes.get_legend_handles_labels()[0]:
        figure.legend(loc="outside right upper", fontsize=8, frameon=False)


def svg_text(figure: Figure, label: str) -> str:
    """The figure as an ``<svg>`` element to put in HTML: no XML prolog, doctype, metadata or
    namespace declarations (HTML needs none), sized by CSS, labelled for screen readers."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    end = text.index(">")
    root = re.sub(r'\s+(?:xmlns(?::\w+)?|width|height)="[^"]*"', "", text[:end])
    escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'{root} role="img" aria-label="{escaped}"{text[end:].rstrip()}'


def _draw(draw: Any, points: Sequence[Point], label: str) -> str:
    with matplotlib.rc_context(RC):
        figure, axes = _figure()
        xs = _dates(points)
        draw(axes, xs, len(points) <= 60)
        _finish(figure, axes, points, xs)
        return svg_text(figure, label)


def articles_chart(points: Sequence[Point]) -> str:
    """Articles emitted per crawl, one line per language (and the total when several)."""

    def draw(axes: Axes, xs: list[float], markers: bool) -> None:
        langs = languages(points)
        if len(langs) > 1:
            totals = _values(points, lambda p: p.emitted)
            axes.plot(xs, totals, color="#333333", label="all", **_style(markers))
        for lang in langs:
            axes.plot(xs, _values(points, lambda p, lang=lang: p.by_language.get(lang, 0.0)), label=lang,
                      **_style(markers))  # fmt: skip
        if not langs:
            axes.plot(
                xs, _values(points, lambda p: p.emitted), color="#333333", label="all", **_style(markers)
            )
        axes.set_ylim(bottom=0)
        axes.set_ylabel("articles")

    return _draw(draw, points, "Articles emitted per run, by language")


def coverage_chart(points: Sequence[Point]) -> str:
    """Share of emitted articles that have each main field."""

    def draw(axes: Axes, xs: list[float], markers: bool) -> None:
        present = {name for p in points for name in p.coverage}
        fields = [f for f in COVERAGE_FIELDS if f in present] or list(COVERAGE_FIELDS[:4])
        for name in fields:
            axes.plot(xs, _values(points, lambda p, name=name: p.coverage.get(name, math.nan)), label=name,
                      **_style(markers))  # fmt: skip
        axes.set_ylim(0, 1.05)
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axes.set_ylabel("articles with it")

    return _draw(draw, points, "Field coverage per run")


def layers_chart(points: Sequence[Point], field_name: str) -> str:
    """Which extraction layer found ``field_name``: share of each among the pages, stacked."""

    def draw(axes: Axes, xs: list[float], markers: bool) -> None:
        layers = layer_names(points, field_name) or list(LAYERS)
        # Crawls without a report, or that found no such field, are left out (not drawn as 0%).
        every = [(x, layer_shares(p, field_name, layers)) for x, p in zip(xs, points, strict=True)]
        known = [(x, shares) for x, shares in every if not any(math.isnan(v) for v in shares)]
        colours = [LAYER_COLOURS.get(layer, "#999999") for layer in layers]
        if len(known) == 1:  # one crawl: a stacked bar, an area would have no width
            bottom = 0.0
            for layer, value, colour in zip(layers, known[0][1], colours, strict=True):
                axes.bar([known[0][0]], [value], width=0.25, bottom=bottom, color=colour, label=layer)
                bottom += value
        elif known:
            rows = [[shares[i] for _, shares in known] for i in range(len(layers))]
            axes.stackplot([x for x, _ in known], rows, colors=colours, labels=layers, alpha=0.9, linewidth=0)
        else:
            axes.text(0.5, 0.5, "no run recorded which layer found it", transform=axes.transAxes,
                      ha="center", va="center", color=UNFINISHED_COLOUR)  # fmt: skip
        axes.set_ylim(0, 1)
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axes.set_ylabel("pages")

    return _draw(draw, points, f"Extraction layers that found {field_name}, share per run")


def error_chart(points: Sequence[Point]) -> str:
    """HTTP error rate per crawl (errors / requests)."""

    def draw(axes: Axes, xs: list[float], markers: bool) -> None:
        rates = [error_rate(p) for p in points]
        axes.plot(xs, rates, color="#8c564b", label="errors / requests", **_style(markers))
        highest = max((r for r in rates if not math.isnan(r)), default=0.0)
        axes.set_ylim(0, max(highest * 1.15, 0.01))
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        axes.set_ylabel("error rate")

    return _draw(draw, points, "HTTP error rate per run")


def all_charts(points: Sequence[Point]) -> list[tuple[str, str]]:
    """``(caption, svg)`` of every chart of the report, in page order."""
    return [
        ("Articles emitted, by language", articles_chart(points)),
        ("Field coverage (share of emitted articles that have the field)", coverage_chart(points)),
        ("Layers that found the body", layers_chart(points, "body")),
        ("Layers that found published_at", layers_chart(points, "published_at")),
        ("HTTP error rate (errors / requests)", error_chart(points)),
    ]
