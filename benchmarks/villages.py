"""Benchmark: village potential and the per-county shortlist on the national demo.

The national synthetic demo (``khooshe.demo.generate(scale="national")``: ≥ 64,000 villages,
~430 counties, ~88,000 operating establishments, ~52,000 resource rows) is generated once, in
memory (no database); then every village of the country is scored for every ISIC class of the
demo (~300: ≥ 18 million village × activity cells) and 10 villages per county are shortlisted,
explanations included. Target: scoring + shortlisting under 10 s on 2 cores.

Also times one province (Gilan, what ``khooshe villages --province 01`` computes at this scale)
and, with ``--exact``, the national run without the 1 km pooling of establishments.

Run: ``.venv/bin/python benchmarks/villages.py [--repeat 3] [--exact]``
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc

import numpy as np

from khooshe.analysis import potential as pt
from khooshe.demo import generate
from khooshe.io.reference import potential_weights_text, resource_links
from khooshe.services.villages import default_weights

TARGET_S = 10.0


def run(frames, *, province=None, activities=None, weights=None):
    t0 = time.perf_counter()
    pot = pt.village_potential(frames["regions"], frames["establishments"],
                               frames["resources"], frames["parks"], province=province,
                               activities=activities, weights=weights or default_weights(),
                               links=resource_links())
    t1 = time.perf_counter()
    sl = pt.shortlist(pot)
    t2 = time.perf_counter()
    return pot, sl, t1 - t0, t2 - t1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--exact", action="store_true",
                        help="also time grid_km = 0 (exact establishment positions)")
    args = parser.parse_args()

    print(f"cpus available: {len(os.sched_getaffinity(0))}")
    t0 = time.perf_counter()
    frames = generate(seed=0, scale="national")
    print(f"generate(scale='national'): {time.perf_counter() - t0:.1f} s (not timed below)")
    acts = sorted(frames["establishments"]["isic"].unique())
    regions = frames["regions"]
    print(f"villages {int((regions['level'] == 'village').sum()):,}, counties "
          f"{int((regions['level'] == 'county').sum()):,}, establishments "
          f"{len(frames['establishments']):,}, resource rows {len(frames['resources']):,}, "
          f"activities {len(acts)}")

    times = []
    for k in range(args.repeat):
        pot, sl, ts, tl = run(frames, activities=acts)
        times.append(ts + tl)
        print(f"run {k + 1}: score {ts:6.2f} s + shortlist {tl:5.2f} s = {ts + tl:6.2f} s")
    # memory in a separate run: tracemalloc slows the Python-level shortlist loop ~6×
    del pot, sl
    tracemalloc.start()
    pot, sl, _, _ = run(frames, activities=acts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of one run: {peak / 2**20:.0f} MiB (tracemalloc); process max RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB")
    cells = pot.score.shape[0] * pot.score.shape[1]
    best = min(times)
    print(f"\nnational: {pot.score.shape[0]:,} villages × {pot.score.shape[1]} activities = "
          f"{cells / 1e6:.1f} M cells; {len(sl.villages):,} villages shortlisted in "
          f"{len(sl.counties):,} counties")
    print(f"best {best:.2f} s, median {float(np.median(times)):.2f} s — target {TARGET_S:.0f} s "
          f"({best / TARGET_S:.0%} of target; {cells / best / 1e6:.1f} M cells/s)")
    short = sl.counties[sl.counties["shortlisted"] < 10]
    print(f"counties with fewer than 10: {len(short)} "
          + "; ".join(f"{r.county_code}: {r.reason_en}" for r in short.head(3).itertuples()))

    pot_g, sl_g, ts, tl = run(frames, province="01", activities=acts)
    print(f"\nGilan (01) alone: {pot_g.score.shape[0]:,} villages, score {ts:.2f} s + "
          f"shortlist {tl:.2f} s")
    same = np.abs(pot.score[(pot.villages["province_code"] == "01").to_numpy()]
                  - pot_g.score).max()
    print(f"max |score(national run) − score(province run)| = {same:.1e}")

    if args.exact:
        w = pt.parse_weights("[neighbourhood]\ngrid_km = 0.0\n",
                             defaults=potential_weights_text())
        _, _, ts, tl = run(frames, activities=acts, weights=w)
        print(f"\nexact positions (grid_km = 0): score {ts:.2f} s + shortlist {tl:.2f} s "
              f"= {ts + tl:.2f} s ({(ts + tl) / best:.1f}× the pooled run)")


if __name__ == "__main__":
    main()
