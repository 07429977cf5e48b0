"""The cheapest set of units reaching a jobs target."""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Mapping
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analysis.portfolio._greedy import (
    _efficiency,
)
from khooshe.analysis.portfolio._instance import (
    BUDGET,
    _check_forced,
    _Instance,
    _prepare,
    _Rows,
)
from khooshe.analysis.portfolio._optimum import (
    _annotate,
)
from khooshe.analysis.portfolio._results import (
    TargetResult,
)
from khooshe.analysis.portfolio._solver import (
    _solve,
)
from khooshe.analysis.portfolio._units import (
    PortfolioInfeasibleError,
    PortfolioInputError,
)
from khooshe.domain.validate import (
    parse_amount,
)
from khooshe.text.messages import Message


def _max_jobs(inst: _Instance, rows: _Rows, time_limit: float | None) -> tuple[int, bool]:
    """Most jobs any allowed portfolio reaches under ``rows`` (proven or best found)."""
    allowed = inst.ub > 0
    if not rows.labels:
        return int(inst.jobs[allowed].sum()), True
    fill = np.argsort(-_efficiency(inst.jobs.astype(float), inst.cost), kind="stable")
    sol = _solve(inst.jobs.astype(float), True, rows, inst.lb, inst.ub, integral=True,
                 fill_order=fill, time_limit=time_limit)
    if sol is None:
        return 0, True
    return int(round(sol.value)), sol.optimal


#: Largest table (items × job states) the exact dynamic programme of
#: :func:`cheapest_for_jobs` fills (bytes of its choice table); past it HiGHS solves.
DP_CELLS = 60_000_000


def _cover_by_dp(inst: _Instance, target: int, reach: int) -> np.ndarray | None:
    """The cheapest units reaching ``target`` jobs when no money row binds (no budget, no
    caps), by an exact dynamic programme; ``None`` when its table would exceed
    :data:`DP_CELLS` (HiGHS solves then).

    ``min Σ c x  s.t. Σ j x ≥ N`` over the free units is a knapsack solved in whichever of two
    forms has fewer states: *leave out* units worth at most ``S = reach − N`` jobs saving the
    most cost (states: jobs left out, 0…S), or *cover* ``N`` (states: jobs so far, capped at
    N). Costs and jobs are integers, so the optimum is exact.
    """
    free = np.flatnonzero((inst.ub > 0) & (inst.lb == 0))
    forced = inst.lb > 0
    need = max(0, target - int(inst.jobs[forced].sum()))
    slack = reach - target
    jobs, cost = inst.jobs[free].tolist(), inst.cost[free].tolist()
    leave_out = slack <= need
    width = (slack if leave_out else need) + 1
    if len(free) * width > DP_CELLS:
        return None
    big = np.iinfo(np.int64).max // 4
    took = np.zeros((len(free), width), dtype=bool)
    capped_from = np.zeros(len(free), dtype=np.int64)  # cover form: origin of the cap state
    best = np.full(width, -big if leave_out else big, dtype=np.int64)
    best[0] = 0
    for i, (j, c) in enumerate(zip(jobs, cost, strict=True)):
        if leave_out:   # best[k]: the most cost saved leaving out units of exactly k jobs
            if j < width:
                cand = best[:width - j] + c
                better = cand > best[j:]
                took[i, j:] = better
                best[j:] = np.where(better, cand, best[j:])
            continue
        # cover: best[k] the least cost of exactly k jobs (k < N) or at least N (k = N)
        cand = np.full(width, big, dtype=np.int64)
        if j < width - 1:
            cand[j:width - 1] = best[:width - 1 - j] + c
        lo = max(0, width - 1 - j)
        capped_from[i] = lo + int(np.argmin(best[lo:]))
        cand[width - 1] = best[capped_from[i]] + c
        better = cand < best
        took[i] = better
        best = np.where(better, cand, best)
    x = np.zeros(inst.n, dtype=bool)
    x[forced] = True
    if leave_out:
        k = int(np.argmax(best))
        kept = np.ones(len(free), dtype=bool)
        for i in range(len(free) - 1, -1, -1):
            if took[i, k]:
                kept[i] = False
                k -= jobs[i]
        x[free[kept]] = True
        return x
    k = width - 1
    if best[k] >= big:
        return None
    for i in range(len(free) - 1, -1, -1):
        if took[i, k]:
            x[free[i]] = True
            k = int(capped_from[i]) if k == width - 1 else k - jobs[i]
    return x


def cheapest_for_jobs(
    units: pd.DataFrame,
    target_jobs: int,
    *,
    budget: int | str | None = None,
    cap_province: Mapping[str, int | str] | None = None,
    cap_sector: Mapping[str, int | str] | None = None,
    min_progress: float | None = None,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    time_limit: float | None = None,
    rel_gap: float = 0.0,
    validated: bool = False,
    method: Literal["auto", "highs"] = "auto",
) -> TargetResult:
    """The cheapest set of units whose expected jobs reach ``target_jobs``.

    ``minimise Σ c_i x_i  s.t.  Σ jobs_i x_i ≥ N``, the caps (and the budget when given),
    must-include/exclude and minimum progress as in :func:`optimize_portfolio`. Its cost is
    the budget that buys N jobs ("what budget buys 40,000 jobs").

    ``method="auto"`` solves a target without budget or caps by an exact dynamic programme
    when its table is small enough (:data:`DP_CELLS`), otherwise with HiGHS; ``"highs"``
    always uses HiGHS (to cross-check the two).

    Raises
    ------
    PortfolioInfeasibleError
        When no allowed portfolio reaches the target; the message and ``largest`` give the
        most jobs that can be reached.
    """
    t0 = time.perf_counter()
    inst = _prepare(units, cap_province=cap_province, cap_sector=cap_sector,
                    min_progress=min_progress, include=include, exclude=exclude,
                    validated=validated)
    if isinstance(target_jobs, bool) or not isinstance(target_jobs, int | np.integer) \
            or target_jobs < 0:
        raise PortfolioInputError(f"target jobs must be a whole number ≥ 0, not {target_jobs!r}")
    target = int(target_jobs)
    if method not in ("auto", "highs"):
        raise PortfolioInputError(f"method must be 'auto' or 'highs', not {method!r}")
    b = None if budget is None else parse_amount(budget, BUDGET)
    rows = inst.money_rows(b)
    _check_forced(inst, rows)
    reach, proven = _max_jobs(inst, rows, time_limit)
    if reach < target:
        limits = "budget_and_caps" if b is not None and inst.caps else \
            "budget" if b is not None else "caps" if inst.caps else "eligible"
        raise PortfolioInfeasibleError(Message(
            "portfolio.refuse.target_unreachable" if proven
            else "portfolio.refuse.target_unreachable_found",
            {"target": target, "limits": Message(f"portfolio.limits.{limits}"),
             "reach": reach}), largest=reach)
    if not rows.labels and method == "auto":
        x = _cover_by_dp(inst, target, reach)
        if x is not None:
            cost = int(inst.cost[x].sum())
            return TargetResult(
                units=_annotate(inst, x), target=target, jobs=int(inst.jobs[x].sum()),
                cost=cost, optimal=True, gap=0.0, dual_bound=float(cost),
                status="Optimal (dynamic programme)", seconds=time.perf_counter() - t0,
                max_jobs=reach)
    need_rows = _Rows(
        sp.vstack([sp.csr_matrix(inst.jobs.reshape(1, -1) * (inst.ub > 0)),
                   rows.matrix]).tocsr().astype(np.int64),
        [target, *rows.lower], [None, *rows.upper], ["jobs"] + rows.labels,
    )
    fill = np.argsort(-_efficiency(inst.jobs.astype(float), inst.cost), kind="stable")
    left = None if time_limit is None else max(0.5, time_limit - (time.perf_counter() - t0))
    sol = _solve(inst.cost.astype(float), False, need_rows, inst.lb, inst.ub, integral=True,
                 fill_order=fill, need=(inst.jobs, target), time_limit=left, rel_gap=rel_gap)
    if sol is None or not math.isfinite(sol.value):
        raise PortfolioInfeasibleError(
            f"no portfolio reaching {target:,} jobs was found within the time limit",
            largest=reach)
    return TargetResult(
        units=_annotate(inst, sol.x), target=target, jobs=int(inst.jobs[sol.x].sum()),
        cost=int(inst.cost[sol.x].sum()), optimal=sol.optimal, gap=sol.gap,
        dual_bound=sol.bound, status=sol.status, seconds=time.perf_counter() - t0,
        max_jobs=reach,
    )
