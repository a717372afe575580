"""Pure date normalisation: page text in any of the site's languages → ISO 8601 in its zone.

Every output date is ``YYYY-MM-DDTHH:MM:SS±HH:MM`` in the time zone given (``tz``, the site's:
:attr:`SiteProfile.timezone <newscrawl.sites.profile.SiteProfile.timezone>`), which is also the
zone of dates printed without one. Parsing goes from cheap to expensive:

1. ``datetime.fromisoformat`` for ISO 8601 (``<time>``/meta tags, sitemap ``lastmod``);
2. ``email.utils`` for RFC 2822 (RSS ``pubDate``, always English month names);
3. compiled regexes for the numeric, Vietnamese and CJK forms the article pages print;
4. ``dateparser`` (one cached parser per language) for month names, ~1 ms a call.

Nothing here raises on a ``str``: what cannot be read, predates 2000 or lies more than a day
ahead of ``now`` is ``None``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache

from dateparser.data import languages_info
from dateparser.date import DateDataParser

from newscrawl.normalize.text import clean_text

__all__ = ["http_date", "parse_date", "parse_epoch"]

_MIN_YEAR = 2000  # dates before 1 January of it, in the site's zone, are implausible
_MAX_AHEAD = timedelta(days=1)
# A date field is short; longer strings are prose or junk, and would only
# cost dateparser time.
_MAX_LEN = 256

# ---------------------------------------------------------------------------------------------
# Regex building blocks. Each date shape gets its own compiled pattern so group names can repeat.

# Times: "10:30", "10:30:15.123", "10h30" (vi/fr), "10 giờ 30 phút", "10:30 PM", "오후 3:30",
# "10時30分". The group prefix lets one pattern hold a time before and a time after the date.
_TIME = (
    r"(?:(?P<ap1>오전|오후|午前|午後|上午|下午)\s*)?"
    r"(?P<h>\d{1,2})\s*"
    r"(?:(?:[:hH]|giờ)\s*(?P<mi>\d{2})(?:\s*phút)?(?::(?P<s>\d{2})(?:[.,]\d{1,9})?)?"
    r"|[時时시点點]\s*(?:(?P<mi2>\d{1,2})\s*[分분])?)"
    r"(?:\s*(?P<ap2>[ap])\.?\s*m\b\.?)?"
)
_PM_MARKERS = frozenset({"오후", "午後", "下午", "p", "P"})
_AM_MARKERS = frozenset({"오전", "午前", "上午", "a", "A"})


def _time(prefix: str) -> str:
    return _TIME.replace("(?P<", f"(?P<{prefix}")


# Words between a time and the date that follows it ("10:30 ngày 26/05/2026").
_BEFORE_DATE = r"\s*[,\-–|•·]?\s*(?:(?:ngày|on|le)\s+)?"
# Words between a date and the time that follows it ("26/05/2026 - 10:30", "26/05/2026 lúc 10h").
_AFTER_DATE = r"(?:T|\s*[,\-–|•·]?\s*(?:(?:vào\s+lúc|lúc|at|à|um|às|a\s+las|om|kl\.?|alle)\s+)?)"
# An explicit zone after the date/time: "(GMT+7)", "UTC+07:00", "+0700", "Z".
_TZ = (
    r"(?:\s*\(?\s*(?P<tz>Z(?![^\W\d_])|(?:GMT|UTC)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?"
    r"|[+-]\d{2}:?\d{2})\s*\)?)?"
)

_DMY = r"(?P<d>\d{1,2})(?P<sep>[/.\-])\s*(?P<m>\d{1,2})(?P=sep)\s*(?P<y>\d{4})\.?"
_YMD = r"(?P<y>\d{4})(?P<sep>[/.\-])\s*(?P<m>\d{1,2})(?P=sep)\s*(?P<d>\d{1,2})\.?"
_CJK = (
    r"(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일号號]?"
    r"(?:\s*[(（][^()（）]{1,4}[)）])?"  # weekday: (火), (화), （星期二）
)
_VI_LONG = r"(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})(?:\s*,\s*|\s*năm\s*|\s+)(?P<y>\d{4})"

# A short label before the date: a weekday ("Thứ Hai", "thứ 3", "T3", "Chủ nhật", "Monday") or
# words such as "Cập nhật" / "Updated", then optional punctuation.
_LABEL = r"(?:(?:thứ\s*[2-7]|t[2-7]|[^\W\d_]+(?:\s+[^\W\d_]+){0,3})\s*[,:\-–|•·]?\s*)?"


def _core(shape: str) -> str:
    return (
        rf"(?:{_time('a_')}{_BEFORE_DATE})?(?:ngày\s*)?{shape}"
        rf"(?:{_AFTER_DATE}{_time('b_')}(?:\s*(?:uhr|giờ))?)?{_TZ}"
    )


_FLAGS = re.IGNORECASE
_SHAPES = (_DMY, _YMD, _CJK, _VI_LONG)
# parse_date: the whole (cleaned) string must be one date, optionally labelled.
_FULL_PATTERNS = tuple(re.compile(rf"{_LABEL}{_core(shape)}\s*[.)]?", _FLAGS) for shape in _SHAPES)

_ISO_GATE_RE = re.compile(r"\d{4}-\d\d-\d\d(?:[Tt ]|$)")
_TZ_OFFSET_RE = re.compile(r"([+-])\s*(\d{1,2})(?::?(\d{2}))?")
_RFC2822_RE = re.compile(
    r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"\s*(?:[+-]\d{4}|GMT|UTC?|Z)"
)
# Thai pages may count years in the Buddhist era (CE + 543): 2569 is 2026.
_BUDDHIST_YEAR_RE = re.compile(r"(?<!\d)2[45]\d\d(?!\d)")
_BUDDHIST_OFFSET = 543


# ---------------------------------------------------------------------------------------------
# dateparser, the slow path.

_DATEPARSER_SETTINGS = {
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": True,  # in the site's zone: TIMEZONE and TO_TIMEZONE, per parser
    "REQUIRE_PARTS": ["day", "month", "year"],
    # No 'timestamp' (bare numbers are not dates here) and no 'relative-time' ("yesterday" would
    # resolve against the wall clock and make results depend on when the crawl ran).
    "PARSERS": ["custom-formats", "absolute-time"],
}
# Site prefixes that dateparser spells differently.
_LANG_ALIASES = {"zh-cn": "zh", "zh-tw": "zh", "no": "nb"}
_DATEPARSER_LANGS = {code.lower(): code for code in languages_info.language_order}
_PARSERS: dict[tuple[str | None, str], DateDataParser] = {}


@lru_cache(maxsize=128)
def _dateparser_lang(lang: str) -> str | None:
    """Map a site language code to dateparser's; ``None`` (auto-detect) only if unknown."""
    code = lang.strip().lower().replace("_", "-")
    code = _LANG_ALIASES.get(code, code)
    if code in _DATEPARSER_LANGS:
        return _DATEPARSER_LANGS[code]
    return _DATEPARSER_LANGS.get(code.split("-", 1)[0])


@lru_cache(maxsize=16)
def _zone_name(tz: tzinfo) -> str:
    """``tz`` as dateparser's TIMEZONE setting takes it: an IANA key, else ``UTC±HH:MM``."""
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key
    offset = tz.utcoffset(None) or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _parser_for(lang: str, tz: tzinfo) -> DateDataParser:
    code = _dateparser_lang(lang)
    zone = _zone_name(tz)
    parser = _PARSERS.get((code, zone))
    if parser is None:
        # Building a parser loads locale data (tens of ms), hence one per language, kept.
        settings = {**_DATEPARSER_SETTINGS, "TIMEZONE": zone, "TO_TIMEZONE": zone}
        parser = DateDataParser(languages=[code] if code else None, settings=settings)
        _PARSERS[(code, zone)] = parser
    return parser


def _with_dateparser(text: str, lang: str, tz: tzinfo) -> datetime | None:
    try:
        return _parser_for(lang, tz).get_date_data(text).date_obj
    except Exception:
        # dateparser raises assorted errors (ValueError, OverflowError, KeyError…) on odd input;
        # for us an unreadable date is simply None.
        return None


# ---------------------------------------------------------------------------------------------
# Helpers.


def _tz_from(text: str | None) -> timezone | None:
    """Zone named by a matched suffix; ``None`` when there is none (then the site's applies)."""
    if not text:
        return None
    found = _TZ_OFFSET_RE.search(text)
    if not found:
        return UTC  # Z, GMT, UTC
    sign, hours, minutes = found.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta > timedelta(hours=14):
        raise ValueError("offset out of range")
    return timezone(-delta if sign == "-" else delta)


def _from_match(match: re.Match[str], site_tz: tzinfo) -> datetime | None:
    """Build a datetime from a shape match; ``None`` when a field is out of range (31/02)."""
    get = match.group
    hour = minute = second = 0
    for prefix in ("b_", "a_"):
        if get(f"{prefix}h") is not None:
            hour = int(get(f"{prefix}h"))
            minute = int(get(f"{prefix}mi") or get(f"{prefix}mi2") or 0)
            second = int(get(f"{prefix}s") or 0)
            marker = get(f"{prefix}ap1") or get(f"{prefix}ap2")
            if marker in _PM_MARKERS and hour < 12:
                hour += 12
            elif marker in _AM_MARKERS and hour == 12:
                hour = 0
            break
    try:
        tz = _tz_from(get("tz")) or site_tz
        return datetime(int(get("y")), int(get("m")), int(get("d")), hour, minute, second, tzinfo=tz)
    except (ValueError, OverflowError):
        return None


def _finish(value: datetime | None, now: datetime | None, tz: tzinfo) -> str | None:
    """Express ``value`` in ``tz`` and apply the plausibility window."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    if now is None:
        now = datetime.now(tz)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    try:
        if value < datetime(_MIN_YEAR, 1, 1, tzinfo=tz) or value > now + _MAX_AHEAD:
            return None
        return value.astimezone(tz).isoformat(timespec="seconds")
    except (ValueError, OverflowError):  # e.g. year 9999 + 1 day
        return None


def _is_thai(lang: str) -> bool:
    return lang[:2].lower() == "th"


def _buddhist_to_common(text: str) -> str:
    return _BUDDHIST_YEAR_RE.sub(lambda m: str(int(m.group()) - _BUDDHIST_OFFSET), text)


# ---------------------------------------------------------------------------------------------
# Public API.


def http_date(text: str) -> datetime | None:
    """An RFC 2822 / HTTP date (``Tue, 26 May 2026 03:30:00 GMT``) as an aware datetime, or None."""
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # "-0000" and "GMT" may come back naive: they mean UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_date(text: str | None, lang: str = "vi", *, tz: tzinfo, now: datetime | None = None) -> str | None:
    """Parse one date (optionally with time and zone) into ``YYYY-MM-DDTHH:MM:SS±HH:MM`` in ``tz``.

    ``lang`` is the page language (site code such as ``"vi"``, ``"en"``, ``"zh-cn"``); it only
    matters for month names. Numeric dates are always day-first. ``tz`` is the site's time zone:
    that of dates shown without one, and that of the output.
    Returns ``None`` for unreadable or implausible input (before 2000, or more than one day
    after ``now``, which defaults to the current time).
    """
    if not text or not isinstance(text, str):
        return None
    lang = lang or "vi"
    text = text.strip()
    if not text or len(text) > _MAX_LEN:
        return None
    if _is_thai(lang):
        text = _buddhist_to_common(text)
    return _finish(_parse(text, lang, tz), now, tz)


def _parse(text: str, lang: str, tz: tzinfo) -> datetime | None:
    # 1. ISO 8601. The gate keeps fromisoformat (which takes any separator) to ISO shapes.
    if _ISO_GATE_RE.match(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # e.g. "2026-05-26T10:30:00 +07:00": the regexes below handle it
    # 2. RFC 2822 (feeds).
    if _RFC2822_RE.fullmatch(text):
        return http_date(text)
    # 3. The forms article pages print. A matching but invalid date (31/02) is final: None.
    cleaned = clean_text(text)
    for pattern in _FULL_PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match:
            return _from_match(match, tz)
    # 4. Month names and anything else: dateparser, restricted to the page language.
    return _with_dateparser(cleaned, lang, tz)


# Epoch values: seconds from 2001-09-09 (1e9) on; milliseconds from 1973 on (1e11).
_EPOCH_SECONDS = (1e9, 1e11)
_EPOCH_MILLISECONDS = (1e11, 1e14)


def parse_epoch(value: float | str | None, *, tz: tzinfo, now: datetime | None = None) -> str | None:
    """An epoch time in seconds or milliseconds (told apart by size) as ``parse_date`` gives it.

    ``value`` may be a number or a string of digits; ``None`` for anything else and for times
    outside ``parse_date``'s plausibility window. Booleans are not numbers here.
    """
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 16:
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:  # NaN
        return None
    if _EPOCH_SECONDS[0] <= value < _EPOCH_SECONDS[1]:
        seconds = float(value)
    elif _EPOCH_MILLISECONDS[0] <= value < _EPOCH_MILLISECONDS[1]:
        seconds = value / 1000
    else:
        return None
    try:
        moment = datetime.fromtimestamp(seconds, tz)
    except (OverflowError, OSError, ValueError):
        return None
    return _finish(moment, now, tz)
