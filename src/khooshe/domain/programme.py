"""The rules of the cluster programme: how a cluster moves through its stages, what evidences
each step, and how a county governor's ten villages move from proposed to a started cluster.

A cluster advances one stage at a time (Iran's Industrial Parks Company procedure, then
UNIDO's method: :data:`~khooshe.domain.vocab.CLUSTER_STAGES`); every step is an approval
with a date, the approver and its evidence. The evidence a stage expects
(:data:`STAGE_EVIDENCE`) is checked, and what is missing is said, but it does not block the
approval: a committee may approve on a document it has seen and not yet registered. Going back
a stage is a correction and needs a note.

A village proposed for a county (seed R2) is confirmed, rejected or replaced by the county's
governor, then prepared, then sees its cluster started (:data:`VILLAGE_STEPS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from khooshe.domain.errors import InputError
from khooshe.domain.vocab import CLUSTER_STAGES, VILLAGE_STATUSES, labels_of
from khooshe.text.messages import Message

#: The documents each stage expects among the cluster's documents, by kind.
STAGE_EVIDENCE: dict[str, tuple[str, ...]] = {
    "identified": (),
    "feasibility": ("feasibility_study",),
    "tender": ("tender_documents",),
    "cda_contracted": ("cda_contract", "supervisor_contract"),
    "diagnostic": ("diagnostic_report",),
    "trust_building": ("trust_meetings",),
    "action_plan": ("action_plan", "committee_decision"),
    "joint_actions": ("committee_decision",),
    "evaluation": ("evaluation_report",),
    "self_managed": ("exit_report",),
}
assert set(STAGE_EVIDENCE) == set(CLUSTER_STAGES), "every stage says what evidences it"

#: Which village statuses may follow which (a governor's decisions, then the preparation; a
#: rejected village may be proposed again).
VILLAGE_STEPS: dict[str, tuple[str, ...]] = {
    "proposed": ("confirmed", "rejected", "replaced"),
    "confirmed": ("prepared", "rejected", "replaced"),
    "rejected": ("proposed",),
    "replaced": ("proposed",),
    "prepared": ("cluster_started",),
    "cluster_started": (),
}
assert set(VILLAGE_STEPS) == set(VILLAGE_STATUSES)
#: The statuses of a village that still counts among its county's ten.
ACTIVE_VILLAGE = ("proposed", "confirmed", "prepared", "cluster_started")


#: An indicator is on track (green) at this share of the way from its baseline to its
#: target, at risk (amber) from the second, off track (red) below it.
RAG_GREEN, RAG_AMBER = 0.9, 0.6


def rag(progress: ArrayLike) -> np.ndarray:
    """``green``, ``amber`` or ``red`` for each ``progress`` (the share of the way from
    baseline to target: 1 is the target reached), ``no_data`` where there is no figure (NaN).

    Examples
    --------
    >>> rag([1.2, 0.7, 0.1, float("nan")]).tolist()
    ['green', 'amber', 'red', 'no_data']
    """
    p = np.asarray(progress, dtype=float)
    return np.select([np.isnan(p), p >= RAG_GREEN, p >= RAG_AMBER],
                     ["no_data", "green", "amber"], "red")


class TransitionError(InputError):
    """A stage or status change the rules do not allow (nothing was changed)."""


def _refuse(key: str, **params: object) -> TransitionError:
    return TransitionError(Message(f"programme.{key}", params))


def stage_index(stage: str) -> int:
    """The position of ``stage`` in :data:`CLUSTER_STAGES`."""
    try:
        return CLUSTER_STAGES.index(stage)
    except ValueError:
        raise _refuse("unknown_stage", stage=stage) from None


def check_stage_step(current: str, target: str, note: str | None = None) -> None:
    """Raise :class:`TransitionError` unless ``target`` is the stage after ``current``, or the
    one before it with a ``note`` saying why (a correction)."""
    here, there = stage_index(current), stage_index(target)
    if there == here + 1:
        return
    if there == here - 1:
        if note and note.strip():
            return
        raise _refuse("back_needs_note", current=labels_of("cluster_stage", current),
                      target=labels_of("cluster_stage", target))
    if here + 1 == len(CLUSTER_STAGES):
        raise _refuse("last_stage", current=labels_of("cluster_stage", current))
    raise _refuse("one_stage_at_a_time", current=labels_of("cluster_stage", current),
                  next=labels_of("cluster_stage", CLUSTER_STAGES[here + 1]),
                  target=labels_of("cluster_stage", target))


def missing_evidence(stage: str, documents: set[str]) -> list[str]:
    """The document kinds ``stage`` expects that ``documents`` (kinds the cluster has) lack."""
    return [kind for kind in STAGE_EVIDENCE[stage] if kind not in documents]


def check_direct_edit(kind: str, before: Mapping[str, Any] | None,
                      after: Mapping[str, Any] | None) -> None:
    """Raise :class:`TransitionError` for a record edit that would bypass the workflows: a
    cluster's stage changed by hand (it moves by approval, which keeps its history), or an
    approval in the stage history created, changed or deleted one record at a time. Imports
    of past approvals are not edits and stay allowed."""
    if kind == "cluster_stages":
        raise _refuse("stage_by_approval")
    if kind == "clusters" and before is not None and after is not None:
        if str(after.get("stage")) != str(before.get("stage")):
            raise _refuse("stage_by_approval")


def check_village_step(current: str, target: str, reason: str | None = None) -> None:
    """Raise :class:`TransitionError` unless ``target`` may follow ``current``; rejecting or
    replacing a village needs a reason."""
    if target not in VILLAGE_STATUSES:
        raise _refuse("unknown_status", status=target)
    if target not in VILLAGE_STEPS.get(current, ()):
        raise _refuse("village_step", current=labels_of("village_status", current),
                      target=labels_of("village_status", target))
    if target in ("rejected", "replaced") and not (reason and reason.strip()):
        raise _refuse("village_reason", target=labels_of("village_status", target))


def activity_problems(activity: Mapping[str, Any]) -> list[tuple[str, Message]]:
    """What does not hold together in one activity as a person typed it (its values typed):
    a foreign tour without the country visited, a domestic tour or a country given as Iran
    abroad, the members' share above the cost, more trainees than participants. Each problem
    as (column, message)."""
    kind, country = activity.get("kind"), activity.get("country")
    out = []
    if kind == "foreign_tour" and not country:
        out.append(("country", Message("programme.activity.country_needed", {})))
    elif country and (kind == "domestic_tour" or country == "IRN"):
        out.append(("country", Message("programme.activity.not_abroad", {})))
    cost, share = activity.get("cost_rials"), activity.get("cofinance_rials")
    if cost is not None and share is not None and share > cost:
        out.append(("cofinance_rials", Message("programme.activity.share_above_cost", {})))
    people, trainees = activity.get("participants"), activity.get("trainees")
    if people is not None and trainees is not None and trainees > people:
        out.append(("trainees", Message("programme.activity.trainees_above", {})))
    return out


__all__ = ["ACTIVE_VILLAGE", "RAG_AMBER", "RAG_GREEN", "STAGE_EVIDENCE", "VILLAGE_STEPS",
           "TransitionError", "activity_problems", "check_direct_edit", "check_stage_step",
           "check_village_step", "missing_evidence", "rag", "stage_index"]
