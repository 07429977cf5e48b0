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
    near = df[df["importer"].isin(mk) | (df["exporter"] == exp)]
    return summary_from_parts(
        _sum_with_quantity(df, ["year", "exporter", "hs6"]), near, exporter=exp, markets=mk,
        rows=len(df), rows_missing_quantity=int(df["quantity_t"].isna().sum()))


def summary_from_parts(
    by_exporter: pd.DataFrame,
    near: pd.DataFrame,
    *,
    exporter: str,
    markets: Iterable[str],
    rows: int,
    rows_missing_quantity: int,
) -> TradeSummary:
    """A :class:`TradeSummary` from the two parts of a flow table it is made of.

    For tables read from a database: the world's flows need only be summed over importers
    (``by_exporter``), and only the flows into the markets or out of the exporter (``near``)
    are needed whole — a tenth of a BACI year, where the whole year is ten million rows.

    Parameters
    ----------
    by_exporter : DataFrame
        ``year, exporter, hs6, value_usd, quantity_t, value_q_usd``: every flow summed over
        importers (``quantity_t`` the sum of the known quantities, ``value_q_usd`` the value of
        the flows whose quantity is known).
    near : DataFrame
        The flows (workspace layout) whose importer is a market or whose exporter is
        ``exporter``.
    rows, rows_missing_quantity : int
        Flows summarised, and those without a quantity.

    Raises
    ------
    ValueError
        No flows, an exporter without exports or a market without imports.
    """
    exp, mk = check_targets(exporter, markets)
    if by_exporter.empty:
        raise ValueError("no trade flows")
    exports = by_exporter[["year", "exporter", "hs6", "value_usd"]].reset_index(drop=True)
    world = (by_exporter.groupby(["year", "hs6"], sort=True)
             [["value_usd", "quantity_t", "value_q_usd"]].sum().reset_index())
    in_mk = near["importer"].isin(mk)
    imports = _sum_with_quantity(near[in_mk], ["year", "importer", "hs6"])
    exporter_flows = _sum_with_quantity(near[near["exporter"] == exp],
                                        ["year", "importer", "hs6"])
    suppliers = (near[in_mk].groupby(["year", "importer", "exporter", "hs6"], sort=True)
                 ["value_usd"].sum().reset_index())
    summary = TradeSummary(
        exporter=exp, markets=mk,
        years=tuple(sorted(int(y) for y in by_exporter["year"].unique())),
        exports=exports, world=world, imports=imports, exporter_flows=exporter_flows,
        suppliers=suppliers, rows=int(rows), rows_missing_quantity=int(rows_missing_quantity),
    )
    check_summary(summary)
    return summary
