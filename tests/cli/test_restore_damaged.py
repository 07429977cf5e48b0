"""``khooshe restore`` of a damaged backup: one clear refusal (exit 2), nothing left behind
(before: a traceback and a half-made workspace)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, inspect

from khooshe.services.backup import backup
from khooshe.store.workspace import Workspace


@pytest.fixture(scope="module")
def good(demo_dir, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("backup") / "demo.zip"
    ws = Workspace.open(demo_dir)
    try:
        backup(ws, path)
    finally:
        ws.close()
    return path


def _rewrite(src: Path, dst: Path, change) -> Path:
    """A copy of the backup with each part's bytes passed through ``change(name, body)``
    (None drops the part)."""
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for item in a.infolist():
            body = change(item.filename, a.read(item))
            if body is not None:
                b.writestr(item.filename, body)
    return dst


def _cut(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    return dst


def _flip(src: Path, dst: Path) -> Path:
    """Bytes damaged inside the largest compressed part (the zip's CRC no longer matches)."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        big = max(z.infolist(), key=lambda i: i.compress_size)
    start = big.header_offset + 30 + len(big.filename) + big.compress_size // 2
    for i in range(start, start + 64):
        data[i] ^= 0x5A
    dst.write_bytes(bytes(data))
    return dst


def _null_key(name: str, body: bytes) -> bytes:
    if name != "regions.parquet":
        return body
    df = pd.read_parquet(io.BytesIO(body))
    df.loc[df.index[0], "code"] = None  # a key the database refuses (NOT NULL)
    out = io.BytesIO()
    df.to_parquet(out, index=False)
    return out.getvalue()


def _counts(name: str, body: bytes) -> bytes:
    if name != "manifest.json":
        return body
    manifest = json.loads(body)
    manifest["counts"]["regions"] += 1
    return json.dumps(manifest).encode()


DAMAGE = {
    "cut in half": _cut,
    "bytes flipped": _flip,
    "a part that is not Parquet": lambda s, d: _rewrite(
        s, d, lambda n, b: b"garbage" * 100 if n == "regions.parquet" else b),
    "a part missing": lambda s, d: _rewrite(
        s, d, lambda n, b: None if n == "establishments.parquet" else b),
    "rows the manifest does not state": lambda s, d: _rewrite(s, d, _counts),
    "a row the database refuses": lambda s, d: _rewrite(s, d, _null_key),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("target_exists", [False, True])
def test_a_damaged_backup_is_one_refusal_leaving_nothing(good, tmp_path, invoke, damage,
                                                         target_exists):
    bad = DAMAGE[damage](good, tmp_path / "bad.zip")
    target = tmp_path / "restored"
    if target_exists:
        target.mkdir()
        (target / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke("restore", bad, target)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "backup" in result.output
    if target_exists:
        assert [p.name for p in target.iterdir()] == ["notes.txt"]
    else:
        assert not target.exists()
    fa = invoke("--lang", "fa", "restore", bad, tmp_path / "fa")
    assert fa.exit_code == 2 and "پشتیبان" in fa.output and not (tmp_path / "fa").exists()


def test_a_damaged_backup_leaves_no_table_on_postgresql(good, tmp_path, invoke, pg_url):
    bad = _rewrite(good, tmp_path / "bad.zip", _null_key)
    result = invoke("restore", bad, tmp_path / "pg", "--db", pg_url)
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "pg").exists()
    engine = create_engine(pg_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_restore_refuses_a_newer_schema_in_one_line(good, tmp_path, invoke):
    newer = _rewrite(good, tmp_path / "newer.zip", lambda n, b: json.dumps(
        {**json.loads(b), "schema_revision": "9999_future"}).encode()
        if n == "manifest.json" else b)
    result = invoke("restore", newer, tmp_path / "x")
    assert result.exit_code == 2 and "newer khooshe" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "x").exists()


def test_an_intact_backup_still_restores(good, tmp_path, invoke):
    result = invoke("restore", good, tmp_path / "ok")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ok" / "khooshe.toml").exists()
