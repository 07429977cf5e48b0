"""Every hostile file of issue 17, imported with the real ``khooshe import`` in a child
process: refused (exit 2) in one line naming the limit or the reason, no traceback, the
workspace unchanged, within 10 s and 512 MB of the child's own peak memory."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys

import pytest
from tests._hostile import HOSTILE, run_import

#: What the one line of each refusal names.
NAMES = {
    "only extra cell at XFD1048576": "beyond the header's 3 columns",
    "a value a million rows down": "blank_rows",
    "1 GiB cell in 1 MB": "unzipped_mb",
    "1 GiB shared-strings bomb": "unzipped_mb",
    "sheet of 3 M rows": "more than a worksheet can hold",
    "Parquet of 50 M identical rows": "rows=",
    "XXE": "XML entities",
    "billion laughs (sheet)": "XML entities",
    "billion laughs (shared strings)": "XML entities",
    "zip bomb, 1 GiB of spaces": "unzipped_mb",
    "zip bomb, forged sizes": "do not match its declared size",
    "zip of 60,000 parts": "parts=",
    "400 MiB text node": "cell_chars",
    "Parquet dictionary bomb (8 GB decoded)": "unzipped_mb",
}
assert set(NAMES) == set(HOSTILE)


def _state(ws) -> str:
    with sqlite3.connect(ws / "khooshe.db") as db:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    ws = root / "ws"
    subprocess.run([sys.executable, "-m", "khooshe.cli", "init", str(ws)], check=True,
                   capture_output=True)
    good = root / "good.csv"
    good.write_text("code,level,name_fa\n06,province,خوزستان\n", encoding="utf-8")
    code, out, _, _ = run_import(ws, good)
    assert code == 0, out
    return ws


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_is_refused_quickly_and_changes_nothing(workspace, tmp_path, name):
    make, filename = HOSTILE[name]
    path = make(tmp_path / filename)
    before = _state(workspace)
    code, out, seconds, peak = run_import(workspace, path)
    assert code == 2, out
    assert "Traceback" not in out and "unexpected error" not in out
    assert len(out.splitlines()) == 1, out
    assert NAMES[name] in out, out
    assert _state(workspace) == before
    assert seconds < 10, f"{name}: {seconds:.1f} s"
    assert 0 < peak < 512, f"{name}: {peak:.0f} MB"
