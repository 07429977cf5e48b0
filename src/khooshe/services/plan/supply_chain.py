"""Section 7, closing supply chains (seeds R8, R10): what the province's large buyers buy
outside it, which local firms could supply it (small and medium first), the jobs that would
bring, and the inputs nobody in the province makes."""

from __future__ import annotations

from khooshe.reports.model import Section
from khooshe.services.plan._context import (
    Money,
    PlanContext,
    bar,
    joined,
    per_language,
    say,
    section,
    table,
    words,
)
from khooshe.services.supply_chain import (
    NoPurchasesError,
    sourcing_only,
    workspace_supply_chain,
)
from khooshe.text.messages import Bilingual


def build(ctx: PlanContext) -> Section:
    """Sourcing shares, the links to close with value and jobs, the missing links."""
    if ctx.establishments.empty:
        return section("supply_chain", [words("supply_chain.no_firms")])
    try:
        result = workspace_supply_chain(ctx.ws, ctx.province)
    except NoPurchasesError:
        shares = sourcing_only(ctx.ws, ctx.province).attrs
        return section("supply_chain", [say(
            "supply_chain.no_purchases", before=100 * shares["province_share_before"])])
    links, missing = result.links, result.missing
    s = result.sourcing.attrs
    sme = links.loc[links["supplier_sme"].astype(bool), "value_rials"].sum()
    bought = float(result.buyers["bought_rials"].sum())
    local_now = bought - result.outside_rials
    lines = [
        say("supply_chain.sourcing", province=100 * s["province_share_before"],
            before=100 * local_now / bought if bought else 0.0,
            after=100 * (local_now + result.localised_rials) / bought if bought else 0.0),
        say("supply_chain.outside", buyers=len(result.buyers),
            outside=Money(result.outside_rials), local=Money(result.localised_rials),
            n=len(links), suppliers=links["supplier_id"].nunique(), jobs=round(result.jobs),
            sme=round(100 * sme / result.localised_rials, 1) if result.localised_rials else 0),
    ]
    if len(missing):
        top = missing.head(3)
        names = [Bilingual(fa, en) for fa, en in zip(top["input_fa"].fillna(top["input_isic"]),
                                                      top["input_en"].fillna(top["input_isic"]),
                                                      strict=True)]
        lines.append(say("supply_chain.missing", n=len(missing),
                         value=Money(float(missing["value_rials"].sum())), items=joined(names)))
    if len(links) or len(missing):
        lines.append(ctx.decide("supply_chain", say(
            "supply_chain.todo", n=len(links), local=Money(result.localised_rials),
            jobs=round(result.jobs), m=len(missing),
            sme=round(100 * sme / result.localised_rials) if result.localised_rials else 0)))
    for note in result.notes:
        ctx.notes.append(say("supply_chain.note", note=note))
    ctx.notes.append(words("supply_chain.note_method"))
    shown = links.head(25).assign(
        value_bn_toman=links["value_rials"] / 1e10,
        supplier_county_fa=lambda d: ctx.county_name(d["supplier_county"], "fa"),
        supplier_county_en=lambda d: ctx.county_name(d["supplier_county"], "en"))
    by_input = (links.groupby(["input_isic", "input_fa", "input_en"])["value_rials"].sum()
                .sort_values(ascending=False).head(12).reset_index())
    label = by_input["input_fa"] if ctx.lang == "fa" else by_input["input_en"]
    figures = [bar(ctx, "localised_by_input", words("supply_chain.chart"),
                   by_input["input_isic"] + " · " + label.str.slice(0, 40),
                   by_input["value_rials"] / 1e10, axis=words("axis.value_bn_toman"))] \
        if len(by_input) else []
    tables = [
        table("supply_links", words("supply_chain.table.links"), shown, {
            "buyer_name": "buyer", "input_isic": "isic", "input_fa": "input_fa",
            "input_en": "input_en", "bought_in_fa": "bought_in_fa",
            "bought_in_en": "bought_in_en", "supplier_name": "supplier",
            "supplier_county": "county_code", "supplier_county_fa": "county_fa",
            "supplier_county_en": "county_en", "supplier_sme": "sme",
            "value_bn_toman": "value_bn_toman", "distance_km": "distance_km", "jobs": "jobs"},
            shown=per_language("buyer_name", "input_{lang}", "bought_in_{lang}",
                               "supplier_name", "supplier_county_{lang}", "supplier_sme",
                               "value_bn_toman", "jobs")),
        table("missing_links", words("supply_chain.table.missing"),
              missing.assign(value_bn_toman=missing["value_rials"] / 1e10), {
                  "input_isic": "isic", "input_fa": "input_fa", "input_en": "input_en",
                  "value_bn_toman": "value_bn_toman"}),
        table("sourcing", words("supply_chain.table.sourcing"),
              result.sourcing[result.sourcing["purchases_rials"] > 0], {
                  "sector": "sector", "name_fa": "name_fa", "name_en": "name_en",
                  "local_share_before": "local_share_before",
                  "local_share_after": "local_share_after"}),
    ]
    return section("supply_chain", lines, tables, figures)
