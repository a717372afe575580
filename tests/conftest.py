"""Shared pytest fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

from tests.mirror.model import build_site
from tests.mirror.server import MirrorServer
from tests.redis_service import redis_binary, running_redis
from tests.scrapyd_service import Scrapyd, running_scrapyd

# A layer answering a field with the wrong type fails the test (in crawls started from here too).
os.environ["NEWSCRAWL_STRICT_FIELDS"] = "1"


@pytest.fixture(scope="session")
def mirror() -> Iterator[MirrorServer]:
    """The default offline mirror, started on 127.0.0.1 (``.base_url``, ``.site``, ``.truth``,
    ``.log``, ``.reset_log()``)."""
    server = MirrorServer(build_site()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """A real Scrapyd on 127.0.0.1 (config, eggs, logs in a temporary folder)."""
    with running_scrapyd(tmp_path_factory.mktemp("scrapyd")) as service:
        yield service


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1 for the whole session; its URL."""
    if redis_binary() is None:
        pytest.skip("redis-server is not installed: run scripts/install-redis (as root)")
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied for this test."""
    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server
