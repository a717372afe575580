"""The archive's format: the WARC/1.1 records of one fetch, and the page they give back.

This module is the contract between the writer (``newscrawl.archive.extension`` and
``.writer``) and every reader (``newscrawl.archive.reader``, re-extraction, fixtures). One fetch
becomes, in this order and sharing ``WARC-Target-URI`` (the URL as fetched) and the header
``Newscrawl-Canonical-URI`` (the site's canonical URL):

1. ``response`` — ``HTTP/1.1 <status> <reason>``, the response headers and the body Scrapy
   received. Scrapy decodes ``Content-Encoding`` before anyone sees the body, so the stored
   headers drop ``Content-Encoding``, ``Content-Length`` and ``Transfer-Encoding``, carry the
   body's real length, and say ``Newscrawl-Decoded: <coding>`` when a coding was removed. A 304
   is a ``revisit`` record instead (profile *server-not-modified*, headers only).
2. ``request`` — the request as sent (``WARC-Concurrent-To`` the response).
3. ``metadata`` — JSON of what the crawl knew besides the page (``WARC-Concurrent-To`` the
   response): canonical URL, language, slug, kind, the categories it was found under, the
   crawl's ``base_url``, the site profile, whether it was rendered, when it was fetched.
4. ``conversion`` — only for a page that went through the browser: the rendered DOM
   (``WARC-Refers-To`` the response). Readers prefer it to the response's body.

Records are built with warcio, which computes ``WARC-Block-Digest`` and ``WARC-Payload-Digest``
(SHA-1, base32) when they are written.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime

WARC_VERSION = "WARC/1.1"
CANONICAL_HEADER = "Newscrawl-Canonical-URI"
DECODED_HEADER = "Newscrawl-Decoded"
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
RENDERED_DOM_TYPE = "text/html; charset=utf-8"
METADATA_TYPE = "application/json"
# Response headers that describe the bytes on the wire, not the body Scrapy hands on.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# What a page is, by the spider callback that read it (``meta["kind"]``).
KIND_OF_CALLBACK = {
    "parse_article": "article", "parse_listing": "listing", "parse_home": "home",
    "parse_sitemap": "sitemap", "parse_feed": "feed", "parse_robots": "robots",
}  # fmt: skip
KINDS = ("article", "listing", "home", "sitemap", "feed", "robots", "other")

_builder = RecordBuilder(warc_version=WARC_VERSION)


@dataclass(frozen=True)
class Fetch:
    """One fetch as the archive keeps it: what was asked, what came back, what the crawl knew."""

    url: str
    """The URL as fetched (the crawl origin's, e.g. a mirror's)."""
    status: int
    response_headers: Sequence[tuple[str, str]]
    """As received (latin-1 text), before :func:`build_records` drops the wire-only ones."""
    body: bytes
    """What Scrapy handed on: decoded, or the browser's DOM for a rendered page."""
    fetched_at: float
    """Epoch seconds; every record of the fetch gets it as ``WARC-Date``."""
    method: str = "GET"
    request_headers: Sequence[tuple[str, str]] = ()
    request_body: bytes = b""
    canonical: str | None = None
    content_encoding: str | None = None
    """The ``Content-Encoding`` Scrapy removed before the body reached us, if any."""
    rendered: bool = False
    """The body is a browser's DOM: a ``conversion`` record holds it too."""
    meta: Mapping[str, Any] = field(default_factory=dict)
    """The metadata record's JSON (see the module docstring)."""
    refers_to_date: float | None = None
    """For a 304: when the response it confirms was archived, if known."""


@dataclass(frozen=True)
class ArchivedPage:
    """A fetched page read back from the archive: everything re-extraction needs."""

    url: str
    """As fetched (``WARC-Target-URI``)."""
    canonical: str | None
    status: int
    """304 for a revisit."""
    headers: list[tuple[str, str]]
    body: bytes
    """The response body; the rendered DOM when a conversion record exists."""
    meta: dict[str, Any]
    """The metadata record's JSON (``{}`` without one)."""
    fetched_at: float
    """``WARC-Date`` as epoch seconds."""
    rendered: bool
    record_id: str
    """The response's (or revisit's) ``WARC-Record-ID``."""
    path: str
    offset: int
    """Where the response record starts in ``path`` (as ``warcio index`` gives it)."""

    def header(self, name: str) -> str | None:
        """The first response header ``name`` (any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


# --------------------------------------------------------------------------- building


def warc_date(epoch: float) -> str:
    """``epoch`` as a WARC/1.1 date (UTC, microseconds)."""
    moment = datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(moment, use_micros=True))


def epoch_of(date: str) -> float:
    """A WARC date as epoch seconds."""
    return float(iso_date_to_datetime(date).replace(tzinfo=UTC).timestamp())


def stored_response_headers(fetch: Fetch) -> list[tuple[str, str]]:
    """The response headers as the archive stores them: true to the decoded body (see module doc)."""
    headers = [(k, v) for k, v in fetch.response_headers if k.lower() not in _WIRE_HEADERS]
    if fetch.status != 304:
        headers.append(("Content-Length", str(len(fetch.body))))
    if fetch.content_encoding:
        headers.append((DECODED_HEADER, fetch.content_encoding))
    return headers


def _status_line(status: int) -> str:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return f"{status} {reason}".rstrip()


def _warc_headers(fetch: Fetch, extra: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    headers = {"WARC-Date": warc_date(fetch.fetched_at)}
    if fetch.canonical:
        headers[CANONICAL_HEADER] = fetch.canonical
    headers.update(extra)
    return headers


def _request_line(fetch: Fetch) -> str:
    # The request target as sent: path and query, never the scheme and host.
    rest = fetch.url.split("://", 1)[-1]
    slash = rest.find("/")
    target = rest[slash:] if slash >= 0 else "/"
    return f"{fetch.method} {target.split('#', 1)[0]} HTTP/1.1"


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def _record_id(record: ArcWarcRecord) -> str:
    return str(record.rec_headers.get_header("WARC-Record-ID"))


def response_record(fetch: Fetch) -> ArcWarcRecord:
    """The ``response`` record of a fetch, or its ``revisit`` record for a 304."""
    http = StatusAndHeaders(_status_line(fetch.status), stored_response_headers(fetch), protocol="HTTP/1.1")
    if fetch.status == 304:
        extra = [("WARC-Profile", NOT_MODIFIED_PROFILE), ("WARC-Refers-To-Target-URI", fetch.url)]
        if fetch.refers_to_date is not None:
            extra.append(("WARC-Refers-To-Date", warc_date(fetch.refers_to_date)))
        return _builder.create_warc_record(
            fetch.url, "revisit", http_headers=http, warc_headers_dict=_warc_headers(fetch, extra)
        )
    return _builder.create_warc_record(
        fetch.url, "response", payload=io.BytesIO(fetch.body), length=len(fetch.body),
        http_headers=http, warc_headers_dict=_warc_headers(fetch),
    )  # fmt: skip


def request_record(fetch: Fetch, response_id: str) -> ArcWarcRecord:
    """The ``request`` record: the request line, ``Host`` and the headers Scrapy sent."""
    headers = list(fetch.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", _host(fetch.url)))
    http = StatusAndHeaders(_request_line(fetch), headers, is_http_request=True)
    return _builder.create_warc_record(
        fetch.url, "request", payload=io.BytesIO(fetch.request_body), length=len(fetch.request_body),
        http_headers=http, warc_headers_dict=_warc_headers(fetch, [("WARC-Concurrent-To", response_id)]),
    )  # fmt: skip


def metadata_record(fetch: Fetch, response_id: str) -> ArcWarcRecord:
    """The ``metadata`` record: :attr:`Fetch.meta` as JSON."""
    payload = json.dumps(dict(fetch.meta), ensure_ascii=False, sort_keys=True).encode("utf-8")
    return _builder.create_warc_record(
        fetch.url, "metadata", payload=io.BytesIO(payload), length=len(payload),
        warc_content_type=METADATA_TYPE,
        warc_headers_dict=_warc_headers(fetch, [("WARC-Concurrent-To", response_id)]),
    )  # fmt: skip


def conversion_record(fetch: Fetch, response_id: str) -> ArcWarcRecord:
    """The ``conversion`` record of a rendered page: the browser's DOM."""
    return _builder.create_warc_record(
        fetch.url, "conversion", payload=io.BytesIO(fetch.body), length=len(fetch.body),
        warc_content_type=RENDERED_DOM_TYPE,
        warc_headers_dict=_warc_headers(fetch, [("WARC-Refers-To", response_id)]),
    )  # fmt: skip


def build_records(fetch: Fetch) -> list[ArcWarcRecord]:
    """The records of one fetch, in the order they are written (see the module docstring)."""
    response = response_record(fetch)
    response_id = _record_id(response)
    records = [response, request_record(fetch, response_id), metadata_record(fetch, response_id)]
    if fetch.rendered and fetch.status != 304:
        records.append(conversion_record(fetch, response_id))
    return records


def warcinfo_record(filename: str, info: Mapping[str, Any]) -> ArcWarcRecord:
    """A file's first record: who wrote it, for which crawl (empty values are left out)."""
    return _builder.create_warcinfo_record(filename, {k: v for k, v in info.items() if v not in (None, "")})


# --------------------------------------------------------------------------- reading back


@dataclass(frozen=True)
class StoredRecord:
    """One WARC record as read from a file, payload included (see ``newscrawl.archive.reader``)."""

    type: str
    headers: Mapping[str, str]
    """The WARC headers (first value of each name)."""
    status: int | None
    """The HTTP status of a response or revisit."""
    http_headers: list[tuple[str, str]]
    payload: bytes
    """The HTTP payload (the block without HTTP headers)."""
    offset: int
    problem: str | None = None
    """Why the record cannot be trusted (a digest that does not match), or None."""

    @property
    def record_id(self) -> str:
        """``WARC-Record-ID``."""
        return self.headers.get("WARC-Record-ID", "")

    @property
    def refers_to(self) -> str | None:
        """The record this one belongs to: ``WARC-Concurrent-To``, else ``WARC-Refers-To``."""
        return self.headers.get("WARC-Concurrent-To") or self.headers.get("WARC-Refers-To")


PAGE_RECORDS = ("response", "revisit")


def assemble_page(response: StoredRecord, related: Iterable[StoredRecord], path: str) -> ArchivedPage:
    """The page of a response (or revisit) record and the records that refer to it.

    Raises ValueError for a metadata record whose JSON is not an object.
    """
    meta: dict[str, Any] = {}
    conversion: StoredRecord | None = None
    for record in related:
        if record.type == "metadata" and record.headers.get("Content-Type", "").startswith(METADATA_TYPE):
            loaded = json.loads(record.payload)
            if not isinstance(loaded, dict):
                raise ValueError("its metadata record is not a JSON object")
            meta = loaded
        elif record.type == "conversion":
            conversion = record
    date = response.headers.get("WARC-Date")
    return ArchivedPage(
        url=response.headers.get("WARC-Target-URI", ""),
        canonical=response.headers.get(CANONICAL_HEADER) or meta.get("canonical"),
        status=response.status if response.status is not None else 0,
        headers=list(response.http_headers),
        body=conversion.payload if conversion is not None else response.payload,
        meta=meta,
        fetched_at=epoch_of(date) if date else 0.0,
        rendered=conversion is not None or bool(meta.get("rendered")),
        record_id=response.record_id,
        path=path,
        offset=response.offset,
    )
