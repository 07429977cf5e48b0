"""Members and partners by kind, the triple-helix check and membership by Jalali year."""

from __future__ import annotations

from _support import import_texts
from khooshe.services.cluster_members import member_growth, membership


def test_kinds_triple_helix_and_growth(workspace, tmp_path):
    files = {
        "regions": "code,level,name_fa\n06,province,خوزستان\n",
        "establishments": "id,isic,region_code,status\nE1,1071,06,operating\n",
        "clusters": "code,name_fa,province_code,isic,stage\n"
                    "CL1,خوشه یک,06,1071,diagnostic\nCL2,خوشه دو,06,1071,identified\n",
        "cluster_members": "cluster_code,member_id,name,kind,role,establishment_id,joined\n"
                           "CL1,M1,نان,firm,member,E1,1401/02/01\n"
                           "CL1,M2,کارگاه,firm,member,,1403/05/01\n"
                           "CL1,M3,صمت,government,partner,,\n"
                           "CL1,M4,دانشگاه,university,partner,,1401/01/10\n"
                           "CL2,M1,صمت,government,partner,,1403/01/10\n",
    }
    import_texts(workspace, tmp_path, files)
    got = membership(workspace).set_index("cluster_code")
    assert (got.loc["CL1", "firm"], got.loc["CL1", "total"]) == (2, 4)
    assert got.loc["CL1", "triple_helix"] and not got.loc["CL2", "triple_helix"]
    assert got.loc["CL1", "registered_firms"] == 1
    growth = member_growth(workspace, "CL1")
    assert growth.to_dict("list") == {"year": [1401, 1402, 1403], "joined": [3, 0, 1],
                                      "members": [3, 3, 4]}  # M3 has no date: counted first
    assert member_growth(workspace, "NONE").empty
