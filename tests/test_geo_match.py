"""Tests for khooshe.io.geo: reading GeoJSON and matching boundaries to official county codes.

The real-data test matches OpenStreetMap county boundaries (provinces 01 Gilan, 06 Khuzestan,
24 Ardabil) to the official county codes in shared/data/reference/iran and writes the full
report to tests/output/geo_match_report.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from khooshe.io.geo import (
    GeoJSONError,
    MatchResult,
    centroid_latlon,
    match_boundaries,
    read_geojson_features,
)
from khooshe.io.tables import read_table

REF = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reference" / "iran"
OUTPUT = Path(__file__).resolve().parent / "output"
PROVINCES = ("01", "06", "24")

needs_ref = pytest.mark.skipif(
    not (REF / "county_codes.csv").exists(),
    reason=f"reference data absent: {REF} (Iran county codes and OSM boundaries)",
)


def _square(x: float, y: float, d: float = 1.0) -> dict:
    return {"type": "Polygon",
            "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def _feature(geom: dict | None, **tags) -> dict:
    return {"type": "Feature", "properties": {"type": "relation", "id": 1, "tags": tags},
            "geometry": geom}


def _collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def _check_complete(result: MatchResult, regions: pd.DataFrame, features: pd.DataFrame) -> None:
    """Every region matched or listed; every feature used or listed; nothing twice."""
    codes = list(result.matched["code"]) + list(result.unmatched_regions["code"])
    assert sorted(codes) == sorted(regions["code"])
    idx = list(result.matched["feature_index"]) + list(result.unused_features["feature_index"])
    assert sorted(idx) == sorted(features["feature_index"])
    rep = result.report()
    assert len(rep) == len(regions) + len(result.unused_features)


# --- real data ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def county_codes() -> pd.DataFrame:
    if not (REF / "county_codes.csv").exists():
        pytest.skip(f"reference data absent: {REF}")
    cc = read_table(REF / "county_codes.csv")
    return cc.rename(columns={"county_code": "code", "county_name_fa": "name_fa",
                              "province_code": "parent_code"})


@needs_ref
def test_real_counties_match_official_codes(county_codes):
    reports, n_regions, n_matched = [], 0, 0
    for prov in PROVINCES:
        features = read_geojson_features(REF / "counties" / f"IR-{prov}.geojson")
        result = match_boundaries(county_codes, features, within=prov)
        regions = county_codes[county_codes["parent_code"] == prov]
        _check_complete(result, regions, features)
        rep = result.report().assign(province_code=prov)
        # every unmatched county and every unused feature is in the report
        unmatched = set(rep.loc[rep["status"] == "unmatched_region", "code"])
        assert unmatched == set(result.unmatched_regions["code"])
        unused = set(rep.loc[rep["status"] == "unused_feature", "feature_index"])
        assert unused == set(result.unused_features["feature_index"])
        reports.append(rep)
        n_regions += result.n_regions
        n_matched += len(result.matched)
        print(f"province {prov}: {len(result.matched)}/{result.n_regions} counties matched "
              f"({result.share_matched:.1%}); methods "
              f"{result.matched['method'].value_counts().to_dict()}; "
              f"{len(result.unused_features)} unused features "
              f"{result.unused_features['reason'].value_counts().to_dict()}")
    report = pd.concat(reports, ignore_index=True)
    OUTPUT.mkdir(exist_ok=True)
    report.to_csv(OUTPUT / "geo_match_report.csv", index=False, encoding="utf-8-sig")
    share = n_matched / n_regions
    print(f"OSM county boundaries matched to official codes: {n_matched}/{n_regions} = "
          f"{share:.1%}; report: {OUTPUT / 'geo_match_report.csv'}")
    for row in report[report["status"] != "matched"].itertuples():
        print(f"  {row.province_code} {row.status}: {row.code or row.source_id} "
              f"{row.name or row.feature_name or '(no name)'} — {row.reason}")
    assert n_regions == 59  # 17 + 30 + 12 official counties
    assert share >= 0.95
    # Spacing variants in compound names are matched by the compact step
    matched = report[report["status"] == "matched"].set_index("code")
    assert matched.loc["0103", "method"] == "compact"  # «بندرانزلی» vs «بندر انزلی»
    assert matched.loc["0605", "method"] == "compact"  # «بندرماهشهر» vs «بندر ماهشهر»
    # OSM admin-centre nodes are reported, never matched
    assert (report.loc[report["status"] == "unused_feature", "reason"]
            .str.startswith("not a boundary").all())


@needs_ref
def test_real_counties_survive_messy_spelling(county_codes):
    """Official names written the way they come from other sources still find their boundary:
    Arabic ي/ك, ZWNJ or no space in compound names, «شهرستان» prefix, diacritics, tatweel."""
    features = read_geojson_features(REF / "counties" / "IR-06.geojson")
    regions = county_codes[county_codes["parent_code"] == "06"].copy()
    messy = (regions["name_fa"].str.replace("ی", "ي").str.replace("ک", "ك")
             .str.replace(" ", "\u200c"))
    messy = "استان " + messy.str.replace("ا", "اـ", n=1)
    regions["name_fa"] = messy
    result = match_boundaries(regions, features)
    assert result.share_matched == 1.0
    assert set(result.matched["method"]) <= {"exact", "compact"}


@needs_ref
def test_real_provinces_match(county_codes):
    pc = read_table(REF / "province_codes.csv").rename(
        columns={"province_code": "code", "province_name_fa": "name_fa"})
    features = read_geojson_features(REF / "provinces.geojson")
    result = match_boundaries(pc, features)
    _check_complete(result, pc, features)
    assert result.share_matched == 1.0
    gilan = result.mapping()["01"]
    lat, lon = centroid_latlon(features.loc[features["feature_index"] == gilan, "geometry"].iloc[0])
    assert 36.5 < lat < 38.5 and 48.5 < lon < 50.5  # Gilan lies around 37.3 N, 49.6 E


# --- reading GeoJSON ----------------------------------------------------------------------


def test_read_geojson_osm_and_flat_properties(tmp_path):
    data = _collection(
        _feature(_square(0, 0), name="شهرستان رشت", **{"name:en": "Rasht County"}),
        {"type": "Feature", "properties": {"name:fa": "گیلان", "name:en": "Gilan"},
         "geometry": _square(1, 1)},
        {"type": "Feature", "properties": {"type": "node", "id": 1},
         "geometry": {"type": "Point", "coordinates": [49.5, 37.2]}},
        {"type": "Feature", "properties": None, "geometry": None},
    )
    path = tmp_path / "x.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    df = read_geojson_features(path)
    assert list(df.columns) == ["feature_index", "source_id", "name", "name_fa", "name_en",
                                "geometry_type", "geometry"]
    assert df["source_id"].tolist() == ["relation/1", None, "node/1", None]
    assert df["feature_index"].tolist() == [0, 1, 2, 3]
    assert df["name_fa"].tolist() == ["شهرستان رشت", "گیلان", None, None]
    assert df["name"].tolist() == ["شهرستان رشت", None, None, None]
    assert df["name_en"].tolist() == ["Rasht County", "Gilan", None, None]
    assert df["geometry_type"].tolist() == ["Polygon", "Polygon", "Point", None]
    assert json.loads(df.loc[0, "geometry"]) == _square(0, 0)
    assert read_geojson_features(data).equals(df)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a GeoJSON object"),
        ('{"type": "Polygon", "coordinates": []}', "expected a FeatureCollection or Feature"),
        ('{"type": "FeatureCollection"}', "no 'features' list"),
        ('{"type": "FeatureCollection", "features": [1]}', "feature 0 is not a GeoJSON Feature"),
        ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},'
         ' "geometry": {"coordinates": []}}]}', "feature 0: geometry has no 'type'"),
        ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},'
         ' "geometry": {"type": "Polygon"}}]}', "no 'coordinates' list"),
    ],
)
def test_read_geojson_malformed(tmp_path, content, message):
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GeoJSONError, match=message):
        read_geojson_features(path)


def test_read_geojson_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        read_geojson_features(tmp_path / "nope.geojson")


def test_centroid_latlon():
    lat, lon = centroid_latlon(json.dumps(_square(48.0, 30.0, 2.0)))
    assert (lat, lon) == pytest.approx((31.0, 49.0))
    with pytest.raises(GeoJSONError):
        centroid_latlon("{bad")
    with pytest.raises(GeoJSONError, match="empty"):
        centroid_latlon({"type": "Polygon", "coordinates": []})


# --- matching rules (synthetic) -----------------------------------------------------------


def _features(*specs) -> pd.DataFrame:
    feats = []
    for i, spec in enumerate(specs):
        name, en = spec if isinstance(spec, tuple) else (spec, None)
        tags = {k: v for k, v in (("name", name), ("name:en", en)) if v is not None}
        feats.append(_feature(_square(i, 0), **tags))
    return read_geojson_features(_collection(*feats))


def test_match_steps_and_reasons():
    regions = pd.DataFrame({
        "code": ["0101", "0102", "0103", "0104", "0105", "0106", "0107"],
        "name_fa": ["رشت", "بندرانزلی", "قائمشهر", "صومعه سرا", "مشگین شهر", "تالش", "ناپیدا"],
        "name_en": [None, None, None, None, None, "Talesh", None],
    })
    features = _features(
        "شهرستان رشت",  # exact after the prefix
        "شهرستان بندر انزلی",  # compact
        "شهرستان شاهی",  # alias (old name of Qaemshahr)
        "شهرستان صومعه\u200cسرا",  # ZWNJ: exact
        "شهرستان مشکین شهر",  # fuzzy (گ/ک)
        ("شهرستان طوالش", "Talesh County"),  # English
        "شهرستان بی‌ربط",  # unused
    )
    result = match_boundaries(regions, features)
    _check_complete(result, regions, features)
    methods = result.matched.set_index("code")["method"].to_dict()
    assert methods == {"0101": "exact", "0102": "compact", "0103": "alias", "0104": "exact",
                       "0105": "fuzzy", "0106": "english"}
    assert result.mapping() == {"0101": 0, "0102": 1, "0103": 2, "0104": 3, "0105": 4, "0106": 5}
    score = result.matched.set_index("code").loc["0105", "score"]
    assert 0.85 <= score < 1.0
    assert result.unmatched_regions.to_dict("records") == [
        {"code": "0107", "name": "ناپیدا",
         "reason": "no feature with this name (exact, compact, alias, English, fuzzy)"}]
    assert result.unused_features.to_dict("records") == [
        {"feature_index": 6, "source_id": "relation/1", "name": "شهرستان بی‌ربط",
         "reason": "no region with this name"}]
    assert result.share_matched == pytest.approx(6 / 7)
    rep = result.report()
    assert rep["status"].value_counts().to_dict() == {"matched": 6, "unmatched_region": 1,
                                                      "unused_feature": 1}


def test_disabling_fuzzy_and_aliases():
    regions = pd.DataFrame({"code": ["1", "2"], "name_fa": ["مشگین شهر", "قائمشهر"]})
    features = _features("مشکین شهر", "شاهی")
    result = match_boundaries(regions, features, fuzzy_cutoff=1.0, aliases={})
    assert result.matched.empty
    assert len(result.unmatched_regions) == 2 and len(result.unused_features) == 2


def test_ambiguous_names_are_not_guessed():
    regions = pd.DataFrame({"code": ["a", "b", "c"], "name_fa": ["مرکزی", "نور", "نور"]})
    features = _features("بخش مرکزی", "بخش مرکزی", "نور")
    result = match_boundaries(regions, features)
    _check_complete(result, regions, features)
    assert result.matched.empty
    assert set(result.unmatched_regions["reason"].str.startswith("ambiguous")) == {True}
    assert set(result.unused_features["reason"].str.startswith("ambiguous")) == {True}


def test_fuzzy_is_one_to_one_and_needs_unique_best():
    # Two features equally close to one region: no fuzzy match (tie).
    regions = pd.DataFrame({"code": ["1"], "name_fa": ["کرمانشاه"]})
    features = _features("کرمانشاهی", "کرمانشاهه")
    result = match_boundaries(regions, features)
    assert result.matched.empty
    # Clearly different short names never match.
    regions = pd.DataFrame({"code": ["1"], "name_fa": ["نور"]})
    result = match_boundaries(regions, _features("نیر"))
    assert result.matched.empty


def test_points_and_unnamed_features_are_never_candidates():
    feats = _collection(
        _feature({"type": "Point", "coordinates": [49.5, 37.2]}, name="رشت"),
        _feature(_square(0, 0)),
        _feature(None, name="رشت"),
    )
    features = read_geojson_features(feats)
    regions = pd.DataFrame({"code": ["0105"], "name_fa": ["رشت"]})
    result = match_boundaries(regions, features)
    assert result.matched.empty
    assert result.unused_features["reason"].tolist() == [
        "not a boundary: geometry is Point", "feature has no name",
        "not a boundary: geometry is missing"]
    assert result.unmatched_regions["code"].tolist() == ["0105"]


def test_within_filters_regions_by_parent_or_code_prefix():
    regions = pd.DataFrame({"code": ["0101", "0601"], "name_fa": ["آستارا", "آبادان"],
                            "parent_code": ["01", "06"]})
    features = _features("شهرستان آبادان")
    by_parent = match_boundaries(regions, features, within="06")
    assert by_parent.n_regions == 1 and by_parent.mapping() == {"0601": 0}
    by_prefix = match_boundaries(regions.drop(columns="parent_code"), features, within="06")
    assert by_prefix.mapping() == {"0601": 0}
    everything = match_boundaries(regions, features)
    assert everything.share_matched == 0.5


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        (pd.DataFrame({"code": ["1"]}), "missing column"),
        (pd.DataFrame({"code": ["1", "1"], "name_fa": ["a", "b"]}), "duplicate code"),
        (pd.DataFrame({"code": [None], "name_fa": ["a"]}), "empty values"),
    ],
)
def test_bad_regions(regions, message):
    with pytest.raises(ValueError, match=message):
        match_boundaries(regions, _features("x"))


def test_empty_inputs():
    regions = pd.DataFrame({"code": [], "name_fa": []})
    result = match_boundaries(regions, _features("رشت"))
    assert result.share_matched == 1.0
    assert result.report()["status"].tolist() == ["unused_feature"]
