"""The contract of trade data: what a flow table holds, the aggregates the markets analysis
reads, and the checks of the side tables (tariffs, HS → ISIC concordance).

Readers of trade files (:mod:`khooshe.io.trade`: BACI, Comtrade, flow files, through DuckDB)
and the pandas path (:func:`khooshe.analysis.markets.summarise_trade`) both produce a
:class:`TradeSummary`; the analysis only reads that. Codes are ISO3 strings and 6-digit HS
strings; values are USD as given by the source, quantities tonnes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from khooshe.domain.errors import InputError
from khooshe.text.messages import Message

#: Columns of a flow table in the workspace layout (``quantity_t`` optional).
FLOW_COLUMNS = ("year", "exporter", "importer", "hs6", "value_usd", "quantity_t")
#: The exporter of a province plan: Iran.
DEFAULT_EXPORTER = "IRN"
#: Target markets by default (seeds R4, R5, R10, R17): Iraq, Kuwait, the Persian Gulf states
#: and the Republic of Azerbaijan.
DEFAULT_MARKETS: tuple[str, ...] = ("IRQ", "KWT", "ARE", "QAT", "OMN", "BHR", "SAU", "AZE")


@dataclass(frozen=True)
class TradeSummary:
    """Aggregates of a trade-flow table for one exporter and its target markets.

    Every table has ``value_usd`` in USD; quantities are tonnes, ``value_q_usd`` is the value
    of the flows whose quantity is known (so the missing share can be reported and imputed).
    Codes are ISO3 strings and 6-character HS codes.

    Attributes
    ----------
    exporter, markets, years
        The exporter, the target markets and the years present (sorted).
    exports : DataFrame
        ``year, exporter, hs6, value_usd`` for **every** exporter (the world matrix: RCA,
        world market shares, product-space density).
    world : DataFrame
        ``year, hs6, value_usd, quantity_t, value_q_usd``: world trade by product.
    imports : DataFrame
        ``year, importer, hs6, value_usd, quantity_t, value_q_usd`` for the markets.
    exporter_flows : DataFrame
        ``year, importer, hs6, value_usd, quantity_t, value_q_usd``: the exporter's exports to
        every destination.
    suppliers : DataFrame
        ``year, importer, exporter, hs6, value_usd``: the markets' imports by origin.
    rows, rows_missing_quantity : int
        Flow rows summarised and those without a quantity.
    notes : tuple of Message or str
        What the reader dropped or assumed.
    """

    exporter: str
    markets: tuple[str, ...]
    years: tuple[int, ...]
    exports: pd.DataFrame
    world: pd.DataFrame
    imports: pd.DataFrame
    exporter_flows: pd.DataFrame
    suppliers: pd.DataFrame
    rows: int = 0
    rows_missing_quantity: int = 0
    notes: tuple[Message | str, ...] = field(default_factory=tuple)


def check_iso3(code: str, what: str) -> str:
    """``code`` upper-cased if it is an ISO 3166-1 alpha-3 code, else ``InputError``."""
    code = str(code).strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise InputError(f"{what} must be an ISO 3166-1 alpha-3 code (e.g. IRN), not {code!r}")
    return code


def check_targets(exporter: str, markets: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """Validate the exporter and the markets (ISO3, distinct, the exporter not a market)."""
    exp = check_iso3(exporter, "exporter")
    mk = tuple(dict.fromkeys(check_iso3(m, "market") for m in markets))
    if not mk:
        raise InputError("give at least one target market")
    if exp in mk:
        raise InputError(f"the exporter {exp} cannot also be a target market")
    return exp, mk


def year_window(years: tuple[int, int] | int | None) -> tuple[int, int] | None:
    """``(first, last)`` of a year or an inclusive range; ``None`` for all years."""
    if years is None:
        return None
    if isinstance(years, int | np.integer):
        return int(years), int(years)
    lo, hi = (int(y) for y in years)
    if lo > hi:
        raise InputError(f"year range {lo}-{hi} is empty (first year after last)")
    return lo, hi


def check_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """Check and type a flow table in the workspace layout (``year, exporter, importer, hs6,
    value_usd`` and optionally ``quantity_t``): codes as text (HS zero-padded to 6), numbers
    as floats; raise ``ValueError`` naming the first problem of each kind."""
    missing = [c for c in FLOW_COLUMNS[:5] if c not in flows.columns]
    if missing:
        raise InputError(f"trade flows lack column(s) {', '.join(missing)} "
                         f"(expected {', '.join(FLOW_COLUMNS)})")
    out = pd.DataFrame(index=flows.index)
    year = pd.to_numeric(flows["year"], errors="coerce")
    if year.isna().any() or (year % 1 != 0).any():
        bad = flows.loc[year.isna() | (year % 1 != 0), "year"].head(3).tolist()
        raise InputError(f"trade flows: year must be a whole number (e.g. {bad})")
    out["year"] = year.astype(np.int64)
    for col in ("exporter", "importer"):
        s = flows[col].astype("string").str.strip().str.upper()
        bad = s.isna() | ~s.str.fullmatch(r"[A-Z]{3}").fillna(False)
        if bad.any():
            raise InputError(f"trade flows: {col} must be ISO3 codes "
                             f"(e.g. {flows.loc[bad, col].head(3).tolist()})")
        out[col] = s.astype(object)
    hs = flows["hs6"]
    if pd.api.types.is_numeric_dtype(hs):
        hs = hs.astype("Int64").astype("string")
    hs = hs.astype("string").str.strip().str.zfill(6)
    bad = hs.isna() | ~hs.str.fullmatch(r"\d{6}").fillna(False)
    if bad.any():
        raise InputError(f"trade flows: hs6 must be 6-digit HS codes "
                         f"(e.g. {flows.loc[bad, 'hs6'].head(3).tolist()})")
    out["hs6"] = hs.astype(object)
    for col, required in (("value_usd", True), ("quantity_t", False)):
        if col not in flows.columns:
            out[col] = np.nan
            continue
        v = pd.to_numeric(flows[col], errors="coerce")
        raw_missing = flows[col].isna() | (flows[col].astype("string").str.strip() == "")
        if (v.isna() & ~raw_missing).any():
            raise InputError(f"trade flows: {col} must be numbers (e.g. "
                             f"{flows.loc[v.isna() & ~raw_missing, col].head(3).tolist()})")
        if required and v.isna().any():
            raise InputError(f"trade flows: {int(v.isna().sum())} row(s) without {col}")
        if (v < 0).any():
            raise InputError(f"trade flows: {col} must not be negative "
                             f"(e.g. {v[v < 0].head(3).tolist()})")
        out[col] = v.astype(np.float64)
    return out.reset_index(drop=True)


def check_summary(summary: TradeSummary) -> None:
    """Raise ``ValueError`` when the exporter has no exports or a market has no imports."""
    when = (f"{summary.years[0]}–{summary.years[-1]}" if len(summary.years) > 1
            else str(summary.years[0]) if summary.years else "the data")
    if not (summary.exports["exporter"] == summary.exporter).any():
        raise InputError(f"exporter {summary.exporter} has no exports in {when} "
                         "(check the code and --years)")
    present = set(summary.imports["importer"].unique())
    absent = [m for m in summary.markets if m not in present]
    if absent:
        raise InputError(f"market(s) {', '.join(absent)} have no imports in {when} "
                         "(check the codes and --years)")

def check_tariffs(tariffs: pd.DataFrame, exporter: str) -> pd.DataFrame:
    """Check a tariff table: ``market, hs`` (2, 4 or 6 digits), ``tariff`` (ad valorem, %),
    optional ``reference_tariff`` (%, e.g. MFN) and ``exporter`` (rows for other exporters are
    ignored). Returns it typed, with the most specific code per (market, hs6) resolved later."""
    missing = [c for c in ("market", "hs", "tariff") if c not in tariffs.columns]
    if missing:
        raise InputError(f"tariffs lack column(s) {', '.join(missing)} (expected market, hs, "
                         "tariff [, reference_tariff, exporter])")
    t = tariffs.copy()
    if "exporter" in t.columns:
        exp = t["exporter"].astype("string").str.strip().str.upper()
        t = t[exp.isna() | (exp == "") | (exp == exporter)]
    t["market"] = t["market"].astype("string").str.strip().str.upper().astype(object)
    hs = t["hs"].astype("string").str.strip()
    ok = hs.str.fullmatch(r"\d{2}|\d{4}|\d{6}").fillna(False)
    if not ok.all():
        raise InputError(f"tariffs: hs must be an HS code of 2, 4 or 6 digits "
                         f"(e.g. {t.loc[~ok, 'hs'].head(3).tolist()})")
    t["hs"] = hs.astype(object)
    for col in ("tariff", "reference_tariff"):
        if col not in t.columns:
            t[col] = np.nan
            continue
        v = pd.to_numeric(t[col], errors="coerce")
        raw_missing = t[col].isna() | (t[col].astype("string").str.strip() == "")
        if (v.isna() & ~raw_missing).any() or (col == "tariff" and v.isna().any()):
            raise InputError(f"tariffs: {col} must be a number (percent ad valorem)")
        if ((v < 0) | (v > 1000)).any():
            raise InputError(f"tariffs: {col} must be between 0 and 1000 (percent)")
        t[col] = v.astype(np.float64)
    dup = t.duplicated(["market", "hs"])
    if dup.any():
        raise InputError(f"tariffs: duplicated (market, hs) rows, e.g. "
                         f"{t.loc[dup, ['market', 'hs']].head(3).values.tolist()}")
    return t[["market", "hs", "tariff", "reference_tariff"]].reset_index(drop=True)

def check_concordance(concordance: pd.DataFrame) -> pd.DataFrame:
    """An HS6 → ISIC Rev.4 table: columns ``hs6`` and ``isic`` (4 digits), optional ``weight``
    (share of the product made by that activity, default 1). Codes are zero-padded; a product
    may map to several activities."""
    missing = [c for c in ("hs6", "isic") if c not in concordance.columns]
    if missing:
        raise InputError(f"concordance lacks column(s) {', '.join(missing)} "
                         "(expected hs6, isic [, weight])")
    c = pd.DataFrame({
        "hs6": concordance["hs6"].astype("string").str.strip().str.zfill(6),
        "isic": concordance["isic"].astype("string").str.strip().str.zfill(4),
    })
    for col, digits in (("hs6", 6), ("isic", 4)):
        bad = ~c[col].str.fullmatch(rf"\d{{{digits}}}").fillna(False)
        if bad.any():
            raise InputError(f"concordance: {col} must be {digits} digits "
                             f"(e.g. {concordance.loc[bad, col].head(3).tolist()})")
    if "weight" in concordance.columns:
        wgt = pd.to_numeric(concordance["weight"], errors="coerce")
        if wgt.isna().any() or (wgt < 0).any():
            raise InputError("concordance: weight must be a non-negative number")
        c["weight"] = wgt.astype(np.float64)
    else:
        c["weight"] = 1.0
    c = c.astype({"hs6": object, "isic": object})
    return c.groupby(["hs6", "isic"], sort=True, as_index=False)["weight"].sum()


__all__ = [
    "DEFAULT_EXPORTER",
    "DEFAULT_MARKETS",
    "FLOW_COLUMNS",
    "TradeSummary",
    "check_concordance",
    "check_flows",
    "check_iso3",
    "check_summary",
    "check_tariffs",
    "check_targets",
    "year_window",
]
