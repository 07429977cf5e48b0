"""``khooshe cluster``: the cluster programme's workflows from the command line — approve a
cluster's next stage (``advance``) and show its timeline with the evidence each stage lacks."""

from __future__ import annotations

from pathlib import Path

import typer

from khooshe.cli._common import (
    Texts,
    abort,
    command_classes,
    current_actor,
    echo,
    lang,
    open_workspace,
    say,
    text,
    warn,
)


def _stage(value: str) -> str:
    from khooshe.domain.vocab import CLUSTER_STAGES, label, parse_choice

    stage = parse_choice("cluster_stage", value)
    if stage is None:
        names = text("words.comma").join(f"{s} ({label('cluster_stage', s, lang())})"
                                         for s in CLUSTER_STAGES)
        abort(text("cluster.bad_stage", value=value, stages=names))
    return stage


def _kinds(kinds: list[str]) -> str:
    from khooshe.domain.vocab import label

    comma = text("words.comma")
    return comma.join(label("document_kind", k, lang()) for k in kinds)


def register(app: typer.Typer, language: str) -> None:
    """Add the ``cluster`` group to ``app``, its help in ``language``."""
    group, cls = command_classes(language)
    h = Texts(language, "cluster")
    cluster = typer.Typer(help=h("help"), cls=group, no_args_is_help=True)
    app.add_typer(cluster, name="cluster")

    @cluster.command("advance", help=h("advance"), cls=cls)
    def advance_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        code: str = typer.Argument(..., help=h.arg("code")),
        stage: str = typer.Argument(..., help=h.arg("stage")),
        on: str = typer.Option(None, "--on", help=h.opt("on")),
        decision: str = typer.Option(None, "--decision", help=h.opt("decision")),
        note: str = typer.Option(None, "--note", help=h.opt("note")),
    ) -> None:
        from khooshe.domain.vocab import label
        from khooshe.services.cluster_stages import advance_stage
        from khooshe.text.jalali import format_jalali, parse_date

        target = _stage(stage)
        try:
            day = parse_date(on) if on else None
        except ValueError:
            abort(text("cluster.bad_date", value=on))
        with open_workspace(workspace) as ws:
            step = advance_stage(ws, code, target, actor=current_actor(), approved_on=day,
                                 decision=decision, note=note)
        say("cluster.corrected" if step.correction else "cluster.advanced", code=code,
            before=label("cluster_stage", step.previous, lang()),
            after=label("cluster_stage", step.stage, lang()),
            date=format_jalali(step.approved_on, lang()))
        if step.missing:
            warn(text("cluster.missing", stage=label("cluster_stage", step.stage, lang()),
                      kinds=_kinds(step.missing)))

    @cluster.command("timeline", help=h("timeline"), cls=cls)
    def timeline_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        code: str = typer.Argument(..., help=h.arg("code")),
    ) -> None:
        from khooshe.domain.vocab import label
        from khooshe.services.cluster_stages import stage_timeline
        from khooshe.text.jalali import format_jalali

        with open_workspace(workspace) as ws:
            timeline = stage_timeline(ws, code)
        say("cluster.timeline_title", code=code)
        for row in timeline.itertuples(index=False):
            stage = label("cluster_stage", row.stage, lang())
            if not row.reached:
                echo(text("cluster.timeline_ahead", stage=stage,
                          kinds=_kinds(row.expected) or "—"))
                continue
            echo(text("cluster.timeline_row", mark="▶" if row.current else "✓", stage=stage,
                      date=format_jalali(row.approved_on, lang()) or "—",
                      by=row.approved_by or "—", decision=row.decision or "—"))
            if row.missing:
                say("cluster.timeline_missing", kinds=_kinds(row.missing), style="yellow")

    h = Texts(language, "proposals")
    proposals = typer.Typer(help=h("help"), cls=group, no_args_is_help=True)
    app.add_typer(proposals, name="proposals")

    @proposals.command("propose", help=h("propose"), cls=cls)
    def propose_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        province: str = typer.Option(..., "--province", help=h.opt("province")),
        per_county: int = typer.Option(10, "--per-county", min=1, help=h.opt("per_county")),
    ) -> None:
        from khooshe.services.village_proposals import propose_villages

        with open_workspace(workspace) as ws:
            report = propose_villages(ws, province, actor=current_actor(),
                                      per_county=per_county)
        say("proposals.proposed", added=report.added, kept=report.kept)
        for county, n in sorted(report.short.items()):
            warn(text("proposals.short", county=county, n=n))

    @proposals.command("decide", help=h("decide"), cls=cls)
    def decide_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        village: str = typer.Argument(..., help=h.arg("village")),
        status: str = typer.Argument(..., help=h.arg("status")),
        reason: str = typer.Option(None, "--reason", help=h.opt("reason")),
        by: str = typer.Option(None, "--by", help=h.opt("by")),
        activity: str = typer.Option(None, "--activity", help=h.opt("activity")),
        on: str = typer.Option(None, "--on", help=h.opt("on")),
    ) -> None:
        from khooshe.domain.vocab import VILLAGE_STATUSES, label, parse_choice
        from khooshe.services.village_proposals import decide_village
        from khooshe.text.jalali import parse_date

        target = parse_choice("village_status", status)
        if target is None:
            names = text("words.comma").join(
                f"{s} ({label('village_status', s, lang())})" for s in VILLAGE_STATUSES)
            abort(text("proposals.bad_status", value=status, statuses=names))
        try:
            day = parse_date(on) if on else None
        except ValueError:
            abort(text("cluster.bad_date", value=on))
        with open_workspace(workspace) as ws:
            decide_village(ws, village, target, actor=current_actor(), reason=reason,
                           replacement=by, activity=activity, on=day)
        say("proposals.decided", village=village,
            status=label("village_status", target, lang()))
        if target == "replaced":
            say("proposals.replacement", village=by)

    @proposals.command("progress", help=h("progress"), cls=cls)
    def progress_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        province: str = typer.Option(..., "--province", help=h.opt("province")),
    ) -> None:
        from khooshe.services.village_proposals import county_progress

        with open_workspace(workspace) as ws:
            progress = county_progress(ws, province)
        say("proposals.progress_title", province=province)
        for row in progress.itertuples(index=False):
            name = row.name_fa if lang() == "fa" else (row.name_en or row.name_fa)
            say("proposals.county_row", county=str(name), code=row.county_code,
                prepared=row.prepared, of=row.of, confirmed=row.confirmed,
                waiting=row.proposed, started=row.cluster_started, rejected=row.rejected,
                replaced=row.replaced)
