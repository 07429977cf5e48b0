"""Statistics for the database's planner (issue 13): ``Workspace.analyze`` runs ANALYZE, and
large imports call it (PostgreSQL had no statistics after a bulk load)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from khooshe.services import data


def countries(letter: str, n: int) -> pd.DataFrame:
    return pd.DataFrame([{"iso3": letter + chr(65 + i // 26) + chr(65 + i % 26),
                          "name_en": f"Country {i}"} for i in range(n)])


def _stat_rows(ws) -> int:
    with ws.engine.connect() as conn:
        if ws.engine.dialect.name == "sqlite":
            found = conn.execute(text("select count(*) from sqlite_master "
                                      "where name = 'sqlite_stat1'")).scalar_one()
            return conn.execute(text("select count(*) from sqlite_stat1")).scalar_one() \
                if found else 0
        return conn.execute(text("select count(*) from pg_stats where tablename = 'countries' "
                                 "and schemaname = current_schema()")).scalar_one()


def test_analyze_gathers_statistics(workspace):
    data.import_frame(workspace, "countries", countries("X", 30), actor="test")
    assert _stat_rows(workspace) == 0
    workspace.analyze()
    assert _stat_rows(workspace) > 0


def test_large_imports_analyze(workspace, monkeypatch):
    calls = []
    monkeypatch.setattr(type(workspace), "analyze", lambda self: calls.append(1))
    frame = countries("Y", 5)
    data.import_frame(workspace, "countries", frame, actor="test")
    assert calls == []
    monkeypatch.setattr(data, "ANALYZE_ROWS", 5)
    data.import_frame(workspace, "countries", frame, actor="test")
    assert calls == [1]
