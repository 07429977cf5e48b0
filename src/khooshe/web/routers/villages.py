"""The county governors' ten villages in the browser: a county's proposed villages with
khooshe's reasons, and the governor's decisions on each (confirm, reject or replace with a
reason, prepared, cluster started); the province's progress county by county ("7 of 10
prepared"); ``/api/v1/village_proposals/{village}/decision`` and ``/api/v1/villages/progress``.

Thin over :mod:`khooshe.services.village_proposals`: the steps and the rights are its and the
access policy's (a governor decides in their county only, a province manager sees every county
of the province)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.programme import ACTIVE_VILLAGE, VILLAGE_STEPS
from khooshe.domain.regions import RegionHierarchy
from khooshe.domain.vocab import VILLAGE_STATUSES, label
from khooshe.io.reference import isic_names
from khooshe.services.village_proposals import PER_COUNTY, county_progress, decide_village
from khooshe.store.repository import read_kind
from khooshe.text.digits import digits
from khooshe.text.jalali import format_jalali
from khooshe.text.messages import Message
from khooshe.web.app import State
from khooshe.web.deps import Session, api_principal, checked_form, page_session, state
from khooshe.web.routers._forms import (
    form_date,
    province_choices,
    province_of,
    region_name,
    render_page,
    text_or_none,
)
from khooshe.web.routers.api import BODY_ERRORS, ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["workflows"])

#: Steps one click takes (no reason needed); rejecting and replacing ask for one.
ONE_CLICK = ("confirmed", "prepared", "cluster_started", "proposed")


def _regions(st: State) -> pd.DataFrame:
    return read_kind(st.ws, "regions", columns=["code", "level", "parent_code", "name_fa",
                                                 "name_en"])




def _check_place(st: State, who: Principal, code: str) -> None:
    """Forbidden unless ``who`` may read the village proposals of ``code`` (a county or a
    province)."""
    st.access.check(who, "read", "village_proposals", {"village_code": code})




@pages.get("/villages")
def villages_home(request: Request, province: str | None = None,
                  session: Session = Depends(page_session), st: State = Depends(state)):
    """A governor goes to their county; others see their province's progress."""
    who = session.principal
    if who.county and not province:
        return RedirectResponse(f"/villages/{quote(who.county, safe='')}", status_code=303)
    code = province_of(who, province)
    choices = province_choices(st, session.lang)
    rows: list[dict[str, Any]] = []
    if code:
        if code not in dict(choices):
            RegionHierarchy(_regions(st)).check(code, "province")  # says why it is not one
        _check_place(st, who, code)
        for r in county_progress(st.ws, code).to_dict("records"):
            rows.append({**r, "name": region_name(r, session.lang)})
    return render_page(request, session, "villages_province.html.j2", province=code,
                       province_name=dict(choices).get(code or "", ""), choices=choices,
                       rows=rows)




def county_context(st: State, session: Session, county: str) -> dict[str, Any]:
    """The county's proposals as the page shows them, and the villages that may replace
    one."""
    lang = session.lang
    regions = _regions(st)
    h = RegionHierarchy(regions)
    h.check(county, "county")
    _check_place(st, session.principal, county)
    by_code = regions.set_index("code")
    inside = regions[h.contains(county, regions["code"]) & (regions["level"] == "village")]
    props = read_kind(st.ws, "village_proposals")
    props = props[props["county_code"] == county].sort_values(["rank", "village_code"],
                                                              na_position="last")
    active = set(props.loc[props["status"].isin(ACTIVE_VILLAGE), "village_code"])
    activities, col = isic_names(), "name_fa" if lang == "fa" else "name_en"
    rows = []
    for r in props.to_dict("records"):
        status = str(r["status"])
        code = str(r["village_code"])
        name = region_name(by_code.loc[code], lang) if code in by_code.index else ""
        own, other = ("reason_fa", "reason_en") if lang == "fa" else ("reason_en", "reason_fa")
        reason = text_or_none(r.get(own)) or text_or_none(r.get(other)) or ""
        steps = VILLAGE_STEPS.get(status, ())
        activity = text_or_none(r.get("activity")) or ""
        replaces = text_or_none(r.get("replaces")) or ""
        rows.append({
            "code": code, "name": name, "code_shown": digits(code, lang),
            "activity": digits(activity, lang),
            "activity_name": text_or_none(activities[col].get(activity)) or "",
            "rank": r.get("rank"), "status": status,
            "status_label": label("village_status", status, lang), "reason": reason,
            "replaces": (region_name(by_code.loc[replaces], lang) if replaces in by_code.index
                         else "") or digits(replaces, lang),
            "decided_by": text_or_none(r.get("decided_by")) or "",
            "decided_on": (format_jalali(text_or_none(r.get("decided_on")), lang) if lang == "fa"
                           else (text_or_none(r.get("decided_on")) or "")[:10]),
            "note": text_or_none(r.get("note")) or "",
            "quick": [(s, label("village_status", s, lang)) for s in steps if s in ONE_CLICK],
            "with_reason": [(s, label("village_status", s, lang)) for s in steps
                            if s not in ONE_CLICK],
        })
    spare = sorted(((str(v["code"]), f"{region_name(v, lang)} ({digits(str(v['code']), lang)})")
                    for v in inside.to_dict("records") if str(v["code"]) not in active),
                   key=lambda x: (x[1], x[0]))
    counts = {s: int((props["status"] == s).sum()) for s in VILLAGE_STATUSES}
    return {"county": county, "county_name": region_name(by_code.loc[county], lang),
            "province": str(by_code.at[county, "parent_code"]) if county in by_code.index
            else "", "rows": rows, "per_county": PER_COUNTY, "spare": spare, "counts": counts,
            "prepared": counts["prepared"] + counts["cluster_started"],
            "confirmed": counts["confirmed"] + counts["prepared"] + counts["cluster_started"],
            "can_decide": bool(rows) and st.access is not None and _may_decide(
                st, session.principal, county)}


def _may_decide(st: State, who: Principal, county: str) -> bool:
    from khooshe.services import records

    return records.may(st.access, who, "update", "village_proposals", {"village_code": county})


@pages.get("/villages/{county}")
def county_page(request: Request, county: str = Path(..., max_length=20),
                session: Session = Depends(page_session), st: State = Depends(state)):
    return render_page(request, session, "villages_county.html.j2",
                       **county_context(st, session, county))


@pages.post("/villages/{county}/decide")
async def decide(request: Request, county: str = Path(..., max_length=20),
                 session: Session = Depends(page_session), st: State = Depends(state)):
    form = await checked_form(request, session)
    village = str(form.get("village") or "")
    props = read_kind(st.ws, "village_proposals")
    if village not in set(props.loc[props["county_code"] == county, "village_code"]):
        raise NotFoundError(f"no proposal {village} in county {county}",
                            localized=Message("programme.no_proposal", {"code": village}))
    status = str(form.get("status") or "")
    try:
        decide_village(st.ws, village, status, actor=session.principal.username,
                       reason=str(form.get("reason") or "").strip() or None,
                       replacement=str(form.get("replacement") or "").strip() or None,
                       on=form_date(form.get("on")), who=session.principal, access=st.access)
    except InputError as exc:
        if exc.http_status == 404:
            raise
        return render_page(request, session, "villages_county.html.j2", status=422,
                           error=exc.text(session.lang), error_village=village,
                           **county_context(st, session, county))
    return RedirectResponse(f"/villages/{quote(county, safe='')}?decided={quote(village)}"
                            f"&status={quote(status)}#v-{quote(village)}", status_code=303)


# --- API --------------------------------------------------------------------------------------
class VillageDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(..., max_length=40, description="the village's next status: one of "
                        + ", ".join(VILLAGE_STATUSES))
    reason: str | None = Field(None, max_length=2000,
                               description="why (needed to reject or replace)")
    replacement: str | None = Field(None, max_length=20, description="the village of the "
                                    "same county that replaces this one (to replace)")
    activity: str | None = Field(None, max_length=10, description="the replacement's "
                                 "activity (ISIC; default the replaced village's)")
    on: str | None = Field(None, max_length=40, description="the decision's date (Jalali or "
                           "ISO; default today)")


class VillageOut(BaseModel):
    village_code: str
    county_code: str
    status: str
    replaces: str | None = None
    decided_by: str | None = None
    decided_on: str | None = None
    note: str | None = None


class CountyProgress(BaseModel):
    county_code: str
    name_fa: str | None = None
    name_en: str | None = None
    counting: int
    proposed: int
    confirmed: int
    prepared: int
    cluster_started: int
    rejected: int
    replaced: int
    of: int


@api.post("/village_proposals/{village}/decision", response_model=VillageOut,
          responses=BODY_ERRORS, summary="A governor's decision on a proposed village")
def api_decide(body: VillageDecision, village: str = Path(..., max_length=20),
               who: Principal = Depends(api_principal), st: State = Depends(state)):
    """Confirm, reject or replace (with a `reason`; a `replacement` village of the same
    county) a proposed village, or mark it prepared or its cluster started. A county governor
    decides in their county only."""
    after = decide_village(st.ws, village, body.status, actor=who.username, reason=body.reason,
                           replacement=body.replacement, activity=body.activity,
                           on=form_date(body.on), who=who, access=st.access)
    day = after.get("decided_on")
    return VillageOut(village_code=str(after["village_code"]),
                      county_code=str(after["county_code"]), status=str(after["status"]),
                      replaces=text_or_none(after.get("replaces")),
                      decided_by=text_or_none(after.get("decided_by")),
                      decided_on=str(day)[:10] if isinstance(day, (str, dt.date)) else None,
                      note=text_or_none(after.get("note")))


@api.get("/villages/progress", response_model=list[CountyProgress], responses=ERRORS,
         summary="The ten villages' progress in every county of a province")
def api_progress(province: str = Query(..., max_length=20),
                 who: Principal = Depends(api_principal), st: State = Depends(state)):
    """Per county: villages proposed, confirmed, prepared, with their cluster started,
    rejected and replaced, out of `of`."""
    RegionHierarchy(_regions(st)).check(province, "province")
    _check_place(st, who, province)
    out = []
    for r in county_progress(st.ws, province).to_dict("records"):
        values: dict[str, Any] = {k: (text_or_none(v) if k in ("name_fa", "name_en") else v)
                                  for k, v in r.items()}
        out.append(CountyProgress(**values))
    return out
