"""Data a page embeds for its own scripts, decoded: pure functions over script texts.

Three shapes besides JSON-LD and ``__NEXT_DATA__`` (plain JSON, read by the page context):

- Next.js App Router *flight data*: ``self.__next_f.push([1, "…"])`` scripts whose strings,
  joined, are React Server Component rows ``<hex id>:<payload>\\n``. A payload is JSON, a
  tagged row (``I[…]`` module, ``HL[…]`` hint, …) or a text row ``T<hex byte length>,<text>``
  that has no newline of its own: React sends strings of 1 KB and more that way and refers to
  them from JSON as ``"$<id>"``. ``"$$…"`` is a literal ``"$…"``; ``"$D…"`` a date.
- Script assignments: ``window.__INITIAL_STATE__ = {…}``, ``window.__NUXT__={…}``,
  ``var __APOLLO_STATE__ = {…};`` — JSON after the ``=`` (a JavaScript expression is skipped).

Nothing here raises on bad input: what cannot be read is counted in :class:`Skips` and left out.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

# Skip reasons, counted per page (the crawl stats show them as newscrawl/embedded/skipped/<reason>).
BAD_JSON = "bad_json"
BAD_FLIGHT_CHUNK = "bad_flight_chunk"
BAD_FLIGHT_ROW = "bad_flight_row"
NOT_JSON_ASSIGNMENT = "not_json_assignment"

Skips = Counter  # reason → count

FLIGHT_MARK = "__next_f"
# Only the start of an inline script is looked at: assignments and flight pushes open it.
_HEAD = 256
_FLIGHT_PUSH = re.compile(r"^\s*(?:self|window|globalThis)\.__next_f\.push\(")
_ASSIGNMENT = re.compile(
    r"^\s*(?:(?:window|self|globalThis)\s*(?:\.\s*|\[\s*[\"'])|(?:var|let|const)\s+)"
    r"(__[A-Za-z0-9_$]+__)[\"']?\s*\]?\s*=\s*"
)
_HEX = frozenset("0123456789abcdefABCDEF")
_JSON_START = frozenset('[{"-0123456789tfn')
_decoder = json.JSONDecoder()


def loads(raw: str | bytes, skips: Skips, reason: str = BAD_JSON) -> Any:
    """JSON ``raw`` parsed, or None (counted under ``reason``) when it is not JSON."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        skips[reason] += 1
        return None


# --------------------------------------------------------------------------- flight data


def flight_chunk(script: str, skips: Skips) -> str | None:
    """The data string a ``self.__next_f.push([1, "…"])`` script carries, else None.

    Bootstrap (``[0]``), form-state and binary pushes carry no rows; a push that is not a JSON
    array is counted as a bad chunk.
    """
    match = _FLIGHT_PUSH.match(script)
    if match is None:
        return None
    body = script[match.end() :].rstrip().removesuffix(";").rstrip()
    if not body.endswith(")"):
        skips[BAD_FLIGHT_CHUNK] += 1
        return None
    pushed = loads(body[:-1], skips, BAD_FLIGHT_CHUNK)
    if isinstance(pushed, list) and len(pushed) >= 2 and pushed[0] == 1 and isinstance(pushed[1], str):
        return pushed[1]
    return None


@dataclass
class FlightData:
    """The rows of an App Router page: JSON values and text rows, by row id."""

    values: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        """A string as the page means it: references to text rows followed, ``$$`` unescaped."""
        if not isinstance(value, str) or not value.startswith("$"):
            return value
        rest = value[1:]
        if rest.startswith("$"):
            return rest
        if rest.startswith("D"):  # a Date, serialised as its ISO string
            return rest[1:]
        ref = rest[1:] if rest.startswith("L") else rest
        if ref in self.texts:
            return self.texts[ref]
        found = self.values.get(ref)
        return found if isinstance(found, str) else value


def parse_flight(chunks: list[str], skips: Skips) -> FlightData:
    """Split the joined flight ``chunks`` into rows; rows that cannot be read are counted."""
    data = FlightData()
    raw = "".join(chunks).encode("utf-8", "surrogatepass")  # text-row lengths count UTF-8 bytes
    pos, end = 0, len(raw)
    while pos < end:
        colon = raw.find(b":", pos, pos + 16)
        row_id = raw[pos:colon].decode("ascii", "replace") if colon > pos else ""
        if not row_id or not _HEX.issuperset(row_id):
            skips[BAD_FLIGHT_ROW] += 1
            nl = raw.find(b"\n", pos)  # resynchronise on the next line
            pos = end if nl < 0 else nl + 1
            continue
        start = colon + 1
        if raw[start : start + 1] == b"T":
            comma = raw.find(b",", start, start + 18)
            length = _hex_int(raw[start + 1 : comma]) if comma > 0 else None
            if length is None or comma + 1 + length > end:
                skips[BAD_FLIGHT_ROW] += 1
                break  # a torn text row: its length says nothing of where the next row starts
            data.texts[row_id] = raw[comma + 1 : comma + 1 + length].decode("utf-8", "replace")
            pos = comma + 1 + length
            continue
        nl = raw.find(b"\n", start)
        line = raw[start : end if nl < 0 else nl]
        pos = end if nl < 0 else nl + 1
        if line[:1].decode("latin-1") in _JSON_START:
            value = loads(line, skips, BAD_FLIGHT_ROW)
            if value is not None:
                data.values[row_id] = value
        # Other tags (modules, hints, errors, debug info) hold no page data.
    return data


def _hex_int(text: bytes) -> int | None:
    try:
        return int(text, 16) if text else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- assignments


def assignment(script: str, skips: Skips) -> tuple[str, Any] | None:
    """``(name, value)`` of a script opening with ``window.__NAME__ = <JSON>``, else None.

    A value that is a JavaScript expression rather than JSON (``__NUXT__`` is often a
    function call) is counted and left out.
    """
    match = _ASSIGNMENT.match(script[:_HEAD])
    if match is None:
        return None
    try:
        value, _end = _decoder.raw_decode(script, match.end())
    except ValueError:
        skips[NOT_JSON_ASSIGNMENT] += 1
        return None
    return match.group(1), value


def may_be_state(script: str) -> bool:
    """Cheap test on a script's start: may it push flight data or assign page state?"""
    head = script[:_HEAD]
    return "__" in head and (FLIGHT_MARK in head or _ASSIGNMENT.match(head) is not None)
