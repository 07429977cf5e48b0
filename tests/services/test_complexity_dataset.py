"""Complexity of Parquet files read one period at a time (BACI's years: a folder, a glob, a
file too large to read whole): the table, warnings and errors of the table read whole, on the
local engine and on Dask (a two-process ``LocalCluster``)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from khooshe.domain.errors import InputError
from khooshe.io.tables import LimitError, TableFormatError, open_period_dataset
from khooshe.services import complexity as service
from khooshe.services.complexity import complexity_from_file, write_complexity_from_file

# BACI's flows are summed (one row per importer) and said so: the tests that mean it record it
pytestmark = pytest.mark.filterwarnings("ignore::khooshe.analysis.complexity.ComplexityWarning")

TOL = dict(check_exact=False, rtol=1e-12, atol=1e-12)
BACI = dict(location="i", product="k", value="v", time="t")
YEARS = (2019, 2020, 2021)


def _year(year: int, rows: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Flows of one year as BACI's Parquet holds them: integer codes, many rows per (i, k)
    (one per importer j), a value missing here and there."""
    rng = np.random.default_rng(seed + year)
    data = pd.DataFrame({"t": np.full(rows, year, dtype=np.int16),
                         "i": rng.integers(4, 60, rows).astype(np.int16),
                         "j": rng.integers(4, 60, rows).astype(np.int16),
                         "k": rng.integers(10100, 10400, rows).astype(np.int32),
                         "v": np.round(rng.lognormal(2.0, 1.5, rows), 3)})
    data.loc[rng.choice(rows, 3, replace=False), "v"] = np.nan
    return data


@pytest.fixture
def baci(tmp_path):
    """A folder of three yearly files, and the same flows in one file."""
    folder = tmp_path / "baci"
    folder.mkdir()
    years = [_year(y) for y in YEARS]
    for y, data in zip(YEARS, years, strict=True):
        data.to_parquet(folder / f"BACI_HS92_Y{y}_V202401.parquet", index=False)
    whole = tmp_path / "whole.parquet"
    pd.concat(years, ignore_index=True).to_parquet(whole, index=False)
    return folder, whole


def _run(path, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = complexity_from_file(path, **{**BACI, **kwargs})
    return out, [str(w.message) for w in caught]


def test_a_folder_of_years_gives_the_table_of_the_whole_file(baci):
    folder, whole = baci
    read_whole, said_whole = _run(whole)
    by_period, said = _run(folder)
    pd.testing.assert_frame_equal(by_period.table, read_whole.table, **TOL)
    assert (by_period.periods, by_period.locations, by_period.products) == \
        (read_whole.periods, read_whole.locations, read_whole.products) == (3, 56, 300)
    # BACI's flows to every importer are summed, and said so as the whole table says it
    assert said == said_whole
    assert any("2020: " in s and "duplicated (i, k) key(s) summed" in s for s in said)
    assert sum("missing value(s) in 'v' treated as 0" in s for s in said) == 3


def test_a_glob_and_a_large_file_are_read_by_period_too(baci, monkeypatch):
    folder, whole = baci
    expected, _ = _run(whole)
    globbed, _ = _run(str(folder / "BACI_*_Y20*.parquet"))
    pd.testing.assert_frame_equal(globbed.table, expected.table, **TOL)
    monkeypatch.setattr(service, "PERIOD_ROWS", 1000)
    opened = []
    real = service.open_period_dataset
    monkeypatch.setattr(service, "open_period_dataset",
                        lambda *a, **k: opened.append(a) or real(*a, **k))
    large, _ = _run(whole)
    assert opened  # the file of 12,000 rows went by period
    pd.testing.assert_frame_equal(large.table, expected.table, **TOL)
    one, _ = _run(whole, time=None)  # and without a time column, as one period
    assert len(opened) == 2
    pd.testing.assert_frame_equal(one.table, _run(folder, time=None)[0].table, **TOL)


def test_the_periods_are_summed_in_a_fixed_order(baci):
    folder, _ = baci
    dataset = open_period_dataset(folder, **BACI)
    assert dataset.periods == YEARS and dataset.period_labels == ("2019", "2020", "2021")
    assert dataset.period_rows == (4000, 4000, 4000)
    first, again = dataset.read(2020), dataset.read(2020)
    pd.testing.assert_frame_equal(first.data, again.data, check_exact=True)
    frame = _year(2020)
    sums = frame.fillna({"v": 0}).groupby(["i", "k"])["v"].sum()
    got = first.data.set_index(["i", "k"])["v"]
    assert len(got) == len(sums) and first.rows == 4000 and first.missing == 3
    assert first.duplicated == int((frame.groupby(["i", "k"]).size() > 1).sum())
    np.testing.assert_allclose(got.loc[[(str(i), str(k)) for i, k in sums.index]].to_numpy(),
                               sums.to_numpy(), rtol=1e-12)


def test_without_a_time_column_the_files_are_one_period(baci):
    folder, whole = baci
    columns = {"time": None}
    pd.testing.assert_frame_equal(_run(folder, **columns)[0].table,
                                  _run(whole, **columns)[0].table, **TOL)


def test_rpop_with_a_population_table(baci, tmp_path):
    folder, whole = baci
    pop = tmp_path / "pop.csv"
    pd.DataFrame({"i": [str(c) for c in range(4, 60)],
                  "population": np.linspace(1e6, 9e7, 56)}).to_csv(pop, index=False)
    options = dict(presence="both", population=pop)
    pd.testing.assert_frame_equal(_run(folder, **options)[0].table,
                                  _run(whole, **options)[0].table, **TOL)


def test_the_parquet_output_is_written_period_by_period(baci, tmp_path):
    folder, whole = baci
    written = write_complexity_from_file(folder, tmp_path / "out.parquet", **BACI)
    expected = complexity_from_file(whole, **BACI).table
    assert (written.rows, written.periods) == (len(expected), 3)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out.parquet"), expected, **TOL)


def test_years_are_the_same_on_dask(baci, tmp_path, dask_engine):
    folder, _ = baci
    local = complexity_from_file(folder, **BACI)
    remote = complexity_from_file(folder, **BACI, engine=dask_engine)
    pd.testing.assert_frame_equal(remote.table, local.table, **TOL)
    write_complexity_from_file(folder, tmp_path / "local.parquet", **BACI)
    write_complexity_from_file(folder, tmp_path / "dask.parquet", **BACI, engine=dask_engine)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask.parquet"),
                                  pd.read_parquet(tmp_path / "local.parquet"), **TOL)


# --- Refusals: the file and row named, nothing written ---------------------------------------
def _folder_with(tmp_path, change) -> object:
    folder = tmp_path / "bad"
    folder.mkdir()
    for y in YEARS:
        data = _year(y)
        if y == 2020:
            data = change(data)
        data.to_parquet(folder / f"BACI_Y{y}.parquet", index=False)
    return folder


def test_a_row_without_a_code_is_named_by_file_and_row(tmp_path):
    def no_code(data):
        data["k"] = data["k"].astype("Int32")
        data.loc[[41, 99], "k"] = pd.NA
        return data

    folder = _folder_with(tmp_path, no_code)
    with pytest.raises(TableFormatError, match=r"BACI_Y2020\.parquet: 2 row\(s\) have no code "
                                               r"in 't', 'i', 'k', the first at row 43"):
        complexity_from_file(folder, **BACI)


def test_a_value_that_is_not_a_number_is_named(tmp_path):
    def text_values(data):
        data["v"] = data["v"].map(lambda v: "" if np.isnan(v) else f"{v}")
        data.loc[1234, "v"] = "12,5"
        return data

    folder = _folder_with(tmp_path, text_values)
    with pytest.raises(TableFormatError, match=r"BACI_Y2020\.parquet: column 'v': 1 value\(s\) "
                                               r"are not numbers, the first at row 1,236"):
        complexity_from_file(folder, **BACI)


def test_text_numbers_are_read_as_numbers(tmp_path, baci):
    def text_values(data):
        data["v"] = data["v"].map(lambda v: "" if np.isnan(v) else repr(float(v)))
        return data

    folder = _folder_with(tmp_path, text_values)
    pd.testing.assert_frame_equal(complexity_from_file(folder, **BACI).table,
                                  complexity_from_file(baci[0], **BACI).table, **TOL)


@pytest.mark.parametrize("change, message", [
    ({"product": "hs6"}, r"no column 'hs6' \(it has t, i, j, k, v\)"),
    ({"value": "t", "time": "j"}, None),  # any numeric column may be the value
])
def test_columns(baci, change, message):
    folder, _ = baci
    if message is None:
        assert len(complexity_from_file(folder, **{**BACI, **change}).table)
        return
    with pytest.raises(TableFormatError, match=message):
        complexity_from_file(folder, **{**BACI, **change})


def test_a_value_column_without_numbers_is_refused(tmp_path):
    folder = _folder_with(tmp_path, lambda d: d.assign(v=pd.Timestamp("2020-01-01")))
    with pytest.raises(TableFormatError, match=r"column 'v' is of type TIMESTAMP"):
        complexity_from_file(folder, **BACI)


def test_a_period_over_the_row_limit_is_refused(baci, monkeypatch):
    monkeypatch.setenv("KHOOSHE_LIMITS", "period_rows=3999")
    with pytest.raises(LimitError, match=r"number of rows of period 2019 \(4,000\) is over "
                                         r"the limit of 3,999.*period_rows="):
        complexity_from_file(baci[0], **BACI)


def test_no_files_an_empty_table_and_other_files(tmp_path):
    with pytest.raises(InputError, match="no Parquet file here"):
        complexity_from_file(str(tmp_path / "BACI_*.parquet"), **BACI)
    (tmp_path / "empty").mkdir()
    _year(2019).iloc[:0].to_parquet(tmp_path / "empty" / "a.parquet", index=False)
    with pytest.raises(TableFormatError, match="the table has no rows"):
        complexity_from_file(tmp_path / "empty", **BACI)
    (tmp_path / "empty" / "notes.csv").write_text("a\n1\n")
    with pytest.raises(TableFormatError, match=r"notes\.csv: not a Parquet file"):
        complexity_from_file(str(tmp_path / "empty" / "*"), **BACI)
    (tmp_path / "empty" / "b.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(TableFormatError, match="cannot read as Parquet"):
        complexity_from_file(tmp_path / "empty", **BACI)


def test_options_are_checked_before_any_file_is_read(tmp_path):
    with pytest.raises(ValueError, match="presence='rpop' needs population"):
        complexity_from_file(tmp_path / "absent", **BACI, presence="rpop")
