"""Which discovery paths found each article URL, and whether this run requested it.

The end-of-crawl stats ``newscrawl/discovery/<path>`` (article URLs a path found) and
``…/only_<path>`` (found by that path alone) tell which paths are worth keeping. An article is
linked from its listing, every translation, a sitemap and a feed: the ledger also tells the
spider it has already requested a URL, so no request is built only to be filtered as a duplicate.
"""

from __future__ import annotations

from hashlib import blake2b

from scrapy.statscollectors import StatsCollector

from newscrawl import stats as keys

LISTING, SITEMAP, FEED, LINK, STATE = "listing", "sitemap", "feed", "link", "state"
PATHS = (LISTING, SITEMAP, FEED, LINK, STATE)
# One flag per path, plus one for "requested"; an int per URL keeps a long crawl's memory small.
_FLAG = {path: 1 << i for i, path in enumerate(PATHS)}
_REQUESTED = 1 << len(PATHS)


def _key(url: str) -> int:
    # 8 bytes of digest instead of the URL: a long crawl's ledger holds tens of thousands of
    # them (an int is 40 bytes, the URL string 100 or more). Unlike hash(), the same in every
    # process; two of 100k URLs collide with odds below 1e-9.
    return int.from_bytes(blake2b(url.encode(), digest_size=8).digest(), "big")


class DiscoveryLedger:
    """Per canonical article URL: the paths that found it, and whether it was requested.

    URLs are kept as a 64-bit digest, not as strings: the ledger can tell what it was told of a
    URL, but cannot list the URLs.
    """

    def __init__(self) -> None:
        self._entries: dict[int, int] = {}  # URL digest → flags

    def found(self, url: str, path: str) -> bool:
        """Record that ``path`` found ``url``; True when this run has requested it already."""
        key = _key(url)
        flags = self._entries.get(key, 0)
        self._entries[key] = flags | _FLAG[path]
        return bool(flags & _REQUESTED)

    def requested(self, url: str) -> None:
        """Record that this run requested ``url``."""
        key = _key(url)
        self._entries[key] = self._entries.get(key, 0) | _REQUESTED

    def paths(self, url: str) -> set[str]:
        """The paths that found ``url``."""
        flags = self._entries.get(_key(url), 0)
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
