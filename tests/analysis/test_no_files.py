"""The analysis layer opens no file: every entry point runs with file opening patched to fail.

Reference data (default weights, resource links, names) is passed in by the services; a
function that read a file itself would fail here. Each entry point runs once unpatched first,
so the third-party libraries it imports lazily (which read their own files) are loaded.
"""

from __future__ import annotations

import builtins
import io
import os
import pathlib
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from khooshe.analysis import complexity, markets, portfolio, potential, spatial, specialization
from khooshe.analysis import supply_chain as sc
from khooshe.demo.generate import generate
from khooshe.domain.regions import RegionHierarchy
from khooshe.io.reference import potential_weights_text, resource_links


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return generate(seed=0, scale="small")


def _refuse(*args, **kwargs):
    raise AssertionError(f"the analysis opened a file: {args[:1]}")


def _entry_points(f: dict[str, pd.DataFrame]) -> dict[str, Callable[[], object]]:
    est = f["establishments"]
    regions = f["regions"]
    h = RegionHierarchy(regions)
    operating = est[est["status"] == "operating"].assign(
        county=lambda d: h.ancestor_of(d["region_code"].astype(str), "county"))
    by_county = operating.groupby(["county", "isic"], as_index=False)["employees"].sum()
    counties = regions[regions["level"] == "county"].set_index("code")
    jobs = by_county[by_county["isic"] == by_county["isic"].mode()[0]].set_index("county")
    values = jobs["employees"].reindex(counties.index, fill_value=0).astype(float)
    weights = potential.parse_weights(None, defaults=potential_weights_text())
    units = est[est["status"] == "half_finished"].assign(
        province=lambda d: h.ancestor_of(d["region_code"].astype(str), "province"))
    units = units[["id", "province", "isic", "progress_pct", "remaining_cost_rials",
                   "expected_jobs"]].dropna()
    budget = int(units["remaining_cost_rials"].sum() // 4)
    table = sc.io_table(f["io_sectors"], f["io_flows"])
    demands = pd.DataFrame({"demand_id": ["d1", "d2"], "buyer_id": ["B", "B"],
                            "isic": ["2394", "2410"], "value": [100.0, 50.0],
                            "lat": [31.3, 31.3], "lon": [48.7, 48.7]})
    suppliers = pd.DataFrame({"supplier_id": ["s1", "s2"], "isic": ["2394", "2410"],
                              "capacity": [60.0, 80.0], "sme": [True, False],
                              "lat": [31.4, 31.0], "lon": [48.6, 48.9]})

    def villages():
        pot = potential.village_potential(regions, est, f["resources"], f["parks"],
                                          province="01", weights=weights,
                                          links=resource_links())
        sl = potential.shortlist(pot)
        return potential.drivers(pot, sl.villages)

    return {
        "complexity": lambda: complexity.complexity(
            by_county, location="county", product="isic", value="employees"),
        "specialization": lambda: specialization.cluster_strength(
            by_county, "county", "isic", "employees"),
        "hotspots": lambda: spatial.hotspots(values, centroids=counties.loc[
            values.index, ["lat", "lon"]], permutations=99),
        "point_clusters": lambda: spatial.point_clusters(operating.dropna(
            subset=["lat", "lon"]).head(3000)),
        "villages": villages,
        "markets": lambda: markets.analyse_markets(
            f["trade_flows"], exporter="IRN", markets=["IRQ", "KWT"]),
        "portfolio": lambda: portfolio.optimize_portfolio(units, budget),
        "supply_chain": lambda: (sc.multipliers_table(table),
                                 sc.regionalise(table, np.asarray(table.employment) * 0.1),
                                 sc.match_suppliers(demands, suppliers)),
    }


@pytest.mark.parametrize("name", ["complexity", "specialization", "hotspots", "point_clusters",
                                  "villages", "markets", "portfolio", "supply_chain"])
def test_the_analysis_opens_no_file(frames, name, monkeypatch):
    run = _entry_points(frames)[name]
    run()  # loads what the libraries load lazily
    for target, attr in ((builtins, "open"), (io, "open"), (os, "open"),
                         (pathlib.Path, "open"), (pathlib.Path, "read_text"),
                         (pathlib.Path, "read_bytes")):
        monkeypatch.setattr(target, attr, _refuse)
    run()
