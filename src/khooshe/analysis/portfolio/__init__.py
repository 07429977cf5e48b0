"""Which half-finished units to finish first: exact portfolio optimisation (capability C6).

Iran has about 7,600 half-finished industrial units, some more than 80 % built; Khuzestan alone
aims to complete 1,600 of them for 40,000 jobs. Completing a unit costs its *remaining* cost and
brings its *expected* jobs (and output, and exports). With a limited budget the question is
which units to finish so that the money goes where it pays off. This module answers it exactly.

The model (a 0/1 knapsack with side constraints)
------------------------------------------------
For units ``i = 1..n`` with remaining cost ``c_i`` (integer rials) and value ``v_i``::

    maximise    Σ_i v_i x_i
    subject to  Σ_i c_i x_i             ≤ B          (budget)
                Σ_{i ∈ province p} c_i x_i ≤ C_p    (optional cap per province)
                Σ_{i ∈ sector s}   c_i x_i ≤ C_s    (optional cap per ISIC class or prefix)
                x_i = 1  for must-include units,   x_i = 0  for must-exclude units and for
                units below the minimum progress (unless they must be included),
                x_i ∈ {0, 1}.

``v_i`` is the unit's expected jobs (``objective="jobs"``) or a weighted score (``"weighted"``)::

    v_i = Σ_k  w_k / Σ_k' w_k'  ·  a_ik / Σ_j a_jk        k ∈ {jobs, output, exports}

i.e. each criterion is normalised by its total over the table (so it is unit-free) and the
weights are made to sum to 1: the objective is the weighted *share* of the table's jobs, output
and exports that the portfolio delivers (between 0 and 1). A criterion whose total is 0
contributes nothing; missing output or exports values count as 0.

Companion questions answered by the same machinery: the cheapest set of units that reaches a
jobs target (:func:`cheapest_for_jobs`: minimise Σ c_i x_i subject to Σ jobs_i x_i ≥ N and the
caps), the budget → jobs frontier (:func:`frontier`), cost per job of every unit
(:func:`cost_per_job`), the marginal units at the budget edge (:class:`MarginalUnit`) and two
naive rules for comparison (:func:`greedy_portfolio`).

Exactness
---------
The MIP is solved with HiGHS (``highspy``) with ``mip_rel_gap = 0``. Expected jobs are integers,
so for the jobs objective an absolute gap below 1 already proves the optimum (no other portfolio
can have a whole job more); ``mip_abs_gap`` is set just below 1 and the reported gap uses the
integer bound ``floor(dual bound)``. Likewise the cheapest-set problem has integer costs (rials).
``optimal`` is True only when the optimum is *proven* (gap 0); under a time limit the best
portfolio found is returned with ``optimal=False`` and the gap reached. HiGHS computes its bounds
in floating point: on costs of 10^13 rials the bound of a solved cheapest-set problem may sit a
few tens of rials below the optimum, so relative gaps below 10⁻⁹ are reported as 0.

Before HiGHS sees the MIP, the LP relaxation is solved and *reduced-cost fixing* removes units
whose status is settled: if the LP bound is ``U``, a feasible portfolio of value ``G`` is known
and a unit's reduced cost ``d_i`` (at its LP bound) has ``|d_i| > U − G``, every portfolio that
flips the unit is worth at most ``U − |d_i| < G``, so the unit keeps its LP value in every
optimum. This is the classical core idea for knapsack problems (Balas & Zemel 1980; Pisinger
1997) and exactly what HiGHS does itself after its root restart; doing it first leaves HiGHS a
few hundred units instead of 7,600 and makes a proven optimum take a fraction of a second (HiGHS'
own presolve spends seconds on the single dense knapsack row, so it is switched off by default).
The dual bound reported is the larger of the reduced MIP's bound and ``U − min |d_i|`` over the
fixed units, so the proof covers the full problem.

Budgets and caps are checked *exactly* with integer arithmetic on the final portfolio (HiGHS
works in floating point with tolerances); if a tolerance ever let a portfolio exceed a bound by
a few rials, the bound is tightened and the MIP solved again, and the result is then not
claimed optimal.

Conventions
-----------
* Money is integer rials (``remaining_cost_rials``, budgets, caps); jobs are integers.
* ``cost_per_job = remaining_cost_rials / expected_jobs``; it is NaN (undefined) when a unit
  expects no jobs, and 0 when a unit costs nothing to finish.
* Units with no value (0 expected jobs, or a weighted score of 0) are never selected unless they
  must be included: they cannot improve the objective and would only spend money.
* Among portfolios with the same (optimal) number of jobs the cheapest is returned
  (``minimize_cost=True``: a second MIP minimises the cost at that number of jobs).
* Rows are numbered as a spreadsheet shows them (header row 1, first unit row 2) in errors.

Modules: ``_units`` (the table and its checks), ``_instance`` (arrays and exact rows),
``_greedy`` (naive rules, starts), ``_solver`` (the exact solver), ``_results``, ``_optimum``
(within a budget), ``_target`` (a jobs target: dynamic programme or HiGHS), ``_frontier``.
"""

from __future__ import annotations

from khooshe.analysis.portfolio._frontier import frontier
from khooshe.analysis.portfolio._optimum import greedy_portfolio, optimize_portfolio
from khooshe.analysis.portfolio._results import MarginalUnit, PortfolioResult, TargetResult
from khooshe.analysis.portfolio._target import cheapest_for_jobs
from khooshe.analysis.portfolio._units import (
    CRITERIA,
    GREEDY_RULES,
    GreedyRule,
    Objective,
    PortfolioInfeasibleError,
    PortfolioInputError,
    cost_per_job,
    validate_units,
    weighted_score,
)
from khooshe.domain.schema import UNITS

__all__ = [
    "UNITS",
    "CRITERIA",
    "GREEDY_RULES",
    "GreedyRule",
    "Objective",
    "PortfolioInputError",
    "PortfolioInfeasibleError",
    "MarginalUnit",
    "PortfolioResult",
    "TargetResult",
    "validate_units",
    "cost_per_job",
    "weighted_score",
    "optimize_portfolio",
    "cheapest_for_jobs",
    "frontier",
    "greedy_portfolio",
]
