"""The data commands as a user runs them: init, import, export, template, info."""

from __future__ import annotations

import re
import subprocess
import sys

from typer.testing import CliRunner

from khooshe.cli import app

runner = CliRunner()

REGIONS = """code,level,parent_code,name_fa,population
06,province,,خوزستان,4710509
0603,county,06,اهواز,1302591
0601,county,06,آبادان,231476
"""
GOOD = "".join(f"G{i},2410,0603,operating,{i + 1}\n" for i in range(20))
BAD_ROWS = (
    "B1,2410,0603,operating,abc\n"  # employees not a number
    "B2,2410,0699,operating,5\n"  # unknown county
    "B3,241,0601,operating,5\n"  # ISIC of 3 digits
)


def run(*args: str):
    return runner.invoke(app, ["--lang", "en", *map(str, args)])


def info_counts(ws) -> str:
    result = run("info", ws)
    assert result.exit_code == 0, result.output
    return result.output


def test_three_bad_rows(tmp_path):
    ws = tmp_path / "ws"
    assert run("init", ws).exit_code == 0
    (tmp_path / "regions.csv").write_text(REGIONS, encoding="utf-8")
    assert run("import", ws, "regions", tmp_path / "regions.csv").exit_code == 0
    header = "id,isic,region_code,status,employees\n"
    # Bad rows scattered among good ones: file rows 2..11 good, 12..14 bad, 15..24 good.
    lines = GOOD.splitlines(keepends=True)
    body = "".join(lines[:10]) + BAD_ROWS + "".join(lines[10:])
    path = tmp_path / "establishments.csv"
    path.write_text(header + body, encoding="utf-8")
    before = info_counts(ws)

    result = run("import", ws, "establishments", path, "--errors", tmp_path / "errors.csv")
    assert result.exit_code == 2
    rows = sorted({int(r) for r in re.findall(r"row (\d+)", result.output)})
    assert rows == [12, 13, 14]
    assert "'employees'" in result.output and "'region_code'" in result.output
    assert "'isic'" in result.output and "nothing was imported" in result.output
    assert info_counts(ws) == before
    assert (tmp_path / "errors.csv").read_text(encoding="utf-8-sig").count("\n") == 4

    path.write_text(header + GOOD, encoding="utf-8")
    result = run("import", ws, "establishments", path)
    assert result.exit_code == 0 and "20 new" in result.output
    result = run("import", ws, "establishments", path)
    assert result.exit_code == 0 and "0 new, 20 updated" in result.output


def test_errors_are_clear(tmp_path):
    ws = tmp_path / "ws"
    result = run("info", ws)
    assert result.exit_code == 2 and "not a khooshe workspace" in result.output
    run("init", ws)
    assert "already a workspace" in run("init", ws).output
    result = run("import", ws, "firms", tmp_path / "x.csv")
    assert result.exit_code == 2 and "unknown kind 'firms'" in result.output
    result = run("import", ws, "regions", tmp_path / "missing.csv")
    assert result.exit_code == 2 and "file not found" in result.output
    (tmp_path / "r.txt").write_text("x", encoding="utf-8")
    result = run("import", ws, "regions", tmp_path / "r.txt")
    assert result.exit_code == 2 and "unsupported file type" in result.output
    result = run("export", ws, "regions", tmp_path / "out.json")
    assert result.exit_code == 2 and not (tmp_path / "out.json").exists()


def test_template_and_export(tmp_path):
    ws = tmp_path / "ws"
    run("init", ws)
    (tmp_path / "regions.csv").write_text(REGIONS, encoding="utf-8")
    run("import", ws, "regions", tmp_path / "regions.csv")
    result = run("export", ws, "regions", tmp_path / "out.xlsx")
    assert result.exit_code == 0 and "Wrote 3 regions" in result.output
    result = run("template", "clusters", tmp_path / "clusters.xlsx")
    assert result.exit_code == 0 and (tmp_path / "clusters.xlsx").exists()


def test_persian_messages(tmp_path):
    result = runner.invoke(app, ["--lang", "fa", "init", str(tmp_path / "ws")])
    assert result.exit_code == 0 and "فضای کاری" in result.output


def test_console_script_runs():
    """The installed entry point works outside the test runner too."""
    out = subprocess.run([sys.executable, "-m", "khooshe.cli", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "import" in out and "demo" in out
