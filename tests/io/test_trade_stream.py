"""A trade file of any size read in sorted batches (:func:`khooshe.io.trade.stream_trade`)
gives exactly what :func:`khooshe.io.trade.read_trade` gives in one frame."""

from __future__ import annotations

import pandas as pd
import pytest

from khooshe.io.trade import TradeFileError, read_trade, stream_trade

#: A BACI year: 251 (France with Monaco) and 250 (France) are one ISO3 code and are summed;
#: the same key twice is summed too; ``NA`` quantities make the sum's quantity unknown.
BACI = """t,i,j,k,v,q
2022,364,368,10121,1.5,2.0
2022,364,368,10121,0.5,1.0
2022,364,250,848180,3.25,         NA
2022,364,251,848180,1.0,4.0
2022,840,364,300490,7.0,0.5
2022,842,364,300490,1.0,0.25
2022,250,4,20110,0.125,0.1
2022,4,364,90111,2.0,3.0
"""


@pytest.fixture
def baci_file(tmp_path):
    path = tmp_path / "BACI_HS17_Y2022_V202401.csv"
    path.write_text(BACI)
    return path


@pytest.mark.parametrize("rows", [1, 2, 3, 100])
def test_batches_equal_the_whole_frame(baci_file, rows):
    whole = read_trade(baci_file)
    with stream_trade(baci_file) as stream:
        assert stream.rows == 8 and stream.years == (2022,)
        batches = list(stream.batches(rows))
    assert all(len(b) <= rows for b in batches)
    pd.testing.assert_frame_equal(pd.concat(batches, ignore_index=True), whole)
    assert list(whole["exporter"]) == sorted(whole["exporter"])  # key order
    france = whole[(whole["importer"] == "FRA")]
    assert france["value_usd"].tolist() == [4250.0]  # 250 and 251 summed, thousands → USD
    assert france["quantity_t"].isna().all()  # one part had no quantity


def test_a_year_outside_what_the_workspace_accepts_is_named_by_its_line(tmp_path):
    path = tmp_path / "BACI_HS17_Y2022_V202401.csv"
    path.write_text(BACI.replace("2022,4,364", "1850,4,364"))
    with pytest.raises(TradeFileError, match=r"year outside 1900–2100.*line 9 \('1850'\)"), \
            stream_trade(path):
        pass


def test_the_row_limit_is_checked_before_any_batch(baci_file):
    with pytest.raises(TradeFileError, match="8 rows, more than the limit of 5"), \
            stream_trade(baci_file, max_rows=5):
        pass
