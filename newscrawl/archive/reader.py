"""The pages of archive files and folders, in file order, whatever the files hold.

:func:`iter_pages` reads WARC files (ours or anyone's, gzip members or plain) with warcio and
groups the records of each fetch (see ``newscrawl.archive.records``) into an
:class:`~newscrawl.archive.records.ArchivedPage`. What cannot be read — a torn last record, a
file that is not WARC, a record that cannot be parsed — is skipped, never raised: it is logged
with the file and offset and counted by reason in the ``skips`` counter the caller may pass.
"""

from __future__ import annotations

import logging
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator

from newscrawl.archive.records import PAGE_RECORDS, ArchivedPage, StoredRecord, assemble_page
from newscrawl.archive.writer import SUFFIX

logger = logging.getLogger(__name__)

# Files a folder is searched for; a ``.part`` (being written, or left by a killed run) is read
# only when named on its own.
ARCHIVE_SUFFIXES = (SUFFIX, ".warc")
# Reasons in the ``skips`` counter.
UNREADABLE = "unreadable"  # not WARC, or torn: the rest of the file is skipped
TORN = "torn"  # a record cut short (a killed writer's last one): the file ends there
BAD_RECORD = "bad_record"  # a page whose records could not be read or fail their digests
ORPHAN = "orphan"  # a request/metadata/conversion record whose response was not found
MISSING = "missing"  # a path that does not exist
_GZIP_MAGIC = b"\x1f\x8b"
_TAIL = 1 << 16  # bytes after the last record looked at: any but whitespace is a torn record


def archive_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files of ``paths``: a file as given, a folder's archive files (recursively, sorted)."""
    for path in paths:
        if path.is_dir():
            found = (p for p in path.rglob("*") if p.is_file() and p.name.endswith(ARCHIVE_SUFFIXES))
            yield from sorted(found)
        else:
            yield path


def _since_epoch(since: datetime | None) -> float | None:
    if since is None:
        return None
    return (since if since.tzinfo else since.replace(tzinfo=UTC)).timestamp()


def iter_pages(
    paths: Iterable[Path | str], since: datetime | None = None, *, skips: Counter[str] | None = None
) -> Iterator[ArchivedPage]:
    """Every archived page of ``paths`` (files or folders) fetched at or after ``since``.

    ``since`` without a time zone is UTC. Files are read in the order given, a folder's in name
    order (which is time order for newscrawl's names). Unreadable data is logged and counted in
    ``skips`` (reasons: :data:`UNREADABLE`, :data:`TORN`, :data:`BAD_RECORD`, :data:`ORPHAN`,
    :data:`MISSING`).
    """
    counts = skips if skips is not None else Counter()
    after = _since_epoch(since)
    for path in archive_files(Path(p) for p in paths):
        for page in _file_pages(path, counts):
            if after is None or page.fetched_at >= after:
                yield page


@dataclass(frozen=True)
class _Broken:
    """Where a file stops being readable, and why."""

    reason: str
    offset: int
    message: str


def _file_pages(path: Path, skips: Counter[str]) -> Iterator[ArchivedPage]:
    """The pages of one file; each fetch's records follow its response record (or precede it)."""
    if not path.is_file():
        _skip(skips, MISSING, path, 0, "no such file")
        return
    current: StoredRecord | None = None
    related: list[StoredRecord] = []
    waiting: dict[str, list[StoredRecord]] = {}  # records seen before the response they refer to
    for record in _records(path):
        if isinstance(record, _Broken):
            # The fetch being read may have lost records with the rest of the file: drop it too.
            lost = f"; the fetch of {current.headers.get('WARC-Target-URI')} is dropped" if current else ""
            _skip(skips, record.reason, path, record.offset, record.message + lost)
            return
        if record.type in PAGE_RECORDS:
            if current is not None:
                yield from _page(current, related, path, skips)
            current, related = record, waiting.pop(record.record_id, [])
        elif current is not None and record.refers_to == current.record_id:
            related.append(record)
        elif record.refers_to:
            waiting.setdefault(record.refers_to, []).append(record)
    if current is not None:
        yield from _page(current, related, path, skips)
    for orphans in waiting.values():
        for record in orphans:
            if record.type != "request":  # a request without a response is a failed fetch
                _skip(skips, ORPHAN, path, record.offset, f"a {record.type} record whose response is missing")


def _page(
    response: StoredRecord, related: list[StoredRecord], path: Path, skips: Counter[str]
) -> Iterator[ArchivedPage]:
    bad = next((r for r in (response, *related) if r.problem), None)
    if bad is not None:
        _skip(skips, BAD_RECORD, path, response.offset, f"its {bad.type} record: {bad.problem}")
        return
    try:
        yield assemble_page(response, related, str(path))
    except ValueError as error:  # json.JSONDecodeError is one
        _skip(skips, BAD_RECORD, path, response.offset, str(error))


def _records(path: Path) -> Iterator[StoredRecord | _Broken]:
    """The records of ``path`` with their payloads; a :class:`_Broken` last where it cannot be read."""
    last = end = 0  # where the last record starts and ends
    try:
        with path.open("rb") as file:
            records = ArchiveIterator(file, check_digests=True)
            for record in records:
                if record.format != "warc":  # an ARC file, or text warcio took for one
                    raise ValueError(f"not a WARC record ({record.format})")
                payload = record.content_stream().read()
                offset = records.get_record_offset()  # after the payload: it reads to the record's end
                if record.length is None or getattr(record.raw_stream, "limit", 0) > 0:
                    # warcio reads a torn gzip member without complaint, as far as it goes.
                    yield _Broken(TORN, offset, "a record cut short (a killed writer's last)")
                    return
                stored = _stored(record, payload, offset)
                if record.digest_checker.passed is False:
                    stored = replace(stored, problem="; ".join(record.digest_checker.problems))
                last, end = offset, offset + records.get_record_length()
                yield stored
            # warcio reads a member torn near its end without a word: check the last one.
            torn = _torn_tail(file, last, end)
            if torn is not None:
                yield _Broken(TORN, torn, "a record cut short (a killed writer's last)")
    except Exception as error:
        # warcio raises ArchiveLoadFailed, EOFError, ValueError, zlib.error, even AttributeError
        # (a header block torn before WARC-Target-URI): any of them means the rest is unreadable.
        lines = str(error).strip().splitlines()
        message = lines[0].strip() if lines else type(error).__name__
        yield _Broken(UNREADABLE, end, f"{message}; the rest of the file is skipped")


def _torn_tail(file: BinaryIO, last: int, end: int) -> int | None:
    """Where the file stops being whole after its last record (at ``last``), or None.

    A gzip member must be complete and followed by nothing; a plain record by whitespace at most.
    """
    file.seek(last)
    if file.read(2) != _GZIP_MAGIC:
        file.seek(end)
        return end if file.read(_TAIL).strip() else None
    file.seek(last)
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    while not decompressor.eof:
        chunk = file.read(_TAIL)
        if not chunk:
            return last
        try:
            decompressor.decompress(chunk)
        except zlib.error:
            return last
    rest = decompressor.unused_data + file.read(_TAIL)
    return None if not rest.strip() else file.tell() - len(rest)


def _stored(record: Any, payload: bytes, offset: int) -> StoredRecord:
    http = record.http_headers
    status: int | None = None
    if record.rec_type in PAGE_RECORDS and http is not None:
        status = int(http.get_statuscode() or 0)
    headers = dict(reversed(record.rec_headers.headers))  # reversed: the first value of a name wins
    return StoredRecord(
        type=record.rec_type, headers=headers, status=status,
        http_headers=list(http.headers) if http is not None else [],
        payload=payload, offset=offset,
    )  # fmt: skip


def _skip(skips: Counter[str], reason: str, path: Path, offset: int, message: str) -> None:
    skips[reason] += 1
    logger.warning("%s: offset %d: skipped (%s)", path, offset, message)
