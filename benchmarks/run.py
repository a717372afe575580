"""newscrawl's benchmarks in one command.

``.venv/bin/python -m benchmarks.run [--articles 20000] [--quick]``

1. Writes the mirror's model to disk as static files (≥ ``--articles`` article pages of ~40 KB,
   plus listings, homes, robots.txt, sitemaps and feeds) and serves it with nginx on 127.0.0.1.
2. Measures the server alone (wrk, or a small asyncio client when wrk is missing).
3. Crawls it side by side, ``--reps`` times in alternating order: (a) a bare Scrapy spider,
   (b) newscrawl's full crawl, (c) Scrapy + trafilatura — wall and CPU time, peak RSS, output.
4. newscrawl's peak RSS again on a mirror with ``--growth-articles`` article pages.
5. Micro-benchmarks: parse-only extraction on saved pages; the two JSON Lines exporters.
6. The incremental benchmark (issue 3 item 8) on the Python ``MirrorServer``.
7. Profiles newscrawl where it misses a target, and writes ``benchmarks/RESULTS.md``.

Every server is bound to 127.0.0.1 and stopped at the end, errors included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.measure import ProcessRun, run_measured
from benchmarks.mirror import Manifest, build, mirror_sources_digest, static_mirror
from benchmarks.nginx import Nginx, find_binary
from benchmarks.profiling import crawl_profile_rows
from benchmarks.spiders import ARTICLE, BareSpider

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONCURRENCY = ("-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
CRAWLERS = ("a", "b", "c")
NAMES = {"a": "(a) bare Scrapy spider", "b": "(b) newscrawl full crawl", "c": "(c) Scrapy + trafilatura"}


def log(message: str) -> None:
    """Progress on stderr, timestamped."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def environment(workdir: Path) -> dict[str, str]:
    """Environment of every crawl: the project importable, state kept under the workdir."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "XDG_STATE_HOME": str(workdir / "xdg-state"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def newscrawl_cmd(base_url: str, state: Path | str, output_dir: Path, *extra: str) -> list[str]:
    """newscrawl's full crawl as the brief gives it, with a given state (file or Redis URI) and
    output folder."""
    return [
        PYTHON,
        "-m",
        "scrapy",
        "crawl",
        "vietnamvn",
        "-a",
        f"base_url={base_url}",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "LOG_LEVEL=INFO",
        *CONCURRENCY,
        "-s",
        f"NEWSCRAWL_STATE_URI={state}",
        "-s",
        f"NEWSCRAWL_OUTPUT_DIR={output_dir}",
        *extra,
    ]


def crawler_cmd(which: str, base_url: str, out: Path) -> list[str]:
    """Command line of crawler (a), (b) or (c) writing under ``out``."""
    if which == "b":
        return newscrawl_cmd(base_url, out / "state.sqlite3", out / "output")
    spider = {"a": "bare", "c": "trafilatura"}[which]
    output = ["--output", str(out / "output" / "feed.jsonl")] if which == "c" else []
    return [PYTHON, "-m", "benchmarks.spiders", spider, "--base-url", base_url, *output, *CONCURRENCY]


# --------------------------------------------------------------------------- server alone


WRK_SCRIPT = """\
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def _size(text: str) -> float:
    """wrk's ``12.5MB`` as megabytes."""
    found = re.match(r"([\d.]+)([KMG]?)B", text)
    if not found:
        return 0.0
    return float(found.group(1)) * {"": 1 / 2**20, "K": 1 / 1024, "M": 1, "G": 1024}[found.group(2)]


async def _client(base: str, paths: list[str], until: float, counts: list[int]) -> None:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    i = len(counts) * 7919
    while time.monotonic() < until:
        path = paths[i % len(paths)]
        i += 1
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        await reader.readexactly(length)
        counts[0] += 1
        counts[1] += length
    writer.close()


async def _python_load(base: str, paths: list[str], seconds: float, connections: int) -> tuple[int, int]:
    counts = [0, 0]
    until = time.monotonic() + seconds
    await asyncio.gather(*(_client(base, paths, until, counts) for _ in range(connections)))
    return counts[0], counts[1]


def bench_server(nginx: Nginx, manifest: Manifest, workdir: Path, seconds: float) -> dict[str, Any]:
    """Article pages per second nginx serves alone, with 16 keep-alive connections."""
    files = manifest.article_files
    step = max(1, len(files) // 5000)
    paths = ["/" + name.removesuffix(".html") for name, _lang in files[::step]]
    listing = workdir / "server-paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    wrk = find_binary("wrk", "wrk", log)
    if wrk:
        script = workdir / "paths.lua"
        script.write_text(WRK_SCRIPT % listing)
        done = subprocess.run(
            [wrk, "-t1", "-c16", f"-d{int(seconds)}s", "-s", str(script), nginx.base_url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
        rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
        transfer = re.search(r"Transfer/sec:\s+(\S+)", done.stdout)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
        return {
            "tool": "wrk 1 thread, 16 connections",
            "pages_per_s": float(rate.group(1)) if rate else 0.0,
            "mb_per_s": _size(transfer.group(1)) if transfer else 0.0,
            "non_2xx": int(errors.group(1)) if errors else 0,
            "seconds": seconds,
        }
    requests, size = asyncio.run(_python_load(nginx.base_url, paths, seconds, 16))
    return {
        "tool": "Python asyncio client, 16 connections (wrk missing)",
        "pages_per_s": requests / seconds,
        "mb_per_s": size / seconds / 2**20,
        "non_2xx": 0,
        "seconds": seconds,
    }


# --------------------------------------------------------------------------- crawls


def output_bytes(folder: Path) -> int:
    """Bytes of every feed under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*.jsonl*")) if folder.exists() else 0


def crawl_once(
    which: str,
    nginx: Nginx,
    runs_dir: Path,
    label: str,
    env: dict[str, str],
    manifest: Manifest,
    classify: Callable[[str], str | None],
) -> dict[str, Any]:
    """Run one crawler to the end on nginx's mirror and measure it."""
    out = runs_dir / label
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    offset = nginx.log_offset()
    run = run_measured(crawler_cmd(which, nginx.base_url, out), out / "crawl.log", cwd=ROOT, env=env)
    requests = nginx.requests_since(offset)
    targets = [target for _method, target, _status in requests]
    articles = sum(1 for t in targets if classify(t) == ARTICLE)
    result = summarize(which, run, manifest)
    result.update(
        label=label,
        requests=len(requests),
        article_requests=articles,
        statuses=dict(Counter(str(s) for _m, _t, s in requests)),
        output_bytes=output_bytes(out / "output"),
        targets=sorted(set(targets)),
    )
    log(
        f"{label}: {result['pages_per_s']:.0f} pages/s, {run.wall_s:.1f} s wall, {run.cpu_s:.1f} s CPU, "
        f"{result['max_rss_mb']:.0f} MB peak RSS ({result['tree_peak_mb']:.0f} MB with children), "
        f"{len(requests)} requests, exit {run.returncode}"
    )
    if run.returncode != 0:
        log(f"{label}: exit status {run.returncode}; see {run.log_path}")
    return result


def summarize(which: str, run: ProcessRun, manifest: Manifest) -> dict[str, Any]:
    """The numbers the tables show for one crawl."""
    stats = run.stats
    responses = stats.get("response_received_count", 0.0)
    elapsed = stats.get("elapsed_time_seconds", 0.0) or run.wall_s
    articles = manifest.article_pages
    return {
        "which": which,
        "returncode": run.returncode,
        "wall_s": run.wall_s,
        "cpu_s": run.cpu_s,
        "tree_peak_mb": run.tree_peak_mb,
        "kernel_max_rss_mb": run.max_rss_mb,
        "user_s": run.user_s,
        "sys_s": run.sys_s,
        # Peak RSS of the crawler process itself (sampled), its children included, and the kernel's.
        "max_rss_mb": run.own_peak_mb or run.max_rss_mb,
        "responses": responses,
        "elapsed_s": elapsed,
        "pages_per_s": responses / elapsed if elapsed else 0.0,
        "pages_per_s_wall": responses / run.wall_s if run.wall_s else 0.0,
        "cpu_s_per_1000_articles": run.cpu_s / articles * 1000 if articles else 0.0,
        "items": stats.get("item_scraped_count", 0.0),
        "rss_samples": run.rss_samples[:: max(1, len(run.rss_samples) // 60)],
        "log": run.log_path,
    }


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    """Median of ``key`` over runs."""
    return statistics.median(r[key] for r in runs)


def side_by_side(
    nginx: Nginx,
    manifest: Manifest,
    workdir: Path,
    reps: int,
    env: dict[str, str],
    tag: str = "main",
    crawlers: tuple[str, ...] = CRAWLERS,
) -> dict[str, list[dict[str, Any]]]:
    """Every crawler ``reps`` times, in alternating order (a b c, c b a, …)."""
    classifier = BareSpider(base_url=nginx.base_url)
    runs: dict[str, list[dict[str, Any]]] = {c: [] for c in crawlers}
    for rep in range(reps):
        order = crawlers if rep % 2 == 0 else crawlers[::-1]
        for which in order:
            label = f"{tag}-{which}-{rep + 1}"
            result = crawl_once(
                which,
                nginx,
                workdir / "runs",
                label,
                env,
                manifest,
                lambda t: (classifier.target(t, nginx.base_url) or ("", ""))[0],
            )
            runs[which].append(result)
    return runs


def compare_targets(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Whether every crawler requested exactly the URLs (a) requested, per repetition."""
    reference = [set(r["targets"]) for r in runs["a"]]
    out = {}
    for which, results in runs.items():
        diffs = []
        for rep, result in enumerate(results):
            mine = set(result["targets"])
            base = reference[min(rep, len(reference) - 1)]
            diffs.append(
                {
                    "only_here": sorted(mine - base)[:10],
                    "only_in_a": sorted(base - mine)[:10],
                    "n_only_here": len(mine - base),
                    "n_only_in_a": len(base - mine),
                }
            )
        out[which] = diffs
    return out


def profile_crawl(
    which: str, nginx: Nginx, workdir: Path, env: dict[str, str], *limit: str
) -> dict[str, Any]:
    """cProfile of crawler ``which`` stopped by the ``limit`` settings, per article page fetched."""
    out = workdir / "runs" / f"profile-{which}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    dump = out / "crawl.prof"
    cmd = [*crawler_cmd(which, nginx.base_url, out), *limit]
    cmd = [PYTHON, "-m", "cProfile", "-o", str(dump), *cmd[1:]]
    offset = nginx.log_offset()
    classifier = BareSpider(base_url=nginx.base_url)
    run = run_measured(cmd, out / "crawl.log", cwd=ROOT, env=env)
    targets = [t for _m, t, _s in nginx.requests_since(offset)]
    articles = sum(1 for t in targets if (classifier.target(t, nginx.base_url) or ("",))[0] == ARTICLE)
    rows = crawl_profile_rows(dump, articles)
    rows.update(
        requests=len(targets),
        article_requests=articles,
        returncode=run.returncode,
        wall_s=run.wall_s,
        responses=run.stats.get("response_received_count", 0.0),
    )
    return rows


def profile_crawls(nginx: Nginx, workdir: Path, env: dict[str, str], items: int) -> dict[str, Any]:
    """Profiles of (b) stopped after ``items`` records and of (a) over as many responses."""
    b = profile_crawl("b", nginx, workdir, env, "-s", f"CLOSESPIDER_ITEMCOUNT={items}")
    a = profile_crawl("a", nginx, workdir, env, "-s", f"CLOSESPIDER_PAGECOUNT={int(b['responses'])}")
    return {"b": b, "a": a}


# --------------------------------------------------------------------------- micro and incremental


def saved_pages(root: Path, manifest: Manifest, count: int, workdir: Path) -> Path:
    """A JSON list of ``count`` article pages spread over the mirror (every language and layout)."""
    files = manifest.article_files
    step = len(files) / min(count, len(files))
    chosen = [files[int(i * step)] for i in range(min(count, len(files)))]
    listing = workdir / f"pages-{count}.json"
    listing.write_text(
        json.dumps(
            [[str(root / "site" / name), "/" + name.removesuffix(".html"), lang] for name, lang in chosen]
        )
    )
    return listing


def run_module(module: str, args: list[str], out: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run ``python -m module args --out out`` in its own process and read its JSON."""
    cmd = [PYTHON, "-m", module, *args, "--out", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{module} {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text())


def versions(nginx_binary: str | None) -> dict[str, str]:
    """Versions of everything measured."""
    from importlib.metadata import version

    found = {"python": platform.python_version()}
    for name in (
        "scrapy",
        "lxml",
        "parsel",
        "orjson",
        "trafilatura",
        "newspaper4k",
        "readability-lxml",
        "dateparser",
        "playwright",
        "scrapy-playwright",
    ):
        try:
            found[name] = version(name)
        except Exception:
            found[name] = "not installed"
    if nginx_binary:
        done = subprocess.run([nginx_binary, "-v"], capture_output=True, text=True)
        found["nginx"] = (done.stderr or done.stdout).strip().split("/")[-1]
    chromium = shutil.which("chromium")
    if chromium:
        done = subprocess.run([chromium, "--version"], capture_output=True, text=True)
        found["chromium"] = (done.stdout.split() or ["?", "?"])[1]
    wrk = shutil.which("wrk")
    if wrk:
        done = subprocess.run([wrk, "-v"], capture_output=True, text=True)
        found["wrk"] = (done.stdout + done.stderr).split()[1] if (done.stdout + done.stderr).split() else "?"
    return found


def machine() -> dict[str, str]:
    """CPU, cores and memory of this machine."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "nproc": str(os.cpu_count()),
        "memory_gb": f"{mem_kb / 2**20:.1f}",
        "kernel": platform.release(),
        "os": platform.platform(),
    }


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (``--quick`` shrinks every size for a smoke run)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, help="article pages in the mirror (default 20000)")
    parser.add_argument(
        "--growth-articles",
        type=int,
        help="article pages of the second mirror for memory growth (default articles + 10000)",
    )
    parser.add_argument("--reps", type=int, help="repetitions of each side-by-side crawl (default 2)")
    parser.add_argument(
        "--growth-reps", type=int, default=1, help="repetitions on the larger mirror (default 1)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 2000 article pages, one repetition, small micro-benchmarks",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/newscrawl-bench"),
        help="mirrors, logs and crawl outputs (mirrors are reused while unchanged)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="Markdown report (default benchmarks/RESULTS.md; --quick: <workdir>/RESULTS-quick.md)",
    )
    parser.add_argument("--no-incremental", action="store_true", help="skip the incremental benchmark")
    parser.add_argument(
        "--in-place", action="store_true", help="measure the work tree as it is, not a copy of HEAD"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from <workdir>/results.json and stop"
    )
    args = parser.parse_args(argv)
    args.articles = args.articles or (2000 if args.quick else 20000)
    args.growth_articles = args.growth_articles or (0 if args.quick else args.articles + 10000)
    args.reps = args.reps or (1 if args.quick else 2)
    args.parse_pages = 100 if args.quick else 500
    args.export_items = 10_000 if args.quick else 100_000
    args.server_seconds = 3 if args.quick else 10
    args.results = args.results or (
        args.workdir / "RESULTS-quick.md" if args.quick else ROOT / "benchmarks" / "RESULTS.md"
    )
    return args


def write_report(path: Path, results: dict[str, Any]) -> None:
    """Write the report, keeping the sections other benchmark commands put in the same file."""
    previous = path.read_text() if path.exists() else ""
    path.write_text(report.merge_kept_sections(previous, report.render(results)))


SNAPSHOT_ENV = "NEWSCRAWL_BENCH_SNAPSHOT"
SNAPSHOT_PATHS = ("newscrawl", "tests", "scrapy.cfg", "requirements.txt", "setup.py")


def git(*args: str) -> str:
    """Output of a git command in the project."""
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


def run_in_snapshot(args: argparse.Namespace, argv: list[str]) -> None:
    """Re-run this command inside a copy of the committed project (HEAD) plus this folder.

    Colleagues commit while a benchmark runs for most of an hour: every crawl would import
    whatever the work tree holds at its start. The copy pins newscrawl and the mirror to one
    commit; uncommitted changes to them are listed in the report and not measured.
    """
    commit = git("rev-parse", "HEAD").strip()
    dest = args.workdir.resolve() / f"src-{commit[:12]}"
    if not (dest / "newscrawl").exists():
        dest.mkdir(parents=True, exist_ok=True)
        present = [p for p in SNAPSHOT_PATHS if git("ls-tree", "HEAD", p).strip()]
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "HEAD", *present], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    shutil.rmtree(dest / "benchmarks", ignore_errors=True)
    shutil.copytree(
        ROOT / "benchmarks", dest / "benchmarks", ignore=shutil.ignore_patterns("__pycache__", "RESULTS*.md")
    )
    dirty = git("status", "--porcelain", "--", "newscrawl", "tests").splitlines()
    env = {
        **os.environ,
        "PYTHONPATH": str(dest),
        SNAPSHOT_ENV: json.dumps({"commit": commit, "dirty": dirty, "argv": argv}),
    }
    extra = ["--workdir", str(args.workdir.resolve()), "--results", str(args.results.resolve())]
    log(f"running in a copy of commit {commit[:12]} at {dest}")
    os.chdir(dest)
    os.execve(PYTHON, [PYTHON, "-m", "benchmarks.run", *argv, *extra], env)


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and write the report."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop servers on the way out
    if not args.report_only and not args.in_place and SNAPSHOT_ENV not in os.environ:
        run_in_snapshot(args, argv)
    started = time.time()
    workdir: Path = args.workdir.resolve()
    if args.report_only:
        write_report(args.results, json.loads((workdir / "results.json").read_text()))
        log(f"wrote {args.results}")
        return 0
    workdir.mkdir(parents=True, exist_ok=True)
    os.chmod(workdir, 0o755)
    env = environment(workdir)
    binary = find_binary("nginx", "nginx-light", log)
    if binary is None:
        log("nginx is missing and cannot be installed here (apt-get install -y nginx as root)")
        return 2
    digest = mirror_sources_digest()
    for old in workdir.glob("mirror-*"):  # mirrors written by other versions of the mirror's code
        if not old.name.endswith(digest):
            shutil.rmtree(old, ignore_errors=True)
    code = json.loads(os.environ.get(SNAPSHOT_ENV, "null")) or {
        "commit": git("rev-parse", "HEAD").strip(),
        "dirty": ["(measured in place: the work tree as it was)"],
    }
    results: dict[str, Any] = {
        "command": " ".join([".venv/bin/python", "-m", "benchmarks.run", *code.pop("argv", argv)]),
        "code": code,
        "machine": machine(),
        "versions": versions(binary),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    root, manifest = static_mirror(workdir, args.articles, log)
    results["mirror"] = {k: v for k, v in asdict(manifest).items() if k != "article_files"}
    results["mirror"]["article_pages"] = manifest.article_pages
    results["mirror"]["mean_article_kb"] = manifest.mean_article_kb

    with Nginx(root / "site", workdir / "nginx-main", binary) as nginx:
        log(f"nginx {nginx.version()} serving {root / 'site'} at {nginx.base_url}")
        results["server"] = bench_server(nginx, manifest, workdir, args.server_seconds)
        log(f"server alone: {results['server']['pages_per_s']:.0f} article pages/s")
        runs = side_by_side(nginx, manifest, workdir, args.reps, env)
        results["crawls"] = runs
        results["same_requests"] = compare_targets(runs)
        for result in (r for rs in runs.values() for r in rs):
            result.pop("targets", None)
        b_rate, a_rate = median_of(runs["b"], "pages_per_s"), median_of(runs["a"], "pages_per_s")
        if b_rate < 0.75 * a_rate:
            log("profiling newscrawl's crawl (cProfile) …")
            results["crawl_profile"] = profile_crawls(nginx, workdir, env, 2000 if args.quick else 6000)

    if args.growth_articles:
        groot, gmanifest = static_mirror(workdir, args.growth_articles, log)
        results["growth_mirror"] = {
            "article_pages": gmanifest.article_pages,
            "stories": gmanifest.stories,
            "pages": gmanifest.pages,
        }
        with Nginx(groot / "site", workdir / "nginx-growth", binary) as nginx:
            results["growth"] = side_by_side(
                nginx, gmanifest, workdir, args.growth_reps, env, tag="growth", crawlers=("a", "b")
            )
            for result in (r for rs in results["growth"].values() for r in rs):
                result.pop("targets", None)

    pages = saved_pages(root, manifest, args.parse_pages, workdir)
    log(f"parse-only micro-benchmark on {args.parse_pages} saved pages …")
    results["parse"] = run_module(
        "benchmarks.micro", ["parse", "--pages", str(pages)], workdir / "parse.json", env
    )
    log(f"exporter micro-benchmark on {args.export_items} items …")
    results["export"] = run_module(
        "benchmarks.micro",
        ["export", "--pages", str(pages), "--items", str(args.export_items)],
        workdir / "export.json",
        env,
    )
    if not report.extraction_met(results):
        log("profiling newscrawl's extraction …")
        results["extract_profile"] = run_module(
            "benchmarks.profiling", ["extract", "--pages", str(pages)], workdir / "extract-profile.json", env
        )
    export = results["export"]["results"]
    if (
        export["Scrapy JsonLinesItemExporter"]["median_s"]
        < 3 * export["newscrawl OrjsonLinesExporter"]["median_s"]
    ):
        log("profiling newscrawl's exporter …")
        results["export_profile"] = run_module(
            "benchmarks.profiling", ["export", "--pages", str(pages)], workdir / "export-profile.json", env
        )

    if not args.no_incremental:
        from benchmarks.incremental import IncrementalBenchmark

        log("incremental benchmark on the Python MirrorServer …")
        bench = IncrementalBenchmark(
            build(args.articles), workdir / "incremental", newscrawl_cmd, env, ROOT, log
        )
        results["incremental"] = bench.run()

    results["seconds"] = time.time() - started
    (workdir / "results.json").write_text(json.dumps(results, indent=1, default=str))
    write_report(args.results, results)
    log(
        f"wrote {args.results} (raw numbers: {workdir / 'results.json'}) in {results['seconds'] / 60:.1f} min"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
