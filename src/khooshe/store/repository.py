"""Record access: read, insert, update, delete and bulk upsert, each writing the audit trail.

Every change to a workspace goes through this module, inside the caller's transaction
(``with ws.engine.begin() as conn``), so a change and its audit rows commit or roll back
together. Who made the change (``actor``) is passed in by the interface: ``cli:<os user>`` for
the command line, the user name for the web app, ``demo`` for the demo build.

The audit trail (table ``audit_log``) keeps, per change:

* ``insert``, ``update``, ``delete`` of one record: the record's key and its values before and
  after (JSON), so any earlier value can be recovered;
* a bulk upsert (an import, the demo): one row with the number of records and the source, plus
  one ``update`` row per existing record it changed, with the changed values before and after.
  Inserted records are not copied into the log (their values are the records themselves).

Bulk upserts write only the columns the caller gives (``columns``): a column absent from an
imported file keeps its stored values.

Tables derived from records are kept here too, in the same transaction: every change of
``trade_flows`` brings ``trade_totals`` up to date (:func:`_derived` for a few records,
:func:`finish_totals` for a bulk upsert).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    delete,
    false,
    insert,
    select,
    tuple_,
    update,
)

from khooshe.domain.errors import ConflictError, InputError, NotFoundError
from khooshe.domain.schema import Entity, entity
from khooshe.store.tables import TABLES, VERSION, audit_log, trade_totals
from khooshe.store.trade import LoadTotals, refresh_totals

#: The workspace inside :func:`reading_once` in this thread, and its reads by kind.
_READ_CACHE: ContextVar[tuple[Any, dict[str, pd.DataFrame]] | None] = ContextVar(
    "khooshe_read_cache", default=None)

#: Rows per executemany batch.
BATCH = 10_000
#: On PostgreSQL, upserts of at least this many rows go through ``COPY`` (:func:`_copy_upsert`).
COPY_ROWS = 5_000
#: Records a streamed read (:func:`read_kind_chunks`) hands out at a time.
CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class UpsertReport:
    """What a bulk upsert did."""

    kind: str
    rows: int
    #: records whose key was new
    inserted: int
    #: records whose key existed (written again, whether or not a value changed)
    updated: int
    #: of those, records in which at least one value changed (each in the audit trail)
    changed: int
    source: str | None = None


# --- Values -------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A value as JSON and every database driver take it (None for missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _json(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps({k: _plain(v) for k, v in values.items() if k != VERSION},
                      ensure_ascii=False, sort_keys=True)


def record_key(kind: str, values: Mapping[str, Any]) -> str:
    """The key of a record as the audit trail stores it: its key values joined by ``|``."""
    return "|".join(str(_plain(values[k])) for k in entity(kind).key)


def _table(kind: str) -> tuple[Entity, Table]:
    return entity(kind), TABLES[kind]


def _db_value(table: Table, name: str, value: Any, dialect: str) -> Any:
    """A Python value as the column wants it through SQLAlchemy (dates as dates)."""
    value = _plain(value)
    if value is not None and table.c[name].type.python_type is dt.date and \
            isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


# --- Audit --------------------------------------------------------------------------------------
def log(conn: Connection, *, actor: str, action: str, kind: str, rows: int = 1,
        key: str | None = None, before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None, source: str | None = None,
        detail: str | None = None) -> None:
    """Write one audit row inside the caller's transaction."""
    conn.execute(insert(audit_log).values(
        at=dt.datetime.now(dt.UTC), actor=actor, action=action, kind=kind, rows=rows,
        record_key=key, before=_json(before), after=_json(after), source=source,
        detail=detail))


def _log_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(audit_log), rows[start: start + BATCH])


def history(conn: Connection, kind: str | None = None, key: str | None = None) -> pd.DataFrame:
    """The audit trail, newest first; of one kind, or of one record (``key`` as
    :func:`record_key` gives it). ``before`` and ``after`` are decoded to dicts."""
    query = select(audit_log).order_by(audit_log.c.id.desc())
    if kind is not None:
        query = query.where(audit_log.c.kind == kind)
    if key is not None:
        query = query.where(audit_log.c.record_key == key)
    rows = conn.execute(query).mappings().all()
    df = pd.DataFrame(rows, columns=[c.name for c in audit_log.columns])
    for col in ("before", "after"):
        df[col] = df[col].map(lambda v: None if v is None else json.loads(v))
    return df


# --- Reading ------------------------------------------------------------------------------------
def read_kind(source: Engine | Connection | Any, kind: str, *,
         columns: Sequence[str] | None = None,
         within: tuple[str, str] | None = None) -> pd.DataFrame:
    """Every record of ``kind`` as a DataFrame in the entity's column order, sorted by key.

    ``source`` is an engine, a connection or a workspace (anything with ``.engine``). Integers
    come back as ``Int64``, floats as ``float64``, dates as ISO text. ``within`` = (column,
    region code) keeps the records whose region ``column`` is that region or one below it (the
    database follows the regions' parents, so one province of a national register is read
    without the rest). Inside :func:`reading_once` on that workspace, a column of a kind is
    read from the database once (``within`` reads excepted) and every call gets a copy.
    """
    ent, table = _table(kind)
    names = list(columns or ent.names)
    held = _READ_CACHE.get()
    if held is not None and held[0] is source and within is None:
        return _cached(source, held[1], ent, table, names)
    query = select(*[table.c[n] for n in names])
    if within is not None:
        query = query.where(table.c[within[0]].in_(_region_and_below(within[1])))
    return _read(source, ent, query.order_by(*[table.c[k] for k in ent.key]), names)


def read_kind_chunks(source: Engine | Any, kind: str, *,
                     rows: int | None = None) -> Iterator[pd.DataFrame]:
    """Every record of ``kind``, as :func:`read_kind` gives them (every column, sorted by key,
    the same types), in frames of at most ``rows`` records (default :data:`CHUNK_ROWS`)
    streamed from the database: a kind
    of ten million records (a BACI year of trade flows) is exported without being held. At
    least one frame (an empty one for a kind without records); one read transaction, so the
    frames are one state of the records."""
    ent, table = _table(kind)
    names = list(ent.names)
    query = select(*[table.c[n] for n in names]).order_by(*[table.c[k] for k in ent.key])
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn, conn.begin():
        result = conn.execution_options(yield_per=rows or CHUNK_ROWS).execute(query)
        handed = False
        for part in result.partitions():
            handed = True
            yield typed_frame(pd.DataFrame(part, columns=names), ent)
        if not handed:
            yield typed_frame(pd.DataFrame(columns=names), ent)


def _region_and_below(code: str):
    """The codes of region ``code`` and of every region below it (a recursive query)."""
    regions = TABLES["regions"]
    tree = select(regions.c.code).where(regions.c.code == code).cte("tree", recursive=True)
    tree = tree.union(select(regions.c.code).where(regions.c.parent_code == tree.c.code))
    return select(tree.c.code)


def _cached(ws: Any, cache: dict[str, pd.DataFrame], ent: Entity, table: Table,
            names: list[str]) -> pd.DataFrame:
    """``names`` of ``ent`` from the cache, the columns not read yet read (with the key, in
    key order) and kept beside the others."""
    have = cache.get(ent.kind)
    missing = [n for n in names if have is None or n not in have.columns]
    if missing:
        key = list(ent.key)

        def read(wanted: set[str]) -> pd.DataFrame:
            cols = [n for n in ent.names if n in wanted | set(key)]
            query = select(*[table.c[n] for n in cols]).order_by(*[table.c[k] for k in key])
            return _read(ws.engine, ent, query, cols)

        new = read(set(missing))
        if have is None:
            have = new
        elif all(np.array_equal(have[k].to_numpy(), new[k].to_numpy()) for k in key):
            have = pd.concat([have, new.drop(columns=key)], axis=1)
        else:
            # the records changed since the first read (no cache is worth a wrong answer):
            # start again from what the call needs
            have = read(set(names))
        cache[ent.kind] = have
    if have is None:  # no column asked for and nothing read yet
        return pd.DataFrame(columns=names)
    return have[names].copy()


def _read(source: Engine | Connection | Any, ent: Entity, query: Any,
          names: list[str]) -> pd.DataFrame:
    if isinstance(source, Connection):
        rows = source.execute(query).all()
    else:
        engine = source if isinstance(source, Engine) else source.engine
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    return typed_frame(pd.DataFrame(rows, columns=names), ent)


@contextmanager
def reading_once(ws: Any) -> Iterator[None]:
    """Within the block, :func:`read_kind` on workspace ``ws`` reads each column of a kind
    from the database once and hands out copies.

    For work that only reads and reads the same kinds many times — the plan's sections each
    read the establishments; a register of a million takes seconds a read. Records written
    meanwhile are not seen, so nothing that writes belongs inside. Nested blocks share the
    outer one's reads. The reads are kept in a context variable, so they are this thread's
    only: the web app builds a plan in a thread of its own on the workspace every request
    uses, and those requests must go on seeing the records as they are.
    """
    held = _READ_CACHE.get()
    if held is not None and held[0] is ws:
        yield
        return
    token = _READ_CACHE.set((ws, {}))
    try:
        yield
    finally:
        _READ_CACHE.reset(token)


def typed_frame(df: pd.DataFrame, ent: Entity) -> pd.DataFrame:
    """``df`` (as read from the database) with the entity's types: ``Int64``, ``float64``,
    dates as ISO text."""
    for col in ent.columns:
        if col.name not in df.columns:
            continue
        if col.type == "int":
            df[col.name] = pd.array(df[col.name], dtype="Int64")
        elif col.type == "float":
            df[col.name] = pd.to_numeric(df[col.name], errors="coerce").astype("float64")
        elif col.type == "date":
            df[col.name] = df[col.name].map(lambda v: None if v is None else (
                v if isinstance(v, str) else v.isoformat()))
    return df


def get(conn: Connection, kind: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
    """One record by its key (every key column), or None."""
    ent, table = _table(kind)
    row = conn.execute(select(table).where(_key_clause(table, ent, key))).mappings().first()
    return None if row is None else {k: _plain(v) for k, v in row.items()}


def _key_clause(table: Table, ent: Entity, key: Mapping[str, Any]):
    missing = [k for k in ent.key if k not in key]
    if missing:
        raise InputError(f"{ent.kind}: the key needs {', '.join(missing)}")
    return and_(*[table.c[k] == key[k] for k in ent.key])


def known_values(conn: Connection, references: Iterable[str]) -> dict[str, set[str]]:
    """Stored values of each ``kind.column`` (what reference columns may point to)."""
    out: dict[str, set[str]] = {}
    for ref in references:
        if ref not in out:
            ref_kind, ref_col = ref.split(".")
            out[ref] = set(conn.execute(select(TABLES[ref_kind].c[ref_col])).scalars())
    return out


def stored_links(conn: Connection, kind: str) -> dict[str, dict[str, str]]:
    """The stored links of each column of ``kind`` that refers to ``kind`` itself, by
    ``"kind.column"``: ``{"regions.parent_code": {"0601": "06", …}}`` (records without a link
    left out). Validation follows them so that an import cannot close a loop through stored
    records."""
    ent, table = _table(kind)
    out: dict[str, dict[str, str]] = {}
    for col in ent.columns:
        if col.references and col.references.split(".")[0] == kind:
            key = table.c[col.references.split(".")[1]]
            rows = conn.execute(select(key, table.c[col.name])
                                .where(table.c[col.name].is_not(None)))
            out[f"{kind}.{col.name}"] = {str(k): str(p) for k, p in rows}
    return out


# --- One record ---------------------------------------------------------------------------------
def insert_record(conn: Connection, kind: str, values: Mapping[str, Any], *,
                  actor: str) -> dict[str, Any]:
    """Insert one (validated) record; :class:`ConflictError` if its key exists."""
    ent, table = _table(kind)
    if get(conn, kind, values) is not None:
        raise ConflictError(f"{kind} {record_key(kind, values)} already exists")
    dialect = conn.dialect.name
    row = {k: _db_value(table, k, v, dialect) for k, v in values.items() if k in table.c}
    conn.execute(insert(table).values(**row))
    _derived(conn, kind, [values])
    after = get(conn, kind, values)
    log(conn, actor=actor, action="insert", kind=kind, key=record_key(kind, values),
        after=after)
    return after or {}


class StaleVersionError(ConflictError):
    """The record was changed since the version the edit started from; ``current`` holds its
    values now, so the person can see what changed meanwhile."""

    def __init__(self, message: str, current: dict[str, Any]):
        super().__init__(message)
        self.current = current


def update_record(conn: Connection, kind: str, key: Mapping[str, Any],
                  changes: Mapping[str, Any], *, actor: str,
                  expected_version: int | None = None) -> tuple[dict, dict]:
    """Change some columns of one record; returns its values before and after.

    Key columns cannot be changed (delete and insert instead). Nothing is logged when no
    value changes. With ``expected_version`` (the version the edit was based on) a record
    changed meanwhile raises :class:`StaleVersionError` and nothing is written; every real
    change increments the version.
    """
    ent, table = _table(kind)
    before = get(conn, kind, key)
    if before is None:
        raise NotFoundError(f"{kind} {record_key(kind, key)} does not exist")
    if expected_version is not None and int(before[VERSION]) != int(expected_version):
        raise StaleVersionError(f"{kind} {record_key(kind, key)} was changed meanwhile "
                                f"(version {before[VERSION]}, the edit started from "
                                f"{expected_version})", before)
    bad = [c for c in changes if c in ent.key or c == VERSION or c not in table.c]
    if bad:
        raise InputError(f"{kind}: cannot change {', '.join(bad)}")
    dialect = conn.dialect.name
    diff = {c: v for c, v in changes.items() if _plain(v) != before.get(c)}
    if not diff:
        return before, before
    conn.execute(update(table).where(_key_clause(table, ent, key)).values(
        **{c: _db_value(table, c, v, dialect) for c, v in diff.items()},
        **{VERSION: table.c[VERSION] + 1}))
    _derived(conn, kind, [before])
    after = get(conn, kind, key) or {}
    log(conn, actor=actor, action="update", kind=kind, key=record_key(kind, key),
        before={c: before.get(c) for c in diff}, after={c: after.get(c) for c in diff})
    return before, after


def delete_record(conn: Connection, kind: str, key: Mapping[str, Any], *,
                  actor: str, expected_version: int | None = None) -> dict[str, Any]:
    """Delete one record; returns its values (also kept in the audit trail)."""
    ent, table = _table(kind)
    before = get(conn, kind, key)
    if before is None:
        raise NotFoundError(f"{kind} {record_key(kind, key)} does not exist")
    if expected_version is not None and int(before[VERSION]) != int(expected_version):
        raise StaleVersionError(f"{kind} {record_key(kind, key)} was changed meanwhile",
                                before)
    conn.execute(delete(table).where(_key_clause(table, ent, key)))
    _derived(conn, kind, [before])
    log(conn, actor=actor, action="delete", kind=kind, key=record_key(kind, key),
        before=before)
    return before


def delete_all(conn: Connection, kind: str, *, actor: str, source: str | None = None) -> int:
    """Delete every record of ``kind`` (the demo's rebuild); one audit row with the count."""
    result = conn.execute(delete(TABLES[kind]))
    if kind == "trade_flows":
        conn.execute(delete(trade_totals))
    n = int(result.rowcount or 0)
    if n:
        log(conn, actor=actor, action="delete_all", kind=kind, rows=n, source=source)
    return n


# --- Many records -------------------------------------------------------------------------------
def _rows(df: pd.DataFrame, table: Table, cols: list[str], dialect: str) -> list[tuple]:
    """Rows as tuples of plain Python values (None for missing), in ``cols`` order."""
    columns = []
    for name in cols:
        series = df[name]
        values = series.tolist()  # Python ints/floats/str, which every driver binds
        missing = series.isna().to_numpy()
        if missing.any():
            values = [None if m else v for v, m in zip(values, missing, strict=True)]
        if dialect != "sqlite" and table.c[name].type.python_type is dt.date:
            # SQLite stores dates as ISO text (as SQLAlchemy does); PostgreSQL wants dates.
            values = [None if v is None else dt.date.fromisoformat(v) for v in values]
        columns.append(values)
    return list(zip(*columns, strict=True)) if columns else []


def _upsert_sql(conn: Connection, table: Table, cols: list[str], key: list[str], *,
                conflicts: bool = True) -> str:
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):  # pragma: no cover - not supported yet
        raise NotImplementedError(f"upsert on {dialect} is not supported")
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    updates = ", ".join([f"{quote(c)} = excluded.{quote(c)}" for c in cols if c not in key]
                        + [f"{quote(VERSION)} = {quote(table.name)}.{quote(VERSION)} + 1"])
    return (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in cols)}) "
        f"VALUES ({', '.join([mark] * len(cols))})"
    ) + ("" if not conflicts else (
        f" ON CONFLICT ({', '.join(quote(k) for k in key)}) DO "
        + (f"UPDATE SET {updates}" if updates else "NOTHING")))


def _copy_into(conn: Connection, target: str, table: Table, cols: list[str],
               typed: pd.DataFrame) -> None:
    """PostgreSQL ``COPY`` of ``typed``'s ``cols`` into ``target`` (``table`` or a copy of
    it): written as CSV by Arrow (exact for floats, ``""`` apart from NULL) when its columns
    convert, else row by row."""
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in cols)
    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        text: bytes | None = None
        buffer = io.BytesIO()
        pacsv.write_csv(pa.Table.from_pandas(typed[cols], preserve_index=False), buffer,
                        pacsv.WriteOptions(include_header=False))
        text = buffer.getvalue()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass  # mixed Python objects in a column: psycopg adapts them one by one
    with raw.cursor() as cur:
        if text is not None:
            with cur.copy(f"COPY {quote(target)} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(text)
        else:
            with cur.copy(f"COPY {quote(target)} ({names}) FROM STDIN") as copy:
                for row in _rows(typed, table, cols, "postgresql"):
                    copy.write_row(row)


def _copy_upsert(conn: Connection, table: Table, cols: list[str], key: list[str],
                 typed: pd.DataFrame) -> None:
    """PostgreSQL: the rows copied into a temporary table (``COPY``: a million rows in a few
    seconds, where ``executemany``'s statements take half a minute) and upserted from there
    in one statement."""
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in cols)
    load = "khooshe_load_" + table.name
    updates = ", ".join([f"{quote(c)} = excluded.{quote(c)}" for c in cols if c not in key]
                        + [f"{quote(VERSION)} = {quote(table.name)}.{quote(VERSION)} + 1"])
    # Dropped at the end of the transaction; emptied for each call within it.
    conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {quote(load)} "
                         f"(LIKE {quote(table.name)} INCLUDING DEFAULTS) ON COMMIT DROP")
    conn.exec_driver_sql(f"TRUNCATE {quote(load)}")
    _copy_into(conn, load, table, cols, typed)
    conn.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({names}) SELECT {names} FROM {quote(load)} "
        f"ON CONFLICT ({', '.join(quote(k) for k in key)}) DO UPDATE SET {updates}")


def _comparable(s: pd.Series) -> pd.Series:
    """Values of a column in one comparable form: whole numbers as Python ints (exact beyond
    2**53), other numbers as floats, missing as None."""
    if pd.api.types.is_integer_dtype(s):
        return pd.Series([None if pd.isna(v) else int(v) for v in s], index=s.index,
                         dtype=object)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64").astype(object).where(s.notna(), None)
    return s.astype(object).where(s.notna(), None)


def _changes(stored: pd.DataFrame, incoming: pd.DataFrame, key: list[str],
             cols: list[str]) -> tuple[pd.DataFrame, int]:
    """Stored records that ``incoming`` changes, with their old and new values of ``cols``;
    and how many incoming keys already exist."""
    if stored.empty or incoming.empty:
        return pd.DataFrame(), 0
    left = stored[key + cols].copy()
    right = incoming[key + cols].copy()
    for k in key:
        left[k] = left[k].astype(str)
        right[k] = right[k].astype(str)
    both = left.merge(right, on=key, suffixes=("_old", "_new"))
    if both.empty or not cols:
        return pd.DataFrame(), len(both)
    differs = np.zeros(len(both), dtype=bool)
    for c in cols:
        old, new = _comparable(both[f"{c}_old"]), _comparable(both[f"{c}_new"])
        differs |= np.fromiter((not _same(a, b) for a, b in zip(old, new, strict=True)),
                               dtype=bool, count=len(both))
    return both[differs].reset_index(drop=True), len(both)


def upsert(conn: Connection, kind: str, typed: pd.DataFrame, *, actor: str,
           source: str | None, action: str = "import",
           columns: Sequence[str] | None = None) -> UpsertReport:
    """Insert validated records, updating those whose key exists; log it.

    Parameters
    ----------
    typed : DataFrame
        Validated records (:func:`khooshe.domain.validate.validate`).
    columns : sequence of str, optional
        The columns to write (the key is always written; a normalised column's ``*_norm``
        key follows it). Default: ``typed.attrs["columns_given"]`` when validation recorded
        which columns the file had, else every column of ``typed``. Stored values of the
        other columns are kept.

    The statement goes to the driver's ``executemany`` directly: through SQLAlchemy's per-row
    parameter processing a 300,000-row import took 4× longer. On PostgreSQL, upserts of
    :data:`COPY_ROWS` or more go through ``COPY`` into a temporary table instead
    (:func:`_copy_upsert`): ``executemany`` sent a million rows in 25 s, ``COPY`` in 3.
    """
    ent, table = _table(kind)
    key = list(ent.key)
    cols = _written_columns(table, key, typed, columns)
    value_cols = [c for c in cols if c not in key]
    stored = read_kind(conn, kind, columns=key + value_cols) if len(typed) else pd.DataFrame()
    now = dt.datetime.now(dt.UTC)
    totals = _load_totals(conn, kind)
    existing, audit = _write(conn, kind, typed, stored, cols, actor=actor, source=source,
                             at=now)
    if totals is not None:
        totals.add(typed)
        finish_totals(conn, totals)
    log(conn, actor=actor, action=action, kind=kind, rows=len(typed), source=source,
        detail=json.dumps({"inserted": len(typed) - existing, "updated": existing,
                           "changed": len(audit), "columns": value_cols}))
    _log_many(conn, audit)
    return UpsertReport(kind, len(typed), len(typed) - existing, existing, len(audit), source)


def upsert_batches(conn: Connection, kind: str, batches: Iterable[pd.DataFrame], *,
                   actor: str, source: str | None, action: str = "import",
                   rebuild_indexes: bool = False) -> UpsertReport:
    """:func:`upsert` for more records than one frame should hold: validated batches in key
    order (each sorted by the entity's key, each after the one before; a batch out of order
    is refused), written as they come.

    The stored records a batch may change are read for that batch's span of keys only (none
    when the table was empty), so memory follows the batch, not the table; the audit trail
    gets one row for the whole import and one per changed record, as :func:`upsert` writes
    them. Every column of a batch is written.

    With ``rebuild_indexes`` the table's secondary indexes are dropped for the load and built
    again at its end, inside the same transaction (a failure restores them): for loads of
    millions of rows, where keeping an index up to date row by row costs more than sorting
    once.
    """
    ent, table = _table(kind)
    key = list(ent.key)
    lead = tuple_(*[table.c[k] for k in key])
    empty = conn.execute(select(table.c[key[0]]).limit(1)).first() is None
    indexes = sorted(table.indexes, key=lambda ix: str(ix.name)) if rebuild_indexes else []
    if indexes and conn.dialect.name == "sqlite":
        # Python's sqlite3 opens the transaction at the first INSERT, UPDATE or DELETE; a
        # DROP INDEX before it would commit on its own and outlive a failed load.
        conn.execute(delete(table).where(false()))
    for index in indexes:
        index.drop(conn)
    now = dt.datetime.now(dt.UTC)
    rows = existing = changed = 0
    value_cols: list[str] = []
    previous: tuple | None = None
    totals = _load_totals(conn, kind)
    for batch in batches:
        if batch.empty:
            continue
        cols = _written_columns(table, key, batch, None)
        value_cols = [c for c in cols if c not in key]
        first = tuple(_plain(batch[k].iloc[0]) for k in key)
        last = tuple(_plain(batch[k].iloc[-1]) for k in key)
        if previous is not None and not previous < first:
            raise ValueError(f"{kind}: batches out of key order ({first} after {previous})")
        previous = last
        if empty:
            stored = pd.DataFrame()
        else:
            query = select(*[table.c[n] for n in key + value_cols]).where(
                lead.between(tuple_(*first), tuple_(*last)))
            stored = typed_frame(pd.DataFrame(conn.execute(query).all(),
                                              columns=key + value_cols), ent)
        e, audit = _write(conn, kind, batch, stored, cols, actor=actor, source=source, at=now,
                          new_only=True)
        _log_many(conn, audit)
        rows, existing, changed = rows + len(batch), existing + e, changed + len(audit)
        if totals is not None:
            totals.add(batch)
    for index in indexes:
        index.create(conn)
    if totals is not None:
        finish_totals(conn, totals)
    log(conn, actor=actor, action=action, kind=kind, rows=rows, source=source,
        detail=json.dumps({"inserted": rows - existing, "updated": existing,
                           "changed": changed, "columns": value_cols}))
    return UpsertReport(kind, rows, rows - existing, existing, changed, source)


def _load_totals(conn: Connection, kind: str) -> LoadTotals | None:
    """What keeps the tables derived from ``kind`` through a load: for trade flows, their
    sums (:class:`khooshe.store.trade.LoadTotals`); nothing for the other kinds."""
    return LoadTotals(conn) if kind == "trade_flows" else None


def finish_totals(conn: Connection, totals: LoadTotals) -> None:
    """Write what a load of trade flows changed of ``trade_totals`` (in its transaction): the
    sums of its new years inserted (``COPY`` on PostgreSQL), its pairs of held years summed
    again."""
    refresh_totals(conn, totals.held_pairs())
    sums = totals.new_sums()
    if sums.empty:
        return
    cols = list(sums.columns)
    if conn.dialect.name == "postgresql":
        _copy_into(conn, trade_totals.name, trade_totals, cols, sums)
        return
    sql = _upsert_sql(conn, trade_totals, cols, [], conflicts=False)
    for start in range(0, len(sums), BATCH):  # a batch of tuples at a time, not a million
        conn.exec_driver_sql(sql, _rows(sums.iloc[start: start + BATCH], trade_totals, cols,
                                        conn.dialect.name))


def _derived(conn: Connection, kind: str, records: Sequence[Mapping[str, Any]]) -> None:
    """Bring the tables derived from ``kind`` up to date after one record or a few were
    written or deleted: for trade flows, the sums of their (year, exporter) pairs
    (:func:`khooshe.store.trade.refresh_totals`)."""
    if kind == "trade_flows" and records:
        refresh_totals(conn, [(r["year"], r["exporter"]) for r in records])


def _written_columns(table: Table, key: list[str], typed: pd.DataFrame,
                     columns: Sequence[str] | None) -> list[str]:
    """The table's columns an upsert of ``typed`` writes: the key, and those given (see
    :func:`upsert`), each with its ``*_norm`` twin."""
    given = list(columns if columns is not None else typed.attrs.get("columns_given",
                                                                     typed.columns))
    return [c.name for c in table.columns
            if c.name in typed.columns and (c.name in key or c.name in given
                                            or c.name.removesuffix("_norm") in given)]


def _write(conn: Connection, kind: str, typed: pd.DataFrame, stored: pd.DataFrame,
           cols: list[str], *, actor: str, source: str | None,
           at: dt.datetime, new_only: bool = False) -> tuple[int, list[dict[str, Any]]]:
    """Upsert ``typed``'s ``cols``. Returns how many keys existed, and the audit rows (one
    ``update`` per record whose values change; ``stored``: the stored records it may meet)
    for the caller to log.

    With ``new_only``, rows none of whose keys is stored (``stored`` then holds every stored
    record they could meet) are inserted without the conflict clause: on PostgreSQL straight
    into the table with ``COPY``, about twice as fast as an upsert through a temporary
    table."""
    ent, table = _table(kind)
    key = list(ent.key)
    value_cols = [c for c in cols if c not in key]
    changed, existing = _changes(stored, typed, key, value_cols)
    plain = new_only and existing == 0  # no key can conflict: a plain insert
    if conn.dialect.name == "postgresql" and len(typed) >= COPY_ROWS:
        if plain:
            _copy_into(conn, table.name, table, cols, typed)
        else:
            _copy_upsert(conn, table, cols, key, typed)
    else:
        sql = _upsert_sql(conn, table, cols, key, conflicts=not plain)
        rows = _rows(typed, table, cols, conn.dialect.name)
        for start in range(0, len(rows), BATCH):
            conn.exec_driver_sql(sql, rows[start: start + BATCH])
    audit = []
    shown = [c for c in value_cols if not c.endswith("_norm")]
    for rec in changed.to_dict("records"):
        before = {c: rec[f"{c}_old"] for c in shown if not _same(rec[f"{c}_old"], rec[f"{c}_new"])}
        after = {c: rec[f"{c}_new"] for c in before}
        audit.append({"at": at, "actor": actor, "action": "update", "kind": kind, "rows": 1,
                      "record_key": "|".join(str(rec[k]) for k in key),
                      "before": _json(before), "after": _json(after), "source": source,
                      "detail": None})
    return existing, audit


def _same(a: Any, b: Any) -> bool:
    a, b = _plain(a), _plain(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return float(a) == float(b)
    return a == b


def counts(source: Engine | Any) -> dict[str, int]:
    """Number of records of every kind."""
    from sqlalchemy import func

    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:
        return {kind: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for kind, table in TABLES.items()}


__all__ = [
    "StaleVersionError",
    "UpsertReport",
    "counts",
    "delete_all",
    "delete_record",
    "finish_totals",
    "get",
    "history",
    "insert_record",
    "known_values",
    "log",
    "read_kind",
    "read_kind_chunks",
    "typed_frame",
    "record_key",
    "update_record",
    "upsert",
    "upsert_batches",
]
