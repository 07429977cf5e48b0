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
        from khooshe.services.programme import advance_stage
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
        from khooshe.services.programme import stage_timeline
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
