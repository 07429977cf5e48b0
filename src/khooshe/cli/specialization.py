"""``khooshe specialize``, ``hotspots`` and ``candidates``: specialisation and cluster strength,
spatial hot spots and point clusters of establishments."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from khooshe.cli._choices import (
    EngineKind,
    HotspotLevel,
    Measure,
    SpecTable,
    StrengthLevel,
    choice,
)
from khooshe.cli._common import (
    Texts,
    abort,
    check_outputs,
    command_classes,
    engine_of,
    open_workspace,
    say,
    text,
)

if TYPE_CHECKING:
    from khooshe.services.specialization import SpecializationTable


def register(app: typer.Typer, language: str) -> None:
    """Add ``specialize``, ``hotspots`` and ``candidates`` to ``app``, help in ``language``."""
    cls = command_classes(language)[1]
    parse_measure = choice(Measure, "--measure")
    h = Texts(language, "specialize")

    @app.command("specialize", help=h("help"), cls=cls)
    def specialize_cmd(
        source: Path = typer.Argument(..., help=h.arg("source")),
        region: str = typer.Option(None, "--region", help=h.opt("region")),
        activity: str = typer.Option(None, "--activity", help=h.opt("activity")),
        value: str = typer.Option(None, "--value", help=h.opt("value")),
        count: str = typer.Option(None, "--count", help=h.opt("count")),
        table: SpecTable = typer.Option("strength", "--table",
                                        parser=choice(SpecTable, "--table"),
                                        help=h.opt("table")),
        lq_threshold: float = typer.Option(1.25, "--lq-threshold", help=h.opt("lq_threshold")),
        top_share: float = typer.Option(None, "--top-share", help=h.opt("top_share")),
        min_establishments: int = typer.Option(3, "--min-establishments",
                                               help=h.opt("min_establishments")),
        min_value: float = typer.Option(None, "--min-value", help=h.opt("min_value")),
        traded_gini: float = typer.Option(0.25, "--traded-gini", help=h.opt("traded_gini")),
        na_zero: bool = typer.Option(False, "--na-zero", help=h.opt("na_zero")),
        level: StrengthLevel = typer.Option("county", "--level",
                                            parser=choice(StrengthLevel, "--level"),
                                            help=h.opt("level")),
        measure: Measure = typer.Option("employment", "--measure", parser=parse_measure,
                                        help=h.opt("measure")),
        province: str = typer.Option(None, "--province", help=h.opt("province")),
        output: Path = typer.Option(..., "-o", "--output", help=h.opt("output")),
        engine: EngineKind = typer.Option("local", "--engine",
                                          parser=choice(EngineKind, "--engine"),
                                          help=h.opt("engine")),
        scheduler: str = typer.Option(None, "--scheduler", help=h.opt("scheduler")),
    ) -> None:
        """Location quotients, specialisation indices and cluster strength."""
        from khooshe.io.tables import write_table
        from khooshe.services import specialization as service

        check_outputs(output)
        runner = engine_of(engine.value, scheduler)
        strength: dict[str, Any] = dict(lq_threshold=lq_threshold, top_share=top_share,
                        min_establishments=min_establishments, min_value=min_value)
        if source.is_dir():
            if table != SpecTable.strength:
                abort(text("specialize.workspace_table"))
            with open_workspace(source) as ws:
                run = service.strength_table(ws, level=level.value, measure=measure.value,
                                             province=province, engine=runner, **strength)
        else:
            if runner.distributed:
                abort(text("specialize.engine_file"))
            if region is None or activity is None:
                abort(text("specialize.columns"))
            run = service.specialization_from_file(
                source, region=region, activity=activity, value=value, count=count,
                table=table.value, traded_gini=traded_gini, na_zero=na_zero, **strength)
        write_table(run.table, output)
        print_written(run, output)

    h = Texts(language, "hotspots")

    @app.command("hotspots", help=h("help"), cls=cls)
    def hotspots_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        activity: str = typer.Option(..., "--activity", help=h.opt("activity")),
        level: HotspotLevel = typer.Option("county", "--level",
                                           parser=choice(HotspotLevel, "--level"),
                                           help=h.opt("level")),
        measure: Measure = typer.Option("employment", "--measure", parser=parse_measure,
                                        help=h.opt("measure")),
        province: str = typer.Option(None, "--province", help=h.opt("province")),
        permutations: int = typer.Option(999, "--permutations", help=h.opt("permutations")),
        alpha: float = typer.Option(0.05, "--alpha", help=h.opt("alpha")),
        output: Path = typer.Option(..., "-o", "--output", help=h.opt("output")),
    ) -> None:
        """Getis-Ord Gi* hot and cold spots of one activity across counties (or villages)."""
        from khooshe.io.tables import write_table
        from khooshe.services import specialization as service

        check_outputs(output)
        with open_workspace(workspace) as ws:
            out = service.hotspots(ws, activity, level=level.value, measure=measure.value,
                                   province=province, permutations=permutations, alpha=alpha)
        write_table(out, output)
        hot = out.loc[out["spot"] == "hot", "region"].tolist()
        if hot:
            say("hotspots.written_hot", regions=len(out), path=str(output), hot=len(hot),
                codes=text("words.comma").join(hot[:20]))
        else:
            say("hotspots.written", regions=len(out), path=str(output), hot=0)

    h = Texts(language, "candidates")

    @app.command("candidates", help=h("help"), cls=cls)
    def candidates_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        province: str = typer.Option(..., "--province", help=h.opt("province")),
        min_cluster_size: int = typer.Option(5, "--min-cluster-size",
                                             help=h.opt("min_cluster_size")),
        max_median_km: float = typer.Option(25.0, "--max-median-km",
                                            help=h.opt("max_median_km")),
        output: Path = typer.Option(..., "-o", "--output", help=h.opt("output")),
    ) -> None:
        """Candidate clusters: dense groups of establishments of one activity on the map."""
        from khooshe.io.tables import write_table
        from khooshe.services import specialization as service

        check_outputs(output)
        with open_workspace(workspace) as ws:
            out = service.candidates(ws, province, min_cluster_size=min_cluster_size,
                                     max_median_km=max_median_km)
        write_table(out, output)
        say("candidates.written", clusters=len(out), path=str(output))


def print_written(run: SpecializationTable, output: Path) -> None:
    """How much was written and, for a strength table, how many candidate clusters."""
    size: dict[str, Any] = dict(rows=len(run.table), regions=run.regions, activities=run.activities,
                path=str(output))
    if run.strong is None:
        say("specialize.written", **size)
    else:
        say("specialize.strength", written=text("specialize.written", **size),
            strong=run.strong, candidates=run.candidates)
