"""Cluster strength of a matrix's parts (``totals=``) joined and ranked again
(``rank_across_regions``): the same table as the whole's, on a table small enough to rank by
hand."""

from __future__ import annotations

import pandas as pd
import pytest

from khooshe.analysis import specialization as sp_
from khooshe.analysis.specialization import SpecializationInputError

# five villages, two provinces (P1: a, b; P2: c, d, e), two activities
CELLS = [("a", "X", 10.0), ("a", "Y", 10.0), ("b", "X", 30.0),
         ("c", "X", 20.0), ("c", "Y", 30.0), ("d", "Y", 20.0),
         ("e", "X", 10.0), ("e", "Y", 10.0)]
PROVINCE = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2"}
TRADED = pd.Series({"X": True, "Y": False})

# X_X = X_Y = 70, X = 140; LQ = x · 140 / (X_i · 70):
#   a: X 1.0, Y 1.0 | b: X 2.0 | c: X 0.8, Y 1.2 | d: Y 2.0 | e: X 1.0, Y 1.0
# by LQ, X: b 1, a 2, e 2 (tie), c 4; Y: d 1, c 2, a 3, e 3 (tie)
# by value, X: b 1, c 2, a 3, e 3; Y: c 1, d 2, a 3, e 3
LQ = {("a", "X"): 1.0, ("a", "Y"): 1.0, ("b", "X"): 2.0, ("c", "X"): 0.8, ("c", "Y"): 1.2,
      ("d", "Y"): 2.0, ("e", "X"): 1.0, ("e", "Y"): 1.0}
BY_LQ = {("a", "X"): 2, ("a", "Y"): 3, ("b", "X"): 1, ("c", "X"): 4, ("c", "Y"): 2,
         ("d", "Y"): 1, ("e", "X"): 2, ("e", "Y"): 3}
BY_VALUE = {("a", "X"): 3, ("a", "Y"): 3, ("b", "X"): 1, ("c", "X"): 2, ("c", "Y"): 1,
            ("d", "Y"): 2, ("e", "X"): 3, ("e", "Y"): 3}
# lq_threshold 1, top_share 0.5: LQ ≥ 1 and rank ≤ ceil(0.5 · 4) = 2 (within P1 alone a is
# Y's only region, rank 1 of 1, and would be strong)
STRONG = {("a", "X"): True, ("a", "Y"): False, ("b", "X"): True, ("c", "X"): False,
          ("c", "Y"): True, ("d", "Y"): True, ("e", "X"): True, ("e", "Y"): False}


def _table() -> pd.DataFrame:
    return pd.DataFrame(CELLS, columns=["region", "isic", "value"])


def _parts(**options) -> pd.DataFrame:
    whole = _table()
    totals = sp_.national_totals(whole, "region", "isic", "value")
    parts = [sp_.cluster_strength(part, "region", "isic", "value", traded=TRADED,
                                  totals=totals, **options)
             for _, part in whole.groupby(whole["region"].map(PROVINCE))]
    return pd.concat(parts, ignore_index=True)


def test_national_totals():
    totals = sp_.national_totals(_table(), "region", "isic", "value")
    assert totals.activities.to_dict() == {"X": 70.0, "Y": 70.0} and totals.total == 140.0


def test_parts_get_the_national_lq_and_shares():
    joined = _parts().set_index(["region", "isic"])
    assert joined["lq"].to_dict() == pytest.approx(LQ, rel=1e-15)
    assert (joined["activity_total"] == 70.0).all()
    assert joined.loc[("b", "X"), "national_share"] == pytest.approx(30 / 70, rel=1e-15)
    # ranks within each part are not the national ones until ranked again
    assert joined.loc[("a", "Y"), ["rank_by_lq", "n_regions"]].tolist() == [1, 1]


def test_ranks_across_regions_by_hand():
    out = sp_.rank_across_regions(_parts(lq_threshold=1.0, top_share=0.5), "isic", "value",
                                  lq_threshold=1.0, top_share=0.5).set_index(["region", "isic"])
    assert out["rank_by_lq"].to_dict() == BY_LQ
    assert out["rank_by_value"].to_dict() == BY_VALUE
    assert (out["n_regions"] == 4).all()
    assert out["strong"].to_dict() == STRONG


def test_candidates_follow_the_ranks_across_regions():
    # one establishment per row: with min_establishments 0 nothing is a small base, so a
    # candidate is a strong traded cell, and (a, X) becomes one only when ranked among all four
    options = dict(lq_threshold=1.0, top_share=0.5, min_establishments=0)
    parts = _parts(**options).set_index(["region", "isic"])
    assert not parts.loc[("a", "X"), "candidate"]  # second of P1's two X villages
    out = sp_.rank_across_regions(parts.reset_index(), "isic", "value", lq_threshold=1.0,
                                  top_share=0.5).set_index(["region", "isic"])
    assert out["candidate"].to_dict() == {k: v and TRADED[k[1]] for k, v in STRONG.items()}


@pytest.mark.parametrize("top_share", [None, 0.5])
def test_joined_parts_are_the_whole(top_share):
    options = dict(lq_threshold=1.0, top_share=top_share)
    whole = sp_.cluster_strength(_table(), "region", "isic", "value", traded=TRADED, **options)
    joined = _parts(**options).sort_values("region", kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(
        sp_.rank_across_regions(joined, "isic", "value", **options), whole)


def test_rank_across_regions_keeps_rows_and_order():
    joined = _parts()
    shuffled = joined.iloc[[3, 0, 7, 1, 5, 2, 6, 4]]
    out = sp_.rank_across_regions(shuffled, "isic", "value")
    assert out.index.tolist() == shuffled.index.tolist()
    pd.testing.assert_frame_equal(out.sort_index(),
                                  sp_.rank_across_regions(joined, "isic", "value"))
    assert joined["rank_by_lq"].tolist() == _parts()["rank_by_lq"].tolist()  # not changed
    assert sp_.rank_across_regions(joined.iloc[:0], "isic", "value").empty


def test_errors():
    whole = _table()
    totals = sp_.national_totals(whole, "region", "isic", "value")
    part = whole[whole["region"].isin(["a", "b"])]
    with pytest.raises(SpecializationInputError, match="give traded too"):
        sp_.cluster_strength(part, "region", "isic", "value", totals=totals)
    only_x = sp_.national_totals(whole[whole["isic"] == "X"], "region", "isic", "value")
    with pytest.raises(SpecializationInputError, match="no total for 1 activity.*Y"):
        sp_.cluster_strength(part, "region", "isic", "value", totals=only_x, traded=TRADED)
    small = sp_.national_totals(part[part["region"] == "a"], "region", "isic", "value")
    with pytest.raises(SpecializationInputError, match="smaller than the table's own"):
        sp_.cluster_strength(part, "region", "isic", "value", totals=small, traded=TRADED)
    with pytest.raises(SpecializationInputError, match="'lq'"):
        sp_.rank_across_regions(whole, "isic", "value")
    with pytest.raises(SpecializationInputError, match="top_share"):
        sp_.rank_across_regions(_parts(), "isic", "value", top_share=2)
