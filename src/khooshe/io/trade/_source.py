"""Source files through DuckDB: globs, the file kinds, ragged CSV rows, the layout detected."""

from __future__ import annotations

import csv
import glob as _glob
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from khooshe.domain.errors import MissingFileError
from khooshe.domain.trade import FLOW_COLUMNS
from khooshe.io.tables._duckdb import connect, is_pattern
from khooshe.io.tables._duckdb import sql_text as _sql_str
from khooshe.io.trade._formats import TradeFileError
from khooshe.text.messages import Message


def _files(path: str | Path) -> list[Path]:
    text = str(path)
    if is_pattern(text):
        files = sorted(Path(p) for p in _glob.glob(text))
        if not files:
            raise MissingFileError(Message("trade.file.no_match", {"path": text}))
        return files
    p = Path(path)
    if not p.exists():
        raise MissingFileError(Message("trade.file.not_found", {"path": str(p)}))
    if p.is_dir():
        raise TradeFileError(Message("trade.file.directory", {"path": str(p)}))
    return [p]


def _kind(p: Path) -> str:
    name = p.name.lower()
    if name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".xlsx"):
        return "xlsx"
    raise TradeFileError(Message("trade.file.unsupported", {"path": str(p)}))


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class _Source:
    """A DuckDB connection with the raw file(s) as view ``src``.

    CSV is first described with every column as text; :meth:`retype` then re-creates the view
    with the types the layout needs (DuckDB's typed CSV parser is about three times faster
    than casting text), and :meth:`retype` with ``None`` goes back to text when the typed
    parse fails, so that the bad values can be found and reported.
    """

    def __init__(self, path: str | Path, *, memory_limit: str | None, threads: int | None):
        import duckdb

        self.files = _files(path)
        kinds = {_kind(p) for p in self.files}
        if len(kinds) > 1:
            raise TradeFileError(Message("trade.file.mixed", {
                "path": str(path), "kinds": ", ".join(sorted(kinds))}))
        self.kind = kinds.pop()
        self.label = str(path)
        self.con = connect(memory_limit=memory_limit, threads=threads)
        self.typed = False
        self._types: dict[str, str] | None = None
        self._xlsx: list[pd.DataFrame] = []
        try:
            if self.kind == "xlsx":
                from khooshe.io.tables import read_table

                self._xlsx = [read_table(p, as_text=True) for p in self.files]
                for n, frame in enumerate(self._xlsx):
                    self.con.register(f"xlsx_{n}", frame)
            self._create_view(None)
        except duckdb.Error as exc:
            self.close()
            raise _unreadable(self, self.label, self.kind, exc) from exc

    def _relation(self, files: list[int], types: dict[str, str] | None) -> str:
        """SQL reading the files with these indexes (of :attr:`files`) as one table."""
        if self.kind == "xlsx":
            return "(" + " UNION ALL BY NAME ".join(f"SELECT * FROM xlsx_{n}" for n in files) + ")"
        paths = "[" + ", ".join(_sql_str(str(self.files[n])) for n in files) + "]"
        if self.kind == "parquet":
            return f"read_parquet({paths}, union_by_name = true)"
        typed = ""
        if types:
            typed = ", types = {" + ", ".join(f"{_sql_str(k)}: {_sql_str(v)}"
                                               for k, v in types.items()) + "}"
            typed += ", nullstr = ['', 'NA']"
        return (f"read_csv({paths}, header = true, all_varchar = true, "
                f"union_by_name = true{typed})")

    def numbered(self) -> Iterator[tuple[str, str]]:
        """For each file, its name and SQL giving its rows with ``_line``: the line of a CSV
        file (the header is line 1; assumes no line breaks inside quoted fields), the row of
        an XLSX sheet (the header is row 1) or the row of a Parquet file (from 1). Only used
        to locate bad rows for error messages (a second pass over the file)."""
        for n, p in enumerate(self.files):
            if self.kind == "parquet":
                rel = (f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _line "
                       f"FROM read_parquet([{_sql_str(str(p))}], file_row_number = true)")
            else:  # the scan keeps the file's order (DuckDB preserves insertion order)
                rel = (f"SELECT *, row_number() OVER () + 1 AS _line "
                       f"FROM {self._relation([n], self._types)}")
            yield p.name, f"({rel})"

    @property
    def row_word(self) -> str:
        return {"csv": "line", "xlsx": "row"}.get(self.kind, "row")

    def _create_view(self, types: dict[str, str] | None) -> None:
        rel = self._relation(list(range(len(self.files))), types)
        self.con.execute(f"CREATE OR REPLACE VIEW src AS SELECT * FROM {rel}")
        self._types = types
        desc = self.con.execute("DESCRIBE src").fetchall()
        if self.kind == "csv" and len(desc) == 1 and any(ch in desc[0][0] for ch in ",;\t|"):
            _ragged_rows(self.files)  # the sniffer gave up: a row with a wrong field count?
        self.types = {row[0]: str(row[1]).upper() for row in desc}
        self.columns = {_norm(c): c for c in self.types}
        self.typed = bool(types)

    def retype(self, types: dict[str, str] | None) -> None:
        """Re-create ``src`` with these column types (CSV only; others keep their types)."""
        if self.kind == "csv":
            self._create_view(types)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> _Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def col(self, *names: str) -> str | None:
        """The actual name of the first of ``names`` (normalised) present."""
        return next((self.columns[n] for n in names if n in self.columns), None)

    def is_text(self, column: str) -> bool:
        return self.types[column].startswith("VARCHAR")


def _unreadable(src: _Source, label: str, layout: str, exc: Exception) -> TradeFileError:
    """The error for a file DuckDB could not read: a CSV row with the wrong number of fields
    named by its line (DuckDB finds it only past its sample, deep in a large file, and
    explains it with advice about its own options), else DuckDB's first line."""
    if src.kind == "csv" and "CSV Error" in str(exc):
        try:
            _ragged_rows(src.files)
        except TradeFileError as found:
            return found
        except (OSError, UnicodeError, csv.Error):  # not text: DuckDB's own first line
            pass
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return TradeFileError(Message("trade.file.unreadable", {"label": label, "layout": layout,
                                                            "reason": first}))


def _ragged_rows(files: list[Path]) -> None:
    """Raise :class:`TradeFileError` at the first CSV line whose number of fields differs
    from its header's (DuckDB's sniffer then sees one column and no delimiter)."""
    import gzip

    for path in files:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            sample = fh.read(65536)
            fh.seek(0)
            try:
                dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
                    sample.splitlines()[0] if sample else ",", delimiters=",;\t|")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(fh, dialect)
            header = next(reader, [])
            for row in reader:
                if row and len(row) != len(header):
                    raise TradeFileError(Message("trade.file.ragged", {
                        "path": str(path), "line": reader.line_num, "fields": len(row),
                        "width": len(header), "header": ", ".join(header),
                        "row": repr(dialect.delimiter.join(row))}))


def detect_format(columns: Iterable[str]) -> str:
    """``baci``, ``comtrade`` or ``flows`` from a file's column names (BACI: ``t, i, j, k``;
    flows: ``exporter, importer, hs6``; Comtrade: ``cmdCode``). A layout recognised but
    incomplete is reported later with the missing column named.

    Raises
    ------
    TradeFileError
        None of the three layouts matches.
    """
    columns = list(columns)
    cols = {_norm(c) for c in columns}
    if {"t", "i", "j", "k"} <= cols:
        return "baci"
    if {"exporter", "importer", "hs6"} <= cols:
        return "flows"
    if cols & {"cmdcode", "commoditycode"}:
        return "comtrade"
    raise TradeFileError(Message("trade.layout.unrecognised", {
        "flows": ", ".join(FLOW_COLUMNS), "found": ", ".join(columns)}))
