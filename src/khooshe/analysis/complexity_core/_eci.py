"""ECI and PCI: the eigenvectors of the location and product matrices, Stata's moments."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from khooshe.analysis.complexity_core._inputs import FloatArray, _as_matrix, _warn


@dataclass(frozen=True)
class EciPci:
    """ECI and PCI of one period, standardised the Stata way, with the raw eigenvectors.

    Attributes
    ----------
    eci, pci : ndarray
        ``(kc - mean) / sd`` and ``(kp - mean) / sd`` with ECI's mean and sd (NaN for
        locations of zero diversity and products of zero ubiquity).
    kc, kp : ndarray
        Raw, sign-fixed eigenvectors, related by ``kc = D⁻¹ M kp`` exactly. COI and COG use
        the raw ``kp``.
    eigenvalue : float
        The second largest eigenvalue ``λ₂`` of ``M̃``.
    mean, sd : float
        ECI's mean and standard deviation used for the standardisation.
    """

    eci: FloatArray
    pci: FloatArray
    kc: FloatArray
    kp: FloatArray
    eigenvalue: float
    mean: float
    sd: float


def _stata_moments(x: FloatArray, rows_each: int) -> tuple[float, float]:
    """Mean and sd of ``x`` as Stata's ``summarize`` gives them over the long table, where
    every finite ``x_i`` occupies ``rows_each`` rows: ``sd² = R Σ(x-x̄)² / (nR - 1)``."""
    ok = np.isfinite(x)
    n = int(ok.sum())
    if n == 0:
        return float("nan"), float("nan")
    mean = float(x[ok].mean())
    if n * rows_each <= 1:
        return mean, float("nan")
    ss = float(((x[ok] - mean) ** 2).sum())
    return mean, float(np.sqrt(rows_each * ss / (n * rows_each - 1)))


#: Up to this size the whole symmetric eigenproblem is solved by NumPy (milliseconds, and no
#: SciPy to load); beyond it only the two largest pairs, by SciPy (LAPACK ``syevr``).
_FULL_EIGH = 500


def _top_two_eigenpairs(s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The two largest eigenvalues of the symmetric ``s`` (ascending) and their vectors."""
    n = s.shape[0]
    if n <= _FULL_EIGH:
        lam, vec = np.linalg.eigh(s)
        return lam[-2:], vec[:, -2:]
    import scipy.linalg

    return scipy.linalg.eigh(s, subset_by_index=[n - 2, n - 1])


def eci_pci(mcp: ArrayLike, *, rows_per_location: int | None = None) -> EciPci:
    """Economic and Product Complexity Indices by the eigenvector method.

    ``M̃ᴾ = U⁻¹ Mᵀ D⁻¹ M`` (products) and ``M̃ᶜ = D⁻¹ M U⁻¹ Mᵀ`` (locations), with
    ``D = diag(d)``, ``U = diag(u)`` (Hidalgo & Hausmann 2009; Hausmann et al. 2014, *Atlas*,
    technical box). Stata (``ecipci.ado``) takes ``kp`` as the eigenvector of the second
    largest eigenvalue ``λ₂`` of ``M̃ᴾ`` and sets ``kc = D⁻¹ M kp``.

    Both matrices are similar to symmetric ones, ``A Aᵀ`` and ``Aᵀ A`` with
    ``A = D^-½ M U^-½``, which share their non-zero eigenvalues, so only the smaller side is
    solved (two eigenpairs, :func:`_top_two_eigenpairs`): for N ≤ P, ``kc = D^-½ v₂`` and
    ``kp = U⁻¹ Mᵀ kc / λ₂``; otherwise ``kp = U^-½ w₂``. Either way ``kc`` is then recomputed
    as ``D⁻¹ M kp``, Stata's definition, so that ``kc`` is exactly the mean ``kp`` of the
    products a location has.

    Sign: multiplied by ``+1`` if ``corr(d, kc) > 0`` and ``-1`` otherwise (Stata:
    ``2*(corr>0)-1``; a missing correlation counts as positive there, and here).

    Standardisation (``ecomplexity.ado``, ``sum eci``): over the rows of the long
    (location, product) table, so the mean is the mean over locations and
    ``sd² = P Σ_c (kc_c - k̄)² / (N P - 1)`` — each location repeated once per product
    (``rows_per_location``, default P). ``eci = (kc - k̄)/sd`` and ``pci = (kp - k̄)/sd``:
    PCI uses **ECI's** mean and sd, which keeps ``eci_c = mean of pci over c's products``
    (PyPI ``ecomplexity`` uses numpy's population sd over locations instead, hence its
    Austria 1995 ECI of 1.0750 against Stata's 1.0732: the ratio is ``sqrt(NP/(NP-1))``).

    Locations with zero diversity and products with zero ubiquity are left out of the
    eigenproblem and get NaN (Stata would fail on the division by zero).

    Parameters
    ----------
    mcp : array-like, shape (N, P)
        0/1 presence matrix.
    rows_per_location : int, optional
        Rows per location in the standardisation (default: the number of columns of mcp).
    """
    m = _as_matrix(mcp, "mcp")
    n_loc, n_prod = m.shape
    rows_each = n_prod if rows_per_location is None else int(rows_per_location)
    d, u = m.sum(axis=1), m.sum(axis=0)
    vl, vp = d > 0, u > 0
    kc = np.full(n_loc, np.nan)
    kp = np.full(n_prod, np.nan)
    n, p = int(vl.sum()), int(vp.sum())
    if n < 2 or p < 2:
        _warn(
            f"ECI and PCI are undefined: only {n} location(s) with non-zero diversity and "
            f"{p} product(s) with non-zero ubiquity (need 2 of each)"
        )
        return EciPci(kc.copy(), kp.copy(), kc, kp, float("nan"), float("nan"), float("nan"))
    mv = m[np.ix_(vl, vp)]
    dv, uv = d[vl], u[vp]
    sd_, su_ = np.sqrt(dv), np.sqrt(uv)
    a = mv / sd_[:, None] / su_[None, :]
    if n <= p:
        lam, vec = _top_two_eigenpairs(a @ a.T)
        kc_v = vec[:, 0] / sd_
        kp_v = (mv.T @ kc_v) / uv / lam[0]
    else:
        lam, vec = _top_two_eigenpairs(a.T @ a)
        kp_v = vec[:, 0] / su_
    lam2, lam1 = float(lam[0]), float(lam[1])
    if lam2 <= 1e-12 * max(lam1, 1.0):
        _warn("ECI and PCI are undefined: the second eigenvalue of M̃ is zero")
        return EciPci(kc.copy(), kp.copy(), kc, kp, lam2, float("nan"), float("nan"))
    if lam1 - lam2 <= 1e-10 * lam1:
        _warn(
            "the largest eigenvalue of M̃ is repeated (the location–product network is "
            "disconnected), so ECI/PCI are not uniquely defined"
        )
    kc_v = (mv @ kp_v) / dv  # Stata: kc = (M :/ kc0) * kp
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(dv, kc_v)[0, 1] if n > 1 else np.nan
    sign = -1.0 if (np.isfinite(corr) and not corr > 0) else 1.0
    kc[vl] = sign * kc_v
    kp[vp] = sign * kp_v
    mean, sd = _stata_moments(kc, rows_each)
    if not (np.isfinite(sd) and sd > 0):
        _warn("ECI has zero spread, so it cannot be standardised (ECI/PCI set to NaN)")
        nan_c, nan_p = np.full(n_loc, np.nan), np.full(n_prod, np.nan)
        return EciPci(nan_c, nan_p, kc, kp, lam2, mean, sd)
    return EciPci((kc - mean) / sd, (kp - mean) / sd, kc, kp, lam2, mean, sd)
