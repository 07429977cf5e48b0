"""Section 2, specialisation: strong clusters of the province and its counties, a county map of
their share of employment, Getis-Ord Gi* hot spots and point clusters of firms."""

from __future__ import annotations

import pandas as pd

from khooshe.reports.model import Figure, Section
from khooshe.services import specialization as spec
from khooshe.services.maps import choropleth, county_shapes
from khooshe.services.plan._context import PlanContext, figure, joined, say, section, table, words
from khooshe.text.messages import Bilingual

HOT_SPOT_COLUMNS = ["region", "isic", "value", "gi_z", "p_value", "spot", "name_fa", "name_en"]


def _strong(ctx: PlanContext) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The province's strong traded clusters, the counties' strength table and their strong
    traded clusters."""
    prov = spec.strength(ctx.ws, level="province", province=ctx.province)
    strong = prov[prov["strong"] & prov["traded"]].sort_values("value", ascending=False)
    strong = strong.assign(name_fa=ctx.isic_label(strong["isic"], "fa"),
                           name_en=ctx.isic_label(strong["isic"], "en"))
    county = spec.strength(ctx.ws, level="county", province=ctx.province)
    county_strong = county[county["strong"] & county["traded"]].copy()
    county_strong = county_strong.assign(
        activity_fa=ctx.isic_label(county_strong["isic"], "fa"),
        activity_en=ctx.isic_label(county_strong["isic"], "en"),
    ).sort_values("value", ascending=False)
    return strong, county, county_strong


def _hot_spots(ctx: PlanContext, strong: pd.DataFrame) -> pd.DataFrame:
    """Gi* hot spots of the largest strong activities across all counties of the country (Gi*
    needs neighbours beyond the province's edge), kept for the province's counties."""
    rows = []
    for isic in strong["isic"].head(ctx.options.hotspot_activities):
        h = spec.hotspots(ctx.ws, isic, level="county", permutations=ctx.options.permutations)
        rows.append(h[h["region"].isin(ctx.counties.index)])
    hot = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=HOT_SPOT_COLUMNS)
    result = {"hot": words("specialisation.spot.hot"), "cold": words("specialisation.spot.cold")}
    not_significant = words("specialisation.spot.none")
    return hot.assign(activity_fa=ctx.isic_label(hot["isic"], "fa"),
                      activity_en=ctx.isic_label(hot["isic"], "en"),
                      spot_fa=hot["spot"].map(lambda s: result.get(s, not_significant).fa))


def _maps(ctx: PlanContext, county: pd.DataFrame, county_strong: pd.DataFrame,
          strong: pd.DataFrame, hot: pd.DataFrame) -> list[Figure]:
    shapes = county_shapes(ctx.regions, ctx.province)
    per_county = county_strong.groupby("region")["value"].sum()
    totals = county.groupby("region")["region_total"].first()
    share = (per_county / totals).reindex(ctx.counties.index).fillna(0.0)
    names = ctx.county_name(pd.Series(share.index, index=share.index), ctx.lang)
    approximate = shapes.approximate
    title = say("specialisation.share_map", approximate=words(
        "specialisation.approximate" if approximate else "specialisation.exact"))
    figures = [figure("strong_share_map", title, choropleth(
        shapes, share, title=ctx.pick(title), hover=names, colorbar=ctx.pick(words("axis.share"))))]
    if approximate:
        ctx.notes.append(words("specialisation.note_voronoi"))
    if len(hot):
        first = strong["isic"].iloc[0]
        z = hot[hot["isic"] == first].set_index("region")["gi_z"]
        activity = Bilingual(*(ctx.isic_label(pd.Series([first]), lang).iloc[0]
                               for lang in ("fa", "en")))
        title = say("specialisation.hot_spot_map", activity=activity, approximate=words(
            "specialisation.approximate" if approximate else "specialisation.exact"))
        figures.append(figure("hot_spot_map", title, choropleth(
            shapes, z, title=ctx.pick(title), hover=names, colorbar="z", colorscale="RdBu_r",
            midpoint=0.0)))
    return figures


def build(ctx: PlanContext) -> Section:
    """Strong clusters of the province and its counties, a county map, hot spots, point
    clusters of firms."""
    strong, county, county_strong = _strong(ctx)
    top = [Bilingual(fa, en) for fa, en in zip(strong["name_fa"].head(5),
                                                strong["name_en"].head(5), strict=True)]
    lines = [say("specialisation.strong", n=len(strong), top=joined(top))]
    small = int(strong["small_base"].sum())
    if small:
        lines.append(say("specialisation.small_base", n=small))
    hot = _hot_spots(ctx, strong)
    figures = _maps(ctx, county, county_strong, strong, hot)
    lines.append(say("specialisation.hot_spots",
                     k=min(len(strong), ctx.options.hotspot_activities),
                     n=int((hot["spot"] == "hot").sum())))
    points = spec.candidates(ctx.ws, ctx.province)
    points = points.assign(activity_fa=ctx.isic_label(points["activity"], "fa"),
                           activity_en=ctx.isic_label(points["activity"], "en"))
    lines.append(say("specialisation.point_clusters", n=len(points)))

    tables = [
        table("strong_clusters", words("specialisation.table.strong"), strong, {
            "isic": "isic", "name_fa": "activity_fa", "name_en": "activity_en",
            "value": "employment", "n_establishments": "establishments", "lq": "lq",
            "national_share": "national_share", "rank_by_value": "national_rank",
            "small_base": "small_base"}),
        table("county_clusters", words("specialisation.table.county_strong"), county_strong, {
            "region": "county_code", "name_fa": "county_fa", "name_en": "county_en",
            "isic": "isic", "activity_fa": "activity_fa", "activity_en": "activity_en",
            "value": "employment", "lq": "lq", "small_base": "small_base"}),
        table("hot_spots", words("specialisation.table.hot_spots"),
              hot.sort_values(["isic", "gi_z"], ascending=[True, False]), {
                  "region": "county_code", "name_fa": "county_fa", "name_en": "county_en",
                  "isic": "isic", "activity_fa": "activity_fa", "activity_en": "activity_en",
                  "value": "employment", "gi_z": "gi_z", "p_value": "p_value",
                  "spot_fa": "result_fa", "spot": "result_en"}),
        table("firm_clusters", words("specialisation.table.point_clusters"), points, {
            "cluster_id": "id", "activity": "isic", "activity_fa": "activity_fa",
            "activity_en": "activity_en", "n_members": "firm_members",
            "employment": "employment", "radius_km": "radius_km", "regions": "counties",
            "centroid_lat": "lat", "centroid_lon": "lon"}),
    ]
    return section("specialisation", lines, tables, figures)
