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
import errno
import os
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from khooshe.domain.errors import InputError, KhoosheError, MissingFileError
from khooshe.text.messages import Message

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
        Decompressed size of an XLSX file (all its parts), and of a Parquet file's data (its
        text as decoded, too).
    parts : int
        Parts (files) in an XLSX archive (a workbook has a few dozen).
    blank_rows : int
        Empty rows in a row inside a sheet's table (a value far below the table is more
        likely a stray keystroke than data, and would make as many empty records).
    """

    file_mb: float = 1024
    rows: int = 5_000_000
    columns: int = 200
    cell_chars: int = 5_000_000
    unzipped_mb: float = 512
    parts: int = 10_000
    blank_rows: int = 10_000

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, with what ``KHOOSHE_LIMITS`` raises or lowers."""
        text = os.environ.get(LIMITS_ENV, "").strip()
        limits = cls()
        if not text:
            return limits
        changes: dict[str, Any] = {}  # each limit's own type (int or float)
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


#: What a limit bounds, by the words the readers use: its catalogue message.
_WHAT = {"file size in MB": "file_size", "number of columns": "columns",
         "number of rows": "rows", "decompressed size in MB": "unzipped",
         "number of parts in the archive": "parts",
         "number of columns the sheet declares": "declared_columns",
         "decoded size of its text in MB": "decoded_text"}


def too_big(path: Path, what: str | Message, value: float, limit: float,
            name: str) -> LimitError:
    """The refusal of a file beyond one of the :class:`Limits` (``what`` the words of
    :data:`_WHAT`, or a catalogue message), naming the limit and how to raise it, in fa and
    en."""
    if isinstance(what, str):
        what = Message(f"io.limit.what.{_WHAT[what]}")
    return LimitError(Message("io.limit.over", {"path": str(path), "what": what,
                                                 "value": float(value), "limit": float(limit),
                                                 "name": name}))


def table_format(path: str | Path) -> str:
    """Return ``csv``, ``xlsx`` or ``parquet`` from the file's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise TableFormatError(
            f"{path}: unsupported file type {suffix or '(none)'}; use one of "
            + ", ".join(TABLE_SUFFIXES)
        )
    return suffix[1:]


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


def _header(path: Path, names: Sequence[object]) -> list[str]:
    header = ["" if n is None else str(n).strip() for n in names]
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name in seen and name:
            raise TableFormatError(f"{path}: column {name!r} appears twice in the header "
                                   f"(columns {seen[name]} and {i})")
        seen[name] = i
    return header


# --- CSV ---------------------------------------------------------------------------------------
def _read_csv(path: Path, limits: Limits, numbers: frozenset[str] = frozenset(),
              codes: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Every field as text; rows checked against the header's width, with line numbers.

    pyarrow parses the file (multi-threaded, every column typed as text so that nothing is
    guessed) and every check and clean-up runs on its columns in C: a million rows never pass
    through a Python loop. Only the final text columns become Python strings, one per
    distinct value (:func:`_object_column`).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    _check_utf8(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline(limits.cell_chars * 2 + 1)
    if not first.strip():
        raise TableFormatError(f"{path}: the file is empty (no header row)")
    names = _header(path, next(csv.reader([first])))
    if len(names) > limits.columns:
        raise too_big(path, "number of columns", len(names), limits.columns, "columns")
    bad: list[tuple[int | None, int, int]] = []

    def invalid(row) -> str:  # pyarrow: a row with too few or too many fields
        bad.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    # pyarrow needs distinct names (a header may leave several blank): position stands in
    fields = [f"c{i}" for i in range(len(names))]

    def parse(block_size: int) -> pa.Table:
        bad.clear()
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=fields, skip_rows=1, encoding="utf8",
                                           block_size=block_size),
            parse_options=pacsv.ParseOptions(invalid_row_handler=invalid,
                                             newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={f: pa.string() for f in fields},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False),
        )

    try:
        try:  # blocks of 1 MiB are parsed in parallel (a 30 MB file on two cores: twice as fast)
            table = parse(1 << 20)
        except pa.ArrowInvalid:  # a row longer than a block (a boundary in a cell?): 16 MiB
            table = parse(1 << 24)
    except pa.ArrowInvalid:  # e.g. an unterminated quote: find and name the line
        _refuse_ragged_rows(path, len(names))
        raise
    if bad or _odd_quotes(path):  # pyarrow accepts a quote left open at the end of the file
        _refuse_ragged_rows(path, len(names))
    if table.num_rows > limits.rows:
        raise too_big(path, "number of rows", table.num_rows, limits.rows, "rows")
    for name, column in zip(names, table.columns, strict=True):
        _check_arrow_cells(path, name, column, limits)
    data: dict[int, np.ndarray | pd.Categorical] = {}
    for i, (name, column) in enumerate(zip(names, table.columns, strict=True)):
        text = _arrow_text(column)
        as_numbers = _plain_numbers(text) if name in numbers else None
        if as_numbers is not None:
            data[i] = as_numbers
        elif name in codes:
            data[i] = _categorical_column(text)
        else:
            data[i] = _object_column(text)
    df = pd.DataFrame(data, index=pd.RangeIndex(table.num_rows), copy=False)
    df.columns = pd.Index(names, dtype=object)
    del table, data
    # pyarrow's allocator keeps what the parse freed (100 MB for a 30 MB file) for its next
    # use, which may never come: hand it back, so that the analysis does not stack on it
    pa.default_memory_pool().release_unused()
    return df


def _check_arrow_cells(path: Path, name: str, column, limits: Limits) -> None:
    """:func:`_check_cells` for one pyarrow text column (lengths in characters)."""
    import pyarrow.compute as pc

    if len(column) == 0:
        return
    if (pc.max(pc.binary_length(column)).as_py() or 0) <= limits.cell_chars:
        return  # no more bytes than the limit, so no more characters (the usual case: free)
    lengths = pc.utf8_length(column)
    longest = pc.max(lengths).as_py()
    if longest is not None and longest > limits.cell_chars:
        row = pc.index(lengths, longest).as_py() + 2
        raise LimitError(f"{path}: row {row}, column {name!r}: a cell of {longest:,} "
                         f"characters is over the limit of {limits.cell_chars:,}; if the "
                         f"file is genuine, raise it with {LIMITS_ENV}=\"cell_chars=…\"")


def _arrow_text(column):
    """A pyarrow text column as :func:`read_table` gives text: empty cells missing and
    neutralised formulas restored (``'=x`` → ``=x``), both computed in C."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    empty = pc.equal(column, "")
    if pc.any(empty).as_py():
        column = pc.if_else(empty, pa.scalar(None, pa.string()), column)
    if pc.any(pc.starts_with(column, "'")).as_py():  # cheap test first; the pattern if need be
        quoted = pc.match_substring_regex(column, _NEUTRALISED)
        column = pc.if_else(quoted, pc.utf8_slice_codeunits(column, 1), column)
    return column


def _plain_numbers(column) -> np.ndarray | None:
    """The numbers of a pyarrow text column as float64 (missing cells NaN) when every present
    cell is a plain, finite decimal number; None otherwise (the column stays text).

    pyarrow's parser reads decimal numbers (sign, digits, point, exponent) and ``inf``/``nan``
    and refuses anything else (spaces, thousands separators, a decimal comma, other digits);
    the non-finite ones are left as text too, so what is read here is what pandas' parser
    would read as a finite number. The one place they part is an exponent out of range
    (``0e502`` is 0 to pyarrow, not a number to pandas): cells with an exponent, rare in
    tables, are checked by pandas too."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.null_count == len(column):
        return None  # no number in it: leave an empty column as text, as it always was
    try:
        values = pc.cast(column, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if not pc.all(pc.is_finite(values)).as_py():  # inf, nan, 1e999: the caller's rules decide
        return None
    exponent = pc.or_(pc.match_substring(column, "e"), pc.match_substring(column, "E"))
    if pc.any(exponent).as_py():
        texts = pc.filter(column, exponent).to_numpy(zero_copy_only=False)
        if pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").isna().any():
            return None
    return values.to_numpy(zero_copy_only=False)


def _categorical_column(column) -> pd.Categorical:
    """A pyarrow text column as a pandas ``Categorical`` with sorted categories (pyarrow sorts
    UTF-8 bytewise, which is Python's order of ``str``)."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    order = pc.array_sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # missing cells
    indices = pc.fill_null(encoded.indices, len(order)).to_numpy(zero_copy_only=False)
    labels = np.empty(len(order), dtype=object)
    labels[:] = encoded.dictionary.take(order).to_pylist()
    return pd.Categorical.from_codes(rank[indices], categories=pd.Index(labels, dtype=object))


def _categories(df: pd.DataFrame, codes: frozenset[str]) -> pd.DataFrame:
    """``df`` with its text columns named in ``codes`` as categoricals (XLSX, Parquet)."""
    for i, name in enumerate(df.columns):
        if name in codes and df.iloc[:, i].dtype == object:
            df.isetitem(i, pd.Categorical(df.iloc[:, i]))
    return df


def _object_column(column) -> np.ndarray:
    """A pyarrow text column as a NumPy object array of ``str`` and ``None``, one Python string
    per distinct value: codes repeat heavily (a year, 230 countries, 5,000 products in a
    million rows), so this is much cheaper than one string per cell."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    labels = encoded.dictionary.to_pylist()
    lookup = np.empty(len(labels) + 1, dtype=object)
    lookup[:len(labels)] = labels
    lookup[-1] = None
    indices = pc.fill_null(encoded.indices, len(labels)).to_numpy(zero_copy_only=False)
    return lookup[indices]


def _check_utf8(path: Path) -> None:
    """Refuse a file that is not UTF-8 before parsing it (one pass in C, a few milliseconds
    per ten megabytes), naming the first line that is not."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 24):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _refuse_non_utf8(path)
        raise


def _refuse_non_utf8(path: Path) -> None:
    """Name the first line of ``path`` that is not UTF-8 (files are read as UTF-8 only: a
    guessed encoding would store garbled names)."""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TableFormatError(Message("io.read.not_utf8", {
                    "path": str(path), "line": str(number), "byte": f"0x{line[exc.start]:02x}",
                    "position": str(exc.start + 1)})) from None


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
        start = 1  # the header's own line, should it be the damaged one
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
#: What a worksheet can hold (Excel's own bounds): a sheet beyond them was not written by a
#: spreadsheet program.
SHEET_ROWS = 1_048_576
#: Bytes read at a time when scanning an archive's parts.
_CHUNK = 1 << 20
#: References (of a row or a cell) with a row number of seven digits or more, and cells in a
#: column of two or three letters: the patterns start with a literal, which the regular
#: expression engine finds fast, and match rarely in an ordinary sheet.
_BIG_ROW = re.compile(rb'r="[A-Z]{0,3}(\d{7,})"')
_WIDE_CELL = re.compile(rb'r="([A-Z]{2,3})\d')
_NOT_TAG = re.compile(rb"[^<]+")


@dataclass
class _Scan:
    """What a scan of an XLSX archive found: the largest column of two or three letters (27 or
    beyond) a cell names, per worksheet part."""

    max_column: dict[str, int] = field(default_factory=dict)


def _damaged_part(path: Path, info: zipfile.ZipInfo, exc: BaseException) -> TableFormatError:
    return TableFormatError(Message("io.read.damaged", {
        "path": str(path), "format": "xlsx",
        "reason": f"{info.filename}: its contents do not match its declared size and checksum, "
                  f"or cannot be decompressed: {type(exc).__name__}: {exc}"}))


def _read_part(path: Path, info: zipfile.ZipInfo, part) -> bytes:
    """The next chunk of a part; a damaged or forged part refused by name."""
    try:
        return part.read(_CHUNK)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise _damaged_part(path, info, exc) from exc


def _column_number(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n


def _check_zip(path: Path, limits: Limits) -> _Scan:
    """Scan every part of an XLSX archive before any is parsed, and refuse it if it is beyond
    what a spreadsheet holds or the limits allow — from what the archive declares first, then
    from its decompressed bytes, read a chunk at a time (never more than the limit):

    * more parts than ``limits.parts``, or declared sizes adding up beyond ``unzipped_mb``;
    * a part whose contents do not match its declared size or checksum (forged sizes), or
      that cannot be decompressed (a damaged archive);
    * a worksheet of more rows than a worksheet can hold (:data:`SHEET_ROWS`), or of more than
      ``limits.rows``, or naming a row beyond :data:`SHEET_ROWS`;
    * a text without markup longer than ``cell_chars`` allows (a cell or shared string of
      hundreds of megabytes), checked in bytes (at most four per character).
    """
    scan = _Scan()
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len(infos) > limits.parts:
            raise too_big(path, "number of parts in the archive", len(infos), limits.parts,
                          "parts")
        total = 0
        for info in infos:
            total += info.file_size
            if total > limits.unzipped_mb * 2**20:
                raise too_big(path, "decompressed size in MB", total / 2**20,
                              limits.unzipped_mb, "unzipped_mb")
        longest_text = limits.cell_chars * 4 + 1024  # bytes: UTF-8 and entities (&amp;)
        for info in infos:
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            rows = 0
            run = 0  # bytes since the last "<": the text of a cell runs without markup
            tail = b""
            size = 0
            try:
                part = archive.open(info)  # zipfile checks the CRC and the declared size
            except NotImplementedError as exc:  # a compression method zipfile does not know
                raise _damaged_part(path, info, exc) from exc
            with part:
                while chunk := _read_part(path, info, part):
                    if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
                        raise _entities_refused(path, f"in {info.filename}")
                    size += len(chunk)
                    if size > info.file_size:
                        raise TableFormatError(Message("io.read.damaged", {
                            "path": str(path), "format": "xlsx",
                            "reason": f"{info.filename} is larger than it declares"}))
                    last = chunk.rfind(b"<")
                    if last < 0:
                        run += len(chunk)
                    else:
                        first = chunk.find(b"<")
                        longest = 0  # a text inside one chunk is shorter than the limit …
                        if longest_text < _CHUNK:  # … unless the limit was set very low
                            longest = max((len(m) for m in _NOT_TAG.findall(chunk, first,
                                                                            last)), default=0)
                        run = max(run + first, longest)
                        if run > longest_text:
                            break
                        run = len(chunk) - last
                    if run > longest_text:
                        break
                    if sheet:
                        text = tail + chunk
                        rows += chunk.count(b"<row") + chunk.count(b":row ")
                        if rows > SHEET_ROWS:
                            raise LimitError(Message("io.limit.sheet_rows", {
                                "path": str(path), "part": info.filename, "limit": SHEET_ROWS}))
                        if rows > limits.rows + 1:
                            raise too_big(path, "number of rows", rows - 1, limits.rows,
                                          "rows")
                        for number in _BIG_ROW.findall(text):
                            if int(number) > SHEET_ROWS:
                                raise LimitError(Message("io.limit.row_beyond", {
                                    "path": str(path), "part": info.filename,
                                    "row": int(number), "limit": SHEET_ROWS}))
                        widest = max((_column_number(letters)
                                      for letters in set(_WIDE_CELL.findall(text))), default=0)
                        if widest > scan.max_column.get(info.filename, 0):
                            scan.max_column[info.filename] = widest
                        tail = chunk[-512:]
            if run > longest_text:
                raise LimitError(Message("io.limit.long_text", {
                    "path": str(path), "part": info.filename, "limit": limits.cell_chars}))
    return scan


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
                raise TableFormatError(f"{path}: row {i + 1} has a value in column "
                                       f"{len(values)}, beyond the header's {width} columns")
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
        raise TableFormatError(f"{path}: the first sheet is empty (no header row)")
    df = pd.DataFrame(rows, columns=names, dtype=object)
    text = df.map(_cell_text)
    _check_cells(path, text, limits)
    return _text_numbers(_restore_formula_text(text), numbers)


def _text_numbers(df: pd.DataFrame, numbers: frozenset[str]) -> pd.DataFrame:
    """``df`` with each text column named in ``numbers`` as float64 where
    :func:`_plain_numbers` can read it."""
    import pyarrow as pa

    for i, name in enumerate(df.columns):
        if name in numbers and df.iloc[:, i].dtype == object:
            values = _plain_numbers(pa.array(df.iloc[:, i].to_numpy(), type=pa.string(),
                                             from_pandas=True))
            if values is not None:
                df.isetitem(i, values)
    return df


def _entities_refused(path: Path, what: str) -> TableFormatError:
    return TableFormatError(f"{path}: refused: the spreadsheet declares XML entities or a DTD "
                            f"({what}), which a spreadsheet never needs and an attack does")


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


# --- Parquet -----------------------------------------------------------------------------------
def _read_parquet(path: Path, limits: Limits, as_text: bool,
                  numbers: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Rows, columns and the decompressed size are checked from the metadata before any data
    is read. With ``as_text``, integer and float columns named in ``numbers`` stay numbers
    (as float64) when every value is finite."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    if meta.num_columns > limits.columns:
        raise too_big(path, "number of columns", meta.num_columns, limits.columns, "columns")
    if meta.num_rows > limits.rows:
        raise too_big(path, "number of rows", meta.num_rows, limits.rows, "rows")
    unzipped = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unzipped > limits.unzipped_mb * 2**20:
        raise too_big(path, "decompressed size in MB", unzipped / 2**20, limits.unzipped_mb,
                      "unzipped_mb")
    df = _decoded_parquet(path, limits)
    _header(path, list(df.columns))
    if as_text:
        names = [str(c).strip() for c in df.columns]
        keep = {i for i, name in enumerate(names)
                if name in numbers and _finite_numbers(df.iloc[:, i])}
        columns: dict[int, object] = {}
        for i in range(df.shape[1]):
            s = df.iloc[:, i]
            if i in keep:
                columns[i] = s.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                text = s.astype("string").astype(object)
                columns[i] = text.where(text.notna(), None)
        out = pd.DataFrame(columns, index=df.index)
        out.columns = df.columns
        _check_cells(path, out.iloc[:, [i for i in range(out.shape[1]) if i not in keep]],
                     limits)
        out.columns = names
        return _text_numbers(out, numbers)
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _decoded_parquet(path: Path, limits: Limits) -> pd.DataFrame:
    """The file as pandas reads it, its text columns read dictionary-encoded first: the size
    they decode to (and their longest cell) is checked before they are decoded — a few
    megabytes of Parquet may hold one long text repeated millions of times (a dictionary
    bomb), which the metadata's sizes do not show."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    def is_text(kind) -> bool:
        if pa.types.is_dictionary(kind):  # written dictionary-typed (pandas categoricals)
            kind = kind.value_type
        return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                    or pa.types.is_binary(kind) or pa.types.is_large_binary(kind))

    schema = pq.read_schema(path)
    text = [f.name for f in schema if is_text(f.type)]
    table = pq.read_table(path, read_dictionary=text) if text else pq.read_table(path)
    decoded = 0
    for name in text:
        for chunk in table.column(name).chunks:
            if pa.types.is_dictionary(chunk.type):
                lengths = pc.take(pc.binary_length(chunk.dictionary), chunk.indices)
            else:
                lengths = pc.binary_length(chunk)
            longest = pc.max(lengths).as_py() or 0
            decoded += pc.sum(lengths).as_py() or 0
            if longest > limits.cell_chars * 4:  # bytes: at most 4 per character
                raise LimitError(Message("io.limit.parquet_cell", {
                    "path": str(path), "column": repr(name), "length": longest,
                    "limit": limits.cell_chars}))
            if decoded > limits.unzipped_mb * 2**20:
                raise too_big(path, "decoded size of its text in MB", decoded / 2**20,
                              limits.unzipped_mb, "unzipped_mb")
    if text:
        table = table.cast(schema)  # decoded, now that the size is known
    return table.to_pandas()


def _finite_numbers(s: pd.Series) -> bool:
    """Whether ``s`` holds integers or floats (not booleans), every present one finite."""
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        return False
    values = s.to_numpy(dtype=np.float64, na_value=np.nan)
    return bool(np.isfinite(values[~np.isnan(values)]).all())


# --- Writing -----------------------------------------------------------------------------------
#: ``errno`` of a path that cannot be used (bad input: exit 2), as against a failure of the
#: machine such as a full disk (exit 1).
_UNUSABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG, errno.ENOENT,
                       errno.ENOTDIR, errno.EISDIR, errno.ELOOP, errno.EEXIST, errno.EINVAL})


class OutputError(KhoosheError):
    """Writing an output failed for a reason other than the path (a full disk…): exit 1."""


def _write_error(path: Path, exc: OSError) -> KhoosheError:
    """The one-line error for ``exc`` met writing ``path``: a path that cannot be used is the
    user's to change (:class:`TableFormatError`, exit 2), anything else is not (exit 1)."""
    reason = exc.strerror or str(exc)
    if exc.errno in _UNUSABLE:
        return TableFormatError(Message("io.write.unusable", {"path": str(path),
                                                               "reason": reason}))
    return OutputError(Message("io.write.failed", {"path": str(path), "reason": reason}))


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; moved onto ``path`` when the block ends
    without error, removed otherwise — so a failure never leaves a half-written file.

    The temporary file is created new (``O_EXCL | O_NOFOLLOW``: never through an existing file
    or a symbolic link someone planted) with a short name (``.khooshe-XXXXXXXX.tmp``, so any
    valid output name works), in ``path``'s directory so the final move is atomic. The file
    gets the permissions of any new file (``0666`` less the umask), not a temporary file's
    ``0600``. A path that cannot be used (not permitted, too long, read-only) is a
    :class:`TableFormatError` (exit 2); another failure, e.g. a full disk, an
    :class:`OutputError` (exit 1).

    >>> with atomic_path("out.html") as tmp:  # doctest: +SKIP
    ...     tmp.write_text(page)
    """
    import secrets

    path = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        for _ in range(100):
            tmp = path.parent / f".khooshe-{secrets.token_hex(4)}.tmp"
            try:
                os.close(os.open(tmp, flags, 0o666))  # the umask applies, as for any new file
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(tmp))
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        yield tmp
        tmp.replace(path)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)


#: First characters that make a spreadsheet program read a text cell as a formula (OWASP's
#: CSV-injection list): such text is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Text that :func:`neutralise` wrote: an apostrophe before one of :data:`FORMULA_STARTS`
#: (a regular expression for pandas and pyarrow alike, so the rule runs in C).
_NEUTRALISED = r"^'[=+\-@\t\r]"


#: Control characters an XLSX file cannot hold (XML 1.0 forbids them): written as U+FFFD.
_XML_ILLEGAL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)], "\ufffd")


def neutralise(value: object) -> object:
    """``value`` safe to put in a spreadsheet cell: text that would start a formula gets a
    leading ``'`` (shown as text by Excel and LibreOffice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


#: Integers beyond this lose digits as a spreadsheet's numbers (doubles): written as text.
_EXACT = 2**53


def xlsx_text(value: object) -> object:
    """``value`` as an XLSX cell takes it: neutralised, control characters XML cannot hold
    replaced by U+FFFD (the one change an XLSX export may make to stored text), and an integer
    a spreadsheet cannot hold exactly (beyond 2**53, e.g. 9007199254740993) as its digits in
    text, so that it is neither rounded nor read back rounded."""
    value = neutralise(value)
    if isinstance(value, str):
        return value.translate(_XML_ILLEGAL)
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_) \
            and abs(int(value)) > _EXACT:
        return str(int(value))
    return value


def xlsx_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as :func:`xlsx_text` writes it, column by column: text neutralised and cleaned,
    integer columns holding a value beyond 2**53 as Python objects (exact text for those
    values; pandas would write the whole column as doubles). Other numbers stay numbers."""
    safe = neutralise_frame(df)
    changes: dict[object, pd.Series] = {}
    for col in safe.columns:
        s = safe[col]
        if s.dtype == object:
            changes[col] = s.map(xlsx_text)
        elif pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            values = s.dropna()
            if len(values) and (values.abs() > _EXACT).any():
                changes[col] = pd.Series([None if pd.isna(v) else xlsx_text(int(v)) for v in s],
                                         index=s.index, dtype=object)
    return safe.assign(**{str(c): v for c, v in changes.items()}) if changes else safe


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
    """Undo :func:`neutralise` on text read back from XLSX (``'=x`` → ``=x``), so an export
    re-imports to the same values (CSV: :func:`_arrow_text`)."""
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        quoted = s.str.contains(_NEUTRALISED, regex=True, na=False).to_numpy(dtype=bool)
        if quoted.any():
            df.isetitem(i, s.where(~quoted, s.str.slice(1)))
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
                xlsx_frame(df).to_excel(xw, sheet_name=sheet_name[:31], index=False)
        else:
            _write_parquet(df, tmp)
    return path


#: Rows per Parquet row group of a large table (pyarrow's default is four times as many): the
#: row group being written and the one being converted stay small (40 MB less at the peak of
#: ``khooshe complexity`` on a million rows), for a file 3 % larger.
_ROW_GROUP = 1 << 18
#: A column whose dictionary grows past this is written plain: pyarrow's default (1 MiB) lets a
#: float column of a million distinct values be hashed for nothing; codes, years and
#: per-location measures (a few thousand values) stay dictionary-encoded. A fifth less work,
#: and files no larger.
_DICTIONARY_BYTES = 1 << 18


def _parquet_schema(df: pd.DataFrame):
    """The pyarrow schema ``df.to_parquet`` infers, from the dtypes alone (text for object
    columns), or None when ``df`` holds anything but numbers, booleans and objects."""
    import pyarrow as pa

    fields = []
    for name, dtype in df.dtypes.items():
        if not isinstance(name, str):
            return None
        if not isinstance(dtype, np.dtype):
            return None  # categorical, nullable, dates with a zone…: pandas knows best
        if dtype.kind == "O":
            fields.append(pa.field(name, pa.string()))
        elif dtype.kind in "biuf":
            fields.append(pa.field(name, pa.from_numpy_dtype(dtype)))
        else:
            return None
    return pa.schema(fields)


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    """``df.to_parquet(path, index=False)``, faster for large tables: column types taken from
    the dtypes rather than inferred from every cell, each row group encoded and compressed
    (in C, without the GIL) while the next one is converted from Python objects, and
    dictionaries limited to :data:`_DICTIONARY_BYTES`.

    The file holds what ``to_parquet`` writes (same schema, metadata and values); a table
    that is not what the dtypes promise (an object column of numbers, or of nothing but
    missing values, which pyarrow types as null) is written by ``to_parquet`` instead."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema(df) if df.columns.is_unique and len(df) > _ROW_GROUP else None
    if schema is None:
        df.to_parquet(path, index=False, dictionary_pagesize_limit=_DICTIONARY_BYTES)
        return
    from concurrent.futures import ThreadPoolExecutor

    def part(start: int) -> pa.Table:
        table = pa.Table.from_pandas(df.iloc[start:start + _ROW_GROUP], schema=schema,
                                     preserve_index=False)
        if start == 0 and any(table.column(i).null_count == table.num_rows
                              for i, t in enumerate(schema.types) if t == pa.string()):
            raise pa.ArrowTypeError("an object column without a value in its first rows")
        return table

    try:
        first = part(0)
        with pq.ParquetWriter(path, first.schema, compression="snappy",
                              dictionary_pagesize_limit=_DICTIONARY_BYTES) as writer, \
                ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(writer.write_table, first)
            for start in range(_ROW_GROUP, len(df), _ROW_GROUP):
                table = part(start)
                pending.result()
                pending = pool.submit(writer.write_table, table)
            pending.result()
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # not text after all: pandas' own way
        df.to_parquet(path, index=False, dictionary_pagesize_limit=_DICTIONARY_BYTES)


class ParquetParts:
    """Write a table to a Parquet file part by part — e.g. one period of a panel at a time,
    each written while the caller computes the next, so that the whole table is never in
    memory.

    The file holds what :func:`write_table` writes from the parts concatenated (same schema,
    pandas metadata and values): categorical columns are written as their values. Each part
    is converted and compressed in a background thread (pyarrow works without the GIL); at
    most one part waits. Like :func:`write_table`, the file appears only when every part has
    been written (:func:`atomic_path`).

    >>> with ParquetParts("out.parquet") as out:  # doctest: +SKIP
    ...     for frame in frames:
    ...         out.write(frame)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows = 0
        self._schema: Any = None  # a pyarrow Schema once the first part is seen
        self._writer: Any = None  # a pyarrow ParquetWriter, likewise
        self._pending: Future[None] | None = None

    def __enter__(self) -> ParquetParts:
        from concurrent.futures import ThreadPoolExecutor
        from contextlib import ExitStack

        if table_format(self.path) != "parquet":
            raise TableFormatError(f"{self.path}: ParquetParts writes .parquet files")
        self._stack = ExitStack()
        self._tmp = self._stack.enter_context(atomic_path(self.path))
        self._pool = ThreadPoolExecutor(max_workers=1)
        return self

    def write(self, part: pd.DataFrame) -> None:
        """Queue ``part`` (its columns and types as the first part's)."""
        import pyarrow.parquet as pq

        if self._pending is not None:
            self._pending.result()  # one part at a time: memory stays bounded
        if self._schema is None:
            self._schema = _parts_schema(part)
            self._writer = pq.ParquetWriter(self._tmp, self._schema, compression="snappy",
                                            dictionary_pagesize_limit=_DICTIONARY_BYTES)
        self.rows += len(part)
        self._pending = self._pool.submit(self._write, part)

    def _write(self, part: pd.DataFrame) -> None:
        import pyarrow as pa

        table = pa.Table.from_pandas(part, preserve_index=False)
        columns = [column if column.type == f.type else column.cast(f.type)
                   for column, f in zip(table.columns, self._schema, strict=True)]
        self._writer.write_table(pa.Table.from_arrays(columns, schema=self._schema),
                                 row_group_size=_ROW_GROUP)

    def __exit__(self, kind, error, trace) -> bool | None:
        failure: BaseException | None = None
        try:
            if self._pending is not None:
                failure = self._pending.exception()  # waits for the last part
            self._pool.shutdown()
            if self._writer is not None:
                self._writer.close()
            elif failure is None and kind is None:
                failure = TableFormatError(f"{self.path}: nothing to write")
        except Exception as exc:  # closing failed (a full disk…)
            failure = failure or exc
        if kind is not None or failure is None:  # the file moves into place, or goes
            return self._stack.__exit__(kind, error, trace)
        try:
            raise failure
        except BaseException:
            if not self._stack.__exit__(*sys.exc_info()):
                raise
        return None


def _parts_schema(part: pd.DataFrame):
    """The schema (with pandas' metadata) :func:`write_table` gives ``part`` with its
    categorical columns as plain values."""
    import pyarrow as pa

    head = part.head(1)
    head = head.astype({c: object for c in head.columns
                        if isinstance(head[c].dtype, pd.CategoricalDtype)})
    schema = _parquet_schema(head) if head.columns.is_unique else None
    if schema is None:
        raise TypeError("ParquetParts writes numbers, booleans, text and categorical text; "
                        f"got {', '.join(map(str, part.dtypes.unique()))}")
    return pa.Table.from_pandas(head, schema=schema, preserve_index=False).schema


__all__ = ["FORMULA_STARTS", "LIMITS_ENV", "LimitError", "Limits", "OutputError", "ParquetParts",
           "TableFormatError", "atomic_path", "neutralise", "neutralise_frame", "read_table",
           "table_format", "too_big", "write_table", "xlsx_frame", "xlsx_text"]
