"""Section 5, markets: export potential in the target markets, linked to the province's
clusters (ITC's method; seeds R4, R5, R10, R16, R17)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from khooshe.reports.model import Figure, Section
from khooshe.services.markets import province_exports, province_part, workspace_markets
from khooshe.services.plan._context import (
    PlanContext,
    figure,
    joined,
    per_language,
    say,
    section,
    table,
    words,
)
from khooshe.store.repository import read_kind
from khooshe.text.messages import Bilingual, t

#: (figure key, column, divisor, title message) of the exports-over-time charts.
OVER_TIME = (("exports_value", "exports_value_usd", 1e6, "markets.chart.value"),
             ("exports_weight", "exports_quantity_t_est", 1e3, "markets.chart.weight"))
POTENTIAL_HEADERS = {
    "market": "market", "market_name_fa": "country_fa", "market_name_en": "country_en",
    "rank": "rank", "product": "hs6", "product_name_fa": "product_fa",
    "product_name_en": "product_en", "isic": "isic", "potential_musd": "potential_musd",
    "actual_musd": "actual_musd", "unrealised_musd": "unrealised_musd",
    "province_unrealised_musd": "province_unrealised_musd",
    "unrealised_pct": "unrealised_pct", "clusters_fa": "clusters_fa",
    "clusters_en": "clusters_en",
}
#: Opportunities per market shown in HTML and PDF (the workbook has the top 10).
SHOWN_PER_MARKET = 3


def _in_million_usd(frame: pd.DataFrame) -> pd.DataFrame:
    """Potential, actual and unrealised value in million USD (one unit per table), the
    province's part too when the frame has it."""
    kinds = [c for c in ("potential", "actual", "unrealised", "province_unrealised")
             if f"{c}_value" in frame.columns]
    return frame.assign(**{f"{c}_musd": frame[f"{c}_value"] / 1e6 for c in kinds})



def _serving_clusters(pot: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """The top 10 products of each market with the province's clusters that can serve them,
    the top :data:`SHOWN_PER_MARKET` of every market first."""
    top = pot[pot["rank"] <= 10].assign(shown=lambda d: d["rank"] > SHOWN_PER_MARKET)
    top = top.sort_values(["shown", "market", "rank"]).drop(columns="shown")
    if len(links):
        sep_fa, sep_en = t("common.list_separator", "fa"), t("common.list_separator", "en")
        serving = (links.groupby(["product", "market"])
                   .agg(clusters_fa=("cluster_name_fa", lambda s: sep_fa.join(sorted(set(s)))),
                        clusters_en=("cluster_name_en", lambda s: sep_en.join(sorted(set(s))))))
        top = top.join(serving, on=["product", "market"])
    else:  # a province without registered clusters
        top = top.assign(clusters_fa="", clusters_en="")
    return top.fillna({"clusters_fa": "", "clusters_en": ""})


def _country_names(ctx: PlanContext) -> pd.DataFrame:
    return read_kind(ctx.ws, "countries", columns=["iso3", "name_fa", "name_en"]).set_index(
        "iso3")


def _over_time_figures(ctx: PlanContext, over: pd.DataFrame) -> list[Figure]:
    figures = []
    names = _country_names(ctx)[f"name_{ctx.lang}"]
    for key, col, scale, title_key in OVER_TIME:
        title = words(title_key)
        fig = go.Figure()
        for market in ctx.options.markets:
            g = over[over["market"] == market].sort_values("year")
            if len(g):
                # a Gregorian year is labelled by the Jalali year it mostly falls in (the
                # Jalali year starts on 21 March), as the reader counts years
                years = g["year"] - 621 if ctx.lang == "fa" else g["year"]
                fig.add_trace(go.Scatter(x=years.astype(str), y=g[col] / scale,
                                         mode="lines+markers", name=names.get(market, market)))
        fig.update_layout(title={"text": ctx.pick(title)}, height=360,
                          xaxis={"title": {"text": ctx.pick(words("axis.trade_year"))}},
                          margin={"l": 10, "r": 10, "t": 50, "b": 40})
        figures.append(figure(key, title, fig))
    return figures


def _province_lines(ctx: PlanContext, exports: pd.DataFrame,
                    by_market: pd.DataFrame) -> list[Bilingual]:
    """What the province itself exports (value and weight, seed R16) and its part of the
    country's unrealised potential."""
    totals = exports.attrs
    if not totals.get("total_usd"):
        return [words("markets.province_none")]
    top = exports[exports["exports_usd"] > 0].head(3)
    activities = joined([Bilingual(*(ctx.isic_label(pd.Series([code]), lang).iloc[0]
                                     for lang in ("fa", "en"))) for code in top["isic"]])
    return [
        say("markets.province_exports", value=round(totals["total_usd"] / 1e6, 1),
            weight=round(totals["total_t"] / 1e3, 1),
            share=round(100 * totals["total_usd"] / totals["national_usd"], 1),
            weighed=round(100 * totals["weighed_usd"] / totals["total_usd"]),
            activities=activities),
        say("markets.province_part",
            part=round(float(by_market["province_unrealised_value"].sum()) / 1e6, 1),
            total=round(float(by_market["unrealised_value"].sum()) / 1e6)),
    ]


def _todo(links: pd.DataFrame) -> Bilingual:
    """The products the province's clusters can push, where, and what is at stake."""
    pairs = links.drop_duplicates(["product", "market"])
    best = pairs.sort_values("unrealised_value", ascending=False).head(3)
    items = joined([say("markets.item", product=Bilingual(
        str(r.product_name_fa or r.product), str(r.product_name_en or r.product)),
        market=Bilingual(str(r.market_name_fa), str(r.market_name_en)))
        for r in best.itertuples(index=False)])
    return say("markets.todo", items=items, k=int(links["cluster_code"].nunique()),
               value=round(float(pairs["unrealised_value"].sum()) / 1e6, 1))


def build(ctx: PlanContext) -> Section:
    """Potential per market, the top opportunities with the clusters that can serve them, the
    cluster links and exports over time by value and weight."""
    result = workspace_markets(ctx.ws, province=ctx.province, exporter=ctx.options.exporter,
                               markets=list(ctx.options.markets))
    exports = province_exports(ctx.ws, ctx.province)
    pot = result.potential.assign(province_unrealised_value=lambda d: d["unrealised_value"]
                                  * province_part(d, exports))
    pot, links = _in_million_usd(pot), result.links
    by_market = _in_million_usd(
        pot.groupby(["market", "market_name_fa", "market_name_en"])
        [["potential_value", "actual_value", "unrealised_value", "province_unrealised_value"]]
        .sum().reset_index().sort_values("province_unrealised_value", ascending=False))
    top = _serving_clusters(pot, links)
    first = ctx.options.markets[0]
    lead = pot[(pot["market"] == first) & (pot["rank"] <= 5)].sort_values("rank")
    names = _country_names(ctx)
    exporter = ctx.options.exporter
    lines = [say("markets.potential", exp=Bilingual(*(
                 str(names[f"name_{lang}"].get(exporter, exporter)) for lang in ("fa", "en"))),
                 n=len(ctx.options.markets),
                 total=round(float(by_market["unrealised_value"].sum()) / 1e6))]
    if len(lead):
        fa = lead["product_name_fa"].replace("", None).fillna(lead["product"])
        en = lead["product_name_en"].replace("", None).fillna(lead["product"])
        market = Bilingual(lead["market_name_fa"].iloc[0], lead["market_name_en"].iloc[0])
        lines.append(say("markets.largest", m=market,
                         items=joined([Bilingual(a, b) for a, b in zip(fa, en, strict=True)])))
    lines += _province_lines(ctx, exports, by_market)
    linked = links["cluster_code"].nunique() if len(links) else 0
    lines.append(say("markets.linked", k=int(linked)))
    if len(links):
        lines.append(ctx.decide("markets", _todo(links)))
    for note in result.notes:
        ctx.notes.append(say("markets.note", note=note))

    tables = [
        table("market_totals", words("markets.table.totals"), by_market, {
            "market": "market", "market_name_fa": "country_fa", "market_name_en": "country_en",
            "potential_musd": "potential_musd", "actual_musd": "actual_musd",
            "unrealised_musd": "unrealised_musd",
            "province_unrealised_musd": "province_unrealised_musd"}, rows=None,
            shown=per_language("market_name_{lang}", "potential_musd", "actual_musd",
                               "unrealised_musd", "province_unrealised_musd")),
        table("market_opportunities", words("markets.table.top"), top, POTENTIAL_HEADERS,
              rows=SHOWN_PER_MARKET * len(ctx.options.markets),
              shown=per_language("market_name_{lang}", "rank", "product_name_{lang}",
                                 "unrealised_musd", "province_unrealised_musd",
                                 "clusters_{lang}")),
    ]
    if len(links):
        links = links.assign(unrealised_musd=links["unrealised_value"] / 1e6)
        tables.append(table("cluster_links", words("markets.table.links"), links, {
            "cluster_code": "cluster", "cluster_name_fa": "cluster_name_fa",
            "cluster_name_en": "cluster_name_en", "regions": "counties", "isic": "isic",
            "product": "hs6", "product_name_fa": "product_fa",
            "product_name_en": "product_en", "market": "market",
            "market_name_fa": "country_fa", "market_name_en": "country_en",
            "unrealised_musd": "unrealised_musd", "rank": "rank"}, rows=12,
            shown=per_language("cluster_name_{lang}", "product_name_{lang}",
                               "market_name_{lang}", "unrealised_musd")))
    over = result.over_time.assign(year_fa=result.over_time["year"] - 621)
    tables.append(table("exports_over_time", words("markets.table.over_time"), over, {
        "year": "year", "year_fa": "year_fa", "market": "market",
        "exports_value_usd": "exports_usd", "exports_quantity_t": "reported_weight_t",
        "exports_quantity_t_est": "weight_incl_estimates_t",
        "quantity_reported_pct": "quantity_reported_pct",
        "imports_value_usd": "market_imports_usd", "share_value_pct": "share_value_pct",
        "share_weight_pct": "share_weight_pct"}, rows=0))  # the charts show it
    return section("markets", lines, tables, _over_time_figures(ctx, result.over_time))
