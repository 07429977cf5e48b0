"""The report model: what a plan says, independent of how it is rendered.

:mod:`khooshe.services.plan` fills a :class:`Plan`; :mod:`khooshe.reports.html`,
:mod:`khooshe.reports.xlsx` and :mod:`khooshe.reports.pdf` render it. Text and tables carry both
languages; the renderer picks one.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go


@dataclass
class Table:
    """A table of raw values (codes as text, numbers as numbers) with headers per language.

    ``max_rows_html`` rows are shown in HTML and PDF, which then say how many more rows the
    XLSX holds; ``None`` shows all.

    ``columns_fa`` / ``columns_en`` name the columns HTML and PDF show in that language (the
    XLSX always has every column). By default all are shown except a column ``X_en`` in Persian
    when ``X_fa`` exists too, and ``X_fa`` in English when ``X_en`` exists.
    """

    key: str
    title_fa: str
    title_en: str
    frame: pd.DataFrame
    headers_fa: dict[str, str] = field(default_factory=dict)
    headers_en: dict[str, str] = field(default_factory=dict)
    note_fa: str = ""
    note_en: str = ""
    max_rows_html: int | None = 50
    columns_fa: list[str] | None = None
    columns_en: list[str] | None = None
    #: Columns whose value HTML and PDF show only where it changes (a group's first row).
    grouped: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_fa if lang == "fa" else self.title_en

    def headers(self, lang: str, columns: list[str] | None = None) -> list[str]:
        """Headers of ``columns`` (default: every column of the frame) in ``lang``."""
        names = self.headers_fa if lang == "fa" else self.headers_en
        return [names.get(c, str(c)) for c in (self.frame.columns if columns is None
                                                else columns)]

    def shown_columns(self, lang: str) -> list[str]:
        """The columns HTML and PDF show in ``lang`` (see the class docstring)."""
        chosen = self.columns_fa if lang == "fa" else self.columns_en
        if chosen is not None:
            missing = [c for c in chosen if c not in self.frame.columns]
            if missing:
                raise KeyError(f"table {self.key!r} has no column(s) {missing}")
            return list(chosen)
        other, own = ("_en", "_fa") if lang == "fa" else ("_fa", "_en")
        cols = [str(c) for c in self.frame.columns]
        return [c for c in cols
                if not (c.endswith(other) and c[: -len(other)] + own in cols)]

    def note(self, lang: str) -> str:
        return self.note_fa if lang == "fa" else self.note_en


@dataclass
class Figure:
    """A plotly figure (its labels already in the plan's language)."""

    key: str
    title_fa: str
    title_en: str
    figure: go.Figure

    def title(self, lang: str) -> str:
        return self.title_fa if lang == "fa" else self.title_en


@dataclass
class Section:
    """One section of a plan; ``error`` is set when the section could not be built."""

    key: str
    title_fa: str
    title_en: str
    paragraphs_fa: list[str] = field(default_factory=list)
    paragraphs_en: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    error: str | None = None
    #: For each paragraph, the key of the section it summarises (a link), or None.
    paragraph_refs: list[str | None] = field(default_factory=list)

    def title(self, lang: str) -> str:
        return self.title_fa if lang == "fa" else self.title_en

    def paragraphs(self, lang: str) -> list[str]:
        return self.paragraphs_fa if lang == "fa" else self.paragraphs_en


@dataclass
class Plan:
    """A province plan."""

    province_code: str
    province_name_fa: str
    province_name_en: str
    generated_at: _dt.datetime
    synthetic: bool
    sections: list[Section]
    workspace_name: str = ""
    #: The report's title when it is not the province plan (a committee meeting's report).
    title_fa: str = ""
    title_en: str = ""

    def province_name(self, lang: str) -> str:
        return self.province_name_fa if lang == "fa" else self.province_name_en

    def heading(self, lang: str) -> str:
        """The title: the report's own, else «برنامهٔ … استان» / "… province plan"."""
        own = self.title_fa if lang == "fa" else self.title_en
        if own:
            return own
        from khooshe.text.messages import t

        return t("reports.html.plan", lang, province=self.province_name(lang))

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]


def synthetic_banner(lang: str) -> str:
    """The banner every output of a synthetic workspace carries."""
    from khooshe.text.messages import t

    return t("reports.synthetic_banner", lang)
