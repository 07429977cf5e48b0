"""The entities khooshe stores, described once.

Each entity ("kind") is a table of columns. The same description drives validation of imported
files, the empty templates users fill in, the export column order and the documentation, so
there is one place to read (and change) what a column means.

Conventions (see ``shared/docs/PRODUCT.md``):

* region codes are strings of digits in the Statistical Centre of Iran's scheme
  (province ``06``, county ``0603``, …; deeper levels append digits);
* ISIC Rev.4 activities are 4-digit strings, HS products 6-digit strings (leading zeros kept);
* countries are ISO 3166-1 alpha-3;
* money is integer rials; trade values are USD as given by the source; weights in tonnes;
* dates are stored ISO (Gregorian) and accepted as Jalali (``1402/05/24``) on input.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from khooshe.text.messages import t

ColumnType = Literal["str", "code", "int", "float", "date", "enum", "list", "geometry"]

from khooshe.domain.vocab import (  # noqa: E402  (re-exported: the schema names them)
    ACTIVITY_KINDS,
    CLUSTER_STAGES,
    DECISION_STATUSES,
    DOCUMENT_KINDS,
    ESTABLISHMENT_STATUSES,
    INDICATORS,
    MEMBER_KINDS,
    MEMBER_ROLES,
    PARK_KINDS,
    PROBLEM_STATUSES,
    PROJECT_STATUSES,
    RECIPIENT_KINDS,
    REGION_LEVELS,
    SIZE_CLASSES,
    UNIT_STATUSES,
    VERIFICATION_OUTCOMES,
    VILLAGE_STATUSES,
)


@dataclass(frozen=True)
class Column:
    """One column of an entity.

    Parameters
    ----------
    name : str
        Column name in files and in the database.
    type : ColumnType
        ``code`` is a string of digits (or letters for countries) whose leading zeros matter;
        ``list`` is a ``;``-separated list of codes; ``geometry`` is GeoJSON text.
    required : bool
        Whether a value must be present in every row.
    choices : tuple of str, optional
        Allowed values of an ``enum`` column.
    pattern : str, optional
        Regular expression a ``code`` (or each ``list`` element) must match in full.
    min, max : float, optional
        Inclusive bounds of a numeric column.
    references : str, optional
        ``kind.column`` that every value must exist in (in the workspace or the same file).
    normalise : bool
        For Persian names: store a matching key ``<name>_norm`` beside the original.
    at_most : str, optional
        Another numeric column of the same row this one may not exceed (a part is not more
        than its whole); checked where both have values.

    What a column means, in Persian and English, is the catalogue message
    ``schema.<kind>.column.<name>`` (:meth:`description`).
    """

    name: str
    type: ColumnType
    required: bool = False
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    references: str | None = None
    normalise: bool = False
    at_most: str | None = None
    #: the entity's kind, set when the column joins its :class:`Entity`
    kind: str = ""

    def description(self, lang: str) -> str:
        """What the column means, in ``lang``."""
        return t(f"schema.{self.kind}.column.{self.name}", lang)

    @property
    def description_en(self) -> str:
        return self.description("en")

    @property
    def description_fa(self) -> str:
        return self.description("fa")

    def allowed(self, lang: str) -> str:
        """What a cell may hold, in words: the choices by their labels, a pattern as
        «۴ رقم» / "4 digits", the range."""
        from khooshe.domain.vocab import label, vocabulary_of

        parts = []
        if self.choices:
            vocabulary = vocabulary_of(self.choices)
            sep = t("common.list_separator", lang)
            parts.append(sep.join(label(vocabulary, c, lang) if vocabulary else c
                                  for c in self.choices))
        elif self.pattern:
            key = PATTERN_WORDS.get(self.pattern)
            parts.append(t(f"schema.pattern.{key}", lang) if key else self.pattern)
        if self.min is not None or self.max is not None:
            low = "" if self.min is None else f"{self.min:g}"
            high = "" if self.max is None else f"{self.max:g}"
            parts.append(t("schema.pattern.range", lang, low=low, high=high))
        return t("common.list_separator", lang).join(p for p in parts if p)


@dataclass(frozen=True)
class Entity:
    """A kind of record: its columns, its key (for upserts); its label is the catalogue
    message ``schema.<kind>.label``."""

    kind: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    formats: tuple[str, ...] = ("csv", "xlsx", "parquet")
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns",
                           tuple(replace(c, kind=self.kind) for c in self.columns))

    def label(self, lang: str) -> str:
        return t(f"schema.{self.kind}.label", lang)

    @property
    def label_en(self) -> str:
        return self.label("en")

    @property
    def label_fa(self) -> str:
        return self.label("fa")

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def column_of_header(self, header: object) -> str | None:
        """The column a file's header names: its identifier, or its description in Persian
        or English as the templates write it (matched through the one normaliser, so
        spelling variants of Persian letters and spaces do not matter); None if none."""
        from khooshe.text.normalize import normalize

        text = str(header)
        if text in self.names:
            return text
        key = normalize(text)
        for col in self.columns:
            if key and key in (normalize(col.name), normalize(col.description_fa),
                               normalize(col.description_en)):
                return col.name
        return None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


REGION_CODE = r"\d{2,12}"
ISIC4 = r"\d{4}"
HS6 = r"\d{6}"
ISO3 = r"[A-Z]{3}"
ID = r"[A-Za-z0-9_.\-]{1,64}"
#: Patterns said in words (``schema.pattern.<key>`` in the catalogue) in templates.
PATTERN_WORDS = {REGION_CODE: "region_code", ISIC4: "isic4", HS6: "hs6", ISO3: "iso3",
                 ID: "id", r"\d{2}": "two_digits", r"\d{4}(-Q[1-4])?": "period",
                 r"[a-z][a-z0-9_]{1,40}": "key"}


def _c(name: str, type_: ColumnType, **kw) -> Column:
    return Column(name=name, type=type_, **kw)


ENTITIES: dict[str, Entity] = {}


def _register(entity: Entity) -> Entity:
    ENTITIES[entity.kind] = entity
    return entity


REGIONS = _register(
    Entity(
        kind="regions",
        key=("code",),
        columns=(
            _c("code", "code",
               required=True, pattern=REGION_CODE),
            _c("level", "enum", required=True,
               choices=REGION_LEVELS),
            _c("parent_code", "code", pattern=REGION_CODE, references="regions.code"),
            _c("name_fa", "str", required=True, normalise=True),
            _c("name_en", "str"),
            _c("population", "int", min=0),
            _c("households", "int", min=0),
            _c("working_age_share", "float", min=0, max=1),
            _c("lat", "float", min=-90, max=90),
            _c("lon", "float", min=-180, max=180),
            _c("is_seat", "int",
               min=0, max=1),
            _c("boundary", "geometry"),
        ),
    )
)

PARKS = _register(
    Entity(
        kind="parks",
        key=("code",),
        columns=(
            _c("code", "code", required=True, pattern=ID),
            _c("name_fa", "str", required=True, normalise=True),
            _c("name_en", "str"),
            _c("region_code", "code",
               required=True, pattern=REGION_CODE, references="regions.code"),
            _c("kind", "enum", choices=PARK_KINDS),
            _c("area_ha", "float", min=0),
            _c("lat", "float", min=-90, max=90),
            _c("lon", "float", min=-180, max=180),
        ),
    )
)

ESTABLISHMENTS = _register(
    Entity(
        kind="establishments",
        key=("id",),
        columns=(
            _c("id", "code", required=True, pattern=ID),
            _c("name", "str", normalise=True),
            _c("isic", "code", required=True,
               pattern=ISIC4),
            _c("region_code", "code",
               required=True, pattern=REGION_CODE, references="regions.code"),
            _c("park_code", "code",
               pattern=ID, references="parks.code"),
            _c("status", "enum",
               required=True, choices=ESTABLISHMENT_STATUSES),
            _c("employees", "int", min=0),
            _c("size_class", "enum", choices=SIZE_CLASSES),
            _c("progress_pct", "float", min=0, max=100),
            _c("remaining_cost_rials", "int", min=0),
            _c("expected_jobs", "int",
               min=0),
            _c("annual_output_rials", "int", min=0),
            _c("exports_usd", "float", min=0),
            _c("exports_t", "float", min=0),
            _c("lat", "float", min=-90, max=90),
            _c("lon", "float", min=-180, max=180),
        ),
    )
)

COUNTRIES = _register(
    Entity(
        kind="countries",
        key=("iso3",),
        columns=(
            _c("iso3", "code", required=True, pattern=ISO3),
            _c("numeric", "int", min=0,
               max=999),
            _c("name_en", "str", required=True),
            _c("name_fa", "str", normalise=True),
            _c("lat", "float",
               min=-90, max=90),
            _c("lon", "float",
               min=-180, max=180),
            _c("population", "int", min=0),
        ),
    )
)

PRODUCTS = _register(
    Entity(
        kind="products",
        key=("hs6",),
        columns=(
            _c("hs6", "code", required=True, pattern=HS6),
            _c("name_en", "str"),
            _c("name_fa", "str"),
            _c("isic", "code", pattern=ISIC4),
        ),
    )
)

TRADE_FLOWS = _register(
    Entity(
        kind="trade_flows",
        key=("year", "exporter", "importer", "hs6"),
        columns=(
            _c("year", "int", required=True, min=1900, max=2100),
            _c("exporter", "code", required=True, pattern=ISO3),
            _c("importer", "code", required=True, pattern=ISO3),
            _c("hs6", "code", required=True, pattern=HS6),
            _c("value_usd", "float", required=True, min=0),
            _c("quantity_t", "float",
               min=0),
        ),
    )
)

RESOURCES = _register(
    Entity(
        kind="resources",
        key=("region_code", "resource"),
        columns=(
            _c("region_code", "code", required=True, pattern=REGION_CODE,
               references="regions.code"),
            _c("resource", "code", required=True, pattern=r"[a-z][a-z0-9_]{1,40}"),
            _c("quantity", "float", required=True, min=0),
            _c("unit", "str", required=True),
        ),
    )
)

IO_SECTORS = _register(
    Entity(
        kind="io_sectors",
        key=("sector",),
        columns=(
            _c("sector", "code", required=True, pattern=ID),
            _c("name_en", "str"),
            _c("name_fa", "str"),
            _c("isic", "list", pattern=ISIC4),
            _c("output_rials", "int", required=True,
               min=0),
            _c("employment", "int", required=True, min=0),
            _c("compensation_rials", "int", min=0),
            _c("household_consumption_rials", "int", min=0),
            _c("imports_rials", "int", min=0),
            _c("scope", "code", pattern=REGION_CODE, references="regions.code"),
            _c("year", "int", min=1300, max=2100),
        ),
    )
)

IO_FLOWS = _register(
    Entity(
        kind="io_flows",
        key=("from_sector", "to_sector"),
        columns=(
            _c("from_sector", "code", required=True,
               pattern=ID, references="io_sectors.sector"),
            _c("to_sector", "code", required=True,
               pattern=ID, references="io_sectors.sector"),
            _c("value_rials", "int", required=True,
               min=0),
        ),
    )
)

CLUSTERS = _register(
    Entity(
        kind="clusters",
        key=("code",),
        columns=(
            _c("code", "code", required=True, pattern=ID),
            _c("name_fa", "str", required=True, normalise=True),
            _c("name_en", "str"),
            _c("province_code", "code", required=True, pattern=r"\d{2}",
               references="regions.code"),
            _c("isic", "list",
               required=True, pattern=ISIC4),
            _c("regions", "list", pattern=REGION_CODE),
            _c("products", "list", pattern=r"\d{6}"),
            _c("stage", "enum", required=True, choices=CLUSTER_STAGES),
            _c("start_date", "date"),
            _c("agent", "str"),
        ),
    )
)

CLUSTER_MEMBERS = _register(
    Entity(
        kind="cluster_members",
        key=("cluster_code", "member_id"),
        columns=(
            _c("cluster_code", "code", required=True, pattern=ID,
               references="clusters.code"),
            _c("member_id", "code", required=True, pattern=ID),
            _c("name", "str", required=True, normalise=True),
            _c("kind", "enum", required=True, choices=MEMBER_KINDS),
            _c("role", "enum", required=True, choices=MEMBER_ROLES),
            _c("establishment_id", "code", pattern=ID, references="establishments.id"),
            _c("joined", "date"),
        ),
    )
)

CLUSTER_ACTIVITIES = _register(
    Entity(
        kind="cluster_activities",
        key=("cluster_code", "activity_id"),
        columns=(
            _c("cluster_code", "code", required=True, pattern=ID,
               references="clusters.code"),
            _c("activity_id", "code", required=True,
               pattern=ID),
            _c("kind", "enum", required=True,
               choices=ACTIVITY_KINDS),
            _c("title", "str"),
            _c("date", "date", required=True),
            _c("participants", "int", min=0),
            _c("cost_rials", "int", min=0),
            _c("hours", "float", min=0),
            _c("trainees", "int", min=0),
            _c("cofinance_rials", "int", min=0),
            _c("country", "code", pattern=r"[A-Z]{3}"),
            _c("place", "str"),
        ),
    )
)

ACTIVITY_PARTICIPANTS = _register(
    Entity(
        kind="activity_participants",
        key=("cluster_code", "activity_id", "member_id"),
        columns=(
            _c("cluster_code", "code", required=True, pattern=ID,
               references="clusters.code"),
            _c("activity_id", "code", required=True, pattern=ID),
            _c("member_id", "code", required=True, pattern=ID),
            _c("people", "int", min=1),
        ),
    )
)

PARTNER_VERIFICATIONS = _register(
    Entity(
        kind="partner_verifications",
        key=("cluster_code", "verification_id"),
        columns=(
            _c("cluster_code", "code", required=True, pattern=ID,
               references="clusters.code"),
            _c("verification_id", "code", required=True, pattern=ID),
            _c("company", "str", required=True),
            _c("country", "code", required=True, pattern=r"[A-Z]{3}"),
            _c("verified", "str", required=True),
            _c("verified_by", "str"),
            _c("verified_on", "date"),
            _c("outcome", "enum", required=True, choices=VERIFICATION_OUTCOMES),
            _c("note", "str"),
        ),
    )
)

CLUSTER_INDICATORS = _register(
    Entity(
        kind="cluster_indicators",
        key=("cluster_code", "period"),
        columns=(
            _c("cluster_code", "code", required=True, pattern=ID,
               references="clusters.code"),
            _c("period", "code",
               required=True, pattern=r"\d{4}(-Q[1-4])?"),
            _c("jobs", "int", min=0),
            _c("sales_rials", "int", min=0),
            _c("exports_usd", "float", min=0),
            _c("exports_t", "float", min=0),
            _c("members", "int", min=0),
        ),
    )
)

CLUSTER_TARGETS = _register(
    Entity(
        kind="cluster_targets",
        key=("cluster_code", "indicator", "period"),
        columns=(
            _c("cluster_code", "code", required=True, pattern=ID,
               references="clusters.code"),
            _c("indicator", "enum", required=True, choices=INDICATORS),
            _c("period", "code", required=True, pattern=r"\d{4}(-Q[1-4])?"),
            _c("baseline", "float", min=0),
            _c("baseline_period", "code", pattern=r"\d{4}(-Q[1-4])?"),
            _c("target", "float", required=True, min=0),
            _c("source", "str"),
        ),
    )
)

CLUSTER_STAGE_HISTORY = _register(
    Entity(
        kind="cluster_stages",
        key=("cluster_code", "stage"),
        columns=(
            _c("cluster_code", "code", required=True, pattern=ID,
               references="clusters.code"),
            _c("stage", "enum", required=True, choices=CLUSTER_STAGES),
            _c("approved_on", "date"),
            _c("approved_by", "str"),
            _c("decision", "str"),
            _c("note", "str"),
        ),
    )
)

CLUSTER_DOCUMENTS = _register(
    Entity(
        kind="cluster_documents",
        key=("cluster_code", "document_id"),
        columns=(
            _c("cluster_code", "code", required=True, pattern=ID,
               references="clusters.code"),
            _c("document_id", "code", required=True, pattern=ID),
            _c("kind", "enum", required=True, choices=DOCUMENT_KINDS),
            _c("title", "str", required=True),
            _c("dated", "date"),
            _c("reference", "str"),
        ),
    )
)

VILLAGE_PROPOSALS = _register(
    Entity(
        kind="village_proposals",
        key=("village_code",),
        columns=(
            _c("village_code", "code", required=True, pattern=REGION_CODE,
               references="regions.code"),
            _c("county_code", "code", required=True, pattern=REGION_CODE,
               references="regions.code"),
            _c("activity", "code", required=True, pattern=ISIC4),
            _c("rank", "int", min=1),
            _c("score", "float", min=0, max=1),
            _c("reason_fa", "str"),
            _c("reason_en", "str"),
            _c("status", "enum", required=True, choices=VILLAGE_STATUSES),
            _c("replaces", "code", pattern=REGION_CODE),
            _c("decided_by", "str"),
            _c("decided_on", "date"),
            _c("note", "str"),
        ),
    )
)

COMMITTEE_MEETINGS = _register(
    Entity(
        kind="committee_meetings",
        key=("meeting_id",),
        columns=(
            _c("meeting_id", "code", required=True, pattern=ID),
            _c("province_code", "code", required=True, pattern=r"\d{2}",
               references="regions.code"),
            _c("held_on", "date", required=True),
            _c("chair", "str"),
            _c("attendees", "str"),
            _c("clusters", "list", pattern=ID),
            _c("agenda", "str"),
            _c("minutes_ref", "str"),
        ),
    )
)

COMMITTEE_DECISIONS = _register(
    Entity(
        kind="committee_decisions",
        key=("meeting_id", "number"),
        columns=(
            _c("meeting_id", "code", required=True, pattern=ID,
               references="committee_meetings.meeting_id"),
            _c("number", "int", required=True, min=1, max=999),
            _c("province_code", "code", required=True, pattern=r"\d{2}",
               references="regions.code"),
            _c("cluster_code", "code", pattern=ID, references="clusters.code"),
            _c("text", "str", required=True),
            _c("responsible", "str", required=True, normalise=True),
            _c("due_on", "date"),
            _c("status", "enum", required=True, choices=DECISION_STATUSES),
            _c("done_on", "date"),
            _c("follow_up", "str"),
        ),
    )
)

SUPPORT_PROBLEMS = _register(
    Entity(
        kind="support_problems",
        key=("problem_id",),
        columns=(
            _c("problem_id", "code", required=True, pattern=ID),
            _c("province_code", "code", required=True, pattern=r"\d{2}",
               references="regions.code"),
            # the organisation that reports it (a member of the steering committee)
            _c("organisation", "str", required=True, normalise=True),
            _c("cluster_code", "code", pattern=ID, references="clusters.code"),
            _c("reported_on", "date", required=True),
            _c("problem", "str", required=True),
            _c("support_needed", "str"),
            _c("asked_of", "str", normalise=True),
            _c("status", "enum", required=True, choices=PROBLEM_STATUSES),
            _c("meeting_id", "code", pattern=ID,
               references="committee_meetings.meeting_id"),
            _c("resolved_on", "date"),
            _c("note", "str"),
        ),
    )
)

PROVINCE_EXPORTS = _register(
    Entity(
        kind="province_exports",
        key=("province_code", "period"),
        columns=(
            _c("province_code", "code", required=True, pattern=r"\d{2}",
               references="regions.code"),
            _c("period", "code", required=True, pattern=r"\d{4}(-Q[1-4])?"),
            # what left the country from the province (customs), by value and weight, and the
            # part of it made in the province (seed R16: over 80 % the aim)
            _c("exports_usd", "float", required=True, min=0),
            _c("exports_t", "float", min=0),
            _c("in_province_usd", "float", min=0, at_most="exports_usd"),
            _c("in_province_t", "float", min=0, at_most="exports_t"),
            _c("source", "str"),
        ),
    )
)

FUNDS = _register(
    Entity(
        kind="funds",
        key=("programme", "year"),
        columns=(
            _c("programme", "code", required=True, pattern=ID),
            _c("year", "int", required=True, min=1300, max=1500),
            _c("name_fa", "str"),
            _c("total_rials", "int", required=True, min=0),
        ),
    )
)

FUND_ALLOCATIONS = _register(
    Entity(
        kind="fund_allocations",
        key=("programme", "year", "region_code"),
        columns=(
            _c("programme", "code", required=True, pattern=ID),
            _c("year", "int", required=True, min=1300, max=1500),
            _c("region_code", "code", required=True, pattern=REGION_CODE,
               references="regions.code"),
            _c("amount_rials", "int", required=True, min=0),
        ),
    )
)

UNIT_PROGRESS = _register(
    Entity(
        kind="unit_progress",
        key=("establishment_id", "reported_on"),
        columns=(
            _c("establishment_id", "code", required=True, pattern=ID,
               references="establishments.id"),
            _c("reported_on", "date", required=True),
            # the unit's region (where the access policy places the report)
            _c("region_code", "code", required=True, pattern=REGION_CODE,
               references="regions.code"),
            _c("status", "enum", required=True, choices=UNIT_STATUSES),
            _c("progress", "float", min=0, max=100),
            _c("jobs_realised", "int", min=0),
            _c("note", "str"),
        ),
    )
)

PARK_PROJECTS = _register(
    Entity(
        kind="park_projects",
        key=("project_id",),
        columns=(
            _c("project_id", "code", required=True, pattern=ID),
            _c("park_code", "code", required=True, pattern=ID, references="parks.code"),
            # the park's region (where the access policy places the project)
            _c("region_code", "code", required=True, pattern=REGION_CODE,
               references="regions.code"),
            _c("title", "str", required=True),
            _c("contractor", "str"),
            _c("planned_start", "date"),
            _c("planned_end", "date"),
            _c("actual_progress", "float", min=0, max=100),
            _c("updated_on", "date"),
            _c("status", "enum", required=True, choices=PROJECT_STATUSES),
            _c("note", "str"),
        ),
    )
)

FUND_COMMITMENTS = _register(
    Entity(
        kind="fund_commitments",
        key=("commitment_id",),
        columns=(
            _c("commitment_id", "code", required=True, pattern=ID),
            _c("programme", "code", required=True, pattern=ID),
            _c("year", "int", required=True, min=1300, max=1500),
            _c("region_code", "code", required=True, pattern=r"\d{2}",
               references="regions.code"),
            _c("recipient_kind", "enum", required=True, choices=RECIPIENT_KINDS),
            _c("recipient", "code", required=True, pattern=ID),
            _c("committed_rials", "int", required=True, min=0),
            _c("committed_on", "date"),
            _c("disbursed_rials", "int", min=0),
            _c("disbursed_on", "date"),
            _c("jobs_expected", "int", min=0),
            _c("jobs_realised", "int", min=0),
            _c("note", "str"),
        ),
    )
)

PURCHASES = _register(
    Entity(
        kind="purchases",
        key=("id",),
        columns=(
            _c("id", "code", required=True, pattern=ID),
            _c("buyer_id", "code", required=True, pattern=ID, references="establishments.id"),
            _c("input_isic", "code", required=True, pattern=ISIC4),
            _c("input_hs6", "code", pattern=HS6),
            _c("description", "str"),
            _c("value_rials", "int", required=True, min=0),
            _c("weight_t", "float", min=0),
            _c("year", "int", min=1300, max=2100),
            _c("supplier_region", "code", pattern=REGION_CODE, references="regions.code"),
            _c("supplier_id", "code", pattern=ID, references="establishments.id"),
        ),
    )
)

#: The columns of a table of half-finished units: the input of ``khooshe portfolio`` in file
#: mode. Not a workspace kind: in a workspace, half-finished units are establishments.
UNITS = Entity(
    kind="half_finished_units",
    key=("id",),
    columns=(
        _c("id", "code", required=True, pattern=ID),
        _c("province", "code", required=True, pattern=r"\d{2}"),
        _c("county", "code", pattern=REGION_CODE),
        _c("isic", "code", required=True, pattern=ISIC4),
        _c("progress_pct", "float", required=True, min=0, max=100),
        _c("remaining_cost_rials", "int", required=True, min=0),
        _c("expected_jobs", "int", required=True, min=0),
        _c("expected_output", "float", min=0),
        _c("expected_exports", "float", min=0),
    ),
)

#: Order in which kinds must be loaded so that references resolve.
LOAD_ORDER: tuple[str, ...] = (
    "regions",
    "parks",
    "establishments",
    "countries",
    "products",
    "trade_flows",
    "resources",
    "io_sectors",
    "io_flows",
    "purchases",
    "clusters",
    "cluster_members",
    "cluster_activities",
    "activity_participants",
    "partner_verifications",
    "cluster_indicators",
    "cluster_targets",
    "cluster_stages",
    "cluster_documents",
    "village_proposals",
    "committee_meetings",
    "committee_decisions",
    "support_problems",
    "province_exports",
    "funds",
    "fund_allocations",
    "unit_progress",
    "park_projects",
    "fund_commitments",
)

assert set(LOAD_ORDER) == set(ENTITIES), "every entity needs a place in LOAD_ORDER"


def entity(kind: str) -> Entity:
    """Return the entity named ``kind`` or raise a ``KeyError`` listing the valid kinds."""
    try:
        return ENTITIES[kind]
    except KeyError:
        raise KeyError(f"unknown kind {kind!r}; choose one of: {', '.join(LOAD_ORDER)}") from None
