"""A cluster's period recorded in one change (the web page's form and the API's PUT): the
figures reached and the targets, all or nothing, every problem named by field, a change since
the form was opened refused, and the access policy deciding who writes what."""

from __future__ import annotations

import pytest

from _support import import_texts
from khooshe.domain.access import Principal
from khooshe.domain.errors import NotFoundError
from khooshe.domain.validate import ValidationError
from khooshe.services.access import Access, Forbidden
from khooshe.services.cluster_targets import (
    FIGURES,
    PeriodConflict,
    indicator_progress,
    period_records,
    record_period,
)
from khooshe.store import repository


def _registry(ws, tmp_path):
    import_texts(ws, tmp_path, {
        "regions": "code,level,name_fa\n06,province,خوزستان\n",
        "clusters": "code,name_fa,province_code,isic,stage\nCL06-09,خوشه,06,2511,diagnostic\n",
        "cluster_indicators": "cluster_code,period,jobs,members\nCL06-09,1403,150,12\n",
        "cluster_targets": "cluster_code,indicator,period,baseline,baseline_period,target,source\n"
                           "CL06-09,jobs,1404,150,1403,250,plan\n",
    })


def _trail(ws):
    with ws.engine.connect() as conn:
        return repository.history(conn)


def _versions(ws, period="1404"):
    return {part: record["version"] for part, record in period_records(ws, "CL06-09",
                                                                        period).items()}


def test_a_period_is_recorded_as_typed_and_audited(workspace, tmp_path):
    _registry(workspace, tmp_path)
    done = record_period(
        workspace, "CL06-09", "۱۴۰۴",
        figures={"jobs": "۲۰۰", "sales_rials": "۳٬۱۰۰٬۰۰۰٬۰۰۰", "exports_usd": "۱۲۵۰٫۵"},
        targets={"members": {"baseline": "12", "baseline_period": "۱۴۰۳", "target": "20"},
                 "jobs": {"target": "260"}},
        source="برنامهٔ عمل", actor="agent")
    assert done == {"created": 2, "changed": 1, "removed": 0}
    stored = period_records(workspace, "CL06-09", "1404")
    assert stored[FIGURES]["jobs"] == 200 and stored[FIGURES]["sales_rials"] == 3_100_000_000
    assert stored[FIGURES]["exports_usd"] == pytest.approx(1250.5)
    assert stored[FIGURES]["members"] is None  # not given: nothing stored for it
    assert stored["members"]["baseline_period"] == "1403"
    # a part not given keeps its value; the source goes on every target set
    assert (stored["jobs"]["baseline"], stored["jobs"]["target"]) == (150, 260)
    assert {stored["jobs"]["source"], stored["members"]["source"]} == {"برنامهٔ عمل"}
    progress = indicator_progress(workspace, ["CL06-09"]).set_index(["indicator", "period"])
    assert progress.loc[("jobs", "1404"), "progress"] == pytest.approx(50 / 110)
    trail = _trail(workspace)
    mine = trail[trail["actor"] == "agent"]
    assert set(zip(mine["action"], mine["kind"], strict=True)) == {
        ("insert", "cluster_indicators"), ("insert", "cluster_targets"),
        ("update", "cluster_targets")}


def test_saving_the_same_values_writes_nothing(workspace, tmp_path):
    _registry(workspace, tmp_path)
    before = _versions(workspace)
    done = record_period(workspace, "CL06-09", "1404",
                         targets={"jobs": {"baseline": "150", "baseline_period": "1403",
                                           "target": "۲۵۰"}}, actor="agent")
    assert done == {"created": 0, "changed": 0, "removed": 0}
    assert _versions(workspace) == before


def test_every_problem_is_named_by_field_and_nothing_is_written(workspace, tmp_path):
    _registry(workspace, tmp_path)
    before = period_records(workspace, "CL06-09", "1404")
    with pytest.raises(ValidationError) as refused:
        record_period(workspace, "CL06-09", "1404",
                      figures={"jobs": "-5", "members": "دوازده", "exports_t": "12"},
                      targets={"members": {"baseline": "10"},       # no target
                               "jobs": {"target": "1,5"},           # a decimal comma
                               "exports_usd": {"target": "900", "baseline_period": "94"}},
                      actor="agent")
    problems = {i.column: i.text("en") for i in refused.value.issues}
    assert set(problems) == {"jobs", "members", "members.target", "jobs.target",
                             "exports_usd.baseline_period"}
    assert "≥ 0" in problems["jobs"] and "required" in problems["members.target"]
    assert period_records(workspace, "CL06-09", "1404") == before


def test_a_bad_period_or_unknown_cluster_is_refused(workspace, tmp_path):
    _registry(workspace, tmp_path)
    with pytest.raises(ValidationError) as bad:
        record_period(workspace, "CL06-09", "1404-Q5", figures={"jobs": "1"}, actor="a")
    assert [i.column for i in bad.value.issues] == ["period"]
    with pytest.raises(NotFoundError) as missing:
        record_period(workspace, "CL06-99", "1404", figures={"jobs": "1"}, actor="a")
    assert "CL06-99" in missing.value.text("fa")
    with pytest.raises(ValueError, match="sales_usd"):
        record_period(workspace, "CL06-09", "1404", figures={"sales_usd": "1"}, actor="a")


def test_blank_values_clear_and_an_emptied_record_goes(workspace, tmp_path):
    _registry(workspace, tmp_path)
    done = record_period(workspace, "CL06-09", "1403", figures={"jobs": "", "members": " "},
                         actor="agent")
    assert done == {"created": 0, "changed": 0, "removed": 1}
    assert FIGURES not in period_records(workspace, "CL06-09", "1403")
    done = record_period(workspace, "CL06-09", "1404",
                         targets={"jobs": {"baseline": "", "baseline_period": "",
                                           "target": ""}}, actor="boss")
    assert done == {"created": 0, "changed": 0, "removed": 1}
    assert period_records(workspace, "CL06-09", "1404") == {}
    trail = _trail(workspace)
    assert (trail["action"] == "delete").sum() == 2  # both kept in the audit trail


def test_a_change_since_the_form_was_opened_is_refused(workspace, tmp_path):
    _registry(workspace, tmp_path)
    seen = {FIGURES: None, "jobs": 1, "members": None}
    record_period(workspace, "CL06-09", "1404", targets={"jobs": {"target": "300"}},
                  actor="other")  # someone else, meanwhile
    record_period(workspace, "CL06-09", "1404", figures={"jobs": "170"}, actor="other")
    before = period_records(workspace, "CL06-09", "1404")
    with pytest.raises(PeriodConflict) as late:
        record_period(workspace, "CL06-09", "1404", figures={"jobs": "180"},
                      targets={"members": {"target": "20"}}, seen=seen, actor="agent")
    assert late.value.changed == [FIGURES, "jobs"]
    assert late.value.http_status == 409
    assert "1404" in str(late.value) and "۱۴۰۴" in late.value.text("fa")
    assert "the target of jobs" in str(late.value)
    assert period_records(workspace, "CL06-09", "1404") == before
    # with the versions as they are now, the same save goes through
    record_period(workspace, "CL06-09", "1404", figures={"jobs": "180"},
                  seen={FIGURES: before[FIGURES]["version"],
                        "jobs": before["jobs"]["version"], "members": None},
                  actor="agent")
    assert period_records(workspace, "CL06-09", "1404")[FIGURES]["jobs"] == 180


def test_the_agent_reports_figures_and_the_province_sets_targets(workspace, tmp_path):
    _registry(workspace, tmp_path)
    access = Access(workspace)
    agent = Principal("agent", "cluster_agent", clusters=frozenset({"CL06-09"}),
                      provinces=frozenset({"06"}))
    record_period(workspace, "CL06-09", "1404", figures={"jobs": "190"}, actor="agent",
                  who=agent, access=access)
    before = period_records(workspace, "CL06-09", "1404")
    with pytest.raises(Forbidden):  # the figures and the target together: neither is written
        record_period(workspace, "CL06-09", "1404", figures={"jobs": "200"},
                      targets={"jobs": {"target": "400"}}, actor="agent", who=agent,
                      access=access)
    assert period_records(workspace, "CL06-09", "1404") == before
    boss = Principal("boss", "province_manager", province="06")
    record_period(workspace, "CL06-09", "1404", targets={"jobs": {"target": "400"}},
                  actor="boss", who=boss, access=access)
    for outsider in (Principal("other", "province_manager", province="01"),
                     Principal("a2", "cluster_agent", clusters=frozenset({"CL01-01"}),
                               provinces=frozenset({"01"})),
                     Principal("v", "viewer")):
        with pytest.raises(Forbidden):
            record_period(workspace, "CL06-09", "1404", figures={"jobs": "1"},
                          actor=outsider.username, who=outsider, access=access)
    assert period_records(workspace, "CL06-09", "1404")["jobs"]["target"] == 400


def test_a_period_ends_on_its_last_jalali_day():
    import datetime as dt

    from khooshe.services.cluster_targets import period_end

    assert period_end("1403") == dt.date(2025, 3, 20)      # 1403/12/30, a leap Esfand
    assert period_end("1402") == dt.date(2024, 3, 19)      # 1402/12/29
    assert period_end("1403-Q1") == dt.date(2024, 6, 20)   # 1403/03/31
    assert period_end("1403-Q3") == dt.date(2024, 12, 20)  # 1403/09/30
    assert period_end("1403-Q4") == period_end("1403")


def test_figures_due_are_ended_periods_with_targets_and_no_figures(workspace, tmp_path):
    import datetime as dt

    from khooshe.services.cluster_targets import figures_due

    _registry(workspace, tmp_path)  # CL06-09: figures of 1403; a target for 1404
    import_texts(workspace, tmp_path, {
        "cluster_targets": "cluster_code,indicator,period,target\n"
                           "CL06-09,jobs,1403,160\nCL06-09,members,1402-Q2,14\n"
                           "CL06-09,jobs,1402-Q2,150\n"})
    # on 1404/06/01 (2025-08-23): 1402-Q2 has ended unreported, 1403 is reported, 1404 runs
    due = figures_due(workspace, ["CL06-09"], today=dt.date(2025, 8, 23))
    assert list(zip(due["period"], due["targets"], strict=True)) == [("1402-Q2", 2)]
    assert due["ended"].iloc[0] == dt.date(2023, 9, 22)
    later = figures_due(workspace, ["CL06-09"], today=dt.date(2026, 4, 1))
    assert list(later["period"]) == ["1402-Q2", "1404"]  # the longest awaited first
    assert figures_due(workspace, ["CL06-99"], today=dt.date(2026, 4, 1)).empty
