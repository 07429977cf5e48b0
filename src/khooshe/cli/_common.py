"""What every command shares: the consoles, the language, help texts from the catalogue, output
checks, opening a workspace, the actor of the audit trail and the one error handler.

Nothing here imports pandas, SQLAlchemy or the analyses at module level: ``khooshe --help``
builds every command, and must stay fast. Commands import what they need when they run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from khooshe.domain.errors import InputError, KhoosheError
from khooshe.text.messages import Message, default_lang, namespace, t

if TYPE_CHECKING:
    import datetime as dt

    from khooshe.domain.validate import ValidationError
    from khooshe.services.engine import Engine
    from khooshe.store.workspace import Workspace

# Rich finds sys.stdout / sys.stderr when it prints, so test runners that swap them see the text.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


# --- Language ---------------------------------------------------------------------------------
_state: dict[str, str | None] = {"lang": None}


def set_lang(lang: str | None) -> None:
    """Use ``lang`` for messages (None: ``KHOOSHE_LANG``, else the locale)."""
    _state["lang"] = lang


def lang() -> str:
    """The language of messages: ``--lang``, else ``KHOOSHE_LANG``, else the locale."""
    return _state["lang"] or default_lang()


def text(key: str, **values: object) -> str:
    """The message ``cli.<key>`` in the chosen language (numbers localised, text kept)."""
    return t(f"cli.{key}", lang(), **values)


def say(key: str, *, err: bool = False, style: str | None = None, **values: object) -> None:
    """Print the message ``cli.<key>`` (on stderr with ``err``)."""
    (err_console if err else console).print(
        Text(text(key, **values), style=style or ""), highlight=False)


def echo(message: str, *, err: bool = False) -> None:
    """Print a message composed from catalogue parts, as it is (no markup)."""
    (err_console if err else console).print(Text(message), highlight=False)


def synthetic_banner() -> None:
    """The warning every output of the synthetic demo carries."""
    console.print(Text(t("common.synthetic", lang()), style="bold yellow"), highlight=False)


def _labelled(label: str, style: str, message: str) -> None:
    err_console.print(Text.assemble((f"{text(f'label.{label}')}: ", f"bold {style}"),
                                    message), highlight=False)


def warn(message: str) -> None:
    """``warning: <message>`` in yellow on stderr."""
    _labelled("warning", "yellow", message)


def note(message: str | Message) -> None:
    """``note: <message>`` on stderr (the assumptions an analysis reports), a catalogue
    message in the chosen language."""
    _labelled("note", "yellow", message.render(lang()) if isinstance(message, Message)
              else message)


def alternatives(values: list[str] | tuple[str, ...], lang_: str | None = None) -> str:
    """``a, b or c`` (``a، b یا c``) in the chosen language."""
    language = lang_ or lang()
    values = [str(v) for v in values]
    if len(values) < 2:
        return "".join(values)
    comma = t("cli.words.comma", language)
    return t("cli.words.or", language, first=comma.join(values[:-1]), last=values[-1])


# --- Help texts -------------------------------------------------------------------------------
class Texts:
    """The help texts of one command in one language: ``cli.<command>.help``,
    ``cli.<command>.argument.<name>`` and ``cli.<command>.option.<name>``, falling back to
    ``cli.common.argument.<name>`` / ``cli.common.option.<name>`` for what several commands
    share (the workspace argument, ``--output``…)."""

    def __init__(self, lang: str, command: str):
        self.lang = lang
        self.command = command

    def __call__(self, key: str, **values: object) -> str:
        own = f"{self.command}.{key}"
        if own not in namespace("cli") and key.startswith(("argument.", "option.")):
            own = f"common.{key}"
        return t(f"cli.{own}", self.lang, **values)

    def arg(self, name: str, **values: object) -> str:
        return self(f"argument.{name}", **values)

    def opt(self, name: str, **values: object) -> str:
        return self(f"option.{name}", **values)


# Typer's own words (panel titles, [default: …], "Try … for help") by catalogue key: Typer reads
# these module constants when it prints, so they are swapped for the run of a Persian command.
_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": ("help.arguments", {}),
    "OPTIONS_PANEL_TITLE": ("help.options", {}),
    "COMMANDS_PANEL_TITLE": ("help.commands", {}),
    "ERRORS_PANEL_TITLE": ("help.error", {}),
    "DEFAULT_STRING": ("help.default", {"value": "{}"}),
    "REQUIRED_LONG_STRING": ("help.required", {}),
    "ABORTED_TEXT": ("help.aborted", {}),
    "RICH_HELP": ("help.try", {"command_path": "{command_path}",
                               "help_option": "{help_option}"}),
}


@contextmanager
def _typer_words(language: str) -> Iterator[None]:
    """Typer's words in ``language`` while the block runs (English needs nothing)."""
    if language == "en":
        yield
        return
    from typer import rich_utils

    saved = {name: getattr(rich_utils, name) for name in _TYPER_WORDS if hasattr(rich_utils,
                                                                                 name)}
    try:
        for name in saved:
            key, values = _TYPER_WORDS[name]
            setattr(rich_utils, name, t(f"cli.{key}", language, **values))
        yield
    finally:
        for name, value in saved.items():
            setattr(rich_utils, name, value)


class _Localised:
    """Help of a command in the language its app was built for: the usage line and the
    ``--help`` option itself."""

    lang = "en"

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        # a mixin: the click Command it is mixed into has this method, the mixin alone not
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces),
                              prefix=f"{t('cli.help.usage', self.lang)} ")

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]  # mixin: click's method
        if option is not None:
            option.help = t("cli.help.help_option", self.lang)
        return option


#: ``ctx.meta`` key of the ``--errors FILE`` of the running command (ValidationError lists).
ERRORS_FILE = "khooshe.errors_file"


class _Command(_Localised, TyperCommand):
    def invoke(self, ctx: Any) -> Any:
        # The meta dict is shared with the group's context, where the error handler runs.
        ctx.meta[ERRORS_FILE] = ctx.params.get("errors")
        return super().invoke(ctx)


class _Group(_Localised, TyperGroup):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        with _typer_words(self.lang):
            return super().main(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException, EOFError, BrokenPipeError):
            raise  # Typer's own: usage errors, exits, end of input, a closed pipe (| head)
        except Exception as exc:  # the one place errors become messages and exit codes
            try:
                code = handle_error(exc, ctx.meta.get(ERRORS_FILE))
            except Exception as failure:  # e.g. the --errors file could not be written
                code = handle_error(failure)
            raise typer.Exit(code) from None


@cache
def command_classes(language: str) -> tuple[type[TyperGroup], type[TyperCommand]]:
    """The group and command classes of an app built in ``language``."""
    group = type(f"KhoosheGroup_{language}", (_Group,), {"lang": language})
    command = type(f"KhoosheCommand_{language}", (_Command,), {"lang": language})
    return group, command


# --- Errors -----------------------------------------------------------------------------------
def abort(message: str) -> NoReturn:
    """Stop the command: bad input (exit 2), ``message`` printed by the error handler."""
    raise InputError(message)


def date_option(value: str | None, option: str) -> dt.date | None:
    """The date typed for ``option`` (Jalali or Gregorian, Persian digits too), None when not
    given; a wrong date stops the command naming the option (exit 2)."""
    from khooshe.text.jalali import parse_date

    try:
        return parse_date(value) if value else None
    except ValueError:
        abort(text("common.bad_date", option=option, value=value))


def log_candidates() -> list[Path]:
    """Where the traceback of an unexpected error goes: ``$KHOOSHE_LOG``, else
    ``~/.cache/khooshe/khooshe.log``, else the system's temporary directory."""
    paths = []
    if os.environ.get("KHOOSHE_LOG"):
        paths.append(Path(os.environ["KHOOSHE_LOG"]).expanduser())
    paths.append(Path.home() / ".cache" / "khooshe" / "khooshe.log")
    paths.append(Path(tempfile.gettempdir()) / "khooshe.log")
    return paths


def write_log(detail: str) -> Path:
    """Append ``detail`` (a traceback) to the log, with the time and the command line; the
    path written, or ``OSError`` when no candidate is writable."""
    import datetime as dt

    stamp = dt.datetime.now().isoformat(timespec="seconds")
    entry = f"--- {stamp} khooshe {' '.join(sys.argv[1:])}\n{detail.rstrip()}\n"
    problem: OSError | None = None
    for path in log_candidates():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(entry)
            return path
        except OSError as exc:  # read-only home, full disk: try the next place
            problem = exc
    raise problem or OSError("no log file")


def log_exception(exc: BaseException) -> str:
    """Write ``exc``'s traceback to the log; the text that says where (or why not)."""
    try:
        return str(write_log("".join(traceback.format_exception(exc))))
    except OSError as problem:
        return text("error.no_log", reason=str(problem))


def print_error(message: str) -> None:
    """``error: <message>`` in red on stderr."""
    err_console.print(Text.assemble((f"{text('label.error')}: ", "bold red"), (message, "red")),
                      highlight=False)


def report_invalid(exc: ValidationError, errors: Path | None) -> None:
    """The row-by-row problems of an invalid table (and all of them in ``errors``)."""
    err_console.print(Text(text("invalid" if exc.bad_rows else "invalid_header",
                                source=exc.source or exc.kind, n=exc.total,
                                rows=exc.bad_rows), style="bold red"), highlight=False)
    limit = 200
    for issue in exc.issues[:limit]:
        err_console.print(Text(f"  {issue.line(lang())}"), highlight=False)
    if exc.total > limit:
        err_console.print(Text(text("error.more", n=exc.total - limit)), highlight=False)
    if errors is not None:
        from khooshe.io.tables import write_table

        write_table(exc.to_frame(), errors)
        err_console.print(Text(text("error.errors_written", path=str(errors))), highlight=False)


def handle_error(exc: BaseException, errors: Path | None = None) -> int:
    """Print ``exc`` for a person and return the exit code.

    * A :class:`~khooshe.domain.validate.ValidationError`: every problem, row by row (all of
      them written to ``errors`` when given); 2.
    * Any other :class:`~khooshe.domain.errors.KhoosheError`: ``error: <message>``; its
      ``exit_code`` (2 for bad input).
    * ``ValueError``: the library's convention for bad input, which analyses and services
      not yet moved to ``InputError`` still raise; 2. A missing file or directory: 2.
    * Another ``OSError`` (permissions, a full disk): the message; 1.
    * Anything else is a bug: one line naming the log file that holds the traceback; 1.
    """
    from khooshe.domain.validate import ValidationError

    if isinstance(exc, ValidationError):
        report_invalid(exc, errors)
        return exc.exit_code
    if isinstance(exc, KhoosheError):
        print_error(exc.text(lang()))
        return exc.exit_code
    if isinstance(exc, FileNotFoundError | IsADirectoryError | NotADirectoryError):
        print_error(f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc))
        return 2
    if isinstance(exc, ValueError):
        print_error(str(exc))
        return 2
    if isinstance(exc, OSError):
        print_error(str(exc))
        return 1
    where = log_exception(exc)
    err_console.print(Text(text("error.unexpected", type=type(exc).__name__, message=str(exc),
                                log=where), style="red"), highlight=False)
    return 1


@contextmanager
def printed_warnings() -> Iterator[None]:
    """Print the warnings raised in the block (summed duplicates, missing values…) as
    ``warning: …`` lines, also when the block fails."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                warn(str(w.message))


def engine_of(kind: str, scheduler: str | None) -> Engine:
    """The engine of ``--engine`` and ``--scheduler`` (bad combinations stop the command,
    exit 2). Dask itself is loaded only when the engine maps something."""
    from khooshe.services.engine import Engine

    return Engine(kind, scheduler=scheduler)


# --- Files and workspaces ---------------------------------------------------------------------
def check_outputs(*paths: Path | None) -> None:
    """Fail before any work when an output file's extension is not one khooshe writes."""
    from khooshe.io.tables import table_format

    for path in paths:
        if path is not None:
            table_format(path)


def check_derived(*paths: Path | None, force: bool = False) -> None:
    """Refuse, before any work, to overwrite a file the user did not name (one khooshe derives
    from the output's name, such as ``<stem>_counties.csv``) unless ``--force`` is given."""
    from khooshe.io.tables import table_format

    for path in paths:
        if path is None:
            continue
        if path.suffix.lower() != ".html":
            table_format(path)
        if not force and (path.exists() or path.is_symlink()):
            raise InputError(Message("io.write.exists", {"path": str(path)}))


@contextmanager
def open_workspace(path: Path) -> Iterator[Workspace]:
    """The workspace at ``path``, closed when the block ends (``WorkspaceError`` when it is
    not one)."""
    from khooshe.store.workspace import Workspace

    ws = Workspace.open(path)
    try:
        yield ws
    finally:
        ws.close()


def current_actor() -> str:
    """Who makes a change from the command line, for the audit trail: ``cli:<os user>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli:unknown"
