"""Which responses are HTML pages, and in which encoding to read them."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Response, TextResponse

_HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def is_html(response: Response) -> bool:
    """True for an HTML page: by its declared type, or, with none, by its first bytes.

    Scrapy turns any printable body into a TextResponse (a text-only PDF, JSON, XML); those
    are not article pages.
    """
    if isinstance(response, HtmlResponse):
        return True
    if not isinstance(response, TextResponse) or type(response) is not TextResponse:
        return False
    declared = (response.headers.get(b"Content-Type") or b"").split(b";")[0].strip().lower()
    if declared:
        return declared in _HTML_TYPES
    return response.body.lstrip()[:1] == b"<"


def utf8_if_mislabelled(response: TextResponse) -> TextResponse:
    """Read a page as UTF-8 when it is valid UTF-8 but was declared in another encoding.

    Vietnamese text is full of multi-byte UTF-8 sequences, which a single-byte encoding's text
    almost never forms by chance; a page whose bytes decode as UTF-8 is UTF-8, whatever a
    wrong ``charset`` header or ``<meta>`` says.
    """
    if response.encoding.lower().replace("-", "") in ("utf8", "ascii", "usascii"):
        return response
    body = response.body
    if body.isascii():
        return response
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return response
    return response.replace(encoding="utf-8")
