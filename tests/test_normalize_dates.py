"""Tests for newscrawl.normalize.dates: table-driven cases plus hypothesis properties."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl.normalize import dates
from newscrawl.sites.vietnamvn import VIETNAM_VN

VN_TZ = VIETNAM_VN.timezone
parse_date = partial(dates.parse_date, tz=VN_TZ)
parse_epoch = partial(dates.parse_epoch, tz=VN_TZ)

# Every case runs against this clock, so the future/past window is deterministic.
NOW = datetime(2026, 7, 15, 12, 0, tzinfo=VN_TZ)
ISO_VN = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00")

D0 = "2026-05-26T00:00:00+07:00"
D1030 = "2026-05-26T10:30:00+07:00"

PARSE_CASES = [
    # --- ISO 8601 (fromisoformat fast path, plus the regex fallback) ---
    ("2026-05-26", "vi", D0),
    ("2026-05-26T10:30", "en", D1030),
    ("2026-05-26T10:30:00", "vi", D1030),
    ("2026-05-26T10:30:00.123456", "vi", D1030),
    ("2026-05-26T03:30:00.000Z", "vi", D1030),
    ("2026-05-26T03:30:00Z", "ko", D1030),
    ("2026-05-26T10:30:00+07:00", "vi", D1030),
    ("2026-05-26T10:30:00+0700", "vi", D1030),
    ("2026-05-26T12:30:00+09:00", "ja", D1030),
    ("2026-05-25T22:30:00-05:00", "en", D1030),
    ("2026-05-26 10:30:00", "vi", D1030),
    ("2026-05-26T10:30:00 +07:00", "vi", D1030),
    ("  2026-05-26T10:30:00Z\n", "vi", "2026-05-26T17:30:00+07:00"),
    ("2026-05-25T17:30:00.339Z", "vi", "2026-05-26T00:30:00+07:00"),
    # --- day-first numeric, always DMY ---
    ("26/05/2026", "vi", D0),
    ("26/5/2026", "vi", D0),
    ("26-05-2026", "vi", D0),
    ("26.05.2026", "de", D0),
    ("05/06/2026", "en", "2026-06-05T00:00:00+07:00"),
    ("1/2/2026", "en", "2026-02-01T00:00:00+07:00"),
    ("26/05/2026 10:30", "vi", D1030),
    ("10:30 26/05/2026", "vi", D1030),
    ("26/05/2026 - 10:30", "vi", D1030),
    ("26/05/2026, 10:30", "vi", D1030),
    ("26/05/2026 10:30:15", "vi", "2026-05-26T10:30:15+07:00"),
    ("26/05/2026 10h30", "vi", D1030),
    ("10h30 26/5/2026", "vi", D1030),
    ("26/05/2026 lúc 10:30", "vi", D1030),
    ("10 giờ 30 phút, ngày 26/5/2026", "vi", D1030),
    ("26/05/2026 à 10h30", "fr", D1030),
    ("26.05.2026, 10:30 Uhr", "de", D1030),
    ("26/05/2026 3:30 PM", "en", "2026-05-26T15:30:00+07:00"),
    ("26/05/2026 12:15 a.m.", "en", "2026-05-26T00:15:00+07:00"),
    ("26/05/2026 10:30 (GMT+9)", "vi", "2026-05-26T08:30:00+07:00"),
    ("Cập nhật: 26/05/2026 10:30", "vi", D1030),
    ("Updated: 26/05/2026", "en", D0),
    # --- Vietnamese weekday and long forms ---
    ("Thứ Hai, 26/05/2026 10:30 (GMT+7)", "vi", D1030),
    ("Thứ hai, 26/05/2026 10:30 (GMT+07:00)", "vi", D1030),
    ("Chủ nhật, 25/5/2025", "vi", "2025-05-25T00:00:00+07:00"),
    ("thứ 3, 26/05/2026, 10:30", "vi", D1030),
    ("T3, 26/05/2026", "vi", D0),
    ("Thứ Ba, ngày 26/05/2026", "vi", D0),
    ("Ngày 26 tháng 5 năm 2026", "vi", D0),
    ("26 tháng 5, 2026", "vi", D0),
    ("Thứ Ba, 26 tháng 05 năm 2026 10:30", "vi", D1030),
    (" ngày 26 tháng 5 năm 2026 ", "vi", D0),
    ("Ngày 26 tháng 5 năm 2026", "en", D0),  # the form decides, not the language
    # --- CJK and year-first ---
    ("2026년 5월 26일", "ko", D0),
    ("2026년 5월 26일 10:30", "ko", D1030),
    ("2026년 5월 26일 (화) 오후 3:30", "ko", "2026-05-26T15:30:00+07:00"),
    ("2026年5月26日", "ja", D0),
    ("2026年05月26日 10:30", "zh-cn", D1030),
    ("2026年5月26日 10時30分", "ja", D1030),
    ("2026年5月26日（火）", "ja", D0),
    ("2026/05/26", "ja", D0),
    ("2026/5/26 10:30", "zh-cn", D1030),
    ("2026.05.26", "ko", D0),
    ("2026. 05. 26. 10:30", "hu", D1030),
    # --- month names through dateparser, per language ---
    ("May 26, 2026", "en", D0),
    ("26 May 2026", "en", D0),
    ("Tuesday, 26 May 2026 10:30", "en", D1030),
    ("May 26, 2026 3:30 PM", "en", "2026-05-26T15:30:00+07:00"),
    ("26 mai 2026", "fr", D0),
    ("mardi 26 mai 2026", "fr", D0),
    ("26 de mayo de 2026", "es", D0),
    ("26 de maio de 2026", "pt", D0),
    ("26. Mai 2026", "de", D0),
    ("26 mei 2026", "nl", D0),
    ("2026. május 26.", "hu", D0),
    ("26. mai 2026", "no", D0),
    ("26 mai 2026", "ro", D0),
    ("26 мая 2026", "ru", D0),
    ("26 Mei 2026", "id", D0),
    ("26 พฤษภาคม 2569", "th", D0),  # Buddhist era
    ("26/05/2569", "th", D0),
    ("26 مايو 2026", "ar", D0),
    ("26 मई 2026", "hi", D0),
    ("26 May 2026", "xx", D0),  # unknown language: dateparser detects it
    # --- RFC 2822 (feeds; English month names whatever the language) ---
    ("Tue, 26 May 2026 03:30:00 GMT", "ko", D1030),
    ("Tue, 26 May 2026 10:30:00 +0700", "vi", D1030),
    ("26 May 2026 03:30 -0000", "fr", D1030),
    # --- invalid dates ---
    ("31/02/2026", "vi", None),
    ("29/02/2025", "vi", None),
    ("32/01/2026", "vi", None),
    ("26/13/2026", "vi", None),
    ("26/05/2026 24:00", "vi", None),
    ("26/05/2026 10:61", "vi", None),
    ("2026-02-30", "vi", None),
    ("2026年13月1日", "ja", None),
    ("30 tháng 2 năm 2026", "vi", None),
    ("31 February 2026", "en", None),
    ("26/05/2026 (GMT+99)", "vi", None),
    # --- implausible: before 2000 or more than a day after NOW ---
    ("1999-12-31", "vi", None),
    ("31/12/1999 23:59", "vi", None),
    ("01/01/2000", "vi", "2000-01-01T00:00:00+07:00"),
    ("1999-12-31T17:00:00Z", "vi", "2000-01-01T00:00:00+07:00"),
    ("16/07/2026 12:00", "vi", "2026-07-16T12:00:00+07:00"),
    ("16/07/2026 12:01", "vi", None),
    ("2026-07-17", "vi", None),
    ("01/01/2099", "vi", None),
    ("1 January 2099", "en", None),
    # --- garbage, partial or not a date ---
    (None, "vi", None),
    ("", "vi", None),
    ("   ", "vi", None),
    ("garbage", "vi", None),
    ("không có ngày", "vi", None),
    ("hôm qua", "vi", None),  # relative dates are not resolved
    ("yesterday", "en", None),
    ("May 2026", "en", None),  # no day
    ("26/05", "vi", None),
    ("2026", "vi", None),
    ("20260526", "vi", None),
    ("1716700000", "vi", None),
    ("99999999999999999999999999", "vi", None),
    ("9" * 5000, "vi", None),
    ("26/05/2026 " * 100, "vi", None),
    ("9999-12-31T23:59:59", "vi", None),
    ("0000-00-00", "vi", None),
    ("2026-05-26x10:30", "vi", None),
    ("26/05/26", "vi", D0),  # two-digit year: dateparser, still day-first
    ("\x00\ufffd\u200b", "vi", None),
]


@pytest.mark.parametrize(("text", "lang", "expected"), PARSE_CASES)
def test_parse_date(text: str | None, lang: str, expected: str | None) -> None:
    assert parse_date(text, lang, now=NOW) == expected


def test_parse_date_naive_now_is_vietnam_time() -> None:
    naive_now = NOW.replace(tzinfo=None)
    assert parse_date("16/07/2026 12:00", now=naive_now) == "2026-07-16T12:00:00+07:00"
    assert parse_date("16/07/2026 12:01", now=naive_now) is None


def test_parse_date_now_in_other_zone() -> None:
    utc_now = NOW.astimezone(UTC)
    assert parse_date("16/07/2026 12:00", now=utc_now) == "2026-07-16T12:00:00+07:00"


def test_parse_date_default_now_is_current_time() -> None:
    today = datetime.now(VN_TZ)
    assert parse_date(today.strftime("%d/%m/%Y")) == today.strftime("%Y-%m-%dT00:00:00+07:00")
    assert parse_date((today + timedelta(days=3)).strftime("%d/%m/%Y")) is None


# --- properties ---------------------------------------------------------------------------

LANGS = st.sampled_from(["vi", "en", "fr", "de", "ko", "ja", "zh-cn", "th", "hu", "ru", "no"])
# Fragments of real date forms, shuffled together: reaches the regex paths far more often
# than uniform random text does.
TOKENS = st.sampled_from(
    [
        "26", "5", "05", "31", "2026", "1999", "2569", "99999", "/", "-", ".", ":", " ", ",",
        "T", "Z", "h", "年", "月", "日", "년", "월", "일", "오후", "tháng", "năm", "ngày",
        "Thứ Hai", "(GMT+7)", "+07:00", "PM", "May", "mai", "мая", "(", ")", "\u200b",
    ]
)  # fmt: skip
DATEISH = st.lists(TOKENS, max_size=14).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=60), DATEISH)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(result: str | None) -> None:
    if result is not None:
        assert ISO_VN.fullmatch(result), result
        value = datetime.fromisoformat(result)
        assert datetime(2000, 1, 1, tzinfo=VN_TZ) <= value <= NOW + timedelta(days=1)


@FAST
@given(ANY_TEXT, LANGS)
def test_parse_date_never_raises(text: str, lang: str) -> None:
    _check(parse_date(text, lang, now=NOW))


@FAST
@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 7, 15)),
    st.text(alphabet="ZNewsBáo Dân trí•", max_size=20),
)
def test_numeric_date_round_trips(value: datetime, prefix: str) -> None:
    expected = value.replace(second=0, microsecond=0, tzinfo=VN_TZ).isoformat()
    shown = value.strftime("%d/%m/%Y %H:%M")
    assert parse_date(shown, now=NOW) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1741050900, "2025-03-04T08:15:00+07:00"),  # seconds
        (1741050900123, "2025-03-04T08:15:00+07:00"),  # milliseconds
        ("1741050900", "2025-03-04T08:15:00+07:00"),
        (1741050900.9, "2025-03-04T08:15:00+07:00"),
        (0, None),  # 1970
        (946684799, None),  # before 2000
        (int((NOW + timedelta(days=2)).timestamp()), None),  # after "now"
        (-5, None), (True, None), ("17e8", None), ("", None), (None, None), (float("inf"), None),
        ("9" * 17, None),
    ],
)  # fmt: skip
def test_parse_epoch(value: object, expected: str | None) -> None:
    """Seconds or milliseconds told apart by size, in parse_date's plausibility window."""
    assert parse_epoch(value, now=NOW) == expected  # type: ignore[arg-type]
