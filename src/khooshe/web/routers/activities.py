"""Recording a cluster's activity in one form: what it was (a training, a tour, an exhibition, a
joint action), when and where, its cost and the members' share, and which members took part —
its identifier given by khooshe, the country chosen by name, the members ticked from the
cluster's own list. ``POST /api/v1/clusters/{code}/activities`` does the same.

Thin over :func:`khooshe.services.cluster_activities.record_activity`, which validates every
value (all problems at once, by field, in the reader's language), checks what must hold
together (a foreign tour's country, the members' share within the cost) and writes the activity
and its participants together through the store (each in the audit trail)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from khooshe.domain.access import Principal
from khooshe.domain.validate import ValidationError
from khooshe.domain.vocab import ACTIVITY_KINDS, MEMBER_KINDS, label
from khooshe.services import records
from khooshe.services.cluster_activities import record_activity
from khooshe.store.repository import read_kind
from khooshe.text.digits import digits
from khooshe.web.app import State
from khooshe.web.deps import Session, api_principal, checked_form, page_session, state
from khooshe.web.routers._forms import jalali, region_name, render_page
from khooshe.web.routers.api import BODY_ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["workflows"])

#: The activity's own fields, in the form's order.
FIELDS = ("kind", "title", "date", "place", "country", "participants", "hours", "trainees",
          "cost_rials", "cofinance_rials")


def _countries(st: State, lang: str) -> list[tuple[str, str]]:
    """Every country but Iran as (ISO3, name in ``lang``), by name."""
    table = read_kind(st.ws, "countries", columns=["iso3", "name_fa", "name_en"])
    out = [(str(r["iso3"]), region_name(r, lang) or str(r["iso3"]))
           for r in table.to_dict("records") if r["iso3"] != "IRN"]
    return sorted(out, key=lambda c: c[1])


def _members(st: State, code: str, lang: str) -> list[dict[str, Any]]:
    """The cluster's members, firms first, each with its kind's label."""
    table = read_kind(st.ws, "cluster_members")
    table = table[table["cluster_code"] == code]
    order = {k: i for i, k in enumerate(MEMBER_KINDS)}
    rows = sorted(table.to_dict("records"),
                  key=lambda r: (order.get(str(r["kind"]), 99), str(r["name"])))
    return [{"id": str(r["member_id"]), "name": str(r["name"]),
             "kind": label("member_kind", str(r["kind"]), lang)} for r in rows]


def activity_context(st: State, session: Session, code: str,
                     typed: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None) -> dict[str, Any]:
    """What the form shows (with what was ``typed`` and its ``errors``); refused unless the
    reader may record the cluster's activities."""
    lang = session.lang
    cluster = _may_record(st, session.principal, code)
    return {
        "cluster": cluster, "name": region_name(cluster, lang) or code, "code": code,
        "typed": typed or {}, "errors": errors or {},
        "activity_kinds": [(k, label("activity_kind", k, lang)) for k in ACTIVITY_KINDS],
        "countries": _countries(st, lang), "members": _members(st, code, lang),
        "today": jalali(dt.date.today(), lang),
    }


def _may_record(st: State, who: Principal, code: str) -> dict[str, Any]:
    """The cluster's record, once ``who`` is known to read it and record its activities
    (404 / 403 otherwise)."""
    cluster = records.get_record(st.ws, st.access, who, "clusters", code)
    st.access.check(who, "create", "cluster_activities", {"cluster_code": code})
    return cluster


@pages.get("/clusters/{code}/activities/new")
def activity_form(request: Request, code: str, session: Session = Depends(page_session),
                  st: State = Depends(state)):
    """The form, for those who may record the cluster's activities."""
    return render_page(request, session, "activity_new.html.j2",
                       **activity_context(st, session, code))


@pages.post("/clusters/{code}/activities/new")
async def save_activity(request: Request, code: str, session: Session = Depends(page_session),
                        st: State = Depends(state)):
    """Record it: back to the cluster's activities, or the form again with every problem by
    field (422), nothing written."""
    form = await checked_form(request, session)
    typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    _may_record(st, session.principal, code)  # the same checks as the form's page
    took = {k.removeprefix("took."): typed.get("people." + k.removeprefix("took."), "")
            for k in typed if k.startswith("took.")}
    try:
        done = record_activity(st.ws, code, {f: typed.get(f, "") for f in FIELDS}, took,
                               actor=session.principal.username, who=session.principal,
                               access=st.access)
    except ValidationError as exc:
        errors = {i.column: digits(i.text(session.lang), session.lang) for i in exc.issues}
        return render_page(request, session, "activity_new.html.j2", status=422,
                           **activity_context(st, session, code, typed, errors))
    return RedirectResponse(f"/clusters/{quote(code, safe='')}?recorded="
                            f"{quote(str(done['activity_id']), safe='')}#activities",
                            status_code=303)


# --- API --------------------------------------------------------------------------------------
class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(..., max_length=40, description="one of " + ", ".join(ACTIVITY_KINDS))
    date: str = Field(..., max_length=40, description="Jalali 1404/02/10 or ISO 2025-04-30")
    activity_id: str | None = Field(None, max_length=40,
                                    description="default: the next A001, A002… of the cluster")
    title: str | None = Field(None, max_length=500)
    place: str | None = Field(None, max_length=500)
    country: str | None = Field(None, max_length=3, description="ISO3, for activities abroad")
    participants: int | None = Field(None, ge=0, description="people who took part")
    hours: float | None = Field(None, ge=0, description="a training's hours")
    trainees: int | None = Field(None, ge=0, description="a training's trainees")
    cost_rials: int | None = Field(None, ge=0)
    cofinance_rials: int | None = Field(None, ge=0, description="the members' share of the cost")
    members: dict[str, int | None] | None = Field(
        None, description="the members that took part: member id → people (null for one)")


class ActivityOut(BaseModel):
    cluster_code: str
    activity_id: str


@api.post("/clusters/{code}/activities", response_model=ActivityOut, status_code=201,
          responses=BODY_ERRORS, summary="Record an activity of a cluster with its participants")
def api_activity(body: ActivityIn, code: str = Path(..., max_length=40),
                 who: Principal = Depends(api_principal), st: State = Depends(state)):
    """The activity and the members that took part, written together or not at all."""
    values = body.model_dump(exclude={"members"}, exclude_none=True)
    done = record_activity(st.ws, code, values, body.members or {}, actor=who.username,
                           who=who, access=st.access)
    return ActivityOut(cluster_code=code, activity_id=str(done["activity_id"]))
