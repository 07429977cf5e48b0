"""Clusters' indicators against their targets (seed R16): for every target (a cluster, an
indicator, a period), the figure reached, the share of the way from the baseline to the target
and a red/amber/green status (:func:`khooshe.domain.programme.rag`).

The figures are the cluster's indicators of that period (jobs, sales, exports by value and by
weight, members); joint actions are counted from its activities of the joint kinds
(:data:`~khooshe.domain.vocab.JOINT_ACTIONS`) dated in that Jalali year (or quarter).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khooshe.domain.programme import rag
from khooshe.domain.vocab import JOINT_ACTIONS
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace
from khooshe.text.jalali import to_jalali

#: The indicators read from ``cluster_indicators`` (joint actions are counted).
MEASURED = ("jobs", "sales_rials", "exports_usd", "exports_t", "members")
COLUMNS = ["cluster_code", "indicator", "period", "baseline", "target", "actual", "progress",
           "status", "source"]


def _jalali_period(day: object, quarterly: bool) -> str | None:
    j = to_jalali(day)
    if j is None:
        return None
    return f"{j.year}-Q{(j.month - 1) // 3 + 1}" if quarterly else str(j.year)


def actuals(ws: Workspace, clusters: list[str] | None = None) -> pd.DataFrame:
    """Every (cluster, indicator, period) figure the registry holds: the indicators in long
    form and the joint actions counted per Jalali year and per quarter. Columns
    ``cluster_code``, ``indicator``, ``period``, ``actual``."""
    return _actuals(*_registry(ws, clusters))


def _registry(ws: Workspace, clusters: list[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The indicators and the activities of ``clusters`` (all when None)."""
    ind = read_kind(ws, "cluster_indicators")
    acts = read_kind(ws, "cluster_activities")
    if clusters is not None:
        ind = ind[ind["cluster_code"].isin(clusters)]
        acts = acts[acts["cluster_code"].isin(clusters)]
    return ind, acts


def _actuals(ind: pd.DataFrame, acts: pd.DataFrame) -> pd.DataFrame:
    long = ind.melt(id_vars=["cluster_code", "period"], value_vars=list(MEASURED),
                    var_name="indicator", value_name="actual").dropna(subset=["actual"])
    joint = acts[acts["kind"].isin(JOINT_ACTIONS)]
    counted = [joint.assign(period=joint["date"].map(
        lambda d, q=quarterly: _jalali_period(d, q)))
        .groupby(["cluster_code", "period"]).size().rename("actual").reset_index()
        for quarterly in (False, True)]
    joint_long = pd.concat(counted, ignore_index=True).assign(indicator="joint_actions")
    out = pd.concat([long, joint_long], ignore_index=True)
    out["actual"] = out["actual"].astype(float)
    return out[["cluster_code", "indicator", "period", "actual"]]


def indicator_progress(ws: Workspace, clusters: list[str] | None = None) -> pd.DataFrame:
    """Every target of ``clusters`` (default all) with the figure reached (``actual``; a
    cluster that recorded indicators for a period without joint actions has 0 of them),
    ``progress`` — (actual − baseline) / (target − baseline), or actual / target when the
    target equals the baseline — and its ``status``: green, amber, red or no_data.

    Columns: ``cluster_code``, ``indicator``, ``period``, ``baseline``, ``target``,
    ``actual``, ``progress``, ``status``, ``source``; by cluster, period and indicator.
    """
    targets = read_kind(ws, "cluster_targets")
    if clusters is not None:
        targets = targets[targets["cluster_code"].isin(clusters)]
    if targets.empty:
        return pd.DataFrame(columns=COLUMNS)
    ind, acts = _registry(ws, sorted(set(targets["cluster_code"])))
    out = targets.merge(_actuals(ind, acts), on=["cluster_code", "indicator", "period"],
                        how="left")
    reported = set(zip(ind["cluster_code"], ind["period"], strict=True))
    joint = (out["indicator"] == "joint_actions") & out["actual"].isna() & pd.Series(
        [(c, p) in reported for c, p in zip(out["cluster_code"], out["period"], strict=True)],
        index=out.index)
    out.loc[joint, "actual"] = 0.0  # a period reported without joint actions has none
    base = out["baseline"].fillna(0.0).astype(float)
    target = out["target"].astype(float)
    actual = out["actual"].astype(float)
    span = target - base
    with np.errstate(divide="ignore", invalid="ignore"):
        progress = np.where(span != 0, (actual - base) / span,
                            np.where(target != 0, actual / target, 1.0))
    out["progress"] = np.where(actual.isna(), np.nan, progress)
    out["status"] = rag(out["progress"].to_numpy())
    return out.sort_values(["cluster_code", "period", "indicator"]).reset_index(
        drop=True)[COLUMNS]


__all__ = ["MEASURED", "actuals", "indicator_progress"]
