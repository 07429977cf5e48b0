"""Output files: normal permissions, safe temporary files, clear errors for unusable paths,
and no silent overwrite of a file the user did not name."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pandas as pd
import pytest

from khooshe.io import tables
from khooshe.io.tables import OutputError, TableFormatError, atomic_path, write_table

FRAME = pd.DataFrame({"code": ["06"], "name_en": ["Khuzestan"]})


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "parquet", "html"])
def test_outputs_get_the_permissions_of_any_new_file(tmp_path, umask_022, suffix):
    """0666 less the umask (0644 here), not a temporary file's 0600 (plan.html was 0600)."""
    path = tmp_path / f"out.{suffix}"
    if suffix == "html":
        with atomic_path(path) as tmp:
            tmp.write_text("<p>x</p>", encoding="utf-8")
    else:
        write_table(FRAME, path)
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_planted_symlink_at_the_temporary_name_is_never_followed(tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    names = iter(["deadbeef", "cafebabe"])
    monkeypatch.setattr("secrets.token_hex", lambda n: next(names))
    (tmp_path / ".khooshe-deadbeef.tmp").symlink_to(victim)
    write_table(FRAME, tmp_path / "out.csv")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert "Khuzestan" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")


def test_a_long_but_valid_output_name_works(tmp_path):
    """The temporary name is short, so an output named with 255 bytes can be written."""
    path = tmp_path / ("x" * 251 + ".csv")
    write_table(FRAME, path)
    assert path.is_file()


@pytest.mark.parametrize("make", [
    lambda tmp: tmp / ("x" * 300 + ".csv"),  # too long
    lambda tmp: Path("/sys/khooshe-out.csv"),  # not permitted (even as root)
    lambda tmp: (tmp / "file.txt", (tmp / "file.txt").write_text("x"))[0] / "out.csv",
    lambda tmp: (tmp / "dir.csv", (tmp / "dir.csv").mkdir())[0],  # a directory
])
def test_an_unusable_path_is_a_one_line_refusal(tmp_path, make, invoke):
    path = make(tmp_path)
    with pytest.raises(TableFormatError) as caught:
        write_table(FRAME, path)
    assert caught.value.exit_code == 2
    ws = tmp_path / "ws"
    assert invoke("init", ws).exit_code == 0
    result = invoke("export", ws, "regions", path)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert "cannot write here" in result.output
    fa = invoke("--lang", "fa", "export", ws, "regions", path)
    assert fa.exit_code == 2 and "نمی‌توان نوشت" in fa.output


def test_a_full_disk_stays_a_failure_exit_1(tmp_path, monkeypatch, invoke):
    ws = tmp_path / "ws"
    assert invoke("init", ws).exit_code == 0

    def full(self, target):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "replace", full)
    with pytest.raises(OutputError):
        write_table(FRAME, tmp_path / "a.csv")
    result = invoke("export", ws, "regions", tmp_path / "out.csv")
    assert result.exit_code == 1, result.output
    assert "writing failed" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob(".khooshe-*"))
    assert tables.OutputError.exit_code == 1


def test_template_does_not_overwrite_the_file_it_derives_without_force(tmp_path, invoke):
    out = tmp_path / "t.csv"
    docs = tmp_path / "t.columns.csv"
    docs.write_text("mine", encoding="utf-8")
    result = invoke("template", "regions", out)
    assert result.exit_code == 2 and "--force" in result.output, result.output
    assert docs.read_text(encoding="utf-8") == "mine" and not out.exists()
    result = invoke("template", "regions", out, "--force")
    assert result.exit_code == 0, result.output
    assert docs.read_text(encoding="utf-8-sig") != "mine"


def test_villages_does_not_overwrite_its_sibling_files_without_force(demo_dir, tmp_path,
                                                                     invoke):
    out = tmp_path / "v.csv"
    sibling = tmp_path / "v_counties.csv"
    sibling.write_text("mine", encoding="utf-8")
    args = ("villages", demo_dir, "--province", "01", "-o", out)
    result = invoke(*args)
    assert result.exit_code == 2 and "v_counties.csv" in result.output, result.output
    assert sibling.read_text(encoding="utf-8") == "mine" and not out.exists()
    result = invoke(*args, "--force")
    assert result.exit_code == 0, result.output
    assert sibling.read_text(encoding="utf-8-sig") != "mine"
