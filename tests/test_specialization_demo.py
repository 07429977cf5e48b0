"""On the demo, the clusters the seed reports name come out as strong clusters and hot spots."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from khooshe.cli import app
from khooshe.services import specialization as service
from khooshe.store.workspace import Workspace

SEED_CLUSTERS = {
    "01": {"1079": "tea", "1040": "olive oil", "1061": "rice milling"},
    "24": {"1393": "carpets", "1050": "dairy"},
}


@pytest.fixture(scope="module")
def ws(demo_dir):
    workspace = Workspace.open(demo_dir)
    yield workspace
    workspace.close()


def test_seed_clusters_are_strong_in_their_provinces(ws):
    out = service.strength(ws, level="province")
    candidates = out[out["strong"] & out["traded"] & ~out["small_base"]]
    for province, activities in SEED_CLUSTERS.items():
        mine = set(candidates.loc[candidates["region"] == province, "isic"])
        for isic, name in activities.items():
            assert isic in mine, f"{name} ({isic}) is not a strong cluster of {province}"


@pytest.mark.parametrize(("province", "isic"), [
    (p, i) for p, acts in SEED_CLUSTERS.items() for i in acts
])
def test_seed_clusters_are_hot_spots(ws, province, isic):
    out = service.hotspots(ws, isic, permutations=199)
    hot = out[out["spot"] == "hot"]
    # Gi* also lights up neighbours of a concentration, so look at the counties that have firms:
    # most hot ones are the province's own, and the largest concentration is hot.
    with_firms = hot[hot["value"] > 0]
    assert with_firms["region"].str.startswith(province).mean() >= 0.5, with_firms
    top = out.sort_values("value", ascending=False).iloc[0]
    assert top["region"].startswith(province) and top["spot"] == "hot"


def test_cli_workspace_modes(demo_dir, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["--lang", "en", "specialize", str(demo_dir), "--level",
                                 "county", "--province", "24", "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "s.csv", dtype={"region": str, "isic": str})
    assert table["region"].str.startswith("24").all() and {"lq", "strong"} <= set(table)
    result = runner.invoke(app, ["hotspots", str(demo_dir), "--activity", "1393",
                                 "--permutations", "99", "-o", str(tmp_path / "h.csv")])
    assert result.exit_code == 0 and "hot spot" in result.output
    result = runner.invoke(app, ["candidates", str(demo_dir), "--province", "01",
                                 "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 0
    cands = pd.read_csv(tmp_path / "c.csv", dtype={"activity": str})
    assert {"1079", "1040", "1061"} <= set(cands["activity"])
    result = runner.invoke(app, ["hotspots", str(demo_dir), "--activity", "9999",
                                 "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "no operating establishments of ISIC 9999" in result.output
