"""Export potential of a workspace's trade in neighbouring markets, linked to its clusters.

Reads the workspace's ``trade_flows`` (world trade, as BACI gives it), ``countries``
(coordinates for distances, names), ``products`` (HS6 names and their ISIC class: the
HS6 → ISIC concordance) and ``clusters``, runs :func:`khooshe.analysis.markets.analyse_markets`
and joins the result to the clusters of a province: "cluster X in county Y can target product P
in market M, unrealised potential V".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from khooshe.analysis import markets as mk
from khooshe.services.data import read_kind
from khooshe.store.workspace import Workspace

#: Target markets by default (seeds R4, R5, R10, R17): Iraq, Kuwait, the Persian Gulf states
#: and Azerbaijan.
DEFAULT_MARKETS: tuple[str, ...] = ("IRQ", "KWT", "ARE", "QAT", "OMN", "BHR", "SAU", "AZE")


@dataclass
class WorkspaceMarkets:
    """Export potential of ``exporter`` with names and cluster links.

    Attributes
    ----------
    potential : DataFrame
        :data:`~khooshe.analysis.markets.POTENTIAL_COLUMNS` plus ``market_name_fa/en``,
        ``product_name_fa/en`` and ``isic``.
    candidates : DataFrame
        Diversification candidates (density × demand × ease) with names.
    over_time : DataFrame
        Exports by year and market, by value and by weight.
    links : DataFrame
        The clusters (of ``province``, or all) × products × markets with the unrealised
        potential at stake, ranked per cluster.
    notes : tuple of str
        Assumptions and warnings of the analysis.
    """

    potential: pd.DataFrame
    candidates: pd.DataFrame
    over_time: pd.DataFrame
    links: pd.DataFrame
    notes: tuple[str, ...]
    exporter: str
    markets: tuple[str, ...]


def concordance(ws: Workspace) -> pd.DataFrame:
    """The workspace's HS6 → ISIC table, from ``products.isic`` (';' separates several)."""
    products = read_kind(ws, "products", columns=["hs6", "isic"])
    products = products[products["isic"].notna() & (products["isic"] != "")]
    table = products.assign(isic=products["isic"].str.split(";")).explode("isic")
    return table.assign(isic=table["isic"].str.strip())[["hs6", "isic"]]


def workspace_markets(
    ws: Workspace,
    province: str | None = None,
    exporter: str = "IRN",
    markets: Sequence[str] = DEFAULT_MARKETS,
    years: tuple[int, int] | int | None = None,
    top_links: int | None = 10,
    **options: object,
) -> WorkspaceMarkets:
    """Export potential in ``markets`` with the links to ``province``'s clusters.

    Parameters
    ----------
    ws : Workspace
    province : str, optional
        Link only this province's clusters (the potential itself is national).
    exporter : str
        ISO3 of the exporter.
    markets : sequence of str
        ISO3 codes of the target markets.
    years : (int, int) or int, optional
        Year window of the flows used.
    top_links : int, optional
        Keep the best N (product, market) links per cluster.
    **options
        As :func:`khooshe.analysis.markets.analyse_markets` (``market_growth``, ``horizon``,
        ``trend_weight``, ``min_rca``, ``distances``, ``tariffs``…). Distances default to
        great-circle distances between the capitals of the workspace's ``countries``.
    """
    flows = read_kind(ws, "trade_flows")
    if flows.empty:
        raise ValueError("the workspace has no trade flows; import trade_flows first")
    countries = read_kind(ws, "countries")
    known = set(countries["iso3"])
    unknown = [c for c in (exporter, *markets) if known and c not in known]
    if unknown:
        raise ValueError(f"unknown country code(s) {', '.join(unknown)}: not in the "
                         "workspace's countries")
    clusters = read_kind(ws, "clusters")
    if province is not None:
        provinces = set(read_kind(ws, "regions", columns=["code", "level"])
                        .query("level == 'province'")["code"])
        if province not in provinces:
            raise ValueError(f"province {province!r} is not in the workspace")
        clusters = clusters[clusters["province_code"] == province]
    if countries[["lat", "lon"]].notna().all(axis=1).any():
        options.setdefault("countries", countries)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mk.MarketsWarning)  # they come back as notes
        result = mk.analyse_markets(flows, exporter=exporter, markets=list(markets),
                                    years=years, **options)
    conc = concordance(ws)
    products = read_kind(ws, "products", columns=["hs6", "name_fa", "name_en"]).set_index("hs6")

    def named(table: pd.DataFrame) -> pd.DataFrame:
        out = mk.add_country_names(table, countries)
        out["product_name_fa"] = out["product"].map(products["name_fa"]).fillna("")
        out["product_name_en"] = out["product"].map(products["name_en"]).fillna("")
        return mk.attach_activities(out, conc) if len(conc) else out

    potential = named(result.potential)
    candidates = named(result.candidates)
    links = (mk.cluster_links(result.potential, conc, clusters, top=top_links)
             if len(clusters) and len(conc) else pd.DataFrame())
    if len(links):
        links = mk.add_country_names(links, countries)
        links["product_name_fa"] = links["product"].map(products["name_fa"]).fillna("")
        links["product_name_en"] = links["product"].map(products["name_en"]).fillna("")
    return WorkspaceMarkets(potential=potential, candidates=candidates,
                            over_time=result.over_time, links=links, notes=result.notes,
                            exporter=exporter, markets=tuple(markets))
