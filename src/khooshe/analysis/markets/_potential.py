"""Export potential, diversification candidates and analyse_markets (both at once)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypedDict, cast

import numpy as np
import pandas as pd

from khooshe.analysis.markets._components import _Components, _components
from khooshe.analysis.markets._notes import (
    CANDIDATE_COLUMNS,
    POTENTIAL_COLUMNS,
    MarketsWarning,
    _note,
)
from khooshe.analysis.markets._over_time import exports_over_time
from khooshe.analysis.markets._periods import _mean_over
from khooshe.analysis.markets._trade_summary import summarise_trade
from khooshe.domain.trade import TradeSummary, check_iso3
from khooshe.text.messages import Message, joined


@dataclass(frozen=True)
class MarketAnalysis:
    """Result of :func:`analyse_markets`."""

    potential: pd.DataFrame
    candidates: pd.DataFrame
    over_time: pd.DataFrame
    base_years: tuple[int, ...]
    notes: tuple[Message | str, ...]


def _as_summary(data: TradeSummary | pd.DataFrame, exporter: str | None,
                markets: Iterable[str] | None,
                years: tuple[int, int] | int | None) -> TradeSummary:
    if isinstance(data, TradeSummary):
        if exporter is not None and check_iso3(exporter, "exporter") != data.exporter:
            raise ValueError(f"the summary is for exporter {data.exporter}, not {exporter}")
        return data
    if exporter is None or markets is None:
        raise ValueError("with a flow table, give exporter and markets")
    return summarise_trade(data, exporter=exporter, markets=markets, years=years)


def _rank(df: pd.DataFrame, by: list[str], ascending: list[bool]) -> pd.DataFrame:
    df = df.sort_values(["market", *by], ascending=[True, *ascending], kind="mergesort")
    df = df.reset_index(drop=True)
    df["rank"] = df.groupby("market", sort=False).cumcount() + 1
    return df


def _potential_table(comp: _Components, min_rca: float | None) -> pd.DataFrame:
    f = comp.frame
    keep = f["market_share"] > 0
    if min_rca is not None:
        keep &= f["rca"] >= min_rca
    out = f[keep].copy()
    out["potential_value"] = out["supply"] * out["demand"] * out["ease"]
    out["unrealised_value"] = np.maximum(out["potential_value"] - out["actual_value"], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # divide first: (100·u)/p can round to 100.00000000000001 when u == p
        pct = 100.0 * (out["unrealised_value"] / out["potential_value"])
    out["unrealised_pct"] = np.clip(np.where(out["potential_value"] > 0, pct, 0.0), 0.0, 100.0)
    out["comparative_advantage"] = out["rca"] > 1.0
    out = _rank(out, ["unrealised_value", "potential_value", "product"], [False, False, True])
    return out[list(POTENTIAL_COLUMNS)]


def _candidate_table(comp: _Components, summary: TradeSummary, rca_threshold: float,
                     top: int | None) -> pd.DataFrame:
    from khooshe.analysis.complexity import ComplexityWarning, complexity_matrix

    ex = _mean_over(summary.exports, ["exporter", "hs6"], comp.periods.base)
    ex = ex[ex > 0]
    loc_codes, loc_labels = pd.factorize(ex.index.get_level_values(0), sort=True)
    prod_codes, prod_labels = pd.factorize(ex.index.get_level_values(1), sort=True)
    x = np.zeros((len(loc_labels), len(prod_labels)))
    x[loc_codes, prod_codes] = ex.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        res = complexity_matrix(x, locations=np.asarray(loc_labels, dtype=object),
                                products=np.asarray(prod_labels, dtype=object),
                                rca_threshold=rca_threshold)
    row = int(np.flatnonzero(res.locations == summary.exporter)[0])
    dens = pd.Series(res.density[row], index=res.products)
    pci = pd.Series(res.pci, index=res.products)
    cog = pd.Series(res.cog[row], index=res.products)
    present = pd.Series(res.mcp[row].astype(bool), index=res.products)
    f = comp.frame
    out = f[~f["product"].map(present).eq(True)].copy()
    out["density"] = out["product"].map(dens).to_numpy()
    out = out[out["density"].notna()]
    out["pci"] = out["product"].map(pci).to_numpy()
    out["cog"] = out["product"].map(cog).to_numpy()
    out["score"] = out["density"] * out["demand"] * out["ease"]
    out = _rank(out, ["score", "product"], [False, True])
    if top is not None:
        out = out[out["rank"] <= top]
    return out[list(CANDIDATE_COLUMNS)].reset_index(drop=True)


def export_potential(
    data: TradeSummary | pd.DataFrame,
    *,
    exporter: str | None = None,
    markets: Iterable[str] | None = None,
    years: tuple[int, int] | int | None = None,
    base_years: int = 3,
    horizon: float = 5,
    trend_weight: float = 0.5,
    max_trend: float = 0.2,
    market_growth: float | Mapping[str, float] = 0.0,
    distances: pd.DataFrame | None = None,
    countries: pd.DataFrame | None = None,
    distance_elasticity: float = 1.0,
    tariffs: pd.DataFrame | None = None,
    tariff_elasticity: float = 4.0,
    min_rca: float | None = None,
) -> pd.DataFrame:
    """Export potential, actual exports and unrealised potential per (market, product).

    See the module docstring for every formula and simplification.

    Parameters
    ----------
    data : TradeSummary or DataFrame
        A summary (:func:`summarise_trade`, :func:`khooshe.io.trade.summarise_trade_file`) or
        a flow table in the workspace layout (then ``exporter`` and ``markets`` are needed).
    exporter, markets, years
        ISO3 codes and an optional inclusive year range (flow tables only).
    base_years : int
        Years averaged for levels (the last ones).
    horizon, trend_weight, max_trend : float
        Projection horizon (years), pass-through λ of past trends and the cap on annual
        trend growth.
    market_growth : float or mapping
        Stated annual growth of each market's total imports (0.03 = 3 %).
    distances : DataFrame, optional
        ``origin, destination, distance_km``.
    countries : DataFrame, optional
        ``iso3, lat, lon`` for great-circle distances where ``distances`` has none.
    distance_elasticity, tariff_elasticity : float
        δ and σ.
    tariffs : DataFrame, optional
        ``market, hs, tariff [, reference_tariff, exporter]`` (percent).
    min_rca : float, optional
        Keep only products with ``RCA ≥ min_rca`` (ITC's EPI: 1).

    Returns
    -------
    DataFrame
        :data:`POTENTIAL_COLUMNS`, sorted by market and rank.
    """
    summary = _as_summary(data, exporter, markets, years)
    comp = _components(summary, base_years=base_years, horizon=horizon,
                       trend_weight=trend_weight, max_trend=max_trend,
                       market_growth=market_growth, distances=distances, countries=countries,
                       distance_elasticity=distance_elasticity, tariffs=tariffs,
                       tariff_elasticity=tariff_elasticity)
    return _potential_table(comp, min_rca)


def diversification_candidates(
    data: TradeSummary | pd.DataFrame,
    *,
    exporter: str | None = None,
    markets: Iterable[str] | None = None,
    years: tuple[int, int] | int | None = None,
    rca_threshold: float = 1.0,
    top: int | None = None,
    **options: object,
) -> pd.DataFrame:
    """Products the exporter does not export with comparative advantage (``RCA ≤
    rca_threshold``), ranked per market by ``density × demand × ease`` (see the module
    docstring). ``options`` are those of :func:`export_potential` (except ``min_rca``);
    ``top`` keeps the best N per market.

    Returns
    -------
    DataFrame
        :data:`CANDIDATE_COLUMNS`, sorted by market and rank.
    """
    summary = _as_summary(data, exporter, markets, years)
    comp = _components(summary, **_component_options(options))
    return _candidate_table(comp, summary, rca_threshold, top)


def for_market(summary: TradeSummary, market: str) -> TradeSummary:
    """The summary seen from one target market: what :func:`analyse_markets` needs to compute
    that market's rows.

    Supply (the exporter's world shares and RCA, the product space) comes from the world
    tables, which stay whole; demand, the suppliers' distances and the ease of trade are each
    market's own. So the potential and candidate rows of ``market`` in
    ``analyse_markets(for_market(summary, market))`` are its rows in
    ``analyse_markets(summary)`` (ranks are per market) — how an engine computes the markets
    in parallel. A ``market_growth`` mapping must then be narrowed to ``market``.

    Raises
    ------
    ValueError
        ``market`` is not one of the summary's markets.
    """
    if market not in summary.markets:
        raise ValueError(f"{market} is not one of the summary's markets "
                         f"({', '.join(summary.markets)})")
    return replace(summary, markets=(market,),
                   imports=summary.imports[summary.imports["importer"] == market],
                   suppliers=summary.suppliers[summary.suppliers["importer"] == market])


class _ComponentOptions(TypedDict):
    """The keyword arguments of :func:`_components` (the options of :func:`export_potential`)."""

    base_years: int
    horizon: float
    trend_weight: float
    max_trend: float
    market_growth: float | Mapping[str, float]
    distances: pd.DataFrame | None
    countries: pd.DataFrame | None
    distance_elasticity: float
    tariffs: pd.DataFrame | None
    tariff_elasticity: float


def _component_options(options: Mapping[str, object]) -> _ComponentOptions:
    defaults = _ComponentOptions(
        base_years=3, horizon=5, trend_weight=0.5, max_trend=0.2, market_growth=0.0,
        distances=None, countries=None, distance_elasticity=1.0, tariffs=None,
        tariff_elasticity=4.0,
    )
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(unknown)}")
    # the caller's values are taken as given, as when passed to export_potential by name
    return cast(_ComponentOptions, {**defaults, **options})


def analyse_markets(
    data: TradeSummary | pd.DataFrame,
    *,
    exporter: str | None = None,
    markets: Iterable[str] | None = None,
    years: tuple[int, int] | int | None = None,
    min_rca: float | None = None,
    rca_threshold: float = 1.0,
    top_candidates: int | None = None,
    **options: object,
) -> MarketAnalysis:
    """Potential, diversification candidates and exports over time in one pass (the shared
    components are computed once). Options as in :func:`export_potential`."""
    summary = _as_summary(data, exporter, markets, years)
    opts = _component_options(options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MarketsWarning)
        comp = _components(summary, **opts)
    notes: list[Message | str] = [*summary.notes, *(
        w.message.note if isinstance(w.message, MarketsWarning) else str(w.message)
        for w in caught)]
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    potential = _potential_table(comp, min_rca)
    candidates = _candidate_table(comp, summary, rca_threshold, top_candidates)
    over_time = exports_over_time(summary)
    growth = opts["market_growth"]
    per = comp.periods
    notes.append(_note(
        "assumptions", first=int(per.base[0]), last=int(per.base[-1]), horizon=opts["horizon"],
        trend=opts["trend_weight"],
        growth=(joined(_note("growth_of", market=k, rate=float(v)) for k, v in growth.items())
                if isinstance(growth, Mapping) else _note("growth", rate=float(growth)))))
    if per.span == 0:
        notes.append(_note("no_trends"))
    return MarketAnalysis(potential=potential, candidates=candidates, over_time=over_time,
                          base_years=per.base, notes=tuple(notes))
