"""An HTML page's bytes or text as a plain lxml element tree: the one parse extraction reads.

Plain ``lxml.etree`` elements, not lxml.html's: those pick a Python class for every element
object created, through a Python callback, which made the extraction a sixth slower
(measured on the benchmark's saved pages) while nothing here uses their extra methods. A
parser is kept per thread (lxml parsers are not thread-safe) instead of one built per page.
"""

from __future__ import annotations

import codecs
import threading
from collections.abc import Callable
from functools import cache

from lxml import etree

# An element's XPath string-value: all its text, run together as written.
string_value = etree.XPath("string()", smart_strings=False)

# libxml2 reports undecodable bytes as these (and puts U+FFFD in their place).
_ENCODING_ERRORS = frozenset({etree.ErrorTypes.ERR_INVALID_CHAR, etree.ErrorTypes.ERR_INVALID_ENCODING})
_local = threading.local()


def _utf8_parser() -> etree.HTMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        # huge_tree: a very long text node (a big inline script) does not end the parse.
        parser = _local.parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    return parser


@cache
def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def parse_html(
    body: bytes, encoding: str = "utf-8", decoded: Callable[[], str] | None = None
) -> etree._Element:
    """The root element of a page given as ``body`` bytes in ``encoding``.

    UTF-8 bytes, nearly every page, are parsed as they are. Other encodings, and UTF-8 with
    NULs or invalid bytes, are parsed from the page's text: ``decoded()`` (Scrapy's
    ``response.text``, say), or else ``body`` decoded with replacement characters.
    """
    if _is_utf8(encoding) and b"\x00" not in body:
        parser = _utf8_parser()
        root = _parse_utf8(body, parser)
        if not any(error.type in _ENCODING_ERRORS for error in parser.error_log):
            return root
    return parse_html_text(decoded() if decoded is not None else body.decode(encoding, "replace"))


def parse_html_text(html: str) -> etree._Element:
    """The root element of a page given as text."""
    # libxml2 would keep a NUL as U+FFFD, and a lone surrogate cannot be encoded: noise both.
    data = html.replace("\x00", "").encode("utf-8", "replace")
    return _parse_utf8(data, _utf8_parser())


def _parse_utf8(data: bytes, parser: etree.HTMLParser) -> etree._Element:
    root = etree.fromstring(data, parser)
    # Nothing but whitespace or comments gives no element: an empty page, not an error.
    return root if root is not None else etree.fromstring(b"<html/>", parser)
