"""Staging: the file parsed once into a typed table, validated once; queries on it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from khooshe.domain.schema import entity
from khooshe.io.countries import numeric_to_iso3
from khooshe.io.trade._formats import FORMATS, TradeFileError, TradeFormat
from khooshe.io.trade._normalise import _csv_types, _Plan, _plan
from khooshe.io.trade._source import _ident, _Source, _sql_str, _unreadable, detect_format

#: The years a trade flow may have: those the workspace's ``trade_flows`` accepts.
_YEARS = (int(entity("trade_flows").column("year").min or 0),
          int(entity("trade_flows").column("year").max or 9999))


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
    max_rows: int | None = None,
) -> _Staged:
    """The file parsed into DuckDB's table ``flows`` and checked; more than ``max_rows``
    flows (after every other check) is an error."""
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
        first, last = _YEARS
        stats = src.con.execute(
            "SELECT count(*), "
            + ", ".join(f"count(*) FILTER (WHERE bad & {1 << k} > 0)" for k in range(n))
            + ", count(*) FILTER (WHERE bad = 0 AND (year IS NULL OR exporter IS NULL "
              "OR importer IS NULL OR hs IS NULL OR value IS NULL)), "
              "count(*) FILTER (WHERE value < 0), count(*) FILTER (WHERE quantity < 0), "
              "count(*) FILTER (WHERE hs < 0 OR hs > 999999), "
              "count(*) FILTER (WHERE quantity IS NULL), "
              f"count(*) FILTER (WHERE year < {first} OR year > {last}) "
              "FROM flows WHERE dropped IS NULL"
        ).fetchone()
        drops = src.con.execute(
            "SELECT dropped, count(*) FROM flows WHERE dropped IS NOT NULL GROUP BY dropped "
            "ORDER BY dropped").fetchall()
    except duckdb.Error as exc:
        raise _unreadable(src, label, fmt, exc) from exc
    assert stats is not None
    rows = int(stats[0])
    bad_counts = stats[1:1 + n]
    missing, neg_v, neg_q, bad_hs, no_q, bad_year = stats[1 + n:1 + n + 6]
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
    if bad_year:
        fail(bad_year, f"with a year outside {first}–{last} in column {field['year'].label!r}",
             f"year < {first} OR year > {last}", "_s_year")
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
    if max_rows is not None and rows > max_rows:
        raise TradeFileError(f"{label}: {rows:,} rows, more than the limit of {max_rows:,} "
                             "rows for one import")
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
        summed = df.groupby(keys, sort=False, as_index=False).sum(min_count=1)
        if "quantity_t" in df.columns:  # unknown when any part is unknown, as in DuckDB
            unknown = df["quantity_t"].isna().groupby([df[k] for k in keys], sort=False).any()
            summed.loc[unknown.to_numpy(), "quantity_t"] = np.nan
        df = summed
    for col in ("value_usd", "quantity_t", "value_q_usd"):
        if col in df.columns:
            df[col] = df[col].astype(np.float64)
    return df
