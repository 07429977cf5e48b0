"""Scoring every (village, candidate activity) of a province: :func:`village_potential`.

Each component is one step below, in the order of the package docstring; the steps share the
villages in scope (:class:`_Scope`) and the activities (:class:`_Activities`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analysis.complexity import density, presence, proximity, rca
from khooshe.analysis.potential import _sphere
from khooshe.analysis.potential._inputs import check_activities, numeric, require, text_column
from khooshe.analysis.potential._result import Potential
from khooshe.analysis.potential._scaling import combine, scale
from khooshe.analysis.potential._weights import Weights, check_links
from khooshe.domain.geo import haversine_km
from khooshe.domain.regions import RegionHierarchy
from khooshe.text.messages import Bilingual, Message

#: Row block for the dense density products (rows × activities float32).
BLOCK = 8192


def _note(key: str, **params: object) -> Message:
    return Message(f"villages.note.{key}", params)


@dataclass
class _Scope:
    """The villages scored (row ``i`` of every matrix), ordered by province, county, code."""

    h: RegionHierarchy
    lat: np.ndarray            # of every region
    lon: np.ndarray
    county_of: np.ndarray      # every region's county (row index, −1 none)
    vidx: np.ndarray           # region row of each village
    p_code: np.ndarray
    c_code: np.ndarray
    starts: np.ndarray         # first row of each province
    has_xy: np.ndarray
    xy_rows: np.ndarray        # rows with coordinates
    xyz: np.ndarray            # their points (km)

    @property
    def n(self) -> int:
        return len(self.vidx)


@dataclass
class _Activities:
    """Every activity with a firm or a candidacy (``all``) and the candidates (``cand``)."""

    all: np.ndarray
    cand: np.ndarray
    cand_idx: np.ndarray       # position of each candidate in ``all``
    of_firm: np.ndarray        # position of each firm's activity in ``all``


@dataclass
class _Firms:
    """The operating establishments: activity, employment and position."""

    isic: np.ndarray
    employees: np.ndarray
    region: np.ndarray         # region row (−1 unknown)
    lat: np.ndarray
    lon: np.ndarray


def village_potential(
    regions: pd.DataFrame,
    establishments: pd.DataFrame,
    resources: pd.DataFrame | None = None,
    parks: pd.DataFrame | None = None,
    *,
    weights: Weights,
    links: pd.DataFrame,
    province: str | None = None,
    activities: Sequence[str] | None = None,
) -> Potential:
    """Score every village of ``province`` (all villages when ``None``) for every activity.

    Parameters
    ----------
    regions : DataFrame
        The whole hierarchy (``code``, ``level``, ``parent_code``; ``lat``, ``lon``,
        ``population``, ``working_age_share``, ``is_seat``, ``name_fa``, ``name_en`` used when
        present). Pass the whole country: proximity is national, and neighbourhoods cross
        province borders.
    establishments : DataFrame
        ``isic``, ``region_code``; ``status`` (only ``operating`` rows are used when present),
        ``employees`` (missing → 0), ``lat``/``lon`` (missing → the region's coordinates).
    resources : DataFrame, optional
        ``region_code``, ``resource``, ``quantity`` (``unit`` optional).
    parks : DataFrame, optional
        Industrial parks with ``code``, ``lat``, ``lon``.
    weights : Weights
        From :func:`parse_weights` (the package's defaults: ``khooshe.io.reference``).
    links : DataFrame
        Resource → ISIC table (``resource``, ``isic``, ``link``; see :func:`check_links`).
    province : str, optional
        Province code whose villages are scored.
    activities : sequence of str, optional
        Candidate ISIC classes; default: every class with an operating establishment or a
        resource link.

    Raises
    ------
    ValueError
        Missing columns, bad codes or values, an unknown province, no villages.

    Examples
    --------
    >>> regions = pd.DataFrame({
    ...     "code": ["01", "0101", "010101", "0101010001", "0101010002"],
    ...     "level": ["province", "county", "district", "village", "village"],
    ...     "parent_code": [None, "01", "0101", "010101", "010101"],
    ...     "lat": [37.0, 37.0, 37.0, 37.01, 37.20], "lon": [49.0] * 5,
    ...     "population": [None, None, None, 900, 300]})
    >>> firms = pd.DataFrame({"isic": ["1079", "1079", "1061"], "region_code": ["0101"] * 3,
    ...                       "employees": [12, 8, 30], "lat": 37.0, "lon": 49.0})
    >>> from khooshe.io.reference import potential_weights_text, resource_links
    >>> pot = village_potential(regions, firms, province="01", links=resource_links(),
    ...                         weights=parse_weights(None, defaults=potential_weights_text()),
    ...                         activities=["1061", "1079"])
    >>> pot.score.shape, bool((pot.score[0] >= pot.score[1]).all())
    ((2, 2), True)
    """
    w = weights
    links = check_links(links)
    notes: list[Message] = []
    scope = _villages_in_scope(regions, province)
    firms = _operating_firms(establishments, scope)
    acts = _activities(firms, links, activities)

    relatedness, dens_max, agglomeration, nearby = _relatedness_and_agglomeration(
        scope, firms, acts, w, notes)
    res = _resources(scope, resources, links, acts, w, notes)
    pop, workers, labour = _labour(regions, scope, w)
    acc = _access(regions, scope, parks, w, notes)
    pen_values, pen_masks = _penalties(res.penalty_raw, acts, w, scope.n, notes)

    score = combine(
        {"relatedness": relatedness, "resources": res.component,
         "agglomeration": agglomeration, "access": acc.access[:, None],
         "labour": labour[:, None]},
        w,
        {k: (pen_values[k], pen_masks[k]) for k in pen_values},
    )
    h, vidx = scope.h, scope.vidx
    villages = pd.DataFrame({
        "village_code": h.codes[vidx],
        "county_code": scope.c_code,
        "province_code": scope.p_code,
        "name_fa": text_column(regions, "name_fa", vidx),
        "name_en": text_column(regions, "name_en", vidx),
        "population": pop,
        "working_age": workers,
        "lat": scope.lat[vidx],
        "lon": scope.lon[vidx],
        "dist_park_km": np.where(np.isfinite(acc.d_park), acc.d_park, np.nan),
        "park_code": acc.park_code,
        "dist_seat_km": acc.d_seat,
        "dist_city_km": np.where(np.isfinite(acc.d_city), acc.d_city, np.nan),
        "has_coordinates": scope.has_xy,
    })
    if (~scope.has_xy).any():
        notes.append(_note("no_coordinates", n=int((~scope.has_xy).sum())))
    return Potential(
        villages=villages, activities=acts.cand, relatedness=relatedness,
        resources=res.component, agglomeration=agglomeration, access=acc.access,
        labour=labour, penalty_values=pen_values, penalty_masks=pen_masks, score=score,
        weights=w, group_starts=scope.starts, density_max=dens_max, nearby_firms=nearby,
        resource_supply=res.supply, resource_keys=res.keys, resource_units=res.units,
        resource_best=res.best, links=links, notes=notes,
    )


# ------------------------------------------------------------------------------ the inputs
def _villages_in_scope(regions: pd.DataFrame, province: str | None) -> _Scope:
    """The province's villages (every village when ``province`` is None), ordered by
    (province, county, code), with their points on the sphere."""
    h = RegionHierarchy(regions)
    lat, lon = numeric(regions, "lat", "regions"), numeric(regions, "lon", "regions")
    county_of = h.ancestor_index("county")
    prov_of = h.ancestor_index("province")
    is_village = h.level == "village"
    if province is not None:
        province = str(province)
        if province not in set(h.codes[h.level == "province"]):
            raise ValueError(f"province {province!r} is not among the regions")
        is_village &= prov_of == h.index.get_loc(province)
    vidx = np.flatnonzero(is_village)
    if len(vidx) == 0:
        raise ValueError("no villages to score" + (f" in province {province}" if province
                                                    else ""))
    p_code = np.where(prov_of[vidx] >= 0, h.codes[np.maximum(prov_of[vidx], 0)], "")
    c_code = np.where(county_of[vidx] >= 0, h.codes[np.maximum(county_of[vidx], 0)], "")
    order = np.lexsort((h.codes[vidx], c_code, p_code))
    vidx, p_code, c_code = vidx[order], p_code[order], c_code[order]
    vlat, vlon = lat[vidx], lon[vidx]
    has_xy = np.isfinite(vlat) & np.isfinite(vlon)
    return _Scope(h=h, lat=lat, lon=lon, county_of=county_of, vidx=vidx, p_code=p_code,
                  c_code=c_code, starts=np.flatnonzero(np.r_[True, p_code[1:] != p_code[:-1]]),
                  has_xy=has_xy, xy_rows=np.flatnonzero(has_xy),
                  xyz=_sphere.xyz(vlat[has_xy], vlon[has_xy]))


def _operating_firms(establishments: pd.DataFrame, scope: _Scope) -> _Firms:
    """Operating establishments; a firm without coordinates sits at its region's."""
    require(establishments, "establishments", ("isic", "region_code"))
    est = establishments
    if "status" in est.columns:
        est = est[est["status"].astype(str) == "operating"]
    isic = est["isic"].astype(str).to_numpy()
    # a register repeats a few hundred classes a million times: check each class once
    code, classes = pd.factorize(isic)
    bad = ~pd.Series(classes).str.fullmatch(r"\d{4}").to_numpy()[code]
    if bad.any():
        raise ValueError(f"establishments.isic must be 4-digit ISIC classes; got {isic[bad][0]!r}")
    emp = numeric(est, "employees", "establishments")
    if (emp < 0).any():
        raise ValueError("establishments.employees must be ≥ 0")
    # each region once (missing codes kept as values, so they are looked up as before)
    code, regions = pd.factorize(est["region_code"], use_na_sentinel=False)
    region = scope.h.lookup(pd.Series(regions, dtype=object).astype(str))[code]
    elat, elon = numeric(est, "lat", "establishments"), numeric(est, "lon", "establishments")
    fill = ~(np.isfinite(elat) & np.isfinite(elon)) & (region >= 0)
    elat[fill], elon[fill] = scope.lat[region[fill]], scope.lon[region[fill]]
    return _Firms(isic=isic, employees=np.nan_to_num(emp, nan=0.0), region=region, lat=elat,
                  lon=elon)


def _activities(firms: _Firms, links: pd.DataFrame,
                activities: Sequence[str] | None) -> _Activities:
    cand = check_activities(activities)
    if cand is None:
        cand = sorted(set(firms.isic) | set(links["isic"]))
        if not cand:
            raise ValueError("no candidate activities: no operating establishments and no links")
    all_acts = np.array(sorted(set(firms.isic) | set(cand)))
    pos = pd.Index(all_acts)
    cand_arr = np.array(cand)
    return _Activities(all=all_acts, cand=cand_arr, cand_idx=pos.get_indexer(cand_arr),
                       of_firm=pos.get_indexer(firms.isic))


# ------------------------------------------------------------ relatedness and agglomeration
def _engine_density(levels, phi: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The complexity engine's density (:func:`khooshe.analysis.complexity.density`,
    ``ω = Σ_q L_q φ_qp / Σ_q φ_qp``) in columns ``cols``, float32, 0 where ``p`` has no
    neighbour (the engine's NaN)."""
    if phi.shape[0] == 0 or levels.shape[0] == 0:
        return np.zeros((levels.shape[0], len(cols)), dtype=np.float32)
    out = density(levels, phi)[:, cols].astype(np.float32)
    np.nan_to_num(out, copy=False, nan=0.0)
    return out


def _national_proximity(scope: _Scope, firms: _Firms, acts: _Activities, w: Weights,
                        notes: list[Message]):
    """County × activity employment of the whole country → presence ``M``, proximity ``φ``,
    the national employment share of each activity and each county's density in the
    candidates; and each village's county row."""
    h = scope.h
    counties = np.flatnonzero(h.level == "county")
    cpos = np.full(len(h.codes), -1)
    cpos[counties] = np.arange(len(counties))
    e_county = np.where(firms.region >= 0, scope.county_of[np.maximum(firms.region, 0)], -1)
    e_cty = np.where(e_county >= 0, cpos[np.maximum(e_county, 0)], -1)
    ok = e_cty >= 0
    n_a = len(acts.all)
    x_ca = np.zeros((len(counties), n_a))
    np.add.at(x_ca, (e_cty[ok], acts.of_firm[ok]), firms.employees[ok])
    with np.errstate(invalid="ignore", divide="ignore"):
        m_ca = presence(rca=rca(x_ca), rca_threshold=w.rca_threshold).astype(np.float64)
    phi = proximity(m_ca) if n_a else np.zeros((0, 0))
    total = x_ca.sum()
    share = x_ca.sum(axis=0) / total if total > 0 else np.zeros(n_a)
    county_dens = _engine_density(m_ca, phi, acts.cand_idx)                  # (C, P)
    v_county = scope.county_of[scope.vidx]
    v_cty = np.where(v_county >= 0, cpos[np.maximum(v_county, 0)], -1)
    if not ok.any():
        notes.append(_note("no_county_firms"))
    return phi, share, county_dens, v_cty


def _relatedness_and_agglomeration(scope: _Scope, firms: _Firms, acts: _Activities,
                                   w: Weights, notes: list[Message]):
    """``c_relatedness`` (and each province's largest raw density), ``c_agglomeration`` and
    the count of operating firms of each candidate within the agglomeration radius."""
    phi, share, county_dens, v_cty = _national_proximity(scope, firms, acts, w, notes)
    n_v, n_a, n_p = scope.n, len(acts.all), len(acts.cand)
    has_e = np.isfinite(firms.lat) & np.isfinite(firms.lon)
    cell, clat, clon = _sphere.pool(firms.lat[has_e], firms.lon[has_e], w.grid_km)
    n_s = len(clat)
    f_emp = sp.csr_matrix((firms.employees[has_e], (cell, acts.of_firm[has_e])),
                          shape=(n_s, n_a))
    f_cnt = sp.csr_matrix((np.ones(int(has_e.sum())), (cell, acts.of_firm[has_e])),
                          shape=(n_s, n_a))[:, acts.cand_idx]
    r_max = max(w.relatedness_radius_km, w.agglomeration_radius_km)
    pi, pj, pd_km = _sphere.pairs(scope.xyz, _sphere.xyz(clat, clon), r_max)
    # one village × cell matrix holding 1 + distance (never 0, so no entry is dropped); the
    # two radii reuse its structure instead of building (and sorting) two matrices
    dist1 = sp.csr_matrix((pd_km + 1.0, (scope.xy_rows[pi], pj)), shape=(n_v, n_s))
    del pi, pj, pd_km

    # the local presence N: RCA of the employment within the radius against the nation's
    e_loc = (_sphere.within(dist1, w.relatedness_radius_km) @ f_emp).tocsr()
    row_tot = np.asarray(e_loc.sum(axis=1)).ravel()
    r_of = np.repeat(np.arange(n_v), np.diff(e_loc.indptr))
    sh = share[e_loc.indices]
    with np.errstate(invalid="ignore", divide="ignore"):
        local_rca = (e_loc.data / row_tot[r_of]) / sh
    pres = (sh > 0) & (e_loc.data > 0) & (local_rca > w.rca_threshold)
    n_loc = sp.csr_matrix((pres.astype(np.float32), e_loc.indices, e_loc.indptr),
                          shape=(n_v, n_a))
    n_loc.eliminate_zeros()
    nearby = (_sphere.within(dist1, w.agglomeration_radius_km) @ f_cnt).tocsr()
    del dist1
    nearby.data = np.rint(nearby.data)
    nearby = nearby.astype(np.int32)

    # density ω = s·density(N, φ) + (1−s)·density(M_county, φ) (density is linear in L), the
    # village part by row blocks
    dens = np.empty((n_v, n_p), dtype=np.float32)
    s_loc = np.float32(w.local_share)
    cd = np.vstack([county_dens, np.zeros((1, n_p), np.float32)])      # row −1 → zeros
    for a in range(0, n_v, BLOCK):
        b = min(a + BLOCK, n_v)
        blk = _engine_density(n_loc[a:b], phi, acts.cand_idx)
        blk *= s_loc
        blk += (np.float32(1) - s_loc) * cd[v_cty[a:b]]
        dens[a:b] = blk
    relatedness, dens_max = scale(dens, scope.starts, w.exponents["relatedness"],
                                  per_column=False, copy=False)
    del dens
    agglomeration, _ = scale(nearby.toarray().astype(np.float32), scope.starts,
                             w.exponents["agglomeration"], per_column=False, copy=False)
    return relatedness, dens_max, agglomeration, nearby


# ------------------------------------------------------------------------------- resources
@dataclass
class _Resources:
    component: np.ndarray      # c_resources (V, P)
    best: np.ndarray           # resource giving it (V, P), −1 none
    supply: np.ndarray         # Q_vr (V, R)
    keys: np.ndarray           # R resource keys
    units: dict[str, str]
    penalty_raw: dict[str, np.ndarray]   # penalty resource → value per village


def _resources(scope: _Scope, resources: pd.DataFrame | None, links: pd.DataFrame,
               acts: _Activities, w: Weights, notes: list[Message]) -> _Resources:
    """``Q_vr``, ``c_resources`` (and which resource gives it) and the raw penalty values."""
    n_v = scope.n
    pen_keys = {p.resource for p in w.penalties}
    res_keys = np.array(sorted(set(links["resource"])))
    units: dict[str, str] = {}
    supply = np.zeros((n_v, len(res_keys)))
    pen_raw = {k: np.zeros(n_v) for k in pen_keys}
    if resources is not None and len(resources):
        units = _supply(scope, resources, res_keys, pen_keys, w, supply, pen_raw, notes)
    res_scaled, _ = scale(supply, scope.starts, w.exponents["resources"], per_column=True,
                          dtype=np.float64)
    n_p = len(acts.cand)
    res_c = np.zeros((n_v, n_p), dtype=np.float32)
    res_best = np.full((n_v, n_p), -1, dtype=np.int16)
    cand_pos = pd.Index(acts.cand)
    for r in links.itertuples(index=False):   # one pass per link row (a few hundred)
        j = cand_pos.get_indexer([r.isic])[0]
        if j < 0:
            continue
        k = int(np.searchsorted(res_keys, r.resource))
        val = (r.link * res_scaled[:, k]).astype(np.float32)
        better = val > res_c[:, j]
        res_c[better, j] = val[better]
        res_best[better, j] = k
    return _Resources(component=res_c, best=res_best, supply=supply, keys=res_keys,
                      units=units, penalty_raw=pen_raw)


def _supply(scope: _Scope, resources: pd.DataFrame, res_keys: np.ndarray, pen_keys: set[str],
            w: Weights, supply: np.ndarray, pen_raw: dict[str, np.ndarray],
            notes: list[Message]) -> dict[str, str]:
    """Fill ``supply`` (V, R) and ``pen_raw`` from the resources table; return the units.

    Rows on villages or cities with coordinates are points feeding every village within the
    radius; rows on larger regions (or on villages without coordinates) belong to each
    village below them.
    """
    h, vidx, n_v = scope.h, scope.vidx, scope.n
    require(resources, "resources", ("region_code", "resource", "quantity"))
    rq = numeric(resources, "quantity", "resources")
    if np.isnan(rq).any() or (rq < 0).any():
        raise ValueError("resources.quantity must be a number ≥ 0 on every row")
    rkey = resources["resource"].astype(str).to_numpy()
    rreg = h.lookup(resources["region_code"].astype(str))
    unknown = rreg < 0
    if unknown.any():
        notes.append(_note("unknown_resource_regions", n=int(unknown.sum())))
    units: dict[str, str] = {}
    if "unit" in resources.columns:
        frame = pd.DataFrame({"k": rkey, "u": resources["unit"].astype(str)})
        units = frame.groupby("k")["u"].agg(lambda s: s.mode().iloc[0]).to_dict()
    unused = sorted(set(rkey) - set(res_keys) - pen_keys)
    if unused:
        notes.append(_note("unlinked_resources", resources=", ".join(unused)))
    safe = np.maximum(rreg, 0)
    rlev = np.where(rreg >= 0, h.level[safe], "")
    is_point = np.isin(rlev, ("village", "city")) & (rreg >= 0)
    is_point &= np.isfinite(scope.lat[safe]) & np.isfinite(scope.lon[safe])
    vpos = np.full(len(h.codes), -1)
    vpos[vidx] = np.arange(n_v)
    # own rows: areal regions (every village below them) and villages without coordinates
    own = (rreg >= 0) & ~is_point
    ancestry = h.ancestry
    anc_long = pd.DataFrame({"v": np.repeat(np.arange(n_v), ancestry.shape[1]),
                             "region": ancestry[vidx].ravel()})
    anc_long = anc_long[anc_long["region"] >= 0]
    own_rows = pd.DataFrame({"region": rreg[own], "key": rkey[own], "q": rq[own]})
    own_v = anc_long.merge(own_rows, on="region")
    kpos = pd.Index(res_keys).get_indexer(own_v["key"])
    m = kpos >= 0
    np.add.at(supply, (own_v["v"].to_numpy()[m], kpos[m]), own_v["q"].to_numpy()[m])
    for k in pen_keys:
        sel = own_v["key"].to_numpy() == k
        np.maximum.at(pen_raw[k], own_v["v"].to_numpy()[sel], own_v["q"].to_numpy()[sel])
        at_v = is_point & (rkey == k) & (vpos[safe] >= 0)
        np.maximum.at(pen_raw[k], vpos[rreg[at_v]], rq[at_v])
    pts = is_point & np.isin(rkey, res_keys)
    if pts.any():
        # one source point per region (its rows summed), fed to villages within the radius
        src_reg, src_of = np.unique(rreg[pts], return_inverse=True)
        src = sp.csr_matrix((rq[pts], (src_of, np.searchsorted(res_keys, rkey[pts]))),
                            shape=(len(src_reg), len(res_keys)))
        qi, qj, _ = _sphere.pairs(scope.xyz, _sphere.xyz(scope.lat[src_reg],
                                                         scope.lon[src_reg]),
                                  w.resources_radius_km)
        wr = sp.csr_matrix((np.ones(len(qi)), (scope.xy_rows[qi], qj)),
                           shape=(n_v, len(src_reg)))
        supply += (wr @ src).toarray()
    return units


# ------------------------------------------------------------------------ labour and access
def _labour(regions: pd.DataFrame, scope: _Scope, w: Weights):
    """Population, working-age people and ``c_labour`` of each village."""
    pop = numeric(regions, "population", "regions")[scope.vidx]
    was = numeric(regions, "working_age_share", "regions")[scope.vidx]
    was = np.where(np.isfinite(was), was, w.default_working_age_share)
    workers = np.where(np.isfinite(pop), pop, 0.0) * was
    labour, _ = scale(workers, scope.starts, w.exponents["labour"], per_column=False)
    return pop, workers, labour


@dataclass
class _Access:
    access: np.ndarray
    d_park: np.ndarray
    park_code: np.ndarray
    d_seat: np.ndarray
    d_city: np.ndarray


def _access(regions: pd.DataFrame, scope: _Scope, parks: pd.DataFrame | None, w: Weights,
            notes: list[Message]) -> _Access:
    """Distances to the nearest park, the county seat and the nearest city, and ``c_access``."""
    h, vidx, n_v = scope.h, scope.vidx, scope.n
    d_park = np.full(n_v, np.inf)
    park_code = np.full(n_v, None, dtype=object)
    if parks is not None and len(parks):
        require(parks, "parks", ("lat", "lon"))
        plat, plon = numeric(parks, "lat", "parks"), numeric(parks, "lon", "parks")
        okp = np.isfinite(plat) & np.isfinite(plon)
        d, j = _sphere.nearest(scope.xyz, _sphere.xyz(plat[okp], plon[okp]))
        d_park[scope.xy_rows] = d
        if "code" in parks.columns and okp.any():
            park_code[scope.xy_rows] = parks["code"].astype(str).to_numpy()[okp][j]
    else:
        notes.append(_note("no_parks"))
    lat, lon, county_of = scope.lat, scope.lon, scope.county_of
    is_city = (h.level == "city") & np.isfinite(lat) & np.isfinite(lon)
    d_city = np.full(n_v, np.inf)
    d_city[scope.xy_rows] = _sphere.nearest(scope.xyz, _sphere.xyz(lat[is_city],
                                                                   lon[is_city]))[0]
    seat_flag = numeric(regions, "is_seat", "regions")
    seats = np.flatnonzero(is_city & (seat_flag == 1) & (county_of >= 0))
    seat_of_county = np.full(len(h.codes), -1)
    seat_of_county[county_of[seats]] = seats
    vs = np.where(county_of[vidx] >= 0, seat_of_county[np.maximum(county_of[vidx], 0)], -1)
    d_seat = np.full(n_v, np.nan)
    okv = (vs >= 0) & scope.has_xy
    d_seat[okv] = haversine_km(lat[vidx][okv], lon[vidx][okv], lat[vs[okv]], lon[vs[okv]])
    # the nearest city stands in for a missing seat
    d_seat_eff = np.where(np.isfinite(d_seat), d_seat, d_city)
    access = (w.park_share * np.exp2(-d_park / w.park_half_km)
              + w.seat_share * np.exp2(-d_seat_eff / w.seat_half_km)
              + w.city_share * np.exp2(-d_city / w.city_half_km)).astype(np.float32)
    access[~scope.has_xy] = 0.0
    return _Access(access=access, d_park=d_park, park_code=park_code, d_seat=d_seat,
                   d_city=d_city)


def _penalties(raw: dict[str, np.ndarray], acts: _Activities, w: Weights, n_v: int,
               notes: list[Message]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each penalty's value per village (clipped to [0, 1]) and the activities it hits."""
    values, masks = {}, {}
    for pen in w.penalties:
        vals = np.clip(raw.get(pen.resource, np.zeros(n_v)), 0.0, 1.0).astype(np.float32)
        if not vals.any():
            notes.append(_note("penalty_without_data",
                               penalty=Bilingual(pen.label_fa, pen.label_en),
                               resource=Bilingual(pen.label_fa, pen.resource)))
        values[pen.name] = vals
        masks[pen.name] = pen.applies(acts.cand).astype(np.float32)
    return values, masks
