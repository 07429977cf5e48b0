"""RCA, RPOP, the presence matrix M, diversity and ubiquity."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from khooshe.analysis.complexity_core._inputs import FloatArray, _as_matrix


def rca(values: ArrayLike) -> FloatArray:
    """Balassa's revealed comparative advantage.

    ``RCA_cp = (x_cp / x_c.) / (x_.p / x_..)`` (Balassa 1965; Hausmann et al., *Atlas of
    Economic Complexity*, 2011/2014). Computed in Stata's order of operations
    (``complexity_rca.ado``). A location or product with zero total gives NaN (0/0); the
    DataFrame API drops those first, as Stata does.

    Parameters
    ----------
    values : array-like, DataFrame or scipy.sparse, shape (N, P)
        Non-negative values (exports) of location ``c`` in product ``p``. A DataFrame gives a
        DataFrame with the same labels.
    """
    x = _as_matrix(values)
    row = x.sum(axis=1, keepdims=True)
    col = x.sum(axis=0, keepdims=True)
    total = x.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (x / row) / (col / total)
    return _like(values, out)


def _like(template: object, result: FloatArray) -> FloatArray:
    """``result`` with ``template``'s index and columns when ``template`` is a DataFrame."""
    if isinstance(template, pd.DataFrame):
        return pd.DataFrame(result, index=template.index, columns=template.columns)
    return result


def rpop(values: ArrayLike, population: ArrayLike) -> FloatArray:
    """Revealed per-capita advantage.

    ``RPOP_cp = (x_cp / x_.p) / (pop_c / pop_.)``: location ``c``'s share of the world's
    exports of ``p`` relative to its share of world population (Growth Lab; Stata
    ``complexity_rpop.ado``). Equivalent to ``(x_cp / pop_c) / (x_.p / pop_.)``.

    Parameters
    ----------
    values : array-like, shape (N, P)
    population : array-like, shape (N,)
        Positive population of each location (the same period as ``values``).
    """
    x = _as_matrix(values)
    pop = np.asarray(population, dtype=np.float64).ravel()
    if pop.shape[0] != x.shape[0]:
        raise ValueError(
            f"population has {pop.shape[0]} entries but values has {x.shape[0]} locations"
        )
    if not np.all(np.isfinite(pop)) or np.any(pop <= 0):
        raise ValueError("population must be positive and finite for every location")
    col = x.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _like(values, (x / col) / (pop[:, None] / pop.sum()))


def presence(
    rca: ArrayLike | None = None,
    rpop: ArrayLike | None = None,
    *,
    rca_threshold: float = 1.0,
    rpop_threshold: float = 1.0,
) -> NDArray[np.bool_]:
    """The presence matrix ``M_cp`` from RCA, RPOP or both.

    ``M_cp = [RCA_cp > t_rca]``, ``[RPOP_cp > t_rpop]`` or, when both are given, their union
    ``[RCA_cp > t_rca] ∨ [RPOP_cp > t_rpop]``. The comparison is **strict** (``>``), as in
    Stata's ``ecomplexity.ado`` (``M = (RCA:>rca)``; PyPI ``ecomplexity`` uses ``>=``, which
    changes M wherever RCA equals the threshold exactly). NaN counts as absent.
    """
    if rca is None and rpop is None:
        raise ValueError("presence needs rca, rpop or both")
    m: NDArray[np.bool_] | None = None
    with np.errstate(invalid="ignore"):
        if rca is not None:
            m = _as_matrix(rca, "rca") > rca_threshold
        if rpop is not None:
            m2 = _as_matrix(rpop, "rpop") > rpop_threshold
            m = m2 if m is None else (m | m2)
    assert m is not None
    return m


_presence = presence  # complexity_matrix has an argument of the same name


def diversity_ubiquity(mcp: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Diversity ``k_c,0 = Σ_p M_cp`` and ubiquity ``k_p,0 = Σ_c M_cp`` (Hidalgo & Hausmann
    2009)."""
    m = _as_matrix(mcp, "mcp")
    return m.sum(axis=1), m.sum(axis=0)
