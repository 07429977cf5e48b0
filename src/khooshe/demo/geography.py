"""Synthetic country divisions under the 31 real provinces.

The provinces are real (Statistical Centre of Iran codes 00–30, Persian names, approximate
centroid, 2016 census population and area, see ``provinces.csv``). Everything below them is
synthetic: counties, districts, rural districts, villages and cities with generated names,
Statistical-Centre-like codes and log-normal populations scattered around the province
centroid.

Codes (digits only, each level extends its parent's code)::

    province        PP              06
    county          PPCC            0603
    district        PPCCD           06031       (D = 1…9; district 1 is «مرکزی», the central one)
    rural district  PPCCDRR         0603102
    village         PPCCDRRVVV      0603102017
    city            PPCCD9NN        06031901    (a city belongs to a district; 9 marks a city)

Populations. Each province's 2016 population is split into an urban part (``urban_share``)
shared by its cities — the provincial capital's seat takes a fixed large share, other seats and
towns log-normal weights — and a rural part shared by its villages with log-normal weights
(median 250 people, σ = 1 in logs; about 2 % of villages are uninhabited, as in the census).
Higher levels are the sums of their children, so every level adds up. Households are population
divided by about 3.3 (the 2016 census mean household size); the working-age (15–64) share is
about 0.70.

Coordinates. A province of area A gets radius R = √(A/π); county centres fall uniformly in a
disc of 0.75 R around the centroid (the capital county near it), villages within a few
kilometres of their rural district's centre. Points can stray over a province border: they are
plausible, not accurate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from khooshe.demo.config import Scale
from khooshe.demo.data import table
from khooshe.demo.names import SYNTHETIC_TAG, ZWNJ, place_names, unique_within

KM_PER_DEG = 111.0
#: Share of a province's urban population living in the capital's seat city.
CAPITAL_SHARE = {"23": 0.80, "25": 0.95, "09": 0.62, "30": 0.60, "21": 0.55, "10": 0.45}
DEFAULT_CAPITAL_SHARE = 0.42
LAT_RANGE = (25.2, 39.7)
LON_RANGE = (44.2, 63.2)


@dataclass
class Geography:
    """The generated divisions.

    Attributes
    ----------
    regions : DataFrame
        The ``regions`` kind (schema columns).
    provinces : DataFrame
        code, name_fa, name_en, lat, lon, population, area_km2, radius_km.
    counties : DataFrame
        code, province, name_fa, name_en (without the synthetic tag), lat, lon, population,
        spread_km, seat (city code), capital (the province capital's county).
    settlements : DataFrame
        Villages and cities: code, level, province, county, lat, lon, population, is_seat,
        name_fa.
    """

    regions: pd.DataFrame
    provinces: pd.DataFrame
    counties: pd.DataFrame
    settlements: pd.DataFrame


def load_provinces() -> pd.DataFrame:
    """The 31 provinces from ``provinces.csv`` with numeric columns typed."""
    p = table("provinces.csv")
    for col in ("lat", "lon", "area_km2", "urban_share"):
        p[col] = p[col].astype(float)
    p["population"] = p["population"].astype(np.int64)
    p["radius_km"] = np.sqrt(p["area_km2"] / np.pi)
    return p


def _offset(rng, lat, lon, radius_km, uniform_disc=True):
    """Move points by up to ``radius_km`` (uniform in a disc) or by N(0, radius_km)."""
    n = len(lat)
    if uniform_disc:
        r = radius_km * np.sqrt(rng.random(n))
        a = rng.random(n) * 2 * np.pi
        dy, dx = r * np.sin(a), r * np.cos(a)
    else:
        dy = rng.normal(0, 1, n) * radius_km
        dx = rng.normal(0, 1, n) * radius_km
    new_lat = lat + dy / KM_PER_DEG
    new_lon = lon + dx / (KM_PER_DEG * np.cos(np.radians(lat)))
    return np.clip(new_lat, *LAT_RANGE), np.clip(new_lon, *LON_RANGE)


def _counts(rng, n, lo, hi):
    """Integers uniform in [lo, hi]."""
    return rng.integers(lo, hi + 1, size=n)


def _split_total(weights: np.ndarray, groups: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Scale ``weights`` so that each group's weights sum to ``totals[group]``."""
    sums = np.bincount(groups, weights=weights, minlength=len(totals))
    factor = np.divide(totals, sums, out=np.zeros_like(totals, dtype=float), where=sums > 0)
    return weights * factor[groups]


def build_geography(rng: np.random.Generator, scale: Scale) -> Geography:
    """Generate the divisions below the 31 real provinces (see the module docstring)."""
    prov = load_provinces()
    n_p = len(prov)

    # -- counties ----------------------------------------------------------------------
    w = np.sqrt(prov["population"].to_numpy()) * prov["area_km2"].to_numpy() ** 0.25
    n_c = np.clip(np.round(scale.counties * w / w.sum()), *scale.county_range).astype(int)
    c_prov = np.repeat(np.arange(n_p), n_c)
    c_num = np.concatenate([np.arange(1, k + 1) for k in n_c])
    c_code = np.array([f"{prov.code[p]}{k:02d}" for p, k in zip(c_prov, c_num, strict=True)])
    radius = prov["radius_km"].to_numpy()
    is_capital = c_num == 1
    c_lat, c_lon = _offset(
        rng, prov["lat"].to_numpy()[c_prov], prov["lon"].to_numpy()[c_prov],
        np.where(is_capital, 0.08, 0.75) * radius[c_prov],
    )
    spread = 0.9 * radius[c_prov] / np.sqrt(n_c[c_prov])
    # county names: unique in the whole country
    fa, en = place_names(rng, 4 * len(c_code))
    _, first = np.unique(fa, return_index=True)
    first = np.sort(first)[: len(c_code)]
    if len(first) < len(c_code):  # pragma: no cover - 60×25 name space is far larger
        raise RuntimeError("not enough distinct county names")
    order = rng.permutation(first)
    c_name_fa, c_name_en = fa[order], en[order]
    n_county = len(c_code)

    # -- districts and rural districts -------------------------------------------------
    n_d = _counts(rng, n_county, *scale.districts)
    d_county = np.repeat(np.arange(n_county), n_d)
    d_num = np.concatenate([np.arange(1, k + 1) for k in n_d])
    d_code = np.array([f"{c_code[c]}{k}" for c, k in zip(d_county, d_num, strict=True)])
    d_lat, d_lon = _offset(rng, c_lat[d_county], c_lon[d_county],
                           np.where(d_num == 1, 0.05, 0.55) * spread[d_county])
    d_fa, d_en = place_names(rng, len(d_code))
    d_fa = np.where(d_num == 1, "مرکزی", d_fa)
    d_en = np.where(d_num == 1, "Markazi", d_en)

    n_r = _counts(rng, len(d_code), *scale.rural_districts)
    r_district = np.repeat(np.arange(len(d_code)), n_r)
    r_num = np.concatenate([np.arange(1, k + 1) for k in n_r])
    r_code = np.array([f"{d_code[d]}{k:02d}" for d, k in zip(r_district, r_num, strict=True)])
    r_county = d_county[r_district]
    r_lat, r_lon = _offset(rng, d_lat[r_district], d_lon[r_district], 0.4 * spread[r_county])
    r_fa, r_en = place_names(rng, len(r_code))

    # -- villages ----------------------------------------------------------------------
    raw = rng.lognormal(0.0, 0.5, n_county)
    n_v = np.maximum(scale.village_min, np.round(raw / raw.sum() * scale.villages)).astype(int)
    short = scale.villages - n_v.sum()
    if short > 0:  # rounding lost a few: give them to the largest counties
        n_v[np.argsort(-raw)[:short]] += 1
    v_county = np.repeat(np.arange(n_county), n_v)
    # each village falls in one of its county's rural districts
    rd_start = np.searchsorted(r_county, np.arange(n_county))
    rd_count = np.bincount(r_county, minlength=n_county)
    v_rd = rd_start[v_county] + np.floor(rng.random(len(v_county)) * rd_count[v_county]).astype(int)
    v_rd.sort(kind="stable")
    v_num = pd.Series(v_rd).groupby(v_rd).cumcount().to_numpy() + 1
    if v_num.max() > 999:  # pragma: no cover - guarded by the scale settings
        raise RuntimeError("more than 999 villages in a rural district")
    v_code = np.array([f"{r_code[r]}{k:03d}" for r, k in zip(v_rd, v_num, strict=True)])
    v_county = r_county[v_rd]
    v_prov = c_prov[v_county]
    v_lat, v_lon = _offset(rng, r_lat[v_rd], r_lon[v_rd], 0.22 * spread[v_county],
                           uniform_disc=False)
    v_raw = rng.lognormal(np.log(250), 1.0, len(v_code))
    v_raw[rng.random(len(v_code)) < 0.02] = 0.0
    rural = prov["population"].to_numpy() * (1 - prov["urban_share"].to_numpy())
    v_pop = np.round(_split_total(v_raw, v_prov, rural)).astype(np.int64)
    v_fa, v_en = unique_within(v_county, *place_names(rng, len(v_code)))

    # -- cities ------------------------------------------------------------------------
    n_extra = rng.poisson(scale.extra_cities, n_county)
    t_county = np.concatenate([np.repeat(np.arange(n_county), 1), np.repeat(np.arange(n_county),
                                                                          n_extra)])
    t_seat = np.zeros(len(t_county), dtype=bool)
    t_seat[:n_county] = True
    d_start = np.searchsorted(d_county, np.arange(n_county))
    t_district = np.where(
        t_seat, d_start[t_county],
        d_start[t_county] + np.floor(rng.random(len(t_county)) * n_d[t_county]).astype(int),
    )
    order = np.lexsort((~t_seat, t_district))
    t_county, t_seat, t_district = t_county[order], t_seat[order], t_district[order]
    t_num = pd.Series(t_district).groupby(t_district).cumcount().to_numpy() + 1
    t_code = np.array([f"{d_code[d]}9{k:02d}" for d, k in zip(t_district, t_num, strict=True)])
    t_prov = c_prov[t_county]
    t_lat, t_lon = _offset(rng, d_lat[t_district], d_lon[t_district],
                           np.where(t_seat, 0.02, 0.3) * spread[t_county])
    t_lat = np.where(t_seat, c_lat[t_county], t_lat)
    t_lon = np.where(t_seat, c_lon[t_county], t_lon)
    t_raw = np.where(t_seat, rng.lognormal(0.0, 0.6, len(t_code)),
                     rng.lognormal(np.log(0.25), 0.7, len(t_code)))
    capital = t_seat & (c_num[t_county] == 1)
    share = np.array([CAPITAL_SHARE.get(c, DEFAULT_CAPITAL_SHARE) for c in prov.code])
    urban = prov["population"].to_numpy() * prov["urban_share"].to_numpy()
    t_pop = np.where(capital, share[t_prov] * urban[t_prov], 0.0)
    t_pop += _split_total(np.where(capital, 0.0, t_raw), t_prov, (1 - share) * urban)
    t_pop = np.round(t_pop).astype(np.int64)
    x_fa, x_en = place_names(rng, len(t_code))
    t_fa, t_en = unique_within(t_county, np.where(t_seat, c_name_fa[t_county], x_fa),
                               np.where(t_seat, c_name_en[t_county], x_en))

    # -- households and working-age share for settlements --------------------------------
    def households(pop: np.ndarray) -> np.ndarray:
        size = np.clip(3.3 * np.exp(rng.normal(0, 0.04, len(pop))), 3.05, 3.55)
        return np.round(pop / size).astype(np.int64)

    v_hh, t_hh = households(v_pop), households(t_pop)
    v_was = np.clip(rng.normal(0.695, 0.012, len(v_pop)), 0.64, 0.75)
    t_was = np.clip(rng.normal(0.710, 0.010, len(t_pop)), 0.66, 0.76)

    # -- roll up: rural district ← villages; district ← rural districts + cities; … ------
    def roll(index, n, pop, hh, was):
        p = np.bincount(index, weights=pop, minlength=n)
        h = np.bincount(index, weights=hh, minlength=n)
        pw = np.bincount(index, weights=pop * was, minlength=n)
        share_ = np.divide(pw, p, out=np.full(n, 0.70), where=p > 0)
        return p.astype(np.int64), h.astype(np.int64), share_

    r_pop, r_hh, r_was = roll(v_rd, len(r_code), v_pop, v_hh, v_was)
    d_pop, d_hh, d_was = roll(
        np.concatenate([r_district, t_district]), len(d_code),
        np.concatenate([r_pop, t_pop]), np.concatenate([r_hh, t_hh]),
        np.concatenate([r_was, t_was]),
    )
    c_pop, c_hh, c_was = roll(d_county, n_county, d_pop, d_hh, d_was)
    p_pop, p_hh, p_was = roll(c_prov, n_p, c_pop, c_hh, c_was)

    def frame(code, level, parent, name_fa, name_en, pop, hh, was, lat, lon, seat=None):
        n = len(code)
        return pd.DataFrame({
            "code": code, "level": level, "parent_code": parent,
            "name_fa": name_fa, "name_en": name_en,
            "population": pop, "households": hh, "working_age_share": np.round(was, 4),
            "lat": np.round(lat, 5), "lon": np.round(lon, 5),
            "is_seat": pd.array(seat if seat is not None else [None] * n, dtype="Int64"),
            "boundary": None,
        })

    def tag(names):
        return [f"{x}{SYNTHETIC_TAG}" for x in names]

    regions = pd.concat([
        frame(prov.code.to_numpy(), "province", None, prov.name_fa.to_numpy(),
              prov.name_en.to_numpy(), p_pop, p_hh, p_was, prov.lat.to_numpy(),
              prov.lon.to_numpy()),
        frame(c_code, "county", prov.code.to_numpy()[c_prov], c_name_fa, tag(c_name_en),
              c_pop, c_hh, c_was, c_lat, c_lon),
        frame(d_code, "district", c_code[d_county], d_fa, tag(d_en), d_pop, d_hh, d_was,
              d_lat, d_lon),
        frame(r_code, "rural_district", d_code[r_district], r_fa, tag(r_en), r_pop, r_hh,
              r_was, r_lat, r_lon),
        frame(v_code, "village", r_code[v_rd], v_fa, v_en, v_pop, v_hh, v_was, v_lat, v_lon),
        frame(t_code, "city", d_code[t_district], t_fa, t_en, t_pop, t_hh, t_was, t_lat, t_lon,
              seat=t_seat.astype(int)),
    ], ignore_index=True)
    regions["parent_code"] = regions["parent_code"].astype(object).where(
        regions["parent_code"].notna(), None)

    provinces = prov.assign(population=p_pop)
    seat_code = t_code[t_seat][np.argsort(t_county[t_seat])]
    counties = pd.DataFrame({
        "code": c_code, "province": prov.code.to_numpy()[c_prov], "name_fa": c_name_fa,
        "name_en": c_name_en,
        "lat": c_lat, "lon": c_lon, "population": c_pop, "spread_km": spread,
        "seat": seat_code, "capital": is_capital,
    })
    settlements = pd.DataFrame({
        "code": np.concatenate([v_code, t_code]),
        "level": np.array(["village"] * len(v_code) + ["city"] * len(t_code)),
        "province": np.concatenate([prov.code.to_numpy()[v_prov],
                                    prov.code.to_numpy()[t_prov]]),
        "county": np.concatenate([c_code[v_county], c_code[t_county]]),
        "lat": np.concatenate([v_lat, t_lat]), "lon": np.concatenate([v_lon, t_lon]),
        "population": np.concatenate([v_pop, t_pop]),
        "is_seat": np.concatenate([np.zeros(len(v_code), bool), t_seat]),
        "name_fa": np.concatenate([np.asarray(v_fa, dtype=object),
                                   np.asarray(t_fa, dtype=object)]),
    })
    return Geography(regions=regions, provinces=provinces, counties=counties,
                     settlements=settlements)


__all__ = ["Geography", "build_geography", "load_provinces", "ZWNJ"]
