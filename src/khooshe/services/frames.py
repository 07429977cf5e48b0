"""Workspace data shaped for the analyses: region × activity tables at any level.

The analyses (``khooshe.analysis``) are pure and take DataFrames; this module is where a
workspace's records become those DataFrames: establishments rolled up the region hierarchy to
a level, restricted to a province, measured by employment or by establishment count.
"""

from __future__ import annotations

import pandas as pd

from khooshe.domain.regions import RegionHierarchy
from khooshe.domain.schema import entity
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

MEASURES = ("employment", "establishments")


def _establishments(ws: Workspace, h: RegionHierarchy, province: str | None,
                    columns: list[str] | None) -> pd.DataFrame:
    """The establishments (``columns`` of them), of ``province`` only when given: the
    database reads the province's records alone, a few tens of thousands where a register
    holds a million."""
    if province is None:
        return read_kind(ws, "establishments", columns=columns)
    h.check(province, "province")
    return read_kind(ws, "establishments", columns=columns, within=("region_code", province))


def establishments_with_regions(
    ws: Workspace, *, province: str | None = None, statuses: tuple[str, ...] | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Establishments with their ``province``, ``county`` and ``village`` codes attached
    (only ``columns`` of theirs, in the schema's order, when given: a register of a million
    is read and copied much faster by the few columns a caller uses)."""
    if columns is not None:
        order = entity("establishments").names
        wanted = set(columns) | {"region_code"} | ({"status"} if statuses is not None else set())
        columns = [c for c in order if c in wanted]
    h = RegionHierarchy(read_kind(ws, "regions", columns=["code", "level", "parent_code"]))
    est = _establishments(ws, h, province, columns)
    if statuses is not None:
        est = est[est["status"].isin(statuses)]
    est["province"] = h.ancestor_of(est["region_code"], "province")
    if province is not None:  # what lies below the province and has it as its province
        est = est[est["province"] == province]
    for level in ("county", "village"):
        est[level] = h.ancestor_of(est["region_code"], level)
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
    h = RegionHierarchy(read_kind(ws, "regions", columns=["code", "level", "parent_code"]))
    est = _establishments(ws, h, province, ["region_code", "isic", "status", "employees"])
    est = est[est["status"].isin(statuses)]
    value = est["employees"].fillna(0).astype(float) if measure == "employment" else 1.0
    # a register's million records fall into far fewer (region, class) pairs: sum them per
    # pair first and climb the hierarchy with the pairs (employees are whole numbers, so the
    # sums are exact and equal to summing the records at the level directly)
    pairs = (
        pd.DataFrame({"region_code": est["region_code"], "isic": est["isic"], "value": value,
                      "establishments": 1})
        .groupby(["region_code", "isic"], as_index=False, sort=False, dropna=False)
        [["value", "establishments"]].sum()
    )
    if province is not None:
        pairs = pairs[(h.ancestor_of(pairs["region_code"], "province") == province).to_numpy()]
    pairs["region"] = h.ancestor_of(pairs["region_code"], level)
    unplaced = int(pairs.loc[pairs["region"].isna(), "establishments"].sum())
    table = (
        pairs[pairs["region"].notna()]
        .groupby(["region", "isic"], as_index=False)[["value", "establishments"]]
        .sum()
    )
    table.attrs["unplaced"] = unplaced
    return table
