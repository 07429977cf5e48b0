"""Benchmark: exact portfolio of half-finished units at national scale (7,600 units).

Synthetic but realistic units (SYNTHETIC data): 31 provinces (Khuzestan, 06, with 1,600 units),
manufacturing ISIC classes, physical progress uniform on 10–95 %, remaining cost log-normal
(median ≈ 150 bn rials, the total cost scaled by what is left to build), expected jobs 5–200 and
correlated with the unit's size (≈ cost^0.45 with log-normal noise).

Timed, each with the jobs won over the naive rules "most advanced first" and "cheapest per job
first":

* the optimum under a national budget (25 % of the total remaining cost), proven (gap 0);
  targets: under 5 s;
* the same with caps per province (Tehran, Khuzestan) and per ISIC division (10, food);
* the weighted objective (jobs, output, exports);
* the 20-point budget → jobs frontier; target under 30 s;
* the cheapest set of Khuzestan units that gives 40,000 jobs;
* for comparison, HiGHS on the full model without the reduced-cost fixing (``--no-baseline``
  skips it).

Run: ``.venv/bin/python benchmarks/portfolio.py [--units N] [--seed S] [--no-baseline]``
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import highspy
import numpy as np
import pandas as pd

from khooshe.analysis import portfolio as pf

# population weights of the 31 provinces (rough 1395 census shares, in thousands)
POP = np.array([3265, 3249, 1270, 5120, 580, 4711, 13267, 947, 1764, 1313, 922, 1913, 2802,
                713, 3165, 1603, 1069, 1738, 2534, 1952, 3283, 1763, 1429, 1760, 1078, 2376,
                1341, 1040, 1586, 2712, 1568], dtype=float)


def synthetic(n: int = 7600, seed: int = 0) -> pd.DataFrame:
    """SYNTHETIC half-finished units at national scale."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"{k:02d}" for k in range(1, 32)])
    khz = min(1600, n)
    others = np.delete(np.arange(31), 5)
    w = POP[others] ** 0.8
    prov = np.concatenate([np.full(khz, 5), rng.choice(others, n - khz, p=w / w.sum())])
    rng.shuffle(prov)
    isic = np.array([f"{c:04d}" for c in rng.choice(np.arange(1010, 3320, 10), n)])
    progress = np.round(rng.uniform(10, 95, n), 1)
    size = rng.lognormal(np.log(5e11), 1.0, n)  # total investment of the unit, rials
    cost = np.round(size * (1 - progress / 100) / 1e6).astype(np.int64) * 1_000_000
    jobs = np.clip(np.round(30 * (size / 5e11) ** 0.45 * rng.lognormal(0, 0.5, n)), 5, 200)
    output = size * rng.lognormal(np.log(0.8), 0.4, n)
    exports = np.where(rng.random(n) < 0.35, output / 6e5 * rng.uniform(0.05, 0.6, n), np.nan)
    return pd.DataFrame({
        "id": [f"HF{k:05d}" for k in range(n)],
        "province": codes[prov],
        "county": [f"{codes[p]}{c:02d}" for p, c in zip(prov, rng.integers(1, 20, n),
                                                         strict=True)],
        "isic": isic,
        "progress_pct": progress,
        "remaining_cost_rials": cost,
        "expected_jobs": jobs.astype(np.int64),
        "expected_output": np.round(output),
        "expected_exports": np.round(exports),
    })


def timed(label: str, fn, results: dict):
    """Wall time of ``fn()`` (tracemalloc is off here: it slows Python loops several-fold)."""
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    results[label] = dt
    print(f"{label:<46s} {dt:8.3f} s")
    return out


def peak_python(fn) -> float:
    """Peak Python-heap memory of ``fn()`` in MiB (HiGHS' own C++ memory is not counted)."""
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def report(res: pf.PortfolioResult) -> None:
    print(f"    {res.jobs:,} jobs from {int(res.selected.sum()):,} units, cost "
          f"{res.cost / 1e12:,.1f} of {res.budget / 1e12:,.1f} thousand bn rials; "
          f"optimal={res.optimal} gap={res.gap:g} bound={res.dual_bound:,.6g} "
          f"({res.free_units:,} units left to the MIP after fixing)")
    for rule, jobs in res.greedy_jobs.items():
        print(f"    naive {rule.replace('_', ' '):<18s} {jobs:>9,} jobs  → optimum gains "
              f"{res.jobs - jobs:+,} ({(res.jobs - jobs) / max(jobs, 1):+.2%})")


def full_highs(units: pd.DataFrame, budget: int, time_limit: float) -> tuple[float, str, float]:
    """HiGHS on the whole 7,600-column model with its defaults (presolve on), no fixing."""
    n = len(units)
    cost = units["remaining_cost_rials"].to_numpy(dtype=float)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, 1
    lp.col_cost_ = units["expected_jobs"].to_numpy(dtype=float)
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    lp.row_lower_, lp.row_upper_ = np.array([-highspy.kHighsInf]), np.array([float(budget)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array([0, n], dtype=np.int32)
    lp.a_matrix_.index_ = np.arange(n, dtype=np.int32)
    lp.a_matrix_.value_ = cost
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1 - 1e-6)
    h.setOptionValue("time_limit", time_limit)
    h.passModel(lp)
    t0 = time.perf_counter()
    h.run()
    return (time.perf_counter() - t0, h.modelStatusToString(h.getModelStatus()),
            h.getInfo().objective_function_value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=7600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--share", type=float, default=0.25,
                        help="budget as a share of the total remaining cost")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip HiGHS on the full model (slow)")
    args = parser.parse_args()

    units = synthetic(args.units, args.seed)
    total = int(units["remaining_cost_rials"].sum())
    budget = int(total * args.share)
    print(f"SYNTHETIC data: {len(units):,} half-finished units, {units['expected_jobs'].sum():,} "
          f"expected jobs, remaining cost {total / 1e12:,.0f} thousand bn rials; "
          f"{(units['progress_pct'] > 80).sum():,} units over 80 % built; budget "
          f"{budget / 1e12:,.0f} thousand bn rials ({args.share:.0%})")
    print(f"highspy {highspy.Highs().version()}\n")
    results: dict[str, float] = {}
    units = timed("validate 7,600 units", lambda: pf.validate_units(units), results)

    res = timed("optimum, jobs (proof incl. cheapest tie-break)",
                lambda: pf.optimize_portfolio(units, budget, validated=True), results)
    report(res)
    res1 = timed("optimum, jobs, without the cost tie-break",
                 lambda: pf.optimize_portfolio(units, budget, validated=True,
                                               minimize_cost=False), results)
    assert res1.jobs == res.jobs
    caps_p = {"23": total // 40, "06": total // 30}
    caps_s = {"10": total // 25}
    res = timed("optimum, jobs, caps (2 provinces, division 10)",
                lambda: pf.optimize_portfolio(units, budget, cap_province=caps_p,
                                              cap_sector=caps_s, validated=True), results)
    report(res)
    res = timed("optimum, jobs, min progress 50 %",
                lambda: pf.optimize_portfolio(units, budget, min_progress=50, validated=True),
                results)
    report(res)
    res = timed("optimum, weighted (jobs, output, exports)",
                lambda: pf.optimize_portfolio(units, budget, objective="weighted",
                                              validated=True), results)
    print(f"    weighted share {res.objective_value:.4f}, optimal={res.optimal} gap={res.gap:g}"
          f"; {res.jobs:,} jobs")

    front = timed("frontier, 20 budgets", lambda: pf.frontier(units, points=20, validated=True),
                  results)
    print("    " + front[["budget", "jobs", "optimal", "seconds", "greedy_most_advanced",
                          "greedy_cheapest_per_job"]]
          .assign(budget=lambda f: (f["budget"] / 1e12).round(0),
                  seconds=lambda f: f["seconds"].round(3))
          .rename(columns={"budget": "budget_1e12", "greedy_most_advanced": "most_adv",
                           "greedy_cheapest_per_job": "cheapest_pj"})
          .to_string(index=False).replace("\n", "\n    "))
    print(f"    all proven optimal: {bool(front['optimal'].all())}; gain over most advanced "
          f"first {int((front['jobs'] - front['greedy_most_advanced']).min()):,}–"
          f"{int((front['jobs'] - front['greedy_most_advanced']).max()):,} jobs, over cheapest "
          f"per job first {int((front['jobs'] - front['greedy_cheapest_per_job']).min()):,}–"
          f"{int((front['jobs'] - front['greedy_cheapest_per_job']).max()):,}")
    front_c = timed("frontier, 20 budgets, with the caps",
                    lambda: pf.frontier(units, points=20, cap_province=caps_p,
                                        cap_sector=caps_s, validated=True), results)
    print(f"    all proven optimal: {bool(front_c['optimal'].all())}; slowest point "
          f"{front_c['seconds'].max():.2f} s")

    khz = units[units["province"] == "06"].reset_index(drop=True)
    tgt = timed("cheapest Khuzestan set for 40,000 jobs",
                lambda: pf.cheapest_for_jobs(khz, 40_000, validated=True), results)
    print(f"    {int(tgt.selected.sum()):,} of {len(khz):,} units, {tgt.jobs:,} jobs for "
          f"{tgt.cost / 1e12:,.1f} thousand bn rials (all {len(khz):,}: "
          f"{khz['remaining_cost_rials'].sum() / 1e12:,.1f}); optimal={tgt.optimal} "
          f"gap={tgt.gap:g}")

    if not args.no_baseline:
        dt, status, value = full_highs(units, budget, 120.0)
        print(f"{'HiGHS on the full model (no fixing)':<46s} {dt:8.3f} s   {status}, "
              f"{value:,.0f} jobs")
        results["full"] = dt
    print()
    print(f"proven optimum: {results['optimum, jobs (proof incl. cheapest tie-break)']:.2f} s "
          f"(target < 5 s); 20-point frontier: {results['frontier, 20 budgets']:.2f} s "
          "(target < 30 s)")
    if "full" in results:
        print(f"speed-up of reduced-cost fixing over plain HiGHS: "
              f"{results['full'] / results['optimum, jobs, without the cost tie-break']:.1f}×")
    mem_opt = peak_python(lambda: pf.optimize_portfolio(units, budget, validated=True))
    mem_front = peak_python(lambda: pf.frontier(units, points=20, validated=True))
    print(f"peak Python memory: optimum {mem_opt:.1f} MiB, frontier {mem_front:.1f} MiB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
