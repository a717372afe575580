"""Faults the mirror serves on demand: HTTP errors, slowness, broken connections, redirects and
odd content, for chosen paths of a running :class:`~tests.mirror.server.MirrorServer`.

A test installs faults per path, with ``mirror.faults.set(path, fault)`` (until ``remove`` or
``clear``) or for the length of a block, after which what was there before is restored::

    with mirror.faults.injected({"/some-slug": Status(503, retry_after=1, times=2)}):
        run = crawl(mirror.base_url, out)
    assert mirror.faults.served("/some-slug") == 2

A fault turns one request into a :class:`Reply` (status, headers, body, and how to deliver it:
a delay before the headers, a trickled body, a connection cut mid-body); the server carries the
reply out and logs it (``RequestRecord.fault``). ``times`` bounds how often a fault is served
before normal service resumes (``None``: every time). A path key matches its requests without
regard to a trailing slash or the query; a key with ``?query`` matches that target only and,
when both are installed, decides before the path's own fault.

Faults: :class:`Status` (404, 410, 5xx, 429, optional ``Retry-After``), :class:`Delay`,
:class:`Trickle`, :class:`Reset`, :class:`Truncate`, :class:`Redirect`, :class:`Serve` (any
bytes: non-HTML, soft 404s, robots.txt), :class:`Rewrite` (the normal page transformed:
:func:`recoded`, :func:`nested`, :func:`malformed`) and :class:`Huge` (a streamed page of any size).
"""

from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .render import HTML_HEADERS, Page, gone_page, not_found_page

if TYPE_CHECKING:
    from .render import SiteRenderer

Body = bytes | Callable[[], Iterable[bytes]]
"""A reply body: bytes, or a factory of chunks (streamed, never held whole in memory)."""


@dataclass(frozen=True)
class Reply:
    """How the server answers one faulted request.

    ``content_length`` is the declared length (``None``: no header, the body ends when the
    connection closes). ``delay`` waits before the status line, ``pace`` between body chunks of
    ``chunk`` bytes; ``cut_at`` stops after that many body bytes and closes the connection,
    with a TCP reset when ``reset`` (else a normal close).
    """

    status: int
    headers: Mapping[str, str]
    body: Body = b""
    content_length: int | None = None
    delay: float = 0.0
    pace: float = 0.0
    chunk: int = 64 * 1024
    cut_at: int | None = None
    reset: bool = False

    def chunks(self) -> Iterator[bytes]:
        """The body in chunks of at most ``chunk`` bytes."""
        if isinstance(self.body, bytes):
            for start in range(0, len(self.body), self.chunk):
                yield self.body[start:start + self.chunk]
            return
        for piece in self.body():
            for start in range(0, len(piece), self.chunk):
                yield piece[start:start + self.chunk]


def page_reply(page: Page, **how: Any) -> Reply:
    """A reply serving ``page`` as the mirror would, delivered as ``how`` says."""
    return Reply(page.status, dict(page.headers), page.body, len(page.body), **how)


@dataclass(frozen=True)
class Fault:
    """Base of every fault: :meth:`reply` answers a request given the page normally served."""

    times: int | None = field(default=None, kw_only=True)
    """Serve the fault this many times, then serve normally (``None``: always)."""

    def reply(self, page: Page) -> Reply:
        """The reply to one request whose normal answer is ``page``."""
        raise NotImplementedError

    @property
    def label(self) -> str:
        """Short name for the access log, e.g. ``Status(503)``."""
        return type(self).__name__


_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable",
            504: "Gateway Time-out", 429: "Too Many Requests"}


def nginx_error_page(status: int) -> bytes:
    """The body nginx sends with an error status."""
    title = f"{status} {_REASONS.get(status, 'Error')}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1>"
            "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()


@dataclass(frozen=True)
class Status(Fault):
    """An error status: the site's 404 or 410 page, or nginx's page for 5xx and 429.

    ``retry_after`` is sent verbatim as ``Retry-After`` (seconds, or any text);
    ``retry_date`` sends an HTTP date that many seconds after the moment of serving.
    """

    status: int
    retry_after: int | str | None = None
    retry_date: float | None = None

    def reply(self, page: Page) -> Reply:
        """The error page with its status (and ``Retry-After``)."""
        if self.status == 404:
            error = not_found_page()
        elif self.status == 410:
            error = gone_page(410)
        else:
            error = Page(self.status, {"Content-Type": "text/html"}, nginx_error_page(self.status))
        headers = dict(error.headers)
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        if self.retry_date is not None:
            headers["Retry-After"] = formatdate(time.time() + self.retry_date, usegmt=True)
        return Reply(self.status, headers, error.body, len(error.body))

    @property
    def label(self) -> str:
        """``Status(503)``."""
        return f"Status({self.status})"


@dataclass(frozen=True)
class Delay(Fault):
    """The normal page, after waiting ``seconds`` before the status line (a slow or hung server)."""

    seconds: float

    def reply(self, page: Page) -> Reply:
        """The page, late."""
        return page_reply(page, delay=self.seconds)


@dataclass(frozen=True)
class Trickle(Fault):
    """The normal page, headers at once, the body in ``pieces`` parts spread over ``seconds``."""

    seconds: float
    pieces: int = 20

    def reply(self, page: Page) -> Reply:
        """The page, slowly."""
        size = max(1, -(-len(page.body) // self.pieces))
        return page_reply(page, chunk=size, pace=self.seconds / self.pieces)


@dataclass(frozen=True)
class Reset(Fault):
    """The normal page's headers (full ``Content-Length``), then the connection reset (TCP RST)
    after the ``at`` share of the body."""

    at: float = 0.5

    def reply(self, page: Page) -> Reply:
        """The page, cut by a reset."""
        return page_reply(page, cut_at=int(len(page.body) * self.at), reset=True)


@dataclass(frozen=True)
class Truncate(Fault):
    """The normal page's headers (full ``Content-Length``), then a normal close after the
    ``at`` share of the body: fewer bytes than announced."""

    at: float = 0.5

    def reply(self, page: Page) -> Reply:
        """The page, truncated."""
        return page_reply(page, cut_at=int(len(page.body) * self.at))


@dataclass(frozen=True)
class Redirect(Fault):
    """A redirect (301, 302, 303, 307 or 308) to ``location`` (absolute or relative, any scheme)."""

    location: str
    status: int = 301

    def reply(self, page: Page) -> Reply:
        """An nginx-style redirect."""
        body = (f"<html><head><title>{self.status} Moved</title></head><body><center><h1>"
                f"{self.status} Moved</h1></center><hr><center>nginx</center></body></html>").encode()
        headers = {"Content-Type": "text/html", "Location": self.location}
        return Reply(self.status, headers, body, len(body))

    @property
    def label(self) -> str:
        """``Redirect(301)``."""
        return f"Redirect({self.status})"


@dataclass(frozen=True)
class Serve(Fault):
    """Any content in place of the normal page: ``body`` with ``content_type`` (``None``: no
    ``Content-Type`` header) and ``status``."""

    body: bytes
    content_type: str | None = "text/html; charset=utf-8"
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)

    def reply(self, page: Page) -> Reply:
        """The given content."""
        headers = {"X-Powered-By": "Next.js", **self.headers}
        if self.content_type is not None:
            headers["Content-Type"] = self.content_type
        return Reply(self.status, headers, self.body, len(self.body))

    @property
    def label(self) -> str:
        """``Serve(image/jpeg)``."""
        return f"Serve({self.content_type})"


@dataclass(frozen=True)
class Rewrite(Fault):
    """The normal page passed through ``transform`` (named ``name`` in the access log)."""

    transform: Callable[[Page], Page]
    name: str = "rewrite"

    def reply(self, page: Page) -> Reply:
        """The transformed page."""
        return page_reply(self.transform(page))

    @property
    def label(self) -> str:
        """``Rewrite(<name>)``."""
        return f"Rewrite({self.name})"


@dataclass(frozen=True)
class Huge(Fault):
    """An HTML page of ``size`` bytes, streamed (``Content-Length`` declared when
    ``declare_length``, else the body ends with the connection)."""

    size: int
    declare_length: bool = True

    def reply(self, page: Page) -> Reply:
        """The oversized page."""
        head = (b'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"/><title>'
                + "Trang rất lớn - Vietnam.vn".encode() + b"</title></head><body><div>")
        tail = b"</div></body></html>"
        filler = b"<p>" + "Nội dung lặp lại rất dài. ".encode() * 40 + b"</p>\n"
        size = max(self.size, len(head) + len(tail))

        def stream() -> Iterator[bytes]:
            yield head
            left = size - len(head) - len(tail)
            while left > 0:
                piece = filler[:left]
                left -= len(piece)
                yield piece
            yield tail

        headers = {**HTML_HEADERS}
        return Reply(200, headers, stream, size if self.declare_length else None, chunk=256 * 1024)

    @property
    def label(self) -> str:
        """``Huge(12582912)``."""
        return f"Huge({self.size})"


# --------------------------------------------------------------------------- page transforms

_META_CHARSET = re.compile(rb"<meta\s+charset=[\"']?[\w-]+[\"']?\s*/?>", re.I)
_CP1258_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
"""Combining tone marks that Windows-1258 writes after the (precomposed) letter."""


def encode_cp1258(text: str) -> bytes:
    """``text`` in Windows-1258: tone marks as combining bytes, the rest as character references."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _CP1258_TONES))
        tones = "".join(c for c in parts if c in _CP1258_TONES)
        try:
            out += (base + tones).encode("cp1258")
        except UnicodeEncodeError:
            out += char.encode("ascii", "xmlcharrefreplace")
    return bytes(out)


def recoded(encoding: str, header: str | None, meta: str | None) -> Rewrite:
    """The page encoded in ``encoding`` (``windows-1258`` supported), declaring ``header`` as the
    ``Content-Type`` charset and ``meta`` in ``<meta charset>`` (``None``: not declared there)."""

    def transform(page: Page) -> Page:
        tag = f'<meta charset="{meta}"/>' if meta else ""
        text = _META_CHARSET.sub(tag.encode(), page.body, count=1).decode("utf-8")
        body = encode_cp1258(text) if encoding.lower() in ("windows-1258", "cp1258") else \
            text.encode(encoding, "xmlcharrefreplace")
        headers = {**page.headers, "Content-Type": "text/html" + (f"; charset={header}" if header else "")}
        headers.pop("ETag", None)
        return Page(page.status, headers, body)

    return Rewrite(transform, f"{encoding}/header={header}/meta={meta}")


def _edit(page: Page, edit: Callable[[bytes], bytes]) -> Page:
    headers = {k: v for k, v in page.headers.items() if k != "ETag"}
    return Page(page.status, headers, edit(page.body))


def nested(depth: int = 5000) -> Rewrite:
    """Everything between the site header and the footer wrapped in ``depth`` nested ``<div>``s."""

    def edit(body: bytes) -> bytes:
        body = body.replace(b"</header>", b"</header>" + b"<div>" * depth, 1)
        return body.replace(b"<footer", b"</div>" * depth + b"<footer", 1)

    return Rewrite(lambda page: _edit(page, edit), f"nested({depth})")


GARBAGE = b"\xff\xfe\x00\xc3\x28\xa0\xa1\xe2\x28\xa1\x00\x1b[0m\xf0\x28\x8c\xbc"
"""Bytes that are not UTF-8 (and a NUL and an escape sequence among them)."""


def malformed() -> Rewrite:
    """Broken markup that leaves the article's text alone: stray end tags where nothing is open,
    every ``</p>`` dropped (unclosed paragraphs), unclosed table tags in the footer, garbage
    bytes in a comment, in a script and after ``</html>``, a truncated trailing tag."""

    def edit(body: bytes) -> bytes:
        body = body.replace(b"<head>", b"<head><!-- " + GARBAGE + b" -->", 1)
        body = body.replace(b"<body>", b"<body></div></span></div></td></li>", 1)
        body = body.replace(b"</p>", b"")
        body = body.replace(b"<footer", b"<script>var x='" + GARBAGE + b"';</script><footer", 1)
        body = body.replace(b'class="footer-links">', b'class="footer-links"><table><tr><td>', 1)
        return body + GARBAGE + b"<div><p>trailing <b>garbage</i></div></div></div><a href="

    return Rewrite(lambda page: _edit(page, edit), "malformed")


# --------------------------------------------------------------------------- bodies

JPEG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        b"\xff\xfe\x00\x0emirror image\xff\xdb\x00C\x00" + bytes(range(1, 65))
        + b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00\xff\xda\x00\x08\x01\x01\x00\x00?\x00"
        + b"\xd2\xcf \xff\xd9")
"""A tiny JPEG file (SOI, JFIF, comment, tables, one scan, EOI)."""

def _pdf(stream: bytes, filters: str) -> bytes:
    """A one-page PDF file (with a correct xref table) around a content ``stream``."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
               f"<</Length {len(stream)}{filters}>>stream\n".encode() + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_PDF_TEXT = b"BT /F1 24 Tf 72 700 Td (Viet Nam - Nen tang quang ba Viet Nam) Tj ET"
PDF = _pdf(zlib.compress(_PDF_TEXT * 8, 9), "/Filter/FlateDecode")
"""A one-page PDF file as most tools write it: its content stream compressed (binary bytes)."""
PDF_UNCOMPRESSED = _pdf(_PDF_TEXT, "")
"""A one-page PDF whose bytes are all printable: no byte sniffing can tell it from text."""


def article_json(title: str, lead: str, published: str) -> bytes:
    """A Next.js data route answer (``/_next/data/…``) describing an article, as JSON."""
    data = {"pageProps": {"post": {"title": title, "description": lead, "publishedAt": published,
                                   "content": f"<p>{lead}</p>"}}, "__N_SSP": True}
    return json.dumps(data, ensure_ascii=False).encode()


def not_found_template(renderer: SiteRenderer | None = None, lang: str = "vi") -> bytes:
    """The Next.js "404: This page could not be found" page, as sent with status 200 by a
    misconfigured server: bare (``renderer`` None) or inside the site's header and footer."""
    if renderer is None:
        return not_found_page().body
    content = ('<div class="ant-layout-content"><div style="font-family:system-ui,&quot;Segoe UI&quot;,'
               'Roboto,Helvetica,Arial,sans-serif;height:100vh;text-align:center;display:flex;'
               'flex-direction:column;align-items:center;justify-content:center">'
               '<div><h1 class="next-error-h1" style="display:inline-block;margin:0 20px 0 0;'
               'padding:0 23px 0 0;font-size:24px;font-weight:500;vertical-align:top;'
               'line-height:49px">404</h1><div style="display:inline-block"><h2 style="font-size:14px;'
               'font-weight:400;line-height:49px;margin:0">This page could not be found.</h2></div>'
               "</div></div></div>")
    head = '<meta name="robots" content="noindex"/><meta name="next-head-count" content="3"/>'
    html = renderer.document(lang, "404: This page could not be found", content, head=head,
                             next_data=("/_error", {}, {"statusCode": 404}), route="/_error")
    return html.encode("utf-8")


def robots_txt(*disallow: str, sitemap: str = "https://www.vietnam.vn/sitemap.xml",
               crawl_delay: float | None = None) -> bytes:
    """A robots.txt disallowing ``disallow`` paths for every user agent (``$`` ends a path),
    asking for ``crawl_delay`` seconds between requests when given."""
    rules = "".join(f"Disallow: {path}\n" for path in disallow)
    if crawl_delay is not None:
        rules += f"Crawl-delay: {crawl_delay:g}\n"
    return f"User-agent: *\n{rules}Allow: /\n\nSitemap: {sitemap}\n".encode()


# --------------------------------------------------------------------------- registry


def _normal(path: str) -> str:
    return path.rstrip("/") or "/"


def fault_key(target: str) -> str:
    """Registry key of a path or request target: path without trailing slash (query kept only
    when ``target`` has one)."""
    parts = urlsplit(target)
    return _normal(parts.path) + (f"?{parts.query}" if parts.query else "")


@dataclass
class _Installed:
    fault: Fault
    served: int = 0


@dataclass
class FaultCount:
    """How often a path's fault was served, and the body bytes written for it."""

    served: int = 0
    bytes_sent: int = 0


class Faults:
    """The faults installed on one mirror, by path (thread-safe), with per-path counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._installed: dict[str, _Installed] = {}
        self._counts: dict[str, FaultCount] = {}
        self._stopping = threading.Event()

    def set(self, path: str, fault: Fault) -> None:
        """Serve ``fault`` for ``path`` from now on (its counters start again from zero)."""
        key = fault_key(path)
        with self._lock:
            self._installed[key] = _Installed(fault)
            self._counts[key] = FaultCount()

    def remove(self, path: str) -> None:
        """Serve ``path`` normally again (its counters stay readable)."""
        with self._lock:
            self._installed.pop(fault_key(path), None)

    def clear(self) -> None:
        """Remove every fault and forget every counter."""
        with self._lock:
            self._installed.clear()
            self._counts.clear()

    def get(self, path: str) -> Fault | None:
        """The fault installed for ``path``, if any."""
        with self._lock:
            installed = self._installed.get(fault_key(path))
            return installed.fault if installed else None

    @contextmanager
    def injected(self, faults: Mapping[str, Fault]) -> Iterator[Faults]:
        """Install ``faults`` (path → fault) for the duration of the block, then restore what was
        installed before for those paths. Counters stay readable after the block."""
        keys = {fault_key(path): fault for path, fault in faults.items()}
        with self._lock:
            before = {key: self._installed.get(key) for key in keys}
            for key, fault in keys.items():
                self._installed[key] = _Installed(fault)
                self._counts[key] = FaultCount()
        try:
            yield self
        finally:
            with self._lock:
                for key, previous in before.items():
                    if previous is None:
                        self._installed.pop(key, None)
                    else:
                        self._installed[key] = previous

    def served(self, path: str) -> int:
        """How many times ``path``'s fault has been served."""
        with self._lock:
            count = self._counts.get(fault_key(path))
            return count.served if count else 0

    def bytes_sent(self, path: str) -> int:
        """Body bytes written while serving ``path``'s fault."""
        with self._lock:
            count = self._counts.get(fault_key(path))
            return count.bytes_sent if count else 0

    def counts(self) -> dict[str, int]:
        """Times served, by path."""
        with self._lock:
            return {key: count.served for key, count in self._counts.items()}

    def take(self, target: str) -> tuple[str, Fault] | None:
        """The fault to serve for a request ``target`` (counted as served), or None when the
        target has none or its fault has been served ``times`` times already."""
        parts = urlsplit(target)
        path = _normal(parts.path)
        candidates = ([f"{path}?{parts.query}"] if parts.query else []) + [path]
        with self._lock:
            for key in candidates:
                installed = self._installed.get(key)
                if installed is None:
                    continue
                fault = installed.fault
                if fault.times is not None and installed.served >= fault.times:
                    return None
                installed.served += 1
                self._counts.setdefault(key, FaultCount()).served += 1
                return key, fault
        return None

    def add_bytes(self, key: str, n: int) -> None:
        """Count ``n`` body bytes written for ``key``'s fault."""
        with self._lock:
            self._counts.setdefault(key, FaultCount()).bytes_sent += n

    def pause(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the mirror stops meanwhile; False when it did."""
        return seconds <= 0 or not self._stopping.wait(seconds)

    def stopping(self, value: bool) -> None:
        """Mark the mirror as stopping (cuts every pause short) or running."""
        if value:
            self._stopping.set()
        else:
            self._stopping.clear()
