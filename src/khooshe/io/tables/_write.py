"""write_table: CSV, XLSX or Parquet by extension, through atomic_path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from khooshe.io.tables._formulas import neutralise_frame, xlsx_frame
from khooshe.io.tables._limits import table_format
from khooshe.io.tables._output import atomic_path
from khooshe.io.tables._parquet_write import _write_parquet


def write_table(df: pd.DataFrame, path: str | Path, *, sheet_name: str = "data") -> Path:
    """Write ``df`` as CSV (UTF-8 with BOM so Excel shows Persian), XLSX or Parquet.

    Text that a spreadsheet would run as a formula is neutralised in CSV and XLSX
    (:func:`neutralise`); Parquet keeps values exactly. The file is written to a temporary
    name first and moved into place, so a failure never leaves a half-written file behind.
    """
    path = Path(path)
    fmt = table_format(path)
    with atomic_path(path) as tmp:
        if fmt == "csv":
            neutralise_frame(df).to_csv(tmp, index=False, encoding="utf-8-sig")
        elif fmt == "xlsx":
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                xlsx_frame(df).to_excel(xw, sheet_name=sheet_name[:31], index=False)
        else:
            _write_parquet(df, tmp)
    return path
