"""Benchmark: khooshe at full size, whole process, one table (issue 15).

    python benchmarks/scale.py                        # 10 M BACI flows into SQLite and PostgreSQL
    python benchmarks/scale.py --rows 1000000         # a smaller year
    python benchmarks/scale.py --pg ""                # SQLite only
    python benchmarks/scale.py --firms                # also the 1 M-establishment register
                                                      # (benchmarks/firms.py, when present)

What is timed is what a user waits for: a fresh ``khooshe`` process, its wall time and the
peak resident memory of that process (``ru_maxrss`` from ``wait4``), each against the issue's
target (60 s and 2 GiB for an import):

- **import**: ``khooshe import WS trade_flows BACI_….csv --countries country_codes.csv`` of a
  synthetic BACI year in CEPII's own CSV layout (numeric country codes, HS codes without their
  leading zeros, values in thousands of USD, ``NA`` quantities; written by
  ``benchmarks/markets.py``'s generator), into a new SQLite workspace and into a new
  PostgreSQL database (``--pg``: a server URL whose user may create databases);
- **markets**: ``khooshe markets WS --exporter IRN --markets IRQ,KWT,…`` on the workspace
  just loaded: the stored year read back (the database sums it) and analysed;
- **bad row**: the same file with one line in the middle broken (a decimal comma: one field
  too many), imported into the workspace just loaded: it must exit 2, name that line, and
  leave the workspace's flows as they were (counted before and after).

The load average is printed first: on a shared machine the figures move by ±20 %.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TIME_LIMIT_S = 60.0
MEMORY_LIMIT_MIB = 2048.0
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
MARKETS = "IRQ,KWT,ARE,QAT,OMN,BHR,SAU,AZE"


def khooshe() -> list[str]:
    script = Path(sys.executable).with_name("khooshe")
    return [str(script)] if script.exists() else [sys.executable, "-m", "khooshe.cli"]


def run(args: list[str]) -> dict:
    """Wall seconds, peak MiB (the child's own), exit code and output of one ``khooshe``
    process."""
    env = {**os.environ, "KHOOSHE_LANG": "en"}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([*khooshe(), *args], stdout=out, stderr=subprocess.STDOUT,
                                env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode(errors="replace")
    return {"seconds": seconds, "peak": usage.ru_maxrss / 1024,
            "code": os.waitstatus_to_exitcode(status), "output": text.strip()}


def flows_in(workspace: Path) -> int:
    from khooshe.store.repository import counts
    from khooshe.store.workspace import Workspace

    with Workspace.open(workspace) as ws:
        return counts(ws)["trade_flows"]


def broken_copy(path: Path, out: Path) -> int:
    """``path`` with the middle line's value written with a decimal comma; returns that
    line's number (the header is line 1)."""
    size = path.stat().st_size
    with open(path, "rb") as src, open(out, "wb") as dst:
        head = src.read(size // 2)
        cut = head.rfind(b"\n") + 1
        dst.write(head[:cut])
        line = head[:cut].count(b"\n") + 1
        rest = src.read()
        middle = head[cut:] + rest
        end = middle.index(b"\n")
        fields = middle[:end].split(b",")
        fields[4] = fields[4].replace(b".", b",") if b"." in fields[4] else fields[4] + b",5"
        dst.write(b",".join(fields) + middle[end:])
    return line


def new_pg_database(server: str, name: str) -> str:
    """A fresh database ``name`` on the server at ``server``; its URL."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def import_rows(csv: Path, countries: Path, tmp: Path, pg: str) -> list[tuple]:
    """The import and bad-row rows of the table, for SQLite and (when ``pg``) PostgreSQL."""
    rows: list[tuple] = []
    bad = tmp / "BACI_HS17_Y2022_broken.csv"
    line = broken_copy(csv, bad)
    targets = [("SQLite", None)] + ([("PostgreSQL", pg)] if pg else [])
    for label, server in targets:
        ws = tmp / f"ws-{label.lower()}"
        name = "khooshe_scale_bench"
        db = [] if server is None else ["--db", new_pg_database(server, name)]
        try:
            made = run(["init", str(ws), *db])
            if made["code"] != 0:
                rows.append((f"import ({label})", "failed", "", made["output"]))
                continue
            res = run(["import", str(ws), "trade_flows", str(csv), "--countries", str(countries)])
            ok = res["code"] == 0
            verdict = "meets" if ok and res["seconds"] < TIME_LIMIT_S and \
                res["peak"] < MEMORY_LIMIT_MIB else ("misses" if ok else res["output"][-200:])
            rows.append((f"import {flows_in(ws):,} flows ({label})", f"{res['seconds']:.1f}",
                         f"{res['peak']:.0f}", verdict))
            res = run(["markets", str(ws), "--exporter", "IRN", "--markets", MARKETS,
                       "-o", str(tmp / f"markets-{label.lower()}.csv")])
            rows.append((f"khooshe markets WS, 8 markets ({label})", f"{res['seconds']:.1f}",
                         f"{res['peak']:.0f}",
                         "read back and analysed" if res["code"] == 0 else
                         res["output"][-200:]))
            before = flows_in(ws)
            res = run(["import", str(ws), "trade_flows", str(bad), "--countries", str(countries)])
            kept = flows_in(ws) == before
            named = f"line {line:,}" in res["output"] or f"line {line}" in res["output"]
            verdict = ("refused, line named, workspace unchanged"
                       if res["code"] == 2 and named and kept else
                       f"exit {res['code']}, line named: {named}, unchanged: {kept}: "
                       f"{res['output'][-200:]}")
            rows.append((f"bad line {line:,} ({label})", f"{res['seconds']:.1f}",
                         f"{res['peak']:.0f}", verdict))
        finally:
            if server is not None:
                drop_pg_database(server, name)
    return rows


def firm_rows() -> list[tuple]:
    """The 1 M-establishment register (``benchmarks/firms.py``), when it exists."""
    try:
        import firms  # type: ignore[import-not-found]
    except ImportError:
        return [("1 M establishments", "", "", "benchmarks/firms.py not present")]
    out = []
    for r in firms.rows():
        limit = firms.TARGETS_S.get(r.step.split()[0])
        verdict = "failed" if not r.ok else "" if limit is None else \
            "meets" if r.wall_s < limit else "misses"
        out.append((f"1 M firms: {r.step} (SQLite)", f"{r.wall_s:.1f}", f"{r.peak_mib:.0f}",
                    verdict))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="flows in the BACI year")
    parser.add_argument("--pg", default=PG_DEFAULT,
                        help="PostgreSQL server URL ('' for SQLite only)")
    parser.add_argument("--firms", action="store_true", help="also the 1 M-firm register")
    parser.add_argument("--tmp", default=None, help="folder for the files (default: a temp)")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).parent))
    from markets import make_baci

    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="khooshe-scale-") as folder:
        tmp = Path(folder)
        start = time.perf_counter()
        paths = make_baci(args.rows, tmp, ("csv",))
        print(f"wrote a synthetic BACI year of {args.rows:,} flows in "
              f"{time.perf_counter() - start:.0f} s")
        rows = import_rows(Path(paths["csv"]), Path(paths["countries"]), tmp, args.pg)
        if args.firms:
            rows += firm_rows()
    width = max(len(r[0]) for r in rows)
    print(f"\n{'step':<{width}}  {'wall s':>7}  {'peak MiB':>8}  target (60 s, 2 GiB) / result")
    for step, seconds, peak, verdict in rows:
        print(f"{step:<{width}}  {seconds:>7}  {peak:>8}  {verdict}")


if __name__ == "__main__":
    main()
