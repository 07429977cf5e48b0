"""Section 3, complexity: the economic complexity of the province and its counties, and the
nearby, complex activities it does not yet have (the Atlas' "opportunities")."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from khooshe.reports.model import Section
from khooshe.services.complexity import workspace_complexity
from khooshe.services.plan._context import (
    PlanContext,
    figure,
    joined,
    say,
    section,
    table,
    words,
)
from khooshe.text.messages import Bilingual

#: Diversification options listed.
OPPORTUNITIES = 30


def _opportunity_chart(ctx: PlanContext, absent) -> go.Figure:
    labels = absent["name_fa"] if ctx.lang == "fa" else absent["name_en"]
    size = 6 + 18 * (absent["cog"] - absent["cog"].min()) / max(np.ptp(absent["cog"]), 1e-12)
    fig = go.Figure(go.Scatter(x=absent["density"], y=absent["pci"], mode="markers",
                               text=absent["isic"] + " " + labels,
                               marker={"size": size, "color": absent["cog"],
                                       "colorscale": "Viridis", "showscale": True,
                                       "colorbar": {"title": {"text": "COG"}}},
                               hovertemplate="%{text}<br>density %{x:.3f}<br>PCI %{y:.2f}"
                                             "<extra></extra>"))
    fig.update_layout(title={"text": ctx.pick(words("complexity.chart"))}, height=440,
                      xaxis={"title": {"text": ctx.pick(words("axis.density"))}},
                      yaxis={"title": {"text": ctx.pick(words("header.pci"))}},
                      margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return fig


def build(ctx: PlanContext) -> Section:
    """ECI and rank of the province, its activities with an advantage, diversification options
    (high density and COG) and the complexity of its counties."""
    prov = workspace_complexity(ctx.ws, level="province")
    eci = prov.drop_duplicates("region").set_index("region")["eci"]
    rank = eci.rank(ascending=False, method="min").astype(int)
    mine = prov[prov["region"] == ctx.province].copy()
    mine = mine.assign(name_fa=ctx.isic_label(mine["isic"], "fa"),
                       name_en=ctx.isic_label(mine["isic"], "en"))
    present = mine[mine["mcp"] == 1].sort_values("pci", ascending=False)
    absent = mine[mine["mcp"] == 0].sort_values(["cog", "density"], ascending=False)
    opportunities = absent.head(OPPORTUNITIES)

    county = workspace_complexity(ctx.ws, level="county", province=ctx.province)
    counties = (county.drop_duplicates("region")
                [["region", "region_name_fa", "region_name_en", "eci", "diversity", "coi"]]
                .sort_values("eci", ascending=False))
    lines = [
        say("complexity.eci", eci=round(float(eci[ctx.province]), 2),
            rank=int(rank[ctx.province]), n=len(eci), div=len(present)),
        say("complexity.options", n=len(opportunities)),
    ]
    if len(opportunities):
        top = opportunities.head(3)
        lines.append(ctx.decide("complexity", say("complexity.todo", items=joined([
            Bilingual(a, b) for a, b in zip(top["name_fa"], top["name_en"], strict=True)]))))
    ctx.notes.append(words("complexity.note_method"))
    tables = [
        table("opportunities", words("complexity.table.opportunities"), opportunities, {
            "isic": "isic", "name_fa": "activity_fa", "name_en": "activity_en",
            "density": "density", "pci": "pci", "cog": "cog", "rca": "rca"}, rows=15),
        table("complex_activities", words("complexity.table.present"), present, {
            "isic": "isic", "name_fa": "activity_fa", "name_en": "activity_en", "rca": "rca",
            "pci": "pci", "ubiquity": "ubiquity"}, rows=12),
        table("county_complexity", words("complexity.table.counties"), counties, {
            "region": "county_code", "region_name_fa": "county_fa",
            "region_name_en": "county_en", "eci": "eci", "diversity": "diversity",
            "coi": "coi"}),
    ]
    fig = figure("opportunities", words("complexity.chart"), _opportunity_chart(ctx, absent))
    return section("complexity", lines, tables, [fig])
