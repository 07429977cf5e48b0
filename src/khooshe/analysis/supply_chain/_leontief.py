"""The input–output model: technical coefficients, the Leontief and Ghosh inverses, output,
employment and income multipliers (Type I and II), Rasmussen–Hirschman linkages.

Notation (Miller & Blair, *Input–Output Analysis*, 2nd ed., 2009): ``Z`` the n × n
intermediate flows (row i sells to column j), ``x`` output, ``A = Z x̂⁻¹`` the technical
coefficients, ``L = (I − A)⁻¹`` the Leontief inverse, ``B = x̂⁻¹ Z`` the allocation
coefficients and ``G = (I − B)⁻¹`` the Ghosh inverse. Only column sums and weighted column
sums of ``L`` are needed for multipliers, so they come from one solve of ``(I − A)ᵀ y = w``
(``y = Lᵀ w``) rather than an inverse; the linkages need the sums of every entry and of every
row, which also come from solves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from khooshe.domain.errors import InputError

#: Key-sector classes of the Rasmussen–Hirschman linkages (BL = backward, FL = forward).
KEY_CLASSES = ("key", "backward", "forward", "weak")


@dataclass(frozen=True)
class IOTable:
    """An input–output table as arrays.

    Parameters
    ----------
    sectors : ndarray of str, (n,)
    flows : ndarray, (n, n)
        ``Z``: intermediate flows, row sector i to column sector j (money).
    output : ndarray, (n,)
        ``x``: total output of each sector (same money unit).
    employment : ndarray, (n,), optional
        Jobs in each sector.
    compensation : ndarray, (n,), optional
        Compensation of employees paid by each sector (the household row of the closed model).
    household_consumption : ndarray, (n,), optional
        Households' purchases from each sector (the household column of the closed model).
    imports : ndarray, (n,), optional
        Imported intermediate inputs used by each sector.
    """

    sectors: np.ndarray
    flows: np.ndarray
    output: np.ndarray
    employment: np.ndarray | None = None
    compensation: np.ndarray | None = None
    household_consumption: np.ndarray | None = None
    imports: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.sectors)
        z = np.asarray(self.flows, dtype=np.float64)
        x = np.asarray(self.output, dtype=np.float64)
        if z.shape != (n, n) or x.shape != (n,):
            raise InputError(f"an IO table of {n} sectors needs {n} × {n} flows and {n} "
                             f"outputs, not {z.shape} and {x.shape}")
        for name in ("flows", "output", "employment", "compensation", "household_consumption",
                     "imports"):
            values = getattr(self, name)
            if values is None:
                continue
            values = np.asarray(values, dtype=np.float64)
            if name not in ("flows", "output") and values.shape != (n,):
                raise InputError(f"{name} needs one value per sector ({n}), not {values.shape}")
            if not np.isfinite(values).all() or (values < 0).any():
                raise InputError(f"{name} must be finite and non-negative")
            object.__setattr__(self, name, values)
        over = np.flatnonzero(z.sum(axis=0) > x * (1 + 1e-9))
        if len(over):
            raise InputError(f"sector {self.sectors[over[0]]}: its intermediate inputs "
                             f"({z[:, over[0]].sum():,.0f}) exceed its output "
                             f"({x[over[0]]:,.0f})")

    @property
    def n(self) -> int:
        return len(self.sectors)


def technical_coefficients(flows: np.ndarray, output: np.ndarray) -> np.ndarray:
    """``A = Z x̂⁻¹``: input of sector i per unit of sector j's output (0 for a sector without
    output)."""
    x = np.asarray(output, dtype=np.float64)
    safe = np.where(x > 0, x, 1.0)
    return np.where(x[None, :] > 0, np.asarray(flows, dtype=np.float64) / safe[None, :], 0.0)


def allocation_coefficients(flows: np.ndarray, output: np.ndarray) -> np.ndarray:
    """``B = x̂⁻¹ Z``: share of sector i's output sold to sector j (the Ghosh model)."""
    x = np.asarray(output, dtype=np.float64)
    safe = np.where(x > 0, x, 1.0)
    return np.where(x[:, None] > 0, np.asarray(flows, dtype=np.float64) / safe[:, None], 0.0)


def _lu(a: np.ndarray):
    n = a.shape[0]
    m = np.eye(n) - a
    lu = scipy.linalg.lu_factor(m, check_finite=False)
    if not np.isfinite(lu[0]).all() or np.abs(np.diag(lu[0])).min() < 1e-14:
        raise InputError("I − A is singular: some sectors use up all their own output")
    return lu


def leontief_inverse(a: np.ndarray) -> np.ndarray:
    """``L = (I − A)⁻¹`` in full (for reports of small tables; multipliers use solves)."""
    lu = _lu(a)
    return scipy.linalg.lu_solve(lu, np.eye(a.shape[0]), check_finite=False)


def column_weighted_sums(a: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``wᵀ L`` (per column j, ``Σ_i w_i l_ij``) from one solve of ``(I − A)ᵀ y = w``."""
    lu = _lu(a)
    return scipy.linalg.lu_solve(lu, np.asarray(weights, dtype=np.float64), trans=1,
                                 check_finite=False)


def output_multipliers(a: np.ndarray) -> np.ndarray:
    """Simple output multipliers ``m_j = Σ_i l_ij``: total output in the economy per unit of
    final demand for sector j."""
    return column_weighted_sums(a, np.ones(a.shape[0]))


def _closed(table: IOTable, a: np.ndarray) -> np.ndarray:
    """The (n+1) × (n+1) coefficients of the model closed with respect to households: the
    compensation row ``h_j = w_j / x_j`` and the consumption column ``c_i / Σ w``."""
    if table.compensation is None or table.household_consumption is None:
        raise InputError("Type II multipliers need compensation and household consumption")
    n = table.n
    x = table.output
    h = np.where(x > 0, table.compensation / np.where(x > 0, x, 1.0), 0.0)
    total = table.compensation.sum()
    if total <= 0:
        raise InputError("Type II multipliers need a positive total compensation")
    c = table.household_consumption / total
    closed = np.zeros((n + 1, n + 1))
    closed[:n, :n] = a
    closed[n, :n] = h
    closed[:n, n] = c
    return closed


def employment_multipliers(table: IOTable, a: np.ndarray | None = None
                           ) -> dict[str, np.ndarray]:
    """Employment multipliers: ``simple`` (jobs per unit of final demand, ``eᵀL``), ``type1``
    (``eᵀL / e``) and, with compensation and household consumption, ``type2`` (the same from
    the household-closed model). ``e_j = E_j / x_j``; sectors without jobs give NaN ratios."""
    if table.employment is None:
        raise InputError("employment multipliers need the employment of each sector")
    a = technical_coefficients(table.flows, table.output) if a is None else a
    return _ratio_multipliers(table, a, _per_output(table.employment, table.output))


def income_multipliers(table: IOTable, a: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Income (compensation) multipliers, ``simple``, ``type1`` and ``type2`` as
    :func:`employment_multipliers` with ``h_j = w_j / x_j``."""
    if table.compensation is None:
        raise InputError("income multipliers need the compensation of each sector")
    a = technical_coefficients(table.flows, table.output) if a is None else a
    return _ratio_multipliers(table, a, _per_output(table.compensation, table.output))


def _per_output(values: np.ndarray, output: np.ndarray) -> np.ndarray:
    return np.where(output > 0, values / np.where(output > 0, output, 1.0), 0.0)


def _ratio_multipliers(table: IOTable, a: np.ndarray, coef: np.ndarray
                       ) -> dict[str, np.ndarray]:
    simple = column_weighted_sums(a, coef)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {"simple": simple, "type1": np.where(coef > 0, simple / coef, np.nan)}
        if table.compensation is not None and table.household_consumption is not None:
            closed = _closed(table, a)
            total = column_weighted_sums(closed, np.append(coef, 0.0))[: table.n]
            out["type2"] = np.where(coef > 0, total / coef, np.nan)
    return out


def linkages(table: IOTable) -> dict[str, np.ndarray]:
    """Rasmussen–Hirschman indices: ``backward`` from the Leontief inverse's column sums,
    ``forward`` from the Ghosh inverse's row sums (Miller & Blair, ch. 12), each normalised so
    the average sector scores 1, and the ``key`` class of each sector (:data:`KEY_CLASSES`)."""
    n = table.n
    a = technical_coefficients(table.flows, table.output)
    col = column_weighted_sums(a, np.ones(n))          # Σ_i l_ij
    backward = col / col.mean()
    b = allocation_coefficients(table.flows, table.output)
    row = scipy.linalg.lu_solve(_lu(b), np.ones(n), check_finite=False)  # Σ_j g_ij
    forward = row / row.mean()
    cls = np.where(backward > 1, np.where(forward > 1, "key", "backward"),
                   np.where(forward > 1, "forward", "weak"))
    return {"backward": backward, "forward": forward, "key": cls}
