"""SQLAlchemy tables, one per entity of :mod:`khooshe.domain.schema`.

The tables are derived from the schema so that a column is described in one place. Columns
marked ``normalise`` get a sibling ``<name>_norm`` holding the matching key (see
:func:`khooshe.text.normalize.normalize`); the original text is kept for display.

Migrations in ``store/migrations`` create exactly these tables; ``tests/test_store.py`` checks
that models and migrations agree, so a schema change needs a new Alembic revision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeEngine

from khooshe.domain.schema import ENTITIES, LOAD_ORDER
from khooshe.domain.schema import Column as SchemaColumn

metadata = MetaData()

_SQL_TYPES: dict[str, Callable[[], TypeEngine[Any]]] = {
    "str": lambda: Text(),
    "code": lambda: String(64),
    "enum": lambda: String(32),
    "list": lambda: Text(),
    "int": lambda: BigInteger(),
    "float": lambda: Float(),
    "date": lambda: Date(),
    "geometry": lambda: Text(),
}


def _columns(col: SchemaColumn, key: tuple[str, ...]) -> list[Column]:
    sql_col = Column(col.name, _SQL_TYPES[col.type](), primary_key=col.name in key,
                     nullable=not (col.name in key or col.required))
    cols = [sql_col]
    if col.normalise:
        cols.append(Column(f"{col.name}_norm", Text(), nullable=True))
    return cols


#: Every record's version, for optimistic locking: a change based on an older version is
#: refused (see :func:`khooshe.store.repository.update_record`).
VERSION = "version"


def _table(kind: str) -> Table:
    entity = ENTITIES[kind]
    cols: list[Column] = []
    for col in entity.columns:
        cols.extend(_columns(col, entity.key))
    cols.append(Column(VERSION, BigInteger(), nullable=False, server_default=text("1")))
    return Table(kind, metadata, *cols)


TABLES: dict[str, Table] = {kind: _table(kind) for kind in LOAD_ORDER}

# Lookups the analyses run often: children of a region, firms by activity and place.
Index("ix_regions_parent", TABLES["regions"].c.parent_code)
Index("ix_regions_level", TABLES["regions"].c.level)
Index("ix_establishments_region", TABLES["establishments"].c.region_code)
Index("ix_establishments_isic", TABLES["establishments"].c.isic)
Index("ix_trade_flows_importer", TABLES["trade_flows"].c.importer, TABLES["trade_flows"].c.hs6)

#: The stored trade flows summed over importers, by (year, exporter, hs6): what the market
#: analysis reads of the world's flows (:func:`khooshe.store.trade.trade_parts`). A BACI year
#: is ten million flows but under a million of these sums; summing them at each read took most
#: of a markets run. Kept by the store in the transaction of every change of ``trade_flows``
#: (:func:`khooshe.store.trade.refresh_totals`); derived, so not backed up but rebuilt.
trade_totals = Table(
    "trade_totals",
    metadata,
    Column("year", BigInteger, primary_key=True),
    Column("exporter", String(64), primary_key=True),
    Column("hs6", String(64), primary_key=True),
    Column("value_usd", Float, nullable=False),
    Column("quantity_t", Float, nullable=False),
    Column("value_q_usd", Float, nullable=False),
    Column("flows", BigInteger, nullable=False),
    Column("with_quantity", BigInteger, nullable=False),
)

#: Audit trail: every change made through khooshe (imports, demo builds, registry edits), see
#: :mod:`khooshe.store.repository`. ``record_key`` is the changed record's key (its key values
#: joined by ``|``), ``before`` / ``after`` its values as JSON; bulk rows carry ``rows``.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("rows", BigInteger, nullable=False),
    Column("source", Text, nullable=True),
    Column("detail", Text, nullable=True),
    Column("record_key", Text, nullable=True),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
)
Index("ix_audit_log_record", audit_log.c.kind, audit_log.c.record_key)

#: People who sign in to the web app and the API (khooshe.web), with their role and the place
#: it applies to (khooshe.web.permissions).
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("province_code", String(64), nullable=True),
    Column("county_code", String(64), nullable=True),
    Column("clusters", Text, nullable=True),
    Column("active", Integer, nullable=False, server_default=text("1")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("username", name="uq_users_username"),
)

#: API tokens (``Authorization: Bearer …``): only a SHA-256 of each token is kept.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Integer, nullable=False, server_default=text("0")),
    UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
)
Index("ix_api_tokens_user", api_tokens.c.user_id)
