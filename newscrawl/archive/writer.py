"""Archive files that are complete or clearly unfinished, and recovery of what a killed run left.

An :class:`ArchiveWriter` writes ``<prefix>-00001.warc.gz``, ``-00002``… in one folder (the
prefix is the feed's start time, plus the worker id on a cluster). Like a feed
(``newscrawl.feedfiles``), a file is written as ``<name>.warc.gz.part``, locked while written,
and renamed to ``<name>.warc.gz`` (after fsync) when it is closed: at rotation, once it passed
the size limit, or when the crawl ends. Every WARC record is its own gzip member, written in
one call and flushed to the operating system at once, so a killed process leaves whole
records followed by at most one torn member. :func:`recover_folder` (run before a crawl
writes) cuts that torn member off the ``.part`` files of dead writers and gives them their
final name, keeping every complete record.

Pure Python and warcio: no Scrapy here (``newscrawl.archive.extension`` is the wiring).
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from newscrawl.archive.records import WARC_VERSION, warcinfo_record
from newscrawl.feedfiles import PART_SUFFIX, in_use

logger = logging.getLogger(__name__)

SUFFIX = ".warc.gz"
# zlib's default: within 1 % of level 9's size on article pages at about half its time (measured
# on the benchmark mirror); level 9 is what warcio's own gzip writer would use.
COMPRESS_LEVEL = 6
_GZIP = zlib.MAX_WBITS | 16  # a gzip header and trailer around the deflate stream
_READ = 1 << 20


def encode_records(records: Iterable[ArcWarcRecord], level: int = COMPRESS_LEVEL) -> bytes:
    """``records`` serialised, each as its own gzip member (digests computed by warcio).

    Pure CPU work on the records alone: safe to run in a worker thread.
    """
    out = bytearray()
    for record in records:
        block = io.BytesIO()
        WARCWriter(block, gzip=False, warc_version=WARC_VERSION).write_record(record)
        compressor = zlib.compressobj(level, zlib.DEFLATED, _GZIP)
        out += compressor.compress(block.getbuffer())
        out += compressor.flush()
    return bytes(out)


def file_name(prefix: str, number: int) -> str:
    """The final name of file ``number`` (from 1) of a crawl: ``<prefix>-00001.warc.gz``."""
    return f"{prefix}-{number:05d}{SUFFIX}"


class ArchiveWriter:
    """Writes gzip-member WARC records into rotating, atomically finished files.

    Not thread-safe: one thread appends (the crawl's), others may only encode.
    """

    def __init__(
        self, folder: Path, prefix: str, *, max_bytes: int, info: Mapping[str, Any] | None = None
    ) -> None:
        self.folder = folder
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.info = dict(info or {})
        self.number = 0  # files opened so far
        self.finished: list[Path] = []  # files closed under their final name, in order
        self.pages = 0  # fetches appended
        self.records = 0  # their records (warcinfo records not counted)
        self.bytes = 0  # bytes written, warcinfo records included
        self._file: IO[bytes] | None = None
        self._size = 0

    @property
    def part_path(self) -> Path | None:
        """The file being written (``….warc.gz.part``), or None between files."""
        return Path(self._file.name) if self._file is not None else None

    def append(self, data: bytes, records: int = 1) -> None:
        """Write one fetch's ``data`` (whole gzip members of ``records`` records) and flush it.

        Opens the next file first when none is open; closes the file once it passed
        :attr:`max_bytes`. On an error (a full disk) the file is cut back to its last complete
        record before the error is raised, so it stays readable.
        """
        file = self._file if self._file is not None else self._open()
        try:
            file.write(data)
            file.flush()
        except OSError:
            self._cut_back(file)
            raise
        self._size += len(data)
        self.bytes += len(data)
        self.pages += 1
        self.records += records
        if self._size >= self.max_bytes:
            self.close()

    def close(self) -> Path | None:
        """Finish the current file: fsync, close, rename to its final name. Returns that name."""
        file, self._file = self._file, None
        if file is None:
            return None
        part = Path(file.name)
        try:
            file.flush()
            os.fsync(file.fileno())
        finally:
            file.close()
        final = part.with_name(part.name.removesuffix(PART_SUFFIX))
        os.replace(part, final)
        self.finished.append(final)
        return final

    def _open(self) -> IO[bytes]:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.number += 1
        name = file_name(self.prefix, self.number)
        file = (self.folder / (name + PART_SUFFIX)).open("xb")
        # Held while written: recovery leaves a locked .part alone (its crawl is alive).
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._file, self._size = file, 0
        info = encode_records([warcinfo_record(name, self.info)])
        try:
            file.write(info)
            file.flush()
        except OSError:
            self._cut_back(file)
            raise
        self._size = len(info)
        self.bytes += len(info)
        return file

    def _cut_back(self, file: IO[bytes]) -> None:
        """After a failed write: drop its partial bytes, so the file ends with a whole record."""
        try:
            file.truncate(self._size)
            file.seek(self._size)
        except OSError as error:  # the torn member stays; recovery or readers skip it
            logger.error("cannot cut %s back to its last complete record: %s", file.name, error)


# --------------------------------------------------------------------------- recovery


@dataclass(frozen=True)
class MemberScan:
    """What :func:`scan_members` found in a file of gzip members."""

    members: int
    """Complete gzip members from the start."""
    good_bytes: int
    """Where the last complete member ends: everything after it is torn or not gzip."""
    size: int


def scan_members(path: Path) -> MemberScan:
    """Count the complete gzip members at the start of ``path``, stopping at the first bad byte."""
    members = good = consumed = 0
    decompressor = zlib.decompressobj(_GZIP)
    with path.open("rb") as file:
        while chunk := file.read(_READ):
            consumed += len(chunk)
            data = chunk
            while data:
                try:
                    decompressor.decompress(data)
                except zlib.error:
                    return MemberScan(members, good, path.stat().st_size)
                if not decompressor.eof:
                    break
                data = decompressor.unused_data
                members += 1
                good = consumed - len(data)
                decompressor = zlib.decompressobj(_GZIP)
    return MemberScan(members, good, consumed)


@dataclass(frozen=True)
class Recovered:
    """A ``.part`` file finished by :func:`recover_part`."""

    part: Path
    final: Path | None
    """Its new name; None when it held no complete record and was removed."""
    records: int
    """Complete records kept (its warcinfo record included)."""
    torn_bytes: int
    """Bytes cut off its end: a torn last record (0 when it ended cleanly)."""


def recover_part(part: Path) -> Recovered:
    """Finish a ``.part`` a dead writer left: cut a torn last member off, rename it.

    Can be interrupted and redone: the cut is made in place and fsynced before the rename. The
    final name is the file's own, or ``<name>.recovered-<time>.warc.gz`` if that exists.
    """
    scan = scan_members(part)
    torn = scan.size - scan.good_bytes
    if scan.members == 0:
        part.unlink()
        return Recovered(part, None, 0, torn)
    if torn:
        logger.warning(
            "%s: dropping a torn last record (%d bytes from offset %d)", part, torn, scan.good_bytes
        )
        with part.open("r+b") as file:
            file.truncate(scan.good_bytes)
            file.flush()
            os.fsync(file.fileno())
    final = part.with_name(part.name.removesuffix(PART_SUFFIX))
    if final.exists():
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S")
        final = final.with_name(f"{final.name.removesuffix(SUFFIX)}.recovered-{stamp}{SUFFIX}")
    os.replace(part, final)
    return Recovered(part, final, scan.members, torn)


def recover_folder(folder: Path) -> list[Recovered]:
    """Finish every ``*.warc.gz.part`` in ``folder`` whose writer is dead (it holds no lock)."""
    done = []
    for part in sorted(folder.glob(f"*{SUFFIX}{PART_SUFFIX}")):
        if in_use(part):
            logger.info("leaving %s alone: a running crawl is writing it", part)
            continue
        recovered = recover_part(part)
        logger.warning("recovered %d complete records of an interrupted run into %s",
                       recovered.records, recovered.final or "nothing (the file was empty)")  # fmt: skip
        done.append(recovered)
    return done
