"""The synthetic cluster programme: clusters, members, activities, indicators and funds.

Clusters (``clusters.csv``) follow the seed reports: in Gilan the tea, olive, rice-milling and
kolucheh clusters are running (joint actions, action plan, trust building) and fisheries is at
the tender stage; in Ardabil the carpet, plastics and dairy clusters are being implemented
(action plan, diagnostic, trust building) and twelve more are in feasibility study; Khuzestan
has a steel supply-chain, a dates and a plastics cluster and one in feasibility; a few other
provinces have well-known clusters. Provinces without one get one generated cluster from their
strongest agglomeration.

Members are the operating establishments of the cluster's ISIC classes in its province nearest
its agglomeration centres (more, the further the cluster has gone: none before the diagnostic
stage), plus partners — the provincial Industry, Mine and Trade Organisation and Industrial
Parks Company from the feasibility stage, a university from diagnosis, a producers' association
from trust building and a guarantee fund from the action plan.

Activities (training, domestic and foreign tours, exhibitions, joint purchase, joint marketing,
export consortia, studies) are dated in the three years before the demo date, more and more
varied in later stages. Indicators (Jalali years 1400–1403, from the year the cluster started)
exist from the diagnostic stage on: jobs and members count the member firms that had joined by
the end of the year, with 2–9 % yearly growth back-cast; sales use the sector's output per
worker and ~35 % yearly nominal (inflation) growth; exports grow 5–25 % a year in dollars.

Funds: the SME fund (16,000 bn toman in 1401 with Gilan's 530 bn, 10,000 bn in 1402, split by
province) and a cluster-development programme (1402, 1403) split by number of clusters.
Allocations are integer rials that add up exactly to each total.
"""

from __future__ import annotations

import datetime as dt

import jdatetime
import numpy as np
import pandas as pd

from khooshe.demo.config import AS_OF, PERIODS
from khooshe.demo.data import table
from khooshe.demo.economy import Economy, integer_split
from khooshe.demo.geography import Geography
from khooshe.demo.names import person_names
from khooshe.domain.geo import haversine_km
from khooshe.domain.programme import STAGE_EVIDENCE
from khooshe.domain.vocab import CLUSTER_STAGES, label

TOMAN = 10  # rials
BN_TOMAN = 10**9 * TOMAN
STAGE_ORDER = {s: i for i, s in enumerate(CLUSTER_STAGES)}
#: Range of member firms by stage.
FIRMS_BY_STAGE = {
    "identified": (0, 0), "feasibility": (0, 0), "tender": (0, 0), "diagnostic": (8, 15),
    "trust_building": (12, 25), "action_plan": (18, 35), "joint_actions": (25, 50),
    "self_managed": (30, 60),
}
ACTIVITIES_BY_STAGE = {
    "identified": (0, 0), "feasibility": (1, 1), "tender": (2, 2), "diagnostic": (3, 6),
    "trust_building": (6, 10), "action_plan": (9, 15), "joint_actions": (14, 24),
    "self_managed": (10, 20),
}
KINDS_BY_STAGE = {
    "diagnostic": ("training", "domestic_tour", "other"),
    "trust_building": ("training", "domestic_tour", "exhibition", "other"),
    "action_plan": ("training", "domestic_tour", "exhibition", "foreign_tour", "joint_purchase",
                    "other"),
    "joint_actions": ("training", "domestic_tour", "exhibition", "foreign_tour",
                      "joint_purchase", "joint_marketing", "export_consortium"),
    "self_managed": ("training", "exhibition", "foreign_tour", "joint_purchase",
                     "joint_marketing", "export_consortium"),
}
GROUP_NAMES = {
    "apparel": ("پوشاک", "apparel"), "auto": ("قطعات خودرو", "auto parts"),
    "barberry": ("زرشک", "barberry"), "carpet": ("فرش", "carpet"),
    "cement": ("سیمان و مصالح ساختمانی", "cement and building materials"),
    "ceramics": ("سفال و سرامیک", "pottery"), "citrus": ("مرکبات", "citrus"),
    "copper": ("مس", "copper"), "cotton": ("پنبه", "cotton"), "dairy": ("لبنیات", "dairy"),
    "dates": ("خرما", "dates"), "electrical": ("لوازم برقی", "electrical goods"),
    "feed": ("خوراک دام", "animal feed"), "fish": ("شیلات", "fisheries"),
    "food": ("صنایع غذایی", "food"), "fruit": ("میوه", "fruit"),
    "furniture": ("مبلمان", "furniture"), "halva": ("حلوا", "halva"),
    "handicraft": ("صنایع‌دستی", "handicrafts"), "honey": ("عسل", "honey"),
    "iron": ("سنگ آهن", "iron ore"), "knives": ("چاقو", "knives"),
    "kolucheh": ("کلوچه", "kolucheh"),
    "leather": ("چرم", "leather"), "machinery": ("ماشین‌آلات کشاورزی", "farm machinery"),
    "meat": ("فرآورده‌های گوشتی", "meat products"), "metal": ("سازه‌های فلزی", "metal structures"),
    "oil": ("خدمات نفت", "oil services"), "olive": ("زیتون", "olive"),
    "petchem": ("پتروشیمی و پلاستیک", "petrochemicals and plastics"),
    "pharma": ("دارو", "pharmaceuticals"), "pistachio": ("پسته", "pistachio"),
    "plastics": ("پلاستیک", "plastics"), "potato": ("سیب‌زمینی", "potato"),
    "rice": ("برنج", "rice"), "saffron": ("زعفران", "saffron"), "shoes": ("کفش", "footwear"),
    "steel": ("فولاد و فلزات", "steel and metals"), "stone": ("سنگ", "stone"),
    "sugar": ("شکر", "sugar"), "sweets": ("شیرینی", "confectionery"), "tea": ("چای", "tea"),
    "textile": ("نساجی", "textiles"), "tiles": ("کاشی", "tiles"), "water": ("آب معدنی", "water"),
    "wood": ("چوب", "wood"),
}
TRAINING_TOPICS = ("بازاریابی صادراتی", "بهره‌وری و کاهش ضایعات", "استاندارد و کنترل کیفیت",
                   "بسته‌بندی و برندسازی", "مدیریت مالی", "فروش آنلاین", "ایمنی و بهداشت کار",
                   "قیمت‌گذاری و هزینه‌یابی")
FOREIGN = ("عراق", "ترکیه", "امارات", "چین", "ایتالیا", "جمهوری آذربایجان", "روسیه", "ارمنستان")
EXHIBITIONS = ("نمایشگاه بین‌المللی تهران", "نمایشگاه اختصاصی ایران در بغداد",
               "نمایشگاه اختصاصی ایران در بصره", "نمایشگاه استانی", "نمایشگاه اکسپو کالای ایرانی",
               "نمایشگاه باکو", "نمایشگاه دبی")
OTHER_TITLES = ("مطالعهٔ شناخت و تحلیل وضع موجود", "جلسهٔ کمیتهٔ راهبری توسعهٔ خوشه",
                "نشست هم‌اندیشی اعضا", "تدوین برنامهٔ اقدام مشترک")
PARTICIPANTS = {  # (low, high)
    "training": (15, 40), "domestic_tour": (8, 20), "foreign_tour": (5, 12),
    "exhibition": (5, 15), "joint_purchase": (5, 20), "joint_marketing": (5, 15),
    "export_consortium": (4, 10), "other": (8, 30),
}
COST = {  # rials (low, high)
    "training": (2e8, 1.5e9), "domestic_tour": (5e8, 3e9), "foreign_tour": (3e9, 2e10),
    "exhibition": (2e9, 1.5e10), "joint_purchase": (1e9, 1e10), "joint_marketing": (1e9, 8e9),
    "export_consortium": (1e9, 6e9), "other": (1e8, 2e9),
}


def _jalali_year(day: dt.date) -> int:
    return jdatetime.date.fromgregorian(date=day).year


def _end_of_jalali_year(year: int) -> dt.date:
    return jdatetime.date(year + 1, 1, 1).togregorian() - dt.timedelta(days=1)


def _cluster_specs(rng, econ: Economy, geo: Geography) -> pd.DataFrame:
    """Seed clusters plus one generated cluster per province that has none."""
    spec = table("clusters.csv")
    aggl = table("agglomerations.csv")
    have = set(spec["province"])
    names = dict(zip(geo.provinces["code"], geo.provinces["name_fa"], strict=True))
    names_en = dict(zip(geo.provinces["code"], geo.provinces["name_en"], strict=True))
    extra = []
    stages = np.array(["identified", "feasibility", "diagnostic", "trust_building",
                       "action_plan"])
    for prov in geo.provinces["code"]:
        if prov in have:
            continue
        g = aggl[aggl["province"] == prov]
        if g.empty:
            continue
        firms = g.assign(f=g["firms"].astype(int)).groupby("group")["f"].sum()
        group = firms.idxmax()
        isic = ";".join(g.loc[g["group"] == group, "isic"])
        stage = str(rng.choice(stages, p=[0.15, 0.25, 0.2, 0.2, 0.2]))
        start = AS_OF - dt.timedelta(days=int(rng.integers(120, 2200)))
        if stage in ("identified", "feasibility"):
            start = AS_OF - dt.timedelta(days=int(rng.integers(30, 300)))
        fa, en = GROUP_NAMES.get(group, (group, group))
        extra.append({
            "code": f"CL{prov}-01", "province": prov, "group": group, "isic": isic,
            "stage": stage, "start_date": start.isoformat(),
            "name_fa": f"خوشهٔ {fa} {names[prov]}",
            "name_en": f"{names_en[prov]} {en} cluster",
        })
    return pd.concat([spec, pd.DataFrame(extra)], ignore_index=True)


def build_programme(rng: np.random.Generator, econ: Economy,
                    geo: Geography) -> dict[str, pd.DataFrame]:
    """Clusters, members, activities, indicators, funds and allocations."""
    spec = _cluster_specs(rng, econ, geo)
    est = econ.establishments
    est_prov = est["region_code"].str[:2].to_numpy()
    operating = (est["status"] == "operating").to_numpy()
    act = econ.activities.set_index("isic")
    prov_fa = dict(zip(geo.provinces["code"], geo.provinces["name_fa"], strict=True))
    three_years_ago = AS_OF - dt.timedelta(days=3 * 365)

    clusters, members, activities, indicators = [], [], [], []
    agents = person_names(rng, len(spec))
    for ci, c in enumerate(spec.itertuples()):
        start = dt.date.fromisoformat(c.start_date)
        stage_i = STAGE_ORDER[c.stage]
        isics = c.isic.split(";")
        pname = prov_fa[c.province]
        group_fa = GROUP_NAMES.get(c.group, (c.group, c.group))[0]
        centres = econ.centres[(econ.centres["province"] == c.province)
                               & (econ.centres["group"] == c.group)]

        # -- member firms: nearest operating firms of the cluster's classes --------------
        lo, hi = FIRMS_BY_STAGE[c.stage]
        n_firms = int(rng.integers(lo, hi + 1)) if hi else 0
        cand = np.flatnonzero(operating & (est_prov == c.province)
                              & est["isic"].isin(isics).to_numpy())
        firm_rows = np.array([], dtype=int)
        if n_firms and len(cand):
            dist = haversine_km(est["lat"].to_numpy()[cand][:, None],
                                est["lon"].to_numpy()[cand][:, None],
                                centres["lat"].to_numpy()[None, :],
                                centres["lon"].to_numpy()[None, :]).min(axis=1)
            pool = cand[np.argsort(dist, kind="stable")[: 2 * n_firms]]
            firm_rows = np.sort(rng.choice(pool, size=min(n_firms, len(pool)), replace=False))
        span = max((AS_OF - start).days, 1)
        early = rng.random(len(firm_rows)) < 0.5
        offset = np.where(early, rng.integers(0, 120, len(firm_rows)),
                          (rng.random(len(firm_rows)) * span).astype(int))
        joined = [start + dt.timedelta(days=int(min(o, span))) for o in offset]
        for r, j in zip(firm_rows, joined, strict=True):
            members.append({
                "cluster_code": c.code, "member_id": f"M-{est.at[r, 'id']}",
                "name": est.at[r, "name"], "kind": "firm", "role": "member",
                "establishment_id": est.at[r, "id"], "joined": j.isoformat(),
            })
        partners = []
        if stage_i >= STAGE_ORDER["feasibility"]:
            partners += [("G-IMT", f"سازمان صنعت، معدن و تجارت استان {pname}", "government"),
                         ("G-ISIPO", f"شرکت شهرک‌های صنعتی استان {pname}", "government")]
        if stage_i >= STAGE_ORDER["diagnostic"]:
            partners.append(("U-01", f"دانشگاه دولتی استان {pname}", "university"))
        if stage_i >= STAGE_ORDER["trust_building"]:
            partners.append(("A-01", f"انجمن تولیدکنندگان {group_fa} استان {pname}",
                             "association"))
        if stage_i >= STAGE_ORDER["action_plan"]:
            partners.append(("F-01", "صندوق ضمانت سرمایه‌گذاری صنایع کوچک، نمایندگی استان "
                             + pname, "financial"))
        for mid, name, kind in partners:
            members.append({"cluster_code": c.code, "member_id": mid, "name": name,
                            "kind": kind, "role": "partner", "establishment_id": None,
                            "joined": start.isoformat()})

        counties = sorted(set(est["region_code"].to_numpy()[firm_rows].astype(str).tolist())
                          | set(centres["county"]))
        counties = sorted({x[:4] for x in counties})
        clusters.append({
            "code": c.code, "name_fa": c.name_fa, "name_en": c.name_en,
            "province_code": c.province, "isic": c.isic,
            "products": c.products if isinstance(c.products, str) and c.products else None,
            "regions": ";".join(counties) if counties else None, "stage": c.stage,
            "start_date": c.start_date,
            "agent": agents[ci] if stage_i >= STAGE_ORDER["diagnostic"] else None,
        })

        # -- activities ---------------------------------------------------------------------
        lo, hi = ACTIVITIES_BY_STAGE[c.stage]
        n_act = int(rng.integers(lo, hi + 1)) if hi else 0
        first = max(start, three_years_ago)
        days = max((AS_OF - first).days, 1)
        dates = sorted(first + dt.timedelta(days=int(x))
                       for x in rng.integers(0, days + 1, n_act))
        kinds = KINDS_BY_STAGE.get(c.stage, ("other",))
        for k, day in enumerate(dates, start=1):
            kind = str(rng.choice(kinds))
            if kind == "training":
                title = f"دورهٔ آموزشی {rng.choice(TRAINING_TOPICS)}"
            elif kind == "domestic_tour":
                other = rng.choice([p for p in prov_fa if p != c.province])
                title = f"بازدید از واحدهای {group_fa} استان {prov_fa[other]}"
            elif kind == "foreign_tour":
                title = f"تور صنعتی {rng.choice(FOREIGN)}"
            elif kind == "exhibition":
                title = f"حضور در {rng.choice(EXHIBITIONS)}"
            elif kind == "joint_purchase":
                title = "خرید مشترک مواد اولیه"
            elif kind == "joint_marketing":
                title = "بازاریابی و برند مشترک"
            elif kind == "export_consortium":
                title = "تشکیل کنسرسیوم صادراتی"
            elif c.stage == "feasibility" or (c.stage == "tender" and k == 1):
                title = "مطالعهٔ امکان‌سنجی توسعهٔ خوشه"
            elif c.stage == "tender":
                title = "فراخوان انتخاب عامل توسعهٔ خوشه"
            else:
                title = str(rng.choice(OTHER_TITLES))
            plo, phi = PARTICIPANTS[kind]
            clo, chi = COST[kind]
            activities.append({
                "cluster_code": c.code, "activity_id": f"A{k:03d}", "kind": kind,
                "title": title, "date": day.isoformat(),
                "participants": int(rng.integers(plo, phi + 1)),
                "cost_rials": int(round(rng.uniform(clo, chi) / 1e6) * 1e6),
            })

        # -- indicators -----------------------------------------------------------------------
        if stage_i >= STAGE_ORDER["diagnostic"] and len(firm_rows):
            emp = est["employees"].to_numpy()[firm_rows].astype(float)
            exp_usd = est["exports_usd"].to_numpy()[firm_rows].astype(float)
            growth = rng.uniform(0.02, 0.09)
            x_growth = rng.uniform(0.05, 0.25)
            per_worker = act.loc[isics[0], "output_per_worker"]
            unit_value = act.loc[isics[0], "unit_value"]
            first_year = max(int(PERIODS[0]), _jalali_year(start))
            for period in PERIODS:
                year = int(period)
                if year < first_year:
                    continue
                back = int(PERIODS[-1]) - year
                end = _end_of_jalali_year(year)
                joined_by = np.array([j <= end for j in joined])
                jobs = emp[joined_by].sum() / (1 + growth) ** back
                sales = jobs * per_worker * rng.lognormal(0, 0.1) / 1.35 ** back
                exports = exp_usd[joined_by].sum() / (1 + x_growth) ** back
                indicators.append({
                    "cluster_code": c.code, "period": period, "jobs": int(round(jobs)),
                    "sales_rials": int(round(sales / 1e6) * 1e6),
                    "exports_usd": float(round(exports, 0)),
                    "exports_t": float(round(exports / unit_value, 1)),
                    "members": int(joined_by.sum()),
                })

    funds, allocations = _funds(rng, geo, pd.DataFrame(clusters))
    return {
        "clusters": pd.DataFrame(clusters),
        "cluster_members": pd.DataFrame(members),
        "cluster_activities": pd.DataFrame(activities),
        "cluster_indicators": pd.DataFrame(indicators),
        "funds": funds,
        "fund_allocations": allocations,
    }


#: (programme, Jalali year, Persian name, total in bn toman)
FUNDS = (
    ("sme_fund", 1401, "تسهیلات توسعهٔ صنایع کوچک و متوسط", 16_000),
    ("sme_fund", 1402, "تسهیلات توسعهٔ صنایع کوچک و متوسط", 10_000),
    ("cluster_dev", 1402, "برنامهٔ توسعهٔ خوشه‌های کسب‌وکار", 400),
    ("cluster_dev", 1403, "برنامهٔ توسعهٔ خوشه‌های کسب‌وکار", 550),
)
#: Fixed provincial shares (bn toman) quoted by the seed reports.
FIXED_SHARES = {("sme_fund", 1401, "01"): 530}
#: Allocations are whole multiples of this many rials (100 million toman).
ALLOCATION_UNIT = 10**9


def _funds(rng, geo: Geography, clusters: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    prov = geo.provinces["code"].to_numpy()
    pop = geo.provinces["population"].to_numpy(dtype=float)
    n_clusters = clusters.groupby("province_code").size().reindex(prov, fill_value=0).to_numpy()
    funds, rows = [], []
    for programme, year, name, bn in FUNDS:
        total = bn * BN_TOMAN
        funds.append({"programme": programme, "year": year, "name_fa": name,
                      "total_rials": total})
        if programme == "sme_fund":
            w = pop ** 0.9 * rng.lognormal(0, 0.2, len(prov))
        else:
            w = (1.0 + n_clusters) * rng.lognormal(0, 0.15, len(prov))
        fixed = np.array([FIXED_SHARES.get((programme, year, p), 0) * BN_TOMAN for p in prov],
                         dtype=np.int64)
        free = fixed == 0
        units = (total - fixed.sum()) // ALLOCATION_UNIT
        amount = fixed.copy()
        amount[free] = integer_split(w[free], int(units)) * ALLOCATION_UNIT
        amount[np.argmax(np.where(free, amount, -1))] += total - amount.sum()  # exact total
        for p, a in zip(prov, amount, strict=True):
            rows.append({"programme": programme, "year": year, "region_code": p,
                         "amount_rials": int(a)})
    return pd.DataFrame(funds), pd.DataFrame(rows)


#: Share of the evidence a reached stage expects that the demo registers (the rest is the gap
#: the timeline warns about).
EVIDENCE_KEPT = 0.85


def build_stage_history(rng: np.random.Generator,
                        clusters: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each cluster's approved stages up to the current one (dated from its start to the demo's
    date, approved by the province's steering committee on a numbered decision) and the
    documents that evidence them, some missing."""
    stages, documents = [], []
    for c in clusters.itertuples():
        reached = CLUSTER_STAGES[:STAGE_ORDER[c.stage] + 1]
        start = dt.date.fromisoformat(str(c.start_date))
        span = max((AS_OF - start).days, len(reached))
        # approvals spread over the cluster's life, the first on its start date
        offsets = np.sort(rng.choice(np.arange(1, span), size=len(reached) - 1,
                                     replace=False)) if len(reached) > 1 else np.array([])
        days = [start] + [start + dt.timedelta(days=int(d)) for d in offsets]
        n_doc = 0
        for stage, day in zip(reached, days, strict=True):
            jday = jdatetime.date.fromgregorian(date=day)
            # decisions are numbered through the Jalali year, so later ones get higher numbers
            number = (jday - jdatetime.date(jday.year, 1, 1)).days + int(rng.integers(1, 9))
            year = jday.year
            decision = None if stage == "identified" else f"{year}/{number}"
            stages.append({
                "cluster_code": c.code, "stage": stage, "approved_on": day.isoformat(),
                "approved_by": "دبیرخانهٔ کارگروه توسعهٔ خوشه‌های استان",
                "decision": decision, "note": None,
            })
            for kind in STAGE_EVIDENCE[stage]:
                if rng.random() > EVIDENCE_KEPT:
                    continue
                n_doc += 1
                documents.append({
                    "cluster_code": c.code, "document_id": f"D{n_doc:02d}", "kind": kind,
                    "title": f"{label('document_kind', kind, 'fa')} — {c.name_fa}",
                    "dated": (day - dt.timedelta(days=int(rng.integers(3, 40)))).isoformat(),
                    "reference": f"{year}/{int(rng.integers(100, 9000))}",
                })
    return {"cluster_stages": pd.DataFrame(stages),
            "cluster_documents": pd.DataFrame(documents)}


#: Provinces whose steering committees meet in the demo (the seed reports' three).
COMMITTEE_PROVINCES = ("01", "06", "24")
#: Organisations a committee assigns its decisions to.
ORGANISATIONS = (
    "سازمان صنعت، معدن و تجارت استان", "شرکت شهرک‌های صنعتی استان",
    "سازمان جهاد کشاورزی استان", "سازمان مدیریت و برنامه‌ریزی استان",
    "بانک توسعهٔ صادرات", "صندوق کارآفرینی امید", "اتاق بازرگانی استان",
    "ادارهٔ کل آموزش فنی و حرفه‌ای استان",
)
#: What committees decide about a cluster ({c}: its name).
DECISION_TEXTS = (
    "تهیهٔ برنامهٔ آموزشی اعضای {c}",
    "معرفی واحدهای {c} به بانک برای تسهیلات سرمایهٔ در گردش",
    "برگزاری نمایشگاه محصولات {c}",
    "تأمین زمین در شهرک صنعتی برای کارگاه مشترک {c}",
    "پیگیری قرارداد عامل توسعهٔ {c}",
    "بررسی بازار صادراتی عراق برای محصولات {c}",
)


def build_committee(rng: np.random.Generator,
                    clusters: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Four quarterly meetings of the steering committee of each province of
    :data:`COMMITTEE_PROVINCES` in the year before the demo's date, reviewing the province's
    clusters, each with two to four decisions; decisions past their date are mostly done."""
    meetings, decisions = [], []
    for prov in COMMITTEE_PROVINCES:
        own = clusters[clusters["province_code"] == prov]
        if own.empty:
            continue
        for n in range(4):
            held = AS_OF - dt.timedelta(days=365 - 90 * n - int(rng.integers(0, 20)))
            year = jdatetime.date.fromgregorian(date=held).year
            meeting_id = f"SC{prov}-{year}-{n + 1:02d}"
            reviewed = own.sample(min(len(own), 2 + n % 2), random_state=int(rng.integers(10**9)))
            meetings.append({
                "meeting_id": meeting_id, "province_code": prov, "held_on": held.isoformat(),
                "chair": "معاون هماهنگی امور اقتصادی استانداری",
                "attendees": "؛ ".join(rng.choice(ORGANISATIONS, 5, replace=False)),
                "clusters": ";".join(reviewed["code"]),
                "agenda": "گزارش پیشرفت خوشه‌ها و پیگیری مصوبه‌های جلسهٔ پیشین",
                "minutes_ref": f"{year}/{int(rng.integers(100, 900))}",
            })
            for k in range(int(rng.integers(2, 5))):
                c = reviewed.iloc[k % len(reviewed)]
                due = held + dt.timedelta(days=int(rng.integers(30, 120)))
                late = due < AS_OF
                status = ("cancelled" if rng.random() < 0.05 else
                          "done" if late and rng.random() < 0.6 else "open")
                done_on = (min(AS_OF, due + dt.timedelta(days=int(rng.integers(-20, 40))))
                           if status == "done" else None)
                decisions.append({
                    "meeting_id": meeting_id, "number": k + 1, "province_code": prov,
                    "cluster_code": c["code"],
                    "text": str(rng.choice(DECISION_TEXTS)).format(c=c["name_fa"]),
                    "responsible": str(rng.choice(ORGANISATIONS)),
                    "due_on": due.isoformat(), "status": status,
                    "done_on": done_on.isoformat() if done_on else None,
                    "follow_up": None,
                })
    return {"committee_meetings": pd.DataFrame(meetings),
            "committee_decisions": pd.DataFrame(decisions)}


#: Problems organisations meet in supporting clusters (seed R18): (who reports it, the problem
#: ({c}: the cluster's name), the support needed, asked of whom).
PROBLEMS = (
    ("بانک توسعهٔ صادرات", "اعضای {c} وثیقهٔ ملکی کافی برای تسهیلات سرمایهٔ در گردش ندارند",
     "پذیرش ضمانت‌نامهٔ صندوق ضمانت به جای وثیقهٔ ملکی", "سازمان صنعت، معدن و تجارت استان"),
    ("شرکت شهرک‌های صنعتی استان", "واگذاری زمین کارگاه مشترک {c} در کمیسیون مانده است",
     "طرح در کمیسیون واگذاری استان", "سازمان مدیریت و برنامه‌ریزی استان"),
    ("سازمان جهاد کشاورزی استان", "مواد اولیهٔ مرغوب واحدهای فرآوری {c} کم است",
     "قرارداد کشت با بهره‌برداران و خرید تضمینی", "سازمان صنعت، معدن و تجارت استان"),
    ("اتاق بازرگانی استان", "اعضای {c} اطلاعاتی از بازار کشورهای همسایه ندارند",
     "بستهٔ اطلاعات بازار و اعزام هیئت تجاری", "سازمان صنعت، معدن و تجارت استان"),
    ("ادارهٔ کل آموزش فنی و حرفه‌ای استان", "واحدهای {c} نیروی ماهر کافی نمی‌یابند",
     "اعتبار دوره‌های آموزشی ویژهٔ خوشه", "سازمان مدیریت و برنامه‌ریزی استان"),
    ("صندوق کارآفرینی امید", "سقف تسهیلات صندوق برای کارگاه‌های خانگی {c} کم است",
     "افزایش سقف تسهیلات مشاغل خانگی", "سازمان مدیریت و برنامه‌ریزی استان"),
)


def build_problems(rng: np.random.Generator, clusters: pd.DataFrame,
                   meetings: pd.DataFrame) -> pd.DataFrame:
    """Problems the organisations of each committee's province reported in supporting its
    clusters: three or four a province over the year; those reported before a meeting were
    mostly taken up there, and some of those resolved since."""
    rows = []
    for prov in COMMITTEE_PROVINCES:
        own = clusters[clusters["province_code"] == prov]
        held = meetings.loc[meetings["province_code"] == prov].sort_values("held_on")
        if own.empty:
            continue
        picked = rng.choice(len(PROBLEMS), int(rng.integers(3, 5)), replace=False)
        for n, i in enumerate(picked):
            who, text, support, asked = PROBLEMS[int(i)]
            c = own.iloc[int(rng.integers(len(own)))]
            reported = AS_OF - dt.timedelta(days=int(rng.integers(20, 330)))
            after = held[held["held_on"] > reported.isoformat()]
            status, meeting, resolved = "open", None, None
            if not after.empty and rng.random() < 0.8:
                status, meeting = "taken_up", str(after.iloc[0]["meeting_id"])
                taken = dt.date.fromisoformat(str(after.iloc[0]["held_on"]))
                if rng.random() < 0.5 and taken + dt.timedelta(days=30) < AS_OF:
                    status = "resolved"
                    resolved = taken + dt.timedelta(days=int(rng.integers(30, 90)))
                    resolved = min(resolved, AS_OF)
            rows.append({
                "problem_id": f"PR{prov}-{n + 1:02d}", "province_code": prov,
                "organisation": who, "cluster_code": c["code"],
                "reported_on": reported.isoformat(), "problem": text.format(c=c["name_fa"]),
                "support_needed": support, "asked_of": asked, "status": status,
                "meeting_id": meeting,
                "resolved_on": resolved.isoformat() if resolved else None, "note": None})
    return pd.DataFrame(rows)


def build_province_exports(rng: np.random.Generator, regions: pd.DataFrame,
                           establishments: pd.DataFrame) -> pd.DataFrame:
    """Every province's exports over :data:`PERIODS` as its customs would report them: in the
    last year the part made in the province is about what its establishments export, and it is
    55–92 % of the whole (the rest passes through from other provinces); earlier years grow
    towards it by 0–35 % a year."""
    provinces = regions.loc[regions["level"] == "province", "code"].astype(str)
    made = establishments.assign(p=establishments["region_code"].astype(str).str[:2]).groupby(
        "p")[["exports_usd", "exports_t"]].sum()
    rows = []
    for prov in sorted(provinces):
        if prov not in made.index or made.loc[prov, "exports_usd"] <= 0:
            continue
        value = float(made.loc[prov, "exports_usd"]) * rng.uniform(0.95, 1.05)
        weight = float(made.loc[prov, "exports_t"]) * rng.uniform(0.95, 1.05)
        share = rng.uniform(0.55, 0.92)
        share_t = min(1.0, share * rng.uniform(0.9, 1.1))
        for period in reversed(PERIODS):
            rows.append({
                "province_code": prov, "period": period,
                "exports_usd": round(value / share), "exports_t": round(weight / share_t, 1),
                "in_province_usd": round(value), "in_province_t": round(weight, 1),
                "source": "گمرک استان (ساختگی)"})
            grown = rng.uniform(1.0, 1.35)
            value, weight = value / grown, weight / grown * rng.uniform(0.95, 1.05)
            share = float(np.clip(share * rng.uniform(0.92, 1.05), 0.4, 0.95))
            share_t = float(np.clip(share * rng.uniform(0.9, 1.1), 0.4, 1.0))
    return pd.DataFrame(rows).sort_values(["province_code", "period"]).reset_index(drop=True)


def build_targets(rng: np.random.Generator, indicators: pd.DataFrame,
                  activities: pd.DataFrame) -> pd.DataFrame:
    """Targets of the last period for every cluster with indicators (jobs, exports by value,
    members, joint actions), set in its action plan from its first period: some reached,
    some at risk, some off track."""
    from khooshe.domain.vocab import JOINT_ACTIONS

    rows = []
    last = PERIODS[-1]
    joint = activities[activities["kind"].isin(JOINT_ACTIONS)]
    joint_last = joint[joint["date"].map(
        lambda d: str(jdatetime.date.fromgregorian(date=dt.date.fromisoformat(str(d))).year))
        == last].groupby("cluster_code").size()
    for code, own in indicators.sort_values("period").groupby("cluster_code"):
        first, final = own.iloc[0], own.iloc[-1]
        if final["period"] != last or first["period"] == last:
            continue
        for name in ("jobs", "exports_usd", "members"):
            base, reached = float(first[name]), float(final[name])
            target = base + (reached - base) * rng.uniform(0.8, 1.8)
            rows.append({"cluster_code": code, "indicator": name, "period": last,
                         "baseline": round(base), "baseline_period": first["period"],
                         "target": round(max(target, base)), "source": "برنامهٔ عمل خوشه"})
        done = int(joint_last.get(code, 0))
        rows.append({"cluster_code": code, "indicator": "joint_actions", "period": last,
                     "baseline": 0, "baseline_period": None,
                     "target": max(1, round(done * rng.uniform(0.8, 2.0))),
                     "source": "برنامهٔ عمل خوشه"})
    return pd.DataFrame(rows)


#: Contractors of the demo's park projects.
CONTRACTORS = ("شرکت عمران‌سازان جنوب", "شرکت راه و ساختمان پارس", "شرکت تأسیسات نوین",
               "شرکت آب و سازه")


def build_delivery(rng: np.random.Generator, clusters: pd.DataFrame, establishments: pd.DataFrame,
                   parks: pd.DataFrame, allocations: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The money and the works of the seed provinces (:data:`COMMITTEE_PROVINCES`): the cluster
    development fund of 1403 committed to each cluster and partly disbursed; the SME fund of
    1402 committed to six half-finished units being completed, with progress reports; two civil
    projects per province in its first parks, some behind their plan."""
    commitments, reports, projects = [], [], []
    for prov in COMMITTEE_PROVINCES:
        budget = allocations.set_index(["programme", "year", "region_code"])["amount_rials"]
        own = clusters[clusters["province_code"] == prov]
        cap = int(budget.get(("cluster_dev", 1403, prov), 0) * 0.6)
        for c in own.itertuples():
            amount = min(int(rng.integers(2, 9)) * 10**9, cap)
            if amount <= 0:
                break
            cap -= amount
            paid = int(amount * rng.choice([0.0, 0.3, 0.6, 1.0]))
            commitments.append({
                "commitment_id": f"C{c.code}-1403", "programme": "cluster_dev", "year": 1403,
                "region_code": prov, "recipient_kind": "cluster", "recipient": c.code,
                "committed_rials": amount,
                "committed_on": (AS_OF - dt.timedelta(days=300)).isoformat(),
                "disbursed_rials": paid,
                "disbursed_on": (AS_OF - dt.timedelta(days=60)).isoformat() if paid else None,
                "jobs_expected": int(rng.integers(10, 60)), "jobs_realised": None,
                "note": None})
        half = establishments[(establishments["status"] == "half_finished")
                              & establishments["region_code"].str.startswith(prov)]
        cap = int(budget.get(("sme_fund", 1402, prov), 0) * 0.2)
        half = half.assign(expected_jobs=pd.to_numeric(half["expected_jobs"]),
                           progress_pct=pd.to_numeric(half["progress_pct"]))
        for u in half.sort_values(["expected_jobs", "id"], ascending=[False, True]).head(6)\
                .itertuples():
            amount = min(int(rng.integers(10, 60)) * 10**9, cap)
            if amount <= 0:
                break
            cap -= amount
            commitments.append({
                "commitment_id": f"C{u.id}-1402", "programme": "sme_fund", "year": 1402,
                "region_code": prov, "recipient_kind": "unit", "recipient": u.id,
                "committed_rials": amount,
                "committed_on": (AS_OF - dt.timedelta(days=420)).isoformat(),
                "disbursed_rials": int(amount * 0.5),
                "disbursed_on": (AS_OF - dt.timedelta(days=200)).isoformat(),
                "jobs_expected": int(u.expected_jobs), "jobs_realised": None, "note": None})
            funded = AS_OF - dt.timedelta(days=400)
            first = None if u.progress_pct != u.progress_pct else float(u.progress_pct)
            later = min(99.0, (first or 40.0) + float(rng.integers(3, 15)))
            for day, status, progress in (
                    (funded, "funded", first),
                    (AS_OF - dt.timedelta(days=30),
                     str(rng.choice(["completing", "completing", "stalled"])), later)):
                reports.append({"establishment_id": u.id, "reported_on": day.isoformat(),
                                "region_code": u.region_code, "status": status,
                                "progress": progress, "jobs_realised": None, "note": None})
        for k, park in enumerate(parks[parks["region_code"].str.startswith(prov)].head(2)
                                 .itertuples()):
            start = AS_OF - dt.timedelta(days=int(rng.integers(300, 700)))
            end = start + dt.timedelta(days=int(rng.integers(600, 900)))
            expected = 100 * (AS_OF - start).days / (end - start).days
            actual = max(0.0, min(100.0, expected + float(rng.normal(-12, 10))))
            projects.append({
                "project_id": f"PP-{park.code}-{k + 1}", "park_code": park.code,
                "region_code": park.region_code,
                "title": f"تکمیل زیرساخت آب، برق و راه‌های {park.name_fa}",
                "contractor": str(rng.choice(CONTRACTORS)),
                "planned_start": start.isoformat(), "planned_end": end.isoformat(),
                "actual_progress": round(actual, 1), "updated_on": AS_OF.isoformat(),
                "status": "under_way", "note": None})
    return {"fund_commitments": pd.DataFrame(commitments),
            "unit_progress": pd.DataFrame(reports), "park_projects": pd.DataFrame(projects)}


#: ISO3 of the countries of :data:`FOREIGN` (tours) and of the exhibitions abroad.
FOREIGN_ISO3 = {"عراق": "IRQ", "ترکیه": "TUR", "امارات": "ARE", "چین": "CHN", "ایتالیا": "ITA",
                "جمهوری آذربایجان": "AZE", "روسیه": "RUS", "ارمنستان": "ARM", "بغداد": "IRQ",
                "بصره": "IRQ", "باکو": "AZE", "دبی": "ARE"}
#: Foreign buyers whose standing the clusters check before exporting, by country.
FOREIGN_COMPANIES = {"IRQ": "Al-Rafidain Trading", "TUR": "Anatolia Gıda",
                     "ARE": "Gulf Fresh Foods", "AZE": "Caspian Import",
                     "RUS": "Volga Trade House", "ARM": "Ararat Import",
                     "ITA": "Milano Tessuti", "CHN": "Shenzhen Sourcing"}


def enrich_activities(rng: np.random.Generator, activities: pd.DataFrame,
                      members: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Details the programme's activities lack: a course's hours and trainees, the members'
    share of the cost, the country of tours and exhibitions abroad; the member firms that took
    part in each activity; and, for clusters that toured abroad, checks of foreign partners."""
    acts = activities.copy()
    training = (acts["kind"] == "training").to_numpy()
    acts["hours"] = np.where(training, rng.choice([8, 16, 24, 32, 40], len(acts)), np.nan)
    acts["trainees"] = pd.array(np.where(training, acts["participants"], 0), dtype="Int64")
    acts.loc[~training, "trainees"] = pd.NA
    share = rng.uniform(0.1, 0.5, len(acts))
    acts["cofinance_rials"] = (np.round(acts["cost_rials"].to_numpy() * share / 1e6) * 1e6
                               ).astype("int64")
    country = []
    for title, kind in zip(acts["title"], acts["kind"], strict=True):
        iso = next((code for name, code in FOREIGN_ISO3.items() if name in str(title)), None)
        country.append(iso if kind in ("foreign_tour", "exhibition") else None)
    acts["country"] = country
    acts["place"] = None
    firms = members[members["kind"] == "firm"].groupby("cluster_code")["member_id"].agg(list)
    participants, checks = [], []
    for a in acts.itertuples():
        own = firms.get(a.cluster_code, [])
        if not own or a.kind in ("other",):
            continue
        n = min(len(own), max(1, int(rng.integers(2, 8))))
        for member in rng.choice(own, n, replace=False):
            participants.append({"cluster_code": a.cluster_code, "activity_id": a.activity_id,
                                 "member_id": str(member), "people": int(rng.integers(1, 4))})
    abroad = acts[acts["country"].notna() & acts["kind"].isin(["foreign_tour", "exhibition"])]
    for k, a in enumerate(abroad.drop_duplicates("cluster_code").itertuples(), start=1):
        checks.append({
            "cluster_code": a.cluster_code, "verification_id": f"V{k:02d}",
            "company": FOREIGN_COMPANIES[str(a.country)], "country": a.country,
            "verified": "ثبت شرکت، سابقهٔ خرید و اعتبار بانکی",
            "verified_by": "رایزنی بازرگانی", "verified_on": a.date,
            "outcome": str(rng.choice(["confirmed", "confirmed", "doubtful", "rejected"])),
            "note": None})
    return {"cluster_activities": acts,
            "activity_participants": pd.DataFrame(participants),
            "partner_verifications": pd.DataFrame(checks)}
