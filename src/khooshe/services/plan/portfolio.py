"""Section 6, half-finished units: which to complete first for the most jobs within a budget
(seeds R6–R7), the cheapest way to a job target and the budget → jobs frontier."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from khooshe.reports.model import Section
from khooshe.services.plan._context import (
    Money,
    PlanContext,
    figure,
    per_language,
    say,
    section,
    table,
    words,
)
from khooshe.services.portfolio import DEFAULT_BUDGET_SHARE, PortfolioPlan, plan_portfolio
from khooshe.text.messages import Bilingual

#: Points of the budget → jobs frontier.
FRONTIER_POINTS = 20
GREEDY_LINES = (("greedy_most_advanced", "header.most_advanced_first"),
                ("greedy_cheapest_per_job", "header.cheapest_per_job_first"))


def _proof(optimal: bool, gap: float | None) -> Bilingual:
    """«proven optimal», or the gap to the best bound the solver proved."""
    return words("portfolio.proven") if optimal else say("portfolio.gap", gap=gap or 0.0)


def _lines(ctx: PlanContext, plan: PortfolioPlan) -> list[Bilingual]:
    s, units = plan.summary, plan.units
    budget_note = (words("portfolio.budget_given") if plan.budget_source == "given"
                   else say("portfolio.budget_default", share=DEFAULT_BUDGET_SHARE))
    proof = _proof(s["optimal"], s["gap"])
    lines = [
        say("portfolio.units", n=len(units), jobs=int(units["expected_jobs"].sum()),
            cost=Money(float(units["remaining_cost_rials"].sum()))),
        say("portfolio.optimum", budget=Money(s["budget"]), src=budget_note,
            k=int(s["units_selected"]), jobs=int(s["jobs"]), proof=proof,
            ma=int(s["greedy_jobs"]["most_advanced"]),
            cj=int(s["greedy_jobs"]["cheapest_per_job"])),
    ]
    cheapest = int(s["greedy_jobs"]["cheapest_per_job"])
    if cheapest >= int(s["jobs"]):
        lines.append(say("portfolio.rule_matches", jobs=int(s["jobs"])))
    else:
        lines.append(say("portfolio.optimum_gains", more=int(s["jobs"]) - cheapest))
    target_proof = None
    if plan.target is not None:
        target_proof = _proof(plan.target.optimal, plan.target.gap)
        lines.append(say("portfolio.target", t=plan.target_jobs,
                         k=int(plan.target.selected.sum()), cost=Money(plan.target.cost),
                         proof=target_proof))
    else:
        lines.append(say("portfolio.target_unreachable", t=plan.target_jobs,
                         msg=plan.target_message))
    m = plan.result.marginal_out
    if m is not None:
        lines.append(say("portfolio.next_unit", id=m.id, jobs=int(m.expected_jobs),
                         extra=Money(m.extra_budget)))
    lines.append(ctx.decide("portfolio", say(
        "portfolio.todo", k=int(s["units_selected"]), budget=Money(s["budget"]),
        jobs=int(s["jobs"]), proof=proof)))
    return lines


def _frontier_figure(ctx: PlanContext, plan: PortfolioPlan, front: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    # the simple rules first and thin, the optimum last and thick: where a rule reaches the
    # optimum its line runs under the optimum's, and both stay visible
    for (rule, label), colour in zip(GREEDY_LINES, ("#d9822b", "#3c6fb4"), strict=True):
        if rule in front:
            fig.add_trace(go.Scatter(x=front["budget_bn_toman"], y=front[rule], mode="lines",
                                     name=ctx.pick(words(label)),
                                     line={"dash": "dot", "width": 2, "color": colour}))
    fig.add_trace(go.Scatter(x=front["budget_bn_toman"], y=front["jobs"], mode="lines+markers",
                             name=ctx.pick(words("portfolio.optimum_line")),
                             line={"width": 4, "color": "#2a7f62"},
                             marker={"size": 7, "color": "#2a7f62"}))
    fig.update_layout(title={"text": ctx.pick(words("portfolio.frontier"))}, height=400,
                      xaxis={"title": {"text": ctx.pick(words("axis.budget_bn_toman"))}},
                      yaxis={"title": {"text": ctx.pick(words("axis.jobs"))}},
                      margin={"l": 10, "r": 10, "t": 50, "b": 40})
    if plan.target is not None:
        fig.add_hline(y=plan.target_jobs, line_dash="dash", line_color="#b43c5a")
    return fig


def build(ctx: PlanContext) -> Section:
    """The optimum under the budget, the job target, the frontier and the naive rules."""
    if not (ctx.establishments["status"] == "half_finished").any():
        return section("portfolio", [words("portfolio.none")])
    plan = plan_portfolio(ctx.ws, province=ctx.province, budget=ctx.options.budget,
                          target_jobs=ctx.options.target_jobs, frontier=FRONTIER_POINTS)
    front = plan.frontier.assign(budget_bn_toman=plan.frontier["budget"] / 1e10,
                                 cost_bn_toman=plan.frontier["cost"] / 1e10)
    units = plan.units
    chosen = units[units["selected"] == 1].sort_values("cost_per_job")
    chosen = chosen.assign(cost_bn_toman=chosen["remaining_cost_rials"] / 1e10,
                           cost_per_job_m_toman=chosen["cost_per_job"] / 1e7,
                           activity_fa=ctx.isic_label(chosen["isic"], "fa"),
                           activity_en=ctx.isic_label(chosen["isic"], "en"))
    ctx.notes.append(words("portfolio.note_method"))
    by_county = (chosen.groupby(["county_fa", "county_en"])
                 .agg(units=("id", "size"), jobs=("expected_jobs", "sum"),
                      cost_bn_toman=("cost_bn_toman", "sum"))
                 .reset_index().sort_values("jobs", ascending=False))
    tables = [
        table("portfolio_counties", words("portfolio.table.counties"), by_county, {
            "county_fa": "county_fa", "county_en": "county_en", "units": "units",
            "jobs": "jobs", "cost_bn_toman": "completion_cost_bn_toman"}, rows=None),
        table("portfolio_units", words("portfolio.table.units"), chosen, {
            "id": "id", "name": "name", "county_fa": "county_fa", "county_en": "county_en",
            "isic": "isic", "activity_fa": "activity_fa", "activity_en": "activity_en",
            "progress_pct": "progress_pct", "cost_bn_toman": "completion_cost_bn_toman",
            "expected_jobs": "jobs", "cost_per_job_m_toman": "cost_per_job_m_toman",
            "selected_target": "in_target_set"},
            rows=15,  # the cheapest per job first; by county above, all in the workbook
            shown=per_language("id", "county_{lang}", "activity_{lang}", "progress_pct",
                               "cost_bn_toman", "expected_jobs", "cost_per_job_m_toman")),
        table("portfolio_frontier", words("portfolio.frontier"), front, {
            "budget_bn_toman": "budget_bn_toman", "jobs": "jobs_optimum", "units": "units",
            "greedy_most_advanced": "most_advanced_first",
            "greedy_cheapest_per_job": "cheapest_per_job_first",
            "optimal": "proven_optimal"}, rows=None),
    ]
    fig = figure("frontier", words("portfolio.frontier"), _frontier_figure(ctx, plan, front))
    return section("portfolio", _lines(ctx, plan), tables, [fig])
