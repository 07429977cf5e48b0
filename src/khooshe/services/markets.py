"""Export potential of a workspace's trade in neighbouring markets, linked to its clusters.

Reads the workspace's ``trade_flows`` (world trade, as BACI gives it), ``countries``
(coordinates for distances, names), ``products`` (HS6 names and their ISIC class: the
HS6 → ISIC concordance), ``clusters`` (their ISIC classes and regions), ``cluster_members`` and
``establishments`` (the counties of a cluster that lists no regions) and ``regions`` (county
names); runs :func:`khooshe.analysis.markets.analyse_markets` and joins the result to the
clusters of a province: "cluster X in county Y can target product P in market M, unrealised
potential V".

How a product reaches a cluster: product P (HS6) is made by the ISIC class(es) the
``products`` table gives it (``isic``, ';' separating several); a cluster works in the ISIC
classes of its ``isic`` list. P is linked to every cluster sharing one of its classes, and the
whole value of P is shown against each such cluster (no split between clusters). The export
potential itself is national (the exporter's trade); only the links are provincial.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from khooshe.analysis import markets as mk
from khooshe.domain.errors import InputError
from khooshe.domain.regions import RegionHierarchy
from khooshe.domain.trade import DEFAULT_EXPORTER, DEFAULT_MARKETS, year_window
from khooshe.domain.vocab import labels_of
from khooshe.io.countries import (
    UnknownCountryError,
    load_countries,
    read_baci_countries,
    resolve_countries,
    resolve_country,
)
from khooshe.io.trade import (
    TradeFormat,
    read_concordance,
    read_distances,
    read_tariffs,
    summarise_trade_file,
)
from khooshe.store.trade import has_trade, trade_parts
from khooshe.text.messages import Bilingual, Message, t

if TYPE_CHECKING:
    from khooshe.services.engine import Engine
    from khooshe.store.workspace import Workspace


def read_kind(ws: Workspace, kind: str, **options: Any) -> pd.DataFrame:
    """:func:`khooshe.store.repository.read_kind`, imported on first use: the file modes never
    open a workspace and should not load the store (SQLAlchemy, 0.13 s) for nothing."""
    from khooshe.store.repository import read_kind as read

    return read(ws, kind, **options)


#: Target markets by default (seeds R4, R5, R10, R17): Iraq, Kuwait, the Persian Gulf states

#: Columns added to the potential table: the clusters (of the province) making each product.
CLUSTER_COLUMNS: tuple[str, ...] = (
    "cluster_codes", "cluster_names_fa", "cluster_names_en", "counties", "county_names_fa",
    "county_names_en",
)


@dataclass
class WorkspaceMarkets:
    """Export potential of ``exporter`` with names and cluster links.

    Attributes
    ----------
    potential : DataFrame
        :data:`~khooshe.analysis.markets.POTENTIAL_COLUMNS` (``rank``: national rank within
        the market) plus ``market_name_fa/en``, ``product_name_fa/en``, ``isic`` and
        :data:`CLUSTER_COLUMNS`: the clusters (of ``province``, or all) whose activities make
        the product and their counties, ';'-separated (``، `` in Persian names); empty when
        no cluster makes it.
    candidates : DataFrame
        Diversification candidates (density × demand × ease) with names.
    over_time : DataFrame
        Exports by year and market, by value and by weight.
    links : DataFrame
        The clusters (of ``province``, or all) × products × markets with the unrealised
        potential at stake, ranked per cluster (best ``top_links``); with the cluster's
        ``counties`` and their names and a sentence per link (``statement_fa/en``).
    notes : tuple of Message or str
        Assumptions and warnings of the analysis.
    exporter, markets
        ISO3 codes analysed.
    opportunities : DataFrame
        The rows of ``potential`` that some cluster of the province can serve, ranked within
        each market by unrealised value (``linked_rank``; ``rank`` stays the national rank).
    province : str or None
        The province whose clusters are linked (None: every cluster).
    """

    potential: pd.DataFrame
    candidates: pd.DataFrame
    over_time: pd.DataFrame
    links: pd.DataFrame
    notes: tuple[Message | str, ...]
    exporter: str
    markets: tuple[str, ...]
    opportunities: pd.DataFrame = field(default_factory=pd.DataFrame)
    province: str | None = None


def concordance(ws: Workspace) -> pd.DataFrame:
    """The workspace's HS6 → ISIC table, from ``products.isic`` (';' separates several)."""
    products = read_kind(ws, "products", columns=["hs6", "isic"])
    products = products[products["isic"].notna() & (products["isic"] != "")]
    table = products.assign(isic=products["isic"].str.split(";")).explode("isic")
    return table.assign(isic=table["isic"].str.strip())[["hs6", "isic"]]


def _join(values: pd.Series, sep: str = ";") -> str:
    return sep.join(dict.fromkeys(v for v in values if isinstance(v, str) and v))


def _county_rows(ws: Workspace, clusters: pd.DataFrame) -> pd.DataFrame:
    """One row per (cluster, county): ``cluster_code, county, name_fa, name_en``."""
    regions = read_kind(ws, "regions", columns=["code", "level", "parent_code", "name_fa",
                                                "name_en"])
    county_of = RegionHierarchy(regions).ancestors("county")
    listed = pd.DataFrame({"cluster_code": clusters["code"].astype(str).to_numpy(),
                           "region": clusters["regions"].fillna("").astype(str)
                           .str.split(";").to_numpy()}).explode("region")
    listed["region"] = listed["region"].fillna("").str.strip()
    listed = listed[listed["region"] != ""]
    without = sorted(set(clusters["code"].astype(str)) - set(listed["cluster_code"]))
    if without:
        members = read_kind(ws, "cluster_members", columns=["cluster_code", "establishment_id"])
        members = members[members["cluster_code"].isin(without)
                          & members["establishment_id"].notna()]
        est = read_kind(ws, "establishments", columns=["id", "region_code"]).set_index("id")
        listed = pd.concat([listed, pd.DataFrame({
            "cluster_code": members["cluster_code"].to_numpy(),
            "region": members["establishment_id"].map(est["region_code"]).to_numpy(),
        })], ignore_index=True)
    listed["county"] = listed["region"].map(county_of)
    listed = listed[listed["county"].notna()].drop_duplicates(["cluster_code", "county"])
    listed = listed.sort_values(["cluster_code", "county"], kind="mergesort")
    names = regions.set_index("code")
    listed["name_fa"] = listed["county"].map(names["name_fa"]).fillna(listed["county"])
    listed["name_en"] = listed["county"].map(names["name_en"]).fillna(listed["county"])
    return listed[["cluster_code", "county", "name_fa", "name_en"]].reset_index(drop=True)


def _county_lists(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """``counties, county_names_fa, county_names_en`` per ``key`` from (key, county) rows."""
    rows = rows.drop_duplicates([key, "county"]).sort_values([key, "county"], kind="mergesort")
    return rows.groupby(key, sort=True).agg(
        counties=("county", _join),
        county_names_fa=("name_fa", lambda s: _join(s, t("common.list_separator", "fa"))),
        county_names_en=("name_en", lambda s: _join(s, t("common.list_separator", "en"))),
    )


def cluster_counties(ws: Workspace, clusters: pd.DataFrame) -> pd.DataFrame:
    """The counties of each cluster: those of its ``regions`` (a village or district counts
    for its county), or, for a cluster without regions, those of its member establishments.

    Returns
    -------
    DataFrame
        ``cluster_code, counties, county_names_fa, county_names_en`` (';'-separated codes,
        names separated by ``، `` and ``, ``), one row per cluster of ``clusters``.
    """
    wide = _county_lists(_county_rows(ws, clusters), "cluster_code")
    codes = clusters["code"].astype(str).tolist()
    return wide.reindex(codes).fillna("").rename_axis("cluster_code").reset_index()


def _product_clusters(conc: pd.DataFrame, clusters: pd.DataFrame,
                      county_rows: pd.DataFrame) -> pd.DataFrame:
    """Per HS6 product, the clusters making it (via the shared ISIC classes) and their
    counties: :data:`CLUSTER_COLUMNS` indexed by ``product``."""
    cl = pd.DataFrame({
        "cluster_code": clusters["code"].astype(str).to_numpy(),
        "name_fa": clusters["name_fa"].fillna("").to_numpy(),
        "name_en": clusters["name_en"].fillna("").to_numpy(),
        "isic": clusters["isic"].fillna("").astype(str).str.split(";").to_numpy(),
    }).explode("isic")
    cl["isic"] = cl["isic"].fillna("").str.strip()
    made = conc.merge(cl, on="isic").rename(columns={"hs6": "product"})
    made = made.drop_duplicates(["product", "cluster_code"])
    made = made.sort_values(["product", "cluster_code"], kind="mergesort")
    out = made.groupby("product", sort=True).agg(
        cluster_codes=("cluster_code", _join),
        cluster_names_fa=("name_fa", lambda s: _join(s, t("common.list_separator", "fa"))),
        cluster_names_en=("name_en", lambda s: _join(s, t("common.list_separator", "en"))),
    )
    where = made[["product", "cluster_code"]].merge(county_rows, on="cluster_code")
    out = out.join(_county_lists(where, "product")).fillna("")
    return out.reindex(columns=list(CLUSTER_COLUMNS), fill_value="")


def _statements(links: pd.DataFrame) -> tuple[list[str], list[str]]:
    """"cluster X in county Y can target product P in market M, unrealised potential V"."""
    musd = links["unrealised_value"] / 1e6
    out: dict[str, list[str]] = {"fa": [], "en": []}
    for row in links.assign(musd=musd).itertuples(index=False):
        for lang in ("fa", "en"):
            name = getattr(row, f"cluster_name_{lang}") or row.cluster_code
            product = getattr(row, f"product_name_{lang}") or row.product
            out[lang].append(t("markets.cluster_statement", lang, cluster=name,
                               counties=getattr(row, f"county_names_{lang}") or "—",
                               product=product, hs6=row.product,
                               market=getattr(row, f"market_name_{lang}"), value=row.musd))
    return out["fa"], out["en"]


def market_analysis(market: str, *, summary: mk.TradeSummary,
                    options: Mapping[str, Any]) -> mk.MarketAnalysis:
    """:func:`khooshe.analysis.markets.analyse_markets` of one target market of ``summary``
    (:func:`~khooshe.analysis.markets.for_market`; a growth mapping narrowed to the market):
    what an engine's worker computes for each market."""
    growth = options.get("market_growth")
    if isinstance(growth, Mapping):
        options = {**options, "market_growth": {k: v for k, v in growth.items() if k == market}}
    return mk.analyse_markets(mk.for_market(summary, market), **options)


def analyse(
    data: mk.TradeSummary | pd.DataFrame,
    *,
    engine: Engine | None = None,
    exporter: str | None = None,
    markets: Sequence[str] | None = None,
    years: tuple[int, int] | int | None = None,
    **options: Any,  # passed on unchanged: typed where they are used
) -> mk.MarketAnalysis:
    """:func:`khooshe.analysis.markets.analyse_markets` on ``engine``, its warnings left to
    the notes.

    The local engine (default) analyses every market in one call. A ``dask`` engine analyses
    each market on a worker (:func:`market_analysis`; the summary is sent to each worker
    once) and joins them: the potential and candidate rows are the same (each market's rows
    depend on the world's trade and on that market only), exports over time are computed
    here from the whole summary, and the notes are every market's, each once — a warning
    that names several markets in one call names each in a note of its own.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mk.MarketsWarning)  # they come back as notes
        if engine is None or not engine.distributed:
            return mk.analyse_markets(data, exporter=exporter, markets=markets, years=years,
                                      **options)
        summary = data if isinstance(data, mk.TradeSummary) else mk.summarise_trade(
            data, exporter=str(exporter), markets=list(markets or ()), years=years)
        if not summary.markets:  # what the analysis says of it
            return mk.analyse_markets(summary, **options)
        parts = list(engine.map(market_analysis, sorted(summary.markets), summary=summary,
                                options=options))
    notes: dict[str, Message | str] = {}
    for part in parts:
        for n in part.notes:
            notes.setdefault(repr(n), n)
    return mk.MarketAnalysis(
        potential=pd.concat([p.potential for p in parts], ignore_index=True),
        candidates=pd.concat([p.candidates for p in parts], ignore_index=True),
        over_time=mk.exports_over_time(summary), base_years=parts[0].base_years,
        notes=tuple(notes.values()))


def workspace_markets(
    ws: Workspace,
    province: str | None = None,
    exporter: str = DEFAULT_EXPORTER,
    markets: Sequence[str] = DEFAULT_MARKETS,
    years: tuple[int, int] | int | None = None,
    top_links: int | None = 10,
    hs_isic: pd.DataFrame | None = None,
    engine: Engine | None = None,
    **options: Any,  # passed on unchanged: typed where they are used
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
        Keep the best N (product, market) links per cluster (None: all).
    hs_isic : DataFrame, optional
        An HS6 → ISIC Rev.4 concordance (``hs6, isic [, weight]``, e.g. from
        :func:`khooshe.io.trade.read_concordance`) used instead of the ``products`` table's
        ``isic`` column.
    engine : Engine, optional
        Where the markets are analysed (:func:`analyse`): here by default, or one market per
        Dask task; the tables are the same.
    **options
        As :func:`khooshe.analysis.markets.analyse_markets` (``market_growth``, ``horizon``,
        ``trend_weight``, ``min_rca``, ``distances``, ``tariffs``…). Distances default to
        great-circle distances between the capitals of the workspace's ``countries``.

    Raises
    ------
    ValueError
        No trade flows, a country code not in the workspace's ``countries``, an unknown
        province, or what :func:`khooshe.analysis.markets.analyse_markets` rejects.
    """
    exporter = str(exporter).strip().upper()
    markets = [str(m).strip().upper() for m in markets]
    countries = read_kind(ws, "countries")
    known = set(countries["iso3"])
    unknown = [c for c in (exporter, *markets) if known and c not in known]
    if unknown:
        raise InputError(Message("io.country.not_in_workspace", {"codes": ", ".join(unknown)}))
    clusters = read_kind(ws, "clusters")
    if province is not None:
        provinces = set(read_kind(ws, "regions", columns=["code", "level"])
                        .query("level == 'province'")["code"])
        if province not in provinces:
            raise InputError(Message("workspace.refuse.not_a_region", {
                "level": labels_of("region_level", "province"), "code": province}))
        clusters = clusters[clusters["province_code"] == province]
    clusters = clusters.reset_index(drop=True)
    # The database sums the world's flows; only the markets' and the exporter's come whole.
    window = year_window(years)
    parts = trade_parts(ws, exporter, markets, window)
    if parts.rows == 0:
        if window is None or not has_trade(ws):
            raise InputError(Message("markets.refuse.no_trade"))
        raise InputError(Message("markets.refuse.no_trade_in",
                                 {"first": int(window[0]), "last": int(window[1])}))
    summary = mk.summary_from_parts(parts.by_exporter, parts.near, exporter=exporter,
                                    markets=markets, rows=parts.rows,
                                    rows_missing_quantity=parts.rows_missing_quantity)
    if countries[["lat", "lon"]].notna().all(axis=1).any():
        options.setdefault("countries", countries)
    result = analyse(summary, engine=engine, exporter=exporter, markets=markets, **options)
    conc = concordance(ws) if hs_isic is None else mk.check_concordance(hs_isic)
    products = read_kind(ws, "products", columns=["hs6", "name_fa", "name_en"]).set_index("hs6")
    county_rows = _county_rows(ws, clusters)
    counties = _county_lists(county_rows, "cluster_code").reset_index()
    made_by = _product_clusters(conc, clusters, county_rows)

    def named(table: pd.DataFrame) -> pd.DataFrame:
        out = mk.add_country_names(table, countries)
        out["product_name_fa"] = out["product"].map(products["name_fa"]).fillna("")
        out["product_name_en"] = out["product"].map(products["name_en"]).fillna("")
        return mk.attach_activities(out, conc) if len(conc) else out.assign(isic="")

    potential = named(result.potential)
    for col in CLUSTER_COLUMNS:
        potential[col] = potential["product"].map(made_by[col]).fillna("")
    candidates = named(result.candidates)
    opportunities = potential[potential["cluster_codes"] != ""].copy()
    opportunities = opportunities.sort_values(
        ["market", "unrealised_value", "potential_value", "product"],
        ascending=[True, False, False, True], kind="mergesort").reset_index(drop=True)
    opportunities.insert(opportunities.columns.get_loc("rank") + 1, "linked_rank",
                         opportunities.groupby("market", sort=False).cumcount() + 1)

    links = (mk.cluster_links(result.potential, conc, clusters, top=top_links)
             if len(clusters) and len(conc) else pd.DataFrame())
    if len(links):
        links = mk.add_country_names(links, countries)
        links["product_name_fa"] = links["product"].map(products["name_fa"]).fillna("")
        links["product_name_en"] = links["product"].map(products["name_en"]).fillna("")
        links = links.merge(counties, on="cluster_code", how="left")
        links[["counties", "county_names_fa", "county_names_en"]] = links[
            ["counties", "county_names_fa", "county_names_en"]].fillna("")
        links["statement_fa"], links["statement_en"] = _statements(links)
    return WorkspaceMarkets(potential=potential, candidates=candidates,
                            over_time=result.over_time, links=links, notes=result.notes,
                            exporter=exporter, markets=tuple(markets),
                            opportunities=opportunities, province=province)


# --- One run of ``khooshe markets``: a trade file or a workspace, with names and totals -------
def province_exports(ws: Workspace, province: str) -> pd.DataFrame:
    """The province's exports by activity, from its establishments (seed R16: value and
    weight), beside the country's.

    Returns one row per ISIC class with exports anywhere: ``isic``, ``exports_usd`` and
    ``exports_t`` of the province's establishments, ``national_usd`` of every establishment in
    the workspace and ``share`` (the province's part of the country's exports of the class, 0
    where the country has none). ``attrs`` carries the totals.
    """
    from khooshe.services.frames import establishments_with_regions

    est = establishments_with_regions(ws, columns=["isic", "exports_usd", "exports_t"])
    est = est[est["exports_usd"].fillna(0) > 0]
    mine = est[est["province"] == province]
    by_isic = pd.DataFrame({
        "exports_usd": mine.groupby("isic")["exports_usd"].sum(),
        "exports_t": mine.groupby("isic")["exports_t"].sum(min_count=1),
        "national_usd": est.groupby("isic")["exports_usd"].sum(),
    }).fillna({"exports_usd": 0.0}).rename_axis("isic").reset_index()
    by_isic["share"] = (by_isic["exports_usd"] / by_isic["national_usd"]).fillna(0.0)
    out = by_isic.sort_values("exports_usd", ascending=False).reset_index(drop=True)
    out.attrs.update(total_usd=float(mine["exports_usd"].sum()),
                     total_t=float(mine["exports_t"].fillna(0).sum()),
                     national_usd=float(est["exports_usd"].sum()),
                     weighed_usd=float(mine.loc[mine["exports_t"].notna(), "exports_usd"].sum()))
    return out


def province_part(potential: pd.DataFrame, exports: pd.DataFrame) -> pd.Series:
    """The province's part of each (market, product) row of ``potential``: its share of the
    country's exports of the product's activity (the first of ``isic``'s ';'-list; 0 when the
    province does not export it)."""
    share = exports.set_index("isic")["share"]
    first = potential["isic"].fillna("").astype(str).str.split(";").str[0]
    return first.map(share).fillna(0.0)


@dataclass
class MarketsRun:
    """What :func:`markets_from_file` and :func:`markets_from_workspace` found.

    Attributes
    ----------
    potential, candidates, over_time : DataFrame
        Export potential per (market, product) with country names (and ``isic`` given a
        concordance), diversification candidates, and exports by year (value and weight).
    notes : tuple of Message or str
        Assumptions and warnings of the analysis.
    exporter, markets
        ISO3 codes analysed.
    totals : DataFrame
        One row per market (index ``market``, in the order asked): ``potential_value``,
        ``actual_value``, ``unrealised_value`` (USD) and ``top_product`` (rank 1).
    market_names : dict
        ISO3 → :class:`~khooshe.text.messages.Bilingual` name, for every market.
    years : tuple of int
        Years of the flows used (file mode; empty on a workspace).
    rows : int or None
        Flow rows summarised (file mode).
    links, opportunities : DataFrame or None
        Workspace mode: the cluster ↔ product ↔ market links and the potential some
        cluster of ``province`` can serve (see :class:`WorkspaceMarkets`).
    province : str or None
        Workspace mode: the province whose clusters are linked.
    """

    potential: pd.DataFrame
    candidates: pd.DataFrame
    over_time: pd.DataFrame
    notes: tuple[Message | str, ...]
    exporter: str
    markets: tuple[str, ...]
    totals: pd.DataFrame
    market_names: dict[str, Bilingual]
    years: tuple[int, ...] = ()
    rows: int | None = None
    links: pd.DataFrame | None = None
    opportunities: pd.DataFrame | None = None
    province: str | None = None


def market_totals(potential: pd.DataFrame, markets: Sequence[str]) -> pd.DataFrame:
    """Potential, actual and unrealised value per market and its top product (rank 1)."""
    values = ["potential_value", "actual_value", "unrealised_value"]
    totals = potential.groupby("market")[values].sum().reindex(list(markets)).fillna(0.0)
    top = potential[potential["rank"] == 1].groupby("market")["product"].first()
    totals["top_product"] = top.reindex(totals.index).fillna("")
    totals.index.name = "market"
    return totals


def resolve_growth(growth: float | Mapping[str, float], markets: Sequence[str],
                   countries: pd.DataFrame | None = None) -> float | dict[str, float]:
    """Market import growth as :func:`khooshe.analysis.markets.analyse_markets` takes it:
    one rate, or rates per market keyed by anything :func:`~khooshe.io.countries.resolve_country`
    reads (ISO3, numeric code, English or Persian name) and resolved to ISO3.

    Raises
    ------
    UnknownCountryError, InputError
        An unknown country, or one that is not among ``markets``.
    """
    if not isinstance(growth, Mapping):
        return float(growth)
    out: dict[str, float] = {}
    for key, rate in growth.items():
        try:
            iso = resolve_country(key, countries)
        except UnknownCountryError as exc:
            raise UnknownCountryError(Message("markets.growth.unknown", {
                "problem": exc.localized or str(exc)})) from None
        if iso not in markets:
            raise InputError(Message("markets.growth.not_market", {
                "iso": iso, "markets": ", ".join(markets)}))
        out[iso] = float(rate)
    return out


def _request(exporter: str, markets: str | Sequence[str] | None,
             growth: float | Mapping[str, float]
             ) -> tuple[pd.DataFrame, str, list[str], float | dict[str, float]]:
    """The country table, the exporter and markets as ISO3 codes, and the growth by market."""
    table = load_countries()
    exp = resolve_country(exporter, table)
    targets = resolve_countries(DEFAULT_MARKETS if markets is None else markets, table)
    return table, exp, targets, resolve_growth(growth, targets, table)


def _names(table: pd.DataFrame, markets: Sequence[str]) -> dict[str, Bilingual]:
    rows = table.set_index("iso3")
    return {m: Bilingual(str(rows["name_fa"].get(m, m)), str(rows["name_en"].get(m, m)))
            for m in markets}


def markets_from_file(
    source: str | Path,
    *,
    exporter: str = DEFAULT_EXPORTER,
    markets: str | Sequence[str] | None = None,
    years: tuple[int, int] | int | None = None,
    format: TradeFormat = "auto",
    flow: str = "X",
    countries: str | Path | None = None,
    drop_unknown: bool = False,
    distances: str | Path | None = None,
    tariffs: str | Path | None = None,
    concordance: str | Path | None = None,
    growth: float | Mapping[str, float] = 0.0,
    on_progress: Callable[[str], None] | None = None,
    engine: Engine | None = None,
    **options: Any,
) -> MarketsRun:
    """Export potential of ``exporter`` in ``markets`` from a trade file.

    Parameters
    ----------
    source : path
        BACI (t,i,j,k,v,q), Comtrade CSV or khooshe flows; CSV, Parquet or XLSX, or a glob
        such as ``BACI_HS17_Y20*.csv``. Aggregated in DuckDB (the rows never reach pandas).
    exporter : str
        ISO3, numeric code or name (English or Persian).
    markets : str or sequence, optional
        Target markets (a comma-separated string is accepted); default
        :data:`~khooshe.domain.trade.DEFAULT_MARKETS`.
    years : (int, int) or int, optional
        Year window (:func:`khooshe.domain.parsing.parse_years` reads ``2019-2023``).
    format : {"auto", "baci", "comtrade", "flows"}
    flow : {"X", "M"}
        Comtrade: reported exports or imports.
    countries : path, optional
        BACI's country_codes file (numeric code → ISO3).
    drop_unknown : bool
        Drop rows with unmapped numeric country codes instead of failing.
    distances, tariffs, concordance : path, optional
        Distance table (default great-circle between capitals), tariff table, HS6 → ISIC
        table (adds ``isic``).
    growth : float or mapping
        Stated annual growth of the markets' imports, one rate or per market
        (:func:`resolve_growth`).
    on_progress : callable, optional
        Called with ``"read"`` before the trade file is read and ``"analyse"`` before the
        analysis.
    engine : Engine, optional
        Where the markets are analysed (:func:`analyse`): here by default, or one market per
        Dask task; the tables are the same.
    **options
        As :func:`khooshe.analysis.markets.analyse_markets` (``min_rca``, ``top_candidates``,
        ``base_years``, ``horizon``, ``trend_weight``, ``distance_elasticity``,
        ``tariff_elasticity``).

    Raises
    ------
    UnknownCountryError, TradeFileError, InputError, ValueError
        An unknown country, a malformed file, a market without imports…
    """
    table, exp, targets, market_growth = _request(exporter, markets, growth)
    baci_countries = None if countries is None else read_baci_countries(countries)
    dist = None if distances is None else read_distances(distances)
    tar = None if tariffs is None else read_tariffs(tariffs, exporter=exp)
    conc = None if concordance is None else read_concordance(concordance)
    if on_progress:
        on_progress("read")
    summary = summarise_trade_file(
        source, exporter=exp, markets=targets, years=years, format=format,
        countries=baci_countries, flow=flow, unknown="drop" if drop_unknown else "raise")
    if on_progress:
        on_progress("analyse")
    result = analyse(summary, engine=engine, market_growth=market_growth, distances=dist,
                     countries=table, tariffs=tar, **options)
    potential = mk.add_country_names(result.potential, table)
    candidates = mk.add_country_names(result.candidates, table)
    if conc is not None:
        potential = mk.attach_activities(potential, conc)
        candidates = mk.attach_activities(candidates, conc)
    return MarketsRun(potential=potential, candidates=candidates,
                      over_time=mk.add_country_names(result.over_time, table),
                      notes=tuple(result.notes), exporter=summary.exporter,
                      markets=tuple(summary.markets),
                      totals=market_totals(result.potential, summary.markets),
                      market_names=_names(table, summary.markets),
                      years=tuple(summary.years), rows=summary.rows)


def markets_from_workspace(
    ws: Workspace,
    *,
    province: str | None = None,
    exporter: str = DEFAULT_EXPORTER,
    markets: str | Sequence[str] | None = None,
    years: tuple[int, int] | int | None = None,
    distances: str | Path | None = None,
    tariffs: str | Path | None = None,
    concordance: str | Path | None = None,
    growth: float | Mapping[str, float] = 0.0,
    engine: Engine | None = None,
    **options: Any,
) -> MarketsRun:
    """:func:`workspace_markets` (on ``engine``) with the countries resolved as in
    :func:`markets_from_file`, side tables read from files (``concordance`` replaces the
    products' ``isic`` for the cluster links) and the per-market totals."""
    table, exp, targets, market_growth = _request(exporter, markets, growth)
    if concordance is not None:
        options["hs_isic"] = read_concordance(concordance)
    if distances is not None:
        options["distances"] = read_distances(distances)
    if tariffs is not None:
        options["tariffs"] = read_tariffs(tariffs, exporter=exp)
    result = workspace_markets(ws, province=province, exporter=exp, markets=targets,
                               years=years, market_growth=market_growth, engine=engine,
                               **options)
    return MarketsRun(potential=result.potential, candidates=result.candidates,
                      over_time=result.over_time, notes=tuple(result.notes),
                      exporter=result.exporter, markets=result.markets,
                      totals=market_totals(result.potential, result.markets),
                      market_names=_names(table, result.markets), links=result.links,
                      opportunities=result.opportunities, province=province)
