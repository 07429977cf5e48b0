"""Village potential and the per-county shortlist on small synthetic inputs built here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _villages_world import ACTS, KM_LAT, LINKS, in_words, make_world, parse, score
from khooshe.analysis import complexity
from khooshe.analysis import potential as pt
from khooshe.domain.geo import haversine_km
from khooshe.io.reference import isic_names


@pytest.fixture(scope="module")
def world():
    return make_world()


@pytest.fixture(scope="module")
def potential(world):
    return score(world["regions"], world["establishments"], world["resources"],
                 world["parks"], province="01", activities=ACTS)


def _score_from_components(pot: pt.Potential) -> np.ndarray:
    total = np.zeros(pot.score.shape)
    for name in pot.component_names:
        rows, cols = np.indices(pot.score.shape)
        total += pot.signed_weight(name) * pot.component(name, rows.ravel(), cols.ravel()
                                                          ).reshape(pot.score.shape)
    return total


# ------------------------------------------------------------------------------- weights
def test_default_weights_sum_to_one_with_reasons():
    w = parse(None)
    assert set(w.weights) == set(pt.COMPONENTS)
    assert sum(w.weights.values()) == pytest.approx(1.0)
    assert all(len(w.reasons[c]) > 40 for c in pt.COMPONENTS)
    assert w.park_share + w.seat_share + w.city_share == pytest.approx(1.0)
    assert [p.name for p in w.penalties] == ["water_stress"]


def test_weights_override_is_relative_and_strict():
    w = parse("[components.resources]\nweight = 0.75\n")
    # given weights 0.25, 0.75, 0.20, 0.15, 0.15 → divided by 1.5
    assert w.weights["resources"] == pytest.approx(0.5)
    assert w.weights["relatedness"] == pytest.approx(0.25 / 1.5)
    with pytest.raises(ValueError, match="unknown key.*radius"):
        parse("[components.resources]\nradius = 3\n")
    with pytest.raises(ValueError, match="unknown component 'water'"):
        parse("[components.water]\nweight = 1\n")
    with pytest.raises(ValueError, match=r"components.labour.weight must be ≥ 0"):
        parse("[components.labour]\nweight = -1\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        parse("[components\n")
    with pytest.raises(ValueError, match="at least one component weight"):
        parse("\n".join(f"[components.{c}]\nweight = 0" for c in pt.COMPONENTS))
    off = parse("[penalties.water_stress]\nweight = 0\nresource = 'water_stress'\n")
    assert off.penalties == ()


# ------------------------------------------------------------------------------ additivity
def test_weighted_components_add_up_to_the_score(potential):
    assert potential.score.dtype == np.float32
    np.testing.assert_allclose(_score_from_components(potential), potential.score, atol=2e-6)
    for name in ("relatedness", "resources", "agglomeration", "access", "labour"):
        arr = getattr(potential, name)
        assert arr.min() >= 0 and arr.max() <= 1


def test_shortlist_rows_add_up(potential):
    sl = pt.shortlist(potential, per_county=3, min_spacing_km=0)
    total = sum(potential.signed_weight(n) * sl.villages[f"c_{n}"]
                for n in potential.component_names)
    np.testing.assert_allclose(total, sl.villages["score"], atol=2e-6)


# ------------------------------------------------------------------------- components
def test_relatedness_matches_the_complexity_engine(world):
    """A village with no firm within the radius has ω = (1 − s) · county density (engine)."""
    w = parse("[components.relatedness]\nradius_km = 5.0\n")
    potential = score(world["regions"], world["establishments"],
                      world["resources"], world["parks"], province="01",
                      activities=ACTS, weights=w)
    est = world["establishments"]
    est = est[est["status"] == "operating"]
    counties = ["0101", "0102", "0103", "0201"]
    acts = sorted(set(est["isic"]) | set(ACTS))
    x = (est.assign(county=est["region_code"].str[:4])
         .pivot_table(index="county", columns="isic", values="employees", aggfunc="sum")
         .reindex(index=counties, columns=acts).fillna(0).to_numpy())
    m = complexity.presence(rca=complexity.rca(x), rca_threshold=w.rca_threshold)
    phi = complexity.proximity(m.astype(float))
    dens = complexity.density(m.astype(float), phi)            # (county, activity)
    dens = np.nan_to_num(dens)
    cells = potential.to_long()
    v = potential.villages.set_index("village_code")
    lat = v["lat"].to_numpy()
    # villages farther than the radius from every firm: only the county part remains
    d = haversine_km(lat[:, None], v["lon"].to_numpy()[:, None],
                        est["lat"].to_numpy()[None, :], est["lon"].to_numpy()[None, :])
    far = v.index[(d > w.relatedness_radius_km + 1.5).all(axis=1)]
    assert len(far) >= 3
    sub = cells[cells["village_code"].isin(far)]
    expect = (1 - w.local_share) * dens[
        [counties.index(c) for c in sub["county_code"]],
        [acts.index(a) for a in sub["activity"]]]
    np.testing.assert_allclose(sub["density"], expect, rtol=1e-5, atol=1e-7)
    # and near villages add their surroundings: the density of the seat-side village is higher
    near = cells[(cells["village_code"] == "0101010101")].set_index("activity")["density"]
    assert (near >= (1 - w.local_share) * dens[0, [acts.index(a) for a in near.index]]
            - 1e-7).all()


def test_resources_radius_links_and_areal_resources(world):
    w = parse("[components.resources]\nradius_km = 6.0\n")
    potential = score(world["regions"], world["establishments"],
                      world["resources"], world["parks"], province="01",
                      activities=ACTS, weights=w)
    long = potential.to_long()
    tea = long[long["activity"] == "1079"].set_index("village_code")
    # tea_leaf at village 03 (500 t) and 04 (100 t); villages every 2.5 km; radius 6 km
    q = tea["resource_quantity"]
    assert q["0101010101"] == pytest.approx(500)       # 5 km from 03, 7.5 km from 04
    assert q["0101010105"] == pytest.approx(600)       # 5 and 2.5 km
    assert q["0101010106"] == pytest.approx(100)       # 7.5 and 5 km
    assert np.isnan(q["0101010108"])                   # 12.5 and 10 km: none
    assert tea.loc["0101010105", "c_resources"] == pytest.approx(1.0)
    assert tea.loc["0101010106", "c_resources"] == pytest.approx((100 / 600) ** 0.5, rel=1e-6)
    assert tea.loc["0101010108", "c_resources"] == 0
    assert (tea.loc[tea.index.str.startswith("0102"), "c_resources"] == 0).all()
    # olive oil (1040) has no tea link: 0 everywhere
    assert (long.loc[long["activity"] == "1040", "c_resources"] == 0).all()
    steel = long[long["activity"] == "2410"].set_index("village_code")
    # iron ore recorded on county 0103 belongs to each of its villages
    assert (steel.loc[steel.index.str.startswith("0103"), "c_resources"] == 1.0).all()
    assert (steel.loc[~steel.index.str.startswith("0103"), "c_resources"] == 0).all()


def test_access_and_labour_exact(potential):
    v = potential.villages.set_index("village_code")
    w = potential.weights
    row = v.loc["0101010102"]
    i = v.index.get_loc("0101010102")
    # park and seat at the county centre, 5 km west; the seat is the nearest city
    assert row["dist_park_km"] == pytest.approx(5.0, abs=0.01)
    expect = (w.park_share * 2 ** (-row["dist_park_km"] / w.park_half_km)
              + w.seat_share * 2 ** (-row["dist_seat_km"] / w.seat_half_km)
              + w.city_share * 2 ** (-row["dist_city_km"] / w.city_half_km))
    assert potential.access[i] == pytest.approx(expect, rel=1e-6)
    # labour: 200 people × 0.7 against the province's best, 800 × 0.7
    assert potential.labour[i] == pytest.approx((200 / 800) ** 0.5, rel=1e-6)


def test_province_alone_equals_national_run(world, potential):
    nat = score(world["regions"], world["establishments"], world["resources"],
                world["parks"], activities=ACTS)
    rows = nat.villages["province_code"].to_numpy() == "01"
    np.testing.assert_array_equal(nat.villages["village_code"][rows],
                                  potential.villages["village_code"])
    np.testing.assert_allclose(nat.score[rows], potential.score, atol=1e-7)


def test_penalty_from_resources_lowers_listed_activities(world):
    res = pd.concat([world["resources"], pd.DataFrame([
        ("0101", "water_stress", 0.8, "index"),            # the whole county
    ], columns=world["resources"].columns)])
    base = score(world["regions"], world["establishments"], world["resources"],
                 world["parks"], province="01", activities=ACTS)
    pen = score(world["regions"], world["establishments"], res, world["parks"],
                province="01", activities=ACTS)
    diff = base.score - pen.score
    in_0101 = pen.villages["county_code"].to_numpy() == "0101"
    j = [list(pen.activities).index(a) for a in ("1050", "2410")]  # listed water-intensive
    np.testing.assert_allclose(diff[np.ix_(in_0101, j)], 0.8 * 0.10, atol=1e-6)
    assert np.abs(np.delete(diff, j, axis=1)).max() < 1e-6
    assert np.abs(diff[~in_0101]).max() < 1e-6
    np.testing.assert_allclose(_score_from_components(pen), pen.score, atol=2e-6)
    assert not any("water_stress" in str(n) for n in pen.notes)
    assert any("water_stress" in str(n) for n in base.notes)


def test_bad_inputs_name_the_problem(world):
    r, e, res, p = (world[k] for k in ("regions", "establishments", "resources", "parks"))
    with pytest.raises(ValueError, match="province '09'"):
        score(r, e, res, p, province="09")
    with pytest.raises(ValueError, match="establishments lack column.*isic"):
        score(r, e.drop(columns="isic"), res, p)
    with pytest.raises(ValueError, match="4-digit"):
        score(r, e.assign(isic="10"), res, p)
    with pytest.raises(ValueError, match="quantity"):
        score(r, e, res.assign(quantity=-1.0), p)
    with pytest.raises(ValueError, match="activities must be 4-digit"):
        score(r, e, res, p, activities=["tea"])
    with pytest.raises(ValueError, match="appears twice"):
        score(pd.concat([r, r.iloc[:1]]), e, res, p)


# ------------------------------------------------------------------ monotonicity (hypothesis)
component_arrays = st.integers(2, 5).flatmap(lambda v: st.integers(1, 4).flatmap(
    lambda p: st.tuples(*(st.lists(st.floats(0, 1, width=32), min_size=v * p, max_size=v * p)
                          for _ in pt.COMPONENTS), st.just((v, p)))))


@settings(max_examples=80, deadline=None)
@given(component_arrays, st.integers(0, 4), st.integers(0, 100), st.floats(0, 1))
def test_raising_any_component_never_lowers_a_score(data, which, cell, delta):
    *arrays, shape = data
    w = parse(None)
    comps = {name: np.array(a, dtype=np.float32).reshape(shape)
             for name, a in zip(pt.COMPONENTS, arrays, strict=True)}
    before = pt.combine(comps, w)
    name = pt.COMPONENTS[which]
    idx = np.unravel_index(cell % comps[name].size, shape)
    raised = {k: v.copy() for k, v in comps.items()}
    raised[name][idx] = min(1.0, raised[name][idx] + delta)
    after = pt.combine(raised, w)
    assert (after >= before).all()
    total = sum(w.weights[k] * comps[k].astype(np.float64) for k in pt.COMPONENTS)
    np.testing.assert_allclose(before, total, atol=1e-6)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=12), st.integers(0, 11),
       st.floats(0, 1e6), st.sampled_from([0.5, 1.0, 2.0]), st.integers(1, 3))
def test_normalise_is_monotone_and_bounded(values, i, delta, exponent, n_groups):
    x = np.array(values)
    groups = np.arange(len(x)) % n_groups
    i = i % len(x)
    a = pt.normalise(x, groups, exponent=exponent)
    y = x.copy()
    y[i] += delta
    b = pt.normalise(y, groups, exponent=exponent)
    assert ((a >= 0) & (a <= 1)).all()
    assert b[i] >= a[i] - 1e-12
    for g in range(n_groups):
        sel = groups == g
        if sel.any() and x[sel].max() > 0:
            assert a[sel].max() == pytest.approx(1.0)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 7), st.floats(1.1, 20.0), st.sampled_from(["population", "tea", "park"]))
def test_raising_a_villages_raw_inputs_never_lowers_its_scores(world, potential, k, factor,
                                                               what):
    code = f"01010101{k + 1:02d}"
    r, res, parks = world["regions"].copy(), world["resources"].copy(), world["parks"].copy()
    if what == "population":
        r.loc[r["code"] == code, "population"] *= factor
    elif what == "tea":
        res = pd.concat([res, pd.DataFrame([(code, "tea_leaf", 50.0 * factor, "t")],
                                           columns=res.columns)])
        res = res.groupby(["region_code", "resource", "unit"], as_index=False)["quantity"].sum()
    else:  # move the park of province 01 towards the village
        row = r[r["code"] == code].iloc[0]
        t = 1 - 1 / factor
        parks.loc[0, "lat"] += t * (row["lat"] - parks.loc[0, "lat"])
        parks.loc[0, "lon"] += t * (row["lon"] - parks.loc[0, "lon"])
    after = score(r, world["establishments"], res, parks, province="01",
                  activities=ACTS)
    i = list(potential.villages["village_code"]).index(code)
    assert (after.score[i] >= potential.score[i] - 1e-6).all()


# ----------------------------------------------------------------------------- shortlist
def reference_shortlist(pot, eligible, n, k, spacing, quota_hit=None):
    """Brute force: every pair with local evidence (related activities, a feeding resource or
    firms of the activity nearby) of every eligible village, in (−score, village, activity).
    ``quota_hit`` (a dict) learns the counties where the quota turned a pair away."""
    v = pot.villages
    out = []
    quota_hit = {} if quota_hit is None else quota_hit
    evidence = (pot.relatedness > 0) | (pot.resources > 0) | (pot.agglomeration > 0)
    for county in sorted(set(v["county_code"])):
        rows = [i for i in np.flatnonzero(eligible) if v["county_code"].iat[i] == county]
        pairs = sorted((-float(pot.score[r, c]), v["village_code"].iat[r], pot.activities[c], r, c)
                       for r in rows for c in range(len(pot.activities)) if evidence[r, c])
        chosen, used = [], {}
        for _, _, _, r, c in pairs:
            if r in [x for x, _ in chosen]:
                continue
            if used.get(c, 0) >= k:
                quota_hit[county] = True
                continue
            if any(haversine_km(v["lat"].iat[r], v["lon"].iat[r], v["lat"].iat[x],
                                   v["lon"].iat[x]) < spacing for x, _ in chosen):
                continue
            chosen.append((r, c))
            used[c] = used.get(c, 0) + 1
            if len(chosen) == n:
                break
        out += [(v["village_code"].iat[r], pot.activities[c]) for r, c in chosen]
    return out


@pytest.fixture(scope="module")
def small_potential():
    w = make_world(seed=3, villages_per_county=7)
    return score(w["regions"], w["establishments"], w["resources"], w["parks"],
                 activities=ACTS[:5])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data(), st.integers(1, 8), st.integers(1, 3), st.sampled_from([0.0, 2.0, 4.0, 6.0]),
       st.sampled_from([0, 150, 450]), st.booleans())
def test_shortlist_equals_brute_force_greedy(small_potential, data, n, k, spacing, min_pop,
                                             scatter):
    """Random (tied) scores, and optionally random positions and populations: the shortlist
    is the brute-force greedy, the constraints hold and each county gets min(N, eligible)
    unless spacing or the quota stop it (then the reason says so)."""
    pot = small_potential
    shape = pot.score.shape
    ints = data.draw(st.lists(st.integers(0, 3), min_size=shape[0] * shape[1],
                              max_size=shape[0] * shape[1]))
    villages = pot.villages
    if scatter:  # villages anywhere within ~9 km of their county's first village
        nv = len(villages)
        dx = np.array(data.draw(st.lists(st.integers(-8, 8), min_size=nv, max_size=nv)), float)
        dy = np.array(data.draw(st.lists(st.integers(-8, 8), min_size=nv, max_size=nv)), float)
        pop = data.draw(st.lists(st.integers(0, 900), min_size=nv, max_size=nv))
        first = villages.groupby("county_code")[["lat", "lon"]].transform("first")
        villages = villages.assign(
            lat=first["lat"] + 0.6 * dy * KM_LAT,
            lon=first["lon"] + 0.6 * dx * KM_LAT / np.cos(np.radians(first["lat"])),
            population=np.array(pop, float))
    tied = pt.Potential(**{**pot.__dict__, "villages": villages,
                           "score": (np.array(ints, np.float32) / 4).reshape(shape)})
    sl = in_words(tied, pt.shortlist(tied, per_county=n, max_per_activity=k,
                                     min_spacing_km=spacing, min_population=min_pop))
    pop = tied.villages["population"].to_numpy()
    some_evidence = ((tied.relatedness > 0) | (tied.resources > 0)
                     | (tied.agglomeration > 0)).any(axis=1)
    eligible = (pop >= min_pop) & some_evidence
    got = list(zip(sl.villages["village_code"], sl.villages["activity"], strict=True))
    quota_hit: dict[str, bool] = {}
    assert got == reference_shortlist(tied, eligible, n, k, spacing, quota_hit)
    # constraints
    v = sl.villages
    assert (v.groupby(["county_code", "activity"]).size() <= k).all()
    assert (v["population"] >= min_pop).all()
    for _county, g in v.groupby("county_code"):
        assert list(g["rank"]) == list(range(1, len(g) + 1))
        assert g["score"].is_monotonic_decreasing
        lat, lon = g["lat"].to_numpy(), g["lon"].to_numpy()
        d = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        assert (d[~np.eye(len(g), dtype=bool)] >= spacing - 1e-9).all()
    # count: exactly min(N, eligible) unless spacing or the quota stopped it, then said so
    counts = sl.counties.set_index("county_code")
    for county, row in counts.iterrows():
        want = min(n, int(row["eligible"]))
        vv = tied.villages
        el = vv[(vv["county_code"] == county) & eligible]
        gaps = haversine_km(el["lat"].to_numpy()[:, None], el["lon"].to_numpy()[:, None],
                               el["lat"].to_numpy()[None, :], el["lon"].to_numpy()[None, :])
        spaced = (gaps[~np.eye(len(el), dtype=bool)] >= spacing).all()
        assert int(row["eligible"]) == len(el)
        if spaced and not quota_hit.get(county):   # nothing but N and eligibility binds
            assert row["shortlisted"] == want
        else:
            assert row["shortlisted"] <= want
        if row["shortlisted"] < want:
            assert row["reason_en"]
            if not quota_hit.get(county):
                # every eligible village left out lies within the spacing of a chosen one
                vv = tied.villages
                chosen = v[v["county_code"] == county]
                left = vv[(vv["county_code"] == county) & eligible
                          & ~vv["village_code"].isin(chosen["village_code"])]
                d = haversine_km(left["lat"].to_numpy()[:, None],
                                    left["lon"].to_numpy()[:, None],
                                    chosen["lat"].to_numpy()[None, :],
                                    chosen["lon"].to_numpy()[None, :])
                assert (d.min(axis=1) < spacing).all()
        if row["eligible"] < n:
            assert "eligible" in row["reason_en"]


def test_ties_break_by_village_then_activity(small_potential):
    shape = small_potential.score.shape
    # every cell tied and with evidence (related activities around), so only order decides
    flat = pt.Potential(**{**small_potential.__dict__,
                           "score": np.full(shape, 0.5, np.float32),
                           "relatedness": np.full(shape, 0.5, np.float32)})
    sl = pt.shortlist(flat, per_county=4, max_per_activity=1, min_spacing_km=0, min_population=0)
    first = sl.villages[sl.villages["county_code"] == "0101"]
    codes = sorted(flat.villages.loc[flat.villages["county_code"] == "0101", "village_code"])
    assert list(first["village_code"]) == codes[:4]
    assert list(first["activity"]) == list(flat.activities[:4])
    assert list(first["alt1_activity"]) == [flat.activities[1]] + [flat.activities[0]] * 3
    again = pt.shortlist(flat, per_county=4, max_per_activity=1, min_spacing_km=0,
                         min_population=0)
    pd.testing.assert_frame_equal(sl.villages, again.villages)


def test_shortlist_from_shuffled_inputs_is_identical(world, potential):
    r = world["regions"].sample(frac=1, random_state=1)
    e = world["establishments"].sample(frac=1, random_state=2)
    shuffled = score(r, e, world["resources"], world["parks"], province="01",
                     activities=ACTS)
    a = pt.shortlist(potential, per_county=5).villages
    b = pt.shortlist(shuffled, per_county=5).villages
    pd.testing.assert_frame_equal(a, b, atol=1e-6)


def test_shortlist_rejects_bad_options(potential):
    for kw in ({"per_county": 0}, {"max_per_activity": 0}, {"min_spacing_km": -1},
               {"min_population": float("nan")}, {"per_county": True}):
        with pytest.raises(ValueError):
            pt.shortlist(potential, **kw)


def test_resource_table_is_documented_and_valid():
    links = LINKS
    names = isic_names()
    assert links["isic"].isin(names.index).all()
    assert (links["note"].str.len() > 10).all()
    for res, isic in (("tea_leaf", "1079"), ("paddy", "1061"), ("milk", "1050"),
                      ("wool", "1393"), ("fish", "1020"), ("olives", "1040")):
        assert ((links["resource"] == res) & (links["isic"] == isic)).any()


def test_missing_coordinates(world):
    est = world["establishments"].copy()
    est.loc[est["region_code"] == "01019001", ["lat", "lon"]] = np.nan
    before = est.copy()
    r = world["regions"].copy()
    r.loc[r["code"] == "0101010108", ["lat", "lon"]] = np.nan
    pot = score(r, est, world["resources"], world["parks"], province="01",
                activities=ACTS, weights=parse("[neighbourhood]\ngrid_km = 0.0\n"))
    pd.testing.assert_frame_equal(est, before)            # inputs are not modified
    # firms without coordinates sit at their region (the seat, 2.5 km from village 01)
    n_tea = int(((est["region_code"] == "01019001") & (est["isic"] == "1079")
                 & (est["status"] == "operating")).sum())
    cells = pot.to_long(villages=["0101010101"]).set_index("activity")
    assert cells.loc["1079", "nearby_firms"] == n_tea > 0
    # a village without coordinates is scored without place-based parts and never shortlisted
    i = list(pot.villages["village_code"]).index("0101010108")
    assert pot.access[i] == 0 and pot.agglomeration[i].max() == 0
    assert any("without coordinates" in str(n) for n in pot.notes)
    sl = in_words(pot, pt.shortlist(pot, per_county=10, min_spacing_km=0, min_population=0))
    assert "0101010108" not in set(sl.villages["village_code"])
    row = sl.counties.set_index("county_code").loc["0101"]
    assert row["eligible"] == 7 and "1 no coordinates" in row["reason_en"]
