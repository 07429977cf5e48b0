"""Parquet reading: metadata and decoded text checked against the limits before decoding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from khooshe.io.tables._columns import _check_cells, _header, _text_numbers
from khooshe.io.tables._limits import LimitError, Limits, too_big
from khooshe.text.messages import Message


def _read_parquet(path: Path, limits: Limits, as_text: bool,
                  numbers: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Rows, columns and the decompressed size are checked from the metadata before any data
    is read. With ``as_text``, integer and float columns named in ``numbers`` stay numbers
    (as float64) when every value is finite."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    if meta.num_columns > limits.columns:
        raise too_big(path, "number of columns", meta.num_columns, limits.columns, "columns")
    if meta.num_rows > limits.rows:
        raise too_big(path, "number of rows", meta.num_rows, limits.rows, "rows")
    unzipped = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unzipped > limits.unzipped_mb * 2**20:
        raise too_big(path, "decompressed size in MB", unzipped / 2**20, limits.unzipped_mb,
                      "unzipped_mb")
    df = _decoded_parquet(path, limits)
    _header(path, list(df.columns))
    if as_text:
        names = [str(c).strip() for c in df.columns]
        keep = {i for i, name in enumerate(names)
                if name in numbers and _finite_numbers(df.iloc[:, i])}
        columns: dict[int, object] = {}
        for i in range(df.shape[1]):
            s = df.iloc[:, i]
            if i in keep:
                columns[i] = s.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                text = s.astype("string").astype(object)
                columns[i] = text.where(text.notna(), None)
        out = pd.DataFrame(columns, index=df.index)
        out.columns = df.columns
        _check_cells(path, out.iloc[:, [i for i in range(out.shape[1]) if i not in keep]],
                     limits)
        out.columns = names
        return _text_numbers(out, numbers)
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _decoded_parquet(path: Path, limits: Limits) -> pd.DataFrame:
    """The file as pandas reads it, its text columns read dictionary-encoded first: the size
    they decode to (and their longest cell) is checked before they are decoded — a few
    megabytes of Parquet may hold one long text repeated millions of times (a dictionary
    bomb), which the metadata's sizes do not show."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    def is_text(kind) -> bool:
        if pa.types.is_dictionary(kind):  # written dictionary-typed (pandas categoricals)
            kind = kind.value_type
        return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                    or pa.types.is_binary(kind) or pa.types.is_large_binary(kind))

    schema = pq.read_schema(path)
    text = [f.name for f in schema if is_text(f.type)]
    table = pq.read_table(path, read_dictionary=text) if text else pq.read_table(path)
    decoded = 0
    for name in text:
        for chunk in table.column(name).chunks:
            if pa.types.is_dictionary(chunk.type):
                lengths = pc.take(pc.binary_length(chunk.dictionary), chunk.indices)
            else:
                lengths = pc.binary_length(chunk)
            longest = pc.max(lengths).as_py() or 0
            decoded += pc.sum(lengths).as_py() or 0
            if longest > limits.cell_chars * 4:  # bytes: at most 4 per character
                raise LimitError(Message("io.limit.parquet_cell", {
                    "path": str(path), "column": repr(name), "length": longest,
                    "limit": limits.cell_chars}))
            if decoded > limits.unzipped_mb * 2**20:
                raise too_big(path, "decoded size of its text in MB", decoded / 2**20,
                              limits.unzipped_mb, "unzipped_mb")
    if text:
        table = table.cast(schema)  # decoded, now that the size is known
    return table.to_pandas()


def _finite_numbers(s: pd.Series) -> bool:
    """Whether ``s`` holds integers or floats (not booleans), every present one finite."""
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        return False
    values = s.to_numpy(dtype=np.float64, na_value=np.nan)
    return bool(np.isfinite(values[~np.isnan(values)]).all())
