"""``khooshe supply-chain``: multipliers from files and a province's supply chains."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from khooshe.cli import app

runner = CliRunner()


def test_multipliers_from_files(tmp_path):
    sectors, flows, out = tmp_path / "s.csv", tmp_path / "f.csv", tmp_path / "m.csv"
    sectors.write_text("sector,output_rials,employment\nS1,1000,10\nS2,2000,30\n",
                       encoding="utf-8")
    flows.write_text("from_sector,to_sector,value_rials\nS1,S1,150\nS1,S2,500\nS2,S1,200\n"
                     "S2,S2,100\n", encoding="utf-8")
    result = runner.invoke(app, ["supply-chain", "multipliers", "--sectors", str(sectors),
                                 "--flows", str(flows), "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns)[:2] == ["sector", "output_multiplier"]
    assert table["output_multiplier"].round(6).tolist() == [1.518152, 1.452145]


def test_bad_flows_name_the_row_and_write_nothing(tmp_path):
    sectors, flows, out = tmp_path / "s.csv", tmp_path / "f.csv", tmp_path / "m.csv"
    sectors.write_text("sector,output_rials,employment\nS1,1000,10\n", encoding="utf-8")
    flows.write_text("from_sector,to_sector,value_rials\nS1,S7,150\n", encoding="utf-8")
    result = runner.invoke(app, ["supply-chain", "multipliers", "--sectors", str(sectors),
                                 "--flows", str(flows), "-o", str(out)])
    assert result.exit_code == 2
    assert "row 2" in result.output and "to_sector" in result.output
    assert not out.exists()


def test_the_demo_province(demo_dir, tmp_path):
    out = tmp_path / "links.csv"
    result = runner.invoke(app, ["supply-chain", str(demo_dir), "--province", "06", "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert "Running HiGHS" not in result.output
    links = pd.read_csv(out, dtype={"input_isic": str})
    missing = pd.read_csv(tmp_path / "links_missing.csv", dtype={"input_isic": str})
    assert len(links) and (links["jobs"] > 0).all()
    assert {"2815", "2823"} <= set(missing["input_isic"])
    assert (tmp_path / "links_sourcing.csv").exists()
    result = runner.invoke(app, ["supply-chain", str(demo_dir), "-o", str(out)])
    assert result.exit_code == 2 and "--province" in result.output
