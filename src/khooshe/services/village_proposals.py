"""The county governors' ten villages (seed R2): khooshe proposes the villages of each county's
shortlist, the governor confirms, rejects or replaces each with a reason, and marks its
progress until a cluster starts; the province sees every county's progress.

Proposals are records (``village_proposals``), written through the store's record functions
so every decision is in the audit trail. Proposing again after the governors have decided
keeps their decisions: only villages the county lacks to reach its number are added, from the
shortlist in rank order, skipping every village proposed before (whatever became of it).

Examples
--------
>>> report = propose_villages(ws, "06", actor="cli:ali")          # doctest: +SKIP
>>> decide_village(ws, "0601101007", "confirmed", actor="gov")     # doctest: +SKIP
>>> county_progress(ws, "06")[["county_code", "prepared", "of"]]   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.programme import ACTIVE_VILLAGE, check_village_step
from khooshe.domain.regions import RegionHierarchy
from khooshe.domain.vocab import VILLAGE_STATUSES, labels_of, parse_choice
from khooshe.services.records import validate_one
from khooshe.store import repository
from khooshe.store.tables import TABLES
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Message

#: Villages proposed per county unless told otherwise (the programme's "ten villages").
PER_COUNTY = 10


@dataclass(frozen=True)
class ProposalReport:
    """What :func:`propose_villages` did: villages added, kept (proposed before) and the
    counties that could not be given their number (too few eligible villages)."""

    added: int
    kept: int
    short: dict[str, int]


def _refuse(key: str, **params: object) -> InputError:
    return InputError(Message(f"programme.{key}", params))


def _proposals(conn: Any, counties: list[str]) -> pd.DataFrame:
    table = TABLES["village_proposals"]
    rows = conn.execute(select(table).where(table.c.county_code.in_(counties))).all()
    cols = [c.name for c in table.columns]
    return pd.DataFrame(rows, columns=cols)


def _counties(ws: Workspace, province: str) -> pd.DataFrame:
    regions = repository.read_kind(ws, "regions", columns=["code", "level", "parent_code",
                                                           "name_fa", "name_en"])
    hierarchy = RegionHierarchy(regions)
    inside = hierarchy.in_province(province)
    return regions[inside & (regions["level"] == "county")].reset_index(drop=True)


def propose_villages(ws: Workspace, province: str, *, actor: str,
                     per_county: int = PER_COUNTY, who: Principal | None = None,
                     access: Any = None) -> ProposalReport:
    """Propose ``per_county`` villages to each county of ``province`` from khooshe's shortlist
    (:func:`khooshe.services.villages.village_shortlist`): each with its activity, rank,
    score and reason in both languages. A county keeps its proposals that still count
    (proposed, confirmed, prepared, started) and gets new ones only up to ``per_county``. With
    ``who``, creating each proposal is checked against the policy."""
    from khooshe.services.villages import village_shortlist

    if per_county < 1:
        raise InputError(f"per_county must be at least 1, got {per_county}")
    counties = _counties(ws, province)["code"].tolist()
    result = village_shortlist(ws, province, per_county=per_county)
    short = result.shortlist.villages.sort_values(["county_code", "rank"])
    added = kept = 0
    lacking: dict[str, int] = {}
    today = dt.date.today()
    with ws.engine.begin() as conn:
        before = _proposals(conn, counties)
        seen = set(before["village_code"])
        active = before[before["status"].isin(ACTIVE_VILLAGE)].groupby("county_code").size()
        kept = int(active.sum()) if len(active) else 0
        for county in counties:
            room = per_county - int(active.get(county, 0))
            picks = short[(short["county_code"] == county)
                          & ~short["village_code"].isin(seen)].head(max(room, 0))
            for row in picks.itertuples(index=False):
                record = {
                    "village_code": row.village_code, "county_code": county,
                    "activity": row.activity, "rank": int(row.rank),
                    "score": round(float(row.score), 4),
                    "reason_fa": row.explanation_fa, "reason_en": row.explanation_en,
                    "status": "proposed", "decided_by": actor, "decided_on": today,
                }
                record = validate_one(conn, "village_proposals", record)
                if who is not None:
                    access.check(who, "create", "village_proposals", record)
                repository.insert_record(conn, "village_proposals", record, actor=actor)
                added += 1
            if room - len(picks) > 0:
                lacking[county] = room - len(picks)
    return ProposalReport(added, kept, lacking)


def decide_village(ws: Workspace, village: str, status: str, *, actor: str,
                   reason: str | None = None, replacement: str | None = None,
                   activity: str | None = None, on: dt.date | None = None,
                   who: Principal | None = None, access: Any = None) -> dict[str, Any]:
    """A governor's decision on a proposed village: ``status`` is the next one
    (:data:`~khooshe.domain.programme.VILLAGE_STEPS`); rejecting or replacing needs a
    ``reason``; replacing names the ``replacement`` village of the same county (with its
    ``activity``, by default the replaced one's), which joins the county's villages as
    confirmed. With ``who`` the policy's ``update`` right on the village is checked (a county
    governor decides in their county only). Returns the village's record after the decision;
    nothing is written when anything is refused."""
    if status not in VILLAGE_STATUSES:
        status = parse_choice("village_status", status) or status
    day = on or dt.date.today()
    with ws.engine.begin() as conn:
        current = repository.get(conn, "village_proposals", {"village_code": village})
        if current is None:
            raise NotFoundError(Message("programme.no_proposal", {"code": village}))
        if who is not None:
            access.check(who, "update", "village_proposals", current)
        check_village_step(str(current["status"]), status, reason)
        if status == "replaced":
            _replace(conn, current, replacement, activity, actor=actor, day=day,
                     reason=reason, who=who, access=access)
        _, after = repository.update_record(
            conn, "village_proposals", {"village_code": village},
            {"status": status, "decided_by": actor, "decided_on": day,
             "note": reason if reason is not None else current.get("note")}, actor=actor)
    return after


def _replace(conn: Any, current: dict[str, Any], replacement: str | None, activity: str | None,
             *, actor: str, day: dt.date, reason: str | None, who: Principal | None,
             access: Any) -> None:
    """Insert (or bring back) ``replacement`` as a confirmed village of the same county."""
    village, county = str(current["village_code"]), str(current["county_code"])
    if not replacement:
        raise _refuse("replacement_needed", code=village)
    regions = repository.read_kind(conn, "regions", columns=["code", "level", "parent_code"])
    level = regions.set_index("code")["level"].get(replacement)
    inside = RegionHierarchy(regions).contains(county, pd.Series([replacement]))
    if level != "village" or not bool(inside.iloc[0]):
        raise _refuse("not_a_village", code=replacement, county=county)
    before = repository.get(conn, "village_proposals", {"village_code": replacement})
    if before is not None and before["status"] in ACTIVE_VILLAGE:
        raise _refuse("already_proposed", code=replacement,
                      status=labels_of("village_status", str(before["status"])))
    record = {
        "village_code": replacement, "county_code": county,
        "activity": activity or current["activity"], "rank": None, "score": None,
        "reason_fa": None, "reason_en": None, "status": "confirmed", "replaces": village,
        "decided_by": actor, "decided_on": day, "note": reason,
    }
    record = validate_one(conn, "village_proposals", record)
    if who is not None:
        access.check(who, "create", "village_proposals", record)
    if before is None:
        repository.insert_record(conn, "village_proposals", record, actor=actor)
    else:  # proposed once, rejected or replaced since: it comes back as the governor's pick
        repository.update_record(conn, "village_proposals", {"village_code": replacement},
                                 {k: v for k, v in record.items() if k != "village_code"},
                                 actor=actor)


def county_progress(ws: Workspace, province: str, per_county: int = PER_COUNTY) -> pd.DataFrame:
    """Every county of ``province``: how many villages are proposed (still counting),
    confirmed (or further), prepared (or further), with their cluster started, rejected and
    replaced, out of ``of`` (``per_county``) — "7 of 10 prepared".

    Columns: ``county_code``, ``name_fa``, ``name_en``, ``counting``, ``proposed``,
    ``confirmed``, ``prepared``, ``cluster_started``, ``rejected``, ``replaced``, ``of``.
    """
    counties = _counties(ws, province)
    with ws.engine.connect() as conn:
        props = _proposals(conn, counties["code"].tolist())
    counts = (props.groupby(["county_code", "status"]).size().unstack(fill_value=0)
              .reindex(columns=list(VILLAGE_STATUSES), fill_value=0))
    out = counties[["code", "name_fa", "name_en"]].rename(columns={"code": "county_code"})
    out = out.join(counts, on="county_code").fillna(0)
    for col in VILLAGE_STATUSES:
        out[col] = out[col].astype(int)
    # each step counts the villages that went past it too
    out["prepared"] = out["prepared"] + out["cluster_started"]
    out["confirmed"] = out["confirmed"] + out["prepared"]
    out["counting"] = out["proposed"] + out["confirmed"]
    out["of"] = per_county
    return out[["county_code", "name_fa", "name_en", "counting", "proposed", "confirmed",
                "prepared", "cluster_started", "rejected", "replaced", "of"]]


def province_proposals(ws: Workspace, province: str) -> pd.DataFrame:
    """The province's proposals (every status), by county and rank."""
    counties = _counties(ws, province)["code"].tolist()
    with ws.engine.connect() as conn:
        props = _proposals(conn, counties)
    return props.sort_values(["county_code", "rank"], na_position="last").reset_index(
        drop=True)


__all__ = ["PER_COUNTY", "ProposalReport", "county_progress", "decide_village",
           "propose_villages", "province_proposals"]
