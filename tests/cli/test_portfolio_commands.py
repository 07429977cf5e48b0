"""``khooshe portfolio`` (khooshe.cli.portfolio)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

REGIONS = "code,level,parent_code,name_fa\n06,province,,خوزستان\n0603,county,06,اهواز\n"
HEADER = "id,isic,region_code,status,progress_pct,remaining_cost_rials,expected_jobs\n"
UNITS = """id,province,county,isic,progress_pct,remaining_cost_rials,expected_jobs
u0,06,0601,1010,90,6000000000,7
u1,06,0602,1010,40,5000000000,5
u2,11,1101,1010,30,5000000000,5
u3,11,1102,1010,99,40000000000,1
"""


@pytest.fixture
def workspace(tmp_path, invoke):
    """A workspace whose half-finished units lack what the optimisation needs (row 3: no
    remaining cost, row 4: no expected jobs)."""
    ws = tmp_path / "ws"
    (tmp_path / "regions.csv").write_text(REGIONS, encoding="utf-8")
    (tmp_path / "est.csv").write_text(
        HEADER + "H1,1010,0603,half_finished,50,1000000000,10\n"
        "H2,1010,0603,half_finished,60,,12\nH3,1010,0603,half_finished,70,2000000000,\n",
        encoding="utf-8")
    for args in (("init", ws), ("import", ws, "regions", tmp_path / "regions.csv"),
                 ("import", ws, "establishments", tmp_path / "est.csv")):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
    return ws


def test_workspace_validation_problems_are_listed_and_written(workspace, tmp_path, invoke):
    """Bug: in workspace mode a ValidationError was caught as a ValueError first, so neither
    the problem list nor the --errors file was produced."""
    errors, out = tmp_path / "problems.csv", tmp_path / "units.csv"
    result = invoke("portfolio", workspace, "--province", "06", "--budget", "1e10", "-o", out,
                    "--errors", errors)
    assert result.exit_code == 2
    assert "2 problem(s) in 2 row(s)" in result.output
    assert "'remaining_cost_rials'" in result.output and "'expected_jobs'" in result.output
    table = pd.read_csv(errors, encoding="utf-8-sig")
    assert set(table["column"]) == {"remaining_cost_rials", "expected_jobs"}
    assert not out.exists()


def test_file_mode_in_persian(tmp_path, invoke):
    src, out, summary = tmp_path / "units.csv", tmp_path / "out.csv", tmp_path / "s.json"
    src.write_text(UNITS, encoding="utf-8")
    result = invoke("--lang", "fa", "portfolio", src, "--budget", "10_000_000_000",
                    "--target-jobs", "12", "--frontier", "3", "-o", out,
                    "--summary-json", summary)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "۲ طرح از ۴ طرح برگزیده شد: ۱۰ شغل" in text and "بهینهٔ اثبات‌شده" in text
    assert "۱۰٬۰۰۰٬۰۰۰٬۰۰۰ ریال" in text
    assert f"طرح‌ها در {out} و خلاصه در {summary} نوشته شد" in text
    assert json.loads(summary.read_text())["target"]["cost"] == 11 * 10**9


def test_options_are_checked(tmp_path, invoke):
    src, out = tmp_path / "units.csv", tmp_path / "out.csv"
    src.write_text(UNITS, encoding="utf-8")
    for args, message in (
        (["--frontier", "-1"], "--frontier"),
        (["--frontier-out", tmp_path / "f.csv"], "--frontier-out needs --frontier K"),
        (["--time-limit", "0"], "--time-limit must be positive, not 0"),
        (["--objective", "profit"], "--objective must be jobs or weighted, not 'profit'"),
        (["--weight", "jobs"], "--weight 'jobs': write NAME=WEIGHT"),
        (["--cap-sector", "10"], "--cap-sector '10': write ISIC=AMOUNT"),
        (["--summary-json", tmp_path / "s.csv"], "the summary must be a .json file"),
    ):
        result = invoke("portfolio", src, "--budget", "10", "-o", out, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in " ".join(result.output.split()), (args, result.output)
        assert not out.exists()


def test_workspace_default_budget_is_said(demo_dir, tmp_path, invoke):
    out = tmp_path / "units.csv"
    result = invoke("--lang", "en", "portfolio", demo_dir, "--province", "06", "--time-limit",
                    "5", "-o", out)
    assert result.exit_code == 0, result.output
    assert "No --budget: using 50% of the cost of finishing every unit." in result.output
    assert "naive rule most advanced first" in result.output
