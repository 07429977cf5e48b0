"""Back up a workspace to one portable file and restore it into a new workspace.

A backup is a zip archive holding ``manifest.json`` (what it is: khooshe's version, the schema
revision, the workspace's name, when, how many records of each kind) and one Parquet file per
table — every kind and the audit trail, every column (the normalised matching keys too).
Parquet keeps types exactly, so a restore gives back the same records, and a backup made on
SQLite restores onto PostgreSQL and back.

The snapshot is consistent while the workspace is in use: on SQLite it is taken with SQLite's
backup API (a page-by-page copy of one committed state), on PostgreSQL inside one
``REPEATABLE READ`` transaction. A restore refuses a backup made by a newer khooshe (a schema
revision it does not know) and never writes into an existing workspace.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Integer, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError

from khooshe import __version__
from khooshe.domain.errors import InputError
from khooshe.io.tables import atomic_path
from khooshe.store.repository import BATCH, log
from khooshe.store.tables import TABLES, audit_log
from khooshe.store.workspace import CONFIG_NAME, Workspace, WorkspaceError
from khooshe.text.messages import Message

MANIFEST = "manifest.json"
FORMAT = "khooshe-backup"
FORMAT_VERSION = 1
#: Every table a backup holds, in the order a restore loads them.
BACKUP_TABLES = {**TABLES, "audit_log": audit_log}


@dataclass(frozen=True)
class BackupReport:
    path: Path
    schema_revision: str
    counts: dict[str, int]


def _read_all(conn: Connection) -> dict[str, pd.DataFrame]:
    """Every table; integer columns as nullable Int64, so values beyond 2**53 stay exact."""
    frames = {}
    for name, table in BACKUP_TABLES.items():
        rows = conn.execute(select(table)).all()
        df = pd.DataFrame(rows, columns=[c.name for c in table.columns], dtype=object)
        for col in table.columns:
            if isinstance(col.type, Integer):  # BigInteger too
                df[col.name] = pd.array(df[col.name].tolist(), dtype="Int64")
        frames[name] = df
    return frames


def _snapshot(ws: Workspace) -> tuple[str, dict[str, pd.DataFrame]]:
    """The schema revision and every table, from one consistent state of the database."""
    if ws.engine.dialect.name == "sqlite":
        source = ws.engine.url.database
        if source in (None, "", ":memory:"):
            # an in-memory database lives in this process's one connection: read it there
            # (a new connection would open another, empty database)
            with ws.engine.connect() as conn, conn.begin():
                revision = conn.execute(text("select version_num from alembic_version"))
                return revision.scalar_one(), _read_all(conn)
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "snapshot.db"
            with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)  # SQLite's online backup: one committed state, page by page
            engine = create_engine(f"sqlite:///{copy}")
            try:
                with engine.connect() as conn:
                    revision = conn.execute(text("select version_num from alembic_version"))
                    return revision.scalar_one(), _read_all(conn)
            finally:
                engine.dispose()
    with ws.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            revision = conn.execute(text("select version_num from alembic_version"))
            return revision.scalar_one(), _read_all(conn)


def backup(ws: Workspace, path: str | Path, *,
           on_progress: Callable[[str], None] | None = None) -> BackupReport:
    """Write a backup of ``ws`` to ``path`` (a new ``.zip`` file; written atomically)."""
    path = Path(path)
    if path.suffix.lower() != ".zip":
        raise InputError(f"{path}: a backup is written as a .zip file")
    revision, frames = _snapshot(ws)
    counts = {name: len(df) for name, df in frames.items()}
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "khooshe": __version__,
                "schema_revision": revision, "workspace": ws.name, "synthetic": ws.synthetic,
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "counts": counts}
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        for name, df in frames.items():
            if on_progress:
                on_progress(name)
            with archive.open(f"{name}.parquet", "w") as fh:
                df.to_parquet(fh, index=False)
    return BackupReport(path, revision, counts)


def read_manifest(path: str | Path) -> dict:
    """The manifest of a backup file, or :class:`InputError` if it is not one."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError, zlib.error,
            NotImplementedError) as exc:
        raise InputError(Message("backup.not_a_backup", {
            "path": str(path), "reason": type(exc).__name__})) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(Message("backup.not_a_backup", {
            "path": str(path), "reason": f"no {FORMAT} manifest"}))
    return manifest


def _damaged(path: Path, reason: str) -> InputError:
    return InputError(Message("backup.damaged", {"path": str(path), "reason": reason}))


def _read_tables(path: Path, manifest: dict) -> dict[str, pd.DataFrame]:
    """Every table of the backup, checked before anything is created: each part intact (its
    CRC), readable Parquet, the columns of its table and the number of rows the manifest
    states; :class:`InputError` naming the first damage otherwise."""
    counts = manifest.get("counts")
    if not isinstance(counts, dict):
        raise _damaged(path, "the manifest lists no counts")
    frames: dict[str, pd.DataFrame] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for name, table in BACKUP_TABLES.items():
                part = f"{name}.parquet"
                if part not in names:
                    if counts.get(name):
                        raise _damaged(path, f"{part} is missing")
                    continue
                with archive.open(part) as fh:  # reading to the end checks the CRC
                    df = pd.read_parquet(io.BytesIO(fh.read()))
                unknown = set(df.columns) - {c.name for c in table.columns}
                if unknown:
                    raise _damaged(path, f"{part}: unknown columns {sorted(unknown)}")
                if len(df) != counts.get(name, len(df)):
                    raise _damaged(path, f"{part}: {len(df)} rows, the manifest says "
                                         f"{counts.get(name)}")
                frames[name] = df
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, zlib, Parquet: every reader its own errors
        raise _damaged(path, f"{type(exc).__name__}: {exc}") from exc
    return frames


def _remove_created(ws: Workspace, root: Path, before: set[Path] | None) -> None:
    """Undo :meth:`Workspace.create` after a failed restore: its tables dropped from the
    database, the files it made removed (``root`` too when it did not exist: ``before`` is
    None; else the files not in ``before``)."""
    import shutil

    from khooshe.store.tables import metadata

    try:
        with ws.engine.begin() as conn:
            metadata.drop_all(conn)
            conn.execute(text("drop table if exists alembic_version"))
    finally:
        ws.close()
    if before is None:
        shutil.rmtree(root, ignore_errors=True)
        return
    for made in set(root.iterdir()) - before:
        if made.is_dir() and not made.is_symlink():
            shutil.rmtree(made, ignore_errors=True)
        else:
            made.unlink(missing_ok=True)


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from khooshe.store.workspace import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def restore(path: str | Path, root: str | Path, *, db: str | None = None,
            actor: str) -> Workspace:
    """Restore the backup ``path`` into a new workspace at ``root`` (optionally on ``db``).

    Raises
    ------
    InputError
        Not a backup, a backup of a newer schema, or ``root`` already a workspace.
    """
    path, root = Path(path), Path(root)
    manifest = read_manifest(path)
    revision = manifest.get("schema_revision")
    if revision not in _known_revisions():
        raise InputError(Message("backup.newer", {"path": str(path), "revision": str(revision),
                                                  "version": str(manifest.get("khooshe"))}))
    if (root / CONFIG_NAME).exists():
        raise WorkspaceError(f"{root} is already a workspace; restore into a new directory")
    frames = _read_tables(path, manifest)  # a damaged backup is refused before any write
    before = set(root.iterdir()) if root.is_dir() else None
    ws = Workspace.create(root, db=db, name=str(manifest.get("workspace") or root.name),
                          synthetic=bool(manifest.get("synthetic")))
    try:
        with ws.engine.begin() as conn:
            for name, table in BACKUP_TABLES.items():
                if name not in frames:
                    continue
                df = frames.pop(name)
                # audit rows get new ids (in their old order): a restored id would leave
                # PostgreSQL's sequence behind
                if name == "audit_log" and "id" in df.columns:
                    df = df.sort_values("id").drop(columns="id")
                cols = [c.name for c in table.columns if c.name in df.columns]
                part = df[cols].astype(object)
                records = part.where(part.notna(), None).to_dict("records")
                for start in range(0, len(records), BATCH):
                    conn.execute(table.insert(), records[start: start + BATCH])
            log(conn, actor=actor, action="restore", kind="workspace",
                rows=sum(manifest.get("counts", {}).values()), source=path.name,
                detail=f"backup of {manifest.get('created')}, schema {revision}")
    except Exception as exc:
        _remove_created(ws, root, before)  # nothing left behind: no half-made workspace
        if isinstance(exc, SQLAlchemyError | ValueError | TypeError):
            raise _damaged(path, f"{type(exc).__name__}: {str(exc).splitlines()[0]}") \
                from exc
        raise
    return ws


__all__ = ["BackupReport", "backup", "read_manifest", "restore"]
