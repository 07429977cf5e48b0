"""``khooshe import``, ``export`` and ``template``: tables between files and a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from khooshe.cli._choices import DataKind, RegionLevel, TemplateKind, choice
from khooshe.cli._common import (
    Texts,
    abort,
    check_derived,
    check_outputs,
    command_classes,
    console,
    current_actor,
    lang,
    open_workspace,
    say,
    text,
)
from khooshe.domain.schema import LOAD_ORDER
from khooshe.text.messages import t

if TYPE_CHECKING:
    from khooshe.io.geo import MatchResult


def register(app: typer.Typer, language: str) -> None:
    """Add ``import``, ``export`` and ``template`` to ``app``, their help in ``language``."""
    cls = command_classes(language)[1]
    data = Texts(language, "data")
    kinds = t("cli.words.comma", language).join(LOAD_ORDER)
    kind_help = data.arg("kind", kinds=kinds)
    parse_kind = choice(DataKind, "KIND", "data.kind_invalid")
    h = Texts(language, "import")

    @app.command("import", help=h("help"), cls=cls)
    def import_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        kind: DataKind = typer.Argument(..., parser=parse_kind, help=kind_help,
                                        show_default=False),
        file: Path = typer.Argument(..., help=h.arg("file")),
        province: str = typer.Option(None, "--province", help=h.opt("province")),
        level: RegionLevel = typer.Option("county", "--level",
                                          parser=choice(RegionLevel, "--level"),
                                          help=h.opt("level")),
        errors: Path = typer.Option(None, "--errors", help=h.opt("errors")),
        report: Path = typer.Option(None, "--report", help=h.opt("report")),
        replace: bool = typer.Option(False, "--replace", help=h.opt("replace")),
        countries: Path = typer.Option(None, "--countries", help=h.opt("countries")),
    ) -> None:
        """Import a file into the workspace: all-or-nothing, idempotent (upsert by key)."""
        from khooshe.domain.errors import MissingFileError
        from khooshe.io.trade import is_pattern
        from khooshe.services import data as service

        check_outputs(errors, report)
        pattern = kind == "trade_flows" and is_pattern(file)
        if not pattern and not file.exists():
            raise MissingFileError(text("import.file_not_found", path=str(file)))
        if countries is not None and kind != "trade_flows":
            abort(text("import.countries_trade_only"))
        with open_workspace(workspace) as ws:
            if kind == "boundaries":
                from khooshe.services.geography import import_boundaries

                result = import_boundaries(ws, file, province=province, level=level.value,
                                           actor=current_actor())
                print_match(result, report)
                return
            rep = service.import_file(ws, kind.value, file, actor=current_actor(),
                                      replace=replace, countries=countries)
        say("imported", rows=rep.rows, kind=kind.value, source=str(file),
            inserted=rep.inserted, updated=rep.updated)
        if replace and rep.updated:
            blanked = service.blanked_by_file(kind.value, file)
            if blanked:
                say("replaced", n=rep.updated, columns=", ".join(blanked))

    h = Texts(language, "export")

    @app.command("export", help=h("help"), cls=cls)
    def export_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        kind: DataKind = typer.Argument(..., parser=parse_kind, help=kind_help,
                                        show_default=False),
        file: Path = typer.Argument(..., help=data.arg("file")),
    ) -> None:
        """Export every record of a kind to a file."""
        from khooshe.services import data as service

        with open_workspace(workspace) as ws:
            n = service.export_kind(ws, kind.value, file)
        say("exported", rows=n, kind=kind.value, path=str(file))

    h = Texts(language, "template")

    @app.command("template", help=h("help"), cls=cls)
    def template_cmd(
        kind: TemplateKind = typer.Argument(..., parser=choice(TemplateKind, "KIND",
                                                               "data.kind_invalid"),
                                            help=h.arg("kind", kinds=kinds),
                                            show_default=False),
        file: Path = typer.Argument(..., help=h.arg("file")),
        force: bool = typer.Option(False, "--force", help=h.opt("force")),
    ) -> None:
        """Write an empty file with the headers of KIND and a description of each column."""
        from khooshe.io.tables import table_format
        from khooshe.services import data as service

        if table_format(file) != "xlsx":  # the column descriptions go beside it
            check_derived(service.template_docs_path(file), force=force)

        paths = service.write_template(kind.value, file, lang=lang())
        say("template.written", paths=", ".join(str(p) for p in paths))


def print_match(result: MatchResult, report: Path | None) -> None:
    """How many regions got a boundary, every region or feature left over and why, and the
    match report file."""
    say("import.matched", matched=len(result.matched), regions=result.n_regions,
        share=result.share_matched, unused=len(result.unused_features))
    table = result.report()
    for row in table.query("status != 'matched'").to_dict("records"):
        name = row["name"] or row["feature_name"] or ""
        console.print(f"  {row['status']}: {row['code'] or ''} {name} — {row['reason'] or ''}",
                      highlight=False, markup=False)
    if report is not None:
        from khooshe.io.tables import write_table

        write_table(table, report)
        say("import.report_written", path=str(report))
