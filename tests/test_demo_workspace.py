"""The demo workspace as stored: built through validation, labelled synthetic, reproducible."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from khooshe.cli import app
from khooshe.demo import generate
from khooshe.demo.generate import GENERATED
from khooshe.services.demo import build_demo
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace, WorkspaceError


def test_stored_demo_equals_generated(demo_dir):
    frames = generate(seed=0, scale="small")
    ws = Workspace.open(demo_dir)
    assert ws.synthetic
    counts = ws.counts()
    proposals = counts.pop("village_proposals")  # khooshe's ten villages per county of 06
    assert counts == {kind: len(frames[kind]) for kind in GENERATED}
    khuzestan_counties = read_kind(ws, "regions").query("level == 'county' and parent_code == '06'")
    assert 8 * len(khuzestan_counties) <= proposals <= 10 * len(khuzestan_counties)
    est = read_kind(ws, "establishments").set_index("id")
    half = est[(est["status"] == "half_finished") & est["region_code"].str.startswith("06")]
    assert 1500 <= len(half) <= 1700
    assert half["expected_jobs"].sum() == pytest.approx(40_000, rel=0.02)
    clusters = read_kind(ws, "clusters")
    gilan = clusters[clusters["province_code"] == "01"]
    assert (gilan["stage"] == "tender").sum() >= 1
    ws.close()


def test_info_says_synthetic(demo_dir):
    result = CliRunner().invoke(app, ["--lang", "en", "info", str(demo_dir)])
    assert result.exit_code == 0
    assert "SYNTHETIC" in result.output and "establishments" in result.output


def test_demo_refuses_to_overwrite(demo_dir):
    with pytest.raises(WorkspaceError, match="--force"):
        build_demo(demo_dir)


def test_same_seed_same_workspace(demo_dir, tmp_path):
    again = build_demo(tmp_path / "again", seed=0, scale="small")
    first = Workspace.open(demo_dir)
    for kind in ("regions", "establishments", "clusters", "fund_allocations"):
        pd.testing.assert_frame_equal(read_kind(again, kind), read_kind(first, kind))
    again.close()
    first.close()


@pytest.mark.postgres
def test_demo_on_postgresql(pg_url, tmp_path):
    ws = build_demo(tmp_path / "pg", seed=0, scale="small", db=pg_url)
    frames = generate(seed=0, scale="small")
    counts = ws.counts()
    assert counts.pop("village_proposals") > 0
    assert counts == {kind: len(frames[kind]) for kind in GENERATED}
    ws.close()
