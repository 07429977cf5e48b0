"""Benchmark: khooshe's complexity engine against PyPI ``ecomplexity`` and Datawheel's
``economic-complexity`` on the same synthetic BACI-like panel.

    python benchmarks/complexity.py            # 230 locations × 5,000 products × 5 years
    python benchmarks/complexity.py --quick    # 60 × 800 × 2
    python benchmarks/complexity.py --tools khooshe,economic-complexity

Each tool runs in its own child process (so peak memories do not contaminate each other):
the child reads the panel from a Parquet file, records its peak RSS (``ru_maxrss``) after
reading, runs ECI + PCI + density + COI + COG for every year, and reports the wall time of
that computation and its peak RSS. "extra" is the peak minus the RSS after reading the data
(what the computation itself needed). Timings on a shared machine are noisy.

What each tool computes (the same measures; the conventions differ, see
``khooshe.analysis.complexity``):

- khooshe: ``complexity()`` on the long table → long table with rca, mcp, diversity,
  ubiquity, eci, pci, density, coi, cog.
- ecomplexity 0.5.3: ``ecomplexity()`` (log-supermodularity check off) → the same long table.
- economic-complexity: per year, pivot → ``rca`` → ``complexity`` (method of reflections,
  20 iterations) → ``proximity`` → ``relatedness`` (density) → ``opportunity_gain`` (COG)
  → COI from those (the package has no COI); results stay as wide matrices.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

TOOLS = ("khooshe", "ecomplexity", "economic-complexity")


# --------------------------------------------------------------------------------------------
# Synthetic BACI-like data
# --------------------------------------------------------------------------------------------
def make_panel(n_loc: int, n_prod: int, years: int, seed: int = 0) -> pd.DataFrame:
    """Exporter × HS6 product × year values with BACI-like structure.

    Capability ``a_c`` and complexity ``b_p`` drive whether a country exports a product at all
    (about 40 % of country-product cells are non-zero, as in BACI at HS6); country and
    product sizes are log-normal (heavy-tailed), values vary by ±30 % a year and about 5 %
    of the flows appear or disappear each year.
    """
    rng = np.random.default_rng(seed)
    cap = rng.normal(0, 1, n_loc)
    size_c = rng.lognormal(0, 2.0, n_loc)
    cplx = rng.normal(0, 1, n_prod)
    size_p = rng.lognormal(0, 1.5, n_prod)
    logit = 1.8 * (cap[:, None] - cplx[None, :]) + 0.4 * np.log(size_c)[:, None] - 0.5
    base_p = 1 / (1 + np.exp(-logit))
    base_v = size_c[:, None] * size_p[None, :] * rng.lognormal(0, 1.5, (n_loc, n_prod))
    base_v *= np.exp(0.8 * (cap[:, None] - cplx[None, :]))
    u0 = rng.random((n_loc, n_prod))
    loc_codes = np.arange(4, 4 + 4 * n_loc, 4)  # ISO-numeric-like
    prod_codes = np.sort(rng.choice(np.arange(10100, 970000), n_prod, replace=False))
    frames = []
    for y in range(years):
        churn = rng.random((n_loc, n_prod)) < 0.05
        present = (u0 < base_p) ^ churn
        vals = base_v * rng.lognormal(0, 0.3, (n_loc, n_prod)) * 1000
        li, pi = np.nonzero(present)
        frames.append(pd.DataFrame({
            "year": np.int64(2015 + y),
            "exporter": loc_codes[li],
            "product": prod_codes[pi],
            "value": np.round(vals[li, pi], 3),
        }))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Workers (run in a child process)
# --------------------------------------------------------------------------------------------
def run_khooshe(df: pd.DataFrame) -> pd.DataFrame:
    from khooshe.analysis.complexity import complexity

    return complexity(df, time="year", location="exporter", product="product", value="value")


def run_ecomplexity(df: pd.DataFrame) -> pd.DataFrame:
    from ecomplexity import ecomplexity

    cols = {"time": "year", "loc": "exporter", "prod": "product", "val": "value"}
    return ecomplexity(df, cols, verbose=False, check_logsupermodularity=False)


def run_economic_complexity(df: pd.DataFrame) -> pd.Series:
    import economic_complexity as ec

    ecis = []
    for year, part in df.groupby("year"):
        tbl = part.pivot_table(index="exporter", columns="product", values="value",
                               aggfunc="sum", fill_value=0)
        rcas = ec.rca(tbl)
        eci, pci = ec.complexity(rcas)
        prox = ec.proximity(rcas)
        dens = ec.relatedness(rcas, proximities=prox)
        ec.opportunity_gain(rcas, pci=pci, proximities=prox)
        m = rcas.ge(1).astype(int)
        _coi = ((dens * (1 - m)) * pci).sum(axis=1)
        ecis.append(pd.Series(eci.to_numpy(), index=pd.MultiIndex.from_product(
            [[year], eci.index], names=["year", "exporter"])))
    return pd.concat(ecis)


WORKERS = {"khooshe": run_khooshe, "ecomplexity": run_ecomplexity,
           "economic-complexity": run_economic_complexity}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


IMPORTS = {"khooshe": "khooshe.analysis.complexity", "ecomplexity": "ecomplexity",
           "economic-complexity": "economic_complexity"}


def worker(tool: str, data: Path, eci_out: Path) -> None:
    import importlib

    warnings.simplefilter("ignore")
    importlib.import_module(IMPORTS[tool])  # imports are not part of the timing
    df = pd.read_parquet(data)
    base = _rss_mb()
    start = time.perf_counter()
    result = WORKERS[tool](df)
    seconds = time.perf_counter() - start
    peak = _rss_mb()
    if isinstance(result, pd.DataFrame):  # long table: one ECI per (year, exporter)
        result = result.groupby(["year", "exporter"])["eci"].first()
    result.rename("eci").reset_index().to_parquet(eci_out)
    print(json.dumps({"tool": tool, "seconds": seconds, "peak_mb": peak,
                      "extra_mb": peak - base}))


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="60 × 800 × 2 instead of 230 × 5000 × 5")
    ap.add_argument("--locations", type=int)
    ap.add_argument("--products", type=int)
    ap.add_argument("--years", type=int)
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of "
                    + ", ".join(TOOLS))
    ap.add_argument("--timeout", type=float, default=7200, help="seconds per tool")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--eci-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, Path(args.data), Path(args.eci_out))
        return

    n_loc, n_prod, years = (60, 800, 2) if args.quick else (230, 5000, 5)
    n_loc, n_prod, years = args.locations or n_loc, args.products or n_prod, args.years or years
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        sys.exit(f"unknown tool(s): {', '.join(sorted(unknown))}")

    df = make_panel(n_loc, n_prod, years)
    cells = n_loc * n_prod * years
    print(f"synthetic BACI-like panel: {n_loc} locations × {n_prod} products × {years} years, "
          f"{len(df):,} non-zero flows ({len(df) / cells:.0%} of cells)")
    print(f"machine: {os.cpu_count()} CPU(s); each tool in its own process; "
          "measured: eci+pci+density+coi+cog for all years\n")
    results: dict[str, dict] = {}
    ecis: dict[str, pd.Series] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "panel.parquet"
        df.to_parquet(data)
        del df
        for tool in tools:
            eci_out = Path(tmp) / f"eci-{tool}.parquet"
            cmd = [sys.executable, __file__, "--worker", tool, "--data", str(data),
                   "--eci-out", str(eci_out)]
            print(f"  running {tool} …", flush=True)
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                results[tool] = {"error": f"timed out after {args.timeout:.0f} s"}
                continue
            if proc.returncode != 0:
                results[tool] = {"error": proc.stderr.strip().splitlines()[-1:]}
                continue
            results[tool] = json.loads(proc.stdout.strip().splitlines()[-1])
            ecis[tool] = pd.read_parquet(eci_out).set_index(["year", "exporter"])["eci"]

    print(f"\n{'tool':<22}{'wall s':>10}{'peak MB':>10}{'extra MB':>10}")
    for tool in tools:
        r = results[tool]
        if "error" in r:
            print(f"{tool:<22}  failed: {r['error']}")
        else:
            print(f"{tool:<22}{r['seconds']:>10.2f}{r['peak_mb']:>10.0f}{r['extra_mb']:>10.0f}")
    ours = results.get("khooshe", {})
    if "seconds" in ours:
        print()
        for tool in tools:
            r = results[tool]
            if tool == "khooshe" or "seconds" not in r:
                continue
            print(f"khooshe vs {tool}: {r['seconds'] / ours['seconds']:.1f}× faster, "
                  f"peak memory {r['peak_mb'] / ours['peak_mb']:.2f}× "
                  f"(extra {r['extra_mb'] / max(ours['extra_mb'], 1):.1f}×) of khooshe's")
    if "khooshe" in ecis:
        for tool, e in ecis.items():
            if tool == "khooshe":
                continue
            joined = pd.concat([ecis["khooshe"], e], axis=1, join="inner").dropna()
            corr = np.corrcoef(joined.iloc[:, 0], joined.iloc[:, 1])[0, 1]
            print(f"ECI correlation khooshe vs {tool}: {corr:.6f} over {len(joined)} values")


if __name__ == "__main__":
    main()
