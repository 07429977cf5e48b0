"""Section 4, villages: the "10 villages per county" shortlist (seeds R1–R2) with its map.

The HTML and PDF show one line per village (county, rank, village, activity, the fact that
carries the pick, the population); the workbook has every column: the score's components, both
alternatives, the full explanation, distances and codes.
"""

from __future__ import annotations

import pandas as pd

from khooshe.domain.programme import ACTIVE_VILLAGE
from khooshe.reports.model import Section
from khooshe.services import villages as service
from khooshe.services.plan._context import (
    PlanContext,
    figure,
    joined,
    labels,
    per_language,
    say,
    section,
    table,
    words,
)
from khooshe.services.village_proposals import county_progress, province_proposals
from khooshe.services.village_reasons import main_reasons
from khooshe.text.messages import Bilingual

#: The shortlist's columns in the workbook, and their headers (the score's components follow
#: ``score``).
SHORTLIST_HEADERS = {
    "county_code": "county_code", "county_fa": "county_fa", "county_en": "county_en",
    "rank": "rank", "village_code": "village_code", "village_fa": "village_fa",
    "village_en": "village_en", "activity": "isic", "activity_fa": "activity_fa",
    "activity_en": "activity_en", "main_fa": "main_reason_fa", "main_en": "main_reason_en",
    "population": "population", "score": "score",
}
SHORTLIST_TAIL = {
    "alt1_activity": "alt1_activity", "alt1_fa": "alt1_fa", "alt1_en": "alt1_en",
    "alt2_activity": "alt2_activity", "dist_park_km": "dist_park_km",
    "explanation_fa": "explanation_fa", "explanation_en": "explanation_en",
}
#: One line per village in HTML and PDF.
SHOWN = ["county_{lang}", "rank", "village_{lang}", "activity_{lang}", "main_{lang}",
         "population"]


def _table_frame(ctx: PlanContext, result: service.VillagesResult) -> pd.DataFrame:
    """The rounded shortlist with county names, the main reason and the alternative's name."""
    short = service.rounded(result.shortlist.villages)
    main = main_reasons(result.potential, result.shortlist.villages)
    for lang in ("fa", "en"):
        short[f"county_{lang}"] = ctx.county_name(short["county_code"], lang).to_numpy()
        short[f"main_{lang}"] = main[lang]
        short[f"alt1_{lang}"] = ctx.isic_label(short["alt1_activity"], lang).to_numpy()
    return short


def _decisions(ctx: PlanContext, short: pd.DataFrame) -> tuple[list[Bilingual], list]:
    """The county governors' decisions beside the shortlist (when villages were proposed to
    them): each shortlisted village's status (a ``decision_*`` column of ``short``), a line of
    counts, each county's progress and the villages the governors chose instead."""
    props = province_proposals(ctx.ws, ctx.province)
    if props.empty:
        return [], []
    status = props.set_index("village_code")["status"]
    for lang in ("fa", "en"):
        short[f"decision_{lang}"] = labels("village_status", short["village_code"].map(
            status).dropna(), lang).reindex(short.index).fillna(
            words("villages.not_proposed").render(lang))
    progress = county_progress(ctx.ws, ctx.province, per_county=ctx.options.per_county)
    decided = props["status"] != "proposed"
    counties = int(props.loc[decided, "county_code"].nunique())
    # a line of zeros ("0 confirmed, 0 rejected…") says less than "none has decided yet"
    lines = [say("villages.decisions", counties=counties,
                 of=len(progress), confirmed=int(progress["confirmed"].sum()),
                 prepared=int(progress["prepared"].sum()),
                 started=int(progress["cluster_started"].sum()),
                 waiting=int(progress["proposed"].sum()),
                 rejected=int(progress["rejected"].sum()),
                 replaced=int(progress["replaced"].sum())) if counties else
             say("villages.none_decided", waiting=int(progress["proposed"].sum()),
                 of=len(progress))]
    for lang in ("fa", "en"):
        progress[f"county_{lang}"] = progress["name_" + lang].fillna(progress["name_fa"])
        progress[f"progress_{lang}"] = [say("villages.of_prepared", n=int(n), of=int(k)).render(
            lang) for n, k in zip(progress["prepared"], progress["of"], strict=True)]
    tables = [table("village_decisions", words("villages.table.decisions"), progress, {
        "county_code": "county_code", "county_fa": "county_fa", "county_en": "county_en",
        "proposed": "awaiting", "confirmed": "confirmed", "prepared": "prepared",
        "cluster_started": "cluster_started", "rejected": "rejected", "replaced": "replaced",
        "progress_fa": "progress_fa", "progress_en": "progress_en"}, rows=None,
        shown=per_language("county_{lang}", "proposed", "confirmed", "prepared",
                           "cluster_started", "rejected", "replaced", "progress_{lang}"))]
    chosen = props[props["replaces"].notna() & props["status"].isin(ACTIVE_VILLAGE)].copy()
    if len(chosen):
        for lang in ("fa", "en"):
            chosen[f"county_{lang}"] = ctx.county_name(chosen["county_code"], lang).to_numpy()
            chosen[f"village_{lang}"] = ctx.county_name(chosen["village_code"], lang).to_numpy()
            chosen[f"replaces_{lang}"] = ctx.county_name(chosen["replaces"], lang).to_numpy()
            chosen[f"activity_{lang}"] = ctx.isic_label(chosen["activity"], lang).to_numpy()
            chosen[f"status_{lang}"] = labels("village_status", chosen["status"], lang)
        tables.append(table("village_replacements", words("villages.table.replacements"),
                            chosen, {
            "county_code": "county_code", "county_fa": "county_fa", "county_en": "county_en",
            "village_code": "village_code", "village_fa": "village_fa",
            "village_en": "village_en", "activity": "isic", "activity_fa": "activity_fa",
            "activity_en": "activity_en", "replaces": "replaces_code",
            "replaces_fa": "replaces_fa", "replaces_en": "replaces_en",
            "status_fa": "status_fa", "status_en": "status_en", "note": "governor_note"},
            rows=None, shown=per_language("county_{lang}", "village_{lang}",
                                          "activity_{lang}", "replaces_{lang}",
                                          "status_{lang}", "note")))
    return lines, tables


def build(ctx: PlanContext) -> Section:
    """The shortlist, the counties that fall short and why, the map, what to do."""
    result = service.village_shortlist(ctx.ws, province=ctx.province,
                                       per_county=ctx.options.per_county)
    short = _table_frame(ctx, result)
    decision_lines, decision_tables = _decisions(ctx, short)
    decided = "decision_fa" in short.columns
    counties = result.shortlist.counties
    by_activity = short.groupby(["activity", "activity_fa", "activity_en"]).size().rename("n")
    top = by_activity.sort_values(ascending=False).head(3).reset_index()
    lines = [say("villages.shortlisted", n=ctx.options.per_county, k=len(short),
                 c=int((counties["shortlisted"] > 0).sum())),
             words("villages.village_scale")]
    if len(top):
        lines.append(say("villages.top_activities", acts=joined([
            say("villages.activity_count", activity=Bilingual(r.activity_fa, r.activity_en),
                n=int(r.n)) for r in top.itertuples(index=False)])))
    for row in service.shortfall(result).itertuples():
        lines.append(say("villages.shortfall", name=Bilingual(row.county_fa, row.county_en),
                         got=int(row.shortlisted),
                         reason=Bilingual(row.reason_fa, row.reason_en)))
    for note in result.shortlist.notes:  # said here, where the reader needs it
        lines.append(say("villages.note", note=note))
    lines += decision_lines
    if len(short):
        lines.append(say("todo.line", text=say("villages.todo", n=ctx.options.per_county)))
        ctx.decide("villages", say(
            "villages.summary", c=int((counties["shortlisted"] > 0).sum()),
            n=ctx.options.per_county, k=len(short), acts=joined([
                say("villages.activity_count", activity=Bilingual(r.activity_fa, r.activity_en),
                    n=int(r.n)) for r in top.itertuples(index=False)])))
    components = {c: c for c in short.columns if c.startswith("c_")}
    tables = [
        table("village_shortlist", words("villages.table.shortlist"), short,
              {**SHORTLIST_HEADERS, **components, **SHORTLIST_TAIL, **(
                  {"decision_fa": "decision_fa", "decision_en": "decision_en"} if decided
                  else {})}, rows=None,
              shown=per_language(*SHOWN, *(["decision_{lang}"] if decided else [])),
              grouped=("county_fa", "county_en")),
        *decision_tables,
        table("village_counties", words("villages.table.counties"), counties, {
            "county_code": "county_code", "county_fa": "county_fa", "county_en": "county_en",
            "villages": "villages", "eligible": "eligible", "shortlisted": "shortlisted",
            "reason_fa": "reason_fa", "reason_en": "reason_en"}, rows=None,
            shown=per_language("county_{lang}", "villages", "eligible", "shortlisted",
                               "reason_{lang}")),
    ]
    fig = figure("village_map", words("villages.map"), service.shortlist_figure(
        result, height=560, lang=ctx.lang))
    return section("villages", lines, tables, [fig])
