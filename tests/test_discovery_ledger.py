"""The discovery ledger: which paths found each article URL, and what this run requested."""

from scrapy.utils.test import get_crawler

from newscrawl import stats as keys
from newscrawl.discovery.ledger import FEED, LINK, LISTING, SITEMAP, STATE, DiscoveryLedger
from newscrawl.items import tombstone

A, B, C = (f"https://www.vietnam.vn/en/bai-viet-{n}" for n in ("a", "b", "c"))


def test_found_tells_whether_the_url_was_requested_already():
    ledger = DiscoveryLedger()
    assert not ledger.found(A, LISTING)
    ledger.requested(A)
    assert ledger.found(A, SITEMAP)
    assert ledger.paths(A) == {LISTING, SITEMAP}


def test_counts_per_path_and_only_that_path():
    ledger = DiscoveryLedger()
    ledger.found(A, LISTING)
    ledger.requested(A)
    ledger.found(A, SITEMAP)
    ledger.found(B, SITEMAP)
    ledger.requested(B)
    ledger.found(C, FEED)
    counts = ledger.counts()
    assert counts[LISTING] == (1, 0)
    assert counts[SITEMAP] == (2, 1)
    assert counts[FEED] == (1, 1)
    assert counts[LINK] == counts[STATE] == (0, 0)
    crawler = get_crawler()
    crawler.stats.open_spider()
    ledger.report(crawler.stats)
    assert crawler.stats.get_value(keys.discovery(SITEMAP)) == 2
    assert crawler.stats.get_value(keys.discovery_only(SITEMAP)) == 1
    assert crawler.stats.get_value(keys.discovery_only(LINK)) == 0


def test_many_urls_are_told_apart():
    ledger = DiscoveryLedger()
    urls = [f"https://www.vietnam.vn/bai-viet-{n}" for n in range(20_000)]
    for url in urls:
        assert not ledger.found(url, LISTING)
    for url in urls[::2]:
        ledger.requested(url)
    assert [ledger.found(url, LINK) for url in urls[:4]] == [True, False, True, False]
    assert ledger.counts()[LISTING] == (20_000, 19_996)  # four also found by links now


def test_a_tombstone_is_a_complete_removed_record():
    record = tombstone(A, "en", "bai-viet-a", 0.0)
    assert record["status"] == "removed" and record["url"] == A and record["translation_key"] == "bai-viet-a"
    assert record["crawled_at"] == "1970-01-01T00:00:00+00:00" and record["id"]
