"""The exporter's exports over time, by value and by weight (estimated where missing)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from khooshe.analysis.markets._notes import WORLD
from khooshe.domain.trade import TradeSummary


def _estimate_quantity(df: pd.DataFrame, uv: pd.Series) -> pd.Series:
    """Known tonnes plus (value without a quantity) / world unit value of (year, hs6)."""
    key = pd.MultiIndex.from_frame(df[["year", "hs6"]])
    unit = uv.reindex(key).to_numpy()
    missing_value = (df["value_usd"] - df["value_q_usd"]).clip(lower=0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = np.where(unit > 0, missing_value / unit, 0.0)
    return pd.Series(df["quantity_t"].to_numpy() + np.nan_to_num(extra), index=df.index)


def exports_over_time(summary: TradeSummary) -> pd.DataFrame:
    """The exporter's exports by year to each market and to the world (``WLD``), by value and
    by weight, next to the market's total imports (see the module docstring for how missing
    quantities are handled).

    Columns: ``year, market, exports_value_usd, exports_quantity_t, exports_quantity_t_est,
    quantity_reported_pct, unit_value_usd_per_t, imports_value_usd, imports_quantity_t_est,
    share_value_pct, share_weight_pct``.
    """
    w = summary.world
    with np.errstate(divide="ignore", invalid="ignore"):
        uv = (w["value_q_usd"] / w["quantity_t"]).where((w["quantity_t"] > 0)
                                                         & (w["value_q_usd"] > 0))
    uv.index = pd.MultiIndex.from_frame(w[["year", "hs6"]])
    uv = uv.dropna()

    def by_market(df: pd.DataFrame, col: str) -> pd.DataFrame:
        d = df.assign(q_est=_estimate_quantity(df, uv))
        g = d.groupby(["year", col], sort=True)[["value_usd", "quantity_t", "q_est",
                                                 "value_q_usd"]].sum()
        g.index = g.index.set_names(["year", "market"])
        return g

    ef = summary.exporter_flows
    exp_mk = by_market(ef[ef["importer"].isin(summary.markets)], "importer")
    exp_w = by_market(ef.assign(world=WORLD), "world")
    imp_mk = by_market(summary.imports, "importer")
    imp_w = by_market(summary.world.assign(world=WORLD), "world")
    exports = pd.concat([exp_mk, exp_w])
    imports = pd.concat([imp_mk, imp_w])
    idx = pd.MultiIndex.from_product([list(summary.years), [*summary.markets, WORLD]],
                                     names=["year", "market"])
    e = exports.reindex(idx).fillna(0.0)
    i = imports.reindex(idx).fillna(0.0)
    out = pd.DataFrame({
        "exports_value_usd": e["value_usd"],
        "exports_quantity_t": e["quantity_t"],
        "exports_quantity_t_est": e["q_est"],
    }, index=idx)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["quantity_reported_pct"] = np.where(e["value_usd"] > 0,
                                                100.0 * e["value_q_usd"] / e["value_usd"],
                                                np.nan)
        out["unit_value_usd_per_t"] = np.where(e["q_est"] > 0, e["value_usd"] / e["q_est"],
                                               np.nan)
        out["imports_value_usd"] = i["value_usd"]
        out["imports_quantity_t_est"] = i["q_est"]
        out["share_value_pct"] = np.where(i["value_usd"] > 0,
                                          100.0 * e["value_usd"] / i["value_usd"], np.nan)
        out["share_weight_pct"] = np.where(i["q_est"] > 0, 100.0 * e["q_est"] / i["q_est"],
                                           np.nan)
    return out.reset_index()
