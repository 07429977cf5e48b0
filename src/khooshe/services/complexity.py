"""Subnational economic complexity of a workspace: region × ISIC employment.

The Atlas method needs "products" and "places"; inside a country they are ISIC classes and
regions (provinces or counties), the value being the employment (or the number) of operating
establishments, as in subnational complexity studies (e.g. Gao & Zhou 2018 for Chinese
provinces, Chávez, Mosqueda & Gómez-Zaldívar 2017 for Mexican states). Complexity is always
computed on the whole country — a province alone is too small a world for ubiquity to mean
anything — and then restricted to the requested province's regions.
"""

from __future__ import annotations

import pandas as pd

from khooshe.analysis.complexity import complexity
from khooshe.domain.regions import RegionHierarchy
from khooshe.services.frames import MEASURES, activity_table
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

LEVELS = ("province", "county")


def workspace_complexity(
    ws: Workspace,
    level: str = "county",
    province: str | None = None,
    measure: str = "employment",
    **complexity_kwargs: object,
) -> pd.DataFrame:
    """Complexity measures of every (region, ISIC class) at ``level``.

    Parameters
    ----------
    ws : Workspace
    level : {"province", "county"}
        Regions compared. Villages are too small for presence (RCA) to be meaningful.
    province : str, optional
        Keep only this province's regions (the computation still uses the whole country).
    measure : {"employment", "establishments"}
    **complexity_kwargs
        Passed to :func:`khooshe.analysis.complexity.complexity` (``presence``,
        ``rca_threshold``, ``continuous``, ``asymmetric``, ``knn``…).

    Returns
    -------
    DataFrame
        The columns of :func:`~khooshe.analysis.complexity.complexity` with the location column
        named ``region`` and the product column ``isic``, plus ``region_name_fa`` and
        ``region_name_en``.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    fixed = sorted(set(complexity_kwargs) & {"data", "location", "product", "value", "time"})
    if fixed:
        raise ValueError(f"{', '.join(fixed)}: set by the workspace (regions × ISIC classes, "
                         "one period); pass only options of complexity()")
    regions = read_kind(ws, "regions", columns=["code", "level", "parent_code", "name_fa",
                                                "name_en"])
    hierarchy = RegionHierarchy(regions)
    if province is not None:
        hierarchy.check(province, "province")
    table = activity_table(ws, level=level, measure=measure)
    if table.empty:
        raise ValueError("the workspace has no operating establishments; import establishments "
                         "first")
    if table["region"].nunique() < 2:
        raise ValueError(f"complexity needs at least 2 regions of level {level!r} with "
                         "establishments")
    out = complexity(table[["region", "isic", "value"]], location="region", product="isic",
                     value="value", **complexity_kwargs)
    if province is not None:
        out = out[hierarchy.contains(province, out["region"])]
    names = regions.set_index("code")[["name_fa", "name_en"]]
    names.columns = ["region_name_fa", "region_name_en"]
    return out.join(names, on="region").reset_index(drop=True)
