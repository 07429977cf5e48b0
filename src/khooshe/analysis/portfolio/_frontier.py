"""The budget → jobs frontier."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from khooshe.analysis.portfolio._greedy import (
    _efficiency,
    _greedy,
    _greedy_order,
)
from khooshe.analysis.portfolio._instance import (
    BUDGET,
    _check_forced,
    _prepare,
)
from khooshe.analysis.portfolio._optimum import (
    _scale,
)
from khooshe.analysis.portfolio._solver import (
    _Relaxation,
    _solve,
)
from khooshe.analysis.portfolio._units import (
    GREEDY_RULES,
    Objective,
    PortfolioInputError,
)
from khooshe.domain.validate import (
    parse_amount,
)


def frontier(
    units: pd.DataFrame,
    budgets: Sequence[int | str] | None = None,
    *,
    points: int = 20,
    objective: Objective = "jobs",
    weights: Mapping[str, float] | None = None,
    cap_province: Mapping[str, int | str] | None = None,
    cap_sector: Mapping[str, int | str] | None = None,
    min_progress: float | None = None,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    time_limit: float | None = None,
    rel_gap: float = 0.0,
    validated: bool = False,
) -> pd.DataFrame:
    """The budget → jobs frontier: the optimum at each of several budgets.

    Parameters
    ----------
    budgets : sequence, optional
        Budgets in rials. Default: ``points`` evenly spaced budgets from ``T / points`` to
        ``T``, ``T`` the cost of every eligible unit (the budget beyond which nothing more can
        be bought; caps may flatten the curve earlier).
    points : int
        Number of budgets when ``budgets`` is not given (≥ 1).
    time_limit : float, optional
        Seconds per budget.

    Other parameters are those of :func:`optimize_portfolio`. One LP relaxation is built
    once and re-solved from its previous basis after each change of the budget row; budgets
    are solved in increasing order and each optimum is offered as a start to the next.

    Returns
    -------
    DataFrame
        One row per budget (increasing): ``budget``, ``jobs``, ``cost``, ``units``,
        ``objective_value``, ``optimal``, ``gap``, ``seconds``, ``greedy_most_advanced``,
        ``greedy_cheapest_per_job`` (jobs of the naive rules at that budget),
        ``marginal_cost_per_job`` (extra cost per extra job from the previous point).
    """
    t_all = time.perf_counter()
    inst = _prepare(units, objective=objective, weights=weights, cap_province=cap_province,
                    cap_sector=cap_sector, min_progress=min_progress, include=include,
                    exclude=exclude, validated=validated)
    if budgets is None:
        if isinstance(points, bool) or not isinstance(points, int) or points < 1:
            raise PortfolioInputError(f"points must be a whole number ≥ 1, not {points!r}")
        top = int(inst.cost[inst.ub > 0].sum())
        grid = sorted({top * k // points for k in range(1, points + 1)})
    else:
        grid = sorted({parse_amount(b, BUDGET) for b in budgets})
    if not grid:
        raise PortfolioInputError("no budgets given")
    scale = _scale(inst)
    c = inst.value * scale
    fill = np.argsort(-_efficiency(inst.value, inst.cost), kind="stable")
    orders = {rule: _greedy_order(inst, rule) for rule in GREEDY_RULES}
    first = inst.money_rows(grid[0])
    relax = _Relaxation(c, True, first, inst.lb, inst.ub)
    prev: np.ndarray | None = None
    records = []
    forced_rows = inst.money_rows(grid[-1])
    _check_forced(inst, forced_rows)
    for b in grid:
        t0 = time.perf_counter()
        rows = inst.money_rows(b)
        if rows.violations(inst.lb.astype(np.int64)):
            records.append({"budget": b, "jobs": None, "cost": None, "units": None,
                            "objective_value": None, "optimal": False, "gap": None,
                            "seconds": 0.0, "note": "must-include units exceed this budget"})
            continue
        greedy = {r: _greedy(rows, o, inst.lb > 0, inst.ub > 0) for r, o in orders.items()}
        starts = list(greedy.values()) + ([prev] if prev is not None else [])
        sol = _solve(c, True, rows, inst.lb, inst.ub, integral=inst.integral, fill_order=fill,
                     starts=starts, time_limit=time_limit, rel_gap=rel_gap, relaxation=relax)
        assert sol is not None
        prev = sol.x
        jobs = int(inst.jobs[sol.x].sum())
        records.append({
            "budget": b, "jobs": jobs, "cost": int(inst.cost[sol.x].sum()),
            "units": int(sol.x.sum()),
            "objective_value": float(jobs) if inst.integral else float(inst.value[sol.x].sum()),
            "optimal": sol.optimal, "gap": sol.gap, "seconds": time.perf_counter() - t0,
            **{f"greedy_{r}": int(inst.jobs[g].sum()) for r, g in greedy.items()},
            "note": "",
        })
    out = pd.DataFrame.from_records(records)
    for r in GREEDY_RULES:
        if f"greedy_{r}" not in out.columns:
            out[f"greedy_{r}"] = None
    d_cost = out["cost"].astype(float).diff()
    d_jobs = out["jobs"].astype(float).diff()
    first_cpj = out["cost"].astype(float) / out["jobs"].astype(float).where(out["jobs"] > 0)
    out["marginal_cost_per_job"] = (d_cost / d_jobs.where(d_jobs > 0)).fillna(
        first_cpj.where(out.index == 0))
    out.attrs["seconds"] = time.perf_counter() - t_all
    cols = ["budget", "jobs", "cost", "units", "objective_value", "optimal", "gap", "seconds",
            "greedy_most_advanced", "greedy_cheapest_per_job", "marginal_cost_per_job", "note"]
    return out[cols]
