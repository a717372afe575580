"""Run ``scrapy crawl vietnamvn`` as a user would, in a subprocess, and read what it wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tests.compare import read_jsonl

ROOT = Path(__file__).resolve().parent.parent
# Test runs need no politeness delays against the local mirror.
FAST = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0.1")


@dataclass
class CrawlRun:
    """A finished crawl: its exit status, log and records."""

    returncode: int
    log: str
    records: list[dict[str, Any]]


def _environment(state_home: Path) -> dict[str, str]:
    # The default crawl state lands under state_home, never in the user's own state folder.
    return {
        **os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
        "XDG_STATE_HOME": str(state_home),
    }  # fmt: skip


def scrapy(
    *args: str, cwd: Path = ROOT, timeout: float = 600, state_home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ``scrapy`` command of this interpreter with the project's settings."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd, env=_environment(state_home or cwd), capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def start_crawl(
    base_url: str, state: Path, output_dir: Path, *args: str, log: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    """Start a crawl writing its default feeds under ``output_dir`` and its log to ``log`` (else a
    pipe); the caller waits or kills it."""
    return subprocess.Popen(
        [
            sys.executable, "-m", "scrapy", "crawl", "vietnamvn", "-a", f"base_url={base_url}", *FAST,
            "-s", f"NEWSCRAWL_STATE_URI={state}", "-s", f"NEWSCRAWL_OUTPUT_DIR={output_dir}",
            "-s", "LOG_LEVEL=WARNING", *args,
        ],
        cwd=ROOT, env=_environment(state.parent), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=log or subprocess.PIPE,
    )  # fmt: skip


def crawl(base_url: str, out: Path, *args: str, state: Path | None = None) -> CrawlRun:
    """Crawl ``base_url`` into ``out`` (JSON Lines) with extra ``-a``/``-s`` arguments.

    The crawl state is the file ``state`` (a fresh one beside ``out`` unless given).
    """
    state = state or out.with_name(out.name + ".state.sqlite3")
    done = scrapy(
        "crawl", "vietnamvn", "-a", f"base_url={base_url}", "-O", str(out), *FAST,
        "-s", f"NEWSCRAWL_STATE_URI={state}", *args, state_home=out.parent,
    )  # fmt: skip
    records = read_jsonl(out) if out.exists() else []
    return CrawlRun(done.returncode, done.stderr, records)
