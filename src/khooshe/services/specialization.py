"""Specialisation, hot spots and candidate clusters of a workspace.

Composes :mod:`khooshe.services.frames` (workspace → region × activity tables) with the pure
analyses in :mod:`khooshe.analysis.specialization` and :mod:`khooshe.analysis.spatial`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from khooshe.analysis import spatial
from khooshe.analysis import specialization as spec
from khooshe.domain.errors import InputError
from khooshe.domain.vocab import REGION_LEVELS, labels_of
from khooshe.io.reference import activity_markets
from khooshe.io.tables import read_table
from khooshe.text.messages import Message

if TYPE_CHECKING:
    from khooshe.services.engine import Engine
    from khooshe.store.workspace import Workspace

#: Levels whose cluster strength an engine computes province by province: those below the
#: province (at province level each task would be one region, at country level one task).
ENGINE_LEVELS = REGION_LEVELS[REGION_LEVELS.index("province") + 1:]

# The workspace side (khooshe.services.frames, the store: SQLAlchemy) is imported by the
# functions that open one: ``khooshe specialize FILE`` does not pay 0.13 s for it.


def _region_names(ws: Workspace) -> pd.DataFrame:
    from khooshe.store.repository import read_kind

    return read_kind(ws, "regions", columns=["code", "level", "parent_code", "name_fa",
                                             "name_en", "lat", "lon", "boundary"])


def _in_province(codes: pd.Series, regions: pd.DataFrame, province: str | None) -> pd.Series:
    from khooshe.domain.regions import RegionHierarchy

    if province is None:
        return pd.Series(True, index=codes.index)
    h = RegionHierarchy(regions)
    h.check(province, "province")
    return h.contains(province, codes)


def traded_activities(county: pd.DataFrame) -> pd.Series:
    """Whether each activity of a county × ISIC table is *traded* (sells beyond its region)
    or *local*, indexed by ISIC class.

    The US Cluster Mapping convention (Delgado, Porter & Stern 2016) decides, mapped to ISIC
    Rev.4 in ``khooshe/data/isic.csv`` (:func:`khooshe.io.reference.activity_markets`):
    goods, wholesale, freight and long-distance transport, tourism, IT, finance, business
    services and research are traded; utilities, construction, repair and installation of
    machinery, retail, passenger transport within a region, restaurants, real estate, legal
    and accounting offices, security and building services, schools, health and personal
    services are local. A class the table lacks is judged by its
    geographic concentration (locational Gini ≥ 0.25,
    :func:`khooshe.analysis.specialization.classify_traded`).
    """
    by_data = spec.classify_traded(county, "region", "isic", "value").set_index("isic")["traded"]
    convention = activity_markets().eq("traded")
    return convention.reindex(by_data.index).fillna(by_data).astype(bool)


def strength(
    ws: Workspace,
    *,
    level: str = "county",
    measure: str = "employment",
    province: str | None = None,
    engine: Engine | None = None,
    **options: Any,  # passed on unchanged: typed where they are used
) -> pd.DataFrame:
    """Cluster strength of every (region, ISIC) at ``level``, against the whole workspace.

    Location quotients compare with the workspace's total (the nation, for a national
    workspace), so a province's regions are judged against the country, not against
    themselves. Traded/local is decided at county level (village counts are too small for a
    dispersion measure) and applied to every level. ``options`` go to
    :func:`khooshe.analysis.specialization.cluster_strength`.

    A ``dask`` ``engine`` computes the regions of each province in parallel (levels below the
    province, :data:`ENGINE_LEVELS`): every province's cells are judged against the national totals,
    computed once, and the ranks among all regions are computed again on the joined
    provinces, so the table is the local engine's, row for row. The local engine (default)
    computes the whole table in one call, which is faster on one machine.

    Raises
    ------
    InputError
        A ``dask`` engine at a level not in :data:`ENGINE_LEVELS`.
    """
    from khooshe.services.frames import activity_table

    dask = engine if engine is not None and engine.distributed else None
    if dask is not None and level not in ENGINE_LEVELS:
        raise InputError(Message("engine.strength_level",
                                 {"level": labels_of("region_level", level)}))
    table = activity_table(ws, level=level, measure=measure)
    if table.empty:
        raise InputError(Message("analysis.workspace.no_establishments_at",
                                 {"level": labels_of("region_level", level)}))
    county = table if level == "county" else activity_table(ws, level="county",
                                                            measure=measure)
    traded = traded_activities(county)
    regions = _region_names(ws)
    if dask is not None:
        out = _strength_by_province(dask, table, regions, traded, options)
    else:
        out = province_strength(table, traded=traded, **options)
    out = out[_in_province(out["region"], regions, province)]
    names = regions.set_index("code")[["name_fa", "name_en"]]
    out = out.join(names, on="region")
    out.insert(0, "level", level)
    return out.reset_index(drop=True)


def province_strength(part: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """Cluster strength of a region × ISIC table (``region``, ``isic``, ``value``,
    ``establishments``): the whole workspace's, or one province's part of it (``totals=``
    among ``options``) — what an engine's worker computes for each province of
    :func:`strength`."""
    return spec.cluster_strength(part, "region", "isic", "value", count="establishments",
                                 **options)


def _strength_by_province(engine: Engine, table: pd.DataFrame, regions: pd.DataFrame,
                          traded: pd.Series, options: dict[str, Any]) -> pd.DataFrame:
    """:func:`province_strength` of every province's regions on ``engine``, joined: the same
    rows, values and order as the whole table's in one call."""
    from khooshe.domain.regions import RegionHierarchy

    # the whole table checked and summed once (a bad value fails as it does locally); each
    # province's LQ and national share divide by these national totals
    totals = spec.national_totals(table, "region", "isic", "value")
    # a zero cell is no cell of the whole either, and a province with nothing but zeros
    # would be refused as an empty matrix
    table = table[table["value"].to_numpy() > 0]
    # regions outside every province (a gap in the hierarchy) make a part of their own
    province_of = RegionHierarchy(regions).ancestor_of(table["region"], "province").fillna("")
    parts = [part for _, part in table.groupby(province_of.to_numpy(), sort=True)]
    joined = pd.concat(list(engine.map(province_strength, parts, totals=totals, traded=traded,
                                       **options)), ignore_index=True)
    # each part comes sorted by region then rank in the region, as the whole does: only the
    # parts' regions need putting back in order (codes need not start with the province's)
    joined = joined.sort_values("region", kind="stable", ignore_index=True)
    return spec.rank_across_regions(
        joined, "isic", "value",
        lq_threshold=options.get("lq_threshold", spec.DEFAULT_LQ_THRESHOLD),
        top_share=options.get("top_share"))


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
        named = labels_of("region_level", level)
        raise InputError(Message("analysis.workspace.hotspot_regions_in", {
            "level": named, "province": province}) if province else Message(
            "analysis.workspace.hotspot_regions", {"level": named}))
    from khooshe.services.frames import activity_table

    table = activity_table(ws, level=level, measure=measure, province=province)
    mine = table[table["isic"] == activity].set_index("region")["value"]
    if mine.empty:
        raise InputError(Message("analysis.workspace.no_activity_in", {
            "activity": activity, "province": province}) if province else Message(
            "analysis.workspace.no_activity", {"activity": activity}))
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
            raise InputError(Message("analysis.workspace.no_places", {
                "regions": ", ".join(map(str, missing))}))
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
    from khooshe.services.frames import establishments_with_regions

    est = establishments_with_regions(ws, province=province, statuses=("operating",))
    est = est[est["lat"].notna() & est["lon"].notna()]
    if est.empty:
        raise InputError(Message("analysis.workspace.no_coordinates", {"province": province}))
    out = spatial.point_clusters(est, region="county", min_cluster_size=min_cluster_size,
                                 max_median_km=max_median_km)
    return out


# --- Tables from files and the workspace's strength, with what a reader wants to know --------
#: Tables :func:`specialization_from_file` can compute.
TABLES = ("strength", "regions", "activities")


@dataclass
class SpecializationTable:
    """A specialisation table and its size.

    Attributes
    ----------
    table : DataFrame
        ``strength``: one row per (region, activity) (LQ, shares, ranks, ``traded``,
        ``strong``, ``small_base``, ``candidate``); ``regions`` or ``activities``: the per-region or
        per-activity indices.
    kind : str
        Which of :data:`TABLES`.
    regions, activities : int
        Regions and activities compared.
    strong, candidates : int or None
        Strength tables: strong cells, and candidate clusters (strong, traded, not a small
        base); None for the other tables.
    """

    table: pd.DataFrame
    kind: str
    regions: int
    activities: int
    strong: int | None = None
    candidates: int | None = None


def _counted(table: pd.DataFrame, kind: str, regions: int, activities: int
             ) -> SpecializationTable:
    if kind != "strength":
        return SpecializationTable(table, kind, regions, activities)
    strong = int(table["strong"].sum())
    candidates = int(table["candidate"].sum())
    return SpecializationTable(table, kind, regions, activities, strong, candidates)


def specialization_from_file(
    path: str | Path,
    *,
    region: str,
    activity: str,
    value: str | None = None,
    count: str | None = None,
    table: str = "strength",
    lq_threshold: float = 1.25,
    top_share: float | None = None,
    min_establishments: int = 3,
    min_value: float | None = None,
    traded_gini: float = 0.25,
    na_zero: bool = False,
) -> SpecializationTable:
    """Location quotients, specialisation indices or cluster strength of a long table file.

    Parameters
    ----------
    path : path
        CSV, XLSX or Parquet: one row per establishment, or per (region, activity).
    region, activity : str
        Columns of the region code and of the activity (ISIC).
    value : str, optional
        Amount column (e.g. employees); without it the rows are counted.
    count : str, optional
        Column with the number of establishments a row stands for (default: one each).
    table : {"strength", "regions", "activities"}
    lq_threshold, top_share, min_establishments, traded_gini
        As :func:`khooshe.analysis.specialization.cluster_strength`.
    min_value : float, optional
        ``small_base`` below this value; default
        :data:`~khooshe.analysis.specialization.DEFAULT_MIN_VALUE` with ``value``, else 0.
    na_zero : bool
        Count missing values as 0 instead of rejecting them.
    """
    if table not in TABLES:
        raise InputError(f"table must be one of {', '.join(TABLES)}, not {table!r}")
    # amounts as numbers straight from the file when they are plain numbers (otherwise text,
    # which the analysis parses and refuses by row as it always did)
    data = read_table(path, as_text=True, numbers=[c for c in (value, count) if c])
    m = spec.region_activity_matrix(data, region, activity, value, count=count,
                                    na="zero" if na_zero else "error")
    if table == "strength":
        if min_value is None:
            min_value = spec.DEFAULT_MIN_VALUE if value is not None else 0.0
        out = spec.cluster_strength(m, lq_threshold=lq_threshold, top_share=top_share,
                                    min_establishments=min_establishments, min_value=min_value,
                                    traded_gini=traded_gini)
    elif table == "regions":
        out = spec.region_indices(m)
    else:
        traded = spec.classify_traded(m, gini_threshold=traded_gini)[[m.activity_name, "traded"]]
        out = spec.activity_indices(m).merge(traded, on=m.activity_name)
    return _counted(out, table, m.shape[0], m.shape[1])


def strength_table(
    ws: Workspace,
    *,
    level: str = "county",
    measure: str = "employment",
    province: str | None = None,
    min_value: float | None = None,
    engine: Engine | None = None,
    **options: Any,  # passed on unchanged: typed where they are used
) -> SpecializationTable:
    """:func:`strength` (on ``engine``) with its counts; ``min_value`` defaults to
    :data:`~khooshe.analysis.specialization.DEFAULT_MIN_VALUE` employees for employment and
    to 0 for establishments (a count is its own base)."""
    if min_value is None:
        min_value = spec.DEFAULT_MIN_VALUE if measure == "employment" else 0.0
    out = strength(ws, level=level, measure=measure, province=province, min_value=min_value,
                   engine=engine, **options)
    return _counted(out, "strength", out["region"].nunique(), out["isic"].nunique())
