"""Workspace data shaped for the analyses: region × activity tables at any level.

The analyses (``khooshe.analysis``) are pure and take DataFrames; this module is where a
workspace's records become those DataFrames: establishments rolled up the region hierarchy to
a level, restricted to a province, measured by employment or by establishment count.
"""

from __future__ import annotations

import pandas as pd

from khooshe.domain.schema import REGION_LEVELS
from khooshe.services.data import read_kind
from khooshe.store.workspace import Workspace

MEASURES = ("employment", "establishments")


def region_ancestors(regions: pd.DataFrame, level: str) -> pd.Series:
    """For every region code, the code of its ancestor (or itself) at ``level``.

    Follows ``parent_code`` links, so any coding scheme works (codes need not be prefixes).
    Regions with no ancestor at that level map to missing.

    Parameters
    ----------
    regions : DataFrame
        With ``code``, ``level`` and ``parent_code``.
    level : str
        One of :data:`khooshe.domain.schema.REGION_LEVELS`.
    """
    if level not in REGION_LEVELS:
        raise ValueError(f"level must be one of {', '.join(REGION_LEVELS)}, not {level!r}")
    parent = regions.set_index("code")["parent_code"]
    level_of = regions.set_index("code")["level"]
    current = pd.Series(regions["code"].to_numpy(), index=regions["code"].to_numpy())
    result = current.where(current.map(level_of) == level)
    # Climb one generation per pass: the hierarchy is at most len(REGION_LEVELS) deep.
    for _ in REGION_LEVELS:
        current = current.map(parent)
        hit = result.isna() & (current.map(level_of) == level)
        result[hit] = current[hit]
        if current.isna().all():
            break
    return result


def establishments_with_regions(
    ws: Workspace, *, province: str | None = None, statuses: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Establishments with their ``province``, ``county`` and ``village`` codes attached."""
    est = read_kind(ws, "establishments")
    if statuses is not None:
        est = est[est["status"].isin(statuses)]
    regions = read_kind(ws, "regions", columns=["code", "level", "parent_code"])
    for level in ("province", "county", "village"):
        est[level] = est["region_code"].map(region_ancestors(regions, level))
    if province is not None:
        if province not in set(regions.loc[regions["level"] == "province", "code"]):
            raise ValueError(f"province {province!r} is not in the workspace")
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
    regions = read_kind(ws, "regions", columns=["code", "level", "parent_code"])
    est["region"] = est["region_code"].map(region_ancestors(regions, level))
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
