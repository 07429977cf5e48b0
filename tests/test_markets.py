"""Export potential (ITC method), diversification candidates, exports over time, cluster links
and the ``khooshe markets`` command, on small cases computed by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from khooshe.analysis.complexity import complexity
from khooshe.analysis.markets import (
    CANDIDATE_COLUMNS,
    POTENTIAL_COLUMNS,
    MarketsWarning,
    add_country_names,
    analyse_markets,
    attach_activities,
    cluster_links,
    diversification_candidates,
    export_potential,
    exports_over_time,
    summarise_trade,
)
from khooshe.cli import app
from khooshe.domain.geo import haversine_km as great_circle_km
from khooshe.domain.trade import FLOW_COLUMNS
from khooshe.io.countries import (
    UnknownCountryError,
    load_countries,
    numeric_to_iso3,
    read_baci_countries,
    resolve_countries,
    resolve_country,
)
from khooshe.io.trade import (
    TradeFileError,
    read_baci,
    read_comtrade,
    read_concordance,
    read_distances,
    read_tariffs,
    read_trade,
    summarise_trade_file,
)

runner = CliRunner()


def flows(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=FLOW_COLUMNS)


# One year, three exporters, two markets, three products (worked by hand in the docstrings).
HAND = flows([
    (2022, "IRN", "IRQ", "010101", 60, 1.0),
    (2022, "IRN", "IRQ", "020202", 40, 2.0),
    (2022, "BBB", "IRQ", "010101", 40, None),
    (2022, "BBB", "IRQ", "030303", 100, 3.0),
    (2022, "CCC", "KWT", "020202", 60, 1.0),
    (2022, "IRN", "KWT", "030303", 20, 1.0),
    (2022, "CCC", "IRQ", "020202", 60, 1.0),
    (2022, "BBB", "KWT", "010101", 30, 1.0),
])


def cell(df: pd.DataFrame, market: str, product: str, col: str) -> float:
    hit = df[(df["market"] == market) & (df["product"] == product)]
    assert len(hit) == 1, (market, product)
    return float(hit[col].iloc[0])


# --------------------------------------------------------------------------------------------
# Export potential by hand
# --------------------------------------------------------------------------------------------
def test_potential_by_hand():
    """World exports: 010101 = 130, 020202 = 160, 030303 = 120; IRN's shares 6/13, 1/4, 1/6.
    IRQ imports 100 of each and gets 100 from IRN: E = 100 / (100·(6/13 + 1/4 + 1/6)) =
    156/137. KWT imports 30, 60, 20 and gets 20: E = 20 / (30·6/13 + 60/4 + 20/6) = 156/251."""
    out = export_potential(HAND, exporter="IRN", markets=["IRQ", "KWT"])
    assert list(out.columns) == list(POTENTIAL_COLUMNS)
    assert len(out) == 6
    e_irq, e_kwt = 156 / 137, 156 / 251
    assert cell(out, "IRQ", "010101", "ease") == pytest.approx(e_irq)
    assert cell(out, "KWT", "010101", "ease") == pytest.approx(e_kwt)
    assert cell(out, "IRQ", "010101", "supply") == pytest.approx(6 / 13)
    assert cell(out, "IRQ", "010101", "rca") == pytest.approx((6 / 13) / (120 / 410))
    expected = {
        ("IRQ", "010101"): (7200 / 137, 60.0), ("IRQ", "020202"): (3900 / 137, 40.0),
        ("IRQ", "030303"): (2600 / 137, 0.0), ("KWT", "010101"): (2160 / 251, 0.0),
        ("KWT", "020202"): (2340 / 251, 0.0), ("KWT", "030303"): (520 / 251, 20.0),
    }
    for (m, p), (pot, act) in expected.items():
        assert cell(out, m, p, "potential_value") == pytest.approx(pot)
        assert cell(out, m, p, "actual_value") == pytest.approx(act)
        assert cell(out, m, p, "unrealised_value") == pytest.approx(max(pot - act, 0.0))
        assert cell(out, m, p, "demand") == pytest.approx(cell(out, m, p, "demand_base"))
    assert cell(out, "IRQ", "030303", "unrealised_pct") == pytest.approx(100.0)
    assert cell(out, "IRQ", "010101", "unrealised_pct") == 0.0
    # ranks by unrealised value, then potential value
    assert out.loc[out.market == "IRQ", "product"].tolist() == ["030303", "010101", "020202"]
    assert out.loc[out.market == "KWT", "product"].tolist() == ["020202", "010101", "030303"]
    assert out["rank"].tolist() == [1, 2, 3, 1, 2, 3]
    # without trends the potentials of a market add up to the actual bilateral total
    tot = out.groupby("market")[["potential_value", "actual_value"]].sum()
    assert tot.loc["IRQ", "potential_value"] == pytest.approx(100.0)
    assert tot.loc["KWT", "potential_value"] == pytest.approx(20.0)


def test_min_rca_keeps_comparative_advantage_only():
    out = export_potential(HAND, exporter="IRN", markets=["IRQ", "KWT"], min_rca=1.0)
    assert set(out["product"]) == {"010101"}
    assert out["comparative_advantage"].all()
    # ease is still computed over every product: the value is the same as without the filter
    assert cell(out, "IRQ", "010101", "potential_value") == pytest.approx(7200 / 137)


TREND = flows([
    (2021, "IRN", "IRQ", "P00001", 10, None), (2021, "IRN", "IRQ", "P00002", 10, None),
    (2021, "BBB", "IRQ", "P00001", 30, None), (2021, "BBB", "IRQ", "P00002", 50, None),
    (2022, "IRN", "IRQ", "P00001", 20, None), (2022, "IRN", "IRQ", "P00002", 10, None),
    (2022, "BBB", "IRQ", "P00001", 30, None), (2022, "BBB", "IRQ", "P00002", 50, None),
])


def test_trends_and_growth_by_hand():
    """RCA of IRN in P1: 1.25 (2021) → 1.4667 (2022): g = +17.33 %; in P2: 0.8333 → 0.6111:
    g = −26.67 %. P1's share of IRQ's imports: 0.4 → 50/110; P2's: 0.6 → 60/110. Base 2022:
    shares 0.4 and 1/6, imports 50 and 60, E = 30 / (20 + 10) = 1."""
    trend = TREND.assign(hs6=TREND["hs6"].str.replace("P", "1"))
    out = export_potential(trend, exporter="IRN", markets=["IRQ"], base_years=1, horizon=5,
                           trend_weight=0.5, max_trend=0.5, market_growth=0.03)
    g_s1, g_s2 = (0.4 * 11 / 3) / 1.25 - 1, ((1 / 6) * 11 / 3) / (10 / 60 / 0.2) - 1
    g_d1, g_d2 = (50 / 110) / 0.4 - 1, (60 / 110) / 0.6 - 1
    assert g_s1 == pytest.approx(0.173333, abs=1e-6) and g_s2 == pytest.approx(-0.266667,
                                                                                abs=1e-6)
    p1 = 0.4 * (1 + 0.5 * g_s1) ** 5 * 50 * (1 + 0.5 * g_d1) ** 5 * 1.03 ** 5
    p2 = (1 / 6) * (1 + 0.5 * g_s2) ** 5 * 60 * (1 + 0.5 * g_d2) ** 5 * 1.03 ** 5
    assert cell(out, "IRQ", "100001", "ease") == pytest.approx(1.0)
    assert cell(out, "IRQ", "100001", "supply_trend") == pytest.approx((1 + 0.5 * g_s1) ** 5)
    assert cell(out, "IRQ", "100002", "demand_trend") == pytest.approx((1 + 0.5 * g_d2) ** 5)
    assert cell(out, "IRQ", "100001", "potential_value") == pytest.approx(p1)
    assert cell(out, "IRQ", "100002", "potential_value") == pytest.approx(p2)
    assert cell(out, "IRQ", "100001", "unrealised_value") == pytest.approx(p1 - 20)
    # the cap: with max_trend 10 %/year P1's supply trend is (1 + 0.5·0.1)^5
    capped = export_potential(trend, exporter="IRN", markets=["IRQ"], base_years=1,
                              max_trend=0.1)
    assert cell(capped, "IRQ", "100001", "supply_trend") == pytest.approx(1.05 ** 5)
    assert cell(capped, "IRQ", "100002", "supply_trend") == pytest.approx(0.95 ** 5)
    # no pass-through: no trend at all
    flat = export_potential(trend, exporter="IRN", markets=["IRQ"], trend_weight=0.0)
    assert (flat["supply_trend"] == 1).all() and (flat["demand_trend"] == 1).all()
    # default base period = both years averaged
    assert cell(flat, "IRQ", "100001", "actual_value") == pytest.approx(15.0)


def test_distance_and_tariff_factors_by_hand():
    """IRQ buys P1 from IRN (60, 700 km) and BBB (40, 2800 km): d̄ = 700·4^0.4, factor 4^0.4;
    P2 from IRN (10) and BBB (90): factor 4^0.9. E = 70 / (0.6·100·4^0.4 + 0.1·100·4^0.9)."""
    data = flows([
        (2022, "IRN", "IRQ", "010101", 60, None), (2022, "BBB", "IRQ", "010101", 40, None),
        (2022, "IRN", "IRQ", "020202", 10, None), (2022, "BBB", "IRQ", "020202", 90, None),
    ])
    dist = pd.DataFrame({"origin": ["IRN", "IRQ"], "destination": ["IRQ", "BBB"],
                         "distance_km": [700.0, 2800.0]})
    out = export_potential(data, exporter="IRN", markets=["IRQ"], distances=dist)
    f1, f2 = 4 ** 0.4, 4 ** 0.9
    e = 70 / (0.6 * 100 * f1 + 0.1 * 100 * f2)
    assert cell(out, "IRQ", "010101", "supplier_distance_km") == pytest.approx(700 * f1)
    assert cell(out, "IRQ", "010101", "distance_factor") == pytest.approx(f1)
    assert cell(out, "IRQ", "020202", "distance_factor") == pytest.approx(f2)
    assert cell(out, "IRQ", "020202", "ease_bilateral") == pytest.approx(e)
    assert cell(out, "IRQ", "010101", "potential_value") == pytest.approx(60 * f1 * e)
    assert cell(out, "IRQ", "020202", "potential_value") == pytest.approx(10 * f2 * e)
    assert out["potential_value"].sum() == pytest.approx(70.0)

    tariffs = pd.DataFrame({
        "market": ["IRQ", "IRQ", "IRQ", "IRQ"], "hs": ["01", "0101", "020202", "02"],
        "tariff": [50, 10, 0, 30], "reference_tariff": [None, 5, None, None],
        "exporter": ["IRN", None, "IRN", "TUR"],
    })
    out = export_potential(data, exporter="IRN", markets=["IRQ"], tariffs=tariffs,
                           tariff_elasticity=4.0)
    t1 = (1.10 / 1.05) ** -4  # the HS4 row beats the HS2 row; TUR's row is ignored
    assert cell(out, "IRQ", "010101", "tariff") == 10
    assert cell(out, "IRQ", "010101", "tariff_factor") == pytest.approx(t1)
    assert cell(out, "IRQ", "020202", "tariff_factor") == pytest.approx(1.0)
    e = 70 / (0.6 * 100 * t1 + 0.1 * 100)
    assert cell(out, "IRQ", "010101", "potential_value") == pytest.approx(60 * t1 * e)


def test_great_circle_distance():
    # London–Paris, a textbook value of about 343.5 km
    assert great_circle_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=1)
    table = load_countries().set_index("iso3")
    d = great_circle_km(*table.loc["IRN", ["lat", "lon"]], *table.loc["IRQ", ["lat", "lon"]])
    assert 650 < d < 750  # Tehran–Baghdad


def test_great_circle_distances_used_with_a_country_table():
    out = export_potential(HAND, exporter="IRN", markets=["IRQ", "KWT"],
                           countries=load_countries().query("iso3 in ['IRN','IRQ','KWT']"))
    # BBB and CCC have no coordinates: only IRN is a supplier with a distance
    assert cell(out, "IRQ", "010101", "distance_km") == pytest.approx(
        cell(out, "IRQ", "020202", "distance_km"))
    assert cell(out, "IRQ", "010101", "distance_factor") == pytest.approx(1.0)
    assert out["potential_value"].groupby(out["market"]).sum()["IRQ"] == pytest.approx(100.0)


def test_no_bilateral_trade_falls_back_to_world_shares():
    data = pd.concat([HAND, flows([(2022, "BBB", "QAT", "010101", 50, 1.0)])])
    with pytest.warns(MarketsWarning, match="exported nothing to QAT"):
        out = export_potential(data, exporter="IRN", markets=["IRQ", "QAT"])
    assert cell(out, "QAT", "010101", "ease_bilateral") == 1.0
    # IRN's world share of 010101 is now 60 / 180
    assert cell(out, "QAT", "010101", "potential_value") == pytest.approx(60 / 180 * 50)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(
    st.tuples(st.sampled_from([2021, 2022]), st.sampled_from(["IRN", "AAA", "BBB", "CCC"]),
              st.sampled_from(["IRQ", "KWT", "AAA", "IRN"]),
              st.sampled_from(["000001", "000002", "000003", "000004", "000005"]),
              st.integers(1, 1000)),
    min_size=4, max_size=40,
), st.booleans())
def test_invariants(rows, one_year):
    df = pd.DataFrame(rows, columns=FLOW_COLUMNS[:5])
    df = df[df["exporter"] != df["importer"]]
    if one_year:
        df = df.assign(year=2022)
    df = df.groupby(list(FLOW_COLUMNS[:4]), as_index=False)["value_usd"].sum()
    assume((df["exporter"] == "IRN").any())
    assume(df["importer"].isin(["IRQ"]).any() and df["importer"].isin(["KWT"]).any())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarketsWarning)
        out = export_potential(df, exporter="IRN", markets=["IRQ", "KWT"])
    assert (out["potential_value"] >= 0).all() and (out["actual_value"] >= 0).all()
    np.testing.assert_allclose(out["unrealised_value"],
                               np.maximum(out["potential_value"] - out["actual_value"], 0))
    assert out["unrealised_pct"].between(0, 100).all()
    for _, g in out.groupby("market"):
        assert g["rank"].tolist() == list(range(1, len(g) + 1))
        assert g["unrealised_value"].is_monotonic_decreasing
    assert not out.duplicated(["market", "product"]).any()
    if one_year:  # no trends: a market's potential adds up to IRN's actual exports there
        actual = df[df["exporter"] == "IRN"].groupby("importer")["value_usd"].sum()
        for m, total in out.groupby("market")["potential_value"].sum().items():
            if m in actual.index:
                assert total == pytest.approx(actual[m])


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    (dict(exporter="IRN", markets=["IRQ", "OMN"]), "OMN have no imports"),
    (dict(exporter="TUR", markets=["IRQ"]), "TUR has no exports"),
    (dict(exporter="IRN", markets=["IRN", "IRQ"]), "cannot also be a target"),
    (dict(exporter="IR", markets=["IRQ"]), "ISO 3166-1 alpha-3"),
    (dict(exporter="IRN", markets=[]), "at least one target market"),
    (dict(exporter="IRN", markets=["IRQ"], years=(2023, 2024)), "no trade flows in 2023"),
    (dict(exporter="IRN", markets=["IRQ"], market_growth={"KWT": 0.1}), "not targets"),
    (dict(exporter="IRN", markets=["IRQ"], market_growth=2.0), "annual rate"),
    (dict(exporter="IRN", markets=["IRQ"], base_years=0), "base_years"),
    (dict(exporter="IRN", markets=["IRQ"], tariffs=pd.DataFrame(
        {"market": ["IRQ"], "hs": ["123"], "tariff": [5]})), "2, 4 or 6 digits"),
    (dict(exporter="IRN", markets=["IRQ"], tariffs=pd.DataFrame(
        {"market": ["IRQ"], "hs": ["01"]})), "lack column"),
])
def test_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        export_potential(HAND, **kwargs)


@pytest.mark.parametrize("change, match", [
    (dict(value_usd=-1), "must not be negative"),
    (dict(value_usd="abc"), "value_usd must be numbers"),
    (dict(hs6="1234567"), "6-digit HS codes"),
    (dict(exporter="Iran"), "ISO3 codes"),
    (dict(year="2022.5"), "whole number"),
])
def test_bad_flow_values(change, match):
    bad = HAND.astype(object).copy()
    for col, val in change.items():
        bad.loc[0, col] = val
    with pytest.raises(ValueError, match=match):
        summarise_trade(bad, exporter="IRN", markets=["IRQ"])


def test_integer_hs_codes_are_zero_padded():
    data = HAND.assign(hs6=HAND["hs6"].astype(int))
    out = export_potential(data, exporter="IRN", markets=["IRQ"])
    assert set(out["product"]) == {"010101", "020202", "030303"}


# --------------------------------------------------------------------------------------------
# Diversification candidates
# --------------------------------------------------------------------------------------------
def _world(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    countries = ["IRN", "IRQ", "KWT", "AAA", "BBB", "CCC", "DDD", "EEE"]
    products = [f"{k:06d}" for k in range(10, 22)]
    rows = []
    for e in countries:
        for i in countries:
            if e == i:
                continue
            for p in products:
                if rng.random() < 0.35:
                    rows.append((2022, e, i, p, float(rng.integers(1, 100)), 1.0))
    return flows(rows)


def test_candidates_use_the_complexity_engines_density():
    data = _world()
    cands = diversification_candidates(data, exporter="IRN", markets=["IRQ", "KWT"])
    assert list(cands.columns) == list(CANDIDATE_COLUMNS)
    x = data.groupby(["exporter", "hs6"], as_index=False)["value_usd"].sum()
    cx = complexity(x, location="exporter", product="hs6", value="value_usd")
    irn = cx[cx["exporter"] == "IRN"].set_index("hs6")
    absent = set(irn.index[irn["mcp"] == 0])
    pot = export_potential(data, exporter="IRN", markets=["IRQ", "KWT"])
    ease = pot.groupby("market")["ease_bilateral"].first()
    imports = data[data.importer.isin(["IRQ", "KWT"])].groupby(["importer", "hs6"])[
        "value_usd"].sum()
    for m in ("IRQ", "KWT"):
        got = cands[cands.market == m].set_index("product")
        bought = set(imports.loc[m].index)
        assert set(got.index) == absent & bought
        for p, row in got.iterrows():
            assert row["density"] == pytest.approx(irn.loc[p, "density"])
            assert row["pci"] == pytest.approx(irn.loc[p, "pci"])
            assert row["score"] == pytest.approx(
                irn.loc[p, "density"] * imports.loc[(m, p)] * ease[m])
        assert got["rank"].tolist() == list(range(1, len(got) + 1))
        assert got["score"].is_monotonic_decreasing
    top = diversification_candidates(data, exporter="IRN", markets=["IRQ", "KWT"], top=2)
    assert top.groupby("market").size().max() <= 2


# --------------------------------------------------------------------------------------------
# Exports over time, value and weight
# --------------------------------------------------------------------------------------------
def test_exports_over_time_imputes_missing_quantities():
    """2022: IRN → IRQ 010101 has no weight; the world unit value of 010101 in 2022 is
    (60 + 30) / (1 + 1) = 45 USD/t (flows with both), so 40 USD ≈ 0.889 t."""
    data = pd.concat([HAND, flows([
        (2022, "IRN", "IRQ", "040404", 40, None),
        (2022, "BBB", "IRQ", "040404", 10, 2.0),
        (2021, "IRN", "KWT", "010101", 90, 3.0),
    ])])
    s = summarise_trade(data, exporter="IRN", markets=["IRQ", "KWT"])
    out = exports_over_time(s).set_index(["year", "market"])
    assert list(out.index) == [(2021, "IRQ"), (2021, "KWT"), (2021, "WLD"), (2022, "IRQ"),
                               (2022, "KWT"), (2022, "WLD")]
    irq = out.loc[(2022, "IRQ")]
    assert irq["exports_value_usd"] == 140
    assert irq["exports_quantity_t"] == 3.0  # reported only
    # 040404's world unit value is 10 / 2 = 5 USD/t: the missing 40 USD are 8 t
    assert irq["exports_quantity_t_est"] == pytest.approx(3.0 + 40 / 5)
    assert irq["quantity_reported_pct"] == pytest.approx(100 * 100 / 140)
    # IRQ's imports: BBB's 40 USD of 010101 without a weight are 40 / 45 t
    assert irq["imports_quantity_t_est"] == pytest.approx(1 + 40 / 45 + 3 + 3 + 8 + 2)
    assert irq["share_value_pct"] == pytest.approx(100 * 140 / 350)
    assert out.loc[(2021, "IRQ"), "exports_value_usd"] == 0
    assert out.loc[(2021, "WLD"), "exports_quantity_t_est"] == 3.0
    assert out.loc[(2022, "WLD"), "exports_value_usd"] == 160


# --------------------------------------------------------------------------------------------
# Products ↔ activities ↔ clusters
# --------------------------------------------------------------------------------------------
POT = pd.DataFrame({
    "market": ["IRQ", "IRQ", "KWT", "KWT"],
    "product": ["010101", "020202", "020202", "090909"],
    "unrealised_value": [10.0, 5.0, 7.0, 100.0],
    "potential_value": [20.0, 8.0, 9.0, 100.0],
})
CONC = pd.DataFrame({"hs6": ["10101", "020202", "020202"], "isic": ["1071", "1071", "1072"],
                     "weight": [1.0, 0.5, 0.5]})
CLUSTERS = pd.DataFrame({
    "code": ["CL1", "CL2"], "name_fa": ["خوشهٔ یک", "خوشهٔ دو"], "name_en": ["one", "two"],
    "province_code": ["01", "02"], "isic": ["1071", "1072;2399"],
    "regions": ["0101;0102", "0201"],
})


def test_cluster_links_by_hand():
    links = cluster_links(POT, CONC, CLUSTERS)
    cl1 = links[links.cluster_code == "CL1"]
    assert list(zip(cl1["product"], cl1["market"], cl1["unrealised_value"], strict=True)) == [
        ("010101", "IRQ", 10.0), ("020202", "KWT", 3.5), ("020202", "IRQ", 2.5)]
    assert cl1["rank"].tolist() == [1, 2, 3]
    assert cl1["potential_value"].tolist() == [20.0, 4.5, 4.0]
    cl2 = links[links.cluster_code == "CL2"]
    assert cl2["unrealised_value"].tolist() == [3.5, 2.5]
    assert (cl2["isic"] == "1072").all() and (cl2["cluster_name_fa"] == "خوشهٔ دو").all()
    assert "090909" not in set(links["product"])  # no activity makes it
    by_region = cluster_links(POT, CONC, CLUSTERS, by_region=True, top=1)
    assert by_region[["cluster_code", "region", "product"]].values.tolist() == [
        ["CL1", "0101", "010101"], ["CL1", "0102", "010101"], ["CL2", "0201", "020202"]]


def test_a_cluster_that_names_its_products_is_linked_to_those_alone():
    """A date-palm cluster is not offered canned tomato because both are ISIC 1030: a cluster
    with a products list is linked to those products (full value, ``via`` products), one
    without through every product of its activities."""
    clusters = CLUSTERS.assign(products=["090909", None])
    links = cluster_links(POT, CONC, clusters)
    cl1 = links[links.cluster_code == "CL1"]
    assert cl1[["product", "market", "unrealised_value", "via"]].values.tolist() == [
        ["090909", "KWT", 100.0, "products"]]
    assert cl1["isic"].tolist() == ["1071"]  # not in the concordance: the first activity
    cl2 = links[links.cluster_code == "CL2"]
    assert (cl2["via"] == "isic").all() and cl2["unrealised_value"].tolist() == [3.5, 2.5]
    assert links.equals(cluster_links(POT, CONC, clusters.assign(
        products=[" 090909 ; ", ""])))


def test_attach_activities_and_names():
    out = attach_activities(POT, CONC)
    assert out["isic"].tolist() == ["1071", "1071;1072", "1071;1072", ""]
    named = add_country_names(POT, load_countries())
    assert list(named.columns[:3]) == ["market", "market_name_en", "market_name_fa"]
    assert named["market_name_fa"].tolist()[:1] == ["عراق"]
    with pytest.raises(ValueError, match="isic must be 4 digits"):
        attach_activities(POT, CONC.assign(isic=["10711", "1071", "1072"]))


def test_analyse_markets_bundles_everything():
    data = _world()
    res = analyse_markets(data, exporter="IRN", markets=["IRQ", "KWT"], market_growth=0.02)
    assert len(res.potential) and len(res.candidates) and len(res.over_time) == 3
    assert res.base_years == (2022,)
    assert any("2.0%" in str(n) for n in res.notes)
    assert not set(zip(res.potential.market, res.potential["product"], strict=True)) & {
        (m, p) for m, p in zip(res.candidates.market, res.candidates["product"], strict=True)
        if (res.potential.query("market == @m and product == @p")["rca"] > 1).any()
    }


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------
BACI = """t,i,j,k,v,q
2021,364,368,10121,0.5,1.2
2021,364,368,870323,2.0,NA
2021,792,368,10121,1.5,3
2021,792,414,870323,4.0,2
2021,364,792,252329,3.0,100
2022,364,368,10121,0.7,NA
2022,251,368,870323,3.0,1
2022,364,414,870323,0.25,0.1
2022,792,414,252329,1.0,40
2022,364,792,252329,3.5,110
"""


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_cli_markets_file_mode(tmp_path):
    src = tmp_path / "baci.csv"
    src.write_text(BACI)
    conc = tmp_path / "conc.csv"
    conc.write_text("hs6,isic\n010121,0142\n870323,2910\n")
    out, cands, ot = tmp_path / "out.csv", tmp_path / "cands.xlsx", tmp_path / "ot.parquet"
    res = run("markets", src, "--exporter", "IRN", "--markets", "IRQ,کویت", "--years",
              "2021-2022", "--concordance", conc, "--growth", "IRQ=0.05", "-o", out,
              "--candidates", cands, "--over-time", ot)
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, dtype={"product": str, "isic": str})
    for col in ("market", "product", "supply", "demand", "ease", "potential_value",
                "actual_value", "unrealised_value", "unrealised_pct", "rank", "isic"):
        assert col in got.columns
    assert set(got["market"]) == {"IRQ", "KWT"}
    assert "010121" in set(got["product"])
    assert got.loc[got["product"] == "010121", "isic"].iloc[0] == "0142"
    assert (got["market_growth"][got.market == "IRQ"] == 0.05).all()
    assert got["distance_km"].notna().all()  # great-circle from the packaged table
    assert cands.exists() and ot.exists()
    over = pd.read_parquet(ot)
    assert set(over["market"]) == {"IRQ", "KWT", "WLD"}
    assert "have no quantity" in res.output


@pytest.mark.parametrize("args, match", [
    (["--markets", "IRQ,Atlantis"], "unknown country 'Atlantis'"),
    (["--markets", "IRQ,OMN"], "OMN have no imports"),
    (["--markets", "IRQ", "--years", "2022-2021"], "first year is after"),
    (["--markets", "IRQ", "--years", "last"], "--years must be"),
    (["--markets", "IRQ", "--growth", "fast"], "--growth must be"),
    (["--markets", "IRQ", "--format", "xml"], "--format must be"),
])
def test_cli_markets_errors_write_nothing(tmp_path, args, match):
    src = tmp_path / "baci.csv"
    src.write_text(BACI)
    out = tmp_path / "out.csv"
    res = run("markets", src, "--exporter", "IRN", *args, "-o", out)
    assert res.exit_code == 2, res.output
    assert match in " ".join(res.output.split())
    assert not out.exists()


def test_cli_markets_malformed_file(tmp_path):
    src = tmp_path / "baci.csv"
    src.write_text(BACI.replace("2022,364,368,10121,0.7", "2022,364,368,10121,seven"))
    out = tmp_path / "out.csv"
    res = run("markets", src, "--exporter", "IRN", "--markets", "IRQ", "-o", out)
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert "invalid value in column 'v'" in text and "seven" in text
    assert not out.exists()
    res = run("markets", tmp_path, "--exporter", "IRN", "--markets", "IRQ", "-o", out)
    assert res.exit_code == 2 and "not a khooshe workspace" in res.output


def test_potential_rows_are_not_nan():
    out = export_potential(_world(), exporter="IRN", markets=["IRQ", "KWT"])
    assert not out[["supply", "demand", "ease", "potential_value"]].isna().any().any()
    assert all(math.isfinite(v) for v in out["unrealised_pct"])


# --------------------------------------------------------------------------------------------
# Readers: BACI, Comtrade, the country table, side tables
# --------------------------------------------------------------------------------------------
# BACI as CEPII writes it: HS codes with their leading zeros, missing quantities space-padded
BACI_PADDED = (BACI.replace(",10121,", ",010121,")
               .replace(",NA\n", ",           NA\n"))
BACI_COUNTRIES = """country_code,country_name,country_iso2,country_iso3
364,Iran,IR,IRN
368,Iraq,IQ,IRQ
414,Kuwait,KW,KWT
251,France,FR,FRA
792,Turkey,TR,TUR
899,Somewhere,,XKX
490,"Other Asia, nes",,S19
"""


def test_baci_reader_normalises_codes_units_and_missing_quantities(tmp_path):
    src = tmp_path / "BACI_HS17_Y2021_V202401.csv"
    src.write_text(BACI)
    df = read_baci(src)
    assert list(df.columns) == list(FLOW_COLUMNS)
    assert len(df) == 10 and df["hs6"].str.fullmatch(r"\d{6}").all()
    assert set(df["exporter"]) == {"IRN", "TUR", "FRA"}  # 251 is BACI's France
    row = df[(df.year == 2021) & (df.importer == "IRQ") & (df.hs6 == "010121")
             & (df.exporter == "IRN")].iloc[0]
    assert row["value_usd"] == 500.0 and row["quantity_t"] == 1.2  # v is in thousands of USD
    assert df["quantity_t"].isna().sum() == 2
    padded = tmp_path / "padded.csv"
    padded.write_text(BACI_PADDED)
    pd.testing.assert_frame_equal(read_trade(padded), df)
    pq = tmp_path / "baci.parquet"
    pd.read_csv(src).to_parquet(pq)
    pd.testing.assert_frame_equal(read_trade(pq), df)
    assert read_trade(src, years=2022)["year"].eq(2022).all()


def test_baci_country_codes_file_maps_unknown_codes(tmp_path):
    src = tmp_path / "baci.csv"
    src.write_text(BACI + "2022,899,368,10121,1.0,2\n")
    with pytest.raises(TradeFileError, match=r"unknown numeric country code\(s\) 899 in 1 "
                       r"row\(s\) \(columns 'i'/'j'; first at line 12"):
        read_trade(src)
    dropped = read_trade(src, unknown="drop")
    assert len(dropped) == 10
    cc = tmp_path / "country_codes_V202401.csv"
    cc.write_text(BACI_COUNTRIES)
    table = read_baci_countries(cc)
    assert table.set_index("numeric").loc[490, "iso3"] == "TWN"  # S19 falls back to Taiwan
    mapped = read_trade(src, countries=table)
    assert "XKX" in set(mapped["exporter"])
    assert numeric_to_iso3(table)[899] == "XKX" and numeric_to_iso3()[364] == "IRN"


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_duckdb_summary_equals_the_pandas_summary(tmp_path, suffix):
    """The streaming reader (DuckDB aggregates) and the in-memory path (pandas) agree, on a
    glob of one file per year."""
    data = _world(5).assign(quantity_t=lambda d: d["value_usd"].where(d.index % 7 > 0) / 3)
    data = pd.concat([data, data.assign(year=2021, value_usd=data["value_usd"] * 0.8)])
    for year, part in data.groupby("year"):
        path = tmp_path / f"flows_{year}.{suffix}"
        if suffix == "csv":
            part.to_csv(path, index=False)
        else:
            part.to_parquet(path)
    kw = dict(exporter="IRN", markets=["IRQ", "KWT"])
    from_file = summarise_trade_file(str(tmp_path / f"flows_*.{suffix}"), **kw)
    in_memory = summarise_trade(data, **kw)
    assert from_file.years == in_memory.years == (2021, 2022)
    assert from_file.rows == in_memory.rows and \
        from_file.rows_missing_quantity == in_memory.rows_missing_quantity
    for name in ("exports", "world", "imports", "exporter_flows", "suppliers"):
        a, b = getattr(from_file, name), getattr(in_memory, name)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b[a.columns].reset_index(
            drop=True), check_dtype=False, rtol=1e-12)
    pd.testing.assert_frame_equal(export_potential(from_file), export_potential(in_memory))


COMTRADE = """\
refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue,netWgt,partner2Code,motCode,customsCode
2022,IRN,IRQ,X,010121,1000,500,0,0,C00
2022,IRN,IRQ,X,TOTAL,5000,,0,0,C00
2022,IRN,W00,X,010121,3000,,0,0,C00
2022,IRN,IRQ,RX,010121,70,,0,0,C00
2022,IRN,IRQ,X,010121,400,200,0,1000,C00
2022,TUR,IRQ,X,870323,2000,,0,0,C00
2022,IRQ,TUR,M,010121,800,400,0,0,C00
2022,IRQ,IRN,M,870323,90,30,0,0,C00
"""


def test_comtrade_reader_keeps_country_to_country_hs6_totals(tmp_path):
    src = tmp_path / "comtrade.csv"
    src.write_text(COMTRADE)
    x = read_comtrade(src)
    assert x[["exporter", "importer", "hs6", "value_usd"]].values.tolist() == [
        ["IRN", "IRQ", "010121", 1000.0], ["TUR", "IRQ", "870323", 2000.0]]
    assert x["quantity_t"].tolist()[0] == 0.5 and np.isnan(x["quantity_t"].tolist()[1])
    # reported imports, mirrored: the partner is the exporter
    m = read_comtrade(src, flow="M")
    assert m[["exporter", "importer", "hs6", "value_usd", "quantity_t"]].values.tolist() == [
        ["IRN", "IRQ", "870323", 90.0, 0.03], ["TUR", "IRQ", "010121", 800.0, 0.4]]
    summary = summarise_trade_file(src, exporter="IRN", markets=["IRQ"])
    notes = " ".join(map(str, summary.notes))
    for why in ("aggregate product code", "aggregate partner", "other trade flow",
                "breakdown row"):
        assert why in notes
    numeric = tmp_path / "comtrade_numeric.csv"
    numeric.write_text("refYear,reporterCode,partnerCode,flowCode,cmdCode,primaryValue\n"
                       "2022,364,368,X,010121,10\n2022,364,0,X,010121,99\n")
    assert read_comtrade(numeric)[["exporter", "importer", "value_usd"]].values.tolist() == [
        ["IRN", "IRQ", 10.0]]


@pytest.mark.parametrize("line, text, match", [
    (7, "2022,364,368,10121,seven,NA", "1 row(s) with an invalid value in column 'v': line 7 "
     "('seven')"),
    (5, "2021,792,414,870323,-4.0,2", "negative value in column 'v': line 5 ('-4.0')"),
    (5, "2021,792,414,870323,4.0,-2", "negative quantity in column 'q': line 5"),
    (4, "2021,792,,10121,1.5,3", "without a value in column(s) 'j'"),
    (8, "2022,251,368,8703231,3.0,1", "outside 0–999999 (not HS6) in column 'k': line 8"),
    (8, "2022,251,368,87x323,3.0,1", "invalid HS6 code in column 'k': line 8 ('87x323')"),
    (3, "20x1,364,368,870323,2.0,NA", "invalid year in column 't': line 3 ('20x1')"),
    (3, "2021,364,368,870323", "line 3 has 4 field(s) but the header has 6"),
    (3, "2021,364,368,870323,2.0,NA,7", "line 3 has 7 field(s)"),
])
def test_malformed_baci_files_name_the_line_and_the_column(tmp_path, line, text, match):
    lines = BACI.splitlines()
    lines[line - 1] = text
    src = tmp_path / "bad.csv"
    src.write_text("\n".join(lines) + "\n")
    with pytest.raises(TradeFileError) as err:
        summarise_trade_file(src, exporter="IRN", markets=["IRQ"])
    assert match in str(err.value)


def test_malformed_files_in_other_formats_and_globs(tmp_path):
    bad = pd.read_csv(pd.io.common.StringIO(BACI), dtype=str)
    bad.loc[5, "v"] = "seven"
    bad.to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(TradeFileError, match=r"column 'v': row 6 \('seven'\)"):
        read_trade(tmp_path / "bad.parquet")
    bad.to_excel(tmp_path / "bad.xlsx", index=False)
    with pytest.raises(TradeFileError, match=r"column 'v': row 7 \('seven'\)"):
        read_trade(tmp_path / "bad.xlsx")
    (tmp_path / "y2021.csv").write_text(BACI)
    (tmp_path / "y2022.csv").write_text(BACI.replace("2022,364,414,870323,0.25", "2022,364,"
                                                     "414,870323,x"))
    with pytest.raises(TradeFileError, match=r"y2022.csv line 9 \('x'\)"):
        read_trade(str(tmp_path / "y20*.csv"))
    (tmp_path / "nov.csv").write_text("t,i,j,k,q\n2022,364,368,10121,1\n")
    with pytest.raises(TradeFileError, match=r"nov.csv: BACI layout but no column for v \(v\)"):
        read_trade(tmp_path / "nov.csv")
    (tmp_path / "odd.csv").write_text("a,b\n1,2\n")
    with pytest.raises(TradeFileError, match="odd.csv: unrecognised trade layout.*found a, b"):
        read_trade(tmp_path / "odd.csv")
    (tmp_path / "ct.csv").write_text("refYear,reporterISO,partnerISO,cmdCode\n2022,IRN,IRQ,"
                                     "010121\n")
    with pytest.raises(TradeFileError, match="Comtrade layout but no column for value"):
        read_trade(tmp_path / "ct.csv")
    with pytest.raises(FileNotFoundError):
        read_trade(tmp_path / "absent.csv")
    flows_file = tmp_path / "flows.csv"
    flows_file.write_text("year,exporter,importer,hs6,value_usd\n2022,IRN,Iraq,010121,5\n")
    with pytest.raises(TradeFileError, match=r"importer that is not an ISO3 code in column "
                       r"'importer': line 2 \('Iraq'\)"):
        read_trade(flows_file)


def test_country_table_numeric_iso3_and_names():
    table = load_countries()
    assert table["iso3"].is_unique and table["numeric"].is_unique
    assert (table["name_fa"] != "").all() and (table["name_en"] != "").all()
    for code in ("IRQ", "irq", 368, "368", "۳۶۸", "Iraq", "عراق"):
        assert resolve_country(code) == "IRQ"
    assert resolve_country("كويت") == "KWT"  # Arabic kaf
    assert resolve_country("UAE") == "ARE" and resolve_country("جمهوری آذربایجان") == "AZE"
    assert resolve_countries("IRQ, عراق, Kuwait") == ["IRQ", "KWT"]
    with pytest.raises(UnknownCountryError, match=r"did you mean IRQ \(Iraq\)"):
        resolve_country("Iraqq")
    with pytest.raises(UnknownCountryError, match="'999'.*'Atlantis'"):
        resolve_countries(["999", "Atlantis"])
    named = add_country_names(pd.DataFrame({"market": ["AZE", "QAT"]}), table)
    assert named["market_name_fa"].tolist() == ["جمهوری آذربایجان", "قطر"]


def test_side_tables(tmp_path):
    geo = tmp_path / "dist_cepii.csv"
    geo.write_text("iso_o,iso_d,dist,distw\nIRN,IRQ,691,780.5\n")
    d = read_distances(geo)
    assert d.values.tolist() == [["IRN", "IRQ", 780.5]]  # the population-weighted distance
    tar = tmp_path / "tariffs.csv"
    tar.write_text("importer,hs6,rate,mfn,partner\nIRQ,0101,10,5,IRN\nIRQ,0101,0,0,TUR\n")
    t = read_tariffs(tar, exporter="IRN")
    assert t.values.tolist()[0][:4] == ["IRQ", "0101", 10.0, 5.0] and len(t) == 1
    conc = tmp_path / "conc.csv"
    conc.write_text("hs,isic4\n10121,142\n")
    assert read_concordance(conc).values.tolist() == [["010121", "0142", 1.0]]
    conc.write_text("hs,activity_code\n10121,142\n")
    with pytest.raises(TradeFileError, match="no column for isic"):
        read_concordance(conc)
