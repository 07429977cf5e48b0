"""``khooshe complexity`` and ``khooshe proximity``: economic complexity of a long table, or of
a workspace's regions × ISIC classes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from khooshe.cli._choices import ComplexityLevel, EngineKind, Measure, Presence, choice
from khooshe.cli._common import (
    Texts,
    abort,
    check_outputs,
    command_classes,
    engine_of,
    lang,
    open_workspace,
    printed_warnings,
    say,
    text,
)


def _flags(**given: object) -> list[str]:
    """``--name`` of every option given (not None / not False)."""
    return [f"--{name.replace('_', '-')}" for name, value in given.items()
            if value is not None and value is not False]


def _is_workspace(path: Path) -> bool:
    """A folder is a workspace unless it holds Parquet files and no workspace configuration:
    then it is a long table in Parquet files (BACI's years), read period by period."""
    if not path.is_dir():
        return False
    if (path / "khooshe.toml").is_file():
        return True
    return next(path.rglob("*.parquet"), None) is None


def _needs_population(presence: Presence, population: Path | None) -> None:
    if presence in (Presence.rpop, Presence.both) and population is None:
        abort(text("complexity.needs_population", presence=presence.value))


def register(app: typer.Typer, language: str) -> None:
    """Add ``complexity`` and ``proximity`` to ``app``, their help in ``language``."""
    cls = command_classes(language)[1]
    h = Texts(language, "complexity")
    parse_presence = choice(Presence, "--presence")

    @app.command("complexity", help=h("help"), cls=cls)
    def complexity_cmd(
        file: Path = typer.Argument(..., help=h.arg("file")),
        time: str = typer.Option(None, "--time", help=h.opt("time")),
        location: str = typer.Option(None, "--location", help=h.opt("location")),
        product: str = typer.Option(None, "--product", help=h.opt("product")),
        value: str = typer.Option(None, "--value", help=h.opt("value")),
        level: ComplexityLevel = typer.Option(
            None, "--level", parser=choice(ComplexityLevel, "--level", "complexity.level_invalid"),
            help=h.opt("level")),
        province: str = typer.Option(None, "--province", help=h.opt("province")),
        measure: Measure = typer.Option(None, "--measure", parser=choice(Measure, "--measure"),
                                        help=h.opt("measure")),
        presence: Presence = typer.Option("rca", "--presence", parser=parse_presence,
                                          help=h.opt("presence")),
        rca_threshold: float = typer.Option(1.0, "--rca-threshold", help=h.opt("rca_threshold")),
        rpop_threshold: float = typer.Option(1.0, "--rpop-threshold",
                                             help=h.opt("rpop_threshold")),
        population: Path = typer.Option(None, "--population", help=h.opt("population")),
        continuous: bool = typer.Option(False, "--continuous", help=h.opt("continuous")),
        asymmetric: bool = typer.Option(False, "--asymmetric", help=h.opt("asymmetric")),
        knn: int = typer.Option(None, "--knn", help=h.opt("knn")),
        output: Path = typer.Option(..., "-o", "--output", help=h.opt("output")),
        engine: EngineKind = typer.Option("local", "--engine",
                                          parser=choice(EngineKind, "--engine"),
                                          help=h.opt("engine")),
        scheduler: str = typer.Option(None, "--scheduler", help=h.opt("scheduler")),
    ) -> None:
        """RCA, presence, diversity, ubiquity, ECI, PCI, density, COI and COG."""
        from khooshe.io.tables import write_table

        check_outputs(output)
        runner = engine_of(engine.value, scheduler)
        options: dict[str, Any] = dict(presence=presence.value, rca_threshold=rca_threshold,
                                       continuous=continuous, asymmetric=asymmetric, knn=knn)
        if _is_workspace(file):
            from khooshe.domain.vocab import label
            from khooshe.services.complexity import workspace_complexity

            table_only = _flags(time=time, location=location, product=product, value=value,
                                population=population,
                                rpop_threshold=rpop_threshold if rpop_threshold != 1.0 else None,
                                engine=engine.value if runner.distributed else None,
                                scheduler=scheduler)
            chosen = (level or ComplexityLevel.county).value
            with open_workspace(file) as ws:  # "not a workspace" comes before option problems
                if table_only:
                    abort(text("complexity.table_only", options=", ".join(table_only)))
                if presence != Presence.rca:
                    abort(text("complexity.rca_only", presence=presence.value))
                with printed_warnings():
                    out = workspace_complexity(ws, level=chosen, province=province,
                                               measure=(measure or Measure.employment).value,
                                               **options)
            write_table(out, output)
            say("complexity.written_workspace", rows=len(out), regions=out["region"].nunique(),
                level=label("region_level", chosen, lang()), classes=out["isic"].nunique(),
                path=str(output))
            return
        workspace_only = _flags(level=level, province=province, measure=measure)
        if workspace_only:
            abort(text("complexity.workspace_only", options=", ".join(workspace_only),
                       file=str(file)))
        missing = [f"--{n}" for n, v in (("location", location), ("product", product),
                                         ("value", value)) if v is None]
        if missing:
            abort(text("complexity.missing", options=", ".join(missing)))
        _needs_population(presence, population)
        from khooshe.services.complexity import write_complexity_from_file

        with printed_warnings():
            run = write_complexity_from_file(file, output, location=location, product=product,
                                             value=value, time=time, population=population,
                                             rpop_threshold=rpop_threshold, engine=runner,
                                             **options)
        say("complexity.written", rows=run.rows, periods=run.periods,
            locations=run.locations, products=run.products, path=str(output))

    h = Texts(language, "proximity")

    @app.command("proximity", help=h("help"), cls=cls)
    def proximity_cmd(
        file: Path = typer.Argument(..., help=h.arg("file")),
        time: str = typer.Option(None, "--time", help=h.opt("time")),
        location: str = typer.Option(..., "--location", help=h.opt("location")),
        product: str = typer.Option(..., "--product", help=h.opt("product")),
        value: str = typer.Option(..., "--value", help=h.opt("value")),
        presence: Presence = typer.Option("rca", "--presence", parser=parse_presence,
                                          help=h.opt("presence")),
        rca_threshold: float = typer.Option(1.0, "--rca-threshold", help=h.opt("rca_threshold")),
        rpop_threshold: float = typer.Option(1.0, "--rpop-threshold",
                                             help=h.opt("rpop_threshold")),
        population: Path = typer.Option(None, "--population", help=h.opt("population")),
        continuous: bool = typer.Option(False, "--continuous", help=h.opt("continuous")),
        asymmetric: bool = typer.Option(False, "--asymmetric", help=h.opt("asymmetric")),
        min_proximity: float = typer.Option(None, "--min-proximity",
                                            help=h.opt("min_proximity")),
        output: Path = typer.Option(..., "-o", "--output", help=h.opt("output")),
    ) -> None:
        """The product-pair proximity table of each period."""
        from khooshe.io.tables import write_table
        from khooshe.services.complexity import proximity_from_file

        check_outputs(output)
        _needs_population(presence, population)
        with printed_warnings():
            run = proximity_from_file(file, location=location, product=product, value=value,
                                      time=time, population=population,
                                      presence=presence.value, rca_threshold=rca_threshold,
                                      rpop_threshold=rpop_threshold, continuous=continuous,
                                      asymmetric=asymmetric, min_proximity=min_proximity)
        write_table(run.table, output)
        say("proximity.written", pairs=len(run.table), path=str(output))
