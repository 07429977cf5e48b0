"""Aggregated trade (summarise_trade): the only data the analysis needs."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from khooshe.domain.trade import (
    TradeSummary,
    check_flows,
    check_summary,
    check_targets,
    year_window,
)


def _sum_with_quantity(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    q_known = df["quantity_t"].notna()
    tmp = pd.DataFrame({
        **{k: df[k] for k in keys},
        "value_usd": df["value_usd"],
        "quantity_t": df["quantity_t"].fillna(0.0),
        "value_q_usd": df["value_usd"].where(q_known, 0.0),
    })
    return tmp.groupby(keys, sort=True, observed=True).sum().reset_index()


def summarise_trade(
    flows: pd.DataFrame,
    *,
    exporter: str,
    markets: Iterable[str],
    years: tuple[int, int] | int | None = None,
) -> TradeSummary:
    """Aggregate a flow table (workspace layout) into a :class:`TradeSummary`.

    The pandas counterpart of :func:`khooshe.io.trade.summarise_trade_file` (which does the
    same in DuckDB for files too large for memory); both give equal tables.

    Raises
    ------
    ValueError
        Bad columns or values (see :func:`check_flows`), no flows in the year window, an
        exporter without exports or a market without imports.
    """
    exp, mk = check_targets(exporter, markets)
    window = year_window(years)
    df = check_flows(flows)
    if window is not None:
        df = df[(df["year"] >= window[0]) & (df["year"] <= window[1])]
    if df.empty:
        raise ValueError("no trade flows" + (f" in {window[0]}–{window[1]}" if window else ""))
    exports = (df.groupby(["year", "exporter", "hs6"], sort=True)["value_usd"].sum()
               .reset_index())
    world = _sum_with_quantity(df, ["year", "hs6"])
    in_mk = df["importer"].isin(mk)
    imports = _sum_with_quantity(df[in_mk], ["year", "importer", "hs6"])
    exporter_flows = _sum_with_quantity(df[df["exporter"] == exp], ["year", "importer", "hs6"])
    suppliers = (df[in_mk].groupby(["year", "importer", "exporter", "hs6"], sort=True)
                 ["value_usd"].sum().reset_index())
    summary = TradeSummary(
        exporter=exp, markets=mk, years=tuple(sorted(int(y) for y in df["year"].unique())),
        exports=exports, world=world, imports=imports, exporter_flows=exporter_flows,
        suppliers=suppliers, rows=len(df), rows_missing_quantity=int(df["quantity_t"].isna()
                                                                     .sum()),
    )
    check_summary(summary)
    return summary
