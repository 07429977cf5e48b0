"""read_trade, read_baci, read_comtrade and summarise_trade_file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from khooshe.domain.trade import (
    FLOW_COLUMNS,
    TradeSummary,
    check_summary,
    check_targets,
    year_window,
)
from khooshe.io.tables._duckdb import sql_text as _sql_str
from khooshe.io.trade._formats import TradeFileError, TradeFormat
from khooshe.io.trade._source import _Source, detect_format
from khooshe.io.trade._staging import _codes_for, _hs_text, _query, _stage, _Staged
from khooshe.text.messages import Message


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
                    unknown=unknown, max_rows=max_rows)
        df = _query(st, "SELECT year, exporter, importer, hs, sum(value) AS value_usd, "
                        "CASE WHEN count(quantity) = count(*) THEN sum(quantity) END "
                        "AS quantity_t FROM flows WHERE dropped IS NULL GROUP BY ALL "
                        "ORDER BY year, exporter, importer, hs",
                    code_cols=("exporter", "importer"))
    return df[list(FLOW_COLUMNS)].sort_values(["year", "exporter", "importer", "hs6"],
                                             ignore_index=True)


@dataclass
class TradeStream:
    """A validated trade file, ready to be read in key order (:func:`stream_trade`).

    Attributes
    ----------
    label : str
        The file (or pattern) as given.
    rows : int
        Flows in the file (before equal keys are summed).
    years : tuple of int
        The years it holds.
    notes : list of Message
        What the reader dropped or noticed (rows of other flows, missing quantities), as
        catalogue messages (the reader's language is chosen where they are shown).
    """

    label: str
    rows: int
    years: tuple[int, ...]
    notes: list[Message]
    _staged: _Staged

    def batches(self, rows: int = 250_000) -> Iterator[pd.DataFrame]:
        """The flows in the workspace layout (:data:`~khooshe.domain.trade.FLOW_COLUMNS`),
        equal keys summed as in :func:`read_trade`, sorted by year, exporter, importer and
        hs6, about ``rows`` at a time. DuckDB sorts and spills to disk beyond its memory
        limit, so only two batches are ever in pandas: this one and the next."""
        staged = self._staged
        con = staged.src.con
        code_map = staged.code_map
        names: np.ndarray | None = None
        if code_map is None:
            exporter, importer, joins = "exporter", "importer", ""
        else:
            # Numeric codes become the rank of their ISO3 code, so DuckDB groups and sorts
            # integers (two codes of one ISO3 share a rank and are summed); each batch then
            # takes its ISO3 text by rank.
            names = np.array(sorted(set(code_map.values())), dtype=object)
            rank = {iso: n for n, iso in enumerate(names)}
            con.execute("CREATE OR REPLACE TEMP TABLE iso (num BIGINT, rank INTEGER)")
            con.executemany("INSERT INTO iso VALUES (?, ?)",
                            [(num, rank[iso]) for num, iso in code_map.items()])
            exporter, importer = "e.rank", "m.rank"
            joins = (" JOIN iso AS e ON f.exporter = e.num"
                     " JOIN iso AS m ON f.importer = m.num")
        result = con.execute(
            f"SELECT CAST(f.year AS BIGINT) AS year, {exporter} AS exporter, "
            f"{importer} AS importer, CAST(f.hs AS INTEGER) AS hs6, "
            "CAST(sum(f.value) AS DOUBLE) AS value_usd, "
            "CAST(CASE WHEN count(f.quantity) = count(*) THEN sum(f.quantity) END AS DOUBLE) "
            f"AS quantity_t FROM flows AS f{joins} WHERE f.dropped IS NULL "
            "GROUP BY ALL ORDER BY year, exporter, importer, hs6")
        reader = result.to_arrow_reader(rows)

        def following() -> pd.DataFrame | None:
            try:
                frame = reader.read_next_batch().to_pandas()
            except StopIteration:
                return None
            frame["hs6"] = _hs_text(frame["hs6"])
            if names is not None:
                for col in ("exporter", "importer"):
                    frame[col] = names[frame[col].to_numpy()]
            return frame

        # The next batch is sorted out of DuckDB while the caller writes this one: DuckDB and
        # Arrow release the GIL, and a database driver mostly waits on its own work.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(following)
            while (frame := pending.result()) is not None:
                pending = pool.submit(following)
                yield frame


@contextmanager
def stream_trade(
    path: str | Path,
    *,
    format: TradeFormat = "auto",
    countries: pd.DataFrame | None = None,
    flow: str = "X",
    unknown: Literal["raise", "drop"] = "raise",
    memory_limit: str | None = "1GB",
    threads: int | None = None,
    max_rows: int | None = None,
) -> Iterator[TradeStream]:
    """Validate a trade file of any size and hold it for reading in batches.

    :func:`read_trade` for files that do not fit in pandas: the file is parsed and checked
    once in DuckDB (every check :func:`read_trade` makes, the same messages), then
    :meth:`TradeStream.batches` gives the flows in key order. ``memory_limit`` caps DuckDB
    (it spills to a temporary directory beyond); other parameters as in :func:`read_trade`.

    Examples
    --------
    >>> with stream_trade("BACI_HS17_Y2022_V202401.csv") as stream:  # doctest: +SKIP
    ...     total = sum(len(batch) for batch in stream.batches())

    Raises
    ------
    TradeFileError, FileNotFoundError
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="khooshe-trade-") as spill, \
            _Source(path, memory_limit=memory_limit, threads=threads) as src:
        src.con.execute(f"SET temp_directory = {_sql_str(spill)}")
        st = _stage(src, format, years=None, flow=flow, baci_countries=countries,
                    unknown=unknown, max_rows=max_rows)
        yield TradeStream(src.label, st.rows, st.years, st.notes, st)


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
