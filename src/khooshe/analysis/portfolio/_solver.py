"""The exact solver: LP relaxation, reduced-cost fixing, HiGHS on what is left, exact checks."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from khooshe.analysis._highs import quiet_highs
from khooshe.analysis.portfolio._greedy import (
    _greedy,
)
from khooshe.analysis.portfolio._instance import (
    _Rows,
)
from khooshe.analysis.portfolio._units import (
    _GAP_NOISE,
    _INF,
)


@dataclass
class _Solved:
    x: np.ndarray  # bool
    value: float  # objective value (solver units)
    bound: float  # proven bound (solver units), integral-rounded when the objective is
    optimal: bool
    gap: float
    status: str
    seconds: float
    n_free: int


def _lp(c: np.ndarray, maximize: bool, rows: _Rows, lb: np.ndarray, ub: np.ndarray,
        integer: bool, offset: float = 0.0, row_bounds=None) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    n = len(c)
    lp.num_col_ = n
    lp.num_row_ = rows.matrix.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_ = np.asarray(lb, dtype=float)
    lp.col_upper_ = np.asarray(ub, dtype=float)
    lo, hi = rows.float_bounds() if row_bounds is None else row_bounds
    lp.row_lower_ = lo
    lp.row_upper_ = hi
    lp.offset_ = float(offset)
    m = rows.matrix
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = m.indptr.astype(np.int32)
    lp.a_matrix_.index_ = m.indices.astype(np.int32)
    lp.a_matrix_.value_ = m.data.astype(float)
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    return lp


def _highs(options: Mapping[str, Any] | None = None) -> highspy.Highs:
    h = quiet_highs()
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    return h


class _Relaxation:
    """The LP relaxation, kept in one HiGHS object so that a changed row bound re-solves from
    the previous basis (used along the frontier)."""

    def __init__(self, c, maximize, rows: _Rows, lb, ub):
        self.h = _highs()
        self.h.passModel(_lp(c, maximize, rows, lb, ub, integer=False))

    def solve(self, rows: _Rows) -> tuple[str, float, np.ndarray, np.ndarray]:
        lo, hi = rows.float_bounds()
        for r in range(len(lo)):
            self.h.changeRowBounds(r, lo[r], hi[r])
        self.h.run()
        status = self.h.modelStatusToString(self.h.getModelStatus())
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return status, math.nan, np.zeros(0), np.zeros(0)
        sol = self.h.getSolution()
        return (status, self.h.getInfo().objective_function_value,
                np.asarray(sol.col_value), np.asarray(sol.col_dual))


#: Largest objective coefficient HiGHS is given: costs in rials (10⁹–10¹³) are divided by a
#: power of ten to stay below it. Given a start solution, HiGHS 1.16 stopped at a worse
#: portfolio and called it optimal when coefficients were ~10⁹ (tests/test_portfolio.py,
#: the job target against the dynamic programme); it does not at ≤ 10⁷.
SOLVER_COEFFICIENT = 1e6


def _solver_scale(c: np.ndarray) -> float:
    """The power of ten the objective is divided by before HiGHS sees it."""
    top = float(np.max(np.abs(c))) if len(c) else 0.0
    return 1.0 if top <= SOLVER_COEFFICIENT else 10.0 ** math.ceil(
        math.log10(top / SOLVER_COEFFICIENT))


def _solve(
    c: np.ndarray,
    maximize: bool,
    rows: _Rows,
    lb: np.ndarray,
    ub: np.ndarray,
    *,
    integral: bool,
    fill_order: np.ndarray,
    starts: Sequence[np.ndarray] = (),
    need: tuple[np.ndarray, int] | None = None,
    time_limit: float | None = None,
    rel_gap: float = 0.0,
    relaxation: _Relaxation | None = None,
    presolve: bool = False,
) -> _Solved | None:
    """Solve ``max/min c·x, rows, lb ≤ x ≤ ub, x binary`` exactly; None when infeasible.

    LP relaxation → best of (rounded LP + greedy fill, given starts) → reduced-cost fixing →
    HiGHS MIP on the remaining columns → exact check of every row (tighten and re-solve if a
    tolerance let a bound slip).
    """
    t0 = time.perf_counter()
    sign = 1.0 if maximize else -1.0
    if relaxation is None:
        relaxation = _Relaxation(c, maximize, rows, lb, ub)
    status, u_lp, x_lp, d = relaxation.solve(rows)
    if status == "Infeasible":
        return None
    allowed = ub > 0

    def feasible(x: np.ndarray) -> bool:
        return bool(np.all(x >= lb) and np.all(x <= ub)) and not rows.violations(x)

    candidates = [s.astype(bool) for s in starts]
    if len(x_lp):
        down = (x_lp > 1 - 1e-9) | (lb > 0)
        candidates.append(_greedy(rows, fill_order, down, allowed, need))
        candidates.append((x_lp > 1e-9) | (lb > 0))
    best: np.ndarray | None = None
    for cand in candidates:
        if feasible(cand) and (best is None or sign * c[cand].sum() > sign * c[best].sum()):
            best = cand
    g = None if best is None else float(c[best].sum())

    # reduced-cost fixing
    fixed = lb == ub
    fixed_val = lb.astype(bool).copy()
    min_d = math.inf
    if g is not None and len(x_lp):
        slack_obj = sign * (u_lp - g)
        tol = 1e-7 * max(1.0, abs(u_lp))
        at_lo, at_hi = x_lp < 1e-9, x_lp > 1 - 1e-9
        can = ~fixed & (at_lo | at_hi) & (np.abs(d) > slack_obj + tol)
        fixed = fixed | can
        fixed_val = np.where(can, at_hi, fixed_val)
        if can.any():
            min_d = float(np.abs(d[can]).min())
    free = np.flatnonzero(~fixed)
    base = fixed_val & fixed

    def bound_of_fixing() -> float:
        return sign * (sign * u_lp - min_d) if math.isfinite(min_d) else -sign * math.inf

    tightened = 0
    work_rows = rows
    while True:
        sub_act = work_rows.activity(base)
        lo_f, hi_f = work_rows.float_bounds()
        sub_lo = lo_f - sub_act
        sub_hi = hi_f - sub_act
        sub_rows = _Rows(work_rows.matrix[:, free].tocsr(), work_rows.lower, work_rows.upper,
                         work_rows.labels)
        offset = float(c[base].sum())
        if len(free) == 0:
            x = base.copy()
            mip_status, mip_bound, mip_value = "Optimal", float(c[x].sum()), float(c[x].sum())
            if rows.violations(x):
                return None
        else:
            scale = _solver_scale(c[free])
            options: dict[str, Any] = {
                "mip_rel_gap": float(rel_gap),
                "presolve": "on" if presolve else "off",
            }
            if integral:  # stop once the gap is under one unit of the (unscaled) objective
                options["mip_abs_gap"] = (1.0 - 1e-6) / scale
            if time_limit is not None:
                options["time_limit"] = max(0.05, float(time_limit) - (time.perf_counter() - t0))
            h = _highs(options)
            h.passModel(_lp(c[free] / scale, maximize, sub_rows, lb[free], ub[free],
                            integer=True, offset=offset / scale, row_bounds=(sub_lo, sub_hi)))
            if best is not None:
                h.setSolution(len(free), np.arange(len(free), dtype=np.int32),
                              best[free].astype(float))
            h.run()
            ms = h.getModelStatus()
            mip_status = h.modelStatusToString(ms)
            if ms == highspy.HighsModelStatus.kInfeasible:
                return None
            info = h.getInfo()
            x = base.copy()
            if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
                x[free] = np.asarray(h.getSolution().col_value)[: len(free)] > 0.5
            elif best is not None:
                x = best.copy()
            else:
                return _Solved(np.zeros(len(c), bool), math.nan, math.nan, False, math.inf,
                               mip_status, time.perf_counter() - t0, len(free))
            mip_value = float(c[x].sum())
            mip_bound = float(info.mip_dual_bound) * scale
        over = rows.violations(x)
        if not over:
            break
        if tightened >= 3:
            raise RuntimeError(f"HiGHS kept returning portfolios beyond a bound: {over}")
        # a floating-point tolerance let a bound slip by a few rials: tighten and solve again
        tightened += 1
        upper = list(work_rows.upper)
        lower = list(work_rows.lower)
        for r, amount in over:
            hi, lo = upper[r], lower[r]
            if hi is not None and rows.activity(x)[r] > hi:
                upper[r] = hi - amount
            else:
                assert lo is not None  # a violated row not above its upper bound is below this
                lower[r] = lo + amount
        work_rows = _Rows(work_rows.matrix, lower, upper, work_rows.labels)

    if best is not None and sign * c[best].sum() > sign * mip_value and feasible(best):
        x, mip_value = best.copy(), float(c[best].sum())
    value = float(c[x].sum())
    if not math.isfinite(mip_bound):
        mip_bound = sign * _INF
    bound = max(sign * mip_bound, sign * bound_of_fixing()) * sign
    if integral:
        # float noise only: costs of 10^13 rials carry ~0.01 rial of rounding in a sum
        eps = 1e-6 + 1e-12 * abs(bound)
        bound = math.floor(bound + eps) if maximize else math.ceil(bound - eps)
    gap_abs = max(0.0, sign * (bound - value))
    if integral and gap_abs < 1:
        gap_abs = 0.0
    gap = gap_abs / max(abs(value), 1e-12) if gap_abs > 0 else 0.0
    if gap < _GAP_NOISE:
        gap = 0.0
    optimal = gap == 0.0 and tightened == 0
    status = mip_status if not tightened else f"{mip_status} (bounds tightened {tightened}×)"
    return _Solved(x, value, bound, optimal, gap, status, time.perf_counter() - t0, len(free))
