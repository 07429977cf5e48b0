"""Generate the synthetic, Iran-like demo workspace as one DataFrame per kind.

:func:`generate` is pure: it reads only the small tables packaged with :mod:`khooshe.demo`,
touches neither the filesystem nor a database, and returns the same frames for the same seed
(numpy ``Generator(PCG64)``; each component draws from its own stream, seeded by
``SeedSequence([seed, component])``, so changing one component leaves the others as they were).

Every frame carries ``attrs["synthetic"] = True`` (plus ``kind``, ``seed``, ``scale``) and its
columns are exactly those of :mod:`khooshe.domain.schema`, in the schema's order, typed as:
codes, text, enums, dates (ISO ``YYYY-MM-DD``), lists (``;``-separated) and geometry as Python
``str`` or ``None``; ``int`` columns as ``int64`` (``Int64`` when a value can be missing);
``float`` columns as ``float64`` (``NaN`` when missing).

What is real and what is not: the 31 provinces (codes, Persian names, approximate centroids and
populations), the ISIC Rev.4 classes, the HS 2017 subheadings and the countries are real; every
county, district, village, city, park, firm, cluster, person, trade flow and amount is
synthetic. English names of synthetic places end in ``(synthetic)``.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import pandas as pd

from khooshe.demo.config import get_scale
from khooshe.demo.economy import build_economy
from khooshe.demo.geography import build_geography
from khooshe.demo.programme import (
    build_committee,
    build_delivery,
    build_problems,
    build_programme,
    build_province_exports,
    build_stage_history,
    build_targets,
    enrich_activities,
)
from khooshe.demo.supply import build_purchases, name_buyers
from khooshe.demo.trade import build_trade
from khooshe.domain.schema import LOAD_ORDER, entity

#: Random stream of each component (its index seeds the stream; never reorder: append new
#: streams, so the others keep their seeds).
STREAMS = ("geography", "parks", "centres", "establishments", "resources", "io", "trade",
           "programme", "supply", "history", "committee", "targets", "delivery",
           "activities", "problems", "exports", "register")


#: Kinds the demo does not generate: khooshe derives them from the others when the workspace is
#: built (:func:`khooshe.services.demo.build_demo`).
DERIVED = ("village_proposals",)
GENERATED = tuple(k for k in LOAD_ORDER if k not in DERIVED)


def _streams(seed: int) -> dict[str, np.random.Generator]:
    return {name: np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, i])))
            for i, name in enumerate(STREAMS)}


def conform(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Keep the schema's columns of ``kind`` in its order and give them the demo's dtypes.

    Raises
    ------
    KeyError
        If a schema column is missing from ``df`` (a bug in the generator).
    """
    ent = entity(kind)
    missing = [c for c in ent.names if c not in df.columns]
    if missing:
        raise KeyError(f"demo {kind}: generator produced no column(s) {', '.join(missing)}")
    out = {}
    for col in ent.columns:
        s = df[col.name]
        if col.type == "int":
            num = pd.to_numeric(s, errors="raise")
            out[col.name] = (num.astype(np.int64) if not num.isna().any()
                             else num.round().astype("Int64"))
        elif col.type == "float":
            out[col.name] = pd.to_numeric(s, errors="raise").astype(np.float64)
        else:
            obj = s.astype(object)
            obj = obj.where(obj.notna(), None)
            if pd.api.types.infer_dtype(obj, skipna=True) not in ("string", "empty"):
                obj = obj.map(lambda v: v if v is None else str(v))
            out[col.name] = obj
    result = pd.DataFrame(out).reset_index(drop=True)
    return result


def generate(seed: int = 0, scale: Literal["small", "national"] = "small",
             establishments: int | None = None) -> dict[str, pd.DataFrame]:
    """Build the synthetic demo workspace.

    Parameters
    ----------
    seed : int
        Random seed; the same seed and scale give identical frames.
    scale : {"small", "national"}
        ``small`` (default): ~290 counties, ~12,000 villages, ~29,000 establishments — quick to
        build and store. ``national``: ~430 counties, ≥ 64,000 villages, ~110,000
        establishments (7,600 half-finished units). Trade (~300,000 rows, 83 countries × ~800
        HS6 products × 2019–2023) is the same at both scales.
    establishments : int, optional
        Grow the scale into a firm register of this many establishments: its economy plus
        micro establishments (1–9 staff) up to the number (``national`` with 1,000,000: nine
        in ten are micro). Every other table is the one the scale has without it.

    Returns
    -------
    dict of str to DataFrame
        One frame per kind of :data:`khooshe.domain.schema.LOAD_ORDER`, in that order.

    Raises
    ------
    ValueError
        For an unknown ``scale``, a negative ``seed`` or fewer ``establishments`` than the
        scale has without micro ones.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"demo seed must be a non-negative integer, got {seed!r}")
    sc = get_scale(scale)
    if establishments is not None:
        sc = sc.register(establishments)
    rngs = _streams(int(seed))
    geo = build_geography(rngs["geography"], sc)
    econ = build_economy(rngs, geo, sc)
    named, buyers = name_buyers(econ.establishments)
    econ = dataclasses.replace(econ, establishments=named)
    trade = build_trade(rngs["trade"])
    programme = build_programme(rngs["programme"], econ, geo)
    programme.update(enrich_activities(rngs["activities"], programme["cluster_activities"],
                                       programme["cluster_members"]))
    committee = build_committee(rngs["committee"], programme["clusters"])
    raw = {
        "regions": geo.regions,
        "parks": econ.parks,
        "establishments": econ.establishments,
        **trade,
        "resources": econ.resources,
        "io_sectors": econ.io_sectors,
        "io_flows": econ.io_flows,
        "purchases": build_purchases(rngs["supply"], econ.establishments, buyers),
        **programme,
        **build_stage_history(rngs["history"], programme["clusters"]),
        **committee,
        "support_problems": build_problems(rngs["problems"], programme["clusters"],
                                           committee["committee_meetings"]),
        "province_exports": build_province_exports(rngs["exports"], geo.regions,
                                                   econ.establishments),
        "cluster_targets": build_targets(rngs["targets"], programme["cluster_indicators"],
                                         programme["cluster_activities"]),
        **build_delivery(rngs["delivery"], programme["clusters"], econ.establishments,
                         econ.parks, programme["fund_allocations"]),
    }
    frames = {}
    for kind in GENERATED:
        df = conform(raw[kind], kind)
        df.attrs.update({"synthetic": True, "kind": kind, "seed": int(seed), "scale": sc.name})
        frames[kind] = df
    return frames
