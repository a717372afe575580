"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mirror.model import build_site
from tests.mirror.server import MirrorServer
from tests.scrapyd_service import Scrapyd, running_scrapyd


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
