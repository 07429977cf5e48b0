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

from khooshe.analysis.markets._components import pair_distances
from khooshe.analysis.markets._links import add_country_names, attach_activities, cluster_links
from khooshe.analysis.markets._notes import CANDIDATE_COLUMNS, POTENTIAL_COLUMNS, MarketsWarning
from khooshe.analysis.markets._notes import WORLD as WORLD  # public, not in __all__
from khooshe.analysis.markets._over_time import exports_over_time
from khooshe.analysis.markets._potential import (
    MarketAnalysis,
    analyse_markets,
    diversification_candidates,
    export_potential,
    for_market,
)
from khooshe.analysis.markets._trade_summary import summarise_trade, summary_from_parts
from khooshe.domain.trade import (
    FLOW_COLUMNS,
    TradeSummary,
    check_concordance,
    check_flows,
    check_summary,
    check_targets,
    check_tariffs,
)

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
    "for_market",
    "pair_distances",
    "summarise_trade",
    "summary_from_parts",
]
