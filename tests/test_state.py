"""The crawl state: round trips on both backends (SQLite, Redis), SQLite locking and corruption,
and the state pipeline."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.items import ArticleItem, complete_record
from newscrawl.normalize.text import article_id
from newscrawl.pipelines import StatePipeline
from newscrawl.state import ResourceState, SqliteStateStore, StateError, default_state_path, open_state
from newscrawl.state.keeper import FETCH_KEY, StateKeeper

URL = "https://www.vietnam.vn/en/bai-viet-thu-nghiem-so-mot"


def record(status="new", version=1, content_hash="h1", url=URL):
    return complete_record({
        "id": article_id(url), "url": url, "lang": "en", "translation_key": url.rsplit("/", 1)[1],
        "status": status, "version": version, "content_hash": content_hash,
        "published_at": "2026-05-26T10:30:00+07:00",
    })  # fmt: skip


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    """Each backend in turn: the same tests hold for both (same semantics)."""
    sqlite = request.param == "sqlite"
    uri = str(tmp_path / "state.sqlite3") if sqlite else request.getfixturevalue("redis_url")
    store = open_state(uri)
    yield store
    store.close()


def test_item_round_trip_and_updates(store):
    assert store.get(URL) is None
    store.record_item(record(), fetched_at=100.0, etag='"abc"', last_modified="Tue, 26 May 2026 03:30:00 GMT")
    state = store.get(URL)
    assert state is not None
    assert (state.version, state.content_hash, state.etag, state.first_seen, state.removed) == (
        1, "h1", '"abc"', 100.0, False,
    )  # fmt: skip
    store.record_fetch(URL, status=304, fetched_at=200.0)
    state = store.get(URL)
    assert state.last_fetched == 200.0 and state.last_status == 304 and state.etag == '"abc"'
    store.record_item(record("updated", 2, "h2"), fetched_at=300.0)
    store.record_item(record("removed", 2, ""), fetched_at=400.0, status=410)
    state = store.get(URL)
    assert state.version == 2 and state.removed and state.content_hash == "h2" and state.first_seen == 100.0


def test_get_many_handles_more_urls_than_sqlite_variables(store):
    urls = [f"{URL}-{i}" for i in range(1200)]
    for url in urls[::3]:
        store.record_item(record(url=url), fetched_at=1.0)
    found = store.get_many(urls)
    assert set(found) == set(urls[::3])


def test_hostile_values_are_data_not_sql(store):
    url = URL + "'); DROP TABLE articles; --"
    store.record_item(record(url=url), fetched_at=1.0)
    assert store.get(url) is not None and store.get(URL) is None


def test_resources_and_runs(store):
    store.record_resource(ResourceState("https://www.vietnam.vn/sitemap.xml", '"e"', None, 5.0, 6.0))
    assert store.resource("https://www.vietnam.vn/sitemap.xml").etag == '"e"'
    assert store.last_completed_run("vietnamvn") is None
    first = store.start_run("vietnamvn", 10.0)
    store.finish_run(first, 11.0, "finished")
    store.finish_run(store.start_run("vietnamvn", 20.0), 21.0, "shutdown")
    store.start_run("vietnamvn", 30.0)  # killed: never finished
    assert store.last_completed_run("vietnamvn") == (10.0, 11.0)


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_run_history_keeps_runs_with_their_reports_and_only_the_latest(backend, request, tmp_path):
    uri = str(tmp_path / "state.sqlite3") if backend == "sqlite" else request.getfixturevalue("redis_url")
    store = open_state(uri, history_runs=3)
    try:
        for n in range(4):
            run = store.start_run("vietnamvn", 10.0 * n, {"mode": "full", "arguments": {"langs": ["vi"]}})
            store.finish_run(run, 10.0 * n + 5, "finished", {"articles": {"emitted": n}, "healthy": True})
        killed = store.start_run("vietnamvn", 100.0, {"mode": "incremental"})  # kill -9: never finished
        store.start_run("other", 1.0)
        runs = store.run_history("vietnamvn", 10)
    finally:
        store.close()
    assert [r.started_at for r in runs] == [20.0, 30.0, 100.0]  # the latest three, oldest first
    assert [r.outcome for r in runs] == ["finished", "finished", None]
    assert runs[0].summary == {"articles": {"emitted": 2}, "healthy": True} and runs[0].finished_at == 25.0
    assert runs[0].details == {"mode": "full", "arguments": {"langs": ["vi"]}}
    assert runs[-1].run_id == killed and runs[-1].summary is None
    assert runs[-1].details == {"mode": "incremental"}
    assert all(r.spider == "vietnamvn" for r in runs)


def test_a_schema_1_state_gains_the_run_history(tmp_path):
    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, spider TEXT NOT NULL, "
            "started_at REAL NOT NULL, finished_at REAL, outcome TEXT)"
        )
        db.execute(
            "INSERT INTO runs (spider, started_at, finished_at, outcome) "
            "VALUES ('vietnamvn', 1, 2, 'finished')"
        )
        db.execute("PRAGMA user_version=1")
    store = open_state(str(path))
    store.finish_run(store.start_run("vietnamvn", 3.0, {"mode": "full"}), 4.0, "finished", {"healthy": True})
    runs = store.run_history("vietnamvn", 10)
    store.close()
    assert [(r.started_at, r.details, r.summary) for r in runs] == [
        (1.0, {}, None),
        (3.0, {"mode": "full"}, {"healthy": True}),
    ]


def test_the_history_is_read_beside_a_running_crawl_without_its_lock(tmp_path):
    path = tmp_path / "state.sqlite3"
    with pytest.raises(StateError, match="no crawl state at"):
        open_state(str(path), read_only=True)
    crawl = open_state(str(path))  # holds the lock, as a running crawl does
    crawl.finish_run(crawl.start_run("vietnamvn", 1.0), 2.0, "finished", {"healthy": True})
    reader = open_state(str(path), read_only=True)
    assert [r.summary for r in reader.run_history("vietnamvn", 5)] == [{"healthy": True}]
    with pytest.raises(sqlite3.OperationalError):
        reader.start_run("vietnamvn", 3.0)
    reader.close()
    crawl.close()


def test_state_survives_reopening(tmp_path):
    path = tmp_path / "state.sqlite3"
    store = open_state(str(path))
    store.record_item(record(), fetched_at=1.0)
    store.close()
    again = open_state(str(path))
    assert again.get(URL).content_hash == "h1"
    again.close()


def test_a_second_crawl_on_the_same_file_is_refused_naming_it(tmp_path):
    first = open_state(str(tmp_path / "state.sqlite3"))
    with pytest.raises(StateError, match=r"state\.sqlite3 is locked by pid \d+"):
        open_state(str(tmp_path / "state.sqlite3"))
    first.close()


def test_lock_held_by_another_process(tmp_path):
    path = tmp_path / "state.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"from newscrawl.state import open_state; s = open_state({str(path)!r}); "
         "print('ready', flush=True); import time; time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StateError, match="locked"):
            open_state(str(path))
    finally:
        holder.kill()
        holder.wait()
    open_state(str(path)).close()  # released when the holder died


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\x00" * 50 + b"garbage" * 500],
)
def test_corrupt_file_is_reported_by_name_and_left_alone(tmp_path, content):
    path = tmp_path / "state.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StateError, match=str(path)):
        open_state(str(path))
    assert path.read_bytes() == content  # never silently reset


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(StateError, match="schema 99"):
        open_state(str(path))


def test_unwritable_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StateError, match="cannot be opened"):
        open_state(str(blocker / "state.sqlite3"))


def test_default_path_is_absolute_and_outside_the_project(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_state_path() == tmp_path / "newscrawl" / "state.sqlite3"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert default_state_path().is_absolute()
    store = open_state("")
    assert isinstance(store, SqliteStateStore)
    store.close()


def test_unreachable_redis_is_one_clear_error_without_the_password():
    from tests.scrapyd_service import free_port

    uri = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    expected = r"Redis at redis://:\*\*\*@127\.0\.0\.1:\d+/0 cannot be used"
    with pytest.raises(StateError, match=expected) as error:
        open_state(uri)
    assert "s3cret" not in str(error.value)


def _pipeline(store, monkeypatch):
    crawler = get_crawler()
    crawler.stats.open_spider()
    monkeypatch.setattr("newscrawl.pipelines.find_keeper", lambda crawler: StateKeeper(crawler, store))
    return crawler, StatePipeline.from_crawler(crawler)


def test_state_pipeline_sets_status_and_version(store, monkeypatch):
    crawler, pipeline = _pipeline(store, monkeypatch)
    first = pipeline.process_item(ArticleItem(record()))
    assert (first["status"], first["version"]) == ("new", 1)
    store.record_item(dict(first), fetched_at=1.0)
    changed = pipeline.process_item(ArticleItem(record(content_hash="h2")))
    assert (changed["status"], changed["version"]) == ("updated", 2)
    store.record_item(dict(changed), fetched_at=2.0)
    fetch = {"fetched_at": 3.0, "status": 200, "etag": "e"}
    same = ArticleItem(record(content_hash="h2"), **{FETCH_KEY: fetch})
    with pytest.raises(DropItem, match="unchanged"):
        pipeline.process_item(same)
    assert store.get(URL).last_fetched == 3.0 and store.get(URL).etag == "e"
    assert crawler.stats.get_value("newscrawl/unchanged") == 1
    tombstone = pipeline.process_item(ArticleItem(record("removed", 1, "")))
    assert tombstone["version"] == 2


def test_state_pipeline_drops_tombstones_of_unknown_articles(store, monkeypatch):
    crawler, pipeline = _pipeline(store, monkeypatch)
    with pytest.raises(DropItem, match="removed_unknown"):
        pipeline.process_item(ArticleItem(record("removed", 1, "")))
    store.record_not_emitted(URL, lang="en", slug="x", status=200, fetched_at=1.0)
    with pytest.raises(DropItem, match="removed_unknown"):
        pipeline.process_item(ArticleItem(record("removed", 1, "")))
    assert pipeline.process_item(ArticleItem(record()))["status"] == "new"


def test_due_for_recheck_agrees_with_the_python_rule(store):
    import random

    from newscrawl.state.incremental import parse_durations, recheck_due

    schedule = parse_durations("1h,1d,7d,30d")
    rng = random.Random(5)
    now = 1_790_000_000.0
    for i in range(300):
        url = f"{URL}-{i}"
        published = now - rng.uniform(0, 60 * 86400)
        iso = datetime.fromtimestamp(published, UTC).isoformat()
        item = dict(record(url=url), published_at=iso)
        store.record_item(item, fetched_at=published + rng.uniform(0, 60 * 86400))
    store.record_item(dict(record(url=URL + "-gone", status="removed")), fetched_at=1.0)
    due = set(store.due_for_recheck(now, schedule))
    expected = {url for url, state in store.get_many(f"{URL}-{i}" for i in range(300)).items()
                if recheck_due(state, now, schedule)}  # fmt: skip
    assert due == expected and 0 < len(due) < 300
