"""Section 0, the executive summary: the decisions the plan supports, one line each, with the
figure behind it and a link to the section it comes from.

Each section records its decision (its own "what to do") in :attr:`PlanContext.findings`;
this section is built after the others and shown first.
"""

from __future__ import annotations

from khooshe.reports.model import Section
from khooshe.services.plan._context import PlanContext, section, words

#: The decisions in the order a steering committee takes them.
ORDER = ("specialisation", "villages", "portfolio", "markets", "supply_chain", "complexity")


def build(ctx: PlanContext) -> Section:
    """One line per decision the other sections reached, linked to its section."""
    keys = [k for k in ORDER if k in ctx.findings]
    lines = [words("summary.intro")] + [ctx.findings[k] for k in keys]
    if not keys:
        lines.append(words("summary.none"))
    out = section("summary", lines)
    out.paragraph_refs = [None] + list(keys) + ([None] if not keys else [])
    return out
