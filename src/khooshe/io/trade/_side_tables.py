"""Side tables: distances, tariffs and the HS6 → ISIC concordance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from khooshe.domain.trade import check_concordance, check_tariffs
from khooshe.io.trade._formats import TradeFileError, either
from khooshe.io.trade._source import _norm
from khooshe.text.messages import Message, joined


def _rename(df: pd.DataFrame, path: object, wanted: dict[str, tuple[str, ...]],
            optional: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    cols = {_norm(str(c)): c for c in df.columns}
    out = {}
    missing = []
    for key, names in wanted.items():
        col = next((cols[n] for n in names if n in cols), None)
        if col is None:
            missing.append(either(key, names))
        else:
            out[key] = df[col]
    if missing:
        raise TradeFileError(Message("trade.layout.table_no_column", {
            "path": str(path), "missing": joined(missing, ", ", "، "),
            "columns": ", ".join(map(str, df.columns))}))
    for key, names in (optional or {}).items():
        col = next((cols[n] for n in names if n in cols), None)
        if col is not None:
            out[key] = df[col]
    return pd.DataFrame(out)


def read_distances(path: str | Path) -> pd.DataFrame:
    """A bilateral distance table as ``origin, destination, distance_km``.

    Accepts CEPII GeoDist (``iso_o, iso_d, dist, distw, …``; the population-weighted
    ``distw`` is preferred, then ``dist``) or any table with origin/destination ISO3 columns
    and a distance in km (``distance_km``, ``distance``, ``km``).
    """
    from khooshe.io.tables import read_table

    df = read_table(path, as_text=True)
    out = _rename(df, path, {
        "origin": ("origin", "isoo", "iso3o", "exporter", "from"),
        "destination": ("destination", "isod", "iso3d", "importer", "to"),
        "distance_km": ("distancekm", "distw", "distwces", "dist", "distance", "km"),
    })
    for col in ("origin", "destination"):
        out[col] = out[col].astype("string").str.strip().str.upper().astype(object)
        bad = ~out[col].str.fullmatch(r"[A-Z]{3}").fillna(False)
        if bad.any():
            raise TradeFileError(Message("trade.layout.not_iso3", {
                "path": str(path), "column": col,
                "examples": str(out.loc[bad, col].head(3).tolist())}))
    d = pd.to_numeric(out["distance_km"], errors="coerce")
    if d.isna().any() or (d < 0).any():
        raise TradeFileError(Message("trade.layout.distances", {"path": str(path)}))
    out["distance_km"] = d.astype(np.float64)
    return out


def read_tariffs(path: str | Path, exporter: str | None = None) -> pd.DataFrame:
    """A tariff table as ``market, hs, tariff`` (+ ``reference_tariff``, ``exporter``):
    ad valorem percent applied by ``market`` to the exporter's products (HS 2, 4 or 6
    digits; the most specific row applies). Aliases: importer/reporter, hs6/product/code,
    rate/applied/ad_valorem, mfn/reference. With ``exporter`` the table is checked
    (:func:`khooshe.domain.trade.check_tariffs`) and other exporters' rows dropped."""
    from khooshe.io.tables import read_table

    df = read_table(path, as_text=True)
    out = _rename(df, path, {
        "market": ("market", "importer", "reporter", "reporteriso", "iso3"),
        "hs": ("hs", "hs6", "product", "code", "hscode"),
        "tariff": ("tariff", "rate", "applied", "appliedtariff", "advalorem", "tariffpct"),
    }, {
        "reference_tariff": ("referencetariff", "reference", "mfn", "mfntariff"),
        "exporter": ("exporter", "partner", "partneriso"),
    })
    if exporter is not None:
        try:
            return check_tariffs(out, exporter)
        except ValueError as exc:
            raise TradeFileError(f"{path}: {exc}") from exc
    return out


def read_concordance(path: str | Path) -> pd.DataFrame:
    """An HS6 → ISIC Rev.4 concordance as ``hs6, isic`` (+ ``weight``), checked (codes
    zero-padded). Aliases: hs/product/hs_code; isic4/activity/isic_rev4; share."""
    from khooshe.io.tables import read_table

    df = read_table(path, as_text=True)
    out = _rename(df, path, {
        "hs6": ("hs6", "hs", "product", "hscode", "hs2017", "hs2012", "hs2022"),
        "isic": ("isic", "isic4", "isicrev4", "activity", "isiccode"),
    }, {"weight": ("weight", "share")})
    try:
        return check_concordance(out)
    except ValueError as exc:
        raise TradeFileError(f"{path}: {exc}") from exc
