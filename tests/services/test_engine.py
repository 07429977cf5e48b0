"""The engine runs a function over partitions, here or on Dask, with the same results, the
same errors and the same warnings (a two-process ``LocalCluster``: ``dask_scheduler``)."""

from __future__ import annotations

import operator
import socket
import time
import warnings

import numpy as np
import pandas as pd
import pytest

from khooshe.analysis.complexity import ComplexityWarning
from khooshe.domain.errors import InputError
from khooshe.services.complexity import period_complexity
from khooshe.services.engine import Engine


def _periods(n: int = 3) -> list[pd.DataFrame]:
    rng = np.random.default_rng(1)
    rows = [(2000 + t, f"c{c}", f"p{p:02d}", float(rng.lognormal()))
            for t in range(n) for c in range(6) for p in range(15) if rng.random() < 0.7]
    data = pd.DataFrame(rows, columns=["t", "c", "p", "v"])
    return [part for _, part in data.groupby("t")]


def _options(**changed):
    return dict(location="c", product="p", value="v", time="t", population=None,
                population_column="population", categorical_codes=False, options={}) | changed


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_the_local_engine_is_a_loop_in_partition_order():
    assert list(Engine().map(operator.neg, [3, 1, 2])) == [-3, -1, -2]
    assert list(Engine().map(operator.neg, [])) == []
    assert not Engine().distributed and Engine("dask").distributed


def test_the_dask_engine_gives_the_results_in_partition_order(dask_engine):
    parts = list(range(12))
    assert list(dask_engine.map(operator.neg, parts)) == [-p for p in parts]
    assert list(dask_engine.map(operator.neg, [])) == []


def test_shared_tables_reach_every_call_and_results_are_equal(dask_engine):
    parts = _periods()
    # a population table of many places (a table: sent to each worker once)
    places = [f"c{c}" for c in range(6)] + [f"x{k}" for k in range(20_000)]
    population = pd.DataFrame({"c": places, "population": np.arange(len(places)) + 1.0})
    shared = _options(population=population, options={"presence": "both"})
    local = list(Engine().map(period_complexity, parts, **shared))
    remote = list(dask_engine.map(period_complexity, parts, **shared))
    assert len(remote) == 3 and "rpop" in remote[0]
    for a, b in zip(local, remote, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)


def test_a_worker_error_is_the_error_the_loop_raises(dask_engine):
    parts = _periods()
    parts[1] = parts[1][parts[1]["c"] == "c0"]  # one location: not a world
    with pytest.raises(ValueError) as here:
        list(Engine().map(period_complexity, parts, **_options()))
    with pytest.raises(ValueError) as there:
        list(dask_engine.map(period_complexity, parts, **_options()))
    assert type(there.value) is type(here.value)
    assert str(there.value) == str(here.value) and "2001" in str(here.value)


def test_an_input_error_keeps_its_class_and_both_languages(dask_engine):
    # a khooshe function raising InputError in the worker: Engine() itself is one
    with pytest.raises(InputError) as there:
        list(dask_engine.map(Engine, ["spark"]))
    assert there.value.text("fa").startswith("موتور 'spark'")
    assert str(there.value) == str(_local_error("spark"))


def _local_error(kind: str) -> InputError:
    try:
        Engine(kind)
    except InputError as exc:
        return exc
    raise AssertionError("no error")


def test_worker_warnings_are_given_again_in_order(dask_engine):
    parts = _periods()
    parts = [pd.concat([p, p.head(1)]) for p in parts]  # a duplicated key in each period
    with warnings.catch_warnings(record=True) as here:
        warnings.simplefilter("always")
        list(Engine().map(period_complexity, parts, **_options()))
    with warnings.catch_warnings(record=True) as there:
        warnings.simplefilter("always")
        list(dask_engine.map(period_complexity, parts, **_options()))
    said = [(w.category, str(w.message)) for w in there]
    assert said == [(w.category, str(w.message)) for w in here]
    assert [c for c, _ in said].count(ComplexityWarning) >= 3
    assert "period 2000" in said[0][1]


def test_an_unreachable_scheduler_is_one_clear_error():
    address = f"tcp://127.0.0.1:{_closed_port()}"
    engine = Engine("dask", scheduler=address, timeout=0.5)
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        list(engine.map(operator.neg, [1]))
    assert time.perf_counter() - start < 10
    assert str(caught.value).startswith(f"cannot reach the Dask scheduler at {address}")
    assert caught.value.exit_code == 2
    with pytest.raises(InputError, match="is not a Dask scheduler address"):
        list(Engine("dask", scheduler="no-port-here").map(operator.neg, [1]))


def test_options_are_checked():
    with pytest.raises(InputError, match="unknown"):
        Engine("spark")
    with pytest.raises(InputError, match="dask engine only"):
        Engine("local", scheduler="tcp://h:8786")
    with pytest.raises(InputError, match="at least 1"):
        Engine("dask", workers=0)
