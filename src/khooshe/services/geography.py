"""Attach boundaries (GeoJSON, e.g. OpenStreetMap counties) to the workspace's official regions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from khooshe.domain.geo import geometry_problem
from khooshe.domain.regions import RegionHierarchy
from khooshe.domain.validate import Issue, ValidationError
from khooshe.io.geo import MatchResult, centroid_latlon, match_boundaries, read_geojson_features
from khooshe.store import repository
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace


def _check_geometries(updates: pd.DataFrame, matched: pd.DataFrame, path: Path) -> None:
    """Refuse the whole import, before any write, if a matched feature is not a valid area
    in Iran (the same rule as a ``boundary`` column of an imported regions file)."""
    problems = updates["b_boundary"].map(geometry_problem)
    bad = problems.notna().to_numpy()
    if bad.any():
        issues = [Issue.of(int(f) + 1, "geometry", code, reason)
                  for f, code, reason in zip(matched["feature_index"].to_numpy()[bad],
                                             updates["b_code"].to_numpy()[bad],
                                             problems[bad], strict=True)]
        raise ValidationError("boundaries", issues, path.name)


def import_boundaries(
    ws: Workspace,
    path: str | Path,
    *,
    province: str | None = None,
    level: str = "county",
    actor: str,
) -> MatchResult:
    """Match the features of a GeoJSON file to regions and store their boundaries.

    Features are matched by normalised Persian name (then English name, then a conservative
    fuzzy step; see :func:`khooshe.io.geo.match_boundaries`) among the regions of ``level``,
    restricted to ``province`` when given — names repeat across provinces, so giving the
    province is strongly advised. Regions without latitude/longitude get their boundary's
    centroid. All updates happen in one transaction, each region's in the audit trail under
    ``actor``.

    Returns
    -------
    MatchResult
        Matched pairs, every region left without a boundary and every unused feature, each with
        a reason.
    """
    path = Path(path)
    features = read_geojson_features(path)
    regions = read_kind(ws, "regions", columns=["code", "level", "parent_code", "name_fa",
                                                "name_en", "lat", "lon"])
    candidates = regions[regions["level"] == level]
    if province is not None:
        hierarchy = RegionHierarchy(regions)
        hierarchy.check(province, "province")
        candidates = candidates[hierarchy.contains(province, candidates["code"])]
    if candidates.empty:
        raise ValueError(f"the workspace has no regions of level {level!r}"
                         + (f" in province {province}" if province else "")
                         + "; import the official divisions first")
    result = match_boundaries(candidates.reset_index(drop=True), features)

    matched = result.matched
    geometry = features.set_index("feature_index")["geometry"]
    rows = candidates.set_index("code").loc[matched["code"]]
    updates = pd.DataFrame({"b_code": matched["code"].to_numpy(),
                            "b_boundary": geometry.loc[matched["feature_index"]].to_numpy()})
    _check_geometries(updates, matched, path)
    centroids = updates["b_boundary"].map(centroid_latlon)
    missing = rows["lat"].isna().to_numpy() | rows["lon"].isna().to_numpy()
    updates["b_lat"] = [c[0] if m else lat for c, m, lat in
                        zip(centroids, missing, rows["lat"], strict=True)]
    updates["b_lon"] = [c[1] if m else lon for c, m, lon in
                        zip(centroids, missing, rows["lon"], strict=True)]

    with ws.engine.begin() as conn:
        for row in updates.to_dict("records"):
            repository.update_record(conn, "regions", {"code": row["b_code"]},
                                     {"boundary": row["b_boundary"], "lat": row["b_lat"],
                                      "lon": row["b_lon"]}, actor=actor)
        repository.log(conn, actor=actor, action="boundaries", kind="regions",
                       rows=len(updates), source=path.name,
                       detail=f"{len(result.unmatched_regions)} regions unmatched, "
                       f"{len(result.unused_features)} features unused")
    return result
