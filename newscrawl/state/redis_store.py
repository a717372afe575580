"""Crawl state in Redis, shared by every worker of a distributed crawl.

Same semantics as :class:`newscrawl.state.SqliteStateStore`; each write that reads before
it writes (insert-or-update, the content and re-check indexes) is one Lua script, so
concurrent workers never interleave inside it. A *run* is a cluster-wide crawl: the first
worker to start opens one, later workers join it, and the last one to leave closes it; it
counts as completed only when every worker that joined finished normally (a killed worker
makes the next incremental run look further back, as a killed single-process run does).

Keys (all under ``newscrawl:``, in the database the URI names):

- ``article:<url>`` hash per article URL;
- ``content`` hash of ``<lang>:<content hash>`` → the live URL with that text (the pipelines
  let one URL per text be emitted);
- ``recheck`` sorted set of emitted live URLs by their next re-check time (for the schedule in
  ``recheck:schedule``);
- ``resource:<url>`` hash per sitemap or feed;
- ``crawl:seq``, ``crawl:current:<spider>``, ``crawl:<id>`` (start, finish, outcome),
  ``crawl:<id>:workers`` (worker → outcome), ``crawl:<id>:alive:<worker>`` (heartbeat with a
  time to live), ``crawl:<id>:requests`` / ``:dupefilter`` / ``:claims`` (the shared
  frontier, dropped when the crawl closes), ``crawls:completed:<spider>``.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import orjson
import redis

from newscrawl.state import ArticleState, ResourceState, RunRecord, StateError
from newscrawl.state.store import iso_epoch

PREFIX = "newscrawl:"
# Replies: the store's client decodes them (connect() defaults to decode_responses=True), so
# every reply is str. redis-py's types cannot follow that flag and say ``bytes | str`` for
# every client; the casts below (``cast(str | None, …)`` and the like) say it where a reply
# enters this module.
_FIELDS = (
    "id", "lang", "translation_key", "first_seen", "last_fetched", "last_status", "etag",
    "last_modified", "sitemap_lastmod", "published_at", "content_hash", "version", "removed",
)  # fmt: skip
_CHUNK = 500

# Keeps ``recheck`` in step with an article hash: the first re-check point after the last
# fetch (published_ts, else first_seen, plus each delay), or no entry when none is left.
_LUA_RECHECK = """
local function reindex(prefix, akey, url)
  local f = redis.call('HMGET', akey, 'version', 'removed', 'published_ts', 'first_seen', 'last_fetched')
  local schedule = redis.call('GET', prefix .. 'recheck:schedule')
  local nextdue = nil
  if schedule and tonumber(f[1] or '0') > 0 and f[2] ~= '1' then
    local base = tonumber(f[3] or '') or tonumber(f[4] or '0')
    local last = tonumber(f[5] or '0')
    for delay in string.gmatch(schedule, '[^,]+') do
      local point = base + tonumber(delay)
      if point > last and (nextdue == nil or point < nextdue) then nextdue = point end
    end
  end
  if nextdue then
    redis.call('ZADD', prefix .. 'recheck', nextdue, url)
  else
    redis.call('ZREM', prefix .. 'recheck', url)
  end
end
"""

# ARGV: prefix, url, id, lang, translation_key, fetched_at, status, etag, last_modified,
# published_at, published_ts, content_hash, version, removed ('' stands for NULL).
_LUA_RECORD_ITEM = (
    _LUA_RECHECK
    + """
local prefix, url = ARGV[1], ARGV[2]
local akey = prefix .. 'article:' .. url
local old = redis.call('HMGET', akey, 'lang', 'content_hash', 'removed')
if old[1] then
  local field = old[1] .. ':' .. (old[2] or '')
  if old[2] and old[3] ~= '1' and redis.call('HGET', prefix .. 'content', field) == url then
    redis.call('HDEL', prefix .. 'content', field)
  end
else
  redis.call('HSET', akey, 'id', ARGV[3], 'lang', ARGV[4], 'translation_key', ARGV[5], 'first_seen', ARGV[6])
end
redis.call('HSET', akey, 'last_fetched', ARGV[6], 'last_status', ARGV[7])
redis.call('HSET', akey, 'version', ARGV[13], 'removed', ARGV[14])
for i, name in ipairs({'etag', 'last_modified'}) do
  if ARGV[7 + i] ~= '' then
    redis.call('HSET', akey, name, ARGV[7 + i])
  else
    redis.call('HDEL', akey, name)
  end
end
if ARGV[10] ~= '' then redis.call('HSET', akey, 'published_at', ARGV[10]) end
if ARGV[11] ~= '' then redis.call('HSET', akey, 'published_ts', ARGV[11]) end
if ARGV[12] ~= '' then redis.call('HSET', akey, 'content_hash', ARGV[12]) end
local now = redis.call('HMGET', akey, 'lang', 'content_hash')
if ARGV[14] ~= '1' and now[2] then
  redis.call('HSET', prefix .. 'content', now[1] .. ':' .. now[2], url)
end
reindex(prefix, akey, url)
"""
)

# ARGV: prefix, url, fetched_at, status, etag, last_modified — updates a known URL only.
_LUA_RECORD_FETCH = (
    _LUA_RECHECK
    + """
local prefix, url = ARGV[1], ARGV[2]
local akey = prefix .. 'article:' .. url
if redis.call('EXISTS', akey) == 0 then return 0 end
redis.call('HSET', akey, 'last_fetched', ARGV[3], 'last_status', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', akey, 'etag', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', akey, 'last_modified', ARGV[6]) end
reindex(prefix, akey, url)
return 1
"""
)

# ARGV: prefix, url, lang, slug, status, fetched_at.
_LUA_RECORD_NOT_EMITTED = """
local akey = ARGV[1] .. 'article:' .. ARGV[2]
if redis.call('EXISTS', akey) == 0 then
  redis.call('HSET', akey, 'id', '', 'lang', ARGV[3], 'translation_key', ARGV[4], 'first_seen', ARGV[6],
             'version', '0', 'removed', '0')
end
redis.call('HSET', akey, 'last_fetched', ARGV[6], 'last_status', ARGV[5])
"""

# ARGV: prefix, then url, lastmod pairs — known URLs only.
_LUA_SITEMAP_LASTMODS = """
for i = 2, #ARGV, 2 do
  local akey = ARGV[1] .. 'article:' .. ARGV[i]
  if redis.call('EXISTS', akey) == 1 then redis.call('HSET', akey, 'sitemap_lastmod', ARGV[i + 1]) end
end
"""

# Shared by join and leave: is any worker of crawl ``id`` other than ``me`` still alive?
_LUA_CRAWL = """
local function crawl_key(prefix, id) return prefix .. 'crawl:' .. id end
local function others_alive(prefix, id, me)
  for _, worker in ipairs(redis.call('HKEYS', crawl_key(prefix, id) .. ':workers')) do
    if worker ~= me and redis.call('EXISTS', crawl_key(prefix, id) .. ':alive:' .. worker) == 1 then
      return true
    end
  end
  return false
end
local function close_crawl(prefix, spider, id, now)
  local ck = crawl_key(prefix, id)
  local complete = true
  for _, outcome in ipairs(redis.call('HVALS', ck .. ':workers')) do
    if outcome ~= 'finished' then complete = false end
  end
  redis.call('HSET', ck, 'finished_at', now, 'outcome', complete and 'finished' or 'incomplete')
  if complete then
    redis.call('ZADD', prefix .. 'crawls:completed:' .. spider, redis.call('HGET', ck, 'started_at'), id)
  end
  for _, worker in ipairs(redis.call('HKEYS', ck .. ':workers')) do
    redis.call('DEL', ck .. ':alive:' .. worker)
  end
  redis.call('DEL', ck .. ':requests', ck .. ':dupefilter', ck .. ':claims')
  if redis.call('GET', prefix .. 'crawl:current:' .. spider) == id then
    redis.call('DEL', prefix .. 'crawl:current:' .. spider)
  end
end
"""

# ARGV: prefix, spider, worker, now, heartbeat ttl (s). Joins the running crawl, or closes an
# abandoned one (no live worker: all were killed) and opens a new one. Returns the crawl id.
_LUA_JOIN = (
    _LUA_CRAWL
    + """
local prefix, spider, worker, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local current_key = prefix .. 'crawl:current:' .. spider
local id = redis.call('GET', current_key)
if id and not others_alive(prefix, id, worker) then
  close_crawl(prefix, spider, id, now)
  id = nil
end
if not id then
  id = tostring(redis.call('INCR', prefix .. 'crawl:seq'))
  redis.call('SET', current_key, id)
  redis.call('HSET', crawl_key(prefix, id), 'spider', spider, 'started_at', now)
end
redis.call('HSET', crawl_key(prefix, id) .. ':workers', worker, 'running')
redis.call('SET', crawl_key(prefix, id) .. ':alive:' .. worker, 'busy', 'EX', ttl)
return id
"""
)

# ARGV: prefix, spider, crawl id, worker, outcome, now. Returns 1 when this closed the crawl.
_LUA_LEAVE = (
    _LUA_CRAWL
    + """
local prefix, spider, id, worker, outcome, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local ck = crawl_key(prefix, id)
redis.call('HSET', ck .. ':workers', worker, outcome)
redis.call('DEL', ck .. ':alive:' .. worker)
if redis.call('HEXISTS', ck, 'outcome') == 1 or others_alive(prefix, id, worker) then return 0 end
close_crawl(prefix, spider, id, now)
return 1
"""
)


PASSWORD_VARIABLE = "NEWSCRAWL_REDIS_PASSWORD"


def redacted(uri: str) -> str:
    """The URI without its password, for messages and logs."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return parts._replace(netloc=f"{user}{host}{port}").geturl()


def connect(uri: str, *, decode: bool = True) -> redis.Redis:
    """A client for ``uri`` that has answered a PING; StateError (one line) when it cannot.

    A URI without a password takes the one in the environment variable
    ``NEWSCRAWL_REDIS_PASSWORD``, if set (redis-py lets the URI's own win): a password in the
    URI shows wherever the crawl's command line does (``ps``, Scrapyd's log of its jobs).
    """
    try:
        client = redis.Redis.from_url(
            uri, decode_responses=decode, socket_timeout=30, socket_connect_timeout=5,
            health_check_interval=30, password=os.environ.get(PASSWORD_VARIABLE) or None,
        )  # fmt: skip
        client.ping()
    except (redis.RedisError, ValueError) as error:
        raise StateError(f"Redis at {redacted(uri)} cannot be used: {error}") from None
    return client


def _history_keys(spider: str) -> tuple[str, str]:
    """The run history's keys: run keys ordered by start time, and run key → run JSON."""
    return f"{PREFIX}history:{spider}:order", f"{PREFIX}history:{spider}:runs"


def _run_key(run: RunRecord) -> str:
    return f"{run.run_id}:{run.worker}"


def _run_json(run: RunRecord) -> str:
    return orjson.dumps(dataclasses.asdict(run)).decode()


def _history_record(text: str | None) -> RunRecord | None:
    """A stored run (None for a missing or unreadable one: history is advisory)."""
    try:
        return RunRecord(**orjson.loads(text)) if text else None
    except (orjson.JSONDecodeError, TypeError):
        return None


@dataclass(frozen=True)
class CrawlKeys:
    """The Redis keys of one cluster-wide crawl."""

    crawl_id: str

    @property
    def base(self) -> str:
        """Prefix of every key of this crawl."""
        return f"{PREFIX}crawl:{self.crawl_id}"

    @property
    def requests(self) -> str:
        """The shared request queue (scrapy-redis priority queue)."""
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        """Fingerprints of every request scheduled in this crawl."""
        return f"{self.base}:dupefilter"

    @property
    def claims(self) -> str:
        """What some worker has taken for itself in this crawl (``<kind>:<key>`` members)."""
        return f"{self.base}:claims"

    def alive(self, worker: str) -> str:
        """A worker's heartbeat: ``busy`` or ``idle``, expiring when the worker stops refreshing it."""
        return f"{self.base}:alive:{worker}"

    @property
    def workers(self) -> str:
        """Worker → outcome (``running`` until it leaves)."""
        return f"{self.base}:workers"

    def stats(self, worker: str) -> str:
        """A worker's final crawl stats (JSON)."""
        return f"{self.base}:stats:{worker}"


def _schedule_text(schedule: Sequence[float]) -> str:
    return ",".join(repr(float(delay)) for delay in sorted(schedule))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _article(url: str, values: list[str | None]) -> ArticleState:
    row = dict(zip(_FIELDS, values, strict=True))

    def number(name: str) -> float | None:
        value = row[name]
        return float(value) if value else None  # None or "" (NULL) → None

    return ArticleState(
        url=url, id=row["id"] or "", lang=row["lang"] or "", translation_key=row["translation_key"] or "",
        first_seen=number("first_seen") or 0.0, last_fetched=number("last_fetched"),
        last_status=int(row["last_status"]) if row["last_status"] else None, etag=row["etag"],
        last_modified=row["last_modified"], sitemap_lastmod=number("sitemap_lastmod"),
        published_at=row["published_at"], content_hash=row["content_hash"],
        version=int(row["version"] or 0), removed=row["removed"] == "1",
    )  # fmt: skip


class RedisStateStore:
    """The crawl state in a Redis database; one instance per worker process."""

    def __init__(
        self, uri: str, *, worker: str = "worker", recheck_schedule: Sequence[float] = (),
        heartbeat_ttl: float = 30.0, history_runs: int = 500,
    ) -> None:  # fmt: skip
        self.uri = uri
        self.location = redacted(uri)
        self.worker = worker
        self.heartbeat_ttl = heartbeat_ttl
        self.history_runs = history_runs
        self.server = connect(uri)
        self.crawl: CrawlKeys | None = None
        self._spider = ""
        try:
            self._record_item = self.server.register_script(_LUA_RECORD_ITEM)
            self._record_fetch = self.server.register_script(_LUA_RECORD_FETCH)
            self._record_not_emitted = self.server.register_script(_LUA_RECORD_NOT_EMITTED)
            self._sitemap_lastmods = self.server.register_script(_LUA_SITEMAP_LASTMODS)
            self._join = self.server.register_script(_LUA_JOIN)
            self._leave = self.server.register_script(_LUA_LEAVE)
            if recheck_schedule:
                self.server.set(f"{PREFIX}recheck:schedule", _schedule_text(recheck_schedule), nx=True)
        except redis.RedisError as error:
            raise StateError(f"Redis at {self.location} cannot be used: {error}") from None

    # --- articles ----------------------------------------------------------------------

    def get_many(self, urls: Iterable[str]) -> dict[str, ArticleState]:
        """Known state of each of ``urls`` (unknown ones are absent)."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, ArticleState] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            pipe = self.server.pipeline(transaction=False)
            for url in chunk:
                pipe.hmget(f"{PREFIX}article:{url}", _FIELDS)
            for url, values in zip(chunk, pipe.execute(), strict=True):
                if values[0] is not None:
                    found[url] = _article(url, values)
        return found

    def get(self, url: str) -> ArticleState | None:
        """Known state of one URL, or None."""
        return self.get_many([url]).get(url)

    def due_for_recheck(self, now: float, schedule: Sequence[float]) -> list[str]:
        """Emitted, live articles with a re-check point in ``(last fetch, now]``."""
        if not schedule:
            return []
        wanted = _schedule_text(schedule)
        if self.server.get(f"{PREFIX}recheck:schedule") != wanted:
            self._rebuild_recheck_index(wanted)
        return list(cast(list[str], self.server.zrangebyscore(f"{PREFIX}recheck", "-inf", now)))

    def _rebuild_recheck_index(self, schedule: str) -> None:
        """Recompute every article's next re-check time for a new schedule (a full scan, rare)."""
        delays = [float(delay) for delay in schedule.split(",")]
        self.server.delete(f"{PREFIX}recheck")
        self.server.set(f"{PREFIX}recheck:schedule", schedule)
        keys = list(self.server.scan_iter(match=f"{PREFIX}article:*", count=1000))
        columns = ("version", "removed", "published_ts", "first_seen", "last_fetched")
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            pipe = self.server.pipeline(transaction=False)
            for key in chunk:
                pipe.hmget(key, columns)
            index: dict[str, float] = {}
            for key, values in zip(chunk, pipe.execute(), strict=True):
                version, removed, published_ts, first_seen, last = values
                if int(version or 0) == 0 or removed == "1":
                    continue
                base = float(published_ts or first_seen or 0)
                points = [base + d for d in delays if base + d > float(last or 0)]
                if points:
                    index[key.removeprefix(f"{PREFIX}article:")] = min(points)
            if index:
                self.server.zadd(f"{PREFIX}recheck", index)

    def content_owner(self, lang: str, content_hash: str) -> str | None:
        """A live article URL in ``lang`` whose content has this hash (cross-run duplicates)."""
        return cast(str | None, self.server.hget(f"{PREFIX}content", f"{lang}:{content_hash}"))

    def record_fetch(
        self, url: str, *, status: int, fetched_at: float, etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:  # fmt: skip
        """A fetch of a known URL that emitted nothing (unchanged, or 304)."""
        self._record_fetch(args=[PREFIX, url, repr(fetched_at), status, _text(etag), _text(last_modified)])

    def record_item(
        self, record: dict[str, Any], *, fetched_at: float, status: int = 200, etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:  # fmt: skip
        """An emitted record (new, updated or removed), once it is durably in the feed."""
        removed = record["status"] == "removed"
        published = iso_epoch(record.get("published_at"))
        self._record_item(args=[
            PREFIX, record["url"], record["id"], record["lang"], record["translation_key"], repr(fetched_at),
            status, _text(etag), _text(last_modified), _text(record.get("published_at")),
            "" if published is None else repr(published), "" if removed else _text(record["content_hash"]),
            record["version"], "1" if removed else "0",
        ])  # fmt: skip

    def record_not_emitted(self, url: str, *, lang: str, slug: str, status: int, fetched_at: float) -> None:
        """A page seen but not emitted (no article, or another URL's duplicate): version 0."""
        self._record_not_emitted(args=[PREFIX, url, lang, slug, status, repr(fetched_at)])

    def record_sitemap_lastmods(self, lastmods: Iterable[tuple[str, float]]) -> None:
        """Remember the ``lastmod`` sitemaps give for known URLs."""
        pairs = [value for url, lastmod in lastmods for value in (url, repr(lastmod))]
        for start in range(0, len(pairs), 2 * _CHUNK):
            self._sitemap_lastmods(args=[PREFIX, *pairs[start : start + 2 * _CHUNK]])

    # --- sitemaps and feeds --------------------------------------------------------------

    def resource(self, url: str) -> ResourceState | None:
        """Validators of a sitemap or feed from its last fetch."""
        fields = ("etag", "last_modified", "lastmod", "fetched_at")
        values = cast(list[str | None], self.server.hmget(f"{PREFIX}resource:{url}", fields))
        etag, last_modified, lastmod, fetched_at = values
        if fetched_at is None:
            return None
        return ResourceState(url, etag or None, last_modified or None, float(lastmod) if lastmod else None,
                             float(fetched_at))  # fmt: skip

    def record_resource(self, state: ResourceState) -> None:
        """Store a sitemap's or feed's validators."""
        self.server.hset(f"{PREFIX}resource:{state.url}", mapping={
            "etag": _text(state.etag), "last_modified": _text(state.last_modified),
            "lastmod": "" if state.lastmod is None else repr(state.lastmod),
            "fetched_at": repr(state.fetched_at),
        })  # fmt: skip

    # --- runs: cluster-wide crawls ---------------------------------------------------------

    def start_run(self, spider: str, started_at: float, details: dict[str, Any] | None = None) -> int:
        """Join the crawl of ``spider`` other workers are running, or open a new one; this
        worker's run enters the history (the latest ``history_runs`` are kept)."""
        ttl = max(1, math.ceil(self.heartbeat_ttl))
        crawl_id = self._join(args=[PREFIX, spider, self.worker, repr(started_at), ttl])
        self.crawl, self._spider = CrawlKeys(str(crawl_id)), spider
        run = RunRecord(int(crawl_id), spider, self.worker, started_at, None, None, details or {}, None)
        order, runs = _history_keys(spider)
        with self.server.pipeline() as pipe:
            pipe.hset(runs, _run_key(run), _run_json(run))
            pipe.zadd(order, {_run_key(run): started_at})
            pipe.execute()
        dropped = cast(list[str], self.server.zrange(order, 0, -self.history_runs - 1))
        if dropped:
            self.server.zrem(order, *dropped)
            self.server.hdel(runs, *dropped)
        return int(crawl_id)

    def claim(self, key: str) -> bool:
        """True for the first worker of the crawl to claim ``key`` (within-run duplicates)."""
        assert self.crawl is not None, "claims belong to a crawl: start_run first"
        return bool(self.server.sadd(self.crawl.claims, key))

    def heartbeat(self, status: str) -> None:
        """Tell peers this worker is alive and ``busy`` or ``idle`` (expires after the TTL)."""
        if self.crawl is not None:
            ttl = max(1, math.ceil(self.heartbeat_ttl))
            self.server.set(self.crawl.alive(self.worker), status, ex=ttl)

    def peers_may_add_work(self) -> bool:
        """True while the crawl has queued requests or another worker says it is busy."""
        crawl = self.crawl
        assert crawl is not None, "peers belong to a crawl: start_run first"
        if self.server.zcard(crawl.requests):
            return True
        peers = [w for w in cast(list[str], self.server.hkeys(crawl.workers)) if w != self.worker]
        if not peers:
            return False
        return any(status == "busy" for status in self.server.mget([crawl.alive(p) for p in peers]))

    def save_worker_stats(self, stats: dict[str, Any]) -> None:
        """Keep this worker's final stats in the crawl (``crawl_stats`` sums them)."""
        assert self.crawl is not None, "stats belong to a crawl: start_run first"
        self.server.set(self.crawl.stats(self.worker), orjson.dumps(stats, default=str))

    def finish_run(
        self, run_id: int, finished_at: float, outcome: str, summary: dict[str, Any] | None = None
    ) -> None:
        """Leave the crawl (the last worker to leave closes it and drops its frontier); record
        this worker's end and health report in the history."""
        self._leave(args=[PREFIX, self._spider, str(run_id), self.worker, outcome, repr(finished_at)])
        _, runs = _history_keys(self._spider)
        key = f"{run_id}:{self.worker}"
        started = _history_record(cast(str | None, self.server.hget(runs, key)))
        if started is not None:
            done = dataclasses.replace(started, finished_at=finished_at, outcome=outcome, summary=summary)
            self.server.hset(runs, key, _run_json(done))

    def run_history(self, spider: str, limit: int) -> list[RunRecord]:
        """The latest ``limit`` runs of ``spider`` (one per worker of a cluster crawl), oldest first."""
        order, runs = _history_keys(spider)
        names = cast(list[str], self.server.zrange(order, -limit, -1)) if limit > 0 else []
        texts = cast(list[str | None], self.server.hmget(runs, names)) if names else []
        return [run for text in texts if (run := _history_record(text)) is not None]

    def last_completed_run(self, spider: str) -> tuple[float, float] | None:
        """``(start, finish)`` of the latest crawl of ``spider`` in which every worker finished."""
        latest = cast(list[str], self.server.zrevrange(f"{PREFIX}crawls:completed:{spider}", 0, 0))
        if not latest:
            return None
        # A crawl is in crawls:completed only once close_crawl has set both times.
        crawl_key = f"{PREFIX}crawl:{latest[0]}"
        started, finished = cast(list[str], self.server.hmget(crawl_key, ("started_at", "finished_at")))
        return float(started), float(finished)

    def close(self) -> None:
        """Close the connection pool."""
        self.server.close()
