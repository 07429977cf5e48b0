"""The village shortlist in words (khooshe.services.village_reasons): why each village was
picked and why a county got fewer, in Persian and English."""

from __future__ import annotations

import pytest

from _villages_world import ACTS, in_words, make_world, score
from khooshe.analysis import potential as pt


@pytest.fixture(scope="module")
def world():
    return make_world()


@pytest.fixture(scope="module")
def potential(world):
    return score(world["regions"], world["establishments"], world["resources"], world["parks"],
                 province="01", activities=ACTS)


def test_county_with_few_eligible_villages_says_why(potential):
    sl = in_words(potential, pt.shortlist(potential, per_county=10, min_population=400,
                                          min_spacing_km=0,
                                          counties=["0101", "0102", "0103", "0104"]))
    c = sl.counties.set_index("county_code")
    # populations 100..800: five villages of each county have ≥ 400 people
    assert c.loc["0101", "eligible"] == 5 and c.loc["0101", "shortlisted"] == 5
    assert c.loc["0101", "reason_en"] == "only 5 of 8 villages are eligible (3 under 400 people)"
    assert c.loc["0101", "reason_fa"].startswith("فقط ۵ روستا از ۸ واجد شرایط است")
    assert c.loc["0104", "shortlisted"] == 0
    assert c.loc["0104", "reason_en"] == "the county has no village in the data"
    spaced = in_words(potential, pt.shortlist(potential, per_county=10, min_spacing_km=4.0,
                                              min_population=0))
    c = spaced.counties.set_index("county_code")
    # villages every 2.5 km: a 4 km spacing keeps every other one
    assert (c["shortlisted"] == 4).all()
    assert c["reason_en"].str.contains("within 4 km of a chosen one").all()


def test_explanations_in_both_languages(world, potential):
    sl = in_words(potential, pt.shortlist(potential, per_county=3, min_spacing_km=0),
                  world["regions"])
    tea = sl.villages[(sl.villages["activity"] == "1079")
                      & (sl.villages["resource"] == "tea_leaf")]
    assert len(tea)
    row = tea.iloc[0]
    assert row["explanation_fa"].startswith(f"روستای {row['village_fa']} برای «")
    assert "(۱۰۷۹)" in row["explanation_fa"] and "برگ سبز چای" in row["explanation_fa"]
    assert "۶۰۰ تن" in row["explanation_fa"] or "۵۰۰ تن" in row["explanation_fa"]
    assert "green tea leaf" in row["explanation_en"] and "(1079)" in row["explanation_en"]
    text = row["explanation_fa"].replace(row["village_fa"], "")   # names are data
    assert not any(ch.isdigit() and ch.isascii() for ch in text)
    assert sl.villages["explanation_en"].str.contains("population").all()
    for k in (1, 2):
        assert (sl.villages[f"alt{k}_activity"] != sl.villages["activity"]).all()


def test_no_firms_and_no_resources_give_no_shortlist_and_say_why(world):
    """Regions alone say where work is easy, not what work: nothing is shortlisted."""
    bare = score(world["regions"], world["establishments"].iloc[:0], None, world["parks"],
                 province="01", activities=ACTS)
    sl = in_words(bare, pt.shortlist(bare, per_county=10, min_spacing_km=0,
                                     counties=["0101", "0102"]))
    assert sl.villages.empty
    c = sl.counties.set_index("county_code")
    assert (c["shortlisted"] == 0).all() and (c["eligible"] == 0).all()
    assert c.loc["0101", "reason_en"] == (
        "only 0 of 8 villages are eligible (8 with no related firm, feeding resource or firm "
        "of a candidate activity nearby)")
    assert c.loc["0101", "reason_fa"].startswith("فقط ۰ روستا از ۸ واجد شرایط است (۸ روستا بی")


def test_a_village_is_offered_only_activities_with_local_evidence(potential):
    sl = pt.shortlist(potential, per_county=8, min_spacing_km=0, min_population=0)
    rows = potential.villages["village_code"].reset_index(drop=True)
    pos = {code: i for i, code in rows.items()}
    has = pt.evidence(potential)
    cols = {a: j for j, a in enumerate(potential.activities)}
    for r in sl.villages.itertuples():
        assert has[pos[r.village_code], cols[r.activity]]
        for alt in (r.alt1_activity, r.alt2_activity):
            assert alt is None or has[pos[r.village_code], cols[alt]]
