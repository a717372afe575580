"""Which discovery paths found each article URL, and whether this run requested it.

The end-of-crawl stats ``newscrawl/discovery/<path>`` (article URLs a path found) and
``…/only_<path>`` (found by that path alone) tell which paths are worth keeping. An article is
linked from its listing, every translation, a sitemap and a feed: the ledger also tells the
spider it has already requested a URL, so no request is built only to be filtered as a duplicate.
"""

from __future__ import annotations

from scrapy.statscollectors import StatsCollector

from newscrawl import stats as keys

LISTING, SITEMAP, FEED, LINK, STATE = "listing", "sitemap", "feed", "link", "state"
PATHS = (LISTING, SITEMAP, FEED, LINK, STATE)
# One flag per path, plus one for "requested"; an int per URL keeps a long crawl's memory small.
_FLAG = {path: 1 << i for i, path in enumerate(PATHS)}
_REQUESTED = 1 << len(PATHS)


class DiscoveryLedger:
    """Per canonical article URL: the paths that found it, and whether it was requested."""

    def __init__(self) -> None:
        self._entries: dict[str, int] = {}

    def found(self, url: str, path: str) -> bool:
        """Record that ``path`` found ``url``; True when this run has requested it already."""
        flags = self._entries.get(url, 0)
        self._entries[url] = flags | _FLAG[path]
        return bool(flags & _REQUESTED)

    def requested(self, url: str) -> None:
        """Record that this run requested ``url``."""
        self._entries[url] = self._entries.get(url, 0) | _REQUESTED

    def paths(self, url: str) -> set[str]:
        """The paths that found ``url``."""
        flags = self._entries.get(url, 0)
        return {path for path, flag in _FLAG.items() if flags & flag}

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per path: article URLs it found, and how many of them it alone found."""
        result = {}
        for path, flag in _FLAG.items():
            found = [flags & ~_REQUESTED for flags in self._entries.values() if flags & flag]
            result[path] = (len(found), sum(1 for flags in found if flags == flag))
        return result

    def report(self, stats: StatsCollector) -> None:
        """Set the ``discovery/<path>`` and ``discovery/only_<path>`` stats."""
        for path, (found, only) in self.counts().items():
            stats.set_value(keys.discovery(path), found)
            stats.set_value(keys.discovery_only(path), only)
