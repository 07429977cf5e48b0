"""Money, half-finished units and park projects on a copy of the demo: commitments within the
allocation, disbursements within the commitment, the balance; a unit marked operating with its
jobs; park projects behind their plan flagged."""

from __future__ import annotations

import datetime as dt

import pytest

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.services.access import Access, Forbidden
from khooshe.services.fund_commitments import commit_funds, disburse, fund_balance
from khooshe.services.park_projects import project_delays
from khooshe.services.unit_progress import report_unit, unit_tracking
from khooshe.store import repository

COMMIT = {"commitment_id": "X1", "programme": "cluster_dev", "year": 1403,
          "region_code": "06", "recipient_kind": "cluster", "recipient": "CL06-01",
          "committed_rials": 10**10, "jobs_expected": 30}


@pytest.fixture
def ws(demo_copy):
    return demo_copy


def _row(ws, programme="cluster_dev", year=1403):
    return fund_balance(ws, "06").set_index(["programme", "year"]).loc[(programme, year)]


def test_allocate_commit_and_disburse_to_a_cluster(ws):
    before = _row(ws)
    commit_funds(ws, COMMIT, actor="khuzestan")
    disburse(ws, "X1", 4 * 10**9, actor="khuzestan", on=dt.date(2025, 5, 1), jobs_realised=12)
    after = _row(ws)
    assert after["committed"] - before["committed"] == 10**10
    assert after["disbursed"] - before["disbursed"] == 4 * 10**9
    assert after["remaining"] == after["allocated"] - after["committed"]
    assert after["jobs_realised"] - before["jobs_realised"] == 12
    with pytest.raises(InputError, match="exceeds what is left of the commitment"):
        disburse(ws, "X1", 7 * 10**9, actor="khuzestan")
    assert _row(ws)["disbursed"] == after["disbursed"]


@pytest.mark.parametrize("change, words", [
    ({"committed_rials": 10**15}, "exceeds what the province has left"),
    ({"recipient": "CL01-01"}, "not a cluster, unit or park project of province 06"),
    ({"recipient_kind": "unit", "recipient": "NOPE"}, "not a cluster, unit"),
    ({"year": 1399}, "has no allocation"),
])
def test_refused_commitments_write_nothing(ws, change, words):
    before = ws.counts()["fund_commitments"]
    with pytest.raises(InputError, match=words):
        commit_funds(ws, {**COMMIT, **change}, actor="x")
    assert ws.counts()["fund_commitments"] == before


def test_a_county_governor_cannot_commit_funds(ws):
    with pytest.raises(Forbidden):
        commit_funds(ws, COMMIT, actor="g", who=Principal("g", "county_governor",
                                                          province="06", county="0601"),
                     access=Access(ws))


def test_a_half_finished_unit_completed_and_operating(ws):
    tracked = unit_tracking(ws, "06")
    assert len(tracked) == 6 and set(tracked["status"]) <= {"completing", "stalled"}
    unit = tracked["establishment_id"].iloc[0]
    with pytest.raises(InputError, match="needs its jobs realised"):
        report_unit(ws, unit, "operating", actor="k")
    report_unit(ws, unit, "operating", actor="k", jobs_realised=41, on=dt.date(2025, 6, 1))
    row = unit_tracking(ws, "06").set_index("establishment_id").loc[unit]
    assert (row["status"], row["jobs_realised"], row["progress"]) == ("operating", 41, 100)
    with ws.engine.connect() as conn:
        est = repository.get(conn, "establishments", {"id": unit})
    assert (est["status"], est["employees"]) == ("operating", 41)
    with pytest.raises(InputError, match="not a half-finished unit"):
        report_unit(ws, "E0000001", "funded", actor="k")
    with pytest.raises(NotFoundError):
        report_unit(ws, "NOPE", "funded", actor="k")


def test_park_projects_behind_their_plan_are_flagged(ws):
    delays = project_delays(ws, "06")
    assert len(delays) == 2 and delays["behind"].is_monotonic_decreasing
    assert (delays["delayed"] == (delays["behind"] >= 10)).all()
    late = project_delays(ws, "06", as_of=dt.date(2027, 1, 1))
    assert late["overdue"].all() and (late["expected_progress"] == 100).all()
