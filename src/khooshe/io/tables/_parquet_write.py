"""Parquet writing: large tables by row group, and ParquetParts (a table written part by part)."""

from __future__ import annotations

import sys
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from khooshe.io.tables._limits import TableFormatError, table_format
from khooshe.io.tables._output import atomic_path

#: Rows per Parquet row group of a large table (pyarrow's default is four times as many): the
#: row group being written and the one being converted stay small (40 MB less at the peak of
#: ``khooshe complexity`` on a million rows), for a file 3 % larger.
_ROW_GROUP = 1 << 18
#: A column whose dictionary grows past this is written plain: pyarrow's default (1 MiB) lets a
#: float column of a million distinct values be hashed for nothing; codes, years and
#: per-location measures (a few thousand values) stay dictionary-encoded. A fifth less work,
#: and files no larger.
_DICTIONARY_BYTES = 1 << 18
#: The same for :class:`ParquetParts`, whose tables are long tables of measures (millions of
#: rows; codes of at most a few thousand values, e.g. 5,400 HS6 products in 55 kB): a quarter
#: of the limit still holds every code list, and the measure columns give up on a dictionary
#: four times sooner.
_PARTS_DICTIONARY_BYTES = 1 << 16
#: Values the Parquet writer encodes per batch (pyarrow's default: 1,024): larger batches
#: cost fewer calls per column. With the smaller dictionaries, 28 % less time writing a
#: period of 1.15 million rows × 13 columns (0.26 s → 0.19 s), the file 2 % smaller.
_WRITE_BATCH = 1 << 18


def _parquet_schema(df: pd.DataFrame, *, nullable_ints: bool = False):
    """The pyarrow schema ``df.to_parquet`` infers, from the dtypes alone (text for object
    columns), or None when ``df`` holds anything but numbers, booleans and objects (and, with
    ``nullable_ints``, pandas' nullable ``Int64``, as the database's integers are read)."""
    import pyarrow as pa

    fields = []
    for name, dtype in df.dtypes.items():
        if not isinstance(name, str):
            return None
        if nullable_ints and isinstance(dtype, pd.Int64Dtype):
            fields.append(pa.field(name, pa.int64()))
            continue
        if not isinstance(dtype, np.dtype):
            return None  # categorical, nullable, dates with a zone…: pandas knows best
        if dtype.kind == "O":
            fields.append(pa.field(name, pa.string()))
        elif dtype.kind in "biuf":
            fields.append(pa.field(name, pa.from_numpy_dtype(dtype)))
        else:
            return None
    return pa.schema(fields)


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    """``df.to_parquet(path, index=False)``, faster for large tables: column types taken from
    the dtypes rather than inferred from every cell, each row group encoded and compressed
    (in C, without the GIL) while the next one is converted from Python objects, and
    dictionaries limited to :data:`_DICTIONARY_BYTES`.

    The file holds what ``to_parquet`` writes (same schema, metadata and values); a table
    that is not what the dtypes promise (an object column of numbers, or of nothing but
    missing values, which pyarrow types as null) is written by ``to_parquet`` instead."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema(df) if df.columns.is_unique and len(df) > _ROW_GROUP else None
    if schema is None:
        df.to_parquet(path, index=False, dictionary_pagesize_limit=_DICTIONARY_BYTES)
        return
    from concurrent.futures import ThreadPoolExecutor

    def part(start: int) -> pa.Table:
        table = pa.Table.from_pandas(df.iloc[start:start + _ROW_GROUP], schema=schema,
                                     preserve_index=False)
        if start == 0 and any(table.column(i).null_count == table.num_rows
                              for i, t in enumerate(schema.types) if t == pa.string()):
            raise pa.ArrowTypeError("an object column without a value in its first rows")
        return table

    try:
        first = part(0)
        with pq.ParquetWriter(path, first.schema, compression="snappy",
                              dictionary_pagesize_limit=_DICTIONARY_BYTES,
                              write_batch_size=_WRITE_BATCH) as writer, \
                ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(writer.write_table, first)
            for start in range(_ROW_GROUP, len(df), _ROW_GROUP):
                table = part(start)
                pending.result()
                pending = pool.submit(writer.write_table, table)
            pending.result()
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # not text after all: pandas' own way
        df.to_parquet(path, index=False, dictionary_pagesize_limit=_DICTIONARY_BYTES)


class ParquetParts:
    """Write a table to a Parquet file part by part — e.g. one period of a panel at a time,
    each written while the caller computes the next, so that the whole table is never in
    memory.

    The file holds what :func:`write_table` writes from the parts concatenated (same schema,
    pandas metadata and values): categorical columns are written as their values. Each part
    is converted and compressed in a background thread (pyarrow works without the GIL); at
    most one part waits. Like :func:`write_table`, the file appears only when every part has
    been written (:func:`atomic_path`).

    >>> with ParquetParts("out.parquet") as out:  # doctest: +SKIP
    ...     for frame in frames:
    ...         out.write(frame)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows = 0
        self._schema: Any = None  # a pyarrow Schema once the first part is seen
        self._writer: Any = None  # a pyarrow ParquetWriter, likewise
        self._pending: Future[None] | None = None

    def __enter__(self) -> ParquetParts:
        from concurrent.futures import ThreadPoolExecutor
        from contextlib import ExitStack

        if table_format(self.path) != "parquet":
            raise TableFormatError(f"{self.path}: ParquetParts writes .parquet files")
        self._stack = ExitStack()
        self._tmp = self._stack.enter_context(atomic_path(self.path))
        self._pool = ThreadPoolExecutor(max_workers=1)
        return self

    def write(self, part: pd.DataFrame) -> None:
        """Queue ``part`` (its columns and types as the first part's)."""
        import pyarrow.parquet as pq

        if self._pending is not None:
            self._pending.result()  # one part at a time: memory stays bounded
        if self._schema is None:
            self._schema = _parts_schema(part)
            self._writer = pq.ParquetWriter(
                self._tmp, _dictionary_schema(self._schema, part), compression="snappy",
                dictionary_pagesize_limit=_PARTS_DICTIONARY_BYTES,
                write_batch_size=_WRITE_BATCH, store_schema=False)
            # without the stored Arrow schema (which would say "dictionary"), pandas' own
            # metadata goes in by hand: readers see text columns, as write_table's file has
            self._writer.add_key_value_metadata(self._schema.metadata)
        self.rows += len(part)
        self._pending = self._pool.submit(self._write, part)

    def _write(self, part: pd.DataFrame) -> None:
        import pyarrow as pa

        # categorical columns go to the writer as dictionaries: it writes their codes as they
        # are instead of hashing a million strings again (a sixth of the writing)
        table = pa.Table.from_pandas(part, preserve_index=False)
        schema = self._writer.schema
        columns = [column if column.type == f.type else column.cast(f.type)
                   for column, f in zip(table.columns, schema, strict=True)]
        self._writer.write_table(pa.Table.from_arrays(columns, schema=schema),
                                 row_group_size=_ROW_GROUP)

    def __exit__(self, kind, error, trace) -> bool | None:
        failure: BaseException | None = None
        try:
            if self._pending is not None:
                failure = self._pending.exception()  # waits for the last part
            self._pool.shutdown()
            if self._writer is not None:
                self._writer.close()
            elif failure is None and kind is None:
                failure = TableFormatError(f"{self.path}: nothing to write")
        except Exception as exc:  # closing failed (a full disk…)
            failure = failure or exc
        if kind is not None or failure is None:  # the file moves into place, or goes
            return self._stack.__exit__(kind, error, trace)
        try:
            raise failure
        except BaseException:
            if not self._stack.__exit__(*sys.exc_info()):
                raise
        return None


def _dictionary_schema(schema, part: pd.DataFrame):
    """``schema`` (no metadata) with the text columns that are categorical in ``part`` as
    dictionaries of text."""
    import pyarrow as pa

    return pa.schema([
        pa.field(f.name, pa.dictionary(pa.int32(), f.type))
        if isinstance(part[f.name].dtype, pd.CategoricalDtype) and f.type == pa.string()
        else f for f in schema])


def _parts_schema(part: pd.DataFrame):
    """The schema (with pandas' metadata) :func:`write_table` gives ``part`` with its
    categorical columns as plain values."""
    import pyarrow as pa

    head = part.head(1)
    head = head.astype({c: object for c in head.columns
                        if isinstance(head[c].dtype, pd.CategoricalDtype)})
    schema = _parquet_schema(head, nullable_ints=True) if head.columns.is_unique else None
    if schema is None:
        raise TypeError("ParquetParts writes numbers, booleans, text and categorical text; "
                        f"got {', '.join(map(str, part.dtypes.unique()))}")
    return pa.Table.from_pandas(head, schema=schema, preserve_index=False).schema
