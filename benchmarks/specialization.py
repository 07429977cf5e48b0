"""Benchmark: LQ and cluster strength for 100,000 establishments at village × ISIC level.

Synthetic establishments (60,000 villages, 300 ISIC classes, skewed sizes) are aggregated to a
sparse village × ISIC matrix, then the location quotients and the full cluster-strength table
(traded/local classification included) are computed. Target: under 2 s for aggregation + LQ +
strength. Also times the per-region and per-activity index tables and, for comparison, a dense
numpy LQ on the same matrix.

Run: ``.venv/bin/python benchmarks/specialization.py [--establishments N] [--villages N]``
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

from khooshe.analysis import specialization as spec


def synthetic(n: int, villages: int, activities: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    # village sizes lognormal, activity popularity ~ 1/rank^0.8: most establishments land in
    # different cells, the hard case for a sparse matrix (≈ 50,000 villages used)
    pv = rng.lognormal(0.0, 1.0, villages)
    v = rng.choice(villages, size=n, p=pv / pv.sum())
    pa = 1.0 / np.arange(1, activities + 1) ** 0.8
    a = rng.choice(activities, size=n, p=pa / pa.sum())
    isic = np.array([f"{1000 + 10 * k:04d}" for k in range(activities)])
    codes = np.array([f"{k:010d}" for k in range(villages)])
    return pd.DataFrame({
        "village_code": codes[v],
        "isic": isic[a],
        "employees": rng.integers(1, 60, n),
    })


def timed(label: str, fn, results: dict):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results[label] = (dt, peak)
    print(f"{label:<44s} {dt:8.3f} s   peak {peak / 2**20:7.1f} MiB")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--establishments", type=int, default=100_000)
    parser.add_argument("--villages", type=int, default=60_000)
    parser.add_argument("--activities", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    df = synthetic(args.establishments, args.villages, args.activities)
    print(f"{len(df):,} establishments, {df.village_code.nunique():,} villages used of "
          f"{args.villages:,}, {df.isic.nunique()} ISIC classes\n")

    best = float("inf")
    for r in range(args.repeat):
        results: dict[str, tuple[float, int]] = {}
        print(f"run {r + 1}")
        m = timed("aggregate to village × ISIC (sparse)", lambda: spec.region_activity_matrix(
            df, "village_code", "isic", "employees"), results)
        lq = timed("location quotients (non-zero cells)", lambda m=m: spec.location_quotient(m),
                   results)
        strength = timed("cluster strength (incl. traded/local)",
                         lambda m=m: spec.cluster_strength(m), results)
        total = sum(results[k][0] for k in results)
        best = min(best, total)
        print(f"{'aggregate + LQ + strength':<44s} {total:8.3f} s\n")

    timed("end to end from the table (one call)", lambda: spec.cluster_strength(
        df, "village_code", "isic", "employees"), results)
    timed("region_indices", lambda: spec.region_indices(m), results)
    timed("activity_indices", lambda: spec.activity_indices(m), results)

    def dense_lq():
        x = m.values.toarray()
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.nan_to_num(x / x.sum(1, keepdims=True) / (x.sum(0) / x.sum()))

    timed("dense numpy LQ (for comparison)", dense_lq, results)
    print(f"\nmatrix {m.shape[0]:,} × {m.shape[1]} with {m.nnz:,} non-zero cells "
          f"({m.nnz / (m.shape[0] * m.shape[1]):.3%} dense); {len(lq):,} LQ rows, "
          f"{int(strength.strong.sum()):,} strong cells, "
          f"{int((strength.strong & strength.traded & ~strength.small_base).sum()):,} "
          "candidate clusters (strong, traded, not small)")
    target = 2.0
    print(f"\nBEST aggregate + LQ + strength: {best:.3f} s (target < {target:.0f} s: "
          f"{'OK' if best < target else 'MISSED'}; {target / best:.1f}× under target)")
    dense_t, dense_m = results["dense numpy LQ (for comparison)"]
    sparse_t, sparse_m = results["location quotients (non-zero cells)"]
    print(f"sparse LQ vs dense LQ: {dense_t / max(sparse_t, 1e-9):.1f}× faster, "
          f"{dense_m / max(sparse_m, 1):.1f}× less peak memory")


if __name__ == "__main__":
    main()
