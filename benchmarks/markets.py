"""Benchmark: export potential of one exporter in 8 markets from one BACI-sized year.

    python benchmarks/markets.py                  # 10 million rows, Parquet and CSV
    python benchmarks/markets.py --rows 1000000   # smaller
    python benchmarks/markets.py --formats csv
    python benchmarks/markets.py --csv-style plain   # CSV without BACI's padded "NA"

A synthetic BACI year (``t,i,j,k,v,q``: numeric country codes from khooshe's country table,
~5,000 HS6 products, values in thousands of USD, ~2 % of quantities missing) is written to a
temporary directory (under ``$TMPDIR``, default /tmp; removed afterwards) as Parquet and/or
CSV (by default with BACI's own quirks: zero-padded HS codes, space-padded ``NA``), together
with a BACI-style ``country_codes`` file.
Then, for each format, a **child process** (so that the generator's memory does not count)
runs the whole file-mode pipeline of ``khooshe markets``:

1. ``khooshe.io.trade.summarise_trade_file``: DuckDB parses the file once into a typed
   temporary table, validates it and returns only the aggregates (pandas never holds the
   10 million rows);
2. ``khooshe.analysis.markets.analyse_markets``: potential, unrealised potential,
   diversification candidates (product-space density from ``khooshe.analysis.complexity``)
   and exports over time, for IRN → IRQ, KWT, ARE, QAT, OMN, BHR, SAU, AZE with great-circle
   distances.

The child reports wall time per step and its peak RSS (``VmHWM``, which includes DuckDB's
native memory). Target: under 60 s and under 4 GiB. Timings on a shared 2-core machine are
noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

EXPORTER = "IRN"
MARKETS = ("IRQ", "KWT", "ARE", "QAT", "OMN", "BHR", "SAU", "AZE")
TIME_LIMIT_S = 60.0
MEMORY_LIMIT_GIB = 4.0


# --------------------------------------------------------------------------------------------
# Synthetic BACI
# --------------------------------------------------------------------------------------------
def baci_table(rows: int, seed: int = 0, year: int = 2022):
    """A synthetic BACI year with ``rows`` unique (i, j, k) flows, sorted by them, as a
    pyarrow table (``t, i, j, k, v, q`` typed as CEPII's Parquet files), and the countries
    whose numeric codes it uses."""
    import pyarrow as pa

    from khooshe.io.countries import load_countries

    rng = np.random.default_rng(seed)
    countries = load_countries()
    codes = countries["numeric"].to_numpy(np.int64)
    n = len(codes)
    size = rng.lognormal(0.0, 1.6, n)
    iso = countries["iso3"].to_numpy()
    for code, s in (("IRN", 8.0), ("IRQ", 6.0), ("ARE", 20.0), ("SAU", 15.0), ("KWT", 4.0),
                    ("QAT", 4.0), ("OMN", 3.0), ("BHR", 1.5), ("AZE", 2.0), ("CHN", 80.0),
                    ("USA", 70.0), ("DEU", 50.0), ("TUR", 12.0)):
        size[iso == code] = s
    p_c = size / size.sum()
    chapters = rng.integers(1, 98, 8000)
    hs = np.unique(chapters * 10000 + rng.integers(100, 9999, 8000))[:5000]
    n_prod = len(hs)
    p_k = rng.lognormal(0.0, 1.0, n_prod)
    p_k /= p_k.sum()
    unit_value = np.exp(rng.normal(7.5, 1.5, n_prod))  # USD per tonne

    cdf_c, cdf_k = np.cumsum(p_c), np.cumsum(p_k)

    def draw(size: int, cdf: np.ndarray) -> np.ndarray:
        return np.minimum(np.searchsorted(cdf, rng.random(size)), len(cdf) - 1)

    assert n * (n - 1) * n_prod > rows
    keys = np.empty(0, dtype=np.int64)
    want = int(rows * 1.3)
    while len(keys) < rows:  # draw (i, j, k) until there are enough distinct flows
        i, j, k = draw(want, cdf_c), draw(want, cdf_c), draw(want, cdf_k)
        ok = i != j
        keys = np.concatenate([keys, (i[ok] * n + j[ok]) * n_prod + k[ok]])
        keys.sort()
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
        want = int((rows - len(keys)) * 3) + 1000
    keys = rng.permutation(keys)[:rows]
    keys.sort()
    k = keys % n_prod
    ij = keys // n_prod
    i, j = ij // n, ij % n
    del keys, ij
    v = np.round(rng.lognormal(2.0, 2.2, rows) * np.sqrt(size[i] * size[j]) / 4, 3)
    v = np.maximum(v, 0.001)
    q = np.round(v * 1000 / unit_value[k] * rng.lognormal(0, 0.3, rows), 3)
    q_mask = rng.random(rows) < 0.02
    table = pa.table({
        "t": pa.array(np.full(rows, year, dtype=np.int16)),
        "i": pa.array(codes[i].astype(np.int16)),
        "j": pa.array(codes[j].astype(np.int16)),
        "k": pa.array(hs[k].astype(np.int32)),
        "v": pa.array(v),
        "q": pa.array(q, mask=q_mask),
    })
    return table, countries


def make_baci(rows: int, folder: Path, formats: tuple[str, ...], seed: int = 0,
              csv_style: str = "baci") -> dict:
    """Write a synthetic BACI year with ``rows`` unique (i, j, k) flows (:func:`baci_table`).

    ``csv_style="baci"`` writes the CSV the way CEPII's files look (HS codes with their leading
    zeros, missing quantities as space-padded ``NA``, which DuckDB's typed parser rejects, so
    the reader takes its slower text path); ``"plain"`` writes numbers and empty cells."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table, countries = baci_table(rows, seed)
    paths: dict[str, str] = {}
    if "parquet" in formats:
        path = folder / "BACI_HS17_Y2022_synthetic.parquet"
        pq.write_table(table, path, row_group_size=1_000_000)
        paths["parquet"] = str(path)
    if "csv" in formats:
        path = folder / "BACI_HS17_Y2022_synthetic.csv"
        if csv_style == "baci":  # as CEPII writes it: k with its leading zeros, q "   NA"
            import pyarrow.compute as pc

            k_text = pc.utf8_lpad(pc.cast(table["k"], pa.string()), width=6, padding="0")
            q_text = pc.fill_null(pc.cast(table["q"], pa.string()), " " * 13 + "NA")
            table = table.set_column(3, "k", k_text).set_column(5, "q", q_text)
        with open(path, "wb") as fh:  # BACI's header is not quoted
            fh.write((",".join(table.column_names) + "\n").encode())
            pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False,
                                                          quoting_style="none"))
        paths["csv"] = str(path)
    cc = folder / "country_codes_synthetic.csv"
    countries.rename(columns={"numeric": "country_code", "name_en": "country_name",
                              "iso3": "country_iso3"}).assign(country_iso2="")[
        ["country_code", "country_name", "country_iso2", "country_iso3"]
    ].to_csv(cc, index=False)
    paths["countries"] = str(cc)
    return paths


# --------------------------------------------------------------------------------------------
# The measured pipeline (child process)
# --------------------------------------------------------------------------------------------
def peak_rss_gib() -> float:
    """Peak resident memory of this process (GiB): ``VmHWM`` from ``/proc/self/status``.

    ``ru_maxrss`` is not used: on Linux it survives ``exec`` and so would report the parent's
    peak (the generator's) for a child process."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def run_pipeline(path: str, countries_path: str) -> dict:
    from khooshe.analysis.markets import analyse_markets
    from khooshe.io.countries import load_countries, read_baci_countries
    from khooshe.io.trade import summarise_trade_file

    start_rss = peak_rss_gib()
    t0 = time.perf_counter()
    summary = summarise_trade_file(path, exporter=EXPORTER, markets=MARKETS,
                                   countries=read_baci_countries(countries_path))
    t1 = time.perf_counter()
    result = analyse_markets(summary, countries=load_countries(), top_candidates=100)
    t2 = time.perf_counter()
    peak = peak_rss_gib()
    pot = result.potential
    return {
        "rows": summary.rows,
        "missing_quantity": summary.rows_missing_quantity,
        "aggregate_rows": {name: len(getattr(summary, name)) for name in
                           ("exports", "world", "imports", "exporter_flows", "suppliers")},
        "read_s": t1 - t0,
        "analysis_s": t2 - t1,
        "total_s": t2 - t0,
        "peak_rss_gib": peak,
        "start_rss_gib": start_rss,
        "potential_rows": len(pot),
        "candidate_rows": len(result.candidates),
        "potential_musd": float(pot["potential_value"].sum() / 1e6),
        "actual_musd": float(pot["actual_value"].sum() / 1e6),
        "unrealised_musd": float(pot["unrealised_value"].sum() / 1e6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--csv-style", choices=("baci", "plain"), default="baci",
                        help="baci: leading zeros and space-padded NA as in CEPII's files")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "COUNTRIES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_pipeline(*args.child)))
        return
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    with tempfile.TemporaryDirectory(prefix="khooshe-bench-markets-") as tmp:
        t0 = time.perf_counter()
        paths = make_baci(args.rows, Path(tmp), formats, csv_style=args.csv_style)
        gen = time.perf_counter() - t0
        sizes = {f: os.path.getsize(paths[f]) / 2**20 for f in formats}
        print(f"synthetic BACI year: {args.rows:,} rows generated in {gen:.1f} s "
              + ", ".join(f"{f} {sizes[f]:,.0f} MiB" for f in formats))
        print(f"exporter {EXPORTER} → {', '.join(MARKETS)}")
        ok = True
        for fmt in formats:
            out = subprocess.run([sys.executable, __file__, "--child", paths[fmt],
                                  paths["countries"]], capture_output=True, text=True,
                                 check=False)
            if out.returncode != 0:
                print(out.stderr)
                raise SystemExit(f"{fmt}: the pipeline failed")
            r = json.loads(out.stdout.strip().splitlines()[-1])
            within = r["total_s"] < TIME_LIMIT_S and r["peak_rss_gib"] < MEMORY_LIMIT_GIB
            ok &= within
            print(f"\n[{fmt}] {r['rows']:,} flows ({r['missing_quantity']:,} without quantity)")
            print(f"  read + aggregate (DuckDB): {r['read_s']:6.1f} s   aggregates: "
                  + ", ".join(f"{k} {v:,}" for k, v in r["aggregate_rows"].items()))
            print(f"  analysis (pandas/numpy):   {r['analysis_s']:6.1f} s   "
                  f"{r['potential_rows']:,} potential rows, {r['candidate_rows']:,} candidates")
            print(f"  total:                     {r['total_s']:6.1f} s   "
                  f"(limit {TIME_LIMIT_S:.0f} s; ratio {r['total_s'] / TIME_LIMIT_S:.2f})")
            print(f"  peak RSS:                  {r['peak_rss_gib']:6.2f} GiB "
                  f"(limit {MEMORY_LIMIT_GIB:.0f} GiB; ratio "
                  f"{r['peak_rss_gib'] / MEMORY_LIMIT_GIB:.2f}; "
                  f"{r['start_rss_gib']:.2f} GiB after imports)")
            print(f"  potential {r['potential_musd']:,.0f} M USD, actual "
                  f"{r['actual_musd']:,.0f} M USD, unrealised {r['unrealised_musd']:,.0f} M USD")
            print(f"  within limits: {'yes' if within else 'NO'}")
        raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
