"""A province's steering committee in the browser: the follow-up board per organisation, the
overdue decisions, the meetings with their reports (HTML and PDF, made on request), a form to
record a meeting with its decisions and a button marking a decision done; the same over
``/api/v1/committee/...``.

Thin over :mod:`khooshe.services.committee` and :func:`khooshe.services.plan.meeting.
meeting_report`: the rules and rights are theirs and the access policy's (the signed-in user
is passed as ``who``); reading a province's committee needs the right to read its meetings."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path as FilePath
from typing import Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.vocab import label
from khooshe.services import records
from khooshe.services.committee import (
    decisions,
    follow_up,
    follow_up_board,
    hold_meeting,
    organisation_board,
    support_problems,
)
from khooshe.store.repository import read_kind
from khooshe.text.digits import digits
from khooshe.text.messages import Message
from khooshe.web.app import State
from khooshe.web.deps import Session, api_principal, checked_form, page_session, state
from khooshe.web.routers._forms import (
    check_province,
    form_date,
    jalali,
    province_choices,
    province_of,
    region_name,
    render_page,
    text_or_none,
)
from khooshe.web.routers.api import BODY_ERRORS, ERRORS
from khooshe.web.security import PLAN_CSP

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["workflows"])

#: Blank decision rows of the meeting form.
DECISION_ROWS = 4
REPORT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}






def committee_context(st: State, session: Session, province: str) -> dict[str, Any]:
    lang, who = session.lang, session.principal
    check_province(st, who, province)
    today = dt.date.today()
    every = decisions(st.ws, province, today)
    problems = support_problems(st.ws, province, today)
    board = organisation_board(every, problems).to_dict("records")
    clusters = read_kind(st.ws, "clusters", columns=["code", "province_code", "name_fa",
                                                     "name_en"])
    mine = clusters[clusters["province_code"] == province].sort_values("code")
    names = {str(r["code"]): region_name(r, lang) for r in mine.to_dict("records")}

    def decision_row(r: dict[str, Any]) -> dict[str, Any]:
        cluster = text_or_none(r.get("cluster_code")) or ""
        return {"meeting": str(r["meeting_id"]), "number": int(r["number"]),
                "text": text_or_none(r.get("text")) or "",
                "responsible": text_or_none(r.get("responsible")) or "",
                "due": jalali(r.get("due_on"), lang),
                "days": digits(str(int(r.get("days_overdue") or 0)), lang),
                "cluster": names.get(cluster, cluster), "status": str(r["status"]),
                "status_label": label("decision_status", str(r["status"]), lang),
                "held": jalali(r.get("held_on"), lang), "overdue": bool(r.get("overdue")),
                "follow_up": text_or_none(r.get("follow_up")) or "",
                "done_on": jalali(r.get("done_on"), lang)}

    rows = [decision_row(r) for r in every.to_dict("records")]
    late = sorted((r for r in rows if r["overdue"]),
                  key=lambda r: -int(every.loc[(every["meeting_id"] == r["meeting"])
                                               & (every["number"] == r["number"]),
                                               "days_overdue"].iloc[0]))
    meetings = read_kind(st.ws, "committee_meetings")
    meetings = meetings[meetings["province_code"] == province].sort_values(
        "held_on", ascending=False)
    by_meeting: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_meeting.setdefault(r["meeting"], []).append(r)
    meeting_rows = [{
        "id": str(m["meeting_id"]), "held": jalali(m.get("held_on"), lang),
        "chair": text_or_none(m.get("chair")) or "",
        "attendees": text_or_none(m.get("attendees")) or "",
        "agenda": text_or_none(m.get("agenda")) or "",
        "clusters": [names.get(c, c) for c in str(m.get("clusters") or "").split(";") if c],
        "decisions": by_meeting.get(str(m["meeting_id"]), [])}
        for m in meetings.to_dict("records")]
    problem_rows = [{
        "id": str(r["problem_id"]), "organisation": str(r["organisation"]),
        "cluster": names.get(text_or_none(r["cluster_code"]) or "",
                             text_or_none(r["cluster_code"]) or ""),
        "reported": jalali(r["reported_on"], lang), "problem": str(r["problem"]),
        "support": text_or_none(r["support_needed"]) or "",
        "asked_of": text_or_none(r["asked_of"]) or "", "status": str(r["status"]),
        "status_label": label("problem_status", str(r["status"]), lang),
        "meeting": jalali(r["taken_up_on"], lang),
        "days": digits(str(int(r["days_open"])), lang)}
        for r in problems[problems["unresolved"]].to_dict("records")]
    choices = province_choices(st, lang)
    return {
        "province": province, "province_name": dict(choices).get(province, province),
        "choices": choices, "board": [{**b, **{k: digits(str(b[k]), lang) for k in
                                               ("open", "overdue", "done", "cancelled",
                                                "oldest_overdue_days", "problems_open")}}
                                      for b in board],
        "problems": problem_rows,
        "problems_resolved": digits(str(int((~problems["unresolved"]).sum())), lang),
        "can_report": records.may(st.access, who, "create", "support_problems",
                                  {"province_code": province}),
        "late": late, "meetings": meeting_rows, "clusters": list(names.items()),
        "decision_rows": range(1, DECISION_ROWS + 1),
        "can_hold": records.may(st.access, who, "create", "committee_meetings",
                                {"province_code": province}),
        "can_follow": records.may(st.access, who, "update", "committee_decisions",
                                  {"province_code": province}),
    }


@pages.get("/committee")
def committee_page(request: Request, province: str | None = None,
                   session: Session = Depends(page_session), st: State = Depends(state)):
    code = province_of(session.principal, province)
    if code is None:
        code = province_choices(st, session.lang)[0][0]
    return render_page(request, session, "committee.html.j2",
                       **committee_context(st, session, code))


def _meeting_values(form: dict[str, Any], province: str) -> tuple[dict[str, Any],
                                                                  list[dict[str, Any]]]:
    clusters = [str(v) for k, v in form.items() if k.startswith("cluster_") and v]
    meeting = {"meeting_id": str(form.get("meeting_id") or "").strip(),
               "province_code": province, "held_on": form_date(form.get("held_on")),
               "chair": str(form.get("chair") or "").strip() or None,
               "attendees": str(form.get("attendees") or "").strip() or None,
               "clusters": ";".join(clusters) or None,
               "agenda": str(form.get("agenda") or "").strip() or None}
    items = []
    for i in range(1, DECISION_ROWS + 1):
        text = str(form.get(f"d{i}_text") or "").strip()
        if not text:
            continue
        items.append({"text": text,
                      "responsible": str(form.get(f"d{i}_responsible") or "").strip() or None,
                      "due_on": form_date(form.get(f"d{i}_due_on")),
                      "cluster_code": str(form.get(f"d{i}_cluster") or "").strip() or None})
    return meeting, items


@pages.post("/committee/{province}/meetings")
async def record_meeting(request: Request, province: str = Path(..., max_length=4),
                         session: Session = Depends(page_session),
                         st: State = Depends(state)):
    form = await checked_form(request, session)
    try:
        check_province(st, session.principal, province)
        meeting, items = _meeting_values(form, province)
        hold_meeting(st.ws, meeting, items, actor=session.principal.username,
                     who=session.principal, access=st.access)
    except InputError as exc:
        if exc.http_status == 404:
            raise
        return render_page(request, session, "committee.html.j2", status=422,
                           error=exc.text(session.lang), sent=form,
                           **committee_context(st, session, province))
    return RedirectResponse(f"/committee?province={quote(province)}&held="
                            f"{quote(str(form.get('meeting_id') or ''))}#meetings",
                            status_code=303)


@pages.post("/committee/decisions/{meeting}/{number}")
async def mark_decision(request: Request, meeting: str = Path(..., max_length=40),
                        number: int = Path(..., ge=1, le=999),
                        session: Session = Depends(page_session), st: State = Depends(state)):
    form = await checked_form(request, session)
    status = str(form.get("status") or "done")
    after = follow_up(st.ws, meeting, number, status, actor=session.principal.username,
                      note=str(form.get("note") or "").strip() or None,
                      on=form_date(form.get("on")), who=session.principal, access=st.access)
    return RedirectResponse(f"/committee?province={quote(str(after['province_code']))}"
                            f"&followed={quote(meeting)}-{number}#board", status_code=303)


def _report(st: State, who: Principal, meeting: str, fmt: str, lang: str) -> Response:
    from khooshe.services.plan import write_plan
    from khooshe.services.plan.meeting import meeting_report

    if fmt not in REPORT_TYPES:
        raise NotFoundError(f"a report as .{fmt} is not offered (html or pdf)",
                            localized=Message("web.flow.committee.no_format"))
    records.get_record(st.ws, st.access, who, "committee_meetings", meeting)  # 403 / 404
    report = meeting_report(st.ws, meeting)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in meeting)
    with tempfile.TemporaryDirectory() as tmp:
        written = write_plan(report, FilePath(tmp), lang=lang, formats=(fmt,),
                             stem=f"meeting-{safe}")
        made = written[fmt]
        if isinstance(made, Exception):
            raise made
        body = made.read_bytes()
    if fmt == "html":  # one self-contained page with inline styles: sandboxed as the plan
        return Response(body, media_type=REPORT_TYPES[fmt], headers={
            "Content-Security-Policy": PLAN_CSP,
            "Content-Disposition": f'inline; filename="meeting-{safe}.html"'})
    return Response(body, media_type=REPORT_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="meeting-{safe}.pdf"'})


@pages.get("/committee/meetings/{meeting}/report.{fmt}")
def report_page(meeting: str, fmt: str, session: Session = Depends(page_session),
                st: State = Depends(state)):
    """The meeting's report, made now from the registry (Persian or English as the reader)."""
    return _report(st, session.principal, meeting, fmt, session.lang)


# --- API --------------------------------------------------------------------------------------
class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., max_length=2000)
    responsible: str = Field(..., max_length=200, description="the organisation responsible")
    due_on: str | None = Field(None, max_length=40, description="Jalali or ISO date")
    cluster_code: str | None = Field(None, max_length=40)


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meeting_id: str = Field(..., max_length=40)
    province_code: str = Field(..., max_length=4)
    held_on: str = Field(..., max_length=40, description="Jalali or ISO date")
    chair: str | None = Field(None, max_length=200)
    attendees: str | None = Field(None, max_length=2000)
    clusters: list[str] = Field(default_factory=list, max_length=100,
                                description="codes of the clusters reviewed")
    agenda: str | None = Field(None, max_length=2000)
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=100)


class MeetingOut(BaseModel):
    meeting_id: str
    province_code: str
    held_on: str
    decisions: int


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str | None = Field(None, max_length=20, description="done, cancelled or open")
    note: str | None = Field(None, max_length=2000)
    on: str | None = Field(None, max_length=40, description="the date it was done")


class DecisionOut(BaseModel):
    meeting_id: str
    number: int
    status: str
    done_on: str | None = None
    follow_up: str | None = None


class BoardRow(BaseModel):
    responsible: str
    open: int
    overdue: int
    done: int
    cancelled: int
    oldest_overdue_days: int
    problems_open: int = Field(description="problems the organisation reported in "
                               "supporting clusters, not resolved yet")


@api.post("/committee/meetings", response_model=MeetingOut, status_code=201,
          responses=BODY_ERRORS, summary="Record a steering-committee meeting and its decisions")
def api_meeting(body: MeetingIn, who: Principal = Depends(api_principal),
                st: State = Depends(state)):
    """The meeting (its clusters reviewed must be the province's) and its decisions, numbered
    1, 2, … and open; needs the right to add the province's committee records."""
    meeting = {"meeting_id": body.meeting_id, "province_code": body.province_code,
               "held_on": form_date(body.held_on), "chair": body.chair,
               "attendees": body.attendees, "clusters": ";".join(body.clusters) or None,
               "agenda": body.agenda}
    items = [{"text": d.text, "responsible": d.responsible, "due_on": form_date(d.due_on),
              "cluster_code": d.cluster_code} for d in body.decisions]
    made = hold_meeting(st.ws, meeting, items, actor=who.username, who=who, access=st.access)
    return MeetingOut(meeting_id=str(made["meeting_id"]),
                      province_code=str(made["province_code"]),
                      held_on=str(made["held_on"])[:10], decisions=len(items))


@api.post("/committee/decisions/{meeting}/{number}", response_model=DecisionOut,
          responses=BODY_ERRORS, summary="Follow a committee decision up (done, a note)")
def api_follow_up(body: FollowUpIn, meeting: str = Path(..., max_length=40),
                  number: int = Path(..., ge=1, le=999),
                  who: Principal = Depends(api_principal), st: State = Depends(state)):
    after = follow_up(st.ws, meeting, number, body.status, actor=who.username, note=body.note,
                      on=form_date(body.on), who=who, access=st.access)
    done = after.get("done_on")
    return DecisionOut(meeting_id=str(after["meeting_id"]), number=int(after["number"]),
                       status=str(after["status"]),
                       done_on=str(done)[:10] if done is not None and not pd.isna(done)
                       else None, follow_up=text_or_none(after.get("follow_up")))


@api.get("/committee/board", response_model=list[BoardRow], responses=ERRORS,
         summary="A province's follow-up board: decisions and problems per organisation")
def api_board(province: str = Query(..., max_length=4),
              who: Principal = Depends(api_principal), st: State = Depends(state)):
    """Per organisation: the decisions it is responsible for, open, of which overdue
    (today), done, cancelled and the oldest overdue's days; and the problems it reported in
    supporting clusters that are not resolved yet."""
    check_province(st, who, province)
    return [BoardRow(responsible=str(r["responsible"]), open=int(r["open"]),
                     overdue=int(r["overdue"]), done=int(r["done"]),
                     cancelled=int(r["cancelled"]),
                     oldest_overdue_days=int(r["oldest_overdue_days"]),
                     problems_open=int(r["problems_open"]))
            for r in follow_up_board(st.ws, province).to_dict("records")]
