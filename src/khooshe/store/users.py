"""Accounts of the web app and the API: users with a role and a place, and their API tokens.

Passwords and tokens are never stored: a password's Argon2 hash (hashed by the caller, see
:mod:`khooshe.services.users`) and a token's SHA-256. Every change is in the audit trail
(kind ``users``) under the actor passed in, without the hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from khooshe.domain.errors import ConflictError, NotFoundError
from khooshe.store.repository import log
from khooshe.store.tables import api_tokens, users


@dataclass(frozen=True)
class User:
    """One account (without its password hash)."""

    id: int
    username: str
    role: str
    province_code: str | None
    county_code: str | None
    clusters: tuple[str, ...]
    active: bool

    @classmethod
    def from_row(cls, row: Any) -> User:
        return cls(id=int(row.id), username=row.username, role=row.role,
                   province_code=row.province_code, county_code=row.county_code,
                   clusters=tuple(c for c in (row.clusters or "").split(";") if c),
                   active=bool(row.active))

    def public(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role, "province": self.province_code,
                "county": self.county_code, "clusters": list(self.clusters),
                "active": self.active}


def token_digest(token: str) -> str:
    """The SHA-256 under which a token is kept."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add(conn: Connection, *, username: str, password_hash: str, role: str,
        province: str | None, county: str | None, clusters: tuple[str, ...],
        actor: str) -> User:
    if get_by_name(conn, username) is not None:
        raise ConflictError(f"user {username!r} already exists")
    conn.execute(insert(users).values(
        username=username, password_hash=password_hash, role=role, province_code=province,
        county_code=county, clusters=";".join(clusters) or None, active=1,
        created_at=dt.datetime.now(dt.UTC)))
    user = get_by_name(conn, username)
    assert user is not None
    log(conn, actor=actor, action="insert", kind="users", key=username, after=user.public())
    return user


def get_by_name(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    return None if row is None else User.from_row(row)


def get_by_id(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None else User.from_row(row)


def password_hash(conn: Connection, username: str) -> str | None:
    return conn.execute(select(users.c.password_hash).where(
        users.c.username == username)).scalar()


def all_users(conn: Connection) -> list[User]:
    return [User.from_row(r) for r in conn.execute(select(users).order_by(users.c.username))]


def _require(conn: Connection, username: str) -> User:
    user = get_by_name(conn, username)
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return user


def set_password(conn: Connection, username: str, password_hash_: str, *, actor: str) -> None:
    _require(conn, username)
    conn.execute(update(users).where(users.c.username == username)
                 .values(password_hash=password_hash_))
    log(conn, actor=actor, action="reset_password", kind="users", key=username)


def set_active(conn: Connection, username: str, active: bool, *, actor: str) -> None:
    before = _require(conn, username)
    conn.execute(update(users).where(users.c.username == username).values(active=int(active)))
    if not active:  # a disabled account's tokens stop working too
        conn.execute(update(api_tokens).where(api_tokens.c.user_id == before.id)
                     .values(revoked=1))
    log(conn, actor=actor, action="enable" if active else "disable", kind="users",
        key=username, before={"active": before.active}, after={"active": active})


def add_token(conn: Connection, username: str, token: str, *, actor: str) -> None:
    user = _require(conn, username)
    conn.execute(insert(api_tokens).values(user_id=user.id, token_hash=token_digest(token),
                                           created_at=dt.datetime.now(dt.UTC), revoked=0))
    log(conn, actor=actor, action="token", kind="users", key=username)


def user_for_token(conn: Connection, token: str) -> User | None:
    row = conn.execute(
        select(users).join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == token_digest(token), api_tokens.c.revoked == 0,
               users.c.active == 1)).first()
    return None if row is None else User.from_row(row)


__all__ = ["User", "add", "add_token", "all_users", "get_by_id", "get_by_name",
           "password_hash", "set_active", "set_password", "token_digest", "user_for_token"]
