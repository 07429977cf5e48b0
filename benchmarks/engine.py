"""Benchmark: the local engine against Dask (``--engine dask``) on the analyses that partition.

    python benchmarks/engine.py                     # 6 years × 200 locations × 2,000 products
    python benchmarks/engine.py --years 4 --products 1000 --quick-markets
    python benchmarks/engine.py --workers 2 --repeat 3

Timed, in this process, with the input already read (what the engine changes):

- complexity of every year of a synthetic BACI-like panel
  (:func:`khooshe.services.complexity.complexity_from_file`: one task per year on Dask);
- export potential of one exporter in several markets from a synthetic flow file
  (:func:`khooshe.services.markets.markets_from_file`: one task per market on Dask).

Each on the local engine, on a Dask ``LocalCluster`` of ``--workers`` single-threaded worker
processes that is already running (``--scheduler``-style: what a user with a cluster waits
for), and on ``--engine dask`` without a scheduler (the cluster started and closed inside the
call, as ``khooshe … --engine dask`` does). The results are checked equal (1e-12) before any
figure is printed. Best of ``--repeat`` runs. Timings on a shared machine are noisy; the
load average and the cores available are printed first.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from khooshe.services.complexity import complexity_from_file
from khooshe.services.engine import Engine
from khooshe.services.markets import markets_from_file


def panel(folder: Path, years: int, locations: int, products: int, seed: int = 0) -> Path:
    """A BACI-like long table: ``year, exporter, product, value`` with ~40 % of the cells."""
    rng = np.random.default_rng(seed)
    frames = []
    for t in range(years):
        keep = rng.random((locations, products)) < 0.4
        loc, prod = np.nonzero(keep)
        frames.append(pd.DataFrame({
            "year": 2000 + t, "exporter": [f"L{i:03d}" for i in loc],
            "product": [f"{p:06d}" for p in prod],
            "value": np.round(rng.lognormal(3, 2, len(loc)), 3)}))
    path = folder / "panel.parquet"
    pd.concat(frames, ignore_index=True).to_parquet(path, index=False)
    return path


def flows(folder: Path, countries: int, products: int, years: int = 4, seed: int = 1
          ) -> tuple[Path, list[str]]:
    """A flow file between IRN, the target markets and other countries."""
    rng = np.random.default_rng(seed)
    markets = ["IRQ", "KWT", "ARE", "TUR", "OMN", "QAT", "BHR", "SAU", "AFG", "PAK"]
    from khooshe.io.countries import load_countries

    others = [c for c in load_countries()["iso3"] if c not in ("IRN", *markets)]
    names = ["IRN", *markets, *others[:countries]]
    n = len(names)
    frames = []
    for year in range(2019, 2019 + years):
        keep = rng.random((n, n, products)) < 0.25
        e, i, p = np.nonzero(keep)
        ok = e != i
        e, i, p = e[ok], i[ok], p[ok]
        value = rng.lognormal(3, 1, len(e))
        frames.append(pd.DataFrame({
            "year": year, "exporter": np.asarray(names)[e], "importer": np.asarray(names)[i],
            "hs6": [f"{10110 + 10 * k:06d}" for k in p], "value_usd": value,
            "quantity_t": value / rng.uniform(1, 5, len(e))}))
    path = folder / "flows.parquet"
    pd.concat(frames, ignore_index=True).to_parquet(path, index=False)
    return path, markets


def best(run, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--locations", type=int, default=200)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--countries", type=int, default=40,
                        help="countries besides IRN and the 10 markets in the flow file")
    parser.add_argument("--trade-products", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from distributed import LocalCluster

    print(f"cpus available: {len(os.sched_getaffinity(0))}, load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = panel(folder, args.years, args.locations, args.products)
        trade, markets = flows(folder, args.countries, args.trade_products)
        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.CRITICAL)
        print(f"LocalCluster of {args.workers} workers started in "
              f"{time.perf_counter() - t0:.2f} s (not timed below)")
        running = Engine("dask", scheduler=cluster.scheduler_address)
        fresh = Engine("dask", workers=args.workers)
        cols = dict(location="exporter", product="product", value="value", time="year")
        jobs = {
            f"complexity, {args.years} years × {args.locations} × {args.products}":
                lambda engine: complexity_from_file(src, engine=engine, **cols).table,
            f"markets, IRN in {len(markets)} markets ({args.trade_products} products)":
                lambda engine: markets_from_file(trade, format="flows", markets=markets,
                                                 engine=engine).potential,
        }
        rows = []
        for name, job in jobs.items():
            job(running)  # workers import khooshe once: a warm cluster
            local_s, want = best(lambda job=job: job(Engine()), args.repeat)
            dask_s, got = best(lambda job=job: job(running), args.repeat)
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12,
                                          atol=1e-12)
            fresh_s, got = best(lambda job=job: job(fresh), 1)
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12,
                                          atol=1e-12)
            rows.append((name, local_s, dask_s, fresh_s))
        cluster.close()
    print(f"\n{'analysis':58s} {'local':>8s} {'dask':>8s} {'speed-up':>9s} "
          f"{'dask+start':>11s}")
    for name, local_s, dask_s, fresh_s in rows:
        print(f"{name:58s} {local_s:7.2f}s {dask_s:7.2f}s {local_s / dask_s:8.2f}× "
              f"{fresh_s:10.2f}s")
    print("\n(results of both engines equal to 1e-12; dask: a running cluster of "
          f"{args.workers} workers; dask+start: the cluster started and closed in the call)")


if __name__ == "__main__":
    main()
