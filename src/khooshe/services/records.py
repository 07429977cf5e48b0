"""Records one at a time, for the web app and the API: list (scoped, searched, sorted, paged),
read, create, update, delete, history, import and export — every one checked against the
access policy and validated like an import.

A record's key in a URL is its key values joined by ``|`` (``CL06-01``, ``CL06-01|M3``,
``1402|sme_fund``); :func:`parse_key` turns it back. Values arrive as text (a form, JSON) and
go through :func:`khooshe.domain.validate.validate`, so a record made in the browser can never
hold what an import would refuse, and its problems are named by column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, asc, desc, func, or_, select

from khooshe.domain.access import Principal, allowed
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.programme import check_direct_edit
from khooshe.domain.schema import Entity, entity
from khooshe.domain.validate import ValidationError, validate
from khooshe.services import data
from khooshe.services.access import Access, Forbidden
from khooshe.store import repository
from khooshe.store.tables import TABLES, VERSION
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Bilingual, Message
from khooshe.text.normalize import normalize

KEY_SEPARATOR = "|"
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows (every column, ``version`` too; dates as ISO text), the
    total count."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def record_key(kind: str, record: Mapping[str, Any]) -> str:
    return repository.record_key(kind, record)


def _no_record(kind: str, key: str) -> Message:
    ent = entity(kind)
    return Message("web.msg.no_record", {"kind": Bilingual(ent.label("fa"), ent.label("en")),
                                         "key": key})


def parse_key(kind: str, key: str) -> dict[str, Any]:
    """The key columns of ``kind`` from their URL form; :class:`NotFoundError` when the text
    cannot be a key (wrong number of parts, a whole number that is not one)."""
    ent = entity(kind)
    parts = key.split(KEY_SEPARATOR)
    if len(parts) != len(ent.key) or not all(parts):
        raise NotFoundError(f"{kind}: {key!r} is not a key (it has {len(ent.key)} part(s): "
                            f"{', '.join(ent.key)})", localized=_no_record(kind, key))
    out: dict[str, Any] = {}
    for name, text in zip(ent.key, parts, strict=True):
        if ent.column(name).type == "int":
            if not text.lstrip("-").isdigit() or len(text) > 18:
                raise NotFoundError(f"{kind}: {name} {text!r} is not a whole number",
                                    localized=_no_record(kind, key))
            out[name] = int(text)
        else:
            out[name] = text
    return out


# --- Lists ------------------------------------------------------------------------------------
def _search(ent: Entity, q: str):
    table = TABLES[ent.kind]
    key = normalize(q)
    terms = [table.c[c.name].like(f"%{q}%") for c in ent.columns
             if c.type == "code" and c.name in ent.key]
    terms += [table.c[f"{c.name}_norm"].like(f"%{key}%") for c in ent.columns if c.normalise]
    terms += [table.c[c.name].like(f"%{q}%") for c in ent.columns
              if c.type == "str" and not c.normalise]
    return or_(*terms) if terms else None


def list_records(ws: Workspace, access: Access, who: Principal, kind: str, *,
                 filters: Mapping[str, str] | None = None, q: str | None = None,
                 sort: str | None = None, descending: bool = False, page: int = 1,
                 per_page: int = 50) -> Page:
    """A page of ``kind`` that ``who`` may read (the policy's list filter in SQL)."""
    ent = entity(kind)
    table = TABLES[kind]
    page = max(1, int(page))
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    where = [access.list_filter(who, kind)]
    for col, value in (filters or {}).items():
        if col not in ent.names:
            raise InputError(f"{kind} has no column {col!r} to filter on")
        if value not in (None, ""):
            where.append(table.c[col] == (_filter_value(ent, col, value)))
    if q:
        term = _search(ent, q.strip())
        if term is not None:
            where.append(term)
    if sort is not None and sort not in ent.names:
        raise InputError(f"{kind} has no column {sort!r} to sort by")
    order: list[ColumnElement[Any]] = [(desc if descending else asc)(table.c[sort])] if sort else []
    order += [table.c[k] for k in ent.key]
    # The page's keys first (sorted and cut on the key columns and the sort column alone),
    # then its rows joined to them: a deep page no longer drags every column of the rows it
    # skips through the sort.
    keys = (select(*[table.c[k] for k in ent.key]).where(and_(*where)).order_by(*order)
            .limit(per_page).offset((page - 1) * per_page).subquery())
    cols = [table.c[n] for n in ent.names] + [table.c[VERSION]]
    query = (select(*cols).join_from(table, keys, and_(*[table.c[k] == keys.c[k]
                                                         for k in ent.key]))
             .order_by(*order))
    with ws.engine.connect() as conn:
        total = access.total(
            (kind, who, tuple(sorted((filters or {}).items())), q or ""),
            lambda: conn.execute(select(func.count()).select_from(table)
                                 .where(and_(*where))).scalar_one())
        rows = conn.execute(query).all()
    names = ent.names + [VERSION]
    dates = [i for i, c in enumerate(ent.columns) if c.type == "date"]
    out = []
    for row in rows:
        values = list(row)
        for i in dates:
            v = values[i]
            if v is not None and not isinstance(v, str):
                values[i] = v.isoformat()
        out.append(dict(zip(names, values, strict=True)))
    return Page(out, int(total), page, per_page)


def _name_columns(ent: Entity, lang: str) -> list[str]:
    """The columns that name a record of ``ent`` in both languages, the reader's first; none
    for a kind without them (an establishment's one ``name`` is usually on the page beside
    its id already)."""
    if "name_fa" not in ent.names:
        return []
    pair = ["name_fa", "name_en"] if "name_en" in ent.names else ["name_fa"]
    return pair[::-1] if lang == "en" else pair


def references(kind: str, columns: list[str]) -> dict[str, tuple[str, str]]:
    """The columns among ``columns`` that point at one record of a kind with names (a region,
    a park, a cluster, a sector): ``{column: (that kind, its key column)}``."""
    ent = entity(kind)
    out = {}
    for c in columns:
        col = ent.column(c)
        if col.references and col.type == "code":
            target, key = col.references.split(".")
            if _name_columns(entity(target), "fa"):
                out[c] = (target, key)
    return out


def reference_names(ws: Workspace, access: Access, who: Principal, kind: str,
                    columns: list[str], rows: Sequence[Mapping[str, Any]], lang: str
                    ) -> dict[str, dict[Any, str]]:
    """The names of the records ``rows`` point at, by column: ``{column: {code: name}}`` for
    each of ``columns`` in :func:`references`, in ``lang`` (the other language's name when
    that one is missing), only of records ``who`` may read. Regions' names come from the
    access policy's cache (:meth:`Access.region_names`); other kinds take one query each, for
    the codes in ``rows`` alone (a page of a list, or one record).

    A code reads as nothing to most people: a page shows ``0601`` as «تقی‌سرا».
    """
    refs = references(kind, columns)
    wanted: dict[tuple[str, str], set[Any]] = {}
    for c, pointed in refs.items():
        wanted.setdefault(pointed, set()).update(r[c] for r in rows if r.get(c) is not None)
    found: dict[tuple[str, str], dict[Any, str]] = {}
    if ("regions", "code") in wanted:  # the commonest: from the access policy's cache
        found["regions", "code"] = access.region_names(who, wanted.pop(("regions", "code")),
                                                       lang)
    asked = {target: codes for target, codes in wanted.items() if codes}
    if asked:
        with ws.engine.connect() as conn:
            for (target, key), codes in asked.items():
                table = TABLES[target]
                named = _name_columns(entity(target), lang)
                query = (select(table.c[key], *[table.c[n] for n in named])
                         .where(table.c[key].in_(sorted(codes)),
                                access.list_filter(who, target)))
                found[target, key] = {
                    row[0]: next((str(n) for n in row[1:] if n not in (None, "")), "")
                    for row in conn.execute(query)}
    return {c: {k: v for k, v in found.get(p, {}).items() if v} for c, p in refs.items()}


def _filter_value(ent: Entity, col: str, value: str) -> Any:
    kind = ent.column(col).type
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            raise InputError(f"{col}: {value!r} is not a whole number") from None
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            raise InputError(f"{col}: {value!r} is not a number") from None
    return value


# --- One record -------------------------------------------------------------------------------
def get_record(ws: Workspace, access: Access, who: Principal, kind: str,
               key: str) -> dict[str, Any]:
    """One record ``who`` may read; :class:`NotFoundError` or :class:`Forbidden`."""
    with ws.engine.connect() as conn:
        record = repository.get(conn, kind, parse_key(kind, key))
    if record is None:
        raise NotFoundError(f"no {kind} {key!r}", localized=_no_record(kind, key))
    access.check(who, "read", kind, record)
    return record


def validate_one(conn: Any, kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` (text or typed) validated as one record of ``kind`` like a row of an import
    (references checked on ``conn``): typed values and ``*_norm`` keys of the columns given;
    :class:`~khooshe.domain.validate.ValidationError` naming the columns otherwise. What the
    workflows use before writing a record."""
    ent = entity(kind)
    given = {c: values.get(c) for c in ent.names if c in values}
    frame = pd.DataFrame([{c: (None if v is None or v == "" else str(v))
                           for c, v in given.items()}])
    refs = [c.references for c in ent.columns if c.references]
    typed = validate(frame, ent, known=repository.known_values(conn, refs), source=kind,
                     links=repository.stored_links(conn, kind))
    row = typed.iloc[0].to_dict()
    return {k: (None if pd.isna(v) else v) for k, v in row.items()
            if k in given or k.removesuffix("_norm") in given}


def _validated(ws: Workspace, kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    with ws.engine.connect() as conn:
        return validate_one(conn, kind, values)


def create_record(ws: Workspace, access: Access, who: Principal, kind: str,
                  values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and insert a record; the policy is checked on where the new record lies."""
    typed = _validated(ws, kind, values)
    access.check(who, "create", kind, typed)
    check_direct_edit(kind, None, typed)
    with ws.engine.begin() as conn:
        record = repository.insert_record(conn, kind, typed, actor=who.username)
    access.refresh()
    return record


def update_record(ws: Workspace, access: Access, who: Principal, kind: str, key: str,
                  values: Mapping[str, Any], version: int | None) -> dict[str, Any]:
    """Change a record: the merged values are validated, the policy is checked where it lies
    now and where it would lie, and an edit from an older ``version`` gets a conflict."""
    ent = entity(kind)
    current = get_record(ws, access, who, kind, key)
    access.check(who, "update", kind, current)
    merged = {c: current.get(c) for c in ent.names}
    merged.update({c: v for c, v in values.items() if c in ent.names and c not in ent.key})
    typed = _validated(ws, kind, merged)
    access.check(who, "update", kind, typed)
    check_direct_edit(kind, current, typed)
    changes = {c: v for c, v in typed.items() if c not in ent.key}
    with ws.engine.begin() as conn:
        _, after = repository.update_record(conn, kind, parse_key(kind, key), changes,
                                            actor=who.username, expected_version=version)
    access.refresh()
    return after


def delete_record(ws: Workspace, access: Access, who: Principal, kind: str, key: str,
                  version: int | None = None) -> dict[str, Any]:
    current = get_record(ws, access, who, kind, key)
    access.check(who, "delete", kind, current)
    check_direct_edit(kind, current, None)
    with ws.engine.begin() as conn:
        gone = repository.delete_record(conn, kind, parse_key(kind, key), actor=who.username,
                                        expected_version=version)
    access.refresh()
    return gone


def history(ws: Workspace, access: Access, who: Principal, kind: str,
            key: str) -> pd.DataFrame:
    """Every change of one record, newest first (readers of the record only)."""
    get_record(ws, access, who, kind, key)
    with ws.engine.connect() as conn:
        return repository.history(conn, kind, key)


def may(access: Access, who: Principal, action: str, kind: str,
        record: Mapping[str, Any] | None = None) -> bool:
    """Whether ``who`` may ``action`` (on ``record``; without one, anywhere in its own
    place): what pages use to show or hide buttons."""
    if record is not None:
        return allowed(who, action, kind, access.scope(kind, record))
    from khooshe.domain.access import Scope

    own = Scope(province=who.province, counties=frozenset({who.county} if who.county else ()),
                cluster=next(iter(sorted(who.clusters)), None))
    return allowed(who, action, kind, own) or allowed(who, action, kind, Scope.national())


# --- Files ------------------------------------------------------------------------------------
def import_upload(ws: Workspace, access: Access, who: Principal, kind: str,
                  path: str | Path, source: str) -> repository.UpsertReport:
    """An uploaded file, all-or-nothing: every row must be valid and in a place ``who`` may
    create or update records of ``kind``; else nothing is written."""
    ent = entity(kind)
    frame = data.read_import(kind, path)
    refs = [c.references for c in ent.columns if c.references]
    with ws.engine.connect() as conn:
        typed = validate(frame, ent, known=repository.known_values(conn, refs), source=source)
    denied = [i for i, row in enumerate(typed.to_dict("records"))
              if not (allowed(who, "create", kind, access.scope(kind, row))
                      and allowed(who, "update", kind, access.scope(kind, row)))]
    if denied:
        from khooshe.domain.errors import FIRST_ROW
        from khooshe.domain.validate import Issue
        from khooshe.text.messages import Message

        raise ValidationError(kind, [Issue.of(i + FIRST_ROW, ent.key[0], str(typed.iloc[i][
            ent.key[0]]), Message("validate.not_yours", {"user": who.username, "kind": kind}))
            for i in denied[:200]], source)
    report = data.import_frame(ws, kind, frame, actor=who.username, source=source)
    access.refresh()
    return report


def export_frame(ws: Workspace, access: Access, who: Principal, kind: str) -> pd.DataFrame:
    """Every record of ``kind`` ``who`` may read (the same filter as lists)."""
    ent = entity(kind)
    table = TABLES[kind]
    with ws.engine.connect() as conn:
        rows = conn.execute(select(*[table.c[n] for n in ent.names])
                            .where(access.list_filter(who, kind))
                            .order_by(*[table.c[k] for k in ent.key])).all()
    return repository.typed_frame(pd.DataFrame(rows, columns=ent.names), ent)


__all__ = ["KEY_SEPARATOR", "MAX_PER_PAGE", "Forbidden", "Page", "create_record",
           "delete_record", "export_frame", "get_record", "history", "import_upload",
           "list_records", "may", "parse_key", "record_key", "update_record", "validate_one"]
