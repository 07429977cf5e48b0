"""The registry in the browser: the dashboard, and for every kind a list (search, filters,
sorting, pages), a record's page, its history, forms to create and edit it (problems shown
beside the fields; an edit based on an older version gets the conflict page), deletion,
import by upload and export. Every page is filtered and checked by the access policy."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.schema import ENTITIES, ISIC4, REGION_CODE, entity
from khooshe.domain.validate import ValidationError
from khooshe.domain.vocab import CLUSTER_STAGES, label, vocabulary_of
from khooshe.services import records
from khooshe.services.access import Forbidden, refusal
from khooshe.store.repository import StaleVersionError, read_kind
from khooshe.text.digits import digits
from khooshe.text.messages import Message
from khooshe.web.app import State
from khooshe.web.deps import Session, checked_form, page_session, state
from khooshe.web.pages import (
    activity_text,
    list_items,
    named_codes,
    render,
    table_cells,
)
from khooshe.web.routers._forms import jalali, region_name

router = APIRouter(include_in_schema=False)
#: Columns shown in a list (the rest are on the record's page).
LIST_COLUMNS = 8
#: Periods awaiting figures the dashboard lists (the rest are counted).
DUE_SHOWN = 15


def _kind(kind: str) -> str:
    if kind not in ENTITIES:
        raise NotFoundError(f"no such kind: {kind}", localized=Message("web.msg.no_kind"))
    return kind


def _page(request: Request, session: Session, template: str, status: int = 200, **ctx):
    return render(request, template, lang=session.lang, status=status, session=session, **ctx)


# --- Dashboard --------------------------------------------------------------------------------
@router.get("/")
def dashboard(request: Request, session: Session = Depends(page_session),
              st: State = Depends(state)):
    who = session.principal
    counts = {k: records.list_records(st.ws, st.access, who, k, per_page=1).total
              for k in ENTITIES}
    clusters = records.export_frame(st.ws, st.access, who, "clusters")
    stages = [(s, label("cluster_stage", s, session.lang),
               int((clusters["stage"] == s).sum()) if len(clusters) else 0)
              for s in CLUSTER_STAGES]
    top = max([n for _, _, n in stages] + [1])
    province = who.province or (sorted(who.provinces)[0] if who.provinces else None)
    return _page(request, session, "dashboard.html.j2", counts=counts, stages=stages,
                 top=top, province=province, due=_figures_due(clusters, st, session))


def _figures_due(clusters: pd.DataFrame, st: State, session: Session) -> dict[str, Any]:
    """The ended periods whose figures the reader's clusters have not recorded: the first
    :data:`DUE_SHOWN` (longest awaited first) and how many in all."""
    from khooshe.services.cluster_targets import figures_due

    lang = session.lang
    names = {r["code"]: region_name(r, lang) for r in clusters.to_dict("records")}
    due = figures_due(st.ws, list(names))
    rows = [{"code": str(r.cluster_code), "name": names.get(r.cluster_code, ""),
             "period": str(r.period), "ended": jalali(r.ended, lang),
             "targets": int(r.targets)}
            for r in due.head(DUE_SHOWN).itertuples(index=False)]
    return {"rows": rows, "total": len(due)}


@router.get("/map/{province}.geojson")
def county_map(province: str, session: Session = Depends(page_session),
               st: State = Depends(state)):
    """The province's counties as GeoJSON (boundaries, or points where there are none), for
    the dashboard's map (drawn by Leaflet, no tiles)."""
    who = session.principal
    regions = read_kind(st.ws, "regions", columns=["code", "level", "parent_code", "name_fa",
                                                   "name_en", "lat", "lon", "boundary"])
    from khooshe.domain.regions import RegionHierarchy

    h = RegionHierarchy(regions)
    h.check(province, "province")
    if not (who.national or province == who.province or province in who.provinces):
        raise Forbidden(f"{who.username} may not see the map of province {province}",
                        localized=Message("web.msg.map_refused", {"user": who.username}))
    counties = regions[h.in_province(province) & (regions["level"] == "county")]
    features = []
    for row in counties.itertuples(index=False):
        name = row.name_fa if session.lang == "fa" else (row.name_en or row.name_fa)
        if isinstance(row.boundary, str):
            geometry = json.loads(row.boundary)
        elif pd.notna(row.lat) and pd.notna(row.lon):
            geometry = {"type": "Point", "coordinates": [row.lon, row.lat]}
        else:
            continue
        # the label as the page shows text: Persian digits in the Persian interface
        label = f"{name} ({digits(row.code, session.lang)})"
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"code": row.code, "name": name, "label": label}})
    return JSONResponse({"type": "FeatureCollection", "features": features})


# --- Lists ------------------------------------------------------------------------------------
@router.get("/{kind}")
def list_page(request: Request, kind: str, q: str = "", sort: str | None = None,
              desc: bool = False, page: int = 1, per_page: int = 25,
              session: Session = Depends(page_session), st: State = Depends(state)):
    kind = _kind(kind)
    ent = entity(kind)
    filters = {c: request.query_params[c] for c in ent.names if request.query_params.get(c)}
    result = records.list_records(st.ws, st.access, session.principal, kind, filters=filters,
                                  q=q or None, sort=sort, descending=desc, page=page,
                                  per_page=per_page)
    columns = ent.names[:LIST_COLUMNS]
    numeric = [ent.column(c).type in ("int", "float") for c in columns]
    cells = table_cells(kind, columns, result.rows, session.lang)
    # beside the link to each record (the first column, kept short), the names of the
    # records it points at before their codes: «تقی‌سرا · 0601»
    names = records.reference_names(st.ws, st.access, session.principal, kind, columns[1:],
                                    result.rows, session.lang)
    for i, name_of in enumerate(names.get(c) for c in columns):
        if name_of:
            for row, texts in zip(result.rows, cells, strict=True):
                name = name_of.get(row.get(columns[i]))
                if name:
                    texts[i] = f"{name} · {texts[i]}"
    keys = [quote(records.record_key(kind, r), safe="/") for r in result.rows]
    choices: dict[str, list[tuple[str, str]]] = {}
    for c in ent.columns:
        if c.type == "enum":
            vocab = vocabulary_of(c.choices)
            choices[c.name] = [(v, label(vocab, v, session.lang) if vocab else v)
                               for v in c.choices]
    return _page(request, session, "list.html.j2", kind=kind, ent=ent, page=result,
                 rows=list(zip(keys, cells, strict=True)), columns=columns, numeric=numeric,
                 q=q, sort=sort, desc=desc, filters=filters, choices=choices,
                 can_create=records.may(st.access, session.principal, "create", kind))


@router.get("/{kind}/export.{fmt}")
def export(kind: str, fmt: str, session: Session = Depends(page_session),
           st: State = Depends(state)):
    from khooshe.io.tables import write_table

    kind = _kind(kind)
    if fmt not in ("csv", "xlsx"):
        raise NotFoundError(f"export as .{fmt} is not offered (csv or xlsx)",
                            localized=Message("web.msg.no_format"))
    frame = records.export_frame(st.ws, st.access, session.principal, kind)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(frame, Path(tmp) / f"{kind}.{fmt}", sheet_name=kind)
        body = path.read_bytes()
    media = "text/csv" if fmt == "csv" else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{kind}.{fmt}"'})


# --- Import -----------------------------------------------------------------------------------
@router.get("/{kind}/import")
def import_form(request: Request, kind: str, session: Session = Depends(page_session),
                st: State = Depends(state)):
    kind = _kind(kind)
    return _page(request, session, "import.html.j2", kind=kind, issues=[], report=None)


@router.post("/{kind}/import")
async def import_upload(request: Request, kind: str, session: Session = Depends(page_session),
                        st: State = Depends(state)):
    kind = _kind(kind)
    size = int(request.headers.get("content-length") or 0)
    if size > st.max_upload_mb * 2**20:
        raise InputError(f"the file is larger than {st.max_upload_mb:g} MB",
                         localized=Message("web.msg.too_large", {"mb": st.max_upload_mb}))
    form = await checked_form(request, session)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError("choose a file to import", localized=Message("web.msg.choose_file"))
    suffix = Path(upload.filename).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        written = 0
        with open(path, "wb") as fh:
            while chunk := await upload.read(1 << 20):
                written += len(chunk)
                if written > st.max_upload_mb * 2**20:
                    raise InputError(f"the file is larger than {st.max_upload_mb:g} MB",
                                     localized=Message("web.msg.too_large",
                                                       {"mb": st.max_upload_mb}))
                fh.write(chunk)
        try:
            report = records.import_upload(st.ws, st.access, session.principal, kind, path,
                                           source=Path(upload.filename).name)
        except ValidationError as exc:
            return _page(request, session, "import.html.j2", status=422, kind=kind,
                         issues=exc.issues, report=None, error=str(exc))
    return _page(request, session, "import.html.j2", kind=kind, issues=[], report=report)


# --- One record -------------------------------------------------------------------------------
def _form_values(kind: str, form: dict) -> dict:
    return {c: form.get(c, "") for c in entity(kind).names if c in form}


@router.get("/{kind}/new")
def new_form(request: Request, kind: str, session: Session = Depends(page_session),
             st: State = Depends(state)):
    kind = _kind(kind)
    if not records.may(st.access, session.principal, "create", kind):
        raise Forbidden(f"{session.principal.username} may not create {kind} records",
                        localized=refusal(session.principal.username, "create", kind))
    # a link may fill in fields (a cluster's page: "record an activity" names the cluster)
    names = set(entity(kind).names)
    given = {c: v[:200] for c, v in request.query_params.items() if c in names}
    return _page(request, session, "form.html.j2", kind=kind, ent=entity(kind), record=given,
                 errors={}, creating=True, key=None, version=None)


@router.post("/{kind}/new")
async def create(request: Request, kind: str, session: Session = Depends(page_session),
                 st: State = Depends(state)):
    kind = _kind(kind)
    form = await checked_form(request, session)
    values = _form_values(kind, form)
    try:
        record = records.create_record(st.ws, st.access, session.principal, kind, values)
    except ValidationError as exc:
        return _page(request, session, "form.html.j2", status=422, kind=kind,
                     ent=entity(kind), record=values, creating=True, key=None, version=None,
                     errors={i.column: i.text(session.lang) for i in exc.issues})
    return RedirectResponse(f"/{kind}/{records.record_key(kind, record)}", status_code=303)


@router.get("/{kind}/{key}")
def detail(request: Request, kind: str, key: str, session: Session = Depends(page_session),
           st: State = Depends(state)):
    return detail_page(request, _kind(kind), key, session, st)


def detail_page(request: Request, kind: str, key: str, session: Session, st: State,
                status: int = 200, **extra):
    """A record's page; a cluster's shows its programme too (stage timeline and approval,
    indicators against targets, members: :mod:`.clusters`)."""
    record = records.get_record(st.ws, st.access, session.principal, kind, key)
    who = session.principal
    related = _related(kind, record)
    # the records this one points at, named and linked: the province «خوزستان · 06»
    names = records.reference_names(st.ws, st.access, who, kind, entity(kind).names, [record],
                                    session.lang)
    links = {c: (f"/{target}/{quote(records.record_key(target, {k: record[c]}), safe='/')}",
                 f"{names[c][record[c]]} · {record[c]}")
             for c, (target, k) in records.references(kind, entity(kind).names).items()
             if record.get(c) in names.get(c, {})}
    # ISIC classes and lists of regions (known by their columns' patterns) named too:
    # «تولید سازه‌های فلزی · 2511، …»
    named = {}
    for col in entity(kind).columns:
        if not record.get(col.name):
            continue
        if col.pattern == ISIC4:
            named[col.name] = activity_text(record[col.name], session.lang)
        elif col.type == "list" and col.pattern == REGION_CODE:
            regions = st.access.region_names(who, set(list_items(record[col.name])),
                                             session.lang)
            named[col.name] = named_codes(record[col.name], regions, session.lang)
    template = "detail.html.j2"
    if kind == "clusters":
        from khooshe.web.routers.clusters import cluster_context

        extra = {**cluster_context(st, session, record), **extra}
        template = "cluster.html.j2"
    return _page(request, session, template, status=status, kind=kind, ent=entity(kind),
                 record=record, key=key, related=related, links=links, named=named,
                 can_update=records.may(st.access, who, "update", kind, record),
                 can_delete=records.may(st.access, who, "delete", kind, record), **extra)


def _related(kind: str, record: dict) -> list[tuple[str, str, str]]:
    """Links to the records that point at this one (a cluster's members, a region's firms,
    a region's subdivisions): (kind, column, URL)."""
    out = []
    for other, ent in ENTITIES.items():
        for col in ent.columns:
            if col.references and col.references.split(".")[0] == kind:
                value = record.get(col.references.split(".")[1])
                if value is not None:
                    out.append((other, col.name, f"/{other}?{col.name}={value}"))
    return out


@router.get("/{kind}/{key}/edit")
def edit_form(request: Request, kind: str, key: str, session: Session = Depends(page_session),
              st: State = Depends(state)):
    kind = _kind(kind)
    record = records.get_record(st.ws, st.access, session.principal, kind, key)
    if not records.may(st.access, session.principal, "update", kind, record):
        raise Forbidden(f"{session.principal.username} may not change this {kind} record",
                        localized=refusal(session.principal.username, "update", kind))
    return _page(request, session, "form.html.j2", kind=kind, ent=entity(kind), record=record,
                 errors={}, creating=False, key=key, version=record.get("version"))


def _form_version(value: object) -> int | None:
    """The record version a form was based on (None when missing or not a number)."""
    text = str(value or "")
    return int(text) if text.isdigit() else None


@router.post("/{kind}/{key}/edit")
async def update(request: Request, kind: str, key: str,
                 session: Session = Depends(page_session), st: State = Depends(state)):
    kind = _kind(kind)
    form = await checked_form(request, session)
    values = _form_values(kind, form)
    version = form.get("version")
    try:
        records.update_record(st.ws, st.access, session.principal, kind, key, values,
                              version=_form_version(version))
    except ValidationError as exc:
        return _page(request, session, "form.html.j2", status=422, kind=kind,
                     ent=entity(kind), record={**values, **{k: v for k, v in
                                                            records.parse_key(kind, key)
                                                            .items()}},
                     creating=False, key=key, version=version,
                     errors={i.column: i.text(session.lang) for i in exc.issues})
    except StaleVersionError as exc:
        return _page(request, session, "conflict.html.j2", status=409, kind=kind,
                     ent=entity(kind), key=key, mine=values, current=exc.current)
    return RedirectResponse(f"/{kind}/{key}", status_code=303)


@router.post("/{kind}/{key}/delete")
async def delete(request: Request, kind: str, key: str,
                 session: Session = Depends(page_session), st: State = Depends(state)):
    kind = _kind(kind)
    form = await checked_form(request, session)
    version = form.get("version")
    try:
        records.delete_record(st.ws, st.access, session.principal, kind, key,
                              version=_form_version(version))
    except StaleVersionError as exc:
        return _page(request, session, "conflict.html.j2", status=409, kind=kind,
                     ent=entity(kind), key=key, mine={}, current=exc.current)
    return RedirectResponse(f"/{kind}", status_code=303)


@router.get("/{kind}/{key}/history")
def history(request: Request, kind: str, key: str, session: Session = Depends(page_session),
            st: State = Depends(state)):
    kind = _kind(kind)
    trail = records.history(st.ws, st.access, session.principal, kind, key)
    return _page(request, session, "history.html.j2", kind=kind, key=key,
                 rows=trail.to_dict("records"))
