"""Section 5, markets: export potential in the target markets, linked to the province's
clusters (ITC's method; seeds R4, R5, R10, R16, R17)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from khooshe.reports.model import Figure, Section
from khooshe.services.markets import workspace_markets
from khooshe.services.plan._context import (
    PlanContext,
    figure,
    joined,
    say,
    section,
    table,
    words,
)
from khooshe.text.messages import Bilingual, t

#: (figure key, column, divisor, title message) of the exports-over-time charts.
OVER_TIME = (("exports_value", "exports_value_usd", 1e6, "markets.chart.value"),
             ("exports_weight", "exports_quantity_t_est", 1e3, "markets.chart.weight"))
POTENTIAL_HEADERS = {
    "market": "market", "market_name_fa": "country_fa", "market_name_en": "country_en",
    "rank": "rank", "product": "hs6", "product_name_fa": "product_fa",
    "product_name_en": "product_en", "isic": "isic", "potential_value": "potential_usd",
    "actual_value": "actual_usd", "unrealised_value": "unrealised_usd",
    "unrealised_pct": "unrealised_pct", "clusters_fa": "clusters_fa",
    "clusters_en": "clusters_en",
}


def _serving_clusters(pot: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """The top 10 products of each market with the province's clusters that can serve them."""
    top = pot[pot["rank"] <= 10].sort_values(["market", "rank"])
    if len(links):
        sep_fa, sep_en = t("common.list_separator", "fa"), t("common.list_separator", "en")
        serving = (links.groupby(["product", "market"])
                   .agg(clusters_fa=("cluster_name_fa", lambda s: sep_fa.join(sorted(set(s)))),
                        clusters_en=("cluster_name_en", lambda s: sep_en.join(sorted(set(s))))))
        top = top.join(serving, on=["product", "market"])
    else:  # a province without registered clusters
        top = top.assign(clusters_fa="", clusters_en="")
    return top.fillna({"clusters_fa": "", "clusters_en": ""})


def _over_time_figures(ctx: PlanContext, over: pd.DataFrame) -> list[Figure]:
    figures = []
    for key, col, scale, title_key in OVER_TIME:
        title = words(title_key)
        fig = go.Figure()
        for market in ctx.options.markets:
            g = over[over["market"] == market].sort_values("year")
            if len(g):
                fig.add_trace(go.Scatter(x=g["year"].astype(str), y=g[col] / scale,
                                         mode="lines+markers", name=market))
        fig.update_layout(title={"text": ctx.pick(title)}, height=360,
                          margin={"l": 10, "r": 10, "t": 50, "b": 40})
        figures.append(figure(key, title, fig))
    return figures


def build(ctx: PlanContext) -> Section:
    """Potential per market, the top opportunities with the clusters that can serve them, the
    cluster links and exports over time by value and weight."""
    result = workspace_markets(ctx.ws, province=ctx.province, exporter=ctx.options.exporter,
                               markets=list(ctx.options.markets))
    pot, links = result.potential, result.links
    by_market = (pot.groupby(["market", "market_name_fa", "market_name_en"])
                 [["potential_value", "actual_value", "unrealised_value"]].sum()
                 .reset_index().sort_values("unrealised_value", ascending=False))
    top = _serving_clusters(pot, links)
    first = ctx.options.markets[0]
    lead = pot[(pot["market"] == first) & (pot["rank"] <= 5)].sort_values("rank")
    lines = [say("markets.potential", exp=ctx.options.exporter, n=len(ctx.options.markets),
                 total=round(float(by_market["unrealised_value"].sum()) / 1e6))]
    if len(lead):
        fa = lead["product_name_fa"].replace("", None).fillna(lead["product"])
        en = lead["product_name_en"].replace("", None).fillna(lead["product"])
        market = Bilingual(lead["market_name_fa"].iloc[0], lead["market_name_en"].iloc[0])
        lines.append(say("markets.largest", m=market,
                         items=joined([Bilingual(a, b) for a, b in zip(fa, en, strict=True)])))
    linked = links["cluster_code"].nunique() if len(links) else 0
    lines.append(say("markets.linked", k=int(linked)))
    for note in result.notes:
        ctx.notes.append(say("markets.note", note=note))

    tables = [
        table("market_totals", words("markets.table.totals"), by_market, {
            "market": "market", "market_name_fa": "country_fa", "market_name_en": "country_en",
            "potential_value": "potential_usd", "actual_value": "actual_usd",
            "unrealised_value": "unrealised_usd"}, rows=None),
        table("market_opportunities", words("markets.table.top"), top, POTENTIAL_HEADERS,
              rows=40),
    ]
    if len(links):
        tables.append(table("cluster_links", words("markets.table.links"), links, {
            "cluster_code": "cluster", "cluster_name_fa": "cluster_name_fa",
            "cluster_name_en": "cluster_name_en", "regions": "counties", "isic": "isic",
            "product": "hs6", "product_name_fa": "product_fa", "market": "market",
            "market_name_fa": "country_fa", "unrealised_value": "unrealised_usd",
            "rank": "rank"}, rows=40))
    tables.append(table("exports_over_time", words("markets.table.over_time"),
                        result.over_time, {
                            "year": "year", "market": "market",
                            "exports_value_usd": "exports_usd",
                            "exports_quantity_t": "reported_weight_t",
                            "exports_quantity_t_est": "weight_incl_estimates_t",
                            "quantity_reported_pct": "quantity_reported_pct",
                            "imports_value_usd": "market_imports_usd",
                            "share_value_pct": "share_value_pct",
                            "share_weight_pct": "share_weight_pct"}, rows=None))
    return section("markets", lines, tables, _over_time_figures(ctx, result.over_time))
