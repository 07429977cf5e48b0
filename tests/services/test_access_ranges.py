"""Region codes of a place as ranges of existing codes (issue 13): a list's filter is a few
``BETWEEN`` instead of thousands of bound parameters, and matches exactly the same records."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select

from khooshe.services.access import code_ranges, codes_condition


def test_runs_of_wanted_codes_become_ranges_and_singles():
    codes = ["01", "0101", "0102", "02", "0201", "0202", "0203", "03"]
    ranges, singles = code_ranges(codes, {"0101", "0102", "0201", "0202", "03"})
    assert ranges == [("0101", "0102"), ("0201", "0202")]
    assert singles == ["03"]


def test_nothing_wanted_and_everything_wanted():
    codes = ["a", "b", "c"]
    assert code_ranges(codes, set()) == ([], [])
    assert code_ranges(codes, {"a", "b", "c"}) == ([("a", "c")], [])


def test_a_wanted_code_that_does_not_exist_is_not_covered():
    # only existing codes make ranges: "0150" lies between two wanted codes but is no region
    ranges, singles = code_ranges(["0101", "0199"], {"0101", "0150", "0199"})
    assert ranges == [("0101", "0199")] and singles == []
    ranges, singles = code_ranges(["0101", "0120", "0199"], {"0101", "0199"})
    assert ranges == [] and singles == ["0101", "0199"]


@pytest.mark.parametrize("seed", range(5))
def test_the_condition_matches_exactly_the_wanted_codes_in_sql(seed):
    rng = random.Random(seed)
    codes = sorted({"".join(rng.choice("0123456789") for _ in range(rng.choice((2, 4, 6))))
                    for _ in range(400)})
    wanted = {c for c in codes if c.startswith(rng.choice(codes)[:1]) and rng.random() < .9}
    ranges, singles = code_ranges(codes, wanted)
    assert len(ranges) + len(singles) < len(wanted) or len(wanted) < 3
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("code", String))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), [{"code": c} for c in codes])
        found = {r[0] for r in conn.execute(select(table.c.code).where(
            codes_condition(table.c.code, ranges, singles)))}
    assert found == wanted


def test_no_codes_match_nothing():
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("code", String))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), [{"code": "01"}])
        assert conn.execute(select(table.c.code).where(codes_condition(table.c.code, [], [])
                                                       )).all() == []


def test_the_places_check_does_not_hold_up_other_requests(workspace, monkeypatch):
    """Every few seconds one request checks the cached places against the workspace; the
    others go on with the cache meanwhile instead of waiting for the check."""
    import threading
    import time

    from khooshe.services import access as access_module
    from khooshe.services.access import Access

    access = Access(workspace)
    first = access.places()
    started, release = threading.Event(), threading.Event()
    real = access._generation

    def slow_generation():
        started.set()
        release.wait(10)
        return real()

    monkeypatch.setattr(access, "_generation", slow_generation)
    monkeypatch.setattr(access_module, "CHECK_SECONDS", 0.0)
    checker = threading.Thread(target=access.places)
    checker.start()
    assert started.wait(10)
    t0 = time.perf_counter()
    assert access.places() is first  # answered from the cache while the check runs
    assert time.perf_counter() - t0 < 1.0
    release.set()
    checker.join(10)
    assert not checker.is_alive()


def test_list_totals_are_reused_briefly_and_forgotten_on_a_change(workspace, monkeypatch):
    from khooshe.services import access as access_module
    from khooshe.services.access import Access

    access = Access(workspace)
    calls = []

    def count():
        calls.append(1)
        return 7

    assert access.total(("clusters", "x"), count) == 7
    assert access.total(("clusters", "x"), count) == 7
    assert len(calls) == 1
    access.refresh()  # a change through the app
    assert access.total(("clusters", "x"), count) == 7
    assert len(calls) == 2
    monkeypatch.setattr(access_module, "TOTAL_SECONDS", -1.0)  # older than the window
    access.total(("clusters", "x"), count)
    assert len(calls) == 3
