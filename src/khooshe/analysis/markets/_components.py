"""Supply, demand and ease of every (market, product) pair, with the distances."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from khooshe.analysis.markets._notes import _warn
from khooshe.analysis.markets._periods import (
    _exporter_shares,
    _mean_over,
    _Periods,
    _periods,
    _trend_factor,
)
from khooshe.domain.geo import haversine_km
from khooshe.domain.trade import TradeSummary, check_summary, check_tariffs


def pair_distances(
    pairs: pd.DataFrame,
    *,
    distances: pd.DataFrame | None = None,
    countries: pd.DataFrame | None = None,
) -> pd.Series:
    """Distance (km) of each ``(origin, destination)`` row of ``pairs``: from ``distances``
    (columns ``origin, destination, distance_km``, either direction), else great-circle
    between ``countries``' coordinates (``iso3, lat, lon``); NaN when neither knows."""
    d = pd.Series(np.nan, index=pairs.index, dtype=np.float64)
    if distances is not None and len(distances):
        tab = distances[["origin", "destination", "distance_km"]]
        both = pd.concat([tab, tab.rename(columns={"origin": "destination",
                                                   "destination": "origin"})])
        both = both.drop_duplicates(["origin", "destination"])
        d = pairs[["origin", "destination"]].merge(both, how="left",
                                                   on=["origin", "destination"])["distance_km"]
        d.index = pairs.index
    if countries is not None and d.isna().any():
        coords = countries.drop_duplicates("iso3").set_index("iso3")[["lat", "lon"]]
        coords = coords.apply(pd.to_numeric, errors="coerce")
        o = coords.reindex(pairs["origin"].to_numpy())
        t = coords.reindex(pairs["destination"].to_numpy())
        gc = haversine_km(o["lat"].to_numpy(), o["lon"].to_numpy(), t["lat"].to_numpy(),
                             t["lon"].to_numpy())
        d = d.fillna(pd.Series(gc, index=pairs.index))
    return d.astype(np.float64)


def _growth_of(markets: Sequence[str], market_growth: float | Mapping[str, float]) -> pd.Series:
    if isinstance(market_growth, Mapping):
        unknown = sorted(set(market_growth) - set(markets))
        if unknown:
            raise ValueError(f"market_growth names market(s) that are not targets: "
                             f"{', '.join(unknown)}")
        g = pd.Series({m: float(market_growth.get(m, 0.0)) for m in markets})
    else:
        g = pd.Series(float(market_growth), index=list(markets))
    if (g <= -1).any() or (g > 1).any():
        raise ValueError("market_growth is an annual rate between -1 and 1 (0.03 = 3 %/year)")
    return g


def _tariffs_for(pairs: pd.DataFrame, tariffs: pd.DataFrame) -> pd.DataFrame:
    """Tariff and reference of each (market, product): the HS6 row, else HS4, else HS2."""
    out = pd.DataFrame({"tariff": np.nan, "reference_tariff": np.nan}, index=pairs.index)
    for digits in (6, 4, 2):
        sub = tariffs[tariffs["hs"].str.len() == digits]
        if sub.empty:
            continue
        key = pd.DataFrame({"market": pairs["market"].to_numpy(),
                            "hs": pairs["product"].str[:digits].to_numpy()})
        hit = key.merge(sub, how="left", on=["market", "hs"])
        hit.index = pairs.index
        fill = out["tariff"].isna() & hit["tariff"].notna()
        out.loc[fill, "tariff"] = hit.loc[fill, "tariff"]
        out.loc[fill, "reference_tariff"] = hit.loc[fill, "reference_tariff"]
    return out


@dataclass(frozen=True)
class _Components:
    frame: pd.DataFrame  # one row per (market, product) with m_jk > 0
    rca: pd.Series
    periods: _Periods


def _components(
    summary: TradeSummary,
    *,
    base_years: int,
    horizon: float,
    trend_weight: float,
    max_trend: float,
    market_growth: float | Mapping[str, float],
    distances: pd.DataFrame | None,
    countries: pd.DataFrame | None,
    distance_elasticity: float,
    tariffs: pd.DataFrame | None,
    tariff_elasticity: float,
) -> _Components:
    if horizon < 0 or not 0 <= trend_weight <= 1 or not 0 <= max_trend < 1:
        raise ValueError("horizon must be >= 0, trend_weight in [0, 1], max_trend in [0, 1)")
    if distance_elasticity < 0 or tariff_elasticity < 0:
        raise ValueError("distance_elasticity and tariff_elasticity must be >= 0")
    check_summary(summary)
    exp, mk = summary.exporter, list(summary.markets)
    per = _periods(summary.years, base_years)
    growth = _growth_of(mk, market_growth)

    # supply: world market share and RCA trend
    share, rca = _exporter_shares(summary.exports, exp, per.base)
    if per.span > 0:
        _, rca_early = _exporter_shares(summary.exports, exp, per.early)
        _, rca_late = _exporter_shares(summary.exports, exp, per.late)
    else:
        rca_early = rca_late = pd.Series(dtype=np.float64)

    # demand: the markets' imports and the trend of each product's share in them
    imp = summary.imports
    m_base = _mean_over(imp, ["importer", "hs6"], per.base)
    m_base = m_base[m_base > 0]
    frame = m_base.rename("demand_base").reset_index()
    frame.columns = ["market", "product", "demand_base"]
    idx = pd.MultiIndex.from_frame(frame[["market", "product"]])

    def share_in_imports(years: tuple[int, ...]) -> pd.Series:
        m = _mean_over(imp, ["importer", "hs6"], years)
        tot = m.groupby(level=0).transform("sum")
        s = m / tot
        s.index = s.index.set_names(["market", "product"])
        return s

    if per.span > 0:
        d_trend = _trend_factor(share_in_imports(per.early), share_in_imports(per.late), idx,
                                per, trend_weight, max_trend, horizon)
    else:
        d_trend = pd.Series(1.0, index=idx)
    frame["demand_trend"] = d_trend.to_numpy()
    frame["market_growth"] = frame["market"].map(growth).to_numpy()
    frame["demand"] = (frame["demand_base"] * frame["demand_trend"]
                       * (1.0 + frame["market_growth"]) ** horizon)

    frame["rca"] = frame["product"].map(rca).fillna(0.0).to_numpy()
    frame["market_share"] = frame["product"].map(share).fillna(0.0).to_numpy()
    s_trend = _trend_factor(rca_early, rca_late, pd.Index(share.index), per, trend_weight,
                            max_trend, horizon)
    frame["supply_trend"] = frame["product"].map(s_trend).fillna(1.0).to_numpy()
    frame["supply"] = frame["market_share"] * frame["supply_trend"]

    # access: distance relative to the market's usual suppliers of the product
    frame["distance_km"] = np.nan
    frame["supplier_distance_km"] = np.nan
    frame["distance_factor"] = 1.0
    if distances is not None or countries is not None:
        sup = _mean_over(summary.suppliers, ["importer", "exporter", "hs6"], per.base)
        sup = sup[sup > 0].rename("value").reset_index()
        cpairs = sup[["exporter", "importer"]].drop_duplicates()
        cd = pair_distances(cpairs.rename(columns={"exporter": "origin",
                                                   "importer": "destination"}),
                            distances=distances, countries=countries)
        cpairs = cpairs.assign(dist=cd.to_numpy())
        sup = sup.merge(cpairs, on=["exporter", "importer"], how="left")
        sup = sup[(sup["dist"] > 0) & np.isfinite(sup["dist"])]
        sup["wlog"] = sup["value"] * np.log(sup["dist"])
        g = sup.groupby(["importer", "hs6"], sort=False)[["wlog", "value"]].sum()
        dbar = np.exp(g["wlog"] / g["value"])
        dbar.index = dbar.index.set_names(["market", "product"])
        own = pair_distances(pd.DataFrame({"origin": exp, "destination": mk}),
                             distances=distances, countries=countries)
        own.index = mk
        no_dist = own[~(own > 0)].index.tolist()
        if no_dist:
            _warn("no_distance", exporter=exp, markets=", ".join(no_dist))
        frame["distance_km"] = frame["market"].map(own).to_numpy()
        frame["supplier_distance_km"] = dbar.reindex(idx).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.power(frame["distance_km"] / frame["supplier_distance_km"],
                         -distance_elasticity)
        frame["distance_factor"] = np.where(np.isfinite(f) & (f > 0), f, 1.0)

    # access: tariffs
    frame["tariff"] = np.nan
    frame["reference_tariff"] = np.nan
    frame["tariff_factor"] = 1.0
    if tariffs is not None:
        t = _tariffs_for(frame, check_tariffs(tariffs, exp))
        frame["tariff"] = t["tariff"].to_numpy()
        frame["reference_tariff"] = t["reference_tariff"].to_numpy()
        ratio = (1.0 + frame["tariff"].fillna(0.0) / 100.0) / (
            1.0 + frame["reference_tariff"].fillna(0.0) / 100.0)
        frame["tariff_factor"] = np.where(frame["tariff"].notna(),
                                          np.power(ratio, -tariff_elasticity), 1.0)
    access = frame["distance_factor"] * frame["tariff_factor"]

    # ease of trade: actual bilateral exports relative to the access-adjusted expectation
    flows = summary.exporter_flows
    actual = _mean_over(flows[flows["importer"].isin(mk)], ["importer", "hs6"], per.base)
    actual.index = actual.index.set_names(["market", "product"])
    frame["actual_value"] = actual.reindex(idx).fillna(0.0).to_numpy()
    expected = (frame["market_share"] * frame["demand_base"] * access).groupby(
        frame["market"]).sum()
    x_ij = frame.groupby("market")["actual_value"].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        e_ij = x_ij / expected.reindex(x_ij.index)
    no_trade = e_ij[~(e_ij > 0)].index.tolist()
    if no_trade:
        _warn("no_trade", exporter=exp, markets=", ".join(no_trade), first=int(per.base[0]),
              last=int(per.base[-1]))
        e_ij[~(e_ij > 0)] = 1.0
    frame["ease_bilateral"] = frame["market"].map(e_ij).to_numpy()
    frame["ease"] = access * frame["ease_bilateral"]
    return _Components(frame=frame, rca=rca, periods=per)
