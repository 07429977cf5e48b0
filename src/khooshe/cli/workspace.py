"""``khooshe init`` and ``khooshe info``: create a workspace, count what it holds."""

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
