"""The county governors' ten villages on the demo: khooshe's proposals, the governors'
decisions (each in their county only), replacements, progress, and proposing again without
undoing a decision."""

from __future__ import annotations

import pytest

from khooshe.domain.access import Principal
from khooshe.domain.errors import InputError
from khooshe.domain.programme import TransitionError
from khooshe.services.access import Access, Forbidden
from khooshe.services.village_proposals import (
    county_progress,
    decide_village,
    propose_villages,
    province_proposals,
)
from khooshe.store import repository


@pytest.fixture
def ws(demo_copy):
    return demo_copy


def _county(ws, county: str):
    props = province_proposals(ws, "06")
    return props[props["county_code"] == county].reset_index(drop=True)


def test_the_demo_proposes_ten_villages_of_the_shortlist_to_each_county(ws):
    from khooshe.services.villages import village_shortlist

    props = province_proposals(ws, "06")
    short = village_shortlist(ws, "06").shortlist.villages
    assert set(props["village_code"]) == set(short["village_code"])
    assert (props["status"] == "proposed").all()
    assert props.groupby("county_code").size().max() == 10
    first = props.iloc[0]
    assert first["reason_fa"] and first["reason_en"] and 0 < first["score"] <= 1
    progress = county_progress(ws, "06")
    assert (progress["counting"] == progress.set_index("county_code").index.map(
        props.groupby("county_code").size())).all()
    assert (progress["prepared"] == 0).all() and (progress["of"] == 10).all()


def test_a_governor_confirms_eight_replaces_two_and_prepares(ws):
    county = _county(ws, "0601")
    codes = list(county["village_code"])
    governor = Principal("gov", "county_governor", province="06", county="0601")
    access = Access(ws)
    for code in codes[:8]:
        decide_village(ws, code, "confirmed", actor="gov", who=governor, access=access)
    regions = repository.read_kind(ws, "regions")
    spare = [c for c in regions.loc[(regions["level"] == "village")
                                    & regions["code"].str.startswith("0601"), "code"]
             if c not in set(codes)][:2]
    for old, new in zip(codes[8:], spare, strict=True):
        decide_village(ws, old, "replaced", actor="gov", reason="no road in winter",
                       replacement=new, who=governor, access=access)
    for code in codes[:7]:
        decide_village(ws, code, "prepared", actor="gov", who=governor, access=access)
    row = county_progress(ws, "06").set_index("county_code").loc["0601"]
    assert (row["counting"], row["confirmed"], row["prepared"], row["replaced"]) == (
        10, 10, 7, 2)
    after = _county(ws, "0601").set_index("village_code")
    assert after.loc[spare[0], "status"] == "confirmed"
    assert after.loc[spare[0], "replaces"] == codes[8]
    assert after.loc[codes[8], "note"] == "no road in winter"
    with ws.engine.connect() as conn:  # every decision is in the audit trail
        log = repository.history(conn, "village_proposals")
    assert (log["actor"] == "gov").sum() == 8 + 2 * 2 + 7


def test_proposing_again_keeps_decisions_and_fills_only_what_is_lacking(ws):
    codes = list(_county(ws, "0601")["village_code"])
    decide_village(ws, codes[0], "rejected", actor="gov", reason="the village asked not to")
    decide_village(ws, codes[1], "confirmed", actor="gov")
    report = propose_villages(ws, "06", actor="t")
    after = _county(ws, "0601").set_index("village_code")
    assert after.loc[codes[0], "status"] == "rejected"  # not proposed again
    assert after.loc[codes[1], "status"] == "confirmed"
    assert report.added <= 1 and (after["status"] != "rejected").sum() in (9, 10)
    if report.added:
        assert (after["status"] == "proposed").sum() == 9


@pytest.mark.parametrize("who", [
    Principal("other", "county_governor", province="06", county="0602"),
    Principal("agent", "cluster_agent", clusters=frozenset({"CL06-01"}),
              provinces=frozenset({"06"})),
    Principal("gilan", "province_manager", province="01"),
    Principal("viewer", "viewer"),
])
def test_only_the_county_s_governor_and_the_province_decide(ws, who):
    code = _county(ws, "0601")["village_code"].iloc[0]
    with pytest.raises(Forbidden):
        decide_village(ws, code, "confirmed", actor=who.username, who=who, access=Access(ws))
    assert _county(ws, "0601").set_index("village_code").loc[code, "status"] == "proposed"
    boss = Principal("boss", "province_manager", province="06")
    decide_village(ws, code, "confirmed", actor="boss", who=boss, access=Access(ws))


@pytest.mark.parametrize("status, kwargs, error, words", [
    ("prepared", {}, TransitionError, "cannot become"),
    ("rejected", {}, TransitionError, "with a reason"),
    ("replaced", {"reason": "x"}, InputError, "name the village"),
    ("replaced", {"reason": "x", "replacement": "0602101001"}, InputError,
     "is not a village of county 0601"),
    ("flying", {}, TransitionError, "unknown status"),
])
def test_refused_decisions_change_nothing(ws, status, kwargs, error, words):
    code = _county(ws, "0601")["village_code"].iloc[0]
    before = province_proposals(ws, "06")
    with pytest.raises(error, match=words):
        decide_village(ws, code, status, actor="gov", **kwargs)
    assert province_proposals(ws, "06").equals(before)


def test_a_village_already_counting_cannot_be_a_replacement(ws):
    a, b = _county(ws, "0601")["village_code"].iloc[:2]
    with pytest.raises(InputError) as refused:
        decide_village(ws, a, "replaced", actor="gov", reason="x", replacement=b)
    assert "already among" in str(refused.value) and "در فهرست" in refused.value.text("fa")


def test_the_plan_shows_the_governors_decisions_beside_the_proposals(ws):
    from khooshe.services import plan as plan_service

    codes = list(_county(ws, "0601")["village_code"])
    regions = repository.read_kind(ws, "regions")
    spare = next(c for c in regions.loc[(regions["level"] == "village")
                                        & regions["code"].str.startswith("0601"), "code"]
                 if c not in set(codes))
    decide_village(ws, codes[0], "confirmed", actor="gov")
    decide_village(ws, codes[1], "replaced", actor="gov", reason="no road in winter",
                   replacement=spare)
    result = plan_service.build_plan(ws, "06", lang="en", sections=("villages",))
    section = next(s for s in result.plan.sections if s.key == "villages")
    tables = {t.key: t for t in section.tables}
    short = tables["village_shortlist"].frame.set_index("village_code")
    assert short.loc[codes[0], "decision_en"] == "confirmed"
    assert short.loc[codes[1], "decision_en"] == "replaced"
    assert short.loc[codes[2], "decision_fa"] == "پیشنهادی"
    chosen = tables["village_replacements"].frame
    assert list(chosen["village_code"]) == [spare] and list(chosen["replaces"]) == [codes[1]]
    assert list(chosen["note"]) == ["no road in winter"]
    decisions = tables["village_decisions"].frame.set_index("county_code")
    assert (decisions.loc["0601", "confirmed"], decisions.loc["0601", "replaced"]) == (2, 1)
    text = " ".join(section.paragraphs_en)
    assert "1 of 12 counties have decided" in text and "2 confirmed" in text


def test_the_plan_says_when_no_governor_has_decided(ws):
    from khooshe.services import plan as plan_service

    result = plan_service.build_plan(ws, "06", lang="en", sections=("villages",))
    section = next(s for s in result.plan.sections if s.key == "villages")
    text = " ".join(section.paragraphs_en)
    assert "The 120 villages were proposed to the governors of 12 counties; none has decided " \
           "yet." in text
    assert "0 confirmed" not in text
    assert "هنوز هیچ‌یک تصمیمی نگرفته‌اند" in " ".join(section.paragraphs_fa)
