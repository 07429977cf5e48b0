"""Export potential on the demo workspace, linked to the province's clusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from khooshe.cli import app
from khooshe.services.markets import concordance, workspace_markets
from khooshe.store.workspace import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def ws(demo_dir):
    w = Workspace.open(demo_dir)
    yield w
    w.close()


@pytest.fixture(scope="module")
def khuzestan(ws):
    return workspace_markets(ws, province="06")


def test_top_opportunities_in_iraq_carry_linked_clusters(khuzestan):
    pot, links = khuzestan.potential, khuzestan.links
    iraq = pot[pot["market"] == "IRQ"].sort_values("rank")
    assert iraq["rank"].tolist() == list(range(1, len(iraq) + 1))
    assert (iraq["market_name_fa"] == "عراق").all()
    assert iraq["product_name_en"].head(10).ne("").all()
    # the province's clusters: every link belongs to them and points at a real potential row
    assert set(links["province_code"]) == {"06"}
    linked = links[links["market"] == "IRQ"].merge(
        iraq[["product", "unrealised_value"]], on="product", suffixes=("", "_pot"))
    assert len(linked) > 0
    np.testing.assert_allclose(linked["unrealised_value"], linked["unrealised_value_pot"])
    # products of the clusters' activities rank among Iraq's opportunities
    assert linked["unrealised_value"].max() > 0
    per_cluster = links.groupby("cluster_code")["rank"].apply(list)
    assert all(r == list(range(1, len(r) + 1)) for r in per_cluster)


def test_invariants_and_exports_over_time(khuzestan):
    pot = khuzestan.potential
    assert (pot["potential_value"] >= 0).all()
    np.testing.assert_allclose(pot["unrealised_value"],
                               np.maximum(pot["potential_value"] - pot["actual_value"], 0))
    assert set(pot["market"]) == set(khuzestan.markets)
    over = khuzestan.over_time
    assert {"IRQ", "WLD"} <= set(over["market"])
    assert over["year"].nunique() == 5


def test_concordance_comes_from_products(ws):
    conc = concordance(ws)
    assert conc["hs6"].str.fullmatch(r"\d{6}").all()
    assert conc["isic"].str.fullmatch(r"\d{4}").all()


def test_unknown_codes_are_clear(ws):
    with pytest.raises(ValueError, match="unknown country code"):
        workspace_markets(ws, markets=["IRQ", "ZZZ"])
    with pytest.raises(ValueError, match="province '99'"):
        workspace_markets(ws, province="99")


def test_cli_workspace_mode(demo_dir, tmp_path):
    out = tmp_path / "iraq.csv"
    result = runner.invoke(app, ["markets", str(demo_dir), "--province", "01", "--exporter",
                                 "IRN", "--markets", "IRQ,AZE", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype={"product": str})
    for col in ("market", "product", "supply", "demand", "ease", "potential_value",
                "actual_value", "unrealised_value", "unrealised_pct", "rank"):
        assert col in table.columns
    links = pd.read_csv(tmp_path / "iraq_clusters.csv", dtype=str)
    assert set(links["province_code"]) == {"01"}
