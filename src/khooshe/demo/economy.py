"""Synthetic establishments, industrial parks, half-finished units, resources and the IO table.

Establishments
    Two kinds of firms share the ~300 ISIC Rev.4 classes of ``isic.csv``:

    * agglomerated firms (``agglomerations.csv``): for each (province, group) a few centres are
      drawn — villages for farm and light-industry groups, cities for heavy industry; the
      second and later centres 12–35 km from the first, so that an agglomeration spans a few
      neighbouring counties — and each firm sits in one of the 40 settlements nearest its
      centre, chosen with probability ∝ exp(−d/10 km)·(population + 50)^0.3. Gilan's tea,
      olive, rice-milling, kolucheh and fish firms, Ardabil's carpet, plastics and dairy firms
      and Khuzestan's steel, petrochemical and date firms are such agglomerations, so location
      quotients and hot spots are clear;
    * background firms: class ∝ ``weight``; settlement ∝ population, with villages weighted up
      for farming and down for services.

    Employees are log-normal around the class median (``size``; σ = 0.9 in logs); size classes
    follow the schema (micro < 10 ≤ small < 50 ≤ medium < 100 ≤ large). 86 % operate, 8 % are
    idle (a fraction of their staff left), 6 % closed (no staff). Output is employees × the
    sector's output per worker from the IO table (log-normal noise, σ = 0.35); exporters
    (more likely when large or agglomerated) export 5–60 % of output at 500,000 rials/USD, and
    export tonnes use the median unit value of the class's HS products.

    A register (``scale.micro`` > 0, :meth:`khooshe.demo.config.Scale.register`) adds micro
    establishments — the shops, workshops and small farms of a register of all sizes — on a
    random stream of their own: class ∝ ``weight``, settlement as for background firms, 1–9
    staff (geometric, mean about 2.2), never in a park, the same status and money rules.
    Parks, resources and the IO table stay those of the scale.

Half-finished units
    Khuzestan (06) has 1,600 with expected jobs summing to 40,000–40,480 (rescaled log-normal
    draws, integer by largest remainder), progress 5–98 % (Beta(1.5, 1.3); about a quarter over
    80 %) and a remaining cost ∝ jobs × cost per job (log-normal, median 2.5 bn rials, higher
    for capital-intensive classes) × (1 − progress)^0.9; about 65 % lie in its industrial parks.
    Other provinces share ``scale.half_finished_other`` units in proportion to population^0.8.
    A half-finished unit has no staff yet (``employees`` 0) and its ``size_class`` follows its
    expected jobs.

Parks: a few per province (more in Khuzestan), named after their county, codes ``P06-01``…

Resources: ``resources.csv`` gives, per resource, the provinces (with weights), a median
quantity per village (or per county for minerals, oil and gas) and the agglomeration group
near which it lies, so tea leaf sits around Gilan's tea firms, wool and milk around Ardabil's
carpet and dairy firms, dates and fish around Khuzestan's.

Input–output: 26 sectors (``io_sectors.csv``) with Iran-like output and employment and the main
technical coefficients (``io_coefficients.csv``); other pairs get small coefficients
(0.001–0.006) with probability 0.45; flows are z_ij = a_ij · x_j. Each sector's compensation
of employees, households' purchases and imported inputs are fixed shares of its output
(``io_sectors.csv``), capped by what its intermediate inputs leave, so the table adds up and
gives Type II multipliers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from khooshe.demo.config import KHUZESTAN_UNITS, RIALS_PER_USD, Scale
from khooshe.demo.data import table
from khooshe.demo.geography import Geography
from khooshe.demo.names import SYNTHETIC_TAG, persian_digits, surnames
from khooshe.demo.trade import isic_unit_values
from khooshe.domain.geo import haversine_km

HEMAT = 10**13  # rials in one «همت» (هزار میلیارد تومان)
URBAN_SECTORS = {"S10", "S11", "S12", "S14", "S16", "S17", "S18"}
FARM_SECTORS = {"S01", "S02"}
MINING_SECTORS = {"S03", "S04", "S05"}
SERVICE_SECTORS = {"S20", "S21", "S22", "S23", "S24", "S25", "S26"}
TRADABLE_SECTORS = {f"S{i:02d}" for i in range(1, 20)}
#: Extra parks for Khuzestan (the seed: 1,600 half-finished units in its parks).
EXTRA_PARKS = {"06": 4}
SPECIAL_ZONES = ("06", "18", "22")
KHUZESTAN = "06"
KHUZESTAN_JOBS = 40_000


@dataclass
class Economy:
    """Generated economy tables plus the agglomeration centres (used by the programme)."""

    parks: pd.DataFrame
    establishments: pd.DataFrame
    resources: pd.DataFrame
    io_sectors: pd.DataFrame
    io_flows: pd.DataFrame
    centres: pd.DataFrame
    activities: pd.DataFrame


def load_activities() -> pd.DataFrame:
    """ISIC classes with sector, weight, median size, output per worker and unit value."""
    a = table("isic.csv")
    a["weight"] = a["weight"].astype(float)
    a["size"] = a["size"].astype(float)
    io = table("io_sectors.csv")
    per_worker = (io["output_hemat"].astype(float) * HEMAT
                  / (io["employment_k"].astype(float) * 1e3))
    a["output_per_worker"] = a["sector"].map(dict(zip(io["sector"], per_worker, strict=True)))
    uv = isic_unit_values()
    a["unit_value"] = a["isic"].map(uv).fillna(1500.0).astype(float)
    return a


def size_class(n: np.ndarray) -> np.ndarray:
    """micro (< 10), small (10–49), medium (50–99), large (100+)."""
    n = np.asarray(n)
    return np.select([n < 10, n < 50, n < 100], ["micro", "small", "medium"], "large").astype(
        object)


def integer_split(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers ∝ ``weights`` summing exactly to ``total`` (largest-remainder rounding)."""
    weights = np.asarray(weights, dtype=float)
    exact = weights / weights.sum() * total
    out = np.floor(exact).astype(np.int64)
    rest = int(total - out.sum())
    if rest > 0:
        out[np.argsort(-(exact - out), kind="stable")[:rest]] += 1
    return out


# ---------------------------------------------------------------------------------- parks
def build_parks(rng: np.random.Generator, geo: Geography, scale: Scale) -> pd.DataFrame:
    """Industrial parks and zones: a few per province, in its more populous counties."""
    rows = []
    counties = geo.counties
    for prov in geo.provinces["code"]:
        pc = counties[counties["province"] == prov].reset_index(drop=True)
        n = int(rng.integers(scale.parks[0], scale.parks[1] + 1)) + EXTRA_PARKS.get(prov, 0)
        others = pc.index[~pc["capital"]].to_numpy()
        p = pc.loc[others, "population"].to_numpy(dtype=float) ** 0.7
        k = min(n - 1, len(others))
        chosen = list(rng.choice(others, size=k, replace=False, p=p / p.sum()))
        capital = int(pc.index[pc["capital"]][0])
        where = [capital] + ([capital] if prov == KHUZESTAN else []) + chosen
        where = where[:n]
        kinds = np.where(rng.random(len(where)) < 0.22, "zone", "park").astype(object)
        kinds[0] = "park"
        if prov in SPECIAL_ZONES and len(where) > 2:
            kinds[-1] = "special"
        seen: dict[int, int] = {}
        for i, (ci, kind) in enumerate(zip(where, kinds, strict=True), start=1):
            seen[ci] = seen.get(ci, 0) + 1
            county = pc.loc[ci]
            base_en = county["name_en"].replace(SYNTHETIC_TAG, "")
            number = seen[ci]
            if kind == "park":
                fa = f"شهرک صنعتی {county['name_fa']}"
                en = f"{base_en} Industrial Park"
                area = rng.lognormal(np.log(200), 0.6)
            elif kind == "zone":
                fa = f"ناحیهٔ صنعتی {county['name_fa']}"
                en = f"{base_en} Industrial Zone"
                area = rng.lognormal(np.log(40), 0.5)
            else:
                fa = f"منطقهٔ ویژهٔ اقتصادی {county['name_fa']}"
                en = f"{base_en} Special Economic Zone"
                area = rng.lognormal(np.log(2000), 0.4)
            if number > 1 or (prov == KHUZESTAN and ci == capital):
                fa = f"{fa} شمارهٔ {persian_digits(number)}"
                en = f"{en} No. {number}"
            r = rng.uniform(3, 12)
            a = rng.uniform(0, 2 * np.pi)
            lat = county["lat"] + r * np.sin(a) / 111.0
            lon = county["lon"] + r * np.cos(a) / (111.0 * np.cos(np.radians(county["lat"])))
            rows.append({
                "code": f"P{prov}-{i:02d}", "name_fa": fa, "name_en": en + SYNTHETIC_TAG,
                "region_code": county["code"], "kind": kind, "area_ha": round(float(area), 1),
                "lat": round(float(lat), 5), "lon": round(float(lon), 5), "province": prov,
            })
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------- agglomerations
def _centres(rng, geo: Geography, aggl: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """Draw the centres of every (province, group) agglomeration."""
    s = geo.settlements
    sector = dict(zip(activities["isic"], activities["sector"], strict=True))
    inhabited = s[s["population"] > 0]
    pools = inhabited.groupby(["province", inhabited["level"] == "city"]).indices
    pop = s["population"].to_numpy(dtype=float)
    lat, lon = s["lat"].to_numpy(), s["lon"].to_numpy()
    rows = []
    for (prov, group), g in aggl.groupby(["province", "group"], sort=True):
        n = int(g["centres"].astype(int).max())
        urban = any(sector[i] in URBAN_SECTORS for i in g["isic"])
        cand = inhabited.index.to_numpy()[pools[(prov, urban)]]
        w = pop[cand] ** (1.0 if urban else 0.5)
        pick = [int(rng.choice(cand, p=w / w.sum()))]
        if n > 1:
            # further centres lie 12–35 km from the first, usually in neighbouring counties,
            # so that an agglomeration spans a few adjacent counties (as Gilan's tea does)
            d = haversine_km(lat[pick[0]], lon[pick[0]], lat[cand], lon[cand])
            ring = (d >= 12) & (d <= 35)
            wr = np.where(ring, w, 0.0) if ring.sum() >= n - 1 else np.where(d > 0, w, 0.0)
            more = rng.choice(cand, size=min(n - 1, int((wr > 0).sum())), replace=False,
                              p=wr / wr.sum())
            pick += [int(x) for x in more]
        for k, idx in enumerate(pick, start=1):
            rows.append({"province": prov, "group": group, "centre": k, "settlement": int(idx)})
    centres = pd.DataFrame(rows)
    at = centres["settlement"].to_numpy()
    for col in ("code", "county", "lat", "lon"):
        centres[col] = s[col].to_numpy()[at]
    return centres


def _near(geo: Geography, centres: pd.DataFrame, k: int = 40, r0: float = 10.0):
    """For each centre: its ``k`` nearest settlements in the province and cumulative weights."""
    s = geo.settlements
    idx = np.zeros((len(centres), k), dtype=np.int64)
    cum = np.zeros((len(centres), k))
    by_prov = {p: g.index.to_numpy() for p, g in s.groupby("province")}
    lat, lon, pop = s["lat"].to_numpy(), s["lon"].to_numpy(), s["population"].to_numpy()
    for j, c in enumerate(centres.itertuples()):
        cand = by_prov[c.province]
        dist = haversine_km(c.lat, c.lon, lat[cand], lon[cand])
        near = np.argsort(dist, kind="stable")[:k]
        w = np.exp(-dist[near] / r0) * (pop[cand[near]] + 50.0) ** 0.3
        m = len(near)
        idx[j, :m] = cand[near]
        idx[j, m:] = cand[near[0]]
        cw = np.cumsum(w) / w.sum()
        cum[j, :m] = cw
        cum[j, m:] = 1.0
    return idx, cum


def _place_near(rng, idx, cum, centre_rows: np.ndarray, n: int) -> np.ndarray:
    """Settlement of ``n`` firms each attached to a random centre among ``centre_rows``."""
    c = centre_rows[rng.integers(len(centre_rows), size=n)]
    u = rng.random(n)
    j = (cum[c] < u[:, None]).sum(axis=1)
    return idx[c, np.minimum(j, idx.shape[1] - 1)]


# ------------------------------------------------------------------------ establishments
def _firm_names(rng, isic_sector: np.ndarray, employees: np.ndarray,
                half: np.ndarray) -> np.ndarray:
    n = len(isic_sector)
    family = surnames(rng, n)
    prefix = np.full(n, "شرکت", dtype=object)
    pick = rng.random(n)
    farm = np.isin(isic_sector, list(FARM_SECTORS))
    mine = np.isin(isic_sector, list(MINING_SECTORS))
    serv = np.isin(isic_sector, list(SERVICE_SECTORS))
    manu = ~(farm | mine | serv)
    prefix[manu] = np.where(pick[manu] < 0.5, "شرکت تولیدی",
                            np.where(pick[manu] < 0.8, "صنایع", "کارگاه"))
    prefix[manu & (employees >= 100)] = "مجتمع صنعتی"
    prefix[farm] = np.where(pick[farm] < 0.5, "مزرعهٔ", "تعاونی تولید")
    prefix[mine] = "شرکت معدنی"
    prefix[serv] = np.where(pick[serv] < 0.5, "شرکت", "فروشگاه")
    prefix[half] = "طرح"
    return np.array([f"{p} {f}" for p, f in zip(prefix, family, strict=True)], dtype=object)


def _staff_and_money(rng, act: pd.DataFrame, a_idx: np.ndarray, agglo: np.ndarray,
                     staff: np.ndarray | None = None):
    """Employees, status, output and exports of operating/idle/closed firms (``staff``:
    their staff when operating, instead of a draw around the class median)."""
    n = len(a_idx)
    if staff is None:
        median = act["size"].to_numpy()[a_idx] * np.where(agglo, 0.8, 1.0)
        emp = np.clip(np.round(median * rng.lognormal(0, 0.9, n)), 1, 15000).astype(np.int64)
    else:
        emp = np.asarray(staff, dtype=np.int64)
    status = rng.choice(np.array(["operating", "idle", "closed"], dtype=object), size=n,
                        p=[0.86, 0.08, 0.06])
    emp = np.where(status == "closed", 0, emp)
    emp = np.where(status == "idle", np.maximum(1, np.round(emp * rng.uniform(0.1, 0.5, n))),
                   emp).astype(np.int64)
    opw = act["output_per_worker"].to_numpy()[a_idx]
    out = emp * opw * rng.lognormal(0, 0.35, n) * np.where(status == "idle", 0.4, 1.0)
    out = (np.round(out / 1e6) * 1e6).astype(np.int64)
    tradable = act["sector"].isin(TRADABLE_SECTORS).to_numpy()[a_idx]
    p_exp = np.clip(0.03 + 0.07 * np.log10(1 + emp) + 0.08 * agglo, 0, 0.5)
    exporter = tradable & (status == "operating") & (rng.random(n) < p_exp)
    usd = np.where(exporter, out * rng.uniform(0.05, 0.6, n) / RIALS_PER_USD, 0.0)
    usd = np.round(usd, 0)
    tonnes = np.round(usd / act["unit_value"].to_numpy()[a_idx], 2)
    return emp, status, out, usd, tonnes


def _half_finished(rng, geo: Geography, parks: pd.DataFrame, act: pd.DataFrame,
                   scale: Scale, aggl: pd.DataFrame) -> pd.DataFrame:
    s = geo.settlements
    prov = geo.provinces
    others = prov[prov["code"] != KHUZESTAN]
    w = others["population"].to_numpy(dtype=float) ** 0.8
    counts = dict(zip(others["code"], integer_split(w, scale.half_finished_other), strict=True))
    counts[KHUZESTAN] = KHUZESTAN_UNITS
    sector = act["sector"].to_numpy()
    eligible = (~np.isin(sector, list(SERVICE_SECTORS | MINING_SECTORS))
                & (~np.isin(sector, ["S01", "S02"]) | act["isic"].isin(
                    ["0141", "0146", "0321", "0322", "0113", "0163"]).to_numpy()))
    base_w = np.where(eligible, act["weight"].to_numpy() * act["size"].to_numpy() ** 0.3, 0.0)
    frames = []
    for code in prov["code"]:
        n = int(counts.get(code, 0))
        if n == 0:
            continue
        local = set(aggl.loc[aggl["province"] == code, "isic"])
        wa = base_w * np.where(act["isic"].isin(local).to_numpy(), 4.0, 1.0)
        a_idx = rng.choice(len(act), size=n, p=wa / wa.sum())
        size = act["size"].to_numpy()[a_idx]
        raw = rng.lognormal(np.log(14), 0.75, n) * (size / 10) ** 0.25
        if code == KHUZESTAN:
            target = int(round(KHUZESTAN_JOBS * rng.uniform(1.0, 1.012)))
            jobs = 1 + integer_split(raw, target - n)
        else:
            jobs = np.maximum(1, np.round(raw)).astype(np.int64)
        progress = np.round(5 + 93 * rng.beta(1.5, 1.3, n), 1)
        per_job = rng.lognormal(np.log(2.5e9), 0.5, n) * (size / 10) ** 0.3
        cost = jobs * per_job * ((100 - progress) / 100) ** 0.9
        cost = np.maximum(cost, rng.uniform(1.5e9, 4e9, n))
        cost = (np.round(np.minimum(cost, 9.5e11) / 1e6) * 1e6).astype(np.int64)
        pp = parks[parks["province"] == code]
        in_park = rng.random(n) < (0.65 if code == KHUZESTAN else 0.55)
        park_i = rng.choice(len(pp), size=n, p=(pp["area_ha"] ** 0.5 / (pp["area_ha"] ** 0.5)
                                                 .sum()).to_numpy())
        cand = s.index[s["province"] == code].to_numpy()
        cw = s.loc[cand, "population"].to_numpy(dtype=float) * np.where(
            s.loc[cand, "level"] == "city", 1.0, 0.4)
        sett = rng.choice(cand, size=n, p=cw / cw.sum())
        region = np.where(in_park, pp["region_code"].to_numpy()[park_i],
                          s["code"].to_numpy()[sett])
        lat = np.where(in_park, pp["lat"].to_numpy()[park_i], s["lat"].to_numpy()[sett])
        lon = np.where(in_park, pp["lon"].to_numpy()[park_i], s["lon"].to_numpy()[sett])
        frames.append(pd.DataFrame({
            "isic_i": a_idx, "region_code": region,
            "park_code": np.where(in_park, pp["code"].to_numpy()[park_i], None),
            "status": "half_finished", "employees": np.int64(0),
            "size_class": size_class(jobs), "progress_pct": progress,
            "remaining_cost_rials": cost, "expected_jobs": jobs.astype(np.int64),
            "annual_output_rials": None, "exports_usd": np.nan, "exports_t": np.nan,
            "lat": lat + rng.normal(0, 0.004, n), "lon": lon + rng.normal(0, 0.004, n),
            "province": code,
        }))
    return pd.concat(frames, ignore_index=True)


def _place_background(rng, s: pd.DataFrame, sector: np.ndarray) -> np.ndarray:
    """Settlement of firms not in an agglomeration: ∝ population, villages weighted up for
    farming and down for services."""
    pop = s["population"].to_numpy(dtype=float)
    city = (s["level"] == "city").to_numpy()
    out = np.empty(len(sector), dtype=np.int64)
    groups = {
        "farm": (np.isin(sector, list(FARM_SECTORS)), np.where(city, 0.05, 1.0) * pop),
        "mine": (np.isin(sector, list(MINING_SECTORS)), np.where(city, 0.2, 1.0) * pop ** 0.3),
        "serv": (np.isin(sector, list(SERVICE_SECTORS)), np.where(city, 1.0, 0.15) * pop),
    }
    rest = ~(groups["farm"][0] | groups["mine"][0] | groups["serv"][0])
    groups["manu"] = (rest, np.where(city, 1.0, 0.3) * pop)
    for mask, w in groups.values():
        out[mask] = rng.choice(len(s), size=int(mask.sum()), p=w / w.sum())
    return out


def _micro_firms(rng: np.random.Generator, geo: Geography, act: pd.DataFrame,
                 n: int) -> pd.DataFrame:
    """``n`` micro establishments (1–9 staff) of a register of all sizes, vectorised."""
    s = geo.settlements
    wa = act["weight"].to_numpy()
    a_i = rng.choice(len(act), size=n, p=wa / wa.sum())
    s_i = _place_background(rng, s, act["sector"].to_numpy()[a_i])
    # most register entries have one to three people: geometric, capped at the micro class
    staff = np.minimum(rng.geometric(0.45, n), 9)
    emp, status, out, usd, tonnes = _staff_and_money(rng, act, a_i, np.zeros(n, bool), staff)
    city = (s["level"] == "city").to_numpy()[s_i]
    spread = np.where(city, 0.02, 0.006)
    return pd.DataFrame({
        "isic_i": a_i, "region_code": s["code"].to_numpy()[s_i].astype(object),
        "park_code": None, "status": status, "employees": emp, "size_class": size_class(emp),
        "progress_pct": np.nan, "remaining_cost_rials": None, "expected_jobs": None,
        "annual_output_rials": out, "exports_usd": usd, "exports_t": tonnes,
        "lat": s["lat"].to_numpy()[s_i] + rng.normal(0, spread, n),
        "lon": s["lon"].to_numpy()[s_i] + rng.normal(0, spread, n),
        "province": s["province"].to_numpy()[s_i], "agglomerated": False,
    })


def build_establishments(rng: np.random.Generator, geo: Geography, parks: pd.DataFrame,
                         scale: Scale, act: pd.DataFrame, aggl: pd.DataFrame,
                         centres: pd.DataFrame,
                         micro: pd.DataFrame | None = None) -> pd.DataFrame:
    """Agglomerated and background establishments plus half-finished units (and ``micro``
    establishments, :func:`_micro_firms`, when the scale is a register)."""
    s = geo.settlements
    isic_pos = {c: i for i, c in enumerate(act["isic"])}
    idx, cum = _near(geo, centres)
    centre_rows = {key: g.index.to_numpy() for key, g in centres.groupby(["province", "group"])}

    a_parts, s_parts = [], []
    for r in aggl.itertuples():
        n = int(round(int(r.firms) * scale.agglomeration))
        a_parts.append(np.full(n, isic_pos[r.isic]))
        s_parts.append(_place_near(rng, idx, cum, centre_rows[(r.province, r.group)], n))
    a_agg, s_agg = np.concatenate(a_parts), np.concatenate(s_parts)

    n_bg = scale.establishments - len(a_agg)
    if n_bg <= 0:  # pragma: no cover - guarded by the scale settings
        raise RuntimeError("agglomerations exceed the establishment budget")
    wa = act["weight"].to_numpy()
    # every class has at least one establishment, so that every product's ISIC class is present
    a_bg = np.concatenate([np.arange(len(act)),
                           rng.choice(len(act), size=n_bg - len(act), p=wa / wa.sum())])
    s_bg = _place_background(rng, s, act["sector"].to_numpy()[a_bg])
    city = (s["level"] == "city").to_numpy()

    a_i = np.concatenate([a_agg, a_bg])
    s_i = np.concatenate([s_agg, s_bg])
    agglo = np.concatenate([np.ones(len(a_agg), bool), np.zeros(n_bg, bool)])
    n = len(a_i)
    emp, status, out, usd, tonnes = _staff_and_money(rng, act, a_i, agglo)

    region = s["code"].to_numpy()[s_i].astype(object)
    lat = s["lat"].to_numpy()[s_i] + rng.normal(0, np.where(city[s_i], 0.02, 0.006), n)
    lon = s["lon"].to_numpy()[s_i] + rng.normal(0, np.where(city[s_i], 0.02, 0.006), n)
    park = np.full(n, None, dtype=object)
    # manufacturing firms in a county with parks: some are inside one
    manu = act["sector"].to_numpy()[a_i]
    manu = ~np.isin(manu, list(FARM_SECTORS | MINING_SECTORS | SERVICE_SECTORS))
    county = s["county"].to_numpy()[s_i]
    pk = parks.sort_values("region_code", kind="stable").reset_index(drop=True)
    pk_county = pk["region_code"].to_numpy()
    first = np.searchsorted(pk_county, county, side="left")
    count = np.searchsorted(pk_county, county, side="right") - first
    go = np.flatnonzero(manu & (count > 0) & (rng.random(n) < np.where(agglo, 0.2, 0.35)))
    j = first[go] + np.floor(rng.random(len(go)) * count[go]).astype(int)
    park[go] = pk["code"].to_numpy()[j]
    region[go] = pk_county[j]
    lat[go] = pk["lat"].to_numpy()[j] + rng.normal(0, 0.004, len(go))
    lon[go] = pk["lon"].to_numpy()[j] + rng.normal(0, 0.004, len(go))

    regular = pd.DataFrame({
        "isic_i": a_i, "region_code": region, "park_code": park, "status": status,
        "employees": emp, "size_class": size_class(emp), "progress_pct": np.nan,
        "remaining_cost_rials": None, "expected_jobs": None, "annual_output_rials": out,
        "exports_usd": usd, "exports_t": tonnes, "lat": lat, "lon": lon,
        "province": s["province"].to_numpy()[s_i], "agglomerated": agglo,
    })
    half = _half_finished(rng, geo, parks, act, scale, aggl)
    half["agglomerated"] = False
    est = pd.concat([regular, half] + ([] if micro is None else [micro]), ignore_index=True)
    est = est.sort_values(["province", "region_code", "isic_i"], kind="stable",
                          ignore_index=True)
    est.insert(0, "id", [f"E{i:07d}" for i in range(1, len(est) + 1)])
    est.insert(1, "isic", act["isic"].to_numpy()[est["isic_i"].to_numpy()])
    est.insert(1, "name", _firm_names(
        rng, act["sector"].to_numpy()[est["isic_i"].to_numpy()], est["employees"].to_numpy(),
        (est["status"] == "half_finished").to_numpy()))
    est["lat"] = np.round(est["lat"].astype(float), 5)
    est["lon"] = np.round(est["lon"].astype(float), 5)
    return est.drop(columns=["isic_i"])


# ----------------------------------------------------------------------------- resources
def build_resources(rng: np.random.Generator, geo: Geography,
                    centres: pd.DataFrame) -> pd.DataFrame:
    """Resources on villages (crops, livestock, fish) and counties (ores, oil, gas)."""
    spec = table("resources.csv")
    s, counties = geo.settlements, geo.counties
    villages = s[s["level"] == "village"]
    v_by_prov = {p: g for p, g in villages.groupby("province")}
    c_by_prov = {p: g for p, g in counties.groupby("province")}
    rows = []
    for r in spec.itertuples():
        median, share = float(r.median), float(r.share)
        for item in r.provinces.split(";"):
            prov, weight = item.split(":")
            weight = float(weight)
            cands = v_by_prov[prov] if r.level == "village" else c_by_prov[prov]
            anchors = centres[(centres["province"] == prov) & (centres["group"] == r.anchor)]
            if len(anchors):
                alat, alon = anchors["lat"].to_numpy(), anchors["lon"].to_numpy()
                scale_km = 20.0 if r.level == "village" else 60.0
            else:
                j = rng.integers(len(cands))
                alat = np.array([cands["lat"].iloc[j]])
                alon = np.array([cands["lon"].iloc[j]])
                scale_km = 40.0 if r.level == "village" else 80.0
            dist = haversine_km(cands["lat"].to_numpy()[:, None], cands["lon"].to_numpy()[:, None],
                                alat[None, :], alon[None, :]).min(axis=1)
            near = np.exp(-dist / scale_km)
            if r.level == "village":
                near = near * (cands["population"].to_numpy() > 0)
                k = max(1, int(round(share * weight * len(cands))))
            else:
                k = max(1, int(round(share * weight)))
            k = min(k, int((near > 0).sum()))
            pick = rng.choice(len(cands), size=k, replace=False, p=near / near.sum())
            qty = (median * np.sqrt(weight) * rng.lognormal(0, 0.8, k)
                   * (0.5 + near[pick] / near[pick].max()))
            qty = np.round(qty, 0 if r.unit == "head" else 1)
            for code, q in zip(cands["code"].to_numpy()[pick], qty, strict=True):
                rows.append((code, r.resource, float(max(q, 1.0)), r.unit))
    res = pd.DataFrame(rows, columns=["region_code", "resource", "quantity", "unit"])
    return res.sort_values(["region_code", "resource"], ignore_index=True)


# ---------------------------------------------------------------------------- IO table
def build_io(rng: np.random.Generator, act: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """IO sectors (output, employment, ISIC lists) and intermediate flows z_ij = a_ij x_j."""
    sec = table("io_sectors.csv")
    n = len(sec)
    codes = sec["sector"].to_numpy()
    pos = {c: i for i, c in enumerate(codes)}
    out = np.round(sec["output_hemat"].astype(float).to_numpy() * HEMAT
                   * rng.lognormal(0, 0.03, n) / 1e9) * 1e9
    emp = np.round(sec["employment_k"].astype(float).to_numpy() * 1e3
                   * rng.lognormal(0, 0.03, n))
    a = np.where(rng.random((n, n)) < 0.45, rng.uniform(0.001, 0.006, (n, n)), 0.0)
    coef = table("io_coefficients.csv")
    a[coef["from_sector"].map(pos).to_numpy(), coef["to_sector"].map(pos).to_numpy()] = (
        coef["coefficient"].astype(float).to_numpy() * rng.lognormal(0, 0.05, len(coef)))
    colsum = a.sum(axis=0)
    a *= np.minimum(1.0, 0.85 / colsum)[None, :]  # keep value added positive
    z = np.round(a * out[None, :] / 1e6) * 1e6
    fi, ti = np.nonzero(z > 0)
    # value added (compensation among it) and imported inputs take what intermediate inputs
    # leave of each sector's output
    room = np.maximum(out - z.sum(axis=0), 0.0)
    imports = np.minimum(sec["import_share"].astype(float).to_numpy() * out, 0.5 * room)
    comp = np.minimum(sec["compensation_share"].astype(float).to_numpy() * out,
                      0.9 * (room - imports))
    household = sec["household_share"].astype(float).to_numpy() * out
    isic_lists = act.groupby("sector")["isic"].agg(lambda x: ";".join(sorted(x)))
    sectors = pd.DataFrame({
        "sector": codes, "name_en": sec["name_en"], "name_fa": sec["name_fa"],
        "isic": sec["sector"].map(isic_lists).to_numpy(),
        "output_rials": out.astype(np.int64), "employment": emp.astype(np.int64),
        "compensation_rials": np.round(comp / 1e9).astype(np.int64) * 10**9,
        "household_consumption_rials": np.round(household / 1e9).astype(np.int64) * 10**9,
        "imports_rials": np.round(imports / 1e9).astype(np.int64) * 10**9,
        "scope": None, "year": 1402,
    })
    flows = pd.DataFrame({"from_sector": codes[fi], "to_sector": codes[ti],
                          "value_rials": z[fi, ti].astype(np.int64)})
    return sectors, flows


def build_economy(rngs: dict[str, np.random.Generator], geo: Geography,
                  scale: Scale) -> Economy:
    """Parks, establishments, resources and the IO table (one random stream each)."""
    act = load_activities()
    aggl = table("agglomerations.csv")
    parks = build_parks(rngs["parks"], geo, scale)
    centres = _centres(rngs["centres"], geo, aggl, act)
    micro = (_micro_firms(rngs["register"], geo, act, scale.micro) if scale.micro > 0
             else None)
    est = build_establishments(rngs["establishments"], geo, parks, scale, act, aggl, centres,
                               micro)
    res = build_resources(rngs["resources"], geo, centres)
    sectors, flows = build_io(rngs["io"], act)
    return Economy(parks=parks, establishments=est, resources=res, io_sectors=sectors,
                   io_flows=flows, centres=centres, activities=act)
