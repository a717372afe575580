"""Text patterns (extraction layer 3): pure functions over already-cleaned text lines.

They recognise the site's recurring lines — outlet/date line, localised source line,
comment counter, ad placeholders, photo captions — wherever they stand in a page. Shapes no
site names are module functions; those built from a site's labels are methods of
:class:`SitePatterns`, compiled once per profile by :func:`for_site`.
"""

from __future__ import annotations

import re
from functools import cache

from newscrawl.normalize.text import clean_text, dedouble_outlet
from newscrawl.sites.profile import SiteProfile


def _alternation(words: tuple[str, ...]) -> str:
    # Longest first so "photos" is not cut to "photo".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_DATE = r"\d{1,2}/\d{1,2}/\d{4}(?:\s*[-,]?\s*\d{1,2}[:h]\d{2}(?::\d{2})?)?|\d{4}-\d{2}-\d{2}"
# "ZNewsZNews26/05/2026", "Báo An GiangBáo An Giang 13/07/2025", "Báo Dân trí•25/08/2024".
_OUTLET_DATE = re.compile(rf"^(?P<outlet>[^•·|]{{2,120}}?)\s*(?P<sep>[•·|])?\s*(?P<date>{_DATE})$")
_BARE_DATE = re.compile(rf"^(?:{_DATE})$")
_DATE_ANYWHERE = re.compile(_DATE)
_NAME_SEPARATORS = re.compile(r"\s*[,;|]\s*")
_MAX_OUTLET_LEN = 60
# An outlet element's text: the name, possibly shown twice.
MAX_OUTLET_LINE = 2 * _MAX_OUTLET_LEN + 1

# "[ad_2]", "[Anzeige_2]", "[광고_2]", "[広告2]": a word then a number, in brackets.
AD_PLACEHOLDER = re.compile(r"\[\s*[^\W\d_]{1,20}_?\d{1,3}\s*\]")
_IMAGE_FILENAME = re.compile(r"^[^\n/\\]{1,150}\.(?:png|jpe?g|gif|webp|avif|bmp)$", re.IGNORECASE)
# Name, dot, the longest extension ("jpeg", "webp", "avif") and the newline "$" may precede.
_MAX_FILENAME_LINE = 150 + 1 + 4 + 1
_MAX_CAPTION_LEN = 300


def _match_outlet_date(line: str) -> re.Match[str] | None:
    # Every date shape ends in a digit, and "$" also matches before a final newline: a line
    # ending otherwise needs no (costly, backtracking) match attempt.
    end = line[-2:-1] if line.endswith("\n") else line[-1:]
    return _OUTLET_DATE.match(line) if end.isdecimal() else None


def outlet_and_date(line: str) -> tuple[str, str] | None:
    """Split an outlet/date line into ``(outlet as shown, date text)``, or None."""
    found = _match_outlet_date(line)
    if not found:
        return None
    outlet = found["outlet"].strip()
    if not outlet or len(outlet) > MAX_OUTLET_LINE or outlet.endswith((".", "!", "?", ":")):
        return None
    return outlet, found["date"]


def is_bare_date(line: str) -> bool:
    """A line that is only a date (and time), as the site prints it."""
    return bool(_BARE_DATE.match(line))


def is_dateline(line: str) -> bool:
    """An outlet/date line shaped like the site's (outlet doubled, or ``•`` before the date).

    Stricter than :func:`outlet_and_date` so a short sentence ending in a date stays body text.
    """
    found = _match_outlet_date(line)
    if not found:
        return False
    outlet = found["outlet"].strip()
    return bool(found["sep"]) or dedouble_outlet(outlet) != outlet


def is_outlet_name(line: str) -> bool:
    """Text that can be an outlet's name (possibly shown twice): short, with letters, no date."""
    return (
        0 < len(line) <= MAX_OUTLET_LINE
        and any(ch.isalpha() for ch in line)
        and not _DATE_ANYWHERE.search(line)
    )


def split_names(line: str) -> list[str]:
    """People named in one line: "Khải Minh, Đức Thắng" → two names."""
    return [name for name in _NAME_SEPARATORS.split(line) if name]


def strip_ad_placeholders(line: str) -> str:
    """Remove ad placeholders such as ``[ad_2]`` from a line."""
    return clean_text(AD_PLACEHOLDER.sub("", line)) if "[" in line else line


class SitePatterns:
    """The lines a site's labels make recognisable (source line, comment counter, caption credit),
    compiled once per profile (see :func:`for_site`)."""

    def __init__(self, site: SiteProfile) -> None:
        labels = site.labels
        flags = re.IGNORECASE
        self._source_line = re.compile(rf"^(?:{_alternation(labels.source)})\s*[:：]", flags)
        self._source_link_text = re.compile(rf"^(?:{_alternation(labels.source_link)})\s*[:：]?\s*$", flags)
        comments = _alternation(labels.comment)
        self._comment_counter = re.compile(
            rf"^(?:(?:{comments})\s*[(（]\s*\d+\s*[)）]|\d+\s*(?:{comments}))$", flags
        )
        credit = _alternation(labels.caption_credit)
        self._caption_prefix = re.compile(rf"^[\s_(\[]*(?:{credit})\s*[:：]", flags)
        self._caption_credit_end = re.compile(rf"[(\[]\s*(?:{credit})\s*[:：][^()\[\]]*[)\]]\s*\.?$", flags)
        numbered = _alternation(labels.caption_numbered)
        # "… - Ảnh 1.": a numbered picture word ends the line (never matches without one).
        numbered_end = rf"[-–]\s*(?:{numbered})\s*\d+\s*\.?$" if numbered else r"(?!)"
        self._caption_numbered = re.compile(numbered_end, flags)
        self._title_suffix = site.title_suffix

    def is_source_line(self, line: str) -> bool:
        """A localised "Source: …" line or a bare source-link text that ends an article."""
        return bool(self._source_line.match(line) or self._source_link_text.match(line))

    def is_comment_counter(self, line: str) -> bool:
        """The comment counter under an article, e.g. ``Comment (0)``, ``댓글 (0)``."""
        return bool(self._comment_counter.match(line))

    def looks_like_caption(self, line: str) -> bool:
        """A photo caption or credit: ``Photo: VNA``, ``(Foto: VNA)``, ``… - Ảnh 1.``, a filename."""
        if not line or len(line) > _MAX_CAPTION_LEN:
            return False
        # The unanchored shapes need characters most prose lacks: look for those before searching.
        return bool(
            self._caption_prefix.match(line)
            or (("(" in line or "[" in line) and self._caption_credit_end.search(line))
            or (("-" in line or "–" in line) and self._caption_numbered.search(line))
            or (len(line) <= _MAX_FILENAME_LINE and _IMAGE_FILENAME.match(line))
        )

    def strip_title_suffix(self, title: str) -> str:
        """Drop the site's name at the end of page titles (`` - Site name``)."""
        return self._title_suffix.sub("", title)


@cache
def for_site(site: SiteProfile) -> SitePatterns:
    """The :class:`SitePatterns` of ``site``, compiled on first use."""
    return SitePatterns(site)
