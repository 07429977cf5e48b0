"""The REST API: ``/api/v1/{kind}`` for every kind of the workspace — list (filters, search,
sorting, pages), read, create, update (with the record's ``version``: a stale one gets 409 and
the current values), delete — under the same validation and access policy as the pages.

Models are made from the schema (one per kind), so the OpenAPI document lists every column
with its type. Values may be sent as text (Persian digits, Jalali dates) or as JSON numbers;
they are validated like an imported file and problems come back as 422 with the column named.
"""


from enum import Enum
from types import GenericAlias
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, create_model

from khooshe.domain.access import Principal
from khooshe.domain.schema import ENTITIES, LOAD_ORDER, Entity
from khooshe.services import records
from khooshe.store.repository import StaleVersionError
from khooshe.web.app import State
from khooshe.web.deps import api_principal, state

router = APIRouter(prefix="/api/v1")

_TYPES: dict[str, Any] = {"int": int, "float": float}
_INPUT = str | int | float | None


class Error(BaseModel):
    detail: str


class Me(BaseModel):
    username: str
    role: str
    province: str | None = None
    county: str | None = None
    clusters: list[str] = []


def _record_model(ent: Entity) -> type[BaseModel]:
    fields: dict[str, Any] = {
        c.name: (_TYPES.get(c.type, str) | None, Field(None, description=c.description("en")))
        for c in ent.columns}
    fields["version"] = (int | None, Field(None, description="the record's version"))
    return create_model(f"{ent.kind.title().replace('_', '')}Record", **fields)


def _input_model(ent: Entity, *, update: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {c.name: (_INPUT, Field(None, description=c.description("en")))
                              for c in ent.columns if not (update and c.name in ent.key)}
    if update:
        fields["version"] = (int | None, Field(None, description="the version this edit is "
                                                                "based on (409 if stale)"))
    name = ent.kind.title().replace("_", "") + ("Update" if update else "Create")
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


def _clean(record: dict[str, Any], ent: Entity) -> dict[str, Any]:
    """A stored record as the API shows it: the entity's columns and the version."""
    out = {}
    for name in [*ent.names, "version"]:
        value = record.get(name)
        if value is not None and hasattr(value, "item"):
            value = value.item()
        if value is not None and value != value:  # NaN
            value = None
        if value is not None and name != "version" and ent.column(name).type == "date":
            value = str(value)[:10]
        out[name] = value
    return out


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Error, "description": "no valid API token"},
    403: {"model": Error, "description": "the token's user may not do this here"},
    404: {"model": Error, "description": "no such record"}}
#: Operations with a body also answer 400 when it cannot be read as JSON at all (bytes that
#: are not UTF-8, say): Starlette refuses it before any validation.
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS, 400: {"model": Error, "description": "the body could not be parsed as JSON"}}


def _register(kind: str) -> None:
    ent = ENTITIES[kind]
    record = _record_model(ent)
    # list[record]: record is a model made at run time, which no static type can name
    items: Any = GenericAlias(list, (record,))
    page = create_model(f"{record.__name__}Page", items=(items, ...), total=(int, ...),
                        page=(int, ...), per_page=(int, ...))
    create_in, update_in = _input_model(ent, update=False), _input_model(ent, update=True)
    conflict = create_model(f"{record.__name__}Conflict", detail=(str, ...),
                            current=(record, ...))
    key_help = f"the record's key: {' | '.join(ent.key)} joined by '|'"

    def list_(request: Request, q: str | None = Query(None, max_length=200),
              sort: str | None = Query(None, max_length=64), desc: bool = False,
              page_no: int = Query(1, alias="page", ge=1, le=1_000_000),
              per_page: int = Query(50, ge=1, le=records.MAX_PER_PAGE),
              who: Principal = Depends(api_principal), st: State = Depends(state)):
        filters = {c: request.query_params[c] for c in ent.names if c in request.query_params}
        result = records.list_records(st.ws, st.access, who, kind, filters=filters, q=q,
                                      sort=sort, descending=desc, page=page_no,
                                      per_page=per_page)
        # returned as it is: the page is made to the model's shape from the schema's own
        # types (re-validating it cost ~8% of the CPU of a list); schemathesis checks answers
        return JSONResponse({"items": [_clean(r, ent) for r in result.rows],
                             "total": result.total, "page": result.page,
                             "per_page": result.per_page})

    def read(key: str = Path(..., description=key_help),
             who: Principal = Depends(api_principal), st: State = Depends(state)):
        return _clean(records.get_record(st.ws, st.access, who, kind, key), ent)

    def create(body: BaseModel, who: Principal = Depends(api_principal),
               st: State = Depends(state)):
        values = {k: v for k, v in body.model_dump().items() if v is not None}
        made = records.create_record(st.ws, st.access, who, kind, values)
        return JSONResponse(_clean(made, ent), status_code=201)

    def update(body: BaseModel, key: str = Path(..., description=key_help),
               who: Principal = Depends(api_principal), st: State = Depends(state)):
        values = body.model_dump(exclude_unset=True)
        version = values.pop("version", None)
        try:
            after = records.update_record(st.ws, st.access, who, kind, key, values, version)
        except StaleVersionError as exc:
            return JSONResponse({"detail": str(exc), "current": _clean(exc.current, ent)},
                                status_code=409)
        return _clean(after, ent)

    def delete(key: str = Path(..., description=key_help),
               version: int | None = Query(None, description="409 if the record has moved "
                                                             "on since this version"),
               who: Principal = Depends(api_principal), st: State = Depends(state)):
        try:
            gone = records.delete_record(st.ws, st.access, who, kind, key, version)
        except StaleVersionError as exc:
            return JSONResponse({"detail": str(exc), "current": _clean(exc.current, ent)},
                                status_code=409)
        return _clean(gone, ent)

    # the body models are made at run time, so they are given to FastAPI here, not in the
    # annotations above (which the type checker reads)
    create.__annotations__["body"] = create_in
    update.__annotations__["body"] = update_in
    tag: list[str | Enum] = [kind]
    label = ent.label("en")
    router.add_api_route(f"/{kind}", list_, methods=["GET"], response_model=page,
                         responses=ERRORS, tags=tag, summary=f"List {label}",
                         name=f"list_{kind}")
    router.add_api_route(f"/{kind}", create, methods=["POST"], response_model=record,
                         status_code=201, responses={**BODY_ERRORS, 409: {"model": Error}},
                         tags=tag, summary=f"Create a record of {kind}", name=f"create_{kind}")
    router.add_api_route(f"/{kind}/{{key}}", read, methods=["GET"], response_model=record,
                         responses=ERRORS, tags=tag, summary=f"Read a record of {kind}",
                         name=f"read_{kind}")
    router.add_api_route(f"/{kind}/{{key}}", update, methods=["PATCH"], response_model=record,
                         responses={**BODY_ERRORS, 409: {"model": conflict}}, tags=tag,
                         summary=f"Change a record of {kind}", name=f"update_{kind}")
    router.add_api_route(f"/{kind}/{{key}}", delete, methods=["DELETE"], response_model=record,
                         responses={**ERRORS, 409: {"model": conflict}}, tags=tag,
                         summary=f"Delete a record of {kind}", name=f"delete_{kind}")


@router.get("/docs", include_in_schema=False)
def docs(request: Request):
    """The interactive documentation (Swagger UI, served from the package)."""
    from fastapi.responses import HTMLResponse

    from khooshe.web.pages import environment

    return HTMLResponse(environment().get_template("docs.html.j2").render())


@router.get("/me", response_model=Me, responses=ERRORS, tags=["account"])
def me(who: Principal = Depends(api_principal)):
    """The token's user."""
    return Me(username=who.username, role=who.role, province=who.province, county=who.county,
              clusters=sorted(who.clusters))


for _kind in LOAD_ORDER:
    _register(_kind)
