"""Economic complexity: RCA, RPOP, presence, diversity, ubiquity, ECI, PCI, proximity, density,
COI and COG — equal to the Harvard Growth Lab's Stata ``ecomplexity`` (the Atlas reference).

Two levels of API:

- long DataFrames in, long DataFrames out: :func:`complexity` (one row per
  (time, location, product)) and :func:`proximity_table` (one row per product pair);
- matrices (one period, locations × products): :func:`complexity_matrix` and the building
  blocks :func:`rca`, :func:`rpop`, :func:`presence`, :func:`diversity_ubiquity`,
  :func:`eci_pci`, :func:`proximity`, :func:`density` and :func:`complexity_outlook`.

Formulas (c a location, p and q products; N locations, P products in a period)
----------------------------------------------------------------------------
- ``RCA_cp = (x_cp/x_c.) / (x_.p/x_..)`` (Balassa 1965); ``RPOP_cp = (x_cp/x_.p) / (pop_c/pop_.)``.
- ``M_cp = [RCA_cp > t]`` (or RPOP, or the union of both tests, or given).
- diversity ``d_c = Σ_p M_cp``; ubiquity ``u_p = Σ_c M_cp``.
- ECI/PCI: eigenvector of the second largest eigenvalue of ``M̃ = U⁻¹ Mᵀ D⁻¹ M``
  (Hidalgo & Hausmann 2009, *PNAS*; Hausmann, Hidalgo et al. 2014, *The Atlas of Economic
  Complexity*), ``kc = D⁻¹ M kp``.
- proximity ``φ_pq = C_pq / max(u_p, u_q)``, ``C = Mᵀ M`` (Hidalgo, Klinger, Barabási &
  Hausmann 2007, *Science*); asymmetric ``φ_qp = C_qp/u_p``; continuous
  ``φ_pq = (1 + corr(RCA_·p, RCA_·q))/2``.
- density ``ω_cp = Σ_q L_cq φ_qp / Σ_q φ_qp`` (L = M, or RCA/RPOP with continuous proximity);
  kNN: only the k largest ``φ_qp`` of each column.
- ``COI_c = Σ_p ω_cp (1-M_cp) kp_p``; ``COG_cp = (1-M_cp) Σ_q (1-M_cq) (φ_qp/Σ_p' φ_qp') kp_q``
  (Hausmann et al. 2014, *Atlas*, "complexity outlook").

Stata's conventions, as reproduced here
---------------------------------------
Read from the Growth Lab's Stata sources (``ecomplexity.ado``, ``ecipci.ado``,
``proxdiscrete.ado``, ``calculate_density.ado``, ``coicog.ado``) and verified against the
Stata output for the real sample (``stata_default_1995_head.csv``): every column matches to
≤ 1e-13 (RCA to 1e-7 relative, because Stata stored the export values as float).
Each differs somewhere from PyPI ``ecomplexity`` 0.5.3, which is why that port does not
reproduce Stata.

1. **Rectangle per period.** Each period is computed alone over the locations and products
   that appear in it; missing (location, product) cells are 0. Locations with a zero (or
   negative) total are dropped first, then products with a zero total; they are not in the
   output (Stata appends them back and then drops every row with missing ``M``).
   Duplicated keys are summed (with a warning), missing values count as 0 (with a warning),
   and negative values are an error by default (Stata would silently use them).
2. **Strict threshold.** ``M = RCA > 1`` (``M = (RCA:>rca)``), not ``>=`` (PyPI). With both
   tests, ``M = (RCA > t_rca) or (RPOP > t_rpop)`` (PyPI adds the two, giving 2s).
3. **ECI sign.** Multiplied by ``2*(corr(d, kc) > 0) - 1``: ECI correlates positively with
   diversity; PCI gets the same sign.
4. **Standardisation over the long table.** ``eci = (kc - mean)/sd`` where ``mean`` and ``sd``
   are Stata's ``summarize eci`` over the (location, product) rows: each location counts
   P times, so ``sd² = P Σ_c (kc_c - k̄)² / (NP - 1)`` — not the sd over the N locations,
   nor numpy's population sd (PyPI), which moves Austria's 1995 ECI from 1.0732 to 1.0750.
   ``pci = (kp - mean)/sd`` with **ECI's** mean and sd, so ``eci_c`` stays the average of
   ``pci`` over c's products. ``cog`` is divided by the same sd; ``coi`` is standardised
   with its own mean and sd, computed the same long-table way.
5. **Raw eigenvector in COI and COG.** Both use the sign-fixed raw ``kp``, not PCI, so COI
   and COG are not shift-equivalent to formulas written with PCI.
6. **No self-proximity.** The diagonal of φ is 0 (Stata subtracts ``I``); PyPI keeps 1,
   which is why it gives density 0.430 for (aut, 1704) where Stata gives 0.4625.
7. **Density weights by columns, COG by rows.** Density divides by the column sums of φ
   (``J*φ``), COG normalises φ by its row sums (``φ*J``); they differ only for asymmetric
   proximity. COG is 0 where ``M_cp = 1``.
8. **kNN.** Column p keeps every ``φ_qp`` at least as large as its k-th largest value (ties
   kept, the zero diagonal ranked too); only density uses the kNN weights — COI uses that
   density, COG the full φ.
9. **Continuous proximity** uses the RCA matrix (RPOP with ``presence="rpop"``) and its
   density averages those levels, not M; it cannot be combined with ``presence="both"``
   or "manual" (Stata refuses it too). ECI and PCI always come from M.

Where Stata would fail (zero diversity or ubiquity after a high threshold, constant
levels, a product without neighbours) this module returns NaN for the affected values
and says so in a :class:`ComplexityWarning`.

Performance
-----------
No Python loop runs over cells. The eigenproblem is solved on the smaller side of ``M``
(``A Aᵀ`` or ``Aᵀ A``, ``A = D^-½ M U^-½``, symmetric, two eigenpairs). Density, COI and
COG need only products ``Y φ``; for discrete symmetric proximity with more products than
locations φ is never formed: ``Y φ`` is computed from sums grouped by ubiquity in
``O(N²P)`` time and ``O(NP)`` memory instead of ``O(NP²)``/``O(P²)`` (see
``complexity_core._ProximityOp``). Asymmetric and continuous proximity factor directly.
kNN density builds φ by blocks of columns (float32 co-occurrence counts, exact) and keeps
sparse weights. A Python loop runs over periods and, inside the fast path, over the
distinct ubiquity values (≤ N + 1), each step a BLAS call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import numpy as np
import pandas as pd

from khooshe.analysis.complexity_core import (
    PRESENCE_TESTS,
    ComplexityResult,
    ComplexityWarning,
    EciPci,
    Presence,
    _prepare,
    _warn,
    check_options,
    complexity_matrix,
    complexity_outlook,
    density,
    diversity_ubiquity,
    eci_pci,
    period_where,
    presence,
    proximity,
    rca,
    rpop,
)
from khooshe.domain.errors import FIRST_ROW, InputError
from khooshe.text.messages import Message, joined

__all__ = [
    "PRESENCE_TESTS",
    "ComplexityResult",
    "ComplexityWarning",
    "EciPci",
    "complexity",
    "complexity_by_period",
    "complexity_matrix",
    "complexity_outlook",
    "density",
    "diversity_ubiquity",
    "eci_pci",
    "period_where",
    "presence",
    "proximity",
    "proximity_table",
    "rca",
    "rpop",
    "split_by_period",
    "warn_missing",
    "warn_summed",
]

OUTPUT_COLUMNS = ("rca", "rpop", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi",
                  "cog")


# --------------------------------------------------------------------------------------------
# Long input → per-period matrices
# --------------------------------------------------------------------------------------------
def _factorize(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and sorted unique labels (unsorted if the labels cannot be ordered)."""
    try:
        codes, uniques = pd.factorize(col, sort=True)
    except TypeError:  # mixed types
        codes, uniques = pd.factorize(col, sort=False)
    return codes, np.asarray(uniques)


def _numeric_values(data: pd.DataFrame, value: str) -> np.ndarray:
    raw = data[value]
    if pd.api.types.is_bool_dtype(raw):
        return raw.to_numpy(dtype=np.float64)
    if pd.api.types.is_numeric_dtype(raw):
        return raw.to_numpy(dtype=np.float64, na_value=np.nan)
    num = pd.to_numeric(raw, errors="coerce")
    # only the cells that did not parse need their text looked at (stripping every cell
    # costs a Python call per row; usually none fails)
    failed = num.isna().to_numpy()
    text = raw[failed].astype("string").str.strip()
    bad = np.zeros(len(raw), dtype=bool)
    bad[failed] = (text.notna() & (text != "")).to_numpy(dtype=bool)
    if bad.any():
        # rows as a spreadsheet numbers them, as every refusal of a table names them
        examples = joined([Message("analysis.complexity.example",
                                   {"value": raw.iloc[i], "row": int(i) + FIRST_ROW})
                           for i in np.flatnonzero(bad)[:3]])
        raise InputError(Message("analysis.complexity.not_numbers", {
            "column": value, "count": int(bad.sum()), "examples": examples}))
    return num.to_numpy(dtype=np.float64, na_value=np.nan)


class _LongInput:
    """A long table split into codes, ready to become one matrix per period."""

    def __init__(
        self, data: pd.DataFrame, *, time: str | None, location: str, product: str, value: str
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame, not {type(data).__name__}")
        keys = [c for c in (time, location, product) if c is not None]
        missing = [c for c in (*keys, value) if c not in data.columns]
        if missing:
            raise InputError(Message("analysis.complexity.no_columns", {
                "missing": ", ".join(map(repr, missing)),
                "columns": ", ".join(map(repr, map(str, data.columns)))}))
        if len({*keys, value}) < len(keys) + 1:
            raise ValueError("time, location, product and value must be different columns")
        if len(data) == 0:
            raise InputError(Message("analysis.complexity.no_rows"))
        for c in keys:
            na = data[c].isna()
            if na.any():
                rows = ", ".join(map(str, data.index[na][:5]))
                raise InputError(Message("analysis.complexity.no_code", {
                    "column": c, "count": int(na.sum()), "rows": rows}))
        self.values = _numeric_values(data, value)
        self.l_codes, self.l_labels = _factorize(data[location])
        self.p_codes, self.p_labels = _factorize(data[product])
        if time is None:
            self.t_codes = np.zeros(len(data), dtype=np.intp)
            self.t_labels = np.array([None], dtype=object)
        else:
            self.t_codes, self.t_labels = _factorize(data[time])
        self.time, self.location, self.product, self.value = time, location, product, value
        order = np.argsort(self.t_codes, kind="stable")
        bounds = np.searchsorted(self.t_codes[order], np.arange(len(self.t_labels) + 1))
        self._rows = [order[bounds[i]:bounds[i + 1]] for i in range(len(self.t_labels))]

    def where(self, ti: int) -> str:
        return period_where(self.t_labels[ti]) if self.time is not None else ""

    def matrix(self, ti: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(values N×P, location codes, product codes, location labels) of period ``ti``;
        duplicated keys are summed, with a warning."""
        rows = self._rows[ti]
        lc, pc, v = self.l_codes[rows], self.p_codes[rows], self.values[rows]
        loc_ids, li = _compact(lc, len(self.l_labels))
        prod_ids, pi = _compact(pc, len(self.p_labels))
        n, p = loc_ids.size, prod_ids.size
        lin = li.astype(np.int64) * p + pi
        counts = np.bincount(lin, minlength=n * p)
        if (counts > 1).any():
            dup = int((counts > 1).sum())
            first = int(np.flatnonzero(counts > 1)[0])
            eg = (self.l_labels[loc_ids[first // p]], self.p_labels[prod_ids[first % p]])
            warn_summed(self.where(ti), dup, self.location, self.product, eg)
        nan = np.isnan(v)
        if nan.any():
            warn_missing(self.where(ti), int(nan.sum()), self.value)
            v = np.where(nan, 0.0, v)
        x = np.bincount(lin, weights=v, minlength=n * p).reshape(n, p)
        return x, loc_ids, prod_ids, self.l_labels[loc_ids]


def warn_summed(where: str, keys: int, location: str, product: str, example: object) -> None:
    """Warn that ``keys`` (location, product) keys of a period (``where``, e.g. "period
    2022"; empty for a table without periods) had several rows, summed — the warning
    :func:`complexity` gives, for readers that sum the rows before it sees them."""
    prefix = f"{where}: " if where else ""
    _warn(f"{prefix}{keys} duplicated ({location}, {product}) key(s) summed, e.g. {example}")


def warn_missing(where: str, rows: int, value: str) -> None:
    """Warn that ``rows`` rows of a period had no ``value`` and count as 0 (as
    :func:`warn_summed`)."""
    prefix = f"{where}: " if where else ""
    _warn(f"{prefix}{rows} missing value(s) in {value!r} treated as 0")


def _compact(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct codes present (sorted) and each code's position among them — O(n)."""
    present = np.zeros(size, dtype=bool)
    present[codes] = True
    ids = np.flatnonzero(present)
    pos = np.cumsum(present) - 1
    return ids, pos[codes]


def _population_for(
    population: pd.DataFrame | pd.Series | None,
    *,
    time: str | None,
    location: str,
    column: str,
    t_label: object,
    loc_labels: np.ndarray,
    where: str,
) -> np.ndarray:
    """The population of each of ``loc_labels`` (NaN where missing) for one period."""
    if population is None:
        raise ValueError("presence 'rpop' and 'both' need population")
    if isinstance(population, pd.Series):
        pop = population
    elif isinstance(population, pd.DataFrame):
        if location not in population.columns:
            raise ValueError(f"population has no {location!r} column (its columns: "
                             f"{', '.join(map(str, population.columns))})")
        if column not in population.columns:
            raise ValueError(f"population has no {column!r} column (its columns: "
                             f"{', '.join(map(str, population.columns))})")
        frame = population
        if time is not None and time in population.columns:
            frame = population[population[time].astype(str) == str(t_label)]
        vals = pd.to_numeric(frame[column], errors="coerce")
        if vals.isna().any() and frame[column].notna().any():
            bad = frame[column][vals.isna() & frame[column].notna()]
            if len(bad):
                raise ValueError(f"population column {column!r}: {len(bad)} value(s) are not "
                                 f"numbers, e.g. {bad.iloc[0]!r}")
        grouped = vals.groupby(frame[location].to_numpy())
        pop = grouped.mean()
        spread = grouped.max() - grouped.min()
        if (spread > 0).any():
            prefix = f"{where}: " if where else ""
            _warn(f"{prefix}population given more than once with different values for "
                  f"{int((spread > 0).sum())} location(s); using their mean")
    else:
        raise TypeError("population must be a DataFrame or a Series indexed by location")
    out = pop.reindex(pd.Index(loc_labels)).to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(out).all():
        prefix = f"{where}: " if where else ""
        raise ValueError(f"{prefix}none of the {len(loc_labels)} locations has a population "
                         f"(check that the location codes match, e.g. {loc_labels[0]!r})")
    return out


# --------------------------------------------------------------------------------------------
# Public DataFrame API
# --------------------------------------------------------------------------------------------
def complexity(
    data: pd.DataFrame,
    *,
    location: str,
    product: str,
    value: str,
    time: str | None = None,
    presence: Presence = "rca",
    rca_threshold: float = 1.0,
    rpop_threshold: float = 1.0,
    population: pd.DataFrame | pd.Series | None = None,
    population_column: str = "population",
    continuous: bool = False,
    asymmetric: bool = False,
    knn: int | None = None,
    negative: Literal["raise", "zero"] = "raise",
) -> pd.DataFrame:
    """Every complexity measure for a long (time, location, product, value) table.

    Each period is computed on its own (see the module docstring for the formulas and
    Stata's conventions). The result has one row per (time, location, product) of each
    period's rectangle — every kept location × every kept product, absent cells with
    value 0 — sorted by time, location and product, with columns ``time`` (if given),
    ``location``, ``product`` and ``value`` under their input names, then ``rca``
    (not with ``presence="manual"``), ``rpop`` (with population), ``mcp``, ``diversity``,
    ``ubiquity``, ``eci``, ``pci``, ``density``, ``coi``, ``cog``. Codes are kept as given
    (text HS codes keep their leading zeros).

    Parameters
    ----------
    data : DataFrame
        Long table. Values must be numbers (text that parses as a number is accepted).
    location, product, value : str
        Column names.
    time : str, optional
        Period column; without it the whole table is one period.
    presence : {"rca", "rpop", "both", "manual"}
        ``M = RCA > rca_threshold``, ``RPOP > rpop_threshold``, either of the two, or the
        value column itself (0/1).
    rca_threshold, rpop_threshold : float
        Strict thresholds (default 1).
    population : DataFrame or Series, optional
        For RPOP: a DataFrame with columns ``location``, ``population_column`` and optionally
        ``time`` (otherwise the same population for every period), or a Series indexed by
        location. Locations without a positive population are left out (with a warning).
    population_column : str
        Name of the population column.
    continuous, asymmetric : bool
        Proximity variant (see :func:`proximity`).
    knn : int, optional
        Density over the k nearest neighbours.
    negative : {"raise", "zero"}
        Negative values are an error, or are treated as 0 (with a warning).

    Raises
    ------
    ValueError
        Missing columns, missing codes, non-numeric or negative values, a period with fewer
        than 2 locations or products with positive totals, invalid options.

    Warns
    -----
    ComplexityWarning
        Duplicated keys summed, missing values treated as 0, dropped zero-total locations and
        products, zero diversity/ubiquity after the threshold.
    """
    check_options(presence, continuous, asymmetric, population)
    inp = _LongInput(data, time=time, location=location, product=product, value=value)
    results = [res for _, res in _period_results(
        inp, presence=presence, rca_threshold=rca_threshold, rpop_threshold=rpop_threshold,
        population=population, population_column=population_column, continuous=continuous,
        asymmetric=asymmetric, knn=knn, negative=negative)]
    return _assemble(results, inp.t_labels, time=time, location=location, product=product,
                     value=value)


def complexity_by_period(
    data: pd.DataFrame,
    *,
    location: str,
    product: str,
    value: str,
    time: str | None = None,
    presence: Presence = "rca",
    rca_threshold: float = 1.0,
    rpop_threshold: float = 1.0,
    population: pd.DataFrame | pd.Series | None = None,
    population_column: str = "population",
    continuous: bool = False,
    asymmetric: bool = False,
    knn: int | None = None,
    negative: Literal["raise", "zero"] = "raise",
    categorical_codes: bool = False,
) -> Iterator[pd.DataFrame]:
    """:func:`complexity`, one period at a time: the frames, concatenated, are its table.

    For panels too large to hold twice (the long table of 5 years of 230 countries × 5,000
    products has 5.7 million rows): each period's rows can be written while the next one is
    computed, and only one period is in memory. Parameters, warnings and errors as in
    :func:`complexity` (an error in a later period comes after the earlier frames).

    Parameters
    ----------
    categorical_codes : bool, default False
        The time, location and product columns as pandas ``Categorical`` (each period's
        codes as categories) rather than repeated labels: the same values, built without
        touching a Python object per row — what a writer wants.
    """
    check_options(presence, continuous, asymmetric, population)
    inp = _LongInput(data, time=time, location=location, product=product, value=value)
    for ti, res in _period_results(
            inp, presence=presence, rca_threshold=rca_threshold,
            rpop_threshold=rpop_threshold, population=population,
            population_column=population_column, continuous=continuous,
            asymmetric=asymmetric, knn=knn, negative=negative):
        yield _assemble([res], inp.t_labels[ti:ti + 1], time=time, location=location,
                        product=product, value=value, categorical_codes=categorical_codes)


def split_by_period(
    data: pd.DataFrame,
    *,
    location: str,
    product: str,
    value: str,
    time: str | None = None,
    presence: Presence = "rca",
    continuous: bool = False,
    asymmetric: bool = False,
    population: pd.DataFrame | pd.Series | None = None,
) -> list[pd.DataFrame]:
    """The long table as one frame per period, in the order :func:`complexity` computes them.

    Each period's measures depend on that period's rows only, so :func:`complexity` (or
    :func:`complexity_by_period`) of each frame, in this order, gives the frames of
    :func:`complexity` of the whole table — which is how an engine runs the periods in
    parallel. The table and the options are checked first, as :func:`complexity` checks them
    (same errors, same messages, before any period is computed).

    Parameters
    ----------
    data, location, product, value, time
        As :func:`complexity`. Without ``time`` the whole table is the one period.
    presence, continuous, asymmetric, population
        Checked as :func:`complexity` checks them (they are not used otherwise).

    Returns
    -------
    list of DataFrame
        The time, location, product and value columns of each period's rows (index labels
        kept), the value as float64 (text that parses as a number already parsed).

    Raises
    ------
    ValueError
        What :func:`complexity` rejects before it computes a period: invalid options, missing
        columns, missing codes, values that are not numbers, an empty table.
    """
    check_options(presence, continuous, asymmetric, population)
    inp = _LongInput(data, time=time, location=location, product=product, value=value)
    keys = [c for c in (time, location, product) if c is not None]
    numbers = pd.Series(inp.values, index=data.index, name=value, copy=False)
    table = pd.concat([data[keys], numbers], axis=1, copy=False)
    return [table.iloc[rows] for rows in inp._rows]


def _period_results(
    inp: _LongInput,
    *,
    presence: Presence,
    rca_threshold: float,
    rpop_threshold: float,
    population: pd.DataFrame | pd.Series | None,
    population_column: str,
    continuous: bool,
    asymmetric: bool,
    knn: int | None,
    negative: Literal["raise", "zero"],
) -> Iterator[tuple[int, ComplexityResult]]:
    """Each period's index and :class:`ComplexityResult`, computed when asked for."""
    for ti in range(len(inp.t_labels)):
        x, _, prod_ids, loc_labels = inp.matrix(ti)
        where = inp.where(ti)
        pop = None
        if presence in ("rpop", "both"):
            pop = _population_for(population, time=inp.time, location=inp.location,
                                  column=population_column, t_label=inp.t_labels[ti],
                                  loc_labels=loc_labels, where=where)
        yield ti, complexity_matrix(
            x, locations=loc_labels, products=inp.p_labels[prod_ids], population=pop,
            presence=presence, rca_threshold=rca_threshold, rpop_threshold=rpop_threshold,
            continuous=continuous, asymmetric=asymmetric, knn=knn, negative=negative,
            where=where,
        )


def _assemble(
    results: list[ComplexityResult],
    t_labels: np.ndarray,
    *,
    time: str | None,
    location: str,
    product: str,
    value: str,
    categorical_codes: bool = False,
) -> pd.DataFrame:
    """The long table of all periods, each output column allocated once and filled period by
    period in place (no per-period copies to concatenate: half the memory traffic, and no
    second copy of a column at the peak). With ``categorical_codes`` (one period only) the
    codes are categoricals over the period's labels."""
    shapes = [r.mcp.shape for r in results]
    ends = np.cumsum([n * p for n, p in shapes])
    starts = ends - [n * p for n, p in shapes]

    def fill(get, shape_of) -> np.ndarray:
        parts = [np.asarray(get(r)) for r in results]
        out = np.empty(int(ends[-1]), dtype=np.result_type(*parts))  # as np.concatenate
        for part, start, end, (n, p) in zip(parts, starts, ends, shapes, strict=True):
            out[start:end].reshape(n, p)[...] = shape_of(part, n, p)
        return out

    def cells(get) -> np.ndarray:
        return fill(get, lambda part, n, p: part.reshape(n, p))

    def per_loc(get) -> np.ndarray:  # one value per location, repeated along its products
        return fill(get, lambda part, n, p: part[:, None])

    def per_prod(get) -> np.ndarray:  # one value per product, repeated for every location
        return fill(get, lambda part, n, p: part[None, :])

    cols: dict[str, np.ndarray | pd.Categorical] = {}
    if categorical_codes:
        (n, p), = shapes  # one period: its labels are the categories
        positions = np.arange(n * p)
        if time is not None:
            cols[time] = pd.Categorical.from_codes(np.zeros(n * p, dtype=np.int8),
                                                   categories=pd.Index(t_labels, dtype=object))
        cols[location] = pd.Categorical.from_codes(
            positions // p, categories=pd.Index(results[0].locations, dtype=object))
        cols[product] = pd.Categorical.from_codes(
            positions % p, categories=pd.Index(results[0].products, dtype=object))
    else:
        if time is not None:
            cols[time] = np.repeat(t_labels, [n * p for n, p in shapes])
        cols[location] = per_loc(lambda r: r.locations)
        cols[product] = per_prod(lambda r: r.products)
    cols[value] = cells(lambda r: r.values)
    if results[0].rca is not None:
        cols["rca"] = cells(lambda r: r.rca)
    if results[0].rpop is not None:
        cols["rpop"] = cells(lambda r: r.rpop)
    cols["mcp"] = cells(lambda r: r.mcp)
    cols["diversity"] = per_loc(lambda r: r.diversity)
    cols["ubiquity"] = per_prod(lambda r: r.ubiquity)
    cols["eci"] = per_loc(lambda r: r.eci)
    cols["pci"] = per_prod(lambda r: r.pci)
    cols["density"] = cells(lambda r: r.density)
    cols["coi"] = per_loc(lambda r: r.coi)
    cols["cog"] = cells(lambda r: r.cog)
    return pd.DataFrame(cols, copy=False)


def proximity_table(
    data: pd.DataFrame,
    *,
    location: str,
    product: str,
    value: str,
    time: str | None = None,
    presence: Presence = "rca",
    rca_threshold: float = 1.0,
    rpop_threshold: float = 1.0,
    population: pd.DataFrame | pd.Series | None = None,
    population_column: str = "population",
    continuous: bool = False,
    asymmetric: bool = False,
    min_proximity: float | None = None,
    negative: Literal["raise", "zero"] = "raise",
) -> pd.DataFrame:
    """The product-pair proximity table of each period.

    One row per ordered pair of different products of the period (self-pairs are left out:
    self-proximity is 0 by convention), with columns ``time`` (if given),
    ``{product}_1``, ``{product}_2`` and ``proximity = φ[product_1, product_2]``. For the
    symmetric variants the table holds both orders; for ``asymmetric=True``,
    ``proximity = P(product_1 | product_2)``: the share of the locations present in
    product_2 that are also present in product_1 (Stata's orientation, the weight
    product_1 gets in product_2's density). Parameters as in :func:`complexity`;
    ``min_proximity`` keeps only pairs with ``proximity >= min_proximity``.

    The table has P(P-1) rows per period (25 million for P = 5,000): use
    ``min_proximity`` for large P.
    """
    check_options(presence, continuous, asymmetric, population)
    inp = _LongInput(data, time=time, location=location, product=product, value=value)
    p1, p2 = f"{product}_1", f"{product}_2"
    frames = []
    for ti in range(len(inp.t_labels)):
        x, _, prod_ids, loc_labels = inp.matrix(ti)
        where = inp.where(ti)
        pop = None
        if presence in ("rpop", "both"):
            pop = _population_for(population, time=time, location=location,
                                  column=population_column, t_label=inp.t_labels[ti],
                                  loc_labels=loc_labels, where=where)
        prep = _prepare(
            x, locations=loc_labels, products=inp.p_labels[prod_ids], population=pop,
            presence=presence, rca_threshold=rca_threshold, rpop_threshold=rpop_threshold,
            continuous=continuous, asymmetric=asymmetric, negative=negative, where=where,
        )
        if continuous:
            levels = prep.r_pop if presence == "rpop" else prep.r_rca
            assert levels is not None  # _prepare computes the one continuous proximity uses
        else:
            levels = prep.m
        phi = proximity(levels, continuous=continuous, asymmetric=asymmetric)
        n = phi.shape[0]
        keep = ~np.eye(n, dtype=bool)
        if min_proximity is not None:
            keep &= phi >= min_proximity
        qi, pi = np.nonzero(keep)
        frame = pd.DataFrame({p1: prep.prods[qi], p2: prep.prods[pi], "proximity": phi[qi, pi]})
        if time is not None:
            frame.insert(0, time, np.repeat(inp.t_labels[ti:ti + 1], len(frame)))
        frames.append(frame)
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True, copy=False)

