"""Run a crawler as a child process and measure it: wall time, CPU time and peak RSS from the
kernel's rusage of that child, RSS sampled over time from ``/proc``, and Scrapy's own stats read
from the end-of-crawl dump in its log."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_STAT_LINE = re.compile(r"^[{ ]'([^']+)': (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)[,}]", re.MULTILINE)


@dataclass
class ProcessRun:
    """One finished child process and what it cost."""

    returncode: int
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_mb: float
    """The kernel's peak RSS of the process (``wait4``; also covers children it reaped)."""
    rss_samples: list[tuple[float, float, float]] = field(default_factory=list, repr=False)
    """``(seconds since start, RSS of the process, RSS of it and its children)`` in MB, about
    every half second."""
    stats: dict[str, float] = field(default_factory=dict, repr=False)
    log_path: str = ""

    @property
    def own_peak_mb(self) -> float:
        """Largest sampled RSS of the process itself."""
        return max((own for _t, own, _tree in self.rss_samples), default=0.0)

    @property
    def tree_peak_mb(self) -> float:
        """Largest sampled RSS of the process and its descendants together (e.g. a browser driver)."""
        return max((tree for _t, _own, tree in self.rss_samples), default=0.0)

    @property
    def cpu_s(self) -> float:
        """User plus system CPU seconds."""
        return self.user_s + self.sys_s


def scrapy_stats(log: str) -> dict[str, float]:
    """Numeric entries of the last ``Dumping Scrapy stats`` block of a Scrapy log."""
    start = log.rfind("Dumping Scrapy stats:")
    if start < 0:
        return {}
    block = log[start:]
    end = block.find("}\n")
    block = block[: end + 2] if end >= 0 else block
    return {key: float(value) for key, value in _STAT_LINE.findall(block)}


_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (from each process's parent in ``/proc/*/stat``)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_bytes().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def _resident_mb(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_bytes().split()[1]) * _PAGE_MB
    except (OSError, IndexError):
        return 0.0


def _sample_rss(
    pid: int, samples: list[tuple[float, float, float]], done: threading.Event, started: float, every: float
) -> None:
    """Append ``(seconds, RSS of pid, RSS of pid and its descendants)`` in MB until ``done``."""
    while not done.is_set():
        own = _resident_mb(pid)
        if own == 0.0:
            return
        tree = own + sum(_resident_mb(child) for child in _descendants(pid)[1:])
        samples.append((time.monotonic() - started, own, tree))
        done.wait(every)


def run_measured(
    cmd: list[str],
    log_path: Path,
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float = 7200,
    sample_every: float = 0.5,
) -> ProcessRun:
    """Run ``cmd`` to completion with its output in ``log_path``; measure it."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    samples: list[tuple[float, float, float]] = []
    done = threading.Event()
    with log_path.open("wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        sampler = threading.Thread(
            target=_sample_rss, daemon=True, args=(process.pid, samples, done, started, sample_every)
        )
        sampler.start()
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted: never leave the crawler running
            process.kill()
            process.wait()
            raise
        finally:
            timer.cancel()
            done.set()
        wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    sampler.join()
    text = log_path.read_text(errors="replace")
    return ProcessRun(
        returncode=process.returncode,
        wall_s=wall,
        user_s=usage.ru_utime,
        sys_s=usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        rss_samples=samples,
        stats=scrapy_stats(text),
        log_path=str(log_path),
    )
