"""Which archived pages a re-extraction reads: the archive files given, and the latest fetch of
each article page in them (pages themselves are read by ``newscrawl.archive.reader``).

A page is fetched many times over the runs (re-checks, the browser's second look): re-extraction
reads only its latest fetch that has something to read (a 200 page, or a 404/410 that makes a
tombstone; a 304 revisit holds nothing), as the corpus's latest record of it came from that one.
Two passes over the archive keep memory small: the first notes the record id of each page's
latest fetch, the second yields those pages, in archive order (the order the crawl met them, so
that of two pages with the same text the same one is kept).
"""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from newscrawl.archive.reader import archive_files, iter_pages
from newscrawl.archive.records import ArchivedPage

# Archived article pages worth reading again: a record (200) or a tombstone (404, 410).
REPLAYED_STATUSES = (200, 404, 410)
_GZIP_MAGIC = b"\x1f\x8b"
_WARC_MAGIC = b"WARC/"


class ArchiveError(Exception):
    """A path that is no archive: missing, unreadable, or not a WARC file (one line)."""


def checked_files(paths: Iterable[Path]) -> list[Path]:
    """The archive files of ``paths`` (files as given, folders' archive files in name order; see
    :func:`~newscrawl.archive.reader.archive_files`), each once, each checked to start as a WARC
    file does. Raises :class:`ArchiveError` naming the first path that is missing or no WARC file."""
    for path in paths:
        if not path.exists():
            raise ArchiveError(f"no such file or folder: {path}")
    files = list(dict.fromkeys(p.resolve() for p in archive_files(paths)))
    for path in files:
        check_archive(path)
    return files


def check_archive(path: Path) -> None:
    """Raise :class:`ArchiveError` unless ``path`` starts with a WARC record (gzipped or not).

    Only the first bytes are read: a file torn further on is still an archive, whose complete
    records are read (the torn one is a counted skip).
    """
    try:
        with path.open("rb") as handle:
            gzipped = handle.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC
            handle.seek(0)
            first = (gzip.GzipFile(fileobj=handle) if gzipped else handle).read(len(_WARC_MAGIC))
    except (EOFError, zlib.error, gzip.BadGzipFile):
        first = b""
    except OSError as error:
        raise ArchiveError(f"cannot read {path}: {error.strerror}") from None
    if first != _WARC_MAGIC:
        raise ArchiveError(f"{path} is not a WARC file")


def is_article_page(page: ArchivedPage) -> bool:
    """True for a fetch of an article page that re-extraction reads."""
    return page.meta.get("kind") == "article" and page.status in REPLAYED_STATUSES


def page_site(page: ArchivedPage) -> str:
    """The site profile (``package.module:NAME``) the page was crawled with; "" if not named."""
    site = page.meta.get("site")
    return site if isinstance(site, str) else ""


@dataclass
class Selection:
    """The latest fetch of each archived article page, and the sites they were crawled with."""

    record_ids: set[str] = field(default_factory=set)
    sites: set[str] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.record_ids)


def select_latest(pages: Iterable[ArchivedPage]) -> Selection:
    """Of each article page (by canonical URL), its latest fetch; of two fetches at the same time
    the later in the archive (the browser's DOM comes after the page it rendered)."""
    latest: dict[str, tuple[float, str, str]] = {}
    for page in pages:
        if not is_article_page(page):
            continue
        key = page.canonical or page.url
        known = latest.get(key)
        if known is None or page.fetched_at >= known[0]:
            latest[key] = (page.fetched_at, page.record_id, page_site(page))
    return Selection({rid for _, rid, _ in latest.values()}, {site for *_, site in latest.values()})


def chosen_pages(pages: Iterable[ArchivedPage], selection: Selection) -> Iterator[ArchivedPage]:
    """The pages of ``selection``, in archive order, each once."""
    left = set(selection.record_ids)
    for page in pages:
        if page.record_id in left:
            left.discard(page.record_id)
            yield page


def read_pages(
    files: Iterable[Path], since: datetime | None = None, skips: Counter[str] | None = None
) -> Iterator[ArchivedPage]:
    """Every page of ``files``, in order, fetched on or after ``since``; what cannot be read is
    logged and counted in ``skips`` by reason."""
    return iter_pages(files, since=since, skips=skips)
