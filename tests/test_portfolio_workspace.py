"""Half-finished units of the demo workspace: Khuzestan's 1,600 units and 40,000 jobs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from khooshe.cli import app
from khooshe.services.portfolio import plan_portfolio, workspace_units
from khooshe.store.workspace import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def ws(demo_dir):
    w = Workspace.open(demo_dir)
    yield w
    w.close()


def test_units_of_khuzestan(ws):
    units = workspace_units(ws, "06")
    assert len(units) == 1600
    assert (units["province"] == "06").all()
    assert units["county"].str.startswith("06").all()
    assert 38_000 <= units["expected_jobs"].sum() <= 42_000
    assert units["remaining_cost_rials"].gt(0).all()


def test_the_40000_job_question_and_the_greedy_rules(ws):
    plan = plan_portfolio(ws, "06", target_jobs=40_000, frontier=20)
    s = plan.summary
    assert s["optimal"] and s["gap"] == 0
    assert s["cost"] <= s["budget"]
    assert s["budget_source"].startswith("50%")
    # the optimum is never worse than either naive rule
    assert all(s["jobs"] >= j for j in s["greedy_jobs"].values())
    assert s["target_reached"] and plan.target.jobs >= 40_000
    chosen = plan.units[plan.units["selected_target"] == 1]
    assert chosen["expected_jobs"].sum() >= 40_000
    assert chosen["remaining_cost_rials"].sum() == s["target_cost"]
    assert len(plan.frontier) == 20 and plan.frontier["jobs"].is_monotonic_increasing


def test_an_unreachable_target_reports_the_largest_reachable(ws):
    plan = plan_portfolio(ws, "06", target_jobs=10**7, frontier=0)
    assert plan.target is None and not plan.summary["target_reached"]
    total = int(workspace_units(ws, "06")["expected_jobs"].sum())
    assert f"{total:,}" in plan.target_message or str(total) in plan.target_message


def test_cli_workspace_mode(demo_dir, tmp_path):
    out, summary = tmp_path / "units.csv", tmp_path / "summary.json"
    result = runner.invoke(app, ["portfolio", str(demo_dir), "--province", "06", "--budget",
                                 "2e13", "--target-jobs", "40000", "-o", str(out),
                                 "--summary-json", str(summary)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype={"id": str})
    assert {"selected", "cost_per_job", "selected_target"} <= set(table.columns)
    data = json.loads(summary.read_text())
    for key in ("objective", "jobs", "cost", "budget", "optimal", "gap", "greedy_jobs"):
        assert key in data
    assert data["budget"] == 2 * 10**13 and data["cost"] <= data["budget"]
    bad = runner.invoke(app, ["portfolio", str(demo_dir), "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "--province is required" in bad.output
