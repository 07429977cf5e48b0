"""Large buyers and their purchases (SYNTHETIC): the supply chains of seed R8.

The seed report from Khuzestan says the Ahvaz steel plant buys inputs in Isfahan that plants in
the province (such as Foolad Oxin) could supply. The demo builds that story on its own
synthetic establishments: Khuzestan's largest operating steel maker (ISIC 2410) becomes the
Ahvaz-like plant, the next one an Oxin-like plate maker, and the largest petrochemical and cane
sugar plants are large buyers too. Each buyer's yearly purchases of its main inputs are split
between suppliers in Isfahan (province 10, for the steel plant), other provinces, the
province itself and abroad (no supplier region), so some inputs have local makers and some
(furnace burners, steel-mill machinery) are made by nobody in the province: the missing
links.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khooshe.demo.names import SYNTHETIC_TAG

#: (buyer role, input ISIC, HS6 or "", Persian and English description, share of the buyer's
#: output bought, share from Isfahan, share from elsewhere in Iran, share bought locally).
#: What is left of the shares is imported.
INPUTS: tuple[tuple[str, str, str, str, str, float, float, float, float], ...] = (
    ("steel", "2391", "690220", "آجر و جرم نسوز", "refractory bricks and mixes", 0.020, 0.60,
     0.25, 0.05),
    ("steel", "2394", "252210", "آهک", "quicklime", 0.015, 0.50, 0.30, 0.20),
    ("steel", "2410", "720241", "فروآلیاژ", "ferro-alloys", 0.030, 0.55, 0.20, 0.10),
    ("steel", "2591", "845530", "غلتک نورد", "rolling-mill rolls", 0.010, 0.65, 0.15, 0.05),
    ("steel", "2592", "848390", "قطعات یدکی ماشین‌کاری‌شده", "machined spare parts", 0.012,
     0.45, 0.25, 0.25),
    ("steel", "2399", "854511", "الکترود گرافیتی", "graphite electrodes", 0.008, 0.20, 0.10,
     0.0),
    ("steel", "2815", "851410", "مشعل و قطعات کوره", "furnace burners and parts", 0.006, 0.50,
     0.20, 0.0),
    ("steel", "2823", "845590", "قطعات ماشین‌آلات فولادسازی", "steel-mill machinery parts",
     0.007, 0.40, 0.10, 0.0),
    ("petchem", "2029", "381519", "کاتالیست", "catalysts", 0.010, 0.0, 0.35, 0.0),
    ("petchem", "2592", "848180", "شیر و قطعات صنعتی", "industrial valves and parts", 0.008,
     0.10, 0.40, 0.20),
    ("petchem", "2220", "392330", "بسته‌بندی پلاستیکی", "plastic packaging", 0.006, 0.0, 0.40,
     0.45),
    ("sugar", "1702", "481910", "کارتن بسته‌بندی", "cartons", 0.004, 0.0, 0.50, 0.10),
    ("sugar", "2220", "392321", "کیسهٔ پلاستیکی", "plastic sacks", 0.006, 0.0, 0.30, 0.50),
)
#: The buyers: role, ISIC of the plant, the (Persian) name given to it.
BUYERS = (("steel", "2410", "مجتمع فولاد اهواز"),
          ("petchem", "2011", "پتروشیمی ماهشهر"),
          ("sugar", "1072", "کشت و صنعت نیشکر"))
PROVINCE, ISFAHAN = "06", "10"


def _largest(est: pd.DataFrame, isic: str, province: str, skip: set[str]) -> int | None:
    rows = est[(est["isic"] == isic) & (est["status"] == "operating")
               & est["region_code"].str.startswith(province) & ~est["id"].isin(skip)]
    if rows.empty:
        return None
    return int(rows.sort_values(["employees", "id"], ascending=[False, True]).index[0])


def name_buyers(est: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """``est`` with the buyers (and the Oxin-like plate maker) named; their ids by role."""
    est = est.copy()
    ids: dict[str, str] = {}
    for role, isic, fa in BUYERS:
        i = _largest(est, isic, PROVINCE, set(ids.values()))
        if i is None:
            continue
        ids[role] = str(est.at[i, "id"])
        est.at[i, "name"] = fa
        est.at[i, "size_class"] = "large"
    oxin = _largest(est, "2410", PROVINCE, set(ids.values()))
    if oxin is not None:
        est.at[oxin, "name"] = "فولاد اکسین"
        ids["oxin"] = str(est.at[oxin, "id"])
    return est, ids


def build_purchases(rng: np.random.Generator, est: pd.DataFrame,
                    buyers: dict[str, str]) -> pd.DataFrame:
    """One row per (buyer, input, supplier region) with the yearly value and weight."""
    out = est.set_index("id")["annual_output_rials"].astype(float)
    rows = []
    for role, isic, hs6, fa, en, share, isfahan, elsewhere, local in INPUTS:
        buyer = buyers.get(role)
        if buyer is None or not np.isfinite(out.get(buyer, np.nan)):
            continue
        value = out[buyer] * share * rng.lognormal(0, 0.1)
        parts = {ISFAHAN: isfahan, "": 1.0 - isfahan - elsewhere - local, PROVINCE: local}
        other = sorted(set(est["region_code"].str[:2]) - {PROVINCE, ISFAHAN})
        if elsewhere and other:
            parts[str(rng.choice(other))] = elsewhere
        for region, part in parts.items():
            if part <= 0:
                continue
            amount = int(round(value * part / 1e6)) * 10**6
            rows.append({
                "id": f"P{buyer}-{isic}-{region or 'XX'}", "buyer_id": buyer,
                "input_isic": isic, "input_hs6": hs6,
                "description": f"{fa} / {en}{SYNTHETIC_TAG}",
                "value_rials": amount, "weight_t": round(amount / 4e8, 1),  # ~40 m rials per t
                "year": 1402, "supplier_region": region or None, "supplier_id": None,
            })
    return pd.DataFrame(rows, columns=["id", "buyer_id", "input_isic", "input_hs6",
                                       "description", "value_rials", "weight_t", "year",
                                       "supplier_region", "supplier_id"])
