"""A plan as an Excel workbook: an "about" sheet, then one sheet per table.

Headers are in the plan's language; in Persian the sheets read right to left. Numbers stay
numbers (Excel formats them); codes stay text so leading zeros survive.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from khooshe.io.tables import atomic_path, xlsx_text
from khooshe.reports.model import Plan, synthetic_banner
from khooshe.text.digits import digits
from khooshe.text.jalali import format_jalali
from khooshe.text.messages import t

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(keys: list[str], reserved: tuple[str, ...] = ()) -> list[str]:
    """Unique sheet names of at most 31 characters, as Excel requires (case-insensitive, and
    different from the ``reserved`` names)."""
    names: list[str] = list(reserved)
    for key in keys:
        base = _BAD_SHEET_CHARS.sub("_", key)[:31] or "sheet"
        name, i = base, 2
        while name.lower() in (n.lower() for n in names):
            suffix = f"_{i}"
            name = base[: 31 - len(suffix)] + suffix
            i += 1
        names.append(name)
    return names[len(reserved):]


def _short(title: str, limit: int = 31) -> str:
    """A table's title as a sheet name: without its parenthesis or colon part, cut at a word
    boundary to Excel's 31 characters."""
    text = re.split(r"\s*[(:：]", title, maxsplit=1)[0].strip() or title
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut if len(cut) >= limit // 2 else text[:limit]


def _value(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, _dt.datetime) and v.tzinfo is not None:  # Excel has no time zones
        v = v.replace(tzinfo=None)
    return v


def _number_format(column: pd.Series) -> str | None:
    """Thousands separators for whole numbers; for fractions as many decimals as the column's
    magnitude needs (two below 100, one below 10,000, none above), never the raw float."""
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        return None
    values = pd.to_numeric(column, errors="coerce").dropna()
    if values.empty:
        return None
    if pd.api.types.is_integer_dtype(column) or (values == values.round()).all():
        return "#,##0"
    top = float(values.abs().max())
    return "#,##0.00" if top < 100 else "#,##0.0" if top < 10_000 else "#,##0"


def _sheet_frame(frame: pd.DataFrame, headers: list[str], lang: str
                 ) -> tuple[pd.DataFrame, list[str]]:
    """The table as the sheet holds it: booleans as «بله»/«خیر» (yes/no), and beside each
    date column the same dates in the Jalali calendar (in Persian)."""
    out, names = {}, []
    for col, header in zip(frame.columns, headers, strict=True):
        values = frame[col]
        if pd.api.types.is_bool_dtype(values) or values.map(
                lambda v: isinstance(v, bool | np.bool_)).all() and len(values):
            values = values.map(lambda v: t(f"reports.xlsx.{'yes' if v else 'no'}", lang)
                                if isinstance(v, bool | np.bool_) else v)
        out[col] = values
        names.append(header)
        is_date = len(values) and values.dropna().map(
            lambda v: isinstance(v, _dt.date)).all() and values.notna().any()
        if lang == "fa" and is_date:
            out[f"{col}__jalali"] = values.map(
                lambda v: format_jalali(v, "fa") if isinstance(v, _dt.date) else None)
            names.append(t("reports.xlsx.jalali", lang, column=header))
    return pd.DataFrame(out, index=frame.index), names


def render_xlsx(plan: Plan, path: str | Path, lang: str = "fa") -> Path:
    """Write ``plan``'s tables to an XLSX workbook; returns the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

    if lang not in ("fa", "en"):
        raise ValueError(f"lang must be 'fa' or 'en', not {lang!r}")
    def words(key: str, **values: object) -> str:
        return t(f"reports.xlsx.{key}", lang, **values)

    wb = Workbook()
    about = wb.active
    assert isinstance(about, Worksheet)  # a new workbook opens on one empty worksheet
    about.title = words("sheet")
    about.sheet_view.rightToLeft = lang == "fa"
    bold = Font(bold=True)
    rows = [[plan.province_name(lang)]]
    if plan.synthetic:
        rows.append([synthetic_banner(lang)])
    when = plan.generated_at
    date = format_jalali(when.date(), lang) if lang == "fa" else when.date().isoformat()
    rows += [[words("province"), f"{plan.province_code} {plan.province_name(lang)}"],
             [words("generated"), f"{date} {digits(f'{when:%H:%M}', lang)}"],
             [words("workspace"), plan.workspace_name], [],
             [words("sections"), words("status"), words("sheet_col")]]
    tables = plan.tables
    # sheets named after their tables in the reader's language (Excel allows 31 characters)
    names = _sheet_names([_short(t.title(lang)) if lang == "fa" else t.key for t in tables],
                         reserved=(words("sheet"),))
    sheet_of = dict(zip((id(t) for t in tables), names, strict=True))
    for s in plan.sections:
        status = words("failed", error=s.error) if s.error else words("ok")
        rows.append([s.title(lang), status, ", ".join(sheet_of[id(t)] for t in s.tables)])
    for r in rows:  # names come from the workspace: never a live formula
        about.append([xlsx_text(v) for v in r])
    about["A1"].font = Font(bold=True, size=14)
    if plan.synthetic:
        about["A2"].font = Font(bold=True, color="9C5700")
        about["A2"].fill = PatternFill("solid", fgColor="FFF3CD")
    about.column_dimensions["A"].width = 42
    about.column_dimensions["B"].width = 60
    about.column_dimensions["C"].width = 60

    header_fill = PatternFill("solid", fgColor="E3F1EC")
    for table, name in zip(tables, names, strict=True):
        ws = wb.create_sheet(name)
        ws.sheet_view.rightToLeft = lang == "fa"
        ws.append([table.title(lang)])
        ws["A1"].font = Font(bold=True, size=12)
        frame, headers = _sheet_frame(table.frame, table.headers(lang), lang)
        ws.append(headers)
        for c in ws[2]:
            c.font = bold
            c.fill = header_fill
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for row in frame.itertuples(index=False, name=None):
            ws.append([xlsx_text(_value(v)) for v in row])  # text never becomes a formula
        ws.freeze_panes = "A3"
        for i, col in enumerate(frame.columns, start=1):
            letter = ws.cell(row=2, column=i).column_letter
            fmt = _number_format(frame[col])
            if fmt:
                for (c,) in ws.iter_rows(min_row=3, min_col=i, max_col=i):
                    c.number_format = fmt
            sample = frame[col].head(200).astype(str).str.len()
            width = max(len(str(headers[i - 1])), int(sample.max()) if len(sample) else 0)
            ws.column_dimensions[letter].width = min(max(10, width + 2), 60)
        if len(frame.columns):
            ws.auto_filter.ref = f"A2:{ws.cell(row=2, column=len(frame.columns)).column_letter}" \
                                 f"{max(2, len(frame) + 2)}"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)
