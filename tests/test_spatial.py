"""Hot spots (Getis-Ord Gi*) and point clusters (HDBSCAN) on cases whose answer is obvious."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from khooshe.analysis.spatial import (
    SpatialInputError,
    contiguity_neighbors,
    hotspots,
    knn_neighbors,
    point_clusters,
)

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reference"


def grid(n: int = 10, size: float = 0.5):
    """An n × n grid of square 'counties' in lon/lat near Iran, codes 'RRCC'."""
    geoms, cents = {}, {}
    for i in range(n):
        for j in range(n):
            code = f"{i:02d}{j:02d}"
            box = shapely.box(50 + j * size, 30 + i * size, 50 + (j + 1) * size,
                              30 + (i + 1) * size)
            geoms[code] = box
            cents[code] = {"lat": box.centroid.y, "lon": box.centroid.x}
    return pd.Series(geoms), pd.DataFrame(cents).T


def block_values(high: float, low: float, seed: int = 1) -> pd.Series:
    """A 3 × 3 block in the lower-left corner at ``high``, the rest noisy around ``low``."""
    rng = np.random.default_rng(seed)
    vals = {}
    for i in range(10):
        for j in range(10):
            inside = i < 3 and j < 3
            vals[f"{i:02d}{j:02d}"] = high if inside else low * rng.uniform(0.5, 1.5)
    return pd.Series(vals, name="employees")


BLOCK = [f"{i:02d}{j:02d}" for i in range(3) for j in range(3)]
FAR = [f"{i:02d}{j:02d}" for i in range(6, 10) for j in range(6, 10)]


def test_contiguity_of_a_grid_is_queen():
    geoms, _ = grid(3)
    nb = contiguity_neighbors(geoms)
    assert sorted(nb["0101"]) == sorted(c for c in geoms.index if c != "0101")  # centre: 8
    assert sorted(nb["0000"]) == ["0001", "0100", "0101"]  # corner: edge + corner contacts
    assert all(a in nb[b] for a in nb for b in nb[a])  # symmetric


def test_islands_get_their_nearest_region():
    geoms = pd.Series({"a": shapely.box(0, 0, 1, 1), "b": shapely.box(1, 0, 2, 1),
                       "island": shapely.box(5, 0, 6, 1)})
    assert contiguity_neighbors(geoms, attach_islands=False)["island"] == []
    nb = contiguity_neighbors(geoms)
    assert nb["island"] == ["b"] and "island" in nb["b"]
    # fuzzy contiguity bridges a small gap
    gap = pd.Series({"a": shapely.box(0, 0, 1, 1), "b": shapely.box(1.0005, 0, 2, 1)})
    assert contiguity_neighbors(gap, attach_islands=False)["a"] == []
    assert contiguity_neighbors(gap, tolerance=0.001, attach_islands=False)["a"] == ["b"]


def test_knn_neighbors_on_the_sphere():
    cents = pd.DataFrame({"lat": [35.0, 35.0, 35.0, 36.0], "lon": [50.0, 50.1, 51.0, 50.0]},
                         index=["a", "b", "c", "d"])
    nb = knn_neighbors(cents, k=2)
    assert nb["a"] == ["b", "c"]  # 9 km, 91 km; d is 111 km north
    assert len(knn_neighbors(cents, k=10)["a"]) == 3  # k capped at n − 1


def test_hot_spot_in_a_grid_with_boundaries():
    geoms, _ = grid()
    res = hotspots(block_values(100.0, 5.0), geometries=geoms, correction="none")
    assert res.attrs["weights"] == "queen contiguity"
    assert list(res.columns) == ["region", "value", "n_neighbors", "gi", "gi_z", "p_norm",
                                 "p_sim", "p_value", "spot"]
    by = res.set_index("region")
    assert (by.loc[BLOCK, "spot"] == "hot").all()
    assert by.loc["0101", "gi_z"] > 5 and by.loc["0101", "p_value"] <= 0.002
    assert by.loc["0101", "n_neighbors"] == 8 and by.loc["0000", "n_neighbors"] == 3
    assert not (by.loc[FAR, "spot"] == "hot").any()
    # the block centre's z-score is the largest of all
    assert by["gi_z"].idxmax() in BLOCK
    # reproducible with the same seed
    again = hotspots(block_values(100.0, 5.0), geometries=geoms, correction="none")
    np.testing.assert_array_equal(again["p_sim"], res["p_sim"])


def test_false_discovery_rate_and_presence():
    """With the default FDR correction fewer regions pass than with alpha alone, never more;
    a region without the activity is never a hot spot, only next to one."""
    geoms, _ = grid()
    values = block_values(100.0, 5.0)
    values[BLOCK[0]] = 0.0
    raw = hotspots(values, geometries=geoms, correction="none").set_index("region")
    fdr = hotspots(values, geometries=geoms).set_index("region")
    assert fdr.attrs["p_cutoff"] <= 0.05
    assert (fdr["p_value"] == fdr["p_norm"]).all()
    assert set(fdr.index[fdr["spot"] != "not significant"]) <= set(
        raw.index[raw["p_norm"] < 0.05])
    assert fdr.loc[BLOCK[0], "spot"] == "near_hot" and fdr.loc[BLOCK[0], "value"] == 0
    assert (fdr.loc[fdr["spot"] == "hot", "value"] > 0).all()
    assert (fdr.loc[list(BLOCK[1:]), "spot"] == "hot").all()


def test_cold_spot_and_knn_weights():
    _, cents = grid()
    res = hotspots(block_values(0.0, 50.0), centroids=cents, k=8)
    assert res.attrs["weights"].startswith("8 nearest centroids")
    by = res.set_index("region")
    assert (by.loc[BLOCK, "spot"] == "cold").all()
    assert (by.loc[BLOCK, "gi_z"] < 0).all()
    assert not (by.loc[FAR, "spot"] == "cold").any()
    # analytical p-values only
    res0 = hotspots(block_values(0.0, 50.0), centroids=cents, k=8, permutations=0)
    assert res0["p_sim"].isna().all() and (res0["p_value"] == res0["p_norm"]).all()
    assert (res0.set_index("region").loc[BLOCK, "spot"] == "cold").all()


def test_constant_values_have_no_spots():
    geoms, _ = grid(4)
    res = hotspots(pd.Series(3.0, index=geoms.index), geometries=geoms)
    assert (res["spot"] == "not significant").all() and (res["gi_z"] == 0).all()


def test_hotspot_errors():
    geoms, cents = grid(3)
    vals = pd.Series(1.0, index=geoms.index)
    with pytest.raises(SpatialInputError, match="geometries or centroids"):
        hotspots(vals)
    with pytest.raises(SpatialInputError, match=r"missing or non-numeric value.*0000"):
        hotspots(vals.where(vals.index != "0000"), geometries=geoms)
    with pytest.raises(SpatialInputError, match="non-negative"):
        hotspots(vals - 2, geometries=geoms)
    with pytest.raises(SpatialInputError, match="no boundary for 1 region"):
        hotspots(pd.concat([vals, pd.Series({"9999": 1.0})]), geometries=geoms)
    with pytest.raises(SpatialInputError, match="no coordinates for 1 region"):
        hotspots(pd.concat([vals, pd.Series({"9999": 1.0})]), centroids=cents)
    with pytest.raises(SpatialInputError, match="at least 3 regions"):
        hotspots(vals.iloc[:2], geometries=geoms)
    with pytest.raises(SpatialInputError, match="swapped"):
        hotspots(vals, centroids=cents.rename(columns={"lat": "lon", "lon": "lat"}).assign(
            lat=lambda d: d["lat"] * 3))


def _provinces() -> pd.Series:
    path = REFERENCE / "iran" / "provinces.geojson"
    if not path.exists():
        pytest.skip(f"reference data not available: {path} (needs ../shared beside the repo)")
    data = json.loads(path.read_text(encoding="utf-8"))
    return pd.Series({f["properties"]["name:en"]: shapely.geometry.shape(f["geometry"])
                      for f in data["features"]})


def test_real_province_boundaries():
    geoms = _provinces()
    nb = contiguity_neighbors(geoms, attach_islands=False)
    assert sorted(nb["Tehran"]) == ["Alborz", "Markazi", "Mazandaran", "Qom", "Semnan"]
    assert sorted(nb["Gilan"]) == ["Ardabil", "Mazandaran", "Qazvin", "Zanjan"]
    assert all(nb.values())  # no island among Iran's 31 provinces
    # employment concentrated around the capital: Tehran is a hot spot, Sistan is not
    core = {"Tehran", "Alborz", "Qom", "Markazi", "Mazandaran", "Semnan", "Qazvin"}
    vals = pd.Series({p: (1000.0 if p in core else 10.0) for p in geoms.index})
    res = hotspots(vals, geometries=geoms).set_index("region")
    assert res.loc["Tehran", "spot"] == "hot"
    assert res.loc["Sistan and Baluchestan", "spot"] != "hot"


# --- point clusters ------------------------------------------------------------------------------
def two_groups(seed: int = 0) -> pd.DataFrame:
    """30 firms around Tehran, 30 around Isfahan (~1 km spread), 10 scattered over Iran."""
    rng = np.random.default_rng(seed)
    a = rng.normal([35.70, 51.40], 0.01, (30, 2))
    b = rng.normal([32.65, 51.67], 0.01, (30, 2))
    noise = rng.uniform([26, 46], [39, 61], (10, 2))
    xy = np.vstack([a, b, noise])
    return pd.DataFrame({
        "id": [f"E{i}" for i in range(70)],
        "lat": xy[:, 0], "lon": xy[:, 1],
        "isic": ["1410"] * 20 + ["1430"] * 10 + ["1410"] * 30 + ["1410"] * 10,
        "employees": [10] * 20 + [4] * 10 + [5] * 30 + [1] * 10,
        "region_code": ["2301"] * 15 + ["2302"] * 15 + ["1001"] * 30 + ["0601"] * 10,
    })


def test_two_tight_groups_are_two_clusters():
    df = two_groups()
    res, labels = point_clusters(df, activity_digits=2, return_labels=True)
    assert len(res) == 2
    assert list(res.columns) == ["cluster_id", "activity", "centroid_lat", "centroid_lon",
                                 "n_members", "employment", "dominant_isic", "dominant_share",
                                 "radius_km", "median_distance_km", "regions", "n_regions"]
    tehran = res.loc[res.centroid_lat > 34].iloc[0]
    isfahan = res.loc[res.centroid_lat < 34].iloc[0]
    assert abs(tehran.centroid_lat - 35.70) < 0.01 and abs(tehran.centroid_lon - 51.40) < 0.01
    assert abs(isfahan.centroid_lat - 32.65) < 0.01 and abs(isfahan.centroid_lon - 51.67) < 0.01
    assert tehran.n_members == 30 and isfahan.n_members == 30
    assert tehran.employment == 20 * 10 + 10 * 4 and isfahan.employment == 150
    assert tehran.dominant_isic == "1410" and tehran.dominant_share == pytest.approx(200 / 240)
    assert tehran.regions == "2301,2302" and tehran.n_regions == 2
    assert isfahan.regions == "1001"
    assert tehran.radius_km < 10
    assert res.iloc[0].cluster_id == tehran.cluster_id  # sorted by employment
    assert set(res.activity) == {"14"}
    # the scattered firms are noise
    assert labels.iloc[60:].isna().all() and labels.iloc[:60].notna().all()
    assert labels.iloc[0] == tehran.cluster_id


def test_clusters_per_isic_class_and_missing_coordinates():
    df = two_groups()
    df.loc[5, ["lat", "lon"]] = np.nan
    res = point_clusters(df, min_cluster_size=5)
    assert res.attrs["skipped_no_coordinates"] == 1
    assert set(res.cluster_id) == {"1410-1", "1410-2", "1430-1"}
    by = res.set_index("cluster_id")
    assert sorted(by.loc[["1410-1", "1410-2"], "n_members"]) == [19, 30]
    # the 10 firms of 1430 all sit in one place: one cluster (HDBSCAN's single-cluster mode
    # keeps its denser core, at least min_cluster_size firms)
    assert 5 <= by.loc["1430-1", "n_members"] <= 10
    assert abs(by.loc["1430-1", "centroid_lat"] - 35.70) < 0.02
    # establishments scattered over the whole country make no cluster
    rng = np.random.default_rng(3)
    scattered = pd.DataFrame({"lat": rng.uniform(26, 39, 40), "lon": rng.uniform(46, 61, 40),
                              "isic": "2220", "employees": 3, "region_code": "0101"})
    assert point_clusters(scattered).empty
    assert len(point_clusters(scattered, max_median_km=None, min_probability=0)) >= 1
    # too few firms for any cluster: an empty table with the columns
    empty = point_clusters(df.iloc[:3])
    assert empty.empty and "cluster_id" in empty.columns


def test_point_cluster_errors():
    df = two_groups()
    with pytest.raises(SpatialInputError, match="'employees'.*missing"):
        point_clusters(df.drop(columns="employees"))
    with pytest.raises(SpatialInputError, match="swapped"):
        point_clusters(df.assign(lat=df["lon"] * 2))
    with pytest.raises(SpatialInputError, match="min_cluster_size"):
        point_clusters(df, min_cluster_size=1)
    with pytest.raises(SpatialInputError, match="without an ISIC code"):
        point_clusters(df.assign(isic=[None] + ["1410"] * 69))
    res = point_clusters(df, employees=None, region=None, activity_digits=None)
    assert (res.employment == 0).all() and (res.regions == "").all()
