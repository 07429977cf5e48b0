"""Damaged files found by fuzzing are refused by name, never a crash (issue 17)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from khooshe.domain.geo import geometry_problem
from khooshe.domain.schema import entity
from khooshe.domain.validate import ValidationError, validate
from khooshe.io.geo import GeoJSONError, read_geojson_features
from khooshe.io.tables import LimitError, Limits, TableFormatError, read_table, write_table
from khooshe.text.messages import Message

DEEP = "[" * 100_000 + "]" * 100_000


def test_a_csv_that_is_not_utf8_is_refused_naming_its_line(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("code,name_fa\n06,Khuzestan\n07,F\xe4rs\n".encode("latin-1"))
    with pytest.raises(TableFormatError) as caught:
        read_table(path)
    message = caught.value.args[0]
    assert isinstance(message, Message)
    assert "line 3 is not UTF-8" in message.render("en") and "0xe4" in message.render("en")
    assert "UTF-8" in message.render("fa") and "سطر" in message.render("fa")


@pytest.mark.parametrize("body", [b'"code,name\n06,x\n', b'"\n', b'code\n"06\n'])
def test_a_damaged_csv_header_is_refused(tmp_path, body):
    """Before: UnboundLocalError when the header itself was the damaged row."""
    path = tmp_path / "h.csv"
    path.write_bytes(body)
    with pytest.raises(TableFormatError):
        read_table(path)


def _parts(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as z:
        return z.infolist()


def test_damaged_xlsx_archives_are_refused_never_a_crash(tmp_path):
    """Bytes damaged in each compressed part (zlib.error before), and each part's compression
    method in the central directory made unknown (NotImplementedError before)."""
    good = write_table(pd.DataFrame({"code": ["06"] * 300, "name_fa": ["خوزستان"] * 300}),
                       tmp_path / "good.xlsx")
    data = good.read_bytes()
    refused = 0
    for info in _parts(good):
        start = info.header_offset + 30 + len(info.filename.encode())
        damaged = bytearray(data)
        for i in range(start, start + min(24, info.compress_size)):
            damaged[i] ^= 0xFF
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(bytes(damaged))
        try:
            read_table(bad)
        except TableFormatError:
            refused += 1
        # any other exception fails the test
        method = bytearray(data)
        offset = data.find(b"PK\x01\x02")
        while offset >= 0:
            name_len = int.from_bytes(data[offset + 28: offset + 30], "little")
            name = data[offset + 46: offset + 46 + name_len].decode()
            if name == info.filename:
                method[offset + 10: offset + 12] = (99).to_bytes(2, "little")
            offset = data.find(b"PK\x01\x02", offset + 4)
        bad.write_bytes(bytes(method))
        with pytest.raises(TableFormatError):
            read_table(bad)
    assert refused == len(_parts(good))  # every part is scanned, used or not


def test_brackets_nested_deep_in_a_boundary_cell_are_refused():
    problem = geometry_problem('{"type":"Polygon","coordinates":' + DEEP + "}")
    assert problem is not None and "nested too deeply" in str(problem)
    df = pd.DataFrame({"code": ["06"], "level": ["province"], "name_fa": ["خوزستان"],
                       "boundary": ['{"type":"Polygon","coordinates":' + DEEP + "}"]})
    with pytest.raises(ValidationError) as caught:
        validate(df, entity("regions"))
    assert [str(i.reason) for i in caught.value.issues] == [str(problem)]


def test_a_geojson_file_nested_deep_is_refused(tmp_path):
    path = tmp_path / "deep.geojson"
    path.write_text('{"type":"FeatureCollection","features":' + DEEP + "}", encoding="utf-8")
    with pytest.raises(GeoJSONError, match="nested too deeply"):
        read_geojson_features(path)


def test_a_geojson_file_is_held_to_the_file_size_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.geojson"
    path.write_text('{"type":"FeatureCollection","features":[]}' + " " * 3_000_000,
                    encoding="utf-8")
    monkeypatch.setenv("KHOOSHE_LIMITS", "file_mb=2")
    with pytest.raises(LimitError, match="file_mb"):
        read_geojson_features(path)
    monkeypatch.setenv("KHOOSHE_LIMITS", "file_mb=4")
    assert read_geojson_features(path).empty


def test_a_parquet_file_damaged_at_any_byte_is_read_or_refused(tmp_path):
    """Every single byte of a small dictionary-encoded file flipped in turn: read, or refused
    as a TableFormatError — never a pyarrow exception (ArrowIndexError before, from
    dictionary indices out of bounds)."""
    good = tmp_path / "good.parquet"
    pd.DataFrame({"code": ["06", "07", "06"], "name_fa": ["a", "b", "a"],
                  "population": ["1", "2", "3"]}).to_parquet(good, index=False)
    body = good.read_bytes()
    bad = tmp_path / "bad.parquet"
    outcomes = {"read": 0, "refused": 0}
    for at in range(len(body)):
        damaged = bytearray(body)
        damaged[at] ^= 0xFF
        bad.write_bytes(bytes(damaged))
        try:
            read_table(bad)
        except TableFormatError:
            outcomes["refused"] += 1
        else:
            outcomes["read"] += 1
    assert outcomes["refused"] > 0 and sum(outcomes.values()) == len(body)


def test_a_wider_second_sheet_does_not_refuse_the_first(tmp_path):
    """Only the sheet read is held to its header's columns (notes beside the data are fine);
    a value beyond the first sheet's header is refused."""
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    assert first is not None
    first.append(["code", "level", "name_fa"])
    first.append(["06", "province", "خوزستان"])
    notes = wb.create_sheet("notes")
    notes.append([f"note {i}" for i in range(30)])
    wb.save(tmp_path / "ok.xlsx")
    assert read_table(tmp_path / "ok.xlsx").shape == (1, 3)
    for cell, column in (("K2", 11), ("AA2", 27)):
        first[cell] = "stray"
        wb.save(tmp_path / "stray.xlsx")
        with pytest.raises(TableFormatError, match=rf"column {column}\b.*beyond the header's 3"):
            read_table(tmp_path / "stray.xlsx")
        first[cell] = None


def test_a_limit_is_named_in_both_languages(tmp_path):
    path = tmp_path / "many.parquet"
    pd.DataFrame({"code": ["06"] * 2_000}).to_parquet(path)
    with pytest.raises(LimitError) as caught:
        read_table(path, limits=Limits(rows=1_000))
    message = caught.value.args[0]
    assert isinstance(message, Message) and str(caught.value) == message.render("en")
    en, fa = message.render("en"), message.render("fa")
    assert "number of rows (2,000) is over the limit of 1,000" in en and 'rows=…' in en
    assert "تعداد سطرها" in fa and "۲٬۰۰۰" in fa and 'KHOOSHE_LIMITS="rows=…"' in fa
