"""Trade flows read for the market analysis without reading them all.

A BACI year in a workspace is ten million rows; the market analysis needs the world's flows
only summed over importers, and whole only those into the target markets or out of the
exporter (:func:`khooshe.analysis.markets.summary_from_parts`). The sums are kept in
``trade_totals`` (under a million rows a year) by :func:`refresh_totals`, which every change
of ``trade_flows`` calls in its own transaction, so a year is read back without summing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, case, delete, func, insert, select, union_all

from khooshe.store.tables import TABLES, trade_totals

#: The columns of ``trade_totals`` after its key, as sums of the flows.
_SUMS = ("value_usd", "quantity_t", "value_q_usd", "flows", "with_quantity")


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
    f, t = TABLES["trade_flows"], trade_totals
    lo, hi = (-1, 10_000) if years is None else (int(years[0]), int(years[1]))

    def within(table: Any) -> list[Any]:
        return [] if years is None else [table.c.year.between(lo, hi)]

    flow = (f.c.year, f.c.exporter, f.c.importer, f.c.hs6, f.c.value_usd, f.c.quantity_t)
    sums = select(t.c.year, t.c.exporter, t.c.hs6, *[t.c[c] for c in _SUMS]) \
        .where(*within(t)).order_by(t.c.year, t.c.exporter, t.c.hs6)
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:
        stored = [y for y in _years(conn) if lo <= y <= hi]
        # Two searches of an index each instead of one scan of every flow (SQLite cannot
        # combine them for an OR): the flows into the markets by the importer index, those
        # out of the exporter elsewhere by the key (year, exporter, …), one range a year.
        near = union_all(
            select(*flow).where(*within(f), f.c.importer.in_(list(markets))),
            select(*flow).where(f.c.year.in_(stored), f.c.exporter == exporter,
                                f.c.importer.not_in(list(markets))))
        by_exporter, whole = _frame(conn, sums), _frame(conn, near)
    rows = int(by_exporter.pop("flows").sum())
    with_quantity = int(by_exporter.pop("with_quantity").sum())
    return TradeParts(by_exporter, whole, rows, rows - with_quantity)


def refresh_totals(conn: Connection, pairs: pd.DataFrame | Iterable[tuple[int, str]]) -> None:
    """Sum the stored flows of each (year, exporter) in ``pairs`` into ``trade_totals`` again:
    what the store calls, in the same transaction, after a change of a few flows (a load of
    many goes through :class:`LoadTotals`), so the sums never differ from the flows.

    Each pair is a range of the flows' key (year, exporter, importer, hs6), summed by the
    database without a row reaching Python: one edited flow costs milliseconds. ``pairs``
    may be a frame with ``year`` and ``exporter`` columns; repeated pairs count once.
    """
    f, t = TABLES["trade_flows"], trade_totals
    if isinstance(pairs, pd.DataFrame):
        unique = pairs[["year", "exporter"]].drop_duplicates()
        todo = list(zip(unique["year"].astype("int64").tolist(), unique["exporter"].tolist(),
                        strict=True))
    else:
        todo = list(dict.fromkeys((int(y), str(e)) for y, e in pairs))
    known = f.c.quantity_t.isnot(None)
    sums = [func.sum(f.c.value_usd), func.sum(func.coalesce(f.c.quantity_t, 0.0)),
            func.sum(case((known, f.c.value_usd), else_=0.0)), func.count(),
            func.count(f.c.quantity_t)]
    for year, exporter in sorted(todo):
        conn.execute(delete(t).where(t.c.year == year, t.c.exporter == exporter))
        conn.execute(insert(t).from_select(
            ["year", "exporter", "hs6", *_SUMS],
            select(f.c.year, f.c.exporter, f.c.hs6, *sums)
            .where(f.c.year == year, f.c.exporter == exporter)
            .group_by(f.c.year, f.c.exporter, f.c.hs6)))


class LoadTotals:
    """The sums ``trade_totals`` needs after a load of many flows (an import in batches, a
    restore).

    Create it before the first batch is written and :meth:`add` every batch written; then
    the store writes :meth:`new_sums` and refreshes :meth:`held_pairs`
    (:func:`khooshe.store.repository.finish_totals`). A year the workspace did not hold
    before the load holds only the load's flows, so its sums are the batches' sums, added up
    here: for a BACI year about 2 s, where the database would take 7–9 s to group ten million
    flows (SQLite sorts them; PostgreSQL's hash aggregate spills to disk and inserts the sums
    in hash order). The pairs of a year already held (a revised year) are summed again from
    the table by :func:`refresh_totals`.
    """

    _KEY = ["year", "exporter", "hs6"]

    def __init__(self, conn: Connection):
        self._held = set(_years(conn))
        self._sums: list[pd.DataFrame] = []
        self._pairs: list[pd.DataFrame] = []

    def add(self, batch: pd.DataFrame) -> None:
        """Note a batch of flows (``trade_flows`` columns) just written."""
        year = batch["year"].astype("int64")
        new = ~year.isin(self._held).to_numpy()
        if not new.all():
            self._pairs.append(batch.loc[~new, ["year", "exporter"]].drop_duplicates())
        if not new.any():
            return
        part = batch[new]
        quantity = part["quantity_t"].astype("float64")
        known = quantity.notna()
        value = part["value_usd"].astype("float64")
        self._sums.append(pd.DataFrame({
            "year": year[new], "exporter": part["exporter"], "hs6": part["hs6"],
            "value_usd": value, "quantity_t": quantity.fillna(0.0),
            "value_q_usd": value.where(known, 0.0), "flows": 1,
            "with_quantity": known.astype("int64"),
        }).groupby(self._KEY, sort=False).sum().reset_index())

    def held_pairs(self) -> pd.DataFrame:
        """The (year, exporter) pairs of years held before the load that the load touched."""
        if not self._pairs:
            return pd.DataFrame({"year": pd.Series(dtype="int64"),
                                 "exporter": pd.Series(dtype=object)})
        return pd.concat(self._pairs).drop_duplicates()

    def new_sums(self) -> pd.DataFrame:
        """The sums of the years new to the workspace, in key order (``trade_totals``'
        columns)."""
        columns = [*self._KEY, *_SUMS]
        if not self._sums:
            return pd.DataFrame(columns=columns)
        # A (year, exporter, hs6) cut by a batch boundary has a part in each batch.
        return pd.concat(self._sums).groupby(self._KEY, sort=True).sum() \
            .reset_index()[columns]


def has_trade(source: Engine | Any) -> bool:
    """Whether any trade flow is stored."""
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:
        return conn.execute(select(TABLES["trade_flows"].c.year).limit(1)).first() is not None


def stored_sums(source: Engine | Any) -> int:
    """How many (year, exporter, hs6) sums ``trade_totals`` holds."""
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(trade_totals)).scalar_one())


def trade_years(source: Engine | Any) -> list[int]:
    """The years of the stored trade flows, in order. Each is found with one step down the
    key's index (its first column is the year): a BACI year of ten million flows costs no
    more than a single flow."""
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:
        return _years(conn)


def _years(conn: Connection) -> list[int]:
    year = TABLES["trade_flows"].c.year
    years: list[int] = []
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
    # The driver's own tuples: SQLAlchemy's rows cost a second per million here, and none
    # of these columns (numbers and codes) has a result processor to apply.
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    return _typed(pd.DataFrame(rows, columns=list(result.keys())))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df["year"] = df["year"].astype("int64")
    for col in ("value_usd", "quantity_t", "value_q_usd"):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col]).astype("float64")
    return df


__all__ = ["LoadTotals", "TradeParts", "has_trade", "refresh_totals", "stored_sums",
           "trade_parts", "trade_years"]
