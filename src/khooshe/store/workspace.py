"""A workspace: a directory with ``khooshe.toml`` and, by default, an SQLite database.

``khooshe.toml``::

    [workspace]
    name = "demo"
    synthetic = true          # set by ``khooshe demo``; every output then says so

    [database]
    url = "sqlite:///khooshe.db"   # relative SQLite paths are inside the workspace

Any SQLAlchemy URL works, e.g. ``postgresql+psycopg://user@host:5432/db``. Opening a workspace
brings its database to the newest schema with Alembic, so an older workspace keeps working.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url

from khooshe.domain.errors import InputError
from khooshe.store.tables import TABLES

CONFIG_NAME = "khooshe.toml"
DEFAULT_DB = "sqlite:///khooshe.db"
MIGRATIONS = Path(__file__).with_name("migrations")


class WorkspaceError(InputError):
    """A directory that is not a usable workspace."""


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _resolve_url(url: str, root: Path) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        db = Path(parsed.database)
        if not db.is_absolute():
            return str(parsed.set(database=str((root / db).resolve())))
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_connection.cursor()
    # WAL lets the web app read while an import writes; foreign keys are checked by khooshe.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@dataclass
class Workspace:
    """An open workspace. Use :meth:`create` or :meth:`open`."""

    root: Path
    url: str
    name: str = ""
    synthetic: bool = False
    _engine: Engine | None = field(default=None, repr=False)

    @classmethod
    def create(
        cls,
        root: str | Path,
        *,
        db: str | None = None,
        name: str | None = None,
        synthetic: bool = False,
        exist_ok: bool = False,
    ) -> Workspace:
        """Create ``root`` with a ``khooshe.toml`` and an up-to-date database."""
        root = Path(root)
        config = root / CONFIG_NAME
        if config.exists() and not exist_ok:
            raise WorkspaceError(f"{root} is already a workspace ({CONFIG_NAME} exists)")
        if db is not None:
            try:
                make_url(db)
            except Exception as exc:  # SQLAlchemy raises ArgumentError with a terse message
                raise WorkspaceError(f"not a database URL: {db!r} ({exc})") from exc
        root.mkdir(parents=True, exist_ok=True)
        values = {
            "workspace": {"name": name or root.resolve().name, "synthetic": synthetic},
            "database": {"url": db or DEFAULT_DB},
        }
        lines: list[str] = []
        for section, items in values.items():
            lines.append(f"[{section}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in items.items())
            lines.append("")
        config.write_text("\n".join(lines), encoding="utf-8")
        ws = cls.open(root)
        return ws

    @classmethod
    def open(cls, root: str | Path) -> Workspace:
        """Open an existing workspace and migrate its database to the newest schema."""
        root = Path(root)
        config = root / CONFIG_NAME
        if not config.is_file():
            raise WorkspaceError(
                f"{root} is not a khooshe workspace (no {CONFIG_NAME}); "
                "create one with `khooshe init` or `khooshe demo`"
            )
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise WorkspaceError(f"{config}: invalid TOML: {exc}") from exc
        url = data.get("database", {}).get("url", DEFAULT_DB)
        meta = data.get("workspace", {})
        ws = cls(root=root, url=_resolve_url(url, root), name=meta.get("name", root.name),
                 synthetic=bool(meta.get("synthetic", False)))
        ws.migrate()
        return ws

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.url, future=True)
            if self._engine.dialect.name == "sqlite":
                event.listen(self._engine, "connect", _sqlite_pragmas)
        return self._engine

    def migrate(self) -> None:
        """Upgrade the database to the newest Alembic revision."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def counts(self) -> dict[str, int]:
        """Number of records of every kind."""
        with self.engine.connect() as conn:
            return {
                kind: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for kind, table in TABLES.items()
            }

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
