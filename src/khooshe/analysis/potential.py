"""Village potential: a transparent score for every (village, candidate activity) and the
"10 villages per county" shortlist.

Seeds R1–R2: every county governor prepares ten villages for industrial clusters, each producing
according to its own potential. :func:`village_potential` scores every village of a province
for every candidate ISIC Rev.4 activity; :func:`shortlist` picks the top villages of each county
under spacing, diversity and size constraints and explains each pick in Persian and English.

Components (each in [0, 1], kept in the output as ``c_<name>``)
----------------------------------------------------------------
``v`` a village, ``p`` a candidate activity, ``q`` any activity, ``γ`` the component's exponent;
``max_P`` is a maximum over the villages of the same province — over all their (village,
candidate activity) cells for relatedness and agglomeration, so that the activities of a village
are compared on one scale (the best cell of the province scores 1), and per resource for
resources and labour (units differ; the best village of the province scores 1).

relatedness
    Relatedness density of the village's surroundings in ``p`` (Hidalgo, Klinger, Barabási &
    Hausmann 2007). The proximity ``φ`` comes from the complexity engine
    (:func:`khooshe.analysis.complexity.proximity`) on the **national** county × ISIC employment
    of operating establishments, with presence ``M_cq = [RCA_cq > t]``. The village's presence
    vector mixes its surroundings and its county::

        N_vq = [ (E_vq / E_v.) / (X_.q / X_..) > t ]   E: employment within radius_km of v
        L_vq = s · N_vq + (1 − s) · M_county(v),q      s = local_share
        ω_vp = Σ_q L_vq φ_qp / Σ_q φ_qp                (0 where p has no neighbour)
        c = (ω_vp / max_P ω) ^ γ

    ``φ_pp = 0``, so the activity's own presence does not count here (agglomeration does).
    ``rca``, ``presence``, ``proximity`` and ``density`` are the engine's own functions
    (Stata ``ecomplexity`` conventions); density is linear in ``L``, so
    ``ω = s · density(N, φ) + (1 − s) · density(M, φ)[county(v)]``. Only the local RCA is
    computed here, since its denominator is the national share ``X_.q / X_..`` rather than
    the village rows' own total.
resources
    Local raw material that feeds ``p``, from the documented table
    ``khooshe/data/resource_activities.csv`` (one row per (resource, ISIC) link with a strength
    ``a_rp`` ∈ (0, 1]: 1 for the main raw material, less for a secondary input or by-product)::

        Q_vr = Σ_{u within radius_km of v} q_ur  +  q_r of the county/district/rural district of v
        s_vr = (Q_vr / max_P Q_·r) ^ γ       (unit-free: a share of the province's best village)
        c   = max_r a_rp · s_vr

    Resources recorded on villages or cities are points (they feed their neighbours too);
    those recorded on a larger region (ores, oil and gas on a county) belong to each of its
    villages.
agglomeration
    Operating establishments of ``p`` within radius_km: ``c = (n_vp / max_P n) ^ γ``.
labour
    Working-age people ``w_v = population_v × working_age_share_v`` (the default share when
    unknown, 0 when the population is unknown): ``c = (w_v / max_P w) ^ γ``.
access
    ``Σ_k share_k · 2^(−d_k / half_k)`` over the nearest industrial park, the county seat and
    the nearest city (great-circle km; the nearest city stands in for a missing seat, and a
    missing park counts 0). Fixed half-distances, not a province maximum, so access means the
    same everywhere.

Penalties (optional, declared in the weights file) are values ``p_vk`` ∈ [0, 1] read from the
resources table under a key (e.g. ``water_stress``), applied to listed activities.

Score::

    score_vp = Σ_c w_c · c_c,vp − Σ_k w_k · p_vk · [p in activities_k]

with the component weights divided by their sum (so 1 = best of the province on everything)
and penalty weights absolute. The ``c_`` columns multiplied by the weights add up to the score
(float32, to ~1e-7). Raising any component never lowers a score (the weights are ≥ 0), and
the scaling by the province maximum is monotone, so raising a village's population,
working-age share or resources, or bringing a park or city closer, never lowers its own score
for any activity; it may lower other villages' scores, since the province's best is the
reference. (A new firm raises its activity's agglomeration but also changes the national
proximity, so relatedness may move either way.) A province is scored identically alone or
within a national run, and the result does not depend on the order of the input rows.

Defaults and the reason for each weight: ``khooshe/data/potential_weights.toml``
(:func:`default_weights`, :func:`parse_weights`).

Performance: village × activity matrices are dense float32 (60,000 × 300 = 18M cells, 72 MB
each); neighbourhoods are sparse (scipy ``cKDTree`` on 3-D unit-sphere coordinates, where a
chord threshold is an exact great-circle radius), establishments optionally pooled on a grid
(``[neighbourhood] grid_km``); densities are the engine's BLAS products by row blocks. No Python
loop runs over cells; the shortlist loops over each county's candidate pairs until it has N.

API: :func:`village_potential` → :class:`Potential` (matrices; :meth:`Potential.to_long` and
:meth:`Potential.cells` give long tables), :func:`shortlist` → :class:`Shortlist`;
:func:`combine` and :func:`normalise` are the two formulas above on arrays;
:func:`default_weights`, :func:`parse_weights`, :func:`resource_links`, :func:`activity_names`.

Activity names come from :func:`khooshe.io.isic.activity_names` (``khooshe/data/isic.csv``,
real ISIC Rev.4 names in Persian and English).
"""

from __future__ import annotations

import io
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as _resources
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from khooshe.analysis.complexity import density, presence, proximity, rca
from khooshe.domain.geo import EARTH_RADIUS_KM, KM_PER_DEGREE, haversine_km
from khooshe.io.reference import isic_names as activity_names  # TODO(layers): pass in
from khooshe.text.digits import to_persian_digits
from khooshe.text.numbers import format_number

COMPONENTS: tuple[str, ...] = ("relatedness", "resources", "agglomeration", "access", "labour")
#: Village × activity components (the others are per village).
MATRIX_COMPONENTS = ("relatedness", "resources", "agglomeration")
_ISIC4 = re.compile(r"\d{4}")
_ISIC_PREFIX = re.compile(r"\d{2}|\d{4}")
_RESOURCE_KEY = re.compile(r"[a-z][a-z0-9_]{1,40}")
#: Row block for the dense density products (rows × activities float32).
_BLOCK = 8192

UNITS: dict[str, tuple[str, str]] = {
    "t": ("تن", "t"),
    "kg": ("کیلوگرم", "kg"),
    "head": ("رأس", "head"),
    "m3": ("مترمکعب", "m³"),
    "ha": ("هکتار", "ha"),
    "million_m3": ("میلیون مترمکعب", "million m³"),
    "thousand_bbl": ("هزار بشکه", "thousand bbl"),
}


# ============================================================================================
# Weights
# ============================================================================================
@dataclass(frozen=True)
class Penalty:
    """A penalty declared in the weights file.

    Attributes
    ----------
    name : str
        Table name (``[penalties.<name>]``), also the output column ``c_<name>``.
    weight : float
        Subtracted from the score per unit of the penalty value (absolute, not normalised).
    resource : str
        Resources-table key carrying the value in [0, 1] (values are clipped to it).
    activities : tuple of str or None
        ISIC classes or 2-digit divisions it applies to; ``None`` for all.
    """

    name: str
    weight: float
    resource: str
    activities: tuple[str, ...] | None = None
    label_fa: str = ""
    label_en: str = ""
    reason: str = ""

    def applies(self, isic: np.ndarray) -> np.ndarray:
        """Boolean mask of the activities ``isic`` this penalty applies to."""
        isic = [str(a) for a in isic]
        if self.activities is None:
            return np.ones(len(isic), dtype=bool)
        wanted = set(self.activities)
        return np.array([a in wanted or a[:2] in wanted for a in isic], dtype=bool)


@dataclass(frozen=True)
class Weights:
    """Weights and parameters of the score (see ``khooshe/data/potential_weights.toml``).

    ``weights`` are the component weights divided by their sum; ``given`` keeps them as written.
    """

    weights: dict[str, float]
    given: dict[str, float]
    reasons: dict[str, str]
    relatedness_radius_km: float
    local_share: float
    rca_threshold: float
    resources_radius_km: float
    agglomeration_radius_km: float
    park_half_km: float
    seat_half_km: float
    city_half_km: float
    park_share: float
    seat_share: float
    city_share: float
    default_working_age_share: float
    exponents: dict[str, float]
    grid_km: float
    penalties: tuple[Penalty, ...] = field(default_factory=tuple)


#: Keys allowed in each table of a weights file, with their kind.
_SPEC: dict[str, dict[str, str]] = {
    "relatedness": {"weight": "w", "reason": "s", "radius_km": "pos", "local_share": "unit",
                    "rca_threshold": "nonneg", "exponent": "pos"},
    "resources": {"weight": "w", "reason": "s", "radius_km": "pos", "exponent": "pos"},
    "agglomeration": {"weight": "w", "reason": "s", "radius_km": "pos", "exponent": "pos"},
    "access": {"weight": "w", "reason": "s", "park_half_km": "pos", "seat_half_km": "pos",
               "city_half_km": "pos", "park_share": "nonneg", "seat_share": "nonneg",
               "city_share": "nonneg"},
    "labour": {"weight": "w", "reason": "s", "exponent": "pos",
               "default_working_age_share": "share"},
}
_PENALTY_KEYS = {"weight", "resource", "activities", "label_fa", "label_en", "reason"}


@cache
def _default_text() -> str:
    return (_resources.files("khooshe") / "data" / "potential_weights.toml").read_text(
        encoding="utf-8")


def _number(value: Any, kind: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} must be a number, not {value!r}")
    x = float(value)
    ok = math.isfinite(x) and {
        "w": x >= 0, "nonneg": x >= 0, "pos": x > 0, "unit": 0 <= x <= 1, "share": 0 < x <= 1,
    }[kind]
    if not ok:
        need = {"w": "≥ 0", "nonneg": "≥ 0", "pos": "> 0", "unit": "in [0, 1]",
                "share": "in (0, 1]"}[kind]
        raise ValueError(f"{where} must be {need}, not {value!r}")
    return x


def _merge(base: dict, override: dict, source: str) -> dict:
    """Defaults overridden key by key; unknown tables or keys raise."""
    out = {"components": {k: dict(v) for k, v in base.get("components", {}).items()},
           "neighbourhood": dict(base.get("neighbourhood", {})),
           "penalties": {k: dict(v) for k, v in base.get("penalties", {}).items()}}
    unknown = set(override) - set(out)
    if unknown:
        raise ValueError(f"{source}: unknown table(s) {', '.join(sorted(unknown))}; "
                         "expected components, neighbourhood, penalties")
    for name, table in override.get("components", {}).items():
        if name not in _SPEC:
            raise ValueError(f"{source}: unknown component {name!r}; choose among "
                             f"{', '.join(_SPEC)}")
        if not isinstance(table, dict):
            raise ValueError(f"{source}: components.{name} must be a table")
        bad = set(table) - set(_SPEC[name])
        if bad:
            raise ValueError(f"{source}: unknown key(s) in components.{name}: "
                             f"{', '.join(sorted(bad))}; allowed: {', '.join(_SPEC[name])}")
        out["components"].setdefault(name, {}).update(table)
    nb = override.get("neighbourhood", {})
    bad = set(nb) - {"grid_km"}
    if bad:
        raise ValueError(f"{source}: unknown key(s) in neighbourhood: {', '.join(sorted(bad))}")
    out["neighbourhood"].update(nb)
    for name, table in override.get("penalties", {}).items():
        if not isinstance(table, dict):
            raise ValueError(f"{source}: penalties.{name} must be a table")
        out["penalties"][name] = dict(table)
    return out


def _build(data: dict, source: str) -> Weights:
    comps = data["components"]
    missing = [c for c in COMPONENTS if c not in comps]
    if missing:
        raise ValueError(f"{source}: component(s) {', '.join(missing)} missing")
    vals: dict[str, dict[str, float]] = {}
    reasons: dict[str, str] = {}
    for name in COMPONENTS:
        table = comps[name]
        absent = [k for k in _SPEC[name] if k not in table]
        if absent:
            raise ValueError(f"{source}: components.{name} lacks {', '.join(absent)}")
        vals[name] = {k: _number(v, _SPEC[name][k], f"{source}: components.{name}.{k}")
                      for k, v in table.items() if _SPEC[name][k] != "s"}
        reason = table["reason"]
        if not isinstance(reason, str):
            raise ValueError(f"{source}: components.{name}.reason must be text")
        reasons[name] = " ".join(reason.split())
    given = {c: vals[c]["weight"] for c in COMPONENTS}
    total = sum(given.values())
    if total <= 0:
        raise ValueError(f"{source}: at least one component weight must be positive")
    acc = vals["access"]
    share_total = acc["park_share"] + acc["seat_share"] + acc["city_share"]
    if share_total <= 0:
        raise ValueError(f"{source}: components.access needs a positive park, seat or city "
                         "share")
    grid = data["neighbourhood"].get("grid_km", 0.0)
    grid = _number(grid, "nonneg", f"{source}: neighbourhood.grid_km")
    penalties = []
    for name, table in sorted(data["penalties"].items()):
        if not _RESOURCE_KEY.fullmatch(name):
            raise ValueError(f"{source}: penalty name {name!r} must be lower-case letters, "
                             "digits and _")
        bad = set(table) - _PENALTY_KEYS
        if bad:
            allowed = ", ".join(sorted(_PENALTY_KEYS))
            raise ValueError(f"{source}: unknown key(s) in penalties.{name}: "
                             f"{', '.join(sorted(bad))}; allowed: {allowed}")
        for key in ("weight", "resource"):
            if key not in table:
                raise ValueError(f"{source}: penalties.{name} lacks {key}")
        weight = _number(table["weight"], "w", f"{source}: penalties.{name}.weight")
        res = table["resource"]
        if not isinstance(res, str) or not _RESOURCE_KEY.fullmatch(res):
            raise ValueError(f"{source}: penalties.{name}.resource must be a resource key "
                             f"like water_stress, not {res!r}")
        acts = table.get("activities")
        if acts is not None:
            if not isinstance(acts, list) or not all(
                    isinstance(a, str) and _ISIC_PREFIX.fullmatch(a) for a in acts):
                raise ValueError(f"{source}: penalties.{name}.activities must be a list of "
                                 "4-digit ISIC classes or 2-digit divisions (as strings)")
            acts = tuple(acts)
        if name in COMPONENTS:
            raise ValueError(f"{source}: penalty {name!r} has a component's name")
        if weight > 0:
            penalties.append(Penalty(
                name=name, weight=weight, resource=res, activities=acts,
                label_fa=str(table.get("label_fa", name)),
                label_en=str(table.get("label_en", name)),
                reason=" ".join(str(table.get("reason", "")).split()),
            ))
    return Weights(
        weights={c: given[c] / total for c in COMPONENTS},
        given=given,
        reasons=reasons,
        relatedness_radius_km=vals["relatedness"]["radius_km"],
        local_share=vals["relatedness"]["local_share"],
        rca_threshold=vals["relatedness"]["rca_threshold"],
        resources_radius_km=vals["resources"]["radius_km"],
        agglomeration_radius_km=vals["agglomeration"]["radius_km"],
        park_half_km=acc["park_half_km"],
        seat_half_km=acc["seat_half_km"],
        city_half_km=acc["city_half_km"],
        park_share=acc["park_share"] / share_total,
        seat_share=acc["seat_share"] / share_total,
        city_share=acc["city_share"] / share_total,
        default_working_age_share=vals["labour"]["default_working_age_share"],
        exponents={c: vals[c]["exponent"] for c in ("relatedness", "resources",
                                                    "agglomeration", "labour")},
        grid_km=grid,
        penalties=tuple(penalties),
    )


def parse_weights(text: str | None = None, *, source: str = "weights file") -> Weights:
    """Weights from TOML ``text`` laid over the packaged defaults.

    Parameters
    ----------
    text : str, optional
        A TOML document with only the values to change (see
        ``khooshe/data/potential_weights.toml``); ``None`` gives the defaults.
    source : str
        Name used in error messages (e.g. the file's path).

    Raises
    ------
    ValueError
        For invalid TOML, an unknown table or key, or a value out of range — naming it.
    """
    base = tomllib.loads(_default_text())
    if text is None:
        return _build(_merge(base, {}, "defaults"), "defaults")
    try:
        override = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML: {exc}") from None
    return _build(_merge(base, override, source), source)


def default_weights() -> Weights:
    """The packaged default weights (``khooshe/data/potential_weights.toml``)."""
    return parse_weights(None)


# ============================================================================================
# Packaged tables
# ============================================================================================
@cache
def _links_text() -> str:
    return (_resources.files("khooshe") / "data" / "resource_activities.csv").read_text(
        encoding="utf-8")


def resource_links() -> pd.DataFrame:
    """The documented resource → ISIC table (``khooshe/data/resource_activities.csv``).

    Columns ``resource``, ``isic``, ``link`` (strength in (0, 1]), ``resource_fa``,
    ``resource_en`` and ``note`` (why the resource feeds the activity).
    """
    df = pd.read_csv(io.StringIO(_links_text()), dtype=str, keep_default_na=False)
    df["link"] = df["link"].astype(float)
    return check_links(df)


def check_links(links: pd.DataFrame) -> pd.DataFrame:
    """Validate a resource → ISIC table (``resource``, ``isic``, ``link``; names optional)."""
    missing = [c for c in ("resource", "isic", "link") if c not in links.columns]
    if missing:
        raise ValueError(f"resource links lack column(s) {', '.join(missing)}")
    out = links.copy()
    out["resource"] = out["resource"].astype(str)
    out["isic"] = out["isic"].astype(str)
    bad = out.loc[~out["isic"].str.fullmatch(r"\d{4}"), "isic"]
    if len(bad):
        raise ValueError(f"resource links: ISIC must be 4 digits, got {bad.iloc[0]!r}")
    link = pd.to_numeric(out["link"], errors="coerce")
    if link.isna().any() or (link <= 0).any() or (link > 1).any():
        raise ValueError("resource links: link must be a number in (0, 1]")
    out["link"] = link.astype(float)
    if out.duplicated(["resource", "isic"]).any():
        raise ValueError("resource links: a (resource, isic) pair appears twice")
    for col in ("resource_fa", "resource_en"):
        if col not in out.columns:
            out[col] = out["resource"]
    return out.reset_index(drop=True)


# ============================================================================================
# Geometry
# ============================================================================================
def _xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on a sphere of radius :data:`EARTH_RADIUS_KM` (km), shape (n, 3)."""
    la, lo = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    c = np.cos(la)
    return np.column_stack([c * np.cos(lo), c * np.sin(lo), np.sin(la)]) * EARTH_RADIUS_KM


def _chord(km: float) -> float:
    return 2 * EARTH_RADIUS_KM * math.sin(min(km / (2 * EARTH_RADIUS_KM), math.pi / 2))


def _arc(chord: np.ndarray) -> np.ndarray:
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / (2 * EARTH_RADIUS_KM), 0, 1))


def _pairs(q_xyz: np.ndarray, s_xyz: np.ndarray, radius_km: float):
    """All (query i, source j, distance km) within ``radius_km`` (great-circle, inclusive)."""
    if len(q_xyz) == 0 or len(s_xyz) == 0:
        e = np.zeros(0, dtype=np.int32)
        return e, e, np.zeros(0)
    res = cKDTree(q_xyz).sparse_distance_matrix(cKDTree(s_xyz), _chord(radius_km),
                                                output_type="ndarray")
    i, j = res["i"].astype(np.int32), res["j"].astype(np.int32)
    d = _arc(res["v"])
    del res
    return i, j, d


def _within(dist1: sp.csr_matrix, radius: float) -> sp.csr_matrix:
    """0/1 matrix of the entries of ``dist1`` (1 + distance, km) within ``radius``, sharing
    its structure (no new sort)."""
    return sp.csr_matrix(((dist1.data <= radius + 1.0).astype(np.float32), dist1.indices,
                          dist1.indptr), shape=dist1.shape)


def _nearest(q_xyz: np.ndarray, s_xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance (km) to and index of the nearest source; inf/−1 when there is none."""
    if len(s_xyz) == 0:
        return np.full(len(q_xyz), np.inf), np.full(len(q_xyz), -1)
    d, j = cKDTree(s_xyz).query(q_xyz, k=1, workers=-1)
    return _arc(d), j


def _pool(lat: np.ndarray, lon: np.ndarray, grid_km: float):
    """Snap points to a ~grid_km equal-area-ish grid: (cell of each point, cell lat, cell lon).

    Rows of height ``grid_km`` in latitude; in each row, cells of width ``grid_km`` at the row's
    centre latitude. A point is at most half a cell diagonal from its cell's centre.
    """
    if grid_km <= 0 or len(lat) == 0:
        return np.arange(len(lat)), np.asarray(lat, float), np.asarray(lon, float)
    dlat = grid_km / KM_PER_DEGREE
    row = np.floor(np.asarray(lat) / dlat)
    clat = (row + 0.5) * dlat
    dlon = dlat / np.maximum(np.cos(np.radians(clat)), 1e-6)
    col = np.floor(np.asarray(lon) / dlon)
    key = pd.MultiIndex.from_arrays([row, col])
    cell, uniq = pd.factorize(key)
    urow = uniq.get_level_values(0).to_numpy()
    ucol = uniq.get_level_values(1).to_numpy()
    ulat = (urow + 0.5) * dlat
    ulon = (ucol + 0.5) * (dlat / np.maximum(np.cos(np.radians(ulat)), 1e-6))
    return cell, ulat, ulon


# ============================================================================================
# Inputs
# ============================================================================================
def _require(df: pd.DataFrame, name: str, cols: Iterable[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name} lack column(s) {', '.join(missing)}")


def _numeric(df: pd.DataFrame, col: str, name: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), np.nan)
    s = pd.to_numeric(df[col], errors="coerce")
    bad = s.isna() & df[col].notna()
    if bad.any():
        raise ValueError(f"{name}.{col} must be numeric; got {df[col][bad].iloc[0]!r}")
    return np.array(s.to_numpy(dtype=float, na_value=np.nan), dtype=float, copy=True)


@dataclass
class _Hierarchy:
    codes: np.ndarray          # region codes (str)
    level: np.ndarray          # level of each region
    lat: np.ndarray
    lon: np.ndarray
    anc: np.ndarray            # (n, depth) region index of each ancestor, col 0 = itself, -1 pad
    index: pd.Index

    def ancestor(self, level: str) -> np.ndarray:
        """Index of each region's ancestor (or itself) at ``level``; −1 when none."""
        lv = np.append(self.level, "")[self.anc]  # −1 → ""
        hit = lv == level
        first = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
        out = np.full(len(self.codes), -1)
        ok = first >= 0
        out[ok] = self.anc[np.flatnonzero(ok), first[ok]]
        return out

    def lookup(self, codes: pd.Series | np.ndarray) -> np.ndarray:
        return self.index.get_indexer(np.asarray(codes, dtype=object))


def _hierarchy(regions: pd.DataFrame) -> _Hierarchy:
    _require(regions, "regions", ("code", "level", "parent_code"))
    codes = regions["code"].astype(str).to_numpy()
    index = pd.Index(codes)
    if not index.is_unique:
        dup = index[index.duplicated()][0]
        raise ValueError(f"regions: code {dup!r} appears twice")
    parent = index.get_indexer(regions["parent_code"].astype(object).where(
        regions["parent_code"].notna(), None).to_numpy())
    depth = 8
    anc = np.full((len(codes), depth), -1, dtype=np.int64)
    anc[:, 0] = np.arange(len(codes))
    cur = anc[:, 0]
    parent_ext = np.append(parent, -1)
    for k in range(1, depth):
        cur = parent_ext[cur]
        anc[:, k] = cur
        if (cur < 0).all():
            break
    return _Hierarchy(codes=codes, level=regions["level"].astype(str).to_numpy(),
                      lat=_numeric(regions, "lat", "regions"),
                      lon=_numeric(regions, "lon", "regions"), anc=anc, index=index)


def _check_activities(activities: Sequence[str] | None) -> list[str] | None:
    if activities is None:
        return None
    acts = [str(a).strip() for a in activities]
    bad = [a for a in acts if not _ISIC4.fullmatch(a)]
    if bad:
        raise ValueError(f"activities must be 4-digit ISIC Rev.4 classes; got {bad[0]!r}")
    if not acts:
        raise ValueError("activities is empty")
    return sorted(set(acts))


def _scale(values: np.ndarray, starts: np.ndarray, exponent: float, *, per_column: bool,
           dtype: type = np.float32, copy: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``(x / max_group x) ** exponent`` (0 where the group's maximum is 0), group by group.

    Groups are contiguous row ranges starting at ``starts`` (the provinces). The maximum is
    taken per column (``per_column``) or over the whole group block. Returns the scaled values
    (in place when ``copy`` is false and ``values`` already has ``dtype``) and the maxima
    (shape (G, columns) or (G,)).
    """
    out = np.array(values, dtype=dtype, copy=True) if copy else np.asarray(values, dtype=dtype)
    bounds = np.r_[starts, len(out)]
    maxima = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        blk = out[a:b]
        if per_column and blk.ndim == 2:
            mx = blk.max(axis=0)
            pos = mx > 0
            blk[:, pos] /= mx[pos]          # x / max ≤ 1: no overflow even for tiny maxima
        else:
            mx = blk.max()
            if mx > 0:
                blk /= mx
        maxima.append(mx)
    np.minimum(out, 1.0, out=out)
    if exponent != 1.0:
        np.power(out, dtype(exponent), out=out)
    return out, np.array(maxima)


def normalise(values: np.ndarray, groups: np.ndarray | None = None, *, exponent: float = 1.0,
              per_column: bool = True) -> np.ndarray:
    """``(x / max x) ** exponent`` within each group of rows (the scaling of every amount).

    Parameters
    ----------
    values : ndarray, shape (n,) or (n, m)
        Non-negative amounts.
    groups : array-like of labels, shape (n,), optional
        Group of each row (e.g. the province); one group when omitted.
    exponent : float
        ``γ > 0``; below 1 it softens long right tails.
    per_column : bool
        Maximum per column (one scale per resource) or over the group's whole block (one
        scale for all activities).

    Returns
    -------
    ndarray of float64 in [0, 1]; 0 where the group's maximum is 0. Monotone: raising one
    entry never lowers its own result.
    """
    vals = np.asarray(values, dtype=np.float64)
    if np.isnan(vals).any() or (vals < 0).any():
        raise ValueError("normalise: values must be non-negative numbers")
    if not exponent > 0:
        raise ValueError(f"normalise: exponent must be > 0, not {exponent!r}")
    if groups is None:
        return _scale(vals, np.array([0]), exponent, per_column=per_column,
                      dtype=np.float64)[0] if len(vals) else vals.copy()
    codes, _ = pd.factorize(np.asarray(groups), sort=True)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
    scaled, _ = _scale(vals[order], starts, exponent, per_column=per_column, dtype=np.float64)
    out = np.empty_like(scaled)
    out[order] = scaled
    return out


def combine(
    components: dict[str, np.ndarray],
    weights: Weights,
    penalties: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> np.ndarray:
    """The score from components in [0, 1]: ``Σ_c w_c c_c − Σ_k w_k p_k ⊗ mask_k`` (float32).

    Parameters
    ----------
    components : dict
        One array per name of :data:`COMPONENTS`, each (V, P) or broadcastable to it
        (``(V, 1)`` for per-village components).
    weights : Weights
        ``weights.weights`` (summing to 1) multiply the components; each penalty of
        ``weights.penalties`` present in ``penalties`` is subtracted with its own weight.
    penalties : dict of name to (values (V,), mask (P,)), optional

    Raises
    ------
    ValueError
        If a component is missing or outside [0, 1].
    """
    missing = [c for c in COMPONENTS if c not in components]
    if missing:
        raise ValueError(f"combine: component(s) {', '.join(missing)} missing")
    shape = np.broadcast_shapes(*(np.shape(components[c]) for c in COMPONENTS))
    score = np.zeros(shape, dtype=np.float32)
    for name in COMPONENTS:
        c = np.asarray(components[name], dtype=np.float32)
        if c.size and (np.isnan(c).any() or c.min() < 0 or c.max() > 1):
            raise ValueError(f"combine: component {name} must lie in [0, 1]")
        score += np.float32(weights.weights[name]) * c
    for pen in weights.penalties:
        if penalties is None or pen.name not in penalties:
            continue
        values, mask = penalties[pen.name]
        values = np.asarray(values, dtype=np.float32)
        if values.any():
            score -= np.float32(pen.weight) * np.outer(values, np.asarray(mask, np.float32))
    return score


# ============================================================================================
# Result
# ============================================================================================
@dataclass
class Potential:
    """Scores of every (village, candidate activity) of a province, with their components.

    Attributes
    ----------
    villages : DataFrame
        One row per scored village (row ``i`` of every matrix): ``village_code``,
        ``county_code``, ``province_code``, ``name_fa``, ``name_en``, ``population``,
        ``working_age``, ``lat``, ``lon``, ``dist_park_km``, ``park_code``, ``dist_seat_km``,
        ``dist_city_km``, ``has_coordinates``.
    activities : ndarray of str
        Candidate ISIC classes (column ``j`` of every matrix), sorted.
    relatedness, resources, agglomeration : ndarray, float32, (V, P)
        Components in [0, 1].
    access, labour : ndarray, float32, (V,)
        Per-village components in [0, 1].
    penalty_values : dict of str to ndarray (V,)
        Each penalty's value in [0, 1]; ``penalty_masks`` the activities it applies to.
    score : ndarray, float32, (V, P)
    weights : Weights
    group_starts, density_max : ndarray (G,)
        First row of each province and its largest raw density (to recover ω from
        ``c_relatedness``).
    nearby_firms : csr_matrix (V, P)
        Operating establishments of the activity within the agglomeration radius.
    resource_supply : ndarray (V, R)
        ``Q_vr``: raw quantity of each resource feeding the village (see the docstring).
    resource_keys : ndarray of str (R,)
        Resources of ``resource_supply``; ``resource_best`` (V, P) int16 is the index of the
        resource giving ``c_resources`` (−1 when 0).
    notes : list of str
        What was left out or assumed (English), e.g. a penalty without data.
    """

    villages: pd.DataFrame
    activities: np.ndarray
    relatedness: np.ndarray
    resources: np.ndarray
    agglomeration: np.ndarray
    access: np.ndarray
    labour: np.ndarray
    penalty_values: dict[str, np.ndarray]
    penalty_masks: dict[str, np.ndarray]
    score: np.ndarray
    weights: Weights
    group_starts: np.ndarray
    density_max: np.ndarray
    nearby_firms: sp.csr_matrix
    resource_supply: np.ndarray
    resource_keys: np.ndarray
    resource_units: dict[str, str]
    resource_best: np.ndarray
    links: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def component_names(self) -> list[str]:
        """Output components: the five, then the penalties."""
        return list(COMPONENTS) + [p.name for p in self.weights.penalties]

    def component(self, name: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Values of component (or penalty) ``name`` at cells (rows[i], cols[i])."""
        if name in MATRIX_COMPONENTS:
            return getattr(self, name)[rows, cols]
        if name in ("access", "labour"):
            return getattr(self, name)[rows]
        return self.penalty_values[name][rows] * self.penalty_masks[name][cols]

    def signed_weight(self, name: str) -> float:
        """Weight of a component (positive) or penalty (negative) in the score."""
        if name in COMPONENTS:
            return self.weights.weights[name]
        return -next(p.weight for p in self.weights.penalties if p.name == name)

    def cells(self, rows: np.ndarray, cols: np.ndarray) -> pd.DataFrame:
        """Long table of the cells (rows[i], cols[i]) with score, components and facts."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        v = self.villages
        out = pd.DataFrame({
            "county_code": v["county_code"].to_numpy()[rows],
            "village_code": v["village_code"].to_numpy()[rows],
            "activity": self.activities[cols],
            "score": self.score[rows, cols].astype(np.float64),
        })
        for name in self.component_names:
            out[f"c_{name}"] = self.component(name, rows, cols).astype(np.float64)
        g = np.searchsorted(self.group_starts, rows, side="right") - 1
        c = self.relatedness[rows, cols].astype(np.float64)
        exp = self.weights.exponents["relatedness"]
        out["density"] = (c ** (1.0 / exp)) * self.density_max[g] if len(rows) else c
        out["nearby_firms"] = np.asarray(self.nearby_firms[rows, cols]).ravel().astype(
            np.int64) if len(rows) else np.zeros(0, np.int64)
        best = self.resource_best[rows, cols].astype(np.int64)
        has = best >= 0
        keys = np.full(len(rows), None, dtype=object)
        keys[has] = self.resource_keys[best[has]]
        out["resource"] = keys
        qty = np.full(len(rows), np.nan)
        if has.any():
            qty[has] = self.resource_supply[rows[has], best[has]]
        out["resource_quantity"] = qty
        return out

    def to_long(self, *, top: int | None = None, villages: Iterable[str] | None = None
                ) -> pd.DataFrame:
        """Every (village, activity) cell — or each village's ``top`` activities — as rows.

        Ordered by village (province, county, code) then descending score, ties by activity.
        """
        rows_all = np.arange(len(self.villages))
        if villages is not None:
            keep = self.villages["village_code"].isin(list(villages)).to_numpy()
            rows_all = rows_all[keep]
        p = len(self.activities)
        k = p if top is None else max(0, min(int(top), p))
        order = _top_k(self.score[rows_all], k)
        rows = np.repeat(rows_all, k)
        cols = order.ravel()
        out = self.cells(rows, cols)
        out.insert(2, "rank", np.tile(np.arange(1, k + 1), len(rows_all)))
        return out


def _top_k(score: np.ndarray, k: int) -> np.ndarray:
    """Column indices of each row's ``k`` best scores, best first; ties → lower column first.

    Exact under ties: the k-th largest value is found by partition, then cells above it and
    the lowest-index cells equal to it are kept, and the k kept are ordered stably.
    """
    n, p = score.shape
    if k <= 0 or n == 0:
        return np.zeros((n, 0), dtype=np.int64)
    if k >= p:
        return np.argsort(-score, axis=1, kind="stable")
    kth = -np.partition(-score, k - 1, axis=1)[:, k - 1:k]
    above = score > kth
    equal = score == kth
    need = k - above.sum(axis=1, keepdims=True)
    take = above | (equal & (np.cumsum(equal, axis=1) <= need))
    idx = np.nonzero(take)[1].reshape(n, k)            # ascending column within each row
    vals = np.take_along_axis(score, idx, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")   # stable: equal → lower column first
    return np.take_along_axis(idx, order, axis=1)


# ============================================================================================
# Scoring
# ============================================================================================
def village_potential(
    regions: pd.DataFrame,
    establishments: pd.DataFrame,
    resources: pd.DataFrame | None = None,
    parks: pd.DataFrame | None = None,
    *,
    province: str | None = None,
    activities: Sequence[str] | None = None,
    weights: Weights | None = None,
    links: pd.DataFrame | None = None,
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
    province : str, optional
        Province code whose villages are scored.
    activities : sequence of str, optional
        Candidate ISIC classes; default: every class with an operating establishment or a
        resource link.
    weights : Weights, optional
        Default :func:`default_weights`.
    links : DataFrame, optional
        Resource → ISIC table; default :func:`resource_links`.

    Raises
    ------
    ValueError
        Missing columns, bad codes or values, an unknown province, no villages.
    """
    w = weights or default_weights()
    links = resource_links() if links is None else check_links(links)
    notes: list[str] = []
    h = _hierarchy(regions)
    county_of = h.ancestor("county")
    prov_of = h.ancestor("province")

    # ---- villages in scope, ordered by (province, county, code) ------------------------------
    is_village = h.level == "village"
    if province is not None:
        province = str(province)
        if province not in set(h.codes[h.level == "province"]):
            raise ValueError(f"province {province!r} is not among the regions")
        pidx = h.index.get_loc(province)
        is_village &= prov_of == pidx
    vidx = np.flatnonzero(is_village)
    if len(vidx) == 0:
        raise ValueError("no villages to score" + (f" in province {province}" if province
                                                    else ""))
    p_code = np.where(prov_of[vidx] >= 0, h.codes[np.maximum(prov_of[vidx], 0)], "")
    c_code = np.where(county_of[vidx] >= 0, h.codes[np.maximum(county_of[vidx], 0)], "")
    order = np.lexsort((h.codes[vidx], c_code, p_code))
    vidx, p_code, c_code = vidx[order], p_code[order], c_code[order]
    n_v = len(vidx)
    starts = np.flatnonzero(np.r_[True, p_code[1:] != p_code[:-1]])
    vlat, vlon = h.lat[vidx], h.lon[vidx]
    has_xy = np.isfinite(vlat) & np.isfinite(vlon)
    xy_rows = np.flatnonzero(has_xy)
    v_xyz = _xyz(vlat[has_xy], vlon[has_xy])

    # ---- establishments ----------------------------------------------------------------------
    _require(establishments, "establishments", ("isic", "region_code"))
    est = establishments
    if "status" in est.columns:
        est = est[est["status"].astype(str) == "operating"]
    isic = est["isic"].astype(str).to_numpy()
    bad = ~pd.Series(isic).str.fullmatch(r"\d{4}").to_numpy()
    if bad.any():
        raise ValueError(f"establishments.isic must be 4-digit ISIC classes; got {isic[bad][0]!r}")
    emp = _numeric(est, "employees", "establishments")
    if (emp < 0).any():
        raise ValueError("establishments.employees must be ≥ 0")
    emp = np.nan_to_num(emp, nan=0.0)
    e_reg = h.lookup(est["region_code"].astype(str))
    elat, elon = _numeric(est, "lat", "establishments"), _numeric(est, "lon", "establishments")
    fill = ~(np.isfinite(elat) & np.isfinite(elon)) & (e_reg >= 0)
    elat[fill], elon[fill] = h.lat[e_reg[fill]], h.lon[e_reg[fill]]

    cand = _check_activities(activities)
    if cand is None:
        cand = sorted(set(isic) | set(links["isic"]))
        if not cand:
            raise ValueError("no candidate activities: no operating establishments and no links")
    all_acts = np.array(sorted(set(isic) | set(cand)))
    act_pos = pd.Index(all_acts)
    a_of_e = act_pos.get_indexer(isic)
    cand_arr = np.array(cand)
    cand_idx = act_pos.get_indexer(cand_arr)
    n_a, n_p = len(all_acts), len(cand_arr)

    # ---- national county × activity employment → presence and proximity --------------------
    counties = np.flatnonzero(h.level == "county")
    cpos = np.full(len(h.codes), -1)
    cpos[counties] = np.arange(len(counties))
    e_county = np.where(e_reg >= 0, county_of[np.maximum(e_reg, 0)], -1)
    e_cty = np.where(e_county >= 0, cpos[np.maximum(e_county, 0)], -1)
    ok = e_cty >= 0
    x_ca = np.zeros((len(counties), n_a))
    np.add.at(x_ca, (e_cty[ok], a_of_e[ok]), emp[ok])
    with np.errstate(invalid="ignore", divide="ignore"):
        m_ca = presence(rca=rca(x_ca), rca_threshold=w.rca_threshold).astype(np.float64)
    phi = proximity(m_ca) if n_a else np.zeros((0, 0))
    total = x_ca.sum()
    share = x_ca.sum(axis=0) / total if total > 0 else np.zeros(n_a)
    county_dens = _engine_density(m_ca, phi, cand_idx)                  # (C, P)
    v_cty = np.where(county_of[vidx] >= 0, cpos[np.maximum(county_of[vidx], 0)], -1)
    if not ok.any():
        notes.append("no operating establishment lies in a county: relatedness is 0")

    # ---- neighbourhoods of villages: employment, presence, firm counts -----------------------
    has_e = np.isfinite(elat) & np.isfinite(elon)
    cell, clat, clon = _pool(elat[has_e], elon[has_e], w.grid_km)
    n_s = len(clat)
    f_emp = sp.csr_matrix((emp[has_e], (cell, a_of_e[has_e])), shape=(n_s, n_a))
    f_cnt = sp.csr_matrix((np.ones(int(has_e.sum())), (cell, a_of_e[has_e])),
                          shape=(n_s, n_a))[:, cand_idx]
    r_max = max(w.relatedness_radius_km, w.agglomeration_radius_km)
    pi, pj, pd_km = _pairs(v_xyz, _xyz(clat, clon), r_max)
    # one village × cell matrix holding 1 + distance (never 0, so no entry is dropped); the
    # two radii reuse its structure instead of building (and sorting) two matrices
    dist1 = sp.csr_matrix((pd_km + 1.0, (xy_rows[pi], pj)), shape=(n_v, n_s))
    del pi, pj, pd_km

    e_loc = (_within(dist1, w.relatedness_radius_km) @ f_emp).tocsr()
    row_tot = np.asarray(e_loc.sum(axis=1)).ravel()
    r_of = np.repeat(np.arange(n_v), np.diff(e_loc.indptr))
    sh = share[e_loc.indices]
    with np.errstate(invalid="ignore", divide="ignore"):
        local_rca = (e_loc.data / row_tot[r_of]) / sh
    pres = (sh > 0) & (e_loc.data > 0) & (local_rca > w.rca_threshold)
    n_loc = sp.csr_matrix((pres.astype(np.float32), e_loc.indices, e_loc.indptr),
                          shape=(n_v, n_a))
    n_loc.eliminate_zeros()
    nearby = (_within(dist1, w.agglomeration_radius_km) @ f_cnt).tocsr()
    del dist1
    nearby.data = np.rint(nearby.data)
    nearby = nearby.astype(np.int32)

    # density ω = s·density(N, φ) + (1−s)·density(M_county, φ) (density is linear in L), the
    # village part by row blocks
    dens = np.empty((n_v, n_p), dtype=np.float32)
    s_loc = np.float32(w.local_share)
    cd = np.vstack([county_dens, np.zeros((1, n_p), np.float32)])      # row −1 → zeros
    for a in range(0, n_v, _BLOCK):
        b = min(a + _BLOCK, n_v)
        blk = _engine_density(n_loc[a:b], phi, cand_idx)
        blk *= s_loc
        blk += (np.float32(1) - s_loc) * cd[v_cty[a:b]]
        dens[a:b] = blk
    relatedness, dens_max = _scale(dens, starts, w.exponents["relatedness"], per_column=False,
                                    copy=False)
    del dens
    agg_dense = nearby.toarray().astype(np.float32)
    agglomeration, _ = _scale(agg_dense, starts, w.exponents["agglomeration"], per_column=False,
                              copy=False)
    del agg_dense

    # ---- resources ---------------------------------------------------------------------------
    pen_keys = {p.resource for p in w.penalties}
    res_keys = np.array(sorted(set(links["resource"])))
    res_units: dict[str, str] = {}
    supply = np.zeros((n_v, len(res_keys)))
    pen_raw = {k: np.zeros(n_v) for k in pen_keys}
    if resources is not None and len(resources):
        _require(resources, "resources", ("region_code", "resource", "quantity"))
        rq = _numeric(resources, "quantity", "resources")
        if np.isnan(rq).any() or (rq < 0).any():
            raise ValueError("resources.quantity must be a number ≥ 0 on every row")
        rkey = resources["resource"].astype(str).to_numpy()
        rreg = h.lookup(resources["region_code"].astype(str))
        unknown = rreg < 0
        if unknown.any():
            notes.append(f"{int(unknown.sum())} resource row(s) on unknown regions left out")
        if "unit" in resources.columns:
            units = pd.DataFrame({"k": rkey, "u": resources["unit"].astype(str)})
            res_units = units.groupby("k")["u"].agg(lambda s: s.mode().iloc[0]).to_dict()
        unused = sorted(set(rkey) - set(res_keys) - pen_keys)
        if unused:
            notes.append("resources with no activity link (ignored): " + ", ".join(unused))
        rlev = np.where(rreg >= 0, h.level[np.maximum(rreg, 0)], "")
        is_point = np.isin(rlev, ("village", "city")) & (rreg >= 0)
        is_point &= np.isfinite(h.lat[np.maximum(rreg, 0)]) & np.isfinite(
            h.lon[np.maximum(rreg, 0)])
        vpos = np.full(len(h.codes), -1)
        vpos[vidx] = np.arange(n_v)
        # own rows: areal regions (every village below them) and villages without coordinates
        own = (rreg >= 0) & ~is_point
        anc_long = pd.DataFrame({"v": np.repeat(np.arange(n_v), h.anc.shape[1]),
                                 "region": h.anc[vidx].ravel()})
        anc_long = anc_long[anc_long["region"] >= 0]
        own_rows = pd.DataFrame({"region": rreg[own], "key": rkey[own], "q": rq[own]})
        own_v = anc_long.merge(own_rows, on="region")
        kpos = pd.Index(res_keys).get_indexer(own_v["key"])
        m = kpos >= 0
        np.add.at(supply, (own_v["v"].to_numpy()[m], kpos[m]), own_v["q"].to_numpy()[m])
        for k in pen_keys:
            sel = own_v["key"].to_numpy() == k
            np.maximum.at(pen_raw[k], own_v["v"].to_numpy()[sel], own_v["q"].to_numpy()[sel])
            at_v = is_point & (rkey == k) & (vpos[np.maximum(rreg, 0)] >= 0)
            np.maximum.at(pen_raw[k], vpos[rreg[at_v]], rq[at_v])
        pts = is_point & np.isin(rkey, res_keys)
        if pts.any():
            # one source point per region (its rows summed), fed to villages within the radius
            src_reg, src_of = np.unique(rreg[pts], return_inverse=True)
            src = sp.csr_matrix((rq[pts], (src_of, np.searchsorted(res_keys, rkey[pts]))),
                                shape=(len(src_reg), len(res_keys)))
            qi, qj, _ = _pairs(v_xyz, _xyz(h.lat[src_reg], h.lon[src_reg]),
                               w.resources_radius_km)
            wr = sp.csr_matrix((np.ones(len(qi)), (xy_rows[qi], qj)),
                               shape=(n_v, len(src_reg)))
            supply += (wr @ src).toarray()
    res_scaled, _ = _scale(supply, starts, w.exponents["resources"], per_column=True,
                           dtype=np.float64)
    res_c = np.zeros((n_v, n_p), dtype=np.float32)
    res_best = np.full((n_v, n_p), -1, dtype=np.int16)
    cpos_act = pd.Index(cand_arr)
    for r in links.itertuples(index=False):
        j = cpos_act.get_indexer([r.isic])[0]
        if j < 0:
            continue
        k = int(np.searchsorted(res_keys, r.resource))
        val = (r.link * res_scaled[:, k]).astype(np.float32)
        better = val > res_c[:, j]
        res_c[better, j] = val[better]
        res_best[better, j] = k

    # ---- labour ------------------------------------------------------------------------------
    pop = _numeric(regions, "population", "regions")[vidx]
    was = _numeric(regions, "working_age_share", "regions")[vidx]
    was = np.where(np.isfinite(was), was, w.default_working_age_share)
    workers = np.where(np.isfinite(pop), pop, 0.0) * was
    labour, _ = _scale(workers, starts, w.exponents["labour"], per_column=False)

    # ---- access ------------------------------------------------------------------------------
    d_park = np.full(n_v, np.inf)
    park_code = np.full(n_v, None, dtype=object)
    if parks is not None and len(parks):
        _require(parks, "parks", ("lat", "lon"))
        plat, plon = _numeric(parks, "lat", "parks"), _numeric(parks, "lon", "parks")
        okp = np.isfinite(plat) & np.isfinite(plon)
        d, j = _nearest(v_xyz, _xyz(plat[okp], plon[okp]))
        d_park[xy_rows] = d
        if "code" in parks.columns and okp.any():
            park_code[xy_rows] = parks["code"].astype(str).to_numpy()[okp][j]
    else:
        notes.append("no industrial parks: the park part of access is 0")
    is_city = (h.level == "city") & np.isfinite(h.lat) & np.isfinite(h.lon)
    d_city = np.full(n_v, np.inf)
    d_city[xy_rows] = _nearest(v_xyz, _xyz(h.lat[is_city], h.lon[is_city]))[0]
    seat_flag = _numeric(regions, "is_seat", "regions")
    seats = np.flatnonzero(is_city & (seat_flag == 1) & (county_of >= 0))
    seat_of_county = np.full(len(h.codes), -1)
    seat_of_county[county_of[seats]] = seats
    vs = np.where(county_of[vidx] >= 0, seat_of_county[np.maximum(county_of[vidx], 0)], -1)
    d_seat = np.full(n_v, np.nan)
    okv = (vs >= 0) & has_xy
    d_seat[okv] = haversine_km(vlat[okv], vlon[okv], h.lat[vs[okv]], h.lon[vs[okv]])
    d_seat_eff = np.where(np.isfinite(d_seat), d_seat, d_city)
    access = (w.park_share * np.exp2(-d_park / w.park_half_km)
              + w.seat_share * np.exp2(-d_seat_eff / w.seat_half_km)
              + w.city_share * np.exp2(-d_city / w.city_half_km)).astype(np.float32)
    access[~has_xy] = 0.0

    # ---- penalties ---------------------------------------------------------------------------
    pen_values, pen_masks = {}, {}
    for pen in w.penalties:
        vals = np.clip(pen_raw.get(pen.resource, np.zeros(n_v)), 0.0, 1.0).astype(np.float32)
        if not vals.any():
            notes.append(f"penalty {pen.name}: no {pen.resource!r} values in the resources "
                         "table, so it is 0 everywhere")
        pen_values[pen.name] = vals
        pen_masks[pen.name] = pen.applies(cand_arr).astype(np.float32)

    # ---- score -------------------------------------------------------------------------------
    score = combine(
        {"relatedness": relatedness, "resources": res_c, "agglomeration": agglomeration,
         "access": access[:, None], "labour": labour[:, None]},
        w,
        {k: (pen_values[k], pen_masks[k]) for k in pen_values},
    )

    get = _region_text(regions, h, vidx)
    villages = pd.DataFrame({
        "village_code": h.codes[vidx],
        "county_code": c_code,
        "province_code": p_code,
        "name_fa": get("name_fa"),
        "name_en": get("name_en"),
        "population": pop,
        "working_age": workers,
        "lat": vlat,
        "lon": vlon,
        "dist_park_km": np.where(np.isfinite(d_park), d_park, np.nan),
        "park_code": park_code,
        "dist_seat_km": d_seat,
        "dist_city_km": np.where(np.isfinite(d_city), d_city, np.nan),
        "has_coordinates": has_xy,
    })
    if (~has_xy).any():
        notes.append(f"{int((~has_xy).sum())} village(s) without coordinates: access, "
                     "agglomeration and local relatedness are 0 for them")
    return Potential(
        villages=villages, activities=cand_arr, relatedness=relatedness, resources=res_c,
        agglomeration=agglomeration, access=access, labour=labour, penalty_values=pen_values,
        penalty_masks=pen_masks, score=score, weights=w, group_starts=starts,
        density_max=dens_max, nearby_firms=nearby, resource_supply=supply,
        resource_keys=res_keys, resource_units=res_units, resource_best=res_best,
        links=links, notes=notes,
    )


def _engine_density(levels, phi: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The complexity engine's density (:func:`khooshe.analysis.complexity.density`,
    ``ω = Σ_q L_q φ_qp / Σ_q φ_qp``) in columns ``cols``, float32, 0 where ``p`` has no
    neighbour (the engine's NaN)."""
    if phi.shape[0] == 0 or levels.shape[0] == 0:
        return np.zeros((levels.shape[0], len(cols)), dtype=np.float32)
    out = density(levels, phi)[:, cols].astype(np.float32)
    np.nan_to_num(out, copy=False, nan=0.0)
    return out


def _region_text(regions: pd.DataFrame, h: _Hierarchy, idx: np.ndarray):
    def get(col: str) -> np.ndarray:
        if col not in regions.columns:
            return np.full(len(idx), None, dtype=object)
        return regions[col].to_numpy(dtype=object)[idx]
    return get


# ============================================================================================
# Shortlist
# ============================================================================================
@dataclass
class Shortlist:
    """The shortlisted villages and, per county, how many and why fewer.

    ``villages``: one row per shortlisted village (see :func:`shortlist`).
    ``counties``: ``county_code``, ``villages``, ``eligible``, ``shortlisted`` and
    ``reason_fa``/``reason_en`` (empty when the county got ``per_county``).
    """

    villages: pd.DataFrame
    counties: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _eligibility(pot: Potential, min_population: float) -> tuple[np.ndarray, dict]:
    v = pot.villages
    pop = v["population"].to_numpy(dtype=float)
    no_xy = ~v["has_coordinates"].to_numpy()
    no_pop = ~np.isfinite(pop) if min_population > 0 else np.zeros(len(v), bool)
    small = np.isfinite(pop) & (pop < min_population)
    ok = ~(no_xy | no_pop | small)
    return ok, {"no_coordinates": no_xy, "no_population": no_pop & ~no_xy,
                "small": small & ~no_xy}


def shortlist(
    pot: Potential,
    *,
    per_county: int = 10,
    max_per_activity: int = 3,
    min_spacing_km: float = 3.0,
    min_population: float = 100,
    counties: Sequence[str] | None = None,
) -> Shortlist:
    """The top villages of each county, each with its activity and two alternatives.

    Greedy, county by county: every eligible village's candidate (village, activity) pairs are
    taken in order of descending score (ties: village code, then activity code) and a pair is
    accepted when its village is not yet chosen, fewer than ``max_per_activity`` villages of
    the county already have that activity, and it lies at least ``min_spacing_km`` from every
    village already chosen in the county; the county stops at ``per_county``. So a village
    whose best activity is already taken ``max_per_activity`` times competes with its next
    best. Only each village's best ``⌊(N−1)/K⌋ + 1`` activities can ever be accepted (with N
    picks and quota K, fewer activities cannot all be full), which keeps it fast and exact.

    Eligible: has coordinates and a population ≥ ``min_population`` (a missing population is
    ineligible unless ``min_population`` is 0). A county with fewer than ``per_county``
    eligible villages gets them all (if spacing allows), and the reason is stated; if spacing
    (or too few activities for the quota) leaves it short, that is stated instead — every
    eligible village left out then lies within ``min_spacing_km`` of a chosen one.

    Parameters
    ----------
    pot : Potential
    per_county : int
        N, villages per county (≥ 1).
    max_per_activity : int
        K, at most this many villages of a county with the same activity (≥ 1).
    min_spacing_km : float
        Minimum great-circle distance between two chosen villages of a county (≥ 0).
    min_population : float
        Smallest eligible population (≥ 0).
    counties : sequence of str, optional
        Counties to report (default: every county with a scored village). Counties listed with
        no village get 0 villages and a reason.

    Returns
    -------
    Shortlist
        ``villages`` columns: ``county_code``, ``village_code``, ``rank``, ``activity``,
        ``score``, ``c_<component>`` (and ``c_<penalty>``), ``explanation_fa``,
        ``explanation_en``, then names, ``alt1_activity``, ``alt1_score``, ``alt2_activity``,
        ``alt2_score``, facts (``density``, ``nearby_firms``, ``resource``,
        ``resource_quantity``, ``population``, distances) and ``lat``/``lon``.
    """
    for name, val, lo in (("per_county", per_county, 1), ("max_per_activity",
                                                          max_per_activity, 1)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < lo:
            raise ValueError(f"{name} must be an integer ≥ {lo}, not {val!r}")
    for name, val in (("min_spacing_km", min_spacing_km), ("min_population", min_population)):
        if not isinstance(val, (int, float, np.number)) or not math.isfinite(val) or val < 0:
            raise ValueError(f"{name} must be a number ≥ 0, not {val!r}")
    v = pot.villages
    n_v, n_p = len(v), len(pot.activities)
    ok, why = _eligibility(pot, float(min_population))
    m = min(n_p, (per_county - 1) // max_per_activity + 1)
    t = min(n_p, m + 2)
    rows_ok = np.flatnonzero(ok)
    top = np.zeros((n_v, t), dtype=np.int64)
    for a in range(0, len(rows_ok), _BLOCK):
        r = rows_ok[a:a + _BLOCK]
        top[r] = _top_k(pot.score[r], t)
    codes = v["village_code"].to_numpy().astype(str)
    cty = v["county_code"].to_numpy().astype(str)
    lat, lon = v["lat"].to_numpy(float), v["lon"].to_numpy(float)
    # candidate pairs of every eligible village, globally ordered by (county, -score, code, act)
    cr = np.repeat(rows_ok, m)
    cc = top[rows_ok, :m].ravel()
    cs = pot.score[cr, cc]
    order = np.lexsort((cc, codes[cr], -cs.astype(np.float64), cty[cr]))
    cr, cc = cr[order], cc[order]
    bounds = np.flatnonzero(np.r_[True, cty[cr][1:] != cty[cr][:-1], True]) if len(cr) else \
        np.array([0])
    picked_rows: list[int] = []
    picked_cols: list[int] = []
    picked_rank: list[int] = []
    spacing_hit: dict[str, bool] = {}
    for a, b in zip(bounds[:-1], bounds[1:], strict=False):
        chosen: list[int] = []
        used: dict[int, int] = {}
        clat: list[float] = []
        clon: list[float] = []
        taken = set()
        county = cty[cr[a]]
        for i in range(a, b):
            r, c = int(cr[i]), int(cc[i])
            if r in taken:
                continue
            if used.get(c, 0) >= max_per_activity:
                continue
            if chosen and min_spacing_km > 0:
                d = haversine_km(lat[r], lon[r], np.array(clat), np.array(clon))
                if (d < min_spacing_km).any():
                    spacing_hit[county] = True
                    taken.add(r)      # spacing does not depend on the activity
                    continue
            chosen.append(r)
            taken.add(r)
            used[c] = used.get(c, 0) + 1
            clat.append(lat[r])
            clon.append(lon[r])
            picked_rows.append(r)
            picked_cols.append(c)
            picked_rank.append(len(chosen))
            if len(chosen) == per_county:
                break
    rows = np.array(picked_rows, dtype=np.int64)
    cols = np.array(picked_cols, dtype=np.int64)
    out = pot.cells(rows, cols)
    out.insert(2, "rank", np.array(picked_rank, dtype=np.int64))
    # alternatives: the village's next best activities other than the chosen one
    alts = top[rows] if len(rows) else np.zeros((0, t), np.int64)
    alt_mask = alts != cols[:, None]
    alt_idx = np.full((len(rows), 2), -1, dtype=np.int64)
    for k in range(len(rows)):
        cand = alts[k][alt_mask[k]][:2]
        alt_idx[k, :len(cand)] = cand
    for k in (0, 1):
        have = alt_idx[:, k] >= 0
        out[f"alt{k + 1}_activity"] = np.where(
            have, pot.activities[np.maximum(alt_idx[:, k], 0)], None)
        sc = np.full(len(rows), np.nan)
        sc[have] = pot.score[rows[have], alt_idx[have, k]]
        out[f"alt{k + 1}_score"] = sc
    names = activity_names()
    out["activity_fa"] = out["activity"].map(names["name_fa"])
    out["activity_en"] = out["activity"].map(names["name_en"])
    for col in ("name_fa", "name_en", "population", "dist_park_km", "park_code",
                "dist_seat_km", "dist_city_km", "lat", "lon"):
        out[col] = v[col].to_numpy()[rows]
    fa, en = _explanations(pot, out)
    out["explanation_fa"] = fa
    out["explanation_en"] = en
    comp_cols = [f"c_{n}" for n in pot.component_names]
    first = ["county_code", "village_code", "rank", "activity", "score", *comp_cols,
             "explanation_fa", "explanation_en"]
    rest = ["name_fa", "name_en", "activity_fa", "activity_en", "alt1_activity", "alt1_score",
            "alt2_activity", "alt2_score", "density", "nearby_firms", "resource",
            "resource_quantity", "population", "dist_park_km", "park_code", "dist_seat_km",
            "dist_city_km", "lat", "lon"]
    out = out[first + rest].rename(columns={"name_fa": "village_fa", "name_en": "village_en"})

    summary = _county_summary(pot, out, ok, why, counties, per_county=per_county,
                              max_per_activity=max_per_activity, min_spacing_km=min_spacing_km,
                              min_population=min_population, spacing_hit=spacing_hit)
    return Shortlist(villages=out.reset_index(drop=True), counties=summary, notes=list(pot.notes))


def _county_summary(pot, out, ok, why, counties, *, per_county, max_per_activity,
                    min_spacing_km, min_population, spacing_hit) -> pd.DataFrame:
    v = pot.villages
    cty = v["county_code"].astype(str)
    listed = list(dict.fromkeys(cty)) if counties is None else [str(c) for c in counties]
    listed = sorted(set(listed))
    frame = pd.DataFrame({"county": cty, "ok": ok, **{k: a for k, a in why.items()}})
    g = frame.groupby("county")
    total = g.size()
    elig = g["ok"].sum()
    got = out.groupby("county_code").size()
    rows = []
    n_p = len(pot.activities)
    pop_fa = format_number(min_population, "fa")
    pop_en = format_number(min_population, "en")
    for c in listed:
        n_tot = int(total.get(c, 0))
        n_el = int(elig.get(c, 0))
        n_got = int(got.get(c, 0))
        fa: list[str] = []
        en: list[str] = []
        if n_got < per_county:
            if n_tot == 0:
                fa.append("این شهرستان روستایی در داده‌ها ندارد")
                en.append("the county has no village in the data")
            elif n_el < per_county:
                sub = frame[frame["county"] == c]
                parts_fa, parts_en = [], []
                for key, t_fa, t_en in (
                        ("small", f"جمعیت کمتر از {pop_fa} نفر", f"under {pop_en} people"),
                        ("no_population", "بی‌آمار جمعیت", "no population figure"),
                        ("no_coordinates", "بی‌مختصات", "no coordinates")):
                    k = int(sub[key].sum())
                    if k:
                        parts_fa.append(f"{format_number(k, 'fa')} روستا {t_fa}")
                        parts_en.append(f"{k:,} {t_en}")
                fa.append(f"فقط {format_number(n_el, 'fa')} روستا از "
                          f"{format_number(n_tot, 'fa')} واجد شرایط است"
                          + (f" ({'، '.join(parts_fa)})" if parts_fa else ""))
                en.append(f"only {n_el:,} of {n_tot:,} villages are eligible"
                          + (f" ({'; '.join(parts_en)})" if parts_en else ""))
            if n_got < min(per_county, n_el):
                if spacing_hit.get(c):
                    km_fa = format_number(min_spacing_km, "fa",
                                          0 if float(min_spacing_km).is_integer() else 1)
                    fa.append(f"بقیهٔ روستاهای واجد شرایط کمتر از {km_fa} کیلومتر با یک روستای "
                              "برگزیده فاصله دارند")
                    en.append(f"the other eligible villages lie within {min_spacing_km:g} km "
                              "of a chosen one")
                if n_p * max_per_activity < per_county:
                    fa.append(f"حداکثر {format_number(max_per_activity, 'fa')} روستا برای هر "
                              f"فعالیت و فقط {format_number(n_p, 'fa')} فعالیت")
                    en.append(f"at most {max_per_activity} villages per activity and only "
                              f"{n_p} activities")
        rows.append({"county_code": c, "villages": n_tot, "eligible": n_el, "shortlisted": n_got,
                     "reason_fa": "؛ ".join(fa), "reason_en": "; ".join(en)})
    return pd.DataFrame(rows, columns=["county_code", "villages", "eligible", "shortlisted",
                                       "reason_fa", "reason_en"])


# ============================================================================================
# Explanations
# ============================================================================================
def _explanations(pot: Potential, out: pd.DataFrame) -> tuple[list[str], list[str]]:
    """One line per row in Persian and English: the three largest weighted contributions
    (labour aside, always given as the population), each with its fact, then penalties."""
    w = pot.weights
    links = pot.links.drop_duplicates("resource").set_index("resource")
    fa_all, en_all = [], []
    r_rel, r_agg, r_res = (w.relatedness_radius_km, w.agglomeration_radius_km,
                           w.resources_radius_km)
    for row in out.itertuples(index=False):
        row = row._asdict()
        contrib = {c: w.weights[c] * row[f"c_{c}"] for c in COMPONENTS if c != "labour"}
        parts = sorted((k for k, val in contrib.items() if val > 0),
                       key=lambda k: (-contrib[k], COMPONENTS.index(k)))[:3]
        fa: list[str] = []
        en: list[str] = []
        for part in parts:
            if part == "resources" and row["resource"] is not None:
                key = row["resource"]
                r_fa = links["resource_fa"].get(key, key)
                r_en = links["resource_en"].get(key, key)
                u_fa, u_en = UNITS.get(pot.resource_units.get(key, ""), (
                    pot.resource_units.get(key, ""), pot.resource_units.get(key, "")))
                qty = row["resource_quantity"]
                fa.append(f"منابع محلی {r_fa} ({format_number(qty, 'fa')} {u_fa} در "
                          f"{format_number(r_res, 'fa')} کیلومتری)")
                en.append(f"local {r_en} ({format_number(qty, 'en')} {u_en} within {r_res:g} km)")
            elif part == "agglomeration":
                n = int(row["nearby_firms"])
                fa.append(f"{format_number(n, 'fa')} واحد مشابه در {format_number(r_agg, 'fa')} "
                          "کیلومتری")
                en.append(f"{n:,} similar establishment{'s' if n != 1 else ''} within "
                          f"{r_agg:g} km")
            elif part == "relatedness":
                dens = row["density"]
                fa.append(f"فعالیت‌های مرتبط در {format_number(r_rel, 'fa')} کیلومتری و "
                          f"شهرستان (تراکم {format_number(dens, 'fa', 2)})")
                en.append(f"related activities within {r_rel:g} km and in the county "
                          f"(density {format_number(dens, 'en', 2)})")
            elif part == "access":
                d = row["dist_park_km"]
                if np.isfinite(d):
                    fa.append(f"{format_number(d, 'fa')} کیلومتر تا شهرک صنعتی")
                    en.append(f"{format_number(d, 'en')} km to an industrial park")
                else:
                    ds = row["dist_city_km"]
                    fa.append(f"{format_number(ds, 'fa')} کیلومتر تا شهر")
                    en.append(f"{format_number(ds, 'en')} km to a town")
        for pen in w.penalties:
            val = row[f"c_{pen.name}"]
            if val > 0:
                fa.append(f"با کسر {pen.label_fa} ({format_number(pen.weight * val, 'fa', 2)})")
                en.append(f"less {pen.label_en} ({format_number(pen.weight * val, 'en', 2)})")
        pop = row["population"]
        if pop is not None and np.isfinite(pop):
            fa.append(f"جمعیت {format_number(pop, 'fa')} نفر")
            en.append(f"population {format_number(pop, 'en')}")
        name_fa = row["name_fa"] or row["village_code"]
        name_en = row["name_en"] or row["village_code"]
        act_fa = row["activity_fa"] if isinstance(row["activity_fa"], str) else row["activity"]
        act_en = row["activity_en"] if isinstance(row["activity_en"], str) else row["activity"]
        fa_all.append(f"روستای {name_fa} برای «{act_fa}» ({to_persian_digits(row['activity'])})"
                      f": {'، '.join(fa)}")
        en_all.append(f"{name_en} for “{act_en}” ({row['activity']}): {'; '.join(en)}")
    return fa_all, en_all
