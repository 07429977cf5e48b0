"""Long tables too large for memory, read one period at a time: Parquet files (one, a folder of
them, or a glob) queried through DuckDB.

BACI ships one Parquet file of about ten million flows (exporter, importer, HS6 product, value)
per year, some 270 million over 1995–2024: far more than a process should hold, while each
year, summed over importers, is a matrix of at most a few million cells. So the files are
surveyed once (columns, the periods and their row counts, missing codes, values that are not
numbers), and each period is then read on its own: DuckDB filters its rows (the files' row
group statistics let it skip the other years) and sums them by (location, product). The
result is what :func:`~khooshe.analysis.complexity.complexity` would build from the period's
rows, already summed; the sums it replaced are counted, for the same warnings.

A period is summed by DuckDB on one thread, in the files' row order: the same input always
gives the same bits (a parallel sum would add in an order that changes from run to run).
"""

from __future__ import annotations

import glob as _glob
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from khooshe.domain.errors import FIRST_ROW, MissingFileError
from khooshe.io.tables._columns import _categorical_column
from khooshe.io.tables._duckdb import connect, ident, is_pattern, sql_text
from khooshe.io.tables._limits import Limits, TableFormatError, too_big
from khooshe.text.messages import Message

#: A single Parquet file of more rows than this is read period by period (below it, reading
#: it whole is faster: no survey, no query per period).
PERIOD_ROWS = 2_000_000

_INTEGER = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT")
_FLOAT = ("FLOAT", "DOUBLE", "DECIMAL")


def is_dataset_path(path: str | Path) -> bool:
    """Whether ``path`` names several Parquet files: a glob pattern or a folder."""
    return is_pattern(path) or Path(path).is_dir()


def dataset_files(path: str | Path) -> list[Path]:
    """The Parquet files ``path`` names, sorted: a glob pattern's matches, every ``.parquet``
    file under a folder (Hive-style ``t=2019/`` folders included), or the file itself."""
    text = str(path)
    if is_pattern(text):
        files = sorted(Path(p) for p in _glob.glob(text) if Path(p).is_file())
    elif Path(path).is_dir():
        files = sorted(p for p in Path(path).rglob("*.parquet") if p.is_file())
    elif Path(path).is_file():
        files = [Path(path)]
    else:
        raise MissingFileError(Message("io.dataset.missing", {"path": text}))
    if not files:
        raise MissingFileError(Message("io.dataset.no_files", {"path": text}))
    odd = [p for p in files if p.suffix.lower() != ".parquet"]
    if odd:
        raise TableFormatError(Message("io.dataset.not_parquet", {"path": str(odd[0])}))
    return files


@dataclass(frozen=True)
class PeriodRows:
    """One period of a :class:`PeriodDataset`, summed by (location, product).

    Attributes
    ----------
    data : DataFrame
        The location and product columns (categoricals, categories sorted) and the value
        (float64): one row per (location, product) of the period, missing values counted as 0.
    rows : int
        The period's rows in the files.
    duplicated : int
        Keys that had more than one row (their values were summed).
    example : tuple or None
        The first of them, in sorted order.
    missing : int
        Rows without a value (empty or NaN), counted as 0.
    """

    data: pd.DataFrame
    rows: int
    duplicated: int
    example: tuple[Any, Any] | None
    missing: int


@dataclass(frozen=True)
class PeriodDataset:
    """Parquet files holding a long (time, location, product, value) table, surveyed by
    :func:`open_period_dataset`; :meth:`read` gives one period. Plain data, so it can travel
    to another process (a Dask worker reads its periods itself, from the same paths).

    Attributes
    ----------
    label : str
        The path as given (a file, a folder or a glob pattern).
    files : tuple of str
        The Parquet files, sorted.
    location, product, value, time : str
        The columns (``time`` None: the whole table is one period).
    periods : tuple
        Each period's value in the files (e.g. the integer year), sorted by its text.
    period_labels : tuple of str
        The same as text, as the analysis labels periods.
    period_rows : tuple of int
        Rows of each period.

    Examples
    --------
    >>> years = open_period_dataset("baci/", location="i", product="k", value="v",
    ...                             time="t")  # doctest: +SKIP
    >>> years.read(years.periods[0]).data.head(2)  # doctest: +SKIP
       i      k        v
    0  100  10121  1234.56
    1  100  10129    78.90
    """

    label: str
    files: tuple[str, ...]
    location: str
    product: str
    value: str
    time: str | None
    value_sql: str
    key_types: tuple[str, str]
    periods: tuple[Any, ...]
    period_labels: tuple[str, ...]
    period_rows: tuple[int, ...]
    memory_limit: str = "1GB"

    @property
    def rows(self) -> int:
        """Rows of every period."""
        return sum(self.period_rows)

    def read(self, period: Any) -> PeriodRows:
        """The rows of ``period`` (one of :attr:`periods`; ``None`` without a time column)
        summed by (location, product)."""
        con = connect(threads=1, memory_limit=self.memory_limit)
        try:
            where, params = "", []
            if self.time is not None:
                where, params = f"WHERE {ident(self.time)} = ?", [period]
            loc, prod = _key_sql(self.location, self.key_types[0]), \
                _key_sql(self.product, self.key_types[1])
            table = con.execute(
                f"SELECT CAST(l AS VARCHAR) AS l, CAST(p AS VARCHAR) AS p, "
                f"coalesce(v, 0) AS v, n, m FROM ("
                f" SELECT {loc} AS l, {prod} AS p, sum(x) AS v, count(*) AS n,"
                f" count(*) - count(x) AS m"
                f" FROM (SELECT *, {self.value_sql} AS x FROM {_scan(self.files)} {where})"
                f" GROUP BY ALL)", params).arrow()
        finally:
            con.close()
        if hasattr(table, "read_all"):  # DuckDB ≥ 1.4 answers with a record batch reader
            table = table.read_all()
        locations = _categorical_column(table.column("l").combine_chunks())
        products = _categorical_column(table.column("p").combine_chunks())
        n = table.column("n").to_numpy()
        data = pd.DataFrame({self.location: locations, self.product: products,
                             self.value: table.column("v").to_numpy()}, copy=False)
        many = n > 1
        example = None
        if many.any():
            first = np.lexsort((products.codes[many], locations.codes[many]))[0]
            example = (locations[many][first], products[many][first])
        return PeriodRows(data=data, rows=int(n.sum()), duplicated=int(many.sum()),
                          example=example, missing=int(table.column("m").to_numpy().sum()))


def _scan(files: tuple[str, ...] | list[str], **flags: bool) -> str:
    extra = "".join(f", {name} = true" for name, on in flags.items() if on)
    paths = ", ".join(sql_text(f) for f in files)
    return f"read_parquet([{paths}], union_by_name = true{extra})"


def _key_sql(column: str, kind: str) -> str:
    """A code column as the analysis reads codes: text columns with empty cells missing."""
    return f"NULLIF({ident(column)}, '')" if kind == "VARCHAR" else ident(column)


def _value_sql(column: str, kind: str) -> str | None:
    """SQL of the value as DOUBLE, NULL where missing (empty text, NaN); None when the
    column's type holds no numbers."""
    c = ident(column)
    if kind.startswith(_INTEGER) or kind == "BOOLEAN":
        return f"CAST({c} AS DOUBLE)"
    if kind.startswith(_FLOAT):
        return f"nullif(CAST({c} AS DOUBLE), 'NaN'::DOUBLE)"
    if kind == "VARCHAR":
        return f"nullif(TRY_CAST(NULLIF(trim({c}), '') AS DOUBLE), 'NaN'::DOUBLE)"
    return None


def open_period_dataset(path: str | Path, *, location: str, product: str, value: str,
                        time: str | None, limits: Limits | None = None,
                        threads: int | None = None) -> PeriodDataset:
    """Survey the Parquet files at ``path`` (a file, a folder, a glob) as a long table.

    One pass over the files finds the periods (sorted by their text, as the analysis orders
    them) and their rows, and refuses, naming the file and its row: a missing column, a row
    without a code, a value that is not a number, a period of more rows than
    ``limits.period_rows``.

    Raises
    ------
    MissingFileError
        No file at ``path``, or no Parquet file in the folder or matching the pattern.
    TableFormatError
        Unreadable files, missing columns, a value column that holds no numbers, rows without
        a code or with a value that is not a number, an empty table; a period over the limit
        (:class:`~khooshe.io.tables.LimitError`).
    """
    import duckdb

    limits = limits or Limits.from_env()
    label = str(path)
    files = tuple(str(p) for p in dataset_files(path))
    con = connect(threads=threads, memory_limit="1GB")
    try:
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {_scan(files)}").fetchall()
        except duckdb.Error as exc:
            raise TableFormatError(Message("io.dataset.unreadable", {
                "path": label, "reason": _first_line(exc)})) from exc
        types = {str(row[0]): str(row[1]).upper() for row in described}
        wanted = [c for c in (time, location, product, value) if c is not None]
        absent = [c for c in wanted if c not in types]
        if absent:
            raise TableFormatError(Message("io.dataset.no_column", {
                "path": label, "columns": ", ".join(map(repr, absent)),
                "has": ", ".join(types)}))
        value_sql = _value_sql(value, types[value])
        if value_sql is None:
            raise TableFormatError(Message("io.dataset.value_type", {
                "path": label, "column": repr(value), "type": types[value]}))
        keys = [c for c in (time, location, product) if c is not None]
        no_code = " OR ".join(f"{_key_sql(c, types[c])} IS NULL" for c in keys)
        raw = ident(value)
        not_number = (f"({raw} IS NOT NULL AND trim({raw}) <> '' AND "
                      f"TRY_CAST(trim({raw}) AS DOUBLE) IS NULL)"
                      if types[value] == "VARCHAR" else "false")
        group = f"CAST({ident(time)} AS VARCHAR), {ident(time)}" if time else "NULL, NULL"
        try:
            survey = con.execute(
                f"SELECT {group}, count(*), count(*) FILTER (WHERE {no_code}),"
                f" count(*) FILTER (WHERE {not_number})"
                f" FROM {_scan(files)} GROUP BY ALL").fetchall()
        except duckdb.Error as exc:
            raise TableFormatError(Message("io.dataset.unreadable", {
                "path": label, "reason": _first_line(exc)})) from exc
        if sum(r[3] for r in survey):
            raise _located(con, files, "io.dataset.no_code", no_code, label,
                           columns=", ".join(map(repr, keys)))
        if sum(r[4] for r in survey):
            raise _located(con, files, "io.dataset.not_number", not_number, label,
                           columns=repr(value))
    finally:
        con.close()
    survey = sorted((r for r in survey if r[2]), key=lambda r: (r[0] is None, r[0] or ""))
    if not survey:
        raise TableFormatError(Message("io.dataset.empty", {"path": label}))
    biggest = max(survey, key=lambda r: r[2])
    if biggest[2] > limits.period_rows:
        raise too_big(Path(label), Message("io.limit.what.period_rows", {
            "period": biggest[0] if time else "—"}), biggest[2], limits.period_rows,
            "period_rows")
    return PeriodDataset(
        label=label, files=files, location=location, product=product, value=value, time=time,
        value_sql=value_sql, key_types=(types[location], types[product]),
        periods=tuple(r[1] for r in survey), period_labels=tuple(str(r[0]) for r in survey),
        period_rows=tuple(int(r[2]) for r in survey))


def _located(con: Any, files: tuple[str, ...], key: str, condition: str, label: str,
             **fields: str) -> TableFormatError:
    """The refusal of the rows matching ``condition``: how many there are, and the first,
    named by its file and row (as a spreadsheet numbers it: the header is row 1)."""
    numbered = _scan(files, filename=True, file_row_number=True)
    first = con.execute(
        f"SELECT filename, file_row_number + {FIRST_ROW} FROM {numbered}"
        f" WHERE {condition} ORDER BY filename, file_row_number LIMIT 1").fetchone()
    count = con.execute(f"SELECT count(*) FROM {_scan(files)} WHERE {condition}").fetchone()[0]
    file, row = first if first else (label, 0)
    return TableFormatError(Message(key, {"path": file, "count": int(count), "row": int(row),
                                          **fields}))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["PERIOD_ROWS", "PeriodDataset", "PeriodRows", "dataset_files", "is_dataset_path",
           "open_period_dataset"]
