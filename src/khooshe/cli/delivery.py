"""Delivery from the command line: ``khooshe funds`` (commit a programme's allocation to
clusters, units and park projects, disburse, the balance per province), ``khooshe units``
(progress of half-finished units being completed) and ``khooshe projects`` (park projects and
their delays)."""

from __future__ import annotations

from pathlib import Path

import typer

from khooshe.cli._common import (
    Texts,
    abort,
    command_classes,
    current_actor,
    date_option,
    lang,
    open_workspace,
    say,
    text,
)


def register(app: typer.Typer, language: str) -> None:
    """Add the ``funds``, ``units`` and ``projects`` groups to ``app``."""
    group, cls = command_classes(language)

    h = Texts(language, "funds")
    funds = typer.Typer(help=h("help"), cls=group, no_args_is_help=True)
    app.add_typer(funds, name="funds")

    @funds.command("commit", help=h("commit"), cls=cls)
    def commit_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        commitment: str = typer.Argument(..., help=h.arg("commitment")),
        programme: str = typer.Option(..., "--programme", help=h.opt("programme")),
        year: int = typer.Option(..., "--year", help=h.opt("year")),
        province: str = typer.Option(..., "--province", help=h.opt("province")),
        to: str = typer.Option(..., "--to", help=h.opt("to")),
        amount: str = typer.Option(..., "--amount", help=h.opt("amount")),
        jobs: int = typer.Option(None, "--jobs", min=0, help=h.opt("jobs")),
        on: str = typer.Option(None, "--on", help=h.opt("on")),
    ) -> None:
        from khooshe.domain.validate import parse_amount
        from khooshe.services.fund_commitments import commit_funds

        rials = parse_amount(amount, "--amount")
        kind, _, recipient = to.partition(":")
        if not recipient:
            abort(text("funds.bad_to", value=to))
        day = date_option(on, "--on")
        with open_workspace(workspace) as ws:
            commit_funds(ws, {"commitment_id": commitment, "programme": programme,
                              "year": year, "region_code": province, "recipient_kind": kind,
                              "recipient": recipient, "committed_rials": rials,
                              "committed_on": day, "jobs_expected": jobs},
                         actor=current_actor())
        say("funds.committed", id=commitment, recipient=recipient)

    @funds.command("disburse", help=h("disburse"), cls=cls)
    def disburse_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        commitment: str = typer.Argument(..., help=h.arg("commitment")),
        amount: str = typer.Option(..., "--amount", help=h.opt("amount")),
        jobs: int = typer.Option(None, "--jobs-realised", min=0, help=h.opt("jobs_realised")),
        on: str = typer.Option(None, "--on", help=h.opt("on")),
    ) -> None:
        from khooshe.domain.validate import parse_amount
        from khooshe.services.fund_commitments import disburse

        rials = parse_amount(amount, "--amount")
        day = date_option(on, "--on")
        with open_workspace(workspace) as ws:
            after = disburse(ws, commitment, rials, actor=current_actor(), on=day,
                             jobs_realised=jobs)
        say("funds.disbursed", id=commitment, paid=int(after["disbursed_rials"]) / 1e10,
            committed=int(after["committed_rials"]) / 1e10)

    @funds.command("balance", help=h("balance"), cls=cls)
    def balance_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        province: str = typer.Option(..., "--province", help=h.opt("province")),
    ) -> None:
        import pandas as pd

        from khooshe.services.fund_commitments import fund_balance
        from khooshe.text.numbers import format_number

        with open_workspace(workspace) as ws:
            balance = fund_balance(ws, province)
        say("funds.balance_title", province=province)
        for row in balance.itertuples(index=False):
            per_job = row.rials_per_job_expected
            say("funds.balance_row", programme=str(row.programme), year=str(row.year),
                allocated=row.allocated / 1e10, committed=row.committed / 1e10,
                disbursed=row.disbursed / 1e10, remaining=row.remaining / 1e10,
                jobs=int(row.jobs_expected), realised=int(row.jobs_realised),
                per_job="—" if pd.isna(per_job) else format_number(per_job / 1e7, lang(), 1))

    h = Texts(language, "units")
    units = typer.Typer(help=h("help"), cls=group, no_args_is_help=True)
    app.add_typer(units, name="units")

    @units.command("report", help=h("report"), cls=cls)
    def report_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        unit: str = typer.Argument(..., help=h.arg("unit")),
        status: str = typer.Argument(..., help=h.arg("status")),
        progress: float = typer.Option(None, "--progress", min=0, max=100,
                                       help=h.opt("progress")),
        jobs: int = typer.Option(None, "--jobs", min=0, help=h.opt("jobs")),
        on: str = typer.Option(None, "--on", help=h.opt("on")),
        note_text: str = typer.Option(None, "--note", help=h.opt("note")),
    ) -> None:
        from khooshe.domain.vocab import UNIT_STATUSES, label, parse_choice
        from khooshe.services.unit_progress import report_unit

        chosen = parse_choice("unit_status", status)
        if chosen is None:
            abort(text("units.bad_status", value=status, statuses=text("words.comma").join(
                f"{s} ({label('unit_status', s, lang())})" for s in UNIT_STATUSES)))
        day = date_option(on, "--on")
        with open_workspace(workspace) as ws:
            report_unit(ws, unit, chosen, actor=current_actor(), progress=progress,
                        jobs_realised=jobs, on=day, note=note_text)
        say("units.reported", unit=unit, status=label("unit_status", chosen, lang()))

    @units.command("list", help=h("list"), cls=cls)
    def list_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        province: str = typer.Option(..., "--province", help=h.opt("province")),
    ) -> None:
        import pandas as pd

        from khooshe.domain.vocab import label
        from khooshe.services.unit_progress import unit_tracking

        with open_workspace(workspace) as ws:
            tracked = unit_tracking(ws, province)
        say("units.list_title", province=province, n=len(tracked))
        for row in tracked.itertuples(index=False):
            say("units.row", unit=str(row.establishment_id), name=str(row.name),
                status=label("unit_status", str(row.status), lang()),
                progress="—" if pd.isna(row.progress) else round(float(row.progress)),
                expected=0 if pd.isna(row.jobs_expected) else int(row.jobs_expected),
                realised="—" if pd.isna(row.jobs_realised) else int(row.jobs_realised))

    h = Texts(language, "projects")
    projects = typer.Typer(help=h("help"), cls=group, no_args_is_help=True)
    app.add_typer(projects, name="projects")

    @projects.command("delays", help=h("delays"), cls=cls)
    def delays_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        province: str = typer.Option(..., "--province", help=h.opt("province")),
        as_of: str = typer.Option(None, "--as-of", help=h.opt("as_of")),
    ) -> None:
        from khooshe.domain.vocab import label
        from khooshe.services.park_projects import project_delays

        day = date_option(as_of, "--as-of")
        with open_workspace(workspace) as ws:
            delays = project_delays(ws, province, day)
        say("projects.title", province=province, n=len(delays))
        for row in delays.itertuples(index=False):
            flag = (text("projects.overdue") if row.overdue else
                    text("projects.delayed") if row.delayed else text("projects.on_plan"))
            say("projects.row", id=str(row.project_id), title=str(row.title),
                contractor=str(row.contractor or "—"),
                status=label("project_status", str(row.status), lang()),
                actual=float(row.actual_progress or 0), expected=float(row.expected_progress),
                flag=flag)
