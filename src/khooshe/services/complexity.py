"""Subnational economic complexity of a workspace: region × ISIC employment.

The Atlas method needs "products" and "places"; inside a country they are ISIC classes and
regions (provinces or counties), the value being the employment (or the number) of operating
establishments, as in subnational complexity studies (e.g. Gao & Zhou 2018 for Chinese
provinces, Chávez, Mosqueda & Gómez-Zaldívar 2017 for Mexican states). Complexity is always
computed on the whole country — a province alone is too small a world for ubiquity to mean
anything — and then restricted to the requested province's regions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from khooshe.analysis.complexity import (
    check_options,
    complexity,
    complexity_by_period,
    period_where,
    proximity_table,
    split_by_period,
    warn_missing,
    warn_summed,
)
from khooshe.domain.errors import InputError
from khooshe.domain.vocab import labels_of
from khooshe.io.tables import (
    PERIOD_ROWS,
    ParquetParts,
    PeriodDataset,
    is_dataset_path,
    open_period_dataset,
    read_table,
    table_format,
    write_table,
)
from khooshe.text.messages import Message

if TYPE_CHECKING:
    from khooshe.services.engine import Engine
    from khooshe.store.workspace import Workspace

LEVELS = ("province", "county")


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with BLAS (OpenBLAS, MKL) on one thread.

    The matrix products of the complexity engine are small (hundreds of locations × a few
    thousand products, many of them in a loop), so BLAS threads gain little even on an idle
    machine, and when another process holds a core they wait for each other: on the 2-core
    reference machine, with another job running, the 230 × 5,000 × 2 panel took 2.5–3.8 s
    with two threads and 0.6–0.7 s with one.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def workspace_complexity(
    ws: Workspace,
    level: str = "county",
    province: str | None = None,
    measure: str = "employment",
    **complexity_kwargs: Any,  # passed on unchanged: typed where they are used
) -> pd.DataFrame:
    """Complexity measures of every (region, ISIC class) at ``level``.

    Parameters
    ----------
    ws : Workspace
    level : {"province", "county"}
        Regions compared. Villages are too small for presence (RCA) to be meaningful.
    province : str, optional
        Keep only this province's regions (the computation still uses the whole country).
    measure : {"employment", "establishments"}
    **complexity_kwargs
        Passed to :func:`khooshe.analysis.complexity.complexity` (``presence``,
        ``rca_threshold``, ``continuous``, ``asymmetric``, ``knn``…).

    Returns
    -------
    DataFrame
        The columns of :func:`~khooshe.analysis.complexity.complexity` with the location column
        named ``region`` and the product column ``isic``, plus ``region_name_fa`` and
        ``region_name_en``.
    """
    # the store (SQLAlchemy) is imported here, not with the module: ``khooshe complexity FILE``
    # never opens a workspace and should not pay for loading it
    from khooshe.domain.regions import RegionHierarchy
    from khooshe.services.frames import MEASURES, activity_table
    from khooshe.store.repository import read_kind

    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    fixed = sorted(set(complexity_kwargs) & {"data", "location", "product", "value", "time"})
    if fixed:
        raise ValueError(f"{', '.join(fixed)}: set by the workspace (regions × ISIC classes, "
                         "one period); pass only options of complexity()")
    regions = read_kind(ws, "regions", columns=["code", "level", "parent_code", "name_fa",
                                                "name_en"])
    hierarchy = RegionHierarchy(regions)
    if province is not None:
        hierarchy.check(province, "province")
    table = activity_table(ws, level=level, measure=measure)
    if table.empty:
        raise InputError(Message("analysis.workspace.no_establishments"))
    if table["region"].nunique() < 2:
        raise InputError(Message("analysis.workspace.two_regions",
                                 {"level": labels_of("region_level", level)}))
    with one_blas_thread():
        out = complexity(table[["region", "isic", "value"]], location="region",
                         product="isic", value="value", **complexity_kwargs)
    if province is not None:
        out = out[hierarchy.contains(province, out["region"])]
    names = regions.set_index("code")[["name_fa", "name_en"]]
    names.columns = ["region_name_fa", "region_name_en"]
    return out.join(names, on="region").reset_index(drop=True)


# --- Long tables from files (``khooshe complexity FILE``, ``khooshe proximity FILE``) ----------
@dataclass
class ComplexityTable:
    """The result of :func:`complexity_from_file` (or :func:`proximity_from_file`).

    Attributes
    ----------
    table : DataFrame
        The measures per (time, location, product), or the product pairs' proximity.
    periods, locations, products : int
        Distinct periods (1 without a time column), locations and products of the input that
        the table covers (for proximity, of the pairs' products).
    """

    table: pd.DataFrame
    periods: int
    locations: int
    products: int


def _distinct(codes: pd.Series) -> int:
    """The number of distinct codes of a result column (no missing values): a Python set of
    the labels repeated by the analysis hashes each once and is twice as fast as
    ``nunique`` on millions of rows."""
    return len(set(codes.to_numpy()))


def _population_column(pop: pd.DataFrame, source: Path, location: str,
                       time: str | None) -> str:
    """The population column of a population table: ``population``, else ``pop``, else the
    only column that is neither the location nor the time."""
    if location not in pop.columns:
        raise InputError(Message("analysis.workspace.population_no_column", {
            "source": source, "location": location, "columns": ", ".join(pop.columns)}))
    others = [c for c in pop.columns if c not in (location, time)]
    for name in ("population", "pop"):
        if name in others:
            return name
    if len(others) == 1:
        return others[0]
    raise InputError(Message("analysis.workspace.population_which", {
        "source": source, "columns": ", ".join(pop.columns)}))


def _read_long(path: str | Path, population: str | Path | None, location: str,
               time: str | None, value: str, product: str,
               ) -> tuple[pd.DataFrame, pd.DataFrame | None, str]:
    """The long table, the population table (or None) and its population column.

    Codes are read as text (as categoricals: the analysis factorises them for free); the value
    column as numbers when every cell is a plain number (otherwise as text, which the
    analysis then parses and, if it must, refuses by row)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(Message("analysis.workspace.directory", {"path": str(path)}))
    keys = [c for c in (time, location, product) if c is not None and c != value]
    data = read_table(path, as_text=True, numbers=[value], codes=keys)
    return (data, *_read_population(population, location, time))


def _read_population(population: str | Path | None, location: str, time: str | None,
                     ) -> tuple[pd.DataFrame | None, str]:
    """The population table (or None) and its population column."""
    if population is None:
        return None, "population"
    pop = read_table(population, as_text=True)
    return pop, _population_column(pop, Path(population), location, time)


def complexity_from_file(
    path: str | Path,
    *,
    location: str,
    product: str,
    value: str,
    time: str | None = None,
    population: str | Path | None = None,
    engine: Engine | None = None,
    **options: Any,
) -> ComplexityTable:
    """Every complexity measure of a long table file (CSV, XLSX or Parquet).

    Parameters
    ----------
    path : path
        One row per (time, location, product) with a value (e.g. exports). Codes are read as
        text, so HS codes keep their leading zeros. A folder of Parquet files, a glob pattern
        of them, or a Parquet file of more than :data:`~khooshe.io.tables.PERIOD_ROWS` rows
        is read one period at a time (BACI's years: see
        :func:`~khooshe.io.tables.open_period_dataset`); its rows may repeat a (time,
        location, product) key — BACI's flows to every importer — and are summed, as
        :func:`~khooshe.analysis.complexity.complexity` sums them.
    location, product, value, time : str
        Column names (``time`` optional: one period).
    population : path, optional
        For ``presence="rpop"`` or ``"both"``: a table with the location column, a population
        column (``population``, ``pop`` or the only other column) and optionally the time
        column.
    engine : Engine, optional
        Where the periods are computed: a ``dask`` :class:`~khooshe.services.engine.Engine`
        computes them in parallel, one task per period; otherwise (``local``, the default)
        they are computed here one after the other. The table is the same.
    **options
        As :func:`khooshe.analysis.complexity.complexity` (``presence``, ``rca_threshold``,
        ``rpop_threshold``, ``continuous``, ``asymmetric``, ``knn``).

    Raises
    ------
    InputError
        Unreadable files, a missing column, a population table without a population column;
        a Dask scheduler that cannot be reached.
    ValueError
        What :func:`~khooshe.analysis.complexity.complexity` rejects (negative values…). Its
        warnings (summed duplicates, missing values) are Python warnings.
    """
    dataset = _period_dataset(path, location=location, product=product, value=value,
                              time=time, population=population, options=options)
    if dataset is not None:
        parts = _dataset_parts(engine, dataset, population, options)
        keys = {c: object for c in (time, location, product) if c is not None}
        out = pd.concat([part.astype(keys) for part in parts], ignore_index=True)
        return ComplexityTable(table=out, periods=len(dataset.periods) if time else 1,
                               locations=_distinct(out[location]),
                               products=_distinct(out[product]))
    data, pop, pop_col = _read_long(path, population, location, time, value, product)
    if engine is not None and engine.distributed:
        parts = _on_engine(engine, data, location=location, product=product, value=value,
                           time=time, population=pop, population_column=pop_col,
                           categorical_codes=False, options=options)
        out = pd.concat(list(parts), ignore_index=True)
    else:
        with one_blas_thread():
            out = complexity(data, location=location, product=product, value=value,
                             time=time, population=pop, population_column=pop_col, **options)
    return ComplexityTable(table=out, periods=_distinct(out[time]) if time else 1,
                           locations=_distinct(out[location]), products=_distinct(out[product]))


@dataclass
class ComplexityWritten:
    """What :func:`write_complexity_from_file` wrote: rows, and the distinct periods,
    locations and products they cover (as :class:`ComplexityTable`)."""

    rows: int
    periods: int
    locations: int
    products: int


def write_complexity_from_file(
    path: str | Path,
    output: str | Path,
    *,
    location: str,
    product: str,
    value: str,
    time: str | None = None,
    population: str | Path | None = None,
    engine: Engine | None = None,
    **options: Any,
) -> ComplexityWritten:
    """:func:`complexity_from_file` written to ``output`` (CSV, XLSX or Parquet) — what
    ``khooshe complexity FILE -o OUTPUT`` does.

    A Parquet output is written one period at a time
    (:func:`~khooshe.analysis.complexity.complexity_by_period` into
    :class:`~khooshe.io.tables.ParquetParts`): each period is compressed while the next is
    computed and the whole long table (5.7 million rows for 5 years of 230 countries × 5,000
    products) is never in memory. The file is the one :func:`write_table` would write from
    :func:`complexity_from_file`'s table. Parameters and errors as there; nothing is written
    when any period fails. With a ``dask`` engine the periods are computed in parallel and
    written in order as they come back.
    """
    if table_format(output) != "parquet":
        run = complexity_from_file(path, location=location, product=product, value=value,
                                   time=time, population=population, engine=engine, **options)
        write_table(run.table, output)
        return ComplexityWritten(len(run.table), run.periods, run.locations, run.products)
    periods = 0
    locations: set[object] = set()
    products: set[object] = set()
    dataset = _period_dataset(path, location=location, product=product, value=value,
                              time=time, population=population, options=options)
    if dataset is not None:
        parts = _dataset_parts(engine, dataset, population, options)
    elif engine is not None and engine.distributed:
        data, pop, pop_col = _read_long(path, population, location, time, value, product)
        parts = _on_engine(engine, data, location=location, product=product, value=value,
                           time=time, population=pop, population_column=pop_col,
                           categorical_codes=True, options=options)
    else:
        data, pop, pop_col = _read_long(path, population, location, time, value, product)
        parts = complexity_by_period(data, location=location, product=product, value=value,
                                     time=time, population=pop, population_column=pop_col,
                                     categorical_codes=True, **options)
    with one_blas_thread(), ParquetParts(output) as out:
        for part in parts:
            out.write(part)
            periods += 1
            locations.update(part[location].cat.categories)
            products.update(part[product].cat.categories)
    return ComplexityWritten(out.rows, periods if time else 1, len(locations), len(products))


def period_complexity(
    part: pd.DataFrame,
    *,
    location: str,
    product: str,
    value: str,
    time: str | None,
    population: pd.DataFrame | None,
    population_column: str,
    categorical_codes: bool,
    options: dict[str, Any],
) -> pd.DataFrame:
    """Complexity of one period's rows (a frame of
    :func:`~khooshe.analysis.complexity.split_by_period`), BLAS on one thread: what an
    engine's worker computes. With ``categorical_codes`` the codes are categoricals, as
    :func:`~khooshe.analysis.complexity.complexity_by_period` gives them."""
    with one_blas_thread():
        if categorical_codes:
            frame, = complexity_by_period(
                part, location=location, product=product, value=value, time=time,
                population=population, population_column=population_column,
                categorical_codes=True, **options)
            return frame
        return complexity(part, location=location, product=product, value=value, time=time,
                          population=population, population_column=population_column,
                          **options)


def _on_engine(engine: Engine, data: pd.DataFrame, *, location: str, product: str, value: str,
               time: str | None, population: pd.DataFrame | None, population_column: str,
               categorical_codes: bool, options: dict[str, Any]) -> Iterator[pd.DataFrame]:
    """Each period's complexity computed on ``engine``, in period order (the table checked
    first, as :func:`~khooshe.analysis.complexity.complexity` checks it).

    The workers always answer with categorical codes (a period of 230 × 5,000 cells is 1.15
    million rows: as repeated text labels it would take longer to send than to compute);
    without ``categorical_codes`` they are turned back into the labels here — the file's
    codes are text, so the columns are those :func:`complexity` gives."""
    parts = split_by_period(data, location=location, product=product, value=value, time=time,
                            presence=options.get("presence", "rca"),
                            continuous=options.get("continuous", False),
                            asymmetric=options.get("asymmetric", False), population=population)
    done = engine.map(period_complexity, parts, location=location, product=product,
                      value=value, time=time, population=population,
                      population_column=population_column, categorical_codes=True,
                      options=options)
    if categorical_codes:
        return done
    keys = {c: object for c in (time, location, product) if c is not None}
    return (part.astype(keys) for part in done)


def _period_dataset(path: str | Path, *, location: str, product: str, value: str,
                    time: str | None, population: str | Path | None,
                    options: dict[str, Any]) -> PeriodDataset | None:
    """The Parquet files at ``path`` surveyed for reading period by period, when ``path`` is
    a folder or a glob pattern, or a Parquet file of more than
    :data:`~khooshe.io.tables.PERIOD_ROWS` rows (one period without a time column); None for
    a table read whole. The options are checked first, as the analysis checks them, before
    any file is read."""
    check_options(options.get("presence", "rca"), options.get("continuous", False),
                  options.get("asymmetric", False), population)
    if not is_dataset_path(path):
        if Path(path).suffix.lower() != ".parquet" or not Path(path).is_file():
            return None
        import pyarrow.parquet as pq

        try:
            rows = pq.ParquetFile(path).metadata.num_rows
        except Exception:  # not Parquet after all: read_table says what is wrong with it
            return None
        if rows <= PERIOD_ROWS:
            return None
    return open_period_dataset(path, location=location, product=product, value=value,
                               time=time)


def dataset_period_complexity(
    period: Any,
    *,
    dataset: PeriodDataset,
    population: pd.DataFrame | None,
    population_column: str,
    options: dict[str, Any],
) -> pd.DataFrame:
    """Complexity of one period of a :class:`~khooshe.io.tables.PeriodDataset`: the period
    read from the files (summed by location and product), then computed as
    :func:`period_complexity` computes a period's rows — what an engine's worker does with a
    period of BACI. The summed keys and missing values are warned of as
    :func:`~khooshe.analysis.complexity.complexity` warns of them."""
    rows = dataset.read(period)
    label = dataset.period_labels[dataset.periods.index(period)]
    where = period_where(label) if dataset.time is not None else ""
    if rows.duplicated:
        warn_summed(where, rows.duplicated, dataset.location, dataset.product, rows.example)
    if rows.missing:
        warn_missing(where, rows.missing, dataset.value)
    frame = rows.data
    if dataset.time is not None:
        frame.insert(0, dataset.time, pd.Categorical.from_codes(
            np.zeros(len(frame), dtype=np.int8), categories=pd.Index([label], dtype=object)))
    return period_complexity(frame, location=dataset.location, product=dataset.product,
                             value=dataset.value, time=dataset.time, population=population,
                             population_column=population_column, categorical_codes=True,
                             options=options)


def _dataset_parts(engine: Engine | None, dataset: PeriodDataset,
                   population: str | Path | None, options: dict[str, Any],
                   ) -> Iterator[pd.DataFrame]:
    """Each period's complexity (categorical codes), in period order, on ``engine`` (here
    when None): every worker reads its periods from the files itself."""
    from khooshe.services.engine import Engine

    pop, pop_col = _read_population(population, dataset.location, dataset.time)
    return (engine or Engine()).map(dataset_period_complexity, dataset.periods,
                                    dataset=dataset, population=pop,
                                    population_column=pop_col, options=options)


def proximity_from_file(
    path: str | Path,
    *,
    location: str,
    product: str,
    value: str,
    time: str | None = None,
    population: str | Path | None = None,
    **options: Any,
) -> ComplexityTable:
    """The product-pair proximity table of a long table file, as
    :func:`khooshe.analysis.complexity.proximity_table` (``presence``, ``continuous``,
    ``asymmetric``, ``min_proximity``…); files as in :func:`complexity_from_file`."""
    data, pop, pop_col = _read_long(path, population, location, time, value, product)
    with one_blas_thread():
        out = proximity_table(data, location=location, product=product, value=value,
                              time=time, population=pop, population_column=pop_col, **options)
    first = f"{product}_1"
    return ComplexityTable(table=out, periods=_distinct(out[time]) if time else 1,
                           locations=data[location].nunique(),
                           products=_distinct(out[first]) if first in out else 0)
