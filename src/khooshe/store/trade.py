"""Trade flows read for the market analysis without reading them all.

A BACI year in a workspace is ten million rows; the market analysis needs the world's flows
only summed over importers, and whole only those into the target markets or out of the
exporter (:func:`khooshe.analysis.markets.summary_from_parts`). The sums are kept in
``trade_totals`` (under a million rows a year) in the transaction of every change of
``trade_flows`` (:mod:`khooshe.store.repository` calls :func:`refresh_totals` for a few
flows, :class:`LoadTotals` for an import or a restore), so a year is read back without
summing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
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

    def within(table: Any) -> list[Any]:
        return [] if years is None else [table.c.year.between(int(years[0]), int(years[1]))]

    flow = (f.c.year, f.c.exporter, f.c.importer, f.c.hs6, f.c.value_usd, f.c.quantity_t)
    sums = select(t.c.year, t.c.exporter, t.c.hs6, *[t.c[c] for c in _SUMS]) \
        .where(*within(t)).order_by(t.c.year, t.c.exporter, t.c.hs6)
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:
        stored = [y for y in _years(conn) if years is None or years[0] <= y <= years[1]]
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
    #: Bits of the packed key (year, exporter, hs6): the two codes numbered as met.
    _HS6_BITS, _EXPORTER_BITS = 26, 24

    def __init__(self, conn: Connection):
        self._held = set(_years(conn))
        self._ids: dict[str, dict[str, int]] = {"exporter": {}, "hs6": {}}
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []  # packed keys, their sums
        self._pairs: list[pd.DataFrame] = []

    def _numbered(self, codes: pd.Series) -> np.ndarray:
        """The codes of a column as numbers kept across batches (hashing a batch's few
        distinct codes, not a string per flow)."""
        ids = self._ids[str(codes.name)]
        local, uniques = pd.factorize(codes)
        known = np.array([ids.setdefault(u, len(ids)) for u in uniques], dtype=np.int64)
        return known[local]

    def add(self, batch: pd.DataFrame) -> None:
        """Note a batch of flows (``trade_flows`` columns) just written."""
        year = batch["year"].to_numpy(dtype=np.int64)
        new = ~np.isin(year, list(self._held))
        if not new.all():
            self._pairs.append(batch.loc[~new, ["year", "exporter"]].drop_duplicates())
        if not new.any():
            return
        part = batch[new]
        key = (((year[new] << self._EXPORTER_BITS) | self._numbered(part["exporter"]))
               << self._HS6_BITS) | self._numbered(part["hs6"])
        value = part["value_usd"].to_numpy(dtype=np.float64)
        quantity = part["quantity_t"].to_numpy(dtype=np.float64, na_value=np.nan)
        known = ~np.isnan(quantity)
        self._parts.append(_summed_by(key, np.column_stack([
            value, np.where(known, quantity, 0.0), np.where(known, value, 0.0),
            np.ones(len(value)), known.astype(np.float64)])))

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
        if not self._parts:
            return pd.DataFrame(columns=columns)
        # A (year, exporter, hs6) cut by a batch boundary has a part in each batch.
        key, sums = _summed_by(np.concatenate([k for k, _ in self._parts]),
                               np.concatenate([v for _, v in self._parts]))
        hs6_id = key & ((1 << self._HS6_BITS) - 1)
        exporter_id = (key >> self._HS6_BITS) & ((1 << self._EXPORTER_BITS) - 1)
        year = key >> (self._HS6_BITS + self._EXPORTER_BITS)
        exporters = np.array(list(self._ids["exporter"]), dtype=object)
        hs6s = np.array(list(self._ids["hs6"]), dtype=object)
        # in the table's key order: the codes' ids are in order of appearance, not of text
        order = np.lexsort((_text_rank(hs6s)[hs6_id], _text_rank(exporters)[exporter_id],
                            year))
        out = pd.DataFrame({"year": year[order], "exporter": exporters[exporter_id[order]],
                            "hs6": hs6s[hs6_id[order]]})
        for i, name in enumerate(_SUMS):
            column = sums[order, i]
            out[name] = column.astype(np.int64) if name in ("flows", "with_quantity") \
                else column
        return out[columns]


def _summed_by(key: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``values`` (2-D) summed by ``key``: the distinct keys, sorted, and their
    sums (each in the rows' order, so the same rows always give the same bits)."""
    keys, group = np.unique(key, return_inverse=True)
    sums = np.column_stack([np.bincount(group, weights=values[:, i], minlength=len(keys))
                            for i in range(values.shape[1])])
    return keys, sums


def _text_rank(codes: np.ndarray) -> np.ndarray:
    """Each code's rank in text order."""
    rank = np.empty(len(codes), dtype=np.int64)
    rank[np.argsort(codes.astype(str), kind="stable")] = np.arange(len(codes))
    return rank


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
