"""Request dependencies: the shared state, the reader's language, the signed-in user (from the
session cookie for pages, from a Bearer token for the API) and the CSRF check of forms."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from khooshe.domain.access import Principal
from khooshe.domain.errors import KhoosheError
from khooshe.services import users as user_service
from khooshe.services.access import principal_of
from khooshe.store import users as user_store
from khooshe.text.messages import Message
from khooshe.web.app import LoginRequired, State
from khooshe.web.security import LANG_COOKIE, SESSION_COOKIE, same_token

LANGS = ("fa", "en")
bearer = HTTPBearer(auto_error=False, description="An API token from `khooshe users token`.")


class Unauthorized(KhoosheError):
    http_status = 401


class CsrfError(KhoosheError):
    http_status = 403


def state(request: Request) -> State:
    return request.app.state.khooshe


def lang(request: Request) -> str:
    """``?lang=`` (remembered in a cookie by the pages), else the cookie, else Persian."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    return cookie if cookie in LANGS else "fa"


@dataclass(frozen=True)
class Session:
    """The signed-in user of a page request."""

    principal: Principal
    user_id: int
    csrf: str
    lang: str


def page_session(request: Request, st: State = Depends(state)) -> Session:
    """The page's signed-in user, or a redirect to the sign-in form."""
    loaded = st.sessions.load(request.cookies.get(SESSION_COOKIE))
    if loaded is None:
        raise LoginRequired()
    user_id, csrf = loaded
    def load():
        with st.ws.engine.connect() as conn:
            return user_store.get_by_id(conn, user_id)

    user = st.users.get(("id", user_id), load)
    if user is None or not user.active:
        raise LoginRequired()
    return Session(principal_of(st.access, user), user_id, csrf, lang(request))


def optional_session(request: Request) -> Session | None:
    """The page's signed-in user, or None (error pages keep the navigation with it)."""
    try:
        return page_session(request, state(request))
    except (LoginRequired, KhoosheError):
        return None
    except Exception:  # an error page must not fail in turn  # noqa: BLE001
        return None


def api_principal(credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
                  st: State = Depends(state)) -> Principal:
    """The API caller from ``Authorization: Bearer <token>``; 401 without a valid one."""
    if credentials is None or not credentials.credentials:
        raise Unauthorized("an API token is needed: Authorization: Bearer <token>")
    token = credentials.credentials
    user = st.users.get(("token", token), lambda: user_service.user_for_token(st.ws, token))
    if user is None:
        raise Unauthorized("the API token is not valid (or its user is disabled)")
    return principal_of(st.access, user)


async def checked_form(request: Request, session: Session = Depends(page_session)) -> dict:
    """The submitted form, once its CSRF token matches the session's."""
    form = await request.form()
    token = form.get("csrf_token")  # a file sent under that name is no token
    if not same_token(token if isinstance(token, str) else None, session.csrf):
        raise CsrfError("the form is out of date (CSRF check failed); reload the page",
                        localized=Message("web.msg.csrf"))
    return {k: v for k, v in form.items()}
