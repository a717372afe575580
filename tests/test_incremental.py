"""Incremental decisions: re-check schedule, sitemap lastmod, unknown URLs."""

import pytest

from newscrawl.state import ArticleState
from newscrawl.state.incremental import (
    FETCH_CHANGED,
    FETCH_NEW,
    FETCH_RECHECK,
    SKIP_KNOWN,
    decide,
    parse_durations,
)

HOUR, DAY = 3600.0, 86400.0
SCHEDULE = parse_durations("1h,1d,7d,30d")
PUBLISHED = 1_780_000_000.0  # an instant; the state stores published_at as ISO


def state(last_fetched, published=PUBLISHED, removed=False):
    from datetime import UTC, datetime

    iso = datetime.fromtimestamp(published, UTC).isoformat()
    return ArticleState(
        "u", "i", "vi", "s", first_seen=published, last_fetched=last_fetched, last_status=200, etag=None,
        last_modified=None, sitemap_lastmod=None, published_at=iso, content_hash="h", version=1,
        removed=removed,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1h,1d,7d,30d", (HOUR, DAY, 7 * DAY, 30 * DAY)), ("30m", (1800.0,)), ("2w, 90s", (90.0, 1209600.0))],
)
def test_parse_durations(value, expected):
    assert parse_durations(value) == expected


@pytest.mark.parametrize("bad", ["1x", "h", "", "1h,,2h", "-1h"])
def test_parse_durations_rejects(bad):
    with pytest.raises(ValueError):
        parse_durations(bad)


@pytest.mark.parametrize(
    ("last_fetched", "now", "lastmod", "expected"),
    [
        (PUBLISHED + 60, PUBLISHED + 30 * 60, None, SKIP_KNOWN),  # fetched, no checkpoint passed yet
        (PUBLISHED + 60, PUBLISHED + 2 * HOUR, None, FETCH_RECHECK),  # the 1 h check is due
        (PUBLISHED + 2 * HOUR, PUBLISHED + 3 * HOUR, None, SKIP_KNOWN),  # 1 h check done
        (PUBLISHED + 2 * HOUR, PUBLISHED + 2 * DAY, None, FETCH_RECHECK),  # 1 d check
        (PUBLISHED + 8 * DAY, PUBLISHED + 20 * DAY, None, SKIP_KNOWN),
        (PUBLISHED + 8 * DAY, PUBLISHED + 31 * DAY, None, FETCH_RECHECK),  # 30 d check
        (PUBLISHED + 31 * DAY, PUBLISHED + 400 * DAY, None, SKIP_KNOWN),  # never again…
        # …unless a sitemap's lastmod is newer than the last fetch
        (PUBLISHED + 31 * DAY, PUBLISHED + 400 * DAY, PUBLISHED + 399 * DAY, FETCH_CHANGED),
        (PUBLISHED + 31 * DAY, PUBLISHED + 400 * DAY, PUBLISHED + 10 * DAY, SKIP_KNOWN),  # older lastmod
    ],
)
def test_decide(last_fetched, now, lastmod, expected):
    assert decide(state(last_fetched), now, SCHEDULE, lastmod) == expected


def test_unknown_urls_are_new_and_removed_ones_stay_removed():
    assert decide(None, PUBLISHED, SCHEDULE) == FETCH_NEW
    assert decide(state(PUBLISHED + 60, removed=True), PUBLISHED + 2 * HOUR, SCHEDULE) == SKIP_KNOWN
