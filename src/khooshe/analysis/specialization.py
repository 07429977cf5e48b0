"""Regional specialisation, concentration and cluster strength on region × activity matrices.

Every index is computed on a *region × activity* matrix ``x`` of non-negative amounts
(employment, establishments, output, exports, …): regions in rows, activities (ISIC classes,
HS products, …) in columns. The matrix is held sparse (:class:`RegionActivityMatrix`, a
``scipy.sparse`` CSR matrix plus the row and column labels) and every computation touches the
non-zero cells only, so a village × ISIC matrix of 60,000 × 300 costs what its few hundred
thousand occupied cells cost.

Notation used in the docstrings::

    x_ij   amount of activity j in region i
    X_i    = Σ_j x_ij        region total          X_j = Σ_i x_ij   activity (national) total
    X      = Σ_ij x_ij       grand total
    s_ij   = x_ij / X_i      share of j in region i's economy
    S_j    = X_j / X         share of j in the whole (national) economy

Definitions follow the EconGeo R package (P.-A. Balland, version 2.0,
https://github.com/PABalland/EconGeo; Balland 2017, "Economic Geography in R", Papers in
Evolutionary Economic Geography 17.09). Differences from EconGeo are deliberate and stated in
each function; the common ones:

* EconGeo rounds some results for display (``rca`` to 2 decimals, ``entropy``, ``gini`` and
  ``hoover_gini`` to 3, ``hoover_index`` to 2); khooshe never rounds.
* EconGeo adds 1e-9 inside ``log2`` of the entropy; khooshe uses the exact convention
  ``0 · log 0 = 0``.
* Cells whose LQ is undefined (0/0) are 0 in EconGeo; here they are simply absent (only
  non-zero cells are returned). Per-region indices of a region whose total is zero, and
  per-activity indices of an activity whose total is zero, are ``NaN`` (EconGeo's result too,
  since its shares are 0/0 there).
* "LQ ≥ 1" (binary RCA, diversity, ubiquity) keeps EconGeo's rule that an LQ of exactly 1 counts
  as specialised; khooshe compares with a relative tolerance of 1e-9 so that an LQ that is 1 up
  to floating-point rounding also counts.

Input rules (see :func:`region_activity_matrix`): a long table (region, activity, value columns;
duplicate pairs are summed) or a wide table (regions × activities). Missing (NaN) values,
non-numbers, infinities and negative amounts are rejected with a message naming the column and
rows, unless ``na="zero"`` is asked for; a table without rows or columns, or whose values are
all zero, is rejected. A single region is valid: every LQ is 1, every concentration index is 0
and nothing is traded or strong (there is nothing to compare with).

Cluster strength follows the logic of the US Cluster Mapping Project (Porter 2003, "The
Economic Performance of Regions", Regional Studies 37; Delgado, Porter & Stern 2016, "Defining
clusters of related industries", Journal of Economic Geography 16): activities are first split
into *traded* (geographically concentrated) and *local* (spread like the economy itself), then a
region's *strong* clusters are the activities in which it is specialised. See
:func:`classify_traded` and :func:`cluster_strength` for the exact rules and defaults.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.domain.errors import InputError

__all__ = [
    "SpecializationInputError",
    "RegionActivityMatrix",
    "region_activity_matrix",
    "location_quotient",
    "rca",
    "lq_matrix",
    "average_location_quotient",
    "hachman",
    "krugman_index",
    "herfindahl",
    "entropy",
    "gini",
    "locational_gini",
    "hoover_index",
    "hoover_gini",
    "diversity",
    "ubiquity",
    "region_indices",
    "activity_indices",
    "classify_traded",
    "cluster_strength",
    "DEFAULT_LQ_THRESHOLD",
    "DEFAULT_TRADED_GINI",
    "DEFAULT_MIN_ESTABLISHMENTS",
    "DEFAULT_MIN_VALUE",
]

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
        return data * self.total / (self.region_totals[rows] * self.activity_totals[cols])

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


def _row_positions(mask: np.ndarray, limit: int = 5) -> str:
    pos = np.flatnonzero(mask)[:limit] + 1
    more = int(mask.sum()) - len(pos)
    text = ", ".join(str(p) for p in pos)
    return text + (f" and {more} more" if more > 0 else "")


def _numeric_column(series: pd.Series, name: str, na: str) -> np.ndarray:
    """Convert a column to float64 or raise naming the bad rows (1-based data rows)."""
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
            raise SpecializationInputError(
                f"column {name!r}: {int(bad.sum())} value(s) are not numbers (rows "
                f"{_row_positions(bad)}; e.g. {examples})"
            )
    nan = np.isnan(values)
    if nan.any():
        if na == "zero":
            values = np.where(nan, 0.0, values)
        else:
            raise SpecializationInputError(
                f"column {name!r}: {int(nan.sum())} missing value(s) (rows {_row_positions(nan)});"
                " fill them in, or pass na='zero' to count them as 0"
            )
    inf = np.isinf(values)
    if inf.any():
        raise SpecializationInputError(
            f"column {name!r}: {int(inf.sum())} infinite value(s) (rows {_row_positions(inf)})"
        )
    neg = values < 0
    if neg.any():
        raise SpecializationInputError(
            f"column {name!r}: {int(neg.sum())} negative value(s) (rows {_row_positions(neg)}); "
            "amounts must be ≥ 0"
        )
    return values


def _factorize(labels: pd.Series | pd.Index, sort: bool = True
               ) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and unique labels; sorted labels (long tables) or first-seen order."""
    try:
        codes, uniques = pd.factorize(labels, sort=sort)
    except TypeError:  # labels of mixed types cannot be sorted
        codes, uniques = pd.factorize(labels, sort=False)
    return codes.astype(np.int64, copy=False), pd.Index(uniques)


def _check_not_empty(m: RegionActivityMatrix, what: str) -> RegionActivityMatrix:
    if m.total <= 0:
        raise SpecializationInputError(
            f"{what}: all values are zero; location quotients and shares are undefined"
        )
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
        return _check_not_empty(m, "matrix")
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
        raise SpecializationInputError(
            f"column(s) {', '.join(map(repr, missing))} not in the table; it has: "
            + ", ".join(map(str, df.columns))
        )
    if len(df) == 0:
        raise SpecializationInputError("the table has no rows")
    for col in (region, activity):
        null = df[col].isna().to_numpy()
        if df[col].dtype == object or isinstance(df[col].dtype, pd.StringDtype):
            null |= (df[col].astype("string").str.strip() == "").fillna(False).to_numpy(bool)
        if null.any():
            raise SpecializationInputError(
                f"column {col!r}: {int(null.sum())} row(s) without a code (rows "
                f"{_row_positions(null)})"
            )
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
    return _check_not_empty(m, f"column {value!r}" if value else "table")


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
    return _check_not_empty(m, "wide table")


def _matrix(data, region, activity, value) -> RegionActivityMatrix:
    return region_activity_matrix(data, region, activity, value)


def _ge(a: np.ndarray, threshold: float) -> np.ndarray:
    """``a ≥ threshold`` up to a relative floating-point tolerance."""
    return a >= threshold * (1.0 - _REL_TOL)


def _region_series(m: RegionActivityMatrix, values: np.ndarray, name: str) -> pd.Series:
    return pd.Series(values, index=m.regions.rename(m.region_name), name=name)


def _activity_series(m: RegionActivityMatrix, values: np.ndarray, name: str) -> pd.Series:
    return pd.Series(values, index=m.activities.rename(m.activity_name), name=name)


# --------------------------------------------------------------------------------------------
# Location quotient and the per-region indices
# --------------------------------------------------------------------------------------------
def lq_matrix(data, region: str | None = None, activity: str | None = None,
              value: str | None = None, *, binary: bool = False) -> sp.csr_matrix:
    """The location quotients as a sparse CSR matrix aligned with the input matrix.

    See :func:`location_quotient` for the definition. Cells with ``x_ij = 0`` are not stored
    (their LQ is 0, or undefined when the region or activity total is zero; EconGeo reports 0).
    """
    m = _matrix(data, region, activity, value)
    lq = m._lq
    out = m.values.copy()
    out.data = _ge(lq, 1.0).astype(np.float64) if binary else lq.copy()
    if binary:
        out.eliminate_zeros()
    return out


def location_quotient(data, region: str | None = None, activity: str | None = None,
                      value: str | None = None, *, binary: bool = False) -> pd.DataFrame:
    """Location quotient (Balassa's revealed comparative advantage) of every non-zero cell.

    ``LQ_ij = (x_ij / X_i) / (X_j / X) = s_ij / S_j`` — EconGeo ``location_quotient`` and
    ``rca`` (Balassa 1965).

    Parameters
    ----------
    data, region, activity, value
        The matrix or the table to build it from (see :func:`region_activity_matrix`).
    binary : bool
        Return 1 where ``LQ ≥ 1`` and 0 otherwise, as EconGeo's ``binary = TRUE`` (which maps
        ``LQ < 1`` to 0 and ``LQ > 1`` to 1 and leaves an LQ of exactly 1 at 1).

    Returns
    -------
    DataFrame
        One row per non-zero cell: region, activity, value, ``lq`` (float, or int 0/1 when
        ``binary``). Cells with ``x_ij = 0`` are omitted: their LQ is 0 (EconGeo also writes 0
        where the LQ is undefined).

    Notes
    -----
    A single region gives ``LQ = 1`` everywhere (it *is* the reference economy).
    """
    m = _matrix(data, region, activity, value)
    out = m.to_long(counts=False)
    out["lq"] = _ge(m._lq, 1.0).astype(np.int64) if binary else m._lq
    return out


def rca(data, region: str | None = None, activity: str | None = None, value: str | None = None,
        *, binary: bool = False) -> pd.DataFrame:
    """Revealed comparative advantage (Balassa 1965): the same index as the location quotient.

    EconGeo's ``rca`` is ``location_quotient`` rounded to 2 decimals; khooshe does not round.
    The column is named ``rca``. See :func:`location_quotient`.
    """
    return location_quotient(data, region, activity, value, binary=binary).rename(
        columns={"lq": "rca"})


def average_location_quotient(data, region: str | None = None, activity: str | None = None,
                              value: str | None = None) -> pd.Series:
    """Average location quotient of each region (EconGeo ``location_quotient_avg``).

    ``avgLQ_i = Σ_j s_ij · LQ_ij = Σ_j s_ij² / S_j`` — the coefficient of specialisation of
    Hoover & Giarratani (1985): 1 for a region whose structure equals the nation's, larger the
    more the region concentrates on activities that are rare nationally. ``NaN`` for a region
    whose total is zero.
    """
    m = _matrix(data, region, activity, value)
    rows, _, d = m._cells
    share = d / m.region_totals[rows]
    avg = np.bincount(rows, weights=share * m._lq, minlength=m.shape[0])
    avg[m.region_totals == 0] = np.nan
    return _region_series(m, avg, "average_lq")


def hachman(data, region: str | None = None, activity: str | None = None,
            value: str | None = None) -> pd.Series:
    """Hachman index of each region (EconGeo ``hachman``).

    ``HI_i = 1 / avgLQ_i = 1 / Σ_j s_ij² / S_j``, in (0, 1]: 1 when the region's activity mix
    equals the national one, near 0 when it is very different. ``NaN`` for a zero region.
    """
    avg = average_location_quotient(data, region, activity, value)
    return (1.0 / avg).rename("hachman")


def krugman_index(data, region: str | None = None, activity: str | None = None,
                  value: str | None = None, *,
                  reference: Literal["total", "rest"] = "total") -> pd.Series:
    """Krugman specialisation index of each region (EconGeo ``krugman_index``).

    ``K_i = Σ_j |s_ij − S_j|``, in [0, 2): 0 when the region's mix equals the reference.

    Parameters
    ----------
    reference : {"total", "rest"}
        ``"total"`` (default, EconGeo): compare with the whole economy, the region included.
        ``"rest"`` (Krugman 1991's original): compare with the rest of the economy,
        ``S_j^(−i) = (X_j − x_ij) / (X − X_i)``; ``NaN`` when the region is the whole economy.

    ``NaN`` for a region whose total is zero.
    """
    m = _matrix(data, region, activity, value)
    rows, cols, d = m._cells
    s = d / m.region_totals[rows]
    if reference == "total":
        ref = m.activity_totals[cols] / m.total
        k = 1.0 + np.bincount(rows, weights=np.abs(s - ref) - ref, minlength=m.shape[0])
    elif reference == "rest":
        rest_total = m.total - m.region_totals
        with np.errstate(divide="ignore", invalid="ignore"):
            ref = (m.activity_totals[cols] - d) / rest_total[rows]
            # cells absent from region i contribute Σ_{j absent} X_j / (X − X_i)
            k = 1.0 + np.bincount(rows, weights=np.abs(s - ref) - ref, minlength=m.shape[0])
        k[~(rest_total > 0)] = np.nan
    else:
        raise SpecializationInputError(f"reference must be 'total' or 'rest', not {reference!r}")
    k[m.region_totals == 0] = np.nan
    return _region_series(m, k, "krugman")


def herfindahl(data, region: str | None = None, activity: str | None = None,
               value: str | None = None) -> pd.Series:
    """Herfindahl–Hirschman index of each region's activity mix (EconGeo ``herfindahl``).

    ``H_i = Σ_j s_ij²``, in (0, 1]: 1 for a region with a single activity. ``NaN`` for a zero
    region.
    """
    m = _matrix(data, region, activity, value)
    rows, _, d = m._cells
    s = d / m.region_totals[rows]
    h = np.bincount(rows, weights=s * s, minlength=m.shape[0])
    h[m.region_totals == 0] = np.nan
    return _region_series(m, h, "herfindahl")


def entropy(data, region: str | None = None, activity: str | None = None,
            value: str | None = None, *, base: float = 2.0) -> pd.Series:
    """Shannon entropy of each region's activity mix (EconGeo ``entropy``).

    ``E_i = −Σ_j s_ij · log_b s_ij`` with ``0 · log 0 = 0``; base 2 by default as in EconGeo
    (bits; Frenken, Van Oort & Verburg 2007). EconGeo adds 1e-9 inside the log and rounds to 3
    decimals; khooshe does neither. 0 for a one-activity region, ``log_b(n)`` for ``n``
    activities of equal size; ``NaN`` for a zero region.
    """
    if not base > 0 or base == 1:
        raise SpecializationInputError(f"entropy base must be positive and not 1, not {base}")
    m = _matrix(data, region, activity, value)
    rows, _, d = m._cells
    s = d / m.region_totals[rows]
    e = -np.bincount(rows, weights=s * np.log(s), minlength=m.shape[0]) / math.log(base)
    e = e + 0.0  # no negative zeros
    e[m.region_totals == 0] = np.nan
    return _region_series(m, e, "entropy")


# --------------------------------------------------------------------------------------------
# Concentration of activities across regions: Gini family and Hoover
# --------------------------------------------------------------------------------------------
def _lorenz_twice_area(group: np.ndarray, member: np.ndarray, vals: np.ndarray,
                       weights: np.ndarray, n_groups: int) -> np.ndarray:
    """Twice the area between a Lorenz-type curve and the diagonal, for every group at once.

    For group ``g`` (an activity), the members (regions) are ordered by ``vals / weights``
    ascending; the curve joins the points (cumulative weight share, cumulative value share).
    Members absent from the group (value 0) come first with the weight ``x0``; the result is
    EconGeo's ``sum(cind[-1] * cpop[-n]) - sum(cind[-n] * cpop[-1])`` (the shoelace formula of
    the polygon between the curve and the diagonal). ``NaN`` for a group whose value total is 0.
    """
    wsum = float(weights.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = vals / weights[member]
    ratio = np.where(np.isnan(ratio), 0.0, ratio)
    order = _grouped_order(group, np.argsort(ratio, kind="stable"))
    g, v = group[order], vals[order]
    w = weights[member[order]]
    vtot = np.bincount(g, weights=v, minlength=n_groups)
    wpres = np.bincount(g, weights=w, minlength=n_groups)
    x0 = np.clip((wsum - wpres) / wsum, 0.0, 1.0)
    if len(g) == 0:
        empty = np.zeros(n_groups)
        empty[vtot == 0] = np.nan
        return empty
    first = np.ones(len(g), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
    cv, cw = np.cumsum(v), np.cumsum(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = (cv - (cv[start] - v[start])) / vtot[g]
    x = x0[g] + (cw - (cw[start] - w[start])) / wsum
    x_prev = np.where(first, x0[g], np.r_[0.0, x[:-1]])
    y_prev = np.where(first, 0.0, np.r_[0.0, y[:-1]])
    out = np.bincount(g, weights=x_prev * y - x * y_prev, minlength=n_groups)
    out[vtot == 0] = np.nan
    return out


def _reference_weights(m: RegionActivityMatrix, reference: Reference) -> np.ndarray:
    """Reference distribution over regions for Hoover-type indices."""
    if reference is None or (isinstance(reference, str) and reference == "equal"):
        return np.ones(m.shape[0])
    if isinstance(reference, str) and reference == "total":
        return m.region_totals.astype(np.float64)
    if isinstance(reference, pd.Series):
        missing = m.regions.difference(reference.index)
        if len(missing):
            raise SpecializationInputError(
                f"reference: no value for {len(missing)} region(s), e.g. "
                + ", ".join(map(str, missing[:5]))
            )
        if reference.index.has_duplicates:
            raise SpecializationInputError("reference: duplicate region labels")
        w = pd.to_numeric(reference.reindex(m.regions), errors="coerce").to_numpy(np.float64)
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            raise SpecializationInputError(
                f"reference: {int(bad.sum())} region(s) with a missing, non-numeric, infinite or "
                "negative value, e.g. " + ", ".join(map(str, m.regions[bad][:5]))
            )
        if w.sum() <= 0:
            raise SpecializationInputError("reference: all values are zero")
        return w
    raise SpecializationInputError(
        f"reference must be 'equal', 'total' or a Series indexed by region, not {reference!r}"
    )


def gini(data, region: str | None = None, activity: str | None = None,
         value: str | None = None, *, by: Literal["activity", "region"] = "activity"
         ) -> pd.Series:
    """Gini coefficient (EconGeo ``gini``): inequality of each activity across regions.

    For activity ``j`` with regions sorted by ``x_ij`` ascending, ``p_k = k / n`` and
    ``ν_k = Σ_{l≤k} x_lj / X_j``: ``G_j = Σ_k (ν_{k+1} p_k − ν_k p_{k+1})`` — twice the area
    between the Lorenz curve and the diagonal, without the ``n/(n−1)`` small-sample correction,
    so its maximum is ``(n−1)/n`` (one region holds everything). Every region of the matrix
    counts, including regions with no activity at all (as in EconGeo, where they are rows of
    zeros).

    Parameters
    ----------
    by : {"activity", "region"}
        ``"activity"`` (default, EconGeo): one value per activity, over the regions.
        ``"region"``: one value per region, over the activities (the inequality of the region's
        own activity mix — a specialisation measure; not an EconGeo function).

    ``NaN`` for an activity (or region) whose total is zero; 0 with a single region.
    """
    m = _matrix(data, region, activity, value)
    rows, cols, d = m._cells
    if by == "activity":
        g = _lorenz_twice_area(cols, rows, d, np.ones(m.shape[0]), m.shape[1])
        return _activity_series(m, g, "gini")
    if by == "region":
        g = _lorenz_twice_area(rows, cols, d, np.ones(m.shape[1]), m.shape[0])
        return _region_series(m, g, "gini")
    raise SpecializationInputError(f"by must be 'activity' or 'region', not {by!r}")


def locational_gini(data, region: str | None = None, activity: str | None = None,
                    value: str | None = None) -> pd.Series:
    """Locational Gini of each activity (Krugman 1991; EconGeo ``locational_gini``).

    Regions are sorted by ``x_ij / X_i`` (equivalently by ``LQ_ij``); the curve plots the
    cumulative share of activity ``j`` against the cumulative share of total activity
    ``X_i / X``; ``LG_j`` is the area between that curve and the diagonal (EconGeo divides the
    Gini-type sum by 2), so it lies in [0, 0.5): 0 for an activity spread exactly like the whole
    economy, approaching 0.5 for one concentrated in a small region. Regions with a zero total
    carry no weight. ``NaN`` for an activity whose total is zero; 0 with a single region.
    """
    m = _matrix(data, region, activity, value)
    rows, cols, d = m._cells
    lg = _lorenz_twice_area(cols, rows, d, m.region_totals.astype(np.float64), m.shape[1]) / 2
    return _activity_series(m, lg, "locational_gini")


def hoover_gini(data, region: str | None = None, activity: str | None = None,
                value: str | None = None, *, reference: Reference = None) -> pd.Series:
    """Hoover Gini of each activity against a reference distribution (EconGeo ``hoover_gini``).

    As :func:`locational_gini` but with a reference distribution ``pop_i`` over regions and
    without the division by 2: regions sorted by ``x_ij / pop_i``, ``HG_j`` = twice the area
    between the Hoover curve and the diagonal, in [0, 1).

    Parameters
    ----------
    reference : "equal" (default, None), "total" or Series
        ``pop_i``: equal weights, the regions' totals ``X_i`` (then ``HG_j = 2 · LG_j``), or a
        Series indexed by region (population, area, …). EconGeo requires ``pop``; khooshe's
        default is the equal distribution that EconGeo's ``hoover_index`` assumes when ``pop``
        is missing.

    ``NaN`` for an activity whose total is zero.
    """
    m = _matrix(data, region, activity, value)
    w = _reference_weights(m, reference)
    rows, cols, d = m._cells
    return _activity_series(m, _lorenz_twice_area(cols, rows, d, w, m.shape[1]), "hoover_gini")


def hoover_index(data, region: str | None = None, activity: str | None = None,
                 value: str | None = None, *, reference: Reference = None) -> pd.Series:
    """Hoover index of each activity, in percent (EconGeo ``hoover_index``).

    ``H_j = 100 · ½ Σ_i |x_ij / X_j − pop_i / Σ pop|`` — the share (0–100) of the activity that
    would have to move for it to be distributed like the reference. ``reference`` as in
    :func:`hoover_gini`; the default (equal weights per region) is EconGeo's default when
    ``pop`` is missing. EconGeo rounds to 2 decimals; khooshe does not. ``NaN`` for an activity
    whose total is zero; 0 with a single region.
    """
    m = _matrix(data, region, activity, value)
    w = _reference_weights(m, reference)
    b_all = w / w.sum()
    rows, cols, d = m._cells
    a = d / m.activity_totals[cols]
    b = b_all[rows]
    # Σ_i |a_i − b_i| = Σ_present (|a − b| − b) + Σ_all b, and Σ_all b = 1
    h = 50.0 * (1.0 + np.bincount(cols, weights=np.abs(a - b) - b, minlength=m.shape[1]))
    h = np.clip(h, 0.0, 100.0)
    h[m.activity_totals == 0] = np.nan
    return _activity_series(m, h, "hoover_index")


def diversity(data, region: str | None = None, activity: str | None = None,
              value: str | None = None, *, rca: bool = True) -> pd.Series:
    """Diversity of each region (EconGeo ``diversity``; Balland & Rigby 2017).

    With ``rca=True`` (default; EconGeo's ``rca = TRUE``): the number of activities in which the
    region has ``LQ ≥ 1``. With ``rca=False`` the input is taken as a 0/1 matrix already and its
    row sums are returned, as EconGeo does.
    """
    m = _matrix(data, region, activity, value)
    rows, _, d = m._cells
    weights = _ge(m._lq, 1.0).astype(np.float64) if rca else d
    return _region_series(m, np.bincount(rows, weights=weights, minlength=m.shape[0]),
                          "diversity")


def ubiquity(data, region: str | None = None, activity: str | None = None,
             value: str | None = None, *, rca: bool = True) -> pd.Series:
    """Ubiquity of each activity (EconGeo ``ubiquity``): the number of regions with ``LQ ≥ 1``.

    ``rca=False``: column sums of an input that is already a 0/1 matrix (EconGeo's default).
    """
    m = _matrix(data, region, activity, value)
    _, cols, d = m._cells
    weights = _ge(m._lq, 1.0).astype(np.float64) if rca else d
    return _activity_series(m, np.bincount(cols, weights=weights, minlength=m.shape[1]),
                            "ubiquity")


# --------------------------------------------------------------------------------------------
# Tables of indices
# --------------------------------------------------------------------------------------------
def region_indices(data, region: str | None = None, activity: str | None = None,
                   value: str | None = None) -> pd.DataFrame:
    """All per-region indices in one tidy table.

    Columns: region, ``total`` (``X_i``), ``n_activities`` (non-zero activities), ``diversity``
    (activities with LQ ≥ 1), ``average_lq``, ``hachman``, ``krugman`` (vs the total economy),
    ``herfindahl``, ``entropy`` (bits), ``gini`` (of the region's activity mix, see
    :func:`gini` with ``by="region"``). Regions with a zero total get ``NaN`` shares-based
    indices and 0 counts.
    """
    m = _matrix(data, region, activity, value)
    rows = m._cells[0]
    out = pd.DataFrame({
        "total": m.region_totals,
        "n_activities": np.bincount(rows, minlength=m.shape[0]),
    }, index=m.regions.rename(m.region_name))
    for s in (diversity(m).astype(np.int64), average_location_quotient(m), hachman(m),
              krugman_index(m), herfindahl(m), entropy(m), gini(m, by="region")):
        out[s.name] = s.to_numpy()
    return out.reset_index()


def activity_indices(data, region: str | None = None, activity: str | None = None,
                     value: str | None = None, *, reference: Reference = None) -> pd.DataFrame:
    """All per-activity indices in one tidy table.

    Columns: activity, ``total`` (``X_j``), ``n_regions`` (regions where present), ``ubiquity``
    (regions with LQ ≥ 1), ``gini``, ``locational_gini``, ``hoover_index`` (percent) and
    ``hoover_gini`` (both against ``reference``, default equal weights per region).
    """
    m = _matrix(data, region, activity, value)
    cols = m._cells[1]
    out = pd.DataFrame({
        "total": m.activity_totals,
        "n_regions": np.bincount(cols, minlength=m.shape[1]),
    }, index=m.activities.rename(m.activity_name))
    for s in (ubiquity(m).astype(np.int64), gini(m), locational_gini(m),
              hoover_index(m, reference=reference), hoover_gini(m, reference=reference)):
        out[s.name] = s.to_numpy()
    return out.reset_index()


# --------------------------------------------------------------------------------------------
# Traded vs local, cluster strength
# --------------------------------------------------------------------------------------------
def classify_traded(data, region: str | None = None, activity: str | None = None,
                    value: str | None = None, *,
                    gini_threshold: float = DEFAULT_TRADED_GINI) -> pd.DataFrame:
    """Split activities into *traded* and *local* by their geographic concentration.

    Rule (in the spirit of Porter 2003 and Delgado, Porter & Stern 2016, US Cluster Mapping):
    local activities are present nearly everywhere in proportion to the economy and sell
    locally; traded ones concentrate in a few regions and sell to other regions and abroad.
    khooshe measures concentration with the **locational Gini** (:func:`locational_gini`,
    EconGeo scale 0–0.5) and calls an activity traded when ``LG_j ≥ gini_threshold``
    (default 0.25, half the theoretical maximum). This is khooshe's rule, not the CMP's exact
    classification (which uses US county/EA data and several criteria); the other columns
    (presence and LQ ≥ 1 shares) let a reader check it.

    The result depends on the geographic level: at village level almost every activity looks
    concentrated, simply because villages are small. Classify at county (or province) level and
    pass the result to :func:`cluster_strength` as ``traded=`` for finer levels.

    Returns
    -------
    DataFrame
        activity, ``total``, ``n_regions`` (regions where present), ``presence_share``
        (``n_regions`` / all regions), ``lq_ge1_share`` (share of all regions with LQ ≥ 1),
        ``locational_gini``, ``traded`` (bool). With a single region nothing is traded
        (``LG = 0``); an activity with zero total is not traded.
    """
    if not 0 <= gini_threshold <= 0.5:
        raise SpecializationInputError(
            f"gini_threshold must be between 0 and 0.5 (locational Gini scale), not "
            f"{gini_threshold}"
        )
    m = _matrix(data, region, activity, value)
    _, cols, _ = m._cells
    n_regions = np.bincount(cols, minlength=m.shape[1])
    lg = locational_gini(m).to_numpy()
    out = pd.DataFrame({
        m.activity_name: m.activities,
        "total": m.activity_totals,
        "n_regions": n_regions,
        "presence_share": n_regions / m.shape[0],
        "lq_ge1_share": ubiquity(m).to_numpy() / m.shape[0],
        "locational_gini": lg,
        "traded": np.nan_to_num(lg, nan=-1.0) >= gini_threshold * (1 - _REL_TOL),
    })
    return out


def _traded_flags(m: RegionActivityMatrix, traded, traded_gini: float) -> np.ndarray:
    """Per-activity traded flags from a classification given by the caller, or computed."""
    if traded is None:
        return classify_traded(m, gini_threshold=traded_gini)["traded"].to_numpy(bool)
    if isinstance(traded, pd.DataFrame):
        if "traded" not in traded.columns:
            raise SpecializationInputError("traded: a DataFrame needs a 'traded' column")
        key = m.activity_name if m.activity_name in traded.columns else traded.columns[0]
        traded = traded.set_index(key)["traded"]
    if isinstance(traded, pd.Series):
        if traded.index.has_duplicates:
            raise SpecializationInputError("traded: duplicate activity labels")
        missing = m.activities.difference(traded.index)
        if len(missing):
            raise SpecializationInputError(
                f"traded: no classification for {len(missing)} activity(ies), e.g. "
                + ", ".join(map(str, missing[:5]))
            )
        flags = traded.reindex(m.activities)
        if flags.isna().any():
            raise SpecializationInputError("traded: missing (NaN) classification values")
        return flags.astype(bool).to_numpy()
    if isinstance(traded, Collection) and not isinstance(traded, str):
        return m.activities.isin(list(traded))
    raise SpecializationInputError(
        "traded must be None, a bool Series indexed by activity, a classify_traded() table or "
        "a collection of traded activity codes"
    )


def cluster_strength(
    data,
    region: str | None = None,
    activity: str | None = None,
    value: str | None = None,
    *,
    count: str | None = None,
    lq_threshold: float = DEFAULT_LQ_THRESHOLD,
    top_share: float | None = None,
    min_establishments: int = DEFAULT_MIN_ESTABLISHMENTS,
    min_value: float | None = None,
    min_region_total: float = 0.0,
    traded=None,
    traded_gini: float = DEFAULT_TRADED_GINI,
) -> pd.DataFrame:
    """Cluster strength of every (region, activity) cell, US Cluster Mapping style.

    Parameters
    ----------
    data, region, activity, value, count
        The matrix or the long table (see :func:`region_activity_matrix`); by default each
        input row is one establishment, ``count`` names a column of establishment counts.
        ``value`` is usually employment.
    lq_threshold : float
        A cell is **strong** when ``LQ_ij ≥ lq_threshold`` (default 1.25: the region has 25 %
        more of the activity than its size implies).
    top_share : float, optional
        Also require the region to be in the top ``top_share`` of regions where the activity is
        present, ranked by LQ (the CMP's "top quartile" rule is ``top_share=0.25``): ``rank_by_lq
        ≤ max(1, ceil(top_share · n_regions))``. Off by default.
    min_establishments, min_value, min_region_total : number
        Minimum-size rule: a cell is flagged ``small_base`` when it has fewer than
        ``min_establishments`` establishments (default 3; only when counts are known, i.e. for
        long input), a value below ``min_value`` (default 10, meant for employment: a cell
        with fewer than 10 jobs is not a cluster; 0 when a long table is given without
        ``value``, since the values are then establishment counts) or its region's total is below
        ``min_region_total`` (default 0, off). Flagged cells stay in the table: a village with
        one firm shows a huge LQ, and the reader must see why it is not a cluster.
    traded : None, Series, DataFrame or collection
        Traded/local classification: ``None`` computes :func:`classify_traded` on this matrix
        with ``traded_gini``; otherwise a bool Series indexed by activity, the table returned by
        :func:`classify_traded` (e.g. computed at county level), or the codes of the traded
        activities.

    Returns
    -------
    DataFrame
        One row per non-zero cell, sorted by region then ``rank_in_region``:
        region, activity, value, ``n_establishments`` (if known), ``region_total`` (``X_i``),
        ``activity_total`` (``X_j``), ``lq``, ``region_share`` (``s_ij``), ``national_share``
        (``x_ij / X_j``, the region's share of the activity's national amount),
        ``rank_in_region`` (1 = the region's most specialised activity, by LQ),
        ``rank_by_lq`` and ``rank_by_value`` (the region's rank among the ``n_regions``
        regions where the activity is present, by LQ and by value; ties share the best rank),
        ``n_regions``, ``traded``, ``strong`` and ``small_base``.

        A region's candidate clusters are the rows with ``strong & traded & ~small_base``.
    """
    if not lq_threshold > 0:
        raise SpecializationInputError(f"lq_threshold must be positive, not {lq_threshold}")
    if top_share is not None and not 0 < top_share <= 1:
        raise SpecializationInputError(f"top_share must be in (0, 1], not {top_share}")
    if min_value is None:
        long_counts = isinstance(data, pd.DataFrame) and region is not None and value is None
        min_value = 0.0 if long_counts else DEFAULT_MIN_VALUE
    if min_establishments < 0 or min_value < 0 or min_region_total < 0:
        raise SpecializationInputError("minimum-size thresholds must be ≥ 0")
    if isinstance(data, pd.DataFrame) and (region is not None or activity is not None):
        m = region_activity_matrix(data, region, activity, value, count=count)
    else:
        if count is not None:
            raise SpecializationInputError("count applies to a long table only")
        m = region_activity_matrix(data, region, activity, value)
    rows, cols, d = m._cells
    lq = m._lq
    n = len(d)
    by_lq = np.argsort(-lq, kind="stable")
    # rank of each activity within its region by LQ (descending)
    ord_region = _grouped_order(rows, by_lq)
    rank_in_region = np.empty(n, dtype=np.int64)
    rank_in_region[ord_region] = _dense_group_rank(rows[ord_region], -lq[ord_region], n)
    # ranks of the region within each activity, by LQ and by value
    ord_lq = _grouped_order(cols, by_lq)
    rank_by_lq = np.empty(n, dtype=np.int64)
    rank_by_lq[ord_lq] = _dense_group_rank(cols[ord_lq], -lq[ord_lq], n)
    ord_val = _grouped_order(cols, np.argsort(-d, kind="stable"))
    rank_by_value = np.empty(n, dtype=np.int64)
    rank_by_value[ord_val] = _dense_group_rank(cols[ord_val], -d[ord_val], n)
    n_regions = np.bincount(cols, minlength=m.shape[1])[cols]

    strong = _ge(lq, lq_threshold)
    if top_share is not None:
        strong &= rank_by_lq <= np.maximum(1, np.ceil(top_share * n_regions - 1e-9))
    small = d < min_value * (1 - _REL_TOL)
    counts = m.cell_counts()
    if counts is not None:
        small |= counts < min_establishments * (1 - _REL_TOL)
    small |= m.region_totals[rows] < min_region_total * (1 - _REL_TOL)
    traded_flags = _traded_flags(m, traded, traded_gini)

    # output sorted by region, then rank in the region: that is ord_region
    o = ord_region
    r, c, v = rows[o], cols[o], d[o]
    out = {
        m.region_name: m.regions.take(r),
        m.activity_name: m.activities.take(c),
        m.value_name: v,
    }
    if counts is not None:
        out["n_establishments"] = counts[o]
    out.update({
        "region_total": m.region_totals[r],
        "activity_total": m.activity_totals[c],
        "lq": lq[o],
        "region_share": v / m.region_totals[r],
        "national_share": v / m.activity_totals[c],
        "rank_in_region": rank_in_region[o],
        "rank_by_lq": rank_by_lq[o],
        "rank_by_value": rank_by_value[o],
        "n_regions": n_regions[o],
        "traded": traded_flags[c],
        "strong": strong[o],
        "small_base": small[o],
    })
    return pd.DataFrame(out)


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
