"""A cluster's period in one form: the figures it reached (jobs, sales, exports, members) and its
targets (baseline, target) for a Jalali year or quarter, saved together or not at all; a cluster
agent reports the figures, the province sets the targets (the access policy decides which
inputs each reader gets). ``PUT /api/v1/clusters/{code}/periods/{period}`` does the same.

Thin over :func:`khooshe.services.cluster_targets.record_period`, which validates every value
(all problems at once, by field), refuses a form opened before someone else's change, and
writes through the store (each record in the audit trail)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote

import numpy as np
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError
from khooshe.domain.schema import entity
from khooshe.domain.validate import ValidationError
from khooshe.domain.vocab import INDICATORS, JOINT_ACTIONS, label, labels_of
from khooshe.services import records
from khooshe.services.cluster_targets import (
    FIGURES,
    MEASURED,
    TARGET_PARTS,
    PeriodConflict,
    actuals,
    indicator_progress,
    period_records,
    record_period,
)
from khooshe.store.tables import TABLES
from khooshe.text.digits import digits, to_ascii_digits
from khooshe.text.jalali import to_jalali
from khooshe.text.messages import Message, joined
from khooshe.text.numbers import format_number
from khooshe.web.app import State
from khooshe.web.deps import Session, api_principal, checked_form, page_session, state
from khooshe.web.routers._forms import (
    number,
    percent,
    region_name,
    render_page,
    text_or_none,
)
from khooshe.web.routers.api import BODY_ERRORS
from khooshe.web.routers.clusters import RAG_BADGE

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["workflows"])


def _periods(st: State, code: str) -> list[str]:
    """The periods the cluster has figures or targets for, oldest first."""
    found: set[str] = set()
    with st.ws.engine.connect() as conn:
        for kind in ("cluster_indicators", "cluster_targets"):
            table = TABLES[kind]
            found.update(str(p) for p in conn.scalars(
                select(table.c.period).where(table.c.cluster_code == code).distinct()))
    return sorted(found)


def _this_year() -> str:
    today = to_jalali(dt.date.today())
    return str(today.year) if today is not None else ""


def _next_period(periods: list[str]) -> str:
    """The year after the latest year recorded (this Jalali year when there is none)."""
    years = [int(p[:4]) for p in periods if p[:4].isdigit()]
    return str(max(years) + 1) if years else _this_year()


def _shown(value: Any, lang: str) -> str:
    """A stored value as an input shows it: exactly (no rounding, so saving the form again
    changes nothing), grouped in thousands, in the reader's digits; codes as they are."""
    if text_or_none(value) is None:
        return ""
    if isinstance(value, str):
        return digits(value, lang)
    if isinstance(value, float | np.floating) and not float(value).is_integer():
        plain = repr(float(value))
        if "e" in plain:
            return digits(plain, lang)
        return format_number(float(value), lang, len(plain.split(".")[1]))
    return format_number(int(value), lang)


def _period(text: str | None) -> str:
    """A period as typed (Persian digits, ``1404-q1``) as it is stored."""
    return to_ascii_digits(text or "").strip().upper()


def _seen(stored: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The version of each part of the period as the form carries it ('' for none)."""
    return {part: str(stored[part]["version"]) if part in stored else ""
            for part in (FIGURES, *INDICATORS)}


def _rights(st: State, who: Principal, code: str) -> tuple[bool, bool]:
    """Whether ``who`` may write the cluster's figures, and its targets."""
    place = {"cluster_code": code}

    def writes(kind: str) -> bool:
        return (records.may(st.access, who, "update", kind, place)
                and records.may(st.access, who, "create", kind, place))

    return writes("cluster_indicators"), writes("cluster_targets")


def period_context(st: State, session: Session, code: str, period: str | None,
                   typed: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                   seen: dict[str, str] | None = None) -> dict[str, Any]:
    """What the period's page shows: the cluster, its periods, and a row per indicator with
    the stored (or ``typed``) figure and target parts, progress and status; the versions
    the form carries are the stored ones unless ``seen`` says otherwise."""
    lang, who = session.lang, session.principal
    cluster = records.get_record(st.ws, st.access, who, "clusters", code)
    periods = _periods(st, code)
    period = _period(period) or (periods[-1] if periods else _this_year())
    if not re.fullmatch(entity("cluster_indicators").column("period").pattern or "", period):
        raise InputError(f"not a period: {period}",
                         localized=Message("web.flow.period.bad_period", {"period": period}))
    stored = period_records(st.ws, code, period)
    can_figures, can_targets = _rights(st, who, code)
    progress = indicator_progress(st.ws, [code])
    progress = progress[progress["period"] == period].set_index("indicator")
    counted = actuals(st.ws, [code])
    counted = counted[(counted["period"] == period)
                      & (counted["indicator"] == "joint_actions")]
    joint = number(counted["actual"].iloc[0], lang) if len(counted) else number(0, lang)
    typed = typed or {}
    figures = stored.get(FIGURES, {})
    rows = []
    for ind in INDICATORS:
        target = stored.get(ind, {})
        values = {p: typed.get(f"{ind}.{p}", _shown(target.get(p), lang)) for p in TARGET_PARTS}
        row: dict[str, Any] = {
            "code": ind, "label": label("indicator", ind, lang),
            "measured": ind in MEASURED,
            "figure": typed.get(ind, _shown(figures.get(ind), lang)) if ind in MEASURED else joint,
            **values, "progress": "", "status": "", "badge": "", "rag": ""}
        if ind in progress.index:
            r = progress.loc[ind]
            row.update(progress=percent(100 * r["progress"], lang),
                       status=label("rag_status", str(r["status"]), lang),
                       badge=RAG_BADGE.get(str(r["status"]), "text-bg-secondary"),
                       rag=str(r["status"]))
        rows.append(row)
    sources = {str(t["source"]) for p, t in stored.items()
               if p != FIGURES and text_or_none(t.get("source"))}
    return {
        "cluster": cluster, "name": region_name(cluster, lang) or code, "code": code,
        "period": period, "periods": periods,
        "next_period": _next_period(periods), "rows": rows,
        "can_figures": can_figures, "can_targets": can_targets,
        "source": typed.get("source", sources.pop() if len(sources) == 1 else ""),
        "seen": seen or _seen(stored), "errors": errors or {},
        "joint_kinds": joined(labels_of("activity_kind", k) for k in JOINT_ACTIONS
                              ).render(lang),
    }


@pages.get("/clusters/{code}/indicators")
def period_page(request: Request, code: str, period: str | None = None,
                session: Session = Depends(page_session), st: State = Depends(state)):
    """The period's figures and targets; editable where the reader may write them."""
    ctx = period_context(st, session, code, period)
    return render_page(request, session, "indicators.html.j2", **ctx,
                       saved=request.query_params.get("saved"))


def _form_parts(form: Any, can_figures: bool, can_targets: bool
                ) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]] | None]:
    figures = {m: form.get(m) for m in MEASURED if m in form} if can_figures else None
    targets = {ind: {p: form.get(f"{ind}.{p}") for p in TARGET_PARTS if f"{ind}.{p}" in form}
               for ind in INDICATORS} if can_targets else None
    if targets is not None:
        targets = {k: v for k, v in targets.items() if v}
    return figures, targets


def _form_seen(form: Any) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for part in (FIGURES, *INDICATORS):
        if f"seen.{part}" not in form:
            continue  # a form that did not carry it is not checked against it
        text = str(form.get(f"seen.{part}") or "")
        out[part] = int(text) if text.isdigit() else None
    return out


@pages.post("/clusters/{code}/indicators")
async def save_period(request: Request, code: str, session: Session = Depends(page_session),
                      st: State = Depends(state)):
    """Save the form: back to the period with what was saved, or the form again with every
    problem by field (422), or with what changed meanwhile (409); nothing is written then."""
    form = await checked_form(request, session)
    period = _period(str(form.get("period") or ""))
    records.get_record(st.ws, st.access, session.principal, "clusters", code)  # 404 / 403
    can_figures, can_targets = _rights(st, session.principal, code)
    if not (can_figures or can_targets):  # a reader: refused as a record is
        st.access.check(session.principal, "update", "cluster_indicators",
                        {"cluster_code": code})
    figures, targets = _form_parts(form, can_figures, can_targets)
    typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        done = record_period(st.ws, code, period, figures=figures, targets=targets,
                             source=str(form.get("source") or "") if can_targets else None,
                             seen=_form_seen(form), actor=session.principal.username,
                             who=session.principal, access=st.access)
    except ValidationError as exc:
        errors = {i.column: digits(i.text(session.lang), session.lang) for i in exc.issues}
        ctx = period_context(st, session, code, period, typed=typed, errors=errors)
        return render_page(request, session, "indicators.html.j2", status=422, **ctx)
    except PeriodConflict as exc:
        # the reader's entries stay; the versions become today's, so saving again is a
        # deliberate overwrite of what the other person stored
        ctx = period_context(st, session, code, period, typed=typed,
                             seen=_seen(period_records(st.ws, code, period)))
        return render_page(request, session, "indicators.html.j2", status=409, **ctx,
                           conflict=exc.text(session.lang))
    saved = ",".join(str(done[k]) for k in ("created", "changed", "removed"))
    return RedirectResponse(f"/clusters/{quote(code, safe='')}/indicators?period="
                            f"{quote(period, safe='')}&saved={saved}", status_code=303)


# --- API --------------------------------------------------------------------------------------
class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    baseline: float | None = Field(None, ge=0, description="the figure the target starts from")
    baseline_period: str | None = Field(None, max_length=7,
                                        description="the period of the baseline (1402)")
    target: float | None = Field(None, ge=0, description="the figure to reach; null with a "
                                 "null baseline removes the target")


class PeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    figures: dict[str, float | None] | None = Field(
        None, description="figures reached, by indicator (" + ", ".join(MEASURED) + "); "
        "null clears one; an indicator left out keeps its stored figure")
    targets: dict[str, TargetIn] | None = Field(
        None, description="targets by indicator (" + ", ".join(INDICATORS) + "); a part "
        "left out keeps its stored value")
    source: str | None = Field(None, max_length=500,
                               description="where the targets come from (e.g. the cluster's "
                               "action plan), written on every target set")
    seen: dict[str, int | None] | None = Field(
        None, description="the version of each record as you last read it (`figures`, or an "
        "indicator for its target; null: none): a record changed since gives 409")


class PeriodOut(BaseModel):
    created: int
    changed: int
    removed: int


@api.put("/clusters/{code}/periods/{period}", response_model=PeriodOut,
         responses={**BODY_ERRORS, 409: {"description": "changed since `seen`"}},
         summary="Record a cluster's figures and targets for a period")
def api_period(body: PeriodIn, code: str = Path(..., max_length=40),
               period: str = Path(..., max_length=7),
               who: Principal = Depends(api_principal), st: State = Depends(state)):
    """The figures the cluster reached in `period` (a Jalali year, 1403, or quarter,
    1403-Q2) and its targets, written together or not at all: a cluster agent may write the
    figures, the province the targets. Returns how many records were created, changed and
    removed."""
    targets = None if body.targets is None else {
        k: v.model_dump(exclude_unset=True) for k, v in body.targets.items()}
    done = record_period(st.ws, code, period, figures=body.figures, targets=targets,
                         source=body.source, seen=body.seen, actor=who.username, who=who,
                         access=st.access)
    return PeriodOut(**done)
