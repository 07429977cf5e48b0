"""Integers beyond 2**53 survive an XLSX file (a spreadsheet's numbers are doubles)."""

from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from khooshe.io.tables import read_table, write_table, xlsx_text

BIG = 9007199254740993  # 2**53 + 1: the nearest double is …992


def test_big_integers_are_written_as_text_and_read_back_exactly(tmp_path):
    df = pd.DataFrame({
        "nullable": pd.array([BIG, None, 5], dtype="Int64"),
        "plain": pd.Series([-BIG, 1, 2], dtype="int64"),
        "small": pd.Series([1, 2, 3], dtype="int64"),
        "objects": pd.Series([BIG, "x", None], dtype=object),
    })
    path = write_table(df, tmp_path / "big.xlsx")
    back = read_table(path)
    assert back["nullable"].tolist() == [str(BIG), None, "5"]
    assert back["plain"].tolist() == [str(-BIG), "1", "2"]
    assert back["objects"].tolist() == [str(BIG), "x", None]
    sheet = load_workbook(path).worksheets[0]
    small = [c for (c,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3)]
    assert [c.value for c in small] == [1, 2, 3] and {c.data_type for c in small} == {"n"}
    assert xlsx_text(2**53) == 2**53 and xlsx_text(True) is True and xlsx_text(1.5) == 1.5


def test_a_big_integer_exports_and_reimports_exactly(tmp_path):
    from khooshe.services import data
    from khooshe.store.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    try:
        data.import_frame(ws, "regions", pd.DataFrame(
            {"code": ["06"], "level": ["province"], "name_fa": ["خوزستان"]}), actor="test")
        data.import_frame(ws, "establishments", pd.DataFrame(
            {"id": ["E1"], "isic": ["2410"], "region_code": ["06"], "status": ["operating"],
             "employees": [str(BIG)]}), actor="test")
        data.export_kind(ws, "establishments", tmp_path / "e.xlsx")
        assert read_table(tmp_path / "e.xlsx")["employees"].tolist() == [str(BIG)]
    finally:
        ws.close()
