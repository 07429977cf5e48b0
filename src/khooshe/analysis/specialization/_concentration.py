"""How concentrated regions and activities are: Krugman, Herfindahl, entropy, the Gini family,
Hoover, diversity and ubiquity, and the per-region and per-activity tables of them."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from khooshe.analysis.specialization._matrix import (
    Reference,
    RegionActivityMatrix,
    SpecializationInputError,
    _activity_series,
    _ge,
    _grouped_order,
    _matrix,
    _region_series,
)
from khooshe.analysis.specialization._quotients import (
    average_location_quotient,
    hachman,
)


def krugman_index(data, region: str | None = None, activity: str | None = None,
                  value: str | None = None, *,
                  reference: Literal["total", "rest"] = "total") -> pd.Series:
    """Krugman specialisation index of each region (EconGeo ``krugman_index``).

    ``K_i = Σ_j |s_ij − S_j|``, in [0, 2): 0 when the region's mix equals the reference.

    Parameters
    ----------
    reference : {"total", "rest"}
        ``"total"`` (default, EconGeo): compare with the whole economy, the region included.
        ``"rest"`` (Krugman 1991's original): compare with the rest of the economy,
        ``S_j^(−i) = (X_j − x_ij) / (X − X_i)``; ``NaN`` when the region is the whole economy.

    ``NaN`` for a region whose total is zero.
    """
    m = _matrix(data, region, activity, value)
    rows, cols, d = m._cells
    s = d / m.region_totals[rows]
    if reference == "total":
        ref = m.activity_totals[cols] / m.total
        k = 1.0 + np.bincount(rows, weights=np.abs(s - ref) - ref, minlength=m.shape[0])
    elif reference == "rest":
        rest_total = m.total - m.region_totals
        with np.errstate(divide="ignore", invalid="ignore"):
            ref = (m.activity_totals[cols] - d) / rest_total[rows]
            # cells absent from region i contribute Σ_{j absent} X_j / (X − X_i)
            k = 1.0 + np.bincount(rows, weights=np.abs(s - ref) - ref, minlength=m.shape[0])
        k[~(rest_total > 0)] = np.nan
    else:
        raise SpecializationInputError(f"reference must be 'total' or 'rest', not {reference!r}")
    k[m.region_totals == 0] = np.nan
    return _region_series(m, k, "krugman")


def herfindahl(data, region: str | None = None, activity: str | None = None,
               value: str | None = None) -> pd.Series:
    """Herfindahl–Hirschman index of each region's activity mix (EconGeo ``herfindahl``).

    ``H_i = Σ_j s_ij²``, in (0, 1]: 1 for a region with a single activity. ``NaN`` for a zero
    region.
    """
    m = _matrix(data, region, activity, value)
    rows, _, d = m._cells
    s = d / m.region_totals[rows]
    h = np.bincount(rows, weights=s * s, minlength=m.shape[0])
    h[m.region_totals == 0] = np.nan
    return _region_series(m, h, "herfindahl")


def entropy(data, region: str | None = None, activity: str | None = None,
            value: str | None = None, *, base: float = 2.0) -> pd.Series:
    """Shannon entropy of each region's activity mix (EconGeo ``entropy``).

    ``E_i = −Σ_j s_ij · log_b s_ij`` with ``0 · log 0 = 0``; base 2 by default as in EconGeo
    (bits; Frenken, Van Oort & Verburg 2007). EconGeo adds 1e-9 inside the log and rounds to 3
    decimals; khooshe does neither. 0 for a one-activity region, ``log_b(n)`` for ``n``
    activities of equal size; ``NaN`` for a zero region.
    """
    if not base > 0 or base == 1:
        raise SpecializationInputError(f"entropy base must be positive and not 1, not {base}")
    m = _matrix(data, region, activity, value)
    rows, _, d = m._cells
    s = d / m.region_totals[rows]
    e = -np.bincount(rows, weights=s * np.log(s), minlength=m.shape[0]) / math.log(base)
    e = e + 0.0  # no negative zeros
    e[m.region_totals == 0] = np.nan
    return _region_series(m, e, "entropy")


# --------------------------------------------------------------------------------------------
# Concentration of activities across regions: Gini family and Hoover
# --------------------------------------------------------------------------------------------
def _lorenz_twice_area(group: np.ndarray, member: np.ndarray, vals: np.ndarray,
                       weights: np.ndarray, n_groups: int) -> np.ndarray:
    """Twice the area between a Lorenz-type curve and the diagonal, for every group at once.

    For group ``g`` (an activity), the members (regions) are ordered by ``vals / weights``
    ascending; the curve joins the points (cumulative weight share, cumulative value share).
    Members absent from the group (value 0) come first with the weight ``x0``; the result is
    EconGeo's ``sum(cind[-1] * cpop[-n]) - sum(cind[-n] * cpop[-1])`` (the shoelace formula of
    the polygon between the curve and the diagonal). ``NaN`` for a group whose value total is 0.
    """
    wsum = float(weights.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = vals / weights[member]
    ratio = np.where(np.isnan(ratio), 0.0, ratio)
    order = _grouped_order(group, np.argsort(ratio, kind="stable"))
    g, v = group[order], vals[order]
    w = weights[member[order]]
    vtot = np.bincount(g, weights=v, minlength=n_groups)
    wpres = np.bincount(g, weights=w, minlength=n_groups)
    x0 = np.clip((wsum - wpres) / wsum, 0.0, 1.0)
    if len(g) == 0:
        empty = np.zeros(n_groups)
        empty[vtot == 0] = np.nan
        return empty
    first = np.ones(len(g), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
    cv, cw = np.cumsum(v), np.cumsum(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = (cv - (cv[start] - v[start])) / vtot[g]
    x = x0[g] + (cw - (cw[start] - w[start])) / wsum
    x_prev = np.where(first, x0[g], np.r_[0.0, x[:-1]])
    y_prev = np.where(first, 0.0, np.r_[0.0, y[:-1]])
    out = np.bincount(g, weights=x_prev * y - x * y_prev, minlength=n_groups)
    out[vtot == 0] = np.nan
    return out


def _reference_weights(m: RegionActivityMatrix, reference: Reference) -> np.ndarray:
    """Reference distribution over regions for Hoover-type indices."""
    if reference is None or (isinstance(reference, str) and reference == "equal"):
        return np.ones(m.shape[0])
    if isinstance(reference, str) and reference == "total":
        return m.region_totals.astype(np.float64)
    if isinstance(reference, pd.Series):
        missing = m.regions.difference(reference.index)
        if len(missing):
            raise SpecializationInputError(
                f"reference: no value for {len(missing)} region(s), e.g. "
                + ", ".join(map(str, missing[:5]))
            )
        if reference.index.has_duplicates:
            raise SpecializationInputError("reference: duplicate region labels")
        w = pd.to_numeric(reference.reindex(m.regions), errors="coerce").to_numpy(np.float64)
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            raise SpecializationInputError(
                f"reference: {int(bad.sum())} region(s) with a missing, non-numeric, infinite or "
                "negative value, e.g. " + ", ".join(map(str, m.regions[bad][:5]))
            )
        if w.sum() <= 0:
            raise SpecializationInputError("reference: all values are zero")
        return w
    raise SpecializationInputError(
        f"reference must be 'equal', 'total' or a Series indexed by region, not {reference!r}"
    )


def gini(data, region: str | None = None, activity: str | None = None,
         value: str | None = None, *, by: Literal["activity", "region"] = "activity"
         ) -> pd.Series:
    """Gini coefficient (EconGeo ``gini``): inequality of each activity across regions.

    For activity ``j`` with regions sorted by ``x_ij`` ascending, ``p_k = k / n`` and
    ``ν_k = Σ_{l≤k} x_lj / X_j``: ``G_j = Σ_k (ν_{k+1} p_k − ν_k p_{k+1})`` — twice the area
    between the Lorenz curve and the diagonal, without the ``n/(n−1)`` small-sample correction,
    so its maximum is ``(n−1)/n`` (one region holds everything). Every region of the matrix
    counts, including regions with no activity at all (as in EconGeo, where they are rows of
    zeros).

    Parameters
    ----------
    by : {"activity", "region"}
        ``"activity"`` (default, EconGeo): one value per activity, over the regions.
        ``"region"``: one value per region, over the activities (the inequality of the region's
        own activity mix — a specialisation measure; not an EconGeo function).

    ``NaN`` for an activity (or region) whose total is zero; 0 with a single region.
    """
    m = _matrix(data, region, activity, value)
    rows, cols, d = m._cells
    if by == "activity":
        g = _lorenz_twice_area(cols, rows, d, np.ones(m.shape[0]), m.shape[1])
        return _activity_series(m, g, "gini")
    if by == "region":
        g = _lorenz_twice_area(rows, cols, d, np.ones(m.shape[1]), m.shape[0])
        return _region_series(m, g, "gini")
    raise SpecializationInputError(f"by must be 'activity' or 'region', not {by!r}")


def locational_gini(data, region: str | None = None, activity: str | None = None,
                    value: str | None = None) -> pd.Series:
    """Locational Gini of each activity (Krugman 1991; EconGeo ``locational_gini``).

    Regions are sorted by ``x_ij / X_i`` (equivalently by ``LQ_ij``); the curve plots the
    cumulative share of activity ``j`` against the cumulative share of total activity
    ``X_i / X``; ``LG_j`` is the area between that curve and the diagonal (EconGeo divides the
    Gini-type sum by 2), so it lies in [0, 0.5): 0 for an activity spread exactly like the whole
    economy, approaching 0.5 for one concentrated in a small region. Regions with a zero total
    carry no weight. ``NaN`` for an activity whose total is zero; 0 with a single region.
    """
    m = _matrix(data, region, activity, value)
    rows, cols, d = m._cells
    lg = _lorenz_twice_area(cols, rows, d, m.region_totals.astype(np.float64), m.shape[1]) / 2
    return _activity_series(m, lg, "locational_gini")


def hoover_gini(data, region: str | None = None, activity: str | None = None,
                value: str | None = None, *, reference: Reference = None) -> pd.Series:
    """Hoover Gini of each activity against a reference distribution (EconGeo ``hoover_gini``).

    As :func:`locational_gini` but with a reference distribution ``pop_i`` over regions and
    without the division by 2: regions sorted by ``x_ij / pop_i``, ``HG_j`` = twice the area
    between the Hoover curve and the diagonal, in [0, 1).

    Parameters
    ----------
    reference : "equal" (default, None), "total" or Series
        ``pop_i``: equal weights, the regions' totals ``X_i`` (then ``HG_j = 2 · LG_j``), or a
        Series indexed by region (population, area, …). EconGeo requires ``pop``; khooshe's
        default is the equal distribution that EconGeo's ``hoover_index`` assumes when ``pop``
        is missing.

    ``NaN`` for an activity whose total is zero.
    """
    m = _matrix(data, region, activity, value)
    w = _reference_weights(m, reference)
    rows, cols, d = m._cells
    return _activity_series(m, _lorenz_twice_area(cols, rows, d, w, m.shape[1]), "hoover_gini")


def hoover_index(data, region: str | None = None, activity: str | None = None,
                 value: str | None = None, *, reference: Reference = None) -> pd.Series:
    """Hoover index of each activity, in percent (EconGeo ``hoover_index``).

    ``H_j = 100 · ½ Σ_i |x_ij / X_j − pop_i / Σ pop|`` — the share (0–100) of the activity that
    would have to move for it to be distributed like the reference. ``reference`` as in
    :func:`hoover_gini`; the default (equal weights per region) is EconGeo's default when
    ``pop`` is missing. EconGeo rounds to 2 decimals; khooshe does not. ``NaN`` for an activity
    whose total is zero; 0 with a single region.
    """
    m = _matrix(data, region, activity, value)
    w = _reference_weights(m, reference)
    b_all = w / w.sum()
    rows, cols, d = m._cells
    a = d / m.activity_totals[cols]
    b = b_all[rows]
    # Σ_i |a_i − b_i| = Σ_present (|a − b| − b) + Σ_all b, and Σ_all b = 1
    h = 50.0 * (1.0 + np.bincount(cols, weights=np.abs(a - b) - b, minlength=m.shape[1]))
    h = np.clip(h, 0.0, 100.0)
    h[m.activity_totals == 0] = np.nan
    return _activity_series(m, h, "hoover_index")


def diversity(data, region: str | None = None, activity: str | None = None,
              value: str | None = None, *, rca: bool = True) -> pd.Series:
    """Diversity of each region (EconGeo ``diversity``; Balland & Rigby 2017).

    With ``rca=True`` (default; EconGeo's ``rca = TRUE``): the number of activities in which the
    region has ``LQ ≥ 1``. With ``rca=False`` the input is taken as a 0/1 matrix already and its
    row sums are returned, as EconGeo does.
    """
    m = _matrix(data, region, activity, value)
    rows, _, d = m._cells
    weights = _ge(m._lq, 1.0).astype(np.float64) if rca else d
    return _region_series(m, np.bincount(rows, weights=weights, minlength=m.shape[0]),
                          "diversity")


def ubiquity(data, region: str | None = None, activity: str | None = None,
             value: str | None = None, *, rca: bool = True) -> pd.Series:
    """Ubiquity of each activity (EconGeo ``ubiquity``): the number of regions with ``LQ ≥ 1``.

    ``rca=False``: column sums of an input that is already a 0/1 matrix (EconGeo's default).
    """
    m = _matrix(data, region, activity, value)
    _, cols, d = m._cells
    weights = _ge(m._lq, 1.0).astype(np.float64) if rca else d
    return _activity_series(m, np.bincount(cols, weights=weights, minlength=m.shape[1]),
                            "ubiquity")


# --------------------------------------------------------------------------------------------
# Tables of indices
# --------------------------------------------------------------------------------------------
def region_indices(data, region: str | None = None, activity: str | None = None,
                   value: str | None = None) -> pd.DataFrame:
    """All per-region indices in one tidy table.

    Columns: region, ``total`` (``X_i``), ``n_activities`` (non-zero activities), ``diversity``
    (activities with LQ ≥ 1), ``average_lq``, ``hachman``, ``krugman`` (vs the total economy),
    ``herfindahl``, ``entropy`` (bits), ``gini`` (of the region's activity mix, see
    :func:`gini` with ``by="region"``). Regions with a zero total get ``NaN`` shares-based
    indices and 0 counts.
    """
    m = _matrix(data, region, activity, value)
    rows = m._cells[0]
    out = pd.DataFrame({
        "total": m.region_totals,
        "n_activities": np.bincount(rows, minlength=m.shape[0]),
    }, index=m.regions.rename(m.region_name))
    for s in (diversity(m).astype(np.int64), average_location_quotient(m), hachman(m),
              krugman_index(m), herfindahl(m), entropy(m), gini(m, by="region")):
        out[s.name] = s.to_numpy()
    return out.reset_index()


def activity_indices(data, region: str | None = None, activity: str | None = None,
                     value: str | None = None, *, reference: Reference = None) -> pd.DataFrame:
    """All per-activity indices in one tidy table.

    Columns: activity, ``total`` (``X_j``), ``n_regions`` (regions where present), ``ubiquity``
    (regions with LQ ≥ 1), ``gini``, ``locational_gini``, ``hoover_index`` (percent) and
    ``hoover_gini`` (both against ``reference``, default equal weights per region).
    """
    m = _matrix(data, region, activity, value)
    cols = m._cells[1]
    out = pd.DataFrame({
        "total": m.activity_totals,
        "n_regions": np.bincount(cols, minlength=m.shape[1]),
    }, index=m.activities.rename(m.activity_name))
    for s in (ubiquity(m).astype(np.int64), gini(m), locational_gini(m),
              hoover_index(m, reference=reference), hoover_gini(m, reference=reference)):
        out[s.name] = s.to_numpy()
    return out.reset_index()
