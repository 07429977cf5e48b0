"""``khooshe markets``: export potential in target markets, from a trade file or a workspace
(whose clusters the opportunities are linked to)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from khooshe.cli._choices import EngineKind, Flow, TradeFormat, choice
from khooshe.cli._common import (
    Texts,
    abort,
    check_derived,
    check_outputs,
    command_classes,
    console,
    engine_of,
    lang,
    note,
    open_workspace,
    say,
    text,
)

if TYPE_CHECKING:
    from khooshe.services.markets import MarketsRun


def register(app: typer.Typer, language: str) -> None:
    """Add ``markets`` to ``app``, its help in ``language``."""
    h = Texts(language, "markets")

    @app.command("markets", help=h("help"), cls=command_classes(language)[1])
    def markets_cmd(
        source: Path = typer.Argument(..., help=h.arg("source")),
        exporter: str = typer.Option("IRN", "--exporter", help=h.opt("exporter")),
        markets: str = typer.Option(None, "--markets", help=h.opt("markets")),
        years: str = typer.Option(None, "--years", help=h.opt("years")),
        countries: Path = typer.Option(None, "--countries", help=h.opt("countries")),
        fmt: TradeFormat = typer.Option("auto", "--format",
                                        parser=choice(TradeFormat, "--format"),
                                        help=h.opt("format")),
        flow: Flow = typer.Option("X", "--flow", parser=choice(Flow, "--flow"),
                                  help=h.opt("flow")),
        drop_unknown: bool = typer.Option(False, "--drop-unknown", help=h.opt("drop_unknown")),
        distances: Path = typer.Option(None, "--distances", help=h.opt("distances")),
        tariffs: Path = typer.Option(None, "--tariffs", help=h.opt("tariffs")),
        concordance: Path = typer.Option(None, "--concordance", help=h.opt("concordance")),
        base_years: int = typer.Option(3, "--base-years", help=h.opt("base_years")),
        horizon: float = typer.Option(5, "--horizon", help=h.opt("horizon")),
        trend_weight: float = typer.Option(0.5, "--trend-weight", help=h.opt("trend_weight")),
        growth: str = typer.Option("0", "--growth", help=h.opt("growth")),
        distance_elasticity: float = typer.Option(1.0, "--distance-elasticity",
                                                  help=h.opt("distance_elasticity")),
        tariff_elasticity: float = typer.Option(4.0, "--tariff-elasticity",
                                                help=h.opt("tariff_elasticity")),
        min_rca: float = typer.Option(None, "--min-rca", help=h.opt("min_rca")),
        candidates: Path = typer.Option(None, "--candidates", help=h.opt("candidates")),
        top_candidates: int = typer.Option(100, "--top-candidates",
                                           help=h.opt("top_candidates")),
        over_time: Path = typer.Option(None, "--over-time", help=h.opt("over_time")),
        province: str = typer.Option(None, "--province", help=h.opt("province")),
        links: Path = typer.Option(None, "--links", help=h.opt("links")),
        output: Path = typer.Option(..., "-o", "--output", help=h.opt("output")),
        force: bool = typer.Option(False, "--force", help=h.opt("force")),
        engine: EngineKind = typer.Option("local", "--engine",
                                          parser=choice(EngineKind, "--engine"),
                                          help=h.opt("engine")),
        scheduler: str = typer.Option(None, "--scheduler", help=h.opt("scheduler")),
    ) -> None:
        """Export potential and unrealised potential per (market, product), ITC's method."""
        from khooshe.domain.parsing import parse_rates, parse_years
        from khooshe.io.tables import write_table
        from khooshe.services import markets as service

        check_outputs(output, candidates, over_time, links)
        workspace = source.is_dir()
        if not workspace and (province is not None or links is not None):
            abort(text("markets.needs_workspace"))
        request: dict[str, Any] = dict(
            exporter=exporter, markets=markets, years=parse_years(years, "--years"),
            growth=parse_rates(growth, "--growth"), distances=distances, tariffs=tariffs,
            concordance=concordance, min_rca=min_rca, top_candidates=top_candidates,
            base_years=base_years, horizon=horizon, trend_weight=trend_weight,
            distance_elasticity=distance_elasticity, tariff_elasticity=tariff_elasticity,
            engine=engine_of(engine.value, scheduler))
        if workspace and links is None:  # derived from the output's name: never overwritten
            links = output.with_name(f"{output.stem}_clusters{output.suffix}")
            check_derived(links, force=force)
        if workspace:
            with open_workspace(source) as ws:
                run = service.markets_from_workspace(ws, province=province, **request)
        else:
            def progress(step: str) -> None:
                if step == "read":
                    say("markets.reading", err=True, source=str(source))

            run = service.markets_from_file(source, format=fmt.value, flow=flow.value,
                                            countries=countries, drop_unknown=drop_unknown,
                                            on_progress=progress, **request)
        write_table(run.potential, output)
        if links is not None and run.links is not None:
            write_table(run.links, links)
        if candidates is not None:
            write_table(run.candidates, candidates)
        if over_time is not None:
            write_table(run.over_time, over_time)
        for n in run.notes:
            note(n)
        if workspace:
            print_workspace(run, output, links)
        else:
            print_file(run, [p for p in (output, candidates, over_time) if p is not None])


def _musd(value: float) -> float:
    return float(value) / 1e6


def print_file(run: MarketsRun, written: list[Path]) -> None:
    """One line per market: potential, actual and unrealised totals and the top product."""
    from rich.table import Table

    from khooshe.text.digits import digits
    from khooshe.text.numbers import format_number

    language = lang()
    first, last = (run.years[0], run.years[-1]) if run.years else ("", "")
    grid = Table(title=text("markets.grid_title", exporter=run.exporter,
                            markets=len(run.markets), first=digits(first, language),
                            last=digits(last, language)))
    for key in ("market", "potential", "actual", "unrealised", "top_product"):
        grid.add_column(text(f"markets.column.{key}"),
                        justify="left" if key in ("market", "top_product") else "right")
    for m, row in run.totals.iterrows():
        name = run.market_names[m].render(language) if m in run.market_names else ""
        grid.add_row(f"{m} {name}", *(format_number(_musd(row[c]), language, 1)
                                      for c in ("potential_value", "actual_value",
                                                "unrealised_value")),
                     str(row["top_product"]))
    console.print(grid)
    say("markets.file_written", rows=len(run.potential), flows=run.rows or 0,
        paths=text("words.comma").join(str(p) for p in written))


def print_workspace(run: MarketsRun, output: Path, links: Path | None) -> None:
    """Unrealised potential per market, the province's five best opportunities in the first
    market and the files written."""
    for m, row in run.totals.iterrows():
        say("markets.unrealised", market=str(m), value=_musd(row["unrealised_value"]))
    opportunities = run.opportunities
    first = (opportunities[opportunities["market"] == run.markets[0]]
             if opportunities is not None and len(opportunities) else None)
    if first is not None and len(first):
        if run.province:
            say("markets.top_province", market=run.markets[0], province=run.province)
        else:
            say("markets.top_all", market=run.markets[0])
        suffix = "fa" if lang() == "fa" else "en"
        for row in first.head(5).to_dict("records"):
            say("markets.top_row", rank=int(row["rank"]), product=str(row["product"]),
                name=str(row[f"product_name_{suffix}"]), value=_musd(row["unrealised_value"]),
                clusters=str(row[f"cluster_names_{suffix}"]),
                counties=str(row[f"county_names_{suffix}"]))
    say("markets.workspace_written", rows=len(run.potential), path=str(output),
        links=0 if run.links is None else len(run.links), links_path=str(links))
