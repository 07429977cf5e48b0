"""A cluster's programme page and its stage approvals: the stage timeline (reached, current,
approvals, missing evidence), the form approving the next stage (or correcting back to the
previous one, with a note), indicators against targets with their red/amber/green status, and
the members by kind with the triple-helix verdict, and the activities (trainings, tours,
exhibitions, joint actions) with the foreign partners checked; ``/api/v1/clusters/{code}/stage`` and
``/timeline`` do the same over the API.

Thin over :mod:`khooshe.services.cluster_stages`, :mod:`~khooshe.services.cluster_targets` and
:mod:`~khooshe.services.cluster_members`: the rules and the ``approve`` right are theirs (the
signed-in user is passed as ``who`` with the app's access policy)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, KhoosheError
from khooshe.domain.programme import TransitionError, stage_index
from khooshe.domain.vocab import CLUSTER_STAGES, MEMBER_KINDS, label
from khooshe.services import records
from khooshe.services.cluster_stages import StageStep, advance_stage, stage_timeline
from khooshe.text.digits import digits
from khooshe.web.app import State
from khooshe.web.deps import Session, api_principal, checked_form, page_session, state
from khooshe.web.routers._forms import (
    form_date,
    jalali,
    money,
    number,
    percent,
    text_or_none,
)
from khooshe.web.routers.api import BODY_ERRORS, ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["workflows"])

#: Bootstrap's badge of each red/amber/green status.
RAG_BADGE = {"green": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger",
             "no_data": "text-bg-secondary"}






def _kinds(kinds: Any, lang: str) -> list[str]:
    return [label("document_kind", str(k), lang) for k in (kinds or [])]


def timeline_rows(frame: Any, lang: str) -> list[dict[str, Any]]:
    """The stage timeline as the page shows it."""
    rows = []
    for r in frame.itertuples(index=False):
        rows.append({
            "stage": r.stage, "label": label("cluster_stage", r.stage, lang),
            "reached": bool(r.reached), "current": bool(r.current),
            "approved_on": jalali(r.approved_on, lang),
            "approved_by": text_or_none(r.approved_by) or "",
            "decision": digits(text_or_none(r.decision) or "", lang),
            "note": text_or_none(r.note) or "", "missing": _kinds(r.missing, lang),
            "expected": [(label("document_kind", str(k), lang), k not in (r.missing or []))
                         for k in (r.expected or [])]})
    return rows


def cluster_context(st: State, session: Session, record: dict[str, Any]) -> dict[str, Any]:
    """What the cluster's page shows beyond its record: the timeline, the approval form's
    choices, indicators against targets and members."""
    from khooshe.services.cluster_members import member_growth, membership
    from khooshe.services.cluster_targets import indicator_progress
    from khooshe.text.numbers import format_value

    lang, code = session.lang, str(record["code"])
    timeline = timeline_rows(stage_timeline(st.ws, code), lang)
    here = stage_index(str(record["stage"]))
    choices = []
    if here + 1 < len(CLUSTER_STAGES):
        choices.append((CLUSTER_STAGES[here + 1], False))
    if here > 0:
        choices.append((CLUSTER_STAGES[here - 1], True))
    progress = indicator_progress(st.ws, [code])
    indicators = []
    for r in progress.itertuples(index=False):
        indicators.append({
            "period": r.period, "indicator": label("indicator", r.indicator, lang),
            "code": r.indicator,
            "baseline": number(r.baseline, lang), "target": number(r.target, lang),
            "actual": number(r.actual, lang), "progress": percent(100 * r.progress, lang),
            "status": label("rag_status", r.status, lang),
            "badge": RAG_BADGE.get(r.status, "text-bg-secondary"), "rag": r.status,
            "source": r.source if isinstance(r.source, str) else ""})
    counts = membership(st.ws, [code]).iloc[0]
    growth = [{"year": digits(str(r["year"]), lang),
               "joined": format_value(int(r["joined"]), lang)[0],
               "members": format_value(int(r["members"]), lang)[0]}
              for r in member_growth(st.ws, code).to_dict("records")]
    members = [(label("member_kind", k, lang), int(counts[k])) for k in MEMBER_KINDS
               if int(counts[k])]
    return {
        "timeline": timeline, "today": jalali(dt.date.today(), lang),
        "stage_choices": [(s, label("cluster_stage", s, lang), back) for s, back in choices],
        "can_approve": records.may(st.access, session.principal, "approve", "clusters",
                                   record),
        "indicators": indicators,
        "can_record_period": any(
            records.may(st.access, session.principal, "update", kind, {"cluster_code": code})
            for kind in ("cluster_indicators", "cluster_targets")),
        "members": members, "members_total": int(counts["total"]), "growth": growth,
        "partner_kinds": int(counts["partner_kinds"]),
        "triple_helix": bool(counts["triple_helix"]),
        "registered_firms": int(counts["registered_firms"]),
        **activities_context(st, session, code),
    }


def activities_context(st: State, session: Session, code: str) -> dict[str, Any]:
    """The cluster's activities as its page shows them: a line per kind (count, hours,
    trainees, cost, the members' co-finance, member firms reached, countries abroad), the
    latest activities, how many member firms a training reached, and the foreign partners
    checked; with links to record more where the reader may."""
    from khooshe.services.cluster_activities import (
        activity_summary,
        training_reach,
        verifications,
    )
    from khooshe.store.repository import read_kind

    lang, who = session.lang, session.principal
    comma = "، " if lang == "fa" else ", "

    countries = read_kind(st.ws, "countries").set_index("iso3")
    names = countries["name_fa" if lang == "fa" else "name_en"].dropna().to_dict()

    def country(iso3: Any) -> str:
        text = text_or_none(iso3)
        return "" if text is None else str(names.get(text) or text)

    kinds = []
    for r in activity_summary(st.ws, [code]).to_dict("records"):
        kinds.append({
            "kind": label("activity_kind", str(r["kind"]), lang), "code": str(r["kind"]),
            "count": number(r["count"], lang),
            "hours": number(r["hours"], lang), "trainees": number(r["trainees"], lang),
            "participants": number(r["participants"], lang),
            "cost": money(r["cost_rials"], lang),
            "cofinance": percent(100 * r["cofinance_share"], lang),
            "reached": number(r["members_reached"], lang),
            "countries": comma.join(country(c) for c in str(r["countries"]).split(";") if c)})
    acts = read_kind(st.ws, "cluster_activities")
    acts = acts[acts["cluster_code"] == code].sort_values(
        ["date", "activity_id"], ascending=False).head(10)
    latest = [{
        "id": str(r["activity_id"]), "date": jalali(r["date"], lang),
        "kind": label("activity_kind", str(r["kind"]), lang), "code": str(r["kind"]),
        "title": text_or_none(r["title"]) or "",
        "where": country(r["country"]) or (text_or_none(r["place"]) or ""),
        "participants": number(r["participants"], lang),
        "url": "/cluster_activities/" + quote(records.record_key("cluster_activities", r),
                                              safe=""),
    } for r in acts.to_dict("records")]
    reached, firms = training_reach(st.ws, code)
    checks = [{
        "company": str(r["company"]), "country": country(r["country"]),
        "verified": str(r["verified"]), "by": text_or_none(r["verified_by"]) or "",
        "on": jalali(r["verified_on"], lang), "code": str(r["outcome"]),
        "outcome": label("verification_outcome", str(r["outcome"]), lang),
    } for r in verifications(st.ws, [code]).to_dict("records")]
    place = {"cluster_code": code}
    return {"activity_kinds": kinds, "activities": latest, "trained": number(reached, lang),
            "firms": number(firms, lang), "verifications": checks,
            "can_add_activity": records.may(st.access, who, "create", "cluster_activities",
                                            place),
            "can_add_check": records.may(st.access, who, "create", "partner_verifications",
                                         place)}


def _approve(st: State, who: Principal, code: str, target: str, on: object, decision: object,
             note: object) -> StageStep:
    text_note = str(note or "").strip() or None
    return advance_stage(st.ws, code, target, actor=who.username, approved_on=form_date(on),
                         decision=str(decision or "").strip() or None, note=text_note,
                         who=who, access=st.access)


@pages.post("/clusters/{code}/stage")
async def approve_stage(request: Request, code: str, session: Session = Depends(page_session),
                        st: State = Depends(state)):
    """The approval form: on success back to the cluster's page (which then warns of the
    evidence the new stage lacks); a refused step shows the page again with the reason."""
    form = await checked_form(request, session)
    try:
        step = _approve(st, session.principal, code, str(form.get("stage") or ""),
                        form.get("approved_on"), form.get("decision"), form.get("note"))
    except (TransitionError, InputError) as exc:
        if isinstance(exc, KhoosheError) and exc.http_status == 404:
            raise
        from khooshe.web.routers.pages import detail_page

        return detail_page(request, "clusters", code, session, st, status=422,
                           stage_error=exc.text(session.lang), stage_form=form)
    moved = "back" if step.correction else "next"
    return RedirectResponse(f"/clusters/{quote(code, safe='')}?moved={moved}#timeline",
                            status_code=303)


# --- API --------------------------------------------------------------------------------------
class StageApproval(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stage: str = Field(..., max_length=40, description="the stage to reach: the next one, or "
                       "the previous one as a correction (then `note` is needed); one of "
                       + ", ".join(CLUSTER_STAGES))
    approved_on: str | None = Field(None, max_length=40, description="the approval's date "
                                    "(Jalali 1405/09/13 or ISO 2026-12-04; default today)")
    decision: str | None = Field(None, max_length=200, description="the decision's number")
    note: str | None = Field(None, max_length=2000, description="why (needed to go back)")


class StageStepOut(BaseModel):
    cluster: str
    previous: str
    stage: str
    approved_on: str | None
    correction: bool
    missing: list[str] = Field(description="document kinds the new stage expects that the "
                                           "cluster's documents lack (a warning)")


class TimelineRow(BaseModel):
    stage: str
    reached: bool
    current: bool
    approved_on: str | None = None
    approved_by: str | None = None
    decision: str | None = None
    note: str | None = None
    expected: list[str]
    missing: list[str]


@api.post("/clusters/{code}/stage", response_model=StageStepOut, responses=BODY_ERRORS,
          summary="Approve a cluster's next stage (or correct back to the previous one)")
def api_stage(body: StageApproval, code: str = Path(..., max_length=40),
              who: Principal = Depends(api_principal), st: State = Depends(state)):
    """Approve the move of the cluster to `stage`, with the approval's date, decision and
    note; needs the `approve` right on the cluster (a province manager of its province). The
    answer lists the evidence the new stage lacks."""
    step = _approve(st, who, code, body.stage, body.approved_on, body.decision, body.note)
    return StageStepOut(cluster=step.cluster, previous=step.previous, stage=step.stage,
                        approved_on=step.approved_on, correction=step.correction,
                        missing=list(step.missing))


@api.get("/clusters/{code}/timeline", response_model=list[TimelineRow], responses=ERRORS,
         summary="A cluster's stage timeline")
def api_timeline(code: str = Path(..., max_length=40),
                 who: Principal = Depends(api_principal), st: State = Depends(state)):
    """Every stage in order: reached or not, the current one, its approval (ISO date, by whom,
    decision, note), the evidence it expects and what of it is missing."""
    records.get_record(st.ws, st.access, who, "clusters", code)  # 404 / 403 as for a read
    out = []
    for r in stage_timeline(st.ws, code).itertuples(index=False):
        out.append(TimelineRow(
            stage=r.stage, reached=bool(r.reached), current=bool(r.current),
            approved_on=(text_or_none(r.approved_on) or "")[:10] or None,
            approved_by=text_or_none(r.approved_by), decision=text_or_none(r.decision),
            note=text_or_none(r.note), expected=list(r.expected or []),
            missing=list(r.missing or [])))
    return out
