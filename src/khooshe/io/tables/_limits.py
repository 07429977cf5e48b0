"""Reading limits (:class:`Limits`, ``KHOOSHE_LIMITS``), the table errors, the format by suffix."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from khooshe.domain.errors import InputError
from khooshe.text.messages import Message

TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Environment variable holding limits to raise, e.g. ``KHOOSHE_LIMITS="rows=20000000"``.
LIMITS_ENV = "KHOOSHE_LIMITS"


class TableFormatError(InputError):
    """A file whose format khooshe cannot read or write."""


class LimitError(TableFormatError):
    """A file beyond one of the reading :class:`Limits`."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what :func:`read_table` reads (raise them with ``KHOOSHE_LIMITS``, e.g.
    ``KHOOSHE_LIMITS="rows=20000000,file_mb=4096"``).

    Attributes
    ----------
    file_mb : float
        Size of the file on disk.
    rows : int
        Data rows.
    columns : int
        Columns.
    cell_chars : int
        Characters in one cell (a county boundary as GeoJSON is well under a million).
    unzipped_mb : float
        Decompressed size of an XLSX file (all its parts), and of a Parquet file's data (its
        text as decoded, too).
    parts : int
        Parts (files) in an XLSX archive (a workbook has a few dozen).
    blank_rows : int
        Empty rows in a row inside a sheet's table (a value far below the table is more
        likely a stray keystroke than data, and would make as many empty records).
    trade_rows : int
        Flows in one import of trade as BACI or Comtrade publish it (a BACI year is about ten
        million). They stream through DuckDB, which spills to disk, so this bounds the time
        and the disk an import takes, not its memory.
    period_rows : int
        Rows of one period of a long table read period by period (Parquet files of BACI
        years: about ten million a year). A period is summed in DuckDB, which spills to disk.
    """

    file_mb: float = 1024
    rows: int = 5_000_000
    columns: int = 200
    cell_chars: int = 5_000_000
    unzipped_mb: float = 512
    parts: int = 10_000
    blank_rows: int = 10_000
    trade_rows: int = 60_000_000
    period_rows: int = 60_000_000

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, with what ``KHOOSHE_LIMITS`` raises or lowers."""
        text = os.environ.get(LIMITS_ENV, "").strip()
        limits = cls()
        if not text:
            return limits
        changes: dict[str, Any] = {}  # each limit's own type (int or float)
        for part in text.split(","):
            name, _, value = part.partition("=")
            name = name.strip()
            if name not in cls.__dataclass_fields__:
                raise InputError(f"{LIMITS_ENV}: unknown limit {name!r}; choose from "
                                 f"{', '.join(cls.__dataclass_fields__)}")
            try:
                changes[name] = type(getattr(limits, name))(float(value))
            except ValueError:
                raise InputError(f"{LIMITS_ENV}: {name}={value!r} is not a number") from None
        return replace(limits, **changes)


#: What a limit bounds, by the words the readers use: its catalogue message.
_WHAT = {"file size in MB": "file_size", "number of columns": "columns",
         "number of rows": "rows", "decompressed size in MB": "unzipped",
         "number of parts in the archive": "parts",
         "number of columns the sheet declares": "declared_columns",
         "decoded size of its text in MB": "decoded_text"}


def too_big(path: Path, what: str | Message, value: float, limit: float,
            name: str) -> LimitError:
    """The refusal of a file beyond one of the :class:`Limits` (``what`` the words of
    :data:`_WHAT`, or a catalogue message), naming the limit and how to raise it, in fa and
    en."""
    if isinstance(what, str):
        what = Message(f"io.limit.what.{_WHAT[what]}")
    return LimitError(Message("io.limit.over", {"path": str(path), "what": what,
                                                 "value": float(value), "limit": float(limit),
                                                 "name": name}))


def table_format(path: str | Path) -> str:
    """Return ``csv``, ``xlsx`` or ``parquet`` from the file's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise TableFormatError(Message("io.read.unsupported", {
            "path": str(path), "suffix": suffix or Message("io.read.no_suffix"),
            "suffixes": ", ".join(TABLE_SUFFIXES)}))
    return suffix[1:]
