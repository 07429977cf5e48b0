"""Sizes of the demo scales and the fixed reference date of the demo."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

#: The demo's "today": 1403/12/30 (the last day of the Jalali year 1403). Fixed, so that the
#: same seed gives the same workspace whatever day it is built.
AS_OF = dt.date(2025, 3, 20)
#: Jalali years covered by the programme registry (indicators, activities).
PERIODS = ("1400", "1401", "1402", "1403")
#: Free-market rials per US dollar used to turn rial output into dollar exports (about 1402).
RIALS_PER_USD = 500_000
#: Trade years.
TRADE_YEARS = (2019, 2020, 2021, 2022, 2023)
#: Half-finished units in Khuzestan at every scale (the seed: 1,600 units, 40,000 jobs).
KHUZESTAN_UNITS = 1600


@dataclass(frozen=True)
class Scale:
    """How big the synthetic country is.

    Attributes
    ----------
    counties : int
        Target number of counties (split among provinces by population and area).
    county_range : (int, int)
        Fewest and most counties in one province.
    districts, rural_districts : (int, int)
        Range of districts per county and of rural districts per district.
    villages : int
        Target number of villages (at least this many are generated).
    village_min : int
        Fewest villages in a county.
    extra_cities : float
        Mean number of cities per county besides the seat.
    establishments : int
        Establishments other than half-finished units.
    half_finished_other : int
        Half-finished units outside Khuzestan (Khuzestan always has about 1,600).
    parks : (int, int)
        Range of industrial parks per province (Khuzestan gets more).
    agglomeration : float
        Multiplier of the establishment counts in ``agglomerations.csv`` (given for ``small``).
    micro : int
        Extra micro establishments (1–9 staff) of a register of all sizes: shops, workshops and
        farms that a register of industrial units leaves out (see :meth:`register`). Drawn on
        their own random stream, so the scale's other firms are drawn as without them.
    """

    name: str
    counties: int
    county_range: tuple[int, int]
    districts: tuple[int, int]
    rural_districts: tuple[int, int]
    villages: int
    village_min: int
    extra_cities: float
    establishments: int
    half_finished_other: int
    parks: tuple[int, int]
    agglomeration: float
    micro: int = 0

    @property
    def base_establishments(self) -> int:
        """Establishments of the scale without micro ones (half-finished units included)."""
        return self.establishments + self.half_finished_other + KHUZESTAN_UNITS

    def register(self, establishments: int) -> Scale:
        """This scale grown into a register of ``establishments`` in all: its own economy plus
        micro establishments up to that number (about nine in ten of a national register's
        1,000,000 are micro, as in real registers of all sizes).

        Raises
        ------
        ValueError
            When ``establishments`` is below :attr:`base_establishments`.
        """
        if (isinstance(establishments, bool) or not isinstance(establishments, (int, np.integer))
                or establishments < self.base_establishments):
            raise ValueError(f"a {self.name} demo register needs at least "
                             f"{self.base_establishments:,} establishments, "
                             f"got {establishments!r}")
        return replace(self, micro=int(establishments) - self.base_establishments)


SCALES: dict[str, Scale] = {
    "small": Scale(
        name="small", counties=310, county_range=(8, 12), districts=(1, 3),
        rural_districts=(1, 3), villages=12_000, village_min=15, extra_cities=0.8,
        establishments=27_000, half_finished_other=800, parks=(2, 4), agglomeration=0.8,
    ),
    "national": Scale(
        name="national", counties=430, county_range=(6, 30), districts=(1, 5),
        rural_districts=(2, 4), villages=64_000, village_min=40, extra_cities=1.6,
        establishments=102_000, half_finished_other=6_000, parks=(3, 8), agglomeration=3.0,
    ),
}


def get_scale(scale: str) -> Scale:
    """Return the :class:`Scale` named ``scale`` or raise a ``ValueError`` naming the choices."""
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(
            f"unknown demo scale {scale!r}; choose one of: {', '.join(SCALES)}"
        ) from None
