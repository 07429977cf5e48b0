"""The web application: khooshe's registry and analyses in a browser, and the REST API.

:func:`create_app` builds a FastAPI app on one workspace: pages under ``/`` (Persian,
right-to-left by default; ``?lang=en`` switches), the API under ``/api/v1`` with its OpenAPI
schema and interactive documentation served from the package. Every script, style sheet and
font comes from ``web/static`` (vendored from the npm registry); no request leaves the server.
Sessions, CSRF and headers: :mod:`.security`; who may do what: :mod:`khooshe.domain.access`.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import traceback
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from khooshe import __version__
from khooshe.domain.errors import KhoosheError
from khooshe.domain.validate import ValidationError
from khooshe.services.access import Access
from khooshe.store.workspace import Workspace
from khooshe.web.security import SecurityHeaders, Sessions, Throttle, workspace_secret

STATIC = Path(__file__).with_name("static")
log = logging.getLogger("khooshe.web")


#: Seconds a request's user (looked up by its session or API token) is reused.
USER_SECONDS = 2.0


class Recent:
    """Values kept for ``seconds`` after they were looked up (thread-safe, bounded)."""

    def __init__(self, seconds: float, size: int = 4096):
        self.seconds = seconds
        self.size = size
        self._lock = threading.Lock()
        self._values: dict = {}

    def get(self, key, load):
        """The value of ``key``: kept if fresh, else ``load()`` (None is not kept)."""
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        if value is not None and self.seconds > 0:
            with self._lock:
                if len(self._values) >= self.size:
                    self._values.clear()
                self._values[key] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


@dataclass
class State:
    """What every request shares: the workspace, the access policy's places, sessions, the
    sign-in throttle and the plan jobs."""

    ws: Workspace
    access: Access
    sessions: Sessions
    throttle: Throttle = field(default_factory=Throttle)
    jobs: dict = field(default_factory=dict)
    #: uploads larger than this are refused before they are read whole
    max_upload_mb: float = 50.0
    #: the signed-in users of recent requests (by session or token), reused for this long:
    #: one query less per request; a disabled account is refused at most this much later
    users: Recent = field(default_factory=lambda: Recent(USER_SECONDS))




class LoginRequired(Exception):
    """A page needs a signed-in user: redirect to the sign-in form."""


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


#: Worker threads running the (synchronous) endpoints, and database connections kept open.
#: Measured on the national demo, 20 clients, 2 cores (benchmarks/web.py): 8 threads serve
#: as many requests as 40 with a shorter tail (fewer threads contending for the GIL).
THREADS = 8
#: The garbage collector's thresholds while serving (Python's default: 700, 10, 10).
GC_THRESHOLDS = (20_000, 20, 50)


def create_app(root: str | Path, *, secret: str | None = None,
               threads: int = THREADS) -> FastAPI:
    """The app on the workspace at ``root`` (its schema must be current), its endpoints run
    by ``threads`` worker threads over as many pooled database connections."""
    ws = Workspace.open(root)
    ws.close()  # the check's engine: reopened with a pool of one connection per thread
    ws.pool_size = threads
    state = State(ws=ws, access=Access(ws),
                  sessions=Sessions(secret or workspace_secret(Path(root))))

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        # What lives as long as the server (modules, the access policy's places) is moved out
        # of the garbage collector's sight, and young objects are collected less often: a
        # full collection walked every cached region and establishment, a pause of tens of
        # milliseconds in the slowest answers.
        state.access.places()
        before = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            yield
        finally:
            gc.set_threshold(*before)
            gc.unfreeze()
            ws.close()

    app = FastAPI(title="khooshe", lifespan=lifespan, version=__version__, docs_url=None,
                  redoc_url=None, openapi_url="/api/v1/openapi.json",
                  description="The records of an industrial-cluster programme: every kind of "
                              "the workspace, read and kept under the same validation and "
                              "access rules as the web pages. Authenticate with "
                              "`Authorization: Bearer <token>` (`khooshe users token`).")
    app.state.khooshe = state

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(ValidationError)
    async def invalid(request: Request, exc: ValidationError):
        if _wants_json(request):
            return JSONResponse(status_code=422, content={"detail": [
                {"loc": ["body", i.column], "msg": i.reason, "type": "value_error",
                 "row": i.row, "input": i.value} for i in exc.issues]})
        from khooshe.web.pages import error_page

        return error_page(request, 422, str(exc), issues=exc.issues, error=exc)

    @app.exception_handler(KhoosheError)
    async def khooshe_error(request: Request, exc: KhoosheError):
        status = exc.http_status
        if _wants_json(request):
            if status == 422:
                return JSONResponse(status_code=422, content={"detail": [
                    {"loc": ["body"], "msg": str(exc), "type": "value_error"}]})
            return JSONResponse(status_code=status, content={"detail": str(exc)})
        from khooshe.web.pages import error_page

        return error_page(request, status, str(exc), error=exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if _wants_json(request):
            return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail},
                                headers=getattr(exc, "headers", None))
        from khooshe.web.pages import error_page

        return error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError):
        detail = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", "value_error"))} for e in exc.errors()]
        if _wants_json(request):
            return JSONResponse(status_code=422, content={"detail": detail})
        from khooshe.web.pages import error_page

        return error_page(request, 422, "; ".join(str(d["msg"]) for d in detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):  # a bug: never show a traceback
        log.error("unexpected error on %s: %s", request.url.path,
                  "".join(traceback.format_exception(exc)))
        if _wants_json(request):
            return JSONResponse(status_code=500, content={"detail": "internal error"})
        return HTMLResponse("<!doctype html><title>500</title><p>Internal error.</p>",
                            status_code=500)

    from khooshe.web.routers import (
        activities,
        api,
        auth,
        clusters,
        committee,
        indicators,
        money,
        pages,
        plan,
        units,
        villages,
    )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        from fastapi.responses import FileResponse

        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")
    app.include_router(auth.router)
    app.include_router(clusters.api)
    app.include_router(indicators.api)
    app.include_router(activities.api)
    app.include_router(villages.api)
    app.include_router(committee.api)
    app.include_router(money.api)
    app.include_router(units.api)
    app.include_router(api.router)
    app.include_router(plan.router)
    app.include_router(clusters.pages)
    app.include_router(indicators.pages)
    app.include_router(activities.pages)
    app.include_router(villages.pages)
    app.include_router(committee.pages)
    app.include_router(money.pages)
    app.include_router(units.pages)
    app.include_router(pages.router)

    return app


__all__ = ["THREADS", "LoginRequired", "State", "create_app"]
