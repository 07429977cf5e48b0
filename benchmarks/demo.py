"""Benchmark the synthetic demo: generation alone, then the whole ``khooshe demo`` build.

Usage::

    .venv/bin/python benchmarks/demo.py                 # small and national, seed 0
    .venv/bin/python benchmarks/demo.py --scale national --repeat 3
    .venv/bin/python benchmarks/demo.py --no-build      # generation only

Prints, per scale: wall time of ``khooshe.demo.generate`` (best and median of ``--repeat``
runs), the peak resident memory of the process, the row count of every kind, and rows per
second; then the time of the full build (generate → validate every kind → write in one
transaction into a fresh SQLite workspace, what ``khooshe demo`` does) and the share of it
spent generating. Targets: national generation under ~20 s, national build under 60 s on the
2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(scale: str, seed: int, repeat: int) -> float:
    from khooshe.demo import generate

    times = []
    frames = None
    for _ in range(repeat):
        start = time.perf_counter()
        frames = generate(seed=seed, scale=scale)
        times.append(time.perf_counter() - start)
    assert frames is not None
    total = sum(len(df) for df in frames.values())
    best, median = min(times), statistics.median(times)
    print(f"\n== scale={scale} seed={seed} repeat={repeat}")
    print(f"wall time: best {best:.2f} s, median {median:.2f} s")
    print(f"peak RSS (process): {peak_rss_mb():.0f} MB")
    for kind, df in frames.items():
        print(f"  {kind:<20} {len(df):>9,d} rows")
    print(f"  {'total':<20} {total:>9,d} rows  ({total / best:,.0f} rows/s)")
    villages = int((frames["regions"]["level"] == "village").sum())
    half = int((frames["establishments"]["status"] == "half_finished").sum())
    print(f"  villages {villages:,d}; establishments {len(frames['establishments']):,d} "
          f"(half-finished {half:,d}); trade rows {len(frames['trade_flows']):,d}")
    return best


def build(scale: str, seed: int) -> float:
    """Time the full ``khooshe demo`` build into a temporary SQLite workspace."""
    import tempfile
    from pathlib import Path

    from khooshe.services.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ws = build_demo(Path(tmp) / "ws", seed=seed, scale=scale)
        elapsed = time.perf_counter() - start
        counts = ws.counts()
        ws.close()
        size_mb = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file()) / 2**20
    print(f"full build (generate + validate + write SQLite), scale={scale}: {elapsed:.2f} s; "
          f"{sum(counts.values()):,d} records, database {size_mb:,.0f} MB")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "national", "both"], default="both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-build", action="store_true", help="Time generation only.")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    import khooshe.demo  # noqa: F401  (import cost reported separately)

    print(f"import khooshe.demo: {time.perf_counter() - start:.2f} s")
    scales = ["small", "national"] if args.scale == "both" else [args.scale]
    best = {s: run(s, args.seed, args.repeat) for s in scales}
    if len(best) == 2:
        print(f"\nnational / small time ratio: {best['national'] / best['small']:.2f}")
    if "national" in best and best["national"] > 20:
        print("WARNING: national generation slower than the 20 s target", file=sys.stderr)
    if not args.no_build:
        print()
        for scale in scales:
            total = build(scale, args.seed)
            print(f"  generation share of the build: {best[scale] / total:.0%}")
            if scale == "national" and total > 60:
                print("WARNING: national build slower than the 60 s target", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
