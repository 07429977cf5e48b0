"""Specialisation indices against EconGeo's documented examples and hand computations.

The matrices are the examples of the EconGeo R package documentation (P.-A. Balland, v2.0):
``location_quotient``/``locational_gini`` (5 regions × 5 industries), ``gini`` (a 0/1 matrix and
the vector c(0, 10, 10, 30, 50)) and ``hoover_index``/``hoover_gini`` (with a population vector).
Expected values are computed by hand (comments) or by plain-Python transcriptions of EconGeo's
published R code (``_r_*`` helpers: loops over lists, no numpy), never by the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khooshe.analysis import specialization as sp_
from khooshe.analysis.specialization import SpecializationInputError

# EconGeo ?location_quotient / ?locational_gini example
MAT = [
    [100, 0, 0, 0, 0],
    [0, 15, 5, 70, 10],
    [0, 20, 10, 20, 50],
    [0, 25, 30, 5, 40],
    [0, 40, 55, 5, 0],
]
REGIONS = ["R1", "R2", "R3", "R4", "R5"]
INDUSTRIES = ["I1", "I2", "I3", "I4", "I5"]

# EconGeo ?gini example
GINI_MAT = [[0, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 1], [0, 1, 1, 1]]
# EconGeo ?hoover_index / ?hoover_gini example
HOOVER_MAT = [[0, 10, 0, 0], [0, 15, 0, 0], [0, 20, 0, 0], [0, 25, 0, 1], [0, 30, 1, 1]]
POP = [10, 15, 20, 25, 30]
IND = [0, 10, 10, 30, 50]


def wide(mat, regions=REGIONS, cols=None) -> pd.DataFrame:
    cols = cols or [f"I{j + 1}" for j in range(len(mat[0]))]
    return pd.DataFrame(np.array(mat, dtype=float), index=regions[: len(mat)], columns=cols)


# --- plain-Python transcriptions of EconGeo's R code ----------------------------------------
def _order(keys):
    """R's order(): stable ascending; NaN last."""
    return sorted(range(len(keys)), key=lambda i: (math.isnan(keys[i]), keys[i]))


def _cumsum(xs):
    out, acc = [], 0.0
    for x in xs:
        acc += x
        out.append(acc)
    return out


def _r_lorenz_sum(ind, pop):
    """sum(cind[-1] * cpop[-n]) - sum(cind[-n] * cpop[-1]) after ordering by ind/pop."""
    ratio = [(a / b) if b != 0 else (math.inf if a > 0 else math.nan)
             for a, b in zip(ind, pop, strict=True)]
    o = _order(ratio)
    ci, cp = _cumsum([ind[i] for i in o]), _cumsum([pop[i] for i in o])
    ci = [c / max(ci) for c in ci]
    cp = [c / max(cp) for c in cp]
    n = len(ci)
    return sum(ci[k + 1] * cp[k] for k in range(n - 1)) - sum(ci[k] * cp[k + 1]
                                                              for k in range(n - 1))


def _r_gini(x):
    """EconGeo gini(): weights 1/n, ordered by x (unrounded)."""
    o = _order([float(v) for v in x])
    xs = [x[i] for i in o]
    n = len(xs)
    p = _cumsum([1 / n] * n)
    nu = _cumsum([v / n for v in xs])
    nu = [v / nu[-1] for v in nu]
    return sum(nu[k + 1] * p[k] for k in range(n - 1)) - sum(nu[k] * p[k + 1]
                                                             for k in range(n - 1))


def _r_locational_gini(mat, col):
    total = sum(sum(r) for r in mat)
    share = [sum(r) / total for r in mat]
    return _r_lorenz_sum([r[col] for r in mat], share) / 2


def _r_hoover_gini(mat, col, pop):
    return _r_lorenz_sum([0] + [r[col] for r in mat], [0] + list(pop))


def _r_hoover_index(ind, pop):
    si, sp = sum(ind), sum(pop)
    return 100 * sum(abs(a / si - b / sp) for a, b in zip(ind, pop, strict=True)) / 2


def _r_krugman(mat):
    total = sum(sum(r) for r in mat)
    col = [sum(r[j] for r in mat) / total for j in range(len(mat[0]))]
    return [sum(abs(r[j] / sum(r) - col[j]) for j in range(len(r))) for r in mat]


def _r_entropy_rounded(row):
    t = sum(row)
    return round(-sum((v / t) * math.log2(v / t + 1e-9) for v in row), 3)


# --- location quotient -----------------------------------------------------------------------
def test_lq_econgeo_example_by_hand():
    # every region and every industry totals 100, the grand total 500: LQ = x * 500 / 100² = x/20
    lq = sp_.location_quotient(wide(MAT))
    assert list(lq.columns) == ["region", "activity", "value", "lq"]
    assert len(lq) == sum(v > 0 for r in MAT for v in r)  # only non-zero cells
    expected = {(REGIONS[i], INDUSTRIES[j]): MAT[i][j] / 20
                for i in range(5) for j in range(5) if MAT[i][j]}
    got = {(r, a): v for r, a, v in lq[["region", "activity", "lq"]].itertuples(index=False)}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-12)
    assert got[("R1", "I1")] == 5.0 and got[("R2", "I4")] == 3.5


def test_lq_binary_keeps_exactly_one():
    # R3/I2 = 20 → LQ exactly 1, which EconGeo's binary rule keeps at 1
    lq = sp_.location_quotient(wide(MAT), binary=True)
    ones = {(r, a) for r, a, v in lq[["region", "activity", "lq"]].itertuples(index=False) if v}
    expected = {(REGIONS[i], INDUSTRIES[j]) for i in range(5) for j in range(5) if MAT[i][j] >= 20}
    assert ones == expected
    assert ("R3", "I2") in ones
    assert lq["lq"].dtype == np.int64
    assert set(sp_.rca(wide(MAT)).columns) == {"region", "activity", "value", "rca"}


def test_diversity_and_ubiquity_rca():
    # LQ ≥ 1 ⇔ x ≥ 20 here
    div = sp_.diversity(wide(MAT))
    assert div.to_dict() == {"R1": 1, "R2": 1, "R3": 3, "R4": 3, "R5": 2}
    ubi = sp_.ubiquity(wide(MAT))
    assert ubi.to_dict() == {"I1": 1, "I2": 3, "I3": 2, "I4": 2, "I5": 2}
    # rca=False: the input is already binary, row/column sums (EconGeo's default)
    assert sp_.diversity(wide(GINI_MAT), rca=False).tolist() == [1, 1, 1, 2, 3]
    assert sp_.ubiquity(wide(GINI_MAT), rca=False).tolist() == [0, 5, 1, 2]


def test_average_lq_and_hachman_by_hand():
    # avgLQ_i = Σ_j s_ij · LQ_ij = Σ_j (x/100)(x/20) = Σ_j x² / 2000
    expected = [sum(v * v for v in r) / 2000 for r in MAT]
    assert expected[:2] == [5.0, 2.625]
    avg = sp_.average_location_quotient(wide(MAT))
    np.testing.assert_allclose(avg.to_numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(sp_.hachman(wide(MAT)).to_numpy(), [1 / e for e in expected],
                               rtol=1e-12)
    assert avg.index.name == "region" and avg.name == "average_lq"


def test_krugman_herfindahl_entropy():
    k = sp_.krugman_index(wide(MAT))
    np.testing.assert_allclose(k.to_numpy(), _r_krugman(MAT), rtol=1e-12)
    assert k["R1"] == pytest.approx(1.6)  # |1 − .2| + 4 × .2
    h = sp_.herfindahl(wide(MAT))
    np.testing.assert_allclose(h.to_numpy(), [sum(v * v for v in r) / 100**2 for r in MAT])
    assert h["R2"] == pytest.approx(0.525)
    e = sp_.entropy(wide(MAT))
    np.testing.assert_allclose(e.round(3).to_numpy(), [_r_entropy_rounded(r) for r in MAT],
                               atol=1e-3)
    assert e["R1"] == 0.0
    # four equal activities: exactly log2(4) = 2 bits; natural-log base on request
    flat = wide([[5, 5, 5, 5], [1, 2, 3, 4]], regions=["A", "B"])
    assert sp_.entropy(flat)["A"] == pytest.approx(2.0)
    assert sp_.entropy(flat, base=math.e)["A"] == pytest.approx(math.log(4))


def test_krugman_versus_rest():
    k = sp_.krugman_index(wide(MAT), reference="rest")
    total = sum(sum(r) for r in MAT)
    for i, r in enumerate(MAT):
        rest = [sum(MAT[q][j] for q in range(5) if q != i) for j in range(5)]
        expected = sum(abs(r[j] / sum(r) - rest[j] / (total - sum(r))) for j in range(5))
        assert k.iloc[i] == pytest.approx(expected, rel=1e-12)
    assert np.isnan(sp_.krugman_index(wide([[1, 2]], regions=["A"]), reference="rest")["A"])


# --- Gini family and Hoover -------------------------------------------------------------------
def test_gini_vector_example():
    # EconGeo ?gini: ind = c(0, 10, 10, 30, 50): p = .2…1, ν = 0, .1, .2, .5, 1
    # G = (.1·.2 + .2·.4 + .5·.6 + 1·.8) − (0·.4 + .1·.6 + .2·.8 + .5·1) = 1.2 − .72 = .48
    g = sp_.gini(np.array(IND, dtype=float)[:, None])
    assert g.iloc[0] == pytest.approx(0.48, abs=1e-12)
    # the same as the mean-difference formula without small-sample correction
    n, mean = len(IND), sum(IND) / len(IND)
    md = sum(abs(a - b) for a in IND for b in IND) / (2 * n * n * mean)
    assert g.iloc[0] == pytest.approx(md)


def test_gini_matrix_example():
    g = sp_.gini(wide(GINI_MAT))
    assert np.isnan(g["I1"])  # no activity at all: undefined (0/0, as in R)
    assert g["I2"] == pytest.approx(0.0)  # perfect equality
    assert g["I3"] == pytest.approx(0.8)  # one region of five: max (5 − 1)/5
    assert g["I4"] == pytest.approx(0.6)  # top 40 % of regions hold everything
    for j in (1, 2, 3):
        assert g.iloc[j] == pytest.approx(_r_gini([r[j] for r in GINI_MAT]), abs=1e-12)
    # by region: inequality of each region's own activity mix
    gr = sp_.gini(wide(MAT), by="region")
    for i, r in enumerate(MAT):
        assert gr.iloc[i] == pytest.approx(_r_gini(r), abs=1e-12)


def test_locational_gini_example():
    lg = sp_.locational_gini(wide(MAT))
    # I1 sits in R1 only (20 % of the economy): 2A = 0.8 → LG = 0.4
    assert lg["I1"] == pytest.approx(0.4)
    for j in range(5):
        assert lg.iloc[j] == pytest.approx(_r_locational_gini(MAT, j), abs=1e-12)
    assert lg.name == "locational_gini" and lg.index.name == "activity"


def test_hoover_index_examples():
    h = sp_.hoover_index(np.array(IND, float)[:, None], reference=pd.Series(POP))
    # ½ (|0−.1| + |.1−.15| + |.1−.2| + |.3−.25| + |.5−.3|) = .25 → 25 %
    assert h.iloc[0] == pytest.approx(25.0)
    ref = pd.Series(POP, index=REGIONS)
    hm = sp_.hoover_index(wide(HOOVER_MAT), reference=ref)
    assert np.isnan(hm["I1"])
    assert hm["I2"] == pytest.approx(0.0)  # proportional to population
    assert hm["I3"] == pytest.approx(70.0)  # 30 % of the population has all of it
    assert hm["I4"] == pytest.approx(45.0)
    for j in (1, 2, 3):
        assert hm.iloc[j] == pytest.approx(_r_hoover_index([r[j] for r in HOOVER_MAT], POP))
    # default reference: equal weights per region (EconGeo's default when pop is missing)
    he = sp_.hoover_index(wide(MAT))
    for j in range(5):
        assert he.iloc[j] == pytest.approx(_r_hoover_index([r[j] for r in MAT], [1] * 5))


def test_hoover_gini_examples():
    ref = pd.Series(POP, index=REGIONS)
    hg = sp_.hoover_gini(wide(HOOVER_MAT), reference=ref)
    assert np.isnan(hg["I1"])
    assert hg["I2"] == pytest.approx(0.0, abs=1e-12)
    assert hg["I3"] == pytest.approx(0.7)  # 70 % of the population first, then R5
    for j in (1, 2, 3):
        assert hg.iloc[j] == pytest.approx(_r_hoover_gini(HOOVER_MAT, j, POP), abs=1e-12)
    vec = sp_.hoover_gini(np.array(IND, float)[:, None], reference=pd.Series(POP))
    assert vec.iloc[0] == pytest.approx(_r_hoover_gini([[v] for v in IND], 0, POP))
    # reference "total" = the locational Gini times two
    np.testing.assert_allclose(sp_.hoover_gini(wide(MAT), reference="total").to_numpy(),
                               2 * sp_.locational_gini(wide(MAT)).to_numpy())


def test_reference_errors():
    with pytest.raises(SpecializationInputError, match="no value for 1 region"):
        sp_.hoover_index(wide(MAT), reference=pd.Series([1, 1, 1, 1], index=REGIONS[:4]))
    with pytest.raises(SpecializationInputError, match="negative"):
        sp_.hoover_gini(wide(MAT), reference=pd.Series([1, 1, 1, 1, -1], index=REGIONS))


# --- tables, long input, sparse agreement ------------------------------------------------------
def test_long_input_sums_duplicates_and_keeps_names():
    rows = [(REGIONS[i], INDUSTRIES[j], MAT[i][j]) for i in range(5) for j in range(5)
            if MAT[i][j]]
    # split every amount into two rows: duplicates must be summed
    long = pd.DataFrame([(r, a, v / 2) for r, a, v in rows] * 2,
                        columns=["county", "isic", "employees"])
    lq = sp_.location_quotient(long, "county", "isic", "employees")
    assert list(lq.columns) == ["county", "isic", "employees", "lq"]
    ref = sp_.location_quotient(wide(MAT))
    np.testing.assert_allclose(lq["lq"].to_numpy(), ref["lq"].to_numpy())
    m = sp_.region_activity_matrix(long, "county", "isic", "employees")
    assert m.counts is not None and m.counts.sum() == 2 * len(rows)
    # without a value column each row counts 1 (an establishment register)
    counts = sp_.region_activity_matrix(long, "county", "isic")
    assert counts.value_name == "count" and counts.total == len(long)


def test_codes_keep_leading_zeros_and_text_numbers():
    df = pd.DataFrame({"region": ["0603", "0603", "0601"], "isic": ["0111", "1071", "0111"],
                       "emp": ["10", " 5", "20"]})
    lq = sp_.location_quotient(df, "region", "isic", "emp")
    assert set(lq["region"]) == {"0603", "0601"} and set(lq["isic"]) == {"0111", "1071"}
    assert lq["emp"].sum() == 35


def test_region_and_activity_tables():
    reg = sp_.region_indices(wide(MAT))
    assert list(reg.columns) == ["region", "total", "n_activities", "diversity", "average_lq",
                                 "hachman", "krugman", "herfindahl", "entropy", "gini"]
    assert reg["n_activities"].tolist() == [1, 4, 4, 4, 3]
    act = sp_.activity_indices(wide(MAT))
    assert list(act.columns) == ["activity", "total", "n_regions", "ubiquity", "gini",
                                 "locational_gini", "hoover_index", "hoover_gini"]
    assert act["n_regions"].tolist() == [1, 4, 4, 4, 3]
    assert act.loc[0, "gini"] == pytest.approx(0.8)


def _dense_reference(x: np.ndarray):
    """Straight dense formulas (numpy, but no code shared with the module)."""
    xi, xj, xt = x.sum(1), x.sum(0), x.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        s = x / xi[:, None]
        lq = np.nan_to_num(s / (xj / xt))
    avg = (lq * s).sum(1)
    krug = np.abs(s - xj / xt).sum(1)
    herf = (s * s).sum(1)
    ent = -np.where(s > 0, s * np.log2(np.where(s > 0, s, 1)), 0).sum(1)
    return lq, avg, krug, herf, ent


def test_sparse_agrees_with_dense_random():
    rng = np.random.default_rng(7)
    x = rng.poisson(2.0, size=(40, 12)) * (rng.uniform(size=(40, 12)) < 0.4)
    x[3] = 0  # a region with nothing
    x[:, 5] = 0  # an activity with nothing
    df = wide(x.tolist(), regions=[f"r{i:02d}" for i in range(40)])
    lq, avg, krug, herf, ent = _dense_reference(x.astype(float))
    got = sp_.lq_matrix(df).toarray()
    np.testing.assert_allclose(got, lq, rtol=1e-12)
    reg = sp_.region_indices(df)
    keep = x.sum(1) > 0
    np.testing.assert_allclose(reg["average_lq"].to_numpy()[keep], avg[keep], rtol=1e-12)
    np.testing.assert_allclose(reg["krugman"].to_numpy()[keep], krug[keep], rtol=1e-12)
    np.testing.assert_allclose(reg["herfindahl"].to_numpy()[keep], herf[keep], rtol=1e-12)
    np.testing.assert_allclose(reg["entropy"].to_numpy()[keep], ent[keep], atol=1e-12)
    # zero region: shares undefined → NaN; zero activity → NaN; counts 0
    assert reg.loc[3, ["average_lq", "krugman", "herfindahl", "entropy"]].isna().all()
    assert reg.loc[3, "n_activities"] == 0 and reg.loc[3, "diversity"] == 0
    act = sp_.activity_indices(df)
    assert act.loc[5, ["gini", "locational_gini", "hoover_index"]].isna().all()
    for j in (0, 1, 7):
        col = x[:, j].astype(float).tolist()
        assert act.loc[j, "gini"] == pytest.approx(_r_gini(col), abs=1e-12)
        assert act.loc[j, "locational_gini"] == pytest.approx(
            _r_locational_gini([r for r in x.tolist() if sum(r)], j), abs=1e-12)
        assert act.loc[j, "hoover_index"] == pytest.approx(_r_hoover_index(col, [1] * 40))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 50), min_size=4, max_size=4), min_size=2, max_size=8))
def test_lq_identities(rows):
    x = np.array(rows, dtype=float)
    if x.sum() == 0:
        return
    df = wide(x.tolist(), regions=[f"r{i}" for i in range(len(rows))])
    lq = sp_.lq_matrix(df).toarray()
    xi, xj, xt = x.sum(1), x.sum(0), x.sum()
    # the size-weighted mean of an activity's LQ over regions is 1: Σ_i X_i LQ_ij / X = 1
    present = xj > 0
    np.testing.assert_allclose((xi[:, None] * lq).sum(0)[present] / xt, 1.0, rtol=1e-9)
    # scaling every amount leaves the LQ unchanged
    np.testing.assert_allclose(sp_.lq_matrix(df * 7).toarray(), lq, rtol=1e-12)
    lg = sp_.locational_gini(df).to_numpy()
    assert np.all((lg[present] >= -1e-12) & (lg[present] < 0.5))


# --- edge cases and errors ----------------------------------------------------------------------
def test_single_region_is_defined():
    df = wide([[10, 0, 30]], regions=["only"])
    lq = sp_.location_quotient(df)
    np.testing.assert_allclose(lq["lq"], 1.0)
    act = sp_.activity_indices(df)
    assert act.loc[[0, 2], ["gini", "locational_gini", "hoover_index"]].abs().max().max() < 1e-12
    reg = sp_.region_indices(df)
    assert reg.loc[0, "average_lq"] == pytest.approx(1.0) and reg.loc[0, "krugman"] == 0
    strength = sp_.cluster_strength(df)
    assert not strength["strong"].any() and not strength["traded"].any()


def test_errors_are_clear():
    base = pd.DataFrame({"r": ["a", "b", "c"], "i": ["x", "y", "x"], "v": [1.0, None, 3.0]})
    # rows as a spreadsheet numbers them: the header is row 1, so the second record is row 3
    with pytest.raises(SpecializationInputError, match=r"column 'v': 1 missing value.*rows 3\)"):
        sp_.location_quotient(base, "r", "i", "v")
    m = sp_.region_activity_matrix(base, "r", "i", "v", na="zero")
    assert m.total == 4.0
    text = base.assign(v=["1", "two", "3"])
    with pytest.raises(SpecializationInputError, match=r"not numbers.*'two'"):
        sp_.location_quotient(text, "r", "i", "v")
    with pytest.raises(SpecializationInputError, match="negative"):
        sp_.location_quotient(base.assign(v=[1, -2, 3]), "r", "i", "v")
    with pytest.raises(SpecializationInputError, match="no rows"):
        sp_.location_quotient(base.iloc[:0], "r", "i", "v")
    with pytest.raises(SpecializationInputError, match=r"'nope'.*not in the table"):
        sp_.location_quotient(base, "r", "nope", "v")
    with pytest.raises(SpecializationInputError, match="all values are zero"):
        sp_.location_quotient(base.assign(v=0), "r", "i", "v")
    with pytest.raises(SpecializationInputError, match="without a code"):
        sp_.location_quotient(base.assign(r=["a", None, "c"], v=1), "r", "i", "v")
    with pytest.raises(SpecializationInputError, match="no activity columns"):
        sp_.location_quotient(pd.DataFrame(index=["a", "b"]))
    with pytest.raises(SpecializationInputError, match="no rows"):
        sp_.location_quotient(pd.DataFrame(columns=["x", "y"], dtype=float))
    with pytest.raises(SpecializationInputError, match="missing cell"):
        sp_.location_quotient(wide([[1, np.nan], [2, 3]], regions=["a", "b"]))
    with pytest.raises(SpecializationInputError, match="not numbers"):
        sp_.location_quotient(pd.DataFrame({"x": [1, 2], "y": ["a", 3]}, index=["p", "q"]))
    with pytest.raises(SpecializationInputError, match="empty"):
        sp_.location_quotient(np.zeros((0, 3)))


# --- traded/local and cluster strength ------------------------------------------------------------
def _towns():
    """Six towns: bakeries everywhere in proportion to size, carpets in two towns."""
    sizes = [100, 200, 300, 100, 200, 100]
    rows = []
    for k, size in enumerate(sizes):
        town = f"T{k}"
        rows.append((town, "1071", size * 0.5, size // 20))  # bakeries: 50 % of every town
        rows.append((town, "3100", size * 0.3, size // 20))  # furniture: 30 % everywhere
    rows.append(("T0", "1393", 180.0, 12))  # carpets: concentrated
    rows.append(("T3", "1393", 150.0, 10))
    rows.append(("T5", "1393", 4.0, 1))  # a single weaver in T5
    rows.append(("T5", "2410", 6.0, 1))  # one tiny steel workshop: huge LQ, small base
    return pd.DataFrame(rows, columns=["town", "isic", "employees", "firms"])


def test_classify_traded():
    t = sp_.classify_traded(_towns(), "town", "isic", "employees").set_index("isic")
    assert not t.loc["1071", "traded"] and not t.loc["3100", "traded"]
    assert t.loc["1393", "traded"] and t.loc["2410", "traded"]
    assert t.loc["1071", "locational_gini"] < 0.15 < 0.25 <= t.loc["1393", "locational_gini"]
    assert t.loc["1071", "presence_share"] == 1.0
    assert t.loc["2410", "n_regions"] == 1
    with pytest.raises(SpecializationInputError, match="gini_threshold"):
        sp_.classify_traded(_towns(), "town", "isic", "employees", gini_threshold=0.7)


def test_cluster_strength_flags_small_base_without_hiding_it():
    df = _towns()
    s = sp_.cluster_strength(df, "town", "isic", "employees", count="firms")
    cell = s.set_index(["town", "isic"])
    steel = cell.loc[("T5", "2410")]
    assert steel["lq"] == pytest.approx((6 / 90) / (6 / 1140))  # ≈ 12.7
    assert steel["strong"] and steel["small_base"]  # flagged, kept
    assert steel["n_establishments"] == 1
    carpets = cell.loc[("T0", "1393")]
    assert carpets["strong"] and carpets["traded"] and not carpets["small_base"]
    assert carpets["rank_in_region"] == 1
    assert carpets["national_share"] == pytest.approx(180 / 334)
    assert carpets["rank_by_value"] == 1 and cell.loc[("T3", "1393"), "rank_by_value"] == 2
    assert carpets["n_regions"] == 3
    # by hand: T0 totals 50 + 30 + 180 = 260, the economy 800 + 340 = 1140
    assert carpets["lq"] == pytest.approx((180 / 260) / (334 / 1140))
    # T1's bakeries: 100 of 160 jobs vs 500 of 1140 nationally → LQ ≈ 1.43, strong but local
    bakery = cell.loc[("T1", "1071")]
    assert bakery["lq"] == pytest.approx((100 / 160) / (500 / 1140))
    assert bakery["strong"] and not bakery["traded"]
    candidates = s[s["candidate"]]
    assert set(map(tuple, candidates[["town", "isic"]].to_numpy())) == {("T0", "1393"),
                                                                          ("T3", "1393")}
    # the candidate column is the rule, cell by cell: the steel works is strong, not a candidate
    assert (s["candidate"] == (s["strong"] & s["traded"] & ~s["small_base"])).all()
    assert not steel["candidate"] and not bakery["candidate"]
    # sorted by region, then rank within the region
    assert s["town"].is_monotonic_increasing
    assert (s.groupby("town")["rank_in_region"].apply(lambda r: r.is_monotonic_increasing)).all()


def test_cluster_strength_options():
    df = _towns()
    # without count each row is one establishment: every cell here is "small"
    s0 = sp_.cluster_strength(df, "town", "isic", "employees")
    assert s0["small_base"].all() and (s0["n_establishments"] == 1).all()
    s = sp_.cluster_strength(df, "town", "isic", "employees", count="firms",
                             min_establishments=11, min_value=0).set_index(["town", "isic"])
    assert not s.loc[("T0", "1393"), "small_base"] and s.loc[("T3", "1393"), "small_base"]
    big = sp_.cluster_strength(df, "town", "isic", "employees", count="firms",
                               min_region_total=200)
    # town totals: T0 260, T1 160, T2 240, T3 230, T4 160, T5 90
    assert set(big.loc[~big.small_base, "town"]) == {"T0", "T2", "T3"}
    # traded given by the caller (e.g. a county-level classification)
    s2 = sp_.cluster_strength(df, "town", "isic", "employees", traded={"1071"})
    assert set(s2.loc[s2.traded, "isic"]) == {"1071"}
    cls = sp_.classify_traded(df, "town", "isic", "employees", gini_threshold=0.0)
    s3 = sp_.cluster_strength(df, "town", "isic", "employees", traded=cls)
    assert s3["traded"].all()
    with pytest.raises(SpecializationInputError, match="no classification"):
        sp_.cluster_strength(df, "town", "isic", "employees",
                             traded=pd.Series({"1071": True}))
    # CMP top-quartile rule: of the 3 towns with carpets (LQ 2.36, 2.23, 0.15) only T0 stays
    s4 = sp_.cluster_strength(df, "town", "isic", "employees", top_share=0.25)
    assert s4.loc[(s4.isic == "1393") & s4.strong, "town"].tolist() == ["T0"]
    assert (s4.loc[s4.strong, "rank_by_lq"] == 1).all()
    s4b = sp_.cluster_strength(df, "town", "isic", "employees", top_share=0.5)  # ceil(1.5) = 2
    assert s4b.loc[(s4b.isic == "1393") & s4b.strong, "town"].tolist() == ["T0", "T3"]
    # a higher LQ threshold keeps only the steel workshop (LQ ≈ 12.7)
    s5 = sp_.cluster_strength(df, "town", "isic", "employees", lq_threshold=5.0)
    assert list(map(tuple, s5.loc[s5.strong, ["town", "isic"]].to_numpy())) == [("T5", "2410")]
    with pytest.raises(SpecializationInputError, match="lq_threshold"):
        sp_.cluster_strength(df, "town", "isic", "employees", lq_threshold=0)


def test_cluster_strength_wide_input_has_no_counts():
    s = sp_.cluster_strength(wide(MAT))
    assert "n_establishments" not in s.columns
    # only the value rule applies: cells below 10 are small
    assert set(s.loc[s.small_base, "value"]) == {5.0}


# --- the command line (file mode) -----------------------------------------------------------------
def _run(*args):
    from typer.testing import CliRunner

    from khooshe.cli import app

    return CliRunner().invoke(app, ["--lang", "en", *map(str, args)])


def test_cli_specialize_strength(tmp_path):
    src = tmp_path / "firms.csv"
    _towns().to_csv(src, index=False)
    out = tmp_path / "strength.csv"
    res = _run("specialize", src, "--region", "town", "--activity", "isic", "--value",
               "employees", "--count", "firms", "-o", out)
    assert res.exit_code == 0, res.output
    assert "candidate clusters" in res.output
    got = pd.read_csv(out, dtype={"isic": str})
    assert len(got) == len(_towns())
    row = got[(got.town == "T0") & (got.isic == "1393")].iloc[0]
    assert row.lq == pytest.approx((180 / 260) / (334 / 1140)) and bool(row.strong)
    # per-region and per-activity tables, as Parquet
    for table in ("regions", "activities"):
        out2 = tmp_path / f"{table}.parquet"
        res = _run("specialize", src, "--region", "town", "--activity", "isic", "--value",
                   "employees", "--table", table, "-o", out2)
        assert res.exit_code == 0, res.output
        assert len(pd.read_parquet(out2)) == (6 if table == "regions" else 4)


def test_cli_specialize_bad_input_writes_nothing(tmp_path):
    src = tmp_path / "firms.csv"
    src.write_text("town,isic,employees\nT0,1393,5\nT1,1393,abc\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    res = _run("specialize", src, "--region", "town", "--activity", "isic", "--value",
               "employees", "-o", out)
    assert res.exit_code == 2 and "not numbers" in res.output and not out.exists()
    res = _run("specialize", src, "--region", "town", "--activity", "nope", "-o", out)
    assert res.exit_code == 2 and "'nope'" in res.output and not out.exists()
    res = _run("specialize", src, "--region", "town", "--activity", "isic", "-o",
               tmp_path / "out.txt")
    assert res.exit_code == 2 and not (tmp_path / "out.txt").exists()
