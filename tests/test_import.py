"""Validated, all-or-nothing, idempotent imports and exports, on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from khooshe.domain.schema import ENTITIES
from khooshe.domain.validate import ValidationError
from khooshe.services import data
from khooshe.store import repository
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

REGIONS_CSV = """code,level,parent_code,name_fa,name_en,population,lat,lon
06,province,,خوزستان,Khuzestan,"4,710,509",31.3,48.7
0603,county,06,شهرستان اهواز,Ahvaz,۱۳۰۲۵۹۱,31.32,48.67
0601,county,06,آبادان,Abadan,231476,30.35,48.29
060301,district,0603,بخش مرکزی,,,,
06030101,rural_district,060301,دهستان نمونه,,,,
0603010101,village,06030101,روستاي كوت,Kut,1200,31.1,48.5
01,province,,گیلان,Gilan,2530696,37.28,49.59
"""

ESTABLISHMENTS_CSV = (
    "id,name,isic,region_code,status,employees,progress_pct,remaining_cost_rials,expected_jobs\n"
) + """E1,فولاد اکسین,2410,0603,operating,1200,,,
E2,واحد نیمه‌تمام,2220,0601,half_finished,0,65,12000000000,40
E3,لبنیات,1050,0603010101,operating,12,,,
"""


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def loaded(workspace, tmp_path) -> Workspace:
    data.import_file(workspace, "regions", _write(tmp_path, "regions.csv", REGIONS_CSV),
                     actor="test")
    data.import_file(workspace, "establishments",
                     _write(tmp_path, "est.csv", ESTABLISHMENTS_CSV), actor="test")
    return workspace


def test_import_types_and_normalises(loaded):
    regions = read_kind(loaded, "regions", columns=["code", "name_fa", "name_fa_norm",
                                                         "population"]).set_index("code")
    assert regions.loc["0603", "population"] == 1302591  # Persian digits parsed
    assert regions.loc["06", "population"] == 4710509  # thousands separators parsed
    assert regions.loc["0603", "name_fa"] == "شهرستان اهواز"  # original kept for display
    assert regions.loc["0603", "name_fa_norm"] == "اهواز"  # prefix dropped for matching
    # Arabic ي/ك become Persian ی/ک in the key only.
    assert regions.loc["0603010101", "name_fa"] == "روستاي كوت"
    assert "ي" not in regions.loc["0603010101", "name_fa_norm"]
    assert "ك" not in regions.loc["0603010101", "name_fa_norm"]
    assert loaded.counts()["establishments"] == 3


def test_bad_rows_are_all_named_and_nothing_changes(loaded, tmp_path):
    before = loaded.counts()
    bad = ESTABLISHMENTS_CSV.replace("E1,", "E1,", 1) + (
        "E4,بد,24X0,0603,operating,5,,,\n"  # row 5: ISIC not 4 digits
        "E5,بد,2410,9999,operating,5,,,\n"  # row 6: unknown region
        "E6,خوب,2410,0603,operating,7,,,\n"  # row 7: fine
        "E7,بد,2410,0603,running,-3,,,\n"  # row 8: bad status and negative employees
    )
    with pytest.raises(ValidationError) as err:
        data.import_file(loaded, "establishments", _write(tmp_path, "bad.csv", bad), actor="test")
    assert err.value.rows == [5, 6, 8]
    columns = {(i.row, i.column) for i in err.value.issues}
    assert columns == {(5, "isic"), (6, "region_code"), (8, "status"), (8, "employees")}
    issue = next(i for i in err.value.issues if i.row == 6)
    assert issue.value == "9999" and "unknown regions" in issue.reason
    assert loaded.counts() == before  # the valid rows E1..E3 and E6 were not written either


def test_reimport_is_idempotent(loaded, tmp_path):
    path = _write(tmp_path, "est.csv", ESTABLISHMENTS_CSV)
    before = read_kind(loaded, "establishments")
    report = data.import_file(loaded, "establishments", path, actor="test")
    assert (report.inserted, report.updated) == (0, 3)
    pd.testing.assert_frame_equal(read_kind(loaded, "establishments"), before)


def test_upsert_updates_changed_values(loaded, tmp_path):
    changed = ESTABLISHMENTS_CSV.replace("E3,لبنیات,1050,0603010101,operating,12",
                                         "E3,لبنیات,1050,0603010101,idle,9")
    data.import_file(loaded, "establishments", _write(tmp_path, "est2.csv", changed), actor="test")
    est = read_kind(loaded, "establishments").set_index("id")
    assert est.loc["E3", "status"] == "idle" and est.loc["E3", "employees"] == 9


def test_missing_and_unknown_columns(workspace, tmp_path):
    path = _write(tmp_path, "r.csv", "code,level,name_fa,popluation\n06,province,خوزستان,1\n")
    with pytest.raises(ValidationError) as err:
        data.import_file(workspace, "regions", path, actor="test")
    (issue,) = err.value.issues
    assert issue.column == "popluation" and "did you mean 'population'" in issue.reason
    path = _write(tmp_path, "r2.csv", "code,level\n06,province\n")
    with pytest.raises(ValidationError, match="problem"):
        data.import_file(workspace, "regions", path, actor="test")


def test_duplicate_keys_in_one_file(workspace, tmp_path):
    path = _write(tmp_path, "r.csv", "code,level,name_fa\n06,province,الف\n06,province,ب\n")
    with pytest.raises(ValidationError) as err:
        data.import_file(workspace, "regions", path, actor="test")
    assert err.value.rows == [3]
    assert "first on row 2" in err.value.issues[0].reason


def test_jalali_dates_and_lists(loaded, tmp_path):
    clusters = (
        "code,name_fa,province_code,isic,regions,stage,start_date\n"
        "C1,خوشه فولاد,06,2410;2420,0603;0601,joint_actions,۱۴۰۲/۰۵/۲۴\n"
        "C2,خوشه پلاستیک,06,2220,,feasibility,2021-03-21\n"
    )
    data.import_file(loaded, "clusters", _write(tmp_path, "c.csv", clusters), actor="test")
    got = read_kind(loaded, "clusters").set_index("code")
    assert got.loc["C1", "start_date"] == "2023-08-15"
    assert got.loc["C1", "isic"] == "2410;2420"
    assert got.loc["C2", "start_date"] == "2021-03-21"
    bad = clusters.replace("۱۴۰۲/۰۵/۲۴", "1402/13/01")
    with pytest.raises(ValidationError) as err:
        data.import_file(loaded, "clusters", _write(tmp_path, "c2.csv", bad), actor="test")
    assert err.value.issues[0].column == "start_date" and err.value.rows == [2]


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "parquet"])
def test_export_import_round_trip(loaded, tmp_path, suffix):
    for kind in ("regions", "establishments"):
        path = tmp_path / f"{kind}.{suffix}"
        assert data.export_kind(loaded, kind, path) == loaded.counts()[kind]
    other = Workspace.create(tmp_path / f"other-{suffix}")
    for kind in ("regions", "establishments"):
        data.import_file(other, kind, tmp_path / f"{kind}.{suffix}", actor="test")
        pd.testing.assert_frame_equal(read_kind(other, kind), read_kind(loaded, kind))
    other.close()


def test_templates(tmp_path):
    paths = data.write_template("establishments", tmp_path / "t.xlsx")
    book = load_workbook(paths[0])
    assert book.sheetnames == ["establishments", "columns"]
    header = [c.value for c in book["establishments"][1]]
    assert header == ENTITIES["establishments"].names
    docs = pd.read_excel(paths[0], sheet_name="columns")
    assert list(docs["column"]) == header and docs["description_fa"].notna().all()
    csv_paths = data.write_template("regions", tmp_path / "r.csv")
    assert [p.name for p in csv_paths] == ["r.csv", "r.columns.csv"]
    assert pd.read_csv(csv_paths[0]).columns.tolist() == ENTITIES["regions"].names


def test_empty_template_imports_nothing(workspace, tmp_path):
    data.write_template("regions", tmp_path / "r.csv")
    report = data.import_file(workspace, "regions", tmp_path / "r.csv", actor="test")
    assert report.rows == 0 and workspace.counts()["regions"] == 0


def test_failure_while_writing_rolls_back(loaded, tmp_path, monkeypatch):
    """A database error in the middle of a write leaves nothing half-written."""
    before = loaded.counts()
    rows = "id,isic,region_code,status\n" + "".join(
        f"N{i},2410,0603,operating\n" for i in range(5000)
    )
    calls = {"n": 0}
    real = repository.upsert

    def failing(conn, kind, frame, **options):
        calls["n"] += 1
        real(conn, kind, frame.iloc[:2500], **options)  # first half lands in the transaction …
        raise RuntimeError("disk full")  # … then the database fails

    monkeypatch.setattr(repository, "upsert", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        data.import_file(loaded, "establishments", _write(tmp_path, "many.csv", rows),
                         actor="test")
    assert calls["n"] == 1 and loaded.counts() == before


def test_persian_template_reads_right_to_left_and_imports_as_written(workspace, tmp_path):
    """A Persian template heads its columns with their Persian descriptions, says the allowed
    values in words, reads right to left; filled in with Persian labels («فعال») it imports."""
    from khooshe.domain.schema import entity

    path = data.write_template("establishments", tmp_path / "t.xlsx", lang="fa")[0]
    book = load_workbook(path)
    ent = entity("establishments")
    assert book.sheetnames == [ent.label("fa")[:31], "ستون‌ها"]
    sheet, docs = book.worksheets
    assert sheet.sheet_view.rightToLeft and docs.sheet_view.rightToLeft
    header = [c.value for c in sheet[1]]
    assert header == [c.description("fa") for c in ent.columns]
    rows = list(docs.iter_rows(values_only=True))
    assert rows[0][:3] == ("ستون", "شناسهٔ لاتین", "نوع")
    allowed = {r[1]: r[5] for r in rows[1:]}
    assert allowed["isic"] == "۴ رقم (رشتهٔ فعالیت در آیسیک ویرایش ۴)"
    assert "فعال" in allowed["status"] and "نیمه‌تمام" in allowed["status"]
    assert "operating" not in allowed["status"] and "\\d" not in "".join(map(str, allowed.values()))
    # filled in as a Persian user would: Persian headers, a Persian status
    (tmp_path / "r.csv").write_text("code,level,parent_code,name_fa\n06,province,,خوزستان\n",
                                    encoding="utf-8")
    data.import_file(workspace, "regions", tmp_path / "r.csv", actor="t")
    by_name = {c.name: c.description("fa") for c in ent.columns}
    filled = pd.DataFrame({by_name["id"]: ["E1"], by_name["isic"]: ["2410"],
                           by_name["region_code"]: ["06"], by_name["status"]: ["فعال"]})
    filled.to_csv(tmp_path / "e.csv", index=False)
    data.import_file(workspace, "establishments", tmp_path / "e.csv", actor="t")
    stored = read_kind(workspace, "establishments")
    assert stored[["id", "isic", "status"]].values.tolist() == [["E1", "2410", "operating"]]
