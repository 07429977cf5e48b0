"""Rendering pages: the Jinja2 environment (autoescaped), the words of the catalogue in the
reader's language, values as tables show them, and the error page."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from khooshe import __version__
from khooshe.domain.schema import ENTITIES, LOAD_ORDER, entity
from khooshe.domain.vocab import label, vocabulary_of
from khooshe.text.digits import digits
from khooshe.text.jalali import format_jalali
from khooshe.text.messages import t
from khooshe.text.numbers import format_value

#: Kinds in the navigation, grouped (the rest are reached from their group's pages).
NAV = (("programme", ("clusters", "cluster_members", "cluster_activities",
                      "activity_participants", "partner_verifications",
                      "cluster_indicators", "cluster_targets", "cluster_stages",
                      "cluster_documents", "committee_meetings", "committee_decisions",
                      "support_problems", "province_exports",
                      "funds", "fund_allocations", "fund_commitments")),
       ("places", ("regions", "parks", "establishments", "resources", "purchases",
                   "village_proposals", "unit_progress", "park_projects")),
       ("reference", ("countries", "products", "trade_flows", "io_sectors", "io_flows")))
assert {k for _, kinds in NAV for k in kinds} == set(LOAD_ORDER)


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("khooshe.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    return env


@cache
def _word(key: str, lang: str) -> str:
    return t(f"web.{key}", lang)


@cache
def words(lang: str):
    """``tr(key, **values)`` of the templates: ``web.<key>`` in ``lang`` (the words without
    values looked up once)."""
    def tr(key: str, **values: Any) -> str:
        return t(f"web.{key}", lang, **values) if values else _word(key, lang)
    return tr


def kind_label(kind: str, lang: str) -> str:
    return entity(kind).label(lang)


def column_label(kind: str, column: str, lang: str) -> str:
    if column == "version":
        return t("web.version", lang)
    try:
        return entity(kind).column(column).description(lang)
    except KeyError:
        return column


def show(kind: str, column: str, value: Any, lang: str) -> str:
    """A stored value as a person reads it: labels of choices, Jalali dates in Persian,
    numbers localised, codes and identifiers as they are."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    try:
        col = entity(kind).column(column)
    except KeyError:
        col = None
    if col is not None:
        if col.type == "enum":
            vocab = vocabulary_of(col.choices)
            return label(vocab, str(value), lang) if vocab else str(value)
        if col.type == "date":
            return format_jalali(value, lang) if lang == "fa" else str(value)[:10]
        if col.type == "list":
            return list_text(value, lang)
        if col.type in ("code", "str", "geometry"):
            text = str(value)
            return text if len(text) <= 300 else text[:300] + "…"
        if column == "year" and lang == "fa":
            return digits(value, lang)
    return format_value(value, lang)[0]


@cache
def _activity_names(lang: str) -> dict[str, str]:
    from khooshe.io.reference import isic_names

    names = isic_names()
    return names["name_fa" if lang == "fa" else "name_en"].to_dict()


def list_items(value: Any) -> list[str]:
    """The items of a stored list (``2511;2592``), or the one value."""
    return [x.strip() for x in str(value).split(";") if x.strip()]


def named_codes(value: Any, names: dict[Any, str], lang: str) -> str:
    """A code, or a stored list of codes (``2511;2592``), each with its name before it when
    ``names`` has one: «تولید سازه‌های فلزی · 2511، تولید … · 2592»."""
    return ("، " if lang == "fa" else ", ").join(
        f"{names[c]} · {c}" if names.get(c) else c for c in list_items(value))


def activity_text(value: Any, lang: str) -> str:
    """ISIC classes (one, or a stored list) with their names in ``lang``."""
    return named_codes(value, _activity_names(lang), lang)


def list_text(value: Any, lang: str) -> str:
    """A stored list (``2511;2592``) as a reader reads it: «2511، 2592» / "2511, 2592"."""
    text = named_codes(value, {}, lang)
    return text if len(text) <= 300 else text[:300] + "…"


def formatter(kind: str, column: str, lang: str):
    """:func:`show` for one column, its lookups done once: what a list page calls per cell."""
    col = entity(kind).column(column)
    if col.type == "enum":
        vocab = vocabulary_of(col.choices)
        if not vocab:
            return lambda v: "" if v is None else str(v)
        return lambda v: "" if v is None else label(vocab, str(v), lang)
    if col.type == "list":
        return lambda v: "" if v is None else list_text(v, lang)
    if col.type in ("code", "str", "geometry"):
        def text(v: Any) -> str:
            if v is None:
                return ""
            s = str(v)
            return s if len(s) <= 300 else s[:300] + "…"
        return text
    return lambda v: show(kind, column, v, lang)


def table_cells(kind: str, columns: list[str], rows: list[dict[str, Any]], lang: str
                ) -> list[list[str]]:
    """The text of every cell of a list's table, formatted here rather than per cell in the
    template."""
    formats = [formatter(kind, c, lang) for c in columns]
    return [[f(r.get(c)) for f, c in zip(formats, columns, strict=True)] for r in rows]


def form_text(kind: str, column: str, value: Any, lang: str) -> str:
    """A stored value as the edit form shows it in its field (dates in the reader's
    calendar, everything else as stored)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if entity(kind).column(column).type == "date":
        return show(kind, column, value, lang)
    return str(value)


def conflict_rows(kind: str, current: dict, mine: dict, lang: str
                  ) -> list[tuple[str, str, str, bool]]:
    """The conflict page's rows: (column, value now, the value you sent, whether yours
    differs from what is stored now). Choices show their labels on both sides."""
    rows = []
    for col in entity(kind).columns:
        now = show(kind, col.name, current.get(col.name), lang)
        sent = str(mine.get(col.name, "") or "")
        yours = (show(kind, col.name, sent, lang) if col.type in ("enum", "list") and sent
                 else sent)
        changed = bool(mine) and sent != form_text(kind, col.name, current.get(col.name), lang)
        rows.append((col.name, now, yours, changed))
    return rows


def moment(value: Any, lang: str) -> str:
    """A point in time: the Jalali date and the time in Persian, ISO in English."""
    import pandas as pd

    if value is None:
        return ""
    when = pd.Timestamp(value)
    if when.tzinfo is not None:
        when = when.tz_convert("Asia/Tehran")
    clock = when.strftime("%H:%M")
    if lang == "fa":
        return f"{format_jalali(when.date(), lang)} {digits(clock, lang)}"
    return f"{when.date().isoformat()} {clock}"


def render(request: Request, template: str, *, lang: str, status: int = 200,
           **context: Any) -> HTMLResponse:
    """A page in ``lang``; sets the language cookie when ``?lang=`` chose it."""
    from khooshe.web.security import LANG_COOKIE

    body = environment().get_template(template).render(
        request=request, lang=lang, dir="rtl" if lang == "fa" else "ltr", tr=words(lang),
        kind_label=lambda k: kind_label(k, lang),
        column_label=lambda k, c: column_label(k, c, lang),
        show=lambda k, c, v: show(k, c, v, lang), num=lambda v: format_value(v, lang)[0],
        moment=lambda v: moment(v, lang), nav=NAV, kinds=ENTITIES,
        role_label=lambda r: label("role", r, lang), digits=lambda v: digits(v, lang),
        conflict_rows=lambda k, now, mine: conflict_rows(k, now, mine, lang),
        app_version=__version__, **context)
    response = HTMLResponse(body, status_code=status)
    if request.query_params.get("lang") in ("fa", "en"):
        response.set_cookie(LANG_COOKIE, request.query_params["lang"], samesite="lax",
                            httponly=True, max_age=365 * 24 * 3600)
    return response


def error_page(request: Request, status: int, message: str, issues: list | None = None,
               error: Exception | None = None) -> HTMLResponse:
    """An error page in the reader's language, with the navigation when someone is signed
    in (never a traceback). ``error``'s catalogue message is shown when it has one; else in
    Persian the status explained, in English ``message``."""
    from khooshe.web.deps import lang, optional_session

    language = lang(request)
    localized = getattr(error, "localized", None)
    if localized is not None and hasattr(localized, "render"):
        text = localized.render(language)
    elif language == "en" and message:
        text = message
    else:
        known = (400, 401, 403, 404, 409, 413, 422, 429)
        text = t(f"web.explain.{status if status in known else 'other'}", language)
    return render(request, "error.html.j2", lang=language, status=status, code=status,
                  message=text, issues=issues or [], session=optional_session(request))
