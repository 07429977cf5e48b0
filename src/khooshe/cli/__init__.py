"""The ``khooshe`` command line: a thin Typer layer over :mod:`khooshe.services`.

Every command parses its options, calls one service and prints what came back; the services
are the same ones the web app uses. One module per command group:

* :mod:`~khooshe.cli.workspace` — ``init``, ``info``
* :mod:`~khooshe.cli.data` — ``import``, ``export``, ``template``
* :mod:`~khooshe.cli.demo` — ``demo``
* :mod:`~khooshe.cli.complexity` — ``complexity``, ``proximity``
* :mod:`~khooshe.cli.specialization` — ``specialize``, ``hotspots``, ``candidates``
* :mod:`~khooshe.cli.villages`, :mod:`~khooshe.cli.portfolio`, :mod:`~khooshe.cli.markets`,
  :mod:`~khooshe.cli.plan`

Every sentence (help, messages, headers) comes from the catalogue
(``khooshe/text/catalogue/cli.toml``) in Persian or English. Typer reads help texts when the
commands are declared, so the app is built per language (:func:`build_app`); :func:`main`
picks the language from ``--lang`` before the command, else ``KHOOSHE_LANG``, else the locale.
Errors are handled in one place (:func:`khooshe.cli._common.handle_error`): a message and exit
code 2 for bad input, 1 otherwise; an unexpected exception prints one line and leaves its
traceback in a log file.
"""

from __future__ import annotations

import sys
from functools import cache

import typer

from khooshe.cli import (
    complexity,
    data,
    delivery,
    demo,
    markets,
    plan,
    portfolio,
    programme,
    specialization,
    supply_chain,
    villages,
    web,
    workspace,
)
from khooshe.cli._choices import Lang, choice
from khooshe.cli._common import command_classes, handle_error, set_lang
from khooshe.text.digits import LANGS
from khooshe.text.messages import default_lang, t

#: The command modules, in the order their commands are listed in ``khooshe --help``.
COMMAND_MODULES = (workspace, data, demo, complexity, specialization, villages, portfolio,
                   markets, supply_chain, plan, programme, delivery, web)


@cache
def build_app(language: str) -> typer.Typer:
    """The ``khooshe`` app with its help in ``language`` (``fa`` or ``en``).

    Messages follow ``--lang`` at run time whichever app runs; the help texts are fixed when
    the app is built, which is why there is one app per language.
    """
    group = command_classes(language)[0]
    app = typer.Typer(name="khooshe", help=t("cli.app.help", language), no_args_is_help=True,
                      pretty_exceptions_enable=False, add_completion=False, cls=group)

    @app.callback()
    def root(
        lang: Lang = typer.Option(None, "--lang", parser=choice(Lang, "--lang"),
                                  help=t("cli.app.option.lang", language)),
    ) -> None:
        """Choose the language of messages for the command that follows."""
        set_lang(None if lang is None else lang.value)

    for module in COMMAND_MODULES:
        module.register(app, language)
    return app


def language_from_args(args: list[str]) -> str | None:
    """The value of ``--lang`` given before the command (``khooshe --lang fa import …``), or
    None. After the command ``--lang`` belongs to it (``khooshe plan --lang en``)."""
    for i, arg in enumerate(args):
        if arg == "--lang":
            value = args[i + 1] if i + 1 < len(args) else None
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        elif arg.startswith("-"):
            continue
        else:
            return None  # the command name: no --lang before it
        return value if value in LANGS else None  # a wrong value: the app says so
    return None


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script (``khooshe.cli:main``)."""
    args = sys.argv[1:] if argv is None else list(argv)
    language = language_from_args(args) or default_lang()
    try:
        application = build_app(language)
    except Exception as exc:  # a broken catalogue or command: one line, traceback in the log
        sys.exit(handle_error(exc))
    application(args=args)


#: The app in the default language (``KHOOSHE_LANG``, else the locale).
app = build_app(default_lang())

__all__ = ["app", "build_app", "language_from_args", "main"]
