"""The province's exports by year (seed R16): by value and by weight, the part made in the
province and its share (the programme's aim: over 80 %), and the growth on the year before
(the aim of 1404: to double)."""

from __future__ import annotations

import pandas as pd

from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

#: The share of the province's exports the programme wants made in the province (seed R16).
IN_PROVINCE_AIM = 0.8


def exports_by_year(ws: Workspace, province: str) -> pd.DataFrame:
    """Per period of ``province``, oldest first: ``exports_usd``, ``exports_t``,
    ``in_province_usd``, ``in_province_t``, the shares made in the province by value and by
    weight (``share_value``, ``share_weight``, 0–1; missing where a figure is), ``growth``
    (the value over the period before; missing for the first) and ``meets_aim`` (the share
    by value at least :data:`IN_PROVINCE_AIM`)."""
    rows = read_kind(ws, "province_exports")
    rows = rows[rows["province_code"] == province].sort_values("period").reset_index(drop=True)
    value = rows["exports_usd"].astype(float)
    weight = rows["exports_t"].astype(float)
    rows["share_value"] = rows["in_province_usd"].astype(float) / value.where(value > 0)
    rows["share_weight"] = rows["in_province_t"].astype(float) / weight.where(weight > 0)
    rows["growth"] = value / value.shift(1).where(value.shift(1) > 0)
    rows["meets_aim"] = rows["share_value"] >= IN_PROVINCE_AIM
    return rows


__all__ = ["IN_PROVINCE_AIM", "exports_by_year"]
