"""Normalisation SQL: each layout's columns mapped to the trade_flows layout, row by row."""

from __future__ import annotations

from dataclasses import dataclass

from khooshe.io.tables._duckdb import ident as _ident
from khooshe.io.tables._duckdb import sql_text as _sql_str
from khooshe.io.trade._formats import TradeFileError, either
from khooshe.io.trade._source import _Source
from khooshe.text.messages import Message, joined

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
            missing.append(either(key, names))
        else:
            found[key] = col
    if missing:
        raise TradeFileError(Message("trade.layout.no_column", {
            "label": src.label, "layout": fmt, "missing": joined(missing, ", ", "، "),
            "columns": ", ".join(src.types)}))
    return found


@dataclass
class _Plan:
    fmt: str
    fields: list[_Field]
    numeric_codes: bool  # exporter/importer are numeric codes to map
    drop: str  # SQL CASE over src giving why a row is dropped (trade.drop.<why>; NULL: kept)


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
        raise TradeFileError(Message("trade.layout.comtrade_no_year", {
            "label": src.label, "columns": ", ".join(src.types)}))
    rep = src.col("reporteriso", "reporteriso3")
    par = src.col("partneriso", "partneriso3")
    rep_num = src.col("reportercode")
    par_num = src.col("partnercode")
    iso_mode = rep is not None and par is not None
    if not iso_mode and (rep_num is None or par_num is None):
        raise TradeFileError(Message("trade.layout.comtrade_no_partners", {"label": src.label}))
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
        reasons.append((f"{fc} NOT IN {wanted}", "other_flow"))
    reasons.append((f"NOT regexp_full_match(coalesce({cmd}, ''), '\\d{{6}}')",
                    "aggregate_product"))
    if iso_mode:
        for f in (exp_f, imp_f):
            reasons.append((f"NOT regexp_full_match(coalesce({f.expr}, ''), '[A-Z]{{3}}') "
                            f"OR {f.expr} IN ('WLD', 'W00')", "aggregate_partner"))
    else:
        for f in (exp_f, imp_f):
            reasons.append((f"coalesce({f.expr}, 0) = 0", "world_partner"))
    for names, total in ((("partner2code",), "('0', '')"), (("customscode",), "('C00', '')"),
                         (("motcode",), "('0', '')")):
        col = src.col(*names)
        if col is not None:
            v = f"coalesce(trim(CAST({_ident(col)} AS VARCHAR)), '')"
            reasons.append((f"{v} NOT IN {total}", "breakdown"))
    drop = "CASE " + " ".join(f"WHEN {cond} THEN {_sql_str(why)}" for cond, why in reasons) \
        + " ELSE NULL END"
    return _Plan("comtrade", fields, not iso_mode, drop)
