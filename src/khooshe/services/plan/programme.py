"""Section 7, the cluster programme: clusters by stage, members and partners, activities,
latest indicators, funds and the province's allocations (seeds R12–R21)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from khooshe.domain.vocab import CLUSTER_STAGES, MEMBER_KINDS
from khooshe.reports.model import Figure, Section
from khooshe.services.cluster_activities import activity_summary
from khooshe.services.cluster_members import TRIPLE_HELIX_KINDS, membership
from khooshe.services.cluster_targets import indicator_progress
from khooshe.services.fund_commitments import fund_balance
from khooshe.services.plan._context import (
    Money,
    PlanContext,
    bar,
    figure,
    joined,
    labels,
    per_language,
    say,
    section,
    table,
    words,
)
from khooshe.store.repository import read_kind
from khooshe.text.digits import digits
from khooshe.text.messages import Bilingual


def _registry(ctx: PlanContext) -> tuple[pd.DataFrame, ...]:
    """The province's clusters and their members, activities and indicators."""
    clusters = read_kind(ctx.ws, "clusters")
    clusters = clusters[clusters["province_code"] == ctx.province].copy()
    codes = set(clusters["code"])
    members = read_kind(ctx.ws, "cluster_members")
    acts = read_kind(ctx.ws, "cluster_activities")
    ind = read_kind(ctx.ws, "cluster_indicators")
    return (clusters, members[members["cluster_code"].isin(codes)],
            acts[acts["cluster_code"].isin(codes)], ind[ind["cluster_code"].isin(codes)])


def _allocations(ctx: PlanContext) -> pd.DataFrame:
    funds = read_kind(ctx.ws, "funds")
    alloc = read_kind(ctx.ws, "fund_allocations")
    alloc = alloc[alloc["region_code"] == ctx.province].merge(
        funds, on=["programme", "year"], how="left")
    return alloc.assign(amount_bn_toman=alloc["amount_rials"] / 1e10,
                        total_bn_toman=alloc["total_rials"] / 1e10,
                        share=alloc["amount_rials"] / alloc["total_rials"])


def _latest_indicators(ind: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    latest = ind.sort_values("period").groupby("cluster_code").tail(1)
    first = ind.sort_values("period").groupby("cluster_code").head(1).set_index("cluster_code")
    return latest.assign(
        name_fa=latest["cluster_code"].map(clusters.set_index("code")["name_fa"]),
        name_en=latest["cluster_code"].map(clusters.set_index("code")["name_en"]),
        jobs_change=latest["jobs"].to_numpy()
        - latest["cluster_code"].map(first["jobs"]).to_numpy(),
        sales_bn_toman=latest["sales_rials"] / 1e10,
    )


def _figures(ctx: PlanContext, clusters: pd.DataFrame, by_stage: pd.Series,
             ind: pd.DataFrame) -> list[Figure]:
    figures = []
    if len(clusters):
        figures.append(bar(ctx, "clusters_by_stage", words("programme.by_stage"),
                           labels("cluster_stage", pd.Series(by_stage.index), ctx.lang),
                           pd.Series(by_stage.to_numpy()), axis=words("axis.clusters")))
    if len(ind):
        fig = go.Figure()
        names = clusters.set_index("code")["name_fa" if ctx.lang == "fa" else "name_en"]
        for code, g in ind.sort_values("period").groupby("cluster_code"):
            fig.add_trace(go.Scatter(x=g["period"].astype(str), y=g["jobs"], mode="lines+markers",
                                     name=str(names.get(code, code))))
        title = words("programme.jobs_over_time")
        fig.update_layout(title={"text": ctx.pick(title)}, height=380,
                          margin={"l": 10, "r": 10, "t": 50, "b": 40})
        # periods are categories: plotly orders them as they first appear across the traces
        # (a cluster started in 1402 drawn first put 1402 before 1400), so they are sorted
        fig.update_xaxes(type="category", categoryorder="array",
                         categoryarray=sorted(ind["period"].astype(str).unique()))
        figures.append(figure("cluster_jobs", title, fig))
    return figures


def _targets(ctx: PlanContext, clusters: pd.DataFrame) -> pd.DataFrame:
    """The province's clusters' indicators against their targets of the latest period that
    has targets, worst first within each cluster."""
    progress = indicator_progress(ctx.ws, clusters["code"].tolist())
    if progress.empty:
        return progress
    latest = progress[progress["period"] == progress["period"].max()].copy()
    names = clusters.set_index("code")
    order = {"red": 0, "amber": 1, "no_data": 2, "green": 3}
    latest = latest.assign(
        name_fa=latest["cluster_code"].map(names["name_fa"]),
        name_en=latest["cluster_code"].map(names["name_en"].fillna(names["name_fa"])),
        indicator_fa=labels("indicator", latest["indicator"], "fa"),
        indicator_en=labels("indicator", latest["indicator"], "en"),
        status_fa=labels("rag_status", latest["status"], "fa"),
        status_en=labels("rag_status", latest["status"], "en"),
        progress_pct=(100 * latest["progress"]).round(0),
        rank=latest["status"].map(order))
    return latest.sort_values(["cluster_code", "rank"])


def _exports(ctx: PlanContext, lines: list[Bilingual]) -> pd.DataFrame:
    """The province's exports by year (seed R16) as the plan shows them, with the sentence on
    the latest year added to ``lines``: value, weight, growth and the share made in the
    province against the aim."""
    from khooshe.services.province_exports import IN_PROVINCE_AIM, exports_by_year

    years = exports_by_year(ctx.ws, ctx.province)
    if years.empty:
        return years
    last = years.iloc[-1]
    period = str(last["period"])
    share = last["share_value"]
    if share == share:
        lines.append(say(
            "programme.exports", period=Bilingual(digits(period, "fa"), period),
            value=round(float(last["exports_usd"]) / 1e6, 1),
            weight=round(float(last["exports_t"]) / 1e3, 1) if last["exports_t"] == last[
                "exports_t"] else "—",
            share=round(100 * float(share)), aim=round(100 * IN_PROVINCE_AIM),
            verdict=words("programme.exports_met" if share >= IN_PROVINCE_AIM
                          else "programme.exports_short")))
    if last["growth"] == last["growth"]:
        lines.append(say("programme.exports_growth", period=Bilingual(digits(period, "fa"),
                                                                    period),
                         growth=round(float(last["growth"]), 2)))
    return years.assign(
        exports_musd=years["exports_usd"] / 1e6, exports_kt=years["exports_t"] / 1e3,
        share_value_pct=(100 * years["share_value"]).round(0),
        share_weight_pct=(100 * years["share_weight"]).round(0),
        growth=years["growth"].round(2))


def build(ctx: PlanContext) -> Section:
    """The cluster registry: clusters by stage, members, activities, indicators, funds."""
    clusters, members, acts, ind = _registry(ctx)
    order = {s: i for i, s in enumerate(CLUSTER_STAGES)}
    clusters = clusters.assign(
        stage_fa=labels("cluster_stage", clusters["stage"], "fa"),
        stage_en=labels("cluster_stage", clusters["stage"], "en"),
        start=pd.to_datetime(clusters["start_date"], errors="coerce").dt.date,
        members=clusters["code"].map(members.groupby("cluster_code").size()).fillna(0)
        .astype(int),
        activities=clusters["code"].map(acts.groupby("cluster_code").size()).fillna(0)
        .astype(int),
        order=clusters["stage"].map(order),
    ).sort_values(["order", "code"], ascending=[False, True])
    by_stage = clusters.groupby("stage").size().reindex(list(CLUSTER_STAGES)).fillna(0).astype(int)

    lines = [say("programme.registered", n=len(clusters), m=len(members), a=len(acts))]
    if len(clusters):
        stages = [say("programme.stage_count", stage=Bilingual(
            *(labels("cluster_stage", pd.Series([s]), lang).iloc[0] for lang in ("fa", "en"))),
            n=int(n)) for s, n in by_stage.items() if n]
        lines.append(say("programme.stages", stages=joined(stages)))

    member_kinds = membership(ctx.ws, clusters["code"].tolist())
    if len(clusters):
        lines.append(say("programme.triple_helix", n=int(member_kinds["triple_helix"].sum()),
                         of=len(member_kinds), k=TRIPLE_HELIX_KINDS))
    act_kinds = activity_summary(ctx.ws, clusters["code"].tolist())
    act_kinds = act_kinds.assign(kind_fa=labels("activity_kind", act_kinds["kind"], "fa"),
                                 kind_en=labels("activity_kind", act_kinds["kind"], "en"),
                                 cost_bn_toman=act_kinds["cost_rials"] / 1e10,
                                 cofinance_pct=(100 * act_kinds["cofinance_share"]).round(0))
    targets = _targets(ctx, clusters)
    if len(targets):
        period = str(targets["period"].iloc[0])
        counts = targets["status"].value_counts()
        lines.append(say("programme.targets", n=len(targets),
                         period=Bilingual(digits(period, "fa"), period),
                         green=int(counts.get("green", 0)), amber=int(counts.get("amber", 0)),
                         red=int(counts.get("red", 0)), none=int(counts.get("no_data", 0))))
    alloc = _allocations(ctx)
    balance = fund_balance(ctx.ws, ctx.province).set_index(["programme", "year"])
    for row in alloc.itertuples():
        lines.append(say("programme.allocation", fund=Bilingual(row.name_fa, row.programme),
                         year=int(row.year), amount=Money(row.amount_rials),
                         share=round(100 * row.share, 1)))
        spent = balance.loc[(row.programme, row.year)] if (row.programme, row.year) in \
            balance.index else None
        if spent is not None and spent["committed"] > 0:
            lines.append(say("programme.committed", committed=Money(spent["committed"]),
                             paid=Money(spent["disbursed"]), left=Money(spent["remaining"]),
                             jobs=int(spent["jobs_expected"]),
                             realised=int(spent["jobs_realised"])))

    exports = _exports(ctx, lines)

    tables = [
        table("clusters", words("programme.table.clusters"), clusters, {
            "code": "code", "name_fa": "name_fa", "name_en": "name_en", "isic": "isic",
            "stage_fa": "stage_fa", "stage_en": "stage_en", "start": "start", "agent": "agent",
            "members": "members", "activities": "activities"}),
        table("cluster_members", words("programme.table.members"), member_kinds, {
            "cluster_code": "cluster", **{k: f"member_kind_{k}" for k in MEMBER_KINDS},
            "triple_helix": "triple_helix"}),
        table("cluster_activities", words("programme.table.activities"), act_kinds, {
            "kind_fa": "kind_fa", "kind_en": "kind_en", "count": "count",
            "participants": "participants", "hours": "hours", "trainees": "trainees",
            "members_reached": "members_reached", "cost_bn_toman": "cost_bn_toman",
            "cofinance_pct": "cofinance_pct", "countries": "countries"},
            shown=per_language("kind_{lang}", "count", "participants", "hours",
                               "members_reached", "cost_bn_toman", "cofinance_pct")),
        table("cluster_indicators", words("programme.table.indicators"),
              _latest_indicators(ind, clusters), {
                  "cluster_code": "cluster", "name_fa": "name_fa", "name_en": "name_en",
                  "period": "period", "jobs": "jobs", "jobs_change": "jobs_change",
                  "sales_bn_toman": "sales_bn_toman", "exports_usd": "exports_usd",
                  "exports_t": "exports_t", "members": "members"},
                  shown=per_language("name_{lang}", "period", "jobs", "jobs_change",
                                     "sales_bn_toman", "exports_usd", "exports_t", "members")),
        *([table("cluster_targets", words("programme.table.targets"), targets, {
            "cluster_code": "cluster", "name_fa": "name_fa", "name_en": "name_en",
            "indicator_fa": "indicator_fa", "indicator_en": "indicator_en", "period": "period",
            "baseline": "baseline", "target": "target", "actual": "actual",
            "progress_pct": "progress_pct", "status_fa": "status_fa", "status_en": "status_en"},
            rows=None, shown=per_language("name_{lang}", "indicator_{lang}", "baseline",
                                          "target", "actual", "status_{lang}"),
            grouped=("name_fa", "name_en"))] if len(targets) else []),
        *([table("province_exports", words("programme.table.exports"), exports, {
            "period": "period", "exports_musd": "exports_musd", "exports_kt": "exports_kt",
            "share_value_pct": "in_province_value_pct",
            "share_weight_pct": "in_province_weight_pct", "growth": "growth"}, rows=None)]
          if len(exports) else []),
        table("fund_allocations", words("programme.table.funds"), alloc, {
            "programme": "programme", "name_fa": "name_fa", "year": "year",
            "amount_bn_toman": "province_amount_bn_toman", "total_bn_toman": "total_bn_toman",
            "share": "share"},
            # funds are named in Persian only: the English plan shows the programme's id
            shown={"fa": ["name_fa", "year", "amount_bn_toman", "total_bn_toman", "share"],
                   "en": ["programme", "year", "amount_bn_toman", "total_bn_toman", "share"]}),
    ]
    return section("programme", lines, tables, _figures(ctx, clusters, by_stage, ind))
