"""The province plan: every analysis of a workspace gathered into one report model.

:func:`build_plan` runs one builder per section — a module of this package each
(:mod:`.summary`, :mod:`.profile`, :mod:`.specialisation`, :mod:`.complexity`, :mod:`.villages`,
:mod:`.markets`, :mod:`.portfolio`, :mod:`.supply_chain`, :mod:`.programme`,
:mod:`.appendix`) over a shared
:class:`~._context.PlanContext`. Each builder reads the workspace through the other services
and returns a :class:`khooshe.reports.model.Section` with Persian and English text (every word
from ``text/catalogue/plan.toml``), tables and plotly figures. A builder that fails does not
stop the plan: its section carries the error (shown in the plan), the others go on, and
:attr:`PlanResult.failed` lists it so the CLI can exit non-zero. :func:`write_plan` renders the
model to ``plan.html``, ``plan.xlsx`` and ``plan.pdf`` (:mod:`khooshe.reports`).

Numbers in the text are formatted per language (Persian digits and separators in ``fa``);
money is stored in rials and shown in toman; tables keep raw values (the renderers format them).
"""

from __future__ import annotations

import datetime as _dt
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from khooshe.domain.errors import InputError
from khooshe.reports.model import Plan, Section
from khooshe.services.plan import (
    appendix,
    complexity,
    markets,
    portfolio,
    profile,
    programme,
    specialisation,
    summary,
    supply_chain,
    villages,
)
from khooshe.services.plan._context import PlanContext, PlanOptions, words
from khooshe.store.repository import reading_once
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Message, joined

#: The sections of a plan, in order, and their builders.
BUILDERS: dict[str, Callable[[PlanContext], Section]] = {
    "summary": summary.build,
    "profile": profile.build,
    "specialisation": specialisation.build,
    "complexity": complexity.build,
    "villages": villages.build,
    "markets": markets.build,
    "portfolio": portfolio.build,
    "supply_chain": supply_chain.build,
    "programme": programme.build,
    "appendix": appendix.build,
}
SECTIONS: tuple[str, ...] = tuple(BUILDERS)
FORMATS: tuple[str, ...] = ("html", "xlsx", "pdf")


@dataclass
class PlanResult:
    """The plan model, the sections that failed with their traceback (the error message is in
    the plan too) and the seconds each section took."""

    plan: Plan
    failed: dict[str, str]
    seconds: dict[str, float]


def _run(ctx: PlanContext, key: str) -> tuple[Section, str | None]:
    """One section, or a section carrying the error and the traceback."""
    try:
        return BUILDERS[key](ctx), None
    except Exception as exc:  # one section's failure must not lose the others
        title = words(f"section.{key}")
        return (Section(key=key, title_fa=title.fa, title_en=title.en,
                        error=f"{type(exc).__name__}: {exc}"), traceback.format_exc())


def build_plan(
    ws: Workspace,
    province: str,
    *,
    options: PlanOptions | None = None,
    lang: str = "fa",
    sections: tuple[str, ...] = SECTIONS,
    on_section: Callable[[str, str], None] | None = None,
) -> PlanResult:
    """Build the plan model of ``province``.

    Parameters
    ----------
    ws : Workspace
    province : str
        Province code (e.g. ``"06"``).
    options : PlanOptions, optional
    lang : {"fa", "en"}
        Language of the figures' labels (text and tables carry both languages).
    sections : tuple of str
        Which sections, from :data:`SECTIONS`.
    on_section : callable, optional
        Called as ``on_section(key, "start" | "done" | "failed")`` (progress bars).

    Raises
    ------
    InputError
        For an unknown province or section; a failing section does not raise.
    """
    if lang not in ("fa", "en"):
        raise InputError(f"lang must be 'fa' or 'en', not {lang!r}")
    unknown = [s for s in sections if s not in BUILDERS]
    if unknown:
        raise InputError(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    # the sections read the same kinds again and again (the establishments in most of them):
    # read each once for the whole plan, which only reads
    with reading_once(ws):
        return _build(ws, province, options, lang, sections, on_section)


def _build(ws: Workspace, province: str, options: PlanOptions | None, lang: str,
           sections: tuple[str, ...],
           on_section: Callable[[str, str], None] | None) -> PlanResult:
    ctx = PlanContext(ws=ws, province=province, options=options or PlanOptions(), lang=lang)
    r = ctx.regions
    prov = r[(r["level"] == "province") & (r["code"] == province)]
    if prov.empty:
        known = joined(sorted(r.loc[r["level"] == "province", "code"]))
        raise InputError(Message("workspace.refuse.unknown_province",
                                 {"province": province, "known": known}))
    built: list[Section] = []
    failed: dict[str, str] = {}
    seconds: dict[str, float] = {}
    # the appendix gathers the other sections' notes and the summary their decisions, so
    # they are built last
    last = ("appendix", "summary")
    order = [s for s in sections if s not in last] + [s for s in last if s in sections]
    for key in order:
        if on_section:
            on_section(key, "start")
        start = time.perf_counter()
        section, trace = _run(ctx, key)
        if trace is not None:
            failed[key] = trace
        seconds[key] = time.perf_counter() - start
        built.append(section)
        if on_section:
            on_section(key, "failed" if key in failed else "done")
    built.sort(key=lambda s: sections.index(s.key))
    plan = Plan(province_code=province, province_name_fa=str(prov["name_fa"].iloc[0]),
                province_name_en=str(prov["name_en"].iloc[0]),
                generated_at=_dt.datetime.now().replace(microsecond=0),
                synthetic=ws.synthetic, sections=built, workspace_name=ws.name)
    return PlanResult(plan=plan, failed=failed, seconds=seconds)


def write_plan(plan: Plan, out_dir: str | Path, *, lang: str = "fa",
               formats: tuple[str, ...] = FORMATS,
               stem: str = "plan") -> dict[str, Path | Exception]:
    """Render ``plan`` to ``out_dir/<stem>.{html,xlsx,pdf}`` (``plan.html``…).

    Returns, per format, the written path or the exception that stopped it (the other formats
    are still written).
    """
    from khooshe.reports import html, pdf, xlsx

    renderers = {"html": html.render_html, "xlsx": xlsx.render_xlsx, "pdf": pdf.render_pdf}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path | Exception] = {}
    for fmt in formats:
        try:
            written[fmt] = renderers[fmt](plan, out / f"{stem}.{fmt}", lang=lang)
        except Exception as exc:  # noqa: BLE001 - reported per format by the caller
            written[fmt] = exc
    return written


__all__ = ["BUILDERS", "FORMATS", "SECTIONS", "PlanOptions", "PlanResult", "build_plan",
           "write_plan"]
