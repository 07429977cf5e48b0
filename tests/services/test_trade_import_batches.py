"""A trade import too big for one frame: streamed in sorted batches into SQLite and into
PostgreSQL (``COPY``), the secondary index rebuilt after the load, all-or-nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import inspect

from khooshe.io.trade import read_trade
from khooshe.services import data
from khooshe.store import repository
from khooshe.store.repository import history, read_kind

ROWS = 12_000  # above the COPY threshold, in five batches


def _baci(path, rows: int = ROWS, seed: int = 0, factor: float = 1.0):
    """A BACI year of ``rows`` distinct flows among 40 countries, 2 % without quantity."""
    rng = np.random.default_rng(seed)
    codes = np.array([4, 8, 12, 32, 36, 40, 50, 56, 76, 124, 152, 156, 170, 203, 208, 218,
                      251, 276, 300, 348, 360, 364, 368, 372, 376, 380, 392, 400, 398, 404,
                      410, 414, 458, 484, 504, 528, 554, 566, 579, 586])
    pairs = rng.choice(len(codes) * len(codes) * 900, size=rows * 2, replace=False)
    i, rest = np.divmod(pairs, len(codes) * 900)
    j, k = np.divmod(rest, 900)
    keep = i != j
    i, j, k = i[keep][:rows], j[keep][:rows], k[keep][:rows]
    q = rng.lognormal(0, 1, rows).round(3)
    frame = pd.DataFrame({"t": 2022, "i": codes[i], "j": codes[j], "k": 10100 + k * 997,
                          "v": (rng.lognormal(1, 2, rows) * factor).round(3),
                          "q": np.where(rng.random(rows) < 0.02, "NA", q.astype(str))})
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(data, "TRADE_BATCH_ROWS", 2_500)
    monkeypatch.setattr(data, "REBUILD_INDEX_ROWS", 1_000)


def _indexes(ws) -> set[str]:
    with ws.engine.connect() as conn:
        return {ix["name"] for ix in inspect(conn).get_indexes("trade_flows")}


def test_a_large_year_goes_in_whole_and_again_changes_nothing(workspace, tmp_path,
                                                               small_batches):
    path = _baci(tmp_path / "BACI_HS17_Y2022_V202401.csv")
    report = data.import_file(workspace, "trade_flows", path, actor="test")
    assert (report.rows, report.inserted, report.updated, report.changed) == \
        (ROWS, ROWS, 0, 0)
    stored = read_kind(workspace, "trade_flows")
    want = read_trade(path)
    pd.testing.assert_frame_equal(stored, want.astype({"year": "Int64"}), check_exact=True)
    assert _indexes(workspace) == {"ix_trade_flows_importer"}
    again = data.import_file(workspace, "trade_flows", path, actor="test")
    assert (again.inserted, again.updated, again.changed) == (0, ROWS, 0)
    pd.testing.assert_frame_equal(read_kind(workspace, "trade_flows")[want.columns], stored)


def test_a_revised_year_updates_what_changed_into_the_audit_trail(workspace, tmp_path,
                                                                   small_batches):
    path = _baci(tmp_path / "BACI_HS17_Y2022_V202401.csv")
    data.import_file(workspace, "trade_flows", path, actor="test")
    revised = pd.read_csv(path, dtype=str, keep_default_na=False)
    revised.loc[::1000, "v"] = "123.456"  # twelve flows revised
    revised.to_csv(path, index=False)
    report = data.import_file(workspace, "trade_flows", path, actor="test")
    assert (report.inserted, report.updated, report.changed) == (0, ROWS, 12)
    with workspace.engine.connect() as conn:
        log = history(conn, "trade_flows")
    updates = log[log["action"] == "update"]
    assert len(updates) == 12
    assert all(after == {"value_usd": 123456.0} for after in updates["after"])
    with workspace.engine.connect() as conn:
        versions = conn.exec_driver_sql("SELECT min(version), max(version) FROM trade_flows")
        assert tuple(versions.one()) == (2, 2)  # every flow written twice


def test_a_failure_part_way_leaves_the_table_and_its_index_as_they_were(
        workspace, tmp_path, small_batches, monkeypatch):
    first = _baci(tmp_path / "BACI_HS17_Y2021_V202401.csv", rows=3_000, seed=1)
    data.import_file(workspace, "trade_flows", first, actor="test")
    before = read_kind(workspace, "trade_flows")
    calls = []
    write = repository._write

    def fail_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return write(*args, **kwargs)

    monkeypatch.setattr(repository, "_write", fail_on_third)
    path = _baci(tmp_path / "BACI_HS17_Y2022_V202401.csv", seed=2)
    with pytest.raises(RuntimeError, match="disk full"):
        data.import_file(workspace, "trade_flows", path, actor="test")
    pd.testing.assert_frame_equal(read_kind(workspace, "trade_flows"), before)
    assert _indexes(workspace) == {"ix_trade_flows_importer"}


def test_batches_out_of_key_order_are_refused(workspace):
    batch = pd.DataFrame({"year": [2022], "exporter": ["IRN"], "importer": ["IRQ"],
                          "hs6": ["010121"], "value_usd": [1.0], "quantity_t": [np.nan]})
    with pytest.raises(ValueError, match="out of key order"), workspace.engine.begin() as conn:
        repository.upsert_batches(conn, "trade_flows", [batch, batch], actor="test",
                                  source=None)
    assert read_kind(workspace, "trade_flows").empty


def test_replacing_with_a_baci_file_does_not_read_it_again(workspace, tmp_path, monkeypatch):
    """``--replace`` names the columns an import empties; a BACI file gives every column, so
    the file (ten million rows at full size) is not read a second time to find none."""
    from typer.testing import CliRunner

    from khooshe.cli import app

    path = _baci(tmp_path / "BACI_HS17_Y2022_V202401.csv", rows=500)
    data.import_file(workspace, "trade_flows", path, actor="test")

    def no_second_read(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(data, "read_import", no_second_read)
    result = CliRunner().invoke(app, ["--lang", "en", "import", str(workspace.root),
                                      "trade_flows", str(path), "--replace"])
    assert result.exit_code == 0, result.output
    assert "0 new, 500 updated" in result.output
