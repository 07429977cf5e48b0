"""The province plan from the browser: a background job (one thread per plan) with its
progress, then the plan to read (sandboxed) and its files to download.

Only those who may read the whole province build its plan: national administrators and
viewers, the province's manager and its viewers.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.services import plan as plan_service
from khooshe.services.access import Forbidden
from khooshe.text.messages import Message
from khooshe.web.app import State
from khooshe.web.deps import Session, checked_form, page_session, state
from khooshe.web.pages import render
from khooshe.web.security import PLAN_CSP

router = APIRouter(include_in_schema=False)
PLANS_DIR = ".khooshe-plans"


@dataclass
class Job:
    id: str
    province: str
    lang: str
    owner: str
    out: Path
    total: int
    done: int = 0
    section: str = ""
    state: str = "running"  # running | done | failed
    error: str = ""
    started: float = field(default_factory=time.time)
    files: dict[str, str] = field(default_factory=dict)
    #: sections that could not be built (the plan says why in each)
    failed: list[str] = field(default_factory=list)


def _may_plan(who: Principal, province: str) -> bool:
    if who.national:
        return True
    return who.role in ("province_manager", "viewer") and who.province == province


def _run(st: State, job: Job) -> None:
    def progress(key: str, status: str) -> None:
        job.section = key
        if status != "start":
            job.done += 1

    try:
        result = plan_service.build_plan(st.ws, job.province, lang=job.lang,
                                         on_section=progress)
        written = plan_service.write_plan(result.plan, job.out, lang=job.lang)
        job.files = {fmt: Path(p).name for fmt, p in written.items()
                     if not isinstance(p, Exception)}
        job.done = job.total
        job.state = "done"
        job.failed = list(result.failed)
    except Exception as exc:  # the page shows the failure; the server goes on
        job.state = "failed"
        job.error = f"{type(exc).__name__}: {exc}"


@router.get("/plan")
def plan_form(request: Request, session: Session = Depends(page_session),
              st: State = Depends(state)):
    jobs = [j for j in st.jobs.values() if j.owner == session.principal.username]
    return render(request, "plan.html.j2", lang=session.lang, session=session, jobs=jobs,
                  province=session.principal.province or "")


@router.post("/plan")
async def start(request: Request, session: Session = Depends(page_session),
                st: State = Depends(state)):
    form = await checked_form(request, session)
    province = str(form.get("province", "")).strip()
    language = form.get("plan_lang") if form.get("plan_lang") in ("fa", "en") else session.lang
    if not province:
        raise InputError("give a province code", localized=Message("web.msg.no_province"))
    if not _may_plan(session.principal, province):
        raise Forbidden(f"{session.principal.username} may not build the plan of {province}",
                        localized=Message("web.msg.plan_refused",
                                          {"user": session.principal.username}))
    job_id = uuid.uuid4().hex[:12]
    out = Path(st.ws.root) / PLANS_DIR / job_id
    job = Job(job_id, province, str(language), session.principal.username, out,
              total=len(plan_service.SECTIONS))
    st.jobs[job_id] = job
    threading.Thread(target=_run, args=(st, job), daemon=True, name=f"plan-{job_id}").start()
    return RedirectResponse(f"/plan/jobs/{job_id}", status_code=303)


def _job(st: State, session: Session, job_id: str) -> Job:
    job = st.jobs.get(job_id)
    if job is None or job.owner != session.principal.username:
        raise NotFoundError(f"no plan job {job_id}", localized=Message("web.msg.no_job"))
    return job


@router.get("/plan/jobs/{job_id}")
def job_page(request: Request, job_id: str, session: Session = Depends(page_session),
             st: State = Depends(state)):
    job = _job(st, session, job_id)
    partial = request.headers.get("HX-Request") == "true"
    return render(request, "plan_job.html.j2" if not partial else "plan_progress.html.j2",
                  lang=session.lang, session=session, job=job,
                  section=section_title(job.section, session.lang),
                  failed=[section_title(k, session.lang) for k in job.failed],
                  province_name=_province_name(st, job.province, session.lang))


def section_title(key: str, lang: str) -> str:
    """A plan section's title (its key only when the catalogue has none)."""
    from khooshe.text.messages import t

    if not key:
        return ""
    try:
        return t(f"plan.section.{key}", lang)
    except KeyError:
        return key


def _province_name(st: State, code: str, lang: str) -> str:
    from sqlalchemy import select

    from khooshe.store.tables import TABLES

    regions = TABLES["regions"]
    with st.ws.engine.connect() as conn:
        row = conn.execute(select(regions.c.name_fa, regions.c.name_en)
                           .where(regions.c.code == code)).first()
    if row is None:
        return code
    return (row.name_fa if lang == "fa" else row.name_en or row.name_fa) or code


@router.get("/plan/jobs/{job_id}/{name}")
def job_file(job_id: str, name: str, session: Session = Depends(page_session),
             st: State = Depends(state)):
    job = _job(st, session, job_id)
    if name not in job.files.values():
        raise NotFoundError(f"the plan has no file {name}", localized=Message("web.msg.no_file"))
    path = job.out / name
    if name.endswith(".html"):
        response = HTMLResponse(path.read_text(encoding="utf-8"))
        response.headers["Content-Security-Policy"] = PLAN_CSP
        return response
    return FileResponse(path, filename=f"plan-{job.province}{path.suffix}")
