"""Staging: the file parsed once into a typed table, validated once; queries on it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from khooshe.domain.schema import entity
from khooshe.io.countries import numeric_to_iso3
from khooshe.io.tables._duckdb import ident as _ident
from khooshe.io.tables._duckdb import sql_text as _sql_str
from khooshe.io.trade._formats import FORMATS, TradeFileError, TradeFormat
from khooshe.io.trade._normalise import _csv_types, _Plan, _plan
from khooshe.io.trade._source import _Source, _unreadable, detect_format
from khooshe.text.messages import Bilingual, Message, joined

#: The fields whose name a refusal of their values gives in words (trade.rows.field.*).
_FIELDS = ("hs", "value", "quantity", "year", "exporter", "importer")

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
    notes: list[Message]


def _inner(plan: _Plan, relation: str = "src", extra: str = "") -> str:
    cols = [f"{f.expr} AS {f.name}" for f in plan.fields]
    cols += [f"{f.raw} AS {f.alias}" for f in plan.fields if f.raw is not None]
    return (f"SELECT {', '.join(cols)}, {plan.drop} AS dropped{extra} "
            f"FROM {relation} AS src")


def _locate(src: _Source, plan: _Plan, years: tuple[int, int] | None, predicate: str,
            show: str, limit: int = 3) -> Bilingual | None:
    """Where the first rows matching ``predicate`` (SQL over the canonical columns, the raw
    ``_r_*`` aliases, the source text ``_s_<name>`` and ``dropped``) are: ``"line 7 ('seven');
    line 12 ('x')"`` (and in Persian), with the file name when there are several files.
    ``show`` is the SQL of the value to quote. None when the rows cannot be located (e.g. a
    column missing from one of several files)."""
    import duckdb

    window = "" if years is None else \
        f" AND (year IS NULL OR year BETWEEN {int(years[0])} AND {int(years[1])})"
    found: list[Message] = []
    raw = "".join(f", CAST({_ident(f.label)} AS VARCHAR) AS _s_{f.name}" for f in plan.fields
                  if f.label and f.label in src.types)
    for name, rel in src.numbered():
        sql = (f"SELECT _line, {show} FROM ({_inner(plan, rel, ', _line' + raw)}) "
               f"WHERE dropped IS NULL{window} AND ({predicate}) "
               f"ORDER BY _line LIMIT {limit - len(found)}")
        try:
            hits = src.con.execute(sql).fetchall()
        except duckdb.Error:
            return None
        key = "trade.rows.at." + ("line" if src.row_word == "line" else "row") + \
            ("_in" if len(src.files) > 1 else "")
        found += [Message(key, {"file": name, "line": int(line), "value": repr(value)})
                  for line, value in hits]
        if len(found) >= limit:
            break
    return joined(found, "; ", "؛ ") if found else None


def _in_brackets(notes: list[Message]) -> Bilingual:
    """`` (a; b)`` in both languages, or nothing when there are no notes."""
    if not notes:
        return Bilingual("", "")
    both = joined(notes, "; ", "؛ ")
    return Bilingual(fa=f" ({both.fa})", en=f" ({both.en})")


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
            raise TradeFileError(Message("trade.layout.in_file", {
                "label": src.label, "error": exc.localized or str(exc)})) from None
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
    where = Bilingual("", "") if years is None else \
        Message("trade.flows.in_years", {"first": years[0], "last": years[1]})
    notes: list[Message] = [Message("trade.note.dropped", {
        "rows": int(cnt), "why": Message(f"trade.drop.{why}")}) for why, cnt in drops]
    field = {f.name: f for f in plan.fields}

    def fail(count: int, what: Message, predicate: str, show: str) -> None:
        at = _locate(src, plan, years, predicate, show)
        values = {"label": label, "count": count, "what": what}
        raise TradeFileError(Message("trade.rows.bad_at", {**values, "at": at}) if at else
                             Message("trade.rows.bad", values))

    def column(name: str) -> str:
        return repr(field[name].label)

    for f, cnt in zip(plan.fields, bad_counts, strict=True):
        if cnt:
            shown = Message(f"trade.rows.field.{f.name}") if f.name in _FIELDS else f.name
            fail(cnt, Message("trade.rows.invalid", {"field": shown, "column": column(f.name)}),
                 f.bad() or "false", f.alias)
    if missing:
        required = ("year", "exporter", "importer", "hs", "value")
        empty = [f"{field[c].label or c}" for c in required if src.con.execute(
            f"SELECT count(*) FROM flows WHERE dropped IS NULL AND bad = 0 AND {c} IS NULL"
        ).fetchone()[0]]  # type: ignore[index]
        fail(missing, Message("trade.rows.missing", {"columns": ", ".join(map(repr, empty))}),
             " OR ".join(f"{c} IS NULL" for c in required),
             "concat_ws(',', " + ", ".join(f"coalesce(_s_{c}, '')" for c in required) + ")")
    if neg_v:
        fail(neg_v, Message("trade.rows.negative_value", {"column": column("value")}),
             "value < 0", "_s_value")
    if neg_q:
        fail(neg_q, Message("trade.rows.negative_quantity", {"column": column("quantity")}),
             "quantity < 0", "_s_quantity")
    if bad_hs:
        fail(bad_hs, Message("trade.rows.hs_range", {"column": column("hs")}),
             "hs < 0 OR hs > 999999", "_s_hs")
    if bad_year:
        fail(bad_year, Message("trade.rows.year_range", {"first": first, "last": last,
                                                         "column": column("year")}),
             f"year < {first} OR year > {last}", "_s_year")
    if rows == 0:
        raise TradeFileError(Message("trade.flows.none", {
            "label": label, "where": where,
            "notes": _in_brackets(notes)}))
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
            msg = Message("trade.flows.unknown_codes", {
                "n": len(unknown_codes), "rows": int(cnt),
                "codes": ", ".join(map(str, unknown_codes[:20]))
                + (" …" if len(unknown_codes) > 20 else "")})
            if unknown != "drop":
                at = _locate(src, plan, years, f"exporter IN ({in_list}) OR importer IN "
                             f"({in_list})", "concat_ws(',', _s_exporter, _s_importer)", limit=1)
                raise TradeFileError(Message("trade.flows.unknown_refused", {
                    "label": label, "unknown": msg, "exporter": column("exporter"),
                    "importer": column("importer"),
                    "at": Message("trade.flows.first_at", {"at": at}) if at else ""}))
            src.con.execute(
                "UPDATE flows SET dropped = 'unknown_code' WHERE dropped IS NULL AND "
                f"(exporter IN ({in_list}) OR importer IN ({in_list}))")
            notes.append(Message("trade.note.dropped_unknown", {"unknown": msg}))
            rows -= int(cnt)
            no_q = src.con.execute("SELECT count(*) FROM flows WHERE dropped IS NULL AND "
                                   "quantity IS NULL").fetchone()[0]  # type: ignore[index]
            if rows == 0:
                raise TradeFileError(Message("trade.flows.none_left", {"label": label,
                                                                       "unknown": msg}))
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
                    fail(cnt, Message("trade.rows.not_iso3", {
                        "side": Message(f"trade.rows.side.{f.name}"), "column": column(f.name)}),
                        pred, f"_s_{f.name}")
    yrs = tuple(int(r[0]) for r in src.con.execute(
        "SELECT DISTINCT year FROM flows WHERE dropped IS NULL ORDER BY 1").fetchall())
    if no_q:
        notes.append(Message("trade.note.no_quantity", {
            "missing": int(no_q), "rows": rows, "share": no_q / max(rows, 1)}))
    if max_rows is not None and rows > max_rows:
        raise TradeFileError(Message("trade.flows.too_many", {"label": label, "rows": rows,
                                                              "limit": max_rows}))
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
