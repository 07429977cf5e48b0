"""``khooshe villages``: village potential and the "10 villages per county" shortlist."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from khooshe.cli._choices import EngineKind, choice
from khooshe.cli._common import (
    Texts,
    abort,
    check_derived,
    check_outputs,
    command_classes,
    engine_of,
    lang,
    open_workspace,
    say,
    synthetic_banner,
    text,
)

if TYPE_CHECKING:
    from khooshe.services.villages import NationalShortlist, VillagesResult


def register(app: typer.Typer, language: str) -> None:
    """Add ``villages`` to ``app``, its help in ``language``."""
    h = Texts(language, "villages")

    @app.command("villages", help=h("help"), cls=command_classes(language)[1])
    def villages_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        province: str = typer.Option(None, "--province", help=h.opt("province")),
        per_county: int = typer.Option(10, "--per-county", help=h.opt("per_county")),
        max_per_activity: int = typer.Option(3, "--max-per-activity",
                                             help=h.opt("max_per_activity")),
        min_spacing_km: float = typer.Option(3.0, "--min-spacing-km",
                                             help=h.opt("min_spacing_km")),
        min_population: float = typer.Option(100, "--min-population",
                                             help=h.opt("min_population")),
        weights: Path = typer.Option(None, "--weights", help=h.opt("weights")),
        activities: str = typer.Option(None, "--activities", help=h.opt("activities")),
        output: Path = typer.Option(..., "-o", "--output", help=h.opt("output")),
        force: bool = typer.Option(False, "--force", help=h.opt("force")),
        engine: EngineKind = typer.Option("local", "--engine",
                                          parser=choice(EngineKind, "--engine"),
                                          help=h.opt("engine")),
        scheduler: str = typer.Option(None, "--scheduler", help=h.opt("scheduler")),
    ) -> None:
        """Village potential and the "10 villages per county" shortlist, with an HTML map."""
        from khooshe.domain.parsing import split_list
        from khooshe.services import villages as service

        check_outputs(output)
        if output.suffix.lower() not in (".csv", ".xlsx"):
            abort(text("villages.output_type", path=str(output)))
        check_derived(service.map_path(output), service.counties_path(output), force=force)
        runner = engine_of(engine.value, scheduler)
        w = service.read_weights(weights)
        acts = service.parse_activities(activities)
        provinces = split_list(province) if province is not None else None
        options: dict[str, Any] = dict(
            per_county=per_county, max_per_activity=max_per_activity,
            min_spacing_km=min_spacing_km, min_population=min_population, activities=acts,
            weights=w, engine=runner)
        with open_workspace(workspace) as ws:
            if provinces is not None and len(provinces) == 1:
                result: VillagesResult | NationalShortlist = service.village_shortlist(
                    ws, province=provinces[0], **options)
            else:
                result = service.national_shortlist(ws, provinces=provinces, **options)
        if isinstance(result, service.VillagesResult):
            paths = service.write_result(result, output, lang=lang())
        else:
            paths = service.write_national(result, output, lang=lang())
        print_shortlist(result, service.shortfall(result), per_county, paths)


def print_shortlist(result: VillagesResult | NationalShortlist, short, per_county: int,
                    paths: list[Path]) -> None:
    """Villages, counties and activities of the shortlist; every county that got fewer than
    asked, with the reason; the notes; the files written."""
    if result.synthetic:
        synthetic_banner()
    sl = result.shortlist
    say("villages.summary", villages=len(sl.villages), counties=len(sl.counties),
        activities=sl.villages["activity"].nunique())
    reason = "reason_fa" if lang() == "fa" else "reason_en"
    for row in short.to_dict("records"):
        say("villages.shortfall", county=str(row["county_code"]), shortlisted=row["shortlisted"],
            asked=per_county, reason=str(row[reason]))
    for n in sl.notes:
        say("villages.note", note=n)
    say("villages.written", paths=text("words.comma").join(str(p) for p in paths))
