"""A plan as one self-contained HTML file (plotly.js embedded once; works offline).

Persian by default: ``<html lang="fa" dir="rtl">``, Persian digits in every number shown,
the date in the Jalali calendar. ``lang="en"`` gives a left-to-right English page. The same
view (:func:`view`) feeds the PDF renderer, which draws figures as static SVG instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.resources import as_file
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from khooshe import __version__
from khooshe.io.reference import font_file, package_text
from khooshe.io.tables import atomic_path
from khooshe.reports.model import Figure, Plan, Table, synthetic_banner
from khooshe.text.digits import digits
from khooshe.text.jalali import format_jalali
from khooshe.text.messages import isolated, t
from khooshe.text.numbers import format_value


def _check(lang: str) -> None:
    if lang not in ("fa", "en"):
        raise ValueError(f"lang must be 'fa' or 'en', not {lang!r}")


def _asset(name: str) -> str:
    return package_text("khooshe.reports", "templates", name)


def font_faces(embed: bool) -> str:
    """``@font-face`` rules for Vazirmatn, the plan's font in both languages: embedded as
    data (the HTML plan stays one self-contained file) or linked to the package's files (the
    PDF, which embeds what it uses)."""
    import base64

    rules = []
    for weight, css_weight in (("Regular", "normal"), ("Bold", "bold")):
        if embed:
            data = base64.b64encode(font_file(weight, "woff2").read_bytes()).decode("ascii")
            src = f'url("data:font/woff2;base64,{data}") format("woff2")'
        else:
            with as_file(font_file(weight, "ttf")) as path:
                src = f'url("{path.as_uri()}") format("truetype")'
        rules.append(f"@font-face {{ font-family: Vazirmatn; font-weight: {css_weight}; "
                     f"src: {src}; }}")
    return "\n".join(rules)


#: Columns of identifiers (codes of regions, activities, products, countries, clusters, units):
#: shown as stored, Latin digits included, so they match the workbook and the registry.
CODE_COLUMN = re.compile(r"(^|_)(code|id|isic|hs6|iso3|product|market|cluster)$")
#: Columns of years (Jalali or Gregorian): a number, but written without grouping (1402, not
#: 1,402).
YEAR_COLUMN = re.compile(r"(^|_)(year|period)$")


def cell(value: object, lang: str, code: bool = False, year: bool = False) -> tuple[str, str]:
    """The text of a table cell and its CSS class (``num`` for numbers, ``code`` for an
    identifier, kept as stored; a year without grouping)."""
    if code and isinstance(value, str):
        return value, "code"
    if year and isinstance(value, int | np.integer) and not isinstance(value, bool):
        return digits(int(value), lang), "num"
    text, numeric = format_value(value, lang)
    return text, "num" if numeric else ""


#: Tables with more columns than this get a landscape page of their own in the PDF.
WIDE_COLUMNS = 8
#: Tables with more rows than this are printed in a smaller type.
DENSE_ROWS = 40


def table_view(table: Table, lang: str) -> dict:
    """Headers, the shown rows (formatted) and the "N more rows" note of a table.

    Numeric columns (not booleans) get the ``num`` class on their header too, so a header sits
    over its numbers.
    """
    columns = table.shown_columns(lang)
    frame = table.frame[columns]
    shown = frame if table.max_rows_html is None else frame.head(table.max_rows_html)
    codes = [bool(CODE_COLUMN.search(c)) for c in columns]
    years = [bool(YEAR_COLUMN.search(c)) for c in columns]
    rows = [[dict(zip(("text", "cls"), cell(v, lang, code, year), strict=True))
             for v, code, year in zip(row, codes, years, strict=True)]
            for row in shown.itertuples(index=False, name=None)]
    for j, col in enumerate(columns):  # a group's name on its first row only
        if col in table.grouped:
            values = shown[col].tolist()
            for i in range(1, len(rows)):
                if values[i] == values[i - 1]:
                    rows[i][j] = {"text": "", "cls": rows[i][j]["cls"]}
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in columns]
    headers = [{"text": h, "cls": "num" if n else ""}
               for h, n in zip(table.headers(lang, columns), numeric, strict=True)]
    more = len(frame) - len(shown)
    return {"key": table.key, "title": table.title(lang), "note": table.note(lang),
            "headers": headers, "rows": rows, "wide": len(columns) > WIDE_COLUMNS and bool(rows),
            "dense": len(rows) > DENSE_ROWS,
            "more": t("reports.html.more", lang, n=more) if more else ""}


#: The page's font stack, given to plotly too (its default, Open Sans, has no Persian).
FONT_STACK = ('Vazirmatn, "Noto Sans Arabic UI", "Noto Sans Arabic", "Noto Naskh Arabic", '
              '"DejaVu Sans", Tahoma, sans-serif')


def styled_figure(figure: Figure, lang: str) -> go.Figure:
    """A copy of ``figure``'s plotly figure dressed for the page in ``lang``.

    Only what the figure leaves unset is filled in: the page's font, margins that grow to fit
    long tick labels; in Persian the title on the right, «٫» and «٬» as decimal and thousands
    separators and full numbers with thousands grouping on the axes instead of SI suffixes
    (``40k``) — the digits themselves are turned Persian in the browser (see
    ``plan.html.j2``), since plotly draws Latin digits only.
    """
    fig = go.Figure(figure.figure)
    if fig.layout.font.family is None:
        fig.update_layout(font_family=FONT_STACK)

    def room_for_labels(axis) -> None:  # long (Persian) tick labels widen the margin
        if axis.automargin is None:
            axis.automargin = True

    fig.for_each_xaxis(room_for_labels)
    fig.for_each_yaxis(room_for_labels)
    if lang == "fa":
        if fig.layout.separators is None:
            fig.update_layout(separators="٫٬")
        if fig.layout.title.text and fig.layout.title.x is None:
            fig.update_layout(title_x=0.98, title_xanchor="right")
        # plotly's SVG text runs left to right: a title that mixes in Latin (a "z", an
        # ISIC code) and parentheses comes out in the wrong order unless isolated, which
        # gives it the direction of its first letter
        if fig.layout.title.text:
            fig.update_layout(title_text=isolated(fig.layout.title.text))
        fig.for_each_trace(lambda t: t.update(name=isolated(t.name)) if t.name else None)

        def persian_axis(axis) -> None:
            if axis.exponentformat is None:
                axis.exponentformat = "none"
            if axis.separatethousands is None:
                axis.separatethousands = True

        fig.for_each_xaxis(persian_axis)
        fig.for_each_yaxis(persian_axis)
    return fig


def figure_html(figure: Figure, lang: str = "fa") -> str:
    """A figure's ``<div>`` and script, without plotly.js (the page loads it once)."""
    return styled_figure(figure, lang).to_html(
        include_plotlyjs=False, full_html=False,
        config={"displaylogo": False, "responsive": True})


def view(plan: Plan, lang: str, render_figure: Callable[[Figure], str]) -> dict:
    """Everything the template shows, in ``lang``."""
    _check(lang)
    when = plan.generated_at
    date = format_jalali(when.date(), lang) if lang == "fa" else when.date().isoformat()
    meta = t("reports.html.generated", lang, date=date, time=digits(when.strftime("%H:%M"), lang))
    if plan.workspace_name:  # not «·», which reads as a Persian zero
        meta += t("reports.html.workspace", lang, name=plan.workspace_name)
    title = plan.heading(lang)
    sections = []
    number = {s.key: digits(i, lang) for i, s in enumerate(plan.sections, start=1)}
    for i, s in enumerate(plan.sections, start=1):
        refs = s.paragraph_refs + [None] * (len(s.paragraphs(lang)) - len(s.paragraph_refs))
        sections.append({
            "key": s.key, "title": s.title(lang), "error": s.error,
            "paragraphs": [{"text": p, "ref": ref, "see": t(
                "plan.summary.see", lang, n=number[ref]) if ref in number else ""}
                for p, ref in zip(s.paragraphs(lang), refs, strict=True)],
            "figures": [{"key": f.key, "html": render_figure(f)} for f in s.figures],
            # a table with no rows to show is in the workbook only
            "tables": [table_view(t, lang) for t in s.tables if t.max_rows_html != 0],
            "index": digits(i, lang),
        })
    running = title + (" — " + t("reports.synthetic_short", lang) if plan.synthetic else "")
    return {"lang": lang, "dir": "rtl" if lang == "fa" else "ltr", "title": title, "meta": meta,
            "running_head": running.replace('"', "'").replace("\\", ""),
            "banner": synthetic_banner(lang) if plan.synthetic else "",
            "toc_title": t("reports.html.toc", lang), "error_title": t("reports.html.error", lang),
            "sections": sections, "footer": t("reports.html.footer", lang),
            "version": __version__}


def render(context: dict, css: str, plotly_js: str = "") -> str:
    """The page from the Jinja2 template (autoescaped)."""
    from jinja2 import Environment

    env = Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string(_asset("plan.html.j2"))
    return template.render(css=css, plotly_js=plotly_js, **context)


def render_html(plan: Plan, path: str | Path, lang: str = "fa") -> Path:
    """Write ``plan`` as one self-contained HTML file; returns the path."""
    from plotly.offline import get_plotlyjs

    has_figures = any(s.figures for s in plan.sections)
    page = render(view(plan, lang, lambda f: figure_html(f, lang)),
                  font_faces(embed=True) + _asset("plan.css"),
                  get_plotlyjs() if has_figures else "")
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return Path(path)
