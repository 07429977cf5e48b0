"""DuckDB, as the readers of large files use it: a connection, quoted SQL, glob patterns."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection


def is_pattern(path: str | Path) -> bool:
    """Whether ``path`` is a glob pattern (``BACI_HS17_Y20*.csv``) rather than one file."""
    return any(ch in str(path) for ch in "*?[")


def sql_text(s: str) -> str:
    """``s`` as an SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def connect(*, memory_limit: str | None, threads: int | None) -> DuckDBPyConnection:
    """A DuckDB connection within ``memory_limit`` (beyond it DuckDB spills to disk) on
    ``threads`` threads (None: one per core), without a progress bar: DuckDB would draw it on
    the user's console in the middle of a command."""
    import duckdb

    config: dict[str, str | bool | int | float | list[str]] = {}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = int(threads)
    con = duckdb.connect(config=config)
    con.execute("SET enable_progress_bar = false")
    return con


__all__ = ["connect", "ident", "is_pattern", "sql_text"]
