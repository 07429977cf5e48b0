"""``khooshe supply-chain``: input–output multipliers from files, or a province's supply
chains on a workspace (the links to close, the missing links, sourcing before and after).

``khooshe supply-chain multipliers --sectors S --flows F -o OUT`` and
``khooshe supply-chain WORKSPACE --province CODE -o OUT`` share one command: the first word
says which (a group would take the workspace path for a subcommand name).
"""

from __future__ import annotations

from pathlib import Path

import typer

from khooshe.cli._common import (
    Texts,
    abort,
    check_derived,
    check_outputs,
    command_classes,
    open_workspace,
    say,
    text,
)

MULTIPLIERS = "multipliers"


def register(app: typer.Typer, language: str) -> None:
    """Add ``supply-chain`` to ``app``, its help in ``language``."""
    h = Texts(language, "supply_chain")

    @app.command("supply-chain", help=h("help"), cls=command_classes(language)[1])
    def supply_chain_cmd(
        source: str = typer.Argument(..., help=h.arg("source")),
        sectors: Path = typer.Option(None, "--sectors", help=h.opt("sectors")),
        flows: Path = typer.Option(None, "--flows", help=h.opt("flows")),
        province: str = typer.Option(None, "--province", help=h.opt("province")),
        buyer: str = typer.Option(None, "--buyer", help=h.opt("buyer")),
        delta: float = typer.Option(0.3, "--delta", help=h.opt("delta")),
        capacity_share: float = typer.Option(0.3, "--capacity-share",
                                             help=h.opt("capacity_share")),
        output: Path = typer.Option(..., "-o", "--output", help=h.opt("output")),
        force: bool = typer.Option(False, "--force", help=h.opt("force")),
    ) -> None:
        """Multipliers from files, or a province's supply chains on a workspace."""
        from khooshe.io.tables import write_table

        check_outputs(output)
        if source == MULTIPLIERS:
            if sectors is None or flows is None:
                abort(text("supply_chain.files_needed"))
            from khooshe.services.supply_chain import multipliers_from_files

            table = multipliers_from_files(sectors, flows)
            write_table(table, output)
            say("supply_chain.multipliers_written", n=len(table), path=str(output))
            return
        if province is None:
            abort(text("supply_chain.province_needed"))
        from khooshe.services.supply_chain import workspace_supply_chain

        paths = _siblings(output, "missing", "sourcing")
        check_derived(*paths.values(), force=force)

        with open_workspace(Path(source)) as ws:
            result = workspace_supply_chain(ws, province, buyer=buyer, delta=delta,
                                            capacity_share=capacity_share)
        write_table(result.links, output)
        write_table(result.missing, paths["missing"])
        write_table(result.sourcing, paths["sourcing"])
        _report(result, output, paths)


def _siblings(output: Path, *names: str) -> dict[str, Path]:
    return {n: output.with_name(f"{output.stem}_{n}{output.suffix}") for n in names}


def _report(result, output: Path, paths: dict[str, Path]) -> None:
    from khooshe.cli._common import lang

    for note in result.notes:
        say("supply_chain.note", err=True, note=note.render(lang()))
    say("supply_chain.summary", outside=result.outside_rials / 1e10,
        local=result.localised_rials / 1e10, n=len(result.links), jobs=round(result.jobs),
        missing=len(result.missing), optimal=text("words.yes" if result.optimal
                                                  else "words.no"))
    for row in result.links.head(10).itertuples(index=False):
        name = row.input_fa if lang() == "fa" else row.input_en
        where = row.bought_in_fa if lang() == "fa" else row.bought_in_en
        say("supply_chain.link_row", buyer=str(row.buyer_name), isic=row.input_isic,
            input=name or "", supplier=str(row.supplier_name), value=row.value_rials / 1e10,
            jobs=round(float(row.jobs)), where=where or text("supply_chain.elsewhere"))
    if len(result.links) > 10:
        say("supply_chain.more_links", n=len(result.links) - 10)
    for row in result.missing.head(5).itertuples(index=False):
        name = row.input_fa if lang() == "fa" else row.input_en
        say("supply_chain.missing_row", isic=row.input_isic, name=name or "",
            value=row.value_rials / 1e10)
    say("supply_chain.written", links=str(output), missing=str(paths["missing"]),
        sourcing=str(paths["sourcing"]))
