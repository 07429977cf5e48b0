"""Village potential: a transparent score for every (village, candidate activity) and the
"10 villages per county" shortlist.

Seeds R1–R2: every county governor prepares ten villages for industrial clusters, each producing
according to its own potential. :func:`village_potential` scores every village of a province
for every candidate ISIC Rev.4 activity; :func:`shortlist` picks the top villages of each county
under spacing, diversity and size constraints, and :func:`drivers` names what carries each
pick (the services layer turns that into a sentence in Persian and English).

Components (each in [0, 1], kept in the output as ``c_<name>``)
----------------------------------------------------------------
``v`` a village, ``p`` a candidate activity, ``q`` any activity, ``γ`` the component's exponent;
``max_P`` is a maximum over the villages of the same province — over all their (village,
candidate activity) cells for relatedness and agglomeration, so that the activities of a village
are compared on one scale (the best cell of the province scores 1), and per resource for
resources and labour (units differ; the best village of the province scores 1).

relatedness
    Relatedness density of the village's surroundings in ``p`` (Hidalgo, Klinger, Barabási &
    Hausmann 2007). The proximity ``φ`` comes from the complexity engine
    (:func:`khooshe.analysis.complexity.proximity`) on the **national** county × ISIC employment
    of operating establishments, with presence ``M_cq = [RCA_cq > t]``. The village's presence
    vector mixes its surroundings and its county::

        N_vq = [ (E_vq / E_v.) / (X_.q / X_..) > t ]   E: employment within radius_km of v
        L_vq = s · N_vq + (1 − s) · M_county(v),q      s = local_share
        ω_vp = Σ_q L_vq φ_qp / Σ_q φ_qp                (0 where p has no neighbour)
        c = (ω_vp / max_P ω) ^ γ

    ``φ_pp = 0``, so the activity's own presence does not count here (agglomeration does).
    ``rca``, ``presence``, ``proximity`` and ``density`` are the engine's own functions
    (Stata ``ecomplexity`` conventions); density is linear in ``L``, so
    ``ω = s · density(N, φ) + (1 − s) · density(M, φ)[county(v)]``. Only the local RCA is
    computed here, since its denominator is the national share ``X_.q / X_..`` rather than
    the village rows' own total.
resources
    Local raw material that feeds ``p``, from the documented table
    ``khooshe/data/resource_activities.csv`` (one row per (resource, ISIC) link with a strength
    ``a_rp`` ∈ (0, 1]: 1 for the main raw material, less for a secondary input or by-product)::

        Q_vr = Σ_{u within radius_km of v} q_ur  +  q_r of the county/district/rural district of v
        s_vr = (Q_vr / max_P Q_·r) ^ γ       (unit-free: a share of the province's best village)
        c   = max_r a_rp · s_vr

    Resources recorded on villages or cities are points (they feed their neighbours too);
    those recorded on a larger region (ores, oil and gas on a county) belong to each of its
    villages.
agglomeration
    Operating establishments of ``p`` within radius_km: ``c = (n_vp / max_P n) ^ γ``.
labour
    Working-age people ``w_v = population_v × working_age_share_v`` (the default share when
    unknown, 0 when the population is unknown): ``c = (w_v / max_P w) ^ γ``.
access
    ``Σ_k share_k · 2^(−d_k / half_k)`` over the nearest industrial park, the county seat and
    the nearest city (great-circle km; the nearest city stands in for a missing seat, and a
    missing park counts 0). Fixed half-distances, not a province maximum, so access means the
    same everywhere.

Penalties (optional, declared in the weights file) are values ``p_vk`` ∈ [0, 1] read from the
resources table under a key (e.g. ``water_stress``), applied to listed activities.

Score::

    score_vp = Σ_c w_c · c_c,vp − Σ_k w_k · p_vk · [p in activities_k]

with the component weights divided by their sum (so 1 = best of the province on everything)
and penalty weights absolute. The ``c_`` columns multiplied by the weights add up to the score
(float32, to ~1e-7). Raising any component never lowers a score (the weights are ≥ 0), and
the scaling by the province maximum is monotone, so raising a village's population,
working-age share or resources, or bringing a park or city closer, never lowers its own score
for any activity; it may lower other villages' scores, since the province's best is the
reference. (A new firm raises its activity's agglomeration but also changes the national
proximity, so relatedness may move either way.) A province is scored identically alone or
within a national run, and the result does not depend on the order of the input rows.

Defaults and the reason for each weight: ``khooshe/data/potential_weights.toml``, read by
:func:`khooshe.io.reference.potential_weights_text` and parsed by :func:`parse_weights`; the
resource → activity table is :func:`khooshe.io.reference.resource_links`. Both are passed in:
this package reads no file.

Performance: village × activity matrices are dense float32 (60,000 × 300 = 18M cells, 72 MB
each); neighbourhoods are sparse (scipy ``cKDTree`` on 3-D unit-sphere coordinates, where a
chord threshold is an exact great-circle radius), establishments optionally pooled on a grid
(``[neighbourhood] grid_km``); densities are the engine's BLAS products by row blocks. No Python
loop runs over cells; the shortlist loops over each county's candidate pairs until it has N.

API: :func:`village_potential` → :class:`Potential` (matrices; :meth:`Potential.to_long` and
:meth:`Potential.cells` give long tables), :func:`shortlist` → :class:`Shortlist`,
:func:`drivers`; :func:`combine` and :func:`normalise` are the two formulas above on arrays;
:func:`parse_weights`, :func:`check_links`.

Modules: ``_weights`` (the weights file), ``_inputs`` (checks), ``_sphere`` (neighbourhoods),
``_scaling`` (the two formulas, top-k), ``_score`` (one step per component), ``_result``
(:class:`Potential`), ``_shortlist``.
"""

from khooshe.analysis.potential._result import Potential
from khooshe.analysis.potential._scaling import combine, normalise
from khooshe.analysis.potential._score import village_potential
from khooshe.analysis.potential._shortlist import (
    INELIGIBLE,
    SHORTFALL_FLAGS,
    VILLAGE_FACTS,
    Shortlist,
    drivers,
    evidence,
    shortlist,
)
from khooshe.analysis.potential._weights import (
    COMPONENTS,
    MATRIX_COMPONENTS,
    Penalty,
    Weights,
    check_links,
    parse_weights,
)
from khooshe.domain.geo import haversine_km

__all__ = [
    "COMPONENTS",
    "INELIGIBLE",
    "MATRIX_COMPONENTS",
    "SHORTFALL_FLAGS",
    "VILLAGE_FACTS",
    "Penalty",
    "Potential",
    "Shortlist",
    "Weights",
    "check_links",
    "combine",
    "drivers",
    "evidence",
    "haversine_km",
    "normalise",
    "parse_weights",
    "shortlist",
    "village_potential",
]
