"""A cluster's stages move by approval: one at a time, with evidence warnings, a history and an
audit trail; never by editing the cluster's stage field."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from _support import import_texts
from khooshe.domain.access import Principal
from khooshe.domain.errors import NotFoundError
from khooshe.domain.programme import STAGE_EVIDENCE, TransitionError, check_stage_step
from khooshe.domain.vocab import CLUSTER_STAGES
from khooshe.services.access import Access, Forbidden
from khooshe.services.cluster_stages import (
    advance_stage,
    evidence_gaps,
    stage_timeline,
)
from khooshe.services.records import create_record, update_record
from khooshe.store import repository


def _registry(ws, tmp_path, *, stage="feasibility", documents=("feasibility_study",)):
    """Khuzestan with one county and one cluster at ``stage`` holding ``documents``."""
    files = {
        "regions": "code,level,name_fa,parent_code\n06,province,خوزستان,\n"
                   "0601,county,اهواز,06\n",
        "clusters": "code,name_fa,province_code,isic,regions,stage,start_date\n"
                    f"CL06-09,خوشهٔ آزمایشی,06,1071,0601,{stage},2023-04-01\n",
        "cluster_documents": "cluster_code,document_id,kind,title,dated\n" + "".join(
            f"CL06-09,D{i},{kind},سند {i},2023-05-0{i}\n"
            for i, kind in enumerate(documents, start=1)),
    }
    import_texts(ws, tmp_path, files)


def _stage(ws) -> str:
    with ws.engine.connect() as conn:
        return str(repository.get(conn, "clusters", {"code": "CL06-09"})["stage"])


def test_every_stage_says_what_evidences_it():
    assert list(STAGE_EVIDENCE) == list(CLUSTER_STAGES)
    assert CLUSTER_STAGES.index("cda_contracted") == CLUSTER_STAGES.index("tender") + 1
    assert STAGE_EVIDENCE["cda_contracted"] == ("cda_contract", "supervisor_contract")


def test_advance_writes_history_stage_and_audit_and_warns_of_missing_evidence(workspace,
                                                                             tmp_path):
    _registry(workspace, tmp_path)
    step = advance_stage(workspace, "CL06-09", "tender", actor="cli:ali",
                         approved_on=dt.date(2024, 1, 10), decision="1402/77")
    assert (step.previous, step.stage, step.correction) == ("feasibility", "tender", False)
    assert step.missing == ["tender_documents"]  # no tender documents registered
    assert _stage(workspace) == "tender"
    with workspace.engine.connect() as conn:
        approval = repository.get(conn, "cluster_stages",
                                  {"cluster_code": "CL06-09", "stage": "tender"})
        log = repository.history(conn)
    assert str(approval["approved_on"]) == "2024-01-10"
    assert (approval["approved_by"], approval["decision"]) == ("cli:ali", "1402/77")
    mine = log[log["actor"] == "cli:ali"]
    assert set(zip(mine["action"], mine["kind"], strict=True)) == {("insert", "cluster_stages"),
                                                     ("update", "clusters")}
    timeline = stage_timeline(workspace, "CL06-09").set_index("stage")
    assert timeline.loc["tender", "current"] and timeline.loc["feasibility", "reached"]
    assert not timeline.loc["cda_contracted", "reached"]
    assert timeline.loc["tender", "missing"] == ["tender_documents"]
    assert timeline.loc["feasibility", "missing"] == []  # its study is registered


@pytest.mark.parametrize("target", ["cda_contracted", "diagnostic", "self_managed", "nowhere"])
def test_a_step_the_rules_refuse_writes_nothing(workspace, tmp_path, target):
    _registry(workspace, tmp_path)
    before = workspace.counts()
    with pytest.raises(TransitionError):
        advance_stage(workspace, "CL06-09", target, actor="t")
    assert workspace.counts() == before and _stage(workspace) == "feasibility"


def test_going_back_is_a_correction_with_a_note(workspace, tmp_path):
    _registry(workspace, tmp_path)
    advance_stage(workspace, "CL06-09", "tender", actor="t")
    with pytest.raises(TransitionError) as refused:
        advance_stage(workspace, "CL06-09", "feasibility", actor="t")
    assert "correction" in str(refused.value) and "اصلاح" in refused.value.text("fa")
    step = advance_stage(workspace, "CL06-09", "feasibility", actor="t",
                         note="the tender was annulled")
    assert step.correction and _stage(workspace) == "feasibility"
    with workspace.engine.connect() as conn:  # the approval left is gone, its trace kept
        assert repository.get(conn, "cluster_stages",
                              {"cluster_code": "CL06-09", "stage": "tender"}) is None
        log = repository.history(conn, "cluster_stages")
    assert "delete" in set(log["action"])


def test_the_last_stage_has_no_next():
    with pytest.raises(TransitionError, match="no further stage"):
        check_stage_step("self_managed", "self_managed")


def test_an_unknown_cluster_is_named(workspace, tmp_path):
    _registry(workspace, tmp_path)
    with pytest.raises(NotFoundError) as missing:
        advance_stage(workspace, "CL99-99", "tender", actor="t")
    assert "CL99-99" in str(missing.value) and "CL99-99" in missing.value.text("fa")


def test_the_stage_moves_by_approval_only(workspace, tmp_path):
    _registry(workspace, tmp_path)
    access = Access(workspace)
    boss = Principal("boss", "province_manager", province="06")
    with pytest.raises(TransitionError, match="approval only"):
        update_record(workspace, access, boss, "clusters", "CL06-09", {"stage": "tender"},
                      None)
    with pytest.raises(Forbidden):  # the policy: the stage history grows by approvals only
        create_record(workspace, access, boss, "cluster_stages",
                      {"cluster_code": "CL06-09", "stage": "tender"})
    # other fields of the cluster stay editable
    update_record(workspace, access, boss, "clusters", "CL06-09", {"name_en": "Test"}, None)
    assert _stage(workspace) == "feasibility"


def test_approval_needs_the_approve_right_in_the_cluster_s_province(workspace, tmp_path):
    _registry(workspace, tmp_path)
    access = Access(workspace)
    for who in (Principal("g", "county_governor", county="0601"),
                Principal("a", "cluster_agent", clusters=frozenset({"CL06-09"}),
                          provinces=frozenset({"06"})),
                Principal("other", "province_manager", province="01"),
                Principal("v", "viewer")):
        with pytest.raises(Forbidden):
            advance_stage(workspace, "CL06-09", "tender", actor=who.username, who=who,
                          access=access)
    assert _stage(workspace) == "feasibility"
    boss = Principal("boss", "province_manager", province="06")
    advance_stage(workspace, "CL06-09", "tender", actor="boss", who=boss, access=access)
    assert _stage(workspace) == "tender"


def test_evidence_gaps_of_the_demo(demo_dir):
    from khooshe.store.workspace import Workspace

    ws = Workspace.open(demo_dir)
    try:
        gaps = evidence_gaps(ws)
        clusters = repository.read_kind(ws, "clusters")
        stages = repository.read_kind(ws, "cluster_stages")
        documents = repository.read_kind(ws, "cluster_documents")
    finally:
        ws.close()
    # every cluster's history runs from 'identified' to its current stage, dated in order
    for code, rows in stages.groupby("cluster_code"):
        current = clusters.set_index("code").loc[code, "stage"]
        assert list(rows["stage"]) == list(CLUSTER_STAGES[:CLUSTER_STAGES.index(current) + 1]) \
            or sorted(rows["stage"], key=CLUSTER_STAGES.index) == list(
                CLUSTER_STAGES[:CLUSTER_STAGES.index(current) + 1])
        days = rows.set_index("stage").loc[list(CLUSTER_STAGES[:CLUSTER_STAGES.index(current)
                                                               + 1]), "approved_on"]
        assert days.is_monotonic_increasing
    assert set(stages["cluster_code"]) == set(clusters["code"])
    # the gaps are exactly the expected evidence the documents lack
    have = documents.groupby("cluster_code")["kind"].agg(set)
    expected = {(c, s, k) for c, cur in zip(clusters["code"], clusters["stage"], strict=True)
                for s in CLUSTER_STAGES[:CLUSTER_STAGES.index(cur) + 1]
                for k in STAGE_EVIDENCE[s] if k not in have.get(c, set())}
    assert set(gaps.itertuples(index=False, name=None)) == expected
    assert 0 < len(gaps) < len(documents)  # some evidence missing, most registered
    assert pd.api.types.is_object_dtype(gaps["missing"])


def test_migration_0006_makes_today_s_stage_the_first_entry_of_each_history(workspace,
                                                                             tmp_path):
    from alembic import command

    from khooshe.store.workspace import Workspace

    _registry(workspace, tmp_path, stage="trust_building", documents=())
    root = workspace.root
    cfg = workspace._alembic()
    with workspace.engine.begin() as conn:  # a workspace of the khooshe before the history
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    workspace.close()
    ws = Workspace.open(root, check=False)
    try:
        assert ws.migrate()[0] == "0005"
        stages = repository.read_kind(ws, "cluster_stages")
        assert list(zip(stages["cluster_code"], stages["stage"], stages["approved_on"].astype(str),
                        strict=True)) == [("CL06-09", "trust_building", "2023-04-01")]
        assert stage_timeline(ws, "CL06-09").set_index("stage").loc["trust_building",
                                                                    "current"]
    finally:
        ws.close()
