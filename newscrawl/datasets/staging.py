"""Several output files that appear all at once or not at all.

Each file is written under a hidden temporary name beside its final one (``.<name>.tmp``: Parquet
readers skip names starting with a dot), and renamed only when every file of the export has been
written. An error before that removes the temporary files and the folders made for them, leaving
the previous export as it was.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from types import TracebackType


class Staging:
    """The files of one export, renamed into place together by :meth:`commit`."""

    def __init__(self) -> None:
        self._files: dict[Path, Path] = {}
        self._made: list[Path] = []

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is not None:
            self.discard()

    def path(self, final: Path) -> Path:
        """The temporary path to write ``final``'s content to (its folder made if missing)."""
        missing = [folder for folder in (final.parent, *final.parent.parents) if not folder.exists()]
        final.parent.mkdir(parents=True, exist_ok=True)
        self._made.extend(missing)  # deepest first: removed in this order if the export fails
        tmp = final.with_name(f".{final.name}.tmp")
        self._files[final] = tmp
        return tmp

    def commit(self) -> set[Path]:
        """Flush every temporary file to disk, then rename each to its final name; the final paths
        written (a staged file never created, say a language whose every record was bad, is not)."""
        written = {final: tmp for final, tmp in self._files.items() if tmp.exists()}
        for tmp in written.values():
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
        for final, tmp in written.items():
            os.replace(tmp, final)
        self.discard()  # folders made for files never created
        return set(written)

    def discard(self) -> None:
        """Remove the temporary files, and the folders made for them if they are empty."""
        for tmp in self._files.values():
            tmp.unlink(missing_ok=True)
        for folder in self._made:
            with suppress(OSError):  # not empty: something else lives there
                folder.rmdir()
        self._files.clear()
        self._made.clear()


def remove_stale(found: list[Path], keep: set[Path], root: Path) -> list[Path]:
    """Delete the files of ``found`` that this export did not write (a language no longer present),
    and their folder below ``root`` when it is left empty; return what was deleted."""
    stale = [path for path in found if path not in keep]
    for path in stale:
        path.unlink(missing_ok=True)
        if path.parent != root:
            with suppress(OSError):  # it holds other files
                path.parent.rmdir()
    return stale
