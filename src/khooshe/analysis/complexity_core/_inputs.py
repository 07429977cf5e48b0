"""Shared by the kernels: the presence options, ComplexityWarning and input arrays as matrices."""

from __future__ import annotations

import sys
import warnings
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from khooshe.text.messages import Bilingual, Message

# SciPy is imported only where it is needed (large eigenproblems, kNN, sparse input): loading
# it costs about 0.2 s, as much as the whole computation on a small table.

FloatArray = NDArray[np.float64]

PRESENCE_TESTS = ("rca", "rpop", "both", "manual")
Presence = Literal["rca", "rpop", "both", "manual"]


class ComplexityWarning(UserWarning):
    """Something in the input was repaired or left out (and the message says what)."""


#: How warnings and refusals name a period (their ``where``): "period 2019".
_PERIOD = "period "


def period_where(label: object) -> str:
    """The ``where`` of a period's warnings and refusals (``"period 2019"``)."""
    return f"{_PERIOD}{label}"


def refusal_prefix(where: str) -> Message | str:
    """What a refusal about one period starts with, in the reader's language: ``where`` is
    the period as :func:`period_where` names it, or empty for a table without periods."""
    if not where:
        return ""
    from khooshe.text.digits import digits

    period = where.removeprefix(_PERIOD)
    return Message("analysis.complexity.period",
                   {"period": Bilingual(fa=digits(period, "fa"), en=period)})


def _warn(message: str) -> None:
    warnings.warn(message, ComplexityWarning, stacklevel=3)


def check_options(presence: str, continuous: bool, asymmetric: bool,
                  population: object) -> None:
    """Option errors that do not depend on the data (the one place they are decided)."""
    if presence not in PRESENCE_TESTS:
        raise ValueError(f"presence must be one of {', '.join(PRESENCE_TESTS)}, not {presence!r}")
    if presence in ("rpop", "both") and population is None:
        raise ValueError(f"presence={presence!r} needs population")
    if continuous and asymmetric:
        raise ValueError("continuous proximity is symmetric; do not combine it with asymmetric")
    if continuous and presence in ("both", "manual"):
        raise ValueError(
            f"continuous proximity needs one level matrix (RCA or RPOP); it cannot be used "
            f"with presence={presence!r}"
        )


def _as_matrix(values: ArrayLike, name: str = "values") -> FloatArray:
    """A 2-D float64 array from an array, a DataFrame or a scipy.sparse matrix."""
    sparse = sys.modules.get("scipy.sparse")  # a sparse matrix implies SciPy is loaded
    if sparse is not None and sparse.issparse(values):
        values = values.toarray()  # type: ignore[union-attr]
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D locations × products matrix, got {arr.ndim}-D")
    return arr


def _describe(labels: NDArray, mask: NDArray[np.bool_], limit: int = 5) -> str:
    """'3 (a, b, c)' — how many of ``labels`` are selected by ``mask``, with a few examples."""
    picked = [str(x) for x in np.asarray(labels)[mask][:limit]]
    n = int(mask.sum())
    more = ", …" if n > limit else ""
    return f"{n} ({', '.join(picked)}{more})"
