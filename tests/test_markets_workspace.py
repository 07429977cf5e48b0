"""Export potential on the demo workspace, linked to the province's clusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from khooshe.cli import app
from khooshe.domain.trade import DEFAULT_MARKETS
from khooshe.services.markets import (
    CLUSTER_COLUMNS,
    cluster_counties,
    concordance,
    workspace_markets,
)
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

runner = CliRunner()
TOP = 10


@pytest.fixture(scope="module")
def ws(demo_dir):
    w = Workspace.open(demo_dir)
    yield w
    w.close()


@pytest.fixture(scope="module")
def khuzestan(ws):
    return workspace_markets(ws, province="06")


def makers(ws, province: str) -> dict[str, list[str]]:
    """Product → the province's clusters making it, from the raw tables (the oracle)."""
    products = read_kind(ws, "products", columns=["hs6", "isic"]).dropna()
    clusters = read_kind(ws, "clusters").query("province_code == @province")
    out: dict[str, list[str]] = {}
    for hs6, isic in zip(products["hs6"], products["isic"], strict=True):
        codes = sorted(c for c, acts in zip(clusters["code"], clusters["isic"], strict=True)
                       if isic in acts.split(";"))
        if codes:
            out[hs6] = codes
    return out


def check_top_iraq(table: pd.DataFrame, make: dict[str, list[str]]) -> pd.DataFrame:
    """The province's best N Iraq rows are the N largest unrealised potentials among the
    products its clusters make, each listed with exactly those clusters."""
    iraq = table[table["market"] == "IRQ"]
    expected = (iraq[iraq["product"].isin(make)]
                .sort_values(["unrealised_value", "potential_value", "product"],
                             ascending=[False, False, True]).head(TOP))
    top = iraq[iraq["cluster_codes"].fillna("") != ""].sort_values("rank").head(TOP)
    assert len(top) == TOP
    assert top["product"].tolist() == expected["product"].tolist()
    assert top["unrealised_value"].is_monotonic_decreasing and (top["unrealised_value"] > 0).all()
    assert [c.split(";") for c in top["cluster_codes"]] == [make[p] for p in top["product"]]
    assert (top["cluster_names_en"] != "").all() and (top["counties"] != "").all()
    return top


def test_top_opportunities_in_iraq_carry_linked_clusters(ws, khuzestan):
    """Khuzestan (06): Iran's top unrealised opportunities in Iraq that the province's clusters
    can serve, each with its clusters and counties; the values are the national potential."""
    pot, opp = khuzestan.potential, khuzestan.opportunities
    top = check_top_iraq(pot, makers(ws, "06"))
    assert (pot.loc[pot["market"] == "IRQ", "market_name_fa"] == "عراق").all()
    assert top["product_name_en"].ne("").all()
    # the opportunities table is the same rows, re-ranked within the province's reach
    first = opp[opp["market"] == "IRQ"].head(TOP)
    assert first["linked_rank"].tolist() == list(range(1, TOP + 1))
    assert first["product"].tolist() == top["product"].tolist()
    np.testing.assert_allclose(first["unrealised_value"], top["unrealised_value"])
    assert first["rank"].tolist() == top["rank"].tolist()  # national rank kept
    # counties: those of the clusters' regions, with names
    counties = cluster_counties(ws, read_kind(ws, "clusters").query("province_code == '06'"))
    by_code = counties.set_index("cluster_code")["counties"]
    for codes, county in zip(top["cluster_codes"], top["counties"], strict=True):
        assert set(county.split(";")) == {c for k in codes.split(";")
                                          for c in by_code[k].split(";")}
    assert all(c.startswith("06") for c in ";".join(top["counties"]).split(";"))


def test_links_are_consistent_with_the_potential(khuzestan):
    pot, links = khuzestan.potential, khuzestan.links
    assert set(links["province_code"]) == {"06"}
    merged = links.merge(pot[["market", "product", "unrealised_value", "potential_value",
                              "cluster_codes"]], on=["market", "product"],
                         suffixes=("", "_pot"), validate="many_to_one")
    assert len(merged) == len(links)
    np.testing.assert_allclose(merged["unrealised_value"], merged["unrealised_value_pot"])
    np.testing.assert_allclose(merged["potential_value"], merged["potential_value_pot"])
    assert all(c in codes.split(";") for c, codes in
               zip(merged["cluster_code"], merged["cluster_codes"], strict=True))
    per_cluster = links.groupby("cluster_code")["rank"].apply(list)
    assert all(r == list(range(1, len(r) + 1)) for r in per_cluster)
    assert links.groupby("cluster_code").size().max() <= 10
    # "cluster X in county Y can target product P in market M, unrealised potential V"
    row = links.iloc[0]
    assert row["cluster_name_en"] in row["statement_en"]
    assert row["county_names_en"].split(", ")[0] in row["statement_en"]
    assert row["market_name_en"] in row["statement_en"] and "million USD" in row["statement_en"]
    assert row["cluster_name_fa"] in row["statement_fa"] and "میلیون دلار" in row["statement_fa"]


def test_invariants_and_exports_over_time(khuzestan):
    pot = khuzestan.potential
    assert (pot["potential_value"] >= 0).all()
    np.testing.assert_allclose(pot["unrealised_value"],
                               np.maximum(pot["potential_value"] - pot["actual_value"], 0))
    assert set(pot["market"]) == set(khuzestan.markets) == set(DEFAULT_MARKETS)
    for _, g in pot.groupby("market"):
        assert g["rank"].tolist() == list(range(1, len(g) + 1))
    assert set(CLUSTER_COLUMNS) <= set(pot.columns)
    over = khuzestan.over_time
    assert {"IRQ", "WLD"} <= set(over["market"])
    assert over["year"].nunique() == 5
    assert (over["exports_quantity_t_est"] >= over["exports_quantity_t"] - 1e-9).all()


def test_concordance_comes_from_products(ws):
    conc = concordance(ws)
    assert conc["hs6"].str.fullmatch(r"\d{6}").all()
    assert conc["isic"].str.fullmatch(r"\d{4}").all()


def test_unknown_codes_are_clear(ws):
    with pytest.raises(ValueError, match="unknown country code"):
        workspace_markets(ws, markets=["IRQ", "ZZZ"])
    with pytest.raises(ValueError, match="province '99'"):
        workspace_markets(ws, province="99")


def test_cli_workspace_mode(ws, demo_dir, tmp_path):
    """Gilan (01) through the command, with its defaults (IRN → the eight markets)."""
    out = tmp_path / "gilan.csv"
    result = runner.invoke(app, ["markets", str(demo_dir), "--province", "01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype={"product": str, "isic": str, "cluster_codes": str,
                                    "counties": str})
    for col in ("market", "product", "supply", "demand", "ease", "potential_value",
                "actual_value", "unrealised_value", "unrealised_pct", "rank", "cluster_codes"):
        assert col in table.columns
    assert set(table["market"]) == set(DEFAULT_MARKETS)
    top = check_top_iraq(table, makers(ws, "01"))
    assert "Top unrealised opportunities in IRQ for province 01" in result.output
    assert top["product"].iloc[0] in result.output
    links = pd.read_csv(tmp_path / "gilan_clusters.csv", dtype=str)
    assert set(links["province_code"]) == {"01"}
