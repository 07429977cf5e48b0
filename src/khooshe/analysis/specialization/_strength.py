"""Traded and local activities and cluster strength (US Cluster Mapping Project logic)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from khooshe.analysis.specialization._concentration import (
    locational_gini,
    ubiquity,
)
from khooshe.analysis.specialization._matrix import (
    _REL_TOL,
    DEFAULT_LQ_THRESHOLD,
    DEFAULT_MIN_ESTABLISHMENTS,
    DEFAULT_MIN_VALUE,
    DEFAULT_TRADED_GINI,
    RegionActivityMatrix,
    SpecializationInputError,
    _activity_series,
    _cell_lq,
    _dense_group_rank,
    _ge,
    _grouped_order,
    _matrix,
    region_activity_matrix,
)


# --------------------------------------------------------------------------------------------
# Traded vs local, cluster strength
# --------------------------------------------------------------------------------------------
def classify_traded(data, region: str | None = None, activity: str | None = None,
                    value: str | None = None, *,
                    gini_threshold: float = DEFAULT_TRADED_GINI) -> pd.DataFrame:
    """Split activities into *traded* and *local* by their geographic concentration.

    Rule (in the spirit of Porter 2003 and Delgado, Porter & Stern 2016, US Cluster Mapping):
    local activities are present nearly everywhere in proportion to the economy and sell
    locally; traded ones concentrate in a few regions and sell to other regions and abroad.
    khooshe measures concentration with the **locational Gini** (:func:`locational_gini`,
    EconGeo scale 0–0.5) and calls an activity traded when ``LG_j ≥ gini_threshold``
    (default 0.25, half the theoretical maximum). This is khooshe's rule, not the CMP's exact
    classification (which uses US county/EA data and several criteria); the other columns
    (presence and LQ ≥ 1 shares) let a reader check it.

    The result depends on the geographic level: at village level almost every activity looks
    concentrated, simply because villages are small. Classify at county (or province) level and
    pass the result to :func:`cluster_strength` as ``traded=`` for finer levels.

    Returns
    -------
    DataFrame
        activity, ``total``, ``n_regions`` (regions where present), ``presence_share``
        (``n_regions`` / all regions), ``lq_ge1_share`` (share of all regions with LQ ≥ 1),
        ``locational_gini``, ``traded`` (bool). With a single region nothing is traded
        (``LG = 0``); an activity with zero total is not traded.
    """
    if not 0 <= gini_threshold <= 0.5:
        raise SpecializationInputError(
            f"gini_threshold must be between 0 and 0.5 (locational Gini scale), not "
            f"{gini_threshold}"
        )
    m = _matrix(data, region, activity, value)
    _, cols, _ = m._cells
    n_regions = np.bincount(cols, minlength=m.shape[1])
    lg = locational_gini(m).to_numpy()
    out = pd.DataFrame({
        m.activity_name: m.activities,
        "total": m.activity_totals,
        "n_regions": n_regions,
        "presence_share": n_regions / m.shape[0],
        "lq_ge1_share": ubiquity(m).to_numpy() / m.shape[0],
        "locational_gini": lg,
        "traded": np.nan_to_num(lg, nan=-1.0) >= gini_threshold * (1 - _REL_TOL),
    })
    return out


def _traded_flags(m: RegionActivityMatrix, traded, traded_gini: float) -> np.ndarray:
    """Per-activity traded flags from a classification given by the caller, or computed."""
    if traded is None:
        return classify_traded(m, gini_threshold=traded_gini)["traded"].to_numpy(bool)
    if isinstance(traded, pd.DataFrame):
        if "traded" not in traded.columns:
            raise SpecializationInputError("traded: a DataFrame needs a 'traded' column")
        key = m.activity_name if m.activity_name in traded.columns else traded.columns[0]
        traded = traded.set_index(key)["traded"]
    if isinstance(traded, pd.Series):
        if traded.index.has_duplicates:
            raise SpecializationInputError("traded: duplicate activity labels")
        missing = m.activities.difference(traded.index)
        if len(missing):
            raise SpecializationInputError(
                f"traded: no classification for {len(missing)} activity(ies), e.g. "
                + ", ".join(map(str, missing[:5]))
            )
        flags = traded.reindex(m.activities)
        if flags.isna().any():
            raise SpecializationInputError("traded: missing (NaN) classification values")
        return flags.astype(bool).to_numpy()
    if isinstance(traded, Collection) and not isinstance(traded, str):
        return m.activities.isin(list(traded))
    raise SpecializationInputError(
        "traded must be None, a bool Series indexed by activity, a classify_traded() table or "
        "a collection of traded activity codes"
    )


@dataclass(frozen=True)
class Totals:
    """The activity totals ``X_j`` and the grand total ``X`` of a whole (national) matrix.

    What :func:`cluster_strength` needs to judge a part of the matrix (a province's villages)
    against the whole: see :func:`national_totals`.

    Attributes
    ----------
    activities : Series
        ``X_j``, float, indexed by activity.
    total : float
        ``X``.
    """

    activities: pd.Series
    total: float


def national_totals(data, region: str | None = None, activity: str | None = None,
                    value: str | None = None) -> Totals:
    """The activity totals and the grand total of a matrix, for :func:`cluster_strength` of
    its parts (``totals=``).

    Parameters
    ----------
    data, region, activity, value
        The whole matrix or long table, as for :func:`region_activity_matrix`.

    Returns
    -------
    Totals
        ``X_j`` per activity and ``X``, summed exactly as :func:`cluster_strength` sums them
        on the whole table, so a part judged against them gets the same LQs to the bit.

    Examples
    --------
    >>> firms = pd.DataFrame({"village": ["a", "a", "b", "c"],
    ...                       "isic": ["1079", "1061", "1079", "1061"],
    ...                       "jobs": [10.0, 5.0, 20.0, 15.0]})
    >>> t = national_totals(firms, "village", "isic", "jobs")
    >>> t.activities.to_dict(), t.total
    ({'1061': 20.0, '1079': 30.0}, 50.0)
    """
    m = region_activity_matrix(data, region, activity, value)
    return Totals(_activity_series(m, m.activity_totals, "activity_total"), m.total)


def _part_totals(m: RegionActivityMatrix, totals: Totals) -> np.ndarray:
    """``X_j`` of the whole for each activity of the part ``m``, checked against the part."""
    given = totals.activities.reindex(m.activities).to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(given)
    if missing.any():
        raise SpecializationInputError(
            f"totals: no total for {int(missing.sum())} activity(ies) of the table, e.g. "
            + ", ".join(map(str, m.activities[missing][:5]))
        )
    # a part cannot hold more than the whole: totals of another (smaller) table are a mistake
    if (given < m.activity_totals * (1 - _REL_TOL)).any() or (
            totals.total < m.total * (1 - _REL_TOL)):
        raise SpecializationInputError(
            "totals: smaller than the table's own; give the totals of the whole table this one "
            "is a part of"
        )
    return given


def _activity_ranks(cols: np.ndarray, lq: np.ndarray, d: np.ndarray, by_lq: np.ndarray,
                    n_activities: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``rank_by_lq``, ``rank_by_value`` and ``n_regions`` of every cell: its region's rank
    among the cells of its activity ``cols`` (ties share the best rank), and their number.
    ``by_lq`` is the stable argsort of ``-lq`` (shared with the caller's other grouping)."""
    n = len(d)
    ord_lq = _grouped_order(cols, by_lq)
    rank_by_lq = np.empty(n, dtype=np.int64)
    rank_by_lq[ord_lq] = _dense_group_rank(cols[ord_lq], -lq[ord_lq], n)
    ord_val = _grouped_order(cols, np.argsort(-d, kind="stable"))
    rank_by_value = np.empty(n, dtype=np.int64)
    rank_by_value[ord_val] = _dense_group_rank(cols[ord_val], -d[ord_val], n)
    n_regions = np.bincount(cols, minlength=n_activities)[cols]
    return rank_by_lq, rank_by_value, n_regions


def _strong(lq: np.ndarray, rank_by_lq: np.ndarray, n_regions: np.ndarray,
            lq_threshold: float, top_share: float | None) -> np.ndarray:
    """LQ at or above the threshold and, with ``top_share``, in the top share of regions."""
    strong = _ge(lq, lq_threshold)
    if top_share is not None:
        strong &= rank_by_lq <= np.maximum(1, np.ceil(top_share * n_regions - 1e-9))
    return strong


def _candidate(strong, traded, small_base):
    """A candidate cluster: strong, traded and not a small base (arrays or Series alike)."""
    return strong & traded & ~small_base


def _check_strong_options(lq_threshold: float, top_share: float | None) -> None:
    if not lq_threshold > 0:
        raise SpecializationInputError(f"lq_threshold must be positive, not {lq_threshold}")
    if top_share is not None and not 0 < top_share <= 1:
        raise SpecializationInputError(f"top_share must be in (0, 1], not {top_share}")


def rank_across_regions(
    table: pd.DataFrame,
    activity: str = "activity",
    value: str = "value",
    *,
    lq_threshold: float = DEFAULT_LQ_THRESHOLD,
    top_share: float | None = None,
) -> pd.DataFrame:
    """Recompute the columns of a :func:`cluster_strength` table that compare regions:
    ``rank_by_lq``, ``rank_by_value``, ``n_regions``, ``strong`` and (when the table has
    ``traded`` and ``small_base``) ``candidate``.

    :func:`cluster_strength` run on parts of a matrix (each province's villages, with the
    whole's ``totals=``) gives every cell its national LQ and shares, but ranks it only among
    the regions of its part. Concatenate the parts and pass them here: each cell is ranked
    among all the rows of its activity, as :func:`cluster_strength` of the whole ranks it.
    The parts must hold every region's cells (split by region, not by cell).

    Parameters
    ----------
    table : DataFrame
        Rows of :func:`cluster_strength` (any order), with its ``lq`` column.
    activity, value : str
        The activity and value columns (as named in ``cluster_strength``'s output: the long
        table's column names, or ``activity`` and ``value`` for a wide one).
    lq_threshold, top_share
        As :func:`cluster_strength`: ``strong`` is recomputed from ``lq`` and, with
        ``top_share``, from the new ranks.

    Returns
    -------
    DataFrame
        A copy of ``table``, same rows in the same order, those columns replaced.

    Examples
    --------
    >>> parts = pd.DataFrame({"isic": ["1079", "1079", "1079", "1061"],
    ...                       "value": [10.0, 30.0, 20.0, 5.0],
    ...                       "lq": [2.0, 1.5, 2.0, 1.3],
    ...                       "rank_by_lq": 1, "rank_by_value": 1, "n_regions": 1,
    ...                       "strong": True})
    >>> out = rank_across_regions(parts, "isic", top_share=0.5)
    >>> out[["rank_by_lq", "rank_by_value", "n_regions", "strong"]].values.tolist()
    [[1, 3, 3, True], [3, 1, 3, False], [1, 2, 3, True], [1, 1, 1, True]]
    """
    _check_strong_options(lq_threshold, top_share)
    missing = [c for c in (activity, value, "lq") if c not in table.columns]
    if missing:
        raise SpecializationInputError(
            f"column(s) {', '.join(map(repr, missing))} not in the table; it has: "
            + ", ".join(map(str, table.columns))
        )
    cols, labels = pd.factorize(table[activity])
    cols = cols.astype(np.int64, copy=False)
    lq = table["lq"].to_numpy(dtype=np.float64)
    d = table[value].to_numpy(dtype=np.float64)
    rank_by_lq, rank_by_value, n_regions = _activity_ranks(
        cols, lq, d, np.argsort(-lq, kind="stable"), len(labels))
    out = table.copy()
    out["rank_by_lq"] = rank_by_lq
    out["rank_by_value"] = rank_by_value
    out["n_regions"] = n_regions
    out["strong"] = _strong(lq, rank_by_lq, n_regions, lq_threshold, top_share)
    if {"traded", "small_base"} <= set(out.columns):
        out["candidate"] = _candidate(out["strong"], out["traded"], out["small_base"])
    return out


def cluster_strength(
    data,
    region: str | None = None,
    activity: str | None = None,
    value: str | None = None,
    *,
    count: str | None = None,
    lq_threshold: float = DEFAULT_LQ_THRESHOLD,
    top_share: float | None = None,
    min_establishments: int = DEFAULT_MIN_ESTABLISHMENTS,
    min_value: float | None = None,
    min_region_total: float = 0.0,
    traded=None,
    traded_gini: float = DEFAULT_TRADED_GINI,
    totals: Totals | None = None,
) -> pd.DataFrame:
    """Cluster strength of every (region, activity) cell, US Cluster Mapping style.

    Parameters
    ----------
    data, region, activity, value, count
        The matrix or the long table (see :func:`region_activity_matrix`); by default each
        input row is one establishment, ``count`` names a column of establishment counts.
        ``value`` is usually employment.
    lq_threshold : float
        A cell is **strong** when ``LQ_ij ≥ lq_threshold`` (default 1.25: the region has 25 %
        more of the activity than its size implies).
    top_share : float, optional
        Also require the region to be in the top ``top_share`` of regions where the activity is
        present, ranked by LQ (the CMP's "top quartile" rule is ``top_share=0.25``): ``rank_by_lq
        ≤ max(1, ceil(top_share · n_regions))``. Off by default.
    min_establishments, min_value, min_region_total : number
        Minimum-size rule: a cell is flagged ``small_base`` when it has fewer than
        ``min_establishments`` establishments (default 3; only when counts are known, i.e. for
        long input), a value below ``min_value`` (default 10, meant for employment: a cell
        with fewer than 10 jobs is not a cluster; 0 when a long table is given without
        ``value``, since the values are then establishment counts) or its region's total is below
        ``min_region_total`` (default 0, off). Flagged cells stay in the table: a village with
        one firm shows a huge LQ, and the reader must see why it is not a cluster.
    traded : None, Series, DataFrame or collection
        Traded/local classification: ``None`` computes :func:`classify_traded` on this matrix
        with ``traded_gini``; otherwise a bool Series indexed by activity, the table returned by
        :func:`classify_traded` (e.g. computed at county level), or the codes of the traded
        activities.
    totals : Totals, optional
        Judge this table as a part of a larger one (a province's villages within the
        nation): the whole's activity totals and grand total (:func:`national_totals`) give
        ``activity_total``, ``lq`` and ``national_share``, so each cell gets the value it has
        in ``cluster_strength`` of the whole. Every region's cells must all be in the part (its
        total ``X_i`` is summed here). The ranks across regions (``rank_by_lq``,
        ``rank_by_value``, ``n_regions``, and ``strong`` under ``top_share``) are those within
        the part: recompute them on the joined parts with :func:`rank_across_regions`.
        Needs ``traded`` (a part cannot measure an activity's national concentration).

    Returns
    -------
    DataFrame
        One row per non-zero cell, sorted by region then ``rank_in_region``:
        region, activity, value, ``n_establishments`` (if known), ``region_total`` (``X_i``),
        ``activity_total`` (``X_j``), ``lq``, ``region_share`` (``s_ij``), ``national_share``
        (``x_ij / X_j``, the region's share of the activity's national amount),
        ``rank_in_region`` (1 = the region's most specialised activity, by LQ),
        ``rank_by_lq`` and ``rank_by_value`` (the region's rank among the ``n_regions``
        regions where the activity is present, by LQ and by value; ties share the best rank),
        ``n_regions``, ``traded``, ``strong``, ``small_base`` and ``candidate``.

        ``candidate`` (``strong & traded & ~small_base``) marks a region's candidate
        clusters. It is a column of its own because at fine levels ``strong`` alone says
        little: a village with one firm has a huge LQ in its one activity, so nearly every
        village cell is strong, and only the size rule tells the reader it is no cluster.
    """
    _check_strong_options(lq_threshold, top_share)
    if totals is not None and traded is None:
        raise SpecializationInputError(
            "with totals (a part of a table), give traded too: whether an activity is traded "
            "depends on every region, not on the part's"
        )
    if min_value is None:
        long_counts = isinstance(data, pd.DataFrame) and region is not None and value is None
        min_value = 0.0 if long_counts else DEFAULT_MIN_VALUE
    if min_establishments < 0 or min_value < 0 or min_region_total < 0:
        raise SpecializationInputError("minimum-size thresholds must be ≥ 0")
    if isinstance(data, pd.DataFrame) and (region is not None or activity is not None):
        m = region_activity_matrix(data, region, activity, value, count=count)
    else:
        if count is not None:
            raise SpecializationInputError("count applies to a long table only")
        m = region_activity_matrix(data, region, activity, value)
    rows, cols, d = m._cells
    if totals is None:
        activity_totals, lq = m.activity_totals, m._lq
    else:
        activity_totals = _part_totals(m, totals)
        lq = _cell_lq(d, totals.total, m.region_totals[rows], activity_totals[cols])
    n = len(d)
    by_lq = np.argsort(-lq, kind="stable")
    # rank of each activity within its region by LQ (descending)
    ord_region = _grouped_order(rows, by_lq)
    rank_in_region = np.empty(n, dtype=np.int64)
    rank_in_region[ord_region] = _dense_group_rank(rows[ord_region], -lq[ord_region], n)
    # ranks of the region within each activity, by LQ and by value
    rank_by_lq, rank_by_value, n_regions = _activity_ranks(cols, lq, d, by_lq, m.shape[1])
    strong = _strong(lq, rank_by_lq, n_regions, lq_threshold, top_share)
    small = d < min_value * (1 - _REL_TOL)
    counts = m.cell_counts()
    if counts is not None:
        small |= counts < min_establishments * (1 - _REL_TOL)
    small |= m.region_totals[rows] < min_region_total * (1 - _REL_TOL)
    traded_flags = _traded_flags(m, traded, traded_gini)

    # output sorted by region, then rank in the region: that is ord_region
    o = ord_region
    r, c, v = rows[o], cols[o], d[o]
    out = {
        m.region_name: m.regions.take(r),
        m.activity_name: m.activities.take(c),
        m.value_name: v,
    }
    if counts is not None:
        out["n_establishments"] = counts[o]
    out.update({
        "region_total": m.region_totals[r],
        "activity_total": activity_totals[c],
        "lq": lq[o],
        "region_share": v / m.region_totals[r],
        "national_share": v / activity_totals[c],
        "rank_in_region": rank_in_region[o],
        "rank_by_lq": rank_by_lq[o],
        "rank_by_value": rank_by_value[o],
        "n_regions": n_regions[o],
        "traded": traded_flags[c],
        "strong": strong[o],
        "small_base": small[o],
        "candidate": _candidate(strong[o], traded_flags[c], small[o]),
    })
    return pd.DataFrame(out)
