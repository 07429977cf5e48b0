"""The province's exports by year (seed R16) on the demo: value, weight, the part made in the
province against the aim of 80 %, growth; a part above its whole is refused by row and
column and nothing is written."""

from __future__ import annotations

import pandas as pd
import pytest

from khooshe.domain.validate import ValidationError
from khooshe.services import data
from khooshe.services.province_exports import IN_PROVINCE_AIM, exports_by_year
from khooshe.store.repository import read_kind


def test_the_demo_s_exports_by_year(demo_copy):
    years = exports_by_year(demo_copy, "06")
    assert list(years["period"]) == sorted(years["period"]) and len(years) == 4
    assert (years["in_province_usd"] <= years["exports_usd"]).all()
    assert years["share_value"].between(0.4, 0.95).all()
    last, before = years.iloc[-1], years.iloc[-2]
    assert last["growth"] == pytest.approx(last["exports_usd"] / before["exports_usd"])
    assert pd.isna(years["growth"].iloc[0])
    assert bool(last["meets_aim"]) == (last["share_value"] >= IN_PROVINCE_AIM)
    # the part made in the province is about what the province's establishments export
    est = read_kind(demo_copy, "establishments")
    made = est.loc[est["region_code"].str.startswith("06"), "exports_usd"].sum()
    assert last["in_province_usd"] == pytest.approx(made, rel=0.06)


def test_a_year_without_weight_or_part_still_reads(demo_copy):
    data.import_frame(demo_copy, "province_exports", pd.DataFrame([
        {"province_code": "24", "period": "1404", "exports_usd": "90000000"}]), actor="test")
    last = exports_by_year(demo_copy, "24").iloc[-1]
    assert last["period"] == "1404" and pd.isna(last["share_value"])
    assert not last["meets_aim"]


def test_a_part_above_its_whole_is_refused_by_row_and_column(demo_copy):
    before = demo_copy.counts()
    frame = pd.DataFrame([
        {"province_code": "24", "period": "1404", "exports_usd": "100", "exports_t": "10",
         "in_province_usd": "90", "in_province_t": "9"},
        {"province_code": "01", "period": "1404", "exports_usd": "100", "exports_t": "10",
         "in_province_usd": "120", "in_province_t": "9"},
    ])
    with pytest.raises(ValidationError) as caught:
        data.import_frame(demo_copy, "province_exports", frame, actor="test")
    [issue] = caught.value.issues
    assert (issue.row, issue.column) == (3, "in_province_usd")  # the header is row 1
    assert "صادرات (دلار)" in issue.text("fa") and "Exports (US dollars)" in issue.text("en")
    assert demo_copy.counts() == before
