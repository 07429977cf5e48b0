"""Attach boundaries (GeoJSON, e.g. an OpenStreetMap export) to official regions by name.

Official tables (Statistical Centre of Iran codes) carry no geometry; OpenStreetMap carries
geometry but no official codes. This module joins them by name, transparently: every region
is either matched (with the method and a score) or listed with the reason, and every feature is
either used or listed with the reason. Nothing is dropped silently.

Matching steps (each one-to-one; a step only sees regions and features left by earlier steps)
-------------------------------------------------------------------------------------------
1. ``exact`` — equal :func:`khooshe.text.normalize.normalize` keys of the region's ``name_fa`` and
   the feature's Persian name (``name:fa``, else ``name``). This removes «شهرستان»/«استان»
   prefixes, ی/ي and ک/ك, diacritics, ZWNJ and spacing runs, digit forms.
2. ``compact`` — equal keys with all spaces removed (:func:`khooshe.text.normalize.compact_key`):
   Persian writes compound names with a space, a ZWNJ or nothing («بندر انزلی» = «بندرانزلی»,
   «مسجد سلیمان» = «مسجدسلیمان»).
3. ``alias`` — a *small, stated* table of well-known official renames (:data:`HISTORICAL_NAMES`,
   e.g. «بندر پهلوی» → «بندرانزلی»), for boundary files that still carry the old name.
4. ``english`` — compact keys of the region's ``name_en`` (if the column exists) and the
   feature's ``name:en`` ("Rasht County" → ``rasht``).
5. ``fuzzy`` — :class:`difflib.SequenceMatcher` ratio on compact Persian keys ≥ ``fuzzy_cutoff``
   (default 0.85), accepted only when the pair is each other's unique best candidate (no tie
   for either side). With ratio = 2·(matching letters)/(total letters), 0.85 tolerates one
   changed letter in names of 7 or more letters (e.g. «مشگین شهر» / «مشکین شهر», 0.875) but not
   in short names, where one letter makes a different place («نور» / «نیر», 0.67). Review
   ``fuzzy`` matches: the report shows the score.

A key that occurs more than once on either side (two regions or two features with the same key)
is *ambiguous* and is not matched by that step: guessing would attach the wrong boundary.
Features that are not (Multi)Polygons — OSM relation exports include member nodes (admin centre,
label) as Points — or that have no name are never candidates; they are listed as unused with the
reason.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

from khooshe.domain.errors import InputError, MissingFileError
from khooshe.domain.regions import code_within
from khooshe.text.messages import Message
from khooshe.text.normalize import compact_key, compact_series, normalize_series

__all__ = [
    "HISTORICAL_NAMES",
    "GeoJSONError",
    "MatchResult",
    "centroid_latlon",
    "match_boundaries",
    "read_geojson_features",
]

#: Well-known official renames of Iranian counties/cities (old name → current official name).
#: Used only by the ``alias`` step. Sources: the places' Wikipedia articles (renamed 1930s–1980s).
HISTORICAL_NAMES: dict[str, str] = {
    "بندر پهلوی": "بندرانزلی",
    "رضائیه": "ارومیه",
    "شاهی": "قائمشهر",
    "شهسوار": "تنکابن",
    "شاه آباد غرب": "اسلام آباد غرب",
    "دشت میشان": "دشت آزادگان",
    "سلطان آباد": "اراک",
    "محمره": "خرمشهر",
    "پهلوی دژ": "آق قلا",
}

POLYGON_TYPES = ("Polygon", "MultiPolygon")
FEATURE_COLUMNS = ["feature_index", "source_id", "name", "name_fa", "name_en", "geometry_type",
                   "geometry"]


class GeoJSONError(InputError):
    """A GeoJSON file or object that cannot be read as features."""


def _has_arabic_script(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufeff" for ch in text)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def read_geojson_features(source: str | Path | dict) -> pd.DataFrame:
    """Read the features of a GeoJSON FeatureCollection (or a single Feature).

    Names are taken from ``properties`` or, for OSM exports (overpass/osmtogeojson style), from
    ``properties.tags``: ``name``, ``name:fa`` (or ``name_fa``) and ``name:en`` (or
    ``name_en``). ``name_fa`` falls back to ``name`` when that is in Arabic script.

    Parameters
    ----------
    source : path or dict
        A ``.geojson``/``.json`` file or an already-parsed GeoJSON object.

    Returns
    -------
    DataFrame
        One row per feature, in file order: ``feature_index`` (0-based position in the file),
        ``source_id`` (OSM ``relation/6554860`` from ``properties.type``/``id``, else the
        feature's ``id``, else None), ``name``, ``name_fa``, ``name_en`` (str or None),
        ``geometry_type`` (str or None) and ``geometry`` (the GeoJSON geometry as compact JSON
        text, or None).

    Raises
    ------
    GeoJSONError
        Not JSON, not a FeatureCollection/Feature, a feature that is not an object, a geometry
        without ``type``/``coordinates``. Messages name the file and feature index.
    """
    label = "GeoJSON"
    if isinstance(source, dict):
        data = source
    else:
        path = Path(source)
        label = str(path)
        if not path.exists():
            raise MissingFileError(f"{path}: file not found")
        from khooshe.io.tables import Limits, too_big

        limits = Limits.from_env()  # the size limit of every file read (file_mb)
        size = path.stat().st_size
        if size > limits.file_mb * 2**20:
            raise too_big(path, "file size in MB", size / 2**20, limits.file_mb, "file_mb")
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise GeoJSONError(f"{label}: not valid JSON: {exc}") from exc
        except RecursionError:  # "[[[[…" nested a hundred thousand deep
            raise GeoJSONError(Message("io.read.too_deep", {"path": label})) from None
    if not isinstance(data, dict) or "type" not in data:
        raise GeoJSONError(f"{label}: not a GeoJSON object (no 'type')")
    if data["type"] == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise GeoJSONError(f"{label}: FeatureCollection has no 'features' list")
    elif data["type"] == "Feature":
        features = [data]
    else:
        raise GeoJSONError(
            f"{label}: expected a FeatureCollection or Feature, got type {data['type']!r}"
        )
    rows = []
    for i, feat in enumerate(features):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise GeoJSONError(f"{label}: feature {i} is not a GeoJSON Feature object")
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            raise GeoJSONError(f"{label}: feature {i}: 'properties' is not an object")
        own_tags = props.get("tags")
        tags = own_tags if isinstance(own_tags, dict) else props
        geom = feat.get("geometry")
        gtype = None
        if geom is not None:
            if not isinstance(geom, dict) or "type" not in geom:
                raise GeoJSONError(f"{label}: feature {i}: geometry has no 'type'")
            gtype = geom["type"]
            key = "geometries" if gtype == "GeometryCollection" else "coordinates"
            if not isinstance(geom.get(key), list):
                raise GeoJSONError(f"{label}: feature {i}: {gtype} geometry has no '{key}' list")
        name = _text(tags.get("name"))
        name_fa = _text(tags.get("name:fa") or tags.get("name_fa"))
        if name_fa is None and name is not None and _has_arabic_script(name):
            name_fa = name
        name_en = _text(tags.get("name:en") or tags.get("name_en"))
        source_id: str | None
        if "id" in props and props.get("type") in ("node", "way", "relation"):
            source_id = f"{props['type']}/{props['id']}"
        else:
            source_id = _text(feat.get("id", props.get("id")))
        rows.append({
            "feature_index": i, "source_id": source_id, "name": name, "name_fa": name_fa,
            "name_en": name_en,
            "geometry_type": gtype,
            "geometry": None if geom is None else json.dumps(geom, separators=(",", ":")),
        })
    return pd.DataFrame(rows, columns=FEATURE_COLUMNS).astype(
        {"feature_index": "int64"}
    )


def centroid_latlon(geometry_json: str | dict) -> tuple[float, float]:
    """``(lat, lon)`` of a GeoJSON geometry's centroid (shapely, planar in lon/lat degrees).

    The planar centroid in degrees is within metres of the geodesic one for a county-sized
    area. For strongly concave shapes it can fall outside the polygon; use it to place a
    marker, not to test membership.
    """
    from shapely.geometry import shape

    try:
        geom = json.loads(geometry_json) if isinstance(geometry_json, str) else geometry_json
        shp = shape(geom)
    except (json.JSONDecodeError, TypeError, ValueError, KeyError, AttributeError,
            RecursionError) as exc:
        raise GeoJSONError(f"cannot read geometry: {type(exc).__name__}") from exc
    if shp.is_empty:
        raise GeoJSONError("cannot take the centroid of an empty geometry")
    c = shp.centroid
    return float(c.y), float(c.x)


@dataclass
class MatchResult:
    """Outcome of :func:`match_boundaries`.

    Attributes
    ----------
    matched : DataFrame
        ``code``, ``name``, ``feature_index``, ``source_id``, ``feature_name``, ``method``
        (exact/compact/alias/english/fuzzy), ``score`` (1.0 except fuzzy).
    unmatched_regions : DataFrame
        ``code``, ``name``, ``reason``.
    unused_features : DataFrame
        ``feature_index``, ``source_id``, ``name``, ``reason``.
    n_regions : int
        Regions considered (after ``within``).
    """

    matched: pd.DataFrame
    unmatched_regions: pd.DataFrame
    unused_features: pd.DataFrame
    n_regions: int

    @property
    def share_matched(self) -> float:
        """Matched regions ÷ regions considered (1.0 when there are none)."""
        return len(self.matched) / self.n_regions if self.n_regions else 1.0

    def mapping(self) -> dict[str, int]:
        """``{region code: feature_index}``."""
        return dict(zip(self.matched["code"], self.matched["feature_index"], strict=True))

    def report(self) -> pd.DataFrame:
        """One row per region (matched or not) and one per unused feature.

        Columns: ``status`` (matched / unmatched_region / unused_feature), ``code``, ``name``,
        ``feature_index``, ``source_id``, ``feature_name``, ``method``, ``score``, ``reason``.
        """
        cols = ["status", "code", "name", "feature_index", "source_id", "feature_name", "method",
                "score", "reason"]
        parts = [
            self.matched.assign(status="matched", reason=None),
            self.unmatched_regions.assign(status="unmatched_region", feature_index=None,
                                          feature_name=None, method=None, score=None),
            self.unused_features.rename(columns={"name": "feature_name"}).assign(
                status="unused_feature", code=None, name=None, method=None, score=None),
        ]
        parts = [p.reindex(columns=cols).astype(object) for p in parts if len(p)]
        if not parts:
            return pd.DataFrame(columns=cols)
        out = pd.concat(parts, ignore_index=True)
        return out.where(out.notna(), None)


def _unique_pairs(left: pd.Series, right: pd.Series) -> tuple[list[tuple], set]:
    """One-to-one equal-key pairs; keys repeated on either side are returned as ambiguous."""
    left = left[left != ""]
    right = right[right != ""]
    lcount = left.value_counts()
    rcount = right.value_counts()
    common = lcount.index.intersection(rcount.index)
    ok = {k for k in common if lcount[k] == 1 and rcount[k] == 1}
    ambiguous = set(common) - ok
    lidx = {k: i for i, k in left.items() if k in ok}
    ridx = {k: i for i, k in right.items() if k in ok}
    return [(lidx[k], ridx[k], k) for k in sorted(ok)], ambiguous


def _check_regions(regions: pd.DataFrame) -> None:
    if not isinstance(regions, pd.DataFrame):
        raise TypeError(f"regions must be a DataFrame, got {type(regions).__name__}")
    missing = [c for c in ("code", "name_fa") if c not in regions.columns]
    if missing:
        raise ValueError(f"regions: missing column(s) {', '.join(missing)}")
    codes = regions["code"]
    if codes.isna().any():
        raise ValueError("regions: 'code' has empty values")
    dup = codes[codes.duplicated()].unique()
    if len(dup):
        raise ValueError(f"regions: duplicate code(s) {', '.join(map(str, dup[:10]))}")


def _check_features(features: pd.DataFrame) -> None:
    if not isinstance(features, pd.DataFrame):
        raise TypeError(f"features must be a DataFrame, got {type(features).__name__}")
    missing = [c for c in ("feature_index", "name_fa") if c not in features.columns]
    if missing:
        raise ValueError(f"features: missing column(s) {', '.join(missing)} "
                         "(use read_geojson_features)")
    if features["feature_index"].duplicated().any():
        raise ValueError("features: duplicate feature_index values")


_K = TypeVar("_K", bound=Hashable)


def _fuzzy_pairs(
    rkeys: dict[_K, str], fkeys: dict[_K, str], cutoff: float
) -> list[tuple[_K, _K, float]]:
    """Mutual, unique best pairs with SequenceMatcher ratio ≥ cutoff."""
    if not rkeys or not fkeys:
        return []
    scores: dict[tuple[_K, _K], float] = {}
    for ri, rk in rkeys.items():
        sm = difflib.SequenceMatcher(autojunk=False)
        sm.set_seq2(rk)  # SequenceMatcher caches its analysis of seq2
        for fi, fk in fkeys.items():
            sm.set_seq1(fk)
            if sm.real_quick_ratio() < cutoff or sm.quick_ratio() < cutoff:
                continue
            r = sm.ratio()
            if r >= cutoff:
                scores[(ri, fi)] = r

    def unique_best(items: Iterable[tuple[_K, float]]) -> _K | None:
        items = sorted(items, key=lambda t: -t[1])
        if not items or (len(items) > 1 and items[1][1] == items[0][1]):
            return None
        return items[0][0]

    best_f = {ri: unique_best((fi, s) for (r, fi), s in scores.items() if r == ri)
              for ri in rkeys}
    best_r = {fi: unique_best((ri, s) for (ri, f), s in scores.items() if f == fi)
              for fi in fkeys}
    return [(ri, fi, scores[(ri, fi)]) for ri, fi in best_f.items()
            if fi is not None and best_r.get(fi) == ri]


def match_boundaries(
    regions: pd.DataFrame,
    features: pd.DataFrame,
    *,
    within: str | None = None,
    fuzzy_cutoff: float = 0.85,
    aliases: dict[str, str] | None = None,
) -> MatchResult:
    """Match official regions to boundary features by normalised name, one-to-one.

    Parameters
    ----------
    regions : DataFrame
        ``code`` (unique), ``name_fa``; optional ``name_en`` and ``parent_code``.
    features : DataFrame
        As returned by :func:`read_geojson_features` (``feature_index``, ``name_fa``;
        optional ``name``, ``name_en``, ``geometry_type``).
    within : str, optional
        Only regions inside this parent: rows whose ``parent_code`` equals ``within``
        (or, without a ``parent_code`` column, whose ``code`` starts with ``within``) —
        e.g. ``"06"`` with the counties file of Khuzestan. The features are not filtered:
        pass the features of that parent.
    fuzzy_cutoff : float, default 0.85
        Minimum difflib ratio for the fuzzy step; ``1.0`` or more disables it.
    aliases : dict, optional
        Old name → current name; defaults to :data:`HISTORICAL_NAMES`. Pass ``{}`` to disable.

    Returns
    -------
    MatchResult
        See the module docstring for the steps. Every region of ``regions`` (after ``within``)
        appears in ``matched`` or ``unmatched_regions``; every feature in ``matched`` or
        ``unused_features``.
    """
    _check_regions(regions)
    _check_features(features)
    if not 0 < fuzzy_cutoff:
        raise ValueError(f"fuzzy_cutoff must be positive, got {fuzzy_cutoff}")
    reg = regions.copy()
    reg["code"] = reg["code"].astype(str)
    if within is not None:
        within = str(within)
        if "parent_code" in reg.columns:
            reg = reg[reg["parent_code"].astype(str) == within]
        else:
            reg = reg[code_within(reg["code"], within)]
    reg = reg.reset_index(drop=True)
    feat = features.reset_index(drop=True).copy()
    if "geometry_type" not in feat.columns:
        feat["geometry_type"] = "Polygon"
    for col in ("name", "name_en", "source_id"):
        if col not in feat.columns:
            feat[col] = None
    if "name_en" not in reg.columns:
        reg["name_en"] = None

    feat_label = feat["name_fa"].where(feat["name_fa"].notna(), feat["name"])
    feat_label = feat_label.where(feat_label.notna(), feat["name_en"])
    reg_norm, reg_comp = normalize_series(reg["name_fa"]), compact_series(reg["name_fa"])
    feat_name = feat["name_fa"].where(feat["name_fa"].notna(), feat["name"])
    feat_norm, feat_comp = normalize_series(feat_name), compact_series(feat_name)
    reg_en, feat_en = compact_series(reg["name_en"]), compact_series(feat["name_en"])

    # Candidates: polygonal features with some name; the rest are unused with a reason.
    unused_reason: dict[int, str] = {}
    for i in feat.index:
        gtype = feat.at[i, "geometry_type"]
        if gtype not in POLYGON_TYPES:
            unused_reason[i] = f"not a boundary: geometry is {gtype or 'missing'}"
        elif feat_comp[i] == "" and feat_en[i] == "":
            unused_reason[i] = "feature has no name"
    free_f = [i for i in feat.index if i not in unused_reason]
    nameless = [i for i in reg.index if reg_comp[i] == "" and reg_en[i] == ""]
    free_r = [i for i in reg.index if i not in set(nameless)]
    region_reason: dict[int, str] = {i: "region has no name" for i in nameless}

    matches: list[tuple[int, int, str, float]] = []
    ambiguous_keys: dict[str, set[str]] = {}

    def take(method: str, rkey: pd.Series, fkey: pd.Series) -> None:
        nonlocal free_r, free_f
        pairs, amb = _unique_pairs(rkey[free_r], fkey[free_f])
        ambiguous_keys[method] = amb
        for ri, fi, _k in pairs:
            matches.append((ri, fi, method, 1.0))
        used_r = {p[0] for p in pairs}
        used_f = {p[1] for p in pairs}
        free_r = [i for i in free_r if i not in used_r]
        free_f = [i for i in free_f if i not in used_f]

    take("exact", reg_norm, feat_norm)
    take("compact", reg_comp, feat_comp)
    alias_map = {compact_key(k): compact_key(v)
                 for k, v in (HISTORICAL_NAMES if aliases is None else aliases).items()}
    if alias_map:
        take("alias", reg_comp.map(lambda k: alias_map.get(k, k)),
             feat_comp.map(lambda k: alias_map.get(k, k)))
    take("english", reg_en, feat_en)
    if fuzzy_cutoff < 1.0:
        pairs = _fuzzy_pairs({i: reg_comp[i] for i in free_r},
                             {i: feat_comp[i] for i in free_f if feat_comp[i]}, fuzzy_cutoff)
        matches.extend((ri, fi, "fuzzy", round(s, 4)) for ri, fi, s in pairs)
        used_r, used_f = {p[0] for p in pairs}, {p[1] for p in pairs}
        free_r = [i for i in free_r if i not in used_r]
        free_f = [i for i in free_f if i not in used_f]

    all_amb = set().union(*ambiguous_keys.values()) if ambiguous_keys else set()
    for i in free_r:
        keys = {reg_norm[i], reg_comp[i], reg_en[i]} - {""}
        if keys & all_amb:
            region_reason[i] = "ambiguous: its name matches several regions or features"
        else:
            region_reason[i] = "no feature with this name (exact, compact, alias, English, fuzzy)"
    for i in free_f:
        keys = {feat_norm[i], feat_comp[i], feat_en[i]} - {""}
        if keys & all_amb:
            unused_reason[i] = "ambiguous: its name matches several regions or features"
        else:
            unused_reason[i] = "no region with this name"

    matched = pd.DataFrame(
        [{"code": reg.at[ri, "code"], "name": reg.at[ri, "name_fa"],
          "feature_index": int(feat.at[fi, "feature_index"]), "source_id": feat.at[fi, "source_id"],
          "feature_name": feat_label[fi], "method": m, "score": s} for ri, fi, m, s in matches],
        columns=["code", "name", "feature_index", "source_id", "feature_name", "method",
                 "score"],
    ).sort_values("code", kind="stable").reset_index(drop=True)
    unmatched = pd.DataFrame(
        [{"code": reg.at[i, "code"], "name": reg.at[i, "name_fa"], "reason": r}
         for i, r in sorted(region_reason.items())],
        columns=["code", "name", "reason"],
    )
    unused = pd.DataFrame(
        [{"feature_index": int(feat.at[i, "feature_index"]), "source_id": feat.at[i, "source_id"],
          "name": feat_label[i], "reason": r} for i, r in sorted(unused_reason.items())],
        columns=["feature_index", "source_id", "name", "reason"],
    )
    return MatchResult(matched=matched, unmatched_regions=unmatched, unused_features=unused,
                       n_regions=len(reg))
