"""Closing supply chains on the demo: the Ahvaz-like steel plant's Isfahan-bought inputs, their
local suppliers and jobs, and the missing links (issue 18)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from khooshe.analysis import supply_chain as sc
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.validate import ValidationError
from khooshe.services.supply_chain import (
    multipliers_from_files,
    workspace_supply_chain,
)
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace


@pytest.fixture(scope="module")
def khuzestan(demo_dir):
    ws = Workspace.open(demo_dir)
    yield ws, workspace_supply_chain(ws, "06")
    ws.close()


def test_the_steel_plants_isfahan_inputs_get_local_suppliers_and_jobs(khuzestan):
    ws, result = khuzestan
    est = read_kind(ws, "establishments").set_index("id")
    steel = est.index[est["name"] == "مجتمع فولاد اهواز"][0]
    purchases = read_kind(ws, "purchases")
    isfahan = purchases[(purchases["buyer_id"] == steel)
                        & (purchases["supplier_region"] == "10")]
    assert {"2391", "2394", "2410", "2591"} <= set(isfahan["input_isic"])
    mine = result.links[result.links["buyer_id"] == steel]
    assert len(mine) and (mine["jobs"] > 0).all() and result.optimal
    assert set(mine["input_isic"]) & set(isfahan["input_isic"])
    # every supplier is an operating establishment of the province making the input
    sup = est.loc[mine["supplier_id"]]
    assert (sup["status"] == "operating").all()
    assert (sup["region_code"].str[:2] == "06").all()
    assert (sup["isic"].to_numpy() == mine["input_isic"].to_numpy()).all()
    assert result.localised_rials <= result.outside_rials
    assert 0 < result.jobs
    # each link says where the input is bought today: Isfahan for the Isfahan-bought ones
    from_isfahan = mine[mine["input_isic"].isin(set(isfahan["input_isic"]))]
    assert from_isfahan["bought_in_fa"].str.contains("اصفهان").all()
    assert from_isfahan["bought_in_en"].str.contains("Isfahan").all()


def test_missing_links_are_inputs_nobody_in_the_province_makes(khuzestan):
    ws, result = khuzestan
    est = read_kind(ws, "establishments")
    local = set(est.loc[(est["status"] == "operating") & est["region_code"].str.startswith("06"),
                        "isic"])
    assert {"2815", "2823"} <= set(result.missing["input_isic"])
    assert not set(result.missing["input_isic"]) & local
    assert result.missing["value_rials"].is_monotonic_decreasing
    assert result.candidate_activities == result.missing["input_isic"].tolist()


def test_sourcing_rises_but_never_past_one(khuzestan):
    _, result = khuzestan
    s = result.sourcing
    assert (s["local_share_after"] >= s["local_share_before"] - 1e-12).all()
    assert (s["local_share_after"] <= 1).all()
    assert s.attrs["province_share_after"] > s.attrs["province_share_before"]


def test_a_buyer_without_records_is_estimated_and_said_so(khuzestan):
    ws, _ = khuzestan
    est = read_kind(ws, "establishments")
    other = est[(est["status"] == "operating") & est["region_code"].str.startswith("06")
                & (est["isic"] == "2011")].sort_values("employees").iloc[-2]
    result = workspace_supply_chain(ws, "06", buyer=other["id"])
    assert any(n.key == "supply_chain.note_estimated" for n in result.notes)
    assert result.outside_rials > 0
    with pytest.raises(NotFoundError):
        workspace_supply_chain(ws, "06", buyer="NOPE")


def test_multipliers_from_files_and_bad_files(tmp_path):
    sectors = tmp_path / "s.csv"
    flows = tmp_path / "f.csv"
    sectors.write_text("sector,output_rials,employment,compensation_rials,"
                       "household_consumption_rials\nS1,1000,10,300,400\nS2,2000,30,500,900\n",
                       encoding="utf-8")
    flows.write_text("from_sector,to_sector,value_rials\nS1,S1,150\nS1,S2,500\nS2,S1,200\n"
                     "S2,S2,100\n", encoding="utf-8")
    table = multipliers_from_files(sectors, flows)
    np.testing.assert_allclose(table["output_multiplier"], [1.518152, 1.452145], atol=1e-6)
    assert list(table.columns) == list(sc.MULTIPLIER_COLUMNS)
    flows.write_text("from_sector,to_sector,value_rials\nS1,S9,150\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        multipliers_from_files(sectors, flows)
    assert err.value.issues[0].row == 2 and err.value.issues[0].column == "to_sector"
    flows.write_text("from_sector,to_sector,value_rials\nS1,S1,-5\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="problem"):
        multipliers_from_files(sectors, flows)
    flows.write_text("from_sector,to_sector,value_rials\nS1,S1,1500\n", encoding="utf-8")
    with pytest.raises(InputError, match="does not add up"):
        multipliers_from_files(sectors, flows)


def test_the_demo_io_table_adds_up_and_has_type_two(demo_dir):
    ws = Workspace.open(demo_dir)
    table = sc.io_table(read_kind(ws, "io_sectors"), read_kind(ws, "io_flows"))
    ws.close()
    mult = sc.multipliers_table(table)
    assert mult["employment_multiplier_type2"].notna().all()
    assert (mult["employment_multiplier_type2"] >= mult["employment_multiplier_type1"]).all()
    assert isinstance(mult, pd.DataFrame)
