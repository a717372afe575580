"""Distributed crawl on Redis: throughput with 1, 2 and 4 workers, and Redis memory per URL.

    .venv/bin/python -m benchmarks.cluster [--articles 20000] [--workers 1,2,4]

On the benchmark mirror (``benchmarks.run``'s, served by nginx on 127.0.0.1) and a
redis-server started on 127.0.0.1, each worker count crawls the whole mirror from an empty
Redis: N ``scrapy crawl`` processes with ``NEWSCRAWL_STATE_URI=redis://…``, started together.
Reported: pages/s (requests in nginx's log ÷ wall time from the first start to the last exit),
CPU seconds of all workers, duplicate fetches, records, and Redis memory: the duplicate filter
at its largest (``MEMORY USAGE`` sampled during the crawl) and the crawl state left at the end,
both per 100,000 URLs. The section "Distributed crawl" of ``benchmarks/RESULTS.md`` is
replaced; the rest of the file is kept.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import redis

from benchmarks.measure import ProcessRun, run_measured
from benchmarks.mirror import static_mirror
from benchmarks.nginx import Nginx, find_binary
from benchmarks.run import ROOT, environment, log, machine, newscrawl_cmd
from tests.redis_service import running_redis

HEADING = "## Distributed crawl on Redis (issue 7)"
# The shortest sensible wait at the end: the crawl is over once the queue is empty and all idle.
TIMERS = ("-s", "NEWSCRAWL_IDLE_TIMEOUT=2", "-s", "NEWSCRAWL_HEARTBEAT_INTERVAL=1")


class RedisSampler(threading.Thread):
    """Samples the running crawl's duplicate filter (size and memory) and Redis's total memory."""

    def __init__(self, client: redis.Redis) -> None:
        super().__init__(daemon=True)
        self.client = client
        self.done = threading.Event()
        self.peak_filter: tuple[int, int] = (0, 0)  # (fingerprints, bytes) at the largest
        self.peak_used = 0

    def run(self) -> None:
        while not self.done.wait(0.5):
            try:
                crawl = self.client.get("newscrawl:crawl:seq")
                key = f"newscrawl:crawl:{int(crawl or 0)}:dupefilter"
                size = int(self.client.scard(key))
                used = int(self.client.info("memory")["used_memory"])
                if size > self.peak_filter[0]:
                    self.peak_filter = (size, int(self.client.memory_usage(key, samples=0) or 0))
                self.peak_used = max(self.peak_used, used)
            except redis.RedisError:
                continue


def run_workers(
    count: int, nginx: Nginx, redis_url: str, workdir: Path, env: dict[str, str]
) -> dict[str, Any]:
    """Crawl the mirror with ``count`` workers from an empty Redis; measure the whole crawl."""
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    baseline = int(client.info("memory")["used_memory"])
    out = workdir / f"cluster-{count}"
    shutil.rmtree(out, ignore_errors=True)
    runs: list[ProcessRun | None] = [None] * count

    def worker(index: int) -> None:
        cmd = newscrawl_cmd(nginx.base_url, redis_url, out / "output", *TIMERS,
                            "-s", f"NEWSCRAWL_WORKER_ID=w{index + 1}")  # fmt: skip
        runs[index] = run_measured(cmd, out / f"w{index + 1}.log", cwd=ROOT, env=env)

    sampler = RedisSampler(client)
    sampler.start()
    offset = nginx.log_offset()
    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    sampler.done.set()
    sampler.join()
    done = [run for run in runs if run is not None]
    requests = nginx.requests_since(offset)
    targets = Counter(target for _method, target, _status in requests if target != "/robots.txt")
    articles = sum(1 for key in client.scan_iter(match="newscrawl:article:*", count=1000))
    state_bytes = int(client.info("memory")["used_memory"]) - baseline
    fingerprints, filter_bytes = sampler.peak_filter
    result = {
        "workers": count,
        "wall_s": wall,
        "requests": len(requests),
        "pages_per_s": len(requests) / wall,
        "cpu_s": sum(run.cpu_s for run in done),
        "exit_codes": [run.returncode for run in done],
        "items": sum(run.stats.get("item_scraped_count", 0.0) for run in done),
        "items_per_worker": [run.stats.get("item_scraped_count", 0.0) for run in done],
        "fetched_twice": sum(1 for n in targets.values() if n > 1),
        "peak_rss_mb": max(run.own_peak_mb or run.max_rss_mb for run in done),
        "filter_fingerprints": fingerprints,
        "filter_bytes_per_100k": filter_bytes / fingerprints * 100_000 if fingerprints else 0.0,
        "state_urls": articles,
        "state_bytes_per_100k": state_bytes / articles * 100_000 if articles else 0.0,
        "redis_peak_mb": (sampler.peak_used - baseline) / 2**20,
    }
    log(f"{count} worker(s): {result['pages_per_s']:.0f} pages/s, {wall:.0f} s, "
        f"exits {result['exit_codes']}, {result['items']:.0f} records, "
        f"{result['fetched_twice']} fetched twice")  # fmt: skip
    return result


def render(results: dict[str, Any]) -> str:
    """The report section."""
    rows = results["runs"]
    one = next((r for r in rows if r["workers"] == 1), rows[0])
    lines = [
        HEADING,
        "",
        f"`{results['command']}` on {results['machine']['cpu']} ({results['machine']['nproc']} cores), "
        f"{results['when']}. Mirror: {results['article_pages']:,} article pages served by nginx; "
        f"redis-server {results['redis_version']} on 127.0.0.1. Each row is one crawl of the whole "
        "mirror from an empty Redis by N `scrapy crawl` workers started together "
        "(`NEWSCRAWL_STATE_URI=redis://…`, `NEWSCRAWL_IDLE_TIMEOUT=2`, 16 concurrent requests each).",
        "",
        "| workers | pages/s | × 1 worker | wall s | CPU s (all workers) | records | records per worker "
        "| pages fetched twice | peak RSS per worker MB | exit codes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['workers']} | {r['pages_per_s']:.0f} | {r['pages_per_s'] / one['pages_per_s']:.2f} | "
            f"{r['wall_s']:.0f} | {r['cpu_s']:.0f} | {r['items']:,.0f} | "
            f"{', '.join(f'{n:,.0f}' for n in r['items_per_worker'])} | {r['fetched_twice']} | "
            f"{r['peak_rss_mb']:.0f} | {r['exit_codes']} |"
        )
    filter_cost = statistics.median(r["filter_bytes_per_100k"] for r in rows) / 2**20
    state_cost = statistics.median(r["state_bytes_per_100k"] for r in rows) / 2**20
    lines += [
        "",
        f"**Redis memory.** Duplicate filter: {filter_cost:.1f} MB per 100,000 seen URLs (a set of "
        f"40-character hex fingerprints; largest sampled: {max(r['filter_fingerprints'] for r in rows):,} "
        f"fingerprints). Crawl state: {state_cost:.1f} MB per 100,000 article URLs (one small hash per "
        "URL plus the content and re-check indexes). The filter and queue are dropped when a crawl "
        "closes; the state stays.",
        "",
        "One worker on Redis is slower than the single-machine crawl of the side-by-side table "
        "above: each scheduled request costs a round trip to Redis for the filter and one for the "
        "queue, each emitted article a Lua call for the state.",
        "",
        "**What changes at 10 and 100 workers.** The machine here has 2 cores, shared by the workers, "
        "nginx and Redis, so past 2 workers the table measures contention, not scaling; on separate "
        "machines each worker adds about one worker's rate until the site's politeness limits bind. "
        "Politeness is per worker today "
        "(`CONCURRENT_REQUESTS_PER_DOMAIN`, AutoThrottle): 10 workers send 10 × that to vietnam.vn, so "
        "the per-worker limits must be divided by the worker count (or a shared token bucket kept in "
        "Redis) before scaling out against the real site. Redis memory grows with the frontier, "
        "not the workers: at 10 million URLs the set above would take about "
        f"{filter_cost * 100 / 1024:.1f} GB and the state about {state_cost * 100 / 1024:.1f} GB; "
        "a Bloom filter "
        "(RedisBloom's `BF.ADD`, ~1.2 bytes per URL at a 1 % false-positive rate) replaces the set, "
        "at the price of a few URLs wrongly taken as seen, which the next incremental run fetches. "
        "At 100 workers every worker polls the queue and writes a heartbeat: a few hundred Redis "
        "commands per second, far below one Redis core's capacity; the state writes (one Lua call "
        "per emitted article) dominate and stay proportional to pages, not workers.",
    ]
    return "\n".join(lines) + "\n"


def replace_section(previous: str, section: str) -> str:
    """``previous`` with the section of the same heading replaced by (or ended with) ``section``."""
    heading = section.splitlines()[0]
    out: list[str] = []
    skipping = False
    for line in previous.splitlines():
        if line.startswith(("## ", "# ")):
            skipping = line == heading
        if not skipping:
            out.append(line)
    return "\n".join(out).rstrip() + "\n\n" + section


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and update ``benchmarks/RESULTS.md``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cluster", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20000, help="article pages in the mirror")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
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
    results: dict[str, Any] = {
        "command": f".venv/bin/python -m benchmarks.cluster --articles {args.articles} "
        f"--workers {args.workers}",
        "machine": machine(),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "article_pages": manifest.article_pages,
        "runs": [],
    }
    with Nginx(root / "site", workdir / "nginx-cluster", binary) as nginx, running_redis(
        workdir / "redis"
    ) as redis_url:  # fmt: skip
        results["redis_version"] = redis.Redis.from_url(redis_url).info("server")["redis_version"]
        for count in (int(n) for n in args.workers.split(",")):
            results["runs"].append(run_workers(count, nginx, redis_url, workdir, env))
    previous = args.results.read_text() if args.results.exists() else ""
    args.results.write_text(replace_section(previous, render(results)))
    log(f"wrote the distributed crawl section of {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
