"""A cluster's activities (seeds R3, R14, R20): trainings (hours, trainees), tours and
exhibitions at home and abroad, joint purchasing and marketing, export consortia — counted by
kind with their cost, the members' co-finance and the member firms they reached — and the
checks of foreign partners made for export development.
"""

from __future__ import annotations

import pandas as pd

from khooshe.domain.vocab import ACTIVITY_KINDS
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace


def activity_summary(ws: Workspace, clusters: list[str]) -> pd.DataFrame:
    """Per kind of activity of ``clusters``: ``count``, ``hours``, ``trainees``,
    ``participants``, ``cost_rials``, ``cofinance_rials``, ``cofinance_share``,
    ``members_reached`` (distinct member firms that took part) and ``countries`` (ISO3 codes
    abroad, ``;``-separated); kinds in the vocabulary's order, those without activities left
    out."""
    acts = read_kind(ws, "cluster_activities")
    acts = acts[acts["cluster_code"].isin(clusters)]
    parts = read_kind(ws, "activity_participants")
    parts = parts[parts["cluster_code"].isin(clusters)].merge(
        acts[["cluster_code", "activity_id", "kind"]], on=["cluster_code", "activity_id"])
    grouped = acts.groupby("kind")
    out = pd.DataFrame({
        "count": grouped.size(),
        "hours": grouped["hours"].sum(min_count=1),
        "trainees": grouped["trainees"].sum(min_count=1),
        "participants": grouped["participants"].sum(min_count=1),
        "cost_rials": grouped["cost_rials"].sum(min_count=1),
        "cofinance_rials": grouped["cofinance_rials"].sum(min_count=1),
        "countries": grouped["country"].agg(lambda c: ";".join(sorted(set(c.dropna())))),
    })
    out["cofinance_share"] = out["cofinance_rials"] / out["cost_rials"]
    reached = parts.drop_duplicates(["cluster_code", "member_id", "kind"]).groupby("kind").size()
    out["members_reached"] = reached.reindex(out.index).fillna(0).astype(int)
    order = [k for k in ACTIVITY_KINDS if k in out.index]
    return out.loc[order].rename_axis("kind").reset_index()


def training_reach(ws: Workspace, cluster: str) -> tuple[int, int]:
    """(member firms that took part in at least one training, member firms)."""
    members = read_kind(ws, "cluster_members")
    firms = set(members.loc[(members["cluster_code"] == cluster)
                            & (members["kind"] == "firm"), "member_id"])
    acts = read_kind(ws, "cluster_activities")
    trainings = set(acts.loc[(acts["cluster_code"] == cluster)
                             & (acts["kind"] == "training"), "activity_id"])
    parts = read_kind(ws, "activity_participants")
    took = set(parts.loc[(parts["cluster_code"] == cluster)
                         & parts["activity_id"].isin(trainings), "member_id"])
    return len(took & firms), len(firms)


def verifications(ws: Workspace, clusters: list[str]) -> pd.DataFrame:
    """The checks of foreign partners of ``clusters``, newest first."""
    checks = read_kind(ws, "partner_verifications")
    return checks[checks["cluster_code"].isin(clusters)].sort_values(
        "verified_on", ascending=False, na_position="last").reset_index(drop=True)


__all__ = ["activity_summary", "training_reach", "verifications"]
