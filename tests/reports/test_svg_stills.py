"""The PDF's still charts draw what the interactive figure shows: categories in the figure's
order (a cluster starting in 1402 drawn first once put 1402 before 1400)."""

from __future__ import annotations

import re

import plotly.graph_objects as go

from khooshe.reports.model import Figure
from khooshe.reports.svg import figure_static


def _labels_left_to_right(svg: str, labels: list[str]) -> list[str]:
    found = []
    for label in labels:
        m = re.search(r'<text x="([\d.]+)"[^>]*>' + re.escape(label) + "<", svg)
        assert m, label
        found.append((float(m.group(1)), label))
    return [label for _, label in sorted(found)]


def test_categories_follow_the_figure_s_order():
    fig = go.Figure([go.Scatter(x=["1402", "1403"], y=[1, 2]),
                     go.Scatter(x=["1400", "1401", "1402", "1403"], y=[1, 2, 3, 4])])
    unordered = figure_static(Figure("f", "t", "t", fig), "en")
    assert _labels_left_to_right(unordered, ["1400", "1401", "1402", "1403"]) == [
        "1402", "1403", "1400", "1401"]  # plotly's own rule: as they first appear
    fig.update_xaxes(type="category", categoryorder="array",
                     categoryarray=["1400", "1401", "1402", "1403"])
    ordered = figure_static(Figure("f", "t", "t", fig), "en")
    assert _labels_left_to_right(ordered, ["1400", "1401", "1402", "1403"]) == [
        "1400", "1401", "1402", "1403"]


def test_years_in_tables_are_written_without_grouping():
    import pandas as pd

    from khooshe.reports.html import table_view
    from khooshe.reports.model import Table

    frame = pd.DataFrame({"year": [1402, 1403], "amount": [1402, 25000]})
    rows = table_view(Table("t", "t", "t", frame), "fa")["rows"]
    assert [r[0]["text"] for r in rows] == ["۱۴۰۲", "۱۴۰۳"]
    assert rows[1][1]["text"] == "۲۵٬۰۰۰"  # other numbers keep their grouping
