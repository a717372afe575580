"""A real redis-server (Debian's package) on 127.0.0.1 for tests: own port and folder, no persistence."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.scrapyd_service import free_port, stop


def redis_binary() -> str | None:
    """Path of redis-server, or None when it is not installed."""
    found = shutil.which("redis-server") or "/usr/sbin/redis-server"
    return found if Path(found).exists() else None


@contextmanager
def running_redis(root: Path, password: str | None = None) -> Iterator[str]:
    """Start redis-server in ``root`` on a free loopback port; yield its URL (database 0, without
    the ``password`` the server then requires)."""
    binary = redis_binary()
    if binary is None:
        raise RuntimeError("redis-server is not installed: run scripts/install-redis (as root)")
    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(root), "--save", "",
         "--appendonly", "no", "--protected-mode", "yes", "--logfile", str(root / "redis.log"),
         *(["--requirepass", password] if password else [])],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, password=password)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start; see {root / 'redis.log'}") from None
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        stop(process, timeout=10)
