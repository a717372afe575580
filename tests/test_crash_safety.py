"""Killing the crawler (kill -9) at any moment loses no article and emits none twice."""

from __future__ import annotations

import json
import random
import signal
import time
from collections import Counter

import pytest

from newscrawl.state import open_state
from tests.compare import compare
from tests.crawl import start_crawl

pytestmark = pytest.mark.slow
KILLS = 6


def feed_lines(folder):
    """Every line of every feed, complete or not, and the names of unfinished feeds."""
    lines, parts = [], []
    for path in sorted(folder.rglob("*.jsonl*")):
        if path.name.endswith(".part"):
            parts.append(path.name)
        lines.extend(path.read_bytes().splitlines(keepends=True))
    return lines, parts


def test_kill_9_in_a_loop_loses_nothing_and_repeats_nothing(mirror, tmp_path):
    rng = random.Random(20261129)
    state, output = tmp_path / "state.sqlite3", tmp_path / "corpus"
    kills = 0
    for _ in range(KILLS):
        process = start_crawl(mirror.base_url, state, output)
        # Kill mid-emission: once this run's feed has grown by a random number of records.
        target = rng.randint(1, 40)
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if sum(p.read_bytes().count(b"\n") for p in output.rglob("*.part")) >= target:
                break
            time.sleep(rng.uniform(0.001, 0.05))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
    assert kills == KILLS
    final = start_crawl(mirror.base_url, state, output)
    _, stderr = final.communicate(timeout=300)
    assert final.returncode == 0, stderr.decode()[-3000:]

    lines, parts = feed_lines(output)
    assert parts == [], "a finished crawl leaves no .part feed behind"
    assert all(line.endswith(b"\n") for line in lines), "no half-written line"
    records = [json.loads(line) for line in lines]
    twice = [url for url, n in Counter(r["url"] for r in records).items() if n > 1]
    details = [(r["url"], r["status"], r["version"], r["crawled_at"]) for r in records if r["url"] in twice]
    assert not twice, f"articles emitted twice: {details}"
    result = compare(records, mirror.truth)
    assert result.equal, result.summary()
    # The run history kept every run that got as far as starting (a kill can come first, while the
    # previous run's feed still counts): the killed ones as never finished, the last with its report.
    history = open_state(str(state), read_only=True)
    runs = history.run_history("vietnamvn", 100)
    history.close()
    assert 2 <= len(runs) <= KILLS + 1
    assert [r.outcome for r in runs] == [None] * (len(runs) - 1) + ["finished"]
    assert all(r.summary is None and r.details["mode"] == "incremental" for r in runs[:-1])
    assert runs[-1].summary["healthy"] and runs[-1].summary["exit_status"] == 0


def test_jobdir_pause_and_resume(mirror, tmp_path):
    """Scrapy's documented pause/resume: Ctrl-C once, then the same command again."""
    state, output, jobdir = tmp_path / "state.sqlite3", tmp_path / "corpus", tmp_path / "job"
    first = start_crawl(mirror.base_url, state, output, "-s", f"JOBDIR={jobdir}", "-s", "LOG_LEVEL=INFO")
    deadline = time.monotonic() + 60
    while first.poll() is None and time.monotonic() < deadline and not list(output.rglob("*.part")):
        time.sleep(0.05)
    time.sleep(0.5)
    first.send_signal(signal.SIGINT)
    _, stderr = first.communicate(timeout=120)
    assert b"'finish_reason': 'shutdown'" in stderr or b"'finish_reason': 'finished'" in stderr
    second = start_crawl(mirror.base_url, state, output, "-s", f"JOBDIR={jobdir}", "-s", "LOG_LEVEL=INFO")
    _, stderr = second.communicate(timeout=300)
    assert second.returncode == 0 and b"'finish_reason': 'finished'" in stderr, stderr.decode()[-2000:]
    lines, parts = feed_lines(output)
    records = [json.loads(line) for line in lines]
    assert parts == [] and max(Counter(r["url"] for r in records).values()) == 1
    result = compare(records, mirror.truth)
    assert result.equal, result.summary()
