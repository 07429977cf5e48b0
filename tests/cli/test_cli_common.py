"""The one error handler and the helpers every command shares (khooshe.cli._common)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from khooshe.cli import _common
from khooshe.domain.errors import ConflictError, InputError

REGIONS = "code,level,parent_code,name_fa\n06,province,,خوزستان\n0603,county,06,اهواز\n"


@pytest.fixture
def ws(tmp_path, invoke):
    path = tmp_path / "ws"
    assert invoke("init", path).exit_code == 0
    return path


def _break_export(monkeypatch, exc: Exception):
    def broken(*args, **kwargs):
        raise exc

    monkeypatch.setattr("khooshe.services.data.export_kind", broken)


def test_a_khooshe_error_is_one_red_line_with_its_exit_code(ws, tmp_path, invoke, monkeypatch):
    _break_export(monkeypatch, InputError("the file is not what it says"))
    result = invoke("export", ws, "regions", tmp_path / "r.csv")
    assert result.exit_code == 2
    assert result.output.strip() == "error: the file is not what it says"
    _break_export(monkeypatch, ConflictError("edited meanwhile"))
    result = invoke("--lang", "fa", "export", ws, "regions", tmp_path / "r.csv")
    assert result.exit_code == 1 and result.output.strip() == "خطا: edited meanwhile"


def test_an_unexpected_error_is_one_line_and_a_logged_traceback(ws, tmp_path, invoke,
                                                                 monkeypatch, log_file):
    _break_export(monkeypatch, ZeroDivisionError("division by zero"))
    result = invoke("export", ws, "regions", tmp_path / "r.csv")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [f"khooshe: unexpected error: ZeroDivisionError: division by zero "
                     f"(details in {log_file})"]
    assert "Traceback" not in result.output
    log = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "ZeroDivisionError" in log
    assert "in broken" in log  # the whole stack, down to where it was raised


def test_the_log_falls_back_when_its_place_is_not_writable(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("KHOOSHE_LOG", str(blocker / "khooshe.log"))  # inside a file: fails
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    written = _common.write_log("Traceback: boom")
    assert written == tmp_path / "home" / ".cache" / "khooshe" / "khooshe.log"
    assert "Traceback: boom" in written.read_text(encoding="utf-8")
    monkeypatch.delenv("KHOOSHE_LOG")
    assert _common.log_candidates()[0] == tmp_path / "home" / ".cache" / "khooshe" / "khooshe.log"
    assert _common.log_candidates()[-1].name == "khooshe.log"  # the system's temp directory


def test_value_errors_and_missing_files_are_bad_input(ws, tmp_path, invoke, monkeypatch):
    _break_export(monkeypatch, ValueError("province '99' is not in the workspace"))
    result = invoke("export", ws, "regions", tmp_path / "r.csv")
    assert result.exit_code == 2 and "error: province '99'" in result.output
    _break_export(monkeypatch, FileNotFoundError(2, "No such file or directory", "/x/y.csv"))
    result = invoke("export", ws, "regions", tmp_path / "r.csv")
    assert result.exit_code == 2
    assert result.output.strip() == "error: /x/y.csv: No such file or directory"
    _break_export(monkeypatch, PermissionError(13, "Permission denied", "/x"))
    result = invoke("export", ws, "regions", tmp_path / "r.csv")
    assert result.exit_code == 1 and "Permission denied" in result.output


def test_validation_errors_list_every_row_and_write_the_errors_file(ws, tmp_path, invoke):
    src = tmp_path / "regions.csv"
    src.write_text(REGIONS + "0699,county,99,نامعلوم\n06X,county,06,بد\n", encoding="utf-8")
    errors = tmp_path / "problems.xlsx"
    result = invoke("import", ws, "regions", src, "--errors", errors)
    assert result.exit_code == 2
    assert "regions.csv: 2 problem(s) in 2 row(s); nothing was imported" in result.output
    assert "row 4" in result.output and "row 5" in result.output
    assert f"all problems written to {errors}" in result.output
    import pandas as pd

    assert len(pd.read_excel(errors)) == 2


def test_a_bad_errors_file_is_refused_before_any_work(ws, tmp_path, invoke):
    src = tmp_path / "regions.csv"
    src.write_text(REGIONS, encoding="utf-8")
    result = invoke("import", ws, "regions", src, "--errors", tmp_path / "e.txt")
    assert result.exit_code == 2 and "unsupported file type .txt" in result.output
    assert re.search(r"regions\s+│\s+0\s", invoke("info", ws).output)  # nothing imported


def test_alternatives_in_both_languages(monkeypatch):
    assert _common.alternatives(["a", "b", "c"], "en") == "a, b or c"
    assert _common.alternatives(["a", "b"], "fa") == "a یا b"
    assert _common.alternatives(["a", "b", "c"], "fa") == "a، b یا c"
    assert _common.alternatives(["a"], "en") == "a"


def test_the_actor_names_the_os_user(monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "zahra")
    assert _common.current_actor() == "cli:zahra"

    def nobody():
        raise KeyError("no user")

    monkeypatch.setattr("getpass.getuser", nobody)
    assert _common.current_actor() == "cli:unknown"


def test_texts_fall_back_to_the_shared_help():
    h = _common.Texts("fa", "hotspots")
    assert h.arg("workspace") == "پوشهٔ فضای کار."  # cli.common.argument.workspace
    assert h.opt("alpha") == "سطح معناداری."  # its own
    with pytest.raises(KeyError, match="no message"):
        h.opt("nope")


def test_check_outputs_refuses_unknown_extensions(tmp_path):
    from khooshe.io.tables import TableFormatError

    _common.check_outputs(None, tmp_path / "a.csv", Path("b.parquet"))
    with pytest.raises(TableFormatError):
        _common.check_outputs(tmp_path / "a.csv", tmp_path / "b.docx")
