"""Section 4, villages: the "10 villages per county" shortlist (seeds R1–R2) with its map."""

from __future__ import annotations

from khooshe.reports.model import Section
from khooshe.services import villages as service
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

#: Shortlist columns shown, and their headers (the score components follow ``score``).
SHORTLIST_HEADERS = {
    "county_code": "county_code", "village_code": "village_code", "village_fa": "village_fa",
    "village_en": "village_en", "rank": "rank", "activity": "isic",
    "activity_fa": "activity_fa", "activity_en": "activity_en", "score": "score",
}
SHORTLIST_TAIL = {
    "alt1_activity": "alt1_activity", "alt2_activity": "alt2_activity",
    "population": "population", "dist_park_km": "dist_park_km",
    "explanation_fa": "explanation_fa", "explanation_en": "explanation_en",
}


def build(ctx: PlanContext) -> Section:
    """The shortlist, the counties that fall short and why, the map."""
    result = service.village_shortlist(ctx.ws, province=ctx.province,
                                       per_county=ctx.options.per_county)
    short = service.rounded(result.shortlist.villages)
    counties = result.shortlist.counties
    by_activity = short.groupby(["activity", "activity_fa", "activity_en"]).size().rename("n")
    top = by_activity.sort_values(ascending=False).head(3).reset_index()
    lines = [say("villages.shortlisted", n=ctx.options.per_county, k=len(short),
                 c=int((counties["shortlisted"] > 0).sum()))]
    if len(top):
        lines.append(say("villages.top_activities", acts=joined([
            say("villages.activity_count", activity=Bilingual(r.activity_fa, r.activity_en),
                n=int(r.n)) for r in top.itertuples(index=False)])))
    for row in service.shortfall(result).itertuples():
        lines.append(say("villages.shortfall", name=Bilingual(row.county_fa, row.county_en),
                         got=int(row.shortlisted),
                         reason=Bilingual(row.reason_fa, row.reason_en)))
    for note in result.shortlist.notes:
        ctx.notes.append(say("villages.note", note=note))
    components = {c: c for c in short.columns if c.startswith("c_")}
    tables = [
        table("village_shortlist", words("villages.table.shortlist"), short,
              {**SHORTLIST_HEADERS, **components, **SHORTLIST_TAIL}, rows=60),
        table("village_counties", words("villages.table.counties"), counties, {
            "county_code": "county_code", "county_fa": "county_fa", "county_en": "county_en",
            "villages": "villages", "eligible": "eligible", "shortlisted": "shortlisted",
            "reason_fa": "reason_fa", "reason_en": "reason_en"}, rows=None),
    ]
    fig = figure("village_map", words("villages.map"), service.shortlist_figure(result))
    return section("villages", lines, tables, [fig])
