"""Section 1, the province profile: population, employment and establishments by sector, size,
status and county."""

from __future__ import annotations

import pandas as pd

from khooshe.reports.model import Section
from khooshe.services.plan._context import (
    Money,
    PlanContext,
    bar,
    labels,
    say,
    section,
    table,
    words,
)
from khooshe.text.messages import Bilingual


def _by_division(ctx: PlanContext, operating: pd.DataFrame) -> pd.DataFrame:
    """Establishments and employment per ISIC division, with the division's largest class."""
    division = operating.assign(division=operating["isic"].str[:2])
    by_div = (division.groupby("division")
              .agg(establishments=("id", "size"), employment=("employees", "sum"))
              .sort_values("employment", ascending=False).reset_index())
    by_div["share"] = by_div["employment"] / max(by_div["employment"].sum(), 1)
    # A division's name: the name of its most frequent class is too narrow, so show the code
    # with the largest class of the province beside it.
    top_class = (operating.groupby("isic")["employees"].sum().rename("e").reset_index()
                 .assign(division=lambda d: d["isic"].str[:2])
                 .sort_values("e", ascending=False).drop_duplicates("division"))
    by_div = by_div.merge(top_class[["division", "isic"]], on="division", how="left")
    by_div["largest_fa"] = ctx.isic_label(by_div["isic"], "fa")
    by_div["largest_en"] = ctx.isic_label(by_div["isic"], "en")
    return by_div


def _counties(ctx: PlanContext, operating: pd.DataFrame, mine: pd.DataFrame) -> pd.DataFrame:
    c = ctx.counties
    county = pd.DataFrame({"county": c.index, "name_fa": c["name_fa"].to_numpy(),
                           "name_en": c["name_en"].to_numpy(),
                           "population": c["population"].to_numpy()})
    per_county = operating.groupby("county").agg(establishments=("id", "size"),
                                                 employment=("employees", "sum"))
    county = county.join(per_county, on="county").fillna({"establishments": 0, "employment": 0})
    vill = mine[mine["level"] == "village"]
    county["villages"] = county["county"].map(
        ctx.hierarchy.ancestor_of(vill["code"], "county").value_counts()).fillna(0).astype(int)
    return county.sort_values("employment", ascending=False)


def build(ctx: PlanContext) -> Section:
    """Population, employment and establishments by sector, size and county."""
    r, est = ctx.regions, ctx.establishments
    prov = r[(r["level"] == "province") & (r["code"] == ctx.province)].iloc[0]
    mine = r[ctx.in_province]
    operating = est[est["status"] == "operating"]
    half = est[est["status"] == "half_finished"]
    population = prov["population"]
    if pd.isna(population):
        population = mine.loc[mine["level"] == "county", "population"].sum()
    lines = [
        say("profile.size", name=Bilingual(prov["name_fa"], prov["name_en"]), code=ctx.province,
            pop=float(population), counties=len(ctx.counties),
            cities=int((mine["level"] == "city").sum()),
            villages=int((mine["level"] == "village").sum())),
        say("profile.economy", n=len(operating),
            jobs=float(operating["employees"].fillna(0).sum()), half=len(half),
            hjobs=float(half["expected_jobs"].fillna(0).sum()),
            cost=Money(float(half["remaining_cost_rials"].fillna(0).sum()))),
    ]
    by_div = _by_division(ctx, operating)
    size = (operating.groupby("size_class")
            .agg(establishments=("id", "size"), employment=("employees", "sum")).reset_index())
    size["size_fa"] = labels("size_class", size["size_class"], "fa")
    size["size_en"] = labels("size_class", size["size_class"], "en")
    status = est.groupby("status").agg(establishments=("id", "size"),
                                       employment=("employees", "sum"),
                                       expected_jobs=("expected_jobs", "sum")).reset_index()
    status["status_fa"] = labels("establishment_status", status["status"], "fa")
    status["status_en"] = labels("establishment_status", status["status"], "en")

    top = by_div.head(15)
    label = top["largest_fa"] if ctx.lang == "fa" else top["largest_en"]
    figures = [bar(ctx, "employment_by_division", words("profile.employment_by_division"),
                   top["division"] + " · " + label.str.slice(0, 40), top["employment"],
                   axis=words("axis.employees"))]
    tables = [
        table("counties", words("profile.table.counties"), _counties(ctx, operating, mine), {
            "county": "code", "name_fa": "name_fa", "name_en": "name_en",
            "population": "population", "villages": "villages",
            "establishments": "operating_establishments", "employment": "employment"}),
        table("sectors", words("profile.table.sectors"), by_div, {
            "division": "isic_division", "largest_fa": "largest_class_fa",
            "largest_en": "largest_class_en", "establishments": "establishments",
            "employment": "employment", "share": "share"}, rows=0),  # the chart shows it
        table("size_classes", words("profile.table.size_classes"), size, {
            "size_fa": "size_fa", "size_en": "size_en", "establishments": "establishments",
            "employment": "employment"}),
        table("status", words("profile.table.status"), status, {
            "status_fa": "status_fa", "status_en": "status_en", "establishments": "count",
            "employment": "employment", "expected_jobs": "expected_jobs"}),
    ]
    return section("profile", lines, tables, figures)
