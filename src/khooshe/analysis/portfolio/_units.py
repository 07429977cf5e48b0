"""The units table: its checks, cost per job and the weighted score; the errors."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import highspy
import numpy as np
import pandas as pd

from khooshe.domain.errors import FIRST_ROW, InfeasibleError, InputError
from khooshe.domain.regions import code_within
from khooshe.domain.schema import REGION_CODE, UNITS
from khooshe.domain.validate import (
    MAX_AMOUNT,
    Issue,
    ValidationError,
    validate,
)
from khooshe.text.digits import to_ascii_digits
from khooshe.text.messages import Message

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
        raise PortfolioInputError(Message("portfolio.refuse.unknown_criterion", {
            "names": ", ".join(map(repr, unknown)), "criteria": ", ".join(CRITERIA)}))
    for k, v in w.items():
        if not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            raise PortfolioInputError(Message("portfolio.refuse.weight_value",
                                              {"name": k, "value": v}))
    if sum(w.values()) <= 0:
        raise PortfolioInputError(Message("portfolio.refuse.no_positive_weight"))
    for k, v in w.items():
        if v > 0 and not present(CRITERIA[k]):
            raise PortfolioInputError(Message("portfolio.refuse.weight_without_values", {
                "name": k, "value": float(v), "column": CRITERIA[k]}))
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
