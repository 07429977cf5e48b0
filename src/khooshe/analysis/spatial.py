"""Spatial clustering: Getis-Ord Gi* hot spots across regions and point clusters of firms.

Two questions, two tools:

* **Where is an activity unusually concentrated, together with its neighbours?** —
  :func:`hotspots` runs the local Getis-Ord Gi* statistic (Getis & Ord 1992; Ord & Getis 1995)
  with PySAL ``esda.G_Local(star=True)`` on a value per region (employment of an activity per
  county, an LQ, …). Neighbours come from the regions' boundaries (queen contiguity: sharing an
  edge or a corner) when geometries are given, otherwise from the ``k`` nearest centroids on the
  sphere.
* **Where do establishments of an activity bunch together on the ground?** —
  :func:`point_clusters` runs HDBSCAN (Campello, Moulavi & Sander 2013; scikit-learn
  ``sklearn.cluster.HDBSCAN``) on the great-circle (haversine) distances between establishments
  and describes each cluster found: centroid, members, employment, dominant ISIC, regions.

Coordinates are WGS84 degrees (GeoJSON order for geometries: x = longitude, y = latitude).
Distances are great-circle distances on a sphere of radius :data:`EARTH_RADIUS_KM`.
The functions are pure: DataFrames and shapely geometries in, DataFrames out.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from khooshe.domain.errors import InputError
from khooshe.domain.geo import EARTH_RADIUS_KM, haversine_km, unit_vectors
from khooshe.text.messages import Message

__all__ = [
    "SpatialInputError",
    "EARTH_RADIUS_KM",
    "contiguity_neighbors",
    "knn_neighbors",
    "hotspots",
    "point_clusters",
]

#: Mean Earth radius (km) used for great-circle distances.


class SpatialInputError(InputError):
    """Input that the spatial analyses cannot use, or a bad parameter."""


# --------------------------------------------------------------------------------------------
# Neighbours
# --------------------------------------------------------------------------------------------
def _check_latlon(lat: np.ndarray, lon: np.ndarray, what: str, labels: pd.Index) -> None:
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    if bad.any():
        raise SpatialInputError(
            f"{what}: {int(bad.sum())} without coordinates, e.g. "
            + ", ".join(map(str, labels[bad][:5]))
        )
    out = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if out.any():
        raise SpatialInputError(
            f"{what}: {int(out.sum())} with latitude outside ±90 or longitude outside ±180 "
            "(are lat and lon swapped?), e.g. " + ", ".join(map(str, labels[out][:5]))
        )


def _nearest_other(lat: np.ndarray, lon: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` nearest other points (great circle), shape (n, k)."""
    from sklearn.neighbors import BallTree

    xy = np.radians(np.column_stack([lat, lon]))
    tree = BallTree(xy, metric="haversine")
    _, idx = tree.query(xy, k=k + 1)
    n = len(lat)
    # drop each point itself (it is normally first, but duplicates may come in any order)
    self_mask = idx == np.arange(n)[:, None]
    has_self = self_mask.any(axis=1)
    # rows containing themselves: remove that entry; others: drop the last (farthest) entry
    drop = np.where(has_self, self_mask.argmax(axis=1), k)
    keep = np.ones_like(idx, dtype=bool)
    keep[np.arange(n), drop] = False
    return idx[keep].reshape(n, k).astype(np.int64)


def knn_neighbors(centroids: pd.DataFrame, k: int = 6) -> dict[object, list[object]]:
    """The ``k`` nearest regions of each region by great-circle distance between centroids.

    Parameters
    ----------
    centroids : DataFrame
        Indexed by region code, with ``lat`` and ``lon`` columns (degrees).
    k : int
        Number of neighbours (reduced to ``n − 1`` when there are fewer regions).

    Returns
    -------
    dict
        region → list of its ``k`` nearest regions (not symmetric: A may be among B's nearest
        without B being among A's).
    """
    for col in ("lat", "lon"):
        if col not in centroids.columns:
            raise SpatialInputError(f"centroids need 'lat' and 'lon' columns; missing {col!r}")
    if centroids.index.has_duplicates:
        raise SpatialInputError("centroids: duplicate region codes in the index")
    n = len(centroids)
    if n < 2:
        raise SpatialInputError("nearest neighbours need at least 2 regions")
    if k < 1:
        raise SpatialInputError(f"k must be at least 1, not {k}")
    lat = pd.to_numeric(centroids["lat"], errors="coerce").to_numpy(np.float64)
    lon = pd.to_numeric(centroids["lon"], errors="coerce").to_numpy(np.float64)
    _check_latlon(lat, lon, "centroids", centroids.index)
    k = min(k, n - 1)
    idx = _nearest_other(lat, lon, k)
    codes = centroids.index
    return {codes[i]: list(codes.take(idx[i])) for i in range(n)}


def _as_geometries(geometries, codes: pd.Index | None = None) -> pd.Series:
    import shapely

    if isinstance(geometries, Mapping):
        geometries = pd.Series(dict(geometries))
    if not isinstance(geometries, pd.Series):
        raise SpatialInputError("geometries must be a Series (or dict) of shapely geometries "
                                "indexed by region code")
    if geometries.index.has_duplicates:
        raise SpatialInputError("geometries: duplicate region codes")
    if codes is not None:
        missing = codes.difference(geometries.index)
        if len(missing):
            raise SpatialInputError(
                f"geometries: no boundary for {len(missing)} region(s), e.g. "
                + ", ".join(map(str, missing[:5]))
            )
        geometries = geometries.reindex(codes)
    arr = np.asarray(geometries.to_numpy(), dtype=object)
    ok = np.array([isinstance(g, shapely.Geometry) for g in arr], dtype=bool)
    if ok.all():
        ok = ~shapely.is_empty(arr.astype(object))
    if not ok.all():
        raise SpatialInputError(
            f"geometries: {int((~ok).sum())} region(s) without a (non-empty) geometry, e.g. "
            + ", ".join(map(str, geometries.index[~ok][:5]))
        )
    invalid = ~shapely.is_valid(arr)
    if invalid.any():
        arr = arr.copy()
        arr[invalid] = shapely.make_valid(arr[invalid])
    return pd.Series(arr, index=geometries.index)


def contiguity_neighbors(geometries, *, tolerance: float = 0.0,
                         attach_islands: bool = True) -> dict[object, list[object]]:
    """Queen contiguity: regions whose boundaries touch (share an edge or a corner).

    Parameters
    ----------
    geometries : Series or dict
        Shapely (multi)polygons indexed by region code, coordinates in degrees (lon, lat).
    tolerance : float
        "Fuzzy" contiguity: regions closer than this (in the geometries' units, degrees for
        GeoJSON; 0.001° ≈ 100 m) count as neighbours, which bridges slivers and gaps between
        boundaries digitised separately. 0 (default): the boundaries must intersect.
    attach_islands : bool
        Give a region with no contiguous neighbour (an island, or a gap in the data) its nearest
        region by centroid distance as neighbour, both ways (as libpysal's
        ``attach_islands``). Default True, so that every region has a neighbour.

    Returns
    -------
    dict
        region → list of neighbouring regions, in the order of ``geometries`` (symmetric).
    """
    import shapely

    geoms = _as_geometries(geometries)
    n = len(geoms)
    if n < 2:
        raise SpatialInputError("contiguity needs at least 2 regions")
    if tolerance < 0:
        raise SpatialInputError(f"tolerance must be ≥ 0, not {tolerance}")
    arr = geoms.to_numpy()
    query = shapely.buffer(arr, tolerance) if tolerance > 0 else arr
    tree = shapely.STRtree(arr)
    left, right = tree.query(query, predicate="intersects")
    keep = left != right
    left, right = left[keep], right[keep]
    pairs = np.unique(np.concatenate([np.column_stack([left, right]),
                                      np.column_stack([right, left])]), axis=0)
    if attach_islands:
        has = np.zeros(n, dtype=bool)
        has[pairs[:, 0]] = True
        islands = np.flatnonzero(~has)
        if len(islands):
            c = shapely.centroid(arr)
            nearest = _nearest_other(shapely.get_y(c), shapely.get_x(c), 1)[islands, 0]
            extra = np.concatenate([np.column_stack([islands, nearest]),
                                    np.column_stack([nearest, islands])])
            pairs = np.unique(np.concatenate([pairs, extra]), axis=0)
    codes = geoms.index
    out: dict[object, list[object]] = {code: [] for code in codes}
    if len(pairs):
        splits = np.searchsorted(pairs[:, 0], np.arange(1, n))
        for i, nbrs in enumerate(np.split(pairs[:, 1], splits)):
            out[codes[i]] = list(codes.take(nbrs))
    return out


# --------------------------------------------------------------------------------------------
# Getis-Ord Gi* hot spots
# --------------------------------------------------------------------------------------------
def hotspots(
    values: pd.Series,
    *,
    geometries=None,
    centroids: pd.DataFrame | None = None,
    k: int = 6,
    tolerance: float = 0.0,
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
    correction: Literal["fdr", "none"] = "fdr",
) -> pd.DataFrame:
    """Local Getis-Ord Gi* hot and cold spots of a value across regions.

    ``Gi*_i = Σ_j w_ij x_j / Σ_j x_j`` with binary weights and the region itself included
    (``w_ii = 1``); its z-score compares the sum over the neighbourhood with what a random
    arrangement of the same values would give (Getis & Ord 1992; Ord & Getis 1995). Computed by
    ``esda.G_Local(y, w, transform="B", star=True)``.

    Parameters
    ----------
    values : Series
        Non-negative value per region (index = region code): employment of an activity, number
        of establishments, … Pass 0 for regions where the activity is absent: regions missing
        from ``values`` are left out of the analysis altogether (also as neighbours).
    geometries : Series or dict, optional
        Region boundaries (shapely, lon/lat); neighbours by queen contiguity
        (:func:`contiguity_neighbors` with ``tolerance``; islands get their nearest region).
    centroids : DataFrame, optional
        ``lat``/``lon`` per region (index = region code), used when ``geometries`` is not
        given: neighbours are the ``k`` nearest regions on the sphere, made symmetric (j is a
        neighbour of i when either is among the other's ``k`` nearest).
    k : int
        Number of nearest neighbours for centroid weights (default 6, at most n − 1).
    permutations : int
        Conditional permutations for the pseudo p-value (default 999; 0 = analytical only).
    seed : int or None
        Seed of the permutations (default 0: reproducible results).
    alpha : float
        Significance level of the classification.
    correction : {"fdr", "none"}
        One test per region is many tests: by default a region is significant when its
        normal-approximation p-value is at most the Benjamini–Hochberg false-discovery-rate
        cut-off at ``alpha`` (``esda.fdr``, which falls back to Bonferroni's ``alpha / n``
        when no p-value passes). Permutation p-values cannot go below
        ``1 / (permutations + 1)``, too coarse for the cut-offs of a correction over hundreds
        of regions, so ``p_value`` is ``p_norm`` then. ``"none"`` compares each p-value
        (``p_sim`` when permutations are run) with ``alpha`` alone. The cut-off used is
        ``attrs["p_cutoff"]``.

    Returns
    -------
    DataFrame
        One row per region, in the order of ``values``: region, ``value``, ``n_neighbors``
        (without the region itself), ``gi`` (the Gi* statistic), ``gi_z`` (its z-score under
        normality), ``p_norm`` (one-sided normal p-value of ``|gi_z|``), ``p_sim`` (folded
        one-sided permutation pseudo p-value, ``NaN`` when ``permutations=0``), ``p_value``
        (the one classified: see ``correction``) and ``spot``: ``"hot"`` when
        significant, ``gi_z > 0`` and the region itself has the activity (``value > 0``);
        ``"near_hot"`` when significant and ``gi_z > 0`` but the region's own value is 0 (its
        neighbours are a hot spot; the region is not: a place to grow into, not a cluster);
        ``"cold"`` when significant and ``gi_z < 0``; otherwise ``"not significant"``.
        ``attrs["weights"]`` says which neighbours were used. When all values are equal there
        is no spatial pattern: ``gi_z`` is 0, p-values are 1 and nothing is significant.

    Raises
    ------
    SpatialInputError
        Neither geometries nor centroids, fewer than 3 regions, missing/negative values,
        regions without geometry or coordinates, bad parameters.
    """
    import esda
    from libpysal.weights import W

    if not isinstance(values, pd.Series):
        raise SpatialInputError("values must be a pandas Series indexed by region code")
    if values.index.has_duplicates:
        dup = values.index[values.index.duplicated()].unique()
        raise SpatialInputError("values: duplicate region codes, e.g. "
                                + ", ".join(map(str, dup[:5])))
    if not 0 < alpha < 1:
        raise SpatialInputError(Message("analysis.spatial.alpha", {"alpha": alpha}))
    if permutations < 0:
        raise SpatialInputError(Message("analysis.spatial.permutations",
                                        {"permutations": permutations}))
    if correction not in ("fdr", "none"):
        raise SpatialInputError(f"correction must be 'fdr' or 'none', not {correction!r}")
    y = pd.to_numeric(values, errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(y)
    if bad.any():
        raise SpatialInputError(
            f"values: {int(bad.sum())} region(s) with a missing or non-numeric value, e.g. "
            + ", ".join(map(str, values.index[bad][:5])) + " (use 0 where the activity is absent)"
        )
    if (y < 0).any():
        raise SpatialInputError("values: Gi* needs non-negative values (counts, employment, …)")
    n = len(y)
    if n < 3:
        raise SpatialInputError(f"hot spots need at least 3 regions, got {n}")
    codes = values.index
    if geometries is not None:
        nbrs = contiguity_neighbors(_as_geometries(geometries, codes), tolerance=tolerance)
        how = "queen contiguity" + (f" (tolerance {tolerance})" if tolerance else "")
    elif centroids is not None:
        if not isinstance(centroids, pd.DataFrame):
            raise SpatialInputError("centroids must be a DataFrame with lat and lon columns")
        missing = codes.difference(centroids.index)
        if len(missing):
            raise SpatialInputError(
                f"centroids: no coordinates for {len(missing)} region(s), e.g. "
                + ", ".join(map(str, missing[:5]))
            )
        knn = knn_neighbors(centroids.loc[~centroids.index.duplicated()].reindex(codes), k)
        sym: dict[object, set[object]] = {c: set(v) for c, v in knn.items()}
        for c, v in knn.items():
            for j in v:
                sym[j].add(c)
        nbrs = {c: sorted(v, key=codes.get_loc) for c, v in sym.items()}
        how = f"{min(k, n - 1)} nearest centroids (symmetric)"
    else:
        raise SpatialInputError("hot spots need region geometries or centroids (lat/lon)")

    pos = {c: i for i, c in enumerate(codes)}
    neighbours = {i: [pos[j] for j in nbrs[c]] for i, c in enumerate(codes)}
    n_nb = np.array([len(neighbours[i]) for i in range(n)])
    out = pd.DataFrame({codes.name or "region": codes, "value": y, "n_neighbors": n_nb})
    if np.ptp(y) == 0:
        out["gi"] = np.where(y.sum() > 0, (n_nb + 1) / n, np.nan)
        out["gi_z"] = 0.0
        out["p_norm"] = 1.0
        out["p_sim"] = 1.0 if permutations else np.nan
        out["p_value"] = 1.0
        out["spot"] = "not significant"
        out.attrs["weights"] = how
        out.attrs["p_cutoff"] = alpha
        return out

    w = W(neighbours, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # esda's note on `alternative`
        g = esda.G_Local(y, w, transform="B", permutations=permutations, star=True,
                         keep_simulations=False, n_jobs=1, seed=seed)
    z = np.asarray(g.Zs, dtype=np.float64)
    out["gi"] = np.asarray(g.Gs, dtype=np.float64)
    out["gi_z"] = z
    out["p_norm"] = np.asarray(g.p_norm, dtype=np.float64)
    out["p_sim"] = np.asarray(g.p_sim, dtype=np.float64) if permutations else np.nan
    if correction == "fdr":
        out["p_value"] = out["p_norm"]
        cutoff = float(esda.fdr(out["p_value"].to_numpy(), alpha))
        sig = out["p_value"].to_numpy() <= cutoff
    else:
        out["p_value"] = out["p_sim"] if permutations else out["p_norm"]
        cutoff = alpha
        sig = out["p_value"].to_numpy() < alpha
    present = y > 0
    out["spot"] = np.select([sig & (z > 0) & present, sig & (z > 0), sig & (z < 0)],
                            ["hot", "near_hot", "cold"], "not significant")
    out.attrs["weights"] = how
    out.attrs["p_cutoff"] = cutoff
    return out


# --------------------------------------------------------------------------------------------
# HDBSCAN point clusters of establishments
# --------------------------------------------------------------------------------------------
def _spherical_centroid(lat: np.ndarray, lon: np.ndarray, group: np.ndarray, n_groups: int,
                        weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean direction of points on the sphere per group (lat, lon in degrees)."""
    w = np.ones(len(lat)) if weights is None else weights
    xyz = unit_vectors(lat, lon)
    sx, sy, sz = (np.bincount(group, weights=xyz[:, i] * w, minlength=n_groups)
                  for i in range(3))
    clat = np.degrees(np.arctan2(sz, np.hypot(sx, sy)))
    clon = np.degrees(np.arctan2(sy, sx))
    return clat, clon


def point_clusters(
    establishments: pd.DataFrame,
    *,
    lat: str = "lat",
    lon: str = "lon",
    isic: str = "isic",
    employees: str | None = "employees",
    region: str | None = "region_code",
    activity_digits: int | None = 4,
    min_cluster_size: int = 5,
    min_samples: int | None = None,
    min_probability: float = 0.05,
    max_median_km: float | None = 25.0,
    return_labels: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
    """Candidate clusters: dense groups of establishments of an activity on the map.

    For each activity group (the first ``activity_digits`` digits of the ISIC code: 4 = class,
    2 = division; ``None`` = all establishments together) HDBSCAN (scikit-learn
    ``HDBSCAN(metric="haversine")`` on coordinates in radians) finds dense groups of
    establishments of any shape and leaves scattered ones as noise. A group needs at least
    ``min_cluster_size`` establishments.

    HDBSCAN keeps in a cluster points that joined it only at a large distance scale (a lone
    workshop 100 km away may join the nearest cluster with a membership strength near 0).
    Members whose HDBSCAN membership strength (``probabilities_``) is below
    ``min_probability`` (default 0.05) are treated as noise, so that they do not stretch the
    cluster's extent or its list of regions; pass 0 to keep HDBSCAN's labels as they are.

    HDBSCAN runs with ``allow_single_cluster=True`` so that an activity whose establishments
    all sit in one place gives that one cluster (in that mode HDBSCAN keeps the denser core of
    the place and labels its sparser fringe as noise). The price is that widely scattered
    establishments may come out as one huge "cluster"; a cluster whose median distance from
    its centroid exceeds ``max_median_km`` (default 25 km, about a county's half-width) is
    therefore discarded (its members become noise). ``None`` keeps every cluster.

    Parameters
    ----------
    establishments : DataFrame
        One row per establishment with latitude, longitude (degrees), ISIC code and optionally
        employees and region code. Rows without coordinates are skipped (their number is in
        ``attrs["skipped_no_coordinates"]``); coordinates out of range are an error.
    lat, lon, isic, employees, region : str
        Column names; ``employees``/``region`` may be None (employment then counts 0, regions
        are not listed).
    activity_digits : int or None
        ISIC digits that define an activity group (1–4), or None for a single group.
    min_cluster_size, min_samples : int
        HDBSCAN parameters (``min_samples`` defaults to ``min_cluster_size``).
    min_probability : float
        Membership strength below which a member is treated as noise (see above).
    max_median_km : float or None
        Largest median member–centroid distance of a cluster (see above).
    return_labels : bool
        Also return the cluster id of every input row (``<NA>`` for noise or skipped rows).

    Returns
    -------
    DataFrame
        One row per cluster: ``cluster_id`` (``"<activity>-<n>"``), ``activity`` (the group),
        ``centroid_lat``/``centroid_lon`` (spherical mean of the members), ``n_members``,
        ``employment`` (sum of ``employees``), ``dominant_isic`` (the ISIC class with the most
        employment, then the most members, then the smallest code), ``dominant_share`` (its share
        of the cluster's employment, or of members when employment is 0), ``radius_km`` (largest
        distance of a member from the centroid), ``median_distance_km``, ``regions`` (sorted
        region codes, comma-separated) and ``n_regions``. Sorted by employment, then members,
        descending.
    """
    _check_point_options(establishments, (lat, lon, isic, employees, region),
                         min_cluster_size=min_cluster_size, min_samples=min_samples,
                         activity_digits=activity_digits, min_probability=min_probability,
                         max_median_km=max_median_km)
    df = establishments
    la, lo, has, codes, emp = _point_inputs(df, lat, lon, isic, employees)
    group_key = (codes.str.slice(0, activity_digits) if activity_digits is not None
                 else pd.Series("*", index=df.index, dtype="string"))

    rows = np.flatnonzero(has)
    labels = np.full(len(df), -1, dtype=np.int64)
    gcodes, groups = pd.factorize(group_key.to_numpy()[rows], sort=True)
    next_id = 0
    cluster_group: list[str] = []
    order = np.argsort(gcodes, kind="stable")
    bounds = np.searchsorted(gcodes[order], np.arange(len(groups) + 1))
    for gi, name in enumerate(groups):  # one HDBSCAN run per activity group
        members = rows[order[bounds[gi]:bounds[gi + 1]]]
        if len(members) < min_cluster_size:
            continue
        lab = _hdbscan_labels(la[members], lo[members], min_cluster_size=min_cluster_size,
                              min_samples=min_samples, min_probability=min_probability,
                              max_median_km=max_median_km)
        found = np.unique(lab[lab >= 0])
        remap = np.full(lab.max() + 2 if lab.size else 1, -1, dtype=np.int64)
        remap[found] = np.arange(next_id, next_id + len(found))
        labels[members] = np.where(lab >= 0, remap[np.maximum(lab, 0)], -1)
        cluster_group.extend([str(name)] * len(found))
        next_id += len(found)

    in_cluster = labels >= 0
    result, id_of_label = _describe_clusters(
        labels, cluster_group, la, lo, codes.to_numpy(), emp,
        None if region is None else df[region].astype("string").to_numpy())
    result.attrs["skipped_no_coordinates"] = int((~has).sum())
    if not return_labels:
        return result
    lab_series = pd.Series(pd.NA, index=df.index, dtype="string", name="cluster_id")
    if next_id:
        lab_series[in_cluster] = id_of_label[labels[in_cluster]]
    return result, lab_series


def _check_point_options(establishments: pd.DataFrame, columns: tuple[str | None, ...], *,
                         min_cluster_size: int, min_samples: int | None,
                         activity_digits: int | None, min_probability: float,
                         max_median_km: float | None) -> None:
    if not isinstance(establishments, pd.DataFrame):
        raise SpatialInputError("establishments must be a DataFrame")
    missing = [c for c in columns if c is not None and c not in establishments.columns]
    if missing:
        raise SpatialInputError(
            f"establishments: column(s) {', '.join(map(repr, missing))} missing; it has: "
            + ", ".join(map(str, establishments.columns))
        )
    if min_cluster_size < 2:
        raise SpatialInputError(Message("analysis.spatial.min_cluster_size",
                                        {"size": min_cluster_size}))
    if min_samples is not None and min_samples < 1:
        raise SpatialInputError(f"min_samples must be at least 1, not {min_samples}")
    if activity_digits is not None and activity_digits not in (1, 2, 3, 4):
        raise SpatialInputError(f"activity_digits must be 1–4 or None, not {activity_digits}")
    if not 0 <= min_probability < 1:
        raise SpatialInputError(f"min_probability must be in [0, 1), not {min_probability}")
    if max_median_km is not None and not max_median_km > 0:
        raise SpatialInputError(f"max_median_km must be positive or None, not {max_median_km}")


def _point_inputs(df: pd.DataFrame, lat: str, lon: str, isic: str, employees: str | None):
    """Latitudes, longitudes, which rows have both, ISIC codes and employment, checked."""
    la = pd.to_numeric(df[lat], errors="coerce").to_numpy(np.float64)
    lo = pd.to_numeric(df[lon], errors="coerce").to_numpy(np.float64)
    has = np.isfinite(la) & np.isfinite(lo)
    out_of_range = has & ((np.abs(la) > 90) | (np.abs(lo) > 180))
    if out_of_range.any():
        pos = np.flatnonzero(out_of_range)[:5] + 1
        raise SpatialInputError(
            f"establishments: {int(out_of_range.sum())} row(s) with latitude outside ±90 or "
            f"longitude outside ±180 (rows {', '.join(map(str, pos))}; are lat and lon swapped?)"
        )
    codes = df[isic].astype("string").str.strip()
    no_code = has & codes.isna().to_numpy()
    if no_code.any():
        pos = np.flatnonzero(no_code)[:5] + 1
        raise SpatialInputError(
            f"establishments: {int(no_code.sum())} row(s) without an ISIC code (rows "
            f"{', '.join(map(str, pos))})"
        )
    if employees is not None:
        emp = pd.to_numeric(df[employees], errors="coerce").fillna(0).to_numpy(np.float64)
        if (emp < 0).any():
            raise SpatialInputError(f"column {employees!r}: negative values")
    else:
        emp = np.zeros(len(df))
    return la, lo, has, codes, emp


def _hdbscan_labels(lat: np.ndarray, lon: np.ndarray, *, min_cluster_size: int,
                    min_samples: int | None, min_probability: float,
                    max_median_km: float | None) -> np.ndarray:
    """HDBSCAN's labels of one activity group's points (−1 noise), with weak members and
    too-wide clusters turned into noise (see :func:`point_clusters`)."""
    from sklearn.cluster import HDBSCAN

    xy = np.radians(np.column_stack([lat, lon]))
    model = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples,
                    metric="haversine", allow_single_cluster=True, copy=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        model.fit(xy)
    lab = model.labels_.copy()
    lab[(lab >= 0) & (model.probabilities_ < min_probability)] = -1
    if max_median_km is not None and (lab >= 0).any():
        inside = lab >= 0
        k = int(lab.max()) + 1
        clat, clon = _spherical_centroid(lat[inside], lon[inside], lab[inside], k)
        dist = haversine_km(lat[inside], lon[inside], clat[lab[inside]], clon[lab[inside]])
        median = pd.Series(dist).groupby(lab[inside]).median()
        too_wide = median.index[median.to_numpy() > max_median_km].to_numpy()
        lab[np.isin(lab, too_wide)] = -1
    return lab


_CLUSTER_COLUMNS = ["cluster_id", "activity", "centroid_lat", "centroid_lon", "n_members",
                    "employment", "dominant_isic", "dominant_share", "radius_km",
                    "median_distance_km", "regions", "n_regions"]


def _describe_clusters(labels: np.ndarray, cluster_group: list[str], la: np.ndarray,
                       lo: np.ndarray, codes: np.ndarray, emp: np.ndarray,
                       regions: np.ndarray | None) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per cluster (see :func:`point_clusters`), sorted by employment then members,
    and the cluster id of each label."""
    n_clusters = len(cluster_group)
    if n_clusters == 0:
        return (pd.DataFrame({c: pd.Series(dtype=object) for c in _CLUSTER_COLUMNS}),
                np.array([], dtype=object))
    idx = np.flatnonzero(labels >= 0)
    lab = labels[idx]
    clat, clon = _spherical_centroid(la[idx], lo[idx], lab, n_clusters)
    dist = haversine_km(la[idx], lo[idx], clat[lab], clon[lab])
    members_df = pd.DataFrame({"cluster": lab, "isic": codes[idx], "emp": emp[idx],
                               "dist": dist})
    n_members = np.bincount(lab, minlength=n_clusters)
    employment = np.bincount(lab, weights=emp[idx], minlength=n_clusters)
    by_isic = (members_df.groupby(["cluster", "isic"], sort=False)
               .agg(emp=("emp", "sum"), n=("emp", "size")).reset_index()
               .sort_values(["cluster", "emp", "n", "isic"],
                            ascending=[True, False, False, True])
               .drop_duplicates("cluster").set_index("cluster").reindex(range(n_clusters)))
    dom_share = np.where(employment > 0, by_isic["emp"].to_numpy() / np.maximum(employment, 1),
                         by_isic["n"].to_numpy() / n_members)
    radius = members_df.groupby("cluster")["dist"].max().reindex(range(n_clusters))
    median = members_df.groupby("cluster")["dist"].median().reindex(range(n_clusters))
    if regions is not None:
        reg = (pd.DataFrame({"cluster": lab, "region": regions[idx]})
               .dropna().drop_duplicates().sort_values(["cluster", "region"]))
        reg_list = reg.groupby("cluster")["region"].agg(",".join).reindex(range(n_clusters))
        reg_n = reg.groupby("cluster").size().reindex(range(n_clusters), fill_value=0)
        regions_col, n_regions_col = reg_list.fillna("").to_numpy(), reg_n.to_numpy()
    else:
        regions_col, n_regions_col = np.full(n_clusters, ""), np.zeros(n_clusters, int)
    counters: dict[str, int] = {}
    ids = []
    for g in cluster_group:
        counters[g] = counters.get(g, 0) + 1
        ids.append(f"{g}-{counters[g]}")
    result = pd.DataFrame({
        "cluster_id": ids,
        "activity": cluster_group,
        "centroid_lat": clat,
        "centroid_lon": clon,
        "n_members": n_members,
        "employment": employment,
        "dominant_isic": by_isic["isic"].to_numpy(),
        "dominant_share": dom_share,
        "radius_km": radius.to_numpy(),
        "median_distance_km": median.to_numpy(),
        "regions": regions_col,
        "n_regions": n_regions_col,
    })
    order_out = np.lexsort((-result["n_members"].to_numpy(), -result["employment"].to_numpy()))
    return result.take(order_out).reset_index(drop=True), np.array(ids, dtype=object)
