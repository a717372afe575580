"""A feed storage that behaves like a full disk: every flush fails with ENOSPC (via /dev/full)."""

from __future__ import annotations

import contextlib
from typing import IO, Any

from scrapy.extensions.feedexport import FileFeedStorage


class FullDiskFeedStorage(FileFeedStorage):
    """Opens ``/dev/full`` whatever the feed URI: writes are accepted, flushes fail."""

    def open(self, spider: Any) -> IO[bytes]:
        """The always-full device."""
        return open("/dev/full", "wb")

    def store(self, file: IO[bytes]) -> None:
        """Close, ignoring the error the buffered tail raises."""
        with contextlib.suppress(OSError):
            file.close()
