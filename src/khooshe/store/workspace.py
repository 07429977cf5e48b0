"""A workspace: a directory with ``khooshe.toml`` and, by default, an SQLite database.

``khooshe.toml``::

    [workspace]
    name = "demo"
    synthetic = true          # set by ``khooshe demo``; every output then says so

    [database]
    url = "sqlite:///khooshe.db"   # relative SQLite paths are inside the workspace

Any SQLAlchemy URL works, e.g. ``postgresql://user@host:5432/db`` (psycopg 3 is used also when
the URL names no driver) or ``postgresql+psycopg://…``. Creating a
workspace builds its schema; opening one only *checks* that its database is at the schema this
khooshe needs and refuses otherwise, with the command to run (``khooshe migrate``), so opening
never writes to a database.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from khooshe.domain.errors import InputError
from khooshe.text.messages import Message

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


#: Database back ends a workspace may use.
BACKENDS = ("sqlite", "postgresql")


def _resolve_url(url: object, root: Path) -> str:
    """The URL with a relative SQLite path made absolute (inside the workspace), or a
    :class:`WorkspaceError` naming what is wrong with it."""
    if not isinstance(url, str) or not url.strip():
        raise WorkspaceError(f"{root / CONFIG_NAME}: [database] url must be a text URL, "
                             f"not {url!r}")
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError with a terse message
        raise WorkspaceError(f"{root / CONFIG_NAME}: not a database URL: {url!r}") from exc
    if parsed.get_backend_name() not in BACKENDS:
        raise WorkspaceError(f"{root / CONFIG_NAME}: database {parsed.get_backend_name()!r} is "
                             f"not supported; use one of {', '.join(BACKENDS)}")
    if parsed.drivername == "postgresql":
        # SQLAlchemy's default PostgreSQL driver is psycopg2; khooshe depends on psycopg 3
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
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
    #: Connections kept open for reuse (a server sets it to its number of worker threads
    #: before the first use of :attr:`engine`); None: SQLAlchemy's default pool.
    pool_size: int | None = field(default=None, repr=False)

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
            raise WorkspaceError(Message("workspace.refuse.exists", {
                "root": str(root), "config": CONFIG_NAME}))
        if db is not None:
            try:
                make_url(db)
            except Exception as exc:  # SQLAlchemy raises ArgumentError with a terse message
                raise WorkspaceError(f"not a database URL: {db!r} ({exc})") from exc
        root.mkdir(parents=True, exist_ok=True)
        ws_name = name or root.resolve().name
        meta: dict[str, object] = {"name": ws_name, "synthetic": synthetic}
        ws = cls(root=root, url=_resolve_url(db or DEFAULT_DB, root), name=ws_name,
                 synthetic=synthetic)
        try:
            ws.migrate()  # before khooshe.toml exists: a refused database leaves no workspace
        except WorkspaceError:
            ws.close()
            raise
        except Exception as exc:  # the driver's own errors: unreachable server, bad path …
            ws.close()
            raise ws._cannot_open(exc) from exc
        lines: list[str] = []
        sections: dict[str, dict[str, object]] = {"workspace": meta,
                                                  "database": {"url": db or DEFAULT_DB}}
        for section, items in sections.items():
            lines.append(f"[{section}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in items.items())
            lines.append("")
        config.write_text("\n".join(lines), encoding="utf-8")
        return ws

    @classmethod
    def open(cls, root: str | Path, *, check: bool = True) -> Workspace:
        """Open an existing workspace.

        With ``check`` (the default) its database must be at the schema revision this khooshe
        needs (:meth:`schema_state`); a workspace that is behind gets a :class:`WorkspaceError`
        naming ``khooshe migrate``. ``check=False`` is for :meth:`migrate` itself.
        """
        root = Path(root)
        config = root / CONFIG_NAME
        if not config.is_file():
            raise WorkspaceError(Message("workspace.refuse.not_workspace", {
                "root": str(root), "config": CONFIG_NAME}))
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise WorkspaceError(Message("workspace.refuse.invalid_toml", {
                "config": str(config), "error": str(exc)})) from exc
        database, meta = data.get("database", {}), data.get("workspace", {})
        if not isinstance(database, dict) or not isinstance(meta, dict):
            raise WorkspaceError(f"{config}: [database] and [workspace] must be tables")
        url = database.get("url", DEFAULT_DB)
        ws = cls(root=root, url=_resolve_url(url, root), name=meta.get("name", root.name),
                 synthetic=bool(meta.get("synthetic", False)))
        if check:
            try:
                ws.check_schema()
            except WorkspaceError:
                ws.close()
                raise
            except Exception as exc:  # the driver's own errors: unreachable server, no file …
                ws.close()
                raise ws._cannot_open(exc) from exc
        return ws

    def _cannot_open(self, exc: BaseException) -> WorkspaceError:
        shown = make_url(self.url).render_as_string(hide_password=True)
        first = str(exc).splitlines()[0] if str(exc) else ""
        return WorkspaceError(f"cannot open the database of workspace {self.root} ({shown}): "
                              f"{type(exc).__name__}: {first}")

    @classmethod
    def configured_url(cls, root: str | Path) -> str | None:
        """The database URL a workspace's ``khooshe.toml`` names as written (None when the
        file is missing or unreadable)."""
        try:
            data = tomllib.loads((Path(root) / CONFIG_NAME).read_text(encoding="utf-8"))
            url = data.get("database", {}).get("url")
        except (OSError, tomllib.TOMLDecodeError, AttributeError):
            return None
        return url if isinstance(url, str) else None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            pool = ({} if self.pool_size is None or self.url.startswith("sqlite:///:memory:")
                    or self.url in ("sqlite://", "sqlite:///") else
                    {"pool_size": self.pool_size, "max_overflow": 4})
            self._engine = create_engine(self.url, future=True, **pool)
            if self._engine.dialect.name == "sqlite":
                event.listen(self._engine, "connect", _sqlite_pragmas)
        return self._engine

    def _alembic(self):
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        return cfg

    def head_revision(self) -> str:
        """The newest schema revision this khooshe knows."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self._alembic()).get_current_head() or ""

    def schema_state(self) -> tuple[str | None, bool]:
        """The database's schema revision (None when it has none) and whether it has tables
        that are not khooshe's own bookkeeping (a database of something else)."""
        from alembic.migration import MigrationContext
        from sqlalchemy import inspect

        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            tables = set(inspect(conn).get_table_names())
        return current, bool(tables - {"alembic_version"})

    def check_schema(self) -> None:
        """Raise :class:`WorkspaceError` unless the database is at :meth:`head_revision`."""
        current, has_tables = self.schema_state()
        head = self.head_revision()
        if current == head:
            return
        if current is None:
            raise WorkspaceError(Message("workspace.refuse.foreign" if has_tables
                                         else "workspace.refuse.no_schema",
                                         {"root": str(self.root)}))
        raise WorkspaceError(Message("workspace.refuse.old_schema", {
            "root": str(self.root), "current": current, "head": head}))

    def migrate(self) -> tuple[str | None, str]:
        """Upgrade the database to the newest Alembic revision; returns (from, to).

        Refuses a database that holds other tables but no khooshe schema revision (another
        application's database), so khooshe never writes its tables into it.
        """
        from alembic import command

        current, has_tables = self.schema_state()
        if current is None and has_tables:
            raise WorkspaceError(f"the database of workspace {self.root} holds tables that "
                                 "are not a khooshe workspace's; khooshe will not write there")
        cfg = self._alembic()
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return current, self.head_revision()

    def counts(self) -> dict[str, int]:
        """Number of records of every kind."""
        from khooshe.store.repository import counts

        return counts(self.engine)

    def analyze(self) -> None:
        """Refresh the database's statistics (``ANALYZE``), so its planner knows the tables'
        sizes and the spread of their values: PostgreSQL had none after a bulk load and chose
        poor plans for the web app's lists until autovacuum came by."""
        from sqlalchemy import text

        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # Sample each index (as PostgreSQL does) rather than read it whole: ten
                # million trade flows took 2 s to analyse in full.
                conn.execute(text("PRAGMA analysis_limit = 1000"))
            conn.execute(text("ANALYZE"))

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
