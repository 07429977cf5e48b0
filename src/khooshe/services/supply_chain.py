"""Closing a province's supply chains (seeds R8 and R10) on a workspace, and IO multipliers
from files.

:func:`workspace_supply_chain` regionalises the workspace's national input–output table to the
province with Flegg's location quotient (employment of the establishment register, so the
province and the nation are measured alike), then takes the large buyers' purchases made
outside the province and matches them with the province's operating establishments of the
same ISIC class (:func:`khooshe.analysis.supply_chain.match_suppliers`): the most value
localised, small and medium suppliers first, then the shortest distances. It reports every
link with the jobs it would create (the supplier sector's jobs per rial of output times its
regional Type I employment multiplier), the *missing links* (inputs no local firm makes:
openings for new firms or clusters, passed on as candidate activities) and the province's
local sourcing share per sector before and after.

A supplier is assumed able to supply :data:`CAPACITY_SHARE` of its annual output to new buyers
(it keeps selling the rest as today); ``capacity_share`` changes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from khooshe.analysis import supply_chain as sc
from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.regions import RegionHierarchy
from khooshe.domain.schema import entity
from khooshe.domain.validate import validate
from khooshe.io.reference import isic_names
from khooshe.io.tables import read_table
from khooshe.services.frames import establishments_with_regions
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Message, t

#: Share of a local supplier's annual output it can sell to new buyers.
CAPACITY_SHARE = 0.3
#: Sizes that count as small and medium firms (seed R10: large industries buy from them).
SME_SIZES = ("micro", "small", "medium")
LINK_COLUMNS = ("buyer_id", "buyer_name", "input_isic", "input_fa", "input_en", "bought_in_fa",
                "bought_in_en", "supplier_id", "supplier_name", "supplier_county",
                "supplier_sme", "value_rials", "distance_km", "jobs")
MISSING_COLUMNS = ("input_isic", "input_fa", "input_en", "value_rials", "buyers",
                   "local_suppliers")


class NoPurchasesError(InputError):
    """No purchases of the province's buyers are recorded (nothing to match)."""


def sourcing_only(ws: Workspace, province: str, *, delta: float = sc.DEFAULT_DELTA,
                  method: str = "flq") -> pd.DataFrame:
    """The province's local sourcing share per sector from the regionalised table alone (no
    buyers to match), as :attr:`SupplyChainResult.sourcing`."""
    table, sectors = _table(ws)
    region, *_ = _regionalised(ws, province, table, sectors, delta, method)
    return _sourcing(region, table, sectors, np.zeros(table.n))


@dataclass
class SupplyChainResult:
    """What :func:`workspace_supply_chain` found; tables described in the module docstring."""

    province: str
    links: pd.DataFrame
    missing: pd.DataFrame
    sourcing: pd.DataFrame
    buyers: pd.DataFrame
    multipliers: pd.DataFrame
    localised_rials: float
    outside_rials: float
    jobs: float
    income_rials: float
    optimal: bool
    candidate_activities: list[str] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)


# --- Files ------------------------------------------------------------------------------------
def read_io_files(sectors: str | Path, flows: str | Path) -> sc.IOTable:
    """An IO table from files in the ``io_sectors`` / ``io_flows`` layout, validated like an
    import (every problem named by row and column), then checked to add up."""
    sec = validate(read_table(sectors), entity("io_sectors"), source=Path(sectors).name)
    known = {"io_sectors.sector": set(sec["sector"])}
    flo = validate(read_table(flows), entity("io_flows"), known=known, source=Path(flows).name)
    return sc.io_table(sec, flo)


def multipliers_from_files(sectors: str | Path, flows: str | Path) -> pd.DataFrame:
    """``khooshe supply-chain multipliers``: one row per sector (see
    :data:`khooshe.analysis.supply_chain.MULTIPLIER_COLUMNS`)."""
    return sc.multipliers_table(read_io_files(sectors, flows))


# --- Workspace --------------------------------------------------------------------------------
def _table(ws: Workspace) -> tuple[sc.IOTable, pd.DataFrame]:
    sectors = read_kind(ws, "io_sectors")
    if sectors.empty:
        raise InputError("the workspace has no input–output table (io_sectors, io_flows); "
                         "import one first")
    national = sectors[sectors["scope"].isna()] if sectors["scope"].notna().any() else sectors
    flows = read_kind(ws, "io_flows")
    flows = flows[flows["from_sector"].isin(national["sector"])
                  & flows["to_sector"].isin(national["sector"])]
    return sc.io_table(national, flows), national


def _regionalised(ws: Workspace, province: str, table: sc.IOTable, sectors: pd.DataFrame,
                  delta: float, method: str):
    """The table regionalised to ``province`` on the register's employment, and what that
    needed: the hierarchy, the operating establishments (all, the province's), ISIC → sector."""
    regions = read_kind(ws, "regions", columns=["code", "level", "parent_code", "name_fa",
                                             "name_en"])
    h = RegionHierarchy(regions)
    h.check(province, "province")
    sector_of = _sector_of_isic(sectors)
    # the country's employment needs three columns; the province's records all of theirs
    est = establishments_with_regions(ws, statuses=("operating",),
                                      columns=["id", "isic", "employees"])
    mine = establishments_with_regions(ws, province=province, statuses=("operating",))
    national = _register_employment(est, sector_of, table.sectors)
    regional = _register_employment(mine, sector_of, table.sectors)
    if regional.sum() <= 0:
        raise InputError(f"province {province} has no operating establishment in the IO "
                         "table's sectors")
    reg_table = sc.IOTable(table.sectors, table.flows, table.output,
                           employment=national.to_numpy())
    share = np.where(national > 0, regional / np.where(national > 0, national, 1), 0.0)
    region = sc.regionalise(reg_table, regional.to_numpy(), method=method, delta=delta,
                            output=table.output * share)
    return region, h, est, mine, sector_of


def _sector_of_isic(sectors: pd.DataFrame) -> dict[str, str]:
    out: dict[str, str] = {}
    for sector, listed in zip(sectors["sector"], sectors["isic"].fillna(""), strict=True):
        for isic in str(listed).split(";"):
            if isic.strip():
                out.setdefault(isic.strip(), str(sector))
    return out


def _register_employment(est: pd.DataFrame, sector_of: dict[str, str],
                         sectors: np.ndarray) -> pd.Series:
    sector = est["isic"].map(sector_of)
    jobs = est["employees"].fillna(0).astype(float)
    return jobs.groupby(sector).sum().reindex(sectors).fillna(0.0)


def _outside_purchases(ws: Workspace, h: RegionHierarchy, province: str,
                       buyer_ids: set[str]) -> pd.DataFrame:
    purchases = read_kind(ws, "purchases")
    purchases = purchases[purchases["buyer_id"].isin(buyer_ids)].copy()
    inside = purchases["supplier_region"].notna() & h.contains(
        province, purchases["supplier_region"].fillna(""))
    purchases["outside"] = ~inside
    return purchases


def workspace_supply_chain(
    ws: Workspace,
    province: str,
    *,
    buyer: str | None = None,
    delta: float = sc.DEFAULT_DELTA,
    method: str = "flq",
    capacity_share: float = CAPACITY_SHARE,
    max_km: float | None = None,
) -> SupplyChainResult:
    """The supply chains of ``province`` (see the module docstring).

    Parameters
    ----------
    buyer : str, optional
        Only this establishment's purchases; when it has none recorded, its inputs are
        estimated from its sector's column of the regional table and its output.
    delta, method
        The regionalisation (:func:`khooshe.analysis.supply_chain.regionalise`).
    capacity_share : float
        Share of a supplier's output it can sell to new buyers.
    max_km : float, optional
        Longest link considered.
    """
    if not 0 < capacity_share <= 1:
        raise InputError(f"capacity_share must be in (0, 1], not {capacity_share!r}")
    table, sectors = _table(ws)
    region, h, est, mine, sector_of = _regionalised(ws, province, table, sectors, delta, method)
    jobs_per_output = np.where(table.output > 0, (table.employment if table.employment
                                                  is not None else 0) / table.output, 0.0)
    income_per_output = (np.where(table.output > 0, table.compensation / table.output, 0.0)
                         if table.compensation is not None else None)
    emp_mult = sc.column_weighted_sums(region["regional"], jobs_per_output)
    with np.errstate(divide="ignore", invalid="ignore"):
        type1 = np.where(jobs_per_output > 0, emp_mult / jobs_per_output, np.nan)
    multipliers = pd.DataFrame({"sector": table.sectors,
                                "output_multiplier": region["output_multipliers"],
                                "employment_multiplier_type1": type1,
                                "jobs_per_bn_rials": jobs_per_output * 1e9})

    notes: list[Message] = [Message("supply_chain.note_capacity",
                                    {"share": capacity_share})]
    buyers, demands = _demands(ws, h, province, est, mine, buyer, region, table, sector_of,
                               notes)
    suppliers = _suppliers(mine, set(demands["isic"]), set(demands["buyer_id"]),
                           capacity_share, table, sector_of)
    match = sc.match_suppliers(demands[list(sc.DEMAND_COLUMNS)], suppliers, max_km=max_km)
    names = isic_names()
    links = _links(match, demands, suppliers, mine, sector_of, table.sectors, emp_mult, names)
    missing = _missing(demands, suppliers, names)
    injection = links.groupby(links["supplier_id"].map(
        suppliers.set_index("supplier_id")["sector"]))["value_rials"].sum().reindex(
        table.sectors).fillna(0.0).to_numpy()
    effects = sc.substitution_effects(region["regional"], injection,
                                      jobs_per_output=jobs_per_output,
                                      income_per_output=income_per_output)
    bought_by = links.groupby(links["buyer_id"].map(mine.set_index("id")["isic"])
                              .map(sector_of))["value_rials"].sum()
    sourcing = _sourcing(region, table, sectors,
                         bought_by.reindex(table.sectors).fillna(0.0).to_numpy())
    return SupplyChainResult(
        province=province, links=links, missing=missing, sourcing=sourcing, buyers=buyers,
        multipliers=multipliers, localised_rials=float(match.total),
        outside_rials=float(demands["value"].sum()), jobs=float(effects["jobs"].sum()),
        income_rials=float(effects["income"].sum()) if "income" in effects else float("nan"),
        optimal=match.optimal, candidate_activities=missing["input_isic"].tolist(),
        notes=notes)


def _demands(ws, h, province, est, mine, buyer, region, table, sector_of, notes):
    """The buyers and one demand per outside purchase (or per estimated input)."""
    if buyer is not None:
        if buyer not in set(mine["id"]):
            raise NotFoundError(Message("supply_chain.refuse.not_buyer",
                                        {"buyer": buyer, "province": province}))
        buyer_ids = {buyer}
    else:
        buyer_ids = set(read_kind(ws, "purchases", columns=["buyer_id"])["buyer_id"]) & set(
            mine["id"])
    if not buyer_ids:
        raise NoPurchasesError(f"no purchases of a buyer in province {province} are "
                               "recorded; import purchases, or name a buyer with --buyer to "
                               "estimate its inputs from the regional table")
    purchases = _outside_purchases(ws, h, province, buyer_ids)
    info = mine.set_index("id")
    if purchases.empty:  # one named buyer without records: estimate from its sector's column
        purchases = _estimated(buyer, info, region, table, sector_of)
        notes.append(Message("supply_chain.note_estimated", {"buyer": buyer}))
    outside = purchases[purchases["outside"]]
    demands = outside.groupby(["buyer_id", "input_isic"], as_index=False)["value_rials"].sum()
    # where each input is bought today: the provinces of its outside suppliers (estimated
    # inputs have none), by name
    if "supplier_region" in outside.columns:
        origin = outside.assign(province=h.ancestor_of(
            outside["supplier_region"].fillna("").astype(str), "province"))
        named = h.regions.set_index("code")
        sep = {lang: t("common.list_separator", lang) for lang in ("fa", "en")}
        for lang in ("fa", "en"):
            where = origin.dropna(subset=["province"]).groupby(["buyer_id", "input_isic"])[
                "province"].agg(lambda s, lang=lang: sep[lang].join(sorted(
                    {str(named.at[p, f"name_{lang}"]) for p in s})))
            demands[f"bought_in_{lang}"] = pd.MultiIndex.from_frame(
                demands[["buyer_id", "input_isic"]]).map(where.to_dict()).fillna("")
    for lang in ("fa", "en"):
        if f"bought_in_{lang}" not in demands.columns:
            demands[f"bought_in_{lang}"] = ""
    demands = demands.assign(
        demand_id=demands["buyer_id"] + ":" + demands["input_isic"], isic=demands["input_isic"],
        value=demands["value_rials"].astype(float),
        lat=demands["buyer_id"].map(info["lat"]).astype(float),
        lon=demands["buyer_id"].map(info["lon"]).astype(float))
    buyers = (purchases.groupby("buyer_id")
              .agg(bought_rials=("value_rials", "sum"))
              .join(outside.groupby("buyer_id")["value_rials"].sum().rename("outside_rials"))
              .fillna(0.0).reset_index())
    buyers.insert(1, "name", buyers["buyer_id"].map(info["name"]))
    return buyers, demands


def _estimated(buyer: str, info: pd.DataFrame, region: dict, table: sc.IOTable,
               sector_of: dict[str, str]) -> pd.DataFrame:
    """A buyer's outside purchases from its sector's regional column: the leakage
    ``(a_ij − r_ij) × its output`` per input sector i, at the sector's main ISIC class."""
    row = info.loc[buyer]
    sector = sector_of.get(str(row["isic"]))
    output = float(row["annual_output_rials"]) if pd.notna(row["annual_output_rials"]) else 0.0
    if sector is None or output <= 0:
        raise InputError(f"establishment {buyer}: no purchases recorded and no output or IO "
                         "sector to estimate them from")
    j = list(table.sectors).index(sector)
    leak = (region["national"][:, j] - region["regional"][:, j]) * output
    first_isic: dict[str, str] = {}
    for isic, s in sorted(sector_of.items()):
        first_isic.setdefault(s, isic)
    rows = [{"buyer_id": buyer, "input_isic": first_isic.get(str(s)), "value_rials": v,
             "outside": True} for s, v in zip(table.sectors, leak, strict=True) if v > 0]
    return pd.DataFrame(rows).dropna(subset=["input_isic"])


def _suppliers(mine: pd.DataFrame, classes: set[str], buyers: set[str], capacity_share: float,
               table: sc.IOTable, sector_of: dict[str, str]) -> pd.DataFrame:
    s = mine[mine["isic"].isin(classes) & ~mine["id"].isin(buyers)].copy()
    sector = s["isic"].map(sector_of)
    pos = {c: i for i, c in enumerate(table.sectors)}
    per_job = np.where(table.employment > 0, table.output / table.employment, 0.0) \
        if table.employment is not None else np.zeros(table.n)
    estimate = s["employees"].fillna(0).astype(float) * sector.map(
        lambda c: per_job[pos[c]] if c in pos else 0.0).astype(float)
    output = s["annual_output_rials"].astype(float).where(s["annual_output_rials"].notna(),
                                                        estimate)
    sme = s["size_class"].isin(SME_SIZES) | (s["size_class"].isna()
                                             & (s["employees"].fillna(0) < 100))
    return pd.DataFrame({"supplier_id": s["id"].to_numpy(), "isic": s["isic"].to_numpy(),
                         "capacity": (output * capacity_share).fillna(0.0).to_numpy(),
                         "lat": s["lat"].astype(float).to_numpy(),
                         "lon": s["lon"].astype(float).to_numpy(),
                         "sme": sme.to_numpy(dtype=bool), "sector": sector.to_numpy()})


def _links(match, demands, suppliers, mine, sector_of, sectors, emp_mult, names):
    info = mine.set_index("id")
    d = demands.set_index("demand_id")
    per_rial = dict(zip(sectors, emp_mult, strict=True))  # jobs per rial of final demand
    links = match.links
    out = pd.DataFrame({
        "buyer_id": links["demand_id"].map(d["buyer_id"]),
        "input_isic": links["demand_id"].map(d["isic"]),
        "supplier_id": links["supplier_id"],
        "value_rials": links["value"].round(),
        "distance_km": links["distance_km"],
    })
    out["buyer_name"] = out["buyer_id"].map(info["name"])
    for lang in ("fa", "en"):
        out[f"bought_in_{lang}"] = links["demand_id"].map(d[f"bought_in_{lang}"]).fillna("")
    out["supplier_name"] = out["supplier_id"].map(info["name"])
    out["supplier_county"] = out["supplier_id"].map(info["county"])
    out["supplier_sme"] = out["supplier_id"].map(suppliers.set_index("supplier_id")["sme"])
    out["input_fa"] = out["input_isic"].map(names["name_fa"])
    out["input_en"] = out["input_isic"].map(names["name_en"])
    sector = out["input_isic"].map(sector_of)
    out["jobs"] = out["value_rials"] * sector.map(per_rial).fillna(0.0)
    return out[list(LINK_COLUMNS)].sort_values("value_rials", ascending=False,
                                               ignore_index=True)


def _missing(demands: pd.DataFrame, suppliers: pd.DataFrame, names: pd.DataFrame
             ) -> pd.DataFrame:
    """Inputs bought outside that no local establishment makes, ranked by value."""
    made = set(suppliers["isic"])
    gone = demands[~demands["isic"].isin(made)]
    out = gone.groupby("isic").agg(value_rials=("value", "sum"),
                                   buyers=("buyer_id", lambda s: ";".join(sorted(set(s)))))
    out = out.reset_index().rename(columns={"isic": "input_isic"})
    out["input_fa"] = out["input_isic"].map(names["name_fa"])
    out["input_en"] = out["input_isic"].map(names["name_en"])
    out["local_suppliers"] = 0
    return out[list(MISSING_COLUMNS)].sort_values("value_rials", ascending=False,
                                                  ignore_index=True)


def _sourcing(region: dict, table: sc.IOTable, sectors: pd.DataFrame,
              localised: np.ndarray) -> pd.DataFrame:
    """Per sector: purchases of the province's producers, the local share before and after the
    matched links (``localised``: value the links move home, by the buyers' sectors)."""
    bought = region["purchases"].sum(axis=0)
    local = region["local"].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        before = np.where(bought > 0, local / bought, np.nan)
    names = sectors.set_index("sector")
    out = pd.DataFrame({"sector": table.sectors,
                        "name_fa": names.reindex(table.sectors)["name_fa"].to_numpy(),
                        "name_en": names.reindex(table.sectors)["name_en"].to_numpy(),
                        "purchases_rials": bought, "local_rials": local,
                        "local_share_before": before,
                        "localised_rials": localised})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["local_share_after"] = np.where(bought > 0, np.minimum(
            (local + localised) / np.where(bought > 0, bought, 1.0), 1.0), np.nan)
    total_bought, total_local = bought.sum(), local.sum()
    out.attrs["province_share_before"] = total_local / total_bought if total_bought else np.nan
    out.attrs["province_share_after"] = ((total_local + localised.sum()) / total_bought
                                         if total_bought else np.nan)
    return out


__all__ = ["CAPACITY_SHARE", "LINK_COLUMNS", "MISSING_COLUMNS", "NoPurchasesError",
           "SupplyChainResult", "sourcing_only",
           "multipliers_from_files", "read_io_files",
           "workspace_supply_chain"]
