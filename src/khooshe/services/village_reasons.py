"""The village shortlist in words: why each village was picked, why a county got fewer.

The analysis (:mod:`khooshe.analysis.potential`) says which components carry a pick
(:func:`~khooshe.analysis.potential.drivers`) and flags why a county fell short; this module
writes those facts as one sentence each in Persian and English, from the message catalogue
(``text/catalogue/villages.toml``). Numbers are formatted here, in each language's digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from khooshe.analysis import potential as pot
from khooshe.text.digits import to_persian_digits
from khooshe.text.messages import t
from khooshe.text.numbers import format_number

LANGS = ("fa", "en")
#: Resource units in each language (the resources table stores the key).
UNITS: dict[str, tuple[str, str]] = {
    "t": ("تن", "t"),
    "kg": ("کیلوگرم", "kg"),
    "head": ("رأس", "head"),
    "m3": ("مترمکعب", "m³"),
    "ha": ("هکتار", "ha"),
    "million_m3": ("میلیون مترمکعب", "million m³"),
    "thousand_bbl": ("هزار بشکه", "thousand bbl"),
}


def _km(value: float, lang: str) -> str:
    """A radius as set in the weights (``15`` or ``2.5``)."""
    return format_number(value, "fa", 0 if float(value).is_integer() else 1) if lang == "fa" \
        else f"{value:g}"


def _n(value: float, lang: str, decimals: int = 0) -> str:
    return format_number(value, lang, decimals)


def _part(part: str, row: Mapping[str, Any], potential: pot.Potential,
          links: pd.DataFrame, lang: str, form: str = "explain") -> str | None:
    """One driver of a pick, with its fact, in ``lang``: the sentence's form
    (``explain``) or the short one of a table cell (``main``)."""
    w = potential.weights
    if part == "resources" and row["resource"] is not None:
        key = row["resource"]
        name = links[f"resource_{lang}"].get(key, key)
        unit = potential.resource_units.get(key, "")
        unit_fa, unit_en = UNITS.get(unit, (unit, unit))
        return t(f"villages.{form}.resources", lang, resource=name,
                 quantity=_n(row["resource_quantity"], lang),
                 unit=unit_fa if lang == "fa" else unit_en,
                 km=_km(w.resources_radius_km, lang))
    if part == "agglomeration":
        n = int(row["nearby_firms"])
        key = "agglomeration" if form == "main" else (
            "agglomeration_one" if n == 1 else "agglomeration_many")
        return t(f"villages.{form}.{key}", lang, n=_n(n, lang),
                 km=_km(w.agglomeration_radius_km, lang))
    if part == "relatedness":
        return t(f"villages.{form}.relatedness", lang, km=_km(w.relatedness_radius_km, lang),
                 density=_n(row["density"], lang, 2))
    if part == "access":
        if np.isfinite(row["dist_park_km"]):
            return t(f"villages.{form}.park", lang, km=_n(row["dist_park_km"], lang))
        return t(f"villages.{form}.town", lang, km=_n(row["dist_city_km"], lang))
    return None


def explanations(potential: pot.Potential, villages: pd.DataFrame
                 ) -> dict[str, list[str]]:
    """One line per shortlisted village in each language: the village, its activity, the
    three largest weighted contributions (labour aside, given as the population) with their
    facts, then the penalties. ``villages`` is the shortlist with ``activity_fa`` and
    ``activity_en`` (activity names) added."""
    links = potential.links.drop_duplicates("resource").set_index("resource")
    drivers = pot.drivers(potential, villages)
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for row, parts in zip(villages.to_dict("records"), drivers, strict=True):
        for lang in LANGS:
            said = [s for s in (_part(p, row, potential, links, lang) for p in parts) if s]
            for pen in potential.weights.penalties:
                value = row[f"c_{pen.name}"]
                if value > 0:
                    said.append(t("villages.explain.penalty", lang,
                                  penalty=pen.label_fa if lang == "fa" else pen.label_en,
                                  value=_n(pen.weight * value, lang, 2)))
            pop = row["population"]
            if pop is not None and np.isfinite(pop):
                said.append(t("villages.explain.population", lang, population=_n(pop, lang)))
            name = row[f"village_{lang}"] or row["village_code"]
            act = row[f"activity_{lang}"]
            code = row["activity"]
            out[lang].append(t(
                "villages.explain.line", lang, village=name,
                activity=act if isinstance(act, str) else code,
                isic=to_persian_digits(code) if lang == "fa" else code,
                parts=t("villages.explain.separator", lang).join(said)))
    return out


def main_reasons(potential: pot.Potential, villages: pd.DataFrame) -> dict[str, list[str]]:
    """For each shortlisted village, the one fact that carries its pick most (the largest
    weighted contribution), in each language: the short form of :func:`explanations` for a
    table that has one line per village."""
    links = potential.links.drop_duplicates("resource").set_index("resource")
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for row, parts in zip(villages.to_dict("records"), pot.drivers(potential, villages, top=1),
                          strict=True):
        for lang in LANGS:
            said = [s for s in (_part(p, row, potential, links, lang, "main") for p in parts)
                    if s]
            out[lang].append(said[0] if said else "")
    return out


def shortfall_reasons(shortlist: pot.Shortlist) -> dict[str, list[str]]:
    """Why each county of ``shortlist.counties`` got fewer villages than asked, in each
    language (empty when it got them all)."""
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for row in shortlist.counties.to_dict("records"):
        for lang in LANGS:
            out[lang].append(_shortfall(row, shortlist, lang))
    return out


def _shortfall(row: Mapping[str, Any], sl: pot.Shortlist, lang: str) -> str:
    said = []
    if row["no_villages"]:
        said.append(t("villages.shortfall.no_villages", lang))
    elif row["few_eligible"]:
        parts = [t(f"villages.shortfall.{key}", lang, n=_n(row[key], lang),
                   population=_n(sl.min_population, lang))
                 for key in pot.INELIGIBLE if row[key]]
        text = t("villages.shortfall.few_eligible", lang, eligible=_n(row["eligible"], lang),
                 villages=_n(row["villages"], lang))
        if parts:
            text += t("villages.shortfall.why", lang, parts=t(
                "villages.shortfall.why_separator", lang).join(parts))
        said.append(text)
    if row["spacing_limited"]:
        said.append(t("villages.shortfall.spacing_limited", lang,
                      km=_km(sl.min_spacing_km, lang)))
    if row["quota_limited"]:
        said.append(t("villages.shortfall.quota_limited", lang,
                      per_activity=_n(sl.max_per_activity, lang)))
    return t("villages.shortfall.separator", lang).join(said)


__all__ = ["UNITS", "explanations", "main_reasons", "shortfall_reasons"]
