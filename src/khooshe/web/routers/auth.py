"""Sign in and out. The sign-in form has its own CSRF token (a random cookie it must echo), so
a foreign page cannot sign a visitor in; failures are throttled per name and per address."""

from __future__ import annotations

import secrets
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from khooshe.services import users as user_service
from khooshe.text.messages import t
from khooshe.web.app import State
from khooshe.web.deps import Session, checked_form, lang, page_session, state
from khooshe.web.pages import render
from khooshe.web.security import SESSION_COOKIE, SESSION_SECONDS, same_token

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "khooshe_login"


def _safe_next(target: str | None) -> str:
    """Only a path of this site (no scheme, no host, not ``//``) is followed after sign-in."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _form(request: Request, language: str, *, error: str | None = None, status: int = 200,
          username: str = ""):
    # the same token across the tabs of one browser (a favicon or a second tab loading the
    # form must not invalidate the form already shown)
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html.j2", lang=language, status=status, error=error,
                      login_token=token, username=username, session=None,
                      next=_safe_next(request.query_params.get("next")))
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", max_age=3600)
    return response


@router.get("/login")
def login_form(request: Request):
    return _form(request, lang(request))


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""),
          login_token: str = Form(""), next: str = Form("/"),  # noqa: A002 (the form field)
          st: State = Depends(state)):
    language = lang(request)

    def tr(key: str) -> str:
        return t(f"web.{key}", language)

    if not same_token(login_token, request.cookies.get(LOGIN_COOKIE)):
        return _form(request, language, error=tr("login.expired"), status=400,
                     username=username)
    address = request.client.host if request.client else "?"
    keys = (f"user:{username.lower()}", f"addr:{address}")
    if st.throttle.blocked(*keys):
        return _form(request, language, error=tr("login.throttled"), status=429,
                     username=username)
    user = user_service.authenticate(st.ws, username, password)
    if user is None:
        st.throttle.fail(*keys)
        return _form(request, language, error=tr("login.failed"), status=401,
                     username=username)
    st.throttle.clear(*keys)
    cookie, _ = st.sessions.dump(user.id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", max_age=SESSION_SECONDS)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(form: dict = Depends(checked_form), session: Session = Depends(page_session)):
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
