"""Money (seeds R6, R13): a programme's allocation to a province (a national decision), the
province's commitments to clusters, units and park projects, their disbursements, the balance
left per province, and the jobs expected and realised per rial spent.

A commitment is refused when it would exceed what the province has left of that programme's
allocation, or pays a recipient that is not the province's; a disbursement is refused beyond
what was committed. Everything goes through the store's record functions (audit trail).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.services.records import validate_one
from khooshe.store import repository
from khooshe.store.repository import read_kind
from khooshe.store.tables import TABLES
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Message


def _refuse(key: str, **params: object) -> InputError:
    return InputError(Message(f"funds.{key}", params))


def _allocated(conn: Any, programme: str, year: int, province: str) -> int | None:
    table = TABLES["fund_allocations"]
    return conn.execute(select(table.c.amount_rials).where(
        (table.c.programme == programme) & (table.c.year == year)
        & (table.c.region_code == province))).scalar()


def _committed(conn: Any, programme: str, year: int, province: str,
               without: str | None = None) -> int:
    table = TABLES["fund_commitments"]
    where = ((table.c.programme == programme) & (table.c.year == year)
             & (table.c.region_code == province))
    if without is not None:
        where = where & (table.c.commitment_id != without)
    return int(conn.execute(select(func.coalesce(func.sum(table.c.committed_rials), 0))
                            .where(where)).scalar() or 0)


def _recipient_province(conn: Any, kind: str, code: str) -> str | None:
    """The province of a commitment's recipient (None when it does not exist)."""
    if kind == "cluster":
        record = repository.get(conn, "clusters", {"code": code})
        return None if record is None else str(record["province_code"])
    if kind == "unit":
        record = repository.get(conn, "establishments", {"id": code})
        return None if record is None else str(record["region_code"])[:2]
    record = repository.get(conn, "park_projects", {"project_id": code})
    if record is None:
        return None
    park = repository.get(conn, "parks", {"code": record["park_code"]})
    return None if park is None else str(park["region_code"])[:2]


def commit_funds(ws: Workspace, values: Mapping[str, Any], *, actor: str,
                 who: Principal | None = None, access: Any = None) -> dict[str, Any]:
    """Record a commitment (``commitment_id``, ``programme``, ``year``, ``region_code`` — the
    province —, ``recipient_kind``, ``recipient``, ``committed_rials``, optional
    ``committed_on``, ``jobs_expected``, ``note``) or change one. Refused when the province
    has no allocation of that programme and year, when the commitments would exceed it, or
    when the recipient is not the province's. Returns the record."""
    with ws.engine.begin() as conn:
        record = validate_one(conn, "fund_commitments", values)
        province = str(record["region_code"])
        if who is not None:
            access.check(who, "create", "fund_commitments", record)
        allocated = _allocated(conn, record["programme"], int(record["year"]), province)
        if allocated is None:
            raise _refuse("no_allocation", programme=record["programme"],
                          year=int(record["year"]), province=province)
        others = _committed(conn, record["programme"], int(record["year"]), province,
                            without=str(record["commitment_id"]))
        if others + int(record["committed_rials"]) > allocated:
            raise _refuse("over_allocation", left=max(allocated - others, 0),
                          asked=int(record["committed_rials"]))
        home = _recipient_province(conn, str(record["recipient_kind"]),
                                   str(record["recipient"]))
        if home != province:
            raise _refuse("not_the_province_s", recipient=record["recipient"],
                          province=province)
        key = {"commitment_id": record["commitment_id"]}
        current = repository.get(conn, "fund_commitments", key)
        if current is not None and int(current.get("disbursed_rials") or 0) > int(
                record["committed_rials"]):
            raise _refuse("below_disbursed", disbursed=int(current["disbursed_rials"]))
        if current is None:
            return repository.insert_record(conn, "fund_commitments", record, actor=actor)
        _, after = repository.update_record(
            conn, "fund_commitments", key,
            {k: v for k, v in record.items() if k != "commitment_id"}, actor=actor)
        return after


def disburse(ws: Workspace, commitment: str, amount: int, *, actor: str,
             on: dt.date | None = None, jobs_realised: int | None = None,
             who: Principal | None = None, access: Any = None) -> dict[str, Any]:
    """Pay ``amount`` rials more of a commitment (refused beyond what was committed), dated
    ``on`` (default today); ``jobs_realised`` records the jobs the recipient reports."""
    if amount < 0:
        raise _refuse("negative", amount=amount)
    key = {"commitment_id": commitment}
    with ws.engine.begin() as conn:
        current = repository.get(conn, "fund_commitments", key)
        if current is None:
            raise NotFoundError(Message("funds.no_commitment", {"id": commitment}))
        if who is not None:
            access.check(who, "update", "fund_commitments", current)
        paid = int(current.get("disbursed_rials") or 0) + int(amount)
        if paid > int(current["committed_rials"]):
            raise _refuse("over_commitment", left=int(current["committed_rials"]) - int(
                current.get("disbursed_rials") or 0), asked=int(amount))
        changes: dict[str, Any] = {"disbursed_rials": paid,
                                   "disbursed_on": on or dt.date.today()}
        if jobs_realised is not None:
            changes["jobs_realised"] = int(jobs_realised)
        checked = validate_one(conn, "fund_commitments", {**current, **changes})
        _, after = repository.update_record(conn, "fund_commitments", key,
                                            {k: checked[k] for k in changes}, actor=actor)
    return after


def fund_balance(ws: Workspace, province: str | None = None) -> pd.DataFrame:
    """Per programme, year and province: ``allocated``, ``committed``, ``disbursed``,
    ``remaining`` (allocated − committed), ``jobs_expected``, ``jobs_realised`` and the
    rials per job expected and realised (NaN without jobs)."""
    alloc = read_kind(ws, "fund_allocations")
    commits = read_kind(ws, "fund_commitments")
    if province is not None:
        alloc = alloc[alloc["region_code"] == province]
        commits = commits[commits["region_code"] == province]
    keys = ["programme", "year", "region_code"]
    sums = (commits.groupby(keys)[["committed_rials", "disbursed_rials", "jobs_expected",
                                   "jobs_realised"]].sum(min_count=1).reset_index())
    out = alloc.rename(columns={"amount_rials": "allocated"}).merge(sums, on=keys, how="left")
    out = out.rename(columns={"committed_rials": "committed", "disbursed_rials": "disbursed"})
    for col in ("committed", "disbursed", "jobs_expected", "jobs_realised"):
        out[col] = out[col].fillna(0).astype("int64")
    out["remaining"] = out["allocated"] - out["committed"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rials_per_job_expected"] = np.where(
            out["jobs_expected"] > 0, out["committed"] / out["jobs_expected"], np.nan)
        out["rials_per_job_realised"] = np.where(
            out["jobs_realised"] > 0, out["disbursed"] / out["jobs_realised"], np.nan)
    return out.sort_values(keys).reset_index(drop=True)


__all__ = ["commit_funds", "disburse", "fund_balance"]
