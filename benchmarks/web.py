"""Benchmark the web app under load: the national demo served by a real ``khooshe serve``
process, Khuzestan's province manager signed in, concurrent clients on loopback against a
list page, a record's page and an API page, on SQLite and on PostgreSQL.

Usage::

    .venv/bin/python benchmarks/web.py                       # both databases, 20 clients, 60 s
    .venv/bin/python benchmarks/web.py --backend sqlite --duration 10
    .venv/bin/python benchmarks/web.py --threads 2,4,8,40 --backend sqlite --duration 20

Prints a table: requests, requests per second, p50/p95/p99 latency (ms) and errors (failed
connections, timeouts and every answer other than 200). Load comes from ``wrk`` (a Lua script
adds the session cookie or the API token and counts answers other than 200); without ``wrk``
it falls back to an httpx client in this process and says so (that client costs CPU the
server then lacks, so its figures are pessimistic). Target: p95 under 150 ms, no errors.

PostgreSQL: a database ``khooshe_webbench`` is (re)created on ``--pg`` (default the test
server on 127.0.0.1:5432, user postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSWORD = "bench-password-1"
USER = "khuzestan"  # the demo's province manager of Khuzestan (06)
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DB = "khooshe_webbench"

LUA = r"""
local threads = {}
wrk.headers["%(name)s"] = "%(value)s"
function setup(thread) table.insert(threads, thread) end
function init(args) other = 0 end
function response(status, headers, body) if status ~= 200 then other = other + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("other") end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%.3f %%.3f %%.3f %%d %%d\n", summary.requests,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout, bad))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_database(server: str) -> str:
    """A fresh, empty database for the benchmark on ``server``; its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {PG_DB}"))
    engine.dispose()
    return f"{server}/{PG_DB}"


def build(root: Path, backend: str, pg: str) -> None:
    from khooshe.services.demo import build_demo, demo_accounts
    from khooshe.services.users import reset_password

    db = pg_database(pg) if backend == "postgresql" else None
    start = time.perf_counter()
    ws = build_demo(root, seed=0, scale="national", db=db, force=True)
    demo_accounts(ws)  # what khooshe demo adds: one account per role
    reset_password(ws, USER, password=PASSWORD, actor="benchmark")
    ws.close()
    print(f"# {backend}: national demo built in {time.perf_counter() - start:.0f} s",
          flush=True)


def token(root: Path) -> str:
    from khooshe.services.users import new_token
    from khooshe.store.workspace import Workspace

    with Workspace.open(root) as ws:
        return new_token(ws, USER, actor="benchmark")


def serve(root: Path, port: int, threads: int) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("khooshe")
    proc = subprocess.Popen([str(exe), "serve", str(root), "--port", str(port),
                             "--threads", str(threads)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"khooshe serve stopped: {proc.stderr.read().decode()}"
                                 ) from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("khooshe serve did not start within 60 s")


def session_cookie(base: str) -> str:
    import httpx

    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        login_token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"username": USER, "password": PASSWORD,
                                        "login_token": login_token, "next": "/"})
        assert r.status_code in (200, 303), r.status_code
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def targets(base: str, cookie: str, api_token: str) -> dict[str, tuple[str, str, str]]:
    """name: (url, header name, header value). The record is a Khuzestan establishment."""
    import httpx

    r = httpx.get(f"{base}/api/v1/establishments?per_page=1&page=500",
                  headers={"Authorization": f"Bearer {api_token}"})
    first = r.json()["items"][0]
    return {
        "list": (f"{base}/establishments?page=40", "Cookie", cookie),
        "detail": (f"{base}/establishments/{first['id']}", "Cookie", cookie),
        "api": (f"{base}/api/v1/establishments?page=40&per_page=50", "Authorization",
                f"Bearer {api_token}"),
    }


def run_wrk(url: str, header: str, value: str, clients: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA % {"name": header, "value": value.replace('"', '\\"')})
        script = f.name
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s",
                              "-s", script, url], capture_output=True, text=True,
                             check=True).stdout
    finally:
        os.unlink(script)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    n, p50, p95, p99, failed, other = line.split()[1:]
    return {"requests": int(n), "seconds": seconds, "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "errors": int(failed) + int(other)}


def run_httpx(url: str, header: str, value: str, clients: int, seconds: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0

    async def client(http: httpx.AsyncClient, stop: float) -> None:
        nonlocal errors
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                r = await http.get(url, headers={header: value})
                if r.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - start) * 1000)

    async def main() -> None:
        limits = httpx.Limits(max_connections=clients)
        async with httpx.AsyncClient(limits=limits, timeout=10) as http:
            stop = time.monotonic() + seconds
            await asyncio.gather(*[client(http, stop) for _ in range(clients)])

    asyncio.run(main())
    q = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "seconds": seconds, "p50": q[49], "p95": q[94],
            "p99": q[98], "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--threads", default="8", help="worker threads; a comma list compares")
    parser.add_argument("--pages", default="list,detail,api")
    parser.add_argument("--pg", default=PG_SERVER, help="PostgreSQL server URL (no database)")
    parser.add_argument("--keep", type=Path, help="build the workspaces here and keep them")
    args = parser.parse_args()

    wrk = shutil.which("wrk")
    if wrk is None:
        print("# wrk not found: falling back to httpx in this process (pessimistic figures)")
    load = run_wrk if wrk else run_httpx
    rows = []
    top = args.keep or Path(tempfile.mkdtemp(prefix="khooshe-webbench-"))
    try:
        for backend in args.backend.split(","):
            root = top / backend
            build(root, backend, args.pg)
            api_token = token(root)
            for threads in [int(t) for t in args.threads.split(",")]:
                port = free_port()
                proc = serve(root, port, threads)
                try:
                    base = f"http://127.0.0.1:{port}"
                    cookie = session_cookie(base)
                    pages = targets(base, cookie, api_token)
                    for name in args.pages.split(","):
                        url, header, value = pages[name]
                        load(url, header, value, 2, 2)  # warm up
                        result = load(url, header, value, args.clients, args.duration)
                        rows.append((backend, threads, name, result))
                        print(f"# {backend} {threads} threads {name}: "
                              f"p95 {result['p95']:.0f} ms", flush=True)
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
    finally:
        if args.keep is None:
            shutil.rmtree(top, ignore_errors=True)

    print(f"\n{args.clients} clients, {args.duration} s each, loopback, "
          f"{'wrk' if wrk else 'httpx'}\n")
    print("| database | threads | page | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for backend, threads, name, r in rows:
        print(f"| {backend} | {threads} | {name} | {r['requests']:,} | "
              f"{r['requests'] / r['seconds']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | "
              f"{r['p99']:.0f} | {r['errors']} |")
    bad = [r for *_, r in rows if r["p95"] >= 150 or r["errors"]]
    print(f"\ntarget p95 < 150 ms and no errors: {'met' if not bad else 'NOT met'}")


if __name__ == "__main__":
    main()
