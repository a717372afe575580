"""Incremental crawling decisions, as pure functions of the crawl state and the clock."""

from __future__ import annotations

import re
from collections.abc import Sequence

from newscrawl.state import ArticleState
from newscrawl.state.store import iso_epoch

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

FETCH_NEW, FETCH_RECHECK, FETCH_CHANGED, SKIP_KNOWN = "new", "recheck", "changed", "known"


def parse_durations(value: str | Sequence[str]) -> tuple[float, ...]:
    """``"1h,1d,7d,30d"`` → seconds, ascending; raises ValueError naming a bad part."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    seconds = []
    for part in parts:
        found = _DURATION.match(str(part))
        if not found:
            raise ValueError(f"{part!r} is not a duration such as 90m, 1h, 7d")
        seconds.append(float(found.group(1)) * _SECONDS[found.group(2)])
    return tuple(sorted(seconds))


def published_epoch(state: ArticleState) -> float:
    """When the article was published (its first sighting if the page gave no date)."""
    published = iso_epoch(state.published_at)
    return state.first_seen if published is None else published


def recheck_due(state: ArticleState, now: float, schedule: Sequence[float]) -> bool:
    """True when a re-check point after publication has passed since the last fetch.

    With the schedule 1 h, 1 d, 7 d, 30 d an article is re-fetched at most four times after
    it first appears, each time only if it was not fetched after that point already.
    """
    published = published_epoch(state)
    last = state.last_fetched or 0.0
    return any(last < published + delay <= now for delay in schedule)


def decide(
    state: ArticleState | None, now: float, schedule: Sequence[float], lastmod: float | None = None
) -> str:
    """Whether an incremental run fetches an article URL, and why."""
    if state is None:
        return FETCH_NEW
    last = state.last_fetched or 0.0
    if lastmod is not None and lastmod > last:
        return FETCH_CHANGED
    if state.removed:
        return SKIP_KNOWN
    return FETCH_RECHECK if recheck_due(state, now, schedule) else SKIP_KNOWN
