"""Input–output multipliers, regionalisation and supplier matching, against published figures
and exhaustive search (issue 18)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from _support import reference
from khooshe.analysis import supply_chain as sc
from khooshe.domain.errors import InputError

MB_Z = np.array([[150.0, 500.0], [200.0, 100.0]])
MB_X = np.array([1000.0, 2000.0])


def test_miller_and_blair_two_sector_example():
    a = sc.technical_coefficients(MB_Z, MB_X)
    np.testing.assert_allclose(a, [[0.15, 0.25], [0.20, 0.05]])
    np.testing.assert_allclose(sc.leontief_inverse(a), [[1.254125, 0.330033],
                                                        [0.264026, 1.122112]], atol=1e-6)
    np.testing.assert_allclose(sc.output_multipliers(a), [1.518152, 1.452145], atol=1e-6)


def _germany() -> sc.IOTable:
    df = pd.read_csv(reference("io", "germany_1995_beutel_15_4.csv")).set_index("iotables_row")
    groups = ["agriculture_group", "manufacturing_group", "construction_group", "trade_group",
              "business_services_group", "other_services_group"]
    z = df.loc[groups, groups].to_numpy(float)
    x = df.loc["output_bp", groups].to_numpy(float)
    return sc.IOTable(sectors=np.array(groups), flows=z, output=x,
                      employment=df.loc["employment_total", groups].to_numpy(float),
                      compensation=df.loc["compensation_employees", groups].to_numpy(float),
                      household_consumption=df.loc[groups, "consumption_expenditure_household"]
                      .to_numpy(float))


def test_germany_1995_published_multipliers_and_leontief_diagonal():
    t = _germany()
    a = sc.technical_coefficients(t.flows, t.output)
    np.testing.assert_allclose(sc.output_multipliers(a),
                               [1.7048, 1.8413, 1.8136, 1.6035, 1.5951, 1.3782], atol=5e-4)
    np.testing.assert_allclose(np.diag(sc.leontief_inverse(a))[:3], [1.0339, 1.4292, 1.0289],
                               atol=5e-4)


def test_type_two_exceeds_type_one_and_linkages_average_one():
    table = sc.multipliers_table(_germany())
    assert (table["employment_multiplier_type2"] > table["employment_multiplier_type1"]).all()
    assert (table["income_multiplier_type2"] > table["income_multiplier_type1"]).all()
    assert (table["employment_multiplier_type1"] >= 1).all()
    assert table["backward_linkage"].mean() == pytest.approx(1.0)
    assert table["forward_linkage"].mean() == pytest.approx(1.0)
    assert set(table["key_sector"]) <= set(sc.KEY_CLASSES)
    assert list(table.columns) == list(sc.MULTIPLIER_COLUMNS)


@st.composite
def tables(draw):
    n = draw(st.integers(2, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.uniform(0, 0.8 / n, (n, n))
    x = rng.uniform(10, 1000, n)
    emp = rng.uniform(5, 500, n)
    share = rng.uniform(0.01, 0.9, n)
    return sc.IOTable(sectors=np.array([f"S{i}" for i in range(n)]), flows=a * x[None, :],
                      output=x, employment=emp), emp * share


@settings(max_examples=60, deadline=None)
@given(tables(), st.floats(0.0, 0.9))
def test_flq_invariants(data, delta):
    table, regional = data
    result = sc.regionalise(table, regional, delta=delta)
    assert (result["regional"] <= result["national"] + 1e-15).all()
    national = sc.output_multipliers(result["national"])
    assert (result["output_multipliers"] <= national + 1e-12).all()
    zero = sc.quotients(regional, table.employment, delta=0.0)
    cilq = sc.quotients(regional, table.employment, method="cilq")
    np.testing.assert_allclose(zero, cilq)
    slq = sc.simple_location_quotients(regional, table.employment)
    np.testing.assert_allclose(np.diag(cilq), slq)
    share = result["local_share"]
    assert ((share >= 0) & (share <= 1 + 1e-12)).all()


@st.composite
def instances(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    nd, ns = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    isic = ["2394", "2410"]
    d = pd.DataFrame({"demand_id": [f"d{i}" for i in range(nd)],
                      "isic": rng.choice(isic, nd), "value": rng.integers(1, 20, nd) * 1e9,
                      "lat": rng.uniform(30, 32, nd), "lon": rng.uniform(48, 50, nd)})
    s = pd.DataFrame({"supplier_id": [f"s{i}" for i in range(ns)],
                      "isic": rng.choice(isic, ns), "capacity": rng.integers(1, 20, ns) * 1e9,
                      "lat": rng.uniform(30, 32, ns), "lon": rng.uniform(48, 50, ns),
                      "sme": rng.random(ns) < 0.5})
    return d, s


def _max_flow_by_min_cut(d: pd.DataFrame, s: pd.DataFrame) -> float:
    """Exhaustive search: the most value that can be moved is the smallest cut of the
    bipartite network (source → demands → suppliers of their class → sink)."""
    best = np.inf
    nd, ns = len(d), len(s)
    for dm in itertools.product([0, 1], repeat=nd):      # 1: demand on the source side
        for sm in itertools.product([0, 1], repeat=ns):  # 1: supplier on the source side
            cut = sum(d["value"].iloc[i] for i in range(nd) if not dm[i])
            cut += sum(s["capacity"].iloc[j] for j in range(ns) if sm[j])
            for i in range(nd):
                for j in range(ns):
                    if dm[i] and not sm[j] and d["isic"].iloc[i] == s["isic"].iloc[j]:
                        cut = np.inf  # an uncapacitated link crosses the cut
            best = min(best, cut)
    return float(best)


@settings(max_examples=60, deadline=None)
@given(instances())
def test_matching_equals_exhaustive_search_and_respects_every_bound(inst):
    d, s = inst
    m = sc.match_suppliers(d, s)
    assert m.optimal
    assert m.total == pytest.approx(_max_flow_by_min_cut(d, s), rel=1e-6, abs=1.0)
    per_demand = m.links.groupby("demand_id")["value"].sum()
    per_supplier = m.links.groupby("supplier_id")["value"].sum()
    value, cap = d.set_index("demand_id")["value"], s.set_index("supplier_id")["capacity"]
    assert (per_demand <= value.reindex(per_demand.index)).all()
    assert (per_supplier <= cap.reindex(per_supplier.index)).all()
    # the distance stage agrees with an independent LP solver given the first two stages
    pairs = sc.candidate_links(d, s)
    if len(pairs):
        n = len(pairs)
        rows_d = np.zeros((len(d), n))
        rows_s = np.zeros((len(s), n))
        rows_d[pairs["d"], np.arange(n)] = 1
        rows_s[pairs["s"], np.arange(n)] = 1
        sme = s["sme"].to_numpy()[pairs["s"]].astype(float)
        a_ub = np.vstack([rows_d, rows_s, -np.ones(n), -sme])  # variables in billions
        b_ub = np.r_[d["value"], s["capacity"], -m.total * (1 - 1e-7),
                     -m.sme_total * (1 - 1e-7)] / 1e9
        ref = linprog(pairs["distance_km"].to_numpy(), A_ub=a_ub, b_ub=b_ub, method="highs")
        assert ref.status == 0
        assert m.distance / 1e9 == pytest.approx(ref.fun, rel=1e-5, abs=1e-3)


def test_bad_tables_name_the_row():
    sectors = pd.DataFrame({"sector": ["S1", "S2"], "output_rials": [100, 200]})
    flows = pd.DataFrame({"from_sector": ["S1", "S9"], "to_sector": ["S2", "S1"],
                          "value_rials": [10, 5]})
    with pytest.raises(InputError, match=r"flows, row 3, column 'from_sector'.*S9"):
        sc.io_table(sectors, flows)
    flows = pd.DataFrame({"from_sector": ["S1"], "to_sector": ["S2"], "value_rials": [-1]})
    with pytest.raises(InputError, match=r"flows, row 2.*≥ 0"):
        sc.io_table(sectors, flows)
    flows = pd.DataFrame({"from_sector": ["S1", "S2"], "to_sector": ["S2", "S2"],
                          "value_rials": [150, 100]})
    with pytest.raises(InputError, match="does not add up"):
        sc.io_table(sectors, flows)
