"""Benchmark the province plan: the whole Khuzestan (06) plan on the demo workspace.

Usage::

    .venv/bin/python benchmarks/plan.py                    # small demo, province 06
    .venv/bin/python benchmarks/plan.py --province 01 --workspace demo-ws

Builds the demo workspace in a temporary directory (unless ``--workspace`` names one), then
times ``build_plan`` section by section and each output format. Target: the whole plan (all
sections, HTML + XLSX + PDF) under 30 s on the 2-core machine, whole process: the last part
runs the real ``khooshe plan`` command three times (after a warm-up) and reports the median
wall time and the peak memory of the child. The plan is the composition of khooshe's own
analyses, so there is no peer to compare with; the per-section times say where the time goes.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 30.0


def whole_process(root: Path, province: str, lang: str, out: Path, runs: int = 3
                  ) -> tuple[float, float, list[float]]:
    """Median wall time (s) and peak RSS (MB) of ``khooshe plan`` in a child process, after
    one warm-up run."""
    cli = Path(sys.executable).with_name("khooshe")
    cmd = [str(cli), "--lang", lang, "plan", str(root), "--province", province, "--out",
           str(out)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times, peaks = [], []
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"khooshe plan failed: {' '.join(cmd)}")
        if i:  # the first run warms the caches
            times.append(time.perf_counter() - start)
            peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks), times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", default="06")
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--lang", default="fa", choices=["fa", "en"])
    args = parser.parse_args(argv)

    from khooshe.services import plan as service
    from khooshe.services.demo import build_demo
    from khooshe.store.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        if args.workspace is None:
            start = time.perf_counter()
            build_demo(Path(tmp) / "ws", seed=0, scale="small").close()
            print(f"demo workspace built in {time.perf_counter() - start:.1f} s (not counted)")
            root = Path(tmp) / "ws"
        else:
            root = args.workspace
        ws = Workspace.open(root)
        total = time.perf_counter()
        result = service.build_plan(ws, args.province, lang=args.lang)
        ws.close()
        print(f"\n== plan of province {args.province} ({args.lang})")
        for key, seconds in result.seconds.items():
            flag = "  FAILED" if key in result.failed else ""
            print(f"  section {key:<16} {seconds:6.2f} s{flag}")
        for fmt in service.FORMATS:
            start = time.perf_counter()
            written = service.write_plan(result.plan, Path(tmp) / "out", lang=args.lang,
                                         formats=(fmt,))[fmt]
            seconds = time.perf_counter() - start
            size = written.stat().st_size / 2**20 if isinstance(written, Path) else float("nan")
            print(f"  write plan.{fmt:<5}        {seconds:6.2f} s  ({size:.1f} MB)"
                  + ("" if isinstance(written, Path) else f"  FAILED: {written}"))
        elapsed = time.perf_counter() - total
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nin process (model + three formats): {elapsed:.1f} s, peak RSS {peak:.0f} MB, "
              f"{len(result.failed)} failed section(s)")
        median, child_peak, runs = whole_process(root, args.province, args.lang,
                                                 Path(tmp) / "cli-out")
        print(f"whole process, khooshe plan (median of {len(runs)}: "
              f"{', '.join(f'{r:.1f}' for r in runs)} s): {median:.1f} s "
              f"(target < {TARGET_S:.0f} s), peak {child_peak:.0f} MB")
    return 1 if result.failed or median >= TARGET_S else 0


if __name__ == "__main__":
    raise SystemExit(main())
