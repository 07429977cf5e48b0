"""The synthetic demo generator: schema conformity, determinism and the seeds' facts."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from khooshe.demo import generate
from khooshe.demo.generate import GENERATED
from khooshe.domain.schema import LOAD_ORDER, entity

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reference"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return generate(seed=0, scale="small")


# ------------------------------------------------------------------------ conformity
def schema_problems(frames: dict[str, pd.DataFrame]) -> list[str]:
    """Check every frame against khooshe.domain.schema only; return what is wrong."""
    problems: list[str] = []
    keys: dict[str, set] = {}
    for kind in (k for k in LOAD_ORDER if k in frames):
        ent = entity(kind)
        df = frames[kind]
        if list(df.columns) != ent.names:
            problems.append(f"{kind}: columns {list(df.columns)} != {ent.names}")
            continue
        for col in ent.columns:
            s = df[col.name]
            present = s.notna()
            if col.required and not present.all():
                problems.append(f"{kind}.{col.name}: {(~present).sum()} missing required")
            v = s[present]
            if col.type == "int":
                if str(s.dtype) not in ("int64", "Int64"):
                    problems.append(f"{kind}.{col.name}: dtype {s.dtype}, not int64/Int64")
            elif col.type == "float":
                if s.dtype != np.float64:
                    problems.append(f"{kind}.{col.name}: dtype {s.dtype}, not float64")
            elif len(v) and pd.api.types.infer_dtype(v, skipna=True) != "string":
                problems.append(f"{kind}.{col.name}: non-string values")
                continue
            if col.type in ("int", "float") and len(v):
                if col.min is not None and (v < col.min).any():
                    problems.append(f"{kind}.{col.name}: below {col.min}")
                if col.max is not None and (v > col.max).any():
                    problems.append(f"{kind}.{col.name}: above {col.max}")
            if col.type == "code" and col.pattern and not v.str.fullmatch(col.pattern).all():
                bad = v[~v.str.fullmatch(col.pattern)].head(3).tolist()
                problems.append(f"{kind}.{col.name}: {bad} do not match {col.pattern}")
            if col.type == "list" and col.pattern:
                items = v.str.split(";").explode()
                if not items.str.fullmatch(col.pattern).all():
                    problems.append(f"{kind}.{col.name}: list items do not match {col.pattern}")
            if col.type == "enum" and not v.isin(col.choices).all():
                problems.append(f"{kind}.{col.name}: {sorted(set(v) - set(col.choices))}")
            if col.type == "date":
                ok = v.str.fullmatch(ISO_DATE) & pd.to_datetime(v, errors="coerce").notna()
                if not ok.all():
                    problems.append(f"{kind}.{col.name}: not ISO dates {v[~ok].head(3)}")
        if df.duplicated(list(ent.key)).any():
            problems.append(f"{kind}: duplicate key {ent.key}")
        for col in ent.columns:
            if col.references:
                ref_kind, ref_col = col.references.split(".")
                allowed = keys.get(col.references, set())
                if ref_kind == kind:
                    allowed = allowed | set(df[ref_col])
                values = df[col.name].dropna()
                bad = values[~values.isin(allowed)]
                if len(bad):
                    problems.append(f"{kind}.{col.name}: {len(bad)} unresolved, e.g. "
                                    f"{bad.head(3).tolist()}")
        for k in ent.key:
            keys[f"{kind}.{k}"] = set(df[k].dropna())
    return problems


def test_every_kind_is_generated_and_labelled_synthetic(demo):
    assert list(demo) == list(GENERATED) == [k for k in LOAD_ORDER if k != "village_proposals"]
    for kind, df in demo.items():
        assert df.attrs["synthetic"] is True, kind
        assert df.attrs["kind"] == kind
        assert len(df) > 0, kind


def test_frames_conform_to_the_schema(demo):
    assert schema_problems(demo) == []


def test_schema_check_catches_problems(demo):
    """The conformity check itself can fail."""
    broken = {k: demo[k] for k in ("regions", "parks", "establishments")}
    est = demo["establishments"].copy()
    est.loc[0, "region_code"] = "999999"
    est.loc[1, "size_class"] = "huge"
    broken["establishments"] = est
    problems = schema_problems(broken)
    assert any("region_code" in p and "unresolved" in p for p in problems)
    assert any("size_class" in p for p in problems)


@pytest.mark.slow
def test_lead_validator_accepts_the_demo(demo):
    """The import validator (as ``khooshe demo`` uses it) accepts every generated table."""
    validate_mod = pytest.importorskip("khooshe.domain.validate")
    known: dict[str, set] = {}
    for kind in GENERATED:
        ent = entity(kind)
        typed = validate_mod.validate(demo[kind], ent, known=known, source=f"demo:{kind}")
        assert len(typed) == len(demo[kind])
        for col in ent.key:
            known[f"{kind}.{col}"] = set(typed[col].dropna())


# ----------------------------------------------------------------------- determinism
def test_same_seed_gives_identical_frames(demo):
    again = generate(seed=0, scale="small")
    for kind in GENERATED:
        pd.testing.assert_frame_equal(demo[kind], again[kind], check_exact=True, obj=kind)
        assert again[kind].attrs == demo[kind].attrs


def test_another_seed_gives_other_data():
    """Each component draws from its own stream seeded by (seed, component)."""
    from khooshe.demo.config import get_scale
    from khooshe.demo.generate import _streams
    from khooshe.demo.geography import build_geography
    from khooshe.demo.trade import build_trade

    small = get_scale("small")
    geo0 = build_geography(_streams(0)["geography"], small).regions
    geo1 = build_geography(_streams(1)["geography"], small).regions
    assert not geo0.equals(geo1)
    # the real provinces are the same whatever the seed
    prov = geo0["level"] == "province"
    assert geo0.loc[prov, "name_fa"].tolist() == geo1.loc[geo1["level"] == "province",
                                                          "name_fa"].tolist()
    t0, t1 = build_trade(_streams(0)["trade"]), build_trade(_streams(1)["trade"])
    assert not t0["trade_flows"].equals(t1["trade_flows"])
    pd.testing.assert_frame_equal(t0["countries"], t1["countries"])
    pd.testing.assert_frame_equal(t0["products"], t1["products"])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"scale": "huge"}, "unknown demo scale"),
    ({"seed": -1}, "non-negative"),
    ({"seed": 1.5}, "non-negative"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(**kwargs)


# ------------------------------------------------------------------------- geography
def test_provinces_are_the_31_real_ones(demo):
    reg = demo["regions"]
    prov = reg[reg["level"] == "province"]
    assert prov["code"].tolist() == [f"{i:02d}" for i in range(31)]
    assert prov["parent_code"].isna().all()
    names = dict(zip(prov["code"], prov["name_fa"], strict=True))
    assert names["01"] == "گیلان" and names["06"] == "خوزستان" and names["24"] == "اردبیل"
    assert names["30"] == "البرز" and names["11"] == "سیستان و بلوچستان"
    assert (reg["level"] != "country").all()
    ref = REFERENCE / "iran" / "province_codes.csv"
    if not ref.exists():
        pytest.skip(f"reference {ref} absent; embedded names checked above only")
    with ref.open(encoding="utf-8") as fh:
        real = {r["province_code"]: r["province_name_fa"] for r in csv.DictReader(fh)}
    assert names == real


def test_province_centroids_fall_inside_the_real_provinces(demo):
    shapely_geometry = pytest.importorskip("shapely.geometry")
    path = REFERENCE / "iran" / "provinces.geojson"
    if not path.exists():
        pytest.skip(f"reference {path} absent")
    shapes = {f["properties"]["name:fa"]: shapely_geometry.shape(f["geometry"])
              for f in json.loads(path.read_text(encoding="utf-8"))["features"]}
    reg = demo["regions"]
    for r in reg[reg["level"] == "province"].itertuples():
        assert shapes[r.name_fa].contains(shapely_geometry.Point(r.lon, r.lat)), r.name_fa


def test_hierarchy_codes_seats_and_populations(demo):
    reg = demo["regions"]
    child = reg[reg["parent_code"].notna()]
    assert child.apply(lambda r: r["code"].startswith(r["parent_code"]), axis=1).all()
    expected_parent = {"county": "province", "district": "county",
                       "rural_district": "district", "village": "rural_district",
                       "city": "district"}
    level = dict(zip(reg["code"], reg["level"], strict=True))
    assert (child["parent_code"].map(level) == child["level"].map(expected_parent)).all()
    # one seat city per county
    cities = reg[reg["level"] == "city"]
    seats = cities[cities["is_seat"] == 1]["code"].str[:4]
    counties = reg.loc[reg["level"] == "county", "code"]
    assert sorted(seats) == sorted(counties)
    assert reg.loc[reg["level"] != "city", "is_seat"].isna().all()
    # populations add up level by level
    pop = dict(zip(reg["code"], reg["population"], strict=True))
    sums = child.groupby("parent_code")["population"].sum()
    assert all(pop[p] == s for p, s in sums.items())
    # households ≈ population / 3.3, working-age share ≈ 0.70
    inhabited = reg[reg["population"] > 1000]
    ratio = inhabited["population"] / inhabited["households"]
    assert ratio.between(3.0, 3.6).all()
    assert reg["working_age_share"].between(0.62, 0.78).all()
    assert 0.68 <= reg.loc[reg["level"] == "province", "working_age_share"].mean() <= 0.72
    # synthetic places say so in English
    synth = reg[reg["level"].isin(["county", "village", "city"])]
    assert synth["name_en"].str.endswith("(synthetic)").all()


def test_small_scale_sizes(demo):
    reg = demo["regions"]
    n = reg["level"].value_counts()
    per_province = reg[reg["level"] == "county"]["code"].str[:2].value_counts()
    assert per_province.between(8, 12).all()
    assert 10_000 <= n["village"] <= 15_000
    assert 20_000 <= len(demo["establishments"]) <= 40_000
    assert 200_000 <= len(demo["trade_flows"]) <= 600_000


# --------------------------------------------------------------------- establishments
def test_size_classes_and_statuses(demo):
    est = demo["establishments"]
    ops = est[est["status"] != "half_finished"]
    expected = pd.cut(ops["employees"], [-1, 9, 49, 99, np.inf],
                      labels=["micro", "small", "medium", "large"]).astype(str)
    assert (ops["size_class"] == expected).all()
    half = est[est["status"] == "half_finished"]
    expected = pd.cut(half["expected_jobs"].astype(float), [-1, 9, 49, 99, np.inf],
                      labels=["micro", "small", "medium", "large"]).astype(str)
    assert (half["size_class"] == expected).all()
    share = est["status"].value_counts(normalize=True)
    assert share["operating"] > 0.75 and share["idle"] > 0.03 and share["closed"] > 0.03
    assert (est.loc[est["status"] == "closed", "employees"] == 0).all()
    # parks hold some firms, and a firm in a park lies in the park's county
    parks = demo["parks"].set_index("code")
    in_park = est[est["park_code"].notna()]
    assert 0.05 < len(in_park) / len(est) < 0.4
    assert (in_park["region_code"].str[:4] == in_park["park_code"].map(parks["region_code"])).all()
    assert demo["parks"]["code"].str.fullmatch(r"P\d{2}-\d{2}").all()


def test_khuzestan_half_finished_units(demo):
    est = demo["establishments"]
    half = est[est["status"] == "half_finished"]
    kh = half[half["region_code"].str[:2] == "06"]
    assert len(kh) == 1600
    assert abs(kh["expected_jobs"].sum() - 40_000) <= 0.02 * 40_000
    assert kh["progress_pct"].between(5, 98).all()
    assert (kh["progress_pct"] > 80).mean() > 0.08
    cost = kh["remaining_cost_rials"].astype(float)
    assert cost.min() >= 1e9 and cost.max() <= 1e12
    assert np.corrcoef(np.log(cost), np.log(kh["expected_jobs"].astype(float)))[0, 1] > 0.4
    assert kh["park_code"].str.startswith("P06-").mean() > 0.5
    assert (kh["employees"] == 0).all() and kh["annual_output_rials"].isna().all()
    assert len(half) >= 1600 + 500  # other provinces too


def _lq(est: pd.DataFrame) -> pd.DataFrame:
    ops = est[est["status"] != "half_finished"]
    emp = ops.groupby([ops["region_code"].str[:2], "isic"])["employees"].sum().unstack(
        fill_value=0)
    return emp.div(emp.sum(axis=1), axis=0).div(emp.sum(axis=0) / emp.to_numpy().sum(), axis=1)


def test_seed_activities_agglomerate(demo):
    lq = _lq(demo["establishments"])
    for prov, isic in [("01", "1079"), ("01", "1040"), ("01", "1061"), ("01", "1071"),
                       ("01", "1020"), ("24", "1393"), ("24", "2220"), ("24", "1050"),
                       ("06", "2410")]:
        assert lq.loc[prov, isic] > 3, (prov, isic, lq.loc[prov, isic])
    assert lq.loc["06", "2011"] > 1.5 and lq.loc["06", "1030"] > 1.5
    # agglomerated firms sit close together: tea firms in Gilan are within a small area
    est = demo["establishments"]
    tea = est[(est["isic"] == "1079") & (est["region_code"].str[:2] == "01")]
    assert len(tea) >= 200
    assert tea["region_code"].str[:4].value_counts().iloc[:3].sum() > 0.6 * len(tea)


# ------------------------------------------------------------------------ programme
def test_seed_clusters_and_their_stages(demo):
    cl = demo["clusters"].set_index("code")
    gilan = cl[cl["province_code"] == "01"]
    running = gilan[gilan["stage"].isin(["trust_building", "action_plan", "joint_actions"])]
    assert sorted(running["isic"].str[:4]) == ["1040", "1061", "1071", "1079"]
    fish = gilan[gilan["isic"].str.contains("1020")]
    assert fish["stage"].tolist() == ["tender"]
    ardabil = cl[cl["province_code"] == "24"]
    implementing = ardabil[ardabil["stage"].isin(["diagnostic", "trust_building",
                                                  "action_plan", "joint_actions"])]
    assert sorted(implementing["isic"].str[:4]) == ["1050", "1393", "2220"]
    assert (ardabil["stage"] == "feasibility").sum() == 12
    assert (cl["province_code"] == "06").sum() >= 3


def test_members_activities_and_indicators(demo):
    cl = demo["clusters"].set_index("code")
    mem = demo["cluster_members"]
    est = demo["establishments"].set_index("id")
    firms = mem[mem["kind"] == "firm"]
    # firm members are operating establishments of the cluster's classes and province
    e = est.loc[firms["establishment_id"]]
    assert (e["status"] == "operating").all()
    assert (e["region_code"].str[:2].to_numpy()
            == cl.loc[firms["cluster_code"], "province_code"].to_numpy()).all()
    isics = cl.loc[firms["cluster_code"], "isic"].str.split(";").to_numpy()
    assert all(i in lst for i, lst in zip(e["isic"], isics, strict=True))
    tea = mem[mem["cluster_code"] == "CL01-01"]
    assert (tea["kind"] == "firm").sum() >= 25
    assert {"government", "university", "association"} <= set(tea["kind"])
    assert set(mem.loc[mem["kind"] != "firm", "role"]) == {"partner"}
    # activities: dated in the three years before 1403/12/30 (2025-03-20), varied kinds
    act = demo["cluster_activities"]
    dates = pd.to_datetime(act["date"])
    assert dates.min() >= pd.Timestamp("2022-03-15") and dates.max() <= pd.Timestamp("2025-03-20")
    kinds = set(act.loc[act["cluster_code"] == "CL01-01", "kind"])
    assert len(kinds) >= 4
    assert {"training", "domestic_tour", "foreign_tour", "exhibition"} <= set(act["kind"])
    # indicators: Jalali years 1400-1403, growing jobs for a running cluster
    ind = demo["cluster_indicators"]
    assert set(ind["period"]) <= {"1400", "1401", "1402", "1403"}
    tea_ind = ind[ind["cluster_code"] == "CL01-01"].sort_values("period")
    assert tea_ind["period"].tolist() == ["1400", "1401", "1402", "1403"]
    assert tea_ind["jobs"].is_monotonic_increasing
    assert tea_ind["members"].iloc[-1] == (tea["kind"] == "firm").sum()
    assert (ind["exports_t"].notna() & ind["exports_usd"].notna()).all()
    feas = cl.index[cl["stage"] == "feasibility"]
    assert not ind["cluster_code"].isin(feas).any()


def test_fund_allocations_add_up(demo):
    funds = demo["funds"].set_index(["programme", "year"])["total_rials"]
    assert funds[("sme_fund", 1401)] == 16_000 * 10**9 * 10  # 16,000 bn toman in rials
    assert funds[("sme_fund", 1402)] == 10_000 * 10**9 * 10
    alloc = demo["fund_allocations"]
    sums = alloc.groupby(["programme", "year"])["amount_rials"].sum()
    for key, total in funds.items():
        assert sums[key] == total, key
    gilan = alloc[(alloc["programme"] == "sme_fund") & (alloc["year"] == 1401)
                  & (alloc["region_code"] == "01")]["amount_rials"]
    assert gilan.tolist() == [530 * 10**9 * 10]
    assert (alloc["amount_rials"] > 0).all()
    assert set(alloc["region_code"]) == {f"{i:02d}" for i in range(31)}


# ---------------------------------------------------------------------------- trade
def test_countries_products_and_years(demo):
    c = demo["countries"]
    assert len(c) >= 60
    assert {"IRN", "IRQ", "KWT", "ARE", "QAT", "OMN", "BHR", "SAU", "AZE", "ARM", "TKM", "AFG",
            "TUR", "PAK"} <= set(c["iso3"])
    assert c.set_index("iso3").loc["IRN", "numeric"] == 364
    p = demo["products"]
    assert len(p) >= 500
    assert {"090240", "150910", "100630", "030389", "040120", "570110", "392390", "720839",
            "080251", "091020", "252329", "080410"} <= set(p["hs6"])
    tf = demo["trade_flows"]
    assert sorted(tf["year"].unique()) == [2019, 2020, 2021, 2022, 2023]
    assert tf["hs6"].nunique() >= 500
    assert (tf["exporter"] != tf["importer"]).all()
    assert 0.01 < tf["quantity_t"].isna().mean() < 0.04
    # every product's ISIC class is an establishment activity and in an IO sector
    est_isic = set(demo["establishments"]["isic"])
    io_isic = set(demo["io_sectors"]["isic"].str.split(";").explode())
    assert set(p["isic"]) <= est_isic and est_isic <= io_isic


def test_trade_looks_like_iran_and_is_nested(demo):
    tf = demo["trade_flows"]
    y = tf[tf["year"] == 2023]
    x = y.groupby(["exporter", "hs6"])["value_usd"].sum().unstack(fill_value=0.0)
    rca = x.div(x.sum(axis=1), axis=0).div(x.sum(axis=0) / x.to_numpy().sum(), axis=1)
    for hs in ("570110", "080251", "091020", "080410", "252329"):
        assert rca.loc["IRN", hs] > 1, hs
    tea = y[y["hs6"].isin(["090230", "090240"])]
    assert (tea.loc[tea["importer"] == "IRN", "value_usd"].sum()
            > 10 * tea.loc[tea["exporter"] == "IRN", "value_usd"].sum())
    assert y.loc[y["importer"] == "IRQ", "hs6"].nunique() > 300
    assert y.loc[y["importer"] == "KWT", "hs6"].nunique() > 200
    diversity = (rca >= 1).sum(axis=1)
    assert diversity["DEU"] > diversity["IRN"] > diversity["AFG"]
    # nestedness: the less diversified export products that are also made by the diversified
    m = (rca >= 1).astype(float)
    ubiquity = m.sum(axis=0)
    mean_ubiquity = (m * ubiquity).sum(axis=1) / m.sum(axis=1)
    assert np.corrcoef(diversity, mean_ubiquity)[0, 1] < -0.3


# ---------------------------------------------------------------------- resources, IO
def test_resources_sit_with_the_clusters(demo):
    res = demo["resources"]
    level = dict(zip(demo["regions"]["code"], demo["regions"]["level"], strict=True))
    prov = res["region_code"].str[:2]
    for resource, province in [("tea_leaf", "01"), ("olives", "01"), ("paddy", "01"),
                               ("wool", "24"), ("milk", "24"), ("dates", "06"),
                               ("fish", "06")]:
        rows = res[(res["resource"] == resource) & (prov == province)]
        assert len(rows) >= 5, (resource, province)
        assert rows["region_code"].map(level).eq("village").all()
    tea = res[res["resource"] == "tea_leaf"]
    assert (tea["region_code"].str[:2] == "01").mean() > 0.8
    assert set(res.loc[res["resource"] == "crude_oil", "region_code"].map(level)) == {"county"}
    assert (res["quantity"] > 0).all()


def test_io_table_is_plausible(demo):
    sec = demo["io_sectors"].set_index("sector")
    flows = demo["io_flows"]
    assert 20 <= len(sec) <= 30
    a = flows.pivot(index="from_sector", columns="to_sector", values="value_rials").fillna(0)
    a = a.reindex(index=sec.index, columns=sec.index, fill_value=0) / sec["output_rials"]
    assert (a.sum(axis=0) < 0.9).all()
    # steel buys iron ore and electricity; food buys from agriculture
    assert a.loc["S04", "S14"] > 0.2 and a.loc["S20", "S14"] > 0.05
    assert a.loc["S01", "S06"] > 0.3


# ---------------------------------------------------------------------- national
@pytest.mark.slow
def test_national_scale_sizes():
    frames = generate(seed=0, scale="national")
    reg = frames["regions"]
    est = frames["establishments"]
    assert (reg["level"] == "village").sum() >= 60_000
    assert len(est) >= 100_000
    half = est[est["status"] == "half_finished"]
    assert abs(len(half) - 7_600) <= 200
    kh = half[half["region_code"].str[:2] == "06"]
    assert len(kh) == 1600 and abs(kh["expected_jobs"].sum() - 40_000) <= 800
    assert 200_000 <= len(frames["trade_flows"]) <= 600_000
    assert schema_problems(frames) == []
