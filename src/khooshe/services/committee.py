"""The province's steering committee (seeds R15, R18): its meetings and decisions, the
problems its organisations report in supporting clusters, the follow-up board per
organisation (its decisions open and overdue, its problems not resolved), and what a
meeting's report shows.

A meeting is recorded with its decisions in one transaction (all or nothing, validated like an
import); a decision is then followed up (done, cancelled, or a progress note). A decision is
overdue when it is open and its due date has passed on the day the board is read (``as_of``).
Every change goes through the store's record functions and is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.vocab import DECISION_STATUSES, parse_choice
from khooshe.services.records import validate_one
from khooshe.store import repository
from khooshe.store.tables import TABLES
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Message

#: Decisions due within this many days of a meeting are listed as "due" in its report.
DUE_SOON_DAYS = 30


def _refuse(key: str, **params: object) -> InputError:
    return InputError(Message(f"committee.{key}", params))


def hold_meeting(ws: Workspace, meeting: Mapping[str, Any],
                 decisions: Sequence[Mapping[str, Any]] = (), *, actor: str,
                 who: Principal | None = None, access: Any = None) -> dict[str, Any]:
    """Record a meeting (``meeting_id``, ``province_code``, ``held_on``, optional ``chair``,
    ``attendees``, ``clusters`` reviewed, ``agenda``, ``minutes_ref``) and its decisions
    (``text``, ``responsible``, optional ``due_on``, ``cluster_code``), numbered 1, 2, … in
    the order given and open. The clusters reviewed and decided on must be the province's.
    Nothing is written when anything is refused. Returns the meeting's record."""
    with ws.engine.begin() as conn:
        record = validate_one(conn, "committee_meetings", meeting)
        province = str(record["province_code"])
        clusters = _province_clusters(conn, province)
        reviewed = [c for c in str(record.get("clusters") or "").split(";") if c]
        foreign = [c for c in reviewed if c not in clusters]
        if foreign:
            raise _refuse("not_the_province_s", clusters=", ".join(foreign),
                          province=province)
        if who is not None:
            access.check(who, "create", "committee_meetings", record)
        repository.insert_record(conn, "committee_meetings", record, actor=actor)
        for decision in decisions:
            _insert_decision(conn, record, decision, clusters, actor=actor, who=who,
                             access=access)
        return repository.get(conn, "committee_meetings",
                              {"meeting_id": record["meeting_id"]}) or {}


def add_decision(ws: Workspace, meeting_id: str, decision: Mapping[str, Any], *, actor: str,
                 who: Principal | None = None, access: Any = None) -> dict[str, Any]:
    """Add a decision to a recorded meeting (numbered after its last one, open). Returns the
    decision's record."""
    with ws.engine.begin() as conn:
        record = repository.get(conn, "committee_meetings", {"meeting_id": meeting_id})
        if record is None:
            raise NotFoundError(Message("committee.no_meeting", {"meeting": meeting_id}))
        clusters = _province_clusters(conn, str(record["province_code"]))
        row = _insert_decision(conn, record, decision, clusters, actor=actor, who=who,
                               access=access)
    return row


def _insert_decision(conn: Any, meeting: Mapping[str, Any], decision: Mapping[str, Any],
                     clusters: set[str], *, actor: str, who: Principal | None = None,
                     access: Any = None) -> dict[str, Any]:
    table = TABLES["committee_decisions"]
    last = conn.execute(select(func.max(table.c.number)).where(
        table.c.meeting_id == meeting["meeting_id"])).scalar()
    province = str(meeting["province_code"])
    row = validate_one(conn, "committee_decisions", {
        **decision, "meeting_id": meeting["meeting_id"], "number": int(last or 0) + 1,
        "province_code": province, "status": decision.get("status") or "open"})
    if row.get("cluster_code") and row["cluster_code"] not in clusters:
        raise _refuse("not_the_province_s", clusters=row["cluster_code"], province=province)
    if who is not None:
        access.check(who, "create", "committee_decisions", row)
    return repository.insert_record(conn, "committee_decisions", row, actor=actor)


def _province_clusters(conn: Any, province: str) -> set[str]:
    table = TABLES["clusters"]
    return {str(r[0]) for r in conn.execute(
        select(table.c.code).where(table.c.province_code == province)).all()}


def follow_up(ws: Workspace, meeting: str, number: int, status: str | None = None, *,
              actor: str, note: str | None = None, on: dt.date | None = None,
              who: Principal | None = None, access: Any = None) -> dict[str, Any]:
    """Follow a decision up: mark it ``done`` (dated ``on``, default today) or ``cancelled``,
    or reopen it (``open``), and/or add a progress ``note``. Returns the decision after."""
    if status is not None and status not in DECISION_STATUSES:
        status = parse_choice("decision_status", status) or status
        if status not in DECISION_STATUSES:
            raise _refuse("bad_status", status=status)
    key = {"meeting_id": meeting, "number": int(number)}
    with ws.engine.begin() as conn:
        current = repository.get(conn, "committee_decisions", key)
        if current is None:
            raise NotFoundError(Message("committee.no_decision", {"meeting": meeting,
                                                                   "number": number}))
        if who is not None:
            access.check(who, "update", "committee_decisions", current)
        changes: dict[str, Any] = {}
        if status is not None:
            changes["status"] = status
            changes["done_on"] = (on or dt.date.today()) if status == "done" else None
        if note:
            changes["follow_up"] = note
        if not changes:
            raise _refuse("nothing_to_change")
        checked = validate_one(conn, "committee_decisions", {**current, **changes})
        _, after = repository.update_record(conn, "committee_decisions", key,
                                            {k: checked.get(k) for k in changes}, actor=actor)
    return after


def decisions(ws: Workspace, province: str, as_of: dt.date | None = None) -> pd.DataFrame:
    """The province's decisions with their meeting's date and, for open ones, whether they are
    ``overdue`` on ``as_of`` (default today) and by how many ``days_overdue``."""
    as_of = as_of or dt.date.today()
    with ws.engine.connect() as conn:
        d, m = TABLES["committee_decisions"], TABLES["committee_meetings"]
        rows = conn.execute(
            select(d, m.c.held_on).join(m, m.c.meeting_id == d.c.meeting_id)
            .where(d.c.province_code == province)
            .order_by(m.c.held_on, d.c.meeting_id, d.c.number)).all()
    cols = [c.name for c in d.columns] + ["held_on"]
    out = pd.DataFrame(rows, columns=cols)
    due = pd.to_datetime(out["due_on"], errors="coerce")
    late = (out["status"] == "open") & due.notna() & (due < pd.Timestamp(as_of))
    out["overdue"] = late
    out["days_overdue"] = ((pd.Timestamp(as_of) - due).dt.days.where(late, 0)
                           .fillna(0).astype(int))
    return out


def support_problems(ws: Workspace, province: str, as_of: dt.date | None = None
                     ) -> pd.DataFrame:
    """The problems the province's organisations had reported in supporting clusters by
    ``as_of`` (default today), with the date of the meeting that took each up
    (``taken_up_on``), where it stood on that day (``status_as_of``: a problem taken up or
    resolved later was still open), whether it was ``unresolved`` then and for how many
    ``days_open``; unresolved first, the longest open first."""
    as_of = as_of or dt.date.today()
    with ws.engine.connect() as conn:
        p, m = TABLES["support_problems"], TABLES["committee_meetings"]
        rows = conn.execute(
            select(p, m.c.held_on.label("taken_up_on"))
            .join(m, m.c.meeting_id == p.c.meeting_id, isouter=True)
            .where(p.c.province_code == province)).all()
    out = pd.DataFrame(rows, columns=[c.name for c in p.columns] + ["taken_up_on"])
    day = pd.Timestamp(as_of)
    out = out[pd.to_datetime(out["reported_on"]) <= day].reset_index(drop=True)
    reported = pd.to_datetime(out["reported_on"])
    resolved = pd.to_datetime(out["resolved_on"], errors="coerce")
    unresolved = (out["status"] != "resolved") | (resolved > day)
    taken = pd.to_datetime(out["taken_up_on"], errors="coerce") <= day
    out["status_as_of"] = np.where(~unresolved, "resolved", np.where(
        (out["status"] != "open") & taken, "taken_up", "open"))
    out["unresolved"] = unresolved
    out["days_open"] = (day - reported).dt.days.where(unresolved, 0).fillna(0).astype(int)
    order = out.assign(_resolved=~unresolved).sort_values(
        ["_resolved", "days_open", "problem_id"], ascending=[True, False, True]).index
    return out.loc[order].reset_index(drop=True)


def follow_up_board(ws: Workspace, province: str, as_of: dt.date | None = None
                    ) -> pd.DataFrame:
    """Per organisation of the province's committee: the decisions it is responsible for,
    ``open`` (of which ``overdue``), ``done`` and ``cancelled``, the ``oldest_overdue_days``,
    and the problems it reported in supporting clusters that are not resolved yet
    (``problems_open``); organisations with overdue decisions first. An organisation is one
    row however its name was typed (the normaliser's key)."""
    return organisation_board(decisions(ws, province, as_of),
                              support_problems(ws, province, as_of))


def organisation_board(d: pd.DataFrame, problems: pd.DataFrame) -> pd.DataFrame:
    """:func:`follow_up_board` from the province's :func:`decisions` and
    :func:`support_problems` already read (a page or a report that shows them too)."""
    cols = ["responsible", "open", "overdue", "done", "cancelled", "oldest_overdue_days",
            "problems_open"]
    if d.empty and problems.empty:
        return pd.DataFrame(columns=cols)
    duties = (d.assign(open=d["status"] == "open", done=d["status"] == "done",
                       cancelled=d["status"] == "cancelled")
              .groupby("responsible_norm")
              .agg(responsible=("responsible", "first"), open=("open", "sum"),
                   overdue=("overdue", "sum"), done=("done", "sum"),
                   cancelled=("cancelled", "sum"), oldest_overdue_days=("days_overdue", "max")))
    unresolved = problems[problems["unresolved"]]
    reported = (unresolved.groupby("organisation_norm")
                .agg(named=("organisation", "first"), problems_open=("problem_id", "size")))
    board = duties.join(reported, how="outer")
    board["responsible"] = board["responsible"].fillna(board["named"])
    board = board.drop(columns="named").reset_index(drop=True)
    for col in cols[1:]:
        board[col] = board[col].fillna(0).astype(int)
    return board.sort_values(["overdue", "oldest_overdue_days", "open", "problems_open",
                              "responsible"], ascending=[False, False, False, False, True]
                             ).reset_index(drop=True)[cols]


def meeting(ws: Workspace, meeting_id: str) -> dict[str, Any]:
    """One meeting's record (:class:`NotFoundError` when there is none)."""
    with ws.engine.connect() as conn:
        record = repository.get(conn, "committee_meetings", {"meeting_id": meeting_id})
    if record is None:
        raise NotFoundError(Message("committee.no_meeting", {"meeting": meeting_id}))
    return record


__all__ = ["DUE_SOON_DAYS", "add_decision", "decisions", "follow_up", "follow_up_board",
           "hold_meeting", "meeting", "organisation_board", "support_problems"]
