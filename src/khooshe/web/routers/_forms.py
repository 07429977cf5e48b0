"""What the programme's pages share: values typed in forms (dates, whole numbers), stored
values shown (text or nothing, Jalali dates, a region's name in the reader's language), the
province a page is about and the check that its reader may see it, and rendering a page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from fastapi import Request
from sqlalchemy import select

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.store import repository
from khooshe.store.tables import TABLES
from khooshe.text.digits import to_ascii_digits
from khooshe.text.jalali import format_jalali, parse_date
from khooshe.text.messages import Message
from khooshe.web.app import State
from khooshe.web.deps import Session


def form_date(value: object) -> dt.date | None:
    """A date typed in a form or sent to the API (Jalali or Gregorian, Persian digits)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise InputError(f"not a date: {text}",
                         localized=Message("web.flow.bad_date", {"value": text})) from None


def text_or_none(value: Any) -> str | None:
    """A stored value as text, None when missing (None or NaN)."""
    if value is None:
        return None
    try:
        if bool(pd.isna(value)):  # NaN, NaT, pandas' NA
            return None
    except (TypeError, ValueError):  # a list or an array: not missing
        pass
    return str(value)


def region_name(row: Any, lang: str) -> str:
    fa, en = text_or_none(row.get("name_fa")), text_or_none(row.get("name_en"))
    return (fa or en or "") if lang == "fa" else (en or fa or "")


def province_of(who: Principal, asked: str | None) -> str | None:
    if asked:
        return asked
    return who.province or (sorted(who.provinces)[0] if who.provinces else None)


def render_page(request: Request, session: Session, template: str, status: int = 200,
                **ctx: Any):
    from khooshe.web.pages import render

    return render(request, template, lang=session.lang, status=status, session=session, **ctx)


def province_choices(st: State, lang: str) -> list[tuple[str, str]]:
    """Every province as (code, name in ``lang``), by code: the page's province picker."""
    table = TABLES["regions"]
    with st.ws.engine.connect() as conn:
        rows = conn.execute(select(table.c.code, table.c.name_fa, table.c.name_en)
                            .where(table.c.level == "province").order_by(table.c.code)).all()
    return [(str(r.code), region_name({"name_fa": r.name_fa, "name_en": r.name_en}, lang))
            for r in rows]


def check_province(st: State, who: Principal, province: str) -> None:
    """Forbidden unless ``who`` may read ``province``'s records, as the policy places a
    province's committee (404 when ``province`` is not a province)."""
    with st.ws.engine.connect() as conn:
        region = repository.get(conn, "regions", {"code": province})
    if region is None or region.get("level") != "province":
        raise NotFoundError(f"no province {province}",
                            localized=Message("web.flow.committee.no_province",
                                              {"code": province}))
    st.access.check(who, "read", "committee_meetings", {"province_code": province})


def jalali(value: object, lang: str) -> str:
    text = text_or_none(value)
    if not text:
        return ""
    return format_jalali(text, lang) if lang == "fa" else text[:10]


def whole_number(value: object, field: str) -> int | None:
    """A whole number typed in a form (Persian digits and separators accepted)."""
    text = to_ascii_digits(str(value or "")).replace(",", "").replace("٬", "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InputError(f"{field}: not a whole number: {value}",
                         localized=Message("web.flow.money.bad_number", {"value": str(value)}))
    return int(text)


def money(value: Any, lang: str) -> str:
    """An amount in rials as the pages show it (in toman, grouped; empty when missing)."""
    from khooshe.text.numbers import format_money_toman

    return "" if text_or_none(value) is None else format_money_toman(value, lang)


def number(value: Any, lang: str) -> str:
    """A stored number as the pages show it (grouped, the reader's digits; empty when
    missing)."""
    from khooshe.text.numbers import format_value

    return "" if text_or_none(value) is None else format_value(value, lang)[0]


def percent(value: Any, lang: str) -> str:
    """A value in per cent, rounded to a whole number, with the reader's per-cent sign."""
    from khooshe.text.numbers import format_value

    if text_or_none(value) is None:
        return ""
    return format_value(round(float(value)), lang)[0] + ("٪" if lang == "fa" else "%")


def optional_int(value: Any) -> int | None:
    return None if text_or_none(value) is None else int(value)
