"""The market analysis's trade summary from the database's sums (store.trade.trade_parts)
equals the one from every stored flow (analysis.markets.summarise_trade)."""

from __future__ import annotations

import pandas as pd
import pytest

from _support import random_flows
from khooshe.analysis.markets import summarise_trade, summary_from_parts
from khooshe.services import data
from khooshe.store.repository import read_kind
from khooshe.store.trade import has_trade, trade_parts

MARKETS = ["IRQ", "KWT", "ARE"]


def _flows(rows: int = 3_000, seed: int = 0) -> pd.DataFrame:
    return random_flows(rows, seed, years=(2019, 2022), hs6=(10100, 10400),
                        countries=["IRN", "IRQ", "KWT", "ARE", "TUR", "CHN", "DEU", "IND",
                                   "RUS", "PAK"])


@pytest.mark.parametrize("years", [None, (2020, 2021)])
def test_the_sums_of_the_database_give_the_same_summary(workspace, years):
    assert not has_trade(workspace)
    data.import_frame(workspace, "trade_flows", _flows(), actor="test")
    assert has_trade(workspace)
    parts = trade_parts(workspace, "IRN", MARKETS, years)
    got = summary_from_parts(parts.by_exporter, parts.near, exporter="IRN", markets=MARKETS,
                             rows=parts.rows, rows_missing_quantity=parts.rows_missing_quantity)
    flows = read_kind(workspace, "trade_flows")
    flows["year"] = flows["year"].astype("int64")
    want = summarise_trade(flows, exporter="IRN", markets=MARKETS, years=years)
    assert (got.years, got.rows, got.rows_missing_quantity) == \
        (want.years, want.rows, want.rows_missing_quantity)
    assert got.rows_missing_quantity > 0
    for name in ("exports", "world", "imports", "exporter_flows", "suppliers"):
        a, b = getattr(got, name), getattr(want, name)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b[a.columns].reset_index(
            drop=True), check_dtype=False, rtol=1e-12)


def test_the_stored_years(workspace):
    from khooshe.store.trade import trade_years

    assert trade_years(workspace) == []
    data.import_frame(workspace, "trade_flows", _flows(), actor="test")
    assert trade_years(workspace) == [2019, 2020, 2021, 2022]

