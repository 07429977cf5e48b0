"""Backup and restore: a consistent snapshot while the workspace is in use, every kind back
row for row, on SQLite and PostgreSQL (issue 17)."""

from __future__ import annotations

import json
import threading
import zipfile

import pandas as pd
import pytest

from khooshe.domain.errors import InputError
from khooshe.domain.schema import LOAD_ORDER
from khooshe.services import data
from khooshe.services.backup import backup, read_manifest, restore
from khooshe.services.demo import build_demo
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace, WorkspaceError


def _same(a: Workspace, b: Workspace) -> None:
    for kind in LOAD_ORDER:
        pd.testing.assert_frame_equal(read_kind(a, kind), read_kind(b, kind), obj=kind)


def test_backup_while_an_import_runs_restores_every_kind(demo_dir, tmp_path):
    ws = build_demo(tmp_path / "ws", seed=0)  # a copy: the session's demo stays untouched
    region = read_kind(ws, "regions")["code"].iloc[1]
    rows = "id,isic,region_code,status\n" + "".join(
        f"B{i},2410,{region},operating\n" for i in range(40_000))
    path = tmp_path / "many.csv"
    path.write_text(rows, encoding="utf-8")
    before = read_kind(ws, "establishments")
    started = threading.Event()

    def importing():
        started.set()
        data.import_file(ws, "establishments", path, actor="test")

    worker = threading.Thread(target=importing)
    worker.start()
    started.wait()
    report = backup(ws, tmp_path / "b.zip")
    worker.join()
    restored = restore(tmp_path / "b.zip", tmp_path / "restored", actor="test")
    got = read_kind(restored, "establishments")
    # the snapshot is one committed state: before the import or after it, never half of it
    assert len(got) in (len(before), len(before) + 40_000)
    assert report.counts["establishments"] == len(got)
    for kind in LOAD_ORDER:
        if kind != "establishments":
            pd.testing.assert_frame_equal(read_kind(restored, kind), read_kind(ws, kind),
                                          obj=kind)
    restored.close()
    ws.close()


def test_round_trip_onto_postgresql_and_back(demo_dir, pg_url, tmp_path):
    demo = Workspace.open(demo_dir)
    backup(demo, tmp_path / "demo.zip")
    on_pg = restore(tmp_path / "demo.zip", tmp_path / "pg", db=pg_url, actor="test")
    _same(demo, on_pg)
    backup(on_pg, tmp_path / "pg.zip")
    back = restore(tmp_path / "pg.zip", tmp_path / "sqlite", actor="test")
    _same(demo, back)
    assert back.synthetic and back.name == demo.name
    for ws in (demo, on_pg, back):
        ws.close()


def test_restore_refuses_newer_schemas_foreign_files_and_existing_workspaces(demo_dir,
                                                                             tmp_path):
    demo = Workspace.open(demo_dir)
    backup(demo, tmp_path / "b.zip")
    demo.close()
    manifest = read_manifest(tmp_path / "b.zip")
    assert manifest["schema_revision"] == Workspace.open(demo_dir).head_revision()
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(tmp_path / "b.zip") as src, zipfile.ZipFile(newer, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "manifest.json":
                body = json.dumps({**manifest, "schema_revision": "9999"}).encode()
            dst.writestr(item, body)
    with pytest.raises(InputError, match="newer khooshe"):
        restore(newer, tmp_path / "x", actor="t")
    assert not (tmp_path / "x" / "khooshe.toml").exists()
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match="not a khooshe backup"):
        restore(other, tmp_path / "y", actor="t")
    with pytest.raises(WorkspaceError, match="already a workspace"):
        restore(tmp_path / "b.zip", demo_dir, actor="t")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_backup_of_an_in_memory_workspace_holds_its_records(url, tmp_path):
    """An in-memory SQLite workspace is read through its own connection (its URL names no
    file to copy: the backup raised TypeError, or read a new empty database)."""
    ws = Workspace.create(tmp_path / "mem", db=url)
    path = tmp_path / "regions.csv"
    path.write_text("code,level,name_fa\n06,province,خوزستان\n", encoding="utf-8")
    data.import_file(ws, "regions", path, actor="test")
    report = backup(ws, tmp_path / "mem.zip")
    assert report.schema_revision == ws.head_revision()
    assert report.counts["regions"] == 1
    restored = restore(tmp_path / "mem.zip", tmp_path / "restored", actor="test")
    _same(ws, restored)
    restored.close()
    ws.close()


def test_backup_while_another_process_imports_restores_every_kind_row_for_row(db_url,
                                                                             tmp_path):
    """A real ``khooshe import`` of 300,000 establishments in another process; the backup,
    taken while it runs, restores to one committed state — before the import or after it —
    every kind equal row for row (SQLite and PostgreSQL)."""
    import subprocess
    import sys
    import time

    ROWS = 300_000
    ws = build_demo(tmp_path / "ws", seed=0, db=db_url)
    region = read_kind(ws, "regions")["code"].iloc[1]
    path = tmp_path / "many.csv"
    path.write_text("id,isic,region_code,status,employees\n" + "".join(
        f"P{i},2410,{region},operating,{i % 500}\n" for i in range(ROWS)), encoding="utf-8")
    states = {"before": {kind: read_kind(ws, kind) for kind in LOAD_ORDER}}
    child = subprocess.Popen([sys.executable, "-m", "khooshe.cli", "import", str(ws.root),
                              "establishments", str(path)], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        # the child has started Python and is reading or writing (100,000 rows were done in
        # under 2 s on a quiet machine: the backup came after the import)
        time.sleep(1.5)
        assert child.poll() is None, "the import ended before the backup began"
        report = backup(ws, tmp_path / "b.zip")
        output, _ = child.communicate(timeout=600)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, output
    states["after"] = {kind: read_kind(ws, kind) for kind in LOAD_ORDER}
    n = report.counts["establishments"]
    assert n in (len(states["before"]["establishments"]),
                 len(states["before"]["establishments"]) + ROWS)
    expected = states["before" if n == len(states["before"]["establishments"]) else "after"]
    restored = restore(tmp_path / "b.zip", tmp_path / "restored", actor="test")
    try:
        for kind in LOAD_ORDER:
            pd.testing.assert_frame_equal(read_kind(restored, kind), expected[kind], obj=kind)
    finally:
        restored.close()
        ws.close()
