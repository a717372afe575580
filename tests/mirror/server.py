"""Threaded HTTP server on 127.0.0.1 serving a rendered :class:`SiteModel`."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from .model import SiteModel
from .render import Page, not_found_page, render_site
from .truth import truth_records

LOGGED_HEADERS = ("Host", "User-Agent", "Referer", "Accept-Language", "If-None-Match",
                  "If-Modified-Since")
"""Request headers kept in the access log."""

LogEntry = tuple[str, str, dict[str, str]]


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
        mirror.record(self.command, self.path, self.headers)
        page = mirror.lookup(self.path)
        self.send_response(page.status)
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(page.body)

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

    ``pages`` and ``truth`` are computed from ``site``; call :meth:`rebuild` after changing the
    model.
    """

    def __init__(self, site: SiteModel, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.host, self.port = host, port
        self.pages: dict[str, Page] = {}
        self.truth: list[dict[str, Any]] = []
        self._not_found = not_found_page()
        self._log: list[LogEntry] = []
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.rebuild()

    def rebuild(self) -> None:
        """Re-render pages and expected records from the (possibly changed) model."""
        pages, truth = render_site(self.site), truth_records(self.site)
        with self._lock:
            self.pages, self.truth = pages, truth

    @property
    def base_url(self) -> str:
        """Origin to crawl, e.g. ``http://127.0.0.1:43817``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> MirrorServer:
        """Bind and serve in a daemon thread; returns ``self``."""
        if self._httpd:
            return self
        self._httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd.mirror = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="mirror",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
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

    def record(self, method: str, target: str, headers: Any) -> None:
        """Append one access-log entry."""
        kept = {h: headers[h] for h in LOGGED_HEADERS if headers.get(h) is not None}
        with self._lock:
            self._log.append((method, target, kept))

    @property
    def log(self) -> list[LogEntry]:
        """A copy of the access log: ``(method, path_with_query, selected headers)``."""
        with self._lock:
            return list(self._log)

    def reset_log(self) -> None:
        """Forget logged requests."""
        with self._lock:
            self._log.clear()
