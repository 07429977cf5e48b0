"""Validate a table against an entity of :mod:`khooshe.domain.schema`.

Validation is all-or-nothing: :func:`validate` returns the typed table only when every cell is
valid, and otherwise raises :class:`ValidationError` carrying *every* problem found (row, column,
value and reason), so a user can fix the file in one pass.

Rows are numbered as a spreadsheet shows them: the header is row 1 and the first record row 2.

The checks are vectorised per column (pandas string methods), so 100,000 establishments
validate in well under a second.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from khooshe.domain.errors import FIRST_ROW, InputError
from khooshe.domain.geo import geometry_problem
from khooshe.domain.schema import PATTERN_WORDS, Column, Entity
from khooshe.domain.vocab import parse_choice, vocabulary_of
from khooshe.text.digits import to_ascii_digits, to_persian_digits
from khooshe.text.jalali import DateError, parse_date
from khooshe.text.messages import Bilingual, Message
from khooshe.text.normalize import normalize_series


@dataclass(frozen=True)
class Issue:
    """One problem in an input table: where, the value, and why — ``reason`` in English,
    :meth:`text` in the reader's language (from ``message``, a catalogue message)."""

    row: int | None  # None: the problem is about a whole column
    column: str
    value: str | None
    reason: str
    message: Message | None = field(default=None, compare=False)

    @classmethod
    def of(cls, row: int | None, column: str, value: str | None, message: Message) -> Issue:
        """An issue whose reason is a catalogue message (English in ``reason``)."""
        return cls(row, column, value, message.render("en"), message)

    def text(self, lang: str) -> str:
        """Why, in ``lang``."""
        return self.message.render(lang) if self.message is not None else self.reason

    def line(self, lang: str) -> str:
        """The whole problem in ``lang``: where (the row, or the header), the column, the
        value and why — as the command line lists them (``str()`` is the English line)."""
        where = _m("line.header") if self.row is None else _m("line.row", row=self.row)
        shown = "" if self.value is None else _m("line.value", value=repr(self.value))
        return _m("line.issue", where=where, column=repr(self.column), shown=shown,
                  reason=Bilingual(self.text("fa"), self.text("en"))).render(lang)

    def __str__(self) -> str:
        return self.line("en")


#: Problems a validation keeps (the rest are counted): a hostile file of a million bad rows
#: would otherwise make a million messages.
MAX_ISSUES = 10_000


class ValidationError(InputError):
    """A table with one or more invalid cells; nothing was written.

    ``issues`` holds at most :data:`MAX_ISSUES` problems; ``total`` and ``bad_rows`` count
    them all."""

    def __init__(self, kind: str, issues: list[Issue], source: str | None = None, *,
                 total: int | None = None, bad_rows: int | None = None):
        self.kind = kind
        self.issues = issues
        self.source = source
        self.total = len(issues) if total is None else total
        self.bad_rows = len(self.rows) if bad_rows is None else bad_rows
        where = f"{source}: " if source else ""
        super().__init__(
            f"{where}{self.total} problem(s) in {self.bad_rows} row(s) of {kind}; "
            "nothing was imported"
        )

    @property
    def rows(self) -> list[int]:
        """Row numbers (spreadsheet numbering) that have at least one problem."""
        return sorted({i.row for i in self.issues if i.row is not None})

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(i.row, i.column, i.value, i.reason) for i in self.issues],
            columns=["row", "column", "value", "reason"],
        )


def _bound(value: float) -> Bilingual:
    """A column's least or greatest value as the refusal says it, in either language's
    digits."""
    return Bilingual(to_persian_digits(f"{value:g}"), f"{value:g}")


def _on_uniques(s: pd.Series, fn) -> pd.Series:
    """Apply the Series function ``fn`` to the distinct non-missing values of ``s`` only.

    Imported columns repeat values heavily (status, ISIC, country, year), so working on the
    distinct values makes validation of 300,000 trade rows take a fraction of a second.
    Missing cells stay missing (None).
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = fn(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
    out = np.empty(len(s), dtype=object)
    out[:] = None
    present = codes >= 0
    out[present] = mapped[codes[present]]
    result = pd.Series(out, index=s.index, dtype=object)
    return result.where(result.notna(), None)


def _strip_blanks(s: pd.Series) -> pd.Series:
    text = s.astype(str).str.strip()
    return text.where(text != "", None)


def _blank_to_none(s: pd.Series) -> pd.Series:
    """Strip text cells; empty text and missing values (None, NaN) become None. The *text*
    ``NaN`` is a value like any other (a name may be «NaN»)."""
    s = s.astype(object)
    return _on_uniques(s.where(s.notna(), None), _strip_blanks)


class _Collector:
    """The problems found, the first :data:`MAX_ISSUES` kept; all counted, with their rows."""

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self.issues: list[Issue] = []
        self.more = 0  # problems found beyond MAX_ISSUES
        self.bad = np.zeros(len(rows), dtype=bool)

    @property
    def total(self) -> int:
        return len(self.issues) + self.more

    def add(self, mask: pd.Series | np.ndarray, column: str, values: pd.Series,
            reason: Message):
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        self.bad[idx] = True
        room = max(MAX_ISSUES - len(self.issues), 0)
        self.more += max(len(idx) - room, 0)
        text = str(reason)
        for i in idx[:room]:
            v = values.iloc[i]
            self.issues.append(Issue(int(self.rows[i]), column, None if v is None else str(v),
                                     text, reason))  # one rendering for the whole column


def _m(key: str, **params: object) -> Message:
    """The validation message ``validate.<key>``."""
    return Message(f"validate.{key}", params)


def _pattern_message(pattern: str, prefix: str = "") -> Message:
    """A value that does not match ``pattern``: the pattern in words when the schema has
    them («۴ رقم» / "4 digits"), else the pattern itself."""
    words = PATTERN_WORDS.get(pattern)
    if words is None:
        return _m(f"{prefix}pattern", pattern=pattern)
    return _m(f"{prefix}pattern_words", pattern=Message(f"schema.pattern.{words}", {}))


#: A number as people type it: sign, digits (optionally grouped in thousands by one separator
#: kind), a decimal part («.» or «٫») and an exponent. Groups must have 3 digits, so "1,5" (a
#: decimal comma) is refused rather than read as 15.
_NUMBER = re.compile(
    r"[+-]?(?:\d{1,3}(?:(?P<sep>[,\u066c_ \u00a0\u202f'])\d{3})(?:(?P=sep)\d{3})*|\d+)?"
    r"(?:[.\u066b]\d+)?(?:[eE][+-]?\d+)?", re.ASCII)
#: The largest magnitude an integer column holds (64-bit signed).
INT_LIMIT = 2**63 - 1


def _number_value(text: str, integer: bool) -> tuple[int | float | None, str | None]:
    """The exact value of one typed number, or the reason it is refused."""
    cleaned = to_ascii_digits(text).strip()
    if not cleaned or not _NUMBER.fullmatch(cleaned) or not any(c.isdigit() for c in cleaned):
        return None, "not_a_number"
    plain = re.sub(r"[,\u066c_ \u00a0\u202f']", "", cleaned).replace("\u066b", ".")
    try:
        value = Decimal(plain)
    except InvalidOperation:
        return None, "not_a_number"
    if integer:
        if value != value.to_integral_value():
            return None, "whole_number"
        if abs(value) > INT_LIMIT:
            return None, "int_range"
        return int(value), None
    number = float(value)
    if not math.isfinite(number):
        return None, "float_range"
    return number, None


def _typed_numbers(col: Column, text: pd.Series, raw: pd.Series,
                   out: _Collector) -> tuple[pd.Series, pd.Series]:
    """Numbers of a column as exact Python values (ints stay exact beyond 2**53) and the mask
    of cells that hold one; every refused cell is recorded with its reason."""
    integer = col.type == "int"
    present = text.notna()
    values = pd.Series([None] * len(text), index=text.index, dtype=object)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        as_float = pd.to_numeric(raw).astype("float64").to_numpy()
        finite = np.isfinite(as_float)
        out.add(present & ~finite, col.name, text, _m("finite"))
        ok = present.to_numpy() & finite
        if integer:
            whole = np.zeros(len(raw), dtype=bool)
            whole[ok] = np.mod(as_float[ok], 1) == 0
            out.add(ok & ~whole, col.name, text, _m("whole_number"))
            ok &= whole
            big = np.zeros(len(raw), dtype=bool)
            big[ok] = np.abs(as_float[ok]) > INT_LIMIT
            out.add(big, col.name, text, _m("int_range", limit=f"{INT_LIMIT:,}"))
            ok &= ~big
            exact = raw.to_numpy(dtype=object)  # int64 Parquet columns stay exact
            values[ok] = [int(v) for v in exact[ok]]
        else:
            values[ok] = as_float[ok].tolist()
        return values, pd.Series(ok, index=text.index)
    codes, uniques = pd.factorize(text.to_numpy(dtype=object), use_na_sentinel=True)
    parsed, reasons = _parse_numbers(np.asarray(uniques, dtype=object), integer)
    for reason in pd.unique(reasons[reasons != None]):  # noqa: E711 (element-wise)
        expected = Message(f"validate.number_kind.{col.type}", {})
        message = (_m("not_a_number", type=expected) if reason == "not_a_number"
                   else _m("int_range", limit=f"{INT_LIMIT:,}") if reason == "int_range"
                   else _m(reason))
        bad = np.flatnonzero(reasons == reason)
        out.add(np.isin(codes, bad), col.name, text, message)
    mapped = np.empty(len(text), dtype=object)
    mapped[:] = None
    seen = codes >= 0
    mapped[seen] = parsed[codes[seen]]
    values = pd.Series(mapped, index=text.index, dtype=object)
    return values, values.notna()


#: Numbers written plainly (ASCII digits, a point, an exponent; no separators, no Persian
#: digits): Python's own conversions read them exactly as :func:`_number_value` does.
_PLAIN_FLOAT = r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
_PLAIN_INT = r"[+-]?[0-9]{1,18}"  # below 2**63 whatever the digits


def _parse_numbers(uniques: np.ndarray, integer: bool) -> tuple[np.ndarray, np.ndarray]:
    """The value (or None) and the reason refused (or None) of each distinct text.

    Plain numbers — nearly every cell of a large file — are converted in bulk (a million
    distinct values in about a second instead of ten); the rest (Persian digits, thousands
    separators, decimal «٫», whole numbers written ``3.0``, overflows) one by one by
    :func:`_number_value`.
    """
    values = np.empty(len(uniques), dtype=object)
    reasons = np.empty(len(uniques), dtype=object)
    values[:] = None
    reasons[:] = None
    text = pd.Series(uniques, dtype=object)
    plain = text.str.fullmatch(_PLAIN_INT if integer else _PLAIN_FLOAT).to_numpy(dtype=bool)
    if integer:
        values[plain] = [int(u) for u in uniques[plain]]
    elif plain.any():
        numbers = uniques[plain].astype(np.float64)
        finite = np.isfinite(numbers)
        where = np.flatnonzero(plain)
        values[where[finite]] = numbers[finite].tolist()
        plain[where[~finite]] = False  # 1e999: refused below with its reason
    for i in np.flatnonzero(~plain):
        values[i], reasons[i] = _number_value(uniques[i], integer)
    return values, reasons


def _ascii_digits(text: pd.Series) -> pd.Series:
    return _on_uniques(text, lambda u: u.map(to_ascii_digits))


def _check_column(col: Column, raw: pd.Series, out: _Collector) -> pd.Series:
    """Convert one column to its type, recording every invalid cell."""
    if col.type in ("int", "float") and pd.api.types.is_numeric_dtype(raw.dtype):
        text = raw.astype(object).where(raw.notna(), None)  # already numbers: nothing to parse
    else:
        nul = raw.map(lambda v: isinstance(v, str) and "\x00" in v).to_numpy(dtype=bool)
        if nul.any():  # a NUL byte cuts text in C libraries; refuse it before anything else
            out.add(nul, col.name, raw.map(lambda v: v.replace("\x00", "\\0")
                                           if isinstance(v, str) else v),
                    _m("nul"))
            raw = raw.where(~nul, None)
        text = _blank_to_none(raw)
    present = text.notna()
    if col.required:
        out.add(~present, col.name, text, _m("required"))

    if col.type in ("int", "float"):
        values, ok = _typed_numbers(col, text, raw, out)
        num = pd.to_numeric(values.where(ok, None), errors="coerce").astype("float64")
        if col.min is not None:
            low = ok & (num < col.min)
            out.add(low, col.name, text, _m("min", min=_bound(col.min)))
        if col.max is not None:
            high = ok & (num > col.max)
            out.add(high, col.name, text, _m("max", max=_bound(col.max)))
        if col.type == "int":
            return pd.Series(pd.array(values.where(ok, None).tolist(), dtype="Int64"),
                             index=text.index)
        return num

    if col.type == "date":
        uniques = text[present].unique()
        parsed: dict[str, str | None] = {}
        reasons: dict[str, str | Message] = {}
        for value in uniques:
            try:
                day = parse_date(value)
                parsed[value] = day.isoformat() if day is not None else None
            except ValueError as exc:  # a DateError says why in either language
                parsed[value] = None
                reasons[value] = exc.message if isinstance(exc, DateError) else str(exc)
        iso = text.map(lambda v: parsed.get(v) if v is not None else None)
        for value, reason in reasons.items():
            out.add(text == value, col.name, text, _m("date", reason=reason))
        return iso

    if col.type == "enum":
        low = text.where(~present, text.str.lower().str.replace(" ", "_", regex=False))
        vocabulary = vocabulary_of(col.choices)
        if vocabulary is not None:  # labels in either language are accepted («فعال»)
            unknown = present & ~low.isin(col.choices)
            low = low.where(~unknown, text.map(
                lambda v: None if v is None else parse_choice(vocabulary, v)))
        bad = present & ~low.isin(col.choices)
        out.add(bad, col.name, text, _m("choice", choices=", ".join(col.choices)))
        return low

    if col.type in ("code", "list"):
        code = _ascii_digits(text)
        if col.type == "list":
            parts = code.where(~present, code.str.replace(",", ";", regex=False).str.split(";"))
            if col.pattern:
                item = re.compile(col.pattern, re.ASCII)
                bad = parts.map(lambda xs: xs is not None
                                and not all(item.fullmatch(x.strip()) for x in xs))
                out.add(bad & present, col.name, text, _pattern_message(col.pattern, "list_"))
            return parts.map(lambda xs: None if xs is None else ";".join(x.strip() for x in xs))
        if col.pattern:
            pattern = re.compile(col.pattern, re.ASCII)  # \d is 0-9, not any Unicode digit
            matches = _on_uniques(code, lambda u: u.map(lambda v: bool(pattern.fullmatch(v))))
            bad = present & ~matches.astype("boolean").fillna(False).astype(bool)
            out.add(bad, col.name, text, _pattern_message(col.pattern))
        return code

    if col.type == "geometry":
        problems = {v: geometry_problem(v) for v in pd.unique(text.dropna())}
        by_text: dict[str, tuple[Message, list[str]]] = {}
        for value, message in problems.items():
            if message is not None:
                by_text.setdefault(str(message), (message, []))[1].append(value)
        for message, values in by_text.values():
            out.add(text.isin(values), col.name, text.str.slice(0, 40), message)
        return text

    return text  # plain text


def _own_ancestors(codes: pd.Series, parents: pd.Series,
                   stored: Mapping[str, str] | None = None) -> np.ndarray:
    """Rows whose chain of parent links comes back to themselves: the table's links, and the
    ``stored`` links of the records the table does not hold (the table's replace them)."""
    parent_of = pd.Series(parents.to_numpy(), index=codes.to_numpy(), dtype=object)
    parent_of = parent_of[~parent_of.index.duplicated()]
    if stored:
        kept = pd.Series(stored, dtype=object)
        parent_of = pd.concat([parent_of, kept[~kept.index.isin(parent_of.index)]])
    current = parents.copy()
    loop = np.zeros(len(codes), dtype=bool)
    for _ in range(min(len(parent_of), 64)):  # hierarchies are shallow; 64 covers any real one
        loop |= (current.to_numpy() == codes.to_numpy()) & current.notna().to_numpy()
        current = current.map(parent_of)
        if current.isna().all():
            break
    return loop


def validate(
    df: pd.DataFrame,
    entity: Entity,
    *,
    known: Mapping[str, Set[str]] | None = None,
    source: str | None = None,
    links: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Check ``df`` against ``entity`` and return it typed, with ``*_norm`` matching keys.

    Parameters
    ----------
    df : DataFrame
        Raw table, ideally read as text (``read_table(..., as_text=True)``).
    entity : Entity
        What the table should hold.
    known : mapping of ``"kind.column"`` to a set of values, optional
        Values already in the workspace that references may point to (e.g. region codes).
        Self-references (``regions.parent_code`` → ``regions.code``) also resolve within ``df``.
    source : str, optional
        Shown in the error message (usually the file name).
    links : mapping of ``"kind.column"`` to a mapping of key to parent, optional
        Stored links of self-referring columns (``"regions.parent_code"``: each stored
        region's parent), so that a loop closed through stored records is refused too
        (importing ``06`` under ``0601`` while ``0601`` is stored under ``06``).

    Returns
    -------
    DataFrame
        Columns in the entity's order (absent optional columns filled with missing values),
        converted to their types, plus ``<name>_norm`` for columns with ``normalise=True``;
        ``attrs["columns_given"]`` lists the entity's columns that ``df`` had.

    Raises
    ------
    ValidationError
        With every problem found; nothing is returned partially.
    """
    known = known or {}
    issues: list[Issue] = []
    df = df.reset_index(drop=True)
    names = set(entity.names)
    # headers may be the columns' descriptions, as the Persian templates write them
    renamed = {c: entity.column_of_header(c) for c in df.columns if c not in names}
    renamed = {c: name for c, name in renamed.items() if name is not None}
    if renamed:
        given = [renamed.get(c, c) for c in df.columns]
        twice = sorted({n for n in given if given.count(n) > 1})
        for c in twice:
            issues.append(Issue.of(None, c, None, _m("column_twice")))
        if issues:
            raise ValidationError(entity.kind, issues, source)
        df = df.rename(columns=renamed)

    unknown = [c for c in df.columns if c not in names]
    for c in unknown:
        hint = difflib.get_close_matches(c, entity.names, n=1)
        issues.append(Issue.of(None, c, None, _m(
            "unknown_column_hint" if hint else "unknown_column",
            hint=hint[0] if hint else "", expected=", ".join(entity.names))))
    for c in entity.required:
        if c not in df.columns:
            issues.append(Issue.of(None, c, None, _m("missing_column")))
    if issues:
        raise ValidationError(entity.kind, issues, source)

    rows = np.arange(len(df)) + FIRST_ROW
    out = _Collector(rows)
    typed: dict[str, pd.Series] = {}
    for col in entity.columns:
        raw = df[col.name] if col.name in df.columns else pd.Series([None] * len(df), dtype=object)
        typed[col.name] = _check_column(col, raw, out)

    result = pd.DataFrame(typed)

    for col in entity.columns:
        if col.at_most:  # a part is not more than its whole
            whole = entity.column(col.at_most)
            part = pd.to_numeric(result[col.name], errors="coerce").to_numpy(dtype=float,
                                                                              na_value=np.nan)
            total = pd.to_numeric(result[col.at_most], errors="coerce").to_numpy(
                dtype=float, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                over = part > total  # NaN on either side compares False
            out.add(over, col.name, result[col.name],
                    _m("at_most", other=Bilingual(whole.description("fa"),
                                                  whole.description("en"))))

    key = list(entity.key)
    key_frame = result[key].astype(str)
    dup = key_frame.duplicated(keep="first") & result[key].notna().all(axis=1)
    if dup.any():
        first_row = (
            pd.Series(rows, index=result.index)
            .groupby([key_frame[k] for k in key]).transform("first")
        )
        dups = np.flatnonzero(dup.to_numpy())
        out.bad[dups] = True
        room = max(MAX_ISSUES - len(out.issues), 0)
        out.more += max(len(dups) - room, 0)
        for i in dups[:room]:
            out.issues.append(Issue.of(int(rows[i]), "+".join(key), "|".join(key_frame.iloc[i]),
                                       _m("duplicate", row=int(first_row.iloc[i]))))

    for col in entity.columns:
        if not col.references:
            continue
        ref_kind, ref_col = col.references.split(".")
        allowed = set(known.get(col.references, set()))
        if ref_kind == entity.kind:
            allowed |= set(result[ref_col].dropna())
        values = result[col.name]
        bad = values.notna() & ~values.isin(allowed)
        out.add(bad, col.name, values, _m("reference", kind=ref_kind, column=ref_col))
        if ref_kind == entity.kind:
            stored = (links or {}).get(f"{entity.kind}.{col.name}")
            cyclic = _own_ancestors(result[ref_col], values, stored)
            out.add(cyclic, col.name, values, _m("loop", field=ref_col, column=col.name))

    if out.issues:
        out.issues.sort(key=lambda i: (i.row or 0, entity.names.index(i.column)
                                       if i.column in entity.names else 0))
        raise ValidationError(entity.kind, out.issues, source, total=out.total,
                              bad_rows=int(out.bad.sum()) if out.more else None)

    for col in entity.columns:
        if col.normalise:
            result[f"{col.name}_norm"] = normalize_series(result[col.name].fillna("")).where(
                result[col.name].notna(), None
            )
    result.attrs["kind"] = entity.kind
    # which columns the input had: an import writes only these (the others keep their values)
    result.attrs["columns_given"] = [c for c in entity.names if c in df.columns]
    return result


# --- Amounts typed by people --------------------------------------------------------------------
#: Money larger than this (≈ 4.6e18 rials) would overflow exact 64-bit sums.
MAX_AMOUNT = 2**62


def parse_amount(text: str | int, what: str | Message = "amount") -> int:
    """Parse an amount of rials typed by a user: ``2500000000000``, ``2_500_000_000_000``,
    ``2,500,000,000,000``, ``2.5e12`` or Persian digits (``۲٬۵۰۰``).

    The value must be a whole, non-negative number of rials (``2.5e3`` is fine, ``0.5`` is not)
    below :data:`MAX_AMOUNT`.

    Raises
    ------
    InputError
        Naming ``what`` (e.g. ``--budget``) and the text.

    Examples
    --------
    >>> parse_amount("2.5e12")
    2500000000000
    >>> parse_amount("۲٬۵۰۰")
    2500
    """
    if isinstance(text, bool):
        raise InputError(Message("portfolio.amount.not_amount", {"what": what, "text": text}))
    if isinstance(text, int | np.integer):
        value = int(text)
    else:
        parsed, reason = _number_value(str(text), integer=True)
        if reason == "whole_number":
            raise InputError(Message("portfolio.amount.whole", {"what": what, "text": text}))
        if reason in ("int_range", "float_range"):
            raise InputError(Message("portfolio.amount.too_large", {
                "what": what, "text": text, "most": MAX_AMOUNT - 1}))
        if reason is not None:
            raise InputError(Message("portfolio.amount.not_number", {"what": what, "text": text}))
        assert parsed is not None  # no reason: an integer
        value = int(parsed)
    if value < 0:
        raise InputError(Message("portfolio.amount.negative", {"what": what, "text": text}))
    if value >= MAX_AMOUNT:
        raise InputError(Message("portfolio.amount.too_large", {
            "what": what, "text": text, "most": MAX_AMOUNT - 1}))
    return int(value)
