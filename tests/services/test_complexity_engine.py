"""Complexity by period on the Dask engine (a two-process ``LocalCluster``): the table, the
Parquet file, the warnings and the errors of the local engine."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from khooshe.services.complexity import complexity_from_file, write_complexity_from_file
from khooshe.services.engine import Engine

TOL = dict(check_exact=False, rtol=1e-12, atol=1e-12)
COLUMNS = dict(location="exporter", product="hs6", value="v", time="year")


def _panel(tmp_path, years: int = 5, name: str = "panel.csv", **changes):
    rng = np.random.default_rng(7)
    rows = [(str(2000 + t), f"c{c:02d}", f"{p:06d}", round(float(rng.lognormal()), 3))
            for t in range(years) for c in range(10) for p in range(0, 300, 7)
            if rng.random() < 0.6]
    data = pd.DataFrame(rows, columns=["year", "exporter", "hs6", "v"])
    if changes:
        data["v"] = data["v"].astype(object)
    for row, value in changes.items():
        data.loc[int(row[1:]), "v"] = value
    path = tmp_path / name
    data.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("options", [{}, {"continuous": True, "knn": 5}])
def test_complexity_over_several_years_is_the_same_on_dask(tmp_path, dask_engine, options):
    src = _panel(tmp_path)
    local = complexity_from_file(src, **COLUMNS, engine=Engine(), **options)
    remote = complexity_from_file(src, **COLUMNS, engine=dask_engine, **options)
    assert local.table["year"].nunique() == 5
    pd.testing.assert_frame_equal(remote.table, local.table, **TOL)
    assert (remote.periods, remote.locations, remote.products) == \
        (local.periods, local.locations, local.products)
    # and the local engine is what the file mode always computed
    pd.testing.assert_frame_equal(
        complexity_from_file(src, **COLUMNS, **options).table, local.table, check_exact=True)


def test_without_a_time_column_the_table_is_one_period(tmp_path, dask_engine):
    src = _panel(tmp_path, years=1)
    columns = {k: v for k, v in COLUMNS.items() if k != "time"}
    local = complexity_from_file(src, **columns)
    remote = complexity_from_file(src, **columns, engine=dask_engine)
    pd.testing.assert_frame_equal(remote.table, local.table, **TOL)


def test_the_parquet_file_is_the_same_on_dask(tmp_path, dask_engine):
    src = _panel(tmp_path)
    local = write_complexity_from_file(src, tmp_path / "local.parquet", **COLUMNS)
    remote = write_complexity_from_file(src, tmp_path / "dask.parquet", **COLUMNS,
                                        engine=dask_engine)
    assert remote == local and local.periods == 5
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask.parquet"),
                                  pd.read_parquet(tmp_path / "local.parquet"), **TOL)


def test_bad_values_are_the_same_error_and_write_nothing(tmp_path, dask_engine):
    src = _panel(tmp_path, r3="lots", r700="-")
    with pytest.raises(ValueError) as here:
        complexity_from_file(src, **COLUMNS)
    with pytest.raises(ValueError) as there:
        write_complexity_from_file(src, tmp_path / "out.parquet", **COLUMNS,
                                   engine=dask_engine)
    assert str(there.value) == str(here.value) and "2 value(s) are not numbers" in str(
        here.value)
    assert not (tmp_path / "out.parquet").exists()


@pytest.mark.filterwarnings("ignore::khooshe.analysis.complexity.ComplexityWarning")
def test_a_failing_later_period_is_the_same_error(tmp_path, dask_engine):
    src = _panel(tmp_path, r5=-1.0)  # a negative value in the first year
    data = pd.read_csv(src, dtype=str)
    data.loc[data["year"] == "2003", "v"] = "0"  # and a year without trade
    data.to_csv(src, index=False)
    with pytest.raises(ValueError) as here:
        complexity_from_file(src, **COLUMNS, negative="zero")
    with pytest.raises(ValueError) as there:
        complexity_from_file(src, **COLUMNS, negative="zero", engine=dask_engine)
    assert str(there.value) == str(here.value) and "2003" in str(here.value)


def test_warnings_are_the_same(tmp_path, dask_engine):
    src = _panel(tmp_path, r2=np.nan, r400=np.nan)

    def said(**engine):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            complexity_from_file(src, **COLUMNS, **engine)
        return [(w.category, str(w.message)) for w in caught]

    local = said()
    assert any("missing value" in m for _, m in local)
    assert said(engine=dask_engine) == local
