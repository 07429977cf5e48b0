"""Section 8, the appendix: the quality of the workspace's data and the assumptions the other
sections stated (their notes)."""

from __future__ import annotations

import pandas as pd

from khooshe.domain.schema import entity
from khooshe.reports.model import Section
from khooshe.services.plan._context import PlanContext, section, table, words


def _checks(ctx: PlanContext) -> pd.DataFrame:
    """One row per data-quality check: how many records fail it, out of how many."""
    est = ctx.establishments
    r = ctx.regions[ctx.in_province]
    operating = est["status"] == "operating"
    half = est["status"] == "half_finished"
    villages = r["level"] == "village"
    rows = [
        ("establishments_without_coordinates", est["lat"].isna() | est["lon"].isna(), len(est)),
        ("establishments_without_employees", operating & est["employees"].isna(),
         int(operating.sum())),
        ("villages_without_population", villages & r["population"].isna(), int(villages.sum())),
        ("regions_without_coordinates", r["lat"].isna() | r["lon"].isna(), len(r)),
        ("counties_without_boundary", ctx.counties["boundary"].isna(), len(ctx.counties)),
        ("half_finished_without_cost", half & est["remaining_cost_rials"].isna(),
         int(half.sum())),
    ]
    return pd.DataFrame([(key, words(f"appendix.check.{key}").fa,
                          words(f"appendix.check.{key}").en, int(mask.sum()), of)
                         for key, mask, of in rows],
                        columns=["check", "check_fa", "check_en", "count", "of"])


def build(ctx: PlanContext) -> Section:
    """Data quality and the assumptions the sections stated."""
    counts = ctx.ws.counts()
    kinds = [entity(kind) for kind in counts]
    records = pd.DataFrame({"kind": list(counts), "kind_fa": [e.label("fa") for e in kinds],
                            "kind_en": [e.label("en") for e in kinds],
                            "records": list(counts.values())})
    lines = [words("appendix.intro")]
    if ctx.ws.synthetic:
        lines.append(words("appendix.synthetic"))
    lines.extend(ctx.notes)
    tables = [
        table("data_quality", words("appendix.table.quality"), _checks(ctx), {
            "check_fa": "check_fa", "check_en": "check_en", "count": "count", "of": "of"},
              rows=None),
        table("records", words("appendix.table.records"), records, {
            "kind_fa": "kind_fa", "kind_en": "kind_en", "records": "records"}, rows=None),
    ]
    return section("appendix", lines, tables)
