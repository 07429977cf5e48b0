"""``khooshe demo``: the synthetic Iran-like demo workspace."""

from __future__ import annotations

from pathlib import Path

import typer

from khooshe.cli._choices import Scale, choice
from khooshe.cli._common import Texts, abort, command_classes, lang, say, text
from khooshe.domain.vocab import label


def register(app: typer.Typer, language: str) -> None:
    """Add ``demo`` to ``app``, its help in ``language``."""
    h = Texts(language, "demo")

    @app.command("demo", help=h("help"), cls=command_classes(language)[1])
    def demo_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        seed: int = typer.Option(0, "--seed", help=h.opt("seed")),
        scale: Scale = typer.Option("small", "--scale", parser=choice(Scale, "--scale"),
                                    help=h.opt("scale")),
        establishments: int = typer.Option(None, "--establishments",
                                           help=h.opt("establishments")),
        db: str = typer.Option(None, "--db", help=h.opt("db")),
        force: bool = typer.Option(False, "--force", help=h.opt("force")),
    ) -> None:
        """Build a SYNTHETIC Iran-like demo workspace (clearly labelled as such)."""
        import time

        from khooshe.demo.config import get_scale
        from khooshe.services.demo import build_demo, demo_accounts

        least = get_scale(scale.value).base_establishments
        if establishments is not None and establishments < least:
            abort(text("demo.too_few_establishments", scale=scale.value, least=least,
                       value=establishments))
        start = time.perf_counter()
        ws = build_demo(workspace, seed=seed, scale=scale.value, establishments=establishments,
                        db=db, force=force, progress=True)
        try:
            accounts = demo_accounts(ws)
        finally:
            ws.close()
        # the seed is a name for the data, not a quantity: it keeps its Latin digits
        say("demo_built", path=str(workspace), seed=str(seed), scale=scale.value,
            seconds=time.perf_counter() - start)
        say("demo_accounts")
        for name, role, password in accounts:
            say("demo_account", name=name, role=label("role", role, lang()), password=password)
