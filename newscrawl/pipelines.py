"""Item pipelines: validate, deduplicate within the run, then against the crawl state.

Every drop raises DropItem with a short reason and counts it under
``newscrawl/dropped/<reason>`` in the crawl stats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from newscrawl import stats as keys
from newscrawl.items import RECORD_KEYS, fields_of
from newscrawl.sites.profile import SiteProfile, crawl_site
from newscrawl.state.keeper import FETCH_KEY, find_keeper
from newscrawl.urls import ARTICLE, UrlMapper

_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def drop(stats: StatsCollector, reason: str, detail: str) -> DropItem:
    """Count a drop under ``newscrawl/dropped/<reason>`` and build the DropItem to raise."""
    stats.inc_value(keys.dropped(reason))
    return DropItem(f"{reason}: {detail}", log_level="INFO")


def crawled_site(crawler: Crawler) -> SiteProfile:
    """The profile of the site the crawl's spider crawls (its class's, before it is built)."""
    site = getattr(crawler.spider, "site", None)
    if isinstance(site, SiteProfile):
        return site
    return crawl_site(crawler.settings, getattr(crawler.spidercls, "site", None))


def is_canonical_article_url(url: str, mapper: UrlMapper) -> bool:
    """Whether ``url`` is an article URL of the mapper's site, written canonically."""
    # Not cached: every record has a URL of its own (a full cache of them held 8 MB for nothing).
    found = mapper.parse(url, cache=False)
    return found is not None and found.kind == ARTICLE and found.canonical == url


def problems(record: Mapping[str, Any], mapper: UrlMapper) -> list[str]:
    """What makes a record break the output contract (empty list: it is valid); its URL must be
    a canonical article URL of the mapper's site."""
    found = [f"missing key {key}" for key in RECORD_KEYS if key not in record]
    if found:
        return found
    if not record["title"]:
        found.append("no_title")
    if not record["body"]:
        found.append("no_body")
    if not is_canonical_article_url(record["url"] or "", mapper):
        found.append("bad_url")
    for key in ("published_at", "modified_at"):
        if record[key] is not None and not _ISO.match(record[key]):
            found.append(f"bad_{key}")
    return found


class ValidatePipeline:
    """Drop records without a title or body, or that break the contract, with a counted reason."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._mapper: UrlMapper | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        """Build from the crawler (the site is the spider's, looked up with the first item)."""
        return cls(crawler)

    @property
    def mapper(self) -> UrlMapper:
        """Canonical URLs of the site the spider crawls."""
        if self._mapper is None:
            self._mapper = UrlMapper(None, crawled_site(self.crawler))
        return self._mapper

    def process_item(self, item: Any) -> Any:
        """Pass valid items on; raise DropItem for the rest."""
        record = fields_of(item)
        if record.get("status") == "removed":  # tombstones carry only id and url
            return item
        found = problems(record, self.mapper)
        if found:
            raise drop(self.stats, found[0], str(record.get("url")))
        return item


def remember_not_emitted(crawler: Crawler, record: MutableMapping[str, Any]) -> None:
    """Tell the state keeper of a page that gave no record, so incremental runs skip it."""
    keeper = find_keeper(crawler)
    if keeper is not None:
        fetch = record.get(FETCH_KEY) or {}
        keeper.record_not_emitted(
            record["url"], lang=record["lang"], slug=record["translation_key"], fetch=fetch
        )


class DeduplicatePipeline:
    """Drop a second record with the same canonical URL, or the same content in one language.

    Keeps 64-bit digests rather than strings so memory stays small on long crawls; the
    workers of a distributed crawl claim them in Redis instead, so the first worker wins.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.seen_urls: set[int] = set()
        self.seen_content: set[int] = set()
        # The cluster-wide claim of a shared (Redis) state, else None.
        self.claim: Callable[[str], bool] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeduplicatePipeline:
        """Build from the crawler."""
        return cls(crawler)

    def open_spider(self) -> None:
        """Use the crawl's shared claims when it runs on a cluster."""
        keeper = find_keeper(self.crawler)
        self.claim = keeper.claim if keeper is not None and keeper.shares_claims else None

    def _first(self, claim: str, local_key: int, seen: set[int]) -> bool:
        """True the first time this crawl meets a key: ``claim`` in Redis, else ``local_key``."""
        if self.claim is not None:
            return self.claim(claim)
        if local_key in seen:
            return False
        seen.add(local_key)
        return True

    def process_item(self, item: Any) -> Any:
        """Pass the first record of each URL and of each (language, content); drop repeats."""
        record = fields_of(item)
        if not self._first(f"url:{record['id']}", int(record["id"][:16], 16), self.seen_urls):
            raise drop(self.stats, "duplicate_url", record["url"])
        if record.get("status") == "removed":
            return item
        lang, digest = record["lang"], record["content_hash"]
        if not self._first(f"content:{lang}:{digest}", hash((lang, digest)), self.seen_content):
            remember_not_emitted(self.crawler, record)
            raise drop(self.stats, "duplicate_content", record["url"])
        return item


class StatePipeline:
    """Compare each record with the crawl state: emit new and changed articles, count the rest.

    Sets ``status`` (``new``/``updated``) and ``version``; an article whose content hash is
    unchanged is not emitted again (``newscrawl/unchanged``), whatever the mode, nor one whose
    text another URL in its language already carries (``duplicate_content``). The state
    itself is written by :class:`newscrawl.state.keeper.StateKeeper`: emitted records after the
    feed write, what this pipeline drops when told.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatePipeline:
        """Build from the crawler (the store is looked up when the crawl runs)."""
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        """Set status and version from the state, or drop an unchanged article."""
        keeper = find_keeper(self.crawler)
        if keeper is None:
            return item
        store = keeper.store
        record = fields_of(item)
        known = store.get(record["url"])
        if record["status"] == "removed":
            if known is None or known.removed or known.version == 0:
                raise drop(self.stats, "removed_unknown", record["url"])
            record["version"] = known.version
            self.stats.inc_value(keys.status("removed"))
            return item
        owner = store.content_owner(record["lang"], record["content_hash"])
        if owner is not None and owner != record["url"]:
            remember_not_emitted(self.crawler, record)
            raise drop(self.stats, "duplicate_content", f"{record['url']} repeats {owner}")
        if known is None or known.version == 0:
            record["status"], record["version"] = "new", 1
        elif known.removed or known.content_hash != record["content_hash"]:
            record["status"], record["version"] = "updated", known.version + 1
        else:
            keeper.record_fetch(record["url"], record.get(FETCH_KEY) or {})
            self.stats.inc_value(keys.UNCHANGED)
            raise DropItem(f"unchanged: {record['url']}", log_level="DEBUG")
        self.stats.inc_value(keys.status(record["status"]))
        return item
