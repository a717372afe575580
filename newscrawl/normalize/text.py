"""Pure text normalisation: every string in an output record passes through here.

The contract (DESIGN.md §2) promises NFC text, collapsed whitespace, no zero-width characters and
no ``&nbsp;``. These functions are small, side-effect free and run on the hot path, so patterns are
compiled once and the common case avoids regex work where ``str`` methods do the job.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "ZERO_WIDTH",
    "article_id",
    "clean_caption",
    "clean_text",
    "content_hash",
    "dedouble_outlet",
    "join_paragraphs",
    "word_count",
]

#: Invisible characters that must never reach the output.
ZERO_WIDTH: frozenset[str] = frozenset("\u200b\u200c\u200d\u2060\ufeff")

# Soft hyphens are invisible too (they only mark a break opportunity), so they go with the rest.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# CMS editors sometimes paste the entity as text; the HTML parser then leaves it literally.
_NBSP_ENTITY_RE = re.compile(r"&(?:nbsp|#160|#x0*a0);", re.IGNORECASE)

# Auto-linked keywords on the site leave a space before punctuation ("the Mekong , delta") and
# after an opening parenthesis. A '.' directly followed by a word character is left alone so that
# ".NET" or ".vn" keep their space. ':' '!' '?' ';' are untouched: French spaces them on purpose.
# Every match starts with the space itself (the "( " case looks behind it), so the regex engine
# jumps from space to space instead of trying both alternatives at every character.
_STRAY_SPACE_RE = re.compile(r" (?:(?=[,)]|\.(?!\w))|(?<=\( ))")

# Recent results of clean_text. Cleaning is idempotent, so one of these comes back unchanged at
# the cost of a hash: the loader re-cleans every field the extraction layers already cleaned.
_RECENTLY_CLEANED: dict[str, None] = {}
_RECENTLY_CLEANED_MAX = 1024


def clean_text(value: str | None) -> str:
    """Return ``value`` as NFC with zero-width chars removed and whitespace collapsed.

    Every whitespace run (NBSP, newlines and tabs included) becomes one space, the ends are
    stripped, and stray spaces before ``,`` ``.`` ``)`` and after ``(`` are dropped.
    ``None`` gives ``""``.
    """
    if not value:
        return ""
    if value in _RECENTLY_CLEANED and type(value) is str:  # a str subclass is returned as a str
        return value
    cleaned = _clean(value)
    if len(_RECENTLY_CLEANED) >= _RECENTLY_CLEANED_MAX:
        _RECENTLY_CLEANED.clear()
    _RECENTLY_CLEANED[cleaned] = None
    return cleaned


def _clean(value: str) -> str:
    # Remove invisibles before NFC: a zero-width char between a letter and its combining mark
    # would otherwise block composition, and a second pass would then compose differently.
    # Before the entity too, so that "&nb\u200bsp;" cannot turn into "&nbsp;" afterwards.
    # ASCII text has no invisible characters and is already NFC: only the entity can be there.
    ascii_only = value.isascii()
    if not ascii_only:
        value = _INVISIBLE_RE.sub("", value)
    if "&" in value:
        value = _NBSP_ENTITY_RE.sub(" ", value)
    if not ascii_only:
        value = unicodedata.normalize("NFC", value)
    # str.split() splits on exactly what str.isspace() accepts (NBSP, U+202F, line separators…),
    # and is several times faster than a regex substitution.
    value = " ".join(value.split())
    if " " in value:
        value = _STRAY_SPACE_RE.sub("", value)
    return value


def join_paragraphs(paragraphs: Iterable[str | None]) -> str:
    """Clean each paragraph, drop the empty ones, and join them with a blank line."""
    return "\n\n".join(text for text in map(clean_text, paragraphs) if text)


def dedouble_outlet(name: str | None) -> str:
    """Undo an outlet name rendered twice in a row (logo alt text + label).

    ``"ZNewsZNews"`` and ``"ZNews ZNews"`` give ``"ZNews"``. Halves shorter than two characters
    are never split, so ``"AA"`` stays as it is.
    """
    name = clean_text(name)
    size = len(name)
    if size >= 4:
        half, odd = divmod(size, 2)
        if not odd:
            if name[:half] == name[half:]:
                # Re-clean: a half ending in " ." kept that space only because a word followed.
                return clean_text(name[:half])
        elif name[half] == " " and name[:half] == name[half + 1 :]:
            return name[:half]
    return name


# A caption that is only an image's file name says nothing to a reader.
_FILE_NAME_RE = re.compile(r"[^\n/\\]{1,150}\.(?:png|jpe?g|gif|webp|avif|bmp|heic|tiff?)", re.IGNORECASE)
# Markdown emphasis a CMS left around a caption: "_Photo: TTXVN", "*Ảnh: VNA*".
_EMPHASIS_RESIDUE = "_*"


def clean_caption(value: str | None) -> str | None:
    """An image caption as a reader can use it, or None when there is none.

    Cleaned like any text, with emphasis markers at its ends removed; a caption that is only a
    file name (``IMG_1234.JPG``, ``Screenshot 2026-08-29 at 20.14.43.png``) is no caption.
    """
    text = clean_text(value)
    if text[:1] in _EMPHASIS_RESIDUE or text[-1:] in _EMPHASIS_RESIDUE:
        text = clean_text(text.strip(_EMPHASIS_RESIDUE))
    if not text or _FILE_NAME_RE.fullmatch(text):
        return None
    return text


def word_count(body: str) -> int:
    """Number of whitespace-separated words in ``body``."""
    return len(body.split())


def content_hash(title: str, body: str) -> str:
    """SHA-256 (hex) of the already-clean title and body: same text gives the same hash."""
    data = f"{title}\n{body}".encode()
    return hashlib.sha256(data).hexdigest()


def article_id(canonical_url: str) -> str:
    """Stable record id: SHA-1 (hex) of the canonical URL."""
    # An identifier, not a security measure; the flag keeps FIPS-mode Pythons from refusing SHA-1.
    return hashlib.sha1(canonical_url.encode(), usedforsecurity=False).hexdigest()
