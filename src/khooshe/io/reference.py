"""Reference data shipped inside the package: the one reader of ``khooshe/data/`` (and of the
demo generator's tables in ``khooshe/demo/``).

Package data is read with :mod:`importlib.resources`, so khooshe works from an installed wheel.
Tables are read as text (codes keep their leading zeros) and cached; callers get copies.

=============================  ===============================================================
file                           content
=============================  ===============================================================
data/isic.csv                  ISIC Rev.4 classes with official English and Persian names and
                               where each can be carried on (its setting)
data/countries.csv             countries: ISO3, ISO numeric, names, capital coordinates
data/resource_activities.csv   which local resource feeds which ISIC class, and how strongly
data/potential_weights.toml    default weights of the village potential score, with reasons
demo/*.csv                     the synthetic demo's seed tables (:mod:`khooshe.demo.data`)
=============================  ===============================================================
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

import pandas as pd


@cache
def package_text(package: str, *parts: str) -> str:
    """The text of the packaged file ``parts`` inside ``package`` (e.g. ``"khooshe"``,
    ``"data", "isic.csv"``)."""
    return resources.files(package).joinpath(*parts).read_text(encoding="utf-8")


@cache
def _csv(package: str, parts: tuple[str, ...]) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(package_text(package, *parts)), dtype=str,
                       keep_default_na=False)


def package_csv(package: str, *parts: str) -> pd.DataFrame:
    """A packaged CSV file as a DataFrame of text (a copy; empty cells are ``""``)."""
    return _csv(package, parts).copy()


def isic_names() -> pd.DataFrame:
    """ISIC Rev.4 classes with ``name_fa`` and ``name_en``, indexed by ``isic`` (4 digits)."""
    return package_csv("khooshe", "data", "isic.csv").set_index("isic")[["name_fa", "name_en"]]


def activity_settings() -> pd.Series:
    """Where each ISIC class can be carried on, indexed by ``isic``: ``village`` (a village
    workshop: crafts and the first processing of local farm, animal and forest produce at
    small scale), ``town`` (workshops that need a town's power, services or market),
    ``park`` (process plants, capital-heavy, polluting or large: an industrial park) or
    ``site`` (extraction and energy at the resource). khooshe's documented judgement from
    the ISIC Rev.4 class definitions and the scale of Iran's rural industries (صنایع
    روستایی: workshops of up to about twenty people); see the README, *Villages*."""
    return package_csv("khooshe", "data", "isic.csv").set_index("isic")["setting"]


def activity_markets() -> pd.Series:
    """Whether each ISIC class is ``traded`` (sells beyond its region) or ``local``, indexed by
    ``isic``: the US Cluster Mapping convention (Delgado, Porter & Stern 2016) mapped to ISIC
    Rev.4 (see :func:`khooshe.services.specialization.traded_activities`)."""
    return package_csv("khooshe", "data", "isic.csv").set_index("isic")["market"]


def resource_links() -> pd.DataFrame:
    """Which resource feeds which activity (``data/resource_activities.csv``): ``resource``,
    ``isic``, ``link`` (strength in (0, 1], float), ``resource_fa``, ``resource_en``, ``note``."""
    df = package_csv("khooshe", "data", "resource_activities.csv")
    df["link"] = df["link"].astype(float)
    return df


def potential_weights_text() -> str:
    """The default weights of the village potential score (TOML, with the reason of each)."""
    return package_text("khooshe", "data", "potential_weights.toml")


#: The plan's and the web app's font (SIL Open Font License), vendored from the npm registry
#: with the web app's assets (``scripts/vendor-assets.sh``).
VAZIRMATN = ("khooshe", "web", "static", "vendor", "vazirmatn")


def font_file(weight: str, kind: str = "ttf"):
    """The packaged Vazirmatn font file of ``weight`` (``Regular`` or ``Bold``) as a path-like
    resource (``ttf`` for WeasyPrint, ``woff2`` for browsers)."""
    package, *folder = VAZIRMATN
    return resources.files(package).joinpath(*folder, f"Vazirmatn-{weight}.{kind}")


def countries() -> pd.DataFrame:
    """The packaged country table as text (see :mod:`khooshe.io.countries`)."""
    return package_csv("khooshe", "data", "countries.csv")


__all__ = ["VAZIRMATN", "activity_markets", "activity_settings", "countries", "font_file",
           "isic_names", "package_csv",
           "package_text", "potential_weights_text", "resource_links"]
