"""read_trade, read_baci, read_comtrade and summarise_trade_file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pandas as pd

from khooshe.domain.trade import (
    FLOW_COLUMNS,
    TradeSummary,
    check_summary,
    check_targets,
    year_window,
)
from khooshe.io.trade._formats import TradeFileError, TradeFormat
from khooshe.io.trade._source import _Source, detect_format
from khooshe.io.trade._staging import _codes_for, _query, _stage


def read_trade(
    path: str | Path,
    *,
    format: TradeFormat = "auto",
    years: tuple[int, int] | int | None = None,
    countries: pd.DataFrame | None = None,
    flow: str = "X",
    unknown: Literal["raise", "drop"] = "raise",
    memory_limit: str | None = None,
    threads: int | None = None,
    max_rows: int | None = None,
) -> pd.DataFrame:
    """Read a BACI, Comtrade or flows file into the workspace layout (one row per
    (year, exporter, importer, hs6); duplicated keys summed, ``quantity_t`` empty when any
    part is unknown). For files that fit in memory; large files: :func:`summarise_trade_file`.

    Parameters
    ----------
    path : str or Path
        CSV (.csv, .csv.gz), Parquet or XLSX file, or a glob pattern.
    format : {"auto", "baci", "comtrade", "flows"}
        Layout (default: from the columns).
    years : (int, int) or int, optional
        Inclusive year window.
    countries : DataFrame, optional
        BACI's country codes (:func:`khooshe.io.countries.read_baci_countries`) for numeric
        codes.
    flow : {"X", "M"}
        Comtrade: reported exports or reported imports (mirrored).
    unknown : {"raise", "drop"}
        Numeric country codes that cannot be mapped: error (default) or drop the rows.
    max_rows : int, optional
        Refuse a file with more rows than this before building the table (the rows are
        counted while streaming, so a compressed file that unpacks to billions of rows costs
        a scan, not the memory of a table).

    Raises
    ------
    TradeFileError, FileNotFoundError
    """
    with _Source(path, memory_limit=memory_limit, threads=threads) as src:
        st = _stage(src, format, years=year_window(years), flow=flow, baci_countries=countries,
                    unknown=unknown)
        if max_rows is not None and st.rows > max_rows:
            raise TradeFileError(f"{src.label}: {st.rows:,} rows, more than the limit of "
                                 f"{max_rows:,} rows for one import")
        df = _query(st, "SELECT year, exporter, importer, hs, sum(value) AS value_usd, "
                        "CASE WHEN count(quantity) = count(*) THEN sum(quantity) END "
                        "AS quantity_t FROM flows WHERE dropped IS NULL GROUP BY ALL "
                        "ORDER BY year, exporter, importer, hs",
                    code_cols=("exporter", "importer"))
    return df[list(FLOW_COLUMNS)].sort_values(["year", "exporter", "importer", "hs6"],
                                             ignore_index=True)


def trade_layout(path: str | Path) -> str | None:
    """The layout of a trade file from its header alone: ``baci``, ``comtrade`` or
    ``flows`` (:func:`detect_format`), or None when the file is not CSV or Parquet, cannot be
    read or matches no layout — its reader then says what is wrong. For a glob pattern, the
    first file it matches decides.
    """
    import csv
    import gzip

    from khooshe.io.trade._source import _files

    try:
        first = _files(path)[0]
        name = first.name.lower()
        if name.endswith(".parquet"):
            import pyarrow.parquet as pq

            columns = pq.read_schema(first).names
        elif name.endswith((".csv", ".csv.gz")):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(first, "rt", encoding="utf-8-sig", newline="") as fh:
                columns = next(csv.reader([fh.readline(1 << 16)]), [])
        else:
            return None
        return detect_format(columns)
    except (OSError, UnicodeError, csv.Error, ValueError, TradeFileError):
        return None


def read_baci(path: str | Path, **kwargs: object) -> pd.DataFrame:
    """:func:`read_trade` for a BACI file."""
    return read_trade(path, format="baci", **kwargs)  # type: ignore[arg-type]


def read_comtrade(path: str | Path, **kwargs: object) -> pd.DataFrame:
    """:func:`read_trade` for a Comtrade CSV."""
    return read_trade(path, format="comtrade", **kwargs)  # type: ignore[arg-type]


def summarise_trade_file(
    path: str | Path,
    *,
    exporter: str,
    markets: Iterable[str],
    years: tuple[int, int] | int | None = None,
    format: TradeFormat = "auto",
    countries: pd.DataFrame | None = None,
    flow: str = "X",
    unknown: Literal["raise", "drop"] = "raise",
    memory_limit: str | None = "3GB",
    threads: int | None = None,
) -> TradeSummary:
    """Aggregate a trade file in DuckDB into a :class:`~khooshe.domain.trade.TradeSummary`
    (the input of :func:`khooshe.analysis.markets.export_potential`): pandas only receives
    the aggregates (world matrix by exporter × product, world by product, the markets' imports
    by product and by origin, the exporter's exports by destination), never the rows.

    Parameters as in :func:`read_trade`; ``exporter`` and ``markets`` are ISO3 codes.
    ``memory_limit`` caps DuckDB's memory (it spills to disk beyond).

    Raises
    ------
    TradeFileError, FileNotFoundError, ValueError
        Malformed file, unknown codes, an exporter without exports or a market without imports.
    """
    exp, mk = check_targets(exporter, markets)
    with _Source(path, memory_limit=memory_limit, threads=threads) as src:
        st = _stage(src, format, years=year_window(years), flow=flow, baci_countries=countries,
                    unknown=unknown)
        ok = "dropped IS NULL"
        in_mk = f"importer IN {_codes_for(st, mk)}"
        is_exp = f"exporter IN {_codes_for(st, [exp])}"
        qsum = ("sum(value) AS value_usd, coalesce(sum(quantity), 0) AS quantity_t, "
                "coalesce(sum(value) FILTER (WHERE quantity IS NOT NULL), 0) AS value_q_usd")
        exports = _query(st, f"SELECT year, exporter, hs, sum(value) AS value_usd FROM flows "
                             f"WHERE {ok} GROUP BY ALL", code_cols=("exporter",))
        world = _query(st, f"SELECT year, hs, {qsum} FROM flows WHERE {ok} GROUP BY ALL")
        imports = _query(st, f"SELECT year, importer, hs, {qsum} FROM flows "
                             f"WHERE {ok} AND {in_mk} GROUP BY ALL", code_cols=("importer",))
        exporter_flows = _query(st, f"SELECT year, importer, hs, {qsum} FROM flows "
                                    f"WHERE {ok} AND {is_exp} GROUP BY ALL",
                                code_cols=("importer",))
        suppliers = _query(st, f"SELECT year, importer, exporter, hs, sum(value) AS value_usd "
                               f"FROM flows WHERE {ok} AND {in_mk} GROUP BY ALL",
                           code_cols=("importer", "exporter"))

    def tidy(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return df.sort_values(keys, ignore_index=True)

    summary = TradeSummary(
        exporter=exp, markets=mk, years=st.years,
        exports=tidy(exports, ["year", "exporter", "hs6"]),
        world=tidy(world, ["year", "hs6"]),
        imports=tidy(imports, ["year", "importer", "hs6"]),
        exporter_flows=tidy(exporter_flows, ["year", "importer", "hs6"]),
        suppliers=tidy(suppliers, ["year", "importer", "exporter", "hs6"]),
        rows=st.rows, rows_missing_quantity=st.rows_missing_quantity, notes=tuple(st.notes),
    )
    check_summary(summary)
    return summary
