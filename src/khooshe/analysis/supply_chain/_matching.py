"""Matching large buyers' outside purchases with local suppliers: a transportation problem.

Each *demand* is an input a buyer buys outside the province (ISIC class, value, the buyer's
location); each *supplier* is a local establishment of that class with a capacity. A link
``y_ds ≥ 0`` moves value of demand d to supplier s of the same class (within ``max_km``):

    Σ_s y_ds ≤ value_d        (no more than is bought outside)
    Σ_d y_ds ≤ capacity_s     (no more than the supplier can make)

The allocation is chosen lexicographically, each stage an LP solved by HiGHS and kept as a
constraint of the next (so every figure is a proven optimum, not a heuristic):

1. the most value localised;
2. of those allocations, the most value from small and medium suppliers (seed R10: large
   industries should buy from small ones);
3. of those, the least value-weighted distance.

Links only join a demand and a supplier of the same class, so the problem is solved class by
class (independent parts; their lexicographic optima side by side are the whole's): 2,000
demands against 50,000 establishments take seconds instead of half a minute.

Values are solved in millions of the money unit, for conditioning, and reported back in
whole units (rounded down, so no bound is ever exceeded).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analysis._highs import quiet_highs
from khooshe.domain.errors import InputError
from khooshe.domain.geo import haversine_km

DEMAND_COLUMNS = ("demand_id", "isic", "value", "lat", "lon")
SUPPLIER_COLUMNS = ("supplier_id", "isic", "capacity", "lat", "lon", "sme")
_SCALE = 1e6


@dataclass(frozen=True)
class Matching:
    """The allocation: one row per link with ``demand_id``, ``supplier_id``, ``value``,
    ``distance_km``; the value localised (``total``), from SMEs (``sme_total``), the distance
    objective, whether every stage was proven optimal, and the value left per demand."""

    links: pd.DataFrame
    total: float
    sme_total: float
    distance: float
    optimal: bool
    unmet: pd.Series


def _checked(df: pd.DataFrame, cols: tuple[str, ...], name: str) -> pd.DataFrame:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"{name} lack column(s) {', '.join(missing)}")
    out = df.reset_index(drop=True)
    amount = "value" if name == "demands" else "capacity"
    v = pd.to_numeric(out[amount], errors="coerce")
    if v.isna().any() or (v < 0).any() or not np.isfinite(v).all():
        raise InputError(f"{name}.{amount} must be a finite number ≥ 0 on every row")
    key = cols[0]
    if out[key].duplicated().any():
        raise InputError(f"{name}: {key} {out.loc[out[key].duplicated(), key].iloc[0]!r} "
                         "appears twice")
    return out


def candidate_links(demands: pd.DataFrame, suppliers: pd.DataFrame,
                    max_km: float | None = None) -> pd.DataFrame:
    """Every (demand, supplier) pair of the same ISIC class (within ``max_km`` when given):
    ``d`` and ``s`` row positions and ``distance_km`` (NaN without coordinates)."""
    d = demands.reset_index(drop=True).assign(d=lambda f: np.arange(len(f)))
    s = suppliers.reset_index(drop=True).assign(s=lambda f: np.arange(len(f)))
    pairs = d[["d", "isic", "lat", "lon"]].merge(s[["s", "isic", "lat", "lon"]], on="isic",
                                                 suffixes=("_d", "_s"))
    dist = haversine_km(pairs["lat_d"].to_numpy(float), pairs["lon_d"].to_numpy(float),
                        pairs["lat_s"].to_numpy(float), pairs["lon_s"].to_numpy(float))
    pairs = pairs.assign(distance_km=dist)[["d", "s", "distance_km"]]
    if max_km is not None:
        pairs = pairs[~(pairs["distance_km"] > max_km)]
    return pairs.reset_index(drop=True)


def _lp(n_cols: int, cost: np.ndarray, rows: sp.csr_matrix, upper: np.ndarray,
        maximize: bool) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = rows.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.full(n_cols, highspy.kHighsInf)
    lp.row_lower_ = np.full(rows.shape[0], -highspy.kHighsInf)
    lp.row_upper_ = np.asarray(upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = rows.indptr.astype(np.int32)
    lp.a_matrix_.index_ = rows.indices.astype(np.int32)
    lp.a_matrix_.value_ = rows.data.astype(float)
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    return lp


def _run(h: highspy.Highs) -> tuple[bool, float]:
    h.run()
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return optimal, float(h.getInfo().objective_function_value) if optimal else np.nan


def match_suppliers(demands: pd.DataFrame, suppliers: pd.DataFrame, *,
                    max_km: float | None = None, time_limit: float | None = None) -> Matching:
    """The lexicographically optimal allocation of demands to suppliers (module docstring).

    Parameters
    ----------
    demands : DataFrame
        :data:`DEMAND_COLUMNS`: ``demand_id``, ``isic``, ``value`` (money to localise), the
        buyer's ``lat``/``lon``.
    suppliers : DataFrame
        :data:`SUPPLIER_COLUMNS`: ``supplier_id``, ``isic``, ``capacity`` (money), ``lat``,
        ``lon`` and ``sme`` (True for small and medium firms).
    max_km : float, optional
        Links longer than this are not considered.

    Examples
    --------
    >>> d = pd.DataFrame({"demand_id": ["steel:2394"], "isic": ["2394"], "value": [10e9],
    ...                   "lat": [31.3], "lon": [48.7]})
    >>> s = pd.DataFrame({"supplier_id": ["E1", "E2"], "isic": ["2394", "2394"],
    ...                   "capacity": [4e9, 20e9], "lat": [31.3, 32.4], "lon": [48.7, 48.4],
    ...                   "sme": [True, False]})
    >>> m = match_suppliers(d, s)
    >>> m.total, m.sme_total, m.optimal
    (10000000000.0, 4000000000.0, True)
    """
    demands = _checked(demands, DEMAND_COLUMNS, "demands")
    suppliers = _checked(suppliers, SUPPLIER_COLUMNS, "suppliers")
    pairs = candidate_links(demands, suppliers, max_km)
    value = demands["value"].to_numpy(float) / _SCALE
    capacity = suppliers["capacity"].to_numpy(float) / _SCALE
    n = len(pairs)
    unmet = pd.Series(demands["value"].to_numpy(float), index=demands["demand_id"])
    empty = pd.DataFrame(columns=["demand_id", "supplier_id", "value", "distance_km"])
    if n == 0:
        return Matching(empty, 0.0, 0.0, 0.0, True, unmet)
    d_idx, s_idx = pairs["d"].to_numpy(), pairs["s"].to_numpy()
    sme = suppliers["sme"].astype(bool).to_numpy()[s_idx].astype(float)
    dist = np.nan_to_num(pairs["distance_km"].to_numpy(float), nan=0.0)
    # Links only join a demand and a supplier of the same class, so the problem splits into
    # one independent problem per class, and a lexicographic optimum of independent parts is
    # the parts' optima side by side: solving class by class gives the same allocation, fast.
    y = np.zeros(n)
    optimal, best_dist = True, 0.0
    block = demands["isic"].astype(str).to_numpy()[d_idx]
    order = np.argsort(block, kind="stable")
    bounds = np.flatnonzero(np.r_[True, block[order][1:] != block[order][:-1], True])
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        cols = order[lo:hi]
        sol, ok, part = _solve_block(d_idx[cols], s_idx[cols], value, capacity, sme[cols],
                                     dist[cols], time_limit)
        y[cols] = sol
        optimal &= ok
        best_dist += part
    y = np.clip(y, 0.0, None) * _SCALE
    # HiGHS meets bounds to its feasibility tolerance; trim the last rials so that no link
    # set ever exceeds a demand or a capacity
    for idx, limit in ((d_idx, demands["value"].to_numpy(float)),
                       (s_idx, suppliers["capacity"].to_numpy(float))):
        used = np.bincount(idx, weights=y, minlength=len(limit))
        factor = np.where(used > limit, limit / np.where(used > 0, used, 1.0), 1.0)
        y *= factor[idx]
    y = np.floor(y + 1e-6)
    keep = y > 1e-6 * max(1.0, float(np.max(y)) if len(y) else 1.0)
    links = pd.DataFrame({
        "demand_id": demands["demand_id"].to_numpy()[d_idx[keep]],
        "supplier_id": suppliers["supplier_id"].to_numpy()[s_idx[keep]],
        "value": y[keep], "distance_km": pairs["distance_km"].to_numpy()[keep],
    }).sort_values(["demand_id", "value"], ascending=[True, False]).reset_index(drop=True)
    placed = links.groupby("demand_id")["value"].sum()
    unmet = (unmet - placed.reindex(unmet.index).fillna(0.0)).clip(lower=0.0)
    return Matching(links, float(y.sum()), float((y * sme).sum()), best_dist * _SCALE,
                    optimal, unmet)


def _solve_block(d_idx: np.ndarray, s_idx: np.ndarray, value: np.ndarray,
                 capacity: np.ndarray, sme: np.ndarray, dist: np.ndarray,
                 time_limit: float | None) -> tuple[np.ndarray, bool, float]:
    """The three stages on one class's links; the solution (scaled), whether every stage was
    optimal and the distance objective."""
    du, d_loc = np.unique(d_idx, return_inverse=True)
    su, s_loc = np.unique(s_idx, return_inverse=True)
    n = len(d_idx)
    cols = np.arange(n, dtype=np.int32)
    rows = sp.vstack([sp.csr_matrix((np.ones(n), (d_loc, cols)), shape=(len(du), n)),
                      sp.csr_matrix((np.ones(n), (s_loc, cols)), shape=(len(su), n))]).tocsr()
    h = quiet_highs()
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(_lp(n, np.ones(n), rows, np.r_[value[du], capacity[su]], maximize=True))
    ok1, best = _run(h)
    # keep stage 1's optimum and look for the most SME value among those allocations
    h.addRow(best, highspy.kHighsInf, n, cols, np.ones(n))
    h.changeColsCost(n, cols, sme)
    ok2, best_sme = _run(h)
    h.addRow(best_sme, highspy.kHighsInf, n, cols, sme)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.changeColsCost(n, cols, dist)
    ok3, best_dist = _run(h)
    return (np.asarray(h.getSolution().col_value), ok1 and ok2 and ok3,
            best_dist if ok3 else np.nan)
