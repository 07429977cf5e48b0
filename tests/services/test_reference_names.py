"""Codes a record points at are shown with their names: «تقی‌سرا · 0601», the province of a
cluster linked by name, in the reader's language and only where the reader may look."""

from __future__ import annotations

from khooshe.domain.access import Principal
from khooshe.services import data
from khooshe.services.access import Access
from khooshe.services.records import reference_names, references


def _regions(workspace, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("code,level,name_fa,name_en,parent_code\n06,province,خوزستان,Khuzestan,\n"
                    "0601,county,اهواز,Ahvaz,06\n0602,county,آبادان,,06\n"
                    "01,province,گیلان,Gilan,\n0101,county,رشت,Rasht,01\n", encoding="utf-8")
    data.import_file(workspace, "regions", path, actor="t")


def test_references_are_the_columns_pointing_at_named_records():
    assert references("establishments", ["id", "name", "region_code", "park_code", "isic"]) == {
        "region_code": ("regions", "code"), "park_code": ("parks", "code")}
    # an establishment's one name is on the page beside its id: not looked up
    assert "establishment_id" not in references("cluster_members",
                                                 ["cluster_code", "establishment_id"])


def test_names_in_the_readers_language_for_the_codes_asked(workspace, tmp_path):
    _regions(workspace, tmp_path)
    admin, access = Principal("admin", "national_admin"), Access(workspace)
    rows = [{"code": "0601", "parent_code": "06"}, {"code": "0101", "parent_code": "01"},
            {"code": "06", "parent_code": None}]
    assert reference_names(workspace, access, admin, "regions", ["parent_code"], rows,
                           "fa") == {"parent_code": {"06": "خوزستان", "01": "گیلان"}}
    assert reference_names(workspace, access, admin, "regions", ["parent_code"], rows,
                           "en") == {"parent_code": {"06": "Khuzestan", "01": "Gilan"}}
    # no English name: the Persian one rather than none
    named = reference_names(workspace, access, admin, "village_proposals", ["county_code"],
                            [{"county_code": "0602"}], "en")
    assert named == {"county_code": {"0602": "آبادان"}}


def test_only_what_the_reader_may_read_is_named(workspace, tmp_path):
    _regions(workspace, tmp_path)
    boss = Principal("boss", "province_manager", province="06")
    rows = [{"county_code": "0601"}, {"county_code": "0101"}]
    named = reference_names(workspace, Access(workspace), boss, "village_proposals",
                            ["county_code"], rows, "fa")
    assert named == {"county_code": {"0601": "اهواز"}}
