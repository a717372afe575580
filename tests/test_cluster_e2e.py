"""Distributed crawling end to end: worker processes share one real Redis and crawl the mirror."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from newscrawl.cluster.scheduler import crawl_stats
from newscrawl.tools import deploy, schedule
from newscrawl.tools.snapshot import build_snapshot, feed_files
from tests.compare import compare, read_jsonl
from tests.crawl import FAST, ROOT, _environment
from tests.scrapyd_service import running_scrapyd

pytestmark = pytest.mark.slow
PROJECT = "newscrawl"
# Short timers so a dead worker is noticed in seconds, not the default half minute.
TIMERS = (
    "-s", "NEWSCRAWL_HEARTBEAT_INTERVAL=0.5", "-s", "NEWSCRAWL_WORKER_TIMEOUT=4",
    "-s", "NEWSCRAWL_IDLE_TIMEOUT=2",
)  # fmt: skip


def start_worker(mirror, redis_url: str, output: Path, worker: str, *args: str) -> subprocess.Popen[bytes]:
    """One `scrapy crawl` worker on the shared Redis; its log goes to ``output/<worker>.log``."""
    output.mkdir(parents=True, exist_ok=True)
    log = (output / f"{worker}.log").open("ab")
    return subprocess.Popen(
        [
            sys.executable, "-m", "scrapy", "crawl", "vietnamvn", "-a", f"base_url={mirror.base_url}", *FAST,
            *TIMERS, "-s", f"NEWSCRAWL_STATE_URI={redis_url}", "-s", f"NEWSCRAWL_OUTPUT_DIR={output}",
            "-s", f"NEWSCRAWL_WORKER_ID={worker}", "-s", "LOG_LEVEL=INFO", *args,
        ],
        cwd=ROOT, env=_environment(output), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
    )  # fmt: skip


def finish(worker: subprocess.Popen[bytes], timeout: float = 300) -> int:
    """Wait for a worker; kill it if it overstays."""
    try:
        return worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
        raise


def wait_for_requests(mirror, count: int, *logs: Path, timeout: float = 120) -> None:
    """Wait until the mirror has served ``count`` requests; fail, showing the workers' logs, if it
    has not within ``timeout`` seconds."""
    if not mirror.wait_for_requests(count, timeout):
        tails = "\n".join(f"--- {log.name}:\n{log.read_text()[-2000:]}" for log in logs if log.exists())
        served = len(mirror.requests)
        pytest.fail(f"the mirror served {served} requests in {timeout:g} s, not {count}:\n{tails}")


def records_of(output: Path) -> list[dict]:
    return [record for feed in feed_files(output / "vietnamvn") for record in read_jsonl(feed)]


def get_targets(mirror) -> list[str]:
    """Path and query of every GET (pagination may be ``?page=N``)."""
    return [urlsplit(target)._replace(scheme="", netloc="").geturl() for method, target, _ in mirror.log
            if method == "GET"]  # fmt: skip


def test_two_workers_fetch_each_page_once_and_together_emit_the_truth(mirror, redis_url, tmp_path):
    mirror.reset_log()
    workers = [start_worker(mirror, redis_url, tmp_path, name) for name in ("w1", "w2")]
    codes = [finish(worker) for worker in workers]
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in ("w1", "w2")}
    assert codes == [0, 0], {name: log[-3000:] for name, log in logs.items()}
    for log in logs.values():
        assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
        assert "DeprecationWarning" not in log, log[-3000:]
    # One feed per worker, named after it; together they are the truth, each article once.
    feeds = sorted(p.name.rsplit("-", 1)[1] for p in feed_files(tmp_path / "vietnamvn"))
    assert feeds == ["w1.jsonl", "w2.jsonl"]
    records = records_of(tmp_path)
    result = compare(records, mirror.truth)
    assert result.equal, result.summary()
    # Every page (homes, listings, sitemaps, feeds, articles) was fetched by one worker only;
    # robots.txt is read by each worker for its own robots.txt policy.
    fetched = Counter(get_targets(mirror))
    assert fetched.pop("/robots.txt") <= 2  # once per worker that downloads anything
    assert max(fetched.values()) == 1, [p for p, n in fetched.items() if n > 1][:10]
    # Both did real work; their stats stay per worker and are summed from Redis.
    server = redis.Redis.from_url(redis_url)
    stats = crawl_stats(server, "1")
    assert set(stats["workers"]) == {"w1", "w2"}
    assert all(s["downloader/response_count"] > 10 for s in stats["workers"].values())
    assert stats["total"]["item_scraped_count"] == len(records)
    # The crawl is closed and its frontier dropped; the snapshot folds both workers' feeds.
    assert not server.exists("newscrawl:crawl:1:requests", "newscrawl:crawl:1:dupefilter")
    assert server.hget("newscrawl:crawl:1", "outcome") == b"finished"
    snapshot = build_snapshot(feed_files(tmp_path / "vietnamvn"), tmp_path / "snapshot.jsonl")
    assert snapshot.articles == len(records)


def test_a_killed_worker_leaves_the_rest_to_its_peer_and_the_next_run(mirror, redis_url, tmp_path):
    mirror.reset_log()
    # The victim starts first and is killed while it has pages in hand.
    victim = start_worker(mirror, redis_url, tmp_path, "victim")
    wait_for_requests(mirror, 60, tmp_path / "victim.log")
    survivor = start_worker(mirror, redis_url, tmp_path, "survivor")
    wait_for_requests(mirror, 150, tmp_path / "victim.log", tmp_path / "survivor.log")
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    # The survivor stops once the dead worker's heartbeat (4 s) has expired, not never.
    try:
        code = finish(survivor, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the survivor kept waiting for the killed worker: still running 120 s after the kill")
    assert code == 0, (tmp_path / "survivor.log").read_text()[-3000:]
    server = redis.Redis.from_url(redis_url)
    # It closed the crawl (as incomplete) when it left, so no live peer was left: the victim's
    # heartbeat had expired, not been waited out by a timer of the survivor's own.
    assert server.hget("newscrawl:crawl:1", "outcome") == b"incomplete"
    assert not server.exists("newscrawl:crawl:1:alive:victim")
    first = records_of(tmp_path)
    assert 0 < len(first) < len(mirror.truth) - 1
    # The next (incremental) run finishes the victim's .part feed and fetches what it had in flight.
    again = start_worker(mirror, redis_url, tmp_path, "next")
    assert finish(again) == 0, (tmp_path / "next.log").read_text()[-3000:]
    assert not list((tmp_path / "vietnamvn").glob("*.part"))
    (own,) = (tmp_path / "vietnamvn").glob("*-next.jsonl")
    assert read_jsonl(own), "the lost pages were fetched again"
    records = records_of(tmp_path)
    result = compare(records, mirror.truth)
    assert result.equal, result.summary()
    assert server.hget("newscrawl:crawl:2", "outcome") == b"finished"


def test_two_scrapyd_nodes_on_one_redis_crawl_the_mirror_together(mirror, redis_url, tmp_path):
    # Two Scrapyd services stand for two machines; each job writes under its node's own folder.
    with running_scrapyd(tmp_path / "node1") as node1, running_scrapyd(tmp_path / "node2") as node2:
        nodes = (node1, node2)
        for node in nodes:
            deploy.deploy(node.url, PROJECT, "1")
        mirror.reset_log()
        settings = ["-s", f"NEWSCRAWL_STATE_URI={redis_url}", "-s", "AUTOTHROTTLE_ENABLED=False", *TIMERS]
        argv = ["--url", node1.url, "--url", node2.url, "--project", PROJECT, "--spider", "vietnamvn",
                "--once", "-a", f"base_url={mirror.base_url}", *settings]  # fmt: skip
        assert schedule.main(argv) == 0
        for node in nodes:
            (job,) = node.wait_until_idle(PROJECT)
            log = node.job_log(PROJECT, "vietnamvn", job["id"])
            assert "'finish_reason': 'finished'" in log and "Traceback" not in log, log[-3000:]
    folders = [node.root / "output" / "vietnamvn" for node in nodes]
    assert all(feed_files(folder) for folder in folders)
    snapshot = tmp_path / "snapshot.jsonl"
    build_snapshot(feed_files(*folders), snapshot)
    result = compare(read_jsonl(snapshot), mirror.truth)
    assert result.equal, result.summary()
    fetched = Counter(get_targets(mirror))
    assert fetched.pop("/robots.txt") <= 2 and max(fetched.values()) == 1
