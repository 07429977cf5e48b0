"""Small tables shipped with the demo generator (``src/khooshe/demo/*.csv``).

They are package data, read with :mod:`importlib.resources`, so the generator works from an
installed wheel without the repository's ``shared/`` folder. Every code column is read as text
(leading zeros kept).

=====================  =================================================================
file                   content
=====================  =================================================================
provinces.csv          the 31 real provinces: Statistical Centre of Iran codes 00–30,
                       Persian and English names, approximate centroid, 2016 census
                       population, area (km²) and urban share
isic.csv               ~300 real ISIC Rev.4 classes (names in ``khooshe/data/isic.csv``):
                       IO sector, relative frequency of establishments (``weight``) and
                       median establishment size (``size``, employees)
products.csv           ~800 real HS 2017 six-digit subheadings, the ISIC class producing
                       each (the demo's HS→ISIC concordance) and the natural endowment
                       it needs (``natural``: oil, ores, tropical, …)
countries.csv          83 countries: ISO3, ISO numeric, names, capital coordinates,
                       population, GDP per head (thousand USD, approximate, used only to
                       draw capabilities) and natural endowments
io_sectors.csv         26 input–output sectors with output (همت = 10¹³ rials) and
                       employment (thousands), Iran-like orders of magnitude
io_coefficients.csv    the main technical coefficients a_ij (input of i per rial of j)
agglomerations.csv     where activities agglomerate (province, ISIC, group, centres,
                       establishments at the small scale)
resources.csv          natural/agricultural resources: unit, level, provinces and weights
clusters.csv           the cluster-programme seeds (Gilan, Ardabil, Khuzestan, …)
=====================  =================================================================
"""

from __future__ import annotations

import pandas as pd

from khooshe.io.reference import package_csv


def table(name: str) -> pd.DataFrame:
    """Return a copy of the packaged table ``name`` (e.g. ``"provinces.csv"``), all text."""
    return package_csv("khooshe.demo", name)
