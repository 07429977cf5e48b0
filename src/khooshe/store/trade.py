"""Trade flows read for the market analysis without reading them all.

A BACI year in a workspace is ten million rows; the market analysis needs the world's flows
only summed over importers, and whole only those into the target markets or out of the
exporter (:func:`khooshe.analysis.markets.summary_from_parts`). The database does the sums,
so about a tenth of the rows reaches Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, bindparam, case, func, or_, select

from khooshe.store.tables import TABLES


@dataclass(frozen=True)
class TradeParts:
    """What :func:`trade_parts` reads (see
    :func:`khooshe.analysis.markets.summary_from_parts` for the tables)."""

    by_exporter: pd.DataFrame
    near: pd.DataFrame
    rows: int
    rows_missing_quantity: int


def trade_parts(source: Engine | Any, exporter: str, markets: Sequence[str],
                years: tuple[int, int] | None = None) -> TradeParts:
    """The stored trade flows (of the years in ``years``, inclusive) summed over importers,
    the flows into ``markets`` or out of ``exporter`` whole, and the counts of flows and of
    flows without a quantity. ``source`` is an engine or a workspace."""
    t = TABLES["trade_flows"]
    window = [] if years is None else [t.c.year.between(int(years[0]), int(years[1]))]
    near = select(t.c.year, t.c.exporter, t.c.importer, t.c.hs6, t.c.value_usd,
                  t.c.quantity_t).where(
        and_(*window, or_(t.c.importer.in_(list(markets)), t.c.exporter == exporter)))
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:
        sums, whole = _sums(conn, window), _frame(conn, near)
    rows, with_quantity = int(sums.pop("flows").sum()), int(sums.pop("with_quantity").sum())
    return TradeParts(sums, whole, rows, rows - with_quantity)


def _sums(conn: Connection, window: list[Any]) -> pd.DataFrame:
    """The flows summed over importers, by (year, exporter, hs6) in that order.

    PostgreSQL sums the table in one query. SQLite cannot group by (year, exporter, hs6)
    along the table's key (year, exporter, importer, hs6) and sorts every flow first (8 s for
    a BACI year); asked one (year, exporter) at a time — each a range of the key, its few
    thousand flows sorted by hs6 — it gives the same sums in half the time."""
    t = TABLES["trade_flows"]
    known = t.c.quantity_t.isnot(None)
    sums = (func.sum(t.c.value_usd).label("value_usd"),
            func.sum(func.coalesce(t.c.quantity_t, 0.0)).label("quantity_t"),
            func.sum(case((known, t.c.value_usd), else_=0.0)).label("value_q_usd"),
            func.count().label("flows"), func.count(t.c.quantity_t).label("with_quantity"))
    if conn.dialect.name != "sqlite":
        return _frame(conn, select(t.c.year, t.c.exporter, t.c.hs6, *sums).where(*window)
                      .group_by(t.c.year, t.c.exporter, t.c.hs6)
                      .order_by(t.c.year, t.c.exporter, t.c.hs6))
    pairs = conn.execute(select(t.c.year, t.c.exporter).where(*window).distinct()
                         .order_by(t.c.year, t.c.exporter)).all()
    one = select(t.c.hs6, *sums).where(t.c.year == bindparam("y"),
                                       t.c.exporter == bindparam("e")) \
        .group_by(t.c.hs6).order_by(t.c.hs6)
    rows = [(year, exporter, *row) for year, exporter in pairs
            for row in conn.execute(one, {"y": year, "e": exporter})]
    names = ["year", "exporter", "hs6", "value_usd", "quantity_t", "value_q_usd", "flows",
             "with_quantity"]
    return _typed(pd.DataFrame(rows, columns=names))


def has_trade(source: Engine | Any) -> bool:
    """Whether any trade flow is stored."""
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:
        return conn.execute(select(TABLES["trade_flows"].c.year).limit(1)).first() is not None


def trade_years(source: Engine | Any) -> list[int]:
    """The years of the stored trade flows, in order. Each is found with one step down the
    key's index (its first column is the year): a BACI year of ten million flows costs no
    more than a single flow."""
    engine = source if isinstance(source, Engine) else source.engine
    year = TABLES["trade_flows"].c.year
    years: list[int] = []
    with engine.connect() as conn:
        while True:
            after = select(func.min(year))
            if years:
                after = after.where(year > years[-1])
            found = conn.execute(after).scalar()
            if found is None:
                return years
            years.append(int(found))


def _frame(conn: Connection, query: Any) -> pd.DataFrame:
    result = conn.execute(query)
    return _typed(pd.DataFrame(result.all(), columns=list(result.keys())))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df["year"] = df["year"].astype("int64")
    for col in ("value_usd", "quantity_t", "value_q_usd"):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col]).astype("float64")
    return df


__all__ = ["TradeParts", "has_trade", "trade_parts", "trade_years"]
