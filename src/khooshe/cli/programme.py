"""The cluster programme's workflows from the command line: ``khooshe cluster`` (approve a
cluster's next stage, its timeline with the evidence each stage lacks), ``khooshe proposals``
(the county governors' ten villages) and ``khooshe committee`` (the steering committee's
meetings, decisions, follow-up board and meeting report)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from khooshe.cli._common import (
    Texts,
    abort,
    command_classes,
    current_actor,
    date_option,
    echo,
    lang,
    open_workspace,
    print_error,
    say,
    text,
    warn,
)

if TYPE_CHECKING:
    from khooshe.domain.validate import ValidationError


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


def _pairs(given: list[str], option: str) -> dict[str, str]:
    """``NAME=VALUE`` options as a mapping; another shape stops the command naming it."""
    out = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            abort(text("cluster.bad_pair", option=option, value=item))
        out[name.strip()] = value.strip()
    return out


def _refuse_options(exc: ValidationError, options: dict[str, str]) -> NoReturn:
    """Every problem of a refused change, each under the option it came from; exit 2."""
    for issue in exc.issues:
        name, _, part = issue.column.partition(".")
        option = options.get(issue.column) or (
            f"--{part.replace('_', '-')} {name}" if part else f"--{name.replace('_', '-')}")
        print_error(f"{option}: {issue.text(lang())}")
    raise typer.Exit(2)


def register(app: typer.Typer, language: str) -> None:
    """Add the ``cluster``, ``proposals`` and ``committee`` groups to ``app``, their help in
    ``language``."""
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
        from khooshe.text.jalali import format_jalali

        target = _stage(stage)
        day = date_option(on, "--on")
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

    @cluster.command("targets", help=h("targets"), cls=cls)
    def targets_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        code: str = typer.Argument(..., help=h.arg("code")),
    ) -> None:
        from khooshe.domain.vocab import label
        from khooshe.services.cluster_targets import indicator_progress
        from khooshe.text.digits import digits
        from khooshe.text.numbers import format_number

        with open_workspace(workspace) as ws:
            progress = indicator_progress(ws, [code])
        if progress.empty:
            say("cluster.no_targets", code=code)
            return
        say("cluster.targets_title", code=code)
        marks = {"green": "●", "amber": "◐", "red": "○", "no_data": "·"}
        for row in progress.itertuples(index=False):
            echo(text("cluster.target_row", mark=marks[row.status],
                      period=digits(row.period, lang()),
                      indicator=label("indicator", row.indicator, lang()),
                      actual=("—" if row.actual != row.actual
                              else format_number(row.actual, lang())),
                      target=format_number(row.target, lang()),
                      baseline=format_number(row.baseline or 0, lang()),
                      status=label("rag_status", row.status, lang())))

    @cluster.command("members", help=h("members"), cls=cls)
    def members_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        code: str = typer.Argument(..., help=h.arg("code")),
    ) -> None:
        from khooshe.domain.vocab import MEMBER_KINDS, label
        from khooshe.services.cluster_members import (
            TRIPLE_HELIX_KINDS,
            member_growth,
            membership,
        )
        from khooshe.text.digits import digits

        with open_workspace(workspace) as ws:
            counts = membership(ws, [code]).iloc[0]
            growth = member_growth(ws, code)
        kinds = text("words.comma").join(
            text("cluster.kind_count", kind=label("member_kind", k, lang()), n=int(counts[k]))
            for k in MEMBER_KINDS if counts[k])
        say("cluster.members_title", code=code, n=int(counts["total"]), kinds=kinds or "—",
            registered=int(counts["registered_firms"]))
        say("cluster.helix_yes" if counts["triple_helix"] else "cluster.helix_no",
            n=int(counts["partner_kinds"]), k=TRIPLE_HELIX_KINDS)
        for row in growth.itertuples(index=False):
            say("cluster.growth_row", year=digits(row.year, lang()), joined=row.joined,
                members=row.members)

    @cluster.command("activities", help=h("activities"), cls=cls)
    def activities_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        code: str = typer.Argument(..., help=h.arg("code")),
    ) -> None:
        import pandas as pd

        from khooshe.domain.vocab import label
        from khooshe.services.cluster_activities import (
            activity_summary,
            training_reach,
            verifications,
        )
        from khooshe.text.jalali import format_jalali

        with open_workspace(workspace) as ws:
            summary = activity_summary(ws, [code])
            took, firms = training_reach(ws, code)
            checks = verifications(ws, [code])
        say("cluster.activities_title", code=code, n=int(summary["count"].sum()))
        for row in summary.itertuples(index=False):
            # a kind without a cost or without the members' share has none (NaN): shown 0
            cost, share = (0.0 if pd.isna(v) else float(v)
                           for v in (row.cost_rials, row.cofinance_share))
            say("cluster.activity_row", kind=label("activity_kind", row.kind, lang()),
                n=int(row.count), cost=cost / 1e10, share=round(100 * share),
                members=int(row.members_reached), countries=row.countries or "—")
        say("cluster.training_reach", took=took, firms=firms,
            hours=float(summary.loc[summary["kind"] == "training", "hours"].sum()))
        for row in checks.itertuples(index=False):
            say("cluster.check_row", company=str(row.company), country=str(row.country),
                outcome=label("verification_outcome", str(row.outcome), lang()),
                date=format_jalali(row.verified_on, lang()) or "—")

    @cluster.command("add-activity", help=h("add_activity"), cls=cls)
    def add_activity_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        code: str = typer.Argument(..., help=h.arg("code")),
        kind: str = typer.Option(..., "--kind", help=h.opt("kind")),
        on: str = typer.Option(..., "--date", help=h.opt("date")),
        title: str = typer.Option(None, "--title", help=h.opt("title")),
        place: str = typer.Option(None, "--place", help=h.opt("place")),
        country: str = typer.Option(None, "--country", help=h.opt("country")),
        participants: str = typer.Option(None, "--participants", help=h.opt("participants")),
        hours: str = typer.Option(None, "--hours", help=h.opt("hours")),
        trainees: str = typer.Option(None, "--trainees", help=h.opt("trainees")),
        cost: str = typer.Option(None, "--cost", help=h.opt("cost")),
        share: str = typer.Option(None, "--share", help=h.opt("share")),
        member: list[str] = typer.Option([], "--member", help=h.opt("member")),  # noqa: B008
        activity_id: str = typer.Option(None, "--id", help=h.opt("id")),
    ) -> None:
        from khooshe.domain.validate import ValidationError
        from khooshe.domain.vocab import label, parse_choice
        from khooshe.services.cluster_activities import record_activity
        from khooshe.text.jalali import format_jalali

        values = {"kind": parse_choice("activity_kind", kind) or kind, "date": on,
                  "title": title, "place": place, "country": country,
                  "participants": participants, "hours": hours, "trainees": trainees,
                  "cost_rials": cost, "cofinance_rials": share, "activity_id": activity_id}
        took = dict(m.partition(":")[::2] for m in member)
        options = {"cost_rials": "--cost", "cofinance_rials": "--share", "date": "--date",
                   "activity_id": "--id", **{f"people.{m}": f"--member {m}" for m in took}}
        with open_workspace(workspace) as ws:
            try:
                done = record_activity(ws, code, {k: v for k, v in values.items()
                                                  if v is not None}, took,
                                       actor=current_actor())
            except ValidationError as exc:
                _refuse_options(exc, options)
        say("cluster.activity_added", code=code, id=str(done["activity_id"]),
            kind=label("activity_kind", str(done["kind"]), lang()),
            date=format_jalali(done["date"], lang()), n=len(took))

    @cluster.command("record-period", help=h("record_period"), cls=cls)
    def record_period_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        code: str = typer.Argument(..., help=h.arg("code")),
        period: str = typer.Argument(..., help=h.arg("period")),
        figure: list[str] = typer.Option([], "--figure", help=h.opt("figure")),  # noqa: B008
        target: list[str] = typer.Option([], "--target", help=h.opt("target")),  # noqa: B008
        baseline: list[str] = typer.Option([], "--baseline",  # noqa: B008
                                           help=h.opt("baseline")),
        since: list[str] = typer.Option([], "--baseline-period",  # noqa: B008
                                        help=h.opt("baseline_period")),
        source: str = typer.Option(None, "--source", help=h.opt("source")),
    ) -> None:
        from khooshe.domain.validate import ValidationError
        from khooshe.services.cluster_targets import record_period
        from khooshe.text.digits import digits

        figures = _pairs(figure, "--figure")
        targets: dict[str, dict[str, str]] = {}
        for part, given, option in (("target", target, "--target"),
                                    ("baseline", baseline, "--baseline"),
                                    ("baseline_period", since, "--baseline-period")):
            for indicator, value in _pairs(given, option).items():
                targets.setdefault(indicator, {})[part] = value
        if not figures and not targets:
            abort(text("cluster.nothing_to_record"))
        options = {**{k: f"--figure {k}" for k in figures}, "period": "PERIOD"}
        with open_workspace(workspace) as ws:
            try:
                done = record_period(ws, code, period, figures=figures, targets=targets,
                                     source=source, actor=current_actor())
            except ValidationError as exc:
                _refuse_options(exc, options)
        say("cluster.period_recorded", code=code, period=digits(period, lang()),
            created=done["created"],
            changed=done["changed"], removed=done["removed"])

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

        target = parse_choice("village_status", status)
        if target is None:
            names = text("words.comma").join(
                f"{s} ({label('village_status', s, lang())})" for s in VILLAGE_STATUSES)
            abort(text("proposals.bad_status", value=status, statuses=names))
        day = date_option(on, "--on")
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

    h = Texts(language, "committee")
    committee = typer.Typer(help=h("help"), cls=group, no_args_is_help=True)
    app.add_typer(committee, name="committee")

    @committee.command("meeting", help=h("meeting"), cls=cls)
    def meeting_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        meeting_id: str = typer.Argument(..., help=h.arg("meeting")),
        province: str = typer.Option(..., "--province", help=h.opt("province")),
        on: str = typer.Option(..., "--on", help=h.opt("on")),
        chair: str = typer.Option(None, "--chair", help=h.opt("chair")),
        attendees: str = typer.Option(None, "--attendees", help=h.opt("attendees")),
        clusters: str = typer.Option(None, "--clusters", help=h.opt("clusters")),
        agenda: str = typer.Option(None, "--agenda", help=h.opt("agenda")),
    ) -> None:
        from khooshe.services.committee import hold_meeting

        with open_workspace(workspace) as ws:
            hold_meeting(ws, {"meeting_id": meeting_id, "province_code": province,
                              "held_on": on, "chair": chair, "attendees": attendees,
                              "clusters": (clusters or "").replace(",", ";") or None,
                              "agenda": agenda}, actor=current_actor())
        say("committee.held", meeting=meeting_id)

    @committee.command("decide", help=h("decide"), cls=cls)
    def committee_decide_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        meeting_id: str = typer.Argument(..., help=h.arg("meeting")),
        decision: str = typer.Option(..., "--text", help=h.opt("text")),
        responsible: str = typer.Option(..., "--responsible", help=h.opt("responsible")),
        due: str = typer.Option(None, "--due", help=h.opt("due")),
        cluster_code: str = typer.Option(None, "--cluster", help=h.opt("cluster")),
    ) -> None:
        from khooshe.services.committee import add_decision

        with open_workspace(workspace) as ws:
            row = add_decision(ws, meeting_id, {"text": decision, "responsible": responsible,
                                                "due_on": due, "cluster_code": cluster_code},
                               actor=current_actor())
        say("committee.decided", meeting=meeting_id, number=str(row["number"]))

    @committee.command("follow-up", help=h("follow_up"), cls=cls)
    def follow_up_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        meeting_id: str = typer.Argument(..., help=h.arg("meeting")),
        number: int = typer.Argument(..., help=h.arg("number")),
        status: str = typer.Option(None, "--status", help=h.opt("status")),
        note_text: str = typer.Option(None, "--note", help=h.opt("note")),
        on: str = typer.Option(None, "--on", help=h.opt("done_on")),
    ) -> None:
        from khooshe.domain.vocab import label
        from khooshe.services.committee import follow_up

        day = date_option(on, "--on")
        with open_workspace(workspace) as ws:
            after = follow_up(ws, meeting_id, number, status, actor=current_actor(),
                              note=note_text, on=day)
        say("committee.followed", meeting=meeting_id, number=str(number),
            status=label("decision_status", str(after["status"]), lang()))

    @committee.command("board", help=h("board"), cls=cls)
    def board_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        province: str = typer.Option(..., "--province", help=h.opt("province")),
        as_of: str = typer.Option(None, "--as-of", help=h.opt("as_of")),
    ) -> None:
        from khooshe.services.committee import decisions, follow_up_board
        from khooshe.text.jalali import format_jalali

        day = date_option(as_of, "--as-of")
        with open_workspace(workspace) as ws:
            board = follow_up_board(ws, province, day)
            late = decisions(ws, province, day)
        say("committee.board_title", province=province)
        for row in board.itertuples(index=False):
            say("committee.board_row", org=str(row.responsible), open=row.open,
                overdue=row.overdue, done=row.done, days=row.oldest_overdue_days)
        late = late[late["overdue"]].sort_values("days_overdue", ascending=False)
        if len(late):
            say("committee.overdue_title", n=len(late))
        for row in late.head(10).itertuples(index=False):
            say("committee.overdue_row", meeting=str(row.meeting_id), number=str(row.number),
                text=str(row.text), org=str(row.responsible),
                due=format_jalali(row.due_on, lang()), days=row.days_overdue)

    @committee.command("report", help=h("report"), cls=cls)
    def report_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        meeting_id: str = typer.Argument(..., help=h.arg("meeting")),
        out: Path = typer.Option(..., "--out", help=h.opt("out")),
        formats: str = typer.Option("html,pdf", "--formats", help=h.opt("formats")),
    ) -> None:
        from khooshe.services.plan import write_plan
        from khooshe.services.plan.meeting import meeting_report

        chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
        unknown = [f for f in chosen if f not in ("html", "pdf", "xlsx")]
        if unknown or not chosen:
            abort(text("committee.bad_formats", given=formats))
        with open_workspace(workspace) as ws:
            report = meeting_report(ws, meeting_id)
        written = write_plan(report, out, lang=lang(), formats=chosen,
                             stem=f"meeting-{meeting_id}")
        failed = {f: e for f, e in written.items() if isinstance(e, Exception)}
        for path in written.values():
            if not isinstance(path, Exception):
                say("committee.written", path=str(path))
        if failed:
            raise next(iter(failed.values()))
