"""``khooshe portfolio``: which half-finished units to complete within a budget."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from khooshe.cli._choices import Objective, choice
from khooshe.cli._common import (
    Texts,
    abort,
    check_outputs,
    command_classes,
    echo,
    lang,
    open_workspace,
    say,
    text,
)

if TYPE_CHECKING:
    from khooshe.services.portfolio import PortfolioRun



def _limit(label: str) -> str:
    """A limit of the analysis («budget», «cap province 06») in the chosen language."""
    for prefix, key in (("cap province ", "cap_province"), ("cap sector ", "cap_sector")):
        if label.startswith(prefix):
            return text(f"portfolio.limit.{key}", code=label[len(prefix):])
    return text("portfolio.limit.budget") if label == "budget" else label

def register(app: typer.Typer, language: str) -> None:
    """Add ``portfolio`` to ``app``, its help in ``language``."""
    h = Texts(language, "portfolio")

    @app.command("portfolio", help=h("help"), cls=command_classes(language)[1])
    def portfolio_cmd(
        source: Path = typer.Argument(..., help=h.arg("source")),
        budget: str = typer.Option(None, "--budget", help=h.opt("budget")),
        province: str = typer.Option(None, "--province", help=h.opt("province")),
        objective: Objective = typer.Option("jobs", "--objective",
                                            parser=choice(Objective, "--objective"),
                                            help=h.opt("objective")),
        weight: list[str] = typer.Option(None, "--weight", help=h.opt("weight")),
        cap_province: list[str] = typer.Option(None, "--cap-province",
                                               help=h.opt("cap_province")),
        cap_sector: list[str] = typer.Option(None, "--cap-sector", help=h.opt("cap_sector")),
        min_progress: float = typer.Option(None, "--min-progress", help=h.opt("min_progress")),
        include: list[str] = typer.Option(None, "--include", help=h.opt("include")),
        exclude: list[str] = typer.Option(None, "--exclude", help=h.opt("exclude")),
        target_jobs: int = typer.Option(None, "--target-jobs", min=0,
                                        help=h.opt("target_jobs")),
        frontier_points: int = typer.Option(0, "--frontier", min=0, help=h.opt("frontier")),
        frontier_out: Path = typer.Option(None, "--frontier-out", help=h.opt("frontier_out")),
        time_limit: float = typer.Option(60.0, "--time-limit", help=h.opt("time_limit")),
        output: Path = typer.Option(..., "-o", "--output", help=h.opt("output")),
        summary_json: Path = typer.Option(None, "--summary-json", help=h.opt("summary_json")),
        errors: Path = typer.Option(None, "--errors", help=h.opt("errors")),
    ) -> None:
        """Choose the half-finished units to complete within a budget, proven optimal."""
        from khooshe.domain.parsing import parse_pairs, parse_weights
        from khooshe.io.tables import write_table
        from khooshe.services import portfolio as service

        check_outputs(output, frontier_out, errors)
        if summary_json is not None and summary_json.suffix.lower() != ".json":
            abort(text("portfolio.summary_type", path=str(summary_json)))
        workspace = source.is_dir()
        if workspace and province is None:
            abort(text("portfolio.needs_province"))
        if not workspace and budget is None:
            abort(text("portfolio.needs_budget"))
        if frontier_out is not None and frontier_points == 0:
            abort(text("portfolio.frontier_out"))
        if time_limit <= 0:
            abort(text("portfolio.time_limit", value=time_limit))
        options: dict[str, Any] = dict(
            objective=objective.value, weights=parse_weights(weight, "--weight"),
            cap_province=parse_pairs(cap_province, "--cap-province"),
            cap_sector=parse_pairs(cap_sector, "--cap-sector", form="ISIC=AMOUNT",
                                   example="10=200_000_000_000"),
            min_progress=min_progress, include=include, exclude=exclude,
            target_jobs=target_jobs, frontier=frontier_points, time_limit=time_limit)
        if workspace:
            with open_workspace(source) as ws:
                run = service.portfolio_from_workspace(ws, province, budget, **options)
        else:
            run = service.portfolio_from_file(source, budget, **options)
        write_table(run.units, output)
        if run.frontier is not None and frontier_out is not None:
            write_table(run.frontier, frontier_out)
        if summary_json is not None:
            write_json(summary_json, run.summary)
        print_run(run, output, summary_json)


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as JSON atomically (numpy scalars made plain, NaN and ∞ as null)."""
    import json
    import math

    from khooshe.io.tables import atomic_path

    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        if hasattr(v, "item"):  # numpy scalars
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v

    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(clean(data), ensure_ascii=False, indent=2), encoding="utf-8")


def _money(rials: int) -> str:
    from khooshe.text.numbers import format_money_toman

    return text("portfolio.money", rials=int(rials), toman=format_money_toman(rials, lang()))


def print_run(run: PortfolioRun, output: Path, summary_json: Path | None) -> None:
    """The optimum and its proof, the naive rules, the units at the budget edge, the job
    target, the frontier and the files written."""
    result, target, front = run.result, run.target, run.frontier
    if run.default_budget_share is not None:
        say("portfolio.default_budget", share=run.default_budget_share)
    proof = (text("portfolio.proven") if result.optimal
             else text("portfolio.not_proven", gap=result.gap, status=str(result.status)))
    say("portfolio.selected", selected=int(result.selected.sum()), units=len(run.units),
        jobs=result.jobs, cost=_money(result.cost), budget=_money(result.budget), proof=proof,
        seconds=result.seconds)
    if result.objective == "weighted":
        say("portfolio.weighted", value=result.objective_value, weights=str(result.weights))
    for rule, jobs in result.greedy_jobs.items():
        say("portfolio.rule", rule=text(f"portfolio.rules.{rule}"), jobs=jobs,
            gain=result.jobs - jobs)
    if result.marginal_out is not None:
        m = result.marginal_out
        edge = text("portfolio.marginal", id=m.id, jobs=m.expected_jobs,
                    cost=_money(m.remaining_cost_rials), extra=_money(m.extra_budget))
        if m.blocked_by:
            edge = text("portfolio.blocked", edge=edge,
                        units=text("words.comma").join(_limit(b) for b in m.blocked_by))
        echo(edge)
    if target is not None:
        reached = text("portfolio.target", target=target.target,
                       selected=int(target.selected.sum()), jobs=target.jobs,
                       cost=_money(target.cost))
        if not target.optimal:
            reached = text("portfolio.target_gap", reached=reached, gap=target.gap)
        echo(reached)
    if front is not None:
        say("portfolio.frontier", budgets=len(front), proven=int(front["optimal"].sum()),
            seconds=float(front.attrs.get("seconds", 0)))
    if summary_json is not None:
        say("portfolio.written_summary", path=str(output), summary=str(summary_json))
    else:
        say("portfolio.written", path=str(output))
