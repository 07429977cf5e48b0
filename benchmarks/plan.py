"""Benchmark the province plan: the whole Khuzestan (06) plan on the demo workspace.

Usage::

    .venv/bin/python benchmarks/plan.py                    # small demo, province 06
    .venv/bin/python benchmarks/plan.py --province 01 --workspace demo-ws

Builds the demo workspace in a temporary directory (unless ``--workspace`` names one), then
times ``build_plan`` section by section and each output format. Target: the whole plan (all
sections, HTML + XLSX + PDF) under 60 s on the 2-core machine. The plan is the composition of
khooshe's own analyses, so there is no peer to compare with; the per-section times say where the
time goes.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path


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
    print(f"\nwhole plan: {elapsed:.1f} s (target < 60 s), peak RSS {peak:.0f} MB, "
          f"{len(result.failed)} failed section(s)")
    return 1 if result.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
