"""Regional specialisation, concentration and cluster strength on region × activity matrices.

Every index is computed on a *region × activity* matrix ``x`` of non-negative amounts
(employment, establishments, output, exports, …): regions in rows, activities (ISIC classes,
HS products, …) in columns. The matrix is held sparse (:class:`RegionActivityMatrix`, a
``scipy.sparse`` CSR matrix plus the row and column labels) and every computation touches the
non-zero cells only, so a village × ISIC matrix of 60,000 × 300 costs what its few hundred
thousand occupied cells cost.

Notation used in the docstrings::

    x_ij   amount of activity j in region i
    X_i    = Σ_j x_ij        region total          X_j = Σ_i x_ij   activity (national) total
    X      = Σ_ij x_ij       grand total
    s_ij   = x_ij / X_i      share of j in region i's economy
    S_j    = X_j / X         share of j in the whole (national) economy

Definitions follow the EconGeo R package (P.-A. Balland, version 2.0,
https://github.com/PABalland/EconGeo; Balland 2017, "Economic Geography in R", Papers in
Evolutionary Economic Geography 17.09). Differences from EconGeo are deliberate and stated in
each function; the common ones:

* EconGeo rounds some results for display (``rca`` to 2 decimals, ``entropy``, ``gini`` and
  ``hoover_gini`` to 3, ``hoover_index`` to 2); khooshe never rounds.
* EconGeo adds 1e-9 inside ``log2`` of the entropy; khooshe uses the exact convention
  ``0 · log 0 = 0``.
* Cells whose LQ is undefined (0/0) are 0 in EconGeo; here they are simply absent (only
  non-zero cells are returned). Per-region indices of a region whose total is zero, and
  per-activity indices of an activity whose total is zero, are ``NaN`` (EconGeo's result too,
  since its shares are 0/0 there).
* "LQ ≥ 1" (binary RCA, diversity, ubiquity) keeps EconGeo's rule that an LQ of exactly 1 counts
  as specialised; khooshe compares with a relative tolerance of 1e-9 so that an LQ that is 1 up
  to floating-point rounding also counts.

Input rules (see :func:`region_activity_matrix`): a long table (region, activity, value columns;
duplicate pairs are summed) or a wide table (regions × activities). Missing (NaN) values,
non-numbers, infinities and negative amounts are rejected with a message naming the column and
rows, unless ``na="zero"`` is asked for; a table without rows or columns, or whose values are
all zero, is rejected. A single region is valid: every LQ is 1, every concentration index is 0
and nothing is traded or strong (there is nothing to compare with).

Cluster strength follows the logic of the US Cluster Mapping Project (Porter 2003, "The
Economic Performance of Regions", Regional Studies 37; Delgado, Porter & Stern 2016, "Defining
clusters of related industries", Journal of Economic Geography 16): activities are first split
into *traded* (geographically concentrated) and *local* (spread like the economy itself), then a
region's *strong* clusters are the activities in which it is specialised. See
:func:`classify_traded` and :func:`cluster_strength` for the exact rules and defaults.
"""

from __future__ import annotations

from khooshe.analysis.specialization._concentration import (
    activity_indices,
    diversity,
    entropy,
    gini,
    herfindahl,
    hoover_gini,
    hoover_index,
    krugman_index,
    locational_gini,
    region_indices,
    ubiquity,
)
from khooshe.analysis.specialization._matrix import (
    DEFAULT_LQ_THRESHOLD,
    DEFAULT_MIN_ESTABLISHMENTS,
    DEFAULT_MIN_VALUE,
    DEFAULT_TRADED_GINI,
    RegionActivityMatrix,
    SpecializationInputError,
    region_activity_matrix,
)
from khooshe.analysis.specialization._quotients import (
    average_location_quotient,
    hachman,
    location_quotient,
    lq_matrix,
    rca,
)
from khooshe.analysis.specialization._strength import (
    Totals,
    classify_traded,
    cluster_strength,
    national_totals,
    rank_across_regions,
)

__all__ = [
    "SpecializationInputError",
    "RegionActivityMatrix",
    "region_activity_matrix",
    "location_quotient",
    "rca",
    "lq_matrix",
    "average_location_quotient",
    "hachman",
    "krugman_index",
    "herfindahl",
    "entropy",
    "gini",
    "locational_gini",
    "hoover_index",
    "hoover_gini",
    "diversity",
    "ubiquity",
    "region_indices",
    "activity_indices",
    "classify_traded",
    "cluster_strength",
    "Totals",
    "national_totals",
    "rank_across_regions",
    "DEFAULT_LQ_THRESHOLD",
    "DEFAULT_TRADED_GINI",
    "DEFAULT_MIN_ESTABLISHMENTS",
    "DEFAULT_MIN_VALUE",
]
