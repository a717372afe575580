"""The crawl state in one SQLite file (the embedded default)."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import orjson

from newscrawl.state.store import ArticleState, ResourceState, RunRecord, StateError, iso_epoch

SCHEMA_VERSION = 2
_SQLITE_MAX_VARIABLES = 500


_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    lang TEXT NOT NULL,
    translation_key TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_fetched REAL,
    last_status INTEGER,
    etag TEXT,
    last_modified TEXT,
    sitemap_lastmod REAL,
    published_at TEXT,
    published_ts REAL,
    content_hash TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS articles_content ON articles (lang, content_hash);
CREATE TABLE IF NOT EXISTS resources (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    lastmod REAL,
    fetched_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spider TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    outcome TEXT,
    details TEXT,
    summary TEXT
);
"""
# Schema 1 → 2: the run history (a run's mode and arguments, and its health report).
_MIGRATIONS = {2: ("ALTER TABLE runs ADD COLUMN details TEXT", "ALTER TABLE runs ADD COLUMN summary TEXT")}
_ARTICLE_COLUMNS = (
    "url, id, lang, translation_key, first_seen, last_fetched, last_status, etag, last_modified, "
    "sitemap_lastmod, published_at, content_hash, version, removed"
)


_ARTICLE_FIELDS = tuple(field.name for field in dataclasses.fields(ArticleState))


def _json(text: str | None) -> Any:
    """A JSON column's value (None for NULL or text that is not JSON: history is advisory)."""
    try:
        return orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        return None


def _article(row: tuple[Any, ...]) -> ArticleState:
    # The row is in _ARTICLE_COLUMNS order, which is ArticleState's field order; `removed` is
    # stored as 0/1. (By name: a variadic row plus `removed` apart cannot be checked by type.)
    fields = dict(zip(_ARTICLE_FIELDS, row, strict=True))
    fields["removed"] = bool(fields["removed"])
    return ArticleState(**fields)


class SqliteStateStore:
    """State in one SQLite file: WAL journal, parametrised queries, one writing crawl at a time.

    A second crawl on the same file fails at start (an advisory lock beside the file) rather
    than interleaving writes; a corrupt file is reported, never silently reset.
    """

    def __init__(self, path: Path, *, history_runs: int = 500, read_only: bool = False) -> None:
        self.path = path.resolve()
        self.location = str(self.path)
        self.history_runs = history_runs
        self._lock: IO[str] | None = None
        try:
            if read_only:
                self._open_read_only()
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = self._acquire_lock()
            self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._check_and_migrate()
        except sqlite3.DatabaseError as error:
            self._release_lock()
            raise StateError(
                f"state file {self.path} is not a usable SQLite database ({error}); "
                "move it away to start afresh"
            ) from None
        except OSError as error:
            self._release_lock()
            raise StateError(f"state file {self.path} cannot be opened: {error.strerror}") from None

    def _open_read_only(self) -> None:
        """For readers beside a running crawl (the report): no lock, no migration, no writes."""
        if not self.path.is_file():
            raise StateError(f"no crawl state at {self.path}: run a crawl first, or give its state URI")
        uri = f"{self.path.as_uri()}?mode=ro"
        self._db = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None)
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version != SCHEMA_VERSION:
            raise StateError(
                f"state file {self.path} has schema {version}, this newscrawl reads {SCHEMA_VERSION}: "
                "run a crawl with this newscrawl to upgrade it"
            )

    def _acquire_lock(self) -> IO[str]:
        lock = open(f"{self.path}.lock", "a+", encoding="utf-8")  # noqa: SIM115 - held while open
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            lock.close()
            raise StateError(
                f"state file {self.path} is locked by {holder}: another crawl is using it; "
                "wait for it or give this one another NEWSCRAWL_STATE_URI"
            ) from None
        lock.truncate(0)
        lock.write(f"pid {os.getpid()}")
        lock.flush()
        return lock

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _check_and_migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise StateError(
                f"state file {self.path} has schema {version}, newer than this newscrawl "
                f"understands ({SCHEMA_VERSION})"
            )
        (check,) = self._db.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {check}")
        self._db.executescript(_SCHEMA)
        if version:  # a fresh file got the whole schema above
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS.get(step, ()):
                    self._db.execute(statement)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # --- articles ----------------------------------------------------------------------

    def get_many(self, urls: Iterable[str]) -> dict[str, ArticleState]:
        """Known state of each of ``urls`` (unknown ones are absent)."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, ArticleState] = {}
        for start in range(0, len(wanted), _SQLITE_MAX_VARIABLES):
            chunk = wanted[start : start + _SQLITE_MAX_VARIABLES]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE url IN ({marks})", chunk)
            found.update((row[0], _article(row)) for row in rows)
        return found

    def get(self, url: str) -> ArticleState | None:
        """Known state of one URL, or None."""
        row = self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE url = ?", (url,)).fetchone()
        return _article(row) if row else None

    def due_for_recheck(self, now: float, schedule: Sequence[float]) -> list[str]:
        """Emitted, live articles with a re-check point in ``(last fetch, now]``.

        Re-check points are the ``schedule`` delays after publication (after the first sighting
        when the page gave no date); the SQL mirrors ``newscrawl.state.incremental.recheck_due``.
        """
        if not schedule:
            return []
        base = "COALESCE(published_ts, first_seen)"
        windows = " OR ".join(
            f"({base} + ? > COALESCE(last_fetched, 0) AND {base} + ? <= ?)" for _ in schedule
        )
        params = [value for delay in schedule for value in (delay, delay, now)]
        rows = self._db.execute(
            f"SELECT url FROM articles WHERE version > 0 AND removed = 0 AND ({windows})", params
        )
        return [row[0] for row in rows]

    def content_owner(self, lang: str, content_hash: str) -> str | None:
        """A live article URL in ``lang`` whose content has this hash (cross-run duplicates)."""
        row = self._db.execute(
            "SELECT url FROM articles WHERE lang = ? AND content_hash = ? AND removed = 0 LIMIT 1",
            (lang, content_hash),
        ).fetchone()
        return row[0] if row else None

    def record_fetch(
        self, url: str, *, status: int, fetched_at: float, etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:  # fmt: skip
        """A fetch of a known URL that emitted nothing (unchanged, or 304)."""
        self._db.execute(
            "UPDATE articles SET last_fetched = ?, last_status = ?, etag = COALESCE(?, etag), "
            "last_modified = COALESCE(?, last_modified) WHERE url = ?",
            (fetched_at, status, etag, last_modified, url),
        )

    def record_item(
        self, record: dict[str, Any], *, fetched_at: float, status: int = 200, etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:  # fmt: skip
        """An emitted record (new, updated or removed), once it is durably in the feed."""
        removed = record["status"] == "removed"
        self._db.execute(
            "INSERT INTO articles (url, id, lang, translation_key, first_seen, last_fetched, last_status, "
            "etag, last_modified, published_at, published_ts, content_hash, version, removed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET last_fetched = excluded.last_fetched, "
            "last_status = excluded.last_status, etag = excluded.etag, "
            "last_modified = excluded.last_modified, "
            "published_at = COALESCE(excluded.published_at, articles.published_at), "
            "published_ts = COALESCE(excluded.published_ts, articles.published_ts), "
            "content_hash = COALESCE(excluded.content_hash, articles.content_hash), "
            "version = excluded.version, removed = excluded.removed",
            (
                record["url"], record["id"], record["lang"], record["translation_key"], fetched_at,
                fetched_at, status, etag, last_modified, record.get("published_at"),
                iso_epoch(record.get("published_at")), None if removed else record["content_hash"],
                record["version"], int(removed),
            ),
        )  # fmt: skip

    def record_not_emitted(self, url: str, *, lang: str, slug: str, status: int, fetched_at: float) -> None:
        """A page seen but not emitted (no article, or another URL's duplicate): version 0."""
        self._db.execute(
            "INSERT INTO articles (url, id, lang, translation_key, first_seen, last_fetched, last_status) "
            "VALUES (?, '', ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
            "last_fetched = excluded.last_fetched, last_status = excluded.last_status",
            (url, lang, slug, fetched_at, fetched_at, status),
        )

    def record_sitemap_lastmods(self, lastmods: Iterable[tuple[str, float]]) -> None:
        """Remember the ``lastmod`` sitemaps give for known URLs."""
        self._db.executemany("UPDATE articles SET sitemap_lastmod = ? WHERE url = ?",
                             ((lastmod, url) for url, lastmod in lastmods))  # fmt: skip

    # --- sitemaps and feeds --------------------------------------------------------------

    def resource(self, url: str) -> ResourceState | None:
        """Validators of a sitemap or feed from its last fetch."""
        row = self._db.execute(
            "SELECT url, etag, last_modified, lastmod, fetched_at FROM resources WHERE url = ?", (url,)
        ).fetchone()
        return ResourceState(*row) if row else None

    def record_resource(self, state: ResourceState) -> None:
        """Store a sitemap's or feed's validators."""
        self._db.execute(
            "INSERT OR REPLACE INTO resources (url, etag, last_modified, lastmod, fetched_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (state.url, state.etag, state.last_modified, state.lastmod, state.fetched_at),
        )

    # --- runs ------------------------------------------------------------------------------

    def start_run(self, spider: str, started_at: float, details: dict[str, Any] | None = None) -> int:
        """Record the start of a crawl (its mode and arguments in ``details``); returns its run id.
        Only the latest ``history_runs`` runs are kept."""
        cursor = self._db.execute(
            "INSERT INTO runs (spider, started_at, details) VALUES (?, ?, ?)",
            (spider, started_at, orjson.dumps(details or {}).decode()),
        )
        run_id = int(cursor.lastrowid or 0)
        self._db.execute(
            "DELETE FROM runs WHERE spider = ? AND id <= ?", (spider, run_id - self.history_runs)
        )
        return run_id

    def finish_run(
        self, run_id: int, finished_at: float, outcome: str, summary: dict[str, Any] | None = None
    ) -> None:
        """Record how a crawl ended (``finished`` counts as complete for incremental runs) and
        its health report."""
        self._db.execute(
            "UPDATE runs SET finished_at = ?, outcome = ?, summary = ? WHERE id = ?",
            (finished_at, outcome, None if summary is None else orjson.dumps(summary).decode(), run_id),
        )

    def run_history(self, spider: str, limit: int) -> list[RunRecord]:
        """The latest ``limit`` runs of ``spider``, oldest first."""
        rows = self._db.execute(
            "SELECT id, started_at, finished_at, outcome, details, summary FROM runs WHERE spider = ? "
            "ORDER BY id DESC LIMIT ?",
            (spider, limit),
        ).fetchall()
        return [
            RunRecord(run_id, spider, "", started, finished, outcome, _json(details) or {}, _json(summary))
            for run_id, started, finished, outcome, details, summary in reversed(rows)
        ]

    def last_completed_run(self, spider: str) -> tuple[float, float] | None:
        """``(start, finish)`` of the latest crawl of ``spider`` that finished normally."""
        row = self._db.execute(
            "SELECT started_at, finished_at FROM runs WHERE spider = ? AND outcome = 'finished' "
            "ORDER BY started_at DESC LIMIT 1",
            (spider,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def close(self) -> None:
        """Close the database and release the lock."""
        if getattr(self, "_db", None) is not None:
            self._db.close()
            self._db = None  # type: ignore[assignment]
        self._release_lock()
