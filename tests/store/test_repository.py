"""Record access and the audit trail (khooshe.store.repository), on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest

from khooshe.domain.errors import ConflictError, NotFoundError
from khooshe.domain.schema import entity
from khooshe.domain.validate import validate
from khooshe.services import data
from khooshe.store import repository
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace, WorkspaceError

REGIONS = pd.DataFrame({
    "code": ["06", "0603", "0604"],
    "level": ["province", "county", "county"],
    "parent_code": [None, "06", "06"],
    "name_fa": ["خوزستان", "اهواز", "آبادان"],
    "population": ["4710508", "1302591", "231476"],
    "lat": ["31.45", "31.32", "30.34"],
    "lon": ["48.9", "48.67", "48.3"],
})


def _load(ws: Workspace) -> None:
    with ws.engine.begin() as conn:
        typed = validate(REGIONS, entity("regions"))
        repository.upsert(conn, "regions", typed, actor="tester", source="regions.csv")


def test_record_life_is_in_the_audit_trail(workspace):
    _load(workspace)
    with workspace.engine.begin() as conn:
        repository.insert_record(conn, "regions", {"code": "0605", "level": "county",
                                                   "parent_code": "06", "name_fa": "دزفول"},
                                 actor="alice")
        before, after = repository.update_record(conn, "regions", {"code": "0605"},
                                                 {"population": 443971}, actor="bob")
        assert before["population"] is None and after["population"] == 443971
        gone = repository.delete_record(conn, "regions", {"code": "0605"}, actor="carol")
        assert gone["name_fa"] == "دزفول"
        trail = repository.history(conn, "regions", "0605")
    assert trail["action"].tolist() == ["delete", "update", "insert"]
    assert trail["actor"].tolist() == ["carol", "bob", "alice"]
    assert trail["before"].iloc[1] == {"population": None}
    assert trail["after"].iloc[1] == {"population": 443971}
    assert trail["before"].iloc[0]["population"] == 443971  # the deleted values are kept


def test_errors_of_single_records(workspace):
    _load(workspace)
    with workspace.engine.begin() as conn:
        with pytest.raises(ConflictError, match="already exists"):
            repository.insert_record(conn, "regions", {"code": "06", "level": "province",
                                                       "name_fa": "x"}, actor="a")
        with pytest.raises(NotFoundError, match="does not exist"):
            repository.update_record(conn, "regions", {"code": "9999"}, {"name_fa": "x"},
                                     actor="a")
        with pytest.raises(NotFoundError):
            repository.delete_record(conn, "regions", {"code": "9999"}, actor="a")


def test_upsert_changes_only_given_columns_and_logs_the_changes(workspace, tmp_path):
    _load(workspace)
    listing = tmp_path / "names.csv"
    listing.write_text("code,level,parent_code,name_fa\n06,province,,استان خوزستان\n"
                       "0603,county,06,اهواز\n", encoding="utf-8")
    report = data.import_file(workspace, "regions", listing, actor="cli:test")
    assert (report.inserted, report.updated, report.changed) == (0, 2, 1)
    stored = read_kind(workspace, "regions").set_index("code")
    assert stored.loc["06", "name_fa"] == "استان خوزستان"
    # the columns the file does not have keep their values
    assert stored.loc["06", "population"] == 4710508
    assert stored.loc["06", "lat"] == pytest.approx(31.45)
    with workspace.engine.connect() as conn:
        trail = repository.history(conn, "regions")
    update = trail[trail["action"] == "update"]
    assert update["record_key"].tolist() == ["06"]
    assert update["before"].iloc[0] == {"name_fa": "خوزستان"}
    assert update["after"].iloc[0] == {"name_fa": "استان خوزستان"}
    bulk = trail[trail["action"] == "import"].iloc[0]
    assert bulk["actor"] == "cli:test" and bulk["rows"] == 2 and bulk["source"] == "names.csv"


def test_reimporting_the_same_file_logs_no_change(workspace, tmp_path):
    _load(workspace)
    path = tmp_path / "r.csv"
    REGIONS.to_csv(path, index=False)
    report = data.import_file(workspace, "regions", path, actor="t")
    assert (report.inserted, report.updated, report.changed) == (0, 3, 0)
    with workspace.engine.connect() as conn:
        assert (repository.history(conn, "regions")["action"] == "update").sum() == 0


def test_integers_beyond_float_precision_are_compared_exactly(workspace, tmp_path):
    _load(workspace)
    big = tmp_path / "big.csv"
    big.write_text("code,level,name_fa,population\n06,province,خوزستان,9007199254740993\n",
                   encoding="utf-8")
    data.import_file(workspace, "regions", big, actor="t")
    big.write_text("code,level,name_fa,population\n06,province,خوزستان,9007199254740992\n",
                   encoding="utf-8")
    report = data.import_file(workspace, "regions", big, actor="t")
    assert report.changed == 1


def test_opening_checks_the_schema_and_never_migrates(workspace):
    from alembic import command

    root = workspace.root
    cfg = workspace._alembic()
    with workspace.engine.begin() as conn:  # a workspace made by an older khooshe
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    workspace.close()
    with pytest.raises(WorkspaceError, match=r"schema revision 0001.*khooshe migrate"):
        Workspace.open(root)
    ws = Workspace.open(root, check=False)
    assert ws.schema_state()[0] == "0001"  # opening did not upgrade it
    assert ws.migrate() == ("0001", ws.head_revision())
    ws.close()
    Workspace.open(root).close()


def test_another_applications_database_is_refused(tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table invoices (id integer primary key)")
    root = tmp_path / "ws"
    root.mkdir()
    (root / "khooshe.toml").write_text(f'[database]\nurl = "sqlite:///{other}"\n',
                                       encoding="utf-8")
    with pytest.raises(WorkspaceError, match="not a khooshe workspace's"):
        Workspace.open(root)
    ws = Workspace.open(root, check=False)
    with pytest.raises(WorkspaceError, match="will not write there"):
        ws.migrate()
    ws.close()
    with sqlite3.connect(other) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert tables == {"invoices"}


def test_a_stale_edit_is_refused_and_shows_the_current_values(workspace):
    from khooshe.store.repository import StaleVersionError

    _load(workspace)
    with workspace.engine.begin() as conn:
        first = repository.get(conn, "regions", {"code": "0603"})
        repository.update_record(conn, "regions", {"code": "0603"}, {"name_en": "Ahvaz"},
                                 actor="a", expected_version=first["version"])
    with workspace.engine.begin() as conn, pytest.raises(StaleVersionError) as err:
        repository.update_record(conn, "regions", {"code": "0603"}, {"name_en": "Ahwaz"},
                                 actor="b", expected_version=first["version"])
    assert err.value.current["name_en"] == "Ahvaz"
    assert err.value.current["version"] == first["version"] + 1
    with workspace.engine.connect() as conn:
        assert repository.get(conn, "regions", {"code": "0603"})["name_en"] == "Ahvaz"
