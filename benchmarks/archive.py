"""What the WARC archive costs: the full crawl (b) with and without ``NEWSCRAWL_ARCHIVE=articles``.

    .venv/bin/python -m benchmarks.archive [--articles 20000] [--reps 2]

On ``benchmarks.run``'s mirror (written once, reused; served by nginx on 127.0.0.1), newscrawl's
full crawl runs ``--reps`` times without and with the archive, alternating (off on, on off, …),
each from a fresh state and output folder. Reported: pages/s (responses ÷ Scrapy's
``elapsed_time_seconds``, as in the side-by-side table) and CPU seconds for both, their ratio
(target: the archive ≥ 0.9 × without), and the archive's bytes per article page. The section
"Archive cost" of ``benchmarks/RESULTS.md`` is replaced; the rest of the file is kept.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from benchmarks.cluster import replace_section
from benchmarks.measure import run_measured
from benchmarks.mirror import Manifest, static_mirror
from benchmarks.nginx import Nginx, find_binary
from benchmarks.run import ROOT, environment, log, machine, newscrawl_cmd, summarize
from newscrawl import stats as keys

HEADING = "## Archive cost (issue 14)"
ARCHIVE = ("-s", "NEWSCRAWL_ARCHIVE=articles")
TARGET = 0.9
# Articles a day assumed for the real site when extrapolating: see the section's text.
DAY_ARTICLES = 2000


def crawl(
    archive: bool, nginx: Nginx, workdir: Path, label: str, env: dict[str, str], manifest: Manifest
) -> dict[str, Any]:
    """One full crawl of the mirror, measured; the archive's files are measured and removed."""
    out = workdir / "runs" / label
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cmd = newscrawl_cmd(nginx.base_url, out / "state.sqlite3", out / "output", *(ARCHIVE if archive else ()))
    run = run_measured(cmd, out / "crawl.log", cwd=ROOT, env=env)
    result = summarize("b", run, manifest)
    files = sorted((out / "output").rglob("*.warc.gz"))
    result.update(
        label=label, archive=archive, files=len(files), disk_bytes=sum(p.stat().st_size for p in files),
        archived_pages=run.stats.get(keys.ARCHIVE_PAGES, 0.0),
        archive_bytes=run.stats.get(keys.ARCHIVE_BYTES, 0.0),
        parts_left=len(list((out / "output").rglob("*.part"))),
    )  # fmt: skip
    log(f"{label}: {result['pages_per_s']:.0f} pages/s, {run.cpu_s:.1f} s CPU, {result['items']:.0f} "
        f"records, {result['archived_pages']:.0f} pages archived in {result['disk_bytes'] / 2**20:.1f} MB, "
        f"exit {run.returncode}")  # fmt: skip
    shutil.rmtree(out / "output", ignore_errors=True)  # hundreds of MB per run
    return result


def alternate(
    nginx: Nginx, workdir: Path, reps: int, env: dict[str, str], manifest: Manifest
) -> list[dict[str, Any]]:
    """``reps`` crawls each way, in alternating order (off on, on off, …), in the order run."""
    runs = []
    for rep in range(reps):
        for archive in (False, True) if rep % 2 == 0 else (True, False):
            label = f"archive-{'articles' if archive else 'off'}-{rep + 1}"
            runs.append(crawl(archive, nginx, workdir, label, env, manifest))
    return runs


def median(runs: list[dict[str, Any]], key: str) -> float:
    """Median of ``key`` over ``runs``."""
    return float(statistics.median(r[key] for r in runs))


def render(results: dict[str, Any]) -> str:
    """The report section."""
    off = [r for r in results["runs"] if not r["archive"]]
    on = [r for r in results["runs"] if r["archive"]]
    speed_off, speed_on = median(off, "pages_per_s"), median(on, "pages_per_s")
    cpu_off, cpu_on = median(off, "cpu_s"), median(on, "cpu_s")
    ratio = speed_on / speed_off if speed_off else 0.0
    per_page = median(on, "disk_bytes") / max(1.0, median(on, "archived_pages"))
    day_mb = per_page * DAY_ARTICLES / 2**20
    page_kb = results["mean_article_kb"]
    verdict = "**pass**" if ratio >= TARGET else "**fail**"
    m = results["machine"]
    lines = [
        HEADING,
        "",
        f"`{results['command']}` on {m['cpu']} ({m['nproc']} cores, shared with other work while it ran: "
        f"expect a few % of noise), {results['when']}, at commit `{results['commit']}`. Mirror: "
        f"{results['article_pages']:,} article pages of {results['mean_article_kb']:.1f} KB served by nginx. "
        f"newscrawl's full crawl (b) as in the side-by-side table, {len(off)} × without and "
        f"{len(on)} × with `-s NEWSCRAWL_ARCHIVE=articles`, alternating, each from a fresh state "
        "and output folder. Medians:",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        f"| archive on ≥ {TARGET} × off, pages/s | {speed_on:.0f} vs {speed_off:.0f} pages/s = {ratio:.2f} × "
        f"(CPU s: {cpu_on:.0f} vs {cpu_off:.0f} = {cpu_on / cpu_off if cpu_off else 0:.2f} ×) | {verdict} |",
        "",
        "| run | archive | pages/s | CPU s | records | pages archived | files | archive MB | .part left "
        "| exit |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["runs"]:
        lines.append(
            f"| {r['label']} | {'articles' if r['archive'] else 'off'} | {r['pages_per_s']:.0f} | "
            f"{r['cpu_s']:.1f} | {r['items']:,.0f} | {r['archived_pages']:,.0f} | {r['files']} | "
            f"{r['disk_bytes'] / 2**20:.1f} | {r['parts_left']} | {r['returncode']} |"
        )
    lines += [
        "",
        f"**Disk.** {per_page / 1024:.1f} KB per archived article page (request, response, metadata "
        f"records, gzip level 6, one member per record) for mirror pages of {page_kb:.1f} KB: "
        f"{per_page / 1024 / page_kb:.0%} of the page. The archive grows with the bytes of the pages, so for "
        "vietnam.vn scale it by the real pages' size: a real article page that is, say, twice the "
        "mirror's takes about twice the disk. Assuming "
        f"{DAY_ARTICLES:,} new article pages a day over all languages (a guess: a few hundred "
        "articles a day in Vietnamese, a share of them in each of the ~18 other languages; to be "
        f"replaced by the real count once the crawler runs on the site), a day of the site takes about "
        f"{day_mb:.0f} MB at the mirror's page size, about {day_mb * 365 / 1024:.1f} GB a year; re-checks "
        "add a small revisit record (304) or a full response (changed page) each.",
        "",
        "**Speed.** Building, digesting and gzipping a page's records runs in one worker thread "
        "(zlib and hashlib release the GIL), so on a machine with a free core it overlaps the "
        "crawl; the crawl's own thread only writes and flushes the bytes. The extra CPU shows in the "
        "CPU column.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and update ``benchmarks/RESULTS.md``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.archive", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20000, help="article pages in the mirror")
    parser.add_argument("--reps", type=int, default=2, help="crawls each way")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newscrawl-bench"))
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    binary = find_binary("nginx", "nginx-light", log)
    if binary is None:
        log("nginx is missing and cannot be installed here (apt-get install -y nginx as root)")
        return 2
    env = environment(workdir)
    root, manifest = static_mirror(workdir, args.articles, log)
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    results: dict[str, Any] = {
        "command": f".venv/bin/python -m benchmarks.archive --articles {args.articles} --reps {args.reps}",
        "machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit.stdout.strip() or "?", "article_pages": manifest.article_pages,
        "mean_article_kb": manifest.mean_article_kb,
    }  # fmt: skip
    with Nginx(root / "site", workdir / "nginx-archive", binary) as nginx:
        results["runs"] = alternate(nginx, workdir, args.reps, env, manifest)
    previous = args.results.read_text() if args.results.exists() else ""
    args.results.write_text(replace_section(previous, render(results)))
    log(f"wrote the archive section of {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
