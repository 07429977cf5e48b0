"""The file-mode services behind the CLI: files in, result objects out, nothing printed."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from khooshe.analysis.portfolio import PortfolioInfeasibleError
from khooshe.domain.errors import InputError
from khooshe.domain.validate import ValidationError
from khooshe.io.countries import UnknownCountryError
from khooshe.services.complexity import complexity_from_file, proximity_from_file
from khooshe.services.markets import markets_from_file, resolve_growth
from khooshe.services.portfolio import portfolio_from_file
from khooshe.services.specialization import specialization_from_file

LONG = "c,p,v\n" + "".join(f"{c},{p},{(i * 7919) % 97 + 1}\n" for i, (c, p) in enumerate(
    (c, p) for c in "abcdef" for p in ("0101", "0202", "0303", "0404")))
BACI = """t,i,j,k,v,q
2021,364,368,10121,0.5,1.2
2021,364,368,870323,2.0,NA
2021,792,368,10121,1.5,3
2021,792,414,870323,4.0,2
2021,364,792,252329,3.0,100
2022,364,368,10121,0.7,NA
2022,251,368,870323,3.0,1
2022,364,414,870323,0.25,0.1
2022,792,414,252329,1.0,40
2022,364,792,252329,3.5,110
"""
UNITS = """id,province,county,isic,progress_pct,remaining_cost_rials,expected_jobs
u0,06,0601,1010,90,6000000000,7
u1,06,0602,1010,40,5000000000,5
u2,11,1101,1010,30,5000000000,5
u3,11,1102,1010,99,40000000000,1
"""


def test_complexity_and_proximity_from_file(tmp_path):
    src = tmp_path / "long.csv"
    src.write_text(LONG)
    run = complexity_from_file(src, location="c", product="p", value="v")
    assert (run.periods, run.locations, run.products) == (1, 6, 4)
    assert set(run.table["p"]) == {"0101", "0202", "0303", "0404"}  # codes stay text
    pairs = proximity_from_file(src, location="c", product="p", value="v")
    assert len(pairs.table) == 4 * 3 and pairs.products == 4


def test_complexity_population_column_and_errors(tmp_path):
    src = tmp_path / "long.csv"
    src.write_text(LONG)
    pop = tmp_path / "pop.csv"
    pop.write_text("c,people\n" + "".join(f"{c},{i + 1}000\n" for i, c in enumerate("abcdef")))
    run = complexity_from_file(src, location="c", product="p", value="v", presence="rpop",
                               population=pop)
    assert "rpop" in run.table
    pop.write_text("c,a,b\nx,1,2\n")
    with pytest.raises(InputError, match="cannot tell the population column"):
        complexity_from_file(src, location="c", product="p", value="v", presence="rpop",
                             population=pop)
    with pytest.raises(InputError, match="is a directory"):
        proximity_from_file(tmp_path, location="c", product="p", value="v")
    with pytest.raises(InputError, match="file not found"):
        complexity_from_file(tmp_path / "none.csv", location="c", product="p", value="v")


def test_complexity_warnings_stay_python_warnings(tmp_path):
    src = tmp_path / "dup.csv"
    src.write_text("c,p,v\na,x,1\na,x,2\nb,x,3\nb,y,4\nc,x,1\nc,y,5\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        complexity_from_file(src, location="c", product="p", value="v")
    assert any("duplicated" in str(w.message) for w in caught)


def test_specialization_from_file(tmp_path):
    src = tmp_path / "firms.csv"
    src.write_text("town,isic,employees\n" + "".join(
        f"T{i % 4},{1393 if i % 3 else 1010},{5 + i}\n" for i in range(24)))
    run = specialization_from_file(src, region="town", activity="isic", value="employees")
    assert run.kind == "strength" and (run.regions, run.activities) == (4, 2)
    assert run.strong == int(run.table["strong"].sum()) and run.candidates is not None
    regions = specialization_from_file(src, region="town", activity="isic", table="regions")
    assert len(regions.table) == 4 and regions.strong is None
    with pytest.raises(InputError, match="table must be one of"):
        specialization_from_file(src, region="town", activity="isic", table="towns")


def test_portfolio_from_file(tmp_path):
    src = tmp_path / "units.csv"
    src.write_text(UNITS)
    run = portfolio_from_file(src, 10**10, target_jobs=12, frontier=5)
    assert run.units["selected"].tolist() == [0, 1, 1, 0]
    assert run.units["selected_target"].sum() == 2 and len(run.frontier) == 5
    assert run.summary["source"] == str(src) and run.summary["target"]["cost"] == 11 * 10**9
    assert run.default_budget_share is None
    with pytest.raises(PortfolioInfeasibleError, match="at most 18 jobs"):
        portfolio_from_file(src, 10, target_jobs=100)
    src.write_text(UNITS.replace(",40,", ",140,"))
    with pytest.raises(ValidationError) as err:
        portfolio_from_file(src, 10)
    assert err.value.rows == [3]


def test_markets_from_file(tmp_path):
    src = tmp_path / "baci.csv"
    src.write_text(BACI)
    steps = []
    run = markets_from_file(src, exporter="ایران", markets="IRQ,کویت", years=(2021, 2022),
                            growth={"عراق": 0.05}, on_progress=steps.append)
    assert steps == ["read", "analyse"]
    assert run.exporter == "IRN" and run.markets == ("IRQ", "KWT") and run.rows == 10
    assert list(run.totals.index) == ["IRQ", "KWT"] and run.years == (2021, 2022)
    assert run.market_names["KWT"].en == "Kuwait"
    assert (run.potential.loc[run.potential.market == "IRQ", "market_growth"] == 0.05).all()
    got = run.totals.loc["IRQ"]
    assert got["unrealised_value"] == pytest.approx(
        run.potential.loc[run.potential.market == "IRQ", "unrealised_value"].sum())


def test_growth_names_must_be_markets():
    assert resolve_growth(0.02, ["IRQ"]) == 0.02
    assert resolve_growth({"Iraq": 0.1}, ["IRQ"]) == {"IRQ": 0.1}
    with pytest.raises(InputError, match="KWT, which is not one of the markets"):
        resolve_growth({"KWT": 0.1}, ["IRQ"])
    with pytest.raises(UnknownCountryError, match="market growth: unknown country"):
        resolve_growth({"Atlantis": 0.1}, ["IRQ"])


def test_markets_totals_cover_every_market(tmp_path):
    from khooshe.services.markets import market_totals

    pot = pd.DataFrame({"market": ["IRQ", "IRQ"], "product": ["p1", "p2"], "rank": [1, 2],
                        "potential_value": [3.0, 1.0], "actual_value": [1.0, 0.0],
                        "unrealised_value": [2.0, 1.0]})
    totals = market_totals(pot, ["IRQ", "KWT"])
    assert totals.loc["IRQ", "unrealised_value"] == 3.0 and totals.loc["IRQ", "top_product"] == "p1"
    assert totals.loc["KWT", "potential_value"] == 0.0 and totals.loc["KWT", "top_product"] == ""
