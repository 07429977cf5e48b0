"""Editing one record checks what an import checks, the stored region links included."""

from __future__ import annotations

import pytest

from khooshe.domain.access import Principal
from khooshe.domain.validate import ValidationError
from khooshe.services import data
from khooshe.services.access import Access
from khooshe.services.records import get_record, update_record


def test_a_region_cannot_be_put_under_its_own_county(workspace, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("code,level,name_fa,parent_code\n06,province,خوزستان,\n"
                    "0601,county,اهواز,06\n", encoding="utf-8")
    data.import_file(workspace, "regions", path, actor="t")
    admin = Principal("admin", "national_admin")
    access = Access(workspace)
    with pytest.raises(ValidationError):
        update_record(workspace, access, admin, "regions", "06", {"parent_code": "0601"}, None)
    assert get_record(workspace, access, admin, "regions", "06")["parent_code"] is None
