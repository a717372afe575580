"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mirror.model import build_site
from tests.mirror.server import MirrorServer


@pytest.fixture(scope="session")
def mirror() -> Iterator[MirrorServer]:
    """The default offline mirror, started on 127.0.0.1 (``.base_url``, ``.site``, ``.truth``,
    ``.log``, ``.reset_log()``)."""
    server = MirrorServer(build_site()).start()
    yield server
    server.stop()
