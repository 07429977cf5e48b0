"""A small synthetic world for the village potential tests (analysis and services)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from khooshe.analysis import potential as pt
from khooshe.io.reference import potential_weights_text, resource_links

ACTS = ["1010", "1030", "1040", "1050", "1061", "1079", "1393", "2410"]
KM_LAT = 1 / 111.195  # degrees of latitude per km


def make_world(seed: int = 0, villages_per_county: int = 8) -> dict[str, pd.DataFrame]:
    """Two provinces, four counties, villages on a line east of each county seat.

    County 0101 (tea), 0102 (rice), 0103 (iron ore on the county) in province 01; 0201 in 02.
    Village k of a county lies 2.5·k km east of the seat (lat fixed), population 100·(k+1).
    """
    rng = np.random.default_rng(seed)
    regions = [
        ("01", "province", None, 37.0, 49.0, None, None),
        ("02", "province", None, 36.0, 52.0, None, None),
    ]
    centres = {"0101": (37.2, 49.5), "0102": (37.0, 49.0), "0103": (36.8, 48.5),
               "0201": (36.0, 52.0)}
    for cty, (lat, lon) in centres.items():
        prov = cty[:2]
        regions.append((cty, "county", prov, lat, lon, None, None))
        regions.append((cty + "01", "district", cty, None, None, None, None))
        regions.append((cty + "0101", "rural_district", cty + "01", None, None, None, None))
        regions.append((cty + "9001", "city", cty + "01", lat, lon, 20000, 1))
        dlon = 2.5 / (111.195 * math.cos(math.radians(lat)))
        for k in range(villages_per_county):
            regions.append((f"{cty}0101{k + 1:02d}", "village", cty + "0101", lat,
                            lon + (k + 1) * dlon, 100 * (k + 1), None))
    reg = pd.DataFrame(regions, columns=["code", "level", "parent_code", "lat", "lon",
                                         "population", "is_seat"])
    reg["name_fa"] = "روستا " + reg["code"]
    reg["name_en"] = "Village " + reg["code"]
    reg["working_age_share"] = np.nan
    est = []
    i = 0
    specialty = {"0101": "1079", "0102": "1061", "0103": "2410", "0201": "1393"}
    for cty, (lat, lon) in centres.items():
        for _ in range(12):
            act = specialty[cty] if rng.random() < 0.6 else ACTS[rng.integers(len(ACTS))]
            est.append((f"E{i}", act, cty + "9001", "operating", int(rng.integers(2, 40)),
                        lat + rng.normal(0, 2) * KM_LAT, lon + rng.normal(0, 2) * KM_LAT))
            i += 1
    est.append(("EX", "1050", "0101", "closed", 100, 37.2, 49.5))
    est = pd.DataFrame(est, columns=["id", "isic", "region_code", "status", "employees", "lat",
                                     "lon"])
    res = pd.DataFrame([
        ("0101010103", "tea_leaf", 500.0, "t"),
        ("0101010104", "tea_leaf", 100.0, "t"),
        ("0102010102", "paddy", 900.0, "t"),
        ("0103", "iron_ore", 1e5, "t"),
    ], columns=["region_code", "resource", "quantity", "unit"])
    parks = pd.DataFrame({"code": ["P01", "P02"], "lat": [37.2, 36.0], "lon": [49.5, 52.0]})
    return {"regions": reg, "establishments": est, "resources": res, "parks": parks}


#: The package's default weights and resource links, passed in as the services pass them.
DEFAULTS = potential_weights_text()
LINKS = resource_links()


def parse(text: str | None) -> pt.Weights:
    """Weights from ``text`` over the package's defaults."""
    return pt.parse_weights(text, defaults=DEFAULTS)


def score(*args, **kwargs) -> pt.Potential:
    """:func:`village_potential` with the package's weights and links unless given."""
    kwargs.setdefault("links", LINKS)
    if kwargs.get("weights") is None:
        kwargs["weights"] = parse(None)
    return pt.village_potential(*args, **kwargs)


def in_words(potential: pt.Potential, sl: pt.Shortlist,
             regions: pd.DataFrame | None = None) -> pt.Shortlist:
    """The shortlist with its sentences, as the services give it
    (:func:`khooshe.services.villages.in_words`)."""
    from khooshe.services.villages import in_words as words

    names = regions if regions is not None else pd.DataFrame(
        {"code": [], "name_fa": [], "name_en": []})
    return words(potential, sl, names.set_index("code"))


def three_provinces(seed: int = 0) -> dict[str, pd.DataFrame]:
    """:func:`make_world` with a third province, 03: a copy of province 02 three degrees
    east (its codes renamed), so that a national run has several provinces to score."""
    world = make_world(seed)
    reg, est = world["regions"], world["establishments"]

    def renamed(codes: pd.Series) -> pd.Series:
        return codes.where(~codes.fillna("").str.startswith("02"),
                           "03" + codes.fillna("").str[2:])

    copy = reg[reg["code"].str.startswith("02")].copy()
    copy["code"] = renamed(copy["code"])
    copy["parent_code"] = renamed(copy["parent_code"])
    copy["lon"] = copy["lon"] + 3
    copy["name_fa"] = "روستا " + copy["code"]
    copy["name_en"] = "Village " + copy["code"]
    firms = est[est["region_code"].str.startswith("02")].copy()
    firms["id"] = "F" + firms["id"]
    firms["region_code"] = renamed(firms["region_code"])
    firms["lon"] = firms["lon"] + 3
    parks = pd.DataFrame({"code": ["P01", "P02", "P03"], "name_fa": ["پارک ۱", "پارک ۲",
                                                                     "پارک ۳"],
                          "name_en": ["Park 1", "Park 2", "Park 3"],
                          "region_code": ["0101", "0201", "0301"],
                          "lat": [37.2, 36.0, 36.0], "lon": [49.5, 52.0, 55.0]})
    return {"regions": pd.concat([reg, copy], ignore_index=True),
            "establishments": pd.concat([est, firms], ignore_index=True),
            "resources": world["resources"], "parks": parks}


def world_workspace(root):
    """A workspace at ``root`` holding :func:`three_provinces` (closed: open it again)."""
    from khooshe.services.data import import_frame
    from khooshe.store.workspace import Workspace

    world = three_provinces()
    ws = Workspace.create(root)
    for kind in ("regions", "establishments", "resources", "parks"):
        import_frame(ws, kind, world[kind], actor="test")
    ws.close()
    return root
