"""Subnational complexity on a workspace (region × ISIC employment)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from khooshe.analysis.complexity import complexity
from khooshe.cli import app
from khooshe.services.complexity import workspace_complexity
from khooshe.services.frames import activity_table
from khooshe.store.workspace import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def ws(demo_dir):
    w = Workspace.open(demo_dir)
    yield w
    w.close()


def test_counties_of_the_country(ws):
    out = workspace_complexity(ws, level="county")
    regions = out.drop_duplicates("region")
    assert len(out) == len(regions) * out["isic"].nunique()  # the full rectangle
    # ECI is standardised the Stata way, over the long table: each county counts P times,
    # so its sd over counties is sqrt(NP / (NP - 1)) times the population sd (≈ 1)
    n, p = len(regions), out["isic"].nunique()
    assert regions["eci"].mean() == pytest.approx(0, abs=1e-9)
    assert regions["eci"].std(ddof=0) == pytest.approx(np.sqrt((n * p - 1) / (n * p)), rel=1e-9)
    assert set(out["mcp"]) <= {0, 1}
    assert regions["region_name_en"].notna().all()


def test_province_is_computed_on_the_country_then_restricted(ws):
    everything = workspace_complexity(ws, level="county")
    gilan = workspace_complexity(ws, level="county", province="01")
    assert set(gilan["region"].str[:2]) == {"01"}
    merged = gilan.merge(everything, on=["region", "isic"], suffixes=("", "_all"))
    np.testing.assert_allclose(merged["eci"], merged["eci_all"])
    np.testing.assert_allclose(merged["density"], merged["density_all"])


def test_equals_the_engine_on_the_same_table(ws):
    table = activity_table(ws, level="province", measure="establishments")
    direct = complexity(table, location="region", product="isic", value="value")
    via = workspace_complexity(ws, level="province", measure="establishments")
    pd.testing.assert_series_equal(direct["pci"].reset_index(drop=True),
                                   via["pci"].reset_index(drop=True))


def test_clear_errors(ws):
    with pytest.raises(ValueError, match="province '99' is not in the workspace"):
        workspace_complexity(ws, province="99")
    with pytest.raises(ValueError, match="level must be one of province, county"):
        workspace_complexity(ws, level="village")
    with pytest.raises(ValueError, match="measure must be one of"):
        workspace_complexity(ws, measure="output")
    with pytest.raises(ValueError, match="location: set by the workspace"):
        workspace_complexity(ws, location="county")


def test_cli_workspace_mode(demo_dir, tmp_path):
    out = tmp_path / "cx.parquet"
    result = runner.invoke(app, ["complexity", str(demo_dir), "--level", "province", "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out)
    assert table["region"].nunique() == 31
    assert {"eci", "pci", "density", "coi", "cog"} <= set(table.columns)
    bad = runner.invoke(app, ["complexity", str(demo_dir), "--province", "99", "-o",
                              str(tmp_path / "bad.csv")])
    assert bad.exit_code == 2 and "province '99'" in bad.output
    assert not (tmp_path / "bad.csv").exists()
    table_mode = runner.invoke(app, ["complexity", str(out), "-o", str(tmp_path / "x.csv")])
    assert table_mode.exit_code == 2 and "--location" in table_mode.output


def test_cli_workspace_mode_one_province(demo_dir, tmp_path):
    out = tmp_path / "gilan.csv"
    result = runner.invoke(app, ["complexity", str(demo_dir), "--province", "01", "--measure",
                                 "establishments", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype={"region": str, "isic": str})
    assert set(table["region"].str[:2]) == {"01"} and table["region"].str.len().eq(4).all()
    assert table["isic"].str.len().eq(4).all()  # ISIC codes stay text (leading zeros kept)
    assert table["region_name_fa"].notna().all()


@pytest.mark.parametrize("args, message", [
    (["--location", "x"], "--location: only for a table FILE"),
    (["--time", "year", "--population", "p.csv"], "--time, --population: only for a table"),
    (["--presence", "both"], "workspace mode uses RCA only"),
    (["--level", "village"], "level must be one of province, county"),
])
def test_cli_workspace_mode_rejects_table_options(demo_dir, tmp_path, args, message):
    out = tmp_path / "o.csv"
    result = runner.invoke(app, ["complexity", str(demo_dir), *args, "-o", str(out)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not out.exists()


def test_cli_table_mode_rejects_workspace_options(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("c,p,v\na,x,1\na,y,2\nb,x,3\nb,y,1\n")
    result = runner.invoke(app, ["complexity", str(src), "--location", "c", "--product", "p",
                                 "--value", "v", "--level", "county", "-o",
                                 str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "--level: only for a workspace directory" in " ".join(result.output.split())
    result = runner.invoke(app, ["complexity", str(src), "--location", "c", "-o",
                                 str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "--product, --value required when FILE is a table" in " ".join(result.output.split())
