"""Section 2, specialisation: strong clusters of the province and its counties, a county map of
their share of employment, Getis-Ord Gi* hot spots and point clusters of firms."""

from __future__ import annotations

import pandas as pd

from khooshe.analysis.specialization import DEFAULT_MIN_ESTABLISHMENTS
from khooshe.reports.model import Figure, Section
from khooshe.services import specialization as spec
from khooshe.services.maps import choropleth, county_shapes
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

HOT_SPOT_COLUMNS = ["region", "isic", "value", "gi_z", "p_value", "spot", "name_fa", "name_en"]


def _strong(ctx: PlanContext) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """The province's strong traded clusters with enough establishments, the counties'
    strength table, their strong traded clusters, and how many strong traded activities of
    the province rest on too few establishments to count."""
    prov = spec.strength(ctx.ws, level="province", province=ctx.province)
    candidates = prov[prov["strong"] & prov["traded"]]
    small = int(candidates["small_base"].sum())
    strong = candidates[~candidates["small_base"]].sort_values("value", ascending=False)
    strong = strong.assign(name_fa=ctx.isic_label(strong["isic"], "fa"),
                           name_en=ctx.isic_label(strong["isic"], "en"))
    county = spec.strength(ctx.ws, level="county", province=ctx.province)
    county_strong = county[county["candidate"]].copy()
    county_strong = county_strong.assign(
        activity_fa=ctx.isic_label(county_strong["isic"], "fa"),
        activity_en=ctx.isic_label(county_strong["isic"], "en"),
    ).sort_values("value", ascending=False)
    return strong, county, county_strong, small


def _hot_spots(ctx: PlanContext, strong: pd.DataFrame) -> pd.DataFrame:
    """Gi* hot spots of the largest strong activities across all counties of the country (Gi*
    needs neighbours beyond the province's edge), kept for the province's counties."""
    rows = []
    for isic in strong["isic"].head(ctx.options.hotspot_activities):
        h = spec.hotspots(ctx.ws, isic, level="county", permutations=ctx.options.permutations)
        rows.append(h[h["region"].isin(ctx.counties.index)])
    hot = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=HOT_SPOT_COLUMNS)
    spot = {key: words(f"specialisation.spot.{key.replace(' ', '_')}")
            for key in ("hot", "near_hot", "cold", "not significant")}
    return hot.assign(activity_fa=ctx.isic_label(hot["isic"], "fa"),
                      activity_en=ctx.isic_label(hot["isic"], "en"),
                      spot_fa=hot["spot"].map(lambda s: spot[s].fa),
                      spot_en=hot["spot"].map(lambda s: spot[s].en))


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
        spots = hot[hot["isic"] == first].set_index("region")
        # a county with no jobs in the activity is not its hot spot, however high its z (which
        # its neighbours make): it is drawn apart, as the table calls it "next to a hot spot"
        z = spots["gi_z"].where(spots["value"] > 0)
        activity = Bilingual(*(ctx.isic_label(pd.Series([first]), lang).iloc[0]
                               for lang in ("fa", "en")))
        title = say("specialisation.hot_spot_map", activity=activity, approximate=words(
            "specialisation.approximate" if approximate else "specialisation.exact"))
        figures.append(figure("hot_spot_map", title, choropleth(
            shapes, z, title=ctx.pick(title), hover=names, colorbar="z", colorscale="RdBu_r",
            midpoint=0.0, missing=ctx.pick(words("specialisation.no_jobs")))))
    return figures


def _county_names(ctx: PlanContext, codes: pd.Series, lang: str) -> pd.Series:
    """Comma-separated county codes as the counties' names in ``lang``."""
    names = ctx.regions.set_index("code")[f"name_{lang}"]
    sep = t("common.list_separator", lang)
    return codes.fillna("").map(lambda text: sep.join(
        str(names.get(c, c)) for c in str(text).split(",") if c))


def _todo(ctx: PlanContext, strong: pd.DataFrame) -> Bilingual:
    """Which strong clusters to back, and how they relate to the registered clusters."""
    clusters = read_kind(ctx.ws, "clusters", columns=["code", "province_code", "isic",
                                                      "name_fa", "name_en"])
    mine = clusters[clusters["province_code"] == ctx.province]
    top = strong.head(3)
    registered = mine[mine["isic"].isin(set(strong["isic"]))]
    new = strong[~strong["isic"].isin(set(mine["isic"]))].head(3)

    def names(frame: pd.DataFrame, fa: str, en: str) -> Bilingual:
        return joined([Bilingual(a, b) for a, b in zip(frame[fa], frame[en], strict=True)])

    return say("specialisation.todo", top=names(top, "name_fa", "name_en"),
               jobs=int(top["value"].sum()), k=len(registered), m=len(mine),
               registered=names(registered, "name_fa", "name_en") if len(registered)
               else words("summary.nothing"),
               new=names(new, "name_fa", "name_en") if len(new) else words("summary.nothing"))


def build(ctx: PlanContext) -> Section:
    """Strong clusters of the province and its counties, a county map, hot spots, point
    clusters of firms."""
    strong, county, county_strong, small = _strong(ctx)
    top = [Bilingual(fa, en) for fa, en in zip(strong["name_fa"].head(5),
                                                strong["name_en"].head(5), strict=True)]
    lines = [say("specialisation.strong", n=len(strong), top=joined(top),
                 min=DEFAULT_MIN_ESTABLISHMENTS)]
    if small:
        lines.append(say("specialisation.small_base", n=small, min=DEFAULT_MIN_ESTABLISHMENTS))
    hot = _hot_spots(ctx, strong)
    figures = _maps(ctx, county, county_strong, strong, hot)
    lines.append(say("specialisation.hot_spots",
                     k=min(len(strong), ctx.options.hotspot_activities),
                     n=int((hot["spot"] == "hot").sum()),
                     near=int((hot["spot"] == "near_hot").sum())))
    hot = hot[hot["spot"] != "not significant"]
    points = spec.candidates(ctx.ws, ctx.province)
    points = points.assign(
        activity_fa=ctx.isic_label(points["activity"], "fa"),
        activity_en=ctx.isic_label(points["activity"], "en"),
        **{f"counties_{lang}": _county_names(ctx, points["regions"], lang)
           for lang in ("fa", "en")})
    lines.append(say("specialisation.point_clusters", n=len(points)))
    if len(strong):
        lines.append(ctx.decide("specialisation", _todo(ctx, strong)))

    tables = [
        table("strong_clusters", words("specialisation.table.strong"), strong, {
            "isic": "isic", "name_fa": "activity_fa", "name_en": "activity_en",
            "value": "employment", "n_establishments": "establishments", "lq": "lq",
            "national_share": "national_share", "rank_by_value": "national_rank"}),
        table("county_clusters", words("specialisation.table.county_strong"), county_strong, {
            "region": "county_code", "name_fa": "county_fa", "name_en": "county_en",
            "isic": "isic", "activity_fa": "activity_fa", "activity_en": "activity_en",
            "value": "employment", "lq": "lq"}, rows=15),
        table("hot_spots", words("specialisation.table.hot_spots"),
              hot.assign(order=hot["spot"].map({"hot": 0, "near_hot": 1, "cold": 2}))
              .sort_values(["order", "gi_z"], ascending=[True, False]), {
                  "region": "county_code", "name_fa": "county_fa", "name_en": "county_en",
                  "isic": "isic", "activity_fa": "activity_fa", "activity_en": "activity_en",
                  "value": "employment", "gi_z": "gi_z", "p_value": "p_value",
                  "spot_fa": "result_fa", "spot_en": "result_en"}, rows=15),
        table("firm_clusters", words("specialisation.table.point_clusters"), points, {
            "cluster_id": "id", "activity": "isic", "activity_fa": "activity_fa",
            "activity_en": "activity_en", "n_members": "firm_members",
            "employment": "employment", "radius_km": "radius_km", "regions": "counties",
            "counties_fa": "county_names_fa", "counties_en": "county_names_en",
            "centroid_lat": "lat", "centroid_lon": "lon"},
            rows=12, shown=per_language("activity_{lang}", "n_members", "employment",
                                        "radius_km", "counties_{lang}")),
    ]
    return section("specialisation", lines, tables, figures)
