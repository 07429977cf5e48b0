"""Regionalising a national input–output table to a province with location quotients, and
what the province buys outside itself.

Flegg's location quotient (Flegg & Webber 1997; Flegg & Tohmo 2013), with regional employment
``E^r`` and national employment ``E^n``:

    SLQ_i   = (E_i^r / E^r) / (E_i^n / E^n)
    CILQ_ij = SLQ_i / SLQ_j
    λ       = [log2(1 + E^r / E^n)]^δ,   0 ≤ δ < 1 (default 0.3, Flegg & Tohmo's estimate)
    FLQ_ij  = λ · CILQ_ij  (i ≠ j),   FLQ_ii = λ · SLQ_i

and the regional coefficient ``r_ij = a_ij · min(FLQ_ij, 1)``: a quotient below 1 means the
province cannot supply all of ``a_ij`` itself, the rest is bought from other provinces or
abroad. So ``r_ij ≤ a_ij`` and every regional multiplier is at most the national one. With
δ = 0, λ = 1 and FLQ is the cross-industry quotient (SLQ on the diagonal).

The province's output by sector, when unknown, is the national output scaled by its
employment share (``x_j^r = x_j E_j^r / E_j^n``). Its purchases of input i by sector j are
``a_ij x_j^r``, of which ``r_ij x_j^r`` are local and the rest is the leakage.
"""

from __future__ import annotations

import numpy as np

from khooshe.analysis.supply_chain._leontief import (
    IOTable,
    column_weighted_sums,
    technical_coefficients,
)
from khooshe.domain.errors import InputError
from khooshe.text.messages import Message

#: The quotients a national table can be regionalised with.
METHODS = ("flq", "cilq", "slq")
#: Flegg & Tohmo (2013)'s estimate of δ for Finnish regions, the usual default.
DEFAULT_DELTA = 0.3


def simple_location_quotients(regional: np.ndarray, national: np.ndarray) -> np.ndarray:
    """``SLQ_i``: the region's share of jobs in sector i over the nation's (NaN where the
    nation has none)."""
    r = np.asarray(regional, dtype=np.float64)
    n = np.asarray(national, dtype=np.float64)
    if r.shape != n.shape or (r < 0).any() or (n < 0).any():
        raise InputError("regional and national employment must be non-negative, one value "
                         "per sector")
    if (r > n * (1 + 1e-9)).any():
        raise InputError("a region cannot have more jobs in a sector than the nation")
    if r.sum() <= 0 or n.sum() <= 0:
        raise InputError("regional and national employment must not be all zero")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, (r / r.sum()) / (n / n.sum()), np.nan)


def quotients(regional: np.ndarray, national: np.ndarray, *, method: str = "flq",
              delta: float = DEFAULT_DELTA) -> np.ndarray:
    """The n × n matrix of location quotients (``FLQ``, ``CILQ`` or ``SLQ`` by row) that
    scale national coefficients to the region (see the module docstring)."""
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if not 0 <= delta < 1:
        raise InputError(Message("supply_chain.refuse.delta", {"delta": delta}))
    slq = np.nan_to_num(simple_location_quotients(regional, national), nan=0.0)
    n = len(slq)
    if method == "slq":
        return np.repeat(slq[:, None], n, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cilq = np.where(slq[None, :] > 0, slq[:, None] / slq[None, :], 0.0)
    np.fill_diagonal(cilq, slq)
    if method == "cilq":
        return cilq
    share = np.asarray(regional, float).sum() / np.asarray(national, float).sum()
    lam = np.log2(1.0 + share) ** delta
    return lam * cilq


def regional_coefficients(a: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``r_ij = a_ij · min(q_ij, 1)``."""
    return np.asarray(a, dtype=np.float64) * np.minimum(np.asarray(q, dtype=np.float64), 1.0)


def regional_output(table: IOTable, regional_employment: np.ndarray) -> np.ndarray:
    """The province's output per sector at the national output per job."""
    e = np.asarray(regional_employment, dtype=np.float64)
    if table.employment is None:
        raise InputError("regionalising needs the national employment of each sector")
    with np.errstate(divide="ignore", invalid="ignore"):
        per_job = np.where(table.employment > 0, table.output / table.employment, 0.0)
    return per_job * e


def regionalise(table: IOTable, regional_employment: np.ndarray, *, method: str = "flq",
                delta: float = DEFAULT_DELTA, output: np.ndarray | None = None
                ) -> dict[str, np.ndarray]:
    """A province's coefficients, output, sourcing and leakages from a national table.

    Returns
    -------
    dict with ``national`` (A), ``regional`` (r), ``quotients``, ``output`` (x^r),
    ``purchases`` (a_ij x_j^r), ``local`` (r_ij x_j^r), ``leakage`` (the difference, bought
    outside the province), ``local_share`` per using sector j (Σ_i local / Σ_i purchases,
    NaN without purchases) and ``output_multipliers`` (regional).
    """
    if table.employment is None:
        raise InputError("regionalising needs the national employment of each sector")
    a = technical_coefficients(table.flows, table.output)
    q = quotients(regional_employment, table.employment, method=method, delta=delta)
    r = regional_coefficients(a, q)
    x_r = regional_output(table, regional_employment) if output is None else np.asarray(
        output, dtype=np.float64)
    purchases = a * x_r[None, :]
    local = r * x_r[None, :]
    bought = purchases.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(bought > 0, local.sum(axis=0) / bought, np.nan)
    return {"national": a, "regional": r, "quotients": q, "output": x_r,
            "purchases": purchases, "local": local, "leakage": purchases - local,
            "local_share": share,
            "output_multipliers": column_weighted_sums(r, np.ones(table.n))}


def substitution_effects(regional: np.ndarray, injection: np.ndarray, *,
                         jobs_per_output: np.ndarray | None = None,
                         income_per_output: np.ndarray | None = None
                         ) -> dict[str, np.ndarray]:
    """What supplying ``injection`` (per sector, money) locally instead of buying it outside
    does to the province: output ``Δx = (I − r)⁻¹ Δf``, and the jobs and income that output
    carries (``e ⊙ Δx``, ``h ⊙ Δx``)."""
    import scipy.linalg

    f = np.asarray(injection, dtype=np.float64)
    dx = scipy.linalg.solve(np.eye(len(f)) - regional, f, check_finite=False)
    out = {"output": dx}
    if jobs_per_output is not None:
        out["jobs"] = np.asarray(jobs_per_output) * dx
    if income_per_output is not None:
        out["income"] = np.asarray(income_per_output) * dx
    return out
