"""Spreadsheet safety: formula text neutralised on writing and restored on reading."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: First characters that make a spreadsheet program read a text cell as a formula (OWASP's
#: CSV-injection list): such text is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Text that :func:`neutralise` wrote: an apostrophe before one of :data:`FORMULA_STARTS`
#: (a regular expression for pandas and pyarrow alike, so the rule runs in C).
_NEUTRALISED = r"^'[=+\-@\t\r]"


#: Control characters an XLSX file cannot hold (XML 1.0 forbids them): written as U+FFFD.
_XML_ILLEGAL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)], "\ufffd")


def neutralise(value: object) -> object:
    """``value`` safe to put in a spreadsheet cell: text that would start a formula gets a
    leading ``'`` (shown as text by Excel and LibreOffice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


#: Integers beyond this lose digits as a spreadsheet's numbers (doubles): written as text.
_EXACT = 2**53


def xlsx_text(value: object) -> object:
    """``value`` as an XLSX cell takes it: neutralised, control characters XML cannot hold
    replaced by U+FFFD (the one change an XLSX export may make to stored text), and an integer
    a spreadsheet cannot hold exactly (beyond 2**53, e.g. 9007199254740993) as its digits in
    text, so that it is neither rounded nor read back rounded."""
    value = neutralise(value)
    if isinstance(value, str):
        return value.translate(_XML_ILLEGAL)
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_) \
            and abs(int(value)) > _EXACT:
        return str(int(value))
    return value


def xlsx_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as :func:`xlsx_text` writes it, column by column: text neutralised and cleaned,
    integer columns holding a value beyond 2**53 as Python objects (exact text for those
    values; pandas would write the whole column as doubles). Other numbers stay numbers."""
    safe = neutralise_frame(df)
    changes: dict[object, pd.Series] = {}
    for col in safe.columns:
        s = safe[col]
        if s.dtype == object:
            changes[col] = s.map(xlsx_text)
        elif pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            values = s.dropna()
            if len(values) and (values.abs() > _EXACT).any():
                changes[col] = pd.Series([None if pd.isna(v) else xlsx_text(int(v)) for v in s],
                                         index=s.index, dtype=object)
    return safe.assign(**{str(c): v for c, v in changes.items()}) if changes else safe


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`neutralise` over every text column of ``df`` (a copy when anything changes)."""
    out = df
    for col in df.columns:
        s = df[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            starts = s.astype("string").str.slice(0, 1).isin(FORMULA_STARTS).fillna(False)
            if starts.any():
                if out is df:
                    out = df.copy()
                out[col] = s.where(~starts.to_numpy(), "'" + s.astype(str))
    return out


def _restore_formula_text(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise` on text read back from XLSX (``'=x`` → ``=x``), so an export
    re-imports to the same values (CSV: :func:`_arrow_text`)."""
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        quoted = s.str.contains(_NEUTRALISED, regex=True, na=False).to_numpy(dtype=bool)
        if quoted.any():
            df.isetitem(i, s.where(~quoted, s.str.slice(1)))
    return df
