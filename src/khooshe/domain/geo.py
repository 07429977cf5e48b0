"""Distances on the Earth: the one great-circle formula every part of khooshe uses.

Coordinates are WGS84 degrees. The mean Earth radius (IUGG, 6,371.0088 km) is used throughout,
so a distance computed in the village analysis equals the one in the markets analysis or the
demo generator.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

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


__all__ = ["EARTH_RADIUS_KM", "KM_PER_DEGREE", "haversine_km"]
