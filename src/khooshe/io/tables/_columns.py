"""Column clean-up shared by the readers: header names, text and number columns, cell lengths."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from khooshe.io.tables._formulas import _NEUTRALISED
from khooshe.io.tables._limits import LIMITS_ENV, LimitError, Limits, TableFormatError
from khooshe.text.messages import Message


def _header(path: Path, names: Sequence[object]) -> list[str]:
    header = ["" if n is None else str(n).strip() for n in names]
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name in seen and name:
            raise TableFormatError(Message("io.read.twice", {
                "path": str(path), "name": name, "first": seen[name], "second": i}))
        seen[name] = i
    return header


def _arrow_text(column):
    """A pyarrow text column as :func:`read_table` gives text: empty cells missing and
    neutralised formulas restored (``'=x`` → ``=x``), both computed in C."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    empty = pc.equal(column, "")
    if pc.any(empty).as_py():
        column = pc.if_else(empty, pa.scalar(None, pa.string()), column)
    if pc.any(pc.starts_with(column, "'")).as_py():  # cheap test first; the pattern if need be
        quoted = pc.match_substring_regex(column, _NEUTRALISED)
        column = pc.if_else(quoted, pc.utf8_slice_codeunits(column, 1), column)
    return column


def _plain_numbers(column) -> np.ndarray | None:
    """The numbers of a pyarrow text column as float64 (missing cells NaN) when every present
    cell is a plain, finite decimal number; None otherwise (the column stays text).

    pyarrow's parser reads decimal numbers (sign, digits, point, exponent) and ``inf``/``nan``
    and refuses anything else (spaces, thousands separators, a decimal comma, other digits);
    the non-finite ones are left as text too, so what is read here is what pandas' parser
    would read as a finite number. The one place they part is an exponent out of range
    (``0e502`` is 0 to pyarrow, not a number to pandas): cells with an exponent, rare in
    tables, are checked by pandas too."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.null_count == len(column):
        return None  # no number in it: leave an empty column as text, as it always was
    try:
        values = pc.cast(column, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if not pc.all(pc.is_finite(values)).as_py():  # inf, nan, 1e999: the caller's rules decide
        return None
    exponent = pc.or_(pc.match_substring(column, "e"), pc.match_substring(column, "E"))
    if pc.any(exponent).as_py():
        texts = pc.filter(column, exponent).to_numpy(zero_copy_only=False)
        if pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").isna().any():
            return None
    return values.to_numpy(zero_copy_only=False)


def _categorical_column(column) -> pd.Categorical:
    """A pyarrow text column as a pandas ``Categorical`` with sorted categories (pyarrow sorts
    UTF-8 bytewise, which is Python's order of ``str``)."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    order = pc.array_sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # missing cells
    indices = pc.fill_null(encoded.indices, len(order)).to_numpy(zero_copy_only=False)
    labels = np.empty(len(order), dtype=object)
    labels[:] = encoded.dictionary.take(order).to_pylist()
    return pd.Categorical.from_codes(rank[indices], categories=pd.Index(labels, dtype=object))


def _categories(df: pd.DataFrame, codes: frozenset[str]) -> pd.DataFrame:
    """``df`` with its text columns named in ``codes`` as categoricals (XLSX, Parquet)."""
    for i, name in enumerate(df.columns):
        if name in codes and df.iloc[:, i].dtype == object:
            df.isetitem(i, pd.Categorical(df.iloc[:, i]))
    return df


def _object_column(column) -> np.ndarray:
    """A pyarrow text column as a NumPy object array of ``str`` and ``None``, one Python string
    per distinct value: codes repeat heavily (a year, 230 countries, 5,000 products in a
    million rows), so this is much cheaper than one string per cell."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    labels = encoded.dictionary.to_pylist()
    lookup = np.empty(len(labels) + 1, dtype=object)
    lookup[:len(labels)] = labels
    lookup[-1] = None
    indices = pc.fill_null(encoded.indices, len(labels)).to_numpy(zero_copy_only=False)
    return lookup[indices]


def _check_cells(path: Path, df: pd.DataFrame, limits: Limits) -> None:
    for col in df.columns:
        lengths = df[col].astype("string").str.len()
        longest = lengths.max() if len(lengths) else 0
        if pd.notna(longest) and longest > limits.cell_chars:
            row = int(lengths.to_numpy().argmax()) + 2
            raise LimitError(f"{path}: row {row}, column {col!r}: a cell of {int(longest):,} "
                             f"characters is over the limit of {limits.cell_chars:,}; if the "
                             f"file is genuine, raise it with {LIMITS_ENV}=\"cell_chars=…\"")


def _text_numbers(df: pd.DataFrame, numbers: frozenset[str]) -> pd.DataFrame:
    """``df`` with each text column named in ``numbers`` as float64 where
    :func:`_plain_numbers` can read it."""
    import pyarrow as pa

    for i, name in enumerate(df.columns):
        if name in numbers and df.iloc[:, i].dtype == object:
            values = _plain_numbers(pa.array(df.iloc[:, i].to_numpy(), type=pa.string(),
                                             from_pandas=True))
            if values is not None:
                df.isetitem(i, values)
    return df
