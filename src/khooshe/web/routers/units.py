"""Half-finished units being completed and the industrial parks' civil projects, in the
browser: each tracked unit's latest report beside the jobs the register expected, with a form
reporting progress (``operating`` needs the jobs realised), and the park projects with their
delay flags; ``/api/v1/units/{id}/reports`` does the same as the form.

Thin over :mod:`khooshe.services.unit_progress` and :mod:`khooshe.services.park_projects`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError
from khooshe.domain.vocab import UNIT_STATUSES, label
from khooshe.services import records
from khooshe.services.park_projects import project_delays
from khooshe.services.unit_progress import report_unit, unit_tracking
from khooshe.store.repository import read_kind
from khooshe.text.numbers import format_value
from khooshe.web.app import State
from khooshe.web.deps import Session, api_principal, checked_form, page_session, state
from khooshe.web.routers._forms import (
    check_province,
    form_date,
    jalali,
    optional_int,
    percent,
    province_of,
    render_page,
    text_or_none,
    whole_number,
)
from khooshe.web.routers.api import BODY_ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["workflows"])


def _count(value: Any, lang: str) -> str:
    return "" if text_or_none(value) is None else format_value(int(value), lang)[0]


def units_context(st: State, session: Session, province: str) -> dict[str, Any]:
    lang, who = session.lang, session.principal
    check_province(st, who, province)
    st.access.check(who, "read", "unit_progress", {"region_code": province})
    units = [{
        "id": str(r["establishment_id"]), "name": text_or_none(r.get("name")) or "",
        "status": str(r["status"]), "status_label": label("unit_status", str(r["status"]), lang),
        "progress": percent(r.get("progress"), lang),
        "expected": _count(r.get("jobs_expected"), lang),
        "realised": _count(r.get("jobs_realised"), lang),
        "on": jalali(r.get("reported_on"), lang), "reports": _count(r.get("reports"), lang)}
        for r in unit_tracking(st.ws, province).to_dict("records")]
    parks = read_kind(st.ws, "parks", columns=["code", "name_fa", "name_en"]).set_index("code")
    projects = []
    for r in project_delays(st.ws, province).to_dict("records"):
        park = str(r["park_code"])
        name = (parks.at[park, "name_fa"] if lang == "fa" else parks.at[park, "name_en"]
                ) if park in parks.index else park
        projects.append({
            "id": str(r["project_id"]), "title": text_or_none(r.get("title")) or "",
            "park": text_or_none(name) or park,
            "contractor": text_or_none(r.get("contractor")) or "",
            "end": jalali(r.get("planned_end"), lang),
            "actual": percent(r.get("actual_progress"), lang),
            "expected": percent(r.get("expected_progress"), lang),
            "behind": _count(round(float(r["behind"])) if text_or_none(r.get("behind")) else None,
                             lang),
            "delayed": bool(r.get("delayed")), "overdue": bool(r.get("overdue")),
            "status": label("project_status", str(r["status"]), lang)})
    return {"province": province, "units": units, "projects": projects,
            "statuses": [(s, label("unit_status", s, lang)) for s in UNIT_STATUSES],
            "can_report": records.may(st.access, who, "create", "unit_progress",
                                      {"region_code": province})}


@pages.get("/units")
def units_page(request: Request, province: str | None = None,
               session: Session = Depends(page_session), st: State = Depends(state)):
    code = province_of(session.principal, province) or "06"
    return render_page(request, session, "units.html.j2", **units_context(st, session, code))


def _report(st: State, who: Principal, unit: str, status: str, progress: object,
            jobs: object, on: object, note: object) -> dict[str, Any]:
    share = text_or_none(progress)
    return report_unit(st.ws, unit, status, actor=who.username,
                       progress=float(whole_number(share, "progress") or 0) if share else None,
                       jobs_realised=whole_number(jobs, "jobs_realised"), on=form_date(on),
                       note=str(note or "").strip() or None, who=who, access=st.access)


@pages.post("/units/{unit}/report")
async def report(request: Request, unit: str = Path(..., max_length=40),
                 session: Session = Depends(page_session), st: State = Depends(state)):
    form = await checked_form(request, session)
    est = read_kind(st.ws, "establishments", columns=["id", "region_code"]).set_index("id")
    province = str(est.at[unit, "region_code"])[:2] if unit in est.index else ""
    try:
        _report(st, session.principal, unit, str(form.get("status") or ""),
                form.get("progress"), form.get("jobs_realised"), form.get("on"),
                form.get("note"))
    except InputError as exc:
        if exc.http_status == 404 or not province:
            raise
        return render_page(request, session, "units.html.j2", status=422,
                           error=exc.text(session.lang), error_unit=unit,
                           **units_context(st, session, province))
    return RedirectResponse(f"/units?province={quote(province)}&reported={quote(unit)}"
                            f"#u-{quote(unit)}", status_code=303)


class UnitReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(..., max_length=20, description="one of " + ", ".join(UNIT_STATUSES))
    progress: float | None = Field(None, ge=0, le=100, description="per cent complete")
    jobs_realised: int | None = Field(None, ge=0, le=10**7,
                                      description="needed when operating")
    on: str | None = Field(None, max_length=40, description="Jalali or ISO date")
    note: str | None = Field(None, max_length=2000)


class UnitReportOut(BaseModel):
    establishment_id: str
    status: str
    progress: float | None = None
    jobs_realised: int | None = None
    reported_on: str | None = None


@api.post("/units/{unit}/reports", response_model=UnitReportOut, status_code=201,
          responses=BODY_ERRORS, summary="Report a half-finished unit's progress")
def api_report(body: UnitReport, unit: str = Path(..., max_length=40),
               who: Principal = Depends(api_principal), st: State = Depends(state)):
    """A progress report of a unit being completed; `operating` needs `jobs_realised` and
    updates the establishment register."""
    made = report_unit(st.ws, unit, body.status, actor=who.username, progress=body.progress,
                       jobs_realised=body.jobs_realised, on=form_date(body.on), note=body.note,
                       who=who, access=st.access)
    progress = text_or_none(made.get("progress"))
    return UnitReportOut(establishment_id=str(made["establishment_id"]),
                         status=str(made["status"]),
                         progress=None if progress is None else float(progress),
                         jobs_realised=optional_int(made.get("jobs_realised")),
                         reported_on=(text_or_none(made.get("reported_on")) or "")[:10] or None)
