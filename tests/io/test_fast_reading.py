"""The fast paths of ``read_table`` (numbers and codes parsed in C) give what the text path
gives, and leave to the careful path every cell they are not sure of."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from khooshe.io.tables import LimitError, Limits, read_table, write_table
from khooshe.services.complexity import complexity_from_file

PLAIN = ["12", "-0.5", "1.5e3", "+7", ".25", "3.", "1E-2", "00012", "9007199254740993", ""]


def _csv(tmp_path, values: list[str], name: str = "t.csv"):
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["code", "value"])
        out.writerows([f"{i:04d}", v] for i, v in enumerate(values))
    return path


def test_plain_numbers_come_back_as_floats(tmp_path):
    path = _csv(tmp_path, PLAIN)
    text = read_table(path)
    fast = read_table(path, numbers=["value"])
    assert fast["value"].dtype == np.float64
    assert fast["code"].tolist() == text["code"].tolist()  # other columns untouched
    expected = [float(v) if v else np.nan for v in PLAIN]  # the nearest double to the text
    np.testing.assert_array_equal(fast["value"].to_numpy(), np.array(expected))


@pytest.mark.parametrize("odd", [" 12", "1,5", "1 000", "inf", "nan", "NA", "1e999", "0e502",
                                 "۱۲", "0x1F", "'=1", "12\x00", "abc", "1_000", "+-1"])
def test_anything_else_leaves_the_column_as_text(tmp_path, odd):
    path = _csv(tmp_path, ["1", odd, "2"])
    assert read_table(path, numbers=["value"]).equals(read_table(path))


def test_codes_are_the_same_texts_as_categories(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("year,hs6,value\n2020,010121,1\n2019,9,2\n,010121,3\n2020,'=x,4\n",
                    encoding="utf-8")
    text = read_table(path)
    fast = read_table(path, codes=["year", "hs6"])
    for col in ("year", "hs6"):
        assert isinstance(fast[col].dtype, pd.CategoricalDtype)
        assert fast[col].astype(object).where(fast[col].notna(), None).tolist() \
            == text[col].tolist()
        assert list(fast[col].cat.categories) == sorted(text[col].dropna().unique())
    assert fast["value"].tolist() == text["value"].tolist()


@pytest.mark.parametrize("suffix", ["xlsx", "parquet"])
def test_other_formats_honour_the_options(tmp_path, suffix):
    df = pd.DataFrame({"hs6": ["010121", "9", "010121"], "value": [1.5, 2.0, 3.25]})
    path = write_table(df, tmp_path / f"t.{suffix}")
    out = read_table(path, numbers=["value"], codes=["hs6"])
    assert out["value"].dtype == np.float64 and out["value"].tolist() == [1.5, 2.0, 3.25]
    assert out["hs6"].astype(object).tolist() == ["010121", "9", "010121"]


def test_a_huge_cell_is_still_refused_by_row_and_column(tmp_path):
    path = _csv(tmp_path, ["1", "2" * 50, "3"])
    with pytest.raises(LimitError, match="row 3, column 'value'"):
        read_table(path, limits=Limits(cell_chars=20), numbers=["value"])


def test_a_header_with_several_blank_names_is_read(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("a,,\n1,2,3\n", encoding="utf-8")
    df = read_table(path)
    assert list(df.columns) == ["a", "", ""] and df.iloc[0].tolist() == ["1", "2", "3"]


def test_complexity_refuses_a_bad_value_by_its_row(tmp_path):
    rows = ["exporter,product,value"] + [f"c{i},p{j},{i + j + 1}" for i in range(3)
                                         for j in range(3)]
    rows[5] = "c1,p1,1,5"  # a decimal comma: one field too many
    path = tmp_path / "x.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(Exception, match="line 6: 4 field"):
        complexity_from_file(path, location="exporter", product="product", value="value")
    # the same row, numbered as a spreadsheet shows it (header row 1), not by the 0-based index
    rows[5] = 'c1,p1,"1,5"'
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"column 'value': 1 value\(s\) are not numbers, "
                                         r"e.g. '1,5' \(row 6\)"):
        complexity_from_file(path, location="exporter", product="product", value="value")


@pytest.mark.parametrize("frame, fast", [
    (pd.DataFrame({"hs6": [f"{i:06d}" for i in range(45)], "eci": np.linspace(0, 1, 45),
                   "mcp": np.arange(45, dtype=np.int8) % 2, "ok": np.arange(45) % 3 == 0}),
     True),
    (pd.DataFrame({"code": [None] * 30 + ["x"] * 15, "n": np.arange(45)}), False),  # no text
    (pd.DataFrame({"code": ["a"] * 30 + [1] * 15, "n": np.arange(45)}), False),  # mixed
    (pd.DataFrame({"when": pd.date_range("2020-01-01", periods=45), "n": np.arange(45)}), False),
])
def test_large_parquet_files_are_what_to_parquet_writes(tmp_path, monkeypatch, frame, fast):
    import pyarrow.parquet as pq

    from khooshe.io.tables import _parquet_write

    monkeypatch.setattr(_parquet_write, "_ROW_GROUP", 10)  # several row groups from a small frame
    try:
        frame.to_parquet(tmp_path / "want.parquet", index=False)
    except Exception as exc:  # pandas refuses it: so must write_table
        with pytest.raises(type(exc)):
            write_table(frame, tmp_path / "got.parquet")
        return
    write_table(frame, tmp_path / "got.parquet")
    want, got = pq.ParquetFile(tmp_path / "want.parquet"), pq.ParquetFile(tmp_path / "got.parquet")
    assert got.schema_arrow.equals(want.schema_arrow, check_metadata=True)
    assert got.metadata.num_row_groups == (5 if fast else 1)  # to_parquet: one per _ROW_GROUP
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "got.parquet"), frame)
