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
import json
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Float, Integer, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError

from khooshe import __version__
from khooshe.domain.errors import InputError
from khooshe.io.tables import atomic_path
from khooshe.store.repository import BATCH, finish_totals, log
from khooshe.store.tables import TABLES, audit_log
from khooshe.store.trade import LoadTotals
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


#: Rows of a table read, written and restored at a time: a workspace holding a BACI year (ten
#: million flows) is backed up and restored without being held in memory.
CHUNK_ROWS = 100_000


def _arrow_type(column):
    """The Parquet type of a column of the database, for a part whose first rows are empty."""
    import pyarrow as pa

    kind = column.type
    if isinstance(kind, Integer):  # BigInteger too
        return pa.int64()
    if isinstance(kind, Float):
        return pa.float64()
    if isinstance(kind, DateTime):
        return pa.timestamp("us", tz="UTC" if kind.timezone else None)
    if isinstance(kind, Date):
        return pa.date32()
    return pa.string()


def _write_table(conn: Connection, table, archive: zipfile.ZipFile) -> int:
    """``table`` written to ``archive`` as one Parquet part, by primary key, a chunk at a time;
    returns its rows. Integer columns are nullable Int64, so values beyond 2**53 stay exact;
    the part's types are the first chunk's, a column empty there typed from the database."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [c.name for c in table.columns]
    ints = [c.name for c in table.columns if isinstance(c.type, Integer)]
    query = select(table).order_by(*table.primary_key.columns)
    result = conn.execution_options(yield_per=CHUNK_ROWS).execute(query)
    rows, writer, schema = 0, None, None

    def write(part) -> None:
        nonlocal rows, writer, schema
        df = pd.DataFrame(part, columns=names, dtype=object)
        for name in ints:
            df[name] = pd.array(df[name].tolist(), dtype="Int64")
        if schema is None:
            inferred = pa.Table.from_pandas(df, preserve_index=False).schema
            schema = pa.schema([pa.field(f.name, _arrow_type(table.c[f.name]))
                                if pa.types.is_null(f.type) else f for f in inferred],
                               metadata=inferred.metadata)
            writer = pq.ParquetWriter(fh, schema)
        writer.write_table(pa.Table.from_pandas(df, schema=schema, preserve_index=False))
        rows += len(df)

    with archive.open(f"{table.name}.parquet", "w", force_zip64=True) as fh:
        try:
            for part in result.partitions():
                write(part)
            if writer is None:
                write([])  # a table without rows: its part, typed, all the same
        finally:
            if writer is not None:
                writer.close()
    return rows


@contextmanager
def _snapshot(ws: Workspace) -> Iterator[tuple[str, Connection]]:
    """The schema revision and a connection reading one consistent state of the database."""
    if ws.engine.dialect.name == "sqlite":
        source = ws.engine.url.database
        if source in (None, "", ":memory:"):
            # an in-memory database lives in this process's one connection: read it there
            # (a new connection would open another, empty database)
            with ws.engine.connect() as conn, conn.begin():
                revision = conn.execute(text("select version_num from alembic_version"))
                yield revision.scalar_one(), conn
                return
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "snapshot.db"
            with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)  # SQLite's online backup: one committed state, page by page
            engine = create_engine(f"sqlite:///{copy}")
            try:
                with engine.connect() as conn:
                    revision = conn.execute(text("select version_num from alembic_version"))
                    yield revision.scalar_one(), conn
            finally:
                engine.dispose()
        return
    with ws.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            revision = conn.execute(text("select version_num from alembic_version"))
            yield revision.scalar_one(), conn


def backup(ws: Workspace, path: str | Path, *,
           on_progress: Callable[[str], None] | None = None) -> BackupReport:
    """Write a backup of ``ws`` to ``path`` (a new ``.zip`` file; written atomically).

    Every table is written a chunk of :data:`CHUNK_ROWS` rows at a time, so the memory a
    backup takes does not grow with the workspace."""
    path = Path(path)
    if path.suffix.lower() != ".zip":
        raise InputError(f"{path}: a backup is written as a .zip file")
    counts: dict[str, int] = {}
    with _snapshot(ws) as (revision, conn), atomic_path(path) as tmp, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in BACKUP_TABLES.items():
            if on_progress:
                on_progress(name)
            counts[name] = _write_table(conn, table, archive)
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "khooshe": __version__,
                    "schema_revision": revision, "workspace": ws.name,
                    "synthetic": ws.synthetic,
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "counts": counts}
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
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


def _extract(path: Path, manifest: dict, folder: Path) -> dict[str, Path]:
    """Every table of the backup copied to ``folder`` as its Parquet file, each checked before
    anything is created: intact (its CRC), readable Parquet, the columns of its table and the
    number of rows the manifest states; :class:`InputError` naming the first damage
    otherwise. The tables are read from these files a batch at a time."""
    import shutil

    import pyarrow.parquet as pq

    counts = manifest.get("counts")
    if not isinstance(counts, dict):
        raise _damaged(path, "the manifest lists no counts")
    files: dict[str, Path] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for name, table in BACKUP_TABLES.items():
                part = f"{name}.parquet"
                if part not in names:
                    if counts.get(name):
                        raise _damaged(path, f"{part} is missing")
                    continue
                target = folder / part
                with archive.open(part) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)  # to the end: the CRC is checked
                parquet = pq.ParquetFile(target)
                unknown = set(parquet.schema_arrow.names) - {c.name for c in table.columns}
                if unknown:
                    raise _damaged(path, f"{part}: unknown columns {sorted(unknown)}")
                rows = parquet.metadata.num_rows
                if rows != counts.get(name, rows):
                    raise _damaged(path, f"{part}: {rows} rows, the manifest says "
                                         f"{counts.get(name)}")
                files[name] = target
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, zlib, Parquet: every reader its own errors
        raise _damaged(path, f"{type(exc).__name__}: {exc}") from exc
    return files


def _batches(file: Path, name: str) -> Iterator[pd.DataFrame]:
    """The rows of a table's Parquet file, :data:`CHUNK_ROWS` at a time. Audit rows come in
    the order of their ids and without them (they get new ones: a restored id would leave
    PostgreSQL's sequence behind); a backup of an earlier khooshe, not written in id order,
    has its audit rows sorted whole."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(file)
    if name == "audit_log" and "id" in parquet.schema_arrow.names:
        ids = pq.read_table(file, columns=["id"]).column("id").to_numpy()
        if (ids[1:] < ids[:-1]).any():
            yield pd.read_parquet(file).sort_values("id").drop(columns="id")
            return
    for batch in parquet.iter_batches(batch_size=CHUNK_ROWS):
        df = batch.to_pandas()
        yield df.drop(columns="id") if name == "audit_log" and "id" in df.columns else df


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
    with tempfile.TemporaryDirectory(prefix="khooshe-restore-") as folder:
        # a damaged backup is refused here, before anything is written
        files = _extract(path, manifest, Path(folder))
        before = set(root.iterdir()) if root.is_dir() else None
        ws = Workspace.create(root, db=db, name=str(manifest.get("workspace") or root.name),
                              synthetic=bool(manifest.get("synthetic")))
        try:
            with ws.engine.begin() as conn:
                totals = LoadTotals(conn)  # derived from the flows, so not in the backup
                for name, table in BACKUP_TABLES.items():
                    if name not in files:
                        continue
                    for df in _batches(files[name], name):
                        cols = [c.name for c in table.columns if c.name in df.columns]
                        part = df[cols].astype(object)
                        records = part.where(part.notna(), None).to_dict("records")
                        for start in range(0, len(records), BATCH):
                            conn.execute(table.insert(), records[start: start + BATCH])
                        if name == "trade_flows":
                            totals.add(df)
                finish_totals(conn, totals)
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
