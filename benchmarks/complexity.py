"""Benchmark: khooshe's complexity engine against PyPI ``ecomplexity`` and Datawheel's
``economic-complexity`` on the same synthetic BACI-like panel.

    python benchmarks/complexity.py            # 230 locations × 5,000 products × 5 years
    python benchmarks/complexity.py --quick    # 60 × 800 × 2
    python benchmarks/complexity.py --tools khooshe,economic-complexity
    python benchmarks/complexity.py --timeout 600   # a peer slower than that on a size is
                                                    # retried with half the products

Each tool runs in its own child process (so peak memories do not contaminate each other):
the child reads the panel from a Parquet file, records its peak RSS (``ru_maxrss``) after
reading, runs ECI + PCI + density + COI + COG for every year, and reports the wall time of
that computation and its peak RSS. "extra" is the peak minus the RSS after reading the data
(what the computation itself needed). Timings on a shared machine are noisy.

A peer that does not finish a size within ``--timeout`` seconds (or fails, e.g. out of
memory) is stopped and retried with half the products, again and again, until it finishes;
khooshe is then run on that size too and the ratio is reported there, saying so.

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
Size = tuple[int, int, int]  # locations, products, years


def _size(size: Size) -> str:
    return f"{size[0]:,} × {size[1]:,} × {size[2]}"


class Runner:
    """Runs a tool on a panel size in a child process; panels are generated once per size."""

    def __init__(self, tmp: Path, timeout: float) -> None:
        self.tmp, self.timeout = tmp, timeout
        self.panels: dict[Size, Path] = {}
        self.results: dict[tuple[str, Size], dict] = {}
        self.ecis: dict[tuple[str, Size], pd.Series] = {}

    def panel(self, size: Size) -> Path:
        if size not in self.panels:
            df = make_panel(*size)
            cells = size[0] * size[1] * size[2]
            print(f"synthetic BACI-like panel {_size(size)} (locations × products × years): "
                  f"{len(df):,} non-zero flows ({len(df) / cells:.0%} of cells)", flush=True)
            path = self.tmp / f"panel-{size[0]}-{size[1]}-{size[2]}.parquet"
            df.to_parquet(path)
            self.panels[size] = path
        return self.panels[size]

    def run(self, tool: str, size: Size) -> dict:
        if (tool, size) in self.results:
            return self.results[(tool, size)]
        data = self.panel(size)
        eci_out = self.tmp / f"eci-{tool}-{size[0]}-{size[1]}-{size[2]}.parquet"
        cmd = [sys.executable, __file__, "--worker", tool, "--data", str(data),
               "--eci-out", str(eci_out)]
        print(f"  running {tool} on {_size(size)} …", flush=True)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:  # subprocess.run has killed the child
            res: dict = {"error": f"did not finish within {self.timeout:.0f} s (stopped)"}
        else:
            if proc.returncode != 0:
                last = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
                res = {"error": last}
            else:
                res = json.loads(proc.stdout.strip().splitlines()[-1])
                self.ecis[(tool, size)] = (
                    pd.read_parquet(eci_out).set_index(["year", "exporter"])["eci"])
        self.results[(tool, size)] = res
        return res


def smaller_sizes(size: Size, min_products: int) -> list[Size]:
    """The fallback sizes for a peer that cannot run ``size``: halve the products (the
    peers' cost grows with P²), keeping locations and years, down to ``min_products``."""
    n_loc, n_prod, years = size
    out = []
    while n_prod // 2 >= min_products:
        n_prod //= 2
        out.append((n_loc, n_prod, years))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="60 × 800 × 2 instead of 230 × 5000 × 5")
    ap.add_argument("--locations", type=int)
    ap.add_argument("--products", type=int)
    ap.add_argument("--years", type=int)
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of "
                    + ", ".join(TOOLS))
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds one tool may take on one size (default 1800); a peer that "
                    "does not finish is retried with half the products, and the ratio is "
                    "reported on the largest size it ran")
    ap.add_argument("--min-products", type=int, default=100,
                    help="smallest product count tried for a peer that times out")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--eci-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, Path(args.data), Path(args.eci_out))
        return

    n_loc, n_prod, years = (60, 800, 2) if args.quick else (230, 5000, 5)
    full: Size = (args.locations or n_loc, args.products or n_prod, args.years or years)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        sys.exit(f"unknown tool(s): {', '.join(sorted(unknown))}")
    if "khooshe" not in tools:
        tools.insert(0, "khooshe")  # the ratios need it
    print(f"machine: {os.cpu_count()} CPU(s), load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}; each tool in its own process; "
          "measured: eci+pci+density+coi+cog for all years\n", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        runner = Runner(Path(tmp), args.timeout)
        compared: dict[str, Size | None] = {}  # peer → the largest size it ran
        runner.run("khooshe", full)
        for tool in tools:
            if tool == "khooshe":
                continue
            if "seconds" in runner.run(tool, full):
                compared[tool] = full
                continue
            print(f"  {tool} could not run {_size(full)}: {runner.results[(tool, full)]['error']}"
                  "; trying smaller sizes", flush=True)
            compared[tool] = None
            for size in smaller_sizes(full, args.min_products):
                if "seconds" in runner.run(tool, size):
                    compared[tool] = size
                    runner.run("khooshe", size)
                    break

    print(f"\n{'tool':<22}{'size':>20}{'wall s':>10}{'peak MB':>10}{'extra MB':>10}")
    for (tool, size), r in runner.results.items():
        if "error" in r:
            print(f"{tool:<22}{_size(size):>20}  failed: {r['error']}")
        else:
            print(f"{tool:<22}{_size(size):>20}{r['seconds']:>10.2f}{r['peak_mb']:>10.0f}"
                  f"{r['extra_mb']:>10.0f}")
    print()
    targets = {"ecomplexity": 20.0, "economic-complexity": 5.0}
    for tool, size in compared.items():
        if size is None:
            print(f"khooshe vs {tool}: {tool} did not finish at any size down to "
                  f"{args.min_products} products; no ratio")
            continue
        ours, theirs = runner.results[("khooshe", size)], runner.results[(tool, size)]
        if "seconds" not in ours:
            print(f"khooshe vs {tool}: khooshe failed on {_size(size)}: {ours['error']}")
            continue
        where = "" if size == full else (
            f" — on {_size(size)}, the largest size {tool} ran (it could not run "
            f"{_size(full)} within {args.timeout:.0f} s)")
        speed = theirs["seconds"] / ours["seconds"]
        mem = theirs["peak_mb"] / ours["peak_mb"]
        target = targets.get(tool)
        verdict = "" if target is None else (
            f"; target ≥ {target:g}× {'met' if speed >= target else 'NOT met'}, "
            f"peak memory {'lower' if ours['peak_mb'] < theirs['peak_mb'] else 'NOT lower'}")
        print(f"khooshe vs {tool}: {speed:.1f}× faster, {tool}'s peak memory "
              f"{mem:.2f}× khooshe's (extra {theirs['extra_mb'] / max(ours['extra_mb'], 1):.1f}×)"
              f"{verdict}{where}")
        e_ours, e_theirs = runner.ecis.get(("khooshe", size)), runner.ecis.get((tool, size))
        if e_ours is not None and e_theirs is not None:
            joined = pd.concat([e_ours, e_theirs], axis=1, join="inner").dropna()
            corr = np.corrcoef(joined.iloc[:, 0], joined.iloc[:, 1])[0, 1]
            print(f"  ECI correlation khooshe vs {tool}: {corr:.6f} over {len(joined)} values")


if __name__ == "__main__":
    main()
