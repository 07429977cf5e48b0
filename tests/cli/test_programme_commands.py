"""``khooshe cluster advance`` and ``khooshe cluster timeline``: in fa and en, bad input named
in one line with exit 2 and nothing written."""

from __future__ import annotations

import pytest

from _support import import_texts
from khooshe.store import repository
from khooshe.store.workspace import Workspace


@pytest.fixture
def ws_path(tmp_path):
    root = tmp_path / "ws"
    ws = Workspace.create(root)
    files = {
        "regions": "code,level,name_fa,parent_code\n06,province,خوزستان,\n0601,county,اهواز,06\n",
        "clusters": "code,name_fa,province_code,isic,regions,stage,start_date\n"
                    "CL06-09,خوشهٔ آزمایشی,06,1071,0601,tender,2023-04-01\n",
        "cluster_documents": "cluster_code,document_id,kind,title,dated\n"
                             "CL06-09,D1,cda_contract,قرارداد,2024-02-01\n",
    }
    import_texts(ws, tmp_path, files)
    ws.close()
    return root


def _stage(root) -> str:
    ws = Workspace.open(root)
    try:
        return str(repository.read_kind(ws, "clusters")["stage"].iloc[0])
    finally:
        ws.close()


def test_advance_in_persian_by_the_stage_s_persian_name_and_a_jalali_date(invoke, ws_path):
    result = invoke("--lang", "fa", "cluster", "advance", ws_path, "CL06-09",
                    "عقد قرارداد عامل توسعه", "--on", "۱۴۰۲/۱۱/۲۰", "--decision", "1402/88")
    assert result.exit_code == 0, result.output
    assert "«مناقصه و واگذاری» ← «عقد قرارداد عامل توسعه»" in result.output
    assert "۱۴۰۲/۱۱/۲۰" in result.output
    # the technical supervisor's contract is missing: a warning in Persian
    assert "قرارداد ناظر فنی" in result.output and "هشدار" in result.output
    assert _stage(ws_path) == "cda_contracted"
    timeline = invoke("--lang", "en", "cluster", "timeline", ws_path, "CL06-09")
    assert timeline.exit_code == 0, timeline.output
    assert "▶ development agent contracted — approved 1402/11/20" in timeline.output
    assert "decision 1402/88" in timeline.output
    assert "lacks: technical supervisor's contract" in timeline.output


@pytest.mark.parametrize("args, message", [
    (["CL06-09", "self_managed"], "moves to development agent contracted next"),
    (["CL06-09", "feasibility"], "say why in a note"),
    (["CL06-09", "space_station"], "'space_station' is not a stage"),
    (["CL99-99", "cda_contracted"], "there is no cluster 'CL99-99'"),
    (["CL06-09", "cda_contracted", "--on", "1402/13/40"], "is not a date"),
])
def test_refusals_are_one_line_exit_2_and_change_nothing(invoke, ws_path, args, message):
    result = invoke("--lang", "en", "cluster", "advance", ws_path, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert _stage(ws_path) == "tender"


def test_proposals_decide_and_progress_in_both_languages(invoke, demo_dir, tmp_path):
    import shutil

    root = tmp_path / "demo"
    shutil.copytree(demo_dir, root)
    ws = Workspace.open(root)
    props = repository.read_kind(ws, "village_proposals").sort_values("village_code")
    ws.close()
    first, second = props[props["county_code"] == "0601"]["village_code"].iloc[:2]
    ok = invoke("--lang", "fa", "proposals", "decide", root, first, "تأییدشده")
    assert ok.exit_code == 0 and f"روستای {first}: تأییدشده" in ok.output
    refused = invoke("--lang", "en", "proposals", "decide", root, second, "rejected")
    assert refused.exit_code == 2 and "with a reason" in refused.output
    assert "Traceback" not in refused.output
    bad = invoke("--lang", "en", "proposals", "decide", root, second, "maybe")
    assert bad.exit_code == 2 and "'maybe' is not a status" in bad.output
    progress = invoke("--lang", "fa", "proposals", "progress", root, "--province", "06")
    assert progress.exit_code == 0
    assert "(0601): ۰ از ۱۰ آماده؛ ۱ تأییدشده، ۹ در انتظار تصمیم" in progress.output
    again = invoke("--lang", "en", "proposals", "propose", root, "--province", "06")
    assert again.exit_code == 0 and "Proposed 0 villages" in again.output


def test_committee_meeting_decisions_board_and_report(invoke, demo_dir, tmp_path):
    import shutil

    root = tmp_path / "demo"
    shutil.copytree(demo_dir, root)
    made = invoke("--lang", "fa", "committee", "meeting", root, "SC24-1405-01", "--province",
                  "24", "--on", "۱۴۰۵/۰۸/۰۱", "--clusters", "CL24-01", "--attendees",
                  "سازمان صمت؛ شرکت شهرک‌ها")
    assert made.exit_code == 0 and "جلسهٔ SC24-1405-01 ثبت شد" in made.output
    for text_, due in (("دورهٔ آموزش رنگرزی", "1405/08/20"), ("معرفی به بانک", "1405/12/20")):
        added = invoke("--lang", "en", "committee", "decide", root, "SC24-1405-01", "--text",
                       text_, "--responsible", "فنی و حرفه‌ای", "--due", due)
        assert added.exit_code == 0, added.output
    board = invoke("--lang", "en", "committee", "board", root, "--province", "24",
                   "--as-of", "1405/09/13")
    assert board.exit_code == 0
    assert "SC24-1405-01 no. 1: دورهٔ آموزش رنگرزی" in board.output
    assert "23 days overdue" in board.output
    done = invoke("--lang", "fa", "committee", "follow-up", root, "SC24-1405-01", "1",
                  "--status", "انجام‌شده")
    assert done.exit_code == 0 and "انجام‌شده" in done.output
    bad = invoke("--lang", "en", "committee", "follow-up", root, "SC24-1405-01", "9",
                 "--status", "done")
    assert bad.exit_code == 2 and "has no decision 9" in bad.output
    out = tmp_path / "report"
    report = invoke("--lang", "fa", "committee", "report", root, "SC24-1405-01", "--out", out)
    assert report.exit_code == 0, report.output
    assert (out / "meeting-SC24-1405-01.pdf").stat().st_size > 10_000
    html = (out / "meeting-SC24-1405-01.html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in html and "دورهٔ آموزش رنگرزی" in html


def test_members_and_targets_of_a_demo_cluster(invoke, demo_dir):
    members = invoke("--lang", "fa", "cluster", "members", demo_dir, "CL06-02")
    assert members.exit_code == 0 and "مارپیچ سه‌گانه: دارد" in members.output
    targets = invoke("--lang", "en", "cluster", "targets", demo_dir, "CL06-02")
    assert targets.exit_code == 0
    assert "1403 jobs:" in targets.output and "(baseline" in targets.output
    none = invoke("--lang", "en", "cluster", "targets", demo_dir, "CL06-04")
    assert none.exit_code == 0 and "has no targets" in none.output


def test_activities_of_a_demo_cluster(invoke, demo_dir):
    result = invoke("--lang", "en", "cluster", "activities", demo_dir, "CL06-02")
    assert result.exit_code == 0, result.output
    assert "Activities of cluster CL06-02" in result.output
    assert "member firms took part in a training" in result.output
    assert "foreign partner" in result.output


def test_an_activity_and_a_period_recorded_from_the_command_line(invoke, demo_dir, tmp_path):
    import shutil

    root = tmp_path / "demo"
    shutil.copytree(demo_dir, root)
    added = invoke("--lang", "en", "cluster", "add-activity", root, "CL06-01",
                   "--kind", "نمایشگاه", "--date", "۱۴۰۴/۰۷/۰۱", "--country", "IRQ",
                   "--cost", "5,000,000", "--member", "M-E0007340:2", "--member", "U-01")
    assert added.exit_code == 0, added.output
    assert "activity A006 recorded (exhibition, 1404/07/01) with 2 member(s)" in added.output
    # a kind with a cost but no members' share is listed (the share shown as 0 %)
    shown = invoke("--lang", "en", "cluster", "activities", root, "CL06-01")
    assert shown.exit_code == 0, shown.output
    assert "exhibition: 1, 0.0 bn toman (0% co-financed" in shown.output
    recorded = invoke("--lang", "fa", "cluster", "record-period", root, "CL06-01", "1404",
                      "--figure", "jobs=۲۱۰", "--target", "jobs=250", "--baseline", "jobs=157",
                      "--baseline-period", "jobs=1403", "--source", "برنامهٔ عمل")
    assert recorded.exit_code == 0, recorded.output
    assert "دورهٔ ۱۴۰۴: ۲ رکورد افزوده" in recorded.output
    targets = invoke("--lang", "en", "cluster", "targets", root, "CL06-01")
    assert "1404 jobs: 210 of a target of 250 (baseline 157)" in targets.output


def test_every_problem_of_a_recording_is_named_under_its_option(invoke, demo_dir, tmp_path):
    import shutil

    root = tmp_path / "demo"
    shutil.copytree(demo_dir, root)
    with Workspace.open(root) as ws:
        before = repository.counts(ws.engine)
    bad = invoke("--lang", "fa", "cluster", "add-activity", root, "CL06-01",
                 "--kind", "foreign_tour", "--date", "1404/13/01", "--cost", "100",
                 "--share", "200", "--member", "M-E0007340:0", "--member", "ZZ")
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    for line in ("--date: تاریخ نیست: «۱۴۰۴/۱۳/۰۱»: ماه ۱۳", "--country: برای تور خارجی",
                 "--share: سهم اعضا", "--member M-E0007340: باید دست‌کم ۱ باشد",
                 "--member ZZ: عضو این خوشه نیست"):
        assert line in bad.output, bad.output
    period = invoke("--lang", "en", "cluster", "record-period", root, "CL06-01", "1404",
                    "--figure", "jobs=-1", "--target", "members=x", "--baseline",
                    "exports_usd=5")
    assert period.exit_code == 2
    for line in ("--figure jobs: must be ≥ 0", "--target members: not a number",
                 "--target exports_usd: a value is required"):
        assert line in period.output, period.output
    shape = invoke("--lang", "en", "cluster", "record-period", root, "CL06-01", "1404",
                   "--figure", "jobs")
    assert shape.exit_code == 2 and "write NAME=VALUE, not 'jobs'" in shape.output
    empty = invoke("--lang", "en", "cluster", "record-period", root, "CL06-01", "1404")
    assert empty.exit_code == 2 and "give at least one --figure" in empty.output
    with Workspace.open(root) as ws:
        assert repository.counts(ws.engine) == before  # nothing written
