"""The crawl state's contract: records of what earlier runs saw, and the store protocol."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def is_redis_uri(uri: str | None) -> bool:
    """True when a state URI (``NEWSCRAWL_STATE_URI``) names a Redis server rather than a SQLite file."""
    return (uri or "").strip().startswith(REDIS_SCHEMES)


class StateError(RuntimeError):
    """The state store cannot be used (corrupt, locked, unwritable); the message names it."""


def iso_epoch(iso: str | None) -> float | None:
    """Epoch seconds of an ISO 8601 date (``published_at``), or None when it is missing or malformed."""
    try:
        return datetime.fromisoformat(iso).timestamp() if iso else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ArticleState:
    """What the state knows of one article URL."""

    url: str
    id: str
    lang: str
    translation_key: str
    first_seen: float
    last_fetched: float | None
    last_status: int | None
    etag: str | None
    last_modified: str | None
    sitemap_lastmod: float | None
    published_at: str | None
    content_hash: str | None
    version: int  # 0: seen, never emitted (not an article, or a duplicate of another URL)
    removed: bool


@dataclass(frozen=True, slots=True)
class ResourceState:
    """Validators of a sitemap or feed from its last fetch."""

    url: str
    etag: str | None
    last_modified: str | None
    lastmod: float | None
    fetched_at: float


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One crawl in the run history: how it was started, how it ended, and its health report.

    ``outcome`` is Scrapy's finish reason (``finished``, ``shutdown``, ``closespider_…``), or
    None for a run still going or killed (kill -9, power loss): it never finished. ``details``
    holds the run's mode and arguments; ``summary`` the health report of its end
    (:mod:`newscrawl.health`), None when it never finished.
    """

    run_id: int
    spider: str
    worker: str
    started_at: float
    finished_at: float | None
    outcome: str | None
    details: dict[str, Any]
    summary: dict[str, Any] | None


class StateStore(Protocol):
    """The crawl state interface every backend implements."""

    location: str

    def get_many(self, urls: Iterable[str]) -> dict[str, ArticleState]: ...

    def get(self, url: str) -> ArticleState | None: ...

    def content_owner(self, lang: str, content_hash: str) -> str | None: ...

    def due_for_recheck(self, now: float, schedule: Sequence[float]) -> list[str]: ...

    def record_fetch(
        self, url: str, *, status: int, fetched_at: float, etag: str | None = None,
        last_modified: str | None = None,
    ) -> None: ...  # fmt: skip

    def record_item(
        self, record: dict[str, Any], *, fetched_at: float, status: int = 200, etag: str | None = None,
        last_modified: str | None = None,
    ) -> None: ...  # fmt: skip

    def record_not_emitted(
        self, url: str, *, lang: str, slug: str, status: int, fetched_at: float
    ) -> None: ...

    def record_sitemap_lastmods(self, lastmods: Iterable[tuple[str, float]]) -> None: ...

    def resource(self, url: str) -> ResourceState | None: ...

    def record_resource(self, state: ResourceState) -> None: ...

    def start_run(self, spider: str, started_at: float, details: dict[str, Any] | None = None) -> int: ...

    def finish_run(
        self, run_id: int, finished_at: float, outcome: str, summary: dict[str, Any] | None = None
    ) -> None: ...

    def last_completed_run(self, spider: str) -> tuple[float, float] | None: ...

    def run_history(self, spider: str, limit: int) -> list[RunRecord]: ...

    def close(self) -> None: ...


class SharedClaims(Protocol):
    """A store shared by the workers of a distributed crawl (Redis): the first claim of a key wins."""

    def claim(self, key: str) -> bool: ...


def default_state_path() -> Path:
    """Where state lives when ``NEWSCRAWL_STATE_URI`` is empty: one absolute path per user.

    Absolute and outside the project, so ``scrapy crawl`` and Scrapyd jobs (which run in
    their own working folders from an egg) share it.
    """
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "newscrawl" / "state.sqlite3"
