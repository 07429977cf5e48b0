"""The problem as arrays: units, bounds (must include, must exclude) and exact integer rows
(budget, caps)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analysis.portfolio._units import (
    _INF,
    Objective,
    PortfolioInfeasibleError,
    PortfolioInputError,
    _weights,
    validate_units,
    weighted_score,
)
from khooshe.domain.validate import (
    parse_amount,
)
from khooshe.text.digits import to_ascii_digits
from khooshe.text.messages import Message


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
    for what, lst in (("must_include", inc), ("must_exclude", exc)):
        unknown = sorted(set(lst) - set(ids))
        if unknown:
            more = len(unknown) - 20
            raise PortfolioInputError(Message(
                "portfolio.refuse.unknown_units_more" if more > 0
                else "portfolio.refuse.unknown_units",
                {"what": Message(f"portfolio.what.{what}"),
                 "ids": ", ".join(map(repr, unknown[:20])), "more": more}))
    both = sorted(set(inc) & set(exc))
    if both:
        raise PortfolioInputError(Message("portfolio.refuse.both_lists", {
            "ids": ", ".join(map(repr, both[:20]))}))
    lb = np.zeros(n, dtype=np.int8)
    ub = np.ones(n, dtype=np.int8)
    reason = np.full(n, "", dtype=object)
    if min_progress is not None:
        if not (isinstance(min_progress, int | float) and 0 <= min_progress <= 100):
            raise PortfolioInputError(Message("portfolio.refuse.min_progress",
                                              {"value": min_progress}))
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
            raise PortfolioInputError(Message("portfolio.refuse.province_empty", {"key": key}))
        caps.append((f"cap province {key}", members,
                     parse_amount(amount, Message("portfolio.what.cap_province", {"key": key}))))
    isic = df["isic"].astype(str)
    for code, amount in (cap_sector or {}).items():
        key = to_ascii_digits(str(code)).strip()
        if not re.fullmatch(r"\d{1,4}", key):
            raise PortfolioInputError(Message("portfolio.refuse.sector_code", {"key": key}))
        members = np.flatnonzero(isic.str.startswith(key).to_numpy())
        if len(members) == 0:
            raise PortfolioInputError(Message("portfolio.refuse.sector_empty", {"key": key}))
        caps.append((f"cap sector {key}", members,
                     parse_amount(amount, Message("portfolio.what.cap_sector", {"key": key}))))
    return _Instance(df, cost, jobs, value, integral, lb, ub, reason, caps, objective, w)


#: What a budget is called in a refusal of its amount.
BUDGET = Message("portfolio.what.budget")


def money_label(label: str) -> Message:
    """A money row's label (``budget``, ``cap province 06``, ``cap sector 10``) in words."""
    kind, _, key = label.removeprefix("cap ").partition(" ")
    if label == "budget":
        return BUDGET
    return Message(f"portfolio.label.cap_{kind}", {"key": key})


def _check_forced(inst: _Instance, rows: _Rows) -> None:
    """Raise if the must-include units alone break a budget or a cap (exact)."""
    x = inst.lb.astype(np.int64)
    bad = rows.violations(x)
    if bad:
        r, over = bad[0]
        label = rows.labels[r]
        raise PortfolioInfeasibleError(Message("portfolio.refuse.forced_over", {
            "cost": int(rows.activity(x)[r]), "label": money_label(label),
            "upper": rows.upper[r], "over": int(over)}))
