"""The closed vocabularies of khooshe's records, with their labels in Persian and English.

A value is stored as its English identifier (``half_finished``); people read its label
(«نیمه‌تمام» / "half-finished") from the catalogue (``text/catalogue/vocab.toml``), and typing
the label in either language is accepted on import (:func:`parse_choice`).
"""

from __future__ import annotations

from functools import cache

from khooshe.text.messages import namespace, t

REGION_LEVELS = ("country", "province", "county", "district", "rural_district", "village", "city")
ESTABLISHMENT_STATUSES = ("operating", "half_finished", "idle", "closed")
SIZE_CLASSES = ("micro", "small", "medium", "large")
PARK_KINDS = ("park", "zone", "special")
CLUSTER_STAGES = (
    "identified",
    "feasibility",
    "tender",
    "diagnostic",
    "trust_building",
    "action_plan",
    "joint_actions",
    "self_managed",
)
#: Where an activity can be carried on (``khooshe/data/isic.csv``): a village workshop, a
#: town, an industrial park (capital-heavy, polluting or process plants) or the site of the
#: resource it extracts.
ACTIVITY_SETTINGS = ("village", "town", "park", "site")
MEMBER_KINDS = ("firm", "government", "university", "association", "financial", "other")
MEMBER_ROLES = ("member", "partner")
ACTIVITY_KINDS = (
    "training",
    "domestic_tour",
    "foreign_tour",
    "exhibition",
    "joint_purchase",
    "joint_marketing",
    "export_consortium",
    "other",
)

#: The roles of the web app's accounts (the access policy's ``ROLES``), labelled here.
USER_ROLES = ("national_admin", "province_manager", "county_governor", "cluster_agent", "viewer")

#: Every vocabulary by the name its labels are filed under in the catalogue.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "region_level": REGION_LEVELS,
    "establishment_status": ESTABLISHMENT_STATUSES,
    "size_class": SIZE_CLASSES,
    "park_kind": PARK_KINDS,
    "cluster_stage": CLUSTER_STAGES,
    "member_kind": MEMBER_KINDS,
    "member_role": MEMBER_ROLES,
    "activity_kind": ACTIVITY_KINDS,
    "activity_setting": ACTIVITY_SETTINGS,
    "role": USER_ROLES,
}


def vocabulary_of(choices: tuple[str, ...]) -> str | None:
    """The name of the vocabulary whose values are ``choices`` (None for an ad-hoc list)."""
    return next((name for name, values in VOCABULARIES.items() if values == choices), None)


def label(vocabulary: str, value: str, lang: str) -> str:
    """The label of ``value`` in ``lang`` («نیمه‌تمام»); the value itself if it has none."""
    if f"{vocabulary}.{value}" not in namespace("vocab"):
        return value
    return t(f"vocab.{vocabulary}.{value}", lang)


@cache
def _by_label(vocabulary: str) -> dict[str, str]:
    """Normalised label (either language) and identifier → identifier."""
    from khooshe.text.normalize import normalize  # numpy and pandas: not for importing the schema

    out: dict[str, str] = {}
    for value in VOCABULARIES[vocabulary]:
        for lang in ("fa", "en"):
            out[normalize(label(vocabulary, value, lang))] = value
        out[normalize(value.replace("_", " "))] = value
    return out


def parse_choice(vocabulary: str, text: str) -> str | None:
    """The identifier of the value typed as ``text`` (identifier or label, either language,
    any spelling the normaliser unifies); ``None`` when it is none of them."""
    from khooshe.text.normalize import normalize

    return _by_label(vocabulary).get(normalize(text))


__all__ = [
    "ACTIVITY_KINDS",
    "ACTIVITY_SETTINGS",
    "CLUSTER_STAGES",
    "ESTABLISHMENT_STATUSES",
    "MEMBER_KINDS",
    "MEMBER_ROLES",
    "PARK_KINDS",
    "REGION_LEVELS",
    "SIZE_CLASSES",
    "USER_ROLES",
    "VOCABULARIES",
    "label",
    "parse_choice",
    "vocabulary_of",
]
