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
"""

from __future__ import annotations

import csv
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from khooshe.domain.errors import InputError, MissingFileError

TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Environment variable holding limits to raise, e.g. ``KHOOSHE_LIMITS="rows=20000000"``.
LIMITS_ENV = "KHOOSHE_LIMITS"


class TableFormatError(InputError):
    """A file whose format khooshe cannot read or write."""


class LimitError(TableFormatError):
    """A file beyond one of the reading :class:`Limits`."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what :func:`read_table` reads (raise them with ``KHOOSHE_LIMITS``, e.g.
    ``KHOOSHE_LIMITS="rows=20000000,file_mb=4096"``).

    Attributes
    ----------
    file_mb : float
        Size of the file on disk.
    rows : int
        Data rows.
    columns : int
        Columns.
    cell_chars : int
        Characters in one cell (a county boundary as GeoJSON is well under a million).
    unzipped_mb : float
        Decompressed size of an XLSX file (all its parts), and of a Parquet file's data.
    """

    file_mb: float = 1024
    rows: int = 5_000_000
    columns: int = 200
    cell_chars: int = 5_000_000
    unzipped_mb: float = 512

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, with what ``KHOOSHE_LIMITS`` raises or lowers."""
        text = os.environ.get(LIMITS_ENV, "").strip()
        limits = cls()
        if not text:
            return limits
        changes: dict[str, float] = {}
        for part in text.split(","):
            name, _, value = part.partition("=")
            name = name.strip()
            if name not in cls.__dataclass_fields__:
                raise InputError(f"{LIMITS_ENV}: unknown limit {name!r}; choose from "
                                 f"{', '.join(cls.__dataclass_fields__)}")
            try:
                changes[name] = type(getattr(limits, name))(float(value))
            except ValueError:
                raise InputError(f"{LIMITS_ENV}: {name}={value!r} is not a number") from None
        return replace(limits, **changes)


def _too_big(path: Path, what: str, value: float, limit: float, name: str) -> LimitError:
    return LimitError(f"{path}: {what} ({value:,.0f}) is over the limit of {limit:,.0f}; "
                      f"if the file is genuine, raise it with {LIMITS_ENV}=\"{name}=…\"")


def table_format(path: str | Path) -> str:
    """Return ``csv``, ``xlsx`` or ``parquet`` from the file's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise TableFormatError(
            f"{path}: unsupported file type {suffix or '(none)'}; use one of "
            + ", ".join(TABLE_SUFFIXES)
        )
    return suffix[1:]


def read_table(path: str | Path, *, as_text: bool = True,
               limits: Limits | None = None) -> pd.DataFrame:
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
        raise _too_big(path, "file size in MB", size / 2**20, limits.file_mb, "file_mb")
    try:
        if fmt == "csv":
            df = _read_csv(path, limits)
        elif fmt == "xlsx":
            df = _read_xlsx(path, limits)
        else:
            df = _read_parquet(path, limits, as_text)
    except (TableFormatError, MemoryError):
        raise
    except (ValueError, OSError, UnicodeDecodeError, KeyError, zipfile.BadZipFile) as exc:
        # every reader raises its own kinds; the user needs the file and the reason
        raise TableFormatError(f"{path}: cannot read as {fmt}: {exc}") from exc
    _check_shape(path, df, limits)
    return df


def _check_shape(path: Path, df: pd.DataFrame, limits: Limits) -> None:
    if df.shape[1] > limits.columns:
        raise _too_big(path, "number of columns", df.shape[1], limits.columns, "columns")
    if len(df) > limits.rows:
        raise _too_big(path, "number of rows", len(df), limits.rows, "rows")


def _header(path: Path, names: list[object]) -> list[str]:
    header = ["" if n is None else str(n).strip() for n in names]
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name in seen and name:
            raise TableFormatError(f"{path}: column {name!r} appears twice in the header "
                                   f"(columns {seen[name]} and {i})")
        seen[name] = i
    return header


# --- CSV ---------------------------------------------------------------------------------------
def _read_csv(path: Path, limits: Limits) -> pd.DataFrame:
    """Every field as text; rows checked against the header's width, with line numbers."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline(limits.cell_chars * 2 + 1)
    if not first.strip():
        raise TableFormatError(f"{path}: the file is empty (no header row)")
    names = _header(path, next(csv.reader([first])))
    if len(names) > limits.columns:
        raise _too_big(path, "number of columns", len(names), limits.columns, "columns")
    bad: list[tuple[int | None, int, int]] = []

    def invalid(row) -> str:  # pyarrow: a row with too few or too many fields
        bad.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    try:
        table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding="utf8",
                                       block_size=1 << 24),
        parse_options=pacsv.ParseOptions(invalid_row_handler=invalid, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=False,
                                             quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:  # e.g. an unterminated quote: find and name the line
        _refuse_ragged_rows(path, len(names))
        raise
    if bad or _odd_quotes(path):  # pyarrow accepts a quote left open at the end of the file
        _refuse_ragged_rows(path, len(names))
    if table.num_rows > limits.rows:
        raise _too_big(path, "number of rows", table.num_rows, limits.rows, "rows")
    df = table.to_pandas()
    _check_cells(path, df, limits)
    return _restore_formula_text(df.where(df != "", None).astype(object)
                                 .where(lambda d: d.notna(), None))


def _odd_quotes(path: Path) -> bool:
    """Whether the file has an odd number of ``"``: a quoted value left open (quotes inside
    values are doubled, so a well-formed file has an even number)."""
    count = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            count += chunk.count(b'"')
    return count % 2 == 1


def _refuse_ragged_rows(path: Path, width: int) -> None:
    """Name the lines of the rows without one field per column (a second pass over the file,
    on the error path only: pyarrow does not know line numbers when values span lines)."""
    problems: list[str] = []
    count = 0
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        try:
            next(reader)
            start = reader.line_num + 1
            for row in reader:
                if len(row) != width:
                    count += 1
                    if len(problems) < 5:
                        problems.append(f"line {start}: {len(row)} field(s) instead of {width}")
                start = reader.line_num + 1
        except csv.Error as exc:
            count += 1
            problems.append(f"line {start}: {exc}")
    more = f" (and {count - len(problems)} more)" if count > len(problems) else ""
    raise TableFormatError(f"{path}: {count} row(s) do not have one field per column — a cut "
                           f"or damaged file? {'; '.join(problems)}{more}; nothing was read")


def _check_cells(path: Path, df: pd.DataFrame, limits: Limits) -> None:
    for col in df.columns:
        lengths = df[col].astype("string").str.len()
        longest = lengths.max() if len(lengths) else 0
        if pd.notna(longest) and longest > limits.cell_chars:
            row = int(lengths.to_numpy().argmax()) + 2
            raise LimitError(f"{path}: row {row}, column {col!r}: a cell of {int(longest):,} "
                             f"characters is over the limit of {limits.cell_chars:,}; if the "
                             f"file is genuine, raise it with {LIMITS_ENV}=\"cell_chars=…\"")


# --- XLSX --------------------------------------------------------------------------------------
def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse a spreadsheet whose parts decompress beyond the limit, from what the archive
    declares (the reader never decompresses more than a part declares)."""
    with zipfile.ZipFile(path) as archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if total > limits.unzipped_mb * 2**20:
                raise _too_big(path, "decompressed size in MB", total / 2**20,
                               limits.unzipped_mb, "unzipped_mb")


def _read_xlsx(path: Path, limits: Limits) -> pd.DataFrame:
    """The first sheet, streamed (openpyxl read-only) and stopped at the limits; trailing empty
    columns and rows are dropped."""
    from openpyxl import load_workbook

    _check_zip(path, limits)
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
            raise _too_big(path, "number of columns the sheet declares", declared,
                           limits.columns, "columns")
        rows: list[list[object]] = []
        width = None
        for i, row in enumerate(ws.iter_rows(values_only=True, max_col=limits.columns + 1)):
            values = list(row)
            while values and values[-1] is None:
                values.pop()
            if width is None:  # the header
                if len(values) > limits.columns:
                    raise _too_big(path, "number of columns", len(values), limits.columns,
                                   "columns")
                width = len(values)
                names = _header(path, values)
                continue
            if len(values) > limits.columns:
                raise _too_big(path, f"number of columns in row {i + 1}", len(values),
                               limits.columns, "columns")
            if len(values) > width:
                raise TableFormatError(f"{path}: row {i + 1} has a value in column "
                                       f"{len(values)}, beyond the header's {width} columns")
            if len(rows) >= limits.rows:
                raise _too_big(path, "number of rows", len(rows) + 1, limits.rows, "rows")
            rows.append(values + [None] * (width - len(values)))
    finally:
        wb.close()
    if width is None:
        raise TableFormatError(f"{path}: the first sheet is empty (no header row)")
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    df = pd.DataFrame(rows, columns=names, dtype=object)
    text = df.map(_cell_text)
    _check_cells(path, text, limits)
    return _restore_formula_text(text)


def _refuse_entities(path: Path, exc: BaseException) -> None:
    """Turn defusedxml's refusal, however deep openpyxl wrapped it, into a clear one."""
    from defusedxml import DefusedXmlException

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            raise TableFormatError(f"{path}: refused: the spreadsheet declares XML entities or "
                                   f"a DTD ({type(seen).__name__}), which a spreadsheet never "
                                   "needs and an attack does") from None
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


# --- Parquet -----------------------------------------------------------------------------------
def _read_parquet(path: Path, limits: Limits, as_text: bool) -> pd.DataFrame:
    """Rows, columns and the decompressed size are checked from the metadata before any data
    is read."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    if meta.num_columns > limits.columns:
        raise _too_big(path, "number of columns", meta.num_columns, limits.columns, "columns")
    if meta.num_rows > limits.rows:
        raise _too_big(path, "number of rows", meta.num_rows, limits.rows, "rows")
    unzipped = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unzipped > limits.unzipped_mb * 2**20:
        raise _too_big(path, "decompressed size in MB", unzipped / 2**20, limits.unzipped_mb,
                       "unzipped_mb")
    df = pd.read_parquet(path)
    _header(path, list(df.columns))
    if as_text:
        df = df.astype("string").astype(object)
        df = df.where(df.notna(), None)
        _check_cells(path, df, limits)
    df.columns = [str(c).strip() for c in df.columns]
    return df


# --- Writing -----------------------------------------------------------------------------------
@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; moved onto ``path`` when the block ends
    without error, removed otherwise — so a failure never leaves a half-written file.

    The temporary file is created new (``O_EXCL``: never through an existing file or a
    symbolic link someone planted), in ``path``'s directory so the final move is atomic.

    >>> with atomic_path("out.html") as tmp:  # doctest: +SKIP
    ...     tmp.write_text(page)
    """
    import tempfile

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise TableFormatError(f"{path}: cannot write here: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.replace(path)
    except OSError as exc:
        raise TableFormatError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


#: First characters that make a spreadsheet program read a text cell as a formula (OWASP's
#: CSV-injection list): such text is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: Control characters an XLSX file cannot hold (XML 1.0 forbids them): written as U+FFFD.
_XML_ILLEGAL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)], "\ufffd")


def neutralise(value: object) -> object:
    """``value`` safe to put in a spreadsheet cell: text that would start a formula gets a
    leading ``'`` (shown as text by Excel and LibreOffice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_text(value: object) -> object:
    """``value`` as an XLSX cell takes it: neutralised, and control characters XML cannot hold
    replaced by U+FFFD (the one change an XLSX export may make to stored text)."""
    value = neutralise(value)
    return value.translate(_XML_ILLEGAL) if isinstance(value, str) else value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`neutralise` over every text column of ``df`` (a copy when anything changes)."""
    out = df
    for col in df.columns:
        s = df[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            starts = s.astype("string").str.slice(0, 1).isin(FORMULA_STARTS).fillna(False)
            if starts.any():
                if out is df:
                    out = df.copy()
                out[col] = s.where(~starts.to_numpy(), "'" + s.astype(str))
    return out


def _restore_formula_text(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise` on text read back from CSV or XLSX (``'=x`` → ``=x``), so an
    export re-imports to the same values."""
    for col in df.columns:
        s = df[col]
        quoted = s.map(lambda v: isinstance(v, str) and len(v) > 1 and v[0] == "'"
                       and v[1] in FORMULA_STARTS)
        if quoted.any():
            df[col] = s.where(~quoted, s.str.slice(1))
    return df


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
                safe = neutralise_frame(df)
                text_cols = [c for c in safe.columns if safe[c].dtype == object]
                safe = safe.assign(**{c: safe[c].map(xlsx_text) for c in text_cols})
                safe.to_excel(xw, sheet_name=sheet_name[:31], index=False)
        else:
            df.to_parquet(tmp, index=False)
    return path


__all__ = ["FORMULA_STARTS", "LIMITS_ENV", "LimitError", "Limits", "TableFormatError",
           "atomic_path", "neutralise", "neutralise_frame", "read_table", "table_format",
           "write_table", "xlsx_text"]
