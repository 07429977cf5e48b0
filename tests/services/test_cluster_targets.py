"""Clusters' indicators against their targets: the figure reached (joint actions counted from
activities by Jalali year), the share of the way from baseline to target, red/amber/green."""

from __future__ import annotations

import numpy as np
import pytest

from _support import import_texts
from khooshe.domain.programme import rag
from khooshe.services.cluster_targets import indicator_progress


def _load(ws, tmp_path, files):
    import_texts(ws, tmp_path, files)


def test_progress_and_status_of_each_target(workspace, tmp_path):
    _load(workspace, tmp_path, {
        "regions": "code,level,name_fa\n06,province,خوزستان\n",
        "clusters": "code,name_fa,province_code,isic,stage\nCL1,خوشه,06,1071,joint_actions\n",
        "cluster_indicators": "cluster_code,period,jobs,exports_usd,members\n"
                              "CL1,1402,100,1000,10\nCL1,1403,190,1500,11\n",
        # 1403 runs 2024-03-20 … 2025-03-20: two joint actions in it, one in 1402
        "cluster_activities": "cluster_code,activity_id,kind,date\n"
                              "CL1,A1,joint_purchase,2024-01-05\n"
                              "CL1,A2,joint_marketing,2024-05-01\n"
                              "CL1,A3,export_consortium,1403/12/01\n"
                              "CL1,A4,training,2024-06-01\n",
        "cluster_targets": "cluster_code,indicator,period,baseline,target,source\n"
                           "CL1,jobs,1403,100,200,plan\n"        # 90%: green
                           "CL1,exports_usd,1403,1000,2000,plan\n"  # 50%: red
                           "CL1,members,1403,10,12,plan\n"        # 50%: red
                           "CL1,joint_actions,1403,0,3,plan\n"    # 2 of 3: amber
                           "CL1,jobs,1404,,300,plan\n",           # no figure yet
    })
    got = indicator_progress(workspace).set_index(["indicator", "period"])
    assert got.loc[("jobs", "1403"), "status"] == "green"
    assert got.loc[("jobs", "1403"), "progress"] == pytest.approx(0.9)
    assert got.loc[("exports_usd", "1403"), "status"] == "red"
    assert got.loc[("joint_actions", "1403"), "actual"] == 2
    assert got.loc[("joint_actions", "1403"), "status"] == "amber"
    assert got.loc[("jobs", "1404"), "status"] == "no_data"
    assert np.isnan(got.loc[("jobs", "1404"), "actual"])


def test_rag_thresholds():
    assert rag([0.9, 0.8999, 0.6, 0.5999, -1, 3, np.nan]).tolist() == [
        "green", "amber", "amber", "red", "red", "green", "no_data"]


def test_the_demo_s_targets_have_every_status(demo_dir):
    from khooshe.store.workspace import Workspace

    ws = Workspace.open(demo_dir)
    try:
        got = indicator_progress(ws)
    finally:
        ws.close()
    assert {"green", "amber", "red"} <= set(got["status"])
    assert got["actual"].notna().all()  # every demo target has its figure
