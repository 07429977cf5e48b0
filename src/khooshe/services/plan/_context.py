"""What every section of the plan shares: the options, the workspace data loaded once, and
the helpers that turn catalogue messages, tables and figures into the report model.

Every sentence, title and header of the plan is a message of ``text/catalogue/plan.toml``;
sections give values, the catalogue gives words. A value in a sentence is shown as the tables
show it: numbers with :func:`khooshe.text.numbers.format_value`, :class:`Money` in toman with
its unit, :class:`~khooshe.text.messages.Bilingual` names in their language, codes as given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
import plotly.graph_objects as go

from khooshe.domain.regions import RegionHierarchy
from khooshe.domain.trade import DEFAULT_EXPORTER, DEFAULT_MARKETS
from khooshe.domain.vocab import label
from khooshe.io.reference import isic_names
from khooshe.reports.model import Figure, Section, Table
from khooshe.services.frames import establishments_with_regions
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Bilingual, t
from khooshe.text.numbers import format_money_toman

#: Rows shown per table in HTML/PDF (the XLSX has them all).
SHOWN_ROWS = 25
#: The colour of single-series bar charts.
BAR_COLOUR = "#2a7f62"


@dataclass
class PlanOptions:
    """What the user asked for; ``None`` means the documented default of each section."""

    budget: int | None = None  # rials
    target_jobs: int | None = None
    markets: tuple[str, ...] = DEFAULT_MARKETS
    exporter: str = DEFAULT_EXPORTER
    per_county: int = 10
    hotspot_activities: int = 3
    permutations: int = 999


@dataclass(frozen=True)
class Money:
    """An amount in rials, shown in toman with its unit."""

    rials: float


@dataclass
class PlanContext:
    """What every section builder may read; loaded once and shared."""

    ws: Workspace
    province: str
    options: PlanOptions
    lang: str = "fa"  # of figures (text and tables carry both languages)
    notes: list[Bilingual] = field(default_factory=list)  # assumptions, for the appendix
    #: Each section's decision (its "what to do"), for the executive summary, by section key.
    findings: dict[str, Bilingual] = field(default_factory=dict)

    def decide(self, key: str, line: Bilingual) -> Bilingual:
        """Record section ``key``'s decision for the summary («Villages: …»); returns it as
        the section's own last line («What to do: …»)."""
        self.findings[key] = say("summary.item", topic=words(f"summary.topic.{key}"), text=line)
        return say("todo.line", text=line)

    def pick(self, text: Bilingual) -> str:
        """``text`` in the language of the figures."""
        return text.render(self.lang)

    @cached_property
    def regions(self) -> pd.DataFrame:
        return read_kind(self.ws, "regions")

    @cached_property
    def hierarchy(self) -> RegionHierarchy:
        return RegionHierarchy(self.regions)

    @cached_property
    def in_province(self) -> pd.Series:
        """Mask over :attr:`regions`: the province and everything below it."""
        return self.hierarchy.in_province(self.province)

    @cached_property
    def counties(self) -> pd.DataFrame:
        r = self.regions
        return r[self.in_province & (r["level"] == "county")].set_index("code")

    @cached_property
    def establishments(self) -> pd.DataFrame:
        return establishments_with_regions(self.ws, province=self.province)

    @cached_property
    def isic_names(self) -> pd.DataFrame:
        return isic_names()

    def isic_label(self, codes: pd.Series, lang: str) -> pd.Series:
        col = "name_fa" if lang == "fa" else "name_en"
        return codes.map(self.isic_names[col]).fillna("")

    def county_name(self, codes: pd.Series, lang: str) -> pd.Series:
        col = "name_fa" if lang == "fa" else "name_en"
        return codes.map(self.regions.set_index("code")[col])


# --- Words ------------------------------------------------------------------------------------
def _value(value: object, lang: str) -> object:
    if isinstance(value, Money):
        return format_money_toman(value.rials, lang)
    return value


def say(key: str, **values: object) -> Bilingual:
    """The catalogue message ``plan.<key>`` in both languages with ``values`` filled in."""
    return Bilingual(*(t(f"plan.{key}", lang, **{k: _value(v, lang) for k, v in values.items()})
                       for lang in ("fa", "en")))


def words(key: str) -> Bilingual:
    """A message without values (a title, a header, a label)."""
    return say(key)


def labels(vocabulary: str, codes: pd.Series, lang: str) -> pd.Series:
    """The labels of vocabulary values (stages, statuses, …) in ``lang``."""
    return codes.map(lambda c: label(vocabulary, c, lang))


def joined(parts: list[Bilingual]) -> Bilingual:
    """Parts of a list in a sentence: «الف، ب» / "a, b"."""
    return Bilingual(t("common.list_separator", "fa").join(p.fa for p in parts),
                     t("common.list_separator", "en").join(p.en for p in parts))


# --- Model pieces -----------------------------------------------------------------------------
def section(key: str, lines: list[Bilingual], tables: Sequence[Table] = (),
            figures: Sequence[Figure] = ()) -> Section:
    """A section titled ``plan.section.<key>``."""
    title = words(f"section.{key}")
    return Section(key=key, title_fa=title.fa, title_en=title.en,
                   paragraphs_fa=[line.fa for line in lines],
                   paragraphs_en=[line.en for line in lines],
                   tables=list(tables), figures=list(figures))


def table(key: str, title: Bilingual, frame: pd.DataFrame, headers: dict[str, str],
          note: Bilingual | None = None, rows: int | None = SHOWN_ROWS, *,
          shown: Mapping[str, list[str]] | None = None,
          grouped: tuple[str, ...] = ()) -> Table:
    """A table of the columns of ``headers`` (in that order); each header is the catalogue
    message ``plan.header.<name>``. ``shown`` names, per language, the columns the HTML and
    PDF show in each language (default: :meth:`Table.shown_columns`); the XLSX has all."""
    frame = frame[list(headers)].reset_index(drop=True)
    names = {col: words(f"header.{name}") for col, name in headers.items()}
    return Table(key=key, title_fa=title.fa, title_en=title.en, frame=frame,
                 headers_fa={c: h.fa for c, h in names.items()},
                 headers_en={c: h.en for c, h in names.items()},
                 note_fa=note.fa if note else "", note_en=note.en if note else "",
                 max_rows_html=rows, columns_fa=(shown or {}).get("fa"),
                 columns_en=(shown or {}).get("en"),
                 grouped=grouped)


def per_language(*columns: str) -> dict[str, list[str]]:
    """The columns a table shows in each language: ``{lang}`` in a name becomes ``fa`` or
    ``en`` (``"county_{lang}"`` → ``county_fa`` in the Persian plan)."""
    return {lang: [c.format(lang=lang) for c in columns] for lang in ("fa", "en")}


def figure(key: str, title: Bilingual, fig: go.Figure) -> Figure:
    return Figure(key=key, title_fa=title.fa, title_en=title.en, figure=fig)


def bar(ctx: PlanContext, key: str, title: Bilingual, labels_: pd.Series, values: pd.Series,
        axis: Bilingual | None = None, horizontal: bool = True) -> Figure:
    """A bar chart in the plan's language (labels are shown as given)."""
    axis_text = ctx.pick(axis) if axis else ""
    if horizontal:
        trace = go.Bar(x=values.to_numpy(), y=labels_.to_numpy(), orientation="h",
                       marker_color=BAR_COLOUR)
        layout = {"yaxis": {"autorange": "reversed", "automargin": True},
                  "xaxis": {"title": {"text": axis_text}}}
    else:
        trace = go.Bar(x=labels_.to_numpy(), y=values.to_numpy(), marker_color=BAR_COLOUR)
        layout = {"yaxis": {"title": {"text": axis_text}}}
    fig = go.Figure(trace)
    fig.update_layout(title={"text": ctx.pick(title)}, height=max(320, 26 * len(labels_) + 120),
                      margin={"l": 10, "r": 10, "t": 50, "b": 40}, **layout)
    return figure(key, title, fig)
