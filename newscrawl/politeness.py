"""robots.txt's ``Crawl-delay`` as the least time between two requests to the site.

Scrapy's robots.txt middleware reads the file and its parser knows ``Crawl-delay``, but nothing
applies it. This extension does, when robots.txt is parsed for a host (so before any other
request to it goes out): that host's download slot waits at least the delay between requests,
without Scrapy's random jitter (which would send some sooner), and AutoThrottle never lowers it.

``NEWSCRAWL_OBEY_CRAWL_DELAY = False`` is the only way to ignore it; robots.txt itself is obeyed
with ``ROBOTSTXT_OBEY`` (on by default). Requests a browser page makes on its own (its scripts'
API calls) are not Scrapy requests and are not spaced.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.throttle import AutoThrottle

from newscrawl import stats as keys

logger = logging.getLogger(__name__)


class CrawlDelay:
    """Applies each host's robots.txt ``Crawl-delay`` to its download slot."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not (settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("NEWSCRAWL_OBEY_CRAWL_DELAY")):
            raise NotConfigured
        self.crawler = crawler
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelay:
        """The extension, or NotConfigured when robots.txt or its Crawl-delay is not obeyed."""
        return cls(crawler)

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """robots.txt was read for ``request``'s host: space that host's requests by its delay."""
        delay = robotparser.crawl_delay(self.user_agent)
        if not delay or delay <= 0:
            return
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        # A slot is made on first use and dropped when idle: both the one in use now and any
        # later one for the same key must wait.
        per_slot = downloader.per_slot_settings.setdefault(key, {})
        per_slot["delay"] = max(float(per_slot.get("delay", 0.0)), delay)
        per_slot["jitter"] = 0.0
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay, slot.jitter = max(slot.delay, delay), 0.0
        throttle = self.crawler.get_extension(AutoThrottle)  # None when it is disabled
        if throttle is not None:
            throttle.mindelay = max(throttle.mindelay, delay)
        self.crawler.stats.set_value(keys.CRAWL_DELAY, delay)
        logger.info("robots.txt of %s asks for Crawl-delay: %g s: requests to it are at least that far "
                    "apart (NEWSCRAWL_OBEY_CRAWL_DELAY=False ignores it)", key, delay)  # fmt: skip
