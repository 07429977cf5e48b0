"""TableParts: a table written part by part in any of the formats, never held whole."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

import pandas as pd

from khooshe.io.tables._formulas import neutralise_frame
from khooshe.io.tables._limits import TableFormatError, table_format
from khooshe.io.tables._output import atomic_path
from khooshe.io.tables._parquet_write import ParquetParts
from khooshe.io.tables._xlsx_archive import SHEET_ROWS
from khooshe.text.messages import Message


class TableParts:
    """Write a table to ``path`` (CSV, XLSX or Parquet) one part at a time: what
    :func:`write_table` writes from the parts concatenated, without holding them all — for
    kinds of millions of records (a BACI year in a workspace) exported from the database a
    batch at a time.

    CSV and Parquet are written as the parts come (text that a spreadsheet would run as a
    formula neutralised in CSV, as :func:`write_table` does); XLSX is written at the end, as
    one sheet, and is refused as soon as the parts pass the rows a sheet can hold. Every part
    has the first part's columns; the file appears only when every part has been written.

    >>> with TableParts("flows.csv") as out:  # doctest: +SKIP
    ...     for frame in frames:
    ...         out.write(frame)
    """

    def __init__(self, path: str | Path, *, sheet_name: str = "data") -> None:
        self.path = Path(path)
        self.sheet_name = sheet_name
        self.format = table_format(self.path)
        self.rows = 0
        self._parts = 0
        self._xlsx: list[pd.DataFrame] = []
        self._csv: IO[str] | None = None
        self._parquet: ParquetParts | None = None

    def __enter__(self) -> TableParts:
        self._stack = ExitStack()
        if self.format == "parquet":
            self._parquet = self._stack.enter_context(ParquetParts(self.path))
        elif self.format == "csv":
            tmp = self._stack.enter_context(atomic_path(self.path))
            # as DataFrame.to_csv(path, encoding="utf-8-sig") opens it: one BOM, for Excel
            self._csv = self._stack.enter_context(open(tmp, "w", encoding="utf-8-sig",
                                                       newline=""))
        return self

    def write(self, part: pd.DataFrame) -> None:
        """Add ``part`` (the first part's columns)."""
        first = self._parts == 0
        self._parts += 1
        self.rows += len(part)
        if self._parquet is not None:
            self._parquet.write(part)
        elif self._csv is not None:
            neutralise_frame(part).to_csv(self._csv, index=False, header=first)
        else:
            if self.rows >= SHEET_ROWS:  # the header takes a row
                raise TableFormatError(Message("io.write.sheet_full", {
                    "path": str(self.path), "limit": SHEET_ROWS - 1}))
            self._xlsx.append(part)

    def __exit__(self, kind: Any, error: Any, trace: Any) -> bool | None:
        if kind is None and self.format == "xlsx":
            from khooshe.io.tables._write import write_table

            frame = pd.concat(self._xlsx, ignore_index=True) if self._xlsx else pd.DataFrame()
            self._xlsx = []
            try:
                write_table(frame, self.path, sheet_name=self.sheet_name)
            except BaseException:
                self._stack.__exit__(*sys.exc_info())
                raise
        return self._stack.__exit__(kind, error, trace)


__all__ = ["TableParts"]
