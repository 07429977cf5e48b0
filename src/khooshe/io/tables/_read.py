"""read_table: the reader picked by extension, then the table's shape checked against the limits."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from khooshe.domain.errors import MissingFileError
from khooshe.io.tables._columns import _categories
from khooshe.io.tables._csv import _read_csv, _refuse_non_utf8
from khooshe.io.tables._limits import Limits, TableFormatError, table_format, too_big
from khooshe.io.tables._parquet_read import _read_parquet
from khooshe.io.tables._xlsx import _read_xlsx
from khooshe.text.messages import Message


def read_table(path: str | Path, *, as_text: bool = True, limits: Limits | None = None,
               numbers: Collection[str] = (), codes: Collection[str] = ()) -> pd.DataFrame:
    """Read a CSV, XLSX (first sheet) or Parquet file, every column as text.

    Parameters
    ----------
    path : str or Path
        The file; its extension picks the reader.
    as_text : bool, default True
        Every column as text (``None`` for empty cells) so that codes such as ``0603`` or HS
        ``010121`` keep their leading zeros. Parquet keeps its own types when False.
    limits : Limits, optional
        Default :meth:`Limits.from_env`.
    numbers : collection of str, optional
        Columns the caller wants as numbers (e.g. the value column of a long table). Each
        comes back as ``float64`` (empty cells NaN) when every cell is a plain decimal number
        (``12``, ``-0.5``, ``1.5e3``: digits, one ``.``, an exponent; no spaces, no thousands
        separators, no ``inf``/``nan``) or, in Parquet, a finite integer or float; a column
        holding anything else comes back as text, exactly as without this option, so the
        caller's own number rules decide and word what is wrong. Numbers are the nearest
        double to the text (correctly rounded). This only saves work: a million values are
        parsed in C without making a Python string of each.
    codes : collection of str, optional
        Text columns wanted as a pandas ``Categorical`` (the same texts; categories sorted),
        e.g. the location, product and year of a long table: a million cells of a few
        thousand codes are then integers, not a million strings to hash again.

    Raises
    ------
    MissingFileError, TableFormatError, LimitError
        A missing file, a file that is not what its extension says or is malformed (naming
        the line), or one beyond a limit.
    """
    path = Path(path)
    fmt = table_format(path)
    if not path.is_file():
        raise MissingFileError(f"{path}: file not found")
    limits = limits or Limits.from_env()
    size = path.stat().st_size
    if size > limits.file_mb * 2**20:
        raise too_big(path, "file size in MB", size / 2**20, limits.file_mb, "file_mb")
    try:
        wanted, keys = frozenset(numbers), frozenset(codes)
        if fmt == "csv":
            df = _read_csv(path, limits, wanted, keys)
        elif fmt == "xlsx":
            df = _categories(_read_xlsx(path, limits, wanted), keys)
        else:
            df = _read_parquet(path, limits, as_text, wanted)
            df = _categories(df, keys) if as_text else df
    except (TableFormatError, MemoryError):
        raise
    except UnicodeDecodeError as exc:
        if fmt == "csv":
            _refuse_non_utf8(path)
        raise TableFormatError(f"{path}: cannot read as {fmt}: {exc}") from exc
    except (zlib.error, EOFError, NotImplementedError, SyntaxError, RecursionError,
            struct.error) as exc:
        # a damaged archive (zlib: a corrupt stream; an unknown compression method; a cut
        # part) or XML (ParseError is a SyntaxError): the file, not khooshe
        raise TableFormatError(Message("io.read.damaged", {
            "path": str(path), "format": fmt,
            "reason": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
        })) from exc
    except (ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:
        # every reader raises its own kinds; the user needs the file and the reason
        raise TableFormatError(f"{path}: cannot read as {fmt}: {exc}") from exc
    except Exception as exc:
        import pyarrow as pa

        if isinstance(exc, pa.ArrowException):  # e.g. dictionary indices out of bounds
            raise TableFormatError(Message("io.read.damaged", {
                "path": str(path), "format": fmt,
                "reason": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            })) from exc
        raise
    _check_shape(path, df, limits)
    return df


def _check_shape(path: Path, df: pd.DataFrame, limits: Limits) -> None:
    if df.shape[1] > limits.columns:
        raise too_big(path, "number of columns", df.shape[1], limits.columns, "columns")
    if len(df) > limits.rows:
        raise too_big(path, "number of rows", len(df), limits.rows, "rows")
