"""Specialisation, hot spots and candidate clusters of a workspace.

Composes :mod:`khooshe.services.frames` (workspace → region × activity tables) with the pure
analyses in :mod:`khooshe.analysis.specialization` and :mod:`khooshe.analysis.spatial`.
"""

from __future__ import annotations

import json

import pandas as pd

from khooshe.analysis import spatial
from khooshe.analysis import specialization as spec
from khooshe.domain.regions import RegionHierarchy
from khooshe.services.frames import activity_table, establishments_with_regions
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace


def _region_names(ws: Workspace) -> pd.DataFrame:
    return read_kind(ws, "regions", columns=["code", "level", "parent_code", "name_fa",
                                             "name_en", "lat", "lon", "boundary"])


def _in_province(codes: pd.Series, regions: pd.DataFrame, province: str | None) -> pd.Series:
    if province is None:
        return pd.Series(True, index=codes.index)
    h = RegionHierarchy(regions)
    h.check(province, "province")
    return h.contains(province, codes)


def strength(
    ws: Workspace,
    *,
    level: str = "county",
    measure: str = "employment",
    province: str | None = None,
    **options: object,
) -> pd.DataFrame:
    """Cluster strength of every (region, ISIC) at ``level``, against the whole workspace.

    Location quotients compare with the workspace's total (the nation, for a national
    workspace), so a province's regions are judged against the country, not against
    themselves. Traded/local is decided at county level (village counts are too small for a
    dispersion measure) and applied to every level. ``options`` go to
    :func:`khooshe.analysis.specialization.cluster_strength`.
    """
    table = activity_table(ws, level=level, measure=measure)
    if table.empty:
        raise ValueError("the workspace has no operating establishments at level "
                         f"{level!r}; import establishments first")
    county = activity_table(ws, level="county", measure=measure)
    traded = spec.classify_traded(county, "region", "isic", "value")
    out = spec.cluster_strength(table, "region", "isic", "value", count="establishments",
                                traded=traded, **options)
    regions = _region_names(ws)
    out = out[_in_province(out["region"], regions, province)]
    names = regions.set_index("code")[["name_fa", "name_en"]]
    out = out.join(names, on="region")
    out.insert(0, "level", level)
    return out.reset_index(drop=True)


def hotspots(
    ws: Workspace,
    activity: str,
    *,
    level: str = "county",
    measure: str = "employment",
    province: str | None = None,
    permutations: int = 999,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Getis-Ord Gi* hot spots of one ISIC activity across the regions of ``level``.

    Every region of the level takes part (with 0 where the activity is absent), restricted to
    ``province`` when given. Neighbours come from boundaries when every region has one, else
    from the 6 nearest centroids.
    """
    regions = _region_names(ws)
    at_level = regions[regions["level"] == level]
    at_level = at_level[_in_province(at_level["code"], regions, province)]
    if len(at_level) < 3:
        raise ValueError(f"hot spots need at least 3 regions of level {level!r}"
                         + (f" in province {province}" if province else ""))
    table = activity_table(ws, level=level, measure=measure, province=province)
    mine = table[table["isic"] == activity].set_index("region")["value"]
    if mine.empty:
        raise ValueError(f"no operating establishments of ISIC {activity} "
                         + (f"in province {province}" if province else "in the workspace"))
    values = mine.reindex(at_level["code"]).fillna(0.0)
    values.index.name = "region"
    geo = at_level.set_index("code")
    if geo["boundary"].notna().all():
        from shapely.geometry import shape

        geometries = geo["boundary"].map(lambda g: shape(json.loads(g)))
        out = spatial.hotspots(values, geometries=geometries, permutations=permutations,
                               alpha=alpha)
    else:
        if geo[["lat", "lon"]].isna().any(axis=None):
            missing = geo.index[geo[["lat", "lon"]].isna().any(axis=1)][:5].tolist()
            raise ValueError(f"regions without boundary or lat/lon, e.g. {missing}")
        out = spatial.hotspots(values, centroids=geo[["lat", "lon"]],
                               permutations=permutations, alpha=alpha)
    out.insert(1, "isic", activity)
    return out.join(geo[["name_fa", "name_en"]], on="region").reset_index(drop=True)


def candidates(
    ws: Workspace,
    province: str,
    *,
    min_cluster_size: int = 5,
    max_median_km: float | None = 25.0,
) -> pd.DataFrame:
    """Point clusters of operating establishments per activity in ``province`` (HDBSCAN)."""
    est = establishments_with_regions(ws, province=province, statuses=("operating",))
    est = est[est["lat"].notna() & est["lon"].notna()]
    if est.empty:
        raise ValueError(f"no operating establishments with coordinates in province {province}")
    out = spatial.point_clusters(est, region="county", min_cluster_size=min_cluster_size,
                                 max_median_km=max_median_km)
    return out
