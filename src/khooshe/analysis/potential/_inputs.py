"""Checking the analysis's inputs: required columns, numeric columns, candidate activities."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

_ISIC4 = re.compile(r"\d{4}")


def require(df: pd.DataFrame, name: str, cols: Iterable[str]) -> None:
    """Raise ``ValueError`` naming the columns of ``cols`` that ``df`` (called ``name``) lacks."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name} lack column(s) {', '.join(missing)}")


def numeric(df: pd.DataFrame, col: str, name: str) -> np.ndarray:
    """Column ``col`` as float64 (NaN where missing; all NaN when the column is absent)."""
    if col not in df.columns:
        return np.full(len(df), np.nan)
    s = pd.to_numeric(df[col], errors="coerce")
    bad = s.isna() & df[col].notna()
    if bad.any():
        raise ValueError(f"{name}.{col} must be numeric; got {df[col][bad].iloc[0]!r}")
    return np.array(s.to_numpy(dtype=float, na_value=np.nan), dtype=float, copy=True)


def text_column(df: pd.DataFrame, col: str, rows: np.ndarray) -> np.ndarray:
    """Column ``col`` at ``rows`` as objects (``None`` everywhere when it is absent)."""
    if col not in df.columns:
        return np.full(len(rows), None, dtype=object)
    return df[col].to_numpy(dtype=object)[rows]


def check_activities(activities: Sequence[str] | None) -> list[str] | None:
    """The candidate ISIC classes, checked and sorted (``None`` stays ``None``)."""
    if activities is None:
        return None
    acts = [str(a).strip() for a in activities]
    bad = [a for a in acts if not _ISIC4.fullmatch(a)]
    if bad:
        raise ValueError(f"activities must be 4-digit ISIC Rev.4 classes; got {bad[0]!r}")
    if not acts:
        raise ValueError("activities is empty")
    return sorted(set(acts))
