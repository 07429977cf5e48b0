"""A cluster's activities (seeds R3, R14, R20): trainings (hours, trainees), tours and
exhibitions at home and abroad, joint purchasing and marketing, export consortia — counted by
kind with their cost, the members' co-finance and the member firms they reached — and the
checks of foreign partners made for export development.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd
from sqlalchemy import select

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError
from khooshe.domain.programme import activity_problems
from khooshe.domain.validate import Issue, ValidationError, parse_amount
from khooshe.domain.vocab import ACTIVITY_KINDS
from khooshe.services.cluster_stages import cluster_record
from khooshe.services.records import validate_one
from khooshe.store import repository
from khooshe.store.repository import read_kind
from khooshe.store.tables import TABLES
from khooshe.store.workspace import Workspace
from khooshe.text.digits import is_blank
from khooshe.text.messages import Message


def activity_summary(ws: Workspace, clusters: list[str]) -> pd.DataFrame:
    """Per kind of activity of ``clusters``: ``count``, ``hours``, ``trainees``,
    ``participants``, ``cost_rials``, ``cofinance_rials``, ``cofinance_share``,
    ``members_reached`` (distinct member firms that took part) and ``countries`` (ISO3 codes
    abroad, ``;``-separated); kinds in the vocabulary's order, those without activities left
    out."""
    acts = read_kind(ws, "cluster_activities")
    acts = acts[acts["cluster_code"].isin(clusters)]
    parts = read_kind(ws, "activity_participants")
    parts = parts[parts["cluster_code"].isin(clusters)].merge(
        acts[["cluster_code", "activity_id", "kind"]], on=["cluster_code", "activity_id"])
    grouped = acts.groupby("kind")
    out = pd.DataFrame({
        "count": grouped.size(),
        "hours": grouped["hours"].sum(min_count=1),
        "trainees": grouped["trainees"].sum(min_count=1),
        "participants": grouped["participants"].sum(min_count=1),
        "cost_rials": grouped["cost_rials"].sum(min_count=1),
        "cofinance_rials": grouped["cofinance_rials"].sum(min_count=1),
        "countries": grouped["country"].agg(lambda c: ";".join(sorted(set(c.dropna())))),
    })
    # a float with NaN where a kind has no cost or no share (not pandas' NA, which no
    # arithmetic of a page survives)
    out["cofinance_share"] = (out["cofinance_rials"] / out["cost_rials"]).astype(float)
    reached = parts.drop_duplicates(["cluster_code", "member_id", "kind"]).groupby("kind").size()
    out["members_reached"] = reached.reindex(out.index).fillna(0).astype(int)
    order = [k for k in ACTIVITY_KINDS if k in out.index]
    return out.loc[order].rename_axis("kind").reset_index()


def training_reach(ws: Workspace, cluster: str) -> tuple[int, int]:
    """(member firms that took part in at least one training, member firms)."""
    members = read_kind(ws, "cluster_members")
    firms = set(members.loc[(members["cluster_code"] == cluster)
                            & (members["kind"] == "firm"), "member_id"])
    acts = read_kind(ws, "cluster_activities")
    trainings = set(acts.loc[(acts["cluster_code"] == cluster)
                             & (acts["kind"] == "training"), "activity_id"])
    parts = read_kind(ws, "activity_participants")
    took = set(parts.loc[(parts["cluster_code"] == cluster)
                         & parts["activity_id"].isin(trainings), "member_id"])
    return len(took & firms), len(firms)


def verifications(ws: Workspace, clusters: list[str]) -> pd.DataFrame:
    """The checks of foreign partners of ``clusters``, newest first."""
    checks = read_kind(ws, "partner_verifications")
    return checks[checks["cluster_code"].isin(clusters)].sort_values(
        "verified_on", ascending=False, na_position="last").reset_index(drop=True)


def next_activity_id(conn: Any, cluster: str) -> str:
    """The identifier a new activity of ``cluster`` gets: ``A`` and the number after the
    largest of its activities numbered so (``A001``, ``A002``…; other identifiers kept as
    they are)."""
    table = TABLES["cluster_activities"]
    ids = conn.scalars(select(table.c.activity_id).where(table.c.cluster_code == cluster))
    numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(r"A(\d+)", str(i)))]
    return f"A{max(numbers, default=0) + 1:03d}"


def record_activity(ws: Workspace, cluster: str, activity: Mapping[str, object],
                    participants: Mapping[str, object] | None = None, *, actor: str,
                    who: Principal | None = None, access: Any = None) -> dict[str, Any]:
    """Record an activity of ``cluster`` (``kind``, ``date``, and any of ``title``,
    ``participants``, ``cost_rials``, ``cofinance_rials``, ``hours``, ``trainees``,
    ``country``, ``place``; ``activity_id`` when not given is the next ``A…``) with the
    members that took part (``participants``: member id → people, blank for one), in one
    change: all of it or nothing.

    Every problem is reported at once, as a :class:`~khooshe.domain.validate.ValidationError`
    whose columns are the activity's (``date``) or ``people.<member id>``: values that are not
    valid, what does not hold together (:func:`khooshe.domain.programme.activity_problems`)
    and members who are not the cluster's. Returns the activity's record.

    Examples
    --------
    >>> record_activity(ws, "CL06-01", {"kind": "training", "date": "1404/02/10",
    ...                                 "hours": "16", "participants": "12"},
    ...                 {"M-E0007340": "2"}, actor="agent")  # doctest: +SKIP
    {'cluster_code': 'CL06-01', 'activity_id': 'A006', ...}
    """
    participants = dict(participants or {})
    with ws.engine.begin() as conn:
        cluster_record(conn, cluster, who, access)
        given = {k: v for k, v in activity.items() if k != "cluster_code"}
        if not str(given.get("activity_id") or "").strip():
            given["activity_id"] = next_activity_id(conn, cluster)
        issues: list[Issue] = []
        typed: dict[str, Any] = {}
        try:
            typed = validate_one(conn, "cluster_activities", {**given, "cluster_code": cluster})
        except ValidationError as exc:
            issues.extend(replace(i, row=None) for i in exc.issues)
            bad = {i.column for i in exc.issues}
            issues.extend(Issue.of(None, column, None, message)
                          for column, message in activity_problems(_loosely_typed(given))
                          if column not in bad)  # what holds together is said at once too
        else:
            issues.extend(Issue.of(None, column, _text(typed.get(column)), message)
                          for column, message in activity_problems(typed))
            key = {"cluster_code": cluster, "activity_id": typed["activity_id"]}
            if repository.get(conn, "cluster_activities", key) is not None:
                issues.append(Issue.of(None, "activity_id", str(typed["activity_id"]), Message(
                    "programme.activity_exists", {"id": typed["activity_id"]})))
        members = set(conn.scalars(select(TABLES["cluster_members"].c.member_id).where(
            TABLES["cluster_members"].c.cluster_code == cluster)))
        rows = []
        for member, people in participants.items():
            if member not in members:
                issues.append(Issue.of(None, f"people.{member}", member,
                                       Message("programme.not_a_member", {})))
                continue
            try:
                rows.append(validate_one(conn, "activity_participants", {
                    "cluster_code": cluster, "activity_id": given["activity_id"],
                    "member_id": member, "people": None if is_blank(people) else people}))
            except ValidationError as exc:
                issues.extend(replace(i, row=None, column=f"people.{member}")
                              for i in exc.issues)
        if issues:
            raise ValidationError("cluster_activities", issues, source=cluster)
        if who is not None:
            access.check(who, "create", "cluster_activities", typed)
        out = repository.insert_record(conn, "cluster_activities", typed, actor=actor)
        for row in rows:
            row["people"] = row.get("people") or 1
            if who is not None:
                access.check(who, "create", "activity_participants", row)
            repository.insert_record(conn, "activity_participants", row, actor=actor)
    return out


def _loosely_typed(given: Mapping[str, object]) -> dict[str, Any]:
    """The values :func:`activity_problems` reads, from typed text, each None when it is not
    valid (its own problem is reported by the validation)."""
    out: dict[str, Any] = {"kind": str(given.get("kind") or "").strip() or None,
                           "country": str(given.get("country") or "").strip().upper() or None}
    for column in ("cost_rials", "cofinance_rials", "participants", "trainees"):
        try:
            out[column] = None if is_blank(given.get(column)) else parse_amount(
                str(given.get(column)))
        except InputError:
            out[column] = None
    return out



def _text(value: object) -> str | None:
    return None if value is None else str(value)


__all__ = ["activity_summary", "next_activity_id", "record_activity", "training_reach",
           "verifications"]
