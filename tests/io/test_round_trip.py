"""Export → import into a fresh workspace → export again gives identical files, for every kind
(issue 17): CSV and Parquet on the whole demo, on SQLite and PostgreSQL; XLSX on a cut of
3,000 rows per kind by default, on the whole demo under ``-m slow``."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from khooshe.domain.schema import LOAD_ORDER
from khooshe.io.tables import read_table, write_table
from khooshe.services import data
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

CUT = 3_000


def _same_records(a: Workspace, b: Workspace, kind: str) -> None:
    left, right = read_kind(a, kind), read_kind(b, kind)
    key = list(left.columns[:1])
    pd.testing.assert_frame_equal(left.sort_values(key, ignore_index=True),
                                  right.sort_values(key, ignore_index=True), obj=kind,
                                  check_dtype=False)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_kind_round_trips_exactly(demo_dir, db_url, tmp_path, fmt):
    demo = Workspace.open(demo_dir)
    fresh = Workspace.create(tmp_path / "fresh", db=db_url)
    try:
        for kind in LOAD_ORDER:
            first = tmp_path / f"{kind}.{fmt}"
            n = data.export_kind(demo, kind, first)
            data.import_file(fresh, kind, first, actor="test")
            again = tmp_path / f"{kind}-again.{fmt}"
            assert data.export_kind(fresh, kind, again) == n
            if fmt == "csv":
                assert again.read_bytes() == first.read_bytes(), kind
            else:
                pd.testing.assert_frame_equal(pd.read_parquet(again), pd.read_parquet(first),
                                              obj=kind)
            _same_records(demo, fresh, kind)
    finally:
        demo.close()
        fresh.close()


def _xlsx_round_trip(demo_dir, tmp_path, cut: int | None) -> None:
    """Each kind (its first ``cut`` records) written as XLSX by the exports' writer, imported
    into a copy of the demo, and written again: the same cells, and the copy's records
    unchanged."""
    copy = tmp_path / "copy"
    shutil.copytree(demo_dir, copy)
    demo, ws = Workspace.open(demo_dir), Workspace.open(copy)
    try:
        for kind in LOAD_ORDER:
            frame = read_kind(demo, kind)
            frame = frame.head(cut) if cut else frame
            first = write_table(frame, tmp_path / f"{kind}.xlsx", sheet_name=kind)
            data.import_file(ws, kind, first, actor="test")
            again = read_kind(ws, kind)
            again = again.head(cut) if cut else again
            second = write_table(again, tmp_path / f"{kind}-again.xlsx", sheet_name=kind)
            pd.testing.assert_frame_equal(read_table(second), read_table(first), obj=kind)
            _same_records(demo, ws, kind)
    finally:
        demo.close()
        ws.close()


def test_every_kind_round_trips_through_xlsx(demo_dir, tmp_path):
    _xlsx_round_trip(demo_dir, tmp_path, CUT)


@pytest.mark.slow
def test_the_whole_demo_round_trips_through_xlsx(demo_dir, tmp_path):
    _xlsx_round_trip(demo_dir, tmp_path, None)
