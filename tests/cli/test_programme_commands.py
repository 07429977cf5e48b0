"""``khooshe cluster advance`` and ``khooshe cluster timeline``: in fa and en, bad input named
in one line with exit 2 and nothing written."""

from __future__ import annotations

import pytest

from khooshe.services import data
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
    for kind, body in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(body, encoding="utf-8")
        data.import_file(ws, kind, path, actor="test")
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
