"""Half-finished units of a workspace: which to complete first (seeds R6–R7).

The workspace's establishments with status ``half_finished`` become the units table of
:mod:`khooshe.analysis.portfolio` (``id``, ``province``, ``county``, ``isic``, ``progress_pct``,
``remaining_cost_rials``, ``expected_jobs``, ``expected_output`` from the annual output and
``expected_exports`` from the exports value). :func:`plan_portfolio` answers the province's
questions in one call: the optimum within a budget, the cheapest set reaching the job target,
the budget → jobs frontier and the comparison with the naive rules.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from khooshe.analysis import portfolio as pf
from khooshe.io.tables import read_table

if TYPE_CHECKING:
    from khooshe.store.workspace import Workspace


def read_kind(ws: Workspace, kind: str, **options: Any) -> pd.DataFrame:
    """:func:`khooshe.store.repository.read_kind`, imported on first use: the file modes never
    open a workspace and should not load the store (SQLAlchemy, 0.13 s) for nothing."""
    from khooshe.store.repository import read_kind as read

    return read(ws, kind, **options)


#: Without a budget, the plan shows what half of the money needed to finish every unit buys:
#: the point where choosing well matters most (with all the money there is nothing to choose).
DEFAULT_BUDGET_SHARE = 0.5
#: Without a target, the units' expected jobs rounded down to a thousand: Khuzestan's 1,600
#: units "for 40,000 jobs" (seed R6) is such a figure.
TARGET_ROUNDING = 1000


def workspace_units(ws: Workspace, province: str | None = None) -> pd.DataFrame:
    """The workspace's half-finished units in the format of
    :func:`khooshe.analysis.portfolio.validate_units`, validated, with ``name``,
    ``county_fa`` and ``county_en`` for display.

    Raises
    ------
    ValueError
        For an unknown province or when it has no half-finished unit.
    ValidationError
        When a unit lacks what the optimisation needs (row = the unit's establishment id).
    """
    from khooshe.services.frames import establishments_with_regions

    est = establishments_with_regions(ws, province=province, statuses=("half_finished",))
    if est.empty:
        where = f"province {province}" if province else "the workspace"
        raise ValueError(f"{where} has no half-finished establishments (status half_finished)")
    units = pd.DataFrame({
        "id": est["id"].astype(str),
        "province": est["province"],
        "county": est["county"],
        "isic": est["isic"],
        "progress_pct": est["progress_pct"],
        "remaining_cost_rials": est["remaining_cost_rials"],
        "expected_jobs": est["expected_jobs"],
        "expected_output": est["annual_output_rials"],
        "expected_exports": est["exports_usd"],
        "name": est["name"],
    })
    units = pf.validate_units(units, source="establishments (half_finished)")
    names = read_kind(ws, "regions", columns=["code", "name_fa", "name_en"]).set_index("code")
    units["county_fa"] = units["county"].map(names["name_fa"])
    units["county_en"] = units["county"].map(names["name_en"])
    return units


@dataclass
class PortfolioPlan:
    """Everything the plan says about a province's half-finished units.

    Attributes
    ----------
    units : DataFrame
        Every unit with ``selected`` (0/1, the optimum within ``budget``), ``cost_per_job``
        and ``selected_target`` (0/1, the cheapest set reaching the target).
    result : PortfolioResult
        The optimum within the budget (``optimal``, ``gap``, greedy comparisons, marginal
        units).
    target : TargetResult or None
        The cheapest set reaching ``target_jobs``; None when unreachable (see
        ``target_message``).
    frontier : DataFrame
        The budget → jobs frontier.
    budget_source : str
        How the budget was chosen (``"given"`` or the default's description).
    summary : dict
        The summary of the result plus ``target_jobs``, ``target_cost``, ``budget_source``.
    """

    units: pd.DataFrame
    result: pf.PortfolioResult
    target: pf.TargetResult | None
    target_jobs: int
    target_message: str
    frontier: pd.DataFrame
    budget_source: str
    summary: dict[str, Any] = field(default_factory=dict)


def plan_portfolio(
    ws: Workspace,
    province: str | None = None,
    budget: int | str | None = None,
    target_jobs: int | None = None,
    frontier: int = 20,
    time_limit: float | None = 60.0,
    **options: Any,
) -> PortfolioPlan:
    """Optimise the completion of ``province``'s half-finished units.

    Parameters
    ----------
    ws : Workspace
    province : str, optional
        Province code; None for the whole workspace.
    budget : int or str, optional
        Money available (rials). Default: :data:`DEFAULT_BUDGET_SHARE` of what finishing every
        unit costs.
    target_jobs : int, optional
        Default: the units' expected jobs rounded down to :data:`TARGET_ROUNDING` (e.g.
        Khuzestan's 40,000).
    frontier : int
        Points of the budget → jobs frontier (0 for none).
    time_limit : float, optional
        Seconds per optimisation; past it the best portfolio found is reported with its gap.
    **options
        ``objective``, ``weights``, ``cap_province``, ``cap_sector``, ``min_progress``,
        ``include``, ``exclude`` as in :func:`khooshe.analysis.portfolio.optimize_portfolio`.
    """
    units = workspace_units(ws, province)
    objective_options = {k: options.pop(k) for k in ("objective", "weights") if k in options}
    if target_jobs is None:
        total = int(units["expected_jobs"].sum())
        target_jobs = max(total // TARGET_ROUNDING * TARGET_ROUNDING, min(total, 1))
    target: pf.TargetResult | None = None
    try:
        target = pf.cheapest_for_jobs(units, target_jobs, time_limit=time_limit, validated=True,
                                      **options)
        message = ""
    except pf.PortfolioInfeasibleError as exc:
        message = str(exc)
    if budget is None:
        budget = int(DEFAULT_BUDGET_SHARE * units["remaining_cost_rials"].sum())
        source = f"{DEFAULT_BUDGET_SHARE:.0%} of the cost of finishing every unit"
    else:
        source = "given"
    result = pf.optimize_portfolio(units, budget, time_limit=time_limit, validated=True,
                                   **objective_options, **options)
    table = result.units.copy()
    table["selected_target"] = (target.selected.astype(int) if target is not None else 0)
    front = (pf.frontier(units, points=frontier, time_limit=time_limit, validated=True,
                         **objective_options, **options)
             if frontier else pd.DataFrame())
    summary = dict(result.summary())
    summary.update(target_jobs=target_jobs, budget_source=source,
                   target_cost=None if target is None else target.cost,
                   target_reached=target is not None)
    return PortfolioPlan(units=table, result=result, target=target, target_jobs=target_jobs,
                         target_message=message, frontier=front, budget_source=source,
                         summary=summary)


# --- One optimisation run, on a units file or on a workspace (``khooshe portfolio``) ----------
@dataclass
class PortfolioRun:
    """What :func:`portfolio_from_file` and :func:`portfolio_from_workspace` found.

    Attributes
    ----------
    units : DataFrame
        Every unit with ``selected`` (0/1), ``cost_per_job`` and, when a job target was
        given, ``selected_target`` (0/1, the cheapest set reaching it).
    result : PortfolioResult
        The optimum within the budget (proof, gap, naive rules, units at the budget edge).
    target : TargetResult or None
        The cheapest set reaching ``target_jobs``, when asked.
    frontier : DataFrame or None
        The budget → jobs frontier, when asked.
    summary : dict
        ``source``, the result's summary, and ``target`` / ``frontier`` when computed
        (JSON-serialisable once numpy scalars are made plain).
    default_budget_share : float or None
        The share of the cost of finishing every unit used as the budget, when none was
        given (workspace mode); None when the budget was given.
    """

    units: pd.DataFrame
    result: pf.PortfolioResult
    target: pf.TargetResult | None
    frontier: pd.DataFrame | None
    summary: dict[str, Any]
    default_budget_share: float | None = None


def _optimise(
    units: pd.DataFrame,
    budget: int | str,
    *,
    source: str,
    objective: pf.Objective = "jobs",
    weights: Mapping[str, float] | None = None,
    cap_province: Mapping[str, int | str] | None = None,
    cap_sector: Mapping[str, int | str] | None = None,
    min_progress: float | None = None,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    target_jobs: int | None = None,
    frontier: int = 0,
    time_limit: float | None = 60.0,
) -> PortfolioRun:
    common: dict[str, Any] = dict(cap_province=cap_province, cap_sector=cap_sector,
                                  min_progress=min_progress, include=include, exclude=exclude,
                                  validated=True)
    result = pf.optimize_portfolio(units, budget, objective=objective, weights=weights,
                                   time_limit=time_limit, **common)
    target = (pf.cheapest_for_jobs(units, target_jobs, time_limit=time_limit, **common)
              if target_jobs is not None else None)
    front = (pf.frontier(units, points=frontier, objective=objective, weights=weights,
                         time_limit=time_limit, **common)
             if frontier else None)
    table = result.units
    if target is not None:
        table = table.assign(selected_target=target.units["selected"].to_numpy())
    summary: dict[str, Any] = {"source": source, **result.summary()}
    if target is not None:
        summary["target"] = target.summary()
    if front is not None:
        summary["frontier"] = front.to_dict("records")
    return PortfolioRun(units=table, result=result, target=target, frontier=front,
                        summary=summary)


def portfolio_from_file(path: str | Path, budget: int | str, **options: Any) -> PortfolioRun:
    """Choose the units of a units file (CSV, XLSX or Parquet; columns as
    :func:`khooshe.analysis.portfolio.validate_units`) to complete within ``budget`` rials.

    ``options``: ``objective`` (``jobs`` or ``weighted``), ``weights``, ``cap_province``,
    ``cap_sector`` (code → most rials), ``min_progress``, ``include``, ``exclude`` (unit ids),
    ``target_jobs`` (also the cheapest set reaching it), ``frontier`` (points of the budget →
    jobs frontier, 0 for none) and ``time_limit`` (seconds per optimisation).

    Raises
    ------
    ValidationError
        Every bad cell of the file (nothing is computed).
    InputError
        An unreadable file, a bad option, or an unreachable target (``InfeasibleError``
        with the largest reachable value).
    """
    raw = read_table(path, as_text=True)
    units = pf.validate_units(raw, source=Path(path).name)
    return _optimise(units, budget, source=str(path), **options)


def portfolio_from_workspace(ws: Workspace, province: str, budget: int | str | None = None,
                             **options: Any) -> PortfolioRun:
    """As :func:`portfolio_from_file` on the half-finished units of ``province``
    (:func:`workspace_units`); without a budget, :data:`DEFAULT_BUDGET_SHARE` of the cost of
    finishing every unit (reported in ``default_budget_share``)."""
    units = workspace_units(ws, province)
    share = None
    if budget is None:
        share = DEFAULT_BUDGET_SHARE
        budget = int(share * units["remaining_cost_rials"].sum())
    run = _optimise(units, budget, source=str(ws.root), **options)
    run.default_budget_share = share
    return run
