"""The "10 villages per county" shortlist of a workspace: read, score, shortlist, write.

Reads the workspace's regions, parks, establishments and resources (the whole country: the
proximity between activities is national and neighbourhoods cross province borders), scores the
province's villages with :func:`khooshe.analysis.potential.village_potential`, shortlists them
with :func:`khooshe.analysis.potential.shortlist`, and renders the shortlist as a table and as a
self-contained HTML map (plotly, its JavaScript inlined, no map tiles: works offline).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from khooshe.analysis import potential as pot
from khooshe.domain.errors import InputError
from khooshe.domain.regions import RegionHierarchy
from khooshe.io.reference import (
    activity_settings,
    isic_names,
    potential_weights_text,
    resource_links,
)
from khooshe.io.tables import atomic_path, table_format, write_table
from khooshe.services.maps import county_shapes
from khooshe.services.village_reasons import explanations, shortfall_reasons
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Message, joined, t

if TYPE_CHECKING:
    from khooshe.services.engine import Engine

#: Candidate activities by default: manufacturing (ISIC Rev.4 section C, divisions 10–33),
#: what "industrial clusters" means in the programme. Pass ``activities`` to widen.
DEFAULT_DIVISIONS = tuple(f"{d:02d}" for d in range(10, 34))
#: A class suits a village when its setting is ``village`` (:func:`activity_settings`) and
#: the register does not say otherwise: with at least :data:`SIZE_EVIDENCE` operating
#: establishments of the class, their median size must not exceed
#: :data:`VILLAGE_MEDIAN_EMPLOYEES` (Iran's rural industries are workshops of up to about
#: twenty people).
VILLAGE_MEDIAN_EMPLOYEES = 20
SIZE_EVIDENCE = 5

REGION_COLUMNS = ["code", "level", "parent_code", "name_fa", "name_en", "population",
                  "working_age_share", "lat", "lon", "is_seat"]
ESTABLISHMENT_COLUMNS = ["id", "isic", "region_code", "status", "employees", "lat", "lon"]


class _ShortlistView:
    """``villages``, ``counties`` and ``notes`` of a result's ``shortlist``."""

    shortlist: pot.Shortlist

    @property
    def villages(self) -> pd.DataFrame:
        """One row per shortlisted village (``shortlist.villages``)."""
        return self.shortlist.villages

    @property
    def counties(self) -> pd.DataFrame:
        """The per-county summary (``shortlist.counties``)."""
        return self.shortlist.counties

    @property
    def notes(self) -> list[Message]:
        """What was left out or assumed while scoring, each once (messages in both
        languages)."""
        return self.shortlist.notes


@dataclass
class VillagesResult(_ShortlistView):
    """A province's shortlist, the potential it came from and what the map needs.

    Attributes
    ----------
    shortlist : khooshe.analysis.potential.Shortlist
        ``shortlist.villages`` (also :attr:`villages`) and ``shortlist.counties`` (also
        :attr:`counties`), described in :func:`village_shortlist`; ``shortlist.notes``.
    potential : khooshe.analysis.potential.Potential
        Every (village, candidate activity) score and component of the province.
    province, province_name, province_name_en : str
        Province code and names.
    parks, seats, outlines : DataFrame
        Industrial parks (``code``, ``name_fa``, ``name_en``, ``region_code``, ``lat``,
        ``lon``), the province's county seats (``code``, ``name_fa``, ``name_en``, ``lat``,
        ``lon``) and the county outlines (``code``, ``name_fa``, ``name_en``, ``boundary``
        GeoJSON, ``lat``/``lon`` of a point inside; approximate cells when the workspace has
        no boundaries, :func:`khooshe.services.maps.county_shapes`) for the
        map.
    synthetic : bool
        The workspace holds the synthetic demo (every output says so).
    """

    shortlist: pot.Shortlist
    potential: pot.Potential
    province: str
    province_name: str
    province_name_en: str
    parks: pd.DataFrame
    seats: pd.DataFrame
    outlines: pd.DataFrame
    synthetic: bool


#: The shortlist's columns as written: the pick and its score, the components and the
#: explanation, then names, alternatives and facts.
SHORTLIST_FIRST = ("county_code", "village_code", "rank", "activity", "score")
#: The per-county summary's columns.
COUNTY_COLUMNS = ("county_code", "county_fa", "county_en", "villages", "eligible",
                  "shortlisted", "reason_fa", "reason_en")


def default_weights() -> pot.Weights:
    """The package's default weights (``khooshe/data/potential_weights.toml``)."""
    return pot.parse_weights(None, defaults=potential_weights_text())


def read_weights(path: str | Path | None) -> pot.Weights:
    """Weights from a TOML file laid over the defaults (``None``: the defaults)."""
    if path is None:
        return default_weights()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Message("villages.refuse.weights_missing", {"path": str(path)})) from None
    except UnicodeDecodeError:
        raise InputError(Message("villages.refuse.weights_not_utf8", {"path": str(path)})) from None
    return pot.parse_weights(text, defaults=potential_weights_text(), source=str(path))


def parse_activities(text: str | None, known: list[str] | None = None) -> list[str] | None:
    """``"1079,1061,13"`` → 4-digit classes; a 2-digit division expands to its known classes.

    Raises ``ValueError`` for anything else, or a division with no known class.
    """
    if text is None:
        return None
    known = sorted(isic_names().index) if known is None else sorted(known)
    out: list[str] = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        if len(item) == 4 and item.isdigit():
            out.append(item)
        elif len(item) == 2 and item.isdigit():
            cls = [k for k in known if k.startswith(item)]
            if not cls:
                raise InputError(Message("villages.refuse.empty_division", {"division": item}))
            out.extend(cls)
        else:
            raise InputError(Message("villages.refuse.not_activity", {"item": item}))
    if not out:
        raise InputError(Message("villages.refuse.no_activities"))
    return sorted(set(out))


def village_scale(est: pd.DataFrame) -> tuple[set[str], dict[str, float]]:
    """The ISIC classes that suit a village, and those whose setting says village but whose
    establishments in the register are too large for one (class → median employees)."""
    settings = activity_settings()
    village = set(settings.index[settings == "village"])
    operating = est[est["status"] == "operating"]
    size = pd.to_numeric(operating["employees"], errors="coerce").groupby(
        operating["isic"].astype(str)).agg(["median", "size"])
    large = size[(size["size"] >= SIZE_EVIDENCE) & (size["median"] > VILLAGE_MEDIAN_EMPLOYEES)]
    demoted = {str(k): float(v) for k, v in large["median"].items() if k in village}
    return village - set(demoted), demoted


def _candidates(est: pd.DataFrame, activities: list[str] | None
                ) -> tuple[list[str], list[Message]]:
    """The candidate activities (village-scale only) and what was left out, said."""
    suitable, demoted = village_scale(est)
    notes = []
    if demoted:
        notes.append(Message("villages.note.too_large_for_villages", {"activities": ", ".join(
            f"{k} ({v:g})" for k, v in sorted(demoted.items())),
            "limit": VILLAGE_MEDIAN_EMPLOYEES}))
    if activities is None:
        known = set(est["isic"].astype(str)) | set(resource_links()["isic"])
        return sorted(a for a in known if a[:2] in DEFAULT_DIVISIONS and a in suitable), notes
    unsuited = sorted(set(activities) - suitable)
    if unsuited:
        notes.append(Message("villages.note.not_village_scale",
                             {"activities": ", ".join(unsuited)}))
    return sorted(set(activities) & suitable), notes


def village_shortlist(
    ws: Workspace,
    province: str,
    per_county: int = 10,
    *,
    max_per_activity: int = 3,
    min_spacing_km: float = 3.0,
    min_population: float = 100,
    activities: list[str] | None = None,
    weights: pot.Weights | None = None,
    engine: Engine | None = None,
) -> VillagesResult:
    """Score the villages of ``province`` and shortlist ``per_county`` per county.

    The whole country's regions, establishments, resources and parks are read (proximity is
    national; neighbourhoods cross province borders); only the province's villages are scored
    (:func:`khooshe.analysis.potential.village_potential`) and shortlisted
    (:func:`khooshe.analysis.potential.shortlist`). Nothing is written; see
    :func:`write_result` for files and :func:`shortlist_figure` for the map.

    Parameters
    ----------
    ws : Workspace
        An open workspace.
    province : str
        Province code (e.g. ``"01"``).
    per_county : int
        N, villages per county (default 10).
    max_per_activity : int
        K, at most this many villages of a county with the same activity.
    min_spacing_km : float
        Minimum great-circle distance between two shortlisted villages of a county.
    min_population : float
        Smallest eligible village population.
    activities : list of str, optional
        Candidate ISIC classes; default every village-scale manufacturing class (divisions
        10–33, :func:`village_scale`) found in the workspace's establishments or in the
        resource → activity table. Classes that do not suit a village are left out, and a
        note says so.
    weights : Weights, optional
        Default :func:`default_weights` (see :func:`read_weights`).
    engine : Engine, optional
        Where the province is scored (:func:`province_scores`): here by default, or on a
        Dask worker; the result is the same.

    Returns
    -------
    VillagesResult
        ``result.villages`` — the shortlist DataFrame, one row per village, ordered by
        county then rank: ``county_code``, ``village_code``, ``rank`` (1 = best),
        ``activity`` (ISIC), ``score``, ``c_relatedness``, ``c_resources``,
        ``c_agglomeration``, ``c_access``, ``c_labour`` and one ``c_<penalty>`` per penalty
        (Σ weight · c = score), ``explanation_fa``, ``explanation_en``; then ``village_fa``,
        ``village_en``, ``activity_fa``, ``activity_en``, ``alt1_activity``, ``alt1_score``,
        ``alt2_activity``, ``alt2_score`` (the two alternatives), the facts behind the
        explanation (``density``, ``nearby_firms``, ``resource``, ``resource_quantity``,
        ``population``, ``dist_park_km``, ``park_code``, ``dist_seat_km``, ``dist_city_km``),
        ``lat``, ``lon`` and, for the synthetic demo, ``data``.

        ``result.counties`` — the per-county summary, one row per county of the province:
        ``county_code``, ``county_fa``, ``county_en``, ``villages``, ``eligible``,
        ``shortlisted`` (= min(N, eligible) unless spacing or the activity quota stopped it),
        ``reason_fa``, ``reason_en`` (empty when the county got N), and ``data`` for the demo.

        Also ``result.potential`` (every score), ``result.notes`` and what the map needs.

    Raises
    ------
    ValueError
        An unknown province, no candidate activity, or invalid options or data.
    """
    province = str(province)
    regions, est, resources, parks = _national_tables(ws, [province])
    cand, left_out = _checked_candidates(est, activities)
    from khooshe.services.engine import Engine

    (potential, sl), = (engine or Engine()).map(
        province_scores, [province], regions=regions.drop(columns=["boundary"]),
        establishments=est, resources=resources, parks=parks, activities=cand,
        weights=weights or default_weights(), per_county=per_county,
        max_per_activity=max_per_activity, min_spacing_km=min_spacing_km,
        min_population=min_population, synthetic=ws.synthetic)
    sl.notes[:0] = left_out
    names = regions.set_index("code")
    in_province = RegionHierarchy(regions).in_province(province)
    seats = regions[in_province & (regions["level"] == "city")
                    & (regions["is_seat"].fillna(0) == 1)]
    return VillagesResult(
        shortlist=sl, potential=potential, province=province,
        province_name=str(names.loc[province, "name_fa"]),
        province_name_en=str(names.loc[province, "name_en"]),
        parks=parks, seats=seats[["code", "name_fa", "name_en", "lat", "lon"]],
        outlines=_outlines(regions, province),
        synthetic=ws.synthetic,
    )


def _national_tables(ws: Workspace, provinces: list[str] | None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The tables village scoring reads (regions with their boundaries, establishments,
    resources, parks), after checking that every province asked for is in the workspace."""
    regions = read_kind(ws, "regions", columns=REGION_COLUMNS + ["boundary"])
    if provinces is not None:
        known = set(regions.loc[regions["level"] == "province", "code"])
        unknown = [p for p in provinces if p not in known]
        if unknown:
            raise InputError(Message("villages.refuse.unknown_province", {
                "province": unknown[0],
                "known": joined(sorted(known)) if known else Message("villages.refuse.none")}))
    est = read_kind(ws, "establishments", columns=ESTABLISHMENT_COLUMNS)
    resources = read_kind(ws, "resources")
    parks = read_kind(ws, "parks", columns=["code", "name_fa", "name_en", "region_code", "lat",
                                            "lon"])
    return regions, est, resources, parks


def _checked_candidates(est: pd.DataFrame, activities: list[str] | None
                        ) -> tuple[list[str], list[Message]]:
    """:func:`_candidates`, refusing a workspace (or a list) with none that suits a
    village."""
    cand, left_out = _candidates(est, activities)
    if not cand:
        raise InputError(Message("villages.refuse.no_candidate_given" if activities
                                 else "villages.refuse.no_candidate"))
    return cand, left_out


def province_scores(
    province: str,
    *,
    regions: pd.DataFrame,
    establishments: pd.DataFrame,
    resources: pd.DataFrame,
    parks: pd.DataFrame,
    activities: list[str],
    weights: pot.Weights,
    per_county: int,
    max_per_activity: int,
    min_spacing_km: float,
    min_population: float,
    synthetic: bool,
) -> tuple[pot.Potential, pot.Shortlist]:
    """One province's potential and its shortlist in words, from the national tables (the
    regions without boundaries): what an engine's worker computes for a province."""
    potential = pot.village_potential(
        regions, establishments, resources, parks, province=province, activities=activities,
        weights=weights, links=resource_links(),
    )
    county_codes = regions.loc[(regions["level"] == "county")
                               & (regions["parent_code"] == province), "code"].tolist()
    sl = pot.shortlist(potential, per_county=per_county, max_per_activity=max_per_activity,
                       min_spacing_km=min_spacing_km, min_population=min_population,
                       counties=county_codes or None)
    sl = in_words(potential, sl, regions.set_index("code"))
    if synthetic:
        note = f"{t('common.synthetic', 'fa')} / {t('common.synthetic', 'en')}"
        sl.villages["data"] = note
        sl.counties["data"] = note
    return potential, sl


def province_shortlist(province: str, **tables_and_options: Any) -> pot.Shortlist:
    """The shortlist of one province, in words: what an engine's worker computes for each
    province of :func:`national_shortlist`. ``tables_and_options`` are the national tables
    (``regions`` without boundaries, ``establishments``, ``resources``, ``parks``), the
    candidate ``activities``, the ``weights``, the options of :func:`village_shortlist` and
    ``synthetic``."""
    return province_scores(province, **tables_and_options)[1]


@dataclass
class NationalShortlist(_ShortlistView):
    """The shortlist of every province (:func:`national_shortlist`).

    Attributes
    ----------
    shortlist : khooshe.analysis.potential.Shortlist
        ``villages`` and ``counties`` as in :func:`village_shortlist`, every province's rows
        one after the other (provinces by code); ``notes`` of every province, each once.
    provinces : list of str
        The provinces scored (those with villages), in order.
    synthetic : bool
        The workspace holds the synthetic demo.
    """

    shortlist: pot.Shortlist
    provinces: list[str]
    synthetic: bool
    #: The provinces' outlines (their counties' shapes merged) with names and a point
    #: inside each, for the national map: ``code, name_fa, name_en, boundary, lat, lon``.
    outlines: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


def national_shortlist(
    ws: Workspace,
    per_county: int = 10,
    *,
    max_per_activity: int = 3,
    min_spacing_km: float = 3.0,
    min_population: float = 100,
    activities: list[str] | None = None,
    weights: pot.Weights | None = None,
    engine: Engine | None = None,
    provinces: list[str] | None = None,
) -> NationalShortlist:
    """:func:`village_shortlist` of every province with villages, on ``engine``.

    The national tables are read once; each province is scored and shortlisted exactly as
    ``village_shortlist(ws, province)`` does it (the proximity between activities and the
    neighbourhoods are national), one province per partition: a ``dask``
    :class:`~khooshe.services.engine.Engine` scores the provinces in parallel, the local one
    (default) one after the other. The rows are the same either way.

    Parameters
    ----------
    ws : Workspace
    per_county, max_per_activity, min_spacing_km, min_population, activities, weights
        As :func:`village_shortlist`.
    engine : Engine, optional
        Where the provinces are scored (default: here).
    provinces : list of str, optional
        Only these provinces (in the order given); default every province with villages.

    Returns
    -------
    NationalShortlist

    Raises
    ------
    ValueError
        A workspace without villages, no candidate activity, or invalid options or data
        (the first province that fails, in code order, says why).
    """
    from khooshe.services.engine import Engine

    # boundaries are for the map only: the workers get the regions without them
    with_boundaries, est, resources, parks = _national_tables(ws, provinces)
    regions = with_boundaries[REGION_COLUMNS]
    if provinces is None:
        villages = regions.loc[regions["level"] == "village", "code"]
        province_of = RegionHierarchy(regions).ancestors("province")
        provinces = sorted(set(province_of.reindex(villages).dropna()))
    if not provinces:
        raise InputError(Message("villages.refuse.no_villages"))
    cand, left_out = _checked_candidates(est, activities)
    parts = list((engine or Engine()).map(
        province_shortlist, provinces, regions=regions, establishments=est,
        resources=resources, parks=parks, activities=cand, weights=weights or default_weights(),
        per_county=per_county, max_per_activity=max_per_activity,
        min_spacing_km=min_spacing_km, min_population=min_population, synthetic=ws.synthetic))
    notes = _once([*left_out, *(n for part in parts for n in part.notes)])
    joined = dataclasses.replace(
        parts[0], villages=pd.concat([p.villages for p in parts], ignore_index=True),
        counties=pd.concat([p.counties for p in parts], ignore_index=True), notes=notes)
    return NationalShortlist(shortlist=joined, provinces=provinces, synthetic=ws.synthetic,
                             outlines=_province_outlines(with_boundaries, provinces))


def _province_outlines(regions: pd.DataFrame, provinces: list[str]) -> pd.DataFrame:
    """Each province's outline (the union of its county shapes), its names and a point
    inside it: where the national map's villages lie needs the provinces drawn."""
    import json

    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    names = regions.set_index("code")
    rows = []
    for code in provinces:
        features = county_shapes(regions, code).geojson["features"]
        if not features:
            continue
        whole = unary_union([shape(f["geometry"]) for f in features])
        inside = whole.representative_point()
        rows.append({"code": code, "name_fa": names.at[code, "name_fa"],
                     "name_en": names.at[code, "name_en"],
                     "boundary": json.dumps(mapping(whole)), "lat": inside.y,
                     "lon": inside.x})
    return pd.DataFrame(rows, columns=["code", "name_fa", "name_en", "boundary", "lat", "lon"])


def _once(notes: list[Message]) -> list[Message]:
    """The notes without repeats (each province says the same of a missing table), in order."""
    seen: set[str] = set()
    out = []
    for n in notes:
        if (said := repr(n)) not in seen:
            seen.add(said)
            out.append(n)
    return out


def write_national(result: NationalShortlist, output: str | Path, lang: str = "fa"
                   ) -> list[Path]:
    """Write the national shortlist, the per-county summary and a map of the shortlisted
    villages (:func:`shortlist_figure` of the table alone). Returns the paths."""
    output = Path(output)
    table_format(output)
    html_path = map_path(output)
    if html_path == output:
        raise InputError(Message("villages.refuse.map_overwrites", {"output": str(output)}))
    html = map_html(shortlist_figure(result.villages, lang=lang, outlines=result.outlines))
    written = [write_table(rounded(result.villages), output, sheet_name="villages"),
               write_table(result.counties, counties_path(output), sheet_name="counties")]
    with atomic_path(html_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    written.append(html_path)
    return written


def _outlines(regions: pd.DataFrame, province: str) -> pd.DataFrame:
    """The province's county outlines with their names and a point inside each."""
    import json

    from shapely.geometry import shape

    shapes = county_shapes(regions, province)
    names = regions.set_index("code")
    rows = []
    for feature in shapes.geojson["features"]:
        inside = shape(feature["geometry"]).representative_point()
        code = feature["id"]
        rows.append({"code": code, "name_fa": names.at[code, "name_fa"],
                     "name_en": names.at[code, "name_en"],
                     "boundary": json.dumps(feature["geometry"]), "lat": inside.y,
                     "lon": inside.x})
    return pd.DataFrame(rows, columns=["code", "name_fa", "name_en", "boundary", "lat", "lon"])


def in_words(potential: pot.Potential, sl: pot.Shortlist, regions: pd.DataFrame
             ) -> pot.Shortlist:
    """The shortlist with names and sentences: each village's activity in Persian and
    English and why it was picked; each county's names and why it got fewer villages.

    ``regions`` is indexed by code (``name_fa``, ``name_en``).
    """
    villages = sl.villages.copy()
    names = isic_names()
    villages["activity_fa"] = villages["activity"].map(names["name_fa"])
    villages["activity_en"] = villages["activity"].map(names["name_en"])
    said = explanations(potential, villages)
    villages["explanation_fa"] = said["fa"]
    villages["explanation_en"] = said["en"]
    comps = [f"c_{n}" for n in potential.component_names]
    facts = list(pot.VILLAGE_FACTS)
    facts[2:2] = ["activity_fa", "activity_en"]           # after the village's names
    villages = villages[[*SHORTLIST_FIRST, *comps, "explanation_fa", "explanation_en", *facts]]
    counties = sl.counties.copy()
    reasons = shortfall_reasons(sl)
    counties["county_fa"] = counties["county_code"].map(regions["name_fa"])
    counties["county_en"] = counties["county_code"].map(regions["name_en"])
    counties["reason_fa"] = reasons["fa"]
    counties["reason_en"] = reasons["en"]
    return dataclasses.replace(sl, villages=villages, counties=counties[list(COUNTY_COLUMNS)])


# ------------------------------------------------------------------------------------ map
def _outline(geojson: str) -> tuple[list[float | None], list[float | None]]:
    """Exterior rings of a GeoJSON (multi)polygon as lon/lat lists separated by None."""
    import json

    from shapely.geometry import shape

    geom = shape(json.loads(geojson))
    polys = list(getattr(geom, "geoms", [geom]))
    xs: list[float | None] = []
    ys: list[float | None] = []
    for p in polys:
        ring = getattr(p, "exterior", None)
        if ring is None:
            continue
        x, y = ring.xy
        xs += list(x) + [None]
        ys += list(y) + [None]
    return xs, ys


PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
           "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#ff7f00", "#6a3d9a", "#b15928",
           "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#7f7f7f", "#2ca02c")


def _text(frame: pd.DataFrame, col: str, default: pd.Series | str = "") -> pd.Series:
    """``frame[col]`` as text (missing → ``default``)."""
    if col not in frame.columns:
        return pd.Series(default, index=frame.index, dtype=object).astype(str)
    out = frame[col].astype(object).where(frame[col].notna(), None)
    fill = default if isinstance(default, pd.Series) else pd.Series(default, index=frame.index)
    return out.fillna(fill).astype(str)


def shortlist_figure(shortlist: VillagesResult | pd.DataFrame, *, title: str | None = None,
                     height: int = 800, lang: str = "fa",
                     outlines: pd.DataFrame | None = None):
    """The shortlist map as a plotly ``Figure``, shortlisted villages coloured by activity.

    Builds the figure only (nothing is written): the province plan embeds it, and
    :func:`write_result` saves it as a self-contained HTML file. Lon/lat drawn with equal
    distances, without axes and without map tiles, so the figure needs no network; every
    label in ``lang``.

    Parameters
    ----------
    shortlist : VillagesResult or DataFrame
        A :func:`village_shortlist` result: the county outlines (imported boundaries, or
        approximate cells: :func:`khooshe.services.maps.county_shapes`) with the counties'
        names, every village of the province in grey, industrial parks as squares, county
        seats as open circles, then the shortlist. Or a shortlist table alone
        (``result.villages``, :func:`rounded`, or any subset of its rows, e.g. one county):
        only the shortlisted villages. The table needs ``activity``, ``lat`` and ``lon``;
        ``village_code``, ``village_<lang>``, ``activity_<lang>``, ``score``,
        ``explanation_<lang>`` and ``data`` are used when present.
    title : str, optional
        Default: the province (with a result) and the synthetic-data warning when it applies.
    height : int
        Figure height in pixels.
    lang : {"fa", "en"}
        Language of the legend, names and title.
    outlines : DataFrame, optional
        With a shortlist table alone: regions to draw beneath it with their names
        (``boundary`` GeoJSON, ``name_<lang>``, ``lat``, ``lon``; e.g. the provinces of
        :class:`NationalShortlist`).

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per activity, named ``"<ISIC> <name>"``, most frequent first.
    """
    import plotly.graph_objects as go

    if isinstance(shortlist, VillagesResult):
        result: VillagesResult | None = shortlist
        sl = shortlist.villages
    elif isinstance(shortlist, pd.DataFrame):
        result, sl = None, shortlist
    else:
        raise TypeError("shortlist_figure needs a VillagesResult or a shortlist DataFrame, "
                        f"not {type(shortlist).__name__}")
    missing = [c for c in ("activity", "lat", "lon") if c not in sl.columns]
    if missing:
        raise ValueError(f"the shortlist lacks column(s) {', '.join(missing)}")

    def word(key: str, **values: object) -> str:
        return t(f"villages.map.{key}", lang, **values)

    fig = go.Figure()
    if result is not None:
        _map_background(fig, result, lang, word)
        lats = result.potential.villages["lat"]
    else:
        if outlines is not None:
            _draw_outlines(fig, outlines, lang, names=False)
        lats = sl["lat"]
    acts = sl["activity"].astype(str)
    counts = acts.value_counts()
    order = sorted(counts.index, key=lambda a: (-int(counts[a]), a))
    code = _text(sl, "village_code")
    for k, act in enumerate(order):
        part = sl[acts == act]
        label = _text(part, f"activity_{lang}", act).iloc[0]
        hover = _text(part, f"village_{lang}", code[part.index]) + " — " + code[part.index]
        if f"explanation_{lang}" in part.columns:
            hover = hover + "<br>" + _text(part, f"explanation_{lang}")
        if "score" in part.columns:
            hover = hover + "<br>" + word("score") + " " + part["score"].astype(float).map(
                "{:.3f}".format)
        fig.add_trace(go.Scatter(
            x=part["lon"], y=part["lat"], mode="markers", name=f"{act} {label}",
            marker={"size": 11, "color": PALETTE[k % len(PALETTE)],
                    "line": {"width": 1, "color": "white"}},
            text=hover, hoverinfo="text",
        ))
    if result is None and outlines is not None:  # the regions' names above the villages
        _draw_names(fig, outlines, lang, size=13, color="#333")
    lat0 = float(lats.mean()) if len(lats) and lats.notna().any() else 32.0
    synthetic = result.synthetic if result is not None else (
        "data" in sl.columns and sl["data"].astype(str).str.contains("SYNTHETIC").any())
    if title is None:
        title = (word("title_province", province=result.province_name if lang == "fa"
                      else result.province_name_en) if result is not None else word("title"))
        if synthetic:
            title += f"<br><sub>{t('common.synthetic', lang)}</sub>"
    fig.update_layout(
        title={"text": title, "x": 0.5}, template="plotly_white", height=height,
        legend={"title": {"text": word("activity")}, "itemsizing": "constant"},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x",
               "scaleratio": 1.0 / max(math.cos(math.radians(lat0)), 0.1)},
        hoverlabel={"align": "right" if lang == "fa" else "left"},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    return fig


def _draw_outlines(fig, outlines: pd.DataFrame, lang: str, names: bool = True) -> None:
    """Regions' outlines in grey, with their names at a point inside each unless ``names``
    is False (:func:`_draw_names` then puts them above what is drawn next)."""
    import plotly.graph_objects as go

    for row in outlines.itertuples(index=False):
        try:
            xs, ys = _outline(row.boundary)
        except Exception:  # a malformed boundary only loses its outline
            continue
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#999", "width": 1},
                                 hoverinfo="skip", showlegend=False))
    if names:
        _draw_names(fig, outlines, lang)


def _draw_names(fig, outlines: pd.DataFrame, lang: str, size: int = 11,
                color: str = "#666") -> None:
    """The regions' names at the point inside each."""
    import plotly.graph_objects as go

    if len(outlines):
        fig.add_trace(go.Scatter(
            x=outlines["lon"], y=outlines["lat"], mode="text",
            text=outlines[f"name_{lang}"], textfont={"size": size, "color": color},
            hoverinfo="skip", showlegend=False))


def _map_background(fig, result: VillagesResult, lang: str, word) -> None:
    """County outlines with their names, the province's villages, parks and county seats."""
    import plotly.graph_objects as go

    v = result.potential.villages
    _draw_outlines(fig, result.outlines, lang)
    fig.add_trace(go.Scatter(
        x=v["lon"], y=v["lat"], mode="markers", name=word("villages"),
        marker={"size": 3, "color": "#c8c8c8"}, text=v[f"name_{lang}"], hoverinfo="text",
    ))
    near = result.parks.dropna(subset=["lat", "lon"])
    if len(v) and len(near):
        lat0, lon0 = float(v["lat"].mean()), float(v["lon"].mean())
        span = float(max(v["lat"].max() - v["lat"].min(), v["lon"].max() - v["lon"].min()))
        near = near[(near["lat"] - lat0).abs().le(span / 2)
                    & (near["lon"] - lon0).abs().le(span / 2)]
    fig.add_trace(go.Scatter(
        x=near["lon"], y=near["lat"], mode="markers", name=word("park"),
        marker={"symbol": "square", "size": 9, "color": "black"},
        text=near[f"name_{lang}"], hoverinfo="text",
    ))
    seats = result.seats.dropna(subset=["lat", "lon"])
    fig.add_trace(go.Scatter(
        x=seats["lon"], y=seats["lat"], mode="markers", name=word("seat"),
        marker={"symbol": "circle-open", "size": 10, "color": "#444"},
        text=seats[f"name_{lang}"], hoverinfo="text",
    ))


def map_html(fig) -> str:
    """A figure as one self-contained HTML page: plotly.js inlined, no external script."""
    return fig.to_html(include_plotlyjs=True, include_mathjax=False, full_html=True)


def map_path(output: str | Path) -> Path:
    """The HTML map beside ``output``: ``<stem>.html``."""
    output = Path(output)
    return output.with_name(f"{output.stem}.html")


def counties_path(output: str | Path) -> Path:
    """The per-county summary beside ``output``: ``<stem>_counties.<ext>``."""
    output = Path(output)
    return output.with_name(f"{output.stem}_counties{output.suffix}")


def rounded(villages: pd.DataFrame) -> pd.DataFrame:
    """The shortlist as written to files: scores and components to 6 decimals (they still add
    up to the score to 1e-5), density to 4, distances to 0.01 km, quantities to 0.1."""
    out = villages.copy()
    for col in out.columns:
        if col == "score" or col.startswith("c_") or col.endswith("_score"):
            out[col] = out[col].astype(float).round(6)
    for col, nd in (("density", 4), ("resource_quantity", 1), ("dist_park_km", 2),
                    ("dist_seat_km", 2), ("dist_city_km", 2)):
        if col in out.columns:
            out[col] = out[col].astype(float).round(nd)
    return out


def write_result(result: VillagesResult, output: str | Path, lang: str = "fa") -> list[Path]:
    """Write the shortlist table, the per-county summary and the HTML map. Returns the paths."""
    output = Path(output)
    table_format(output)
    html_path = map_path(output)
    if html_path == output:
        raise InputError(Message("villages.refuse.map_overwrites", {"output": str(output)}))
    html = map_html(shortlist_figure(result, lang=lang))
    written = [write_table(rounded(result.shortlist.villages), output, sheet_name="villages"),
               write_table(result.shortlist.counties, counties_path(output),
                           sheet_name="counties")]
    with atomic_path(html_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    written.append(html_path)
    return written


def shortfall(result: VillagesResult | NationalShortlist) -> pd.DataFrame:
    """Counties that got fewer than asked, with the reason."""
    c = result.shortlist.counties
    return c[c["reason_en"].astype(str) != ""]


__all__ = [
    "COUNTY_COLUMNS",
    "DEFAULT_DIVISIONS",
    "SHORTLIST_FIRST",
    "SIZE_EVIDENCE",
    "VILLAGE_MEDIAN_EMPLOYEES",
    "NationalShortlist",
    "VillagesResult",
    "PALETTE",
    "counties_path",
    "default_weights",
    "in_words",
    "map_html",
    "map_path",
    "national_shortlist",
    "parse_activities",
    "province_scores",
    "province_shortlist",
    "read_weights",
    "rounded",
    "shortfall",
    "shortlist_figure",
    "village_scale",
    "village_shortlist",
    "write_national",
    "write_result",
]
