"""Activities by kind with hours, trainees, co-finance and the member firms they reached;
training reach; checks of foreign partners."""

from __future__ import annotations

from _support import import_texts
from khooshe.services.cluster_activities import (
    activity_summary,
    training_reach,
    verifications,
)


def test_activities_in_detail(workspace, tmp_path):
    files = {
        "regions": "code,level,name_fa\n06,province,خوزستان\n",
        "countries": "iso3,numeric,name_en,name_fa\nIRQ,368,Iraq,عراق\n",
        "clusters": "code,name_fa,province_code,isic,stage\nCL1,خوشه,06,1071,joint_actions\n",
        "cluster_members": "cluster_code,member_id,name,kind,role\n"
                           "CL1,M1,یک,firm,member\nCL1,M2,دو,firm,member\n"
                           "CL1,M3,سه,firm,member\nCL1,G1,صمت,government,partner\n",
        "cluster_activities": "cluster_code,activity_id,kind,date,participants,cost_rials,"
                              "hours,trainees,cofinance_rials,country\n"
                              "CL1,A1,training,1403/01/20,20,1000000,16,20,250000,\n"
                              "CL1,A2,training,1403/03/20,10,1000000,8,10,250000,\n"
                              "CL1,A3,foreign_tour,1403/05/01,6,9000000,,,3000000,IRQ\n",
        "activity_participants": "cluster_code,activity_id,member_id,people\n"
                                 "CL1,A1,M1,2\nCL1,A2,M1,1\nCL1,A2,M2,1\nCL1,A3,M3,2\n",
        "partner_verifications": "cluster_code,verification_id,company,country,verified,"
                                 "outcome,verified_on\n"
                                 "CL1,V1,Al-Rafidain,IRQ,registration,confirmed,1403/05/10\n",
    }
    import_texts(workspace, tmp_path, files)
    got = activity_summary(workspace, ["CL1"]).set_index("kind")
    assert list(got.index) == ["training", "foreign_tour"]
    assert (got.loc["training", "count"], got.loc["training", "hours"],
            got.loc["training", "trainees"]) == (2, 24, 30)
    assert got.loc["training", "members_reached"] == 2  # M1 twice counts once
    assert got.loc["training", "cofinance_share"] == 0.25
    assert got.loc["foreign_tour", "countries"] == "IRQ"
    assert training_reach(workspace, "CL1") == (2, 3)
    assert list(verifications(workspace, ["CL1"])["outcome"]) == ["confirmed"]


# --- Recording an activity with the members that took part -------------------------------------
def _registry(ws, tmp_path):
    import_texts(ws, tmp_path, {
        "regions": "code,level,name_fa\n06,province,خوزستان\n",
        "countries": "iso3,numeric,name_en,name_fa\nIRQ,368,Iraq,عراق\nIRN,364,Iran,ایران\n",
        "clusters": "code,name_fa,province_code,isic,stage\nCL1,خوشه,06,1071,joint_actions\n"
                    "CL2,دیگری,06,1071,diagnostic\n",
        "cluster_members": "cluster_code,member_id,name,kind,role\n"
                           "CL1,M1,یک,firm,member\nCL1,M2,دو,firm,member\n"
                           "CL2,M9,نه,firm,member\n",
        "cluster_activities": "cluster_code,activity_id,kind,date\n"
                              "CL1,A007,training,1403/01/20\nCL1,X-1,other,1403/02/01\n",
    })


def _stored(ws):
    from khooshe.store.repository import read_kind

    return (read_kind(ws, "cluster_activities").sort_values("activity_id"),
            read_kind(ws, "activity_participants"))


def test_an_activity_is_recorded_with_its_participants(workspace, tmp_path):
    from khooshe.services.cluster_activities import record_activity
    from khooshe.store import repository

    _registry(workspace, tmp_path)
    out = record_activity(workspace, "CL1", {
        "kind": "training", "title": "دورهٔ ایمنی", "date": "۱۴۰۴/۰۲/۱۰", "hours": "۱۶",
        "participants": "۱۲", "trainees": "۱۰", "cost_rials": "۵۰٬۰۰۰٬۰۰۰",
        "cofinance_rials": "۱۰٬۰۰۰٬۰۰۰"}, {"M1": "۲", "M2": ""}, actor="agent")
    assert out["activity_id"] == "A008"  # after the largest A-number, other ids aside
    assert str(out["date"])[:10] == "2025-04-30" and out["cost_rials"] == 50_000_000
    _, parts = _stored(workspace)
    mine = parts[parts["activity_id"] == "A008"]
    assert dict(zip(mine["member_id"], mine["people"], strict=True)) == {"M1": 2, "M2": 1}
    with workspace.engine.connect() as conn:
        trail = repository.history(conn)
    assert set(trail.loc[trail["actor"] == "agent", "kind"]) == {
        "cluster_activities", "activity_participants"}
    # the next one follows; an identifier given is kept
    nxt = record_activity(workspace, "CL1", {"kind": "other", "date": "1404/03/01"},
                          actor="agent")
    assert nxt["activity_id"] == "A009"
    own = record_activity(workspace, "CL1", {"kind": "other", "date": "1404/03/01",
                                             "activity_id": "EXPO-1404"}, actor="agent")
    assert own["activity_id"] == "EXPO-1404"


def test_every_problem_of_an_activity_is_named_and_nothing_is_written(workspace, tmp_path):
    import pytest

    from khooshe.domain.validate import ValidationError
    from khooshe.services.cluster_activities import record_activity

    _registry(workspace, tmp_path)
    before = _stored(workspace)
    with pytest.raises(ValidationError) as refused:
        record_activity(workspace, "CL1", {
            "kind": "foreign_tour", "date": "1404/13/01", "cost_rials": "100",
            "cofinance_rials": "200", "participants": "3", "trainees": "5"},
            {"M1": "0", "M9": "", "ZZ": "1"}, actor="agent")
    problems = {i.column: i for i in refused.value.issues}
    # the bad date does not hide what does not hold together, nor the members
    assert set(problems) == {"date", "country", "cofinance_rials", "trainees", "people.M1",
                             "people.M9", "people.ZZ"}
    assert "month 13" in problems["date"].text("en")
    assert "ماه ۱۳" in problems["date"].text("fa")  # the reason in Persian, not English
    assert "کشور مقصد" in problems["country"].text("fa")
    assert "not a member" in problems["people.M9"].text("en")  # another cluster's member
    after = _stored(workspace)
    assert after[0].equals(before[0]) and after[1].equals(before[1])
    with pytest.raises(ValidationError) as home:
        record_activity(workspace, "CL1", {"kind": "domestic_tour", "date": "1404/01/10",
                                           "country": "IRQ"}, actor="agent")
    assert [i.column for i in home.value.issues] == ["country"]
    with pytest.raises(ValidationError) as taken:
        record_activity(workspace, "CL1", {"kind": "other", "date": "1404/01/10",
                                           "activity_id": "A007"}, actor="agent")
    assert [i.column for i in taken.value.issues] == ["activity_id"]


def test_only_those_who_keep_the_cluster_record_its_activities(workspace, tmp_path):
    import pytest

    from khooshe.domain.access import Principal
    from khooshe.services.access import Access, Forbidden
    from khooshe.services.cluster_activities import record_activity

    _registry(workspace, tmp_path)
    access = Access(workspace)
    before = _stored(workspace)
    for who in (Principal("a2", "cluster_agent", clusters=frozenset({"CL2"}),
                          provinces=frozenset({"06"})),
                Principal("g", "county_governor", county="0601"),
                Principal("other", "province_manager", province="01"),
                Principal("v", "viewer")):
        with pytest.raises(Forbidden):
            record_activity(workspace, "CL1", {"kind": "other", "date": "1404/01/10"},
                            {"M1": "1"}, actor=who.username, who=who, access=access)
    after = _stored(workspace)
    assert after[0].equals(before[0]) and after[1].equals(before[1])
    agent = Principal("a1", "cluster_agent", clusters=frozenset({"CL1"}),
                      provinces=frozenset({"06"}))
    done = record_activity(workspace, "CL1", {"kind": "other", "date": "1404/01/10"},
                           {"M1": "1"}, actor="a1", who=agent, access=access)
    assert done["activity_id"] == "A008"


def test_a_kind_without_the_members_share_has_no_share(workspace, tmp_path):
    import math

    _registry(workspace, tmp_path)  # CL1's activities have no cost and no share
    import_texts(workspace, tmp_path, {
        "cluster_activities": "cluster_code,activity_id,kind,date,cost_rials\n"
                              "CL1,E1,exhibition,1404/01/10,5000\n"})
    got = activity_summary(workspace, ["CL1"]).set_index("kind")
    share = got.loc["exhibition", "cofinance_share"]
    assert isinstance(share, float) and math.isnan(share)  # a number, not pandas' NA
