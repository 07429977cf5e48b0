"""What the optimisations return."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class MarginalUnit:
    """A unit at the edge of the budget.

    ``side="in"``: the selected unit with the highest cost per unit of value — the least
    efficient unit the budget buys. ``side="out"``: the best unselected unit by value per rial
    that did not fit; ``extra_budget`` is the money needed to add it to the portfolio as it is
    (0 when the budget suffices but a cap blocks it), ``blocked_by`` the budget or caps that it
    would break.
    """

    side: Literal["in", "out"]
    id: str
    province: str
    isic: str
    progress_pct: float
    remaining_cost_rials: int
    expected_jobs: int
    cost_per_job: float
    extra_budget: int = 0
    blocked_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["blocked_by"] = list(self.blocked_by)
        d["cost_per_job"] = None if math.isnan(self.cost_per_job) else self.cost_per_job
        return d


@dataclass(frozen=True)
class PortfolioResult:
    """The optimal portfolio under a budget.

    Attributes
    ----------
    units : DataFrame
        Every unit (the input columns, in the input order) with ``selected`` (0/1),
        ``cost_per_job`` (NaN when no jobs), ``eligible`` (could be chosen),
        ``reason`` (why a unit was fixed: must include/exclude, low progress, no jobs),
        ``score`` (weighted objective only) and ``selected_most_advanced`` /
        ``selected_cheapest_per_job`` (the naive rules' choices, 0/1).
    objective : str
        ``jobs`` or ``weighted``.
    objective_value : float
        Jobs, or the weighted share (0–1) delivered.
    jobs, cost, budget : int
        Jobs and cost (rials) of the portfolio; the budget.
    optimal : bool
        True when the optimum is proven (gap 0).
    gap : float
        Relative gap ``(bound − value) / value`` between the proven bound and the portfolio;
        0 when optimal.
    dual_bound : float
        Proven upper bound of the objective (jobs are integers, so it is rounded down).
    status : str
        HiGHS' model status of the last solve.
    seconds : float
        Wall time of the optimisation (greedy rules and marginal units included).
    free_units : int
        Units left to the MIP after reduced-cost fixing.
    greedy_jobs, greedy_cost : dict
        Jobs and cost of the naive rules (``most_advanced``, ``cheapest_per_job``) under the
        same budget, caps and eligibility.
    marginal_in, marginal_out : MarginalUnit or None
        The units at the budget edge.
    weights : dict
        Normalised weights of the weighted objective (``{"jobs": 1}`` for jobs).
    """

    units: pd.DataFrame
    objective: str
    objective_value: float
    jobs: int
    cost: int
    budget: int
    optimal: bool
    gap: float
    dual_bound: float
    status: str
    seconds: float
    free_units: int
    greedy_jobs: dict[str, int]
    greedy_cost: dict[str, int]
    marginal_in: MarginalUnit | None
    marginal_out: MarginalUnit | None
    weights: dict[str, float] = field(default_factory=dict)
    caps: dict[str, int] = field(default_factory=dict)

    @property
    def selected(self) -> np.ndarray:
        """Boolean mask of the selected units (input order)."""
        return self.units["selected"].to_numpy() == 1

    @property
    def selected_ids(self) -> list[str]:
        return self.units.loc[self.selected, "id"].astype(str).tolist()

    @property
    def gain_over_greedy(self) -> dict[str, int]:
        """Jobs gained over each naive rule."""
        return {rule: self.jobs - j for rule, j in self.greedy_jobs.items()}

    def summary(self) -> dict[str, Any]:
        """A JSON-serialisable summary."""
        return {
            "objective": self.objective,
            "objective_value": self.objective_value,
            "weights": self.weights,
            "jobs": self.jobs,
            "cost": self.cost,
            "budget": self.budget,
            "units_selected": int(self.selected.sum()),
            "units": len(self.units),
            "optimal": self.optimal,
            "gap": self.gap,
            "dual_bound": self.dual_bound,
            "status": self.status,
            "seconds": self.seconds,
            "free_units": self.free_units,
            "caps": self.caps,
            "greedy_jobs": self.greedy_jobs,
            "greedy_cost": self.greedy_cost,
            "gain_over_greedy": self.gain_over_greedy,
            "marginal_in": None if self.marginal_in is None else self.marginal_in.to_dict(),
            "marginal_out": None if self.marginal_out is None else self.marginal_out.to_dict(),
        }


@dataclass(frozen=True)
class TargetResult:
    """The cheapest portfolio that reaches a jobs target.

    ``units`` has ``selected`` (0/1) and ``cost_per_job``; ``cost`` is the budget that buys
    ``target`` jobs (``jobs`` ≥ ``target``); ``dual_bound`` a proven lower bound of that cost.
    """

    units: pd.DataFrame
    target: int
    jobs: int
    cost: int
    optimal: bool
    gap: float
    dual_bound: float
    status: str
    seconds: float
    max_jobs: int

    @property
    def selected(self) -> np.ndarray:
        return self.units["selected"].to_numpy() == 1

    def summary(self) -> dict[str, Any]:
        return {
            "target_jobs": self.target, "jobs": self.jobs, "cost": self.cost,
            "units_selected": int(self.selected.sum()), "optimal": self.optimal,
            "gap": self.gap, "dual_bound": self.dual_bound, "status": self.status,
            "seconds": self.seconds, "max_reachable_jobs": self.max_jobs,
        }
