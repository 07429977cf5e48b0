"""One period, everything: values checked and prepared, complexity_matrix and its result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from khooshe.analysis.complexity_core._eci import _stata_moments, eci_pci
from khooshe.analysis.complexity_core._inputs import (
    FloatArray,
    Presence,
    _as_matrix,
    _describe,
    _warn,
    check_options,
    refusal_prefix,
)
from khooshe.analysis.complexity_core._presence import _presence, rca, rpop
from khooshe.analysis.complexity_core._proximity import _check_knn
from khooshe.analysis.complexity_core._proximity_op import _ProximityOp
from khooshe.domain.errors import InputError
from khooshe.text.messages import Message


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
        raise InputError(Message("analysis.complexity.infinite", {
            "where": refusal_prefix(where), "count": int(np.isinf(values).sum())}))
    if nan.any():
        _warn(f"{prefix}{int(nan.sum())} missing value(s) treated as 0")
        values = np.where(nan, 0.0, values)
    neg = values < 0
    if neg.any():
        if negative == "raise":
            raise InputError(Message("analysis.complexity.negative", {
                "where": refusal_prefix(where), "count": int(neg.sum()),
                "smallest": float(values.min())}))
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
        raise InputError(Message("analysis.complexity.too_small", {
            "where": refusal_prefix(where), "locations": n_loc, "products": n_prod}))

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
