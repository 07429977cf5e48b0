"""Workspace data shaped for the analyses: region × activity tables at any level.

The analyses (``khooshe.analysis``) are pure and take DataFrames; this module is where a
workspace's records become those DataFrames: establishments rolled up the region hierarchy to
a level, restricted to a province, measured by employment or by establishment count.
"""

from __future__ import annotations

import pandas as pd

from khooshe.domain.regions import RegionHierarchy
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

MEASURES = ("employment", "establishments")


def establishments_with_regions(
    ws: Workspace, *, province: str | None = None, statuses: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Establishments with their ``province``, ``county`` and ``village`` codes attached."""
    est = read_kind(ws, "establishments")
    if statuses is not None:
        est = est[est["status"].isin(statuses)]
    h = RegionHierarchy(read_kind(ws, "regions", columns=["code", "level", "parent_code"]))
    for level in ("province", "county", "village"):
        est[level] = h.ancestor_of(est["region_code"], level)
    if province is not None:
        h.check(province, "province")
        est = est[est["province"] == province]
    return est.reset_index(drop=True)


def activity_table(
    ws: Workspace,
    *,
    level: str,
    measure: str = "employment",
    province: str | None = None,
    statuses: tuple[str, ...] = ("operating",),
) -> pd.DataFrame:
    """Region × ISIC table of operating establishments at ``level``.

    Returns a long DataFrame with ``region``, ``isic``, ``value`` (employees or establishment
    count, per ``measure``) and ``establishments`` (the count, for minimum-size rules).
    Establishments located above ``level`` (e.g. recorded only at county level when asking for
    villages) are left out and counted in ``attrs["unplaced"]``.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    est = establishments_with_regions(ws, province=province, statuses=statuses)
    h = RegionHierarchy(read_kind(ws, "regions", columns=["code", "level", "parent_code"]))
    est["region"] = h.ancestor_of(est["region_code"], level)
    unplaced = int(est["region"].isna().sum())
    est = est[est["region"].notna()]
    value = est["employees"].fillna(0).astype(float) if measure == "employment" else 1.0
    table = (
        est.assign(value=value, establishments=1)
        .groupby(["region", "isic"], as_index=False)[["value", "establishments"]]
        .sum()
    )
    table.attrs["unplaced"] = unplaced
    return table
