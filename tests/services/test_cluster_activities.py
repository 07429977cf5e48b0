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
