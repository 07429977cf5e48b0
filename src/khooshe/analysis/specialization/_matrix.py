"""The region × activity matrix every index works on: reading long or wide tables, checking
them, and the defaults and helpers the indices share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.domain.errors import FIRST_ROW, InputError
from khooshe.text.messages import Bilingual, Message

#: LQ at or above which a region counts as specialised (strong) in an activity.
DEFAULT_LQ_THRESHOLD = 1.25
#: Locational Gini (EconGeo scale, 0–0.5) at or above which an activity counts as traded.
DEFAULT_TRADED_GINI = 0.25
#: Fewer establishments than this in a (region, activity) cell → ``small_base``.
DEFAULT_MIN_ESTABLISHMENTS = 3
#: A value (employment by default) below this in a (region, activity) cell → ``small_base``.
DEFAULT_MIN_VALUE = 10.0

_REL_TOL = 1e-9  # relative tolerance of "≥ threshold" comparisons

Reference: TypeAlias = Literal["equal", "total"] | pd.Series | None


class SpecializationInputError(InputError):
    """Input that cannot be turned into a region × activity matrix, or a bad parameter."""


# --------------------------------------------------------------------------------------------
# The matrix
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RegionActivityMatrix:
    """A sparse region × activity matrix with its labels.

    Attributes
    ----------
    values : scipy.sparse.csr_matrix
        Non-negative float64 amounts, shape ``(len(regions), len(activities))``, no stored zeros.
    regions, activities : pandas.Index
        Row and column labels (unique).
    counts : scipy.sparse.csr_matrix or None
        Number of establishments (input rows, or the sum of a count column) per cell, when the
        matrix was built from a long table; ``None`` otherwise.
    region_name, activity_name, value_name : str
        Column names used in tidy outputs (the input's column names for long tables; the
        index/columns names or ``region``/``activity``/``value`` for wide ones).
    """

    values: sp.csr_matrix
    regions: pd.Index
    activities: pd.Index
    counts: sp.csr_matrix | None = None
    region_name: str = "region"
    activity_name: str = "activity"
    value_name: str = "value"

    def __post_init__(self) -> None:
        shape = (len(self.regions), len(self.activities))
        if self.values.shape != shape:
            raise SpecializationInputError(
                f"matrix shape {self.values.shape} does not match {shape[0]} regions × "
                f"{shape[1]} activities"
            )
        if self.counts is not None and self.counts.shape != shape:
            raise SpecializationInputError("counts matrix shape does not match the values")

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    @property
    def nnz(self) -> int:
        return int(self.values.nnz)

    @cached_property
    def region_totals(self) -> np.ndarray:
        """``X_i`` for every region."""
        return np.asarray(self.values.sum(axis=1)).ravel()

    @cached_property
    def activity_totals(self) -> np.ndarray:
        """``X_j`` for every activity."""
        return np.asarray(self.values.sum(axis=0)).ravel()

    @cached_property
    def total(self) -> float:
        """``X``, the grand total."""
        return float(self.values.sum())

    @cached_property
    def _cells(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row index, column index and value of every non-zero cell (CSR order)."""
        m = self.values
        rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
        return rows, m.indices.astype(np.int64, copy=False), m.data

    @cached_property
    def _lq(self) -> np.ndarray:
        """LQ of every non-zero cell, aligned with :attr:`_cells`."""
        rows, cols, data = self._cells
        return _cell_lq(data, self.total, self.region_totals[rows], self.activity_totals[cols])

    def cell_counts(self) -> np.ndarray | None:
        """Establishment counts aligned with the non-zero value cells (None if unknown)."""
        if self.counts is None:
            return None
        rows, cols, _ = self._cells
        n = np.asarray(self.counts[rows, cols]).ravel()
        return n.astype(np.int64) if np.array_equal(n, np.round(n)) else n

    def to_frame(self) -> pd.DataFrame:
        """The matrix as a dense wide DataFrame (regions × activities). Mind the memory."""
        return pd.DataFrame(self.values.toarray(), index=self.regions.rename(self.region_name),
                            columns=self.activities.rename(self.activity_name))

    def to_long(self, *, counts: bool = True) -> pd.DataFrame:
        """The non-zero cells as a tidy table (region, activity, value[, n_establishments])."""
        rows, cols, data = self._cells
        out = pd.DataFrame({
            self.region_name: self.regions.take(rows),
            self.activity_name: self.activities.take(cols),
            self.value_name: data,
        })
        n = self.cell_counts() if counts else None
        if n is not None:
            out["n_establishments"] = n
        return out


def _cell_lq(data: np.ndarray, total: float, region_totals: np.ndarray,
             activity_totals: np.ndarray) -> np.ndarray:
    """``x_ij · X / (X_i · X_j)`` per cell. One expression for the whole matrix and for a part
    of it given the whole's ``X`` and ``X_j``, so that both give the same bits."""
    return data * total / (region_totals * activity_totals)


def _row_positions(mask: np.ndarray, limit: int = 5) -> Message:
    """The first ``limit`` rows where ``mask`` holds, and how many more, in the reader's
    language; rows as a spreadsheet numbers them (the header is row 1, the first record 2),
    as every refusal of a table names them."""
    from khooshe.text.numbers import format_value

    pos = (np.flatnonzero(mask)[:limit] + FIRST_ROW).tolist()
    more = int(mask.sum()) - len(pos)
    positions = Bilingual(fa="، ".join(format_value(p, "fa")[0] for p in pos),
                          en=", ".join(str(p) for p in pos))
    if more > 0:
        return Message("analysis.rows.more", {"positions": positions, "more": more})
    return Message("analysis.rows.some", {"positions": positions})


def _numeric_column(series: pd.Series, name: str, na: str) -> np.ndarray:
    """Convert a column to float64 or raise naming the bad rows."""
    raw = series.to_numpy()
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    ):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        if isinstance(series.dtype, pd.StringDtype) or series.dtype == object:
            series = series.astype("string").str.strip().replace("", pd.NA)
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64,
                                                                 na_value=np.nan)
        bad = np.isnan(values) & ~pd.isna(series).to_numpy()
        if bad.any():
            examples = ", ".join(repr(v) for v in pd.unique(raw[bad])[:3])
            raise SpecializationInputError(Message("analysis.table.not_numbers", {
                "column": name, "count": int(bad.sum()), "rows": _row_positions(bad),
                "examples": examples}))
    nan = np.isnan(values)
    if nan.any():
        if na == "zero":
            values = np.where(nan, 0.0, values)
        else:
            raise SpecializationInputError(Message("analysis.table.missing", {
                "column": name, "count": int(nan.sum()), "rows": _row_positions(nan)}))
    inf = np.isinf(values)
    if inf.any():
        raise SpecializationInputError(Message("analysis.table.infinite", {
            "column": name, "count": int(inf.sum()), "rows": _row_positions(inf)}))
    neg = values < 0
    if neg.any():
        raise SpecializationInputError(Message("analysis.table.negative", {
            "column": name, "count": int(neg.sum()), "rows": _row_positions(neg)}))
    return values


def _factorize(labels: pd.Series | pd.Index, sort: bool = True
               ) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and unique labels; sorted labels (long tables) or first-seen order."""
    try:
        codes, uniques = pd.factorize(labels, sort=sort)
    except TypeError:  # labels of mixed types cannot be sorted
        codes, uniques = pd.factorize(labels, sort=False)
    return codes.astype(np.int64, copy=False), pd.Index(uniques)


def _check_not_empty(m: RegionActivityMatrix, what: Message) -> RegionActivityMatrix:
    if m.total <= 0:
        raise SpecializationInputError(Message("analysis.table.all_zero", {"what": what}))
    return m


def region_activity_matrix(
    data: pd.DataFrame | RegionActivityMatrix | np.ndarray | sp.spmatrix | sp.sparray,
    region: str | None = None,
    activity: str | None = None,
    value: str | None = None,
    *,
    count: str | None = None,
    na: Literal["error", "zero"] = "error",
) -> RegionActivityMatrix:
    """Build a sparse region × activity matrix from a long or wide table.

    Parameters
    ----------
    data : DataFrame, RegionActivityMatrix, ndarray or scipy sparse matrix
        * long DataFrame (``region`` and ``activity`` given): one row per establishment or per
          (region, activity) pair; duplicate pairs are **summed**;
        * wide DataFrame (``region`` and ``activity`` not given): index = regions, columns =
          activities, every column numeric; duplicate labels are summed; the order of rows and
          columns is kept (long tables give sorted regions and activities);
        * an array or sparse matrix: regions and activities are labelled 0, 1, …;
        * a :class:`RegionActivityMatrix` is returned unchanged.
    region, activity : str, optional
        Columns of a long table holding the region code and the activity code.
    value : str, optional
        Column of a long table with the amount (employment, output, …). When omitted each row
        counts 1, so an establishment register gives the number of establishments.
    count : str, optional
        Column of a long table with the number of establishments each row stands for (for
        aggregated tables). When omitted each row is one establishment. Kept in
        :attr:`RegionActivityMatrix.counts` for the minimum-size rule of
        :func:`cluster_strength`.
    na : {"error", "zero"}
        What to do with missing values in ``value``/``count`` (or NaN cells of a wide table):
        raise (default) or count them as 0.

    Raises
    ------
    SpecializationInputError
        Missing columns, empty table, missing region/activity codes, values that are not
        numbers, missing (unless ``na="zero"``), infinite or negative, or all zero.
    """
    if isinstance(data, RegionActivityMatrix):
        return data
    if na not in ("error", "zero"):
        raise SpecializationInputError(f"na must be 'error' or 'zero', not {na!r}")
    if isinstance(data, pd.DataFrame) and (region is not None or activity is not None):
        return _from_long(data, region, activity, value, count, na)
    if isinstance(data, pd.DataFrame):
        if value is not None or count is not None:
            raise SpecializationInputError(
                "value/count columns apply to a long table: give region and activity too"
            )
        return _from_wide(data, na)
    if isinstance(data, np.ndarray | sp.spmatrix | sp.sparray):
        mat = sp.csr_matrix(data, dtype=np.float64)
        if mat.ndim != 2:
            raise SpecializationInputError("a region × activity matrix must be 2-dimensional")
        if mat.shape[0] == 0 or mat.shape[1] == 0:
            raise SpecializationInputError(
                f"the matrix is empty ({mat.shape[0]} regions × {mat.shape[1]} activities)"
            )
        d = mat.data
        if np.isnan(d).any():
            if na == "zero":
                mat.data = np.where(np.isnan(d), 0.0, d)
            else:
                raise SpecializationInputError(
                    f"the matrix has {int(np.isnan(d).sum())} missing (NaN) cell(s); "
                    "pass na='zero' to count them as 0"
                )
        if np.isinf(mat.data).any() or (mat.data < 0).any():
            raise SpecializationInputError("the matrix has infinite or negative cells")
        mat.eliminate_zeros()
        mat.sum_duplicates()
        m = RegionActivityMatrix(mat, pd.RangeIndex(mat.shape[0]), pd.RangeIndex(mat.shape[1]))
        return _check_not_empty(m, Message("analysis.what.matrix"))
    raise SpecializationInputError(
        f"expected a DataFrame, an array or a sparse matrix, not {type(data).__name__}"
    )


def _from_long(
    df: pd.DataFrame, region: str | None, activity: str | None, value: str | None,
    count: str | None, na: str,
) -> RegionActivityMatrix:
    if region is None or activity is None:
        raise SpecializationInputError("a long table needs both region and activity columns")
    wanted = [c for c in (region, activity, value, count) if c is not None]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise SpecializationInputError(Message("analysis.table.no_columns", {
            "missing": ", ".join(map(repr, missing)),
            "columns": ", ".join(map(str, df.columns))}))
    if len(df) == 0:
        raise SpecializationInputError(Message("analysis.table.no_rows"))
    for col in (region, activity):
        null = df[col].isna().to_numpy()
        if df[col].dtype == object or isinstance(df[col].dtype, pd.StringDtype):
            null |= (df[col].astype("string").str.strip() == "").fillna(False).to_numpy(bool)
        if null.any():
            raise SpecializationInputError(Message("analysis.table.no_code", {
                "column": col, "count": int(null.sum()), "rows": _row_positions(null)}))
    vals = (_numeric_column(df[value], value, na) if value is not None
            else np.ones(len(df), dtype=np.float64))
    cnts = (_numeric_column(df[count], count, na) if count is not None
            else np.ones(len(df), dtype=np.float64))
    ri, regions = _factorize(df[region])
    ai, activities = _factorize(df[activity])
    shape = (len(regions), len(activities))
    mat = sp.csr_matrix((vals, (ri, ai)), shape=shape)  # sums duplicate pairs
    mat.eliminate_zeros()
    counts = sp.csr_matrix((cnts, (ri, ai)), shape=shape)
    m = RegionActivityMatrix(
        mat, regions, activities, counts=counts, region_name=str(region),
        activity_name=str(activity), value_name=str(value) if value is not None else "count",
    )
    return _check_not_empty(m, Message("analysis.what.column", {"column": value}) if value
                            else Message("analysis.what.table"))


def _from_wide(df: pd.DataFrame, na: str) -> RegionActivityMatrix:
    if df.shape[0] == 0:
        raise SpecializationInputError("the table has no rows (regions)")
    if df.shape[1] == 0:
        raise SpecializationInputError("the table has no activity columns")
    try:
        arr = df.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        bad = [str(c) for c in df.columns
               if not pd.api.types.is_numeric_dtype(df[c].dtype)
               and (pd.to_numeric(df[c], errors="coerce").isna() & df[c].notna()).any()]
        raise SpecializationInputError(
            "wide table: column(s) with values that are not numbers: " + ", ".join(bad[:10])
            + (" …" if len(bad) > 10 else "")
        ) from None
    nan = np.isnan(arr)
    if nan.any():
        if na == "zero":
            arr = np.where(nan, 0.0, arr)
        else:
            cols = [str(c) for c in df.columns[nan.any(axis=0)]]
            raise SpecializationInputError(
                f"wide table: {int(nan.sum())} missing cell(s) in column(s) "
                + ", ".join(cols[:10]) + "; fill them in, or pass na='zero' to count them as 0"
            )
    if np.isinf(arr).any():
        raise SpecializationInputError("wide table: infinite values")
    if (arr < 0).any():
        cols = [str(c) for c in df.columns[(arr < 0).any(axis=0)]]
        raise SpecializationInputError(
            "wide table: negative values in column(s) " + ", ".join(cols[:10])
        )
    ri, regions = _factorize(df.index, sort=False)
    ai, activities = _factorize(df.columns, sort=False)
    r, c = np.nonzero(arr)
    mat = sp.csr_matrix((arr[r, c], (ri[r], ai[c])), shape=(len(regions), len(activities)))
    m = RegionActivityMatrix(
        mat, regions, activities,
        region_name=str(df.index.name) if df.index.name is not None else "region",
        activity_name=str(df.columns.name) if df.columns.name is not None else "activity",
    )
    return _check_not_empty(m, Message("analysis.what.wide"))


def _matrix(data, region, activity, value) -> RegionActivityMatrix:
    return region_activity_matrix(data, region, activity, value)


def _ge(a: np.ndarray, threshold: float) -> np.ndarray:
    """``a ≥ threshold`` up to a relative floating-point tolerance."""
    return a >= threshold * (1.0 - _REL_TOL)


def _region_series(m: RegionActivityMatrix, values: np.ndarray, name: str) -> pd.Series:
    return pd.Series(values, index=m.regions.rename(m.region_name), name=name)


def _activity_series(m: RegionActivityMatrix, values: np.ndarray, name: str) -> pd.Series:
    return pd.Series(values, index=m.activities.rename(m.activity_name), name=name)


def _grouped_order(group: np.ndarray, key_order: np.ndarray) -> np.ndarray:
    """Permutation sorting by ``group``, then by a key whose stable argsort is ``key_order``.

    Two stable sorts instead of one ``np.lexsort`` on a float key: the group sort runs on small
    unsigned integers (radix sort) and the key sort can be shared between groupings.
    """
    g = group[key_order]
    if len(g) and g.max() < 2**16:
        g = g.astype(np.uint16)
    elif len(g) and g.max() < 2**31:
        g = g.astype(np.int32)
    return key_order[np.argsort(g, kind="stable")]


def _dense_group_rank(group: np.ndarray, key: np.ndarray, n: int) -> np.ndarray:
    """Rank within groups (``method="min"``) of elements already sorted by (group, key)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    pos = np.arange(n)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = group[1:] != group[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    new_key = new_group.copy()
    new_key[1:] |= key[1:] != key[:-1]
    key_start = np.maximum.accumulate(np.where(new_key, pos, 0))
    return (key_start - group_start + 1).astype(np.int64)
