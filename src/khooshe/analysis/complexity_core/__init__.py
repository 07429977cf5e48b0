"""Matrix kernels of the economic-complexity engine (one period, locations × products).

Everything here works on plain arrays: rows are locations ``c`` (N of them), columns are
products ``p`` (P of them). The public entry points are re-exported by
:mod:`khooshe.analysis.complexity`, whose module docstring lists the Stata conventions these
kernels follow; each function's docstring gives its own formula.

Notation: ``X`` values (exports), ``M`` the 0/1 presence matrix, ``d = M 1`` diversity,
``u = 1ᵀ M`` ubiquity, ``C = Mᵀ M`` product co-occurrence counts, ``φ`` proximity (P × P, zero
diagonal), ``L`` the "levels" that density averages (``M``, or RCA/RPOP for continuous
proximity).
"""

from __future__ import annotations

from khooshe.analysis.complexity_core._eci import EciPci, eci_pci
from khooshe.analysis.complexity_core._inputs import (
    PRESENCE_TESTS,
    ComplexityWarning,
    FloatArray,
    Presence,
    check_options,
    period_where,
)
from khooshe.analysis.complexity_core._inputs import _warn as _warn  # used by analysis.complexity
from khooshe.analysis.complexity_core._one_period import (
    ComplexityResult,
    check_values,
    complexity_matrix,
)
from khooshe.analysis.complexity_core._one_period import _prepare as _prepare  # likewise
from khooshe.analysis.complexity_core._presence import diversity_ubiquity, presence, rca, rpop
from khooshe.analysis.complexity_core._proximity import complexity_outlook, density, proximity
from khooshe.analysis.complexity_core._proximity_op import _ProximityOp as _ProximityOp  # tests

__all__ = [
    "PRESENCE_TESTS",
    "ComplexityResult",
    "ComplexityWarning",
    "EciPci",
    "FloatArray",
    "Presence",
    "check_options",
    "check_values",
    "complexity_matrix",
    "complexity_outlook",
    "density",
    "diversity_ubiquity",
    "eci_pci",
    "period_where",
    "presence",
    "proximity",
    "rca",
    "rpop",
]
