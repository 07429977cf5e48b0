"""The score's weights: the five components, their parameters and the optional penalties,
parsed from TOML text laid over the defaults (both texts given by the caller)."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from khooshe.domain.errors import InputError
from khooshe.text.messages import Bilingual, Message

COMPONENTS: tuple[str, ...] = ("relatedness", "resources", "agglomeration", "access", "labour")
#: Village × activity components (the others are per village).
MATRIX_COMPONENTS = ("relatedness", "resources", "agglomeration")
_ISIC_PREFIX = re.compile(r"\d{2}|\d{4}")
_RESOURCE_KEY = re.compile(r"[a-z][a-z0-9_]{1,40}")


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
        codes = [str(a) for a in isic]
        if self.activities is None:
            return np.ones(len(codes), dtype=bool)
        wanted = set(self.activities)
        return np.array([a in wanted or a[:2] in wanted for a in codes], dtype=bool)


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


def _number(value: Any, kind: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(Message("villages.weights.not_number", {"where": where, "value": value}))
    x = float(value)
    ok = math.isfinite(x) and {
        "w": x >= 0, "nonneg": x >= 0, "pos": x > 0, "unit": 0 <= x <= 1, "share": 0 < x <= 1,
    }[kind]
    if not ok:
        need = {"w": Bilingual("≥ ۰", "≥ 0"), "nonneg": Bilingual("≥ ۰", "≥ 0"),
                "pos": Bilingual("> ۰", "> 0"),
                "unit": Bilingual("در بازهٔ [۰، ۱]", "in [0, 1]"),
                "share": Bilingual("در بازهٔ (۰، ۱]", "in (0, 1]")}[kind]
        raise InputError(Message("villages.weights.out_of_range",
                                 {"where": where, "need": need, "value": value}))
    return x


def _merge(base: dict, override: dict, source: str) -> dict:
    """Defaults overridden key by key; unknown tables or keys raise."""
    out = {"components": {k: dict(v) for k, v in base.get("components", {}).items()},
           "neighbourhood": dict(base.get("neighbourhood", {})),
           "penalties": {k: dict(v) for k, v in base.get("penalties", {}).items()}}
    unknown = set(override) - set(out)
    if unknown:
        raise InputError(Message("villages.weights.unknown_tables", {
            "source": source, "names": ", ".join(sorted(unknown))}))
    for name, table in override.get("components", {}).items():
        if name not in _SPEC:
            raise InputError(Message("villages.weights.unknown_component", {
                "source": source, "name": name, "choices": ", ".join(_SPEC)}))
        if not isinstance(table, dict):
            raise InputError(Message("villages.weights.not_table", {
                "source": source, "key": f"components.{name}"}))
        bad = set(table) - set(_SPEC[name])
        if bad:
            raise InputError(Message("villages.weights.unknown_keys", {
                "source": source, "table": f"components.{name}", "keys": ", ".join(sorted(bad)),
                "allowed": ", ".join(_SPEC[name])}))
        out["components"].setdefault(name, {}).update(table)
    nb = override.get("neighbourhood", {})
    bad = set(nb) - {"grid_km"}
    if bad:
        raise InputError(Message("villages.weights.unknown_neighbourhood_keys", {
            "source": source, "keys": ", ".join(sorted(bad))}))
    out["neighbourhood"].update(nb)
    for name, table in override.get("penalties", {}).items():
        if not isinstance(table, dict):
            raise InputError(Message("villages.weights.not_table", {
                "source": source, "key": f"penalties.{name}"}))
        out["penalties"][name] = dict(table)
    return out


def _build(data: dict, source: str) -> Weights:
    comps = data["components"]
    missing = [c for c in COMPONENTS if c not in comps]
    if missing:
        raise InputError(Message("villages.weights.missing_components", {
            "source": source, "names": ", ".join(missing)}))
    vals: dict[str, dict[str, float]] = {}
    reasons: dict[str, str] = {}
    for name in COMPONENTS:
        table = comps[name]
        absent = [k for k in _SPEC[name] if k not in table]
        if absent:
            raise InputError(Message("villages.weights.lacks", {
                "source": source, "table": f"components.{name}", "keys": ", ".join(absent)}))
        vals[name] = {k: _number(v, _SPEC[name][k], f"{source}: components.{name}.{k}")
                      for k, v in table.items() if _SPEC[name][k] != "s"}
        reason = table["reason"]
        if not isinstance(reason, str):
            raise InputError(Message("villages.weights.reason_text",
                                     {"source": source, "name": name}))
        reasons[name] = " ".join(reason.split())
    given = {c: vals[c]["weight"] for c in COMPONENTS}
    total = sum(given.values())
    if total <= 0:
        raise InputError(Message("villages.weights.no_positive", {"source": source}))
    acc = vals["access"]
    share_total = acc["park_share"] + acc["seat_share"] + acc["city_share"]
    if share_total <= 0:
        raise InputError(Message("villages.weights.no_access_share", {"source": source}))
    grid = data["neighbourhood"].get("grid_km", 0.0)
    grid = _number(grid, "nonneg", f"{source}: neighbourhood.grid_km")
    penalties = []
    for name, table in sorted(data["penalties"].items()):
        if not _RESOURCE_KEY.fullmatch(name):
            raise InputError(Message("villages.weights.penalty_name",
                                     {"source": source, "name": name}))
        bad = set(table) - _PENALTY_KEYS
        if bad:
            allowed = ", ".join(sorted(_PENALTY_KEYS))
            raise InputError(Message("villages.weights.unknown_keys", {
                "source": source, "table": f"penalties.{name}", "keys": ", ".join(sorted(bad)),
                "allowed": allowed}))
        for key in ("weight", "resource"):
            if key not in table:
                raise InputError(Message("villages.weights.lacks", {
                    "source": source, "table": f"penalties.{name}", "keys": key}))
        weight = _number(table["weight"], "w", f"{source}: penalties.{name}.weight")
        res = table["resource"]
        if not isinstance(res, str) or not _RESOURCE_KEY.fullmatch(res):
            raise InputError(Message("villages.weights.penalty_resource",
                                     {"source": source, "name": name, "value": res}))
        acts = table.get("activities")
        if acts is not None:
            if not isinstance(acts, list) or not all(
                    isinstance(a, str) and _ISIC_PREFIX.fullmatch(a) for a in acts):
                raise InputError(Message("villages.weights.penalty_activities",
                                         {"source": source, "name": name}))
            acts = tuple(acts)
        if name in COMPONENTS:
            raise InputError(Message("villages.weights.penalty_component",
                                     {"source": source, "name": name}))
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


def parse_weights(text: str | None, *, defaults: str, source: str = "weights file"
                  ) -> Weights:
    """Weights from TOML ``text`` laid over the ``defaults`` TOML.

    Parameters
    ----------
    text : str or None
        A TOML document with only the values to change; ``None`` gives the defaults.
    defaults : str
        The complete default TOML (every component with its reason): the package's
        ``khooshe/data/potential_weights.toml``, read by
        :func:`khooshe.io.reference.potential_weights_text`.
    source : str
        Name used in error messages (e.g. the file's path).

    Raises
    ------
    ValueError
        For invalid TOML, an unknown table or key, or a value out of range — naming it.
    """
    base = tomllib.loads(defaults)
    if text is None:
        return _build(_merge(base, {}, "defaults"), "defaults")
    try:
        override = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(Message("villages.weights.not_toml",
                                 {"source": source, "error": str(exc)})) from None
    return _build(_merge(base, override, source), source)


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
