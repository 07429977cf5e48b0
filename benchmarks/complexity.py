"""Benchmark: ``khooshe complexity`` against PyPI ``ecomplexity`` and Datawheel's
``economic-complexity``, whole process, on synthetic BACI-like CSV files.

    python benchmarks/complexity.py                 # 230 locations × 5,000 products × 2 and 5 years
    python benchmarks/complexity.py --years 2       # only the 2-year file
    python benchmarks/complexity.py --quick         # 60 × 800 × 2
    python benchmarks/complexity.py --tools khooshe,economic-complexity
    python benchmarks/complexity.py --timeout 120   # a run slower than that is stopped

What is timed is what a user waits for: a fresh process that starts Python, imports, reads the
CSV file, computes ECI, PCI, density, COI and COG for every year and writes the result as
Parquet. For khooshe that process is the real command line::

    khooshe complexity FILE --location exporter --product product --value value --time year \
        -o out.parquet

and for the peers a child of this script (``--worker``) that reads the CSV with pandas (codes as
text), computes with the package and writes its result as Parquet. Each tool runs once to warm
up (file cache, byte-code) and then ``--runs`` times (default 3); the median wall time and the
largest peak resident memory of the child (``ru_maxrss`` from ``wait4``) are reported, with
the ratios to khooshe. A run slower than ``--timeout`` seconds is stopped and reported as
"> timeout" (py-ecomplexity needs about 10 minutes on the 2-year file).

khooshe's time is also broken down (medians of ``--runs`` instrumented runs of the same steps
in a child): start-up and imports, reading the file, the computation, writing the result
(one after the other there; the command itself writes each year while computing the next).

What each tool computes (the same measures; the conventions differ, see
``khooshe.analysis.complexity``):

- khooshe: ``complexity()`` → long table with rca, mcp, diversity, ubiquity, eci, pci,
  density, coi, cog for every (year, location, product) of each year's rectangle.
- ecomplexity 0.5.3: ``ecomplexity()`` (log-supermodularity check off) → the same long table.
- economic-complexity: per year, pivot → ``rca`` → ``complexity`` (method of reflections)
  → ``proximity`` → ``relatedness`` (density) → ``opportunity_gain`` (COG) → COI from those
  (the package has no COI); the matrices stacked into the same long table.

Timings on a shared machine are noisy; the load average is printed first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

TOOLS = ("khooshe", "economic-complexity", "ecomplexity")
COLUMNS = ("--location", "exporter", "--product", "product", "--value", "value",
           "--time", "year")
#: The issue's targets: khooshe's median on the 2-year file, and the speed-up over Datawheel.
TARGET_SECONDS = 3.0
TARGET_SPEEDUP = {2: 15.0, 5: 30.0}
TARGET_PEAK_MIB = 744


# --------------------------------------------------------------------------------------------
# Synthetic BACI-like data
# --------------------------------------------------------------------------------------------
def make_panel(n_loc: int, n_prod: int, years: int, seed: int = 0) -> pd.DataFrame:
    """Exporter × HS6 product × year values with BACI-like structure.

    Capability ``a_c`` and complexity ``b_p`` drive whether a country exports a product at all
    (about 40 % of country-product cells are non-zero, as in BACI at HS6); country and
    product sizes are log-normal (heavy-tailed), values vary by ±30 % a year and about 5 %
    of the flows appear or disappear each year. Exporters are 3-digit numeric codes and
    products 6-digit HS codes, both with leading zeros (``004``, ``010121``).
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
    loc_codes = np.array([f"{c:03d}" for c in range(4, 4 + 4 * n_loc, 4)])  # ISO-numeric-like
    prod_codes = np.array([f"{c:06d}" for c in
                           np.sort(rng.choice(np.arange(10100, 970000), n_prod, replace=False))])
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
# Peer workers (run in a child process: whole process = import + read + compute + write)
# --------------------------------------------------------------------------------------------
def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"year": "int64", "exporter": str, "product": str,
                                    "value": "float64"})


def run_ecomplexity(path: Path, out: Path) -> None:
    from ecomplexity import ecomplexity

    df = _read_csv(path)
    cols = {"time": "year", "loc": "exporter", "prod": "product", "val": "value"}
    result = ecomplexity(df, cols, verbose=False, check_logsupermodularity=False)
    result.to_parquet(out, index=False)


def run_economic_complexity(path: Path, out: Path) -> None:
    import economic_complexity as ec

    df = _read_csv(path)
    frames = []
    for year, part in df.groupby("year"):
        tbl = part.pivot_table(index="exporter", columns="product", values="value",
                               aggfunc="sum", fill_value=0)
        rcas = ec.rca(tbl)
        eci, pci = ec.complexity(rcas)
        prox = ec.proximity(rcas)
        dens = ec.relatedness(rcas, proximities=prox)
        cog = ec.opportunity_gain(rcas, pci=pci, proximities=prox)
        m = rcas.ge(1).astype(int)
        coi = ((dens * (1 - m)) * pci).sum(axis=1)
        long = pd.DataFrame({
            "value": tbl.stack(), "rca": rcas.stack(), "mcp": m.stack(),
            "density": dens.stack(), "cog": cog.stack(),
        }).reset_index()
        long.columns = ["exporter", "product", *long.columns[2:]]
        long.insert(0, "year", year)
        long["eci"] = long["exporter"].map(eci)
        long["pci"] = long["product"].map(pci)
        long["coi"] = long["exporter"].map(coi)
        frames.append(long)
    pd.concat(frames, ignore_index=True).to_parquet(out, index=False)


def run_khooshe_steps(path: Path, out: Path, spawned: float) -> None:
    """The steps of ``khooshe complexity FILE -o OUT.parquet`` one after the other, timed (the
    command overlaps computing a period with writing the previous one; here they are apart)."""
    import khooshe.cli  # noqa: F401  (the command line loads it before any work)
    from khooshe.analysis.complexity import complexity_by_period
    from khooshe.io.tables import ParquetParts
    from khooshe.services.complexity import _read_long, one_blas_thread

    steps = {"start-up + imports": time.time() - spawned}
    t = time.perf_counter()
    data, _, _ = _read_long(path, None, "exporter", "year", "value", "product")
    steps["read"] = time.perf_counter() - t
    t = time.perf_counter()
    with one_blas_thread():  # as write_complexity_from_file
        parts = list(complexity_by_period(data, location="exporter", product="product",
                                          value="value", time="year", categorical_codes=True))
    steps["compute"] = time.perf_counter() - t
    t = time.perf_counter()
    with ParquetParts(out) as writer:
        for part in parts:
            writer.write(part)
    steps["write"] = time.perf_counter() - t
    print(json.dumps(steps))


PEERS = {"ecomplexity": run_ecomplexity, "economic-complexity": run_economic_complexity}


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------
def _khooshe_command() -> list[str]:
    script = Path(sys.executable).with_name("khooshe")
    return [str(script)] if script.exists() else [sys.executable, "-m", "khooshe.cli"]


def command(tool: str, data: Path, out: Path) -> list[str]:
    if tool == "khooshe":
        return [*_khooshe_command(), "complexity", str(data), *COLUMNS, "-o", str(out)]
    return [sys.executable, __file__, "--worker", tool, "--data", str(data), "--out", str(out)]


def run_once(cmd: list[str], timeout: float) -> dict:
    """Wall seconds and peak resident memory (MiB, the child's own ``ru_maxrss`` from
    ``wait4``) of one child process; a child still running after ``timeout`` is killed."""
    import threading

    # byte-code is cached as it is after ``pip install``, whatever this shell says
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if seconds >= timeout:
            return {"timeout": timeout}
        if proc.returncode != 0:
            err.seek(0)
            lines = err.read().decode(errors="replace").strip().splitlines()
            return {"error": lines[-1] if lines else f"exit code {proc.returncode}"}
    return {"seconds": seconds, "peak": usage.ru_maxrss / 1024}  # Linux: KiB


def run_tool(tool: str, data: Path, out: Path, runs: int, timeout: float) -> dict:
    """A warm-up run, then ``runs`` timed runs, each in a fresh process."""
    results = []
    for i in range(runs + 1):
        res = run_once(command(tool, data, out), timeout)
        if "seconds" not in res:
            return res
        if i > 0:
            results.append(res)
    return {"seconds": statistics.median(r["seconds"] for r in results),
            "all": [r["seconds"] for r in results], "peak": max(r["peak"] for r in results)}


def breakdown(data: Path, out: Path, runs: int) -> dict[str, float]:
    steps: list[dict[str, float]] = []
    for _ in range(runs):
        cmd = [sys.executable, __file__, "--worker", "khooshe-steps", "--data", str(data),
               "--out", str(out), "--spawned", repr(time.time())]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        steps.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {k: statistics.median(s[k] for s in steps) for k in steps[0]}


def eci_of(path: Path) -> pd.Series:
    df = pd.read_parquet(path, columns=["year", "exporter", "eci"])
    df = df.astype({"year": str, "exporter": str})  # khooshe keeps codes as text
    return df.groupby(["year", "exporter"])["eci"].first()


def _fmt_result(res: dict) -> tuple[str, str, str]:
    if "timeout" in res:
        return f"> {res['timeout']:.0f}", "(stopped)", "—"
    if "error" in res:
        return "failed", res["error"][:60], "—"
    return (f"{res['seconds']:.2f}", " ".join(f"{s:.2f}" for s in res["all"]),
            f"{res['peak']:.0f}")


def bench_size(size: tuple[int, int, int], tools: list[str], tmp: Path, runs: int,
               timeout: float) -> None:
    n_loc, n_prod, years = size
    df = make_panel(n_loc, n_prod, years)
    data = tmp / f"panel-{n_loc}-{n_prod}-{years}.csv"
    df.to_csv(data, index=False)
    print(f"\n== {n_loc:,} locations × {n_prod:,} products × {years} years: {len(df):,} rows, "
          f"CSV {data.stat().st_size / 2**20:.0f} MiB", flush=True)
    del df
    results: dict[str, dict] = {}
    for tool in tools:
        print(f"  {tool}: warm-up + {runs} runs …", flush=True)
        results[tool] = run_tool(tool, data, tmp / f"out-{tool}.parquet", runs, timeout)
    steps = breakdown(data, tmp / "out-steps.parquet", runs)

    ours = results["khooshe"]
    print(f"\n{'tool':<22}{'median s':>10}  {'runs s':<22}{'peak MiB':>9}  vs khooshe")
    for tool, res in results.items():
        median, each, peak = _fmt_result(res)
        if tool == "khooshe" or "seconds" not in ours:
            ratio = ""
        elif "seconds" in res:
            ratio = (f"{res['seconds'] / ours['seconds']:.1f}× slower, "
                     f"{res['peak'] / ours['peak']:.1f}× the memory")
        elif "timeout" in res:
            ratio = f"> {res['timeout'] / ours['seconds']:.0f}× slower"
        else:
            ratio = ""
        print(f"{tool:<22}{median:>10}  {each:<22}{peak:>9}  {ratio}")
    total = sum(steps.values())
    print("\nkhooshe, step by step (medians of instrumented runs, each step after the other; "
          "the command overlaps computing and writing): "
          + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()) + f"; total {total:.2f} s")

    if "seconds" in ours:
        if years == 2:
            print(f"target: whole process < {TARGET_SECONDS:g} s — "
                  f"{'met' if ours['seconds'] < TARGET_SECONDS else 'NOT met'} "
                  f"({ours['seconds']:.2f} s); peak ≤ {TARGET_PEAK_MIB} MiB — "
                  f"{'met' if ours['peak'] <= TARGET_PEAK_MIB else 'NOT met'} "
                  f"({ours['peak']:.0f} MiB)")
        dw = results.get("economic-complexity", {})
        want = TARGET_SPEEDUP.get(years)
        if want and "seconds" in dw:
            speed = dw["seconds"] / ours["seconds"]
            print(f"target: ≥ {want:g}× faster than economic-complexity — "
                  f"{'met' if speed >= want else 'NOT met'} ({speed:.1f}×)")
        for tool in tools:
            out = tmp / f"out-{tool}.parquet"
            if tool == "khooshe" or "seconds" not in results[tool] or not out.exists():
                continue
            joined = pd.concat([eci_of(tmp / "out-khooshe.parquet"), eci_of(out)], axis=1,
                               join="inner").dropna()
            corr = np.corrcoef(joined.iloc[:, 0], joined.iloc[:, 1])[0, 1]
            print(f"ECI correlation khooshe vs {tool}: {corr:.6f} over {len(joined)} values")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="60 × 800 × 2")
    ap.add_argument("--locations", type=int, default=230)
    ap.add_argument("--products", type=int, default=5000)
    ap.add_argument("--years", default="2,5", help="comma-separated; one file each (default 2,5)")
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of "
                    + ", ".join(TOOLS))
    ap.add_argument("--runs", type=int, default=3, help="timed runs after the warm-up")
    ap.add_argument("--timeout", type=float, default=300,
                    help="seconds one run may take before it is stopped (default 300)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--spawned", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        warnings.simplefilter("ignore")
        if args.worker == "khooshe-steps":
            run_khooshe_steps(Path(args.data), Path(args.out), args.spawned)
        else:
            PEERS[args.worker](Path(args.data), Path(args.out))
        return

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        sys.exit(f"unknown tool(s): {', '.join(sorted(unknown))}")
    if "khooshe" in tools:
        tools.remove("khooshe")
    tools.insert(0, "khooshe")  # the ratios need it
    sizes = ([(60, 800, 2)] if args.quick else
             [(args.locations, args.products, int(y)) for y in args.years.split(",")])
    print(f"machine: {os.cpu_count()} CPU(s), load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}; whole process per run "
          f"(import + read CSV + compute + write Parquet), warm-up + {args.runs} runs, "
          f"timeout {args.timeout:.0f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            bench_size(size, tools, Path(tmp), args.runs, args.timeout)


if __name__ == "__main__":
    main()
