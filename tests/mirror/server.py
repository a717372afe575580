"""Threaded HTTP server on 127.0.0.1 serving a :class:`SiteModel`, rendered on demand.

Pages carry validators (``ETag`` on every 200 page, ``Last-Modified`` on articles); a request
whose ``If-None-Match`` matches, or (without ``If-None-Match``) whose ``If-Modified-Since`` is not
older than ``Last-Modified``, gets ``304 Not Modified`` with no body.

``MirrorServer.faults`` (:class:`~tests.mirror.faults.Faults`) makes chosen paths misbehave on
demand: error statuses, delays, cut connections, redirects, odd content (see ``faults.py``).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from .faults import Faults, Reply
from .grammar import Grammar
from .model import SiteModel
from .render import Page, PageMap, SiteRenderer, not_found_page
from .truth import truth_records

LOGGED_HEADERS = ("Host", "User-Agent", "Referer", "Accept-Language", "If-None-Match",
                  "If-Modified-Since")
"""Request headers kept in the access log."""

LogEntry = tuple[str, str, dict[str, str]]
VALIDATOR_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary")
"""Headers a 304 response repeats."""


@dataclass(frozen=True)
class RequestRecord:
    """One served request: method, target (path and query as sent), path, status served, the
    logged request headers, when it arrived (``time.monotonic()``) and the fault served, if any
    (its label, e.g. ``Status(503)``; ``""`` for normal service)."""

    method: str
    target: str
    path: str
    status: int
    headers: dict[str, str]
    at: float = 0.0
    fault: str = ""


def not_modified(page: Page, request_headers: Any) -> bool:
    """Whether a conditional request for ``page`` deserves ``304 Not Modified``."""
    if page.status != 200:
        return False
    inm = request_headers.get("If-None-Match")
    if inm is not None:
        current = page.etag
        if current is None:
            return False
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or current in tags
    ims, modified = request_headers.get("If-Modified-Since"), page.last_modified
    if ims is None or modified is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError, IndexError):
        return False
    return since.tzinfo is not None and since >= modified


def lookup_key(target: str) -> str:
    """Page key of a request target: path without trailing slash, query without ``utm_*``."""
    parts = urlsplit(target)
    path = parts.path.rstrip("/") or "/"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not k.startswith("utm_")]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)
    return path + (f"?{query}" if query else "")


class _Handler(BaseHTTPRequestHandler):
    """Serves ``server.mirror`` pages; the Host header is ignored."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        """The ``Server`` header."""
        return "nginx"

    def _respond(self, send_body: bool) -> None:
        mirror = self.server.mirror
        arrived = time.monotonic()
        page = mirror.lookup(self.path)
        taken = mirror.faults.take(self.path)
        if taken is not None:
            key, fault = taken
            reply = fault.reply(page)
            mirror.record(self.command, self.path, self.headers, reply.status, at=arrived,
                          fault=fault.label)
            self._send_reply(reply, send_body, key)
            return
        if not_modified(page, self.headers):
            mirror.record(self.command, self.path, self.headers, 304, at=arrived)
            self.send_response(304)
            for name in VALIDATOR_HEADERS:
                if name in page.headers:
                    self.send_header(name, page.headers[name])
            self.end_headers()
            return
        mirror.record(self.command, self.path, self.headers, page.status, at=arrived)
        self.send_response(page.status)
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(page.body)

    def _send_reply(self, reply: Reply, send_body: bool, key: str) -> None:
        """Carry out a fault's reply: wait, send headers, write (paced, maybe cut) the body."""
        faults = self.server.mirror.faults
        if not faults.pause(reply.delay):
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.content_length is not None:
            self.send_header("Content-Length", str(reply.content_length))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        if not send_body:
            return
        sent = 0
        try:
            for chunk in reply.chunks():
                if reply.cut_at is not None and sent + len(chunk) >= reply.cut_at:
                    chunk = chunk[:reply.cut_at - sent]
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    self._cut(reply.reset)
                    return
                self.wfile.write(chunk)
                sent += len(chunk)
                if reply.pace and not faults.pause(reply.pace):
                    self._cut(reset=True)
                    return
        finally:
            faults.add_bytes(key, sent)
        if reply.content_length is None:
            self.close_connection = True

    def _cut(self, reset: bool) -> None:
        """End the connection now: a TCP reset (``SO_LINGER`` 0), or a normal close."""
        self.close_connection = True
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def do_GET(self) -> None:
        """Answer a GET."""
        self._respond(True)

    def do_HEAD(self) -> None:
        """Answer a HEAD."""
        self._respond(False)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep stderr quiet."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    mirror: MirrorServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up mid-response."""


class MirrorServer:
    """The mirror site on 127.0.0.1 in a daemon thread, with an access log.

    ``pages`` (a mapping rendered on demand, with an LRU of ``cache_size`` pages) and ``truth``
    (computed on first use) follow ``site``; call :meth:`rebuild` after changing the model.
    With a ``grammar`` (``grammar.py``) every page, request target and truth URL is in that
    grammar and its hosts instead of vietnam.vn's.
    """

    def __init__(self, site: SiteModel, host: str = "127.0.0.1", port: int = 0,
                 cache_size: int = 2000, *, grammar: Grammar | None = None) -> None:
        self.site = site
        self.grammar = grammar
        self.host, self.port = host, port
        self.cache_size = cache_size
        self.pages: PageMap
        self._truth: list[dict[str, Any]] | None = None
        self._not_found = not_found_page()
        self._log: list[LogEntry] = []
        self._requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._logged = threading.Condition(self._lock)  # notified as each request is logged
        self._truth_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.faults = Faults()
        """Faults served on demand for chosen paths (see ``faults.py``)."""
        self.rebuild()

    def rebuild(self) -> None:
        """Re-index the (possibly changed) model: pages render afresh, the truth is recomputed."""
        pages = PageMap(SiteRenderer(self.site, self.grammar), self.cache_size)
        with self._truth_lock, self._lock:
            self.pages, self._truth = pages, None

    @property
    def truth(self) -> list[dict[str, Any]]:
        """Expected records of the current model (see :func:`truth_records`), cached."""
        with self._truth_lock:
            if self._truth is None:
                self._truth = truth_records(self.site, self.grammar)
            return self._truth

    @property
    def base_url(self) -> str:
        """Origin to crawl, e.g. ``http://127.0.0.1:43817``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> MirrorServer:
        """Bind and serve in a daemon thread; returns ``self``."""
        if self._httpd:
            return self
        self.faults.stopping(False)
        self._httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd.mirror = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="mirror",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (pending fault delays are cut short)."""
        self.faults.stopping(True)
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def lookup(self, target: str) -> Page:
        """The page served for a request target (404 page when unknown)."""
        return self.pages.get(lookup_key(target), self._not_found)

    def record(self, method: str, target: str, headers: Any, status: int = 0, *,
               at: float | None = None, fault: str = "") -> None:
        """Append one access-log entry (``status`` as served, 0 when unknown; ``at`` the arrival
        time, now when not given; ``fault`` the label of the fault served)."""
        kept = {h: headers[h] for h in LOGGED_HEADERS if headers.get(h) is not None}
        path = urlsplit(target).path
        when = time.monotonic() if at is None else at
        with self._lock:
            self._log.append((method, target, kept))
            self._requests.append(RequestRecord(method, target, path, status, kept, when, fault))
            self._logged.notify_all()

    @property
    def log(self) -> list[LogEntry]:
        """A copy of the access log: ``(method, path_with_query, selected headers)``."""
        with self._lock:
            return list(self._log)

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the access log with the status served (:class:`RequestRecord`)."""
        with self._lock:
            return list(self._requests)

    def wait_for_requests(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` requests are logged (since the last :meth:`reset_log`);
        False when ``timeout`` seconds pass first."""
        with self._logged:
            return self._logged.wait_for(lambda: len(self._requests) >= count, timeout)

    def reset_log(self) -> None:
        """Forget logged requests."""
        with self._lock:
            self._log.clear()
            self._requests.clear()
