"""The most jobs (or the best weighted score) within a budget, and the naive rules."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analysis.portfolio._greedy import (
    _efficiency,
    _greedy,
    _greedy_order,
)
from khooshe.analysis.portfolio._instance import (
    BUDGET,
    _check_forced,
    _Instance,
    _prepare,
    _Rows,
)
from khooshe.analysis.portfolio._results import (
    MarginalUnit,
    PortfolioResult,
)
from khooshe.analysis.portfolio._solver import (
    _solve,
)
from khooshe.analysis.portfolio._units import (
    GREEDY_RULES,
    GreedyRule,
    Objective,
    PortfolioInfeasibleError,
    PortfolioInputError,
    cost_per_job,
)
from khooshe.domain.validate import (
    parse_amount,
)


def _scale(inst: _Instance) -> float:
    """Solver units per objective unit: jobs as they are, weighted shares × 10⁶ (ppm) so that
    HiGHS' absolute tolerances are small against one unit's score."""
    return 1.0 if inst.integral else 1e6


def _marginals(inst: _Instance, rows: _Rows, x: np.ndarray
               ) -> tuple[MarginalUnit | None, MarginalUnit | None]:
    df = inst.units
    cpv = np.where(inst.value > 0, inst.cost / np.where(inst.value > 0, inst.value, 1), np.inf)
    cpj = cost_per_job(df).to_numpy()

    def unit(i: int, side, extra=0, blocked=()) -> MarginalUnit:
        return MarginalUnit(side, str(df["id"].iloc[i]), str(df["province"].iloc[i]),
                            str(df["isic"].iloc[i]), float(df["progress_pct"].iloc[i]),
                            int(inst.cost[i]), int(inst.jobs[i]), float(cpj[i]), int(extra),
                            tuple(blocked))

    chosen = np.flatnonzero(x & (inst.value > 0) & (inst.lb == 0))
    m_in = unit(int(chosen[np.argmax(cpv[chosen])]), "in") if len(chosen) else None
    out = np.flatnonzero(~x & (inst.ub > 0))
    m_out = None
    if len(out):
        i = int(out[np.argmin(cpv[out])])
        y = x.copy()
        y[i] = True
        over = rows.violations(y)
        blocked = tuple(rows.labels[r] for r, _ in over)
        extra = next((a for r, a in over if rows.labels[r] == "budget"), 0)
        m_out = unit(i, "out", extra, blocked)
    return m_in, m_out


def optimize_portfolio(
    units: pd.DataFrame,
    budget: int | str,
    *,
    objective: Objective = "jobs",
    weights: Mapping[str, float] | None = None,
    cap_province: Mapping[str, int | str] | None = None,
    cap_sector: Mapping[str, int | str] | None = None,
    min_progress: float | None = None,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    time_limit: float | None = None,
    rel_gap: float = 0.0,
    minimize_cost: bool = True,
    validated: bool = False,
) -> PortfolioResult:
    """Choose the half-finished units to complete so as to maximise expected jobs (or a
    weighted objective) within a budget.

    Parameters
    ----------
    units : DataFrame
        One row per unit; see :func:`validate_units` for the columns.
    budget : int or str
        Money available, in rials (a string is parsed by :func:`parse_amount`).
    objective : {"jobs", "weighted"}
        Maximise expected jobs, or the weighted score of :func:`weighted_score`.
    weights : mapping, optional
        Weighted objective: criterion (``jobs``, ``output``, ``exports``) → weight ≥ 0.
        Default: equal weights over the criteria present.
    cap_province : mapping, optional
        Province code → the most money (rials) its selected units may cost.
    cap_sector : mapping, optional
        ISIC class (4 digits) or prefix (1–3 digits: a division or group) → the most money its
        selected units may cost. Caps may overlap.
    min_progress : float, optional
        Units with less physical progress (%) are not eligible (must-include units excepted).
    include, exclude : collection of str, optional
        Unit ids that must / must not be selected (comma-separated strings are split).
    time_limit : float, optional
        Seconds for the MIP; the best portfolio found is returned with ``optimal=False`` and
        its gap when the limit stops HiGHS before the proof.
    rel_gap : float
        HiGHS ``mip_rel_gap``; 0 (default) asks for a proven optimum.
    minimize_cost : bool
        Jobs objective: among the portfolios with the optimal number of jobs return the
        cheapest (one more MIP, bounded by the same time limit). When it stops before its own
        proof the portfolio still has the optimal jobs, at a cost that may not be the lowest.
    validated : bool
        Skip :func:`validate_units` (``units`` is already its output).

    Returns
    -------
    PortfolioResult

    Raises
    ------
    ValidationError
        Bad rows in ``units`` (row, column, value, reason).
    PortfolioInputError
        Unknown ids, bad caps, weights or options.
    PortfolioInfeasibleError
        The must-include units alone exceed the budget or a cap.
    """
    t0 = time.perf_counter()
    inst = _prepare(units, objective=objective, weights=weights, cap_province=cap_province,
                    cap_sector=cap_sector, min_progress=min_progress, include=include,
                    exclude=exclude, validated=validated)
    budget = parse_amount(budget, BUDGET)
    if not (isinstance(rel_gap, int | float) and 0 <= rel_gap < 1):
        raise PortfolioInputError(f"rel_gap must be in [0, 1), not {rel_gap!r}")
    if time_limit is not None and not time_limit > 0:
        raise PortfolioInputError(f"time limit must be positive, not {time_limit!r}")
    rows = inst.money_rows(budget)
    _check_forced(inst, rows)
    scale = _scale(inst)
    c = inst.value * scale
    greedy = {rule: _greedy(rows, _greedy_order(inst, rule), inst.lb > 0, inst.ub > 0)
              for rule in GREEDY_RULES}
    fill = np.argsort(-_efficiency(inst.value, inst.cost), kind="stable")
    sol = _solve(c, True, rows, inst.lb, inst.ub, integral=inst.integral, fill_order=fill,
                 starts=list(greedy.values()), time_limit=time_limit, rel_gap=rel_gap)
    if sol is None:  # cannot happen once the forced units fit; kept as a guard
        raise PortfolioInfeasibleError("no portfolio satisfies the budget and the caps")
    x, status = sol.x, sol.status
    if minimize_cost and inst.integral and sol.value > 0:
        # second stage: the cheapest portfolio with the same (optimal) jobs
        need_rows = _Rows(
            sp.vstack([sp.csr_matrix(inst.jobs.reshape(1, -1) * (inst.ub > 0)),
                       rows.matrix]).tocsr().astype(np.int64),
            [int(round(sol.value)), *rows.lower], [None, *rows.upper],
            ["jobs"] + rows.labels,
        )
        left = None if time_limit is None else max(0.5, time_limit - (time.perf_counter() - t0))
        second = _solve(inst.cost.astype(float), False, need_rows, inst.lb, inst.ub,
                        integral=True, fill_order=fill, starts=[x], time_limit=left,
                        need=(inst.jobs, int(round(sol.value))))
        if second is not None and int(inst.jobs[second.x].sum()) >= int(inst.jobs[x].sum()):
            x = second.x
    jobs = int(inst.jobs[x].sum())
    value = float(inst.value[x].sum())
    m_in, m_out = _marginals(inst, rows, x)
    df = _annotate(inst, x)
    for rule, g in greedy.items():
        df[f"selected_{rule}"] = g.astype(np.int8)
    return PortfolioResult(
        units=df, objective=inst.objective, objective_value=value if not inst.integral
        else float(jobs), jobs=jobs, cost=int(inst.cost[x].sum()), budget=budget,
        optimal=sol.optimal, gap=sol.gap, dual_bound=sol.bound / scale, status=status,
        seconds=time.perf_counter() - t0, free_units=sol.n_free,
        greedy_jobs={r: int(inst.jobs[g].sum()) for r, g in greedy.items()},
        greedy_cost={r: int(inst.cost[g].sum()) for r, g in greedy.items()},
        marginal_in=m_in, marginal_out=m_out, weights=inst.weights,
        caps={label: amount for label, _, amount in inst.caps},
    )


def _annotate(inst: _Instance, x: np.ndarray) -> pd.DataFrame:
    df = inst.units.copy()
    df["selected"] = x.astype(np.int8)
    df["cost_per_job"] = cost_per_job(df).to_numpy()
    df["eligible"] = inst.ub > 0
    df["reason"] = inst.reason
    if inst.objective == "weighted":
        df["score"] = inst.value
    return df


def greedy_portfolio(
    units: pd.DataFrame,
    budget: int | str,
    rule: GreedyRule = "most_advanced",
    *,
    cap_province: Mapping[str, int | str] | None = None,
    cap_sector: Mapping[str, int | str] | None = None,
    min_progress: float | None = None,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    validated: bool = False,
) -> pd.DataFrame:
    """A naive rule, for comparison with the optimum.

    ``most_advanced``: units by physical progress, highest first (ties: lower cost per job);
    ``cheapest_per_job``: by cost per job, lowest first (ties: higher progress). Must-include
    units are taken first; then each unit in turn is taken if it fits the money left (budget
    and caps), otherwise skipped, and the rule goes on with the next. The candidates are the
    optimiser's: units that expect jobs, not excluded, with enough progress.

    Returns
    -------
    DataFrame
        The units with ``selected`` (0/1) and ``cost_per_job``.
    """
    inst = _prepare(units, cap_province=cap_province, cap_sector=cap_sector,
                    min_progress=min_progress, include=include, exclude=exclude,
                    validated=validated)
    rows = inst.money_rows(parse_amount(budget, BUDGET))
    _check_forced(inst, rows)
    x = _greedy(rows, _greedy_order(inst, rule), inst.lb > 0, inst.ub > 0)
    return _annotate(inst, x)
