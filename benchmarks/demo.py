"""Benchmark the synthetic demo generator (generation only; no database).

Usage::

    .venv/bin/python benchmarks/demo.py                 # small and national, seed 0
    .venv/bin/python benchmarks/demo.py --scale national --repeat 3

Prints, per scale: wall time of ``khooshe.demo.generate`` (best and median of ``--repeat``
runs), the peak resident memory of the process, the row count of every kind, and rows per
second; then the national/small time ratio. Target: national under ~20 s on the shared
2-core machine (the whole ``khooshe demo`` build, database included, under 60 s).
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "national", "both"], default="both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
