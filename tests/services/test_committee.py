"""The steering committee on the demo: a meeting in Ardabil with two decisions, one of which
becomes overdue; follow-up; the board per organisation; refusals that write nothing; the
meeting's report in Persian (PDF words inside the page) and English."""

from __future__ import annotations

import datetime as dt

import pytest

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.validate import ValidationError
from khooshe.services.access import Access, Forbidden
from khooshe.services.committee import (
    add_decision,
    decisions,
    follow_up,
    follow_up_board,
    hold_meeting,
    support_problems,
)

MEETING = {"meeting_id": "SC24-1405-01", "province_code": "24", "held_on": "1405/08/01",
           "chair": "استاندار", "attendees": "سازمان صمت؛ شرکت شهرک‌ها",
           "clusters": "CL24-01", "agenda": "بررسی خوشهٔ فرش"}
TWO = [{"text": "برگزاری دورهٔ آموزش رنگرزی گیاهی", "responsible": "فنی و حرفه‌ای استان",
        "due_on": "1405/08/20", "cluster_code": "CL24-01"},
       {"text": "معرفی ده واحد به بانک", "responsible": "بانک توسعهٔ صادرات",
        "due_on": "1405/11/30"}]


@pytest.fixture
def ws(demo_copy):
    return demo_copy


def test_a_meeting_with_two_decisions_one_becomes_overdue(ws):
    hold_meeting(ws, MEETING, TWO, actor="ardabil")
    mine = decisions(ws, "24", as_of=dt.date(2026, 11, 1))  # 1405/08/10: none overdue
    mine = mine[mine["meeting_id"] == "SC24-1405-01"].set_index("number")
    assert list(mine.index) == [1, 2] and not mine["overdue"].any()
    assert str(mine.loc[1, "due_on"]) == "2026-11-11"
    later = dt.date(2026, 12, 4)  # 1405/09/13: the first is 23 days late
    mine = decisions(ws, "24", as_of=later).set_index(["meeting_id", "number"])
    assert mine.loc[("SC24-1405-01", 1), "overdue"]
    assert mine.loc[("SC24-1405-01", 1), "days_overdue"] == 23
    assert not mine.loc[("SC24-1405-01", 2), "overdue"]
    board = follow_up_board(ws, "24", later).set_index("responsible")
    assert board.loc["فنی و حرفه‌ای استان", "overdue"] == 1
    assert board.iloc[0]["overdue"] >= board.iloc[-1]["overdue"]  # the overdue first
    follow_up(ws, "SC24-1405-01", 1, "done", actor="ardabil", on=dt.date(2026, 12, 1),
              note="برگزار شد")
    board = follow_up_board(ws, "24", later).set_index("responsible")
    assert (board.loc["فنی و حرفه‌ای استان", "overdue"],
            board.loc["فنی و حرفه‌ای استان", "done"]) == (0, 1)
    third = add_decision(ws, "SC24-1405-01", {"text": "گزارش", "responsible": "صمت"},
                         actor="ardabil")
    assert third["number"] == 3 and third["status"] == "open"


@pytest.mark.parametrize("meeting, decisions_, error", [
    ({**MEETING, "clusters": "CL06-01"}, TWO, InputError),  # a cluster of another province
    (MEETING, [TWO[0], {**TWO[1], "due_on": "1405/13/40"}], ValidationError),
    (MEETING, [{**TWO[0], "cluster_code": "CL01-01"}], InputError),
    ({**MEETING, "held_on": None}, TWO, ValidationError),
])
def test_a_refused_meeting_writes_nothing(ws, meeting, decisions_, error):
    before = ws.counts()
    with pytest.raises(error):
        hold_meeting(ws, meeting, decisions_, actor="x")
    assert ws.counts() == before


def test_follow_up_refusals(ws):
    with pytest.raises(NotFoundError):
        follow_up(ws, "SC24-1405-99", 1, "done", actor="x")
    hold_meeting(ws, MEETING, TWO, actor="x")
    with pytest.raises(InputError, match="not a decision status"):
        follow_up(ws, "SC24-1405-01", 1, "maybe", actor="x")
    with pytest.raises(InputError, match="give a status or a note"):
        follow_up(ws, "SC24-1405-01", 1, actor="x")


@pytest.mark.parametrize("who", [
    Principal("gov", "county_governor", province="24", county="2401"),
    Principal("agent", "cluster_agent", clusters=frozenset({"CL24-01"}),
              provinces=frozenset({"24"})),
    Principal("gilan", "province_manager", province="01"),
    Principal("viewer", "viewer"),
])
def test_only_the_province_records_its_committee(ws, who):
    before = ws.counts()
    with pytest.raises(Forbidden):
        hold_meeting(ws, MEETING, TWO, actor=who.username, who=who, access=Access(ws))
    assert ws.counts() == before
    boss = Principal("boss", "province_manager", province="24")
    hold_meeting(ws, MEETING, TWO, actor="boss", who=boss, access=Access(ws))


def test_the_meeting_report_in_persian_and_english(ws, output_dir):
    import pdfplumber

    from khooshe.reports import pdf as pdf_report
    from khooshe.services.plan import write_plan
    from khooshe.services.plan.meeting import meeting_report

    hold_meeting(ws, MEETING, TWO, actor="x")
    report = meeting_report(ws, "SC24-1405-01")
    keys = [s.key for s in report.sections]
    assert keys == ["meeting", "meeting_clusters", "meeting_decisions", "meeting_due",
                    "meeting_problems", "meeting_board"]
    tables = {t.key: t for t in report.tables}
    assert list(tables["meeting_clusters"].frame["code"]) == ["CL24-01"]
    assert list(tables["meeting_decisions"].frame["number"]) == [1, 2]
    assert "اردبیل" in report.heading("fa") and "SC24-1405-01" in report.heading("en")
    folder = output_dir / "meeting"
    for lang in ("fa", "en"):
        written = write_plan(report, folder / lang, lang=lang, formats=("html", "pdf"),
                             stem="meeting")
        assert not [e for e in written.values() if isinstance(e, Exception)], written
        document = pdf_report.pdf_document(report, lang)
        assert 1 <= len(document.pages) <= 4
        with pdfplumber.open(folder / lang / "meeting.pdf") as pdf:
            text = " ".join(p.extract_text() or "" for p in pdf.pages)
            for page in pdf.pages:
                for w in page.extract_words():
                    assert 30 <= w["x0"] and w["x1"] <= page.width - 30, w["text"]
        assert "SC24-1405-01" in text


# --- Problems organisations report in supporting clusters ---------------------------------
def _problem(ws, **values):
    from khooshe.services import records

    row = {"problem_id": "PR24-90", "province_code": "24",
           "organisation": "بانک توسعهٔ صادرات", "cluster_code": "CL24-01",
           "reported_on": "2026-10-01", "problem": "اعضا وثیقهٔ ملکی ندارند",
           "support_needed": "پذیرش ضمانت‌نامهٔ صندوق", "asked_of": "سازمان صمت",
           "status": "open", **values}
    with ws.engine.begin() as conn:
        from khooshe.store import repository

        repository.insert_record(conn, "support_problems",
                                 records.validate_one(conn, "support_problems", row),
                                 actor="test")


def test_problems_as_the_committee_knew_them_on_a_day(ws):
    hold_meeting(ws, MEETING, TWO, actor="x")  # held 1405/08/01 = 2026-10-23
    _problem(ws, status="resolved", meeting_id="SC24-1405-01", resolved_on="2026-11-20")
    _problem(ws, problem_id="PR24-91", reported_on="2026-11-01")
    before = support_problems(ws, "24", dt.date(2026, 10, 15)).set_index("problem_id")
    assert "PR24-91" not in before.index  # not reported yet
    assert before.loc["PR24-90", "status_as_of"] == "open"  # the meeting was later
    assert before.loc["PR24-90", "days_open"] == 14
    held = support_problems(ws, "24", dt.date(2026, 10, 23)).set_index("problem_id")
    assert held.loc["PR24-90", "status_as_of"] == "taken_up"
    later = support_problems(ws, "24", dt.date(2026, 12, 4))
    flags = list(later["unresolved"])
    assert flags == sorted(flags, reverse=True)  # unresolved first
    open_days = list(later.loc[later["unresolved"], "days_open"])
    assert open_days == sorted(open_days, reverse=True)  # the longest open first
    row = later.set_index("problem_id").loc["PR24-90"]
    assert (row["status_as_of"], bool(row["unresolved"]), row["days_open"]) == (
        "resolved", False, 0)


def test_the_board_joins_an_organisation_s_duties_and_problems_however_typed(ws):
    hold_meeting(ws, MEETING, TWO, actor="x")
    day = dt.date(2026, 12, 4)

    def bank(board):
        rows = board[board["responsible"].str.contains("توسعهٔ صادرات")]
        assert len(rows) == 1
        return int(rows["problems_open"].iloc[0])

    before = bank(follow_up_board(ws, "24", day))
    # the same bank with Arabic yeh and kaf and no zero-width joiner: one organisation
    _problem(ws, organisation="بانك توسعهٔ صادرات", reported_on="2026-11-01")
    _problem(ws, problem_id="PR24-91", organisation="دانشگاه محقق اردبیلی",
             reported_on="2026-11-02")
    board = follow_up_board(ws, "24", day)
    assert bank(board) == before + 1
    bank_row = board[board["responsible"].str.contains("توسعهٔ صادرات")]
    assert int(bank_row["open"].iloc[0]) >= 1  # its decision of the meeting
    university = board.set_index("responsible").loc["دانشگاه محقق اردبیلی"]
    assert (university["open"], university["problems_open"]) == (0, 1)
    assert len(board["responsible"].unique()) == len(board)
