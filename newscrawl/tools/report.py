"""The report page: one self-contained HTML file telling how the recent crawls of a spider went.

    python -m newscrawl.report --state URI --out report.html [--spider vietnamvn] [--runs 500]

Reads the run history kept in the crawl state (a SQLite file or Redis; read-only, so beside a
running crawl too) and writes, atomically, a page for a person who reads at a glance: the
latest run's alarms and warnings first, then charts over the runs (articles by language,
field coverage, extraction layers of the body and of the date, HTTP error rate) with the bad
runs marked, then a table of the last runs. The file loads nothing from anywhere: inline CSS
and inline SVG, no script. Times are UTC.

Exit status: 0 written; 1 the file could not be written; 2 the state cannot be read.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from newscrawl.state import RunRecord, StateError, open_state
from newscrawl.tools.report_charts import (
    MAX_POINTS,
    all_charts,
    crawl_points,
    downsample,
    is_unhealthy,
    number,
    section,
)

DEFAULT_SPIDER = "vietnamvn"
DEFAULT_RUNS = 500
TABLE_ROWS = 50

CSS = """
:root { --alarm: #b3261e; --alarm-bg: #fdecea; --warn: #8a5a00; --warn-bg: #fff4d6;
        --ok: #1e6b34; --ok-bg: #e6f4ea; --muted: #5f6368; --line: #dadce0; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1500px; padding: 16px 24px 40px; color: #202124; background: #fff;
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 24px 0 8px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.meta code { font-size: 13px; }
.verdict { border-radius: 6px; padding: 10px 14px; margin: 8px 0; border-left: 6px solid; }
.verdict h3 { font-size: 15px; margin: 0 0 4px; }
.verdict ul { margin: 4px 0 0; padding-left: 20px; }
.alarm { background: var(--alarm-bg); border-color: var(--alarm); color: var(--alarm); }
.warn { background: var(--warn-bg); border-color: #e0a800; color: var(--warn); }
.ok { background: var(--ok-bg); border-color: var(--ok); color: var(--ok); }
.info { background: #f1f3f4; border-color: var(--muted); color: #3c4043; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 12px 24px; }
figure { margin: 0; padding: 8px 8px 0; border: 1px solid var(--line); border-radius: 6px; }
figcaption { font-weight: 600; margin: 0 0 2px 4px; }
figure svg { display: block; width: 100%; height: auto; }
.note { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { background: #f8f9fa; position: sticky; top: 0; }
td.text, th.text { text-align: left; }
tr.bad td.alarms { color: var(--alarm); font-weight: 600; }
tr.warned td { background: var(--warn-bg); }
tr.bad td { background: var(--alarm-bg); }
tr.warned td.warnings { color: var(--warn); font-weight: 600; }
tr.unfinished td { color: var(--muted); font-style: italic; }
.empty { font-size: 16px; padding: 24px; }
"""


# --------------------------------------------------------------------------- formatting


def utc(ts: float | None) -> str:
    """``2026-11-02 06:30`` (UTC) for POSIX seconds; an em dash for none."""
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


def duration(seconds: float | None) -> str:
    """``42 s``, ``12 min 05 s``, ``3 h 07 min``; an em dash for none."""
    if seconds is None or seconds < 0 or not math.isfinite(seconds):
        return "—"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    if seconds < 86400 * 2:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def ago(ts: float, now: float) -> str:
    """How long before ``now`` a moment was: ``3 h 07 min ago``."""
    return f"{duration(now - ts)} ago" if now >= ts else "in the future"


def percent(value: float | None, decimals: int = 1) -> str:
    """``12.5%``; an em dash for none."""
    return "—" if value is None or not math.isfinite(value) else f"{value * 100:.{decimals}f}%"


def _int(value: Any) -> str:
    n = number(value)
    return "—" if n is None else f"{int(n):,}"


def _sentences(summary: dict[str, Any] | None, key: str) -> list[str]:
    values = (summary or {}).get(key)
    if not isinstance(values, list):
        return []
    return [str(v) for v in values if str(v).strip()]


# --------------------------------------------------------------------------- page parts


def latest_crawl(runs: Sequence[RunRecord]) -> list[RunRecord]:
    """The runs of the latest crawl: one, or one per worker of a cluster crawl (same run id)."""
    if not runs:
        return []
    last = max(runs, key=lambda r: (r.started_at, r.run_id))
    return sorted((r for r in runs if r.run_id == last.run_id), key=lambda r: r.worker)


def latest_finished(runs: Sequence[RunRecord]) -> list[RunRecord]:
    """The finished runs of the latest crawl any of whose runs finished."""
    done = [r for r in runs if r.outcome is not None]
    return [r for r in latest_crawl(done) if r.outcome is not None]


def _verdict(crawl: Sequence[RunRecord], now: float) -> str:
    """Alarms (red), warnings (amber) or a green healthy line for the runs of one finished crawl."""
    several = len(crawl) > 1
    alarms: list[str] = []
    warnings: list[str] = []
    unreported: list[str] = []
    outcomes = sorted({str(r.outcome) for r in crawl})
    for run in crawl:
        prefix = f"{run.worker}: " if several and run.worker else ""
        if not isinstance(run.summary, dict):
            unreported.append(run.worker or "the run")
            continue
        broken = _sentences(run.summary, "broken_thresholds")
        if is_unhealthy(run.summary) and not broken:
            broken = ["reported unhealthy (no threshold named)"]
        alarms += [prefix + line for line in broken]
        warnings += [prefix + line for line in _sentences(run.summary, "warnings")]
    first = crawl[0]
    when = f"started {utc(first.started_at)} UTC ({ago(first.started_at, now)})"
    ended = ", ".join(outcomes)
    parts = []
    if alarms:
        items = "".join(f"<li>{escape(line)}</li>" for line in alarms)
        title = f"{len(alarms)} alarm{'s' if len(alarms) != 1 else ''}: thresholds broken"
        parts.append(f'<div class="verdict alarm"><h3>{title}</h3><ul>{items}</ul></div>')
    if warnings:
        items = "".join(f"<li>{escape(line)}</li>" for line in warnings)
        title = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
        parts.append(f'<div class="verdict warn"><h3>{title}</h3><ul>{items}</ul></div>')
    if unreported:
        who = "" if not several else f" ({escape(', '.join(unreported))})"
        parts.append(f'<div class="verdict info">No health report was recorded{who}.</div>')
    if not alarms and len(unreported) < len(crawl):
        note = "" if ended == "finished" else f" It ended as <b>{escape(ended)}</b>."
        parts.append(f'<div class="verdict ok"><b>Healthy</b>: no threshold broken.{note}</div>')
    head = f"<p>Run {escape(str(first.run_id))}, {when}, ended as <b>{escape(ended)}</b>.</p>"
    return head + "".join(parts)


def status_section(runs: Sequence[RunRecord], now: float) -> str:
    """The top of the page: the latest crawl's verdict (and the latest finished one's when the
    latest has not finished)."""
    latest = latest_crawl(runs)
    out = ['<section id="status"><h2>Latest run</h2>']
    if any(r.outcome is None for r in latest):
        first = latest[0]
        out.append(
            f'<div class="verdict info"><b>The latest run has not finished</b>: run '
            f"{escape(str(first.run_id))}, started {utc(first.started_at)} UTC "
            f"({ago(first.started_at, now)}), is still running, or was killed.</div>"
        )
        finished = latest_finished([r for r in runs if r.run_id != first.run_id])
        if finished:
            out.append("<h3>Latest finished run</h3>" + _verdict(finished, now))
        else:
            out.append('<p class="note">No earlier run finished.</p>')
    else:
        out.append(_verdict(latest, now))
    out.append("</section>")
    return "".join(out)


def charts_section(runs: Sequence[RunRecord]) -> str:
    """The charts over the runs, each an inline SVG in a figure."""
    points = crawl_points(runs)
    shown = downsample(points)
    out = ['<section id="charts"><h2>Over the runs</h2>']
    if len(shown) < len(points):
        size = math.ceil(len(points) / MAX_POINTS)
        out.append(
            f'<p class="note">{len(points)} crawls: each point is the average of {size} consecutive crawls '
            "(marked bad when any of them was).</p>"
        )
    out.append(
        '<p class="note">Red marks: runs that broke a health threshold; grey crosses: runs that did '
        "not finish. Times are UTC.</p>"
    )
    out.append('<div class="charts">')
    for caption, svg in all_charts(shown):
        out.append(f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>")
    out.append("</div></section>")
    return "\n".join(out)


def _count_cell(name: str, sentences: list[str], reported: bool) -> str:
    """A count of alarms or warnings; the sentences show on hover."""
    title = f' title="{escape(chr(10).join(sentences))}"' if sentences else ""
    return f'<td class="{name}"{title}>{len(sentences) if reported else "—"}</td>'


def _row(run: RunRecord, workers: bool) -> str:
    summary = run.summary if isinstance(run.summary, dict) else None
    articles = section(summary, "articles")
    by_status = section(articles, "by_status")
    http = section(summary, "http")
    requests, errors = number(http.get("requests")), number(http.get("errors"))
    rate = errors / requests if requests and errors is not None else None
    alarms = _sentences(summary, "broken_thresholds")
    warnings = _sentences(summary, "warnings")
    mode = (run.details if isinstance(run.details, dict) else {}).get("mode") or (summary or {}).get("mode")
    exit_status = (summary or {}).get("exit_status")
    pages = number(section(summary, "speed").get("pages_per_second"))
    classes = []
    if run.outcome is None:
        classes.append("unfinished")
    if is_unhealthy(summary) or alarms:
        classes.append("bad")
    if warnings:
        classes.append("warned")
    ended = run.finished_at - run.started_at if run.finished_at is not None else None
    cells = [
        f'<td class="text">{utc(run.started_at)}</td>',
        *([f'<td class="text">{escape(run.worker or "—")}</td>'] if workers else []),
        f"<td>{duration(ended)}</td>",
        f'<td class="text">{escape(str(mode or "—"))}</td>',
        f'<td class="text">{escape(run.outcome or "not finished")}</td>',
        f"<td>{escape(str(exit_status)) if exit_status is not None else '—'}</td>",
        f"<td>{_int(articles.get('emitted'))}</td>",
        # A status no record had is absent from the report's counts: zero, when there is a report.
        *(
            f"<td>{_int(by_status.get(name, 0 if summary else None))}</td>"
            for name in ("new", "updated", "removed")
        ),
        f"<td>{percent(rate)}</td>",
        f"<td>{'—' if pages is None else f'{pages:.2f}'}</td>",
        _count_cell("alarms", alarms, summary is not None),
        _count_cell("warnings", warnings, summary is not None),
    ]
    attribute = f' class="{" ".join(classes)}"' if classes else ""
    return f"<tr{attribute}>{''.join(cells)}</tr>"


def table_section(runs: Sequence[RunRecord]) -> str:
    """The last ``TABLE_ROWS`` runs, newest first."""
    newest = sorted(runs, key=lambda r: (r.started_at, r.run_id, r.worker), reverse=True)[:TABLE_ROWS]
    workers = len({r.worker for r in runs}) > 1
    headers = [
        ("Started (UTC)", "text"), *([("Worker", "text")] if workers else []), ("Duration", ""),
        ("Mode", "text"), ("Outcome", "text"), ("Exit", ""), ("Articles", ""), ("New", ""), ("Updated", ""),
        ("Removed", ""), ("Error rate", ""), ("Pages/s", ""), ("Alarms", ""), ("Warnings", ""),
    ]  # fmt: skip
    head = "".join(f'<th class="{cls}">{name}</th>' if cls else f"<th>{name}</th>" for name, cls in headers)
    rows = "\n".join(_row(run, workers) for run in newest)
    more = len(runs) - len(newest)
    note = f'<p class="note">{more} earlier runs are in the charts only.</p>' if more > 0 else ""
    heading = "The last run" if len(newest) == 1 else f"Last {len(newest)} runs, newest first"
    return (
        f'<section id="runs"><h2>{heading}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>\n{rows}\n</tbody></table>{note}</section>"
    )


def render_report(
    runs: list[RunRecord], *, title: str, generated_at: float, spider: str | None = None,
    location: str | None = None,
) -> str:  # fmt: skip
    """The report page of ``runs`` (a spider's run history, oldest first) as one HTML document.

    ``spider`` and ``location`` (where the state is) go in the header; the spider defaults to
    that of the runs. Pure: the same arguments give the same text.
    """
    spider = spider or (runs[-1].spider if runs else "")
    meta = []
    if spider:
        meta.append(f"spider <b>{escape(spider)}</b>")
    if location:
        meta.append(f"state <code>{escape(location)}</code>")
    meta.append(f"generated {utc(generated_at)} UTC")
    meta.append(f"{len(runs)} run{'s' if len(runs) != 1 else ''} shown")
    body = [f'<header><h1>{escape(title)}</h1><p class="meta">{" · ".join(meta)}</p></header>']
    if not runs:
        body.append(
            '<section id="status"><div class="verdict info empty"><b>No runs recorded yet.</b> '
            "The history fills as crawls start and finish with this state; the page will show "
            "their health, charts and a table then.</div></section>"
        )
    else:
        body += [status_section(runs, generated_at), charts_section(runs), table_section(runs)]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- files


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old file or the new, whole."""
    path = path.expanduser()
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, removed on failure
        "w", encoding="utf-8", dir=path.parent or Path("."), prefix=f".{path.name}.", suffix=".tmp",
        delete=False,
    )  # fmt: skip
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def read_history(state_uri: str | None, spider: str, runs: int) -> tuple[list[RunRecord], str]:
    """The latest ``runs`` runs of ``spider`` and the state's location; StateError when the state
    cannot be opened or read."""
    store = open_state(state_uri, read_only=True)
    try:
        return store.run_history(spider, runs), store.location
    except StateError:
        raise
    except Exception as error:  # the backend's own (sqlite3.Error, redis.RedisError): one line
        raise StateError(f"cannot read the run history from {store.location}: {error}") from None
    finally:
        store.close()


def write_report(
    state_uri: str | None, out: Path, *, spider: str = DEFAULT_SPIDER, runs: int = DEFAULT_RUNS,
    now: float | None = None,
) -> int:  # fmt: skip
    """Read the history from the state and write the report to ``out``; the number of runs in it.

    StateError when the state cannot be read, OSError when the file cannot be written.
    """
    history, location = read_history(state_uri, spider, runs)
    page = render_report(
        history, title=f"Crawl report: {spider}", generated_at=time.time() if now is None else now,
        spider=spider, location=location,
    )  # fmt: skip
    write_atomically(out, page)
    return len(history)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return number


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m newscrawl.report", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--state", default="", help="state URI: a SQLite path or redis://… (default: the default state)"
    )
    parser.add_argument("--out", required=True, type=Path, help="the HTML file to write")
    parser.add_argument("--spider", default=DEFAULT_SPIDER)
    parser.add_argument(
        "--runs", type=_positive, default=DEFAULT_RUNS, help="how many recent runs (default 500)"
    )
    options = parser.parse_args(argv)
    try:
        count = write_report(options.state, options.out, spider=options.spider, runs=options.runs)
    except StateError as error:
        print(f"newscrawl.report: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"newscrawl.report: cannot write {options.out}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"newscrawl.report: wrote {options.out} ({count} runs)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
