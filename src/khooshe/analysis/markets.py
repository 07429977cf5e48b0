"""Export potential in target markets, diversification candidates and product ↔ cluster links,
following the International Trade Centre's export potential method (Decreux, J. & Spies, J.
(2016), "Export Potential Assessments: a methodology to identify export opportunities for
developing countries", ITC; the Export Potential Map, exportpotential.intracen.org).

Notation: ``i`` the exporter (e.g. IRN), ``j`` a target market, ``k`` an HS6 product, ``c`` any
country; ``x_cjk`` the value c exports to j of k (USD), ``x_ck = Σ_j x_cjk``, ``x_c = Σ_k x_ck``,
``x_k = Σ_c x_ck``, ``x = Σ_k x_k``; ``m_jk = Σ_c x_cjk`` the imports of j (mirror flows, as
BACI reports them), ``m_j = Σ_k m_jk``.

Periods
-------
Levels are averages over the **base period**, the last ``base_years`` years of the data
(default 3; a year without a flow counts as 0), which smooths one-off shipments. Trends compare
the first and the last ⌊n/2⌋ years of the n years in the data (``early``, ``late``): the
annualised growth ``g = (late/early)^(1/Δ) − 1`` (Δ the distance between the mean years of
the two halves) is clipped to ``±max_trend`` (a product that appears or disappears gets
``±max_trend``) and passed through partially over the projection horizon ``h``:
``τ = (1 + λ g)^h``. With a single year there is no trend (τ = 1).

Export potential indicator (EPI)
--------------------------------
``potential_value_ijk = supply_ik × demand_jk × ease_ijk`` (USD), where

- **supply** ``S_ik = s_ik · τ^S_ik``: ``s_ik = x_ik / x_k``, the exporter's share of world
  exports of k, projected with the trend of its revealed comparative advantage
  ``RCA_ik = s_ik / (x_i / x)`` (Balassa 1965). ITC expresses supply through the RCA and its
  trend; since ``RCA_ik = s_ik · x / x_i`` and the factor ``x / x_i`` is absorbed by the ease
  normalisation below, both give the same potential values.
- **demand** ``D_jk = m_jk · τ^D_jk · (1 + G_j)^h``: the market's imports of k, projected with the
  trend of k's share in j's imports (``m_jk / m_j``) and a **stated growth assumption** ``G_j``
  for the market's total imports (``market_growth``; default 0 — no growth assumed; ITC uses
  IMF GDP projections and income elasticities).
- **ease** ``ease_ijk = A_ijk · E_ij``: the product-specific market access ``A_ijk`` times the
  bilateral ease of trade ``E_ij``:

  * distance ``(d_ij / d̄_jk)^(−δ)``: the exporter's distance to j relative to the
    import-weighted geometric mean distance of j's suppliers of k,
    ``ln d̄_jk = Σ_c m_cjk ln d_cj / Σ_c m_cjk`` (base period); being closer than j's usual
    suppliers of k helps most for products usually bought from far away. ``δ`` =
    ``distance_elasticity`` (default 1, the usual gravity estimate; Head & Mayer 2014).
    Distances come from ``distances`` (e.g. CEPII GeoDist) or, failing that, are great-circle
    distances between the capitals of ``countries``; without either A has no distance term.
  * tariffs (when a tariff table is given) ``((1 + t_ijk) / (1 + t̄_jk))^(−σ)``: the tariff j
    applies to i's k relative to the reference tariff (MFN or the average applied to
    competitors, when given; otherwise 0), with the trade elasticity ``σ`` =
    ``tariff_elasticity`` (default 4; Simonovska & Waugh 2014). Products without a tariff row
    get factor 1.
  * ``E_ij = x_ij / Σ_k s_ik m_jk A_ijk`` (base period): the exporter's actual exports to j
    relative to what it would sell there if it held, in every product j imports, its world
    market share adjusted for access — ITC's "ease of trade" (observed bilateral trade
    relative to expected). It captures everything product-invariant between i and j
    (language, history, payment channels, sanctions). If i exported nothing to j in the base
    period, ``E_ij = 1`` (world market shares assumed) and a :class:`MarketsWarning` says so.

By construction, without trends and growth ``Σ_k potential_value_ijk = x_ij``: the method
redistributes the observed bilateral total across products according to supply, demand and
access, and the **unrealised potential** shows where actual exports fall short:
``unrealised_value = max(potential_value − actual_value, 0)``, ``unrealised_pct =
100 · unrealised_value / potential_value``, with ``actual_value = x_ijk`` (base-period mean).
Products are ranked within each market by unrealised value (rank 1 = largest; ties broken by
potential value, then product code).

Simplifications against ITC (each stated so results are read correctly)
-----------------------------------------------------------------------
1. No GDP projections: the market's import growth is the user's stated assumption
   ``market_growth`` (a number, or one per market), 0 by default.
2. The trend pass-through ``λ`` (``trend_weight``, default 0.5), the cap ``max_trend``
   (default 20 %/year) and the horizon ``h`` (default 5 years) are khooshe's assumptions, not
   ITC's econometric estimates.
3. One distance elasticity and one tariff elasticity for all products (ITC uses
   product-specific estimates and GTAP elasticities).
4. No trade-balance correction of supply (ITC discounts products the exporter mainly
   re-exports) and no global tariff disadvantage on the supply side.
5. No mirror-data reconciliation: flows are taken as given (BACI already reconciles).
6. EPI rows cover every product the exporter exports at all (``s_ik > 0``); ITC shows only
   products exported with comparative advantage — use ``min_rca=1`` for that.

Diversification candidates (ITC's product diversification indicator, simplified)
--------------------------------------------------------------------------------
Products the exporter does **not** export with comparative advantage (``RCA_ik ≤ 1``, Stata's
``M = RCA > 1`` test) scored by ``score_ijk = density_ik × demand_jk × ease_ijk``, where
``density_ik = Σ_q M_iq φ_qk / Σ_q φ_qk`` is the product-space density of k around the
exporter (Hidalgo, Klinger, Barabási & Hausmann 2007), computed by
:func:`khooshe.analysis.complexity.complexity_matrix` on the base-period world matrix
(countries × products). ITC's PDI replaces supply by a regression-based probability of
becoming a competitive exporter; here density itself is the feasibility proxy (simplification
7). ``pci`` and ``cog`` (complexity and opportunity gain) are reported alongside.

Exports over time (value and weight)
------------------------------------
:func:`exports_over_time`: per year and market (and ``WLD`` for all destinations) the
exporter's exports in USD and tonnes. BACI lacks the quantity of about 2 % of flows; reported
tonnes (``*_quantity_t``) are sums of known quantities, and ``*_quantity_t_est`` add, for each
flow without a quantity, ``value / unit value`` with the world unit value of the same product
and year (``Σ value / Σ tonnes`` over the flows with both). ``quantity_reported_pct`` is the
share of value whose weight was reported; products with no weight anywhere (e.g. electricity)
stay unestimated.

Product ↔ activity ↔ cluster links
----------------------------------
:func:`attach_activities` adds the ISIC classes of each product from an HS6 → ISIC Rev.4
concordance; :func:`cluster_links` joins potentials (or candidates) to clusters through their
ISIC classes: "cluster X (counties Y) can target product P in market M, unrealised potential V".
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict, cast

import numpy as np
import pandas as pd

from khooshe.domain.geo import haversine_km
from khooshe.domain.trade import (
    FLOW_COLUMNS,
    TradeSummary,
    check_concordance,
    check_flows,
    check_iso3,
    check_summary,
    check_targets,
    check_tariffs,
    year_window,
)
from khooshe.text.messages import Message

POTENTIAL_COLUMNS = (
    "market", "product", "supply", "demand", "ease", "potential_value", "actual_value",
    "unrealised_value", "unrealised_pct", "rank",
    "rca", "comparative_advantage", "market_share", "supply_trend", "demand_base",
    "demand_trend", "market_growth", "distance_km", "supplier_distance_km",
    "distance_factor", "tariff", "reference_tariff", "tariff_factor", "ease_bilateral",
)
CANDIDATE_COLUMNS = (
    "market", "product", "score", "rank", "density", "demand", "ease", "rca", "pci", "cog",
    "actual_value",
)
WORLD = "WLD"


class MarketsWarning(UserWarning):
    """A fallback or an assumption the user should know about; ``note`` is the catalogue
    message (``markets.note.*``) the analysis returns among its notes."""

    def __init__(self, note: Message):
        super().__init__(str(note))
        self.note = note


def _note(key: str, **params: object) -> Message:
    return Message(f"markets.note.{key}", params)


def _warn(key: str, **params: object) -> None:
    warnings.warn(MarketsWarning(_note(key, **params)), stacklevel=3)


# --------------------------------------------------------------------------------------------
# Aggregated trade: the only data the analysis needs
# --------------------------------------------------------------------------------------------
def _sum_with_quantity(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    q_known = df["quantity_t"].notna()
    tmp = pd.DataFrame({
        **{k: df[k] for k in keys},
        "value_usd": df["value_usd"],
        "quantity_t": df["quantity_t"].fillna(0.0),
        "value_q_usd": df["value_usd"].where(q_known, 0.0),
    })
    return tmp.groupby(keys, sort=True, observed=True).sum().reset_index()


def summarise_trade(
    flows: pd.DataFrame,
    *,
    exporter: str,
    markets: Iterable[str],
    years: tuple[int, int] | int | None = None,
) -> TradeSummary:
    """Aggregate a flow table (workspace layout) into a :class:`TradeSummary`.

    The pandas counterpart of :func:`khooshe.io.trade.summarise_trade_file` (which does the
    same in DuckDB for files too large for memory); both give equal tables.

    Raises
    ------
    ValueError
        Bad columns or values (see :func:`check_flows`), no flows in the year window, an
        exporter without exports or a market without imports.
    """
    exp, mk = check_targets(exporter, markets)
    window = year_window(years)
    df = check_flows(flows)
    if window is not None:
        df = df[(df["year"] >= window[0]) & (df["year"] <= window[1])]
    if df.empty:
        raise ValueError("no trade flows" + (f" in {window[0]}–{window[1]}" if window else ""))
    exports = (df.groupby(["year", "exporter", "hs6"], sort=True)["value_usd"].sum()
               .reset_index())
    world = _sum_with_quantity(df, ["year", "hs6"])
    in_mk = df["importer"].isin(mk)
    imports = _sum_with_quantity(df[in_mk], ["year", "importer", "hs6"])
    exporter_flows = _sum_with_quantity(df[df["exporter"] == exp], ["year", "importer", "hs6"])
    suppliers = (df[in_mk].groupby(["year", "importer", "exporter", "hs6"], sort=True)
                 ["value_usd"].sum().reset_index())
    summary = TradeSummary(
        exporter=exp, markets=mk, years=tuple(sorted(int(y) for y in df["year"].unique())),
        exports=exports, world=world, imports=imports, exporter_flows=exporter_flows,
        suppliers=suppliers, rows=len(df), rows_missing_quantity=int(df["quantity_t"].isna()
                                                                     .sum()),
    )
    check_summary(summary)
    return summary


# --------------------------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# Period helpers
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Periods:
    base: tuple[int, ...]
    early: tuple[int, ...]
    late: tuple[int, ...]
    span: float  # years between the mean years of early and late (0: no trend)


def _periods(years: Sequence[int], base_years: int) -> _Periods:
    if not years:
        raise ValueError("no years in the data")
    if base_years < 1:
        raise ValueError(f"base_years must be at least 1, not {base_years}")
    ys = tuple(sorted(years))
    half = len(ys) // 2
    early, late = (ys[:half], ys[-half:]) if half else ((), ())
    span = float(np.mean(late) - np.mean(early)) if half else 0.0
    return _Periods(base=ys[-base_years:], early=early, late=late, span=span)


def _mean_over(df: pd.DataFrame, keys: list[str], years: tuple[int, ...],
               value: str = "value_usd") -> pd.Series:
    """Σ over ``years`` / len(years), by ``keys`` (a missing year counts as 0)."""
    if not years:
        return pd.Series(dtype=np.float64)
    sub = df[df["year"].isin(years)]
    return sub.groupby(keys, sort=True, observed=True)[value].sum() / len(years)


def _trend_factor(early: pd.Series, late: pd.Series, index: pd.Index, periods: _Periods,
                  weight: float, cap: float, horizon: float) -> pd.Series:
    """``(1 + λ clip(g, ±cap))^h`` with g the annualised growth from early to late."""
    if periods.span <= 0 or horizon == 0 or weight == 0:
        return pd.Series(1.0, index=index)
    e = early.reindex(index).fillna(0.0).to_numpy()
    lt = late.reindex(index).fillna(0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.power(lt / e, 1.0 / periods.span) - 1.0
    g = np.where(e > 0, g, np.where(lt > 0, cap, 0.0))  # new: +cap; vanished: -1 → -cap
    g = np.clip(np.nan_to_num(g, nan=0.0), -cap, cap)
    return pd.Series(np.power(1.0 + weight * g, horizon), index=index)


def _exporter_shares(exports: pd.DataFrame, exporter: str,
                     years: tuple[int, ...]) -> tuple[pd.Series, pd.Series]:
    """World market share ``s_ik`` and RCA of the exporter by product over ``years``."""
    world_k = _mean_over(exports, ["hs6"], years)
    mine = _mean_over(exports[exports["exporter"] == exporter], ["hs6"], years)
    share = (mine / world_k.reindex(mine.index)).fillna(0.0)
    total, world_total = mine.sum(), world_k.sum()
    rca = share / (total / world_total) if total > 0 else share * 0.0
    return share, rca


# --------------------------------------------------------------------------------------------
# The components of every (market, product) pair
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
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
        growth=(", ".join(f"{k} {v:.1%}" for k, v in growth.items())
                if isinstance(growth, Mapping) else f"{float(growth):.1%}")))
    if per.span == 0:
        notes.append(_note("no_trends"))
    return MarketAnalysis(potential=potential, candidates=candidates, over_time=over_time,
                          base_years=per.base, notes=tuple(notes))


# --------------------------------------------------------------------------------------------
# Exports over time, by value and by weight
# --------------------------------------------------------------------------------------------
def _estimate_quantity(df: pd.DataFrame, uv: pd.Series) -> pd.Series:
    """Known tonnes plus (value without a quantity) / world unit value of (year, hs6)."""
    key = pd.MultiIndex.from_frame(df[["year", "hs6"]])
    unit = uv.reindex(key).to_numpy()
    missing_value = (df["value_usd"] - df["value_q_usd"]).clip(lower=0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = np.where(unit > 0, missing_value / unit, 0.0)
    return pd.Series(df["quantity_t"].to_numpy() + np.nan_to_num(extra), index=df.index)


def exports_over_time(summary: TradeSummary) -> pd.DataFrame:
    """The exporter's exports by year to each market and to the world (``WLD``), by value and
    by weight, next to the market's total imports (see the module docstring for how missing
    quantities are handled).

    Columns: ``year, market, exports_value_usd, exports_quantity_t, exports_quantity_t_est,
    quantity_reported_pct, unit_value_usd_per_t, imports_value_usd, imports_quantity_t_est,
    share_value_pct, share_weight_pct``.
    """
    w = summary.world
    with np.errstate(divide="ignore", invalid="ignore"):
        uv = (w["value_q_usd"] / w["quantity_t"]).where((w["quantity_t"] > 0)
                                                         & (w["value_q_usd"] > 0))
    uv.index = pd.MultiIndex.from_frame(w[["year", "hs6"]])
    uv = uv.dropna()

    def by_market(df: pd.DataFrame, col: str) -> pd.DataFrame:
        d = df.assign(q_est=_estimate_quantity(df, uv))
        g = d.groupby(["year", col], sort=True)[["value_usd", "quantity_t", "q_est",
                                                 "value_q_usd"]].sum()
        g.index = g.index.set_names(["year", "market"])
        return g

    ef = summary.exporter_flows
    exp_mk = by_market(ef[ef["importer"].isin(summary.markets)], "importer")
    exp_w = by_market(ef.assign(world=WORLD), "world")
    imp_mk = by_market(summary.imports, "importer")
    imp_w = by_market(summary.world.assign(world=WORLD), "world")
    exports = pd.concat([exp_mk, exp_w])
    imports = pd.concat([imp_mk, imp_w])
    idx = pd.MultiIndex.from_product([list(summary.years), [*summary.markets, WORLD]],
                                     names=["year", "market"])
    e = exports.reindex(idx).fillna(0.0)
    i = imports.reindex(idx).fillna(0.0)
    out = pd.DataFrame({
        "exports_value_usd": e["value_usd"],
        "exports_quantity_t": e["quantity_t"],
        "exports_quantity_t_est": e["q_est"],
    }, index=idx)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["quantity_reported_pct"] = np.where(e["value_usd"] > 0,
                                                100.0 * e["value_q_usd"] / e["value_usd"],
                                                np.nan)
        out["unit_value_usd_per_t"] = np.where(e["q_est"] > 0, e["value_usd"] / e["q_est"],
                                               np.nan)
        out["imports_value_usd"] = i["value_usd"]
        out["imports_quantity_t_est"] = i["q_est"]
        out["share_value_pct"] = np.where(i["value_usd"] > 0,
                                          100.0 * e["value_usd"] / i["value_usd"], np.nan)
        out["share_weight_pct"] = np.where(i["q_est"] > 0, 100.0 * e["q_est"] / i["q_est"],
                                           np.nan)
    return out.reset_index()


# --------------------------------------------------------------------------------------------
# Products ↔ activities ↔ clusters
# --------------------------------------------------------------------------------------------
def attach_activities(table: pd.DataFrame, concordance: pd.DataFrame,
                      product: str = "product") -> pd.DataFrame:
    """``table`` with an ``isic`` column: the ';'-joined ISIC classes of each product (empty
    when the concordance does not cover it)."""
    c = check_concordance(concordance)
    joined = c.groupby("hs6", sort=True)["isic"].agg(";".join)
    out = table.copy()
    out["isic"] = out[product].map(joined).fillna("")
    return out


def cluster_links(
    table: pd.DataFrame,
    concordance: pd.DataFrame,
    clusters: pd.DataFrame,
    *,
    value: str = "unrealised_value",
    product: str = "product",
    by_region: bool = False,
    top: int | None = None,
) -> pd.DataFrame:
    """Which cluster can target which product in which market, with the value at stake.

    Parameters
    ----------
    table : DataFrame
        :func:`export_potential` (or :func:`diversification_candidates`) output: ``market``,
        ``product`` and ``value``.
    concordance : DataFrame
        HS6 → ISIC (see :func:`check_concordance`); a product's value is multiplied by the
        ``weight`` of each of its activities (1 by default, i.e. the full value is attributed
        to every activity that makes it).
    clusters : DataFrame
        ``code, name_fa, name_en, province_code, isic`` (';'-separated ISIC classes),
        ``regions`` (';'-separated county/village codes, optional) and ``products``
        (';'-separated HS6 codes, optional). A cluster that names its products is linked to
        those (with their full value) and to nothing else: a date-palm cluster is not offered
        canned tomato because both are ISIC 1030. A cluster without products is linked
        through the concordance to every product of its activities.
    value : str
        Column to carry and rank by (``unrealised_value``, ``potential_value``, ``score``).
    by_region : bool
        One row per region of each cluster (column ``region``) instead of the ';'-list.
    top : int, optional
        Keep the best N links per cluster.

    Returns
    -------
    DataFrame
        ``cluster_code, cluster_name_fa, cluster_name_en, province_code, regions`` (or
        ``region``), ``isic, product, market, <value>`` plus ``potential_value``,
        ``actual_value``, ``unrealised_pct`` when present, ``via`` (``products`` or
        ``isic``: how the link was made), ranked per cluster (``rank``).
    """
    for col in ("market", product, value):
        if col not in table.columns:
            raise ValueError(f"table lacks column {col!r}")
    missing = [c for c in ("code", "isic") if c not in clusters.columns]
    if missing:
        raise ValueError(f"clusters lack column(s) {', '.join(missing)}")
    conc = check_concordance(concordance)
    cl = pd.DataFrame({
        "cluster_code": clusters["code"].astype(str),
        "cluster_name_fa": clusters.get("name_fa", pd.Series("", index=clusters.index)),
        "cluster_name_en": clusters.get("name_en", pd.Series("", index=clusters.index)),
        "province_code": clusters.get("province_code", pd.Series("", index=clusters.index)),
        "regions": clusters.get("regions", pd.Series("", index=clusters.index)).fillna(""),
        "isic": clusters["isic"].fillna("").astype(str).str.split(";"),
    }).explode("isic")
    cl["isic"] = cl["isic"].str.strip()
    cl = cl[cl["isic"] != ""]
    extra = [c for c in ("potential_value", "actual_value", "unrealised_pct")
             if c in table.columns and c != value]
    t = table[["market", product, value, *extra]].rename(columns={product: "product"})
    own = _own_products(clusters)
    by_isic = cl[~cl["cluster_code"].isin(set(own["cluster_code"]))]
    links = by_isic.merge(conc, on="isic").rename(columns={"hs6": "product"})
    links["via"] = "isic"
    if len(own):
        # a product the cluster names is linked once, with its full value, under the
        # activity the concordance gives it (the cluster's first activity when it has none)
        mine = cl[cl["cluster_code"].isin(set(own["cluster_code"]))]
        first = mine.drop_duplicates("cluster_code").set_index("cluster_code")["isic"]
        made = own.merge(mine.drop(columns="isic").drop_duplicates("cluster_code"),
                         on="cluster_code")
        isic_of = conc.drop_duplicates("hs6").set_index("hs6")["isic"]
        made["isic"] = made["product"].map(isic_of).fillna(made["cluster_code"].map(first))
        made["weight"] = 1.0
        made["via"] = "products"
        links = pd.concat([links, made[links.columns]], ignore_index=True)
    links = links.merge(t, on="product")
    for col in (value, *[c for c in extra if c != "unrealised_pct"]):
        links[col] = links[col] * links["weight"]
    links = links.drop(columns="weight")
    if by_region:
        links["region"] = links["regions"].str.split(";")
        links = links.explode("region").drop(columns="regions")
        links["region"] = links["region"].fillna("").str.strip()
    keys = ["cluster_code", "region"] if by_region else ["cluster_code"]
    links = links.sort_values([*keys, value, "product", "market"],
                              ascending=[*([True] * len(keys)), False, True, True],
                              kind="mergesort").reset_index(drop=True)
    links["rank"] = links.groupby(keys, sort=False).cumcount() + 1
    if top is not None:
        links = links[links["rank"] <= top].reset_index(drop=True)
    return links


def _own_products(clusters: pd.DataFrame) -> pd.DataFrame:
    """(cluster_code, product) for the clusters that name their products."""
    if "products" not in clusters.columns:
        return pd.DataFrame({"cluster_code": [], "product": []}, dtype=str)
    listed = pd.DataFrame({
        "cluster_code": clusters["code"].astype(str),
        "product": clusters["products"].fillna("").astype(str).str.split(";"),
    }).explode("product")
    listed["product"] = listed["product"].str.strip()
    return listed[listed["product"].fillna("") != ""].drop_duplicates().reset_index(drop=True)


def add_country_names(table: pd.DataFrame, countries: pd.DataFrame,
                      column: str = "market") -> pd.DataFrame:
    """Insert ``{column}_name_fa`` and ``{column}_name_en`` after ``column``."""
    names = countries.drop_duplicates("iso3").set_index("iso3")
    out = table.copy()
    pos = out.columns.get_loc(column) + 1
    for lang in ("en", "fa"):
        src = f"name_{lang}"
        if src in names.columns:
            out.insert(pos, f"{column}_name_{lang}", out[column].map(names[src]).fillna(""))
            pos += 1
    return out


__all__ = [
    "CANDIDATE_COLUMNS",
    "FLOW_COLUMNS",
    "POTENTIAL_COLUMNS",
    "MarketAnalysis",
    "MarketsWarning",
    "TradeSummary",
    "add_country_names",
    "analyse_markets",
    "attach_activities",
    "check_concordance",
    "check_flows",
    "check_summary",
    "check_tariffs",
    "check_targets",
    "cluster_links",
    "diversification_candidates",
    "export_potential",
    "exports_over_time",
    "pair_distances",
    "summarise_trade",
]
