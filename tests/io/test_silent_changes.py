"""Every silent change of issue 17, end to end: a file (CSV, XLSX, Parquet) imported with
the real reader and validation into a workspace holding data — each value refused (the
workspace unchanged) or stored exactly."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from khooshe.domain.validate import ValidationError
from khooshe.services import data
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

FORMATS = ["csv", "xlsx", "parquet"]
PROVINCE = {"code": "06", "level": "province", "name_fa": "خوزستان", "population": "4710508",
            "lat": "31.45", "lon": "48.9"}
FIRM = {"id": "E1", "isic": "2410", "region_code": "06", "status": "operating",
        "name": "فولاد", "employees": "120", "remaining_cost_rials": "5000", "exports_t": "20"}


def _ring(points):
    return json.dumps({"type": "Polygon", "coordinates": [points]})


SQUARE = [[48.0, 31.0], [48.5, 31.0], [48.5, 31.5], [48.0, 31.5], [48.0, 31.0]]
#: (kind, column, value): each must be refused.
REFUSED = {
    "NUL byte": ("regions", "name_fa", "خوز\x00ستان"),
    "decimal comma": ("regions", "population", "1,5"),
    "inf in money": ("establishments", "remaining_cost_rials", "inf"),
    "inf in tonnage": ("establishments", "exports_t", "inf"),
    "Infinity in an integer": ("regions", "population", "Infinity"),
    "1e30 in an integer": ("regions", "population", "1e30"),
    "own parent": ("regions", "parent_code", "06"),
    "self-intersecting": ("regions", "boundary", _ring(
        [[48.0, 31.0], [48.5, 31.5], [48.5, 31.0], [48.0, 31.5], [48.0, 31.0]])),
    "zero area": ("regions", "boundary", _ring(
        [[48.0, 31.0], [48.5, 31.0], [49.0, 31.0], [48.0, 31.0]])),
    "unclosed": ("regions", "boundary", _ring(SQUARE[:-1] + [[48.1, 31.0]])),
    "latitude 1000": ("regions", "boundary", _ring([[x, y + 969] for x, y in SQUARE])),
    'coordinates "x"': ("regions", "boundary", '{"type":"Polygon","coordinates":"x"}'),
}
#: (kind, column, value, stored): each must be stored exactly as ``stored``.
EXACT = {
    "the name NaN": ("regions", "name_en", "NaN", "NaN"),
    "2**53 + 1": ("regions", "population", "9007199254740993", 9007199254740993),
}


@pytest.fixture
def ws(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    data.import_frame(ws, "regions", pd.DataFrame([PROVINCE]), actor="t")
    data.import_frame(ws, "establishments", pd.DataFrame([FIRM]), actor="t")
    yield ws
    ws.close()


def _write(row: dict[str, str], path) -> None:
    """``row`` as a one-row file, every cell text (as a user's file holds it)."""
    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(row)
            writer.writerow(row.values())
    elif path.suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        sheet = wb.active
        sheet.append(list(row))
        sheet.append(list(row.values()))
        for cell in sheet[2]:
            cell.data_type = "s"  # text, as typed into a cell formatted as text
        wb.save(path)
    else:
        pd.DataFrame([row], dtype=object).to_parquet(path, index=False)


def _state(ws) -> dict[str, pd.DataFrame]:
    return {kind: read_kind(ws, kind) for kind in ("regions", "establishments")}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", list(REFUSED))
def test_a_silent_change_is_now_refused(ws, tmp_path, case, fmt):
    kind, column, value = REFUSED[case]
    if fmt == "xlsx" and "\x00" in value:
        pytest.skip("XML (so XLSX) cannot hold a NUL byte at all")
    row = dict(PROVINCE if kind == "regions" else FIRM)
    row[column] = value
    path = tmp_path / f"f.{fmt}"
    _write(row, path)
    before = _state(ws)
    with pytest.raises(ValidationError) as caught:
        data.import_file(ws, kind, path, actor="t")
    assert {i.column for i in caught.value.issues} == {column}, caught.value.issues
    after = _state(ws)
    for k in before:
        pd.testing.assert_frame_equal(after[k], before[k])


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", list(EXACT))
def test_a_value_once_changed_is_now_stored_exactly(ws, tmp_path, case, fmt):
    kind, column, value, stored = EXACT[case]
    row = dict(PROVINCE)
    row[column] = value
    path = tmp_path / f"f.{fmt}"
    _write(row, path)
    data.import_file(ws, kind, path, actor="t")
    got = read_kind(ws, "regions").set_index("code").loc["06", column]
    assert got == stored


@pytest.mark.parametrize("fmt", FORMATS)
def test_full_width_digits_are_the_stored_code_not_a_new_province(ws, tmp_path, fmt):
    row = dict(PROVINCE, code="０٦", population="4710509")
    path = tmp_path / f"f.{fmt}"
    _write(row, path)
    data.import_file(ws, "regions", path, actor="t")
    regions = read_kind(ws, "regions")
    assert regions["code"].tolist() == ["06"]
    assert int(regions["population"].iloc[0]) == 4710509
