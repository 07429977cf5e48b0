"""Proximity as an explicit matrix, density and the complexity outlook (COI, COG)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from khooshe.analysis.complexity_core._eci import _stata_moments
from khooshe.analysis.complexity_core._inputs import FloatArray, _as_matrix, _warn

if TYPE_CHECKING:
    import scipy.sparse as sp


def _standardised_columns(levels: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Columns centred and scaled to unit length, so ``Zᵀ Z`` is the correlation matrix.
    Constant columns (undefined correlation) become zero; their mask is returned."""
    z = levels - levels.mean(axis=0, keepdims=True)
    norm = np.sqrt((z * z).sum(axis=0))
    const = ~(norm > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(const[None, :], 0.0, z / norm[None, :])
    return z, const


def proximity(
    matrix: ArrayLike, *, continuous: bool = False, asymmetric: bool = False
) -> FloatArray:
    """The product proximity matrix ``φ`` (P × P), self-proximity set to zero.

    - discrete, symmetric (default): ``φ_pq = min(C_pq/u_p, C_pq/u_q) = C_pq / max(u_p, u_q)``
      with ``C = Mᵀ M`` — the minimum of the two conditional probabilities of having one
      product given the other (Hidalgo, Klinger, Barabási & Hausmann 2007, *Science*).
    - discrete, asymmetric: ``φ_qp = C_qp / u_p = P(q | p)``, the share of ``p``'s holders that
      also hold ``q`` (Stata ``proxdiscrete.ado``, ``asym``: ``P1 = C :/ S`` with
      ``S_qp = u_p``). Row ``q``, column ``p``: density of ``p`` weights ``q`` by ``φ_qp``.
    - continuous: ``φ_pq = (1 + corr(L_·p, L_·q)) / 2`` with ``L`` the RCA (or RPOP) matrix and
      the correlation taken across locations (Stata ``proxcontinous.ado``). A product whose
      levels are constant has no defined correlation; it gets ``corr = 0`` (``φ = ½``).

    The diagonal is 0 in every case: Stata subtracts the identity (``- I(Npx)``), so a
    product is not its own neighbour; the Stata densities of the reference sample are only
    reproduced with self-proximity excluded (PyPI ``ecomplexity`` keeps 1 on the diagonal,
    hence its density 0.430 for (aut, 1704) against Stata's 0.4625). Products of zero
    ubiquity have zero proximity to everything.

    Parameters
    ----------
    matrix : array-like, shape (N, P)
        The 0/1 presence matrix M (discrete), or the RCA/RPOP levels (continuous).
    """
    x = _as_matrix(matrix)
    n_prod = x.shape[1]
    if continuous:
        if asymmetric:
            raise ValueError("continuous proximity is symmetric; asymmetric applies to discrete")
        z, const = _standardised_columns(x)
        if const.any():
            _warn(f"{int(const.sum())} product(s) with constant levels: correlation set to 0")
        phi = 0.5 * (1.0 + z.T @ z)
    else:
        m = x
        u = m.sum(axis=0)
        c = m.T @ m
        with np.errstate(divide="ignore", invalid="ignore"):
            if asymmetric:
                phi = c / u[None, :]
            else:
                phi = c / np.maximum(u[:, None], u[None, :])
        phi[~np.isfinite(phi)] = 0.0
    phi[np.diag_indices(n_prod)] = 0.0
    return phi


def _knn_weights_block(phi_block: FloatArray, k: int) -> sp.csc_matrix:
    """Column-normalised k-nearest-neighbour weights of columns of ``φ``.

    Column ``p`` keeps ``φ_qp`` where ``φ_qp ≥`` its k-th largest value (ties all kept, the
    zero diagonal included in the ranking), as Stata's ``calculate_density.ado``
    (``simi[.,i] = φ[.,i] :* (φ[.,i] :>= temp[knn])``), then divides by the column sum.
    """
    rows = phi_block.shape[0]
    kth = np.partition(phi_block, rows - k, axis=0)[rows - k]
    kept = np.where(phi_block >= kth[None, :], phi_block, 0.0)
    s = kept.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        kept /= s[None, :]
    kept[:, ~(s > 0)] = 0.0
    import scipy.sparse

    return scipy.sparse.csc_matrix(kept)


def density(levels: ArrayLike, proximity: ArrayLike, *, knn: int | None = None) -> FloatArray:
    """Density of each product around each location, from an explicit proximity matrix.

    ``ω_cp = Σ_q L_cq φ_qp / Σ_q φ_qp`` (Hidalgo et al. 2007; Stata
    ``calculate_density.ado``: ``(M*φ) :/ (J*φ)``, i.e. weights are the columns of ``φ``).
    ``L`` is M for discrete proximity and RCA (or RPOP) for continuous proximity, as in
    Stata. With ``knn=k`` only the k nearest neighbours of ``p`` (largest ``φ_qp``, ties
    kept) enter both sums. A product with no neighbour (column sum 0) gets NaN.

    Parameters
    ----------
    levels : array-like, shape (N, P)
    proximity : array-like, shape (P, P)
        With zero diagonal (see :func:`proximity`).
    knn : int, optional
        Number of nearest neighbours (1 ≤ knn ≤ P).
    """
    lev = _as_matrix(levels, "levels")
    phi = _as_matrix(proximity, "proximity")
    n_prod = phi.shape[0]
    if phi.shape != (n_prod, n_prod) or lev.shape[1] != n_prod:
        raise ValueError(f"levels {lev.shape} and proximity {phi.shape} do not match")
    if knn is not None:
        k = _check_knn(knn, n_prod)
        w = _knn_weights_block(phi, k)
        return np.asarray((w.T @ lev.T).T)
    den = phi.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (lev @ phi) / den[None, :]


def _check_knn(knn: int, n_prod: int) -> int:
    if isinstance(knn, bool) or int(knn) != knn or knn < 1:
        raise ValueError(f"knn must be a positive integer, not {knn!r}")
    if knn > n_prod:
        _warn(f"knn={knn} is more than the {n_prod} products; using all of them")
        return n_prod
    return int(knn)


def complexity_outlook(
    mcp: ArrayLike,
    density: ArrayLike,
    kp: ArrayLike,
    proximity: ArrayLike,
    *,
    eci_sd: float,
    rows_per_location: int | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Complexity Outlook Index and Gain from explicit matrices (Hausmann et al. 2014, *Atlas*;
    Stata ``coicog.ado`` and ``ecomplexity.ado``).

    - ``COI_c = Σ_p ω_cp (1 - M_cp) kp_p``, then standardised like ECI (mean and sd over the
      long table's rows). ``kp`` is the **raw** sign-fixed eigenvector (not PCI), so the
      result depends on it only through its sign and the standardisation.
    - ``COG_cp = (1 - M_cp) Σ_q (1 - M_cq) φ_qp kp_q / (Σ_p' φ_qp') / sd_ECI`` — the gain in
      outlook from entering ``p``: each missing neighbour ``q`` of ``p`` is weighted by its
      proximity share (``φ`` normalised by the **row** sums, ``proximity*J(Npx,1,1)`` in
      Stata) and its raw complexity, then scaled by ECI's sd. COG is 0 where ``M_cp = 1``.

    Returns the standardised COI (N,) and COG (N, P).
    """
    m = _as_matrix(mcp, "mcp")
    dens = _as_matrix(density, "density")
    phi = _as_matrix(proximity, "proximity")
    kpv = np.asarray(kp, dtype=np.float64).ravel()
    rows_each = m.shape[1] if rows_per_location is None else int(rows_per_location)
    absent = 1.0 - m
    ok = np.isfinite(kpv)
    coi_raw = np.where(np.isfinite(dens) & ok[None, :], dens * absent * np.nan_to_num(kpv), 0.0)
    coi_raw = coi_raw.sum(axis=1)
    rowsum = phi.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(ok & (rowsum != 0), kpv / rowsum, 0.0)
    cog = absent * ((absent * w[None, :]) @ phi) / eci_sd
    cog[:, ~ok] = np.nan
    mean, sd = _stata_moments(coi_raw, rows_each)
    return (coi_raw - mean) / sd, cog
