"""Which half-finished units to finish first: exact portfolio optimisation (capability C6).

Iran has about 7,600 half-finished industrial units, some more than 80 % built; Khuzestan alone
aims to complete 1,600 of them for 40,000 jobs. Completing a unit costs its *remaining* cost and
brings its *expected* jobs (and output, and exports). With a limited budget the question is
which units to finish so that the money goes where it pays off. This module answers it exactly.

The model (a 0/1 knapsack with side constraints)
------------------------------------------------
For units ``i = 1..n`` with remaining cost ``c_i`` (integer rials) and value ``v_i``::

    maximise    Σ_i v_i x_i
    subject to  Σ_i c_i x_i             ≤ B          (budget)
                Σ_{i ∈ province p} c_i x_i ≤ C_p    (optional cap per province)
                Σ_{i ∈ sector s}   c_i x_i ≤ C_s    (optional cap per ISIC class or prefix)
                x_i = 1  for must-include units,   x_i = 0  for must-exclude units and for
                units below the minimum progress (unless they must be included),
                x_i ∈ {0, 1}.

``v_i`` is the unit's expected jobs (``objective="jobs"``) or a weighted score (``"weighted"``)::

    v_i = Σ_k  w_k / Σ_k' w_k'  ·  a_ik / Σ_j a_jk        k ∈ {jobs, output, exports}

i.e. each criterion is normalised by its total over the table (so it is unit-free) and the
weights are made to sum to 1: the objective is the weighted *share* of the table's jobs, output
and exports that the portfolio delivers (between 0 and 1). A criterion whose total is 0
contributes nothing; missing output or exports values count as 0.

Companion questions answered by the same machinery: the cheapest set of units that reaches a
jobs target (:func:`cheapest_for_jobs`: minimise Σ c_i x_i subject to Σ jobs_i x_i ≥ N and the
caps), the budget → jobs frontier (:func:`frontier`), cost per job of every unit
(:func:`cost_per_job`), the marginal units at the budget edge (:class:`MarginalUnit`) and two
naive rules for comparison (:func:`greedy_portfolio`).

Exactness
---------
The MIP is solved with HiGHS (``highspy``) with ``mip_rel_gap = 0``. Expected jobs are integers,
so for the jobs objective an absolute gap below 1 already proves the optimum (no other portfolio
can have a whole job more); ``mip_abs_gap`` is set just below 1 and the reported gap uses the
integer bound ``floor(dual bound)``. Likewise the cheapest-set problem has integer costs (rials).
``optimal`` is True only when the optimum is *proven* (gap 0); under a time limit the best
portfolio found is returned with ``optimal=False`` and the gap reached. HiGHS computes its bounds
in floating point: on costs of 10^13 rials the bound of a solved cheapest-set problem may sit a
few tens of rials below the optimum, so relative gaps below 10⁻⁹ are reported as 0.

Before HiGHS sees the MIP, the LP relaxation is solved and *reduced-cost fixing* removes units
whose status is settled: if the LP bound is ``U``, a feasible portfolio of value ``G`` is known
and a unit's reduced cost ``d_i`` (at its LP bound) has ``|d_i| > U − G``, every portfolio that
flips the unit is worth at most ``U − |d_i| < G``, so the unit keeps its LP value in every
optimum. This is the classical core idea for knapsack problems (Balas & Zemel 1980; Pisinger
1997) and exactly what HiGHS does itself after its root restart; doing it first leaves HiGHS a
few hundred units instead of 7,600 and makes a proven optimum take a fraction of a second (HiGHS'
own presolve spends seconds on the single dense knapsack row, so it is switched off by default).
The dual bound reported is the larger of the reduced MIP's bound and ``U − min |d_i|`` over the
fixed units, so the proof covers the full problem.

Budgets and caps are checked *exactly* with integer arithmetic on the final portfolio (HiGHS
works in floating point with tolerances); if a tolerance ever let a portfolio exceed a bound by
a few rials, the bound is tightened and the MIP solved again, and the result is then not
claimed optimal.

Conventions
-----------
* Money is integer rials (``remaining_cost_rials``, budgets, caps); jobs are integers.
* ``cost_per_job = remaining_cost_rials / expected_jobs``; it is NaN (undefined) when a unit
  expects no jobs, and 0 when a unit costs nothing to finish.
* Units with no value (0 expected jobs, or a weighted score of 0) are never selected unless they
  must be included: they cannot improve the objective and would only spend money.
* Among portfolios with the same (optimal) number of jobs the cheapest is returned
  (``minimize_cost=True``: a second MIP minimises the cost at that number of jobs).
* Rows are numbered as a spreadsheet shows them (header row 1, first unit row 2) in errors.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analysis._highs import quiet_highs
from khooshe.domain.errors import InfeasibleError, InputError
from khooshe.domain.regions import code_within
from khooshe.domain.schema import REGION_CODE, UNITS
from khooshe.domain.validate import (
    FIRST_ROW,
    MAX_AMOUNT,
    Issue,
    ValidationError,
    parse_amount,
    validate,
)
from khooshe.text.digits import to_ascii_digits

__all__ = [
    "UNITS",
    "CRITERIA",
    "GREEDY_RULES",
    "PortfolioInputError",
    "PortfolioInfeasibleError",
    "MarginalUnit",
    "PortfolioResult",
    "TargetResult",
    "validate_units",
    "cost_per_job",
    "weighted_score",
    "optimize_portfolio",
    "cheapest_for_jobs",
    "frontier",
    "greedy_portfolio",
]

Objective = Literal["jobs", "weighted"]
GreedyRule = Literal["most_advanced", "cheapest_per_job"]

#: The two naive rules the optimum is compared with.
GREEDY_RULES: tuple[str, ...] = ("most_advanced", "cheapest_per_job")
#: Criteria of the weighted objective and the column each is read from.
CRITERIA: dict[str, str] = {
    "jobs": "expected_jobs",
    "output": "expected_output",
    "exports": "expected_exports",
}
_INF = highspy.kHighsInf
#: Relative gaps below this are floating-point noise (a few rials on 10^13) and count as 0.
_GAP_NOISE = 1e-9

class PortfolioInputError(InputError):
    """Bad arguments to a portfolio function (unknown ids, bad caps, bad weights, …)."""


class PortfolioInfeasibleError(InfeasibleError):
    """No portfolio satisfies the constraints (or reaches the target); ``largest`` is the
    largest value that *is* reachable (e.g. the most jobs any allowed portfolio gives), when
    it is known."""


def validate_units(units: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check a table of half-finished units and return it typed.

    Parameters
    ----------
    units : DataFrame
        Columns ``id``, ``province``, ``isic``, ``progress_pct``, ``remaining_cost_rials``,
        ``expected_jobs`` (required), ``county``, ``expected_output``, ``expected_exports``
        (optional). Text (as read from a file) or already typed. Other columns are kept as
        they are and passed through to the results.
    source : str, optional
        Shown in error messages (usually the file name).

    Returns
    -------
    DataFrame
        Same rows in the same order, index reset; ``remaining_cost_rials`` and
        ``expected_jobs`` as int64, ``progress_pct`` and the optional criteria as float
        (missing criteria as NaN), codes as strings.

    Raises
    ------
    ValidationError
        With every bad cell (row number as a spreadsheet shows it, column, value, reason),
        including a county that does not lie in its province and a table without units.
    """
    if not isinstance(units, pd.DataFrame):
        raise TypeError(f"units must be a DataFrame, not {type(units).__name__}")
    df = units.reset_index(drop=True)
    names = UNITS.names
    extra = [c for c in df.columns if c not in names]
    issues: list[Issue] = []
    if len(df) == 0:
        issues.append(Issue(None, "id", None, "the table has no units"))
    if "county" in df.columns and "province" in df.columns:
        # a county lies in its province: its code is longer and starts with the province's
        # 2 digits (checked on the text, so that it is reported with every other problem)
        county = df["county"].map(lambda v: None if v is None or v != v
                                  else to_ascii_digits(v).strip() or None)
        prov = df["province"].map(lambda v: None if v is None or v != v
                                  else to_ascii_digits(v).strip())
        both = (county.notna() & county.fillna("").str.fullmatch(REGION_CODE)
                & prov.fillna("").str.fullmatch(r"\d{2}"))
        bad = both & ~code_within(county, prov)
        for i in np.flatnonzero(bad.to_numpy()):
            issues.append(Issue(int(i) + FIRST_ROW, "county", str(county.iloc[i]),
                                f"is not a county of province {prov.iloc[i]!r} "
                                "(county codes start with their province's code)"))
    try:
        typed = validate(df[[c for c in df.columns if c in names]], UNITS, source=source)
    except ValidationError as exc:
        order = {c: k for k, c in enumerate(names)}
        merged = sorted(exc.issues + [i for i in issues if i.row is not None],
                        key=lambda i: (i.row or 0, order.get(i.column, 0)))
        raise ValidationError(UNITS.kind, merged, source) from None
    cost = typed["remaining_cost_rials"].astype("int64").to_numpy()
    if len(cost) and int(cost.sum(dtype=object)) >= MAX_AMOUNT:
        issues.append(Issue(None, "remaining_cost_rials", None,
                            f"the total cost exceeds {MAX_AMOUNT:,} rials; use rials, not a "
                            "smaller unit by mistake?"))
    if issues:
        raise ValidationError(UNITS.kind, issues, source)
    out = typed.drop(columns=[c for c in typed.columns if c.endswith("_norm")])
    out["remaining_cost_rials"] = out["remaining_cost_rials"].astype("int64")
    out["expected_jobs"] = out["expected_jobs"].astype("int64")
    for col in extra:
        out[col] = df[col].to_numpy()
    out.attrs.pop("kind", None)
    return out


def cost_per_job(units: pd.DataFrame) -> pd.Series:
    """Remaining cost per expected job (rials per job) of every unit.

    ``remaining_cost_rials / expected_jobs``; NaN when the unit expects no jobs (undefined:
    finishing it buys no jobs at any price), 0 when it costs nothing to finish.
    """
    jobs = units["expected_jobs"].to_numpy(dtype=float)
    cost = units["remaining_cost_rials"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(jobs > 0, cost / np.where(jobs > 0, jobs, 1.0), np.nan)
    return pd.Series(out, index=units.index, name="cost_per_job")


def _weights(weights: Mapping[str, float] | None, units: pd.DataFrame) -> dict[str, float]:
    def present(col: str) -> bool:
        return col in units.columns and bool(units[col].notna().any())

    w = dict(weights) if weights is not None else {
        k: 1.0 for k, col in CRITERIA.items() if k == "jobs" or present(col)
    }
    unknown = sorted(set(w) - set(CRITERIA))
    if unknown:
        raise PortfolioInputError(
            f"unknown criterion {', '.join(map(repr, unknown))}; use {', '.join(CRITERIA)}"
        )
    for k, v in w.items():
        if not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            raise PortfolioInputError(f"weight of {k!r} must be a number ≥ 0, not {v!r}")
    if sum(w.values()) <= 0:
        raise PortfolioInputError("at least one weight must be positive")
    for k, v in w.items():
        if v > 0 and not present(CRITERIA[k]):
            raise PortfolioInputError(
                f"weight of {k!r} is {v:g} but the units have no {CRITERIA[k]!r} values"
            )
    total = sum(w.values())
    return {k: v / total for k, v in w.items() if v > 0}


def weighted_score(units: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.Series:
    """The weighted score of every unit (its share of the weighted criteria of the table).

    ``score_i = Σ_k w_k / Σ w · a_ik / Σ_j a_jk`` over the criteria ``jobs``
    (``expected_jobs``), ``output`` (``expected_output``) and ``exports``
    (``expected_exports``). The scores of all units sum to 1 (less when a criterion's total
    is 0). Missing values count as 0.

    Parameters
    ----------
    weights : mapping, optional
        Criterion → weight ≥ 0. Default: equal weights for the criteria present in ``units``.
    """
    w = _weights(weights, units)
    score = np.zeros(len(units))
    for k, wk in w.items():
        a = pd.to_numeric(units[CRITERIA[k]], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        total = a.sum()
        if total > 0:
            score += wk * a / total
    return pd.Series(score, index=units.index, name="score")


# --- Instance: units + constraints as arrays -------------------------------------------------
@dataclass
class _Rows:
    """Linear rows ``lower ≤ A x ≤ upper`` with integer coefficients and bounds (exact)."""

    matrix: sp.csr_matrix  # int64
    lower: list[int | None]
    upper: list[int | None]
    labels: list[str]

    def activity(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.matrix @ x.astype(np.int64)).ravel()

    def violations(self, x: np.ndarray) -> list[tuple[int, int]]:
        """(row, amount beyond its bound) of every violated row, exactly."""
        act = self.activity(x)
        out = []
        for r, a in enumerate(act.tolist()):
            lo, hi = self.lower[r], self.upper[r]
            if hi is not None and a > hi:
                out.append((r, a - hi))
            elif lo is not None and a < lo:
                out.append((r, lo - a))
        return out

    def float_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lo = np.array([-_INF if v is None else float(v) for v in self.lower])
        hi = np.array([_INF if v is None else float(v) for v in self.upper])
        return lo, hi


@dataclass
class _Instance:
    units: pd.DataFrame
    cost: np.ndarray  # int64
    jobs: np.ndarray  # int64
    value: np.ndarray  # float objective coefficient
    integral: bool  # value holds integers
    lb: np.ndarray  # int8: 1 = must include
    ub: np.ndarray  # int8: 0 = cannot be selected
    reason: np.ndarray  # object: why a unit is fixed ("" when free)
    caps: list[tuple[str, np.ndarray, int]]  # (label, member indices, amount)
    objective: str
    weights: dict[str, float]
    budget: int | None = None

    @property
    def n(self) -> int:
        return len(self.cost)

    def money_rows(self, budget: int | None) -> _Rows:
        """Budget row (when given) then one row per cap: Σ cost x ≤ amount."""
        n = self.n
        idx = [np.arange(n)] if budget is not None else []
        upper: list[int | None] = [budget] if budget is not None else []
        labels = ["budget"] if budget is not None else []
        for label, members, amount in self.caps:
            idx.append(members)
            upper.append(amount)
            labels.append(label)
        if not idx:
            return _Rows(sp.csr_matrix((0, n), dtype=np.int64), [], [], [])
        indptr = np.concatenate([[0], np.cumsum([len(i) for i in idx])])
        cols = np.concatenate(idx) if idx else np.zeros(0, dtype=np.int64)
        matrix = sp.csr_matrix((self.cost[cols], cols, indptr), shape=(len(idx), n))
        return _Rows(matrix, [None] * len(idx), upper, labels)


def _id_list(values: Collection[str] | str | None, what: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for v in values:
        out.extend(s.strip() for s in to_ascii_digits(str(v)).split(",") if s.strip())
    return out


def _prepare(
    units: pd.DataFrame,
    *,
    objective: Objective = "jobs",
    weights: Mapping[str, float] | None = None,
    cap_province: Mapping[str, int | str] | None = None,
    cap_sector: Mapping[str, int | str] | None = None,
    min_progress: float | None = None,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    validated: bool = False,
) -> _Instance:
    df = units if validated else validate_units(units)
    n = len(df)
    cost = df["remaining_cost_rials"].to_numpy(dtype=np.int64)
    jobs = df["expected_jobs"].to_numpy(dtype=np.int64)
    if objective == "jobs":
        value, integral, w = jobs.astype(float), True, {"jobs": 1.0}
    elif objective == "weighted":
        w = _weights(weights, df)
        value, integral = weighted_score(df, w).to_numpy(), False
    else:
        raise PortfolioInputError(f"objective must be 'jobs' or 'weighted', not {objective!r}")

    ids = df["id"].astype(str).to_numpy()
    pos = pd.Series(np.arange(n), index=ids)
    inc, exc = _id_list(include, "include"), _id_list(exclude, "exclude")
    for what, lst in (("must-include", inc), ("must-exclude", exc)):
        unknown = sorted(set(lst) - set(ids))
        if unknown:
            raise PortfolioInputError(
                f"{what} list: unknown unit id(s) {', '.join(map(repr, unknown[:20]))}"
                + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else "")
            )
    both = sorted(set(inc) & set(exc))
    if both:
        raise PortfolioInputError(
            f"unit(s) {', '.join(map(repr, both[:20]))} are both must-include and must-exclude"
        )
    lb = np.zeros(n, dtype=np.int8)
    ub = np.ones(n, dtype=np.int8)
    reason = np.full(n, "", dtype=object)
    if min_progress is not None:
        if not (isinstance(min_progress, int | float) and 0 <= min_progress <= 100):
            raise PortfolioInputError(f"minimum progress must be 0–100 %, not {min_progress!r}")
        low = df["progress_pct"].to_numpy(dtype=float) < min_progress
        ub[low] = 0
        reason[low] = f"progress below {min_progress:g} %"
    worthless = value <= 0
    ub[worthless] = 0
    reason[worthless] = "no expected jobs" if objective == "jobs" else "score 0"
    ex = pos[exc].to_numpy(dtype=np.int64) if exc else np.zeros(0, dtype=np.int64)
    ub[ex] = 0
    reason[ex] = "must exclude"
    inn = pos[inc].to_numpy(dtype=np.int64) if inc else np.zeros(0, dtype=np.int64)
    lb[inn] = 1
    ub[inn] = 1
    reason[inn] = "must include"

    caps: list[tuple[str, np.ndarray, int]] = []
    province = df["province"].astype(str).to_numpy()
    for code, amount in (cap_province or {}).items():
        key = to_ascii_digits(str(code)).strip()
        members = np.flatnonzero(province == key)
        if len(members) == 0:
            raise PortfolioInputError(f"cap for province {key!r}: no unit in that province")
        caps.append((f"cap province {key}", members,
                     parse_amount(amount, f"cap for province {key}")))
    isic = df["isic"].astype(str)
    for code, amount in (cap_sector or {}).items():
        key = to_ascii_digits(str(code)).strip()
        if not re.fullmatch(r"\d{1,4}", key):
            raise PortfolioInputError(
                f"cap for sector {key!r}: give an ISIC Rev.4 class (4 digits) or a prefix of "
                "1–3 digits (e.g. 10 for all food classes)"
            )
        members = np.flatnonzero(isic.str.startswith(key).to_numpy())
        if len(members) == 0:
            raise PortfolioInputError(f"cap for sector {key!r}: no unit in that ISIC class")
        caps.append((f"cap sector {key}", members, parse_amount(amount, f"cap for sector {key}")))
    return _Instance(df, cost, jobs, value, integral, lb, ub, reason, caps, objective, w)


def _check_forced(inst: _Instance, rows: _Rows) -> None:
    """Raise if the must-include units alone break a budget or a cap (exact)."""
    x = inst.lb.astype(np.int64)
    bad = rows.violations(x)
    if bad:
        r, over = bad[0]
        label = rows.labels[r]
        raise PortfolioInfeasibleError(
            f"the must-include units cost {rows.activity(x)[r]:,} rials, more than the "
            f"{label} of {rows.upper[r]:,} rials (by {over:,})"
        )


# --- Greedy fill (baselines and heuristic start) ----------------------------------------------
def _greedy(rows: _Rows, order: np.ndarray, start: np.ndarray, allowed: np.ndarray,
            need: tuple[np.ndarray, int] | None = None) -> np.ndarray:
    """Take units in ``order`` whenever they fit every row's upper bound (skip the others and
    go on). ``start`` units are taken first. With ``need = (weights, target)`` stop as soon as
    ``weights · x ≥ target``.

    A sequential rule (each decision depends on the money left), so this is a loop over the
    candidate units, on plain Python integers (exact); it stops as soon as no later candidate
    can fit (its smallest coefficient exceeds every slack), which cuts the tail of a long
    list once the budget is spent. A few milliseconds for 7,600 units.
    """
    x = start.astype(bool).copy()
    keep = np.flatnonzero([u is not None for u in rows.upper])
    matrix = rows.matrix[keep]
    upper = np.array([rows.upper[r] for r in keep], dtype=np.int64)
    slack = (upper - np.asarray(matrix @ x.astype(np.int64)).ravel()).tolist()
    csc = matrix.tocsc()
    csc.sort_indices()
    ptr, ind, dat = csc.indptr.tolist(), csc.indices.tolist(), csc.data.tolist()
    cand = order[allowed[order] & ~x[order]]
    # smallest coefficient of every column (0 for a unit in no row), then the suffix minimum
    # over the candidates: once it exceeds every slack, no later candidate can fit
    col_min = np.zeros(matrix.shape[1], dtype=np.int64)
    nonempty = np.diff(csc.indptr) > 0
    if nonempty.any():
        col_min[nonempty] = np.minimum.reduceat(csc.data, csc.indptr[:-1][nonempty])
    tail_min = np.minimum.accumulate(col_min[cand][::-1])[::-1].tolist()
    weights = None if need is None else need[0]
    got = 0 if weights is None else int(weights[x].sum())
    taken: list[int] = []
    for pos, j in enumerate(cand.tolist()):
        if need is not None and got >= need[1]:
            break
        if slack and pos % 64 == 0 and tail_min[pos] > max(slack):
            break
        lo, hi = ptr[j], ptr[j + 1]
        fits = True
        for k in range(lo, hi):
            if dat[k] > slack[ind[k]]:
                fits = False
                break
        if fits:
            for k in range(lo, hi):
                slack[ind[k]] -= dat[k]
            taken.append(j)
            if weights is not None:
                got += int(weights[j])
    x[taken] = True
    return x


def _efficiency(value: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """value per rial; +inf for free units with value."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cost > 0, value / np.maximum(cost, 1), np.where(value > 0, np.inf, 0.0))


def _greedy_order(inst: _Instance, rule: str) -> np.ndarray:
    """Ranking of the naive rules; ties broken by the other criterion, then by table order."""
    cpj = cost_per_job(inst.units).to_numpy()
    cpj = np.where(np.isnan(cpj), np.inf, cpj)
    progress = inst.units["progress_pct"].to_numpy(dtype=float)
    idx = np.arange(inst.n)
    if rule == "most_advanced":
        return np.lexsort((idx, cpj, -progress))
    if rule == "cheapest_per_job":
        return np.lexsort((idx, -progress, cpj))
    raise PortfolioInputError(f"rule must be one of {', '.join(GREEDY_RULES)}, not {rule!r}")


# --- The solver -------------------------------------------------------------------------------
@dataclass
class _Solved:
    x: np.ndarray  # bool
    value: float  # objective value (solver units)
    bound: float  # proven bound (solver units), integral-rounded when the objective is
    optimal: bool
    gap: float
    status: str
    seconds: float
    n_free: int


def _lp(c: np.ndarray, maximize: bool, rows: _Rows, lb: np.ndarray, ub: np.ndarray,
        integer: bool, offset: float = 0.0, row_bounds=None) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    n = len(c)
    lp.num_col_ = n
    lp.num_row_ = rows.matrix.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_ = np.asarray(lb, dtype=float)
    lp.col_upper_ = np.asarray(ub, dtype=float)
    lo, hi = rows.float_bounds() if row_bounds is None else row_bounds
    lp.row_lower_ = lo
    lp.row_upper_ = hi
    lp.offset_ = float(offset)
    m = rows.matrix
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = m.indptr.astype(np.int32)
    lp.a_matrix_.index_ = m.indices.astype(np.int32)
    lp.a_matrix_.value_ = m.data.astype(float)
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    return lp


def _highs(options: Mapping[str, Any] | None = None) -> highspy.Highs:
    h = quiet_highs()
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    return h


class _Relaxation:
    """The LP relaxation, kept in one HiGHS object so that a changed row bound re-solves from
    the previous basis (used along the frontier)."""

    def __init__(self, c, maximize, rows: _Rows, lb, ub):
        self.h = _highs()
        self.h.passModel(_lp(c, maximize, rows, lb, ub, integer=False))

    def solve(self, rows: _Rows) -> tuple[str, float, np.ndarray, np.ndarray]:
        lo, hi = rows.float_bounds()
        for r in range(len(lo)):
            self.h.changeRowBounds(r, lo[r], hi[r])
        self.h.run()
        status = self.h.modelStatusToString(self.h.getModelStatus())
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return status, math.nan, np.zeros(0), np.zeros(0)
        sol = self.h.getSolution()
        return (status, self.h.getInfo().objective_function_value,
                np.asarray(sol.col_value), np.asarray(sol.col_dual))


#: Largest objective coefficient HiGHS is given: costs in rials (10⁹–10¹³) are divided by a
#: power of ten to stay below it. Given a start solution, HiGHS 1.16 stopped at a worse
#: portfolio and called it optimal when coefficients were ~10⁹ (tests/test_portfolio.py,
#: the job target against the dynamic programme); it does not at ≤ 10⁷.
SOLVER_COEFFICIENT = 1e6


def _solver_scale(c: np.ndarray) -> float:
    """The power of ten the objective is divided by before HiGHS sees it."""
    top = float(np.max(np.abs(c))) if len(c) else 0.0
    return 1.0 if top <= SOLVER_COEFFICIENT else 10.0 ** math.ceil(
        math.log10(top / SOLVER_COEFFICIENT))


def _solve(
    c: np.ndarray,
    maximize: bool,
    rows: _Rows,
    lb: np.ndarray,
    ub: np.ndarray,
    *,
    integral: bool,
    fill_order: np.ndarray,
    starts: Sequence[np.ndarray] = (),
    need: tuple[np.ndarray, int] | None = None,
    time_limit: float | None = None,
    rel_gap: float = 0.0,
    relaxation: _Relaxation | None = None,
    presolve: bool = False,
) -> _Solved | None:
    """Solve ``max/min c·x, rows, lb ≤ x ≤ ub, x binary`` exactly; None when infeasible.

    LP relaxation → best of (rounded LP + greedy fill, given starts) → reduced-cost fixing →
    HiGHS MIP on the remaining columns → exact check of every row (tighten and re-solve if a
    tolerance let a bound slip).
    """
    t0 = time.perf_counter()
    sign = 1.0 if maximize else -1.0
    if relaxation is None:
        relaxation = _Relaxation(c, maximize, rows, lb, ub)
    status, u_lp, x_lp, d = relaxation.solve(rows)
    if status == "Infeasible":
        return None
    allowed = ub > 0

    def feasible(x: np.ndarray) -> bool:
        return bool(np.all(x >= lb) and np.all(x <= ub)) and not rows.violations(x)

    candidates = [s.astype(bool) for s in starts]
    if len(x_lp):
        down = (x_lp > 1 - 1e-9) | (lb > 0)
        candidates.append(_greedy(rows, fill_order, down, allowed, need))
        candidates.append((x_lp > 1e-9) | (lb > 0))
    best: np.ndarray | None = None
    for cand in candidates:
        if feasible(cand) and (best is None or sign * c[cand].sum() > sign * c[best].sum()):
            best = cand
    g = None if best is None else float(c[best].sum())

    # reduced-cost fixing
    fixed = lb == ub
    fixed_val = lb.astype(bool).copy()
    min_d = math.inf
    if g is not None and len(x_lp):
        slack_obj = sign * (u_lp - g)
        tol = 1e-7 * max(1.0, abs(u_lp))
        at_lo, at_hi = x_lp < 1e-9, x_lp > 1 - 1e-9
        can = ~fixed & (at_lo | at_hi) & (np.abs(d) > slack_obj + tol)
        fixed = fixed | can
        fixed_val = np.where(can, at_hi, fixed_val)
        if can.any():
            min_d = float(np.abs(d[can]).min())
    free = np.flatnonzero(~fixed)
    base = fixed_val & fixed

    def bound_of_fixing() -> float:
        return sign * (sign * u_lp - min_d) if math.isfinite(min_d) else -sign * math.inf

    tightened = 0
    work_rows = rows
    while True:
        sub_act = work_rows.activity(base)
        lo_f, hi_f = work_rows.float_bounds()
        sub_lo = lo_f - sub_act
        sub_hi = hi_f - sub_act
        sub_rows = _Rows(work_rows.matrix[:, free].tocsr(), work_rows.lower, work_rows.upper,
                         work_rows.labels)
        offset = float(c[base].sum())
        if len(free) == 0:
            x = base.copy()
            mip_status, mip_bound, mip_value = "Optimal", float(c[x].sum()), float(c[x].sum())
            if rows.violations(x):
                return None
        else:
            scale = _solver_scale(c[free])
            options: dict[str, Any] = {
                "mip_rel_gap": float(rel_gap),
                "presolve": "on" if presolve else "off",
            }
            if integral:  # stop once the gap is under one unit of the (unscaled) objective
                options["mip_abs_gap"] = (1.0 - 1e-6) / scale
            if time_limit is not None:
                options["time_limit"] = max(0.05, float(time_limit) - (time.perf_counter() - t0))
            h = _highs(options)
            h.passModel(_lp(c[free] / scale, maximize, sub_rows, lb[free], ub[free],
                            integer=True, offset=offset / scale, row_bounds=(sub_lo, sub_hi)))
            if best is not None:
                h.setSolution(len(free), np.arange(len(free), dtype=np.int32),
                              best[free].astype(float))
            h.run()
            ms = h.getModelStatus()
            mip_status = h.modelStatusToString(ms)
            if ms == highspy.HighsModelStatus.kInfeasible:
                return None
            info = h.getInfo()
            x = base.copy()
            if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
                x[free] = np.asarray(h.getSolution().col_value)[: len(free)] > 0.5
            elif best is not None:
                x = best.copy()
            else:
                return _Solved(np.zeros(len(c), bool), math.nan, math.nan, False, math.inf,
                               mip_status, time.perf_counter() - t0, len(free))
            mip_value = float(c[x].sum())
            mip_bound = float(info.mip_dual_bound) * scale
        over = rows.violations(x)
        if not over:
            break
        if tightened >= 3:
            raise RuntimeError(f"HiGHS kept returning portfolios beyond a bound: {over}")
        # a floating-point tolerance let a bound slip by a few rials: tighten and solve again
        tightened += 1
        upper = list(work_rows.upper)
        lower = list(work_rows.lower)
        for r, amount in over:
            hi, lo = upper[r], lower[r]
            if hi is not None and rows.activity(x)[r] > hi:
                upper[r] = hi - amount
            else:
                assert lo is not None  # a violated row not above its upper bound is below this
                lower[r] = lo + amount
        work_rows = _Rows(work_rows.matrix, lower, upper, work_rows.labels)

    if best is not None and sign * c[best].sum() > sign * mip_value and feasible(best):
        x, mip_value = best.copy(), float(c[best].sum())
    value = float(c[x].sum())
    if not math.isfinite(mip_bound):
        mip_bound = sign * _INF
    bound = max(sign * mip_bound, sign * bound_of_fixing()) * sign
    if integral:
        # float noise only: costs of 10^13 rials carry ~0.01 rial of rounding in a sum
        eps = 1e-6 + 1e-12 * abs(bound)
        bound = math.floor(bound + eps) if maximize else math.ceil(bound - eps)
    gap_abs = max(0.0, sign * (bound - value))
    if integral and gap_abs < 1:
        gap_abs = 0.0
    gap = gap_abs / max(abs(value), 1e-12) if gap_abs > 0 else 0.0
    if gap < _GAP_NOISE:
        gap = 0.0
    optimal = gap == 0.0 and tightened == 0
    status = mip_status if not tightened else f"{mip_status} (bounds tightened {tightened}×)"
    return _Solved(x, value, bound, optimal, gap, status, time.perf_counter() - t0, len(free))


# --- Results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class MarginalUnit:
    """A unit at the edge of the budget.

    ``side="in"``: the selected unit with the highest cost per unit of value — the least
    efficient unit the budget buys. ``side="out"``: the best unselected unit by value per rial
    that did not fit; ``extra_budget`` is the money needed to add it to the portfolio as it is
    (0 when the budget suffices but a cap blocks it), ``blocked_by`` the budget or caps that it
    would break.
    """

    side: Literal["in", "out"]
    id: str
    province: str
    isic: str
    progress_pct: float
    remaining_cost_rials: int
    expected_jobs: int
    cost_per_job: float
    extra_budget: int = 0
    blocked_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["blocked_by"] = list(self.blocked_by)
        d["cost_per_job"] = None if math.isnan(self.cost_per_job) else self.cost_per_job
        return d


@dataclass(frozen=True)
class PortfolioResult:
    """The optimal portfolio under a budget.

    Attributes
    ----------
    units : DataFrame
        Every unit (the input columns, in the input order) with ``selected`` (0/1),
        ``cost_per_job`` (NaN when no jobs), ``eligible`` (could be chosen),
        ``reason`` (why a unit was fixed: must include/exclude, low progress, no jobs),
        ``score`` (weighted objective only) and ``selected_most_advanced`` /
        ``selected_cheapest_per_job`` (the naive rules' choices, 0/1).
    objective : str
        ``jobs`` or ``weighted``.
    objective_value : float
        Jobs, or the weighted share (0–1) delivered.
    jobs, cost, budget : int
        Jobs and cost (rials) of the portfolio; the budget.
    optimal : bool
        True when the optimum is proven (gap 0).
    gap : float
        Relative gap ``(bound − value) / value`` between the proven bound and the portfolio;
        0 when optimal.
    dual_bound : float
        Proven upper bound of the objective (jobs are integers, so it is rounded down).
    status : str
        HiGHS' model status of the last solve.
    seconds : float
        Wall time of the optimisation (greedy rules and marginal units included).
    free_units : int
        Units left to the MIP after reduced-cost fixing.
    greedy_jobs, greedy_cost : dict
        Jobs and cost of the naive rules (``most_advanced``, ``cheapest_per_job``) under the
        same budget, caps and eligibility.
    marginal_in, marginal_out : MarginalUnit or None
        The units at the budget edge.
    weights : dict
        Normalised weights of the weighted objective (``{"jobs": 1}`` for jobs).
    """

    units: pd.DataFrame
    objective: str
    objective_value: float
    jobs: int
    cost: int
    budget: int
    optimal: bool
    gap: float
    dual_bound: float
    status: str
    seconds: float
    free_units: int
    greedy_jobs: dict[str, int]
    greedy_cost: dict[str, int]
    marginal_in: MarginalUnit | None
    marginal_out: MarginalUnit | None
    weights: dict[str, float] = field(default_factory=dict)
    caps: dict[str, int] = field(default_factory=dict)

    @property
    def selected(self) -> np.ndarray:
        """Boolean mask of the selected units (input order)."""
        return self.units["selected"].to_numpy() == 1

    @property
    def selected_ids(self) -> list[str]:
        return self.units.loc[self.selected, "id"].astype(str).tolist()

    @property
    def gain_over_greedy(self) -> dict[str, int]:
        """Jobs gained over each naive rule."""
        return {rule: self.jobs - j for rule, j in self.greedy_jobs.items()}

    def summary(self) -> dict[str, Any]:
        """A JSON-serialisable summary."""
        return {
            "objective": self.objective,
            "objective_value": self.objective_value,
            "weights": self.weights,
            "jobs": self.jobs,
            "cost": self.cost,
            "budget": self.budget,
            "units_selected": int(self.selected.sum()),
            "units": len(self.units),
            "optimal": self.optimal,
            "gap": self.gap,
            "dual_bound": self.dual_bound,
            "status": self.status,
            "seconds": self.seconds,
            "free_units": self.free_units,
            "caps": self.caps,
            "greedy_jobs": self.greedy_jobs,
            "greedy_cost": self.greedy_cost,
            "gain_over_greedy": self.gain_over_greedy,
            "marginal_in": None if self.marginal_in is None else self.marginal_in.to_dict(),
            "marginal_out": None if self.marginal_out is None else self.marginal_out.to_dict(),
        }


@dataclass(frozen=True)
class TargetResult:
    """The cheapest portfolio that reaches a jobs target.

    ``units`` has ``selected`` (0/1) and ``cost_per_job``; ``cost`` is the budget that buys
    ``target`` jobs (``jobs`` ≥ ``target``); ``dual_bound`` a proven lower bound of that cost.
    """

    units: pd.DataFrame
    target: int
    jobs: int
    cost: int
    optimal: bool
    gap: float
    dual_bound: float
    status: str
    seconds: float
    max_jobs: int

    @property
    def selected(self) -> np.ndarray:
        return self.units["selected"].to_numpy() == 1

    def summary(self) -> dict[str, Any]:
        return {
            "target_jobs": self.target, "jobs": self.jobs, "cost": self.cost,
            "units_selected": int(self.selected.sum()), "optimal": self.optimal,
            "gap": self.gap, "dual_bound": self.dual_bound, "status": self.status,
            "seconds": self.seconds, "max_reachable_jobs": self.max_jobs,
        }


# --- Public API -------------------------------------------------------------------------------
def _scale(inst: _Instance) -> float:
    """Solver units per objective unit: jobs as they are, weighted shares × 10⁶ (ppm) so that
    HiGHS' absolute tolerances are small against one unit's score."""
    return 1.0 if inst.integral else 1e6


def _marginals(inst: _Instance, rows: _Rows, x: np.ndarray
               ) -> tuple[MarginalUnit | None, MarginalUnit | None]:
    df = inst.units
    cpv = np.where(inst.value > 0, inst.cost / np.where(inst.value > 0, inst.value, 1), np.inf)
    cpj = cost_per_job(df).to_numpy()

    def unit(i: int, side, extra=0, blocked=()) -> MarginalUnit:
        return MarginalUnit(side, str(df["id"].iloc[i]), str(df["province"].iloc[i]),
                            str(df["isic"].iloc[i]), float(df["progress_pct"].iloc[i]),
                            int(inst.cost[i]), int(inst.jobs[i]), float(cpj[i]), int(extra),
                            tuple(blocked))

    chosen = np.flatnonzero(x & (inst.value > 0) & (inst.lb == 0))
    m_in = unit(int(chosen[np.argmax(cpv[chosen])]), "in") if len(chosen) else None
    out = np.flatnonzero(~x & (inst.ub > 0))
    m_out = None
    if len(out):
        i = int(out[np.argmin(cpv[out])])
        y = x.copy()
        y[i] = True
        over = rows.violations(y)
        blocked = tuple(rows.labels[r] for r, _ in over)
        extra = next((a for r, a in over if rows.labels[r] == "budget"), 0)
        m_out = unit(i, "out", extra, blocked)
    return m_in, m_out


def optimize_portfolio(
    units: pd.DataFrame,
    budget: int | str,
    *,
    objective: Objective = "jobs",
    weights: Mapping[str, float] | None = None,
    cap_province: Mapping[str, int | str] | None = None,
    cap_sector: Mapping[str, int | str] | None = None,
    min_progress: float | None = None,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    time_limit: float | None = None,
    rel_gap: float = 0.0,
    minimize_cost: bool = True,
    validated: bool = False,
) -> PortfolioResult:
    """Choose the half-finished units to complete so as to maximise expected jobs (or a
    weighted objective) within a budget.

    Parameters
    ----------
    units : DataFrame
        One row per unit; see :func:`validate_units` for the columns.
    budget : int or str
        Money available, in rials (a string is parsed by :func:`parse_amount`).
    objective : {"jobs", "weighted"}
        Maximise expected jobs, or the weighted score of :func:`weighted_score`.
    weights : mapping, optional
        Weighted objective: criterion (``jobs``, ``output``, ``exports``) → weight ≥ 0.
        Default: equal weights over the criteria present.
    cap_province : mapping, optional
        Province code → the most money (rials) its selected units may cost.
    cap_sector : mapping, optional
        ISIC class (4 digits) or prefix (1–3 digits: a division or group) → the most money its
        selected units may cost. Caps may overlap.
    min_progress : float, optional
        Units with less physical progress (%) are not eligible (must-include units excepted).
    include, exclude : collection of str, optional
        Unit ids that must / must not be selected (comma-separated strings are split).
    time_limit : float, optional
        Seconds for the MIP; the best portfolio found is returned with ``optimal=False`` and
        its gap when the limit stops HiGHS before the proof.
    rel_gap : float
        HiGHS ``mip_rel_gap``; 0 (default) asks for a proven optimum.
    minimize_cost : bool
        Jobs objective: among the portfolios with the optimal number of jobs return the
        cheapest (one more MIP, bounded by the same time limit). When it stops before its own
        proof the portfolio still has the optimal jobs, at a cost that may not be the lowest.
    validated : bool
        Skip :func:`validate_units` (``units`` is already its output).

    Returns
    -------
    PortfolioResult

    Raises
    ------
    ValidationError
        Bad rows in ``units`` (row, column, value, reason).
    PortfolioInputError
        Unknown ids, bad caps, weights or options.
    PortfolioInfeasibleError
        The must-include units alone exceed the budget or a cap.
    """
    t0 = time.perf_counter()
    inst = _prepare(units, objective=objective, weights=weights, cap_province=cap_province,
                    cap_sector=cap_sector, min_progress=min_progress, include=include,
                    exclude=exclude, validated=validated)
    budget = parse_amount(budget, "budget")
    if not (isinstance(rel_gap, int | float) and 0 <= rel_gap < 1):
        raise PortfolioInputError(f"rel_gap must be in [0, 1), not {rel_gap!r}")
    if time_limit is not None and not time_limit > 0:
        raise PortfolioInputError(f"time limit must be positive, not {time_limit!r}")
    rows = inst.money_rows(budget)
    _check_forced(inst, rows)
    scale = _scale(inst)
    c = inst.value * scale
    greedy = {rule: _greedy(rows, _greedy_order(inst, rule), inst.lb > 0, inst.ub > 0)
              for rule in GREEDY_RULES}
    fill = np.argsort(-_efficiency(inst.value, inst.cost), kind="stable")
    sol = _solve(c, True, rows, inst.lb, inst.ub, integral=inst.integral, fill_order=fill,
                 starts=list(greedy.values()), time_limit=time_limit, rel_gap=rel_gap)
    if sol is None:  # cannot happen once the forced units fit; kept as a guard
        raise PortfolioInfeasibleError("no portfolio satisfies the budget and the caps")
    x, status = sol.x, sol.status
    if minimize_cost and inst.integral and sol.value > 0:
        # second stage: the cheapest portfolio with the same (optimal) jobs
        need_rows = _Rows(
            sp.vstack([sp.csr_matrix(inst.jobs.reshape(1, -1) * (inst.ub > 0)),
                       rows.matrix]).tocsr().astype(np.int64),
            [int(round(sol.value)), *rows.lower], [None, *rows.upper],
            ["jobs"] + rows.labels,
        )
        left = None if time_limit is None else max(0.5, time_limit - (time.perf_counter() - t0))
        second = _solve(inst.cost.astype(float), False, need_rows, inst.lb, inst.ub,
                        integral=True, fill_order=fill, starts=[x], time_limit=left,
                        need=(inst.jobs, int(round(sol.value))))
        if second is not None and int(inst.jobs[second.x].sum()) >= int(inst.jobs[x].sum()):
            x = second.x
    jobs = int(inst.jobs[x].sum())
    value = float(inst.value[x].sum())
    m_in, m_out = _marginals(inst, rows, x)
    df = _annotate(inst, x)
    for rule, g in greedy.items():
        df[f"selected_{rule}"] = g.astype(np.int8)
    return PortfolioResult(
        units=df, objective=inst.objective, objective_value=value if not inst.integral
        else float(jobs), jobs=jobs, cost=int(inst.cost[x].sum()), budget=budget,
        optimal=sol.optimal, gap=sol.gap, dual_bound=sol.bound / scale, status=status,
        seconds=time.perf_counter() - t0, free_units=sol.n_free,
        greedy_jobs={r: int(inst.jobs[g].sum()) for r, g in greedy.items()},
        greedy_cost={r: int(inst.cost[g].sum()) for r, g in greedy.items()},
        marginal_in=m_in, marginal_out=m_out, weights=inst.weights,
        caps={label: amount for label, _, amount in inst.caps},
    )


def _annotate(inst: _Instance, x: np.ndarray) -> pd.DataFrame:
    df = inst.units.copy()
    df["selected"] = x.astype(np.int8)
    df["cost_per_job"] = cost_per_job(df).to_numpy()
    df["eligible"] = inst.ub > 0
    df["reason"] = inst.reason
    if inst.objective == "weighted":
        df["score"] = inst.value
    return df


def greedy_portfolio(
    units: pd.DataFrame,
    budget: int | str,
    rule: GreedyRule = "most_advanced",
    *,
    cap_province: Mapping[str, int | str] | None = None,
    cap_sector: Mapping[str, int | str] | None = None,
    min_progress: float | None = None,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    validated: bool = False,
) -> pd.DataFrame:
    """A naive rule, for comparison with the optimum.

    ``most_advanced``: units by physical progress, highest first (ties: lower cost per job);
    ``cheapest_per_job``: by cost per job, lowest first (ties: higher progress). Must-include
    units are taken first; then each unit in turn is taken if it fits the money left (budget
    and caps), otherwise skipped, and the rule goes on with the next. The candidates are the
    optimiser's: units that expect jobs, not excluded, with enough progress.

    Returns
    -------
    DataFrame
        The units with ``selected`` (0/1) and ``cost_per_job``.
    """
    inst = _prepare(units, cap_province=cap_province, cap_sector=cap_sector,
                    min_progress=min_progress, include=include, exclude=exclude,
                    validated=validated)
    rows = inst.money_rows(parse_amount(budget, "budget"))
    _check_forced(inst, rows)
    x = _greedy(rows, _greedy_order(inst, rule), inst.lb > 0, inst.ub > 0)
    return _annotate(inst, x)


def _max_jobs(inst: _Instance, rows: _Rows, time_limit: float | None) -> tuple[int, bool]:
    """Most jobs any allowed portfolio reaches under ``rows`` (proven or best found)."""
    allowed = inst.ub > 0
    if not rows.labels:
        return int(inst.jobs[allowed].sum()), True
    fill = np.argsort(-_efficiency(inst.jobs.astype(float), inst.cost), kind="stable")
    sol = _solve(inst.jobs.astype(float), True, rows, inst.lb, inst.ub, integral=True,
                 fill_order=fill, time_limit=time_limit)
    if sol is None:
        return 0, True
    return int(round(sol.value)), sol.optimal


#: Largest table (items × job states) the exact dynamic programme of
#: :func:`cheapest_for_jobs` fills (bytes of its choice table); past it HiGHS solves.
DP_CELLS = 60_000_000


def _cover_by_dp(inst: _Instance, target: int, reach: int) -> np.ndarray | None:
    """The cheapest units reaching ``target`` jobs when no money row binds (no budget, no
    caps), by an exact dynamic programme; ``None`` when its table would exceed
    :data:`DP_CELLS` (HiGHS solves then).

    ``min Σ c x  s.t. Σ j x ≥ N`` over the free units is a knapsack solved in whichever of two
    forms has fewer states: *leave out* units worth at most ``S = reach − N`` jobs saving the
    most cost (states: jobs left out, 0…S), or *cover* ``N`` (states: jobs so far, capped at
    N). Costs and jobs are integers, so the optimum is exact.
    """
    free = np.flatnonzero((inst.ub > 0) & (inst.lb == 0))
    forced = inst.lb > 0
    need = max(0, target - int(inst.jobs[forced].sum()))
    slack = reach - target
    jobs, cost = inst.jobs[free].tolist(), inst.cost[free].tolist()
    leave_out = slack <= need
    width = (slack if leave_out else need) + 1
    if len(free) * width > DP_CELLS:
        return None
    big = np.iinfo(np.int64).max // 4
    took = np.zeros((len(free), width), dtype=bool)
    capped_from = np.zeros(len(free), dtype=np.int64)  # cover form: origin of the cap state
    best = np.full(width, -big if leave_out else big, dtype=np.int64)
    best[0] = 0
    for i, (j, c) in enumerate(zip(jobs, cost, strict=True)):
        if leave_out:   # best[k]: the most cost saved leaving out units of exactly k jobs
            if j < width:
                cand = best[:width - j] + c
                better = cand > best[j:]
                took[i, j:] = better
                best[j:] = np.where(better, cand, best[j:])
            continue
        # cover: best[k] the least cost of exactly k jobs (k < N) or at least N (k = N)
        cand = np.full(width, big, dtype=np.int64)
        if j < width - 1:
            cand[j:width - 1] = best[:width - 1 - j] + c
        lo = max(0, width - 1 - j)
        capped_from[i] = lo + int(np.argmin(best[lo:]))
        cand[width - 1] = best[capped_from[i]] + c
        better = cand < best
        took[i] = better
        best = np.where(better, cand, best)
    x = np.zeros(inst.n, dtype=bool)
    x[forced] = True
    if leave_out:
        k = int(np.argmax(best))
        kept = np.ones(len(free), dtype=bool)
        for i in range(len(free) - 1, -1, -1):
            if took[i, k]:
                kept[i] = False
                k -= jobs[i]
        x[free[kept]] = True
        return x
    k = width - 1
    if best[k] >= big:
        return None
    for i in range(len(free) - 1, -1, -1):
        if took[i, k]:
            x[free[i]] = True
            k = int(capped_from[i]) if k == width - 1 else k - jobs[i]
    return x


def cheapest_for_jobs(
    units: pd.DataFrame,
    target_jobs: int,
    *,
    budget: int | str | None = None,
    cap_province: Mapping[str, int | str] | None = None,
    cap_sector: Mapping[str, int | str] | None = None,
    min_progress: float | None = None,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    time_limit: float | None = None,
    rel_gap: float = 0.0,
    validated: bool = False,
) -> TargetResult:
    """The cheapest set of units whose expected jobs reach ``target_jobs``.

    ``minimise Σ c_i x_i  s.t.  Σ jobs_i x_i ≥ N``, the caps (and the budget when given),
    must-include/exclude and minimum progress as in :func:`optimize_portfolio`. Its cost is
    the budget that buys N jobs ("what budget buys 40,000 jobs").

    Raises
    ------
    PortfolioInfeasibleError
        When no allowed portfolio reaches the target; the message and ``largest`` give the
        most jobs that can be reached.
    """
    t0 = time.perf_counter()
    inst = _prepare(units, cap_province=cap_province, cap_sector=cap_sector,
                    min_progress=min_progress, include=include, exclude=exclude,
                    validated=validated)
    if isinstance(target_jobs, bool) or not isinstance(target_jobs, int | np.integer) \
            or target_jobs < 0:
        raise PortfolioInputError(f"target jobs must be a whole number ≥ 0, not {target_jobs!r}")
    target = int(target_jobs)
    b = None if budget is None else parse_amount(budget, "budget")
    rows = inst.money_rows(b)
    _check_forced(inst, rows)
    reach, proven = _max_jobs(inst, rows, time_limit)
    if reach < target:
        limits = "budget and caps" if b is not None and inst.caps else \
            "budget" if b is not None else "caps" if inst.caps else "eligible units"
        raise PortfolioInfeasibleError(
            f"the target of {target:,} jobs cannot be reached: the {limits} allow at most "
            f"{reach:,} jobs" + ("" if proven else " (best found; not proven)"),
            largest=reach,
        )
    if not rows.labels:
        x = _cover_by_dp(inst, target, reach)
        if x is not None:
            cost = int(inst.cost[x].sum())
            return TargetResult(
                units=_annotate(inst, x), target=target, jobs=int(inst.jobs[x].sum()),
                cost=cost, optimal=True, gap=0.0, dual_bound=float(cost),
                status="Optimal (dynamic programme)", seconds=time.perf_counter() - t0,
                max_jobs=reach)
    need_rows = _Rows(
        sp.vstack([sp.csr_matrix(inst.jobs.reshape(1, -1) * (inst.ub > 0)),
                   rows.matrix]).tocsr().astype(np.int64),
        [target, *rows.lower], [None, *rows.upper], ["jobs"] + rows.labels,
    )
    fill = np.argsort(-_efficiency(inst.jobs.astype(float), inst.cost), kind="stable")
    left = None if time_limit is None else max(0.5, time_limit - (time.perf_counter() - t0))
    sol = _solve(inst.cost.astype(float), False, need_rows, inst.lb, inst.ub, integral=True,
                 fill_order=fill, need=(inst.jobs, target), time_limit=left, rel_gap=rel_gap)
    if sol is None or not math.isfinite(sol.value):
        raise PortfolioInfeasibleError(
            f"no portfolio reaching {target:,} jobs was found within the time limit",
            largest=reach)
    return TargetResult(
        units=_annotate(inst, sol.x), target=target, jobs=int(inst.jobs[sol.x].sum()),
        cost=int(inst.cost[sol.x].sum()), optimal=sol.optimal, gap=sol.gap,
        dual_bound=sol.bound, status=sol.status, seconds=time.perf_counter() - t0,
        max_jobs=reach,
    )


def frontier(
    units: pd.DataFrame,
    budgets: Sequence[int | str] | None = None,
    *,
    points: int = 20,
    objective: Objective = "jobs",
    weights: Mapping[str, float] | None = None,
    cap_province: Mapping[str, int | str] | None = None,
    cap_sector: Mapping[str, int | str] | None = None,
    min_progress: float | None = None,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    time_limit: float | None = None,
    rel_gap: float = 0.0,
    validated: bool = False,
) -> pd.DataFrame:
    """The budget → jobs frontier: the optimum at each of several budgets.

    Parameters
    ----------
    budgets : sequence, optional
        Budgets in rials. Default: ``points`` evenly spaced budgets from ``T / points`` to
        ``T``, ``T`` the cost of every eligible unit (the budget beyond which nothing more can
        be bought; caps may flatten the curve earlier).
    points : int
        Number of budgets when ``budgets`` is not given (≥ 1).
    time_limit : float, optional
        Seconds per budget.

    Other parameters are those of :func:`optimize_portfolio`. One LP relaxation is built
    once and re-solved from its previous basis after each change of the budget row; budgets
    are solved in increasing order and each optimum is offered as a start to the next.

    Returns
    -------
    DataFrame
        One row per budget (increasing): ``budget``, ``jobs``, ``cost``, ``units``,
        ``objective_value``, ``optimal``, ``gap``, ``seconds``, ``greedy_most_advanced``,
        ``greedy_cheapest_per_job`` (jobs of the naive rules at that budget),
        ``marginal_cost_per_job`` (extra cost per extra job from the previous point).
    """
    t_all = time.perf_counter()
    inst = _prepare(units, objective=objective, weights=weights, cap_province=cap_province,
                    cap_sector=cap_sector, min_progress=min_progress, include=include,
                    exclude=exclude, validated=validated)
    if budgets is None:
        if isinstance(points, bool) or not isinstance(points, int) or points < 1:
            raise PortfolioInputError(f"points must be a whole number ≥ 1, not {points!r}")
        top = int(inst.cost[inst.ub > 0].sum())
        grid = sorted({top * k // points for k in range(1, points + 1)})
    else:
        grid = sorted({parse_amount(b, "budget") for b in budgets})
    if not grid:
        raise PortfolioInputError("no budgets given")
    scale = _scale(inst)
    c = inst.value * scale
    fill = np.argsort(-_efficiency(inst.value, inst.cost), kind="stable")
    orders = {rule: _greedy_order(inst, rule) for rule in GREEDY_RULES}
    first = inst.money_rows(grid[0])
    relax = _Relaxation(c, True, first, inst.lb, inst.ub)
    prev: np.ndarray | None = None
    records = []
    forced_rows = inst.money_rows(grid[-1])
    _check_forced(inst, forced_rows)
    for b in grid:
        t0 = time.perf_counter()
        rows = inst.money_rows(b)
        if rows.violations(inst.lb.astype(np.int64)):
            records.append({"budget": b, "jobs": None, "cost": None, "units": None,
                            "objective_value": None, "optimal": False, "gap": None,
                            "seconds": 0.0, "note": "must-include units exceed this budget"})
            continue
        greedy = {r: _greedy(rows, o, inst.lb > 0, inst.ub > 0) for r, o in orders.items()}
        starts = list(greedy.values()) + ([prev] if prev is not None else [])
        sol = _solve(c, True, rows, inst.lb, inst.ub, integral=inst.integral, fill_order=fill,
                     starts=starts, time_limit=time_limit, rel_gap=rel_gap, relaxation=relax)
        assert sol is not None
        prev = sol.x
        jobs = int(inst.jobs[sol.x].sum())
        records.append({
            "budget": b, "jobs": jobs, "cost": int(inst.cost[sol.x].sum()),
            "units": int(sol.x.sum()),
            "objective_value": float(jobs) if inst.integral else float(inst.value[sol.x].sum()),
            "optimal": sol.optimal, "gap": sol.gap, "seconds": time.perf_counter() - t0,
            **{f"greedy_{r}": int(inst.jobs[g].sum()) for r, g in greedy.items()},
            "note": "",
        })
    out = pd.DataFrame.from_records(records)
    for r in GREEDY_RULES:
        if f"greedy_{r}" not in out.columns:
            out[f"greedy_{r}"] = None
    d_cost = out["cost"].astype(float).diff()
    d_jobs = out["jobs"].astype(float).diff()
    first_cpj = out["cost"].astype(float) / out["jobs"].astype(float).where(out["jobs"] > 0)
    out["marginal_cost_per_job"] = (d_cost / d_jobs.where(d_jobs > 0)).fillna(
        first_cpj.where(out.index == 0))
    out.attrs["seconds"] = time.perf_counter() - t_all
    cols = ["budget", "jobs", "cost", "units", "objective_value", "optimal", "gap", "seconds",
            "greedy_most_advanced", "greedy_cheapest_per_job", "marginal_cost_per_job", "note"]
    return out[cols]
