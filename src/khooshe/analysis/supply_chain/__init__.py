"""Supply-chain localisation (capability C7; seeds R8 and R10): input–output multipliers, a
province's sourcing and leakages, and matching large buyers with local suppliers.

* :mod:`._leontief` — the model: ``A``, ``L``, multipliers (output; employment and income,
  Type I and II), Rasmussen–Hirschman linkages (Miller & Blair 2009);
* :mod:`._regional` — a national table regionalised with Flegg's location quotient (Flegg &
  Tohmo 2013), local sourcing shares, leakages, import-substitution effects;
* :mod:`._matching` — the transportation problem of buyers' outside purchases against local
  suppliers, solved to proven optimality by HiGHS.

:func:`io_table` builds an :class:`IOTable` from the workspace layout (``io_sectors`` and
``io_flows`` frames), checking it; :func:`multipliers_table` is the one-row-per-sector table of
``khooshe supply-chain multipliers``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khooshe.analysis.supply_chain._leontief import (
    KEY_CLASSES,
    IOTable,
    allocation_coefficients,
    column_weighted_sums,
    employment_multipliers,
    income_multipliers,
    leontief_inverse,
    linkages,
    output_multipliers,
    technical_coefficients,
)
from khooshe.analysis.supply_chain._matching import (
    DEMAND_COLUMNS,
    SUPPLIER_COLUMNS,
    Matching,
    candidate_links,
    match_suppliers,
)
from khooshe.analysis.supply_chain._regional import (
    DEFAULT_DELTA,
    METHODS,
    quotients,
    regional_coefficients,
    regional_output,
    regionalise,
    simple_location_quotients,
    substitution_effects,
)
from khooshe.domain.errors import FIRST_ROW, InputError
from khooshe.text.messages import Message

#: How much a sector's inputs (intermediate, imported, compensation) may exceed its output
#: before the table is refused as not adding up (rounding in published tables).
ADD_UP_TOLERANCE = 0.005
MULTIPLIER_COLUMNS = (
    "sector", "output_multiplier", "employment_multiplier_type1",
    "employment_multiplier_type2", "income_multiplier_type1", "income_multiplier_type2",
    "backward_linkage", "forward_linkage", "key_sector",
)
_OPTIONAL = {"employment": "employment", "compensation_rials": "compensation",
             "household_consumption_rials": "household_consumption",
             "imports_rials": "imports"}


def _numbers(df: pd.DataFrame, col: str, name: str, first_row: int = 2) -> np.ndarray:
    v = pd.to_numeric(df[col], errors="coerce")
    bad = (v.isna() & df[col].notna()) | (v < 0) | ~np.isfinite(v.fillna(0))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{name}, row {i + first_row}, column {col!r}: value "
                         f"{df[col].iloc[i]!r} must be a number ≥ 0")
    return v.fillna(0.0).to_numpy(dtype=np.float64)


def io_table(sectors: pd.DataFrame, flows: pd.DataFrame) -> IOTable:
    """An :class:`IOTable` from the workspace layout: ``sectors`` with ``sector``,
    ``output_rials`` and optionally ``employment``, ``compensation_rials``,
    ``household_consumption_rials``, ``imports_rials``; ``flows`` with ``from_sector``,
    ``to_sector``, ``value_rials``.

    Raises
    ------
    InputError
        Naming the row: a flow of an unknown sector, a negative or non-numeric value, a sector
        whose inputs exceed its output by more than :data:`ADD_UP_TOLERANCE`.
    """
    for df, cols, name in ((sectors, ("sector", "output_rials"), "sectors"),
                           (flows, ("from_sector", "to_sector", "value_rials"), "flows")):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise InputError(f"{name} lack column(s) {', '.join(missing)}")
    sectors = sectors.reset_index(drop=True)
    flows = flows.reset_index(drop=True)
    codes = sectors["sector"].astype(str).to_numpy()
    index = pd.Index(codes)
    if not index.is_unique:
        raise InputError(f"sectors: sector {index[index.duplicated()][0]!r} appears twice")
    fr = index.get_indexer(flows["from_sector"].astype(str))
    to = index.get_indexer(flows["to_sector"].astype(str))
    for pos, col in ((fr, "from_sector"), (to, "to_sector")):
        if (pos < 0).any():
            i = int(np.flatnonzero(pos < 0)[0])
            raise InputError(f"flows, row {i + FIRST_ROW}, column {col!r}: sector "
                             f"{flows[col].iloc[i]!r} is not among the sectors")
    n = len(codes)
    z = np.zeros((n, n))
    np.add.at(z, (fr, to), _numbers(flows, "value_rials", "flows"))
    x = _numbers(sectors, "output_rials", "sectors")
    extra = {attr: _numbers(sectors, col, "sectors") for col, attr in _OPTIONAL.items()
             if col in sectors.columns and sectors[col].notna().any()}
    used = z.sum(axis=0) + extra.get("imports", 0.0) + extra.get("compensation", 0.0)
    over = np.flatnonzero(used > x * (1 + ADD_UP_TOLERANCE) + 1e-9)
    if len(over):
        j = int(over[0])
        raise InputError(Message("supply_chain.refuse.does_not_add_up", {
            "row": j + FIRST_ROW, "sector": codes[j], "used": float(used[j]), "output": float(x[j]),
            "tolerance": ADD_UP_TOLERANCE}))
    return IOTable(sectors=codes, flows=z, output=x, **extra)


def multipliers_table(table: IOTable) -> pd.DataFrame:
    """One row per sector with :data:`MULTIPLIER_COLUMNS` (Type II and income columns are
    NaN when the table has no compensation or household consumption)."""
    a = technical_coefficients(table.flows, table.output)
    out = pd.DataFrame({"sector": table.sectors, "output_multiplier": output_multipliers(a)})
    nan = np.full(table.n, np.nan)
    emp = employment_multipliers(table, a) if table.employment is not None else {}
    inc = income_multipliers(table, a) if table.compensation is not None else {}
    out["employment_multiplier_type1"] = emp.get("type1", nan)
    out["employment_multiplier_type2"] = emp.get("type2", nan)
    out["income_multiplier_type1"] = inc.get("type1", nan)
    out["income_multiplier_type2"] = inc.get("type2", nan)
    link = linkages(table)
    out["backward_linkage"] = link["backward"]
    out["forward_linkage"] = link["forward"]
    out["key_sector"] = link["key"]
    return out[list(MULTIPLIER_COLUMNS)]


__all__ = [
    "ADD_UP_TOLERANCE",
    "DEFAULT_DELTA",
    "DEMAND_COLUMNS",
    "KEY_CLASSES",
    "METHODS",
    "MULTIPLIER_COLUMNS",
    "SUPPLIER_COLUMNS",
    "IOTable",
    "Matching",
    "allocation_coefficients",
    "candidate_links",
    "column_weighted_sums",
    "employment_multipliers",
    "income_multipliers",
    "io_table",
    "leontief_inverse",
    "linkages",
    "match_suppliers",
    "multipliers_table",
    "output_multipliers",
    "quotients",
    "regional_coefficients",
    "regional_output",
    "regionalise",
    "simple_location_quotients",
    "substitution_effects",
    "technical_coefficients",
]
