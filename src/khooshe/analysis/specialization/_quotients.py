"""Location quotients: LQ (RCA), the LQ matrix, the average LQ and the Hachman index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analysis.specialization._matrix import (
    _ge,
    _matrix,
    _region_series,
)


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
