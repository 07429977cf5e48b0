"""``khooshe init``, ``info``, ``migrate``, ``backup`` and ``restore``: create a workspace,
count what it holds, bring its schema up to date, keep and bring back a copy."""

from __future__ import annotations

from pathlib import Path

import typer

from khooshe.cli._common import (
    Texts,
    command_classes,
    console,
    lang,
    open_workspace,
    say,
    synthetic_banner,
    text,
)


def register(app: typer.Typer, language: str) -> None:
    """Add ``init`` and ``info`` to ``app``, their help in ``language``."""
    cls = command_classes(language)[1]
    h = Texts(language, "init")

    @app.command("init", help=h("help"), cls=cls)
    def init_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        db: str = typer.Option(None, "--db", help=h.opt("db")),
    ) -> None:
        """Create an empty workspace."""
        from khooshe.store.workspace import Workspace

        Workspace.create(workspace, db=db).close()
        say("created", path=str(workspace))

    h = Texts(language, "info")

    @app.command("info", help=h("help"), cls=cls)
    def info_cmd(workspace: Path = typer.Argument(..., help=h.arg("workspace"))) -> None:
        """Print the number of records of every kind."""
        with open_workspace(workspace) as ws:
            counts = ws.counts()
            print_info(ws.name, ws.url, ws.synthetic, counts)
            if counts.get("trade_flows"):
                from khooshe.store.trade import stored_sums, trade_years

                years = trade_years(ws)
                say("trade_stored", rows=counts["trade_flows"], years=len(years),
                    first=years[0], last=years[-1], sums=stored_sums(ws))

    _register_schema_and_backup(app, language, cls)


def _register_schema_and_backup(app: typer.Typer, language: str, cls: type) -> None:
    h = Texts(language, "migrate")

    @app.command("migrate", help=h("help"), cls=cls)
    def migrate_cmd(workspace: Path = typer.Argument(..., help=h.arg("workspace"))) -> None:
        """Bring a workspace's database to the schema this khooshe needs."""
        from khooshe.store.workspace import Workspace

        ws = Workspace.open(workspace, check=False)
        try:
            before, after = ws.migrate()
        finally:
            ws.close()
        say("migrated" if before != after else "up_to_date", path=str(workspace),
            before=before or "-", after=after)

    h = Texts(language, "backup")

    @app.command("backup", help=h("help"), cls=cls)
    def backup_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        file: Path = typer.Argument(..., help=h.arg("file")),
    ) -> None:
        """Back up every record and the audit trail to one file."""
        from khooshe.services.backup import backup

        with open_workspace(workspace) as ws:
            rep = backup(ws, file)
        say("backed_up", path=str(file), records=sum(rep.counts.values()),
            revision=rep.schema_revision)

    h = Texts(language, "restore")

    @app.command("restore", help=h("help"), cls=cls)
    def restore_cmd(
        file: Path = typer.Argument(..., help=h.arg("file")),
        workspace: Path = typer.Argument(..., help=h.arg("new_workspace")),
        db: str = typer.Option(None, "--db", help=h.opt("db")),
    ) -> None:
        """Restore a backup into a new workspace."""
        from khooshe.cli._common import current_actor
        from khooshe.services.backup import restore

        ws = restore(file, workspace, db=db, actor=current_actor())
        counts = ws.counts()
        ws.close()
        say("restored", path=str(workspace), records=sum(counts.values()))


def print_info(name: str, url: str, synthetic: bool, counts: dict[str, int]) -> None:
    """The database (password hidden) and a table of record counts with the kinds' labels."""
    from rich.table import Table
    from sqlalchemy.engine import make_url

    from khooshe.domain.schema import ENTITIES
    from khooshe.text.numbers import format_number

    language = lang()
    if synthetic:
        synthetic_banner()
    console.print(f"{text('database')}: {make_url(url).render_as_string(hide_password=True)}",
                  highlight=False, markup=False)
    table = Table(title=text("counts_title", name=name))
    table.add_column(text("kind"))
    table.add_column(text("records"), justify="right")
    table.add_column("")
    for kind, n in counts.items():
        label = ENTITIES[kind].label_fa if language == "fa" else ENTITIES[kind].label_en
        table.add_row(kind, format_number(n, language), label)
    console.print(table)
