"""The province plan: every analysis of a workspace gathered into one report model.

:func:`build_plan` runs one builder per section (profile, specialisation, complexity, villages,
markets, portfolio, programme, appendix). Each builder reads the workspace through the other
services and returns a :class:`khooshe.reports.model.Section` with Persian and English text,
tables and plotly figures. A builder that fails does not stop the plan: its section carries the
error (shown in the plan), the others go on, and :attr:`Plan.failed` lists it so the CLI can
exit non-zero. :func:`write_plan` renders the model to ``plan.html``, ``plan.xlsx`` and
``plan.pdf`` (:mod:`khooshe.reports`).

Numbers in the text are formatted per language (Persian digits and separators in ``fa``);
money is stored in rials and shown in toman; tables keep raw values (the renderers format them).
"""

from __future__ import annotations

import datetime as _dt
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from khooshe.domain.regions import RegionHierarchy
from khooshe.domain.trade import DEFAULT_EXPORTER, DEFAULT_MARKETS
from khooshe.reports.html import cell
from khooshe.reports.model import Figure, Plan, Section, Table
from khooshe.services.frames import establishments_with_regions
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace
from khooshe.text.digits import to_persian_digits
from khooshe.text.numbers import format_money_toman

#: The sections of a plan, in order.
SECTIONS: tuple[str, ...] = ("profile", "specialisation", "complexity", "villages", "markets",
                             "portfolio", "programme", "appendix")


#: Rows shown per table in HTML/PDF (the XLSX has them all).
SHOWN_ROWS = 25

#: Stage labels of the cluster programme (UNIDO stages).
STAGE_NAMES = {
    "identified": ("شناسایی", "identified"),
    "feasibility": ("امکان‌سنجی", "feasibility"),
    "tender": ("مناقصه و واگذاری", "tender"),
    "diagnostic": ("مطالعهٔ تشخیصی", "diagnostic study"),
    "trust_building": ("اعتمادسازی", "trust building"),
    "action_plan": ("برنامهٔ عمل", "action plan"),
    "joint_actions": ("اقدامات مشترک", "joint actions"),
    "self_managed": ("خودگردان", "self-managed"),
}


# ============================================================================================
# Options and context
# ============================================================================================
@dataclass
class PlanOptions:
    """What the user asked for; ``None`` means the documented default of each section."""

    budget: float | None = None
    target_jobs: int | None = None
    markets: tuple[str, ...] = DEFAULT_MARKETS
    exporter: str = DEFAULT_EXPORTER
    per_county: int = 10
    hotspot_activities: int = 3
    permutations: int = 999


@dataclass
class _Context:
    """What every section builder may read; loaded once and shared."""

    ws: Workspace
    province: str
    options: PlanOptions
    lang: str = "fa"  # of figures (text and tables carry both languages)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (fa, en) assumptions

    def pick(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.lang == "fa" else pair[1]

    @cached_property
    def regions(self) -> pd.DataFrame:
        return read_kind(self.ws, "regions")

    @cached_property
    def hierarchy(self) -> RegionHierarchy:
        return RegionHierarchy(self.regions)

    @cached_property
    def in_province(self) -> pd.Series:
        """Mask over :attr:`regions`: the province and everything below it."""
        return self.hierarchy.in_province(self.province)

    @cached_property
    def counties(self) -> pd.DataFrame:
        r = self.regions
        return r[self.in_province & (r["level"] == "county")].set_index("code")

    @cached_property
    def establishments(self) -> pd.DataFrame:
        return establishments_with_regions(self.ws, province=self.province)

    @cached_property
    def isic_names(self) -> pd.DataFrame:
        from khooshe.io.reference import isic_names

        return isic_names()

    def isic_label(self, codes: pd.Series, lang: str) -> pd.Series:
        col = "name_fa" if lang == "fa" else "name_en"
        return codes.map(self.isic_names[col]).fillna("")

    def county_name(self, codes: pd.Series, lang: str) -> pd.Series:
        col = "name_fa" if lang == "fa" else "name_en"
        return codes.map(self.regions.set_index("code")[col])


# ============================================================================================
# Text helpers
# ============================================================================================
@dataclass(frozen=True)
class Money:
    """An amount in rials, shown in toman with its unit."""

    rials: float


@dataclass(frozen=True)
class Bi:
    """A text with a Persian and an English form (names)."""

    fa: str
    en: str


def _show(value: object, lang: str) -> str:
    """A value in a sentence: money in toman, names in their language, numbers and codes as
    the tables show them (:func:`khooshe.reports.html.cell`)."""
    if isinstance(value, Money):
        return format_money_toman(value.rials, lang)
    if isinstance(value, Bi):
        return to_persian_digits(value.fa) if lang == "fa" else value.en
    return cell(value, lang)[0]


def _say(fa: str, en: str, **values: object) -> tuple[str, str]:
    """The same sentence in both languages, numbers formatted for each."""
    return (fa.format(**{k: _show(v, "fa") for k, v in values.items()}),
            en.format(**{k: _show(v, "en") for k, v in values.items()}))


def _section(key: str, title: tuple[str, str], lines: list[tuple[str, str]],
             tables: list[Table] = (), figures: list[Figure] = ()) -> Section:
    return Section(key=key, title_fa=title[0], title_en=title[1],
                   paragraphs_fa=[fa for fa, _ in lines], paragraphs_en=[en for _, en in lines],
                   tables=list(tables), figures=list(figures))


def _table(key: str, title: tuple[str, str], frame: pd.DataFrame,
           headers: dict[str, tuple[str, str]], note: tuple[str, str] = ("", ""),
           rows: int | None = SHOWN_ROWS) -> Table:
    """A table with the columns of ``headers`` (in that order) and their two headers."""
    frame = frame[list(headers)].reset_index(drop=True)
    return Table(key=key, title_fa=title[0], title_en=title[1], frame=frame,
                 headers_fa={c: h[0] for c, h in headers.items()},
                 headers_en={c: h[1] for c, h in headers.items()},
                 note_fa=note[0], note_en=note[1], max_rows_html=rows)


def _bar(ctx: _Context, key: str, title: tuple[str, str], labels: pd.Series,
         values: pd.Series, axis: tuple[str, str] = ("", ""), horizontal: bool = True) -> Figure:
    """A bar chart in the plan's language (labels are shown as given)."""
    axis = ctx.pick(axis)
    if horizontal:
        trace = go.Bar(x=values.to_numpy(), y=labels.to_numpy(), orientation="h",
                       marker_color="#2a7f62")
        layout = {"yaxis": {"autorange": "reversed", "automargin": True},
                  "xaxis": {"title": {"text": axis}}}
    else:
        trace = go.Bar(x=labels.to_numpy(), y=values.to_numpy(), marker_color="#2a7f62")
        layout = {"yaxis": {"title": {"text": axis}}}
    fig = go.Figure(trace)
    fig.update_layout(title={"text": ctx.pick(title)}, height=max(320, 26 * len(labels) + 120),
                      margin={"l": 10, "r": 10, "t": 50, "b": 40}, **layout)
    return Figure(key=key, title_fa=title[0], title_en=title[1], figure=fig)


# ============================================================================================
# Sections
# ============================================================================================
SIZE_NAMES = {"micro": ("خرد", "micro"), "small": ("کوچک", "small"),
              "medium": ("متوسط", "medium"), "large": ("بزرگ", "large")}
STATUS_NAMES = {"operating": ("فعال", "operating"), "half_finished": ("نیمه‌تمام", "half-finished"),
                "idle": ("راکد", "idle"), "closed": ("تعطیل", "closed")}


def profile(ctx: _Context) -> Section:
    """Population, employment and establishments by sector, size and county."""
    r, est = ctx.regions, ctx.establishments
    prov = r[(r["level"] == "province") & (r["code"] == ctx.province)].iloc[0]
    mine = r[ctx.in_province]
    villages = int((mine["level"] == "village").sum())
    cities = int((mine["level"] == "city").sum())
    operating = est[est["status"] == "operating"]
    jobs = float(operating["employees"].fillna(0).sum())
    half = est[est["status"] == "half_finished"]
    population = prov["population"]
    if pd.isna(population):
        population = mine.loc[mine["level"] == "county", "population"].sum()
    lines = [
        _say("استان {name} ({code}) با {pop} نفر جمعیت، {counties} شهرستان، {cities} شهر و "
             "{villages} روستا دارد.",
             "{name} province ({code}) has a population of {pop}, {counties} counties, "
             "{cities} cities and {villages} villages.",
             name=Bi(prov["name_fa"], prov["name_en"]), code=ctx.province, pop=float(population),
             counties=len(ctx.counties), cities=cities, villages=villages),
        _say("در {n} بنگاه فعال {jobs} نفر شاغل‌اند؛ {half} واحد نیمه‌تمام با {hjobs} شغل "
             "پیش‌بینی‌شده و {cost} اعتبار لازم برای تکمیل ثبت شده است.",
             "{n} operating establishments employ {jobs} people; {half} half-finished units "
             "are registered with {hjobs} expected jobs and {cost} needed to complete them.",
             n=len(operating), jobs=jobs, half=len(half),
             hjobs=float(half["expected_jobs"].fillna(0).sum()),
             cost=Money(float(half["remaining_cost_rials"].fillna(0).sum()))),
    ]

    division = operating.assign(division=operating["isic"].str[:2])
    by_div = (division.groupby("division")
              .agg(establishments=("id", "size"), employment=("employees", "sum"))
              .sort_values("employment", ascending=False).reset_index())
    by_div["share"] = by_div["employment"] / max(by_div["employment"].sum(), 1)
    names = ctx.isic_names.assign(division=ctx.isic_names.index.str[:2])
    # A division's name: the name of its most frequent class is too narrow, so show the code
    # with the largest class of the province beside it.
    top_class = (operating.groupby("isic")["employees"].sum().rename("e").reset_index()
                 .assign(division=lambda d: d["isic"].str[:2])
                 .sort_values("e", ascending=False).drop_duplicates("division"))
    by_div = by_div.merge(top_class[["division", "isic"]], on="division", how="left")
    by_div["largest_fa"] = by_div["isic"].map(names["name_fa"]).fillna("")
    by_div["largest_en"] = by_div["isic"].map(names["name_en"]).fillna("")

    size = (operating.groupby("size_class")
            .agg(establishments=("id", "size"), employment=("employees", "sum")).reset_index())
    size["size_fa"] = size["size_class"].map(lambda s: SIZE_NAMES.get(s, (s, s))[0])
    size["size_en"] = size["size_class"].map(lambda s: SIZE_NAMES.get(s, (s, s))[1])

    status = est.groupby("status").agg(establishments=("id", "size"),
                                       employment=("employees", "sum"),
                                       expected_jobs=("expected_jobs", "sum")).reset_index()
    status["status_fa"] = status["status"].map(lambda s: STATUS_NAMES.get(s, (s, s))[0])
    status["status_en"] = status["status"].map(lambda s: STATUS_NAMES.get(s, (s, s))[1])

    c = ctx.counties
    county = pd.DataFrame({"county": c.index, "name_fa": c["name_fa"].to_numpy(),
                           "name_en": c["name_en"].to_numpy(),
                           "population": c["population"].to_numpy()})
    per_county = operating.groupby("county").agg(establishments=("id", "size"),
                                                 employment=("employees", "sum"))
    county = county.join(per_county, on="county").fillna({"establishments": 0, "employment": 0})
    vill = mine[mine["level"] == "village"]
    county["villages"] = county["county"].map(
        ctx.hierarchy.ancestor_of(vill["code"], "county").value_counts()).fillna(0).astype(int)
    county = county.sort_values("employment", ascending=False)

    top = by_div.head(15)
    label = top["largest_fa"] if ctx.lang == "fa" else top["largest_en"]
    figures = [_bar(ctx, "employment_by_division",
                    ("اشتغال بنگاه‌های فعال به تفکیک بخش (ISIC دورقمی)",
                     "Employment of operating establishments by ISIC division"),
                    top["division"] + " · " + label.str.slice(0, 40), top["employment"],
                    axis=("شاغل", "employees"))]
    tables = [
        _table("counties", ("شهرستان‌ها", "Counties"), county, {
            "county": ("کد", "code"), "name_fa": ("نام", "name (fa)"),
            "name_en": ("نام لاتین", "name"), "population": ("جمعیت", "population"),
            "villages": ("روستا", "villages"), "establishments": ("بنگاه فعال", "establishments"),
            "employment": ("اشتغال", "employment")}),
        _table("sectors", ("اشتغال به تفکیک بخش", "Employment by sector (ISIC division)"),
               by_div, {"division": ("بخش ISIC", "ISIC division"),
                        "largest_fa": ("بزرگ‌ترین رشته", "largest class (fa)"),
                        "largest_en": ("بزرگ‌ترین رشته (لاتین)", "largest class"),
                        "establishments": ("بنگاه", "establishments"),
                        "employment": ("اشتغال", "employment"), "share": ("سهم", "share")}),
        _table("size_classes", ("اندازهٔ بنگاه‌ها", "Establishments by size"), size, {
            "size_fa": ("اندازه", "size (fa)"), "size_en": ("اندازه (لاتین)", "size"),
            "establishments": ("بنگاه", "establishments"), "employment": ("اشتغال", "employment")}),
        _table("status", ("وضعیت بنگاه‌ها", "Establishments by status"), status, {
            "status_fa": ("وضعیت", "status (fa)"), "status_en": ("وضعیت (لاتین)", "status"),
            "establishments": ("تعداد", "count"), "employment": ("اشتغال", "employment"),
            "expected_jobs": ("اشتغال پیش‌بینی‌شده", "expected jobs")}),
    ]
    return _section("profile", ("نیم‌رخ استان", "Province profile"), lines, tables, figures)


def specialisation(ctx: _Context) -> Section:
    """Strong clusters of the province and its counties, a county map, hot spots, point
    clusters of firms."""
    from khooshe.services import specialization as spec
    from khooshe.services.maps import choropleth, county_shapes

    prov = spec.strength(ctx.ws, level="province", province=ctx.province)
    strong = prov[prov["strong"] & prov["traded"]].sort_values("value", ascending=False)
    strong = strong.assign(name_fa=ctx.isic_label(strong["isic"], "fa"),
                           name_en=ctx.isic_label(strong["isic"], "en"))
    county = spec.strength(ctx.ws, level="county", province=ctx.province)
    county_strong = county[county["strong"] & county["traded"]].copy()
    county_strong = county_strong.assign(
        activity_fa=ctx.isic_label(county_strong["isic"], "fa"),
        activity_en=ctx.isic_label(county_strong["isic"], "en"),
    ).sort_values("value", ascending=False)

    lines = [_say(
        "{n} فعالیت صادرات‌محور (traded) در استان «خوشهٔ قوی» است: ضریب مکانی دست‌کم ۱ در برابر "
        "کل کشور و سهم معنادار از اشتغال ملی. بزرگ‌ترین‌ها: {top}.",
        "{n} traded activities are strong clusters of the province: location quotient of at "
        "least 1 against the whole country and a meaningful share of national employment. "
        "The largest: {top}.",
        n=len(strong),
        top=Bi("، ".join(strong["name_fa"].head(5)), ", ".join(strong["name_en"].head(5))),
    )]
    small = int(strong["small_base"].sum())
    if small:
        lines.append(_say(
            "{n} مورد از آن‌ها بر پایهٔ شمار اندکی بنگاه است و با برچسب «پایهٔ کوچک» مشخص شده.",
            "{n} of them rest on very few establishments and are flagged 'small base'.", n=small))

    shapes = county_shapes(ctx.regions, ctx.province)
    per_county = county_strong.groupby("region")["value"].sum()
    totals = county.groupby("region")["region_total"].first()
    share = (per_county / totals).reindex(ctx.counties.index).fillna(0.0)
    names = ctx.county_name(pd.Series(share.index, index=share.index), ctx.lang)
    approx = (" (مرز تقریبی شهرستان‌ها)", " (approximate county areas)") if shapes.approximate \
        else ("", "")
    title = ("سهم خوشه‌های قوی از اشتغال شهرستان" + approx[0],
             "Share of county employment in strong clusters" + approx[1])
    figures = [Figure(key="strong_share_map", title_fa=title[0], title_en=title[1],
                      figure=choropleth(shapes, share, title=ctx.pick(title), hover=names,
                                        colorbar=ctx.pick(("سهم", "share"))))]
    if shapes.approximate:
        ctx.notes.append(_say(
            "مرز شهرستان‌ها وارد نشده است؛ نقشه‌ها سلول‌های ورونوی مرکز شهرستان‌ها را درون پوش "
            "آبادی‌های استان نشان می‌دهند، نه مرز رسمی.",
            "County boundaries are not imported; maps show Voronoi cells of the county centres "
            "within the hull of the province's settlements, not official boundaries."))

    # Hot spots of the largest strong activities across all counties of the country (Gi* needs
    # neighbours beyond the province's edge), shown for the province's counties.
    hot_rows = []
    for isic in strong["isic"].head(ctx.options.hotspot_activities):
        h = spec.hotspots(ctx.ws, isic, level="county", permutations=ctx.options.permutations)
        hot_rows.append(h[h["region"].isin(ctx.counties.index)])
    hot = pd.concat(hot_rows, ignore_index=True) if hot_rows else pd.DataFrame(
        columns=["region", "isic", "value", "gi_z", "p_value", "spot", "name_fa", "name_en"])
    hot = hot.assign(activity_fa=ctx.isic_label(hot["isic"], "fa"),
                     activity_en=ctx.isic_label(hot["isic"], "en"),
                     spot_fa=hot["spot"].map({"hot": "کانون داغ", "cold": "کانون سرد"})
                     .fillna("معنادار نیست"))
    if len(hot):
        first = strong["isic"].iloc[0]
        z = hot[hot["isic"] == first].set_index("region")["gi_z"]
        label = ctx.isic_label(pd.Series([first]), ctx.lang).iloc[0]
        title = (f"کانون‌های داغ {label} (آمارهٔ z آزمون Gi*)" + approx[0],
                 f"Hot spots of {label} (Gi* z-score)" + approx[1])
        figures.append(Figure(key="hot_spot_map", title_fa=title[0], title_en=title[1],
                              figure=choropleth(shapes, z, title=ctx.pick(title), hover=names,
                                                colorbar="z", colorscale="RdBu_r",
                                                midpoint=0.0)))
    n_hot = int((hot["spot"] == "hot").sum())
    lines.append(_say(
        "آزمون Getis-Ord Gi* روی همهٔ شهرستان‌های کشور ({k} فعالیت بزرگ): {n} مورد «شهرستان × "
        "فعالیت» در استان کانون داغ معنادار (p ≤ ۰٫۰۵) است.",
        "Getis-Ord Gi* across all counties of the country ({k} largest activities): {n} "
        "(county, activity) pairs of the province are significant hot spots (p ≤ 0.05).",
        k=min(len(strong), ctx.options.hotspot_activities), n=n_hot))

    points = spec.candidates(ctx.ws, ctx.province)
    points = points.assign(activity_fa=ctx.isic_label(points["activity"], "fa"),
                           activity_en=ctx.isic_label(points["activity"], "en"))
    lines.append(_say(
        "خوشه‌بندی مکانی بنگاه‌ها (HDBSCAN) {n} تجمع نقطه‌ای بنگاه‌های هم‌رشته را نشان می‌دهد که "
        "نامزد خوشهٔ صنعتی‌اند.",
        "Point clustering of establishments (HDBSCAN) finds {n} spatial concentrations of "
        "firms of one activity: candidate clusters.", n=len(points)))

    tables = [
        _table("strong_clusters", ("خوشه‌های قوی استان", "Strong clusters of the province"),
               strong, {"isic": ("ISIC", "ISIC"), "name_fa": ("فعالیت", "activity (fa)"),
                        "name_en": ("فعالیت (لاتین)", "activity"),
                        "value": ("اشتغال", "employment"),
                        "n_establishments": ("بنگاه", "establishments"),
                        "lq": ("ضریب مکانی", "LQ"),
                        "national_share": ("سهم از کشور", "national share"),
                        "rank_by_value": ("رتبه در کشور", "national rank"),
                        "small_base": ("پایهٔ کوچک", "small base")}),
        _table("county_clusters", ("خوشه‌های قوی شهرستان‌ها", "Strong clusters of counties"),
               county_strong, {"region": ("کد شهرستان", "county"),
                               "name_fa": ("شهرستان", "county (fa)"),
                               "name_en": ("شهرستان (لاتین)", "county name"),
                               "isic": ("ISIC", "ISIC"),
                               "activity_fa": ("فعالیت", "activity (fa)"),
                               "activity_en": ("فعالیت (لاتین)", "activity"),
                               "value": ("اشتغال", "employment"), "lq": ("ضریب مکانی", "LQ"),
                               "small_base": ("پایهٔ کوچک", "small base")}),
        _table("hot_spots", ("کانون‌های داغ (Gi*)", "Hot spots (Gi*)"),
               hot.sort_values(["isic", "gi_z"], ascending=[True, False]),
               {"region": ("کد شهرستان", "county"), "name_fa": ("شهرستان", "county (fa)"),
                "name_en": ("شهرستان (لاتین)", "county name"), "isic": ("ISIC", "ISIC"),
                "activity_fa": ("فعالیت", "activity (fa)"),
                "activity_en": ("فعالیت (لاتین)", "activity"), "value": ("اشتغال", "employment"),
                "gi_z": ("آمارهٔ z", "z"), "p_value": ("p", "p"),
                "spot_fa": ("نتیجه", "result (fa)"), "spot": ("نتیجه (لاتین)", "result")}),
        _table("firm_clusters", ("تجمع‌های نقطه‌ای بنگاه‌ها", "Point clusters of firms"),
               points, {"cluster_id": ("شناسه", "id"), "activity": ("ISIC", "ISIC"),
                        "activity_fa": ("فعالیت", "activity (fa)"),
                        "activity_en": ("فعالیت (لاتین)", "activity"),
                        "n_members": ("بنگاه", "members"), "employment": ("اشتغال", "employment"),
                        "radius_km": ("شعاع (کیلومتر)", "radius (km)"),
                        "regions": ("شهرستان‌ها", "counties"),
                        "centroid_lat": ("عرض", "lat"), "centroid_lon": ("طول", "lon")}),
    ]
    return _section("specialisation", ("تخصص منطقه‌ای و خوشه‌های قوی",
                                       "Specialisation and strong clusters"),
                    lines, tables, figures)


MEMBER_NAMES = {"firm": ("بنگاه", "firm"), "government": ("دستگاه دولتی", "government body"),
                "university": ("دانشگاه", "university"), "association": ("انجمن", "association"),
                "financial": ("نهاد مالی", "financial body"), "other": ("سایر", "other")}
ACTIVITY_NAMES = {"training": ("آموزش", "training"), "domestic_tour": ("بازدید داخلی", "domestic tour"),
                  "foreign_tour": ("بازدید خارجی", "foreign tour"),
                  "exhibition": ("نمایشگاه", "exhibition"),
                  "joint_purchase": ("خرید مشترک", "joint purchase"),
                  "joint_marketing": ("بازاریابی مشترک", "joint marketing"),
                  "export_consortium": ("کنسرسیوم صادراتی", "export consortium"),
                  "other": ("سایر", "other")}


def _labels(codes: pd.Series, names: dict[str, tuple[str, str]], lang: str) -> pd.Series:
    i = 0 if lang == "fa" else 1
    return codes.map(lambda c: names.get(c, (c, c))[i])


def programme(ctx: _Context) -> Section:
    """The cluster registry: clusters by stage, members, activities, indicators, funds."""
    clusters = read_kind(ctx.ws, "clusters")
    clusters = clusters[clusters["province_code"] == ctx.province].copy()
    codes = set(clusters["code"])
    members = read_kind(ctx.ws, "cluster_members")
    members = members[members["cluster_code"].isin(codes)]
    acts = read_kind(ctx.ws, "cluster_activities")
    acts = acts[acts["cluster_code"].isin(codes)]
    ind = read_kind(ctx.ws, "cluster_indicators")
    ind = ind[ind["cluster_code"].isin(codes)]

    order = {s: i for i, s in enumerate(STAGE_NAMES)}
    clusters = clusters.assign(
        stage_fa=_labels(clusters["stage"], STAGE_NAMES, "fa"),
        stage_en=_labels(clusters["stage"], STAGE_NAMES, "en"),
        start=pd.to_datetime(clusters["start_date"], errors="coerce").dt.date,
        members=clusters["code"].map(members.groupby("cluster_code").size()).fillna(0)
        .astype(int),
        activities=clusters["code"].map(acts.groupby("cluster_code").size()).fillna(0)
        .astype(int),
        order=clusters["stage"].map(order),
    ).sort_values(["order", "code"], ascending=[False, True])
    by_stage = clusters.groupby("stage").size().reindex(list(STAGE_NAMES)).fillna(0).astype(int)

    lines = [_say("{n} خوشه در برنامهٔ توسعهٔ خوشه‌ای استان ثبت شده است با {m} عضو و شریک و "
                  "{a} اقدام (آموزش، بازدید، نمایشگاه، اقدام مشترک).",
                  "{n} clusters are registered in the province's programme, with {m} members and "
                  "partners and {a} activities (training, tours, exhibitions, joint actions).",
                  n=len(clusters), m=len(members), a=len(acts))]
    if len(clusters):
        lines.append(_say("مرحله‌ها: {stages}.", "Stages: {stages}.", stages=Bi(
            "، ".join(f"{STAGE_NAMES[s][0]} {to_persian_digits(n)}"
                      for s, n in by_stage.items() if n),
            ", ".join(f"{STAGE_NAMES[s][1]} {n}" for s, n in by_stage.items() if n))))

    member_kinds = (members.groupby(["cluster_code", "kind"]).size().unstack(fill_value=0)
                    .reindex(columns=list(MEMBER_NAMES), fill_value=0).reset_index())
    act_kinds = (acts.groupby("kind").agg(count=("activity_id", "size"),
                                          participants=("participants", "sum"),
                                          cost_rials=("cost_rials", "sum")).reset_index())
    act_kinds = act_kinds.assign(kind_fa=_labels(act_kinds["kind"], ACTIVITY_NAMES, "fa"),
                                 kind_en=_labels(act_kinds["kind"], ACTIVITY_NAMES, "en"),
                                 cost_bn_toman=act_kinds["cost_rials"] / 1e10)
    latest = ind.sort_values("period").groupby("cluster_code").tail(1)
    first = ind.sort_values("period").groupby("cluster_code").head(1).set_index("cluster_code")
    latest = latest.assign(
        name_fa=latest["cluster_code"].map(clusters.set_index("code")["name_fa"]),
        jobs_change=latest["jobs"].to_numpy()
        - latest["cluster_code"].map(first["jobs"]).to_numpy(),
        sales_bn_toman=latest["sales_rials"] / 1e10,
    )

    funds = read_kind(ctx.ws, "funds")
    alloc = read_kind(ctx.ws, "fund_allocations")
    alloc = alloc[alloc["region_code"] == ctx.province].merge(
        funds, on=["programme", "year"], how="left")
    alloc = alloc.assign(amount_bn_toman=alloc["amount_rials"] / 1e10,
                         total_bn_toman=alloc["total_rials"] / 1e10,
                         share=alloc["amount_rials"] / alloc["total_rials"])
    for row in alloc.itertuples():
        lines.append(_say("سهم استان از «{fund}» سال {year}: {amount} ({share}٪ کل).",
                          "The province's share of '{fund}' in {year}: {amount} ({share}% of "
                          "the total).", fund=Bi(row.name_fa, row.programme), year=str(row.year),
                          amount=Money(row.amount_rials), share=round(100 * row.share, 1)))

    figures = []
    if len(clusters):
        figures.append(_bar(ctx, "clusters_by_stage", ("خوشه‌ها به تفکیک مرحله",
                                                       "Clusters by stage"),
                            _labels(pd.Series(by_stage.index), STAGE_NAMES, ctx.lang),
                            pd.Series(by_stage.to_numpy()), axis=("خوشه", "clusters")))
    if len(ind):
        fig = go.Figure()
        names = clusters.set_index("code")["name_fa" if ctx.lang == "fa" else "name_en"]
        for code, g in ind.sort_values("period").groupby("cluster_code"):
            fig.add_trace(go.Scatter(x=g["period"].astype(str), y=g["jobs"], mode="lines+markers",
                                     name=str(names.get(code, code))))
        title = ("اشتغال خوشه‌ها در طول زمان", "Cluster jobs over time")
        fig.update_layout(title={"text": ctx.pick(title)}, height=380,
                          margin={"l": 10, "r": 10, "t": 50, "b": 40})
        figures.append(Figure(key="cluster_jobs", title_fa=title[0], title_en=title[1],
                              figure=fig))
    tables = [
        _table("clusters", ("خوشه‌های ثبت‌شده", "Registered clusters"), clusters, {
            "code": ("کد", "code"), "name_fa": ("نام", "name (fa)"), "name_en": ("نام لاتین", "name"),
            "isic": ("ISIC", "ISIC"), "stage_fa": ("مرحله", "stage (fa)"),
            "stage_en": ("مرحله (لاتین)", "stage"), "start": ("آغاز", "start"),
            "agent": ("عامل توسعه", "development agent"), "members": ("اعضا", "members"),
            "activities": ("اقدام‌ها", "activities")}),
        _table("cluster_members", ("اعضا و شرکا به تفکیک نوع", "Members and partners by kind"),
               member_kinds, {"cluster_code": ("خوشه", "cluster"),
                              **{k: v for k, v in MEMBER_NAMES.items()}}),
        _table("cluster_activities", ("اقدام‌های خوشه‌ها", "Cluster activities"), act_kinds, {
            "kind_fa": ("نوع", "kind (fa)"), "kind_en": ("نوع (لاتین)", "kind"),
            "count": ("تعداد", "count"), "participants": ("شرکت‌کنندگان", "participants"),
            "cost_bn_toman": ("هزینه (میلیارد تومان)", "cost (bn toman)")}),
        _table("cluster_indicators", ("شاخص‌های آخرین دوره", "Latest indicators"), latest, {
            "cluster_code": ("خوشه", "cluster"), "name_fa": ("نام", "name (fa)"),
            "period": ("دوره", "period"), "jobs": ("اشتغال", "jobs"),
            "jobs_change": ("تغییر اشتغال از آغاز", "jobs change since start"),
            "sales_bn_toman": ("فروش (میلیارد تومان)", "sales (bn toman)"),
            "exports_usd": ("صادرات (دلار)", "exports (USD)"),
            "exports_t": ("صادرات (تن)", "exports (t)"), "members": ("اعضا", "members")}),
        _table("fund_allocations", ("اعتبارات و سهم استان", "Funds and the province's share"),
               alloc, {"programme": ("برنامه", "programme"), "name_fa": ("نام", "name (fa)"),
                       "year": ("سال", "year"),
                       "amount_bn_toman": ("سهم استان (میلیارد تومان)", "province (bn toman)"),
                       "total_bn_toman": ("کل (میلیارد تومان)", "total (bn toman)"),
                       "share": ("سهم", "share")}),
    ]
    return _section("programme", ("برنامهٔ خوشه‌ها: ثبت و پایش", "The cluster programme"),
                    lines, tables, figures)


def appendix(ctx: _Context) -> Section:
    """Data quality and the assumptions the sections stated."""
    counts = ctx.ws.counts()
    est = ctx.establishments
    r = ctx.regions[ctx.in_province]
    checks = pd.DataFrame([
        ("establishments_without_coordinates", "بنگاه بدون مختصات",
         "establishments without coordinates",
         int((est["lat"].isna() | est["lon"].isna()).sum()), len(est)),
        ("establishments_without_employees", "بنگاه فعال بدون تعداد شاغل",
         "operating establishments without employees",
         int(((est["status"] == "operating") & est["employees"].isna()).sum()),
         int((est["status"] == "operating").sum())),
        ("villages_without_population", "روستای بدون جمعیت", "villages without population",
         int(((r["level"] == "village") & r["population"].isna()).sum()),
         int((r["level"] == "village").sum())),
        ("regions_without_coordinates", "ناحیهٔ بدون مختصات", "regions without coordinates",
         int((r["lat"].isna() | r["lon"].isna()).sum()), len(r)),
        ("counties_without_boundary", "شهرستان بدون مرز", "counties without boundary",
         int(ctx.counties["boundary"].isna().sum()), len(ctx.counties)),
        ("half_finished_without_cost", "واحد نیمه‌تمام بدون هزینهٔ تکمیل",
         "half-finished units without remaining cost",
         int(((est["status"] == "half_finished") & est["remaining_cost_rials"].isna()).sum()),
         int((est["status"] == "half_finished").sum())),
    ], columns=["check", "check_fa", "check_en", "count", "of"])
    records = pd.DataFrame({"kind": list(counts), "records": list(counts.values())})
    lines = [_say("این پیوست کیفیت داده‌های فضای کار و فرض‌های تحلیل‌ها را برمی‌شمارد.",
                  "This appendix lists the quality of the workspace's data and the assumptions "
                  "of the analyses.")]
    if ctx.ws.synthetic:
        lines.append(_say(
            "همهٔ داده‌های این گزارش ساختگی (نمایشی) است و آمار واقعی ایران نیست.",
            "All data in this plan are synthetic (demo) and are not Iran's real statistics."))
    lines.extend(ctx.notes)
    tables = [
        _table("data_quality", ("کیفیت داده‌ها", "Data quality"), checks, {
            "check_fa": ("بررسی", "check (fa)"), "check_en": ("بررسی (لاتین)", "check"),
            "count": ("تعداد", "count"), "of": ("از", "of")}, rows=None),
        _table("records", ("رکوردهای فضای کار", "Workspace records"), records, {
            "kind": ("نوع", "kind"), "records": ("رکورد", "records")}, rows=None),
    ]
    return _section("appendix", ("پیوست: کیفیت داده‌ها و فرض‌ها",
                                 "Appendix: data quality and assumptions"), lines, tables)


def villages(ctx: _Context) -> Section:
    """The "10 villages per county" shortlist (seeds R1–R2) with its map."""
    from khooshe.services import villages as service

    result = service.village_shortlist(ctx.ws, province=ctx.province,
                                       per_county=ctx.options.per_county)
    short = service.rounded(result.shortlist.villages)
    counties = result.shortlist.counties
    by_activity = short.groupby(["activity", "activity_fa", "activity_en"]).size().rename("n")
    top = by_activity.sort_values(ascending=False).head(3).reset_index()
    lines = [_say(
        "برای هر شهرستان تا {n} روستا با بالاترین امتیاز توان خوشه‌ای برگزیده شد؛ در مجموع {k} "
        "روستا در {c} شهرستان. امتیاز هر روستا جمع وزنی پنج مؤلفهٔ شفاف است (وابستگی فعالیت به "
        "ساختار اقتصادی پیرامون، منابع محلی، تجمع بنگاه‌های هم‌رشته، دسترسی به شهرک صنعتی و مرکز "
        "شهرستان، نیروی کار) و هر مؤلفه در جدول آمده است.",
        "Up to {n} villages with the highest cluster potential were shortlisted per county: "
        "{k} villages in {c} counties. Each score is a weighted sum of five transparent "
        "components (relatedness to the surrounding economy, local resources, existing firms "
        "of the activity nearby, access to an industrial park and the county seat, labour), "
        "each shown in the table.",
        n=ctx.options.per_county, k=len(short), c=int((counties["shortlisted"] > 0).sum())),
    ]
    if len(top):
        lines.append(_say("پرتکرارترین فعالیت‌های پیشنهادی: {acts}.",
                          "The activities proposed most often: {acts}.", acts=Bi(
                              "، ".join(f"{r.activity_fa} ({to_persian_digits(r.n)})"
                                        for r in top.itertuples(index=False)),
                              ", ".join(f"{r.activity_en} ({r.n})"
                                        for r in top.itertuples(index=False)))))
    fewer = service.shortfall(result)
    for row in fewer.itertuples():
        lines.append(_say("شهرستان {name}: {got} روستا — {reason}",
                          "County {name}: {got} villages — {reason}",
                          name=Bi(row.county_fa, row.county_en), got=int(row.shortlisted),
                          reason=Bi(row.reason_fa, row.reason_en)))
    for note in result.shortlist.notes:
        ctx.notes.append(("روستاها: " + note, "Villages: " + note))
    fig = service.shortlist_figure(result)
    title = ("نقشهٔ روستاهای منتخب به تفکیک فعالیت", "Shortlisted villages by activity")
    components = [c for c in short.columns if c.startswith("c_")]
    headers = {"county_code": ("کد شهرستان", "county"), "village_code": ("کد روستا", "village"),
               "village_fa": ("روستا", "village (fa)"), "village_en": ("روستا (لاتین)", "name"),
               "rank": ("رتبه", "rank"), "activity": ("ISIC", "ISIC"),
               "activity_fa": ("فعالیت", "activity (fa)"), "activity_en": ("فعالیت (لاتین)",
                                                                         "activity"),
               "score": ("امتیاز", "score"),
               **{c: (COMPONENT_NAMES.get(c, (c, c))[0], COMPONENT_NAMES.get(c, (c, c))[1])
                  for c in components},
               "alt1_activity": ("گزینهٔ دوم", "2nd choice"),
               "alt2_activity": ("گزینهٔ سوم", "3rd choice"),
               "population": ("جمعیت", "population"),
               "dist_park_km": ("فاصله تا شهرک (کیلومتر)", "to park (km)"),
               "explanation_fa": ("توضیح", "explanation (fa)"),
               "explanation_en": ("توضیح (لاتین)", "explanation")}
    tables = [
        _table("village_shortlist", ("روستاهای منتخب", "Village shortlist"), short, headers,
               rows=60),
        _table("village_counties", ("خلاصهٔ شهرستان‌ها", "Per-county summary"), counties, {
            "county_code": ("کد شهرستان", "county"), "county_fa": ("شهرستان", "county (fa)"),
            "county_en": ("شهرستان (لاتین)", "county name"), "villages": ("روستا", "villages"),
            "eligible": ("واجد شرایط", "eligible"), "shortlisted": ("منتخب", "shortlisted"),
            "reason_fa": ("دلیل کمبود", "reason (fa)"), "reason_en": ("دلیل (لاتین)", "reason")},
               rows=None),
    ]
    return _section("villages", TITLES["villages"], lines, tables,
                    [Figure(key="village_map", title_fa=title[0], title_en=title[1], figure=fig)])


COMPONENT_NAMES = {
    "c_relatedness": ("وابستگی", "relatedness"),
    "c_resources": ("منابع", "resources"),
    "c_agglomeration": ("تجمع", "agglomeration"),
    "c_access": ("دسترسی", "access"),
    "c_labour": ("نیروی کار", "labour"),
    "c_water_stress": ("تنش آبی (جریمه)", "water stress (penalty)"),
}


def complexity(ctx: _Context) -> Section:
    """Economic complexity of the province and its counties; the nearby, complex activities
    it does not yet have (the Atlas' "opportunities")."""
    from khooshe.services.complexity import workspace_complexity

    prov = workspace_complexity(ctx.ws, level="province")
    eci = prov.drop_duplicates("region").set_index("region")["eci"]
    rank = eci.rank(ascending=False, method="min").astype(int)
    mine = prov[prov["region"] == ctx.province].copy()
    mine = mine.assign(name_fa=ctx.isic_label(mine["isic"], "fa"),
                       name_en=ctx.isic_label(mine["isic"], "en"))
    present = mine[mine["mcp"] == 1].sort_values("pci", ascending=False)
    absent = mine[mine["mcp"] == 0].sort_values(["cog", "density"], ascending=False)
    opportunities = absent.head(30)

    county = workspace_complexity(ctx.ws, level="county", province=ctx.province)
    counties = (county.drop_duplicates("region")
                [["region", "region_name_fa", "region_name_en", "eci", "diversity", "coi"]]
                .sort_values("eci", ascending=False))
    lines = [
        _say("شاخص پیچیدگی اقتصادی (ECI) استان بر پایهٔ اشتغال به تفکیک رشتهٔ ISIC: {eci} "
             "(رتبهٔ {rank} از {n} استان). استان در {div} فعالیت مزیت نسبی (RCA ≥ ۱) دارد.",
             "The province's economic complexity index (ECI, from employment by ISIC class) is "
             "{eci}, rank {rank} of {n} provinces. It has a revealed comparative advantage "
             "(RCA ≥ 1) in {div} activities.",
             eci=round(float(eci[ctx.province]), 2), rank=int(rank[ctx.province]), n=len(eci),
             div=len(present)),
        _say("فعالیت‌هایی که استان هنوز در آن‌ها مزیت ندارد ولی به توانمندی‌های موجودش نزدیک‌اند "
             "(چگالی بالا) و پیچیدگی را بالا می‌برند (COG بالا) بهترین گزینه‌های تنوع‌بخشی‌اند؛ "
             "{n} مورد اول در جدول آمده است.",
             "Activities the province does not yet have but which sit close to its existing "
             "capabilities (high density) and add complexity (high COG) are the best "
             "diversification options; the first {n} are listed.", n=len(opportunities)),
    ]
    x, y = absent["density"], absent["pci"]
    labels = absent["name_fa"] if ctx.lang == "fa" else absent["name_en"]
    size = 6 + 18 * (absent["cog"] - absent["cog"].min()) / max(np.ptp(absent["cog"]), 1e-12)
    fig = go.Figure(go.Scatter(x=x, y=y, mode="markers", text=absent["isic"] + " " + labels,
                               marker={"size": size, "color": absent["cog"],
                                       "colorscale": "Viridis", "showscale": True,
                                       "colorbar": {"title": {"text": "COG"}}},
                               hovertemplate="%{text}<br>density %{x:.3f}<br>PCI %{y:.2f}"
                                             "<extra></extra>"))
    title = ("فرصت‌های تنوع‌بخشی: نزدیکی (چگالی) در برابر پیچیدگی (PCI)",
             "Diversification options: nearness (density) against complexity (PCI)")
    fig.update_layout(title={"text": ctx.pick(title)}, height=440,
                      xaxis={"title": {"text": ctx.pick(("چگالی", "density"))}},
                      yaxis={"title": {"text": "PCI"}},
                      margin={"l": 10, "r": 10, "t": 50, "b": 40})
    ctx.notes.append(_say(
        "پیچیدگی اقتصادی به روش اِکمپلکسیتی مرکز رشد هاروارد (Stata ecomplexity) روی ماتریس "
        "استان × رشتهٔ ISIC از اشتغال بنگاه‌های فعال؛ حضور یعنی RCA ≥ ۱.",
        "Economic complexity follows the Growth Lab's Stata ecomplexity on the province × ISIC "
        "matrix of operating establishments' employment; presence means RCA ≥ 1."))
    tables = [
        _table("opportunities", ("فرصت‌های تنوع‌بخشی", "Diversification options"), opportunities,
               {"isic": ("ISIC", "ISIC"), "name_fa": ("فعالیت", "activity (fa)"),
                "name_en": ("فعالیت (لاتین)", "activity"), "density": ("چگالی", "density"),
                "pci": ("PCI", "PCI"), "cog": ("COG", "COG"), "rca": ("RCA", "RCA")}),
        _table("complex_activities", ("فعالیت‌های دارای مزیت", "Activities with an advantage"),
               present, {"isic": ("ISIC", "ISIC"), "name_fa": ("فعالیت", "activity (fa)"),
                         "name_en": ("فعالیت (لاتین)", "activity"), "rca": ("RCA", "RCA"),
                         "pci": ("PCI", "PCI"), "ubiquity": ("فراگیری", "ubiquity")}),
        _table("county_complexity", ("پیچیدگی شهرستان‌ها", "Complexity of counties"), counties,
               {"region": ("کد", "county"), "region_name_fa": ("شهرستان", "county (fa)"),
                "region_name_en": ("شهرستان (لاتین)", "county name"), "eci": ("ECI", "ECI"),
                "diversity": ("تنوع", "diversity"), "coi": ("COI", "COI")}),
    ]
    return _section("complexity", TITLES["complexity"], lines, tables,
                    [Figure(key="opportunities", title_fa=title[0], title_en=title[1],
                            figure=fig)])


def markets(ctx: _Context) -> Section:
    """Export potential of the exporter in the target markets, linked to the province's
    clusters (ITC method; seeds R4, R5, R10, R16, R17)."""
    from khooshe.services.markets import workspace_markets

    result = workspace_markets(ctx.ws, province=ctx.province, exporter=ctx.options.exporter,
                               markets=list(ctx.options.markets))
    pot, links = result.potential, result.links
    by_market = (pot.groupby(["market", "market_name_fa", "market_name_en"])
                 [["potential_value", "actual_value", "unrealised_value"]].sum()
                 .reset_index().sort_values("unrealised_value", ascending=False))
    # which of the province's clusters can serve each (product, market)
    top = pot[pot["rank"] <= 10].sort_values(["market", "rank"])
    if len(links):
        serving = (links.groupby(["product", "market"])
                   .agg(clusters_fa=("cluster_name_fa", lambda s: "، ".join(sorted(set(s)))),
                        clusters_en=("cluster_name_en", lambda s: ", ".join(sorted(set(s))))))
        top = top.join(serving, on=["product", "market"])
    else:  # a province without registered clusters
        top = top.assign(clusters_fa="", clusters_en="")
    top = top.fillna({"clusters_fa": "", "clusters_en": ""})
    first = ctx.options.markets[0]
    lead = pot[(pot["market"] == first) & (pot["rank"] <= 5)].sort_values("rank")
    lines = [_say(
        "پتانسیل صادراتی {exp} در {n} بازار هدف به روش مرکز تجارت بین‌الملل (ITC): عرضه × تقاضا × "
        "سهولت دسترسی. پتانسیل محقق‌نشده در همهٔ بازارها {total} میلیون دلار است.",
        "Export potential of {exp} in {n} target markets by the International Trade Centre's "
        "method: supply × demand × ease of access. Unrealised potential across the markets: "
        "{total} million USD.", exp=ctx.options.exporter, n=len(ctx.options.markets),
        total=round(float(by_market["unrealised_value"].sum()) / 1e6))]
    if len(lead):
        name = lead["market_name_fa"].iloc[0], lead["market_name_en"].iloc[0]
        lines.append(_say(
            "بزرگ‌ترین فرصت‌های محقق‌نشده در {m}: {items}.",
            "The largest unrealised opportunities in {m}: {items}.", m=Bi(*name), items=Bi(
                "، ".join(lead["product_name_fa"].replace("", None).fillna(lead["product"])),
                ", ".join(lead["product_name_en"].replace("", None).fillna(lead["product"])))))
    linked = links["cluster_code"].nunique() if len(links) else 0
    lines.append(_say(
        "{k} خوشهٔ استان به این فرصت‌ها پیوند دارند (از راه جدول تطابق HS6 ↔ ISIC).",
        "{k} clusters of the province link to these opportunities (through the HS6 ↔ ISIC "
        "concordance).", k=int(linked)))
    for note in result.notes:
        ctx.notes.append(("بازارها: " + note, "Markets: " + note))

    over = result.over_time
    figures = []
    for key, col, scale, title in (
            ("exports_value", "exports_value_usd", 1e6,
             ("صادرات به بازارهای هدف: ارزش (میلیون دلار)",
              "Exports to the target markets: value (million USD)")),
            ("exports_weight", "exports_quantity_t_est", 1e3,
             ("صادرات به بازارهای هدف: وزن (هزار تن)",
              "Exports to the target markets: weight (thousand t)"))):
        fig = go.Figure()
        for market in ctx.options.markets:
            g = over[over["market"] == market].sort_values("year")
            if len(g):
                fig.add_trace(go.Scatter(x=g["year"].astype(str), y=g[col] / scale,
                                         mode="lines+markers", name=market))
        fig.update_layout(title={"text": ctx.pick(title)}, height=360,
                          margin={"l": 10, "r": 10, "t": 50, "b": 40})
        figures.append(Figure(key=key, title_fa=title[0], title_en=title[1], figure=fig))
    headers_pot = {"market": ("بازار", "market"), "market_name_fa": ("کشور", "country (fa)"),
                   "market_name_en": ("کشور (لاتین)", "country"), "rank": ("رتبه", "rank"),
                   "product": ("HS6", "HS6"), "product_name_fa": ("کالا", "product (fa)"),
                   "product_name_en": ("کالا (لاتین)", "product"), "isic": ("ISIC", "ISIC"),
                   "potential_value": ("پتانسیل (دلار)", "potential (USD)"),
                   "actual_value": ("صادرات واقعی (دلار)", "actual (USD)"),
                   "unrealised_value": ("محقق‌نشده (دلار)", "unrealised (USD)"),
                   "unrealised_pct": ("٪ محقق‌نشده", "unrealised %"),
                   "clusters_fa": ("خوشه‌های استان", "clusters (fa)"),
                   "clusters_en": ("خوشه‌های استان (لاتین)", "clusters")}
    tables = [
        _table("market_totals", ("جمع هر بازار", "Totals per market"), by_market, {
            "market": ("بازار", "market"), "market_name_fa": ("کشور", "country (fa)"),
            "market_name_en": ("کشور (لاتین)", "country"),
            "potential_value": ("پتانسیل (دلار)", "potential (USD)"),
            "actual_value": ("صادرات واقعی (دلار)", "actual (USD)"),
            "unrealised_value": ("محقق‌نشده (دلار)", "unrealised (USD)")}, rows=None),
        _table("market_opportunities", ("ده فرصت نخست هر بازار", "Top 10 opportunities per market"),
               top, headers_pot, rows=40),
    ]
    if len(links):
        tables.append(_table("cluster_links", ("پیوند خوشه‌ها با فرصت‌ها",
                                               "Clusters and their opportunities"), links, {
            "cluster_code": ("خوشه", "cluster"), "cluster_name_fa": ("نام خوشه", "name (fa)"),
            "cluster_name_en": ("نام خوشه (لاتین)", "name"), "regions": ("شهرستان‌ها", "counties"),
            "isic": ("ISIC", "ISIC"), "product": ("HS6", "HS6"),
            "product_name_fa": ("کالا", "product (fa)"), "market": ("بازار", "market"),
            "market_name_fa": ("کشور", "country (fa)"),
            "unrealised_value": ("محقق‌نشده (دلار)", "unrealised (USD)"),
            "rank": ("رتبه", "rank")}, rows=40))
    tables.append(_table("exports_over_time", ("صادرات در طول زمان (ارزش و وزن)",
                                               "Exports over time (value and weight)"), over, {
        "year": ("سال", "year"), "market": ("بازار", "market"),
        "exports_value_usd": ("صادرات (دلار)", "exports (USD)"),
        "exports_quantity_t": ("وزن گزارش‌شده (تن)", "reported weight (t)"),
        "exports_quantity_t_est": ("وزن با برآورد (تن)", "weight incl. estimates (t)"),
        "quantity_reported_pct": ("٪ ارزشِ دارای وزن", "% of value with weight"),
        "imports_value_usd": ("واردات بازار (دلار)", "market imports (USD)"),
        "share_value_pct": ("سهم ارزشی ٪", "value share %"),
        "share_weight_pct": ("سهم وزنی ٪", "weight share %")}, rows=None))
    return _section("markets", TITLES["markets"], lines, tables, figures)


def portfolio(ctx: _Context) -> Section:
    """Which half-finished units to complete first (seeds R6–R7), with the budget → jobs
    frontier."""
    from khooshe.services.portfolio import plan_portfolio

    if not (ctx.establishments["status"] == "half_finished").any():
        return _section("portfolio", TITLES["portfolio"], [_say(
            "در این استان واحد نیمه‌تمامی (وضعیت half_finished) ثبت نشده است.",
            "No half-finished unit (status half_finished) is registered in this province.")])
    plan = plan_portfolio(ctx.ws, province=ctx.province, budget=ctx.options.budget,
                          target_jobs=ctx.options.target_jobs, frontier=20)
    s, units = plan.summary, plan.units
    budget_note = Bi("پیش‌فرض: نیمی از هزینهٔ تکمیل همهٔ واحدها", plan.budget_source) \
        if plan.budget_source != "given" else Bi("تعیین‌شده", "given")
    lines = [
        _say("{n} واحد نیمه‌تمام با {jobs} شغل پیش‌بینی‌شده نیاز به {cost} اعتبار دارند.",
             "{n} half-finished units with {jobs} expected jobs need {cost} to complete.",
             n=len(units), jobs=int(units["expected_jobs"].sum()),
             cost=Money(float(units["remaining_cost_rials"].sum()))),
        _say("با بودجهٔ {budget} ({src})، بهینهٔ اثبات‌شده {k} واحد را برمی‌گزیند و {jobs} شغل "
             "می‌سازد{proof}. قاعدهٔ سادهٔ «پیشرفته‌ترین نخست» {ma} شغل و «ارزان‌ترین هزینهٔ هر "
             "شغل نخست» {cj} شغل می‌دهد.",
             "With a budget of {budget} ({src}), the proven optimum completes {k} units for "
             "{jobs} jobs{proof}. The naive rule 'most advanced first' gives {ma} jobs and "
             "'cheapest per job first' {cj}.",
             budget=Money(s["budget"]), src=budget_note, k=int(s["units_selected"]),
             jobs=int(s["jobs"]),
             proof=Bi("" if s["optimal"] else f" (فاصله تا بهینه {s['gap']:.2%})",
                      "" if s["optimal"] else f" (gap {s['gap']:.2%})"),
             ma=int(s["greedy_jobs"]["most_advanced"]),
             cj=int(s["greedy_jobs"]["cheapest_per_job"])),
    ]
    if plan.target is not None:
        lines.append(_say("ارزان‌ترین راه رسیدن به هدف {t} شغل: تکمیل {k} واحد با {cost}.",
                          "The cheapest way to reach the target of {t} jobs: complete {k} units "
                          "for {cost}.", t=plan.target_jobs, k=int(plan.target.selected.sum()),
                          cost=Money(plan.target.cost)))
    else:
        lines.append(_say("هدف {t} شغل با این واحدها دست‌یافتنی نیست: {msg}",
                          "The target of {t} jobs cannot be reached with these units: {msg}",
                          t=plan.target_jobs, msg=Bi(plan.target_message, plan.target_message)))
    m = plan.result.marginal_out
    if m is not None:
        lines.append(_say("واحد بعدی در مرز بودجه: {id} با {jobs} شغل که {extra} اعتبار بیشتر "
                          "می‌خواهد.",
                          "The next unit at the budget edge: {id} with {jobs} jobs, needing "
                          "{extra} more.", id=m.id, jobs=int(m.expected_jobs),
                          extra=Money(m.extra_budget)))
    front = plan.frontier.assign(budget_bn_toman=plan.frontier["budget"] / 1e10,
                                 cost_bn_toman=plan.frontier["cost"] / 1e10)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=front["budget_bn_toman"], y=front["jobs"], mode="lines+markers",
                             name=ctx.pick(("بهینه", "optimum"))))
    for rule, label in (("greedy_most_advanced", ("پیشرفته‌ترین نخست", "most advanced first")),
                        ("greedy_cheapest_per_job", ("ارزان‌ترین هر شغل نخست",
                                                     "cheapest per job first"))):
        if rule in front:
            fig.add_trace(go.Scatter(x=front["budget_bn_toman"], y=front[rule], mode="lines",
                                     name=ctx.pick(label), line={"dash": "dot"}))
    title = ("منحنی بودجه ← شغل", "Budget → jobs frontier")
    fig.update_layout(title={"text": ctx.pick(title)}, height=400,
                      xaxis={"title": {"text": ctx.pick(("بودجه (میلیارد تومان)",
                                                         "budget (bn toman)"))}},
                      yaxis={"title": {"text": ctx.pick(("شغل", "jobs"))}},
                      margin={"l": 10, "r": 10, "t": 50, "b": 40})
    if plan.target is not None:
        fig.add_hline(y=plan.target_jobs, line_dash="dash", line_color="#b43c5a")
    chosen = units[units["selected"] == 1].sort_values("cost_per_job")
    chosen = chosen.assign(cost_bn_toman=chosen["remaining_cost_rials"] / 1e10,
                           cost_per_job_m_toman=chosen["cost_per_job"] / 1e7,
                           activity_fa=ctx.isic_label(chosen["isic"], "fa"))
    ctx.notes.append(_say(
        "واحدهای نیمه‌تمام با برنامه‌ریزی عدد صحیح (HiGHS) انتخاب شده‌اند؛ «بهینه» یعنی فاصلهٔ "
        "صفر تا کران اثبات‌شده.",
        "Half-finished units are chosen by integer programming (HiGHS); 'optimal' means a "
        "proven gap of zero."))
    tables = [
        _table("portfolio_units", ("واحدهای برگزیده", "Selected units"), chosen, {
            "id": ("شناسه", "id"), "name": ("نام", "name"), "county_fa": ("شهرستان", "county"),
            "isic": ("ISIC", "ISIC"), "activity_fa": ("فعالیت", "activity"),
            "progress_pct": ("پیشرفت ٪", "progress %"),
            "cost_bn_toman": ("هزینهٔ تکمیل (میلیارد تومان)", "cost (bn toman)"),
            "expected_jobs": ("شغل", "jobs"),
            "cost_per_job_m_toman": ("هزینهٔ هر شغل (میلیون تومان)", "cost per job (m toman)"),
            "selected_target": ("در مجموعهٔ هدف", "in target set")}),
        _table("portfolio_frontier", ("منحنی بودجه ← شغل", "Budget → jobs frontier"), front, {
            "budget_bn_toman": ("بودجه (میلیارد تومان)", "budget (bn toman)"),
            "jobs": ("شغل (بهینه)", "jobs (optimum)"), "units": ("واحد", "units"),
            "greedy_most_advanced": ("پیشرفته‌ترین نخست", "most advanced first"),
            "greedy_cheapest_per_job": ("ارزان‌ترین هر شغل نخست", "cheapest per job first"),
            "optimal": ("بهینهٔ اثبات‌شده", "proven optimal")}, rows=None),
    ]
    return _section("portfolio", TITLES["portfolio"], lines, tables,
                    [Figure(key="frontier", title_fa=title[0], title_en=title[1], figure=fig)])


# ============================================================================================
# The plan
# ============================================================================================
BUILDERS: dict[str, Callable[[_Context], Section]] = {
    "profile": profile,
    "specialisation": specialisation,
    "complexity": complexity,
    "villages": villages,
    "markets": markets,
    "portfolio": portfolio,
    "programme": programme,
    "appendix": appendix,
}

TITLES: dict[str, tuple[str, str]] = {
    "profile": ("نیم‌رخ استان", "Province profile"),
    "specialisation": ("تخصص منطقه‌ای و خوشه‌های قوی", "Specialisation and strong clusters"),
    "complexity": ("پیچیدگی و وابستگی فعالیت‌ها", "Complexity and relatedness"),
    "villages": ("روستاهای منتخب هر شهرستان", "Village shortlist per county"),
    "markets": ("فرصت‌های صادراتی در بازارهای همسایه",
                "Export opportunities in neighbouring markets"),
    "portfolio": ("تکمیل واحدهای نیمه‌تمام", "Completing half-finished units"),
    "programme": ("برنامهٔ خوشه‌ها: ثبت و پایش", "The cluster programme"),
    "appendix": ("پیوست: کیفیت داده‌ها و فرض‌ها", "Appendix: data quality and assumptions"),
}


@dataclass
class PlanResult:
    """The plan model, the sections that failed with their traceback (the error message is in
    the plan too) and the seconds each section took."""

    plan: Plan
    failed: dict[str, str]
    seconds: dict[str, float]


def build_plan(
    ws: Workspace,
    province: str,
    *,
    options: PlanOptions | None = None,
    lang: str = "fa",
    sections: tuple[str, ...] = SECTIONS,
    on_section: Callable[[str, str], None] | None = None,
) -> PlanResult:
    """Build the plan model of ``province``.

    Parameters
    ----------
    ws : Workspace
    province : str
        Province code (e.g. ``"06"``).
    options : PlanOptions, optional
    lang : {"fa", "en"}
        Language of the figures' labels (text and tables carry both languages).
    sections : tuple of str
        Which sections, from :data:`SECTIONS`.
    on_section : callable, optional
        Called as ``on_section(key, "start" | "done" | "failed")`` (progress bars).

    Raises
    ------
    ValueError
        For an unknown province or section; a failing section does not raise.
    """
    import time

    if lang not in ("fa", "en"):
        raise ValueError(f"lang must be 'fa' or 'en', not {lang!r}")
    unknown = [s for s in sections if s not in BUILDERS]
    if unknown:
        raise ValueError(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    ctx = _Context(ws=ws, province=province, options=options or PlanOptions(), lang=lang)
    r = ctx.regions
    prov = r[(r["level"] == "province") & (r["code"] == province)]
    if prov.empty:
        known = ", ".join(sorted(r.loc[r["level"] == "province", "code"]))
        raise ValueError(f"province {province!r} is not in the workspace (provinces: {known})")
    built: list[Section] = []
    failed: dict[str, str] = {}
    seconds: dict[str, float] = {}
    # the appendix gathers the other sections' notes, so it is built last
    order = [s for s in sections if s != "appendix"] + [s for s in sections if s == "appendix"]
    for key in order:
        if on_section:
            on_section(key, "start")
        start = time.perf_counter()
        try:
            section = BUILDERS[key](ctx)
        except Exception as exc:  # one section's failure must not lose the others
            title = TITLES[key]
            section = Section(key=key, title_fa=title[0], title_en=title[1],
                              error=f"{type(exc).__name__}: {exc}")
            failed[key] = traceback.format_exc()
        seconds[key] = time.perf_counter() - start
        built.append(section)
        if on_section:
            on_section(key, "failed" if key in failed else "done")
    built.sort(key=lambda s: sections.index(s.key))
    plan = Plan(province_code=province, province_name_fa=str(prov["name_fa"].iloc[0]),
                province_name_en=str(prov["name_en"].iloc[0]),
                generated_at=_dt.datetime.now().replace(microsecond=0),
                synthetic=ws.synthetic, sections=built, workspace_name=ws.name)
    return PlanResult(plan=plan, failed=failed, seconds=seconds)


FORMATS: tuple[str, ...] = ("html", "xlsx", "pdf")


def write_plan(plan: Plan, out_dir: str | Path, *, lang: str = "fa",
               formats: tuple[str, ...] = FORMATS) -> dict[str, Path | Exception]:
    """Render ``plan`` to ``out_dir/plan.{html,xlsx,pdf}``.

    Returns, per format, the written path or the exception that stopped it (the other formats
    are still written).
    """
    from khooshe.reports import html, pdf, xlsx

    renderers = {"html": html.render_html, "xlsx": xlsx.render_xlsx, "pdf": pdf.render_pdf}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path | Exception] = {}
    for fmt in formats:
        try:
            written[fmt] = renderers[fmt](plan, out / f"plan.{fmt}", lang=lang)
        except Exception as exc:  # noqa: BLE001 - reported per format by the caller
            written[fmt] = exc
    return written

