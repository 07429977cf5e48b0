"""The steering committee's meeting report (seeds R15, R18), generated from the registry: the
meeting, the clusters it reviews (stage, latest indicators, missing evidence), the decisions it
made, the province's decisions due or overdue on its date, the problems its organisations
reported in supporting clusters and not yet resolved, and the follow-up board per
organisation. Rendered like the plan (HTML and PDF in the reader's language, XLSX).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from khooshe.reports.model import Plan
from khooshe.services.cluster_stages import evidence_gaps
from khooshe.services.committee import (
    DUE_SOON_DAYS,
    decisions,
    meeting,
    organisation_board,
    support_problems,
)
from khooshe.services.plan._context import labels, per_language, say, section, table, words
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace
from khooshe.text.jalali import format_jalali
from khooshe.text.messages import Bilingual, isolated


def _dates(frame: pd.DataFrame, col: str) -> None:
    """``col_fa`` and ``col_en``: the date as Jalali text in each language."""
    for lang in ("fa", "en"):
        frame[f"{col}_{lang}"] = frame[col].map(lambda v, lang=lang: format_jalali(v, lang))


def _clusters(ws: Workspace, record: dict, province: str) -> pd.DataFrame:
    """The clusters the meeting reviews (all the province's when it names none), with their
    stage, latest indicators and the evidence their reached stages lack."""
    clusters = read_kind(ws, "clusters")
    listed = [c for c in str(record.get("clusters") or "").split(";") if c]
    chosen = clusters[clusters["code"].isin(listed)] if listed else clusters[
        clusters["province_code"] == province]
    chosen = chosen.copy()
    indicators = read_kind(ws, "cluster_indicators")
    latest = (indicators[indicators["cluster_code"].isin(chosen["code"])]
              .sort_values("period").groupby("cluster_code").tail(1).set_index("cluster_code"))
    for col in ("period", "jobs", "members", "exports_usd"):
        chosen[col] = chosen["code"].map(latest[col]) if len(latest) else None
    gaps = evidence_gaps(ws, chosen["code"].tolist())
    missing = gaps.groupby("cluster_code").size()
    chosen["missing_evidence"] = chosen["code"].map(missing).fillna(0).astype(int)
    for lang in ("fa", "en"):
        chosen[f"stage_{lang}"] = labels("cluster_stage", chosen["stage"], lang)
    chosen["name_en"] = chosen["name_en"].fillna(chosen["name_fa"])
    return chosen.reset_index(drop=True)


def meeting_report(ws: Workspace, meeting_id: str, as_of: dt.date | None = None) -> Plan:
    """The report of meeting ``meeting_id``: decisions due are those open and due by
    :data:`~khooshe.services.committee.DUE_SOON_DAYS` days after the meeting (or ``as_of``
    when given, e.g. today for a follow-up copy)."""
    record = meeting(ws, meeting_id)
    province = str(record["province_code"])
    held = pd.Timestamp(record["held_on"]).date()
    as_of = as_of or held
    regions = read_kind(ws, "regions").set_index("code")
    name = Bilingual(str(regions.loc[province, "name_fa"]),
                     str(regions.loc[province, "name_en"] or regions.loc[province, "name_fa"]))
    clusters = _clusters(ws, record, province)
    all_decisions = decisions(ws, province, as_of)
    names = read_kind(ws, "clusters").set_index("code")
    for frame in (all_decisions,):
        for lang in ("fa", "en"):
            col = "name_fa" if lang == "fa" else "name_en"
            frame[f"cluster_{lang}"] = frame["cluster_code"].map(
                names[col].fillna(names["name_fa"])).fillna("—")
            frame[f"status_{lang}"] = labels("decision_status", frame["status"], lang)
        _dates(frame, "due_on")
        _dates(frame, "held_on")
    own = all_decisions[all_decisions["meeting_id"] == meeting_id]
    soon = pd.Timestamp(as_of + dt.timedelta(days=DUE_SOON_DAYS))
    due = all_decisions[(all_decisions["meeting_id"] != meeting_id)
                        & (all_decisions["status"] == "open")
                        & (pd.to_datetime(all_decisions["due_on"]) <= soon)]
    problems = support_problems(ws, province, as_of)
    board = organisation_board(all_decisions, problems)
    problems = problems[problems["unresolved"]].copy()
    for lang in ("fa", "en"):
        col = "name_fa" if lang == "fa" else "name_en"
        problems[f"cluster_{lang}"] = problems["cluster_code"].map(
            names[col].fillna(names["name_fa"])).fillna("—")
        problems[f"status_{lang}"] = labels("problem_status", problems["status_as_of"], lang)
    _dates(problems, "reported_on")

    lines = [say("meeting.held", date=Bilingual(format_jalali(held, "fa"),
                                                format_jalali(held, "en")),
                 province=name, id=meeting_id)]
    for col in ("chair", "attendees", "agenda", "minutes_ref"):
        if record.get(col):
            lines.append(say(f"meeting.{col}", value=isolated(str(record[col]))))
    lines.append(say("meeting.counts", clusters=len(clusters), decisions=len(own),
                     due=len(due), overdue=int(due["overdue"].sum())))
    first = [section("meeting", lines)]
    first[0].title_fa = say("meeting.title", id=meeting_id).fa
    first[0].title_en = say("meeting.title", id=meeting_id).en

    reviewed = section("meeting_clusters", [words("meeting.clusters_lead")], [table(
        "meeting_clusters", words("meeting.table.clusters"), clusters, {
            "code": "code", "name_fa": "name_fa", "name_en": "name_en",
            "stage_fa": "stage_fa", "stage_en": "stage_en", "period": "period",
            "jobs": "jobs", "members": "members_count", "exports_usd": "exports_usd",
            "missing_evidence": "missing_evidence"}, rows=None,
        shown=per_language("name_{lang}", "stage_{lang}", "period", "jobs", "members",
                           "exports_usd", "missing_evidence"))])
    decision_cols = {
        "meeting_id": "meeting_id", "number": "number", "held_on_fa": "held_on_fa",
        "held_on_en": "held_on_en", "cluster_fa": "cluster_fa", "cluster_en": "cluster_en",
        "text": "decision_text", "responsible": "responsible", "due_on_fa": "due_on_fa",
        "due_on_en": "due_on_en", "status_fa": "status_fa", "status_en": "status_en",
        "days_overdue": "days_overdue"}
    made = section("meeting_decisions", [say("meeting.decisions_lead", n=len(own))], [table(
        "meeting_decisions", words("meeting.table.decisions"), own, decision_cols, rows=None,
        shown=per_language("number", "cluster_{lang}", "text", "responsible", "due_on_{lang}"))])
    pending = section("meeting_due", [say("meeting.due_lead", days=DUE_SOON_DAYS,
                                          n=len(due), overdue=int(due["overdue"].sum()))], [
        table("meeting_due", words("meeting.table.due"), due, decision_cols, rows=None,
              shown=per_language("held_on_{lang}", "number", "text", "responsible",
                                 "due_on_{lang}", "days_overdue"))])
    raised = section("meeting_problems", [say("meeting.problems_lead", n=len(problems))], [
        table("meeting_problems", words("meeting.table.problems"), problems, {
            "problem_id": "id", "organisation": "reported_by", "cluster_fa": "cluster_fa",
            "cluster_en": "cluster_en", "problem": "problem",
            "support_needed": "support_needed", "asked_of": "asked_of",
            "reported_on_fa": "reported_on_fa", "reported_on_en": "reported_on_en",
            "status_fa": "status_fa", "status_en": "status_en", "days_open": "days_open"},
            rows=None, shown=per_language("organisation", "problem", "support_needed",
                                          "reported_on_{lang}", "status_{lang}",
                                          "days_open"))])
    follow = section("meeting_board", [words("meeting.board_lead")], [table(
        "meeting_board", words("meeting.table.board"), board, {
            "responsible": "organisation", "open": "open", "overdue": "overdue",
            "done": "done", "cancelled": "cancelled",
            "oldest_overdue_days": "oldest_overdue_days",
            "problems_open": "problems_open"}, rows=None)])
    return Plan(province_code=province, province_name_fa=name.fa, province_name_en=name.en,
                generated_at=dt.datetime.now(), synthetic=ws.synthetic,
                sections=[*first, reviewed, made, pending, raised, follow],
                workspace_name=ws.name,
                title_fa=say("meeting.report_title", province=name, id=meeting_id).fa,
                title_en=say("meeting.report_title", province=name, id=meeting_id).en)


__all__ = ["meeting_report"]
