"""The cluster programme's workflows over the registry: a cluster's stage approvals with their
evidence and its timeline.

Every change goes through the store's record functions, so each approval is in the audit
trail with who made it and the values before and after. The rules (which stage may follow
which, what evidences a stage) are :mod:`khooshe.domain.programme`'s; this module applies them
to stored records, with the access policy when a signed-in user acts.

Examples
--------
>>> from khooshe.services.cluster_stages import advance_stage, stage_timeline
>>> step = advance_stage(ws, "CL06-01", "tender", actor="cli:ali",
...                      approved_on=date(2026, 11, 2), decision="1405/123")  # doctest: +SKIP
>>> step.missing                                                           # doctest: +SKIP
['tender_documents']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select

from khooshe.domain.access import Principal
from khooshe.domain.errors import NotFoundError
from khooshe.domain.programme import (
    STAGE_EVIDENCE,
    check_stage_step,
    missing_evidence,
    stage_index,
)
from khooshe.domain.vocab import CLUSTER_STAGES
from khooshe.services.records import validate_one
from khooshe.store import repository
from khooshe.store.tables import TABLES
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Message


@dataclass(frozen=True)
class StageStep:
    """One approved step: the cluster, the stage it left and the one it reached, and the
    evidence the new stage expects that the cluster's documents lack (a warning, not a
    refusal: a committee may approve on a document it has seen but not yet registered)."""

    cluster: str
    previous: str
    stage: str
    approved_on: str | None  # ISO date
    missing: list[str] = field(default_factory=list)

    @property
    def correction(self) -> bool:
        return stage_index(self.stage) < stage_index(self.previous)


def cluster_record(conn: Any, code: str, who: Principal | None = None, access: Any = None,
                   action: str = "read") -> dict[str, Any]:
    """The cluster ``code``'s record (:class:`~khooshe.domain.errors.NotFoundError` naming it
    when there is none), checked first for ``who`` to ``action`` when given: what every
    workflow on a cluster starts from."""
    record = repository.get(conn, "clusters", {"code": code})
    if record is None:
        raise NotFoundError(Message("programme.no_cluster", {"code": code}))
    if who is not None:
        access.check(who, action, "clusters", record)
    return record


def document_kinds(conn: Any, cluster: str) -> set[str]:
    """The kinds of document registered for ``cluster``."""
    table = TABLES["cluster_documents"]
    rows = conn.execute(select(table.c.kind).where(table.c.cluster_code == cluster)).all()
    return {str(r[0]) for r in rows}


def advance_stage(ws: Workspace, cluster: str, target: str, *, actor: str,
                  approved_on: dt.date | None = None, decision: str | None = None,
                  note: str | None = None, who: Principal | None = None,
                  access: Any = None) -> StageStep:
    """Approve ``cluster``'s move to ``target``: the next stage, or the previous one as a
    correction with a ``note``. One transaction writes the approval to the stage history and
    the cluster's current stage; a correction removes the approval of the stage left (the
    audit trail keeps it). With ``who`` (a signed-in user) the policy's ``approve`` right on
    the cluster is checked through ``access``.

    Raises :class:`~khooshe.domain.programme.TransitionError` for a step the rules refuse,
    :class:`~khooshe.domain.errors.NotFoundError` for an unknown cluster; nothing is
    written then.
    """
    with ws.engine.begin() as conn:
        record = cluster_record(conn, cluster, who, access, "approve")
        current = str(record["stage"])
        check_stage_step(current, target, note)
        approval = validate_one(conn, "cluster_stages", {
            "cluster_code": cluster, "stage": target,
            "approved_on": (approved_on or dt.date.today()).isoformat(),
            "approved_by": actor, "decision": decision, "note": note})
        if stage_index(target) < stage_index(current):
            if repository.get(conn, "cluster_stages",
                              {"cluster_code": cluster, "stage": current}) is not None:
                repository.delete_record(conn, "cluster_stages",
                                         {"cluster_code": cluster, "stage": current},
                                         actor=actor)
        key = {"cluster_code": cluster, "stage": target}
        if repository.get(conn, "cluster_stages", key) is None:
            repository.insert_record(conn, "cluster_stages", approval, actor=actor)
        else:  # back to a stage approved before: its approval is renewed
            changes = {k: v for k, v in approval.items() if k not in key}
            repository.update_record(conn, "cluster_stages", key, changes, actor=actor)
        repository.update_record(conn, "clusters", {"code": cluster}, {"stage": target},
                                 actor=actor)
        missing = missing_evidence(target, document_kinds(conn, cluster))
    return StageStep(cluster, current, target, approval.get("approved_on"), missing)


def stage_timeline(ws: Workspace, cluster: str) -> pd.DataFrame:
    """Every stage of ``cluster`` in order, one row each: whether it was reached, its approval
    (date, by whom, the decision, the note), the evidence it expects and what of it is
    missing, and which stage is the current one.

    Columns: ``stage``, ``reached``, ``current``, ``approved_on``, ``approved_by``,
    ``decision``, ``note``, ``expected`` and ``missing`` (lists of document kinds).
    """
    with ws.engine.connect() as conn:
        record = cluster_record(conn, cluster)
        table = TABLES["cluster_stages"]
        approvals = {str(r.stage): r for r in conn.execute(
            select(table).where(table.c.cluster_code == cluster)).all()}
        kinds = document_kinds(conn, cluster)
    here = stage_index(str(record["stage"]))
    rows = []
    for i, stage in enumerate(CLUSTER_STAGES):
        a = approvals.get(stage)
        reached = i <= here
        rows.append({
            "stage": stage, "reached": reached, "current": i == here,
            "approved_on": getattr(a, "approved_on", None),
            "approved_by": getattr(a, "approved_by", None),
            "decision": getattr(a, "decision", None), "note": getattr(a, "note", None),
            "expected": list(STAGE_EVIDENCE[stage]),
            "missing": missing_evidence(stage, kinds) if reached else [],
        })
    return pd.DataFrame(rows)


def evidence_gaps(ws: Workspace, clusters: list[str] | None = None) -> pd.DataFrame:
    """For every cluster (or those given): the stages it has reached whose expected evidence
    is not among its documents. Columns ``cluster_code``, ``stage``, ``missing`` (a document
    kind), one row per missing document; empty when every reached stage is evidenced."""
    with ws.engine.connect() as conn:
        ctable, dtable = TABLES["clusters"], TABLES["cluster_documents"]
        query = select(ctable.c.code, ctable.c.stage)
        doc_query = select(dtable.c.cluster_code, dtable.c.kind)
        if clusters is not None:
            query = query.where(ctable.c.code.in_(clusters))
            doc_query = doc_query.where(dtable.c.cluster_code.in_(clusters))
        stages = conn.execute(query.order_by(ctable.c.code)).all()
        docs: dict[str, set[str]] = {}
        for code, kind in conn.execute(doc_query).all():
            docs.setdefault(str(code), set()).add(str(kind))
    rows = [{"cluster_code": code, "stage": stage, "missing": kind}
            for code, current in stages
            for stage in CLUSTER_STAGES[:stage_index(str(current)) + 1]
            for kind in missing_evidence(stage, docs.get(str(code), set()))]
    return pd.DataFrame(rows, columns=["cluster_code", "stage", "missing"])


__all__ = ["StageStep", "advance_stage", "cluster_record", "document_kinds", "evidence_gaps",
           "stage_timeline"]
