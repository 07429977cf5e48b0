"""The errors khooshe raises on purpose, under one base class.

Every error a user can cause (a bad file, an unknown code, a workspace that is not one) is a
:class:`KhoosheError`. Interfaces map them without knowing each kind: the CLI prints the
message and exits with :attr:`KhoosheError.exit_code`; the web app answers with
:attr:`KhoosheError.http_status`. Anything else that escapes is a bug: the CLI logs its
traceback to a file and prints one line.

Bad-input errors also derive from :class:`ValueError`, so code written against the standard
library's convention (``except ValueError``) keeps working.
"""

from __future__ import annotations

from khooshe.text.messages import Message

#: Refusals name rows as a spreadsheet numbers them: the header occupies row 1 of a file, so
#: record ``i`` (0-based) is on row ``i + 2``, whatever the file's format.
FIRST_ROW = 2


class KhoosheError(Exception):
    """Base of every error khooshe raises on purpose.

    The message is a text (English) or a catalogue :class:`~khooshe.text.messages.Message`,
    which :meth:`text` renders in the reader's language (``str()`` gives English).
    """

    #: Exit code of the CLI (2: the input was wrong; 1: it could not be done).
    exit_code: int = 1
    #: HTTP status of the web app and the API.
    http_status: int = 400
    #: The error as a catalogue message (a ``khooshe.text.messages.Message``), when it has
    #: one: pages show it in the reader's language; ``str(error)`` stays English (the API).
    localized: object | None = None

    def __init__(self, *args: object, localized: object | None = None):
        super().__init__(*args)
        if localized is None and args and isinstance(args[0], Message):
            localized = args[0]  # an error raised with a catalogue message is its own
        if localized is not None:
            self.localized = localized

    def __str__(self) -> str:
        first = self.args[0] if self.args else ""
        return first.render("en") if isinstance(first, Message) else super().__str__()

    def text(self, lang: str) -> str:
        """The message in ``lang`` (English when the error has no catalogue message)."""
        if isinstance(self.localized, Message):
            return self.localized.render(lang)
        return str(self)


class InputError(KhoosheError, ValueError):
    """The input (a file, an argument, a value) is wrong; nothing was changed."""

    exit_code = 2
    http_status = 422


class NotFoundError(InputError, LookupError):
    """A record, file or code that does not exist."""

    http_status = 404


class MissingFileError(NotFoundError, FileNotFoundError):
    """An input file that does not exist."""


class ConflictError(KhoosheError):
    """The change conflicts with the stored state (e.g. it was edited meanwhile)."""

    exit_code = 1
    http_status = 409


class InfeasibleError(InputError):
    """The request is well-formed but no answer satisfies it (e.g. an unreachable target).

    ``largest`` is the largest value that *is* reachable, when known.
    """

    def __init__(self, message: str | Message, largest: float | None = None):
        super().__init__(message)
        self.largest = largest


__all__ = [
    "ConflictError",
    "InfeasibleError",
    "InputError",
    "KhoosheError",
    "MissingFileError",
    "NotFoundError",
]
