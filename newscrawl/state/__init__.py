"""Crawl state: what earlier runs fetched and emitted, per canonical article URL.

``open_state(uri)`` picks the backend from ``NEWSCRAWL_STATE_URI``: a SQLite file path (the
embedded default) or ``redis://`` for state shared by the workers of a distributed crawl
(:mod:`newscrawl.state.redis_store`). The interface is
deliberately small so both backends keep the same semantics:

- ``get_many`` / ``get``: the known state of article URLs;
- ``record_fetch``: a fetch that emitted nothing (unchanged re-check, 304);
- ``record_item``: an emitted record — called only once it is durably in the feed;
- ``resource`` / ``record_resource``: validators and lastmod of sitemaps and feeds;
- ``start_run`` / ``finish_run`` / ``last_completed_run`` / ``run_history``: run bookkeeping,
  and the history of runs with their health reports (the report page reads it).

Timestamps are POSIX seconds (UTC). During a crawl the store has one writer, the
:class:`newscrawl.state.keeper.StateKeeper` extension; the spider and pipelines read it and
tell the keeper what they saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from newscrawl.state.sqlite_store import SqliteStateStore
from newscrawl.state.store import (
    ArticleState,
    ResourceState,
    RunRecord,
    StateError,
    StateStore,
    default_state_path,
    is_redis_uri,
)

__all__ = [
    "ArticleState",
    "ResourceState",
    "RunRecord",
    "SqliteStateStore",
    "StateError",
    "StateStore",
    "default_state_path",
    "is_redis_uri",
    "open_state",
]


def open_state(
    uri: str | None, *, worker: str = "worker", recheck_schedule: Sequence[float] = (),
    heartbeat_ttl: float = 30.0, history_runs: int = 500, read_only: bool = False,
) -> StateStore:  # fmt: skip
    """Open the state store named by ``uri`` (a SQLite path, empty for the default, or a Redis URI).

    ``worker``, ``recheck_schedule`` and ``heartbeat_ttl`` matter to the Redis backend only;
    ``history_runs`` is how many runs the history keeps; ``read_only`` opens it for a reader
    beside a running crawl (the report), which must not write.
    """
    uri = (uri or "").strip()
    if is_redis_uri(uri):
        # Imported here so a SQLite crawl never needs the Redis client.
        from newscrawl.state.redis_store import RedisStateStore

        return RedisStateStore(
            uri, worker=worker, recheck_schedule=recheck_schedule, heartbeat_ttl=heartbeat_ttl,
            history_runs=history_runs,
        )  # fmt: skip
    path = Path(uri.removeprefix("sqlite://")).expanduser() if uri else default_state_path()
    return SqliteStateStore(path, history_runs=history_runs, read_only=read_only)
