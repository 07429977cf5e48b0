"""Jalali (Solar Hijri) dates: parse what users type, store ISO Gregorian, show Jalali.

Conventions (PRODUCT.md): dates are stored as ISO Gregorian ``YYYY-MM-DD`` and shown and
accepted as Jalali, e.g. «۱۴۰۲/۰۵/۲۴» (= 2023-08-15).

Parsing rule
------------
A date is ``Y<sep>M<sep>D`` with ``sep`` one of ``/``, ``-`` or ``.`` and the 4-digit year
first, in ASCII, Persian or Arabic-Indic digits, optionally followed by a time (``T`` or a space
and ``HH:MM[:SS[.f]]``), which is ignored. **Years below 1700 are Jalali, others Gregorian**:
Jalali years of modern records are ~1300–1500 and Gregorian ~1900–2100, so the ranges never
overlap in practice. Day-first forms (``24/05/1402``) are refused rather than guessed.

Jalali validity (month lengths 31×6, 30×5, Esfand 29 or 30 in leap years) is checked by
``jdatetime``, which follows the arithmetic of the official calendar for the years in use
(1399 and 1403 are leap, 1402 and 1404 are not).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re

import jdatetime
import numpy as np
import pandas as pd

from khooshe.text.digits import is_blank, to_ascii_digits, to_persian_digits

__all__ = [
    "DateError",
    "format_jalali",
    "jalali_year",
    "month_name",
    "parse_date",
    "parse_dates",
    "to_jalali",
    "today_jalali",
]

JALALI_YEAR_LIMIT = 1700
_DATE = re.compile(
    r"^\s*(\d{4})([/\-.])(\d{1,2})\2(\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\s*$"
)
_DAY_FIRST = re.compile(r"^\s*\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}\s*$")


def month_name(month: int, lang: str) -> str:
    """The name of Jalali month ``month`` (1–12): «مرداد» / "Mordad"."""
    from khooshe.text.messages import t

    return t(f"calendar.month.{month}", lang)


def _is_missing(value: object) -> bool:
    """Blank as :func:`~khooshe.text.digits.is_blank` says (missing, or text of spaces),
    or numpy's NaT."""
    if is_blank(value):
        return True
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


class DateError(ValueError):
    """A text that is not a date: ``str()`` is the reason in English, :meth:`text` in either
    language (``calendar.error.<key>``)."""

    def __init__(self, key: str, value: object, **params: object):
        from khooshe.text.messages import Bilingual, Message

        shown = Bilingual(to_persian_digits(str(value)), repr(value))
        self.message = Message(f"calendar.error.{key}", {"shown": shown, **params})
        super().__init__(self.message.render("en"))

    def text(self, lang: str) -> str:
        return self.message.render(lang)


def _month(m: int) -> object:
    from khooshe.text.messages import Bilingual

    return Bilingual(month_name(m, "fa"), month_name(m, "en"))


def _jalali_to_gregorian(y: int, m: int, d: int, text: str) -> _dt.date:
    if not 1 <= m <= 12:
        raise DateError("month", text, m=m)
    if d < 1:
        raise DateError("day_zero", text, d=d)
    if m <= 6:
        length = 31
    elif m <= 11:
        length = 30
    else:
        length = 30 if jdatetime.date(y, 1, 1).isleap() else 29
    if d > length:
        key = "day_range" if m < 12 else ("day_range_leap" if length == 30
                                          else "day_range_not_leap")
        raise DateError(key, text, d=d, month=_month(m), y=y, length=length)
    return jdatetime.date(y, m, d).togregorian()


def parse_date(value: object) -> _dt.date | None:
    """Parse one date, Jalali or Gregorian, into a Gregorian :class:`datetime.date`.

    Parameters
    ----------
    value : str, date, datetime, pandas.Timestamp, numpy.datetime64, jdatetime.date or None
        Strings such as ``2023-08-15``, ``1402/05/24``, ``۱۴۰۲/۰۵/۲۴``, ``1402-05-24``;
        year < 1700 means Jalali. Missing values (None, NaN, NaT, empty string) → ``None``.

    Returns
    -------
    datetime.date or None

    Raises
    ------
    ValueError
        With the reason: unrecognised format, day-first order, month/day out of range,
        30 Esfand of a non-leap year, 29 February of a non-leap year.
    TypeError
        For values of another type (numbers are refused: an Excel serial or ``14020524``
        cannot be told apart from a typo).

    Examples
    --------
    >>> parse_date("۱۴۰۲/۰۵/۲۴")
    datetime.date(2023, 8, 15)
    """
    if _is_missing(value):
        return None
    if isinstance(value, jdatetime.datetime):
        return value.togregorian().date()
    if isinstance(value, jdatetime.date):
        return value.togregorian()
    if isinstance(value, _dt.datetime):  # includes pandas.Timestamp
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if not isinstance(value, str):
        raise TypeError(f"cannot read a date from {type(value).__name__} {value!r}")
    text = to_ascii_digits(value)
    match = _DATE.match(text)
    if match is None:
        if _DAY_FIRST.match(text):
            raise DateError("day_first", value)
        raise DateError("not_a_date", value)
    y, m, d = int(match.group(1)), int(match.group(3)), int(match.group(4))
    if y < JALALI_YEAR_LIMIT:
        if y < 1:
            raise DateError("year", value, y=y)
        return _jalali_to_gregorian(y, m, d, value)
    if not 1 <= m <= 12:
        raise DateError("gregorian_month", value, m=m)
    length = calendar.monthrange(y, m)[1]
    if not 1 <= d <= length:
        raise DateError("gregorian_day", value, d=d, length=length)
    return _dt.date(y, m, d)


def parse_dates(values: pd.Series | list) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates; every distinct value is parsed once (cached).

    Parameters
    ----------
    values : Series or list
        Mixed Jalali/Gregorian strings, dates or missing values.

    Returns
    -------
    dates : Series of str or None
        ISO Gregorian ``YYYY-MM-DD`` (object dtype); ``None`` for missing or invalid values.
    errors : Series of str or None
        The reason for each invalid value, ``None`` elsewhere (missing is not an error).
        ``errors.notna()`` is the error mask. Both keep the input's index.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    s = s.astype(object)
    cache: dict[object, tuple[str | None, str | None]] = {}
    iso: list[str | None] = []
    err: list[str | None] = []
    for v in s.tolist():
        key = ("nan",) if _is_missing(v) else (type(v).__name__, v)
        try:
            hit = cache[key]
        except KeyError:
            try:
                d = parse_date(v)
                hit = (None if d is None else d.isoformat(), None)
            except (ValueError, TypeError) as exc:
                hit = (None, str(exc))
            cache[key] = hit
        except TypeError:  # unhashable value
            hit = (None, f"cannot read a date from {type(v).__name__}")
        iso.append(hit[0])
        err.append(hit[1])
    return (pd.Series(iso, index=s.index, dtype=object, name=s.name),
            pd.Series(err, index=s.index, dtype=object, name="error"))


def to_jalali(value: object) -> jdatetime.date | None:
    """The :class:`jdatetime.date` of any value :func:`parse_date` accepts (None if missing)."""
    d = parse_date(value)
    return None if d is None else jdatetime.date.fromgregorian(date=d)


def format_jalali(value: object, lang: str = "fa") -> str:
    """Show a date as Jalali ``YYYY/MM/DD``: «۱۴۰۲/۰۵/۲۴» (``fa``) or ``1402/05/24`` (``en``).

    ``value`` is anything :func:`parse_date` accepts (ISO string, date, …); missing → ``""``.
    """
    if lang not in ("fa", "en"):
        raise ValueError(f"lang must be 'fa' or 'en', got {lang!r}")
    j = to_jalali(value)
    if j is None:
        return ""
    text = f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return to_persian_digits(text) if lang == "fa" else text


def jalali_year(value: object) -> int | None:
    """The Jalali year of a date (``2023-08-15`` → 1402); ``None`` if missing."""
    j = to_jalali(value)
    return None if j is None else j.year


def today_jalali() -> jdatetime.date:
    """Today's date (local clock) as a :class:`jdatetime.date`."""
    return jdatetime.date.today()
