"""``khooshe complexity FILE -o OUT.parquet`` writes one period at a time: the same file as
writing the whole table, and no file when a period fails."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from khooshe.analysis.complexity import complexity, complexity_by_period
from khooshe.io.tables import ParquetParts, TableFormatError, write_table
from khooshe.services.complexity import complexity_from_file, write_complexity_from_file


def _panel(tmp_path, years: int = 3):
    rng = np.random.default_rng(0)
    rows = [(str(2000 + t), f"c{c:02d}", f"{p:06d}", round(float(rng.lognormal()), 3))
            for t in range(years) for c in range(12) for p in range(0, 400, 7)
            if rng.random() < 0.6]
    path = tmp_path / "panel.csv"
    pd.DataFrame(rows, columns=["year", "exporter", "hs6", "v"]).to_csv(path, index=False)
    return path


def test_the_periods_concatenated_are_the_table(tmp_path):
    data = pd.read_csv(_panel(tmp_path), dtype=str)
    whole = complexity(data, location="exporter", product="hs6", value="v", time="year")
    parts = list(complexity_by_period(data, location="exporter", product="hs6", value="v",
                                      time="year"))
    assert len(parts) == 3
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)
    coded = list(complexity_by_period(data, location="exporter", product="hs6", value="v",
                                      time="year", categorical_codes=True))
    plain = pd.concat([p.astype({"year": object, "exporter": object, "hs6": object})
                       for p in coded], ignore_index=True)
    pd.testing.assert_frame_equal(plain, whole)


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_the_file_is_the_one_the_whole_table_gives(tmp_path, suffix):
    src = _panel(tmp_path)
    run = complexity_from_file(src, location="exporter", product="hs6", value="v", time="year")
    write_table(run.table, tmp_path / f"want.{suffix}")
    got = write_complexity_from_file(src, tmp_path / f"got.{suffix}", location="exporter",
                                     product="hs6", value="v", time="year")
    assert (got.rows, got.periods, got.locations, got.products) == \
        (len(run.table), run.periods, run.locations, run.products)
    if suffix == "parquet":
        want, have = pq.ParquetFile(tmp_path / "want.parquet"), pq.ParquetFile(
            tmp_path / "got.parquet")
        assert have.schema_arrow.equals(want.schema_arrow, check_metadata=True)
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "got.parquet"),
                                      pd.read_parquet(tmp_path / "want.parquet"))
    else:
        assert (tmp_path / "got.csv").read_bytes() == (tmp_path / "want.csv").read_bytes()


def test_a_failing_period_leaves_no_file(tmp_path):
    src = _panel(tmp_path)
    text = src.read_text().splitlines()
    text.append("2002,c00,000007,-5")  # a negative value in the last period
    src.write_text("\n".join(text) + "\n")
    out = tmp_path / "out.parquet"
    with pytest.raises(ValueError, match="negative"):
        write_complexity_from_file(src, out, location="exporter", product="hs6", value="v",
                                   time="year")
    assert not out.exists() and not list(tmp_path.glob(".out.parquet.*"))


def test_parquet_parts_refuse_what_they_cannot_write(tmp_path):
    with pytest.raises(TableFormatError, match="nothing to write"), \
            ParquetParts(tmp_path / "empty.parquet"):
        pass
    assert not (tmp_path / "empty.parquet").exists()
    with pytest.raises(TableFormatError, match=".parquet"):
        ParquetParts(tmp_path / "x.csv").__enter__()
