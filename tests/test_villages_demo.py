"""On the demo, villages next to Gilan's tea, olive and rice resources (and Ardabil's wool and
milk) are shortlisted for the activities those resources feed; the CLI writes the table, the
per-county summary and a self-contained HTML map."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import pytest
from typer.testing import CliRunner

from khooshe.cli import app
from khooshe.services import villages as service
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

REQUIRED = ["county_code", "village_code", "rank", "activity", "score", "c_relatedness",
            "c_resources", "c_agglomeration", "c_access", "c_labour", "c_water_stress",
            "explanation_fa", "explanation_en"]


@pytest.fixture(scope="module")
def ws(demo_dir):
    workspace = Workspace.open(demo_dir)
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def gilan(ws):
    return service.village_shortlist(ws, province="01")


def _resource_percentile(result, resource: str) -> pd.Series:
    pot = result.potential
    k = list(pot.resource_keys).index(resource)
    q = pd.Series(pot.resource_supply[:, k], index=pot.villages["village_code"])
    return q.rank(pct=True)


@pytest.mark.parametrize(("activity", "resource"), [
    ("1079", "tea_leaf"), ("1040", "olives"), ("1061", "paddy"),
])
def test_gilan_villages_next_to_resources_are_shortlisted_for_them(gilan, activity, resource):
    sl = gilan.shortlist.villages
    chosen = sl[sl["activity"] == activity]
    assert len(chosen) >= 5, f"only {len(chosen)} villages shortlisted for {activity}"
    # each of them has the resource within the radius, and it explains the pick
    assert (chosen["resource"] == resource).all()
    assert (chosen["resource_quantity"] > 0).all()
    assert (chosen["c_resources"] > 0.2).all()
    assert chosen["explanation_en"].str.contains("local").all()
    # and they are among the villages with the most of it around them
    pct = _resource_percentile(gilan, resource)[chosen["village_code"]]
    assert pct.median() >= 0.75, pct.describe()


def test_ardabil_carpets_and_dairy_sit_on_wool_and_milk(ws):
    result = service.village_shortlist(ws, province="24")
    sl = result.shortlist.villages
    for activity, resource in (("1393", "wool"), ("1050", "milk")):
        chosen = sl[sl["activity"] == activity]
        assert len(chosen) >= 5
        assert chosen["resource"].isin([resource, "sheep", "cattle"]).all()
        assert _resource_percentile(result, resource)[chosen["village_code"]].median() >= 0.6


def test_every_gilan_county_gets_ten_under_the_constraints(gilan):
    sl, counties = gilan.shortlist.villages, gilan.shortlist.counties
    assert len(counties) == 8
    assert (counties["shortlisted"] == counties["eligible"].clip(upper=10)).all()
    assert (sl.groupby(["county_code", "activity"]).size() <= 3).all()
    assert (sl["population"] >= 100).all()
    assert sl[REQUIRED].notna().all().all()
    assert sl["data"].str.contains("SYNTHETIC").all()
    total = sum(gilan.potential.signed_weight(n) * sl[f"c_{n}"]
                for n in gilan.potential.component_names)
    assert (total - sl["score"]).abs().max() < 2e-6


def test_cli_writes_table_summary_and_offline_map(demo_dir, tmp_path):
    out = tmp_path / "gilan.xlsx"
    res = CliRunner().invoke(app, ["villages", str(demo_dir), "--province", "01",
                                   "--per-county", "5", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "SYNTHETIC" in res.output
    table = pd.read_excel(out, dtype={"county_code": str, "village_code": str, "activity": str})
    assert list(table.columns[:len(REQUIRED)]) == REQUIRED
    assert len(table) == 40 and (table.groupby("county_code").size() == 5).all()
    summary = pd.read_excel(tmp_path / "gilan_counties.xlsx", dtype={"county_code": str})
    assert list(summary["shortlisted"]) == [5] * 8
    html = (tmp_path / "gilan.html").read_text(encoding="utf-8")
    assert len(html) > 1_000_000                      # plotly.js inlined
    tags = re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
    assert tags and not [tag for tag in tags if re.search(r"\bsrc\s*=", tag, re.IGNORECASE)]
    assert not re.search(r"<(link|img|iframe)\b[^>]*(src|href)\s*=\s*[\"']?(https?:)?//",
                         html, flags=re.IGNORECASE)
    assert "Plotly.newPlot" in html
    for act in table["activity"].unique():
        assert f'"name":"{act} ' in html             # one legend entry per activity


def test_plan_api_positional_call_dataframes_and_figure(ws, gilan):
    """What the province plan calls: the shortlist and the summary, and a plotly Figure."""
    result = service.village_shortlist(ws, "01", 4, max_per_activity=2)
    assert isinstance(result.villages, pd.DataFrame) and result.villages is \
        result.shortlist.villages
    assert result.counties is result.shortlist.counties
    assert list(result.counties.columns[:6]) == ["county_code", "county_fa", "county_en",
                                                 "villages", "eligible", "shortlisted"]
    assert (result.counties["shortlisted"] == 4).all() and len(result.villages) == 32
    assert (result.villages.groupby(["county_code", "activity"]).size() <= 2).all()
    fig = service.shortlist_figure(gilan)
    assert isinstance(fig, go.Figure)
    sl = gilan.villages
    named = {tr.name.split(" ")[0]: tr for tr in fig.data if tr.name and tr.name[:4].isdigit()}
    assert set(named) == set(sl["activity"])
    for act, tr in named.items():
        assert len(tr.x) == int((sl["activity"] == act).sum())
    colours = [tr.marker.color for tr in named.values()]
    assert len(set(colours)) == min(len(colours), len(service.PALETTE))
    assert "ساختگی" in fig.layout.title.text  # in one language: Persian by default
    english = service.shortlist_figure(gilan, lang="en")
    assert "SYNTHETIC" in english.layout.title.text
    assert {tr.name for tr in english.data} >= {"villages", "industrial park", "county seat"}
    assert not any("/" in (tr.name or "") for tr in fig.data)  # no "روستاها / villages"
    # the counties' names are on the map, and no lon/lat axes are drawn
    names = next(tr for tr in fig.data if tr.mode == "text")
    assert set(names.text) == set(gilan.counties["county_fa"])
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    # from a table alone (e.g. one county of the rounded shortlist): only the shortlist
    one = service.rounded(sl[sl["county_code"] == sl["county_code"].iloc[0]])
    small = service.shortlist_figure(one, title="one county")
    assert isinstance(small, go.Figure) and small.layout.title.text == "one county"
    assert sum(len(tr.x) for tr in small.data) == len(one)
    assert {tr.name.split(" ")[0] for tr in small.data} == set(one["activity"])
    with pytest.raises(ValueError, match="lat"):
        service.shortlist_figure(one.drop(columns=["lat"]))


def test_cli_activities_and_weights(demo_dir, tmp_path):
    weights = tmp_path / "w.toml"
    weights.write_text("[components.resources]\nweight = 0.6\n", encoding="utf-8")
    out = tmp_path / "tea.csv"
    res = CliRunner().invoke(app, ["villages", str(demo_dir), "--province", "01",
                                   "--activities", "1079,1061", "--weights", str(weights),
                                   "--per-county", "4", "--max-per-activity", "2",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out, dtype=str)
    assert set(table["activity"]) == {"1079", "1061"}
    assert (table.groupby(["county_code", "activity"]).size() <= 2).all()


@pytest.mark.parametrize(("args", "message"), [
    (["--province", "99"], "province '99'"),
    (["--province", "01", "--activities", "tea"], "'tea'"),
    (["--province", "01", "--weights", "missing.toml"], "does not exist"),
    (["--province", "01", "--per-county", "0"], "per_county"),
])
def test_cli_bad_input_exits_2_and_writes_nothing(demo_dir, tmp_path, args, message):
    out = tmp_path / "x.csv"
    res = CliRunner().invoke(app, ["villages", str(demo_dir), *args, "-o", str(out)])
    assert res.exit_code == 2
    assert message in res.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("province", ["06", "01", "24"])
def test_villages_are_offered_only_village_scale_activities(ws, province):
    """No village is offered an aircraft factory, a refinery or basic petrochemicals: every
    shortlisted activity and alternative has the setting «village» and is not too large in
    the register."""
    from khooshe.io.reference import activity_settings

    result = service.village_shortlist(ws, province=province)
    settings = activity_settings()
    picked = pd.concat([result.villages[c] for c in ("activity", "alt1_activity",
                                                     "alt2_activity")]).dropna()
    assert len(result.villages) > 0
    assert (picked.map(settings) == "village").all(), sorted(set(picked))
    assert not set(picked) & {"3030", "1920", "2011", "2410", "1910"}
    suitable, _ = service.village_scale(read_kind(ws, "establishments"))
    assert set(picked) <= suitable


def test_activities_not_suited_to_villages_are_left_out_with_a_note(ws):
    result = service.village_shortlist(ws, province="06", activities=["1061", "3030", "1920"])
    assert set(result.villages["activity"]) == {"1061"}
    assert any("3030" in str(n) and "1920" in str(n) and "not suited to a village" in str(n)
               for n in result.notes)
