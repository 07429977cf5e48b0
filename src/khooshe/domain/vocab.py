"""The closed vocabularies of khooshe's records, with their labels in Persian and English.

A value is stored as its English identifier (``half_finished``); people read its label
(«نیمه‌تمام» / "half-finished") from the catalogue (``text/catalogue/vocab.toml``), and typing
the label in either language is accepted on import (:func:`parse_choice`).
"""

from __future__ import annotations

from functools import cache

from khooshe.text.messages import Bilingual, namespace, t

REGION_LEVELS = ("country", "province", "county", "district", "rural_district", "village", "city")
ESTABLISHMENT_STATUSES = ("operating", "half_finished", "idle", "closed")
SIZE_CLASSES = ("micro", "small", "medium", "large")
PARK_KINDS = ("park", "zone", "special")
#: The stages of a cluster, in order: the Industrial Parks Company's procedure (identified,
#: feasibility, tender, a development agent contracted) and UNIDO's method (diagnostic study,
#: trust building, action plan, joint actions, evaluation, the agent's exit).
CLUSTER_STAGES = (
    "identified",
    "feasibility",
    "tender",
    "cda_contracted",
    "diagnostic",
    "trust_building",
    "action_plan",
    "joint_actions",
    "evaluation",
    "self_managed",
)
#: The documents that evidence a cluster's progress (:mod:`khooshe.domain.programme` says
#: which stage needs which).
DOCUMENT_KINDS = (
    "feasibility_study",
    "tender_documents",
    "cda_contract",
    "supervisor_contract",
    "diagnostic_report",
    "trust_meetings",
    "action_plan",
    "committee_decision",
    "evaluation_report",
    "exit_report",
    "other",
)
#: Where a half-finished unit chosen for completion stands (seeds R7, R11).
UNIT_STATUSES = ("funded", "completing", "operating", "stalled")
#: Where a civil project of an industrial park stands.
PROJECT_STATUSES = ("planned", "under_way", "done", "stopped")
#: What a check of a foreign partner found (export development, seed R20).
VERIFICATION_OUTCOMES = ("confirmed", "doubtful", "rejected")
#: What a fund's commitment pays for: a cluster, a (half-finished) unit, a park project.
RECIPIENT_KINDS = ("cluster", "unit", "project")
#: Where a steering committee's decision stands (overdue is an open decision past its date).
DECISION_STATUSES = ("open", "done", "cancelled")
#: Where a problem an organisation reported in supporting clusters stands: open, taken up by
#: the steering committee (at a meeting), resolved.
PROBLEM_STATUSES = ("open", "taken_up", "resolved")
#: Where a village proposed for a cluster stands (seed R2): khooshe proposes, the county's
#: governor confirms, rejects or replaces it, then it is prepared and its cluster started.
VILLAGE_STATUSES = ("proposed", "confirmed", "rejected", "replaced", "prepared",
                    "cluster_started")
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

#: The activities that count as the cluster's joint actions (an indicator of its own).
JOINT_ACTIONS = ("joint_purchase", "joint_marketing", "export_consortium")
#: The indicators a cluster's targets are set on (seed R16): the columns of its indicators
#: and the joint actions counted from its activities.
INDICATORS = ("jobs", "sales_rials", "exports_usd", "exports_t", "members", "joint_actions")
#: How an indicator stands against its target (:func:`khooshe.domain.programme.rag`).
RAG_STATUSES = ("green", "amber", "red", "no_data")
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
    "document_kind": DOCUMENT_KINDS,
    "indicator": INDICATORS,
    "rag_status": RAG_STATUSES,
    "decision_status": DECISION_STATUSES,
    "problem_status": PROBLEM_STATUSES,
    "recipient_kind": RECIPIENT_KINDS,
    "unit_status": UNIT_STATUSES,
    "verification_outcome": VERIFICATION_OUTCOMES,
    "project_status": PROJECT_STATUSES,
    "village_status": VILLAGE_STATUSES,
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


def labels_of(vocabulary: str, value: str) -> Bilingual:
    """The label of ``value`` in both languages, for a message shown in either."""
    return Bilingual(label(vocabulary, value, "fa"), label(vocabulary, value, "en"))


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
    "INDICATORS",
    "JOINT_ACTIONS",
    "RAG_STATUSES",
    "PROJECT_STATUSES",
    "RECIPIENT_KINDS",
    "UNIT_STATUSES",
    "VERIFICATION_OUTCOMES",
    "DECISION_STATUSES",
    "PROBLEM_STATUSES",
    "DOCUMENT_KINDS",
    "ESTABLISHMENT_STATUSES",
    "MEMBER_KINDS",
    "MEMBER_ROLES",
    "PARK_KINDS",
    "REGION_LEVELS",
    "SIZE_CLASSES",
    "VILLAGE_STATUSES",
    "USER_ROLES",
    "VOCABULARIES",
    "label",
    "labels_of",
    "parse_choice",
    "vocabulary_of",
]
