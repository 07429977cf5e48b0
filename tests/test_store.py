"""The store: workspaces, migrations that match the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from khooshe.domain.schema import LOAD_ORDER
from khooshe.store.tables import metadata
from khooshe.store.workspace import CONFIG_NAME, Workspace, WorkspaceError


def test_migrations_match_models(workspace):
    """A schema change without a new Alembic revision fails here."""
    with workspace.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_workspace_round_trip(workspace):
    assert set(workspace.counts()) == set(LOAD_ORDER)
    assert all(n == 0 for n in workspace.counts().values())
    again = Workspace.open(workspace.root)
    assert again.url == workspace.url and again.synthetic is False
    again.close()


def test_sqlite_is_the_default(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    assert ws.url.startswith("sqlite:///") and (tmp_path / "ws" / "khooshe.db").exists()
    ws.close()


def test_bad_workspaces(tmp_path):
    with pytest.raises(WorkspaceError, match="not a khooshe workspace"):
        Workspace.open(tmp_path)
    (tmp_path / CONFIG_NAME).write_text("[database\nurl=", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="invalid TOML"):
        Workspace.open(tmp_path)
    with pytest.raises(WorkspaceError, match="not a database URL"):
        Workspace.create(tmp_path / "x", db="not a url")
