"""Distributed crawling pieces on a real Redis: crawl membership, keys, scheduler, filter, settings."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import pytest
import redis
from scrapy import Request, Spider
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl import settings as project_settings
from newscrawl.checks import settings_problem
from newscrawl.cluster.scheduler import (
    TAKEN,
    ClusterScheduler,
    ClusterWorker,
    FingerprintDupeFilter,
    crawl_stats,
)
from newscrawl.cluster.workers import FEED_WITH_WORKER, cluster_settings, worker_id
from newscrawl.items import complete_record
from newscrawl.normalize.text import article_id
from newscrawl.state import StateError, open_state
from newscrawl.state.incremental import parse_durations, recheck_due
from newscrawl.state.redis_store import PASSWORD_VARIABLE, CrawlKeys, RedisStateStore, connect
from tests.redis_service import running_redis
from tests.scrapyd_service import free_port

SPIDER = "vietnamvn"
URL = "https://www.vietnam.vn/en/bai-viet-thu-nghiem"


def project(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


@pytest.fixture
def workers(redis_url):
    opened: list[RedisStateStore] = []

    def open_worker(name: str) -> RedisStateStore:
        store = open_state(redis_url, worker=name, heartbeat_ttl=30)
        assert isinstance(store, RedisStateStore)
        opened.append(store)
        return store

    yield open_worker
    for store in opened:
        store.close()


def killed(store: RedisStateStore) -> None:
    """What a kill -9 leaves: the heartbeat expires, nothing else happens."""
    assert store.crawl is not None
    store.server.delete(store.crawl.alive(store.worker))


def test_workers_join_one_crawl_and_the_last_to_leave_closes_it(workers):
    one, two = workers("w1"), workers("w2")
    crawl = one.start_run(SPIDER, 100.0)
    assert two.start_run(SPIDER, 105.0) == crawl
    keys = CrawlKeys(str(crawl))
    one.server.sadd(keys.dupefilter, "fp")
    one.server.zadd(keys.requests, {"req": 0})
    one.finish_run(crawl, 110.0, "finished")
    # A closing worker leaves the shared frontier to its running peer.
    assert one.server.exists(keys.dupefilter, keys.requests) == 2
    assert one.last_completed_run(SPIDER) is None
    two.finish_run(crawl, 120.0, "finished")
    assert one.server.exists(keys.dupefilter, keys.requests) == 0
    assert one.last_completed_run(SPIDER) == (100.0, 120.0)
    # The next crawl starts afresh on keys of its own.
    assert one.start_run(SPIDER, 200.0) == crawl + 1


def test_a_crawl_a_worker_was_killed_in_is_not_completed(workers):
    one, two = workers("w1"), workers("w2")
    crawl = one.start_run(SPIDER, 100.0)
    two.start_run(SPIDER, 101.0)
    killed(two)
    one.finish_run(crawl, 110.0, "finished")
    assert one.server.hget(f"newscrawl:crawl:{crawl}", "outcome") == "incomplete"
    assert one.last_completed_run(SPIDER) is None


def test_a_crawl_whose_workers_all_died_is_closed_by_the_next_worker(workers):
    one, two = workers("w1"), workers("w2")
    crawl = one.start_run(SPIDER, 100.0)
    one.server.sadd(CrawlKeys(str(crawl)).dupefilter, "fp")
    killed(one)
    assert two.start_run(SPIDER, 200.0) == crawl + 1
    assert two.server.hget(f"newscrawl:crawl:{crawl}", "outcome") == "incomplete"
    assert not two.server.exists(CrawlKeys(str(crawl)).dupefilter)


def test_a_worker_stopped_by_hand_makes_the_crawl_incomplete(workers):
    one = workers("w1")
    crawl = one.start_run(SPIDER, 100.0)
    one.finish_run(crawl, 110.0, "shutdown")
    assert one.last_completed_run(SPIDER) is None


def test_crawls_of_different_spiders_do_not_mix(workers):
    one, two = workers("w1"), workers("w2")
    assert one.start_run(SPIDER, 1.0) != two.start_run("other", 2.0)


def test_recheck_index_kept_on_writes_agrees_with_the_python_rule(redis_url):
    schedule = parse_durations("1h,1d,7d,30d")
    store = open_state(redis_url, recheck_schedule=schedule)
    rng = random.Random(3)
    now = 1_790_000_000.0
    urls = [f"{URL}-{i}" for i in range(200)]
    for url in urls:
        published = now - rng.uniform(0, 60 * 86400)
        iso = datetime.fromtimestamp(published, UTC).isoformat()
        record = complete_record({
            "id": article_id(url), "url": url, "lang": "en", "translation_key": "x", "status": "new",
            "version": 1, "content_hash": "h", "published_at": iso,
        })  # fmt: skip
        store.record_item(record, fetched_at=published + rng.uniform(0, 40 * 86400))
        if rng.random() < 0.3:
            store.record_fetch(url, status=304, fetched_at=now - rng.uniform(0, 3 * 86400))
    expected = {url for url, state in store.get_many(urls).items() if recheck_due(state, now, schedule)}
    assert set(store.due_for_recheck(now, schedule)) == expected and 0 < len(expected) < 200
    # A different schedule rebuilds the index rather than answering for the old one.
    other = parse_durations("2h,3d")
    expected = {url for url, state in store.get_many(urls).items() if recheck_due(state, now, other)}
    assert set(store.due_for_recheck(now, other)) == expected
    store.close()


def test_content_index_follows_changes_and_removals(redis_url):
    store = open_state(redis_url)

    def record(status: str, digest: str) -> dict:
        return complete_record({"id": article_id(URL), "url": URL, "lang": "en", "translation_key": "x",
                                "status": status, "version": 1, "content_hash": digest})  # fmt: skip

    store.record_item(record("new", "h1"), fetched_at=1.0)
    assert store.content_owner("en", "h1") == URL and store.content_owner("vi", "h1") is None
    store.record_item(record("updated", "h2"), fetched_at=2.0)
    assert store.content_owner("en", "h1") is None and store.content_owner("en", "h2") == URL
    store.record_item(record("removed", ""), fetched_at=3.0)
    assert store.content_owner("en", "h2") is None and store.get(URL).content_hash == "h2"
    store.close()


def test_the_duplicate_filter_uses_scrapys_request_fingerprinter(redis_url):
    crawler = get_crawler(settings_dict={"REQUEST_FINGERPRINTER_CLASS": "tests.test_cluster.PathOnly"})
    server = connect(redis_url, decode=False)
    dupes = FingerprintDupeFilter(server, "newscrawl:test:dupefilter", crawler)
    assert not dupes.request_seen(Request("http://127.0.0.1/a?utm_source=x"))
    assert dupes.request_seen(Request("http://127.0.0.1/a?utm_source=y"))  # same to the fingerprinter
    dupes.close("finished")
    assert server.exists("newscrawl:test:dupefilter")  # peers still need it
    server.close()


class PathOnly:
    """A fingerprinter that ignores the query (as a project might), for the test above."""

    def fingerprint(self, request: Request) -> bytes:
        return request.url.split("?")[0].encode()


# Also: nothing here takes a deprecated path of Scrapy 2.19 (scrapy-redis's own from_settings,
# stats calls with a spider argument).
@pytest.mark.filterwarnings("error::DeprecationWarning")
@pytest.mark.filterwarnings("error::scrapy.exceptions.ScrapyDeprecationWarning")
def test_the_scheduler_persists_the_shared_queue_when_a_worker_closes(redis_url):
    server = connect(redis_url, decode=False)
    crawler = get_crawler(Spider)
    crawler.spider = Spider("vietnamvn")
    keys = CrawlKeys("7")
    scheduler = ClusterScheduler(
        server=server, persist=True, queue_key=keys.requests,
        dupefilter=FingerprintDupeFilter(server, keys.dupefilter, crawler),
    )  # fmt: skip
    scheduler.stats = crawler.stats
    scheduler.open(crawler.spider)
    assert scheduler.enqueue_request(Request("http://127.0.0.1/a"))
    assert not scheduler.enqueue_request(Request("http://127.0.0.1/a"))  # seen by this crawl
    assert scheduler.enqueue_request(Request("http://127.0.0.1/a", dont_filter=True))
    # A request a worker took from the shared queue to wake its engine is kept, not filtered.
    taken = Request("http://127.0.0.1/a", meta={TAKEN: True})
    assert scheduler.enqueue_request(taken) and scheduler.next_request() is taken
    assert TAKEN not in taken.meta
    scheduler.close("finished")
    check = connect(redis_url, decode=False)
    assert check.zcard(keys.requests) == 2 and check.scard(keys.dupefilter) == 1
    check.close()
    # A worker joining while peers have queued work (scrapy-redis announces that through the
    # deprecated Spider.log()).
    joining = ClusterScheduler(
        server=connect(redis_url, decode=False), persist=True, queue_key=keys.requests,
        dupefilter=FingerprintDupeFilter(server, keys.dupefilter, crawler),
    )  # fmt: skip
    joining.stats = crawler.stats
    joining.open(crawler.spider)
    assert joining.next_request() is not None
    joining.close("finished")


def test_idle_worker_waits_while_a_peer_is_busy_or_work_is_queued(workers):
    one, two = workers("w1"), workers("w2")
    crawl = one.start_run(SPIDER, 1.0)
    two.start_run(SPIDER, 1.0)
    two.heartbeat("busy")
    assert one.peers_may_add_work()
    two.heartbeat("idle")
    assert not one.peers_may_add_work()
    one.server.zadd(CrawlKeys(str(crawl)).requests, {"req": 0})
    assert one.peers_may_add_work()


def test_idle_worker_closes_only_after_the_crawl_has_been_quiet_for_the_idle_timeout(workers, monkeypatch):
    one, two = workers("w1"), workers("w2")
    one.start_run(SPIDER, 1.0)
    two.start_run(SPIDER, 1.0)
    crawler = get_crawler(settings_dict={"NEWSCRAWL_STATE_URI": one.uri, "NEWSCRAWL_IDLE_TIMEOUT": 0.3})
    monkeypatch.setattr("newscrawl.cluster.scheduler.find_state", lambda crawler: one)
    worker = ClusterWorker(crawler)
    two.heartbeat("busy")
    with pytest.raises(DontCloseSpider):
        worker.spider_idle(crawler.spider)
    two.heartbeat("idle")
    with pytest.raises(DontCloseSpider):  # quiet, but not for long enough yet
        worker.spider_idle(crawler.spider)
    time.sleep(0.35)
    worker.spider_idle(crawler.spider)  # may close
    assert crawler.stats.get_value("newscrawl/cluster/waits") == 1


def test_worker_stats_are_kept_per_worker_and_summed(redis_url):
    server = redis.Redis.from_url(redis_url)
    server.set(CrawlKeys("3").stats("a"), b'{"item_scraped_count": 2, "finish_reason": "finished"}')
    server.set(CrawlKeys("3").stats("b"), b'{"item_scraped_count": 5}')
    stats = crawl_stats(server, "3")
    assert stats["total"] == {"item_scraped_count": 7}
    assert set(stats["workers"]) == {"a", "b"}


def test_cluster_settings_switch_on_with_a_redis_uri_only(redis_url):
    assert cluster_settings(project()) == {}
    changes = cluster_settings(project(NEWSCRAWL_STATE_URI=redis_url))
    assert changes["SCHEDULER"] == "newscrawl.cluster.scheduler.ClusterScheduler"
    assert changes["SCHEDULER_PERSIST"]
    assert changes["DUPEFILTER_CLASS"] == "newscrawl.cluster.scheduler.FingerprintDupeFilter"
    assert list(changes["FEEDS"]) == [FEED_WITH_WORKER]
    assert changes["EXTENSIONS"]["newscrawl.cluster.scheduler.ClusterWorker"] > changes["EXTENSIONS"][
        "newscrawl.state.keeper.StateKeeper"
    ]
    # A feed the user chose is left alone; the stats collector stays Scrapy's own.
    chosen = project(NEWSCRAWL_STATE_URI=redis_url, FEEDS={"out.jsonl": {"format": "jsonlines"}})
    assert "FEEDS" not in cluster_settings(chosen)
    assert "scrapy_redis" not in project(NEWSCRAWL_STATE_URI=redis_url)["STATS_CLASS"]


def test_worker_id_is_safe_in_file_names():
    assert worker_id(project(NEWSCRAWL_WORKER_ID="node 1/a")) == "node_1_a"
    assert worker_id(project()).rsplit("-", 1)[1].isdigit()


def test_cluster_setting_problems_are_one_line(redis_url):
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    assert "NEWSCRAWL_STATE_URI" in settings_problem(project(NEWSCRAWL_STATE_URI=unreachable))
    assert "NEWSCRAWL_STATE_ENABLED" in settings_problem(
        project(NEWSCRAWL_STATE_URI=redis_url, NEWSCRAWL_STATE_ENABLED=False)
    )
    assert "NEWSCRAWL_WORKER_TIMEOUT" in settings_problem(
        project(NEWSCRAWL_STATE_URI=redis_url, NEWSCRAWL_WORKER_TIMEOUT=1, NEWSCRAWL_HEARTBEAT_INTERVAL=2)
    )
    assert settings_problem(project(NEWSCRAWL_STATE_URI=redis_url)) is None
    # Checking does not join a crawl.
    assert not redis.Redis.from_url(redis_url).exists("newscrawl:crawl:seq")


def test_the_password_can_come_from_the_environment(tmp_path, monkeypatch):
    """A URI without a password uses NEWSCRAWL_REDIS_PASSWORD; no message ever shows one."""
    with running_redis(tmp_path / "redis", password="s3cret") as url:
        monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
        with pytest.raises(StateError, match="uthentication") as refused:
            connect(url)
        monkeypatch.setenv(PASSWORD_VARIABLE, "wrong")
        with pytest.raises(StateError):
            connect(url)
        with pytest.raises(StateError) as in_uri:
            connect(url.replace("redis://", "redis://:bad-one@"))
        assert "s3cret" not in str(refused.value) and "bad-one" not in str(in_uri.value)
        monkeypatch.setenv(PASSWORD_VARIABLE, "s3cret")
        assert connect(url).ping()
        store = open_state(url, worker="w1")
        store.close()
