"""Sessions, CSRF tokens, sign-in throttling and the security headers of every response.

* A session is a cookie signed with the workspace's secret (itsdangerous): HttpOnly,
  SameSite=Lax, Secure when served over HTTPS, valid for :data:`SESSION_SECONDS`. It holds the
  user's id and a random CSRF token, nothing else.
* Every form that changes something carries the session's CSRF token; a POST without the
  right one is refused (403). The API does not use cookies (Bearer tokens), so it needs none.
* Sign-in is throttled: after :data:`MAX_FAILURES` failures for one user name (or
  :data:`MAX_ADDRESS_FAILURES` from one address) within :data:`WINDOW_SECONDS`, further tries
  are refused until the window passes.
* Responses carry a Content-Security-Policy without inline script, frame denial, nosniff and
  no referrer; nothing is loaded from another origin.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "khooshe_session"
LANG_COOKIE = "khooshe_lang"
SESSION_SECONDS = 12 * 3600
MAX_FAILURES = 5
#: Failures from one address (many people may share one behind a NAT) before it is blocked.
MAX_ADDRESS_FAILURES = 30
WINDOW_SECONDS = 15 * 60
SECRET_FILE = ".khooshe-secret"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
#: The province plan is one self-contained page with inline scripts (plotly): it is served
#: sandboxed, as an opaque origin that cannot read the session or call the app.
PLAN_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "img-src data:; font-src data:; sandbox allow-scripts; frame-ancestors 'self'")
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin"}


def workspace_secret(root: Path) -> str:
    """``KHOOSHE_SECRET``, else the workspace's own secret file (made on first use, 0600)."""
    if os.environ.get("KHOOSHE_SECRET"):
        return os.environ["KHOOSHE_SECRET"]
    path = Path(root) / SECRET_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class Sessions:
    """Signed session cookies."""

    def __init__(self, secret: str):
        self._signer = URLSafeTimedSerializer(secret, salt="khooshe-session")

    def dump(self, user_id: int) -> tuple[str, str]:
        """The cookie value of a new session and its CSRF token."""
        csrf = secrets.token_urlsafe(24)
        return self._signer.dumps({"u": user_id, "c": csrf}), csrf

    def load(self, cookie: str | None) -> tuple[int, str] | None:
        if not cookie:
            return None
        try:
            data = self._signer.loads(cookie, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict) or "u" not in data or "c" not in data:
            return None
        return int(data["u"]), str(data["c"])


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class Throttle:
    """Failed sign-ins per user name and per address, in memory (per server process)."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 address_limit: int = MAX_ADDRESS_FAILURES):
        self.limit, self.window, self.address_limit = limit, window, address_limit
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= (
                self.address_limit if k.startswith("addr:") else self.limit) for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def clear(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)


class SecurityHeaders:
    """A plain ASGI middleware adding the security headers (:data:`HEADERS`, :data:`CSP`) and
    ``Cache-Control: no-store`` (except on static files) to every response that does not set
    its own. Cheaper than an ``@app.middleware("http")`` function, which runs every request
    through an extra task and stream."""

    def __init__(self, app):
        self.app = app
        self.extra = [(k.lower().encode(), v.encode()) for k, v in
                      [*HEADERS.items(), ("Content-Security-Policy", CSP)]]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.extra if k not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
