"""A real Scrapyd on 127.0.0.1 for tests: configured in a temporary folder, started, stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from newscrawl.tools.scrapyd_api import ScrapydError, call

CONFIG = """[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
poll_interval = 1.0
max_proc = 2
eggs_dir = {root}/eggs
logs_dir = {root}/logs
dbs_dir = {root}/dbs
items_dir =
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Terminate a server process, killing it if it does not stop within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Scrapyd:
    """A running Scrapyd: its URL and folder, and helpers to wait for jobs."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.url = f"http://127.0.0.1:{port}"

    def _jobs(self, project: str) -> dict[str, list[dict[str, Any]]]:
        return call(self.url, "listjobs.json", query={"project": project})

    def wait_for_job(self, project: str, job_id: str, timeout: float = 300) -> dict[str, Any]:
        """Block until the job has finished; return its listjobs entry."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for job in self._jobs(project).get("finished", []):
                if job.get("id") == job_id:
                    return job
            time.sleep(0.5)
        raise TimeoutError(f"Scrapyd job {job_id} did not finish in {timeout} s")

    def wait_until_inactive(self, project: str, job_id: str, timeout: float = 120) -> None:
        """Block until the job is neither pending nor running (finished, or cancelled while pending)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self._jobs(project)
            if not any(job.get("id") == job_id for state in ("pending", "running") for job in jobs[state]):
                return
            time.sleep(0.5)
        raise TimeoutError(f"Scrapyd job {job_id} still active after {timeout} s")

    def wait_until_idle(self, project: str, timeout: float = 300) -> list[dict[str, Any]]:
        """Block until jobs have run and none is pending or running; return the finished ones."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self._jobs(project)
            if jobs.get("finished") and not jobs.get("pending") and not jobs.get("running"):
                return jobs["finished"]
            time.sleep(0.5)
        raise TimeoutError(f"Scrapyd jobs of {project} still active after {timeout} s")

    def job_log(self, project: str, spider: str, job_id: str) -> str:
        """The job's log file."""
        return (self.root / "logs" / project / spider / f"{job_id}.log").read_text(encoding="utf-8")


@contextmanager
def running_scrapyd(root: Path) -> Iterator[Scrapyd]:
    """Start Scrapyd (this interpreter's) with its config in ``root``; stop it afterwards."""
    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    (root / "scrapyd.conf").write_text(CONFIG.format(port=port, root=root))
    scrapyd_bin = Path(sys.executable).with_name("scrapyd")
    process = subprocess.Popen(
        [str(scrapyd_bin), "--nodaemon", "--pidfile=", "--logfile", str(root / "scrapyd.log")],
        cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    service = Scrapyd(root, port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                call(service.url, "daemonstatus.json")
                break
            except ScrapydError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (root / "scrapyd.log").read_text() if (root / "scrapyd.log").exists() else ""
                    raise RuntimeError(f"Scrapyd did not start:\n{log[-3000:]}") from None
                time.sleep(0.2)
        yield service
    finally:
        stop(process, timeout=15)
