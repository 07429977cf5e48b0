"""Clusters' indicators against their targets (seed R16): for every target (a cluster, an
indicator, a period), the figure reached, the share of the way from the baseline to the target
and a red/amber/green status (:func:`khooshe.domain.programme.rag`).

The figures are the cluster's indicators of that period (jobs, sales, exports by value and by
weight, members); joint actions are counted from its activities of the joint kinds
(:data:`~khooshe.domain.vocab.JOINT_ACTIONS`) dated in that Jalali year (or quarter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import jdatetime
import numpy as np
import pandas as pd
from sqlalchemy import select

from khooshe.domain.access import Principal
from khooshe.domain.errors import ConflictError, InputError
from khooshe.domain.programme import rag
from khooshe.domain.validate import Issue, ValidationError
from khooshe.domain.vocab import INDICATORS, JOINT_ACTIONS, labels_of
from khooshe.services.cluster_stages import cluster_record
from khooshe.services.records import validate_one
from khooshe.store import repository
from khooshe.store.repository import read_kind
from khooshe.store.tables import TABLES
from khooshe.store.workspace import Workspace
from khooshe.text.digits import is_blank, to_persian_digits
from khooshe.text.jalali import to_jalali
from khooshe.text.messages import Bilingual, Message, isolated, joined

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




def period_end(period: str) -> dt.date:
    """The last day of a Jalali year (``1403``: 1403/12/30) or quarter (``1403-Q2``: the
    last day of Shahrivar), as a Gregorian date.

    >>> period_end("1403-Q1")
    datetime.date(2024, 6, 20)
    """
    year, _, quarter = period.partition("-Q")
    y, q = int(year), int(quarter or 4)
    first_after = (jdatetime.date(y + 1, 1, 1) if q == 4
                   else jdatetime.date(y, 3 * q + 1, 1))
    return first_after.togregorian() - dt.timedelta(days=1)


def figures_due(ws: Workspace, clusters: list[str], today: dt.date | None = None
                ) -> pd.DataFrame:
    """The periods that have ended with targets set but no figures recorded, for
    ``clusters``: what the programme awaits from their agents. Columns ``cluster_code``,
    ``period``, ``ended`` (the period's last day), ``targets`` (how many); the longest
    awaited first."""
    today = today or dt.date.today()
    columns = ["cluster_code", "period", "ended", "targets"]
    targets = read_kind(ws, "cluster_targets", columns=["cluster_code", "indicator", "period"])
    targets = targets[targets["cluster_code"].isin(clusters)]
    if targets.empty:
        return pd.DataFrame(columns=columns)
    ind = read_kind(ws, "cluster_indicators", columns=["cluster_code", "period"])
    reported = set(zip(ind["cluster_code"], ind["period"], strict=True))
    out = targets.groupby(["cluster_code", "period"]).size().rename("targets").reset_index()
    out = out[[(c, p) not in reported
               for c, p in zip(out["cluster_code"], out["period"], strict=True)]]
    out["ended"] = [period_end(str(p)) for p in out["period"]]
    out = out[out["ended"] < today]
    return out.sort_values(["ended", "cluster_code"]).reset_index(drop=True)[columns]


# --------------------------------------------------------------------------------------------
# Recording a period: the figures reached and the targets, in one form
# --------------------------------------------------------------------------------------------
#: The parts of a target a period's form sets.
TARGET_PARTS = ("baseline", "baseline_period", "target")
#: The key under which the period's figures (its ``cluster_indicators`` record) go in
#: ``seen`` and in :class:`PeriodConflict`; targets go under their indicator.
FIGURES = "figures"


class PeriodConflict(ConflictError):
    """Records of the period were changed by someone else after the form was opened:
    ``changed`` names them (:data:`FIGURES`, or an indicator for its target); nothing was
    written."""

    def __init__(self, cluster: str, period: str, changed: list[str]):
        super().__init__(Message("programme.period_changed", {
            "cluster": Bilingual(isolated(cluster), cluster),
            "period": Bilingual(to_persian_digits(period), period),
            "what": joined(part_name(c) for c in changed)}))
        self.changed = changed


def part_name(part: str) -> Message:
    """What a part of a period's form is, to name it: its figures, or an indicator's
    target."""
    if part == FIGURES:
        return Message("programme.figures_reached", {})
    return Message("programme.target_of", {"indicator": labels_of("indicator", part)})



def period_records(ws: Workspace, cluster: str, period: str) -> dict[str, dict[str, Any]]:
    """The stored records of one cluster's period, under :data:`FIGURES` (its
    ``cluster_indicators`` record) and each indicator with a target; what
    :func:`record_period` compares a form with."""
    with ws.engine.connect() as conn:
        return _stored(conn, cluster, period)


def _stored(conn: Any, cluster: str, period: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    figures = repository.get(conn, "cluster_indicators",
                             {"cluster_code": cluster, "period": period})
    if figures is not None:
        out[FIGURES] = figures
    table = TABLES["cluster_targets"]
    for row in conn.execute(select(table).where(table.c.cluster_code == cluster,
                                                table.c.period == period)).mappings():
        out[str(row["indicator"])] = dict(row)
    return out


def record_period(ws: Workspace, cluster: str, period: str, *,
                  figures: Mapping[str, object] | None = None,
                  targets: Mapping[str, Mapping[str, object]] | None = None,
                  source: str | None = None, seen: Mapping[str, int | None] | None = None,
                  actor: str, who: Principal | None = None,
                  access: Any = None) -> dict[str, int]:
    """Record what ``cluster`` reached in ``period`` (a Jalali year, ``1403``, or quarter,
    ``1403-Q2``) and its targets for that period, as one change: all of it or nothing.

    ``figures`` maps measured indicators (:data:`MEASURED`) to values, ``targets`` maps
    indicators (:data:`~khooshe.domain.vocab.INDICATORS`) to their ``baseline``,
    ``baseline_period`` and ``target``. Values may be typed text (Persian digits and
    separators too). What is not given is left as stored; a value given blank is cleared: a
    period whose figures are all cleared loses its figures record, and a target cleared with
    its baseline is removed. ``source`` (when given) is written as the source of every target
    set. With ``seen`` (the version of each record when the form was opened, None for none),
    a record changed since raises :class:`PeriodConflict`.

    Every problem of every value is reported at once, as a
    :class:`~khooshe.domain.validate.ValidationError` whose columns are ``jobs`` (a figure)
    or ``jobs.target`` (a part of a target). Returns how many records were ``created``,
    ``changed`` and ``removed``.

    Examples
    --------
    >>> record_period(ws, "CL06-01", "1404", figures={"jobs": "۳۲۰"},
    ...               targets={"jobs": {"baseline": 288, "target": 360}},
    ...               actor="agent")  # doctest: +SKIP
    {'created': 2, 'changed': 0, 'removed': 0}
    """
    figures = dict(figures or {})
    targets = {k: dict(v) for k, v in (targets or {}).items()}
    unknown = [k for k in figures if k not in MEASURED] + [
        k for k in targets if k not in INDICATORS] + [
        f"{k}.{p}" for k, parts in targets.items() for p in parts if p not in TARGET_PARTS]
    if unknown:
        raise InputError(Message("programme.unknown_indicators",
                                 {"names": ", ".join(unknown)}))
    done = {"created": 0, "changed": 0, "removed": 0}
    with ws.engine.begin() as conn:
        cluster_record(conn, cluster, who, access)
        key = validate_one(conn, "cluster_indicators",  # "1404-q1" is 1404-Q1
                           {"cluster_code": cluster, "period": str(period).strip().upper()})
        period = str(key["period"])
        stored = _stored(conn, cluster, period)
        if seen is not None:
            changed = [part for part, version in seen.items()
                       if (stored[part]["version"] if part in stored else None) != version]
            if changed:
                raise PeriodConflict(cluster, period, changed)
        writes: list[tuple[str, str, dict[str, Any], dict[str, Any] | None]] = []
        issues: list[Issue] = []
        if figures:
            merged = {c: (stored.get(FIGURES) or {}).get(c) for c in MEASURED}
            merged.update({c: None if is_blank(v) else v for c, v in figures.items()})
            writes.append(_planned(conn, "cluster_indicators", FIGURES,
                                   {"cluster_code": cluster, "period": period}, merged,
                                   issues))
        for indicator, parts in targets.items():
            merged = {c: (stored.get(indicator) or {}).get(c) for c in TARGET_PARTS}
            merged.update({c: None if is_blank(v) else v for c, v in parts.items()})
            if not is_blank(source) and merged.get("target") is not None:
                merged["source"] = str(source).strip()
            writes.append(_planned(conn, "cluster_targets", indicator,
                                   {"cluster_code": cluster, "indicator": indicator,
                                    "period": period}, merged, issues))
        if issues:
            raise ValidationError("cluster_targets", issues, source=f"{cluster} {period}")
        for kind, part, keys, values in writes:
            _write_one(conn, kind, keys, stored.get(part), values, done, actor=actor,
                       who=who, access=access)
    return done


def _planned(conn: Any, kind: str, part: str, keys: dict[str, Any], merged: dict[str, Any],
             issues: list[Issue]) -> tuple[str, str, dict[str, Any], dict[str, Any] | None]:
    """One record's write, checked: its typed values (None: to be removed, or nothing to
    keep); problems go to ``issues`` under the form's names (``jobs``, a figure;
    ``jobs.target``, a part of a target)."""
    if all(v is None for c, v in merged.items() if c != "source"):
        return kind, part, keys, None
    try:
        typed = validate_one(conn, kind, {**keys, **merged})
    except ValidationError as exc:
        issues.extend(replace(i, row=None, column=i.column if part == FIGURES
                              else f"{part}.{i.column}") for i in exc.issues)
        return kind, part, keys, None
    return kind, part, keys, {c: typed.get(c) for c in merged}


def _write_one(conn: Any, kind: str, keys: dict[str, Any], before: Mapping[str, Any] | None,
               values: dict[str, Any] | None, done: dict[str, int], *, actor: str,
               who: Principal | None, access: Any) -> None:
    if values is None:
        if before is None:
            return
        if who is not None:
            access.check(who, "delete", kind, before)
        repository.delete_record(conn, kind, keys, actor=actor)
        done["removed"] += 1
        return
    if before is None:
        if who is not None:
            access.check(who, "create", kind, {**keys, **values})
        repository.insert_record(conn, kind, {**keys, **values}, actor=actor)
        done["created"] += 1
        return
    if who is not None:
        access.check(who, "update", kind, before)
    old, new = repository.update_record(conn, kind, keys, values, actor=actor)
    done["changed"] += new["version"] != old["version"]  # the same values write nothing


__all__ = ["FIGURES", "MEASURED", "TARGET_PARTS", "PeriodConflict", "actuals",
           "figures_due", "indicator_progress", "part_name", "period_end", "period_records",
           "record_period"]
