"""Benchmark a national firm register: 1,000,000 establishments, whole ``khooshe`` processes.

Usage::

    .venv/bin/python benchmarks/firms.py                      # SQLite in a temporary directory
    .venv/bin/python benchmarks/firms.py --db postgresql://127.0.0.1:5432/test
    .venv/bin/python benchmarks/firms.py --workspace WS       # an existing register workspace

Builds the demo at ``--scale national --establishments 1000000`` (the national country and its
economy plus micro establishments up to a million: ``khooshe demo``) into a temporary directory
— SQLite inside it, or the database ``--db`` names — then runs, each as its own ``khooshe``
process: the Khuzestan plan (HTML + XLSX + PDF), national village scoring (every province,
``khooshe villages`` without ``--province``), cluster strength of every county
(``khooshe specialize``) and the counties' hot spots of one activity (``khooshe hotspots``).
Prints one table: step, wall seconds, peak memory of the process (MiB, from ``wait4``).
Targets (issue 15): the plan under 60 s, national village scoring under 60 s, no process over
8 GiB.

``rows()`` returns the table's rows, for ``benchmarks/scale.py``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ESTABLISHMENTS = 1_000_000
PROVINCE = "06"  # Khuzestan
ACTIVITY = "1079"  # tea and other food products n.e.c.: Gilan's agglomeration
TARGETS_S = {"plan": 60.0, "villages": 60.0}
MAX_MIB = 8 * 1024


@dataclass(frozen=True)
class Row:
    """One step: what ran, its wall time (s), the peak resident memory of its process (MiB)
    and whether it succeeded."""

    step: str
    wall_s: float
    peak_mib: float
    ok: bool = True


def _khooshe() -> str:
    return str(Path(sys.executable).with_name("khooshe"))


def run(step: str, args: list[str]) -> Row:
    """Run ``khooshe ARGS`` as a child process; its wall time and its own peak memory."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen([_khooshe(), "--lang", "en", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait4 reports this child's rusage alone (RUSAGE_CHILDREN would keep the largest so far)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    ok = os.waitstatus_to_exitcode(status) == 0
    if not ok:
        print(f"{step} failed:\n{err[-2000:]}", file=sys.stderr)
    return Row(step, wall, usage.ru_maxrss / 1024.0, ok)


def rows(*, db: str | None = None, workspace: Path | None = None, seed: int = 0,
         establishments: int = ESTABLISHMENTS) -> list[Row]:
    """Build the register (unless ``workspace`` names one) and time every step.

    ``db`` (a database URL) is where the built workspace keeps its records; the default is
    SQLite inside a temporary directory. Its tables are refilled by the build.
    """
    with tempfile.TemporaryDirectory(prefix="khooshe-firms-") as tmp:
        out = Path(tmp)
        table: list[Row] = []
        ws = workspace
        if ws is None:
            ws = out / "ws"
            build = ["demo", str(ws), "--scale", "national", "--seed", str(seed),
                     "--establishments", str(establishments)]
            if db:
                build += ["--db", db]
            table.append(run(f"demo build ({establishments:,} establishments)", build))
        table += [
            run(f"plan {PROVINCE} (html, xlsx, pdf)",
                ["plan", str(ws), "--province", PROVINCE, "--out", str(out / "plan")]),
            run("villages, every province",
                ["villages", str(ws), "--output", str(out / "villages.csv")]),
            run("specialize, counties",
                ["specialize", str(ws), "--level", "county", "--output",
                 str(out / "strength.csv")]),
            run(f"hotspots {ACTIVITY}, counties",
                ["hotspots", str(ws), "--activity", ACTIVITY, "--output",
                 str(out / "hotspots.csv")]),
        ]
    return table


def print_table(table: list[Row], backend: str) -> None:
    print(f"\n1,000,000-establishment register on {backend}; whole processes, 2 shared cores")
    print(f"{'step':<42} {'wall s':>8} {'peak MiB':>9}")
    for r in table:
        print(f"{r.step:<42} {r.wall_s:>8.1f} {r.peak_mib:>9,.0f}" + ("" if r.ok else "  FAILED"))
    for r in table:
        target = next((v for k, v in TARGETS_S.items() if r.step.startswith(k)), None)
        if target is not None and r.wall_s > target:
            print(f"NOT MET: {r.step} took {r.wall_s:.1f} s (target {target:.0f} s)")
        if r.peak_mib > MAX_MIB:
            print(f"NOT MET: {r.step} peaked at {r.peak_mib:,.0f} MiB (limit {MAX_MIB:,} MiB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL of the built workspace (default SQLite)")
    parser.add_argument("--workspace", type=Path,
                        help="time an existing register workspace instead of building one")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--establishments", type=int, default=ESTABLISHMENTS)
    args = parser.parse_args(argv)
    table = rows(db=args.db, workspace=args.workspace, seed=args.seed,
                 establishments=args.establishments)
    backend = ("PostgreSQL" if (args.db or "").startswith("postgresql") else
               "an existing workspace" if args.workspace else "SQLite")
    print_table(table, backend)
    return 0 if all(r.ok for r in table) else 1


if __name__ == "__main__":
    raise SystemExit(main())
