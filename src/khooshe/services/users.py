"""Accounts: add users with a role and a place, passwords (Argon2), API tokens, sign-in.

The roles and what they may do are :mod:`khooshe.domain.access`; the records are
:mod:`khooshe.store.users`. A password is generated when none is given and shown once; only
its hash is kept. A token is shown once too; only its SHA-256 is kept.
"""

from __future__ import annotations

import re
import secrets
from functools import cache

import pandas as pd

from khooshe.domain.access import ROLES
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.regions import RegionHierarchy
from khooshe.store import users as store
from khooshe.store.repository import read_kind
from khooshe.store.users import User
from khooshe.store.workspace import Workspace

USERNAME = re.compile(r"[A-Za-z0-9_.\-]{2,64}")
#: Shortest password accepted when one is given.
MIN_PASSWORD = 10


@cache
def _hasher():
    from pwdlib import PasswordHash

    return PasswordHash.recommended()  # Argon2id


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, digest: str) -> bool:
    try:
        return bool(_hasher().verify(password, digest))
    except Exception:  # a malformed hash: no sign-in, never a crash
        return False


def new_password() -> str:
    """A random password of 16 URL-safe characters."""
    return secrets.token_urlsafe(12)


def _check_place(ws: Workspace, role: str, province: str | None, county: str | None,
                 clusters: tuple[str, ...]) -> tuple[str | None, str | None]:
    h = RegionHierarchy(read_kind(ws, "regions", columns=["code", "level", "parent_code"]))
    if role == "province_manager" and not province:
        raise InputError("a province manager needs --province")
    if role == "county_governor":
        if not county:
            raise InputError("a county governor needs --county")
        h.check(county, "county")
        province = province or str(h.ancestors("province").get(county))
    if role == "cluster_agent":
        if not clusters:
            raise InputError("a cluster development agent needs --cluster (one or more)")
        known = set(read_kind(ws, "clusters", columns=["code"])["code"])
        unknown = [c for c in clusters if c not in known]
        if unknown:
            raise NotFoundError(f"no cluster {', '.join(unknown)} in the workspace")
    if province:
        h.check(province, "province")
    if county and province and not h.contains(province, pd.Series([county])).iloc[0]:
        raise InputError(f"county {county} is not in province {province}")
    return province, county


def add_user(ws: Workspace, username: str, role: str, *, province: str | None = None,
             county: str | None = None, clusters: tuple[str, ...] = (),
             password: str | None = None, actor: str) -> tuple[User, str]:
    """Create an account; returns it and its password (generated when not given)."""
    if not USERNAME.fullmatch(username or ""):
        raise InputError(f"user name {username!r}: 2–64 letters, digits, '_', '.' or '-'")
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters")
    province, county = _check_place(ws, role, province, county, tuple(clusters))
    password = password or new_password()
    with ws.engine.begin() as conn:
        user = store.add(conn, username=username, password_hash=hash_password(password),
                         role=role, province=province, county=county,
                         clusters=tuple(clusters), actor=actor)
    return user, password


def new_token(ws: Workspace, username: str, *, actor: str) -> str:
    """A new API token of ``username`` (shown once)."""
    token = "kh_" + secrets.token_urlsafe(32)
    with ws.engine.begin() as conn:
        store.add_token(conn, username, token, actor=actor)
    return token


def reset_password(ws: Workspace, username: str, *, password: str | None = None,
                   actor: str) -> str:
    if password is not None and len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters")
    password = password or new_password()
    with ws.engine.begin() as conn:
        store.set_password(conn, username, hash_password(password), actor=actor)
    return password


def set_active(ws: Workspace, username: str, active: bool, *, actor: str) -> None:
    with ws.engine.begin() as conn:
        store.set_active(conn, username, active, actor=actor)


def list_users(ws: Workspace) -> list[User]:
    with ws.engine.connect() as conn:
        return store.all_users(conn)


def authenticate(ws: Workspace, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (the same time either way, so
    the answer does not tell whether the name exists)."""
    with ws.engine.connect() as conn:
        user = store.get_by_name(conn, username)
        digest = store.password_hash(conn, username) if user else None
    if user is None or digest is None:
        hash_password("timing")  # spend the same effort as a real check
        return None
    if not verify_password(password, digest) or not user.active:
        return None
    return user


def user_for_token(ws: Workspace, token: str) -> User | None:
    with ws.engine.connect() as conn:
        return store.user_for_token(conn, token)


__all__ = ["add_user", "authenticate", "hash_password", "list_users", "new_password",
           "new_token", "reset_password", "set_active", "user_for_token", "verify_password"]
