"""A cluster's members and partners (seed R14): how many of each kind (firms, government,
university, association, finance), the triple-helix check — a cluster is more than its firms
when at least two other kinds of partner take part (government, university or research,
associations, finance: Etzkowitz and Leydesdorff's triple helix as the cluster programme uses
it) — and how membership grew year by year (Jalali years, by joining date).
"""

from __future__ import annotations

import pandas as pd

from khooshe.domain.vocab import MEMBER_KINDS
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace
from khooshe.text.jalali import to_jalali

#: Kinds of partner other than firms a cluster needs at least this many of.
TRIPLE_HELIX_KINDS = 2


def membership(ws: Workspace, clusters: list[str] | None = None) -> pd.DataFrame:
    """Per cluster: members of each kind (a column per :data:`MEMBER_KINDS`), ``total``,
    ``partner_kinds`` (kinds other than firms present) and ``triple_helix`` (at least
    :data:`TRIPLE_HELIX_KINDS` of them); firms linked to the establishment register are
    counted in ``registered_firms``."""
    members = read_kind(ws, "cluster_members")
    codes = clusters if clusters is not None else read_kind(ws, "clusters")["code"].tolist()
    members = members[members["cluster_code"].isin(codes)]
    counts = (members.groupby(["cluster_code", "kind"]).size().unstack(fill_value=0)
              .reindex(index=codes, columns=list(MEMBER_KINDS), fill_value=0))
    out = counts.rename_axis("cluster_code").reset_index()
    out.columns.name = None
    out["total"] = counts.sum(axis=1).to_numpy()
    others = [k for k in MEMBER_KINDS if k not in ("firm", "other")]
    out["partner_kinds"] = (counts[others] > 0).sum(axis=1).to_numpy()
    out["triple_helix"] = out["partner_kinds"] >= TRIPLE_HELIX_KINDS
    firms = members[(members["kind"] == "firm") & members["establishment_id"].notna()]
    out["registered_firms"] = out["cluster_code"].map(
        firms.groupby("cluster_code").size()).fillna(0).astype(int)
    return out


def member_growth(ws: Workspace, cluster: str) -> pd.DataFrame:
    """Members of ``cluster`` at the end of each Jalali year from the first joining to the
    last (``year``, ``joined`` that year, ``members`` by then); members without a joining
    date are counted from the first year."""
    members = read_kind(ws, "cluster_members")
    own = members[members["cluster_code"] == cluster]
    years = own["joined"].map(lambda d: getattr(to_jalali(d), "year", None))
    known = years.dropna().astype(int)
    if known.empty:
        return pd.DataFrame({"year": pd.Series(dtype=int), "joined": pd.Series(dtype=int),
                             "members": pd.Series(dtype=int)})
    span = range(int(known.min()), int(known.max()) + 1)
    joined = known.value_counts().reindex(span, fill_value=0)
    joined.iloc[0] += int(years.isna().sum())
    return pd.DataFrame({"year": list(span), "joined": joined.to_numpy(),
                         "members": joined.cumsum().to_numpy()})


__all__ = ["TRIPLE_HELIX_KINDS", "member_growth", "membership"]
