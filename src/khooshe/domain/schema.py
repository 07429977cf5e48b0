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

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["str", "code", "int", "float", "date", "enum", "list", "geometry"]

from khooshe.domain.vocab import (  # noqa: E402  (re-exported: the schema names them)
    ACTIVITY_KINDS,
    CLUSTER_STAGES,
    ESTABLISHMENT_STATUSES,
    MEMBER_KINDS,
    MEMBER_ROLES,
    PARK_KINDS,
    REGION_LEVELS,
    SIZE_CLASSES,
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
    description_en, description_fa : str
        What the column means, shown in templates.
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
    """

    name: str
    type: ColumnType
    required: bool = False
    description_en: str = ""
    description_fa: str = ""
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    references: str | None = None
    normalise: bool = False


@dataclass(frozen=True)
class Entity:
    """A kind of record: its columns, its key (for upserts) and its labels."""

    kind: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    label_en: str
    label_fa: str
    formats: tuple[str, ...] = ("csv", "xlsx", "parquet")
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

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


def _c(name: str, type_: ColumnType, en: str, fa: str, **kw) -> Column:
    return Column(name=name, type=type_, description_en=en, description_fa=fa, **kw)


ENTITIES: dict[str, Entity] = {}


def _register(entity: Entity) -> Entity:
    ENTITIES[entity.kind] = entity
    return entity


REGIONS = _register(
    Entity(
        kind="regions",
        key=("code",),
        label_en="Regions (province → county → district → rural district → village/city)",
        label_fa="تقسیمات کشوری (استان، شهرستان، بخش، دهستان، آبادی/شهر)",
        columns=(
            _c("code", "code", "Official code (Statistical Centre of Iran)", "کد رسمی مرکز آمار",
               required=True, pattern=REGION_CODE),
            _c("level", "enum", "Level in the hierarchy", "سطح تقسیمات", required=True,
               choices=REGION_LEVELS),
            _c("parent_code", "code", "Code of the enclosing region (empty for provinces)",
               "کد منطقهٔ بالاتر", pattern=REGION_CODE, references="regions.code"),
            _c("name_fa", "str", "Persian name", "نام فارسی", required=True, normalise=True),
            _c("name_en", "str", "English name", "نام انگلیسی"),
            _c("population", "int", "Population (people)", "جمعیت (نفر)", min=0),
            _c("households", "int", "Households", "تعداد خانوار", min=0),
            _c("working_age_share", "float", "Share of population aged 15–64 (0–1)",
               "سهم جمعیت ۱۵ تا ۶۴ سال", min=0, max=1),
            _c("lat", "float", "Latitude (WGS84)", "عرض جغرافیایی", min=-90, max=90),
            _c("lon", "float", "Longitude (WGS84)", "طول جغرافیایی", min=-180, max=180),
            _c("is_seat", "int", "1 if this city is its county's seat", "مرکز شهرستان (۱/۰)",
               min=0, max=1),
            _c("boundary", "geometry", "Boundary as GeoJSON geometry (optional)",
               "مرز به صورت GeoJSON"),
        ),
    )
)

PARKS = _register(
    Entity(
        kind="parks",
        key=("code",),
        label_en="Industrial parks and zones",
        label_fa="شهرک‌ها و نواحی صنعتی",
        columns=(
            _c("code", "code", "Park identifier", "شناسهٔ شهرک", required=True, pattern=ID),
            _c("name_fa", "str", "Persian name", "نام فارسی", required=True, normalise=True),
            _c("name_en", "str", "English name", "نام انگلیسی"),
            _c("region_code", "code", "County (or lower) the park lies in", "کد منطقه",
               required=True, pattern=REGION_CODE, references="regions.code"),
            _c("kind", "enum", "Park or zone", "نوع", choices=PARK_KINDS),
            _c("area_ha", "float", "Area (hectares)", "مساحت (هکتار)", min=0),
            _c("lat", "float", "Latitude", "عرض جغرافیایی", min=-90, max=90),
            _c("lon", "float", "Longitude", "طول جغرافیایی", min=-180, max=180),
        ),
    )
)

ESTABLISHMENTS = _register(
    Entity(
        kind="establishments",
        key=("id",),
        label_en="Establishments, including half-finished units",
        label_fa="بنگاه‌ها و واحدهای تولیدی (از جمله طرح‌های نیمه‌تمام)",
        columns=(
            _c("id", "code", "Establishment identifier", "شناسهٔ بنگاه", required=True, pattern=ID),
            _c("name", "str", "Name", "نام", normalise=True),
            _c("isic", "code", "ISIC Rev.4 class (4 digits)", "کد آیسیک ۴ رقمی", required=True,
               pattern=ISIC4),
            _c("region_code", "code", "Region (village, city or county)", "کد منطقه",
               required=True, pattern=REGION_CODE, references="regions.code"),
            _c("park_code", "code", "Industrial park, if inside one", "کد شهرک صنعتی",
               pattern=ID, references="parks.code"),
            _c("status", "enum", "operating, half_finished, idle or closed", "وضعیت",
               required=True, choices=ESTABLISHMENT_STATUSES),
            _c("employees", "int", "Current employees (people)", "اشتغال فعلی (نفر)", min=0),
            _c("size_class", "enum", "micro (<10), small (10–49), medium (50–99), large (100+)",
               "اندازه", choices=SIZE_CLASSES),
            _c("progress_pct", "float", "Physical progress of a half-finished unit (%)",
               "درصد پیشرفت فیزیکی", min=0, max=100),
            _c("remaining_cost_rials", "int", "Cost to complete (rials)",
               "هزینهٔ باقی‌مانده برای تکمیل (ریال)", min=0),
            _c("expected_jobs", "int", "Jobs when completed (people)", "اشتغال پیش‌بینی‌شده",
               min=0),
            _c("annual_output_rials", "int", "Annual output (rials)", "تولید سالانه (ریال)", min=0),
            _c("exports_usd", "float", "Annual exports (USD)", "صادرات سالانه (دلار)", min=0),
            _c("exports_t", "float", "Annual exports (tonnes)", "صادرات سالانه (تن)", min=0),
            _c("lat", "float", "Latitude", "عرض جغرافیایی", min=-90, max=90),
            _c("lon", "float", "Longitude", "طول جغرافیایی", min=-180, max=180),
        ),
    )
)

COUNTRIES = _register(
    Entity(
        kind="countries",
        key=("iso3",),
        label_en="Countries (ISO3 ↔ numeric ↔ names)",
        label_fa="کشورها",
        columns=(
            _c("iso3", "code", "ISO 3166-1 alpha-3", "کد سه‌حرفی", required=True, pattern=ISO3),
            _c("numeric", "int", "ISO 3166-1 numeric (BACI/Comtrade)", "کد عددی", min=0,
               max=999),
            _c("name_en", "str", "English name", "نام انگلیسی", required=True),
            _c("name_fa", "str", "Persian name", "نام فارسی", normalise=True),
            _c("lat", "float", "Latitude of the capital/centroid", "عرض جغرافیایی",
               min=-90, max=90),
            _c("lon", "float", "Longitude of the capital/centroid", "طول جغرافیایی",
               min=-180, max=180),
            _c("population", "int", "Population", "جمعیت", min=0),
        ),
    )
)

PRODUCTS = _register(
    Entity(
        kind="products",
        key=("hs6",),
        label_en="Products (HS6) and their ISIC Rev.4 activity",
        label_fa="کالاها (HS6) و فعالیت آیسیک",
        columns=(
            _c("hs6", "code", "HS 6-digit code", "کد HS شش‌رقمی", required=True, pattern=HS6),
            _c("name_en", "str", "English description", "شرح انگلیسی"),
            _c("name_fa", "str", "Persian description", "شرح فارسی"),
            _c("isic", "code", "ISIC Rev.4 class producing it", "کد آیسیک", pattern=ISIC4),
        ),
    )
)

TRADE_FLOWS = _register(
    Entity(
        kind="trade_flows",
        key=("year", "exporter", "importer", "hs6"),
        label_en="Bilateral trade flows (BACI/Comtrade-like)",
        label_fa="جریان‌های تجاری دوجانبه",
        columns=(
            _c("year", "int", "Year", "سال", required=True, min=1900, max=2100),
            _c("exporter", "code", "Exporter (ISO3)", "صادرکننده", required=True, pattern=ISO3),
            _c("importer", "code", "Importer (ISO3)", "واردکننده", required=True, pattern=ISO3),
            _c("hs6", "code", "Product (HS6)", "کالا", required=True, pattern=HS6),
            _c("value_usd", "float", "Value (USD)", "ارزش (دلار)", required=True, min=0),
            _c("quantity_t", "float", "Quantity (tonnes); empty when unknown", "مقدار (تن)",
               min=0),
        ),
    )
)

RESOURCES = _register(
    Entity(
        kind="resources",
        key=("region_code", "resource"),
        label_en="Natural and agricultural resources per region",
        label_fa="منابع و تولیدات پایه به تفکیک منطقه",
        columns=(
            _c("region_code", "code", "Region", "کد منطقه", required=True, pattern=REGION_CODE,
               references="regions.code"),
            _c("resource", "code", "Resource key (e.g. tea_leaf, paddy, milk, wool, fish)",
               "منبع", required=True, pattern=r"[a-z][a-z0-9_]{1,40}"),
            _c("quantity", "float", "Quantity per year", "مقدار سالانه", required=True, min=0),
            _c("unit", "str", "Unit (t, ha, head, …)", "واحد", required=True),
        ),
    )
)

IO_SECTORS = _register(
    Entity(
        kind="io_sectors",
        key=("sector",),
        label_en="Input–output sectors: output and employment",
        label_fa="بخش‌های جدول داده-ستانده",
        columns=(
            _c("sector", "code", "Sector code", "کد بخش", required=True, pattern=ID),
            _c("name_en", "str", "English name", "نام انگلیسی"),
            _c("name_fa", "str", "Persian name", "نام فارسی"),
            _c("isic", "list", "ISIC Rev.4 classes in the sector (;-separated)",
               "کدهای آیسیک", pattern=ISIC4),
            _c("output_rials", "int", "Total output (rials)", "ستانده (ریال)", required=True,
               min=0),
            _c("employment", "int", "Employment (people)", "اشتغال", required=True, min=0),
        ),
    )
)

IO_FLOWS = _register(
    Entity(
        kind="io_flows",
        key=("from_sector", "to_sector"),
        label_en="Input–output flows (intermediate use)",
        label_fa="جریان‌های واسطه‌ای داده-ستانده",
        columns=(
            _c("from_sector", "code", "Supplying sector", "بخش عرضه‌کننده", required=True,
               pattern=ID, references="io_sectors.sector"),
            _c("to_sector", "code", "Using sector", "بخش مصرف‌کننده", required=True,
               pattern=ID, references="io_sectors.sector"),
            _c("value_rials", "int", "Intermediate flow (rials)", "ارزش (ریال)", required=True,
               min=0),
        ),
    )
)

CLUSTERS = _register(
    Entity(
        kind="clusters",
        key=("code",),
        label_en="Industrial clusters",
        label_fa="خوشه‌های صنعتی",
        columns=(
            _c("code", "code", "Cluster identifier", "شناسهٔ خوشه", required=True, pattern=ID),
            _c("name_fa", "str", "Persian name", "نام فارسی", required=True, normalise=True),
            _c("name_en", "str", "English name", "نام انگلیسی"),
            _c("province_code", "code", "Province", "استان", required=True, pattern=r"\d{2}",
               references="regions.code"),
            _c("isic", "list", "Activities (ISIC Rev.4, ;-separated)", "فعالیت‌ها (آیسیک)",
               required=True, pattern=ISIC4),
            _c("regions", "list", "Counties/villages it spans (;-separated codes)",
               "مناطق تحت پوشش", pattern=REGION_CODE),
            _c("stage", "enum", "UNIDO stage", "مرحله", required=True, choices=CLUSTER_STAGES),
            _c("start_date", "date", "Start date (Jalali or ISO)", "تاریخ شروع"),
            _c("agent", "str", "Cluster development agent (CDA)", "عامل توسعهٔ خوشه"),
        ),
    )
)

CLUSTER_MEMBERS = _register(
    Entity(
        kind="cluster_members",
        key=("cluster_code", "member_id"),
        label_en="Cluster members and partners",
        label_fa="اعضا و شرکای خوشه",
        columns=(
            _c("cluster_code", "code", "Cluster", "خوشه", required=True, pattern=ID,
               references="clusters.code"),
            _c("member_id", "code", "Member identifier", "شناسهٔ عضو", required=True, pattern=ID),
            _c("name", "str", "Name", "نام", required=True, normalise=True),
            _c("kind", "enum", "firm, government, university, association, financial, other",
               "نوع", required=True, choices=MEMBER_KINDS),
            _c("role", "enum", "member or partner", "نقش", required=True, choices=MEMBER_ROLES),
            _c("establishment_id", "code", "Establishment, when the member is a firm",
               "شناسهٔ بنگاه", pattern=ID, references="establishments.id"),
            _c("joined", "date", "Date joined", "تاریخ عضویت"),
        ),
    )
)

CLUSTER_ACTIVITIES = _register(
    Entity(
        kind="cluster_activities",
        key=("cluster_code", "activity_id"),
        label_en="Cluster activities (training, tours, exhibitions, joint actions)",
        label_fa="اقدامات خوشه (آموزش، تور، نمایشگاه، اقدام مشترک)",
        columns=(
            _c("cluster_code", "code", "Cluster", "خوشه", required=True, pattern=ID,
               references="clusters.code"),
            _c("activity_id", "code", "Activity identifier", "شناسهٔ اقدام", required=True,
               pattern=ID),
            _c("kind", "enum", "Kind of activity", "نوع اقدام", required=True,
               choices=ACTIVITY_KINDS),
            _c("title", "str", "Title", "عنوان"),
            _c("date", "date", "Date (Jalali or ISO)", "تاریخ", required=True),
            _c("participants", "int", "Participants (people)", "شرکت‌کنندگان", min=0),
            _c("cost_rials", "int", "Cost (rials)", "هزینه (ریال)", min=0),
        ),
    )
)

CLUSTER_INDICATORS = _register(
    Entity(
        kind="cluster_indicators",
        key=("cluster_code", "period"),
        label_en="Cluster indicators per period",
        label_fa="شاخص‌های خوشه در هر دوره",
        columns=(
            _c("cluster_code", "code", "Cluster", "خوشه", required=True, pattern=ID,
               references="clusters.code"),
            _c("period", "code", "Period: Jalali year (1402) or year-quarter (1402-Q1)", "دوره",
               required=True, pattern=r"\d{4}(-Q[1-4])?"),
            _c("jobs", "int", "Jobs (people)", "اشتغال", min=0),
            _c("sales_rials", "int", "Sales (rials)", "فروش (ریال)", min=0),
            _c("exports_usd", "float", "Exports (USD)", "صادرات (دلار)", min=0),
            _c("exports_t", "float", "Exports (tonnes)", "صادرات (تن)", min=0),
            _c("members", "int", "Member firms", "تعداد اعضا", min=0),
        ),
    )
)

FUNDS = _register(
    Entity(
        kind="funds",
        key=("programme", "year"),
        label_en="Funds (programme budgets per year)",
        label_fa="منابع مالی برنامه‌ها",
        columns=(
            _c("programme", "code", "Programme identifier", "برنامه", required=True, pattern=ID),
            _c("year", "int", "Jalali year", "سال", required=True, min=1300, max=1500),
            _c("name_fa", "str", "Persian name", "نام فارسی"),
            _c("total_rials", "int", "Total (rials)", "مبلغ کل (ریال)", required=True, min=0),
        ),
    )
)

FUND_ALLOCATIONS = _register(
    Entity(
        kind="fund_allocations",
        key=("programme", "year", "region_code"),
        label_en="Fund allocations by region",
        label_fa="سهم مناطق از منابع",
        columns=(
            _c("programme", "code", "Programme", "برنامه", required=True, pattern=ID),
            _c("year", "int", "Jalali year", "سال", required=True, min=1300, max=1500),
            _c("region_code", "code", "Region", "منطقه", required=True, pattern=REGION_CODE,
               references="regions.code"),
            _c("amount_rials", "int", "Amount (rials)", "مبلغ (ریال)", required=True, min=0),
        ),
    )
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
    "clusters",
    "cluster_members",
    "cluster_activities",
    "cluster_indicators",
    "funds",
    "fund_allocations",
)

assert set(LOAD_ORDER) == set(ENTITIES), "every entity needs a place in LOAD_ORDER"


def entity(kind: str) -> Entity:
    """Return the entity named ``kind`` or raise a ``KeyError`` listing the valid kinds."""
    try:
        return ENTITIES[kind]
    except KeyError:
        raise KeyError(f"unknown kind {kind!r}; choose one of: {', '.join(LOAD_ORDER)}") from None
