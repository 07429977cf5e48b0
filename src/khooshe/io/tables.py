"""Read and write tables by file extension: CSV, XLSX and Parquet.

Codes keep their leading zeros: every column is read as text and typed later by the validator
(``khooshe.domain.validate``) or by the caller, never guessed by pandas.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from khooshe.domain.errors import InputError, MissingFileError

TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")


class TableFormatError(InputError):
    """A file whose format khooshe cannot read or write."""


def table_format(path: str | Path) -> str:
    """Return ``csv``, ``xlsx`` or ``parquet`` from the file's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise TableFormatError(
            f"{path}: unsupported file type {suffix or '(none)'}; use one of "
            + ", ".join(TABLE_SUFFIXES)
        )
    return suffix[1:]


def read_table(path: str | Path, *, as_text: bool = True) -> pd.DataFrame:
    """Read a CSV, XLSX (first sheet) or Parquet file.

    Parameters
    ----------
    path : str or Path
        The file; its extension picks the reader.
    as_text : bool, default True
        Read every column as text (``None`` for empty cells) so that codes such as ``0603`` or
        HS ``010121`` keep their leading zeros. Parquet keeps its own types when False.
    """
    path = Path(path)
    fmt = table_format(path)
    if not path.exists():
        raise MissingFileError(f"{path}: file not found")
    try:
        if fmt == "csv":
            df = pd.read_csv(path, dtype=str if as_text else None, keep_default_na=False,
                             na_values=[""], encoding="utf-8-sig")
        elif fmt == "xlsx":
            df = pd.read_excel(path, sheet_name=0, dtype=str if as_text else None)
        else:
            df = pd.read_parquet(path)
            if as_text:
                df = df.astype("string").astype(object)
    except (ValueError, OSError, UnicodeDecodeError) as exc:  # pandas raises many kinds
        raise TableFormatError(f"{path}: cannot read as {fmt}: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    if as_text:
        df = df.where(df.notna(), None)
    return df


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; moved onto ``path`` when the block ends
    without error, removed otherwise — so a failure never leaves a half-written file.

    >>> with atomic_path("out.html") as tmp:  # doctest: +SKIP
    ...     tmp.write_text(page)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_table(df: pd.DataFrame, path: str | Path, *, sheet_name: str = "data") -> Path:
    """Write ``df`` as CSV (UTF-8 with BOM so Excel shows Persian), XLSX or Parquet.

    The file is written to a temporary name first and moved into place, so a failure never
    leaves a half-written file behind.
    """
    path = Path(path)
    fmt = table_format(path)
    with atomic_path(path) as tmp:
        if fmt == "csv":
            df.to_csv(tmp, index=False, encoding="utf-8-sig")
        elif fmt == "xlsx":
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                df.to_excel(xw, sheet_name=sheet_name[:31], index=False)
        else:
            df.to_parquet(tmp, index=False)
    return path
