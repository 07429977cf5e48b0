"""Civil projects of industrial parks (seed R11, e.g. Ahvaz industrial park No. 2): contractor,
planned start and end, the actual progress reported, and delay flags — the progress the plan
expects by the report's date (straight line from planned start to planned end) against the
progress reported.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

#: A project is flagged delayed when its progress is this many points behind the plan's.
DELAY_POINTS = 10.0


def project_delays(ws: Workspace, province: str | None = None,
                   as_of: dt.date | None = None) -> pd.DataFrame:
    """Every park project with ``expected_progress`` (per cent of the planned span elapsed on
    its ``updated_on`` date, or ``as_of``), ``behind`` (expected − actual points), ``delayed``
    (at least :data:`DELAY_POINTS` behind) and ``overdue`` (past its planned end, not done);
    the most behind first."""
    projects = read_kind(ws, "park_projects")
    if province is not None:
        projects = projects[projects["region_code"].str.startswith(province)]
    if projects.empty:
        return projects.assign(expected_progress=[], behind=[], delayed=[], overdue=[])
    start = pd.to_datetime(projects["planned_start"], errors="coerce")
    end = pd.to_datetime(projects["planned_end"], errors="coerce")
    on = pd.to_datetime(projects["updated_on"], errors="coerce")
    if as_of is not None:
        on = pd.Series(pd.Timestamp(as_of), index=projects.index)
    span = (end - start).dt.days.astype(float)
    elapsed = (on - start).dt.days.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.clip(np.where(span > 0, 100 * elapsed / span, np.nan), 0, 100)
    actual = projects["actual_progress"].astype(float)
    out = projects.assign(expected_progress=np.round(expected, 1))
    out["behind"] = np.round(expected - actual.fillna(0), 1)
    running = out["status"].isin(["planned", "under_way"])
    out["delayed"] = running & (out["behind"] >= DELAY_POINTS)
    out["overdue"] = running & end.notna() & on.notna() & (on > end)
    return out.sort_values("behind", ascending=False, na_position="last").reset_index(
        drop=True)


__all__ = ["DELAY_POINTS", "project_delays"]
