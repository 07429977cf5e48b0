"""``trade_totals`` always holds the stored flows summed over importers: after an import, a
re-import that revises values, one flow inserted, edited or deleted, every flow deleted, a
restore, a migration of an older workspace; and not after an import that fails part-way."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from _support import random_flows
from khooshe.services import data
from khooshe.services.backup import backup, restore
from khooshe.store import repository
from khooshe.store.repository import read_kind
from khooshe.store.tables import trade_totals
from khooshe.store.workspace import Workspace

KEY = ["year", "exporter", "hs6"]


def _flows(rows: int = 2_000, seed: int = 0) -> pd.DataFrame:
    return random_flows(rows, seed, years=(2020, 2022), hs6=(10100, 10160),
                        countries=["IRN", "IRQ", "KWT", "ARE", "TUR", "CHN", "DEU", "IND"])


def _expected(ws: Workspace) -> pd.DataFrame:
    """The sums computed here from every stored flow."""
    f = read_kind(ws, "trade_flows")
    known = f["quantity_t"].notna()
    f = f.assign(year=f["year"].astype("int64"), q=f["quantity_t"].fillna(0.0),
                 vq=f["value_usd"].where(known, 0.0), known=known.astype("int64"))
    out = f.groupby(KEY, sort=True).agg(
        value_usd=("value_usd", "sum"), quantity_t=("q", "sum"), value_q_usd=("vq", "sum"),
        flows=("value_usd", "size"), with_quantity=("known", "sum")).reset_index()
    return out


def _stored(ws: Workspace) -> pd.DataFrame:
    with ws.engine.connect() as conn:
        result = conn.execute(select(trade_totals).order_by(*[trade_totals.c[k] for k in KEY]))
        out = pd.DataFrame(result.all(), columns=list(result.keys()))
    return out.astype({"year": "int64", "flows": "int64", "with_quantity": "int64"})


def _same_sums(ws: Workspace) -> None:
    want, got = _expected(ws), _stored(ws)
    assert len(got) == len(want)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12)


def test_the_sums_follow_every_change_of_the_flows(workspace):
    flows = _flows()
    data.import_frame(workspace, "trade_flows", flows, actor="test")
    assert len(_stored(workspace)) > 100
    _same_sums(workspace)

    revised = flows.copy()
    revised.loc[::7, "value_usd"] = 1.5  # a re-import that revises some values
    data.import_frame(workspace, "trade_flows", revised, actor="test")
    _same_sums(workspace)

    one = {"year": 2021, "exporter": "IRN", "importer": "IRQ", "hs6": "999999",
           "value_usd": 10.0, "quantity_t": None}
    with workspace.engine.begin() as conn:
        repository.insert_record(conn, "trade_flows", one, actor="test")
    _same_sums(workspace)
    key = {k: one[k] for k in ("year", "exporter", "importer", "hs6")}
    with workspace.engine.begin() as conn:
        repository.update_record(conn, "trade_flows", key, {"quantity_t": 2.0}, actor="test")
    _same_sums(workspace)
    first = dict(flows.iloc[0][["exporter", "importer", "hs6"]], year=int(flows.iloc[0]["year"]))
    with workspace.engine.begin() as conn:
        repository.delete_record(conn, "trade_flows", key, actor="test")
        repository.delete_record(conn, "trade_flows", first, actor="test")
    _same_sums(workspace)

    with workspace.engine.begin() as conn:
        repository.delete_all(conn, "trade_flows", actor="test")
    assert _stored(workspace).empty


def test_a_load_in_batches_that_cut_pairs_of_new_and_held_years(workspace):
    """The sums of a year new to the workspace are added up from the batches, a pair cut by a
    batch boundary included; the pairs of a year already held are summed from the table."""
    flows = _flows(rows=3_000, seed=5).sort_values(["year", "exporter", "importer", "hs6"])
    held = flows[flows["year"] == 2020]
    data.import_frame(workspace, "trade_flows", held.iloc[::2], actor="test")
    batches = [flows.iloc[i: i + 170] for i in range(0, len(flows), 170)]
    with workspace.engine.begin() as conn:
        repository.upsert_batches(conn, "trade_flows", batches, actor="test", source=None)
    _same_sums(workspace)
    assert len(read_kind(workspace, "trade_flows")) == len(flows)


def test_an_import_that_fails_part_way_leaves_the_sums_as_they_were(workspace):
    data.import_frame(workspace, "trade_flows", _flows(seed=1), actor="test")
    before = _stored(workspace)
    later = _flows(seed=2).sort_values(["year", "exporter", "importer", "hs6"])
    halves = [later.iloc[: len(later) // 2], later.iloc[: len(later) // 2]]  # out of order
    with pytest.raises(ValueError, match="out of key order"), workspace.engine.begin() as conn:
        repository.upsert_batches(conn, "trade_flows", halves, actor="test", source=None)
    pd.testing.assert_frame_equal(_stored(workspace), before)


def test_a_restored_workspace_has_the_sums_though_the_backup_has_not(workspace, tmp_path):
    data.import_frame(workspace, "trade_flows", _flows(seed=3), actor="test")
    path = tmp_path / "ws.zip"
    backup(workspace, path)
    with Workspace.open(restore(path, tmp_path / "restored", actor="test").root) as back:
        _same_sums(back)
        pd.testing.assert_frame_equal(_stored(back), _stored(workspace))


def test_migrating_an_older_workspace_sums_the_flows_it_holds(tmp_path):
    from alembic import command

    ws = Workspace.create(tmp_path / "old")
    data.import_frame(ws, "trade_flows", _flows(seed=4), actor="test")
    cfg = ws._alembic()
    with ws.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014")
    ws.close()
    old = Workspace.open(tmp_path / "old", check=False)
    try:
        old.migrate()
    finally:
        old.close()
    with Workspace.open(tmp_path / "old") as ws:
        _same_sums(ws)
