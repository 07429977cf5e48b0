"""Export potential by market on the Dask engine (a two-process ``LocalCluster``): the same
potential, candidates and exports over time as the local engine's single call."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from khooshe.domain.trade import FLOW_COLUMNS
from khooshe.services.markets import markets_from_file

TOL = dict(check_exact=False, rtol=1e-12, atol=1e-12)
MARKETS = ["IRQ", "KWT", "ARE", "TUR", "OMN"]
OTHERS = ["CHN", "DEU", "IND", "RUS", "FRA", "QAT"]


def _flows(tmp_path, seed: int = 11):
    """Four years of trade between a dozen countries in 30 HS6 products (a quantity
    missing now and then)."""
    rng = np.random.default_rng(seed)
    countries = ["IRN", *MARKETS, *OTHERS]
    products = [f"{k:06d}" for k in range(10110, 10410, 10)]
    rows = []
    for year in range(2019, 2023):
        for e in countries:
            for i in countries:
                if e == i:
                    continue
                for p in products:
                    if rng.random() < 0.3:
                        value = float(rng.lognormal(3, 1))
                        weight = None if rng.random() < 0.1 else value / rng.uniform(1, 5)
                        rows.append((year, e, i, p, value, weight))
    path = tmp_path / "flows.csv"
    pd.DataFrame(rows, columns=FLOW_COLUMNS).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("growth", [0.02, {"IRQ": 0.05, "TUR": -0.01}])
def test_markets_over_several_markets_are_the_same_on_dask(tmp_path, dask_engine, growth):
    src = _flows(tmp_path)
    options = dict(markets=MARKETS, format="flows", growth=growth, top_candidates=10)
    local = markets_from_file(src, **options)
    remote = markets_from_file(src, engine=dask_engine, **options)
    assert set(local.potential["market"]) == set(MARKETS) and len(local.candidates)
    for name in ("potential", "candidates", "over_time", "totals"):
        pd.testing.assert_frame_equal(getattr(remote, name), getattr(local, name), **TOL)
    assert (remote.markets, remote.years, remote.rows) == (local.markets, local.years,
                                                           local.rows)
    if not isinstance(growth, dict):  # one rate: the same notes, word for word
        assert [str(n) for n in remote.notes] == [str(n) for n in local.notes]


def test_an_option_error_is_the_same(tmp_path, dask_engine):
    src = _flows(tmp_path)
    with pytest.raises(ValueError) as here:
        markets_from_file(src, markets=MARKETS, format="flows", horizon=-3)
    with pytest.raises(ValueError) as there:
        markets_from_file(src, markets=MARKETS, format="flows", horizon=-3, engine=dask_engine)
    assert type(there.value) is type(here.value) and str(there.value) == str(here.value)
