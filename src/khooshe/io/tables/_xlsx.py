"""XLSX reading: the first sheet streamed by openpyxl and stopped at the limits."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from khooshe.io.tables._columns import _check_cells, _header, _text_numbers
from khooshe.io.tables._formulas import _restore_formula_text
from khooshe.io.tables._limits import Limits, TableFormatError, too_big
from khooshe.io.tables._xlsx_archive import _check_zip, _entities_refused
from khooshe.text.messages import Message


def _read_xlsx(path: Path, limits: Limits, numbers: frozenset[str] = frozenset()) -> pd.DataFrame:
    """The first sheet, streamed (openpyxl read-only) and stopped at the limits; trailing empty
    columns and rows are dropped."""
    from openpyxl import load_workbook

    scan = _check_zip(path, limits)
    try:
        # openpyxl parses with defusedxml when it is installed (a dependency): entity
        # declarations (XXE, "billion laughs") raise instead of expanding
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        _refuse_entities(path, exc)
        raise
    try:
        ws = wb.worksheets[0]
        declared = ws.max_column or 0  # from the sheet's <dimension>, before reading rows
        if declared > limits.columns:
            raise too_big(path, "number of columns the sheet declares", declared,
                          limits.columns, "columns")
        rows: list[list[object]] = []
        width = None
        blank = 0  # empty rows since the last row with a value
        empty: tuple = ()  # openpyxl fills a gap in the rows with one tuple, again and again
        for i, row in enumerate(ws.iter_rows(values_only=True, max_col=limits.columns + 1)):
            if width is not None and (row is empty or row.count(None) == len(row)):
                blank += 1  # kept only if a value follows: trailing empty rows are no data
                empty = row
                continue
            values: list[object] = list(row)
            while values and values[-1] is None:
                values.pop()
            if width is None:  # the header
                if len(values) > limits.columns:
                    raise too_big(path, "number of columns", len(values), limits.columns,
                                  "columns")
                width = len(values)
                names = _header(path, values)
                # the first sheet's part, as openpyxl names it (e.g. xl/worksheets/sheet1.xml)
                part = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
                widest = scan.max_column.get(part, 0)
                if widest > width:
                    raise TableFormatError(Message("io.limit.beyond_header", {
                        "path": str(path), "column": widest, "width": width}))
                continue
            if len(values) > limits.columns:
                raise too_big(path, Message("io.limit.what.row_columns", {"row": i + 1}),
                              len(values),
                              limits.columns, "columns")
            if len(values) > width:
                raise TableFormatError(Message("io.read.beyond_header", {
                    "path": str(path), "row": i + 1, "column": len(values), "width": width}))
            if blank > limits.blank_rows:
                raise too_big(path, Message("io.limit.what.blank_rows", {"row": i + 1}), blank,
                              limits.blank_rows, "blank_rows")
            if len(rows) + blank >= limits.rows:
                raise too_big(path, "number of rows", len(rows) + blank + 1, limits.rows,
                              "rows")
            rows.extend([None] * width for _ in range(blank))
            blank = 0
            rows.append(values + [None] * (width - len(values)))
    finally:
        wb.close()
    if width is None:
        raise TableFormatError(Message("io.read.empty_sheet", {"path": str(path)}))
    df = pd.DataFrame(rows, columns=names, dtype=object)
    text = df.map(_cell_text)
    _check_cells(path, text, limits)
    return _text_numbers(_restore_formula_text(text), numbers)


def _refuse_entities(path: Path, exc: BaseException) -> None:
    """Turn defusedxml's refusal, however deep openpyxl wrapped it, into a clear one."""
    from defusedxml import DefusedXmlException

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            raise _entities_refused(path, type(seen).__name__) from None
        seen = seen.__cause__ or seen.__context__


def _cell_text(value: object) -> str | None:
    """A spreadsheet cell as text: whole floats without ``.0`` (Excel stores every number as a
    float), dates as ISO."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
