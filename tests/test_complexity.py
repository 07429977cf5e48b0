"""Economic complexity: Stata's numbers on the real sample, hand-checked variants, robust input."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from khooshe.analysis import complexity_core as core
from khooshe.analysis.complexity import (
    ComplexityWarning,
    complexity,
    complexity_matrix,
    density,
    eci_pci,
    presence,
    proximity,
    proximity_table,
    rca,
    rpop,
)

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reference"
SAMPLE = REFERENCE / "ecomplexity" / "trade_data_sample.csv"
STATA = REFERENCE / "ecomplexity" / "stata_default_1995_head.csv"
KEYS = dict(time="year", location="origin", product="hs92", value="export_val")


def _reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    if not (SAMPLE.exists() and STATA.exists()):
        pytest.skip(f"reference data not available: {SAMPLE.parent} (needs ../shared)")
    data = pd.read_csv(SAMPLE, dtype={"hs92": str, "origin": str})
    stata = pd.read_csv(STATA, dtype={"hs92": str, "origin": str})
    return data, stata


# ---------------------------------------------------------------------------------------------
# Stata ground truth
# ---------------------------------------------------------------------------------------------
def test_reproduces_stata_every_column():
    data, stata = _reference()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComplexityWarning)  # clean data: no warning at all
        out = complexity(data, **KEYS)
    assert len(out) == 2 * 10 * 30
    got = stata.merge(out, on=["year", "origin", "hs92"], how="left", suffixes=("_stata", ""))
    assert len(got) == len(stata) == 120
    assert got["mcp"].notna().all()
    np.testing.assert_array_equal(got["mcp"], got["M"])
    np.testing.assert_array_equal(got["diversity"], got["diversity_stata"])
    np.testing.assert_array_equal(got["ubiquity"], got["ubiquity_stata"])
    # Stata stored export_val as float: RCA agrees to float precision
    np.testing.assert_allclose(got["rca"], got["rca_stata"], rtol=1e-6, atol=0)
    for col in ("eci", "pci", "density", "coi", "cog"):
        np.testing.assert_allclose(got[col], got[f"{col}_stata"], rtol=0, atol=1e-6, err_msg=col)
    aut = got[(got.origin == "aut") & (got.hs92 == "1704")].iloc[0]
    assert aut["eci"] == pytest.approx(1.0732072, abs=1e-7)
    assert aut["density"] == pytest.approx(0.4625, abs=1e-12)


def test_stata_numbers_on_both_code_paths():
    """The grouped-by-ubiquity fast path and the explicit proximity matrix agree with Stata."""
    data, stata = _reference()
    x = data[data.year == 1995].pivot_table(index="origin", columns="hs92",
                                            values="export_val", aggfunc="sum", fill_value=0)
    want = stata.set_index(["origin", "hs92"])
    for method in ("explicit", "implicit"):
        res = complexity_matrix(x, _method=method)
        got = res.to_frame(location="origin", product="hs92").set_index(["origin", "hs92"])
        got = got.loc[want.index]
        for col in ("eci", "pci", "density", "coi", "cog"):
            np.testing.assert_allclose(got[col], want[col], atol=1e-9, err_msg=f"{method} {col}")


def test_pypi_ecomplexity_differs_only_by_documented_conventions():
    """PyPI ecomplexity's ECI is Stata's scaled by sqrt(NP/(NP-1)) (population sd over
    locations instead of Stata's long-table sd)."""
    data, stata = _reference()
    pypi = pytest.importorskip("ecomplexity")
    one = data[data.year == 1995]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pypi.ecomplexity(one, {"time": "year", "loc": "origin", "prod": "hs92",
                                        "val": "export_val"}, verbose=False,
                                  check_logsupermodularity=False)
    ours = complexity(one, **KEYS)
    t = theirs.groupby("origin")["eci"].first()
    o = ours.groupby("origin")["eci"].first()
    assert t["aut"] == pytest.approx(1.0750, abs=1e-4)
    n, p = 10, 30
    np.testing.assert_allclose(t.sort_index(), o.sort_index() * np.sqrt(n * p / (n * p - 1)),
                               atol=1e-9)


# ---------------------------------------------------------------------------------------------
# Building blocks, hand-checked
# ---------------------------------------------------------------------------------------------
X2 = np.array([[10.0, 30.0], [20.0, 40.0]])
POP2 = np.array([1.0, 3.0])


def test_rca_and_rpop_by_hand():
    np.testing.assert_allclose(rca(X2), [[(10 / 40) / 0.3, (30 / 40) / 0.7],
                                         [(20 / 60) / 0.3, (40 / 60) / 0.7]])
    np.testing.assert_allclose(rpop(X2, POP2), [[4 / 3, 12 / 7], [8 / 9, 16 / 21]])
    with pytest.raises(ValueError, match="population"):
        rpop(X2, [1.0, 0.0])


def test_presence_tests_thresholds_and_strictness():
    r, q = rca(X2), rpop(X2, POP2)  # RCA ≈ [[.83, 1.07], [1.11, .95]]
    np.testing.assert_array_equal(presence(r), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(presence(r, rca_threshold=1.08), [[0, 0], [1, 0]])
    np.testing.assert_array_equal(presence(rpop=q), [[1, 1], [0, 0]])
    np.testing.assert_array_equal(presence(r, q), [[1, 1], [1, 0]])  # union, never 2
    ones = np.ones((2, 2))
    assert not presence(ones).any()  # RCA exactly 1 is not > 1 (Stata), unlike PyPI's >=
    assert presence(ones, rca_threshold=0.99).all()


# A 4 × 4 "chain": u = (2, 3, 3, 2), C12 = 2, C13 = 1, C14 = 0, C23 = 2, C24 = 1, C34 = 2
CHAIN = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1]], dtype=float)


def test_discrete_symmetric_proximity_and_density_by_hand():
    phi = proximity(CHAIN)
    want = np.array([[0, 2 / 3, 1 / 3, 0], [2 / 3, 0, 2 / 3, 1 / 3],
                     [1 / 3, 2 / 3, 0, 2 / 3], [0, 1 / 3, 2 / 3, 0]])
    np.testing.assert_allclose(phi, want)
    dens = density(CHAIN, phi)
    assert dens[0, 2] == pytest.approx((1 / 3 + 2 / 3) / (1 / 3 + 2 / 3 + 2 / 3))  # 3/5
    assert dens[3, 0] == pytest.approx((1 / 3) / (2 / 3 + 1 / 3))


def test_asymmetric_proximity_by_hand():
    m = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0], [0, 0, 1]], dtype=float)
    # u = (3, 2, 2); C12 = 2, C13 = 1, C23 = 1; φ_qp = C_qp / u_p = P(q | p)
    phi = proximity(m, asymmetric=True)
    want = np.array([[0, 2 / 2, 1 / 2], [2 / 3, 0, 1 / 2], [1 / 3, 1 / 2, 0]])
    np.testing.assert_allclose(phi, want)
    dens = density(m, phi)
    # location 2 has only product 1: density of product 2 = φ_12 / (φ_12 + φ_32)
    assert dens[1, 1] == pytest.approx(1 / (1 + 1 / 2))
    sym = density(m, proximity(m))  # symmetric: φ_12 = 2/3, φ_32 = 1/2
    assert sym[1, 1] == pytest.approx((2 / 3) / (2 / 3 + 1 / 2))
    table = proximity_table(
        pd.DataFrame({"c": np.repeat(list("abcd"), 3), "p": ["x", "y", "z"] * 4,
                      "v": m.ravel()}),
        location="c", product="p", value="v", presence="manual", asymmetric=True)
    row = table[(table.p_1 == "x") & (table.p_2 == "y")].iloc[0]
    assert row.proximity == pytest.approx(1.0)  # P(x | y): both holders of y hold x
    assert len(table) == 6  # ordered pairs, no self pairs


def test_continuous_proximity_by_hand():
    lev = np.array([[1.0, 2.0, 3.0, 1.0], [2.0, 4.0, 2.0, 0.0], [3.0, 6.0, 1.0, 1.0]])
    # corr(p1, p2) = 1, corr(p1, p3) = -1, corr(p1, p4) = 0
    phi = proximity(lev, continuous=True)
    assert phi[0, 1] == pytest.approx(1.0)
    assert phi[0, 2] == pytest.approx(0.0, abs=1e-12)
    assert phi[0, 3] == pytest.approx(0.5)
    assert np.all(np.diag(phi) == 0)
    dens = density(lev, phi)
    col = phi[:, 0]
    assert dens[1, 0] == pytest.approx((lev[1] @ col) / col.sum())


def test_knn_density_by_hand_with_ties():
    phi = proximity(CHAIN)
    # column 1: φ21 = 2/3, φ31 = 1/3, φ41 = 0 → k=1 keeps product 2 only
    d1 = density(CHAIN, phi, knn=1)
    np.testing.assert_allclose(d1[:, 0], CHAIN[:, 1])
    d2 = density(CHAIN, phi, knn=2)
    np.testing.assert_allclose(d2[:, 0], CHAIN[:, 1] * 2 / 3 + CHAIN[:, 2] * 1 / 3)
    # column 2: φ12 = φ32 = 2/3 tie for first place → both kept with k=1 (Stata keeps ties)
    np.testing.assert_allclose(d1[:, 1], (CHAIN[:, 0] + CHAIN[:, 2]) / 2)
    # k = P is the full density
    np.testing.assert_allclose(density(CHAIN, phi, knn=4), density(CHAIN, phi))
    with pytest.raises(ValueError, match="knn"):
        density(CHAIN, phi, knn=0)


def test_eci_follows_stata_eigenvector_convention():
    """Against a direct transcription of Stata's ecipci.ado (eig of the P × P matrix)."""
    rng = np.random.default_rng(3)
    m = (rng.random((12, 40)) < 0.35).astype(float)
    m = m[:, m.sum(0) > 0][m.sum(1) > 0]
    kc0, kp0 = m.sum(1), m.sum(0)
    mp = (m / kp0[None, :] / kc0[:, None]).T @ m
    vals, vecs = np.linalg.eig(mp)
    kp = np.real(vecs[:, np.argsort(-np.abs(vals))[1]])
    kc = (m / kc0[:, None]) @ kp
    s = 1.0 if np.corrcoef(kc0, kc)[0, 1] > 0 else -1.0
    kp, kc = s * kp, s * kc
    p = m.shape[1]
    sd = np.sqrt(p * ((kc - kc.mean()) ** 2).sum() / (m.shape[0] * p - 1))
    ep = eci_pci(m)
    np.testing.assert_allclose(ep.eci, (kc - kc.mean()) / sd, atol=1e-10)
    np.testing.assert_allclose(ep.pci, (kp - kc.mean()) / sd, atol=1e-10)
    # ECI is the average PCI of the location's products
    np.testing.assert_allclose(ep.eci, (m @ ep.pci) / kc0, atol=1e-12)
    # product side (more locations than products) gives the same
    ep_t = eci_pci(m[:, :8][m[:, :8].sum(1) > 0])
    assert np.isfinite(ep_t.eci).all()
    sub = m[:, :8][m[:, :8].sum(1) > 0]
    np.testing.assert_allclose(ep_t.eci, (sub @ ep_t.pci) / sub.sum(1), atol=1e-12)


# ---------------------------------------------------------------------------------------------
# The whole pipeline against an independent dense transcription of the formulas
# ---------------------------------------------------------------------------------------------
def _dense_reference(x, *, continuous=False, asymmetric=False, knn=None, threshold=1.0):
    r = (x / x.sum(1, keepdims=True)) / (x.sum(0, keepdims=True) / x.sum())
    m = (r > threshold).astype(float)
    u = m.sum(0)
    c = m.T @ m
    if continuous:
        phi = 0.5 * (1 + np.corrcoef(r.T))
        lev = r
    elif asymmetric:
        phi = c / u[None, :]
        lev = m
    else:
        phi = np.minimum(c / u[None, :], c / u[:, None])
        lev = m
    np.fill_diagonal(phi, 0)
    if knn:
        kth = -np.sort(-phi, axis=0)[knn - 1]
        w = phi * (phi >= kth[None, :])
    else:
        w = phi
    dens = (lev @ w) / w.sum(0)[None, :]
    ep = eci_pci(m)
    kp = ep.kp
    n, p = m.shape
    coi = (dens * (1 - m) * kp[None, :]).sum(1)
    coi = (coi - coi.mean()) / np.sqrt(p * ((coi - coi.mean()) ** 2).sum() / (n * p - 1))
    cog = (1 - m) * ((1 - m) @ (phi * (kp / phi.sum(1))[:, None])) / ep.sd
    return dict(rca=r, mcp=m, density=dens, coi=coi, cog=cog, eci=ep.eci)


@pytest.mark.parametrize("opts", [
    {}, {"asymmetric": True}, {"continuous": True}, {"knn": 5}, {"knn": 3, "asymmetric": True},
    {"knn": 6, "continuous": True}, {"threshold": 1.3},
])
@pytest.mark.parametrize("method", ["explicit", "implicit"])
def test_variants_match_dense_reference(opts, method):
    rng = np.random.default_rng(11)
    x = rng.lognormal(0, 2, size=(14, 70)) * (rng.random((14, 70)) < 0.7)
    x[:, x.sum(0) == 0] = 1.0
    ref = _dense_reference(x, **opts)
    kw = dict(opts)
    kw["rca_threshold"] = kw.pop("threshold", 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        res = complexity_matrix(x, _method=method, **kw)
    assert res.mcp.shape == x.shape
    np.testing.assert_array_equal(res.mcp, ref["mcp"])
    for key in ("density", "coi", "cog", "eci"):
        np.testing.assert_allclose(getattr(res, key), ref[key], atol=1e-10, err_msg=key)


def test_fast_path_matches_explicit_on_wider_matrix():
    rng = np.random.default_rng(5)
    x = rng.lognormal(0, 2, size=(25, 600)) * (rng.random((25, 600)) < 0.5)
    x = x[:, x.sum(0) > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        a = complexity_matrix(x, _method="explicit")
        b = complexity_matrix(x, _method="implicit", knn=10)
        c = complexity_matrix(x, _method="explicit", knn=10)
    b2 = complexity_matrix(x, _method="implicit")
    for key in ("density", "coi", "cog", "eci", "pci"):
        np.testing.assert_allclose(getattr(b2, key), getattr(a, key), atol=1e-11)
        np.testing.assert_allclose(getattr(b, key), getattr(c, key), atol=1e-11)


def test_rpop_and_both_in_the_pipeline():
    rng = np.random.default_rng(4)
    locs, prods = list("abcdefghij"), list("opqrstuvwxyz")
    data = pd.DataFrame({"loc": np.repeat(locs, 12), "prod": prods * 10,
                         "v": rng.lognormal(0, 1.5, 120)})
    pop = pd.DataFrame({"loc": locs, "population": rng.lognormal(0, 0.3, 10)})
    out = complexity(data, location="loc", product="prod", value="v", presence="rpop",
                     population=pop, rpop_threshold=1.0)
    x = data.pivot(index="loc", columns="prod", values="v").to_numpy()
    want_rpop = (x / x.sum(0)) / (pop.population.to_numpy()[:, None] / pop.population.sum())
    np.testing.assert_allclose(out["rpop"], want_rpop.ravel())
    np.testing.assert_array_equal(out["mcp"], (want_rpop > 1).ravel().astype(int))
    assert "rca" in out  # reported alongside
    both = complexity(data, location="loc", product="prod", value="v", presence="both",
                      population=pop, rca_threshold=1.2, rpop_threshold=2.0)
    r = rca(x)
    np.testing.assert_array_equal(both["mcp"], ((r > 1.2) | (want_rpop > 2.0)).ravel())
    series = complexity(data, location="loc", product="prod", value="v", presence="rpop",
                        population=pop.set_index("loc")["population"])
    np.testing.assert_allclose(series["rpop"], out["rpop"])


def test_population_missing_for_a_location_is_left_out():
    data = _toy()
    pop = pd.DataFrame({"loc": [f"L{i}" for i in range(7)], "population": 1.0})
    pop.loc[2, "population"] = 0.0
    with pytest.warns(ComplexityWarning, match=r"without a positive population.*2 \(L2, L7\)"):
        out = complexity(data, presence="rpop", population=pop, **TOY)
    assert set(out["loc"]) == {f"L{i}" for i in (0, 1, 3, 4, 5, 6)}


# ---------------------------------------------------------------------------------------------
# Robust input
# ---------------------------------------------------------------------------------------------
def _toy(**extra) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    locs = [f"L{i}" for i in range(8)]
    prods = [f"0{i}01" for i in range(10)]  # HS-like codes with leading zeros
    return pd.DataFrame({"loc": np.repeat(locs, len(prods)), "hs": prods * len(locs),
                         "v": np.round(rng.lognormal(3, 1.5, len(locs) * len(prods)), 2)})


TOY = dict(location="loc", product="hs", value="v")


def test_codes_keep_leading_zeros_and_numeric_codes_work():
    out = complexity(_toy(), **TOY)
    assert set(out["hs"]) == {f"0{i}01" for i in range(10)}
    num = _toy()
    num["hs"] = num["hs"].astype(int)
    out2 = complexity(num, **TOY)
    assert out2["hs"].dtype.kind == "i"
    np.testing.assert_allclose(out2["eci"], out["eci"])


def test_duplicates_summed_with_warning():
    df = _toy()
    dup = df.iloc[[0]].assign(v=5.0)
    with pytest.warns(ComplexityWarning, match="duplicated"):
        out = complexity(pd.concat([df, dup]), **TOY)
    assert out.loc[(out["loc"] == "L0") & (out.hs == "0001"), "v"].item() == df.v.iloc[0] + 5


def test_nan_values_are_zero_with_warning_and_text_numbers_accepted():
    df = _toy()
    df["v"] = df["v"].astype(str)
    df.loc[3, "v"] = None
    with pytest.warns(ComplexityWarning, match="missing value"):
        out = complexity(df, **TOY)
    assert out.loc[3, "v"] == 0
    df.loc[4, "v"] = "abc"
    with pytest.raises(ValueError, match="not numbers.*'abc'"):
        complexity(df, **TOY)


def test_negative_values():
    df = _toy()
    df.loc[2, "v"] = -3.0
    with pytest.raises(ValueError, match="1 negative value"):
        complexity(df, **TOY)
    with pytest.warns(ComplexityWarning, match="negative"):
        out = complexity(df, negative="zero", **TOY)
    assert out.loc[2, "v"] == 0


def test_zero_total_location_and_product_are_dropped():
    df = _toy()
    df.loc[df["loc"] == "L3", "v"] = 0.0
    df.loc[df.hs == "0501", "v"] = 0.0
    with pytest.warns(ComplexityWarning) as rec:
        out = complexity(df, **TOY)
    text = " ".join(str(w.message) for w in rec)
    assert "locations with zero total" in text and "L3" in text
    assert "products with zero total" in text and "0501" in text
    assert "L3" not in set(out["loc"]) and "0501" not in set(out.hs)
    assert len(out) == 7 * 9


def test_periods_are_independent_and_single_period_has_no_time_column():
    a, b = _toy().assign(t=2001), _toy().assign(t=2002)
    b["v"] = b["v"][::-1].to_numpy()
    both = complexity(pd.concat([a, b]), time="t", **TOY)
    alone = complexity(b.drop(columns="t"), **TOY)
    assert "t" not in alone
    got = both[both.t == 2002].reset_index(drop=True)
    for col in ("rca", "eci", "pci", "density", "coi", "cog"):
        np.testing.assert_allclose(got[col], alone[col], err_msg=col)
    assert list(both.columns[:4]) == ["t", "loc", "hs", "v"]


def test_manual_presence():
    df = _toy()
    m = (rca(df.pivot(index="loc", columns="hs", values="v")) > 1).astype(int)
    long = m.stack().rename("m").reset_index()
    out = complexity(long, location="loc", product="hs", value="m", presence="manual")
    ref = complexity(df, **TOY)
    assert "rca" not in out
    for col in ("mcp", "eci", "pci", "density", "coi", "cog"):
        np.testing.assert_allclose(out[col], ref[col], err_msg=col)
    long.loc[0, "m"] = 2
    with pytest.raises(ValueError, match="0/1"):
        complexity(long, location="loc", product="hs", value="m", presence="manual")


@pytest.mark.parametrize("kwargs, message", [
    ({"location": "nope", "product": "hs", "value": "v"}, "'nope' not in the data"),
    ({**TOY, "presence": "rpop"}, "needs population"),
    ({**TOY, "presence": "xyz"}, "presence must be"),
    ({**TOY, "continuous": True, "asymmetric": True}, "symmetric"),
    ({**TOY, "continuous": True, "presence": "manual"}, "continuous"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        complexity(_toy(), **kwargs)


def test_missing_codes_and_too_small_periods():
    df = _toy()
    df.loc[1, "loc"] = None
    with pytest.raises(ValueError, match="'loc': 1 row"):
        complexity(df, **TOY)
    one = _toy()
    one = one[one["loc"] == "L0"]
    with pytest.raises(ValueError, match="at least 2 locations"):
        complexity(one, **TOY)
    with pytest.raises(ValueError, match="the data has no rows"):
        complexity(_toy().iloc[:0], **TOY)
    zero = pd.concat([_toy().assign(t=1), _toy().assign(t=2, v=0.0)])
    with pytest.warns(ComplexityWarning) as rec, \
            pytest.raises(ValueError, match="period 2: need at least 2 locations"):
        complexity(zero, time="t", **TOY)
    text = " ".join(str(w.message) for w in rec)
    assert "period 2: locations with zero total left out: 8" in text
    assert "period 2: products with zero total left out: 10" in text


def test_zero_ubiquity_after_high_threshold_gives_nan_with_warning():
    df = _toy()
    top = np.sort(rca(df.pivot(index="loc", columns="hs", values="v")).max(axis=0).to_numpy())
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = complexity(df, rca_threshold=(top[1] + top[2]) / 2, **TOY)
    assert any("zero ubiquity" in str(w.message) for w in rec)
    no_u = out[out.ubiquity == 0]
    assert len(no_u) and no_u["pci"].isna().all() and no_u["density"].isna().all()
    has_u = out[out.ubiquity > 0]
    assert has_u["pci"].notna().all()


def test_knn_larger_than_products_warns():
    with pytest.warns(ComplexityWarning, match="knn"):
        out = complexity(_toy(), knn=100, **TOY)
    ref = complexity(_toy(), **TOY)
    np.testing.assert_allclose(out["density"], ref["density"])


def test_internal_operator_shapes():
    """The ubiquity-grouped operator equals the explicit φ on arbitrary row blocks."""
    rng = np.random.default_rng(2)
    m = (rng.random((9, 50)) < 0.3).astype(float)
    m[0, m.sum(0) == 0] = 1
    op = core._ProximityOp("discrete", m, method="implicit")
    y = rng.normal(size=(4, 50))
    np.testing.assert_allclose(op.apply(y), y @ proximity(m), atol=1e-12)
    np.testing.assert_allclose(op.colsum(), proximity(m).sum(0), atol=1e-12)
