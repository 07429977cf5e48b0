"""``khooshe plan``: the province plan as HTML, XLSX and PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from khooshe.cli._choices import Lang, PlanFormat, PlanSection, choice, choice_list
from khooshe.cli._common import (
    Texts,
    abort,
    command_classes,
    echo,
    err_console,
    log_exception,
    open_workspace,
    say,
    text,
)


def register(app: typer.Typer, language: str) -> None:
    """Add ``plan`` to ``app``, its help in ``language``."""
    h = Texts(language, "plan")

    @app.command("plan", help=h("help"), cls=command_classes(language)[1])
    def plan_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        province: str = typer.Option(..., "--province", help=h.opt("province")),
        out: Path = typer.Option(..., "--out", help=h.opt("out")),
        plan_lang: Lang = typer.Option("fa", "--lang", parser=choice(Lang, "--lang"),
                                       help=h.opt("lang")),
        budget: str = typer.Option(None, "--budget", help=h.opt("budget")),
        target_jobs: int = typer.Option(None, "--target-jobs", help=h.opt("target_jobs")),
        markets: str = typer.Option(None, "--markets", help=h.opt("markets")),
        # a tuple of sections and of formats: the parsers split the comma-separated lists
        sections: PlanSection = typer.Option(None, "--sections",
                                             parser=choice_list(PlanSection, "--sections"),
                                             help=h.opt("sections")),
        formats: PlanFormat = typer.Option("html,xlsx,pdf", "--formats",
                                           parser=choice_list(PlanFormat, "--formats"),
                                           help=h.opt("formats")),
    ) -> None:
        """The province plan: one HTML, XLSX and PDF with every analysis."""
        import time

        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from khooshe.domain.parsing import split_list
        from khooshe.domain.validate import parse_amount
        from khooshe.services import plan as service

        chosen = tuple(str(s) for s in sections) if sections else service.SECTIONS
        fmts = tuple(str(f) for f in formats)
        options = service.PlanOptions(target_jobs=target_jobs)
        if budget is not None:
            options.budget = parse_amount(budget, "--budget")
        if markets:
            options.markets = tuple(m.upper() for m in split_list(markets))
        if out.exists() and not out.is_dir():
            abort(text("plan.out_is_file", path=str(out)))
        start = time.perf_counter()
        with open_workspace(workspace) as ws, Progress(
                TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(),
                console=err_console, transient=False) as bar:
            task = bar.add_task(text("plan.progress.plan"), total=len(chosen) + len(fmts))

            def on_section(key: str, state: str) -> None:
                if state == "start":
                    bar.update(task, description=text(f"plan.section.{key}"))
                else:
                    bar.advance(task)

            result = service.build_plan(ws, province, options=options, lang=plan_lang.value,
                                        sections=chosen, on_section=on_section)
            written: dict[str, Path | Exception] = {}
            for fmt in fmts:
                bar.update(task, description=text("plan.progress.write", format=fmt))
                written.update(service.write_plan(result.plan, out, lang=plan_lang.value,
                                                  formats=(fmt,)))
                bar.advance(task)
        failed = print_outcome(result.failed, written)
        say("plan.done", province=province, built=len(chosen) - len(result.failed),
            sections=len(chosen), seconds=time.perf_counter() - start)
        if failed:
            raise typer.Exit(1)


def print_outcome(failed_sections: dict[str, str], written: dict[str, Path | Exception]
                  ) -> bool:
    """One line per failed section (its traceback to the log file) and per file written or
    failed; whether anything failed."""
    from khooshe.cli._common import write_log

    for key, trace in failed_sections.items():
        last = trace.strip().splitlines()[-1] if trace.strip() else ""
        try:
            where = str(write_log(trace))
        except OSError as exc:
            where = text("error.no_log", reason=str(exc))
        say("plan.section_failed", err=True, style="bold red", section=key, error=last,
            log=where)
    for fmt, path in written.items():
        if isinstance(path, Exception):
            say("plan.format_failed", err=True, style="bold red", format=fmt,
                error=f"{type(path).__name__}: {path}", log=log_exception(path))
        else:
            echo(text("plan.wrote", path=str(path)))
    return bool(failed_sections) or any(isinstance(p, Exception) for p in written.values())
