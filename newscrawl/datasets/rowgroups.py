"""Rows to one Parquet file, a row group at a time: memory holds one row group, not the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

#: A row group is written when it holds this many rows or this many bytes of input JSON, whichever
#: comes first. ~32 MB of JSON is about 10,000 articles of 3 KB: large enough for fast scans, small
#: enough that the rows as Python objects and their Arrow copy stay well under 200 MB.
ROWS_PER_GROUP = 20_000
BYTES_PER_GROUP = 32 << 20

#: Errors Arrow raises for a value of the wrong type or shape.
ROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError, AttributeError)

#: Called with ``(where, error)`` for a row that does not fit the schema (it is left out).
OnBadRow = Callable[[str, str], None]
#: Called with each row group written.
OnGroup = Callable[[pa.Table], None]


class RowGroupWriter:
    """A zstd Parquet file written in row groups; opened at the first row group."""

    def __init__(
        self,
        path: Path,
        schema: pa.Schema,
        on_bad_row: OnBadRow,
        on_group: OnGroup = lambda _table: None,
        *,
        rows_per_group: int = ROWS_PER_GROUP,
        bytes_per_group: int = BYTES_PER_GROUP,
    ) -> None:
        self.path, self.schema, self.on_bad_row, self.on_group = path, schema, on_bad_row, on_group
        self.rows_per_group, self.bytes_per_group = rows_per_group, bytes_per_group
        self.rows_written = 0
        self._rows: list[dict[str, Any]] = []
        self._where: list[str] = []
        self._bytes = 0
        self._writer: pq.ParquetWriter | None = None

    def add(self, row: dict[str, Any], size: int, where: str) -> None:
        """Buffer one row (``size``: its input's bytes; ``where``: its origin, for messages)."""
        self._rows.append(row)
        self._where.append(where)
        self._bytes += size
        if len(self._rows) >= self.rows_per_group or self._bytes >= self.bytes_per_group:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as one row group."""
        if not self._rows:
            return
        table = self._table()
        self._rows, self._where, self._bytes = [], [], 0
        if table.num_rows == 0:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=table.num_rows)
        self.rows_written += table.num_rows
        self.on_group(table)

    def close(self) -> int:
        """Write what is buffered and close the file; the number of rows written."""
        self.flush()
        self.abort()
        return self.rows_written

    def abort(self) -> None:
        """Close the file without writing what is buffered (the export failed)."""
        self._rows, self._where, self._bytes = [], [], 0
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _table(self) -> pa.Table:
        try:
            return pa.Table.from_pylist(self._rows, schema=self.schema)
        except ROW_ERRORS:
            pass
        # Rare: some row does not fit. Find it (them) one by one, and write the others.
        good = []
        for row, where in zip(self._rows, self._where, strict=True):
            try:
                pa.Table.from_pylist([row], schema=self.schema)
            except ROW_ERRORS as error:
                self.on_bad_row(where, str(error))
            else:
                good.append(row)
        return pa.Table.from_pylist(good, schema=self.schema)
