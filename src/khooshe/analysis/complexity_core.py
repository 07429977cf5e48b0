"""Matrix kernels of the economic-complexity engine (one period, locations × products).

Everything here works on plain arrays: rows are locations ``c`` (N of them), columns are
products ``p`` (P of them). The public entry points are re-exported by
:mod:`khooshe.analysis.complexity`, whose module docstring lists the Stata conventions these
kernels follow; each function's docstring gives its own formula.

Notation: ``X`` values (exports), ``M`` the 0/1 presence matrix, ``d = M 1`` diversity,
``u = 1ᵀ M`` ubiquity, ``C = Mᵀ M`` product co-occurrence counts, ``φ`` proximity (P × P, zero
diagonal), ``L`` the "levels" that density averages (``M``, or RCA/RPOP for continuous
proximity).
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    import scipy.sparse as sp

# SciPy is imported only where it is needed (large eigenproblems, kNN, sparse input): loading
# it costs about 0.2 s, as much as the whole computation on a small table.

FloatArray = NDArray[np.float64]

PRESENCE_TESTS = ("rca", "rpop", "both", "manual")
Presence = Literal["rca", "rpop", "both", "manual"]

# Columns of phi materialised at once for kNN density: at most this many cells (32 MB).
_BLOCK_CELLS = 1 << 22


class ComplexityWarning(UserWarning):
    """Something in the input was repaired or left out (and the message says what)."""


def _warn(message: str) -> None:
    warnings.warn(message, ComplexityWarning, stacklevel=3)


def check_options(presence: str, continuous: bool, asymmetric: bool,
                  population: object) -> None:
    """Option errors that do not depend on the data (the one place they are decided)."""
    if presence not in PRESENCE_TESTS:
        raise ValueError(f"presence must be one of {', '.join(PRESENCE_TESTS)}, not {presence!r}")
    if presence in ("rpop", "both") and population is None:
        raise ValueError(f"presence={presence!r} needs population")
    if continuous and asymmetric:
        raise ValueError("continuous proximity is symmetric; do not combine it with asymmetric")
    if continuous and presence in ("both", "manual"):
        raise ValueError(
            f"continuous proximity needs one level matrix (RCA or RPOP); it cannot be used "
            f"with presence={presence!r}"
        )


def _as_matrix(values: ArrayLike, name: str = "values") -> FloatArray:
    """A 2-D float64 array from an array, a DataFrame or a scipy.sparse matrix."""
    sparse = sys.modules.get("scipy.sparse")  # a sparse matrix implies SciPy is loaded
    if sparse is not None and sparse.issparse(values):
        values = values.toarray()  # type: ignore[union-attr]
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D locations × products matrix, got {arr.ndim}-D")
    return arr


def _describe(labels: NDArray, mask: NDArray[np.bool_], limit: int = 5) -> str:
    """'3 (a, b, c)' — how many of ``labels`` are selected by ``mask``, with a few examples."""
    picked = [str(x) for x in np.asarray(labels)[mask][:limit]]
    n = int(mask.sum())
    more = ", …" if n > limit else ""
    return f"{n} ({', '.join(picked)}{more})"


# --------------------------------------------------------------------------------------------
# RCA, RPOP, presence, diversity and ubiquity
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# ECI and PCI
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# Proximity: explicit matrices
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# Proximity as an operator: Y ↦ Y φ without forming φ (the fast path)
# --------------------------------------------------------------------------------------------
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
        ys = yv[:, self.order]
        ms = self.ms
        # suffix part at the start: Σ_q Y_rq M_cq / u_q over all products
        b = ys @ (ms / self.ubiq_sorted()[None, :]).T
        a = np.zeros_like(b)
        z = np.empty_like(ys)
        for g in range(self.levels.size):  # one step per distinct ubiquity (≤ N + 1)
            s, e = self.bounds[g], self.bounds[g + 1]
            v = self.levels[g]
            mg = ms[:, s:e]
            z[:, s:e] = (b + a / v) @ mg
            gk = ys[:, s:e] @ mg.T
            a += gk
            b -= gk / v
        res = np.empty_like(z)
        res[:, self.order] = z
        return res

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


# --------------------------------------------------------------------------------------------
# One period, everything
# --------------------------------------------------------------------------------------------
@dataclass
class ComplexityResult:
    """All complexity measures of one period (rows: ``locations``, columns: ``products``).

    Locations and products with a zero (or missing-population) total are dropped before
    anything is computed, as in Stata; they are listed in ``dropped_locations`` and
    ``dropped_products``. ``rca``/``rpop`` are None when not computed.
    """

    locations: NDArray
    products: NDArray
    values: FloatArray
    mcp: NDArray[np.int8]
    rca: FloatArray | None
    rpop: FloatArray | None
    diversity: NDArray[np.int32]
    ubiquity: NDArray[np.int32]
    eci: FloatArray
    pci: FloatArray
    density: FloatArray
    coi: FloatArray
    cog: FloatArray
    eigenvalue: float
    dropped_locations: NDArray = field(default_factory=lambda: np.array([], dtype=object))
    dropped_products: NDArray = field(default_factory=lambda: np.array([], dtype=object))

    def to_frame(
        self, *, location: str = "location", product: str = "product", value: str = "value"
    ) -> pd.DataFrame:
        """The long table: one row per (location, product)."""
        n, p = self.mcp.shape
        cols: dict[str, object] = {
            location: np.repeat(self.locations, p),
            product: np.tile(self.products, n),
            value: self.values.ravel(),
        }
        if self.rca is not None:
            cols["rca"] = self.rca.ravel()
        if self.rpop is not None:
            cols["rpop"] = self.rpop.ravel()
        cols.update(
            mcp=self.mcp.ravel(),
            diversity=np.repeat(self.diversity, p),
            ubiquity=np.tile(self.ubiquity, n),
            eci=np.repeat(self.eci, p),
            pci=np.tile(self.pci, n),
            density=self.density.ravel(),
            coi=np.repeat(self.coi, p),
            cog=self.cog.ravel(),
        )
        return pd.DataFrame(cols, copy=False)


def check_values(
    values: FloatArray, *, negative: Literal["raise", "zero"] = "raise", where: str = ""
) -> FloatArray:
    """NaN → 0 (with a warning); negative values raise (or become 0 with ``negative="zero"``);
    ±inf raises. Returns a cleaned copy if anything changed."""
    prefix = f"{where}: " if where else ""
    nan = np.isnan(values)
    if np.isinf(values).any():
        raise ValueError(f"{prefix}{int(np.isinf(values).sum())} infinite value(s)")
    if nan.any():
        _warn(f"{prefix}{int(nan.sum())} missing value(s) treated as 0")
        values = np.where(nan, 0.0, values)
    neg = values < 0
    if neg.any():
        if negative == "raise":
            raise ValueError(
                f"{prefix}{int(neg.sum())} negative value(s) (smallest {values.min():g}); "
                "values must be non-negative (or pass negative='zero' to treat them as 0)"
            )
        _warn(f"{prefix}{int(neg.sum())} negative value(s) treated as 0")
        values = np.where(neg, 0.0, values)
    return values


@dataclass
class _Prepared:
    """One period after cleaning: kept labels, values, RCA/RPOP and M."""

    x: FloatArray
    locs: NDArray
    prods: NDArray
    m: FloatArray
    r_rca: FloatArray | None
    r_pop: FloatArray | None
    dropped_l: NDArray
    dropped_p: NDArray


def _prepare(
    values: ArrayLike,
    *,
    locations: ArrayLike | None,
    products: ArrayLike | None,
    population: ArrayLike | None,
    presence: str,
    rca_threshold: float,
    rpop_threshold: float,
    continuous: bool,
    asymmetric: bool,
    negative: Literal["raise", "zero"],
    where: str,
) -> _Prepared:
    """Validate and clean one period's matrix and compute RCA/RPOP and M (Stata's order)."""
    prefix = f"{where}: " if where else ""
    check_options(presence, continuous, asymmetric, population)
    if isinstance(values, pd.DataFrame):
        locations = values.index.to_numpy() if locations is None else locations
        products = values.columns.to_numpy() if products is None else products
    x = _as_matrix(values)
    n_loc, n_prod = x.shape
    locs = np.arange(n_loc) if locations is None else np.asarray(locations)
    prods = np.arange(n_prod) if products is None else np.asarray(products)
    if locs.shape[0] != n_loc or prods.shape[0] != n_prod:
        raise ValueError(f"{prefix}labels do not match the {n_loc} × {n_prod} matrix")
    x = check_values(x, negative=negative, where=where)
    use_pop = presence in ("rpop", "both")
    pop: FloatArray | None = None
    dropped_l: list[NDArray] = []
    if use_pop:
        if population is None:
            raise ValueError(f"presence={presence!r} needs population")
        pop = np.asarray(population, dtype=np.float64).ravel()
        if pop.shape[0] != n_loc:
            raise ValueError(f"{prefix}population has {pop.shape[0]} entries, expected {n_loc}")
        bad = ~(pop > 0)  # NaN or ≤ 0
        if bad.any():
            _warn(f"{prefix}locations without a positive population left out: "
                  f"{_describe(locs, bad)}")
            dropped_l.append(locs[bad])
            x, locs, pop = x[~bad], locs[~bad], pop[~bad]
    if presence == "manual":
        uniq = np.unique(x)
        if not np.isin(uniq, (0.0, 1.0)).all():
            raise ValueError(
                f"{prefix}presence='manual' needs 0/1 values, found e.g. "
                f"{[float(v) for v in uniq[~np.isin(uniq, (0.0, 1.0))][:3]]}"
            )
    zero_l = ~(x.sum(axis=1) > 0)
    if zero_l.any():
        _warn(f"{prefix}locations with zero total left out: {_describe(locs, zero_l)}")
        dropped_l.append(locs[zero_l])
        x, locs = x[~zero_l], locs[~zero_l]
        pop = None if pop is None else pop[~zero_l]
    zero_p = ~(x.sum(axis=0) > 0)
    dropped_p = prods[zero_p]
    if zero_p.any():
        _warn(f"{prefix}products with zero total left out: {_describe(prods, zero_p)}")
        x, prods = x[:, ~zero_p], prods[~zero_p]
    n_loc, n_prod = x.shape
    if n_loc < 2 or n_prod < 2:
        raise ValueError(
            f"{prefix}need at least 2 locations and 2 products with positive totals, "
            f"found {n_loc} and {n_prod}"
        )

    r_rca = r_pop = None
    if presence == "manual":
        m = x
    else:
        if presence in ("rca", "both"):
            r_rca = rca(x)
        if use_pop:
            assert pop is not None  # read above whenever use_pop
            r_pop = rpop(x, pop)
        m = _presence(r_rca, r_pop, rca_threshold=rca_threshold,
                        rpop_threshold=rpop_threshold).astype(np.float64)
        if presence == "rpop":
            r_rca = rca(x)  # reported alongside, not used for M
    return _Prepared(
        x=x, locs=locs, prods=prods, m=m, r_rca=r_rca, r_pop=r_pop,
        dropped_l=np.concatenate(dropped_l) if dropped_l else np.array([], dtype=object),
        dropped_p=dropped_p,
    )


def complexity_matrix(
    values: ArrayLike,
    *,
    locations: ArrayLike | None = None,
    products: ArrayLike | None = None,
    population: ArrayLike | None = None,
    presence: Presence = "rca",
    rca_threshold: float = 1.0,
    rpop_threshold: float = 1.0,
    continuous: bool = False,
    asymmetric: bool = False,
    knn: int | None = None,
    negative: Literal["raise", "zero"] = "raise",
    where: str = "",
    _method: Literal["auto", "explicit", "implicit"] = "auto",
) -> ComplexityResult:
    """Every complexity measure of one period from a locations × products matrix.

    Steps (Stata ``ecomplexity.ado`` order): drop locations with missing/non-positive
    population (RPOP only), then locations and products with a zero total; RCA and/or RPOP;
    ``M``; diversity and ubiquity; proximity; density; ECI and PCI; COI and COG; the
    standardisations. See :mod:`khooshe.analysis.complexity` for the conventions.

    Parameters
    ----------
    values : array-like, DataFrame or scipy.sparse, shape (N, P)
        Non-negative values; for ``presence="manual"`` the 0/1 presence matrix itself.
        A DataFrame's index and columns become ``locations`` and ``products``.
    locations, products : array-like, optional
        Labels (default 0..N-1, 0..P-1).
    population : array-like, shape (N,), optional
        Needed for ``presence`` "rpop" and "both".
    presence : {"rca", "rpop", "both", "manual"}
        How ``M`` is obtained (see :func:`presence`); "manual" takes the 0/1 values as given.
    rca_threshold, rpop_threshold : float
        Strict thresholds: present when RCA > rca_threshold (RPOP > rpop_threshold).
    continuous : bool
        Continuous proximity from RCA (RPOP with presence "rpop"); density then averages those
        levels instead of M.
    asymmetric : bool
        Asymmetric discrete proximity ``P(q | p)``.
    knn : int, optional
        Density over the k nearest neighbours only (COG still uses the full proximity, as
        in Stata's ``coicog.ado``).
    negative : {"raise", "zero"}
        What to do with negative values.
    where : str
        Context for messages (e.g. "period 1995").
    """
    prefix = f"{where}: " if where else ""
    prep = _prepare(
        values, locations=locations, products=products, population=population,
        presence=presence, rca_threshold=rca_threshold, rpop_threshold=rpop_threshold,
        continuous=continuous, asymmetric=asymmetric, negative=negative, where=where,
    )
    x, locs, prods, m = prep.x, prep.locs, prep.prods, prep.m
    r_rca, r_pop = prep.r_rca, prep.r_pop
    n_loc, n_prod = x.shape
    d, u = m.sum(axis=1), m.sum(axis=0)
    if (d == 0).any():
        _warn(f"{prefix}locations with zero diversity (ECI is NaN for them): "
              f"{_describe(locs, d == 0)}")
    if (u == 0).any():
        _warn(f"{prefix}products with zero ubiquity (PCI, density and COG are NaN for them): "
              f"{_describe(prods, u == 0)}")

    ep = eci_pci(m)
    if continuous:
        levels = r_pop if presence == "rpop" else r_rca
        assert levels is not None
        op = _ProximityOp("continuous", levels, method=_method)
        if op.const is not None and op.const.any():
            _warn(f"{prefix}products with constant levels (correlation set to 0): "
                  f"{_describe(prods, op.const)}")
    else:
        levels = m
        op = _ProximityOp("asymmetric" if asymmetric else "discrete", m, method=_method)

    kp = ep.kp
    kp_ok = np.isfinite(kp)
    rowsum = op.rowsum()
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(kp_ok & (rowsum != 0), kp / rowsum, 0.0)
    mw = m * w[None, :]
    if knn is None:
        y = np.vstack([levels, mw, w[None, :]])
        prod_all = op.apply(y)
        num, cog_a, cog_b = prod_all[:n_loc], prod_all[n_loc:2 * n_loc], prod_all[2 * n_loc]
        colsum = op.colsum()
        with np.errstate(divide="ignore", invalid="ignore"):
            dens = num / colsum[None, :]
        dens[:, ~(colsum != 0)] = np.nan
    else:
        k = _check_knn(knn, n_prod)
        dens = op.knn_density(levels, k)
        prod_all = op.apply(np.vstack([mw, w[None, :]]))
        cog_a, cog_b = prod_all[:n_loc], prod_all[n_loc]

    absent = 1.0 - m
    coi_terms = dens * absent * np.where(kp_ok, kp, 0.0)[None, :]
    coi_raw = np.where(np.isfinite(coi_terms), coi_terms, 0.0).sum(axis=1)
    cmean, csd = _stata_moments(coi_raw, n_prod)
    if np.isfinite(ep.sd) and csd > 0:
        coi = (coi_raw - cmean) / csd
        cog = absent * (cog_b[None, :] - cog_a) / ep.sd
        cog += 0.0  # no -0.0 where M = 1
        cog[:, ~kp_ok] = np.nan
    else:  # no complexity, no outlook
        if np.isfinite(ep.sd):
            _warn(f"{prefix}COI has zero spread, so it cannot be standardised (set to NaN)")
        coi = np.full(n_loc, np.nan)
        cog = np.full(m.shape, np.nan)
    return ComplexityResult(
        locations=locs,
        products=prods,
        values=x,
        mcp=m.astype(np.int8),
        rca=r_rca,
        rpop=r_pop,
        diversity=d.astype(np.int32),
        ubiquity=u.astype(np.int32),
        eci=ep.eci,
        pci=ep.pci,
        density=dens,
        coi=coi,
        cog=cog,
        eigenvalue=ep.eigenvalue,
        dropped_locations=prep.dropped_l,
        dropped_products=prep.dropped_p,
    )

