"""Kinds of millions of records (a BACI year of trade flows) are exported, backed up and
restored a batch at a time: the same files and the same records as reading them whole, on
SQLite and PostgreSQL, without the whole kind ever being read at once."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from khooshe.io.tables import TableFormatError, TableParts, write_table
from khooshe.io.tables import _parts as parts_module
from khooshe.services import backup as backup_module
from khooshe.services import data
from khooshe.services.backup import backup, restore
from khooshe.store import repository
from khooshe.store.repository import read_kind, read_kind_chunks


@pytest.fixture
def flows(workspace, tmp_path):
    """A workspace of about 2,500 trade flows, some quantities missing."""
    rng = np.random.default_rng(5)
    n = 2500
    frame = pd.DataFrame({
        "year": rng.integers(2019, 2023, n),
        "exporter": rng.choice(["IRN", "IRQ", "TUR", "ARE"], n),
        "importer": rng.choice(["DEU", "CHN", "KWT", "QAT"], n),
        "hs6": [f"{k:06d}" for k in rng.integers(10100, 999999, n)],
        "value_usd": np.round(rng.lognormal(5, 2, n), 3),
        "quantity_t": np.where(rng.random(n) < 0.1, np.nan, np.round(rng.random(n) * 10, 3)),
    }).drop_duplicates(["year", "exporter", "importer", "hs6"])
    path = tmp_path / "flows.csv"
    frame.to_csv(path, index=False)
    data.import_file(workspace, "trade_flows", path, actor="test")
    return workspace


def test_chunks_are_the_kind_as_read_whole(flows):
    whole = read_kind(flows, "trade_flows")
    chunks = list(read_kind_chunks(flows, "trade_flows", rows=700))
    assert [len(c) for c in chunks][:3] == [700, 700, 700] and len(chunks) == 4
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    empty, = read_kind_chunks(flows, "clusters", rows=700)
    pd.testing.assert_frame_equal(empty, read_kind(flows, "clusters"), check_index_type=False)


@pytest.mark.parametrize("suffix", ["csv", "parquet", "xlsx"])
def test_an_export_is_the_file_of_the_kind_read_whole(flows, tmp_path, monkeypatch, suffix):
    whole = read_kind(flows, "trade_flows")
    expected = write_table(whole, tmp_path / f"whole.{suffix}", sheet_name="trade_flows")
    monkeypatch.setattr(repository, "CHUNK_ROWS", 600)
    monkeypatch.setattr(repository, "read_kind", _never)
    got = tmp_path / f"streamed.{suffix}"
    assert data.export_kind(flows, "trade_flows", got) == len(whole)
    if suffix == "csv":
        assert got.read_bytes() == expected.read_bytes()
    elif suffix == "parquet":
        assert pq.ParquetFile(got).metadata.num_row_groups == 5
        pd.testing.assert_frame_equal(pd.read_parquet(got), pd.read_parquet(expected))
    else:
        pd.testing.assert_frame_equal(pd.read_excel(got), pd.read_excel(expected))


def _never(*args, **kwargs):
    raise AssertionError("the whole kind was read")


def test_an_empty_kind_exports_its_header(workspace, tmp_path):
    assert data.export_kind(workspace, "clusters", tmp_path / "c.csv") == 0
    header = (tmp_path / "c.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(header) == 1 and header[0].startswith("code,name_fa,")
    assert data.export_kind(workspace, "clusters", tmp_path / "c.parquet") == 0
    assert pd.read_parquet(tmp_path / "c.parquet").empty


def test_xlsx_is_refused_past_a_sheet_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(parts_module, "SHEET_ROWS", 10)
    out = tmp_path / "big.xlsx"
    with pytest.raises(TableFormatError, match="more than 9 rows, more than an XLSX sheet"):
        with TableParts(out) as parts:
            for _ in range(3):
                parts.write(pd.DataFrame({"a": range(4)}))
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_no_file(tmp_path):
    out = tmp_path / "half.csv"
    with pytest.raises(RuntimeError), TableParts(out) as parts:
        parts.write(pd.DataFrame({"a": [1, 2]}))
        raise RuntimeError("the database went away")
    assert list(tmp_path.iterdir()) == []


def test_backup_and_restore_a_chunk_at_a_time(flows, tmp_path, monkeypatch):
    monkeypatch.setattr(backup_module, "CHUNK_ROWS", 500)
    report = backup(flows, tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        archive.extract("trade_flows.parquet", tmp_path)
    written = pq.ParquetFile(tmp_path / "trade_flows.parquet")
    assert written.metadata.num_row_groups == 5  # written 500 rows at a time
    assert report.counts["trade_flows"] == written.metadata.num_rows
    restored = restore(tmp_path / "b.zip", tmp_path / "restored", actor="test")
    try:
        for kind in ("trade_flows", "regions", "clusters"):
            pd.testing.assert_frame_equal(read_kind(restored, kind), read_kind(flows, kind),
                                          obj=kind)
    finally:
        restored.close()
