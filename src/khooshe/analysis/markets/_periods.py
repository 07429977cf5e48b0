"""Period helpers: the base period, means over years, trend factors, exporter shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class _Periods:
    base: tuple[int, ...]
    early: tuple[int, ...]
    late: tuple[int, ...]
    span: float  # years between the mean years of early and late (0: no trend)


def _periods(years: Sequence[int], base_years: int) -> _Periods:
    if not years:
        raise ValueError("no years in the data")
    if base_years < 1:
        raise ValueError(f"base_years must be at least 1, not {base_years}")
    ys = tuple(sorted(years))
    half = len(ys) // 2
    early, late = (ys[:half], ys[-half:]) if half else ((), ())
    span = float(np.mean(late) - np.mean(early)) if half else 0.0
    return _Periods(base=ys[-base_years:], early=early, late=late, span=span)


def _mean_over(df: pd.DataFrame, keys: list[str], years: tuple[int, ...],
               value: str = "value_usd") -> pd.Series:
    """Σ over ``years`` / len(years), by ``keys`` (a missing year counts as 0)."""
    if not years:
        return pd.Series(dtype=np.float64)
    sub = df[df["year"].isin(years)]
    return sub.groupby(keys, sort=True, observed=True)[value].sum() / len(years)


def _trend_factor(early: pd.Series, late: pd.Series, index: pd.Index, periods: _Periods,
                  weight: float, cap: float, horizon: float) -> pd.Series:
    """``(1 + λ clip(g, ±cap))^h`` with g the annualised growth from early to late."""
    if periods.span <= 0 or horizon == 0 or weight == 0:
        return pd.Series(1.0, index=index)
    e = early.reindex(index).fillna(0.0).to_numpy()
    lt = late.reindex(index).fillna(0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.power(lt / e, 1.0 / periods.span) - 1.0
    g = np.where(e > 0, g, np.where(lt > 0, cap, 0.0))  # new: +cap; vanished: -1 → -cap
    g = np.clip(np.nan_to_num(g, nan=0.0), -cap, cap)
    return pd.Series(np.power(1.0 + weight * g, horizon), index=index)


def _exporter_shares(exports: pd.DataFrame, exporter: str,
                     years: tuple[int, ...]) -> tuple[pd.Series, pd.Series]:
    """World market share ``s_ik`` and RCA of the exporter by product over ``years``."""
    world_k = _mean_over(exports, ["hs6"], years)
    mine = _mean_over(exports[exports["exporter"] == exporter], ["hs6"], years)
    share = (mine / world_k.reindex(mine.index)).fillna(0.0)
    total, world_total = mine.sum(), world_k.sum()
    rca = share / (total / world_total) if total > 0 else share * 0.0
    return share, rca
