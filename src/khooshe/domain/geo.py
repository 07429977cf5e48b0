"""Distances on the Earth: the one great-circle formula every part of khooshe uses.

Coordinates are WGS84 degrees. The mean Earth radius (IUGG, 6,371.0088 km) is used throughout,
so a distance computed in the village analysis equals the one in the markets analysis or the
demo generator.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from khooshe.text.messages import Message

#: Mean Earth radius (km), IUGG.
EARTH_RADIUS_KM = 6371.0088
#: Kilometres per degree of latitude (and of longitude on the equator).
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike,
                 lon2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance (km) between points given in degrees; broadcasts like numpy.

    Examples
    --------
    >>> round(float(haversine_km(35.69, 51.39, 30.29, 48.29)))  # Tehran to Ahvaz
    666
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat: ArrayLike, lon: ArrayLike, radius: float = 1.0) -> NDArray[np.float64]:
    """Points given in degrees as 3-D vectors on a sphere of ``radius``, shape (n, 3).

    On vectors scaled by :data:`EARTH_RADIUS_KM`, a k-d tree's Euclidean (chord) distance is
    monotone in the great-circle distance, so a radius search with :func:`chord_km` is an
    exact great-circle search (see :func:`arc_km` for the way back).
    """
    la, lo = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    c = np.cos(la)
    return np.column_stack([c * np.cos(lo), c * np.sin(lo), np.sin(la)]) * radius


def chord_km(arc: float) -> float:
    """The straight-line (chord) length of a great-circle distance ``arc`` (km)."""
    return 2 * EARTH_RADIUS_KM * math.sin(min(arc / (2 * EARTH_RADIUS_KM), math.pi / 2))


def arc_km(chord: ArrayLike) -> NDArray[np.float64]:
    """The great-circle distance (km) of chord lengths (km): the inverse of :func:`chord_km`."""
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord, float)
                                                   / (2 * EARTH_RADIUS_KM), 0, 1))


#: Where boundaries may lie: Iran's extent (lon 44.0–63.4, lat 25.0–39.8) with a margin of
#: about two degrees, so a border region or a shifted file is accepted and a swapped lat/lon
#: or a polygon at latitude 1000 is not.
BOUNDS = (42.0, 23.0, 66.0, 42.0)  # (min lon, min lat, max lon, max lat)
#: Polygon types a boundary may be.
AREAS = ("Polygon", "MultiPolygon")


def _rings(geom: dict) -> list:
    coords = geom.get("coordinates")
    if geom.get("type") == "Polygon":
        return list(coords) if isinstance(coords, list) else [None]
    return [ring for poly in coords for ring in (poly if isinstance(poly, list) else [None])] \
        if isinstance(coords, list) else [None]


def geometry_problem(text: str | None) -> Message | None:
    """Why a boundary (GeoJSON geometry text) is refused, or None when it is a valid area
    (``str()`` of the message is its English text).

    A boundary is a ``Polygon`` or ``MultiPolygon`` whose rings are closed lists of at least
    four finite ``[lon, lat]`` positions, valid (no self-intersection) and non-empty with a
    positive area, lying inside :data:`BOUNDS`.
    """
    import json

    if text is None:
        return None
    try:
        geom = json.loads(text)
    except ValueError:
        return _m("geometry_json")
    except RecursionError:  # "[[[[…" a hundred thousand deep: the parser gives up
        return _m("geometry_deep")
    if not isinstance(geom, dict) or geom.get("type") not in AREAS:
        return _m("geometry_type", types=" or ".join(AREAS))
    for ring in _rings(geom):
        if not isinstance(ring, list) or len(ring) < 4 or not all(
                isinstance(pt, list) and len(pt) >= 2
                and all(isinstance(c, int | float) and not isinstance(c, bool)
                        and math.isfinite(c) for c in pt[:2]) for pt in ring):
            return _m("geometry_ring")
        if ring[0][:2] != ring[-1][:2]:
            return _m("geometry_open")
    from shapely.geometry import shape

    try:
        shp = shape(geom)
    except Exception:  # shapely raises many kinds on malformed coordinates
        return _m("geometry_invalid")
    if shp.is_empty:
        return _m("geometry_empty")
    if not shp.is_valid:
        # a bow tie has zero signed area but encloses some: its edges cross; a flat ring
        # encloses none
        return _m("geometry_crossing") if shp.buffer(0).area > 0 else _m("geometry_empty")
    if shp.area <= 0:
        return _m("geometry_empty")
    lon0, lat0, lon1, lat1 = shp.bounds
    if lon0 < BOUNDS[0] or lat0 < BOUNDS[1] or lon1 > BOUNDS[2] or lat1 > BOUNDS[3]:
        return _m("geometry_outside", bounds=f"{lon0:.2f}, {lat0:.2f} – {lon1:.2f}, {lat1:.2f}")
    return None


def _m(key: str, **params: object) -> Message:
    return Message(f"validate.{key}", params)


__all__ = ["AREAS", "BOUNDS", "EARTH_RADIUS_KM", "KM_PER_DEGREE", "arc_km", "chord_km",
           "geometry_problem", "haversine_km", "unit_vectors"]
