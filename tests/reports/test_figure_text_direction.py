"""Figure texts in the Persian plan keep their order and their legends say what they show."""

from __future__ import annotations

import plotly.graph_objects as go

from khooshe.reports.html import styled_figure
from khooshe.reports.model import Figure
from khooshe.reports.svg import figure_static

TITLE = "کانون‌های داغ تولید آهن (آمارهٔ z آزمون گتیس–اورد)"


def _figure() -> Figure:
    fig = go.Figure([go.Scatter(x=[0, 1, 1, 0], y=[0, 0, 1, 1], fill="toself",
                                fillcolor="rgba(205, 205, 205, 0.8)", mode="lines",
                                line={"color": "#555"}, name="بدون شاغل", showlegend=True)])
    fig.update_layout(title={"text": TITLE})
    return Figure("f", TITLE, "Hot spots (z)", fig)


def test_persian_titles_and_legend_names_are_isolated():
    """Plotly's SVG text runs left to right: a Persian title with a Latin "z" and brackets is
    shown in order only inside a first-strong isolate (it then runs right to left)."""
    fa = styled_figure(_figure(), "fa")
    assert fa.layout.title.text == f"\u2068{TITLE}\u2069"
    assert fa.data[0].name == "\u2068بدون شاغل\u2069"
    assert styled_figure(_figure(), "en").layout.title.text == TITLE


def test_a_filled_area_is_shown_in_the_legend_by_its_fill():
    svg = figure_static(_figure(), "fa")
    swatch = svg[svg.index('class="legend"'):]
    assert "rgba(205, 205, 205, 0.8)" in swatch and "#555" not in swatch
