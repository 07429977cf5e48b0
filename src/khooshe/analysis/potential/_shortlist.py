"""The "10 villages per county" shortlist: :func:`shortlist` and :func:`drivers`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from khooshe.analysis.potential._result import Potential
from khooshe.analysis.potential._scaling import top_k
from khooshe.analysis.potential._score import BLOCK
from khooshe.analysis.potential._weights import COMPONENTS
from khooshe.domain.geo import haversine_km
from khooshe.text.messages import Message

#: The columns of a shortlist after the score and its components: names, the two
#: alternatives, the facts behind the explanation, the village's place.
VILLAGE_FACTS = ("village_fa", "village_en", "alt1_activity", "alt1_score", "alt2_activity",
                 "alt2_score", "density", "nearby_firms", "resource", "resource_quantity",
                 "population", "dist_park_km", "park_code", "dist_seat_km", "dist_city_km",
                 "lat", "lon")
#: Why a county has fewer villages than asked (flags of :func:`shortlist`'s ``counties``).
SHORTFALL_FLAGS = ("no_villages", "few_eligible", "spacing_limited", "quota_limited")
#: Why a village is not eligible (counts per county).
INELIGIBLE = ("small", "no_population", "no_coordinates", "no_evidence")


@dataclass
class Shortlist:
    """The shortlisted villages and, per county, how many and why fewer.

    ``villages``: one row per shortlisted village (see :func:`shortlist`).
    ``counties``: ``county_code``, ``villages``, ``eligible``, ``shortlisted``, the counts of
    ineligible villages by reason (:data:`INELIGIBLE`) and the flags of :data:`SHORTFALL_FLAGS`
    (all false when the county got ``per_county``). The options it was made with follow.
    """

    villages: pd.DataFrame
    counties: pd.DataFrame
    notes: list[Message] = field(default_factory=list)
    per_county: int = 10
    max_per_activity: int = 3
    min_spacing_km: float = 3.0
    min_population: float = 100.0
    activities: int = 0


def evidence(pot: Potential, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Whether each (village, activity) cell has local evidence for the activity: related
    activities around, a resource that feeds it or firms of it nearby. Access and labour
    alone say where work is easy, not what work: a cell without evidence is never picked."""
    return ((pot.relatedness[rows] > 0) | (pot.resources[rows] > 0)
            | (pot.agglomeration[rows] > 0))


def _eligibility(pot: Potential, min_population: float) -> tuple[np.ndarray, dict]:
    v = pot.villages
    pop = v["population"].to_numpy(dtype=float)
    no_xy = ~v["has_coordinates"].to_numpy()
    no_pop = ~np.isfinite(pop) if min_population > 0 else np.zeros(len(v), bool)
    small = np.isfinite(pop) & (pop < min_population)
    ok = ~(no_xy | no_pop | small)
    some = np.zeros(len(v), dtype=bool)
    for a in range(0, len(v), BLOCK):
        some[a:a + BLOCK] = evidence(pot, slice(a, a + BLOCK)).any(axis=1)
    no_evidence = ok & ~some
    return ok & some, {"no_coordinates": no_xy, "no_population": no_pop & ~no_xy,
                       "small": small & ~no_xy, "no_evidence": no_evidence}


def shortlist(
    pot: Potential,
    *,
    per_county: int = 10,
    max_per_activity: int = 3,
    min_spacing_km: float = 3.0,
    min_population: float = 100,
    counties: Sequence[str] | None = None,
) -> Shortlist:
    """The top villages of each county, each with its activity and two alternatives.

    Greedy, county by county: every eligible village's candidate (village, activity) pairs are
    taken in order of descending score (ties: village code, then activity code) and a pair is
    accepted when its village is not yet chosen, fewer than ``max_per_activity`` villages of
    the county already have that activity, and it lies at least ``min_spacing_km`` from every
    village already chosen in the county; the county stops at ``per_county``. So a village
    whose best activity is already taken ``max_per_activity`` times competes with its next
    best. Only each village's best ``⌊(N−1)/K⌋ + 1`` activities can ever be accepted (with N
    picks and quota K, fewer activities cannot all be full), which keeps it fast and exact.

    Eligible: has coordinates, a population ≥ ``min_population`` (a missing population is
    ineligible unless ``min_population`` is 0) and local evidence for at least one candidate
    activity (:func:`evidence`); only pairs with evidence are candidates. A county with fewer
    than ``per_county`` eligible villages gets them all (if spacing allows), and the reason is
    stated; if spacing or the quota leaves it short, that is stated instead (flags of
    ``counties``).

    Parameters
    ----------
    pot : Potential
    per_county : int
        N, villages per county (≥ 1).
    max_per_activity : int
        K, at most this many villages of a county with the same activity (≥ 1).
    min_spacing_km : float
        Minimum great-circle distance between two chosen villages of a county (≥ 0).
    min_population : float
        Smallest eligible population (≥ 0).
    counties : sequence of str, optional
        Counties to report (default: every county with a scored village). Counties listed with
        no village get 0 villages and a reason.

    Returns
    -------
    Shortlist
        ``villages`` columns: ``county_code``, ``village_code``, ``rank``, ``activity``,
        ``score``, ``c_<component>`` (and ``c_<penalty>``), then :data:`VILLAGE_FACTS`: the
        village's names, ``alt1_activity``, ``alt1_score``, ``alt2_activity``,
        ``alt2_score``, the facts behind an explanation (``density``, ``nearby_firms``,
        ``resource``, ``resource_quantity``, ``population``, distances) and ``lat``/``lon``.
        :func:`drivers` says which components carry each pick.
    """
    _check_options(per_county, max_per_activity, min_spacing_km, min_population)
    v = pot.villages
    n_p = len(pot.activities)
    ok, why = _eligibility(pot, float(min_population))
    # only each village's best ⌊(N−1)/K⌋ + 1 activities can be accepted; two more give the
    # alternatives
    m = min(n_p, (per_county - 1) // max_per_activity + 1)
    top = _best_activities(pot, ok, min(n_p, m + 2))
    rows, cols, rank, spacing_hit, quota_hit = _greedy(pot, top, ok, m, per_county=per_county,
                                            max_per_activity=max_per_activity,
                                            min_spacing_km=float(min_spacing_km))
    out = pot.cells(rows, cols)
    out.insert(2, "rank", rank)
    _add_alternatives(out, pot, top, rows, cols)
    for col, src_col in (("village_fa", "name_fa"), ("village_en", "name_en"),
                         ("population", "population"), ("dist_park_km", "dist_park_km"),
                         ("park_code", "park_code"), ("dist_seat_km", "dist_seat_km"),
                         ("dist_city_km", "dist_city_km"), ("lat", "lat"), ("lon", "lon")):
        out[col] = v[src_col].to_numpy()[rows]
    comp_cols = [f"c_{n}" for n in pot.component_names]
    out = out[["county_code", "village_code", "rank", "activity", "score", *comp_cols,
               *VILLAGE_FACTS]]
    summary = _county_summary(pot, out, ok, why, counties, per_county=per_county,
                              spacing_hit=spacing_hit, quota_hit=quota_hit)
    return Shortlist(villages=out.reset_index(drop=True), counties=summary,
                     notes=list(pot.notes), per_county=per_county,
                     max_per_activity=max_per_activity, min_spacing_km=float(min_spacing_km),
                     min_population=float(min_population), activities=n_p)


def _check_options(per_county: int, max_per_activity: int, min_spacing_km: float,
                   min_population: float) -> None:
    for name, count in (("per_county", per_county), ("max_per_activity", max_per_activity)):
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
            raise ValueError(f"{name} must be an integer ≥ 1, not {count!r}")
    for name, amount in (("min_spacing_km", min_spacing_km),
                         ("min_population", min_population)):
        if (not isinstance(amount, (int, float, np.number)) or not math.isfinite(amount)
                or amount < 0):
            raise ValueError(f"{name} must be a number ≥ 0, not {amount!r}")


def _best_activities(pot: Potential, ok: np.ndarray, t: int) -> np.ndarray:
    """(V, t) the ``t`` best activities with evidence of each eligible village, best first;
    −1 past a village's last such activity (and everywhere for the others)."""
    rows_ok = np.flatnonzero(ok)
    top = np.full((len(pot.villages), t), -1, dtype=np.int64)
    for a in range(0, len(rows_ok), BLOCK):
        r = rows_ok[a:a + BLOCK]
        has = evidence(pot, r)
        ranked = np.where(has, pot.score[r], -np.inf).astype(np.float32)
        best = top_k(ranked, t)
        best[~np.take_along_axis(has, best, axis=1)] = -1
        top[r] = best
    return top


def _greedy(pot: Potential, top: np.ndarray, ok: np.ndarray, m: int, *, per_county: int,
            max_per_activity: int, min_spacing_km: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, bool], dict[str, bool]]:
    """The picks, county by county: (village rows, activity columns, rank in the county,
    the counties where spacing turned a village away, those where the quota turned a pair
    away)."""
    v = pot.villages
    codes = v["village_code"].to_numpy().astype(str)
    cty = v["county_code"].to_numpy().astype(str)
    lat, lon = v["lat"].to_numpy(float), v["lon"].to_numpy(float)
    rows_ok = np.flatnonzero(ok)
    # candidate pairs of every eligible village, globally ordered by (county, -score, code, act)
    cr = np.repeat(rows_ok, m)
    cc = top[rows_ok, :m].ravel()
    cr, cc = cr[cc >= 0], cc[cc >= 0]
    cs = pot.score[cr, cc]
    order = np.lexsort((cc, codes[cr], -cs.astype(np.float64), cty[cr]))
    cr, cc = cr[order], cc[order]
    bounds = np.flatnonzero(np.r_[True, cty[cr][1:] != cty[cr][:-1], True]) if len(cr) else \
        np.array([0])
    picked_rows: list[int] = []
    picked_cols: list[int] = []
    picked_rank: list[int] = []
    spacing_hit: dict[str, bool] = {}
    quota_hit: dict[str, bool] = {}
    for a, b in zip(bounds[:-1], bounds[1:], strict=False):
        chosen: list[int] = []
        used: dict[int, int] = {}
        clat: list[float] = []
        clon: list[float] = []
        taken = set()
        county = cty[cr[a]]
        for i in range(a, b):
            r, c = int(cr[i]), int(cc[i])
            if r in taken:
                continue
            if used.get(c, 0) >= max_per_activity:
                quota_hit[county] = True
                continue
            if chosen and min_spacing_km > 0:
                d = haversine_km(lat[r], lon[r], np.array(clat), np.array(clon))
                if (d < min_spacing_km).any():
                    spacing_hit[county] = True
                    taken.add(r)      # spacing does not depend on the activity
                    continue
            chosen.append(r)
            taken.add(r)
            used[c] = used.get(c, 0) + 1
            clat.append(lat[r])
            clon.append(lon[r])
            picked_rows.append(r)
            picked_cols.append(c)
            picked_rank.append(len(chosen))
            if len(chosen) == per_county:
                break
    return (np.array(picked_rows, dtype=np.int64), np.array(picked_cols, dtype=np.int64),
            np.array(picked_rank, dtype=np.int64), spacing_hit, quota_hit)


def _add_alternatives(out: pd.DataFrame, pot: Potential, top: np.ndarray, rows: np.ndarray,
                      cols: np.ndarray) -> None:
    """``alt1_``/``alt2_activity`` and ``_score``: the village's next best activities other
    than the chosen one."""
    alts = top[rows] if len(rows) else np.zeros((0, top.shape[1]), np.int64)
    alt_mask = (alts != cols[:, None]) & (alts >= 0)
    alt_idx = np.full((len(rows), 2), -1, dtype=np.int64)
    for k in range(len(rows)):
        cand = alts[k][alt_mask[k]][:2]
        alt_idx[k, :len(cand)] = cand
    for k in (0, 1):
        have = alt_idx[:, k] >= 0
        alt = pot.activities[np.maximum(alt_idx[:, k], 0)].astype(object)
        alt[~have] = None
        out[f"alt{k + 1}_activity"] = alt
        sc = np.full(len(rows), np.nan)
        sc[have] = pot.score[rows[have], alt_idx[have, k]]
        out[f"alt{k + 1}_score"] = sc


def _county_summary(pot: Potential, out: pd.DataFrame, ok: np.ndarray,
                    why: dict[str, np.ndarray], counties: Sequence[str] | None, *,
                    per_county: int, spacing_hit: dict[str, bool],
                    quota_hit: dict[str, bool]) -> pd.DataFrame:
    """One row per county: how many villages, eligible and shortlisted, and why fewer."""
    cty = pot.villages["county_code"].astype(str)
    listed = sorted(set(dict.fromkeys(cty) if counties is None else map(str, counties)))
    frame = pd.DataFrame({"county": cty, "ok": ok, **why})
    g = frame.groupby("county")
    got = out.groupby("county_code").size()
    summary = pd.DataFrame({"county_code": listed})
    summary["villages"] = summary["county_code"].map(g.size()).fillna(0).astype(int)
    summary["eligible"] = summary["county_code"].map(g["ok"].sum()).fillna(0).astype(int)
    summary["shortlisted"] = summary["county_code"].map(got).fillna(0).astype(int)
    for key in why:
        summary[key] = summary["county_code"].map(g[key].sum()).fillna(0).astype(int)
    short = summary["shortlisted"] < per_county
    # why a county got fewer than asked: the first reason that applies, as flags
    summary["no_villages"] = short & (summary["villages"] == 0)
    summary["few_eligible"] = (short & ~summary["no_villages"]
                               & (summary["eligible"] < per_county))
    below = summary["shortlisted"] < np.minimum(per_county, summary["eligible"])
    summary["spacing_limited"] = short & below & summary["county_code"].isin(
        [c for c, hit in spacing_hit.items() if hit])
    summary["quota_limited"] = short & below & summary["county_code"].isin(
        [c for c, hit in quota_hit.items() if hit])
    return summary


def drivers(pot: Potential, table: pd.DataFrame, top: int = 3) -> list[tuple[str, ...]]:
    """For each row of a shortlist ``table``, the components that carry its score: the
    ``top`` largest positive weighted contributions, largest first (ties in the order of
    :data:`COMPONENTS`). Labour is left out: it is the same for every activity of a village,
    so it explains the village, not the activity (its population says that)."""
    w = pot.weights.weights
    parts = [c for c in COMPONENTS if c != "labour"]
    contrib = np.column_stack([w[c] * table[f"c_{c}"].to_numpy(float) for c in parts]) \
        if len(table) else np.zeros((0, len(parts)))
    out = []
    for row in contrib:
        ranked = sorted((k for k in range(len(parts)) if row[k] > 0),
                        key=lambda k: (-row[k], k))[:top]
        out.append(tuple(parts[k] for k in ranked))
    return out
