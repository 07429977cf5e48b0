"""Upgrading a workspace keeps every record: the demo as the khooshe before the latest
migration made it (downgraded to the revision before), then ``migrate`` to the head."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from khooshe.store.workspace import Workspace


def _rows(ws: Workspace) -> dict[str, int]:
    """Rows of every table the database holds (by SQL, not by the current schema's kinds)."""
    names = inspect(ws.engine).get_table_names()
    with ws.engine.connect() as conn:
        return {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()
                for n in names if n != "alembic_version"}


@pytest.mark.parametrize("before", ["0013", "0006"])
def test_migrating_a_demo_of_an_earlier_schema_keeps_every_record(demo_copy, before):
    from alembic import command

    ws = demo_copy
    root, head = ws.root, ws.head_revision()
    cfg = ws._alembic()
    with ws.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, before)
    ws.close()
    old = Workspace.open(root, check=False)
    try:
        held = _rows(old)
        assert "province_exports" not in held and sum(held.values()) > 10_000
        assert old.migrate() == (before, head)
        after = _rows(old)
    finally:
        old.close()
    assert {k: after[k] for k in held} == held  # nothing lost, nothing added
    assert after["province_exports"] == 0  # the new table, empty
    with Workspace.open(root) as ws:  # and the workspace opens at the head
        assert ws.schema_state()[0] == head
