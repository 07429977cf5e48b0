"""A province's money in the browser: the balance of each programme's allocation (committed,
disbursed, remaining, jobs expected and realised per toman), the commitments with a form paying
part of one, and a form committing funds to a cluster, a unit or a project; the same over
``/api/v1/funds/...``.

Thin over :mod:`khooshe.services.fund_commitments`: the ceilings (no commitment beyond the
allocation, no payment beyond the commitment, a recipient of the province) and the rights are
its and the access policy's."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError
from khooshe.domain.vocab import RECIPIENT_KINDS, label
from khooshe.services import records
from khooshe.services.fund_commitments import commit_funds, disburse, fund_balance
from khooshe.store.repository import read_kind
from khooshe.text.digits import digits
from khooshe.text.numbers import format_value
from khooshe.web.app import State
from khooshe.web.deps import Session, api_principal, checked_form, page_session, state
from khooshe.web.routers._forms import (
    check_province,
    form_date,
    jalali,
    money,
    optional_int,
    province_of,
    render_page,
    text_or_none,
    whole_number,
)
from khooshe.web.routers.api import BODY_ERRORS, ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["workflows"])


def _check(st: State, who: Principal, province: str) -> None:
    check_province(st, who, province)  # a province (404) the reader may see
    st.access.check(who, "read", "fund_commitments", {"region_code": province})






def money_context(st: State, session: Session, province: str) -> dict[str, Any]:
    lang = session.lang
    _check(st, session.principal, province)
    funds = read_kind(st.ws, "funds")
    names = {str(p): (text_or_none(n) or str(p)) if lang == "fa" else str(p)
             for p, n in zip(funds["programme"], funds["name_fa"], strict=True)}
    balance = []
    for r in fund_balance(st.ws, province).to_dict("records"):
        balance.append({
            "programme": names.get(str(r["programme"]), str(r["programme"])),
            "year": digits(str(r["year"]), lang), "allocated": money(r["allocated"], lang),
            "committed": money(r["committed"], lang),
            "disbursed": money(r["disbursed"], lang),
            "remaining": money(r["remaining"], lang),
            "jobs_expected": format_value(int(r["jobs_expected"]), lang)[0],
            "jobs_realised": format_value(int(r["jobs_realised"]), lang)[0],
            "per_job_expected": money(r["rials_per_job_expected"], lang),
            "per_job_realised": money(r["rials_per_job_realised"], lang)})
    commits = read_kind(st.ws, "fund_commitments")
    commits = commits[commits["region_code"] == province].sort_values(
        ["year", "commitment_id"], ascending=[False, True])
    rows = []
    for r in commits.to_dict("records"):
        committed = int(r["committed_rials"])
        paid = optional_int(r.get("disbursed_rials")) or 0
        rows.append({
            "id": str(r["commitment_id"]),
            "programme": names.get(str(r["programme"]), str(r["programme"])),
            "year": digits(str(r["year"]), lang),
            "kind": label("recipient_kind", str(r["recipient_kind"]), lang),
            "recipient": str(r["recipient"]), "committed": money(committed, lang),
            "disbursed": money(paid, lang), "left": committed - paid,
            "left_text": money(committed - paid, lang),
            "on": jalali(r.get("disbursed_on"), lang),
            "jobs": (format_value(optional_int(r.get("jobs_realised")), lang)[0]
                     if text_or_none(r.get("jobs_realised")) else "")})
    allocations = read_kind(st.ws, "fund_allocations")
    allocations = allocations[allocations["region_code"] == province]
    programmes = sorted({str(p) for p in allocations["programme"]})
    who = session.principal
    return {"province": province, "balance": balance, "commitments": rows,
            "programmes": [(p, names.get(p, p)) for p in programmes],
            "recipient_kinds": [(k, label("recipient_kind", k, lang))
                                for k in RECIPIENT_KINDS],
            "can_commit": records.may(st.access, who, "create", "fund_commitments",
                                      {"region_code": province}),
            "can_pay": records.may(st.access, who, "update", "fund_commitments",
                                   {"region_code": province}),
            "can_allocate": records.may(st.access, who, "create", "fund_allocations",
                                        {"region_code": province})}


@pages.get("/money")
def money_page(request: Request, province: str | None = None,
               session: Session = Depends(page_session), st: State = Depends(state)):
    code = province_of(session.principal, province) or "01"
    return render_page(request, session, "money.html.j2", **money_context(st, session, code))


@pages.post("/money/{province}/commit")
async def commit(request: Request, province: str = Path(..., max_length=4),
                 session: Session = Depends(page_session), st: State = Depends(state)):
    form = await checked_form(request, session)
    values = {k: str(form.get(k) or "").strip() or None for k in (
        "commitment_id", "programme", "year", "recipient_kind", "recipient",
        "committed_rials", "committed_on", "jobs_expected", "note")}
    values["region_code"] = province
    try:
        _check(st, session.principal, province)
        commit_funds(st.ws, values, actor=session.principal.username, who=session.principal,
                     access=st.access)
    except InputError as exc:
        if exc.http_status == 404:
            raise
        return render_page(request, session, "money.html.j2", status=422,
                           error=exc.text(session.lang), sent=form,
                           **money_context(st, session, province))
    return RedirectResponse(f"/money?province={quote(province)}&done=commit#commitments",
                            status_code=303)


@pages.post("/money/pay/{commitment}")
async def pay(request: Request, commitment: str = Path(..., max_length=40),
              session: Session = Depends(page_session), st: State = Depends(state)):
    form = await checked_form(request, session)
    rows = read_kind(st.ws, "fund_commitments")
    match = rows[rows["commitment_id"] == commitment]
    province = str(match["region_code"].iloc[0]) if len(match) else ""
    try:
        amount = whole_number(form.get("amount"), "amount")
        jobs = whole_number(form.get("jobs_realised"), "jobs_realised")
        disburse(st.ws, commitment, amount or 0, actor=session.principal.username,
                 on=form_date(form.get("on")), jobs_realised=jobs, who=session.principal,
                 access=st.access)
    except InputError as exc:
        if exc.http_status == 404 or not province:
            raise
        return render_page(request, session, "money.html.j2", status=422,
                           error=exc.text(session.lang), **money_context(st, session, province))
    return RedirectResponse(f"/money?province={quote(province)}&done=pay#c-{quote(commitment)}",
                            status_code=303)


# --- API --------------------------------------------------------------------------------------
class BalanceRow(BaseModel):
    programme: str
    year: int
    region_code: str
    allocated: int
    committed: int
    disbursed: int
    remaining: int
    jobs_expected: int
    jobs_realised: int


class Payment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_rials: int = Field(..., ge=0, le=10**18)
    on: str | None = Field(None, max_length=40, description="Jalali or ISO date")
    jobs_realised: int | None = Field(None, ge=0, le=10**9)


class CommitmentOut(BaseModel):
    commitment_id: str
    committed_rials: int
    disbursed_rials: int
    jobs_realised: int | None = None


@api.get("/funds/balance", response_model=list[BalanceRow], responses=ERRORS,
         summary="A province's funds: allocated, committed, disbursed, remaining")
def api_balance(province: str = Query(..., max_length=4),
                who: Principal = Depends(api_principal), st: State = Depends(state)):
    _check(st, who, province)
    return [BalanceRow(programme=str(r["programme"]), year=int(r["year"]),
                       region_code=str(r["region_code"]), allocated=int(r["allocated"]),
                       committed=int(r["committed"]), disbursed=int(r["disbursed"]),
                       remaining=int(r["remaining"]), jobs_expected=int(r["jobs_expected"]),
                       jobs_realised=int(r["jobs_realised"]))
            for r in fund_balance(st.ws, province).to_dict("records")]


@api.post("/funds/commitments/{commitment}/disbursements", response_model=CommitmentOut,
          responses=BODY_ERRORS, summary="Pay part of a commitment")
def api_pay(body: Payment, commitment: str = Path(..., max_length=40),
            who: Principal = Depends(api_principal), st: State = Depends(state)):
    """Refused beyond what was committed; `jobs_realised` records the jobs reported."""
    after = disburse(st.ws, commitment, body.amount_rials, actor=who.username,
                     on=form_date(body.on), jobs_realised=body.jobs_realised, who=who,
                     access=st.access)
    jobs = after.get("jobs_realised")
    return CommitmentOut(commitment_id=str(after["commitment_id"]),
                         committed_rials=int(after["committed_rials"]),
                         disbursed_rials=optional_int(after.get("disbursed_rials")) or 0,
                         jobs_realised=optional_int(jobs))
