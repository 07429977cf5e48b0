"""Read and write tables by file extension: CSV, XLSX and Parquet — strictly and within limits.

Codes keep their leading zeros: every column is read as text and typed later by the validator
(``khooshe.domain.validate``), never guessed by the reader.

Reading is strict, because a file that is read wrongly overwrites good data on import:

* CSV: every row must have as many fields as the header (a truncated file, a row cut short or
  an unterminated quote is refused with its line number); the header may not repeat a name;
* every format: a cell holding a NUL byte is left to the validator, which refuses it.

Reading is bounded, because a small hostile file can otherwise take the machine down (a
"zip bomb" spreadsheet, a sheet claiming 16,384 columns, a Parquet file of 50 million
identical rows). :class:`Limits` caps the file size, the rows, the columns, the length of a
cell and (for XLSX, a zip archive) the decompressed size, each checked before or while reading
from what the file declares; every refusal names the limit and how to raise it.

A long table too large for memory (Parquet files of BACI years) is not read whole:
:func:`open_period_dataset` surveys it and :class:`PeriodDataset` reads one period at a time.
"""

from __future__ import annotations

from khooshe.io.tables._formulas import (
    FORMULA_STARTS,
    neutralise,
    neutralise_frame,
    xlsx_frame,
    xlsx_text,
)
from khooshe.io.tables._limits import (
    LIMITS_ENV,
    LimitError,
    Limits,
    TableFormatError,
    table_format,
    too_big,
)
from khooshe.io.tables._limits import TABLE_SUFFIXES as TABLE_SUFFIXES  # public, not in __all__
from khooshe.io.tables._output import OutputError, atomic_path
from khooshe.io.tables._parquet_write import ParquetParts
from khooshe.io.tables._parts import TableParts
from khooshe.io.tables._periods import (
    PERIOD_ROWS,
    PeriodDataset,
    PeriodRows,
    is_dataset_path,
    open_period_dataset,
)
from khooshe.io.tables._read import read_table
from khooshe.io.tables._write import write_table
from khooshe.io.tables._xlsx_archive import SHEET_ROWS as SHEET_ROWS  # likewise

__all__ = ["FORMULA_STARTS", "LIMITS_ENV", "PERIOD_ROWS", "LimitError", "Limits", "OutputError",
           "ParquetParts", "PeriodDataset", "PeriodRows", "TableFormatError", "TableParts",
           "atomic_path", "is_dataset_path", "neutralise", "neutralise_frame",
           "open_period_dataset", "read_table", "table_format", "too_big", "write_table",
           "xlsx_frame", "xlsx_text"]
