"""The score's two formulas: scaling amounts to [0, 1] by the province's best, and the
weighted sum of components less penalties; and the exact top-k of each row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from khooshe.analysis.potential._weights import COMPONENTS, Weights


def scale(values: np.ndarray, starts: np.ndarray, exponent: float, *, per_column: bool,
           dtype: type = np.float32, copy: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``(x / max_group x) ** exponent`` (0 where the group's maximum is 0), group by group.

    Groups are contiguous row ranges starting at ``starts`` (the provinces). The maximum is
    taken per column (``per_column``) or over the whole group block. Returns the scaled values
    (in place when ``copy`` is false and ``values`` already has ``dtype``) and the maxima
    (shape (G, columns) or (G,)).
    """
    out: np.ndarray = (np.array(values, dtype=dtype, copy=True) if copy
                       else np.asarray(values, dtype=dtype))
    bounds = np.r_[starts, len(out)]
    maxima = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        blk = out[a:b]
        if per_column and blk.ndim == 2:
            mx = blk.max(axis=0)
            pos = mx > 0
            blk[:, pos] /= mx[pos]          # x / max ≤ 1: no overflow even for tiny maxima
        else:
            mx = blk.max()
            if mx > 0:
                blk /= mx
        maxima.append(mx)
    np.minimum(out, 1.0, out=out)
    if exponent != 1.0:
        np.power(out, dtype(exponent), out=out)
    return out, np.array(maxima)


def normalise(values: np.ndarray, groups: np.ndarray | None = None, *, exponent: float = 1.0,
              per_column: bool = True) -> np.ndarray:
    """``(x / max x) ** exponent`` within each group of rows (the scaling of every amount).

    Parameters
    ----------
    values : ndarray, shape (n,) or (n, m)
        Non-negative amounts.
    groups : array-like of labels, shape (n,), optional
        Group of each row (e.g. the province); one group when omitted.
    exponent : float
        ``γ > 0``; below 1 it softens long right tails.
    per_column : bool
        Maximum per column (one scale per resource) or over the group's whole block (one
        scale for all activities).

    Returns
    -------
    ndarray of float64 in [0, 1]; 0 where the group's maximum is 0. Monotone: raising one
    entry never lowers its own result.
    """
    vals = np.asarray(values, dtype=np.float64)
    if np.isnan(vals).any() or (vals < 0).any():
        raise ValueError("normalise: values must be non-negative numbers")
    if not exponent > 0:
        raise ValueError(f"normalise: exponent must be > 0, not {exponent!r}")
    if groups is None:
        return scale(vals, np.array([0]), exponent, per_column=per_column,
                      dtype=np.float64)[0] if len(vals) else vals.copy()
    codes, _ = pd.factorize(np.asarray(groups), sort=True)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
    scaled, _ = scale(vals[order], starts, exponent, per_column=per_column, dtype=np.float64)
    out = np.empty_like(scaled)
    out[order] = scaled
    return out


def combine(
    components: dict[str, np.ndarray],
    weights: Weights,
    penalties: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> np.ndarray:
    """The score from components in [0, 1]: ``Σ_c w_c c_c − Σ_k w_k p_k ⊗ mask_k`` (float32).

    Parameters
    ----------
    components : dict
        One array per name of :data:`COMPONENTS`, each (V, P) or broadcastable to it
        (``(V, 1)`` for per-village components).
    weights : Weights
        ``weights.weights`` (summing to 1) multiply the components; each penalty of
        ``weights.penalties`` present in ``penalties`` is subtracted with its own weight.
    penalties : dict of name to (values (V,), mask (P,)), optional

    Raises
    ------
    ValueError
        If a component is missing or outside [0, 1].
    """
    missing = [c for c in COMPONENTS if c not in components]
    if missing:
        raise ValueError(f"combine: component(s) {', '.join(missing)} missing")
    shape = np.broadcast_shapes(*(np.shape(components[c]) for c in COMPONENTS))
    score = np.zeros(shape, dtype=np.float32)
    for name in COMPONENTS:
        c = np.asarray(components[name], dtype=np.float32)
        if c.size and (np.isnan(c).any() or c.min() < 0 or c.max() > 1):
            raise ValueError(f"combine: component {name} must lie in [0, 1]")
        score += np.float32(weights.weights[name]) * c
    for pen in weights.penalties:
        if penalties is None or pen.name not in penalties:
            continue
        values, mask = penalties[pen.name]
        values = np.asarray(values, dtype=np.float32)
        if values.any():
            score -= np.float32(pen.weight) * np.outer(values, np.asarray(mask, np.float32))
    return score



def top_k(score: np.ndarray, k: int) -> np.ndarray:
    """Column indices of each row's ``k`` best scores, best first; ties → lower column first.

    Exact under ties: the k-th largest value is found by partition, then cells above it and
    the lowest-index cells equal to it are kept, and the k kept are ordered stably.
    """
    n, p = score.shape
    if k <= 0 or n == 0:
        return np.zeros((n, 0), dtype=np.int64)
    if k >= p:
        return np.argsort(-score, axis=1, kind="stable")
    kth = -np.partition(-score, k - 1, axis=1)[:, k - 1:k]
    above = score > kth
    equal = score == kth
    need = k - above.sum(axis=1, keepdims=True)
    take = above | (equal & (np.cumsum(equal, axis=1) <= need))
    idx = np.nonzero(take)[1].reshape(n, k)            # ascending column within each row
    vals = np.take_along_axis(score, idx, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")   # stable: equal → lower column first
    return np.take_along_axis(idx, order, axis=1)
