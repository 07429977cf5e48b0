"""Synthetic world trade from latent capabilities (countries, HS6 products, bilateral flows).

Model (Hidalgo & Hausmann 2009, "The building blocks of economic complexity", PNAS 106(26);
the binomial capability model of Hausmann & Hidalgo 2011, J. Econ. Growth 16)::

    C[c, k] = 1  if country c has capability k       (k = 1…K know-how + natural endowments)
    R[p, k] = 1  if product p requires capability k
    m[c, p] = Σ_k R[p, k] (1 − C[c, k])                    missing capabilities
    ln X[c, p] = 0.7 ln GDP_c + ln W_p − 1.1 m[c, p] + ε,  ε ~ N(0, 0.9²)

Know-how capability k has difficulty d_k = (k + ½)/K; a country of development level ℓ_c ∈ [0,1]
(from its GDP per head, with a few stated adjustments) has it with probability
σ((ℓ_c − d_k)/0.06); a product of complexity q_p (by its ISIC division, plus noise) requires each
capability with d_k ≤ q_p with probability ½. A product that needs a natural endowment (oil,
ores, tropical, …, ``products.csv``) counts 2.5 missing capabilities in a country without it.
Countries that have many capabilities make many products, and products needing many
capabilities are made by few countries, so the country × product matrix is nested and ECI/PCI
are meaningful. Iran-specific multipliers (carpets, pistachios, saffron, dates, steel,
petrochemicals, cement, bitumen up; tea and crude oil down) make the synthetic Iran look like
Iran in trade statistics.

Exports X[c, p] are kept for the 40 % largest cells — plus, so that nothing is empty, each
product's three largest exporters, each country's five largest products and Iran's signature
products (within e^1.5 of the largest exporter) — and split among importers by a gravity model
with random selection (Gumbel top-n)::

    ln w[c, d, p] = 0.85 ln GDP_d − ln dist(c, d) + 0.8·[dist < 1500 km] + b_d
                    + 0.35 min(m[d, p], 4) + a[d, p] + Gumbel noise

where ``b_d`` favours entrepôts and import-hungry neighbours (Iraq, Afghanistan, UAE, Kuwait, …)
the next term makes countries import what they cannot make and ``a[d, p]`` encodes known import
needs (Iran's tea, rice and feed; Iraq's food and building materials). The number of partners grows
with log X. The base flows are repeated for 2019–2023 with a world cycle (2020 dip), exporter
trends, noise and the occasional missing year for small flows. ``quantity_t`` is value divided by
a unit value (USD/t by HS chapter, with overrides), with noise; about 2 % are missing, as in
BACI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khooshe.demo.config import TRADE_YEARS
from khooshe.demo.data import table
from khooshe.domain.geo import haversine_km

N_KNOWHOW = 24
NATURALS = ("oil", "ores", "tropical", "temperate", "arid", "mediterranean", "coast", "pasture",
            "forest")

#: Typical unit value (USD per tonne) by HS chapter.
CHAPTER_UNIT_VALUE = {
    "01": 2000, "02": 4000, "03": 3000, "04": 2500, "05": 1500, "06": 3000, "07": 700,
    "08": 1500, "09": 3000, "10": 300, "11": 500, "12": 600, "13": 5000, "14": 1500, "15": 1100,
    "16": 4000, "17": 500, "18": 5000, "19": 2000, "20": 1200, "21": 3000, "22": 600, "23": 350,
    "24": 8000, "25": 60, "26": 120, "27": 450, "28": 400, "29": 800, "30": 30000, "31": 350,
    "32": 2500, "33": 6000, "34": 1500, "35": 3000, "36": 3000, "38": 2000, "39": 1300,
    "40": 2500, "41": 2000, "42": 20000, "43": 50000, "44": 400, "47": 600, "48": 900,
    "49": 5000, "50": 40000, "51": 5000, "52": 2000, "54": 2000, "55": 1800, "56": 2500,
    "57": 8000, "60": 5000, "61": 20000, "62": 25000, "63": 4000, "64": 15000, "68": 300,
    "69": 500, "70": 800, "71": 30000, "72": 600, "73": 1500, "74": 8000, "76": 3000, "78": 2200,
    "79": 3000, "82": 8000, "83": 6000, "84": 15000, "85": 20000, "86": 4000, "87": 10000,
    "88": 200000, "89": 5000, "90": 50000, "94": 3000, "95": 6000, "96": 5000,
}
UNIT_VALUE_OVERRIDES = {
    "091020": 1_500_000, "160431": 1_000_000, "160432": 60_000, "080251": 8000, "080252": 14000,
    "080410": 1000, "570110": 40000, "570190": 100000, "570210": 20000, "090240": 3000,
    "270900": 520, "271121": 250, "271111": 500, "252329": 50, "252310": 40, "260111": 90,
    "260112": 130, "720310": 300, "720711": 520, "721420": 600, "290511": 300, "310210": 350,
    "390110": 1100, "390120": 1100, "390210": 1000, "271320": 350, "710813": 60_000_000,
    "711319": 40_000_000, "710691": 700_000, "711311": 1_000_000, "711790": 20_000,
    "851712": 1_300_000, "854231": 5_000_000, "847130": 150_000, "300220": 200_000,
    "300490": 40_000, "740311": 8500, "760110": 2300, "790111": 3000, "330129": 60_000,
    "330190": 3000, "130190": 15_000, "121190": 3000, "090111": 3500, "400122": 1600,
}
#: Products without a meaningful weight in tonnes (BACI reports electricity in MWh).
NO_QUANTITY = {"271600"}
#: Product complexity (0–1) by ISIC division of the producing activity.
DIVISION_COMPLEXITY = {
    "01": 0.08, "02": 0.10, "03": 0.12, "05": 0.10, "06": 0.05, "07": 0.10, "08": 0.12,
    "09": 0.20, "10": 0.25, "11": 0.30, "12": 0.30, "13": 0.30, "14": 0.35, "15": 0.32,
    "16": 0.30, "17": 0.45, "18": 0.45, "19": 0.35, "20": 0.55, "21": 0.75, "22": 0.52,
    "23": 0.42, "24": 0.48, "25": 0.55, "26": 0.88, "27": 0.72, "28": 0.80, "29": 0.75,
    "30": 0.85, "31": 0.40, "32": 0.60, "35": 0.30, "38": 0.20,
}
#: Development-level adjustments: industrial economies are more capable than their income
#: suggests, rich oil exporters less.
LEVEL_ADJUST = {
    "CHN": 0.22, "IND": 0.12, "TUR": 0.10, "MEX": 0.12, "MYS": 0.10, "THA": 0.10, "VNM": 0.15,
    "KOR": 0.06, "JPN": 0.08, "DEU": 0.06, "CZE": 0.06, "POL": 0.05, "HUN": 0.05, "IRN": 0.06,
    "QAT": -0.32, "KWT": -0.30, "ARE": -0.22, "SAU": -0.25, "BHR": -0.22, "OMN": -0.22,
    "NOR": -0.12, "IRL": -0.08, "AUS": -0.15, "BRN": -0.3, "LBY": -0.05,
}
#: World market size multipliers for the biggest traded products.
MARKET_SIZE = {
    "270900": 60, "271019": 15, "271012": 15, "271111": 8, "271121": 8, "870323": 10,
    "851712": 10, "847130": 6, "300490": 6, "854231": 10, "710813": 6, "870899": 6,
    "100199": 3, "120190": 3, "260111": 4, "740311": 3, "390120": 2, "290511": 1.5,
}
#: Log-multipliers of Iran's export capacity, by HS6 prefix (longest prefix wins) or ISIC.
IRAN_HS = {
    "5701": 2.2, "5702": 1.5, "080410": 1.4, "080251": 2.2, "080252": 2.0, "091020": 2.4,
    "271320": 2.1, "200290": 1.4, "330190": 1.4, "130190": 1.6, "130212": 1.4, "2523": 1.8,
    "3102": 1.4, "0902": -3.0, "2101": -1.0, "270900": 0.3, "271121": 1.0, "0810": 0.7, "0806": 1.0,
    "0813": 1.0, "1704": 1.0, "6802": 1.2, "2601": 1.0, "7203": 1.5,
}
IRAN_ISIC = {"2410": 1.1, "2011": 1.1, "2013": 1.4, "2220": 0.7, "2394": 1.8}
#: Importer biases b_d (log units).
IMPORT_BIAS = {
    "IRQ": 0.9, "KWT": 0.6, "AFG": 0.7, "ARE": 0.9, "TKM": 0.3, "AZE": 0.3, "ARM": 0.3,
    "OMN": 0.3, "QAT": 0.3, "BHR": 0.2, "HKG": 0.5, "SGP": 0.4, "NLD": 0.4, "BEL": 0.3,
}
#: Importer × product biases (log units, by HS prefix): Iran imports tea, rice, feed grains and
#: oilseeds; Iraq imports food and building materials from its neighbours.
IMPORT_PRODUCT_BIAS = {
    ("IRN", "0902"): 3.0, ("IRN", "1006"): 2.0, ("IRN", "1005"): 1.5, ("IRN", "1201"): 1.5,
    ("IRN", "1507"): 1.5, ("IRN", "1511"): 1.5, ("IRN", "0901"): 1.0, ("IRN", "1701"): 1.0,
    ("IRQ", "02"): 1.0, ("IRQ", "04"): 1.0, ("IRQ", "19"): 1.0, ("IRQ", "2523"): 1.5,
    ("IRQ", "72"): 1.0, ("IRQ", "39"): 0.8, ("AFG", "1101"): 1.5, ("AFG", "1516"): 1.0,
}
YEAR_EFFECT = {2019: 1.0, 2020: 0.91, 2021: 1.14, 2022: 1.24, 2023: 1.18}
#: World total of the base year (USD) for the ~800 products.
WORLD_TOTAL_USD = 6.0e12


def load_countries() -> pd.DataFrame:
    """Countries from ``countries.csv`` with numeric columns typed."""
    c = table("countries.csv")
    c["numeric"] = c["numeric"].astype(np.int64)
    for col in ("lat", "lon", "gdp_pc"):
        c[col] = c[col].astype(float)
    c["population"] = c["population"].astype(np.int64)
    return c


def load_products() -> pd.DataFrame:
    """Products from ``products.csv`` with a unit value (USD per tonne) and a complexity."""
    p = table("products.csv")
    chapter = p["hs6"].str[:2]
    p["unit_value"] = chapter.map(CHAPTER_UNIT_VALUE).astype(float)
    # plastics in primary forms (3901–3914) are cheaper than articles of plastics
    primary = (chapter == "39") & (p["hs6"].str[2:4].astype(int) <= 14)
    p.loc[primary, "unit_value"] = 1200.0
    p.loc[~primary & (chapter == "39"), "unit_value"] = 2600.0
    over = p["hs6"].map(UNIT_VALUE_OVERRIDES)
    p["unit_value"] = over.fillna(p["unit_value"]).astype(float)
    p["complexity"] = p["isic"].str[:2].map(DIVISION_COMPLEXITY).fillna(0.4).astype(float)
    return p


def isic_unit_values() -> pd.Series:
    """Median unit value (USD per tonne) of the products of each ISIC class."""
    p = load_products()
    return p.groupby("isic")["unit_value"].median()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _iran_boost(products: pd.DataFrame) -> np.ndarray:
    hs = products["hs6"].to_numpy()
    boost = products["isic"].map(IRAN_ISIC).fillna(0.0).to_numpy(dtype=float)
    for n in (4, 6):  # longer prefixes override shorter ones
        for prefix, v in IRAN_HS.items():
            if len(prefix) == n:
                boost[np.char.startswith(hs.astype(str), prefix)] = v
    return boost


def build_trade(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Countries, products and bilateral trade flows 2019–2023 (see the module docstring)."""
    countries = load_countries()
    products = load_products()
    n_c, n_p = len(countries), len(products)
    iso = countries["iso3"].to_numpy()

    # -- capabilities --------------------------------------------------------------------
    gdp_pc = countries["gdp_pc"].to_numpy()
    level = (np.log(gdp_pc) - np.log(0.35)) / (np.log(110) - np.log(0.35))
    level = level + countries["iso3"].map(LEVEL_ADJUST).fillna(0.0).to_numpy()
    level = level + rng.normal(0, 0.04, n_c)
    d = (np.arange(N_KNOWHOW) + 0.5) / N_KNOWHOW
    has = rng.random((n_c, N_KNOWHOW)) < _sigmoid((level[:, None] - d[None, :]) / 0.06)
    q = np.clip(products["complexity"].to_numpy() + rng.normal(0, 0.06, n_p), 0.02, 0.98)
    needs = (d[None, :] <= q[:, None]) & (rng.random((n_p, N_KNOWHOW)) < 0.5)
    top = np.clip(np.floor(q * N_KNOWHOW - 0.5).astype(int), 0, N_KNOWHOW - 1)
    needs[np.arange(n_p), top] = True
    endow = np.array([[nat in set(e.split(";")) for nat in NATURALS]
                      for e in countries["endow"]])
    nat_need = np.array([[nat == x for nat in NATURALS] for x in products["natural"]])
    missing = (needs.astype(float) @ (~has).T.astype(float)
               + 2.5 * nat_need.astype(float) @ (~endow).T.astype(float))  # p × c

    # -- export capacity X[c, p] ----------------------------------------------------------------
    gdp = countries["population"].to_numpy() * gdp_pc * 1e3
    size = products["hs6"].map(MARKET_SIZE).fillna(1.0).to_numpy() * rng.lognormal(0, 0.8, n_p)
    log_x = (0.7 * np.log(gdp)[None, :] + np.log(size)[:, None] - 1.1 * missing
             + rng.normal(0, 0.9, (n_p, n_c)))
    boost_iran = _iran_boost(products)
    log_x[:, iso == "IRN"] += boost_iran[:, None]
    log_x = log_x.T  # c × p
    threshold = np.quantile(log_x, 0.60)
    # every product has at least its three largest exporters, every country its five largest
    # products, and Iran exports what it is known for (its positive multipliers)
    top3 = np.argsort(-log_x, axis=0)[:3]
    log_x[top3, np.arange(n_p)[None, :]] = np.maximum(log_x[top3, np.arange(n_p)[None, :]],
                                                      threshold + 0.5)
    top5 = np.argsort(-log_x, axis=1)[:, :5]
    rows = np.arange(n_c)[:, None]
    log_x[rows, top5] = np.maximum(log_x[rows, top5], threshold + 0.3)
    signature = np.flatnonzero(boost_iran >= 1.0)
    irn = int(np.flatnonzero(iso == "IRN")[0])
    floor = np.maximum(threshold + 3.0, log_x[:, signature].max(axis=0) - 1.5)
    log_x[irn, signature] = np.maximum(log_x[irn, signature], floor)
    keep = log_x > threshold
    ci, pi = np.nonzero(keep)
    lx = log_x[ci, pi]
    x = np.exp(lx - lx.max())
    x *= WORLD_TOTAL_USD / x.sum()

    # -- importers: gravity with Gumbel top-n selection ----------------------------------------
    lat, lon = countries["lat"].to_numpy(), countries["lon"].to_numpy()
    dist = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(dist, 1.0)
    bias = countries["iso3"].map(IMPORT_BIAS).fillna(0.0).to_numpy()
    pair_w = (0.85 * np.log(gdp)[None, :] - np.log(np.maximum(dist, 50.0))
              + 0.8 * (dist < 1500) + bias[None, :])  # exporter × importer
    np.fill_diagonal(pair_w, -np.inf)
    affinity = np.zeros((n_p, n_c))  # product × importer
    hs = products["hs6"].to_numpy().astype(str)
    for (imp, prefix), v in IMPORT_PRODUCT_BIAS.items():
        affinity[np.char.startswith(hs, prefix), np.flatnonzero(iso == imp)[0]] += v
    det = (pair_w[ci, :] + 0.35 * np.minimum(missing[pi, :], 4.0)
           + affinity[pi, :])  # flows × importer
    score = det + rng.gumbel(size=det.shape)
    n_dest = np.clip(np.floor(1 + 2.0 * (lx - threshold) / np.log(10) + rng.random(len(lx))),
                     1, 35).astype(int)
    order = np.argsort(-score, axis=1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(n_c)[None, :], axis=1)
    chosen = rank < n_dest[:, None]
    fi, di = np.nonzero(chosen)
    w = np.exp(det[fi, di] - det.max(axis=1)[fi] + rng.normal(0, 0.4, len(fi)))
    share = w / np.bincount(fi, weights=w, minlength=len(lx))[fi]
    base = x[fi] * share
    exporter, importer, product = ci[fi], di, pi[fi]

    # -- five years ----------------------------------------------------------------------------
    trend = rng.normal(0.03, 0.03, n_c)
    frames = []
    small = np.clip(0.22 - 0.05 * np.log10(base / base.min()), 0.02, 0.22)
    for t, year in enumerate(TRADE_YEARS):
        present = rng.random(len(base)) >= small
        v = (base * YEAR_EFFECT[year] * np.exp(trend[exporter] * (t - 2))
             * rng.lognormal(0, 0.25, len(base)))[present]
        frames.append(pd.DataFrame({
            "year": np.int64(year), "e": exporter[present], "i": importer[present],
            "p": product[present], "value_usd": np.maximum(np.round(v, 0), 1.0),
        }))
    flows = pd.concat(frames, ignore_index=True)
    uv = products["unit_value"].to_numpy()[flows["p"].to_numpy()]
    qty = flows["value_usd"].to_numpy() / uv * rng.lognormal(0, 0.2, len(flows))
    qty = np.round(qty, 3)
    no_qty = (rng.random(len(flows)) < 0.02) | products["hs6"].isin(NO_QUANTITY).to_numpy()[
        flows["p"].to_numpy()]
    trade_flows = pd.DataFrame({
        "year": flows["year"].astype(np.int64),
        "exporter": iso[flows["e"].to_numpy()],
        "importer": iso[flows["i"].to_numpy()],
        "hs6": products["hs6"].to_numpy()[flows["p"].to_numpy()],
        "value_usd": flows["value_usd"].astype(float),
        "quantity_t": np.where(no_qty, np.nan, qty),
    }).sort_values(["year", "exporter", "importer", "hs6"], ignore_index=True)

    return {
        "countries": countries[["iso3", "numeric", "name_en", "name_fa", "lat", "lon",
                                "population"]].reset_index(drop=True),
        "products": products[["hs6", "name_en", "name_fa", "isic"]].reset_index(drop=True),
        "trade_flows": trade_flows,
    }
