"""Rendered pages per second and Chromium memory (PSS) over 500 rendered pages.

    .venv/bin/python -m benchmarks.render_memory [--pages 500]

Crawls the mirror with ``NEWSCRAWL_RENDER=always`` (every page through Chromium) and samples
the proportional set size of the whole Chromium process tree while counting rendered pages
from the mirror's access log. PSS, not summed RSS: Chromium's processes share most pages.
Target: growth under 50 MB from page 100 to page 500.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.crawl import FAST, ROOT, _environment
from tests.mirror.model import build_site
from tests.mirror.server import MirrorServer


def pss_kb(pid: int) -> int:
    """PSS of one process in kB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def chromium_pss_kb() -> int:
    """PSS summed over every Chromium process on the machine (the benchmark runs alone)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                exe = (proc / "comm").read_text().strip()
            except OSError:
                continue
            if "chrom" in exe:
                total += pss_kb(int(proc.name))
    return total


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.render_memory")
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args(argv)
    site = build_site(n_articles=max(200, args.pages // 3), page_padding_kb=40)
    samples: list[tuple[int, float, int]] = []  # (pages rendered, seconds, PSS kB)
    with MirrorServer(site) as mirror, tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable, "-m", "scrapy", "crawl", "vietnamvn", "-a", f"base_url={mirror.base_url}",
            "-O", f"{tmp}/out.jsonl", *FAST, "-s", f"NEWSCRAWL_STATE_URI={tmp}/state.sqlite3",
            "-s", "NEWSCRAWL_RENDER=always", "-s", "NEWSCRAWL_SITEMAPS=False", "-s", "LOG_LEVEL=WARNING",
        ]  # fmt: skip
        process = subprocess.Popen(command, cwd=ROOT, env=_environment(Path(tmp)), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        start = time.monotonic()

        def rendered() -> int:
            # Every page goes through the browser: count page loads, not the scripts they pull in.
            skipped = ("/_next/", "/api/", "/robots.txt")
            return sum(1 for r in mirror.requests if not r.path.startswith(skipped))

        next_report = 50
        while process.poll() is None:
            samples.append((rendered(), time.monotonic() - start, chromium_pss_kb()))
            pages, seconds, pss = samples[-1]
            if pages >= next_report:  # progress, so a long run shows where it is
                print(f"  {pages} pages, {seconds:.0f} s, PSS {pss // 1024} MB", flush=True)
                next_report += 50
            if pages >= args.pages and process.poll() is None:
                process.terminate()  # enough pages: the measurement is done
            time.sleep(0.5)
        elapsed = time.monotonic() - start
        total = rendered()
    at = {}
    for mark in sorted({100, 200, 300, 400, args.pages}):
        reached = [s for s in samples if s[0] >= mark]
        if reached:
            at[mark] = max(s[2] for s in samples if s[0] <= reached[0][0]) // 1024
    print(f"rendered pages: {total} in {elapsed:.1f} s ({total / elapsed:.2f} pages/s, start-up included)")
    print("| pages rendered | Chromium PSS, MB (max so far) |\n|---|---|")
    for mark, mb in at.items():
        print(f"| {mark} | {mb} |")
    if 100 in at and args.pages in at:
        growth = at[args.pages] - at[100]
        print(f"growth from page 100 to page {args.pages}: {growth} MB (target < 50 MB): "
              f"{'pass' if growth < 50 else 'FAIL'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
