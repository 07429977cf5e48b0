"""Tests of khooshe.analysis.portfolio (exact portfolio of half-finished units) and its CLI.

The optimiser is checked against exhaustive search (every subset of up to 11 units) and against
dynamic programming (50 units with small costs) on random instances (hypothesis), including
costs of 10^13 rials where floating-point tolerances could let a budget slip.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from khooshe.analysis import portfolio as pf
from khooshe.cli import app
from khooshe.domain.errors import InputError
from khooshe.domain.validate import ValidationError, parse_amount

# A few dozen random instances in the default run; hundreds with ``-m slow``.
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# --- helpers ---------------------------------------------------------------------------------
def units_frame(cost, jobs, progress=None, province=None, isic=None, **extra) -> pd.DataFrame:
    n = len(cost)
    province = province if province is not None else ["06"] * n
    return pd.DataFrame({
        "id": [f"u{i}" for i in range(n)],
        "province": province,
        "county": [f"{p}0{i % 3 + 1}" for i, p in enumerate(province)],
        "isic": isic if isic is not None else ["1010"] * n,
        "progress_pct": progress if progress is not None else [50.0] * n,
        "remaining_cost_rials": np.asarray(cost, dtype=np.int64),
        "expected_jobs": np.asarray(jobs, dtype=np.int64),
        **extra,
    })


def all_subsets(n: int) -> np.ndarray:
    """Every subset of n units as rows of a 0/1 matrix (2^n × n)."""
    return ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int64)


def feasible_mask(units, subsets, budget, caps_p=None, caps_s=None, include=(), exclude=(),
                  min_progress=None) -> np.ndarray:
    """Which subsets satisfy budget, caps and lists (min progress excludes units not included;
    units without value are allowed here: they never improve a maximum)."""
    cost = units["remaining_cost_rials"].to_numpy(dtype=np.int64)
    ok = np.ones(len(subsets), bool)
    if budget is not None:
        ok &= subsets @ cost <= budget
    for code, amount in (caps_p or {}).items():
        m = (units["province"] == code).to_numpy()
        ok &= subsets[:, m] @ cost[m] <= amount
    for code, amount in (caps_s or {}).items():
        m = units["isic"].str.startswith(code).to_numpy()
        ok &= subsets[:, m] @ cost[m] <= amount
    ids = units["id"].tolist()
    for i in include:
        ok &= subsets[:, ids.index(i)] == 1
    for i in exclude:
        ok &= subsets[:, ids.index(i)] == 0
    if min_progress is not None:
        low = (units["progress_pct"] < min_progress).to_numpy() & ~units["id"].isin(include)
        ok &= subsets[:, low].sum(axis=1) == 0
    return ok


def exact_holds(units, selected, budget, caps_p=None, caps_s=None) -> None:
    cost = units["remaining_cost_rials"].to_numpy(dtype=np.int64)
    sel = np.asarray(selected, bool)
    if budget is not None:
        assert int(cost[sel].sum()) <= budget
    for code, amount in (caps_p or {}).items():
        m = (units["province"] == code).to_numpy()
        assert int(cost[sel & m].sum()) <= amount
    for code, amount in (caps_s or {}).items():
        m = units["isic"].str.startswith(code).to_numpy()
        assert int(cost[sel & m].sum()) <= amount


@st.composite
def instances(draw, max_n: int = 11):
    n = draw(st.integers(1, max_n))
    big = draw(st.booleans())  # rials of a real unit (up to 10^13) or small integers
    hi = 10**13 if big else 60
    cost = draw(st.lists(st.integers(0, hi), min_size=n, max_size=n))
    jobs = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))
    progress = draw(st.lists(st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)),
                             min_size=n, max_size=n))
    province = draw(st.lists(st.sampled_from(["06", "11", "23"]), min_size=n, max_size=n))
    isic = draw(st.lists(st.sampled_from(["1010", "1071", "2394"]), min_size=n, max_size=n))
    units = units_frame(cost, jobs, progress, province, isic)
    total = sum(cost)
    budget = int(total * draw(st.floats(0, 1.1))) if total else draw(st.integers(0, 5))
    caps_p, caps_s = {}, {}
    if draw(st.booleans()):
        p = draw(st.sampled_from(sorted(set(province))))
        caps_p[p] = int(total * draw(st.floats(0, 0.6)))
    if draw(st.booleans()):
        s = draw(st.sampled_from(["10", "1071", "2394", "1010"]))
        if units["isic"].str.startswith(s).any():
            caps_s[s] = int(total * draw(st.floats(0, 0.6)))
    ids = units["id"].tolist()
    include = draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))
    exclude = draw(st.lists(st.sampled_from([i for i in ids if i not in include] or ["-"]),
                            max_size=2, unique=True))
    exclude = [e for e in exclude if e != "-"]
    min_progress = draw(st.none() | st.floats(0, 90, allow_nan=False))
    return units, budget, caps_p, caps_s, include, exclude, min_progress


# --- exactness against exhaustive search -----------------------------------------------------
@FAST
@given(instances())
def test_optimum_equals_exhaustive_search(inst):
    check_optimum(inst)


@pytest.mark.slow
@THOROUGH
@given(instances())
def test_optimum_equals_exhaustive_search_thorough(inst):
    check_optimum(inst)


def check_optimum(inst):
    units, budget, caps_p, caps_s, include, exclude, min_progress = inst
    subsets = all_subsets(len(units))
    ok = feasible_mask(units, subsets, budget, caps_p, caps_s, include, exclude, min_progress)
    jobs = units["expected_jobs"].to_numpy()
    # validated once (validation is tested below); the solver is what is checked here
    kw = dict(cap_province=caps_p, cap_sector=caps_s, include=include, exclude=exclude,
              min_progress=min_progress, validated=True)
    units = pf.validate_units(units)
    if not ok.any():
        with pytest.raises(pf.PortfolioInfeasibleError):
            pf.optimize_portfolio(units, budget, **kw)
        return
    best = int((subsets[ok] @ jobs).max())
    res = pf.optimize_portfolio(units, budget, **kw)
    assert res.jobs == best
    assert res.optimal and res.gap == 0.0
    assert res.dual_bound == best
    sel = res.selected
    exact_holds(units, sel, budget, caps_p, caps_s)
    assert all(sel[units["id"] == i].all() for i in include)
    assert not any(sel[units["id"] == i].any() for i in exclude)
    # among optimal portfolios the cheapest is returned
    optimal = ok & (subsets @ jobs == best)
    cost = units["remaining_cost_rials"].to_numpy(dtype=np.int64)
    assert res.cost == int((subsets[optimal] @ cost).min())
    # the naive rules respect the same constraints and never beat the optimum
    for rule in pf.GREEDY_RULES:
        g = res.units[f"selected_{rule}"].to_numpy() == 1
        exact_holds(units, g, budget, caps_p, caps_s)
        assert res.greedy_jobs[rule] == int(jobs[g].sum()) <= best
        assert res.gain_over_greedy[rule] >= 0


@FAST
@given(instances(max_n=10), st.integers(0, 150))
def test_cheapest_for_jobs_equals_exhaustive_search(inst, target):
    check_cheapest(inst, target)


@pytest.mark.slow
@THOROUGH
@given(instances(max_n=10), st.integers(0, 150))
def test_cheapest_for_jobs_equals_exhaustive_search_thorough(inst, target):
    check_cheapest(inst, target)


def check_cheapest(inst, target):
    units, _, caps_p, caps_s, include, exclude, min_progress = inst
    subsets = all_subsets(len(units))
    ok = feasible_mask(units, subsets, None, caps_p, caps_s, include, exclude, min_progress)
    jobs = units["expected_jobs"].to_numpy()
    cost = units["remaining_cost_rials"].to_numpy(dtype=np.int64)
    # validated once (validation is tested below); the solver is what is checked here
    kw = dict(cap_province=caps_p, cap_sector=caps_s, include=include, exclude=exclude,
              min_progress=min_progress, validated=True)
    units = pf.validate_units(units)
    if not ok.any():
        with pytest.raises(pf.PortfolioInfeasibleError):
            pf.cheapest_for_jobs(units, target, **kw)
        return
    reach = ok & (subsets @ jobs >= target)
    if not reach.any():
        with pytest.raises(pf.PortfolioInfeasibleError) as err:
            pf.cheapest_for_jobs(units, target, **kw)
        largest = int((subsets[ok] @ jobs).max())
        assert err.value.largest == largest
        assert f"at most {largest:,} jobs" in str(err.value)
        return
    res = pf.cheapest_for_jobs(units, target, **kw)
    assert res.cost == int((subsets[reach] @ cost).min())
    assert res.jobs >= target and res.optimal
    exact_holds(units, res.selected, None, caps_p, caps_s)


def test_weighted_objective_equals_exhaustive_search():
    rng = np.random.default_rng(3)
    for _ in range(15):
        n = int(rng.integers(2, 11))
        units = units_frame(rng.integers(1, 10**12, n), rng.integers(0, 60, n),
                            expected_output=rng.integers(0, 10**12, n).astype(float),
                            expected_exports=np.where(rng.random(n) < 0.5,
                                                      rng.uniform(0, 1e6, n), np.nan))
        budget = int(units["remaining_cost_rials"].sum() * rng.uniform(0.1, 0.9))
        w = {"jobs": 2.0, "output": 1.0, "exports": 1.0}
        score = pf.weighted_score(units, w).to_numpy()
        assert math.isclose(score.sum(), 1.0)
        subsets = all_subsets(n)
        ok = feasible_mask(units, subsets, budget)
        best = float((subsets[ok] @ score).max())
        res = pf.optimize_portfolio(units, budget, objective="weighted", weights=w)
        assert res.optimal
        assert res.objective_value == pytest.approx(best, rel=1e-9, abs=1e-12)
        assert float(res.units["score"][res.selected].sum()) == pytest.approx(best, rel=1e-9)
        exact_holds(units, res.selected, budget)


def test_weighted_with_only_jobs_is_the_jobs_objective():
    rng = np.random.default_rng(5)
    units = units_frame(rng.integers(10**9, 10**12, 300), rng.integers(1, 200, 300))
    budget = int(units["remaining_cost_rials"].sum() * 0.4)
    a = pf.optimize_portfolio(units, budget)
    b = pf.optimize_portfolio(units, budget, objective="weighted", weights={"jobs": 1})
    assert a.optimal and b.optimal
    assert b.jobs == a.jobs
    assert b.objective_value == pytest.approx(a.jobs / units["expected_jobs"].sum())


# --- dynamic programming on larger instances ------------------------------------------------
def knapsack_dp(cost: np.ndarray, jobs: np.ndarray, budget: int) -> int:
    """Textbook 0/1 knapsack DP, vectorised over the capacity."""
    best = np.zeros(budget + 1, dtype=np.int64)
    for c, j in zip(cost.tolist(), jobs.tolist(), strict=True):
        if c <= budget:
            best[c:] = np.maximum(best[c:], best[: budget + 1 - c] + j)
    return int(best[budget])


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(20, 60), st.floats(0.05, 0.95))
def test_optimum_equals_dynamic_programming(seed, n, share):
    check_dp(seed, n, share)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(20, 120), st.floats(0.05, 0.95))
def test_optimum_equals_dynamic_programming_thorough(seed, n, share):
    check_dp(seed, n, share)


def check_dp(seed, n, share):
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 300, n)
    # strongly correlated jobs: the hard kind of knapsack
    jobs = cost // 3 + rng.integers(0, 5, n)
    units = units_frame(cost, jobs)
    budget = int(cost.sum() * share)
    res = pf.optimize_portfolio(units, budget)
    assert res.jobs == knapsack_dp(cost, jobs, budget)
    assert res.optimal
    assert res.cost <= budget


# --- hand-made examples ----------------------------------------------------------------------
def test_greedy_rules_and_gain_on_a_known_example():
    # budget 10: A (6 → 7 jobs) is the cheapest per job and the most advanced, but B + C give 10
    units = units_frame([6, 5, 5], [7, 5, 5], progress=[90.0, 40.0, 30.0])
    res = pf.optimize_portfolio(units, 10)
    assert res.selected_ids == ["u1", "u2"]
    assert (res.jobs, res.cost, res.optimal) == (10, 10, True)
    assert res.greedy_jobs == {"most_advanced": 7, "cheapest_per_job": 7}
    assert res.gain_over_greedy == {"most_advanced": 3, "cheapest_per_job": 3}
    # budget 11: A then B fit (12 jobs), which is also the optimum
    res = pf.optimize_portfolio(units, 11)
    assert res.greedy_jobs["most_advanced"] == 12 and res.jobs == 12


def test_most_advanced_skips_what_does_not_fit_and_goes_on():
    units = units_frame([8, 5, 2, 1], [10, 9, 1, 1], progress=[95.0, 90.0, 80.0, 70.0])
    out = pf.greedy_portfolio(units, 10, "most_advanced")
    assert out["selected"].tolist() == [1, 0, 1, 0]  # 8, skip 5, take 2, then 1 does not fit
    out = pf.greedy_portfolio(units, 10, "cheapest_per_job")
    # cost per job: 0.8, 0.556, 2, 1 → u1 (5), u0 (8) does not fit, u3 (1), u2 (2)
    assert out["selected"].tolist() == [0, 1, 1, 1]


def test_ties_are_broken_by_cost():
    units = units_frame([10, 5], [5, 5])
    res = pf.optimize_portfolio(units, 10)
    assert res.selected_ids == ["u1"] and res.cost == 5


def test_cost_per_job_and_units_without_jobs():
    units = units_frame([100, 0, 50, 0], [4, 3, 0, 0])
    cpj = pf.cost_per_job(units)
    assert cpj.iloc[0] == 25 and cpj.iloc[1] == 0
    assert np.isnan(cpj.iloc[2]) and np.isnan(cpj.iloc[3])
    res = pf.optimize_portfolio(units, 1000)
    # a unit without jobs is never bought (it would only spend money)
    assert res.selected.tolist() == [True, True, False, False]
    assert res.units["reason"].tolist() == ["", "", "no expected jobs", "no expected jobs"]
    # … unless it must be included
    res = pf.optimize_portfolio(units, 1000, include=["u2"])
    assert res.selected.tolist() == [True, True, True, False]


def test_marginal_units():
    units = units_frame([40, 30, 30, 25], [40, 20, 21, 10])
    res = pf.optimize_portfolio(units, 100)
    # optimum: u0 + u1 + u2 = 100 → 81 jobs
    assert res.jobs == 81 and res.cost == 100
    assert res.marginal_in.id == "u1"  # 1.5 rials per job, the least efficient bought
    out = res.marginal_out
    assert out.id == "u3" and out.extra_budget == 25 and out.blocked_by == ("budget",)
    # a cap blocks the next unit although the budget would suffice
    units = units_frame([10, 10], [5, 4], province=["06", "06"])
    res = pf.optimize_portfolio(units, 100, cap_province={"06": 15})
    assert res.selected_ids == ["u0"]
    assert res.marginal_out.blocked_by == ("cap province 06",)
    assert res.marginal_out.extra_budget == 0


def test_sector_cap_by_isic_prefix():
    units = units_frame([10, 10, 10], [5, 5, 5], isic=["1010", "1071", "2394"])
    res = pf.optimize_portfolio(units, 100, cap_sector={"10": 10})
    assert res.jobs == 10 and res.units["selected"].tolist()[2] == 1
    assert res.caps == {"cap sector 10": 10}


def test_min_progress_and_lists():
    units = units_frame([10, 10, 10], [9, 8, 7], progress=[20.0, 60.0, 90.0])
    res = pf.optimize_portfolio(units, 100, min_progress=50)
    assert res.selected_ids == ["u1", "u2"]
    assert res.units["reason"].iloc[0] == "progress below 50 %"
    res = pf.optimize_portfolio(units, 100, min_progress=50, include="u0", exclude=["u2"])
    assert res.selected_ids == ["u0", "u1"]


def test_infeasible_must_include_names_the_bound():
    units = units_frame([10, 10], [5, 5], province=["06", "11"])
    with pytest.raises(pf.PortfolioInfeasibleError, match="more than the budget of 15"):
        pf.optimize_portfolio(units, 15, include=["u0", "u1"])
    with pytest.raises(pf.PortfolioInfeasibleError, match="cap province 06 of 5"):
        pf.optimize_portfolio(units, 100, include=["u0"], cap_province={"06": 5})


def test_target_infeasible_says_the_largest_reachable():
    units = units_frame([10, 10, 10], [5, 6, 7], province=["06", "06", "11"])
    with pytest.raises(pf.PortfolioInfeasibleError, match="at most 18 jobs") as err:
        pf.cheapest_for_jobs(units, 19)
    assert err.value.largest == 18
    with pytest.raises(pf.PortfolioInfeasibleError, match="caps allow at most 13 jobs"):
        pf.cheapest_for_jobs(units, 15, cap_province={"06": 10})
    res = pf.cheapest_for_jobs(units, 12)
    assert (res.cost, res.jobs) == (20, 13)


# --- frontier --------------------------------------------------------------------------------
def test_frontier_matches_single_optimisations():
    rng = np.random.default_rng(11)
    n = 200
    units = units_frame(rng.integers(10**9, 10**12, n), rng.integers(5, 200, n),
                        progress=rng.uniform(10, 95, n).round(1),
                        province=rng.choice(["06", "11", "23"], n).tolist())
    caps = {"06": int(units["remaining_cost_rials"].sum() * 0.1)}
    f = pf.frontier(units, points=20, cap_province=caps)
    assert len(f) == 20
    assert f["optimal"].all()
    assert (f["jobs"].diff().dropna() >= 0).all()
    assert (f["cost"] <= f["budget"]).all()
    assert (f["greedy_most_advanced"] <= f["jobs"]).all()
    assert (f["greedy_cheapest_per_job"] <= f["jobs"]).all()
    for k in (0, 7, 19):
        one = pf.optimize_portfolio(units, int(f["budget"].iloc[k]), cap_province=caps)
        assert one.jobs == f["jobs"].iloc[k]
    top = int(units["remaining_cost_rials"].sum())
    assert f["budget"].iloc[-1] == top
    g = pf.frontier(units, budgets=[top // 4, "1_000"])
    assert g["budget"].tolist() == [1000, top // 4]


# --- input -----------------------------------------------------------------------------------
def test_parse_amount():
    assert parse_amount("2.5e12") == 2_500_000_000_000
    assert parse_amount("2_500_000") == 2_500_000
    assert parse_amount("2,500,000") == 2_500_000
    assert parse_amount("۲٬۵۰۰") == 2500
    assert parse_amount(7) == 7
    for bad in ("0.5", "-3", "abc", "1e30", "", "nan"):
        with pytest.raises(InputError):
            parse_amount(bad)


def test_bad_rows_are_named():
    raw = pd.DataFrame({
        "id": ["a", "b", "c", "a"],
        "province": ["06", "6", "06", "06"],
        "county": ["0601", "0601", "1101", "0602"],
        "isic": ["1010", "1010", "10", "1010"],
        "progress_pct": ["50", "120", "30", "40"],
        "remaining_cost_rials": ["1,000", "-5", "x", "10"],
        "expected_jobs": ["3", "2.5", "", "1"],
        "name": ["keep", "me", "as", "is"],
    })
    with pytest.raises(ValidationError) as err:
        pf.validate_units(raw, source="units.csv")
    got = {(i.row, i.column) for i in err.value.issues}
    assert {(3, "province"), (3, "progress_pct"), (3, "remaining_cost_rials"),
            (3, "expected_jobs"), (4, "isic"), (4, "remaining_cost_rials"),
            (4, "expected_jobs"), (5, "id"), (4, "county")} <= got
    county = next(i for i in err.value.issues if i.column == "county")
    assert county.value == "1101" and "province '06'" in county.reason
    ok = pf.validate_units(raw.iloc[[0]])
    assert ok["remaining_cost_rials"].tolist() == [1000]
    assert ok["name"].tolist() == ["keep"]  # other columns pass through


def test_bad_arguments():
    units = units_frame([10, 10], [5, 5])
    with pytest.raises(pf.PortfolioInputError, match="unknown unit id"):
        pf.optimize_portfolio(units, 10, include=["zz"])
    with pytest.raises(pf.PortfolioInputError, match="both must-include and must-exclude"):
        pf.optimize_portfolio(units, 10, include=["u0"], exclude=["u0"])
    with pytest.raises(pf.PortfolioInputError, match="no unit in that province"):
        pf.optimize_portfolio(units, 10, cap_province={"99": 5})
    with pytest.raises(pf.PortfolioInputError, match="no 'expected_output' values"):
        pf.optimize_portfolio(units, 10, objective="weighted", weights={"output": 1})
    with pytest.raises(pf.PortfolioInputError, match="objective"):
        pf.optimize_portfolio(units, 10, objective="profit")
    with pytest.raises(ValidationError, match="no units|problem"):
        pf.optimize_portfolio(units.iloc[:0], 10)


def test_time_limit_reports_gap_honestly():
    # strongly correlated knapsack with huge coefficients: hard to prove in a few milliseconds
    rng = np.random.default_rng(0)
    n = 3000
    cost = rng.integers(10**11, 10**12, n)
    jobs = cost // 10**9 + 10
    units = units_frame(cost, jobs)
    res = pf.optimize_portfolio(units, int(cost.sum() // 2), time_limit=0.05,
                                minimize_cost=False)
    exact_holds(units, res.selected, int(cost.sum() // 2))
    assert res.optimal == (res.gap == 0.0)
    assert res.dual_bound >= res.jobs
    if not res.optimal:
        assert res.gap == pytest.approx((res.dual_bound - res.jobs) / res.jobs)


@pytest.mark.slow
def test_national_scale_is_proven_fast():
    rng = np.random.default_rng(2)
    n = 7600
    progress = rng.uniform(10, 95, n)
    total = rng.lognormal(np.log(3e11), 1.0, n)
    cost = np.round(total * (1 - progress / 100)).astype(np.int64)
    jobs = np.clip(np.round(30 * (total / 3e11) ** 0.45 * rng.lognormal(0, 0.5, n)), 5, 200)
    units = units_frame(cost, jobs.astype(np.int64), progress=progress.round(1))
    t = time.perf_counter()
    res = pf.optimize_portfolio(units, int(cost.sum() * 0.3))
    assert res.optimal and time.perf_counter() - t < 5


# --- CLI -------------------------------------------------------------------------------------
@pytest.fixture
def units_csv(tmp_path):
    units = units_frame([6, 5, 5, 40], [7, 5, 5, 1], progress=[90.0, 40.0, 30.0, 99.0],
                        province=["06", "06", "11", "11"])
    units["remaining_cost_rials"] *= 10**9
    path = tmp_path / "units.csv"
    units.to_csv(path, index=False)
    return path


def test_cli_portfolio(units_csv, tmp_path):
    out, summary, front = tmp_path / "out.csv", tmp_path / "s.json", tmp_path / "f.xlsx"
    r = CliRunner().invoke(app, [
        "portfolio", str(units_csv), "--budget", "10_000_000_000", "--target-jobs", "12",
        "--frontier", "20", "--frontier-out", str(front), "-o", str(out),
        "--summary-json", str(summary), "--cap-province", "06=1e13",
    ])
    assert r.exit_code == 0, r.output
    assert "proven optimum" in r.output
    table = pd.read_csv(out, dtype={"province": str})
    assert table["selected"].tolist() == [0, 1, 1, 0]
    assert table["cost_per_job"].iloc[0] == pytest.approx(6e9 / 7)
    # 12 jobs: u0 with u1 or with u2 (both 11 bn rials)
    assert table["selected_target"].iloc[0] == 1 and table["selected_target"].sum() == 2
    s = json.loads(summary.read_text())
    assert s["objective"] == "jobs" and s["jobs"] == 10 and s["cost"] == 10**10
    assert s["budget"] == 10**10 and s["optimal"] is True and s["gap"] == 0
    assert s["greedy_jobs"] == {"most_advanced": 7, "cheapest_per_job": 7}
    assert s["target"]["cost"] == 11 * 10**9 and s["target"]["optimal"] is True
    assert len(s["frontier"]) == 20
    assert len(pd.read_excel(front)) == 20


def test_cli_portfolio_errors_write_nothing(units_csv, tmp_path):
    out, summary = tmp_path / "out.csv", tmp_path / "s.json"
    bad = tmp_path / "bad.csv"
    text = units_csv.read_text().splitlines()
    text[2] = text[2].replace(",40.0,", ",140.0,")
    bad.write_text("\n".join(text) + "\n")
    r = CliRunner().invoke(app, ["portfolio", str(bad), "--budget", "10", "-o", str(out),
                                 "--summary-json", str(summary)])
    assert r.exit_code == 2
    assert "row 3" in r.output and "progress_pct" in r.output and "140.0" in r.output
    assert not out.exists() and not summary.exists()
    # an unreachable target: say so with the largest reachable value, write nothing
    r = CliRunner().invoke(app, ["portfolio", str(units_csv), "--budget", "10", "--target-jobs",
                                 "100", "-o", str(out), "--summary-json", str(summary)])
    assert r.exit_code == 2 and "at most 18 jobs" in r.output
    assert not out.exists() and not summary.exists()
    for args, msg in (
        (["--budget", "ten"], "not a number of rials"),
        (["--budget", "10", "--cap-province", "06"], "CODE=AMOUNT"),
        (["--budget", "10", "--include", "nope"], "unknown unit id"),
        (["--budget", "10", "--objective", "profit"], "jobs or weighted"),
    ):
        r = CliRunner().invoke(app, ["portfolio", str(units_csv), *args, "-o", str(out)])
        assert r.exit_code == 2 and msg in r.output, r.output
        assert not out.exists()
    # a directory is a workspace: it needs --province, and must be one
    r = CliRunner().invoke(app, ["portfolio", str(tmp_path), "--budget", "10", "-o", str(out)])
    assert r.exit_code == 2 and "--province is required" in r.output
    r = CliRunner().invoke(app, ["portfolio", str(tmp_path), "--province", "06", "-o", str(out)])
    assert r.exit_code == 2 and "workspace" in r.output
    assert not out.exists()


@FAST
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 1.0), st.integers(0, 3))
def test_job_target_without_caps_by_dynamic_programme_equals_highs(seed, share, forced):
    """With no budget and no caps the job target is solved exactly by a dynamic programme
    (both of its forms: leaving out at most the slack, or covering the target); HiGHS proves
    the same least cost."""
    rng = np.random.default_rng(seed)
    n = 60
    units = pf.validate_units(pd.DataFrame({
        "id": [f"U{i}" for i in range(n)], "province": "06",
        "isic": rng.choice(["1010", "2410", "2220"], n),
        "progress_pct": rng.uniform(10, 95, n),
        "remaining_cost_rials": rng.integers(1, 500, n) * 10**9,
        "expected_jobs": rng.integers(1, 60, n)}))
    include, exclude = [f"U{i}" for i in range(forced)], [f"U{n - 1 - i}" for i in range(forced)]
    reach = int(units.loc[~units["id"].isin(exclude), "expected_jobs"].sum())
    target = int(share * reach)
    dp = pf.cheapest_for_jobs(units, target, include=include, exclude=exclude, validated=True)
    assert dp.status.startswith("Optimal (dynamic programme)") and dp.optimal
    assert dp.jobs >= target and set(include) <= set(dp.units.loc[dp.selected, "id"])
    assert not set(exclude) & set(dp.units.loc[dp.selected, "id"])
    assert dp.cost == int(units["remaining_cost_rials"].to_numpy()[dp.selected].sum())
    highs = pf.cheapest_for_jobs(units, target, include=include, exclude=exclude,
                                 validated=True, method="highs")
    assert highs.optimal and "dynamic" not in highs.status
    assert dp.cost == highs.cost


def test_highs_is_not_misled_by_costs_in_rials():
    """Regression: given a start portfolio, HiGHS 1.16 stopped at a target portfolio costing
    390 bn rials and called it optimal, on costs of ~10⁹ rials; the optimum costs 389 bn
    (units U19 + U55 instead of U4 + U25). khooshe scales the objective before HiGHS sees it."""
    costs = [318, 55, 465, 307, 63, 225, 28, 443, 120, 286, 294, 360, 321, 281, 83, 67, 78,
             375, 338, 21, 6, 208, 290, 123, 115, 3, 236, 78, 406, 465, 106, 156, 403, 131,
             498, 339, 308, 68, 289, 327, 150, 345, 326, 355, 129, 348, 275, 100, 279, 208,
             458, 491, 194, 108, 465, 44, 473, 261, 445, 119]
    jobs = [47, 10, 2, 54, 50, 30, 2, 35, 22, 5, 52, 30, 42, 40, 6, 38, 50, 42, 13, 22, 37, 22,
            30, 20, 20, 17, 47, 54, 23, 20, 13, 32, 41, 21, 26, 31, 27, 41, 51, 37, 15, 29, 56,
            52, 22, 27, 3, 16, 38, 50, 12, 9, 45, 51, 50, 39, 52, 53, 47, 13]
    units = pf.validate_units(pd.DataFrame({
        "id": [f"U{i}" for i in range(60)], "province": "06", "isic": "1010",
        "progress_pct": 50.0, "remaining_cost_rials": [c * 10**9 for c in costs],
        "expected_jobs": jobs}))
    res = pf.cheapest_for_jobs(units, 145, include=["U0"], exclude=["U59"], validated=True,
                               method="highs")  # HiGHS, not the dynamic programme
    assert res.optimal and res.cost == 389 * 10**9
    assert set(res.units.loc[res.selected, "id"]) == {"U0", "U19", "U20", "U55"}
