"""Proximity as an operator (Y ↦ Y φ without forming φ): the fast path of one period."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from khooshe.analysis.complexity_core._inputs import FloatArray
from khooshe.analysis.complexity_core._proximity import _knn_weights_block, _standardised_columns

# Columns of phi materialised at once for kNN density: at most this many cells (32 MB).
_BLOCK_CELLS = 1 << 22
# Rows of Y below which the sweep runs in one thread (a thread costs more than it saves).
_SPLIT_ROWS = 128


def _row_halves(rows: int) -> int | None:
    """Where to split ``rows`` rows of Y between two threads, or None to keep them together.

    The split depends on the rows alone, not on the machine's CPUs: BLAS may round a row's
    products differently in a block of another height (in the last bit), and the same input
    should give the same bits everywhere."""
    return None if rows < _SPLIT_ROWS else rows // 2


class _ProximityOp:
    """``φ`` (zero diagonal) as a linear operator on row blocks ``Y`` (R × P): ``Y ↦ Y φ``.

    Discrete symmetric proximity ``φ_qp = C_qp / max(u_q, u_p)`` is never materialised when
    there are more products than locations. Writing ``C = Mᵀ M``,

        (Y φ_full)_rp = Σ_c M_cp H_rc(u_p),
        H_rc(v) = Σ_{q: u_q ≥ v} Y_rq M_cq / u_q + (1/v) Σ_{q: u_q < v} Y_rq M_cq,

    and ``H(v)`` only changes at the distinct ubiquities (at most N + 1 values). Sorting
    products by ubiquity and sweeping the groups once with running sums costs
    ``O(R·N·P)`` instead of the ``O(N·P²)`` of forming ``C`` (and ``O(P²)`` memory). The
    diagonal (``φ_pp = 1`` before removal) is subtracted at the end: ``Y φ = Y φ_full - Y``.
    Asymmetric and continuous proximity factor directly:
    ``Y φ = ((Y Mᵀ) M) / u - Y`` and ``Y φ = ½ (Y1)1ᵀ + ½ (Y Zᵀ) Z - Y``.
    """

    def __init__(
        self,
        kind: Literal["discrete", "asymmetric", "continuous"],
        matrix: FloatArray,
        *,
        method: Literal["auto", "explicit", "implicit"] = "auto",
    ) -> None:
        self.kind = kind
        n_loc, n_prod = matrix.shape
        self.n_prod = n_prod
        self.const: NDArray[np.bool_] | None = None
        self.m: FloatArray | None  # the presence matrix on the valid products; None if continuous
        if kind == "continuous":
            self.z, self.const = _standardised_columns(matrix)
            self.valid = np.ones(n_prod, dtype=bool)
            self.all_valid = True
            self.m = None
        else:
            u_all = matrix.sum(axis=0)
            self.valid = u_all > 0
            self.all_valid = bool(self.valid.all())
            self.m = matrix if self.all_valid else np.ascontiguousarray(matrix[:, self.valid])
            self.u = u_all[self.valid]
        if method == "auto":
            method = "explicit" if n_prod <= n_loc else "implicit"
        self.method = method
        self._colsum: FloatArray | None = None
        self._phi: FloatArray | None = None
        if method == "explicit":
            self._phi = self._explicit()
        elif kind == "discrete":
            order = np.argsort(self.u, kind="stable")
            us = self.u[order]
            starts = np.flatnonzero(np.r_[True, us[1:] != us[:-1]])
            self.order = order
            self.inverse = np.argsort(order)
            self.bounds = np.r_[starts, us.size]
            self.levels = us[starts]
            self.ms = np.ascontiguousarray(self._matrix()[:, order])

    def _matrix(self) -> FloatArray:
        """The presence matrix on the valid products (the discrete and asymmetric kinds)."""
        assert self.m is not None
        return self.m

    # -- explicit φ on the valid products (small P, tests, kNN blocks) --
    def _explicit(self) -> FloatArray:
        if self.kind == "continuous":
            phi = 0.5 * (1.0 + self.z.T @ self.z)
            phi[np.diag_indices_from(phi)] = 0.0
            return phi
        return self.columns(0, int(self.valid.sum()))

    def columns(self, start: int, stop: int) -> FloatArray:
        """Columns ``start:stop`` of ``φ`` over the valid products (zero diagonal)."""
        if self._phi is not None:
            return self._phi[:, start:stop]
        if self.kind == "continuous":
            blk = 0.5 * (1.0 + self.z.T @ self.z[:, start:stop])
        else:
            m32 = self._matrix().astype(np.float32)
            # counts ≤ N < 2**24 are exact in float32, and sgemm is twice as fast
            c = (m32.T @ m32[:, start:stop]).astype(np.float64)
            if self.kind == "asymmetric":
                blk = c / self.u[None, start:stop]
            else:
                blk = c / np.maximum(self.u[:, None], self.u[None, start:stop])
        idx = np.arange(start, stop)
        blk[idx, idx - start] = 0.0
        return blk

    def apply(self, y: FloatArray) -> FloatArray:
        """``Y φ`` for ``Y`` of shape (R, P) (all products; invalid ones contribute 0)."""
        yv = y if self.all_valid else np.ascontiguousarray(y[:, self.valid])
        if self._phi is not None:
            res = yv @ self._phi
        else:
            res = self._apply_valid(yv)
        if self.all_valid:
            return res
        out = np.zeros((y.shape[0], self.n_prod))
        out[:, self.valid] = res
        return out

    def _apply_valid(self, yv: FloatArray) -> FloatArray:
        if self.kind == "continuous":
            z = self.z
            res = 0.5 * yv.sum(axis=1, keepdims=True) + 0.5 * ((yv @ z.T) @ z) - yv
        elif self.kind == "asymmetric":
            m = self._matrix()
            res = ((yv @ m.T) @ m) / self.u[None, :] - yv
        else:
            res = self._apply_sym(yv)
            res -= yv
        return res

    def _apply_sym(self, yv: FloatArray) -> FloatArray:
        # np.take gathers columns twice as fast as fancy indexing
        ys = np.take(yv, self.order, axis=1)
        z = np.empty_like(ys)
        # Rows of Y are independent, and the sweep is a few hundred small matrix products
        # that release the GIL: two threads on two halves of the rows take ~0.6 of the time
        # of one (density and COG together apply φ to 2N + 1 rows).
        halves = _row_halves(ys.shape[0])
        if halves is None:
            self._sweep(ys, z)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=1) as pool:
                other = pool.submit(self._sweep, ys[halves:], z[halves:])
                self._sweep(ys[:halves], z[:halves])
                other.result()
        return np.take(z, self.inverse, axis=1)

    def _sweep(self, ys: FloatArray, z: FloatArray) -> None:
        """``Y φ_full`` into ``z``, for ``Y`` with its columns in ubiquity order (the class
        docstring)."""
        ms = self.ms
        # suffix part at the start: Σ_q Y_rq M_cq / u_q over all products
        b = ys @ (ms / self.ubiq_sorted()[None, :]).T
        a = np.zeros_like(b)
        for g in range(self.levels.size):  # one step per distinct ubiquity (≤ N + 1)
            s, e = self.bounds[g], self.bounds[g + 1]
            v = self.levels[g]
            mg = ms[:, s:e]
            z[:, s:e] = (b + a / v) @ mg
            gk = ys[:, s:e] @ mg.T
            a += gk
            b -= gk / v

    def ubiq_sorted(self) -> FloatArray:
        return self.u[self.order]

    def colsum(self) -> FloatArray:
        """``Σ_q φ_qp`` for every product (0 for invalid ones)."""
        if self._colsum is None:
            self._colsum = self._compute_colsum()
        return self._colsum

    def _compute_colsum(self) -> FloatArray:
        out = np.zeros(self.n_prod)
        if self._phi is not None:
            out[self.valid] = self._phi.sum(axis=0)
        elif self.kind == "asymmetric":
            m = self._matrix()
            out[self.valid] = (m.sum(axis=1) @ m) / self.u - 1.0
        else:
            out = self.apply(np.ones((1, self.n_prod)))[0]
        return out

    def rowsum(self) -> FloatArray:
        """``Σ_p φ_qp`` for every product (equal to colsum unless asymmetric)."""
        if self.kind != "asymmetric":
            return self.colsum()
        out = np.zeros(self.n_prod)
        if self._phi is not None:
            out[self.valid] = self._phi.sum(axis=1)
        else:
            m = self._matrix()
            out[self.valid] = m.T @ (m @ (1.0 / self.u)) - 1.0
        return out

    def knn_density(self, levels: FloatArray, k: int) -> FloatArray:
        """``L W`` with ``W`` the kNN weights, built block by block of ``φ``'s columns."""
        n_valid = int(self.valid.sum())
        lv = np.ascontiguousarray(levels[:, self.valid])
        dens = np.empty((levels.shape[0], n_valid))
        step = max(1, _BLOCK_CELLS // max(n_valid, 1))
        for start in range(0, n_valid, step):  # blocks of columns, not cells
            stop = min(n_valid, start + step)
            w = _knn_weights_block(self.columns(start, stop), min(k, n_valid))
            dens[:, start:stop] = (w.T @ lv.T).T
        out = np.full((levels.shape[0], self.n_prod), np.nan)
        out[:, self.valid] = dens
        return out
