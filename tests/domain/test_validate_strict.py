"""Validation changes nothing silently: every value is stored exactly or refused (issue 17)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from khooshe.domain.schema import entity
from khooshe.domain.validate import ValidationError, validate

REGIONS = entity("regions")
EST = entity("establishments")


def _regions(**cols) -> pd.DataFrame:
    base = {"code": ["06"], "level": ["province"], "name_fa": ["خوزستان"]}
    base.update({k: [v] for k, v in cols.items()})
    return pd.DataFrame(base)


def _reasons(df: pd.DataFrame, ent=REGIONS, known=None) -> list[str]:
    with pytest.raises(ValidationError) as err:
        validate(df, ent, known=known)
    return [f"{i.column}: {i.reason}" for i in err.value.issues]


@pytest.mark.parametrize("text, reason", [
    ("1,5", "not a number"),             # a decimal comma is not 15
    ("inf", "not a number"),
    ("Infinity", "not a number"),
    ("nan", "not a number"),
    ("1e400", "out of range"),
    ("0x10", "not a number"),
])
def test_float_columns_refuse_what_they_cannot_store_exactly(text, reason):
    assert any(reason in r for r in _reasons(_regions(lat=text)))


@pytest.mark.parametrize("text, reason", [
    ("1e30", "out of range"),
    ("99999999999999999999", "out of range"),
    ("inf", "not a number"),
    ("12.5", "whole number"),
])
def test_integer_columns_refuse_overflow_and_fractions(text, reason):
    assert any(reason in r for r in _reasons(_regions(population=text)))


def test_numbers_that_are_fine():
    typed = validate(_regions(population="۱٬۳۰۲٬۵۹۱", lat="31٫45", households="2.5e3"),
                     REGIONS)
    assert typed["population"].iloc[0] == 1302591 and typed["lat"].iloc[0] == 31.45
    assert typed["households"].iloc[0] == 2500


def test_big_integers_are_exact():
    typed = validate(_regions(population="9007199254740993"), REGIONS)
    assert int(typed["population"].iloc[0]) == 9007199254740993
    numeric = pd.DataFrame({"code": ["06"], "level": ["province"], "name_fa": ["x"],
                            "population": pd.array([9007199254740993], dtype="int64")})
    assert int(validate(numeric, REGIONS)["population"].iloc[0]) == 9007199254740993


def test_non_finite_numbers_from_parquet_or_xlsx_are_refused():
    df = _regions()
    df["lat"] = [float("inf")]
    assert any("finite" in r for r in _reasons(df))


def test_a_nul_byte_is_refused_not_cut():
    assert _reasons(_regions(name_en="Khu\x00zestan")) == ["name_en: contains a NUL character"]


def test_the_text_nan_is_a_name():
    typed = validate(_regions(name_en="NaN"), REGIONS)
    assert typed["name_en"].iloc[0] == "NaN"


def test_full_width_digits_are_the_same_code():
    typed = validate(pd.DataFrame({"code": ["０٦"], "level": ["province"], "name_fa": ["x"]}),
                     REGIONS)
    assert typed["code"].iloc[0] == "06"


def test_a_region_cannot_be_its_own_ancestor():
    loop = pd.DataFrame({"code": ["06", "0601", "0602"], "level": ["province", "county",
                                                                   "county"],
                         "parent_code": ["06", "0602", "0601"], "name_fa": ["a", "b", "c"]})
    reasons = _reasons(loop)
    assert sum("its own ancestor" in r for r in reasons) == 3


def _square(lon=48.0, lat=31.0, d=0.5):
    return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]


@pytest.mark.parametrize("geometry, reason", [
    ({"type": "Polygon", "coordinates": "x"}, "at least 4"),
    ({"type": "Polygon", "coordinates": [_square()[:-1]]}, "not closed"),
    ({"type": "Polygon", "coordinates": [[[48, 31], [49, 32], [49, 31], [48, 32], [48, 31]]]},
     "cross themselves"),
    ({"type": "Polygon", "coordinates": [[[48, 31], [49, 31], [50, 31], [48, 31]]]},
     "no area"),
    ({"type": "Polygon", "coordinates": [_square(lat=1000)]}, "outside Iran"),
    ({"type": "Point", "coordinates": [48, 31]}, "of type Polygon"),
])
def test_boundaries_must_be_valid_areas_in_iran(geometry, reason):
    reasons = _reasons(_regions(boundary=json.dumps(geometry)))
    assert any(reason in r for r in reasons), reasons


def test_a_valid_boundary_is_kept():
    text = json.dumps({"type": "Polygon", "coordinates": [_square()]})
    assert validate(_regions(boundary=text), REGIONS)["boundary"].iloc[0] == text


def test_persian_labels_of_choices_are_accepted():
    df = pd.DataFrame({"id": ["E1", "E2"], "isic": ["1071", "1071"],
                       "region_code": ["06", "06"], "status": ["فعال", "نیمه‌تمام"]})
    typed = validate(df, EST, known={"regions.code": {"06"}})
    assert typed["status"].tolist() == ["operating", "half_finished"]


def test_a_loop_closed_through_stored_regions_is_refused(tmp_path):
    """``06`` imported under ``0601`` while ``0601`` is stored under ``06``: the file alone
    holds no loop, the workspace would."""
    from khooshe.services import data
    from khooshe.store.repository import read_kind
    from khooshe.store.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    try:
        data.import_frame(ws, "regions", pd.DataFrame(
            {"code": ["06", "0601"], "level": ["province", "county"],
             "parent_code": [None, "06"], "name_fa": ["خوزستان", "اهواز"]}), actor="t")
        before = read_kind(ws, "regions")
        with pytest.raises(ValidationError) as err:
            data.import_frame(ws, "regions", pd.DataFrame(
                {"code": ["06"], "level": ["province"], "parent_code": ["0601"],
                 "name_fa": ["خوزستان"]}), actor="t")
        assert ["its own ancestor" in i.reason for i in err.value.issues] == [True]
        pd.testing.assert_frame_equal(read_kind(ws, "regions"), before)
        # a file that moves 0601 away in the same import closes no loop
        data.import_frame(ws, "regions", pd.DataFrame(
            {"code": ["07", "0601"], "level": ["province", "county"],
             "parent_code": [None, "07"], "name_fa": ["فارس", "اهواز"]}), actor="t")
        data.import_frame(ws, "regions", pd.DataFrame(
            {"code": ["06"], "level": ["province"], "parent_code": ["0601"],
             "name_fa": ["خوزستان"]}), actor="t")
        parent = read_kind(ws, "regions").set_index("code")["parent_code"]
        assert parent["06"] == "0601" and parent["0601"] == "07"
    finally:
        ws.close()


def test_validation_keeps_the_first_problems_and_counts_the_rest():
    from khooshe.domain.validate import MAX_ISSUES

    n = MAX_ISSUES * 3
    df = pd.DataFrame({"code": [f"x{i}" for i in range(n)], "level": ["nowhere"] * n,
                       "name_fa": ["a"] * n})
    with pytest.raises(ValidationError) as err:
        validate(df, REGIONS)
    assert len(err.value.issues) == MAX_ISSUES
    assert err.value.total == 2 * n and err.value.bad_rows == n
    assert f"{2 * n} problem(s) in {n} row(s)" in str(err.value)
    assert err.value.issues[0].row == 2
