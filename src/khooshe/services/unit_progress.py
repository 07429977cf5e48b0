"""Half-finished units being completed (seeds R7, R11): progress reports (funded → being
completed → operating, or stalled) with physical progress and the jobs realised, against the
jobs the register expected. A unit reported operating becomes operating in the register too
(its employees are the jobs realised), so the analyses count it from then on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Select, select

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.vocab import labels_of
from khooshe.services.records import validate_one
from khooshe.store import repository
from khooshe.store.repository import read_kind
from khooshe.store.tables import TABLES
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Message


def report_unit(ws: Workspace, unit: str, status: str, *, actor: str,
                progress: float | None = None, jobs_realised: int | None = None,
                on: dt.date | None = None, note: str | None = None,
                who: Principal | None = None, access: Any = None) -> dict[str, Any]:
    """Record a progress report of ``unit`` (an establishment id) dated ``on`` (default
    today). Only half-finished units, or units already tracked, are reported on. ``operating``
    needs the jobs realised and sets the register's status and employees. Returns the report."""
    day = on or dt.date.today()
    with ws.engine.begin() as conn:
        est = repository.get(conn, "establishments", {"id": unit})
        if est is None:
            raise NotFoundError(Message("programme.no_unit", {"id": unit}))
        if who is not None:  # before any other answer: nothing said of another's units
            access.check(who, "create", "unit_progress", {"establishment_id": unit,
                                                          "region_code": est["region_code"]})
        tracked = conn.execute(_reports(unit)).first() is not None
        if est.get("status") != "half_finished" and not tracked:
            state = str(est.get("status"))
            raise InputError(Message("programme.not_half_finished", {
                "id": unit, "status": labels_of("establishment_status", state)}))
        if status == "operating" and jobs_realised is None:
            raise InputError(Message("programme.jobs_needed", {"id": unit}))
        record = validate_one(conn, "unit_progress", {
            "establishment_id": unit, "reported_on": day.isoformat(),
            "region_code": est["region_code"], "status": status,
            "progress": 100.0 if status == "operating" else progress,
            "jobs_realised": jobs_realised, "note": note})
        key = {"establishment_id": unit, "reported_on": record["reported_on"]}
        if repository.get(conn, "unit_progress", key) is None:
            out = repository.insert_record(conn, "unit_progress", record, actor=actor)
        else:
            _, out = repository.update_record(conn, "unit_progress", key, {
                k: v for k, v in record.items() if k not in key}, actor=actor)
        if status == "operating":
            repository.update_record(conn, "establishments", {"id": unit},
                                     {"status": "operating", "employees": int(jobs_realised or 0)},
                                     actor=actor)
    return out


def _reports(unit: str) -> Select:
    """The query of a unit's reports (newest first)."""
    table = TABLES["unit_progress"]
    return select(table).where(table.c.establishment_id == unit).order_by(
        table.c.reported_on.desc())


def unit_tracking(ws: Workspace, province: str | None = None) -> pd.DataFrame:
    """Every tracked unit's latest report beside what the register expected: ``status``,
    ``progress``, ``jobs_expected``, ``jobs_realised``, ``reported_on``, ``reports``; by
    status and unit."""
    reports = read_kind(ws, "unit_progress")
    if province is not None:
        reports = reports[reports["region_code"].str.startswith(province)]
    cols = ["establishment_id", "name", "region_code", "isic", "status", "progress",
            "jobs_expected", "jobs_realised", "reported_on", "reports"]
    if reports.empty:
        return pd.DataFrame(columns=cols)
    reports = reports.sort_values(["establishment_id", "reported_on"])
    latest = reports.groupby("establishment_id").tail(1).set_index("establishment_id")
    latest["reports"] = reports.groupby("establishment_id").size()
    est = read_kind(ws, "establishments", columns=["id", "name", "isic",
                                                    "expected_jobs"]).set_index("id")
    latest = latest.join(est.rename(columns={"expected_jobs": "jobs_expected"}), how="left")
    out = latest.reset_index().rename(columns={"index": "establishment_id"})
    return out.sort_values(["status", "establishment_id"]).reset_index(drop=True)[cols]


__all__ = ["report_unit", "unit_tracking"]
