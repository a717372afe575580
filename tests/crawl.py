"""Run ``scrapy crawl vietnamvn`` as a user would, in a subprocess, and read what it wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def scrapy(
    *args: str, cwd: Path = ROOT, timeout: float = 600, state_home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ``scrapy`` command of this interpreter with the project's settings.

    The default crawl state lands under ``state_home`` (``cwd`` unless given), never in the
    user's own state folder.
    """
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
        "XDG_STATE_HOME": str(state_home or cwd),
    }  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def crawl(base_url: str, out: Path, *args: str, state: Path | None = None) -> CrawlRun:
    """Crawl ``base_url`` into ``out`` (JSON Lines) with extra ``-a``/``-s`` arguments.

    The crawl state is the file ``state`` (a fresh one beside ``out`` unless given).
    """
    state = state or out.with_name(out.name + ".state.sqlite3")
    done = scrapy(
        "crawl", "vietnamvn", "-a", f"base_url={base_url}", "-O", str(out), *FAST,
        "-s", f"NEWSCRAWL_STATE_URI={state}", *args,
    )  # fmt: skip
    records = read_jsonl(out) if out.exists() else []
    return CrawlRun(done.returncode, done.stderr, records)
