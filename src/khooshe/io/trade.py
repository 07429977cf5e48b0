"""Trade-flow files: BACI, UN Comtrade CSV and khooshe's own layout, read through DuckDB.

Every reader normalises to the workspace's ``trade_flows`` layout::

    year, exporter, importer, hs6, value_usd, quantity_t

with ISO3 country codes, HS codes as 6-character text (BACI stores ``k`` as an integer:
``10121`` → ``"010121"``), values in USD and quantities in tonnes (empty when unknown).

Layouts recognised (by their columns, case and punctuation ignored)
-------------------------------------------------------------------
- **BACI** (CEPII): ``t, i, j, k, v, q`` — year, exporter and importer as numeric country codes
  (mapped with BACI's ``country_codes`` file when given, otherwise with khooshe's country table
  plus :data:`khooshe.io.countries.TRADE_NUMERIC_ALIASES`), HS6 product, value in **thousands**
  of USD, quantity in tonnes (``NA`` or empty when unknown, about 2 % of rows). A numeric code
  that cannot be mapped is an error that lists the codes (pass the country-codes file).
- **Comtrade** (UN Comtrade API/portal CSV): ``refYear`` (or ``Year``/``period``),
  ``reporterISO``/``partnerISO`` (or the numeric ``reporterCode``/``partnerCode``),
  ``flowCode`` (``X``/``M``; legacy ``Trade Flow Code`` 2/1), ``cmdCode``, ``primaryValue``
  (or ``Trade Value (US$)``) and ``netWgt`` (kg → tonnes). Reported exports are used by
  default (``flow="X"``: reporter → partner); ``flow="M"`` uses reported imports mirrored
  (partner → reporter). Rows that are not country-to-country HS6 totals are dropped and
  counted in the notes: other flows (re-exports/re-imports), aggregate products (``TOTAL``,
  HS2/HS4), aggregate partners (``W00`` World, areas n.e.s.) and breakdown rows
  (``partner2Code``, ``customsCode``, ``motCode`` other than their totals 0/C00/0).
- **flows**: the workspace layout itself (``year, exporter, importer, hs6, value_usd`` and
  optionally ``quantity_t``).

Files are CSV (also ``.csv.gz``), Parquet or XLSX; a glob pattern (``BACI_HS17_Y20*.csv``) reads
several files as one. Large files never pass through pandas: DuckDB parses the file once into
a typed temporary table (spilling to disk beyond ``memory_limit``), validates it with one
aggregate query and :func:`summarise_trade_file` returns only the aggregates the market
analysis needs (:class:`khooshe.domain.trade.TradeSummary`).

Malformed input raises :class:`TradeFileError` (a ``ValueError``) naming the file, the column,
the number of bad rows and where the first ones are with their text (``line 7 ('seven')`` in a
CSV, counting the header as line 1; ``row N`` of an XLSX sheet or a Parquet file): missing
columns, rows with too few or too many fields, text where numbers are expected, empty required
cells, negative values, HS codes that are not 6 digits, unmapped country codes, or no rows in
the year window. Locating the rows takes a second pass over the file, on the error path only.
"""

from __future__ import annotations

import glob as _glob
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from khooshe.domain.errors import InputError, MissingFileError
from khooshe.domain.trade import (
    FLOW_COLUMNS,
    TradeSummary,
    check_concordance,
    check_summary,
    check_targets,
    check_tariffs,
    year_window,
)
from khooshe.io.countries import numeric_to_iso3

TradeFormat = Literal["auto", "baci", "comtrade", "flows"]
FORMATS = ("baci", "comtrade", "flows")


class TradeFileError(InputError):
    """A trade file khooshe cannot read: its layout, a value, a code."""


# --------------------------------------------------------------------------------------------
# Source files
# --------------------------------------------------------------------------------------------
def _files(path: str | Path) -> list[Path]:
    text = str(path)
    if any(ch in text for ch in "*?["):
        files = sorted(Path(p) for p in _glob.glob(text))
        if not files:
            raise MissingFileError(f"{text}: no file matches")
        return files
    p = Path(path)
    if not p.exists():
        raise MissingFileError(f"{p}: file not found")
    if p.is_dir():
        raise TradeFileError(f"{p} is a directory; give a trade file (or a glob pattern)")
    return [p]


def _kind(p: Path) -> str:
    name = p.name.lower()
    if name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".xlsx"):
        return "xlsx"
    raise TradeFileError(f"{p}: unsupported file type; use CSV (.csv, .csv.gz), Parquet or XLSX")


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
            raise TradeFileError(f"{path}: mixed file types ({', '.join(sorted(kinds))})")
        self.kind = kinds.pop()
        self.label = str(path)
        config: dict[str, str | bool | int | float | list[str]] = {}
        if memory_limit:
            config["memory_limit"] = memory_limit
        if threads:
            config["threads"] = int(threads)
        self.con = duckdb.connect(config=config)
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
            raise TradeFileError(f"{self.label}: cannot read as {self.kind}: {exc}") from exc

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


def _ragged_rows(files: list[Path]) -> None:
    """Raise :class:`TradeFileError` at the first CSV line whose number of fields differs
    from its header's (DuckDB's sniffer then sees one column and no delimiter)."""
    import csv
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
                    raise TradeFileError(
                        f"{path}: line {reader.line_num} has {len(row)} field(s) but the header "
                        f"has {len(header)} ({', '.join(header)}): {dialect.delimiter.join(row)!r}")


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
    raise TradeFileError(
        "unrecognised trade layout: expected BACI (t, i, j, k, v, q), Comtrade (refYear, "
        "reporterISO, partnerISO, flowCode, cmdCode, primaryValue, netWgt) or khooshe's "
        f"flows ({', '.join(FLOW_COLUMNS)}); found {', '.join(columns)}"
    )


# --------------------------------------------------------------------------------------------
# Normalisation SQL
# --------------------------------------------------------------------------------------------
#: Text that means "no value" in a numeric column (BACI writes NA, sometimes space-padded).
_MISSING_TEXT = "('', 'NA', 'NAN', 'NULL', 'N/A', '.', '-')"


@dataclass
class _Field:
    """One canonical column: its typed SQL over ``src`` and, for text input, the raw text
    (alias ``_r_<name>``) so that values present but unparseable can be counted."""

    name: str
    expr: str
    raw: str | None = None
    check: str | None = None  # extra "bad" predicate over {r}, the raw alias
    label: str = ""

    @property
    def alias(self) -> str:
        return f"_r_{self.name}"

    def bad(self) -> str | None:
        parts = []
        if self.raw is not None:
            parts.append(f"({self.name} IS NULL AND {self.alias} IS NOT NULL AND "
                         f"upper(trim({self.alias})) NOT IN {_MISSING_TEXT})")
        if self.check is not None:
            parts.append(f"({self.check.format(r=self.alias)})")
        return " OR ".join(parts) if parts else None


def _num_field(src: _Source, name: str, column: str | None, sql_type: str,
               scale: float = 1.0) -> _Field:
    if column is None:
        return _Field(name, f"CAST(NULL AS {sql_type})")
    c = _ident(column)
    mult = f" * {scale!r}" if scale != 1.0 else ""
    if src.is_text(column):
        return _Field(name, f"TRY_CAST({c} AS {sql_type}){mult}", raw=c, label=column)
    return _Field(name, f"CAST({c} AS {sql_type}){mult}", label=column)


def _text_field(name: str, column: str) -> _Field:
    c = _ident(column)
    return _Field(name, f"upper(trim(CAST({c} AS VARCHAR)))", label=column)


def _require(src: _Source, fmt: str, **wanted: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    missing = []
    for key, names in wanted.items():
        col = src.col(*names)
        if col is None:
            missing.append(f"{key} ({' or '.join(names)})")
        else:
            found[key] = col
    if missing:
        raise TradeFileError(f"{src.label}: {fmt} layout but no column for "
                             + ", ".join(missing) + f"; columns: {', '.join(src.types)}")
    return found


@dataclass
class _Plan:
    fmt: str
    fields: list[_Field]
    numeric_codes: bool  # exporter/importer are numeric codes to map
    drop: str  # SQL CASE over src giving the reason a row is dropped (NULL: kept)


#: Column types for DuckDB's typed CSV parser ("NA" and empty are missing; anything else
#: it rejects, e.g. space-padded "   NA", sends the file down the slower text path).
_CSV_TYPES = {
    "baci": {"t": "INTEGER", "i": "INTEGER", "j": "INTEGER", "k": "BIGINT", "v": "DOUBLE",
             "q": "DOUBLE"},
    "flows": {"year": "INTEGER", "valueusd": "DOUBLE", "quantityt": "DOUBLE"},
}


def _csv_types(src: _Source, fmt: str) -> dict[str, str]:
    return {src.columns[k]: v for k, v in _CSV_TYPES.get(fmt, {}).items() if k in src.columns}


def _plan(src: _Source, fmt: str, flow: str) -> _Plan:
    if fmt == "baci":
        c = _require(src, "BACI", t=("t",), i=("i",), j=("j",), k=("k",), v=("v",))
        fields = [
            _num_field(src, "year", c["t"], "INTEGER"),
            _num_field(src, "exporter", c["i"], "INTEGER"),
            _num_field(src, "importer", c["j"], "INTEGER"),
            _num_field(src, "hs", c["k"], "BIGINT"),
            _num_field(src, "value", c["v"], "DOUBLE", 1000.0),
            _num_field(src, "quantity", src.col("q"), "DOUBLE"),
        ]
        return _Plan("baci", fields, True, "CAST(NULL AS VARCHAR)")
    if fmt == "flows":
        c = _require(src, "flows", year=("year",), exporter=("exporter",),
                     importer=("importer",), hs6=("hs6",), value_usd=("valueusd",))
        hs = _num_field(src, "hs", c["hs6"], "BIGINT")
        if src.is_text(c["hs6"]):  # written with its 6 digits (leading zeros kept)
            hs.check = "{r} IS NOT NULL AND NOT regexp_full_match(trim({r}), '\\d{{6}}')"
        fields = [
            _num_field(src, "year", c["year"], "INTEGER"),
            _text_field("exporter", c["exporter"]),
            _text_field("importer", c["importer"]),
            hs,
            _num_field(src, "value", c["value_usd"], "DOUBLE"),
            _num_field(src, "quantity", src.col("quantityt"), "DOUBLE"),
        ]
        return _Plan("flows", fields, False, "CAST(NULL AS VARCHAR)")
    # Comtrade
    if flow not in ("X", "M"):
        raise ValueError(f"flow must be X (reported exports) or M (reported imports), not {flow!r}")
    year_col = src.col("refyear", "year")
    period_col = None if year_col else src.col("period", "refperiodid")
    c = _require(src, "Comtrade", cmd=("cmdcode", "commoditycode"),
                 value=("primaryvalue", "tradevalueus", "tradevalueusd", "tradevalue", "value",
                        "fobvalue" if flow == "X" else "cifvalue"))
    if year_col is None and period_col is None:
        raise TradeFileError(f"{src.label}: Comtrade layout but no year column (refYear, Year "
                             f"or period); columns: {', '.join(src.types)}")
    rep = src.col("reporteriso", "reporteriso3")
    par = src.col("partneriso", "partneriso3")
    rep_num = src.col("reportercode")
    par_num = src.col("partnercode")
    iso_mode = rep is not None and par is not None
    if not iso_mode and (rep_num is None or par_num is None):
        raise TradeFileError(f"{src.label}: Comtrade layout but no reporter/partner columns "
                             "(reporterISO and partnerISO, or reporterCode and partnerCode)")
    if year_col is not None:
        year = _num_field(src, "year", year_col, "INTEGER")
    else:
        pc = f"substr(trim(CAST({_ident(period_col)} AS VARCHAR)), 1, 4)"  # type: ignore[arg-type]
        year = _Field("year", f"TRY_CAST({pc} AS INTEGER)", raw=pc, label=str(period_col))
    if iso_mode:
        r = _text_field("reporter", rep)  # type: ignore[arg-type]
        p = _text_field("partner", par)  # type: ignore[arg-type]
    else:
        r = _num_field(src, "reporter", rep_num, "INTEGER")
        p = _num_field(src, "partner", par_num, "INTEGER")
    exp_f, imp_f = (r, p) if flow == "X" else (p, r)
    exp_f = _Field("exporter", exp_f.expr, exp_f.raw, label=exp_f.label)
    imp_f = _Field("importer", imp_f.expr, imp_f.raw, label=imp_f.label)
    cmd = f"trim(CAST({_ident(c['cmd'])} AS VARCHAR))"
    hs = _Field("hs", f"TRY_CAST({cmd} AS BIGINT)", label=c["cmd"])
    wgt = _num_field(src, "quantity", src.col("netwgt", "netweightkg", "netweight"), "DOUBLE",
                     0.001)
    fields = [year, exp_f, imp_f, hs, _num_field(src, "value", c["value"], "DOUBLE"), wgt]
    reasons = []
    flow_col = src.col("flowcode", "tradeflowcode", "flow", "tradeflow", "flowdesc")
    if flow_col is not None:
        fc = f"upper(trim(CAST({_ident(flow_col)} AS VARCHAR)))"
        wanted = ("('X', '2', 'EXPORT', 'EXPORTS')" if flow == "X"
                  else "('M', '1', 'IMPORT', 'IMPORTS')")
        reasons.append((f"{fc} NOT IN {wanted}", "other trade flow (re-exports, imports, …)"))
    reasons.append((f"NOT regexp_full_match(coalesce({cmd}, ''), '\\d{{6}}')",
                    "aggregate product code (TOTAL, HS2, HS4)"))
    if iso_mode:
        for f in (exp_f, imp_f):
            reasons.append((f"NOT regexp_full_match(coalesce({f.expr}, ''), '[A-Z]{{3}}') "
                            f"OR {f.expr} IN ('WLD', 'W00')",
                            "aggregate partner (World, areas n.e.s.)"))
    else:
        for f in (exp_f, imp_f):
            reasons.append((f"coalesce({f.expr}, 0) = 0", "aggregate partner (World)"))
    for names, total in ((("partner2code",), "('0', '')"), (("customscode",), "('C00', '')"),
                         (("motcode",), "('0', '')")):
        col = src.col(*names)
        if col is not None:
            v = f"coalesce(trim(CAST({_ident(col)} AS VARCHAR)), '')"
            reasons.append((f"{v} NOT IN {total}", "breakdown row (not a total)"))
    drop = "CASE " + " ".join(f"WHEN {cond} THEN {_sql_str(why)}" for cond, why in reasons) \
        + " ELSE NULL END"
    return _Plan("comtrade", fields, not iso_mode, drop)


# --------------------------------------------------------------------------------------------
# Staging: parse once, validate once
# --------------------------------------------------------------------------------------------
@dataclass
class _Staged:
    src: _Source
    plan: _Plan
    rows: int
    rows_missing_quantity: int
    years: tuple[int, ...]
    code_map: dict | None  # numeric code → ISO3 (numeric layouts)
    notes: list[str]


def _inner(plan: _Plan, relation: str = "src", extra: str = "") -> str:
    cols = [f"{f.expr} AS {f.name}" for f in plan.fields]
    cols += [f"{f.raw} AS {f.alias}" for f in plan.fields if f.raw is not None]
    return (f"SELECT {', '.join(cols)}, {plan.drop} AS dropped{extra} "
            f"FROM {relation} AS src")


def _locate(src: _Source, plan: _Plan, years: tuple[int, int] | None, predicate: str,
            show: str, limit: int = 3) -> str:
    """Where the first rows matching ``predicate`` (SQL over the canonical columns, the raw
    ``_r_*`` aliases, the source text ``_s_<name>`` and ``dropped``) are: ``"line 7 ('seven');
    line 12 ('x')"``, with the file name when there are several files. ``show`` is the SQL of
    the value to quote. Empty
    when the rows cannot be located (e.g. a column missing from one of several files)."""
    import duckdb

    window = "" if years is None else \
        f" AND (year IS NULL OR year BETWEEN {int(years[0])} AND {int(years[1])})"
    found: list[str] = []
    raw = "".join(f", CAST({_ident(f.label)} AS VARCHAR) AS _s_{f.name}" for f in plan.fields
                  if f.label and f.label in src.types)
    for name, rel in src.numbered():
        sql = (f"SELECT _line, {show} FROM ({_inner(plan, rel, ', _line' + raw)}) "
               f"WHERE dropped IS NULL{window} AND ({predicate}) "
               f"ORDER BY _line LIMIT {limit - len(found)}")
        try:
            hits = src.con.execute(sql).fetchall()
        except duckdb.Error:
            return ""
        where = f"{name} " if len(src.files) > 1 else ""
        found += [f"{where}{src.row_word} {int(line):,} ({value!r})" for line, value in hits]
        if len(found) >= limit:
            break
    return "; ".join(found)


def _create(src: _Source, plan: _Plan, years: tuple[int, int] | None) -> None:
    checks = [(n, f.bad()) for n, f in enumerate(plan.fields)]
    bits = " + ".join(f"(CASE WHEN {b} THEN {1 << n} ELSE 0 END)" for n, b in checks if b) \
        or "0"
    names = ", ".join(f.name for f in plan.fields)
    window = ""
    if years is not None:
        window = f" WHERE year IS NULL OR year BETWEEN {int(years[0])} AND {int(years[1])}"
    src.con.execute(f"CREATE OR REPLACE TEMP TABLE flows AS SELECT {names}, "
                    f"CAST({bits} AS UTINYINT) AS bad, dropped FROM ({_inner(plan)}){window}")


def _stage(
    src: _Source,
    fmt: TradeFormat,
    *,
    years: tuple[int, int] | None,
    flow: str,
    baci_countries: pd.DataFrame | None,
    unknown: Literal["raise", "drop"],
) -> _Staged:
    import duckdb

    if fmt == "auto":
        try:
            fmt = detect_format(src.types)  # type: ignore[assignment]
        except TradeFileError as exc:
            raise TradeFileError(f"{src.label}: {exc}") from None
    elif fmt not in FORMATS:
        raise ValueError(f"format must be auto, {', '.join(FORMATS)}, not {fmt!r}")
    label = src.label
    types = _csv_types(src, fmt) if src.kind == "csv" else {}
    try:
        if types:
            try:  # fast path: DuckDB's typed parser
                src.retype(types)
                plan = _plan(src, fmt, flow)
                _create(src, plan, years)
            except duckdb.Error:  # a value the typed parser rejects: find it the slow way
                src.retype(None)
                plan = _plan(src, fmt, flow)
                _create(src, plan, years)
        else:
            plan = _plan(src, fmt, flow)
            _create(src, plan, years)
        n = len(plan.fields)
        stats = src.con.execute(
            "SELECT count(*), "
            + ", ".join(f"count(*) FILTER (WHERE bad & {1 << k} > 0)" for k in range(n))
            + ", count(*) FILTER (WHERE bad = 0 AND (year IS NULL OR exporter IS NULL "
              "OR importer IS NULL OR hs IS NULL OR value IS NULL)), "
              "count(*) FILTER (WHERE value < 0), count(*) FILTER (WHERE quantity < 0), "
              "count(*) FILTER (WHERE hs < 0 OR hs > 999999), "
              "count(*) FILTER (WHERE quantity IS NULL) "
              "FROM flows WHERE dropped IS NULL"
        ).fetchone()
        drops = src.con.execute(
            "SELECT dropped, count(*) FROM flows WHERE dropped IS NOT NULL GROUP BY dropped "
            "ORDER BY dropped").fetchall()
    except duckdb.Error as exc:
        raise TradeFileError(f"{label}: cannot read as {fmt}: {exc}") from exc
    assert stats is not None
    rows = int(stats[0])
    bad_counts = stats[1:1 + n]
    missing, neg_v, neg_q, bad_hs, no_q = stats[1 + n:1 + n + 5]
    where = "" if years is None else f" in {years[0]}–{years[1]}"
    notes = [f"dropped {cnt:,} row(s): {why}" for why, cnt in drops]
    shown = {"hs": "HS6 code", "value": "value", "quantity": "quantity", "year": "year",
             "exporter": "exporter code", "importer": "importer code"}
    field = {f.name: f for f in plan.fields}

    def fail(count: int, what: str, predicate: str, show: str) -> None:
        at = _locate(src, plan, years, predicate, show)
        raise TradeFileError(f"{label}: {count:,} row(s) {what}" + (f": {at}" if at else ""))

    for f, cnt in zip(plan.fields, bad_counts, strict=True):
        if cnt:
            fail(cnt, f"with an invalid {shown.get(f.name, f.name)} in column {f.label!r}",
                 f.bad() or "false", f.alias)
    if missing:
        required = ("year", "exporter", "importer", "hs", "value")
        empty = [f"{field[c].label or c}" for c in required if src.con.execute(
            f"SELECT count(*) FROM flows WHERE dropped IS NULL AND bad = 0 AND {c} IS NULL"
        ).fetchone()[0]]  # type: ignore[index]
        fail(missing, f"without a value in column(s) {', '.join(map(repr, empty))} (year, "
             "exporter, importer, product and value are required)",
             " OR ".join(f"{c} IS NULL" for c in required),
             "concat_ws(',', " + ", ".join(f"coalesce(_s_{c}, '')" for c in required) + ")")
    if neg_v:
        fail(neg_v, f"with a negative value in column {field['value'].label!r}", "value < 0",
             "_s_value")
    if neg_q:
        fail(neg_q, f"with a negative quantity in column {field['quantity'].label!r}",
             "quantity < 0", "_s_quantity")
    if bad_hs:
        fail(bad_hs, f"with an HS code outside 0–999999 (not HS6) in column "
             f"{field['hs'].label!r}", "hs < 0 OR hs > 999999", "_s_hs")
    if rows == 0:
        raise TradeFileError(f"{label}: no trade flows{where}"
                             + (f" ({'; '.join(notes)})" if notes else ""))
    code_map = None
    if plan.numeric_codes:
        codes = [int(r[0]) for r in src.con.execute(
            "SELECT DISTINCT exporter FROM flows WHERE dropped IS NULL UNION "
            "SELECT DISTINCT importer FROM flows WHERE dropped IS NULL").fetchall()]
        mapping = numeric_to_iso3(baci_countries)
        unknown_codes = sorted(c for c in codes if c not in mapping)
        if unknown_codes:
            in_list = ", ".join(map(str, unknown_codes))
            cnt = src.con.execute(
                "SELECT count(*) FROM flows WHERE dropped IS NULL AND (exporter IN "
                f"({in_list}) OR importer IN ({in_list}))").fetchone()[0]  # type: ignore[index]
            msg = (f"{len(unknown_codes)} unknown numeric country code(s) "
                   f"{', '.join(map(str, unknown_codes[:20]))}"
                   + (" …" if len(unknown_codes) > 20 else "") + f" in {cnt:,} row(s)")
            if unknown != "drop":
                hint = ("give BACI's country_codes file (--countries) so they can be mapped "
                        "to ISO3, or drop those rows (--drop-unknown)")
                at = _locate(src, plan, years, f"exporter IN ({in_list}) OR importer IN "
                             f"({in_list})", "concat_ws(',', _s_exporter, _s_importer)", limit=1)
                raise TradeFileError(f"{label}: {msg} (columns "
                                     f"{field['exporter'].label!r}/{field['importer'].label!r}"
                                     + (f"; first at {at}" if at else "") + f"); {hint}")
            src.con.execute(
                "UPDATE flows SET dropped = 'unknown country code' WHERE dropped IS NULL AND "
                f"(exporter IN ({in_list}) OR importer IN ({in_list}))")
            notes.append(f"dropped {msg}")
            rows -= int(cnt)
            no_q = src.con.execute("SELECT count(*) FROM flows WHERE dropped IS NULL AND "
                                   "quantity IS NULL").fetchone()[0]  # type: ignore[index]
            if rows == 0:
                raise TradeFileError(f"{label}: no trade flows left after dropping {msg}")
        code_map = {c: mapping[c] for c in codes if c in mapping}
    else:
        bad_iso = src.con.execute(
            "SELECT DISTINCT x FROM (SELECT exporter AS x FROM flows WHERE dropped IS NULL "
            "UNION SELECT importer FROM flows WHERE dropped IS NULL) "
            "WHERE NOT regexp_full_match(x, '[A-Z]{3}') LIMIT 5").fetchall()
        if bad_iso:
            for f in (field["exporter"], field["importer"]):
                pred = f"NOT regexp_full_match({f.name}, '[A-Z]{{3}}')"
                cnt = int(src.con.execute(f"SELECT count(*) FROM flows WHERE dropped IS NULL "
                                          f"AND {pred}").fetchone()[0])  # type: ignore[index]
                if cnt:
                    fail(cnt, f"with an {f.name} that is not an ISO3 code in column "
                         f"{f.label!r}", pred, f"_s_{f.name}")
    yrs = tuple(int(r[0]) for r in src.con.execute(
        "SELECT DISTINCT year FROM flows WHERE dropped IS NULL ORDER BY 1").fetchall())
    if no_q:
        notes.append(f"{no_q:,} of {rows:,} flow(s) ({no_q / max(rows, 1):.1%}) have no "
                     "quantity")
    return _Staged(src, plan, rows, int(no_q), yrs, code_map, notes)


def _codes_for(staged: _Staged, iso3: Iterable[str]) -> str:
    """SQL list of the stored codes (numeric or ISO3) standing for the given ISO3 codes."""
    wanted = set(iso3)
    if staged.code_map is None:
        return "(" + ", ".join(_sql_str(c) for c in sorted(wanted)) + ")"
    nums = [str(k) for k, v in staged.code_map.items() if v in wanted]
    return "(" + (", ".join(nums) if nums else "NULL") + ")"


def _hs_text(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values, sort=False)
    text = np.array([f"{int(u):06d}" for u in uniques], dtype=object)
    return pd.Series(text[codes], index=values.index, dtype=object)


def _iso_text(staged: _Staged, values: pd.Series) -> pd.Series:
    if staged.code_map is None:
        return values.astype(object)
    codes, uniques = pd.factorize(values, sort=False)
    text = np.array([staged.code_map[int(u)] for u in uniques], dtype=object)
    return pd.Series(text[codes], index=values.index, dtype=object)


def _query(staged: _Staged, sql: str, code_cols: Iterable[str] = ()) -> pd.DataFrame:
    df = staged.src.con.execute(sql).df()
    if "hs" in df.columns:
        df["hs"] = _hs_text(df["hs"])
        df = df.rename(columns={"hs": "hs6"})
    regroup = False
    for col in code_cols:
        df[col] = _iso_text(staged, df[col])
        regroup = regroup or staged.code_map is not None
    df["year"] = df["year"].astype(np.int64)
    if regroup and staged.code_map is not None and \
            len(set(staged.code_map.values())) < len(staged.code_map):
        keys = [c for c in df.columns if c in ("year", "exporter", "importer", "hs6")]
        df = df.groupby(keys, sort=False, as_index=False).sum(min_count=1)
    for col in ("value_usd", "quantity_t", "value_q_usd"):
        if col in df.columns:
            df[col] = df[col].astype(np.float64)
    return df


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def read_trade(
    path: str | Path,
    *,
    format: TradeFormat = "auto",
    years: tuple[int, int] | int | None = None,
    countries: pd.DataFrame | None = None,
    flow: str = "X",
    unknown: Literal["raise", "drop"] = "raise",
    memory_limit: str | None = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """Read a BACI, Comtrade or flows file into the workspace layout (one row per
    (year, exporter, importer, hs6); duplicated keys summed, ``quantity_t`` empty when any
    part is unknown). For files that fit in memory; large files: :func:`summarise_trade_file`.

    Parameters
    ----------
    path : str or Path
        CSV (.csv, .csv.gz), Parquet or XLSX file, or a glob pattern.
    format : {"auto", "baci", "comtrade", "flows"}
        Layout (default: from the columns).
    years : (int, int) or int, optional
        Inclusive year window.
    countries : DataFrame, optional
        BACI's country codes (:func:`khooshe.io.countries.read_baci_countries`) for numeric
        codes.
    flow : {"X", "M"}
        Comtrade: reported exports or reported imports (mirrored).
    unknown : {"raise", "drop"}
        Numeric country codes that cannot be mapped: error (default) or drop the rows.

    Raises
    ------
    TradeFileError, FileNotFoundError
    """
    with _Source(path, memory_limit=memory_limit, threads=threads) as src:
        st = _stage(src, format, years=year_window(years), flow=flow, baci_countries=countries,
                    unknown=unknown)
        df = _query(st, "SELECT year, exporter, importer, hs, sum(value) AS value_usd, "
                        "CASE WHEN count(quantity) = count(*) THEN sum(quantity) END "
                        "AS quantity_t FROM flows WHERE dropped IS NULL GROUP BY ALL "
                        "ORDER BY year, exporter, importer, hs",
                    code_cols=("exporter", "importer"))
    return df[list(FLOW_COLUMNS)].sort_values(["year", "exporter", "importer", "hs6"],
                                             ignore_index=True)


def read_baci(path: str | Path, **kwargs: object) -> pd.DataFrame:
    """:func:`read_trade` for a BACI file."""
    return read_trade(path, format="baci", **kwargs)  # type: ignore[arg-type]


def read_comtrade(path: str | Path, **kwargs: object) -> pd.DataFrame:
    """:func:`read_trade` for a Comtrade CSV."""
    return read_trade(path, format="comtrade", **kwargs)  # type: ignore[arg-type]


def summarise_trade_file(
    path: str | Path,
    *,
    exporter: str,
    markets: Iterable[str],
    years: tuple[int, int] | int | None = None,
    format: TradeFormat = "auto",
    countries: pd.DataFrame | None = None,
    flow: str = "X",
    unknown: Literal["raise", "drop"] = "raise",
    memory_limit: str | None = "3GB",
    threads: int | None = None,
) -> TradeSummary:
    """Aggregate a trade file in DuckDB into a :class:`~khooshe.domain.trade.TradeSummary`
    (the input of :func:`khooshe.analysis.markets.export_potential`): pandas only receives
    the aggregates (world matrix by exporter × product, world by product, the markets' imports
    by product and by origin, the exporter's exports by destination), never the rows.

    Parameters as in :func:`read_trade`; ``exporter`` and ``markets`` are ISO3 codes.
    ``memory_limit`` caps DuckDB's memory (it spills to disk beyond).

    Raises
    ------
    TradeFileError, FileNotFoundError, ValueError
        Malformed file, unknown codes, an exporter without exports or a market without imports.
    """
    exp, mk = check_targets(exporter, markets)
    with _Source(path, memory_limit=memory_limit, threads=threads) as src:
        st = _stage(src, format, years=year_window(years), flow=flow, baci_countries=countries,
                    unknown=unknown)
        ok = "dropped IS NULL"
        in_mk = f"importer IN {_codes_for(st, mk)}"
        is_exp = f"exporter IN {_codes_for(st, [exp])}"
        qsum = ("sum(value) AS value_usd, coalesce(sum(quantity), 0) AS quantity_t, "
                "coalesce(sum(value) FILTER (WHERE quantity IS NOT NULL), 0) AS value_q_usd")
        exports = _query(st, f"SELECT year, exporter, hs, sum(value) AS value_usd FROM flows "
                             f"WHERE {ok} GROUP BY ALL", code_cols=("exporter",))
        world = _query(st, f"SELECT year, hs, {qsum} FROM flows WHERE {ok} GROUP BY ALL")
        imports = _query(st, f"SELECT year, importer, hs, {qsum} FROM flows "
                             f"WHERE {ok} AND {in_mk} GROUP BY ALL", code_cols=("importer",))
        exporter_flows = _query(st, f"SELECT year, importer, hs, {qsum} FROM flows "
                                    f"WHERE {ok} AND {is_exp} GROUP BY ALL",
                                code_cols=("importer",))
        suppliers = _query(st, f"SELECT year, importer, exporter, hs, sum(value) AS value_usd "
                               f"FROM flows WHERE {ok} AND {in_mk} GROUP BY ALL",
                           code_cols=("importer", "exporter"))

    def tidy(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return df.sort_values(keys, ignore_index=True)

    summary = TradeSummary(
        exporter=exp, markets=mk, years=st.years,
        exports=tidy(exports, ["year", "exporter", "hs6"]),
        world=tidy(world, ["year", "hs6"]),
        imports=tidy(imports, ["year", "importer", "hs6"]),
        exporter_flows=tidy(exporter_flows, ["year", "importer", "hs6"]),
        suppliers=tidy(suppliers, ["year", "importer", "exporter", "hs6"]),
        rows=st.rows, rows_missing_quantity=st.rows_missing_quantity, notes=tuple(st.notes),
    )
    check_summary(summary)
    return summary


# --------------------------------------------------------------------------------------------
# Side tables: distances, tariffs, concordance
# --------------------------------------------------------------------------------------------
def _rename(df: pd.DataFrame, path: object, wanted: dict[str, tuple[str, ...]],
            optional: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    cols = {_norm(str(c)): c for c in df.columns}
    out = {}
    missing = []
    for key, names in wanted.items():
        col = next((cols[n] for n in names if n in cols), None)
        if col is None:
            missing.append(f"{key} ({' or '.join(names)})")
        else:
            out[key] = df[col]
    if missing:
        raise TradeFileError(f"{path}: no column for {', '.join(missing)}; columns: "
                             f"{', '.join(map(str, df.columns))}")
    for key, names in (optional or {}).items():
        col = next((cols[n] for n in names if n in cols), None)
        if col is not None:
            out[key] = df[col]
    return pd.DataFrame(out)


def read_distances(path: str | Path) -> pd.DataFrame:
    """A bilateral distance table as ``origin, destination, distance_km``.

    Accepts CEPII GeoDist (``iso_o, iso_d, dist, distw, …``; the population-weighted
    ``distw`` is preferred, then ``dist``) or any table with origin/destination ISO3 columns
    and a distance in km (``distance_km``, ``distance``, ``km``).
    """
    from khooshe.io.tables import read_table

    df = read_table(path, as_text=True)
    out = _rename(df, path, {
        "origin": ("origin", "isoo", "iso3o", "exporter", "from"),
        "destination": ("destination", "isod", "iso3d", "importer", "to"),
        "distance_km": ("distancekm", "distw", "distwces", "dist", "distance", "km"),
    })
    for col in ("origin", "destination"):
        out[col] = out[col].astype("string").str.strip().str.upper().astype(object)
        bad = ~out[col].str.fullmatch(r"[A-Z]{3}").fillna(False)
        if bad.any():
            raise TradeFileError(f"{path}: {col} must be ISO3 codes "
                                 f"(e.g. {out.loc[bad, col].head(3).tolist()})")
    d = pd.to_numeric(out["distance_km"], errors="coerce")
    if d.isna().any() or (d < 0).any():
        raise TradeFileError(f"{path}: distances must be non-negative numbers (km)")
    out["distance_km"] = d.astype(np.float64)
    return out


def read_tariffs(path: str | Path, exporter: str | None = None) -> pd.DataFrame:
    """A tariff table as ``market, hs, tariff`` (+ ``reference_tariff``, ``exporter``):
    ad valorem percent applied by ``market`` to the exporter's products (HS 2, 4 or 6
    digits; the most specific row applies). Aliases: importer/reporter, hs6/product/code,
    rate/applied/ad_valorem, mfn/reference. With ``exporter`` the table is checked
    (:func:`khooshe.domain.trade.check_tariffs`) and other exporters' rows dropped."""
    from khooshe.io.tables import read_table

    df = read_table(path, as_text=True)
    out = _rename(df, path, {
        "market": ("market", "importer", "reporter", "reporteriso", "iso3"),
        "hs": ("hs", "hs6", "product", "code", "hscode"),
        "tariff": ("tariff", "rate", "applied", "appliedtariff", "advalorem", "tariffpct"),
    }, {
        "reference_tariff": ("referencetariff", "reference", "mfn", "mfntariff"),
        "exporter": ("exporter", "partner", "partneriso"),
    })
    if exporter is not None:
        try:
            return check_tariffs(out, exporter)
        except ValueError as exc:
            raise TradeFileError(f"{path}: {exc}") from exc
    return out


def read_concordance(path: str | Path) -> pd.DataFrame:
    """An HS6 → ISIC Rev.4 concordance as ``hs6, isic`` (+ ``weight``), checked (codes
    zero-padded). Aliases: hs/product/hs_code; isic4/activity/isic_rev4; share."""
    from khooshe.io.tables import read_table

    df = read_table(path, as_text=True)
    out = _rename(df, path, {
        "hs6": ("hs6", "hs", "product", "hscode", "hs2017", "hs2012", "hs2022"),
        "isic": ("isic", "isic4", "isicrev4", "activity", "isiccode"),
    }, {"weight": ("weight", "share")})
    try:
        return check_concordance(out)
    except ValueError as exc:
        raise TradeFileError(f"{path}: {exc}") from exc
