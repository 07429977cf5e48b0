"""Numbers and money as people read them: the one formatter of every number khooshe shows.

* :func:`format_number`: thousands grouping; Persian digits and CLDR separators in ``fa``;
* :func:`format_money_toman`: an amount stored in rials shown in toman with a unit;
* :func:`format_value`: any table cell or figure in a sentence (numbers with as many decimals
  as their size needs, booleans, dates in the reader's calendar, text as given);
"""

from __future__ import annotations

import datetime as _dt
import math
from decimal import ROUND_HALF_UP, Decimal
from numbers import Real

import numpy as np

from khooshe.text.digits import check_lang, is_missing, to_persian_digits

FA_THOUSANDS_SEP = "٬"  # U+066C ARABIC THOUSANDS SEPARATOR
FA_DECIMAL_SEP = "٫"  # U+066B ARABIC DECIMAL SEPARATOR
FA_MINUS = "−"  # U+2212 MINUS SIGN, as CLDR's fa locale
#: Left-to-right mark: put before «−» so a negative number keeps its sign on the left in
#: right-to-left text (as CLDR's Persian minus sign does); without it the bidirectional
#: algorithm moves the sign to the right of the digits.
LRM = "\u200e"


def _to_decimal(n: object, what: str) -> Decimal:
    if isinstance(n, bool) or not isinstance(n, Real | Decimal):
        raise TypeError(f"{what} must be a number, got {type(n).__name__} {n!r}")
    if isinstance(n, float) and math.isinf(n):
        raise ValueError(f"{what} must be finite, got {n}")
    return Decimal(n) if isinstance(n, Decimal | int) else Decimal(repr(float(n)))


def format_number(n: object, lang: str = "fa", decimals: int = 0) -> str:
    """Format a number with thousands grouping.

    ``fa``: Persian digits, «٬» (U+066C) between thousands, «٫» (U+066B) before decimals and
    «−» (U+2212) for negatives — the CLDR ``fa`` conventions. ``en``: ``1,234.5``.
    Rounding is half-up on the decimal value (``2.5`` → ``3``), not banker's rounding.
    Missing values (None/NaN/NA) give ``""``.

    >>> format_number(1234567.891, "fa", 2)
    '۱٬۲۳۴٬۵۶۷٫۸۹'
    """
    check_lang(lang)
    if not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be a non-negative integer, got {decimals!r}")
    if is_missing(n):
        return ""
    d = _to_decimal(n, "number")
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(q):,.{decimals}f}"
    negative = q < 0
    if lang == "en":
        return ("-" if negative else "") + text
    text = text.replace(",", FA_THOUSANDS_SEP).replace(".", FA_DECIMAL_SEP)
    return (FA_MINUS if negative else "") + to_persian_digits(text)


#: Toman factors of the money units, largest first, and their catalogue keys
#: (``units.money.<key>``: «میلیارد» / "bn").
MONEY_UNITS: tuple[tuple[int, str], ...] = (
    (10**12, "tn"),
    (10**9, "bn"),
    (10**6, "m"),
    (10**3, "thousand"),
    (1, ""),
)


def _auto_unit(toman: Decimal) -> int:
    a = abs(toman)
    if a >= Decimal(10) ** 14:  # from 100,000 میلیارد on: هزار میلیارد
        return 10**12
    if a >= Decimal(10) ** 9:  # 1 … 99,999 میلیارد (provincial budgets: «۱۶٬۰۰۰ میلیارد»)
        return 10**9
    if a >= Decimal(10) ** 6:
        return 10**6
    if a >= Decimal(10) ** 3:
        return 10**3
    return 1


def format_money_toman(
    rials: object, lang: str = "fa", *, unit: int | None = None, decimals: int | None = None
) -> str:
    """Format an amount stored in rials as toman with a unit (1 toman = 10 rials).

    Parameters
    ----------
    rials : int, float or Decimal
        The amount in rials (storage unit). None/NaN → ``""``.
    lang : {"fa", "en"}
        ``fa``: «۱۶٬۰۰۰ میلیارد تومان»; ``en``: ``16,000 bn toman``.
    unit : int, optional
        Force a unit factor in toman (1, 10**3, 10**6, 10**9 or 10**12) so a whole table
        uses the same unit. By default it is chosen from the amount: هزار (≥ 10³ toman),
        میلیون (≥ 10⁶), میلیارد (≥ 10⁹) and هزار میلیارد only from 10¹⁴ toman on — Iranian budget
        and credit tables usually quote tens of thousands of میلیارد («۱۶٬۰۰۰ میلیارد تومان»)
        rather than «۱۶ هزار میلیارد», and the number then keeps at most five digits.
    decimals : int, optional
        Default: 1 decimal when the scaled value is below 100 and not whole, else 0.

    >>> format_money_toman(160_000_000_000_000)
    '۱۶٬۰۰۰ میلیارد تومان'
    >>> format_money_toman(160_000_000_000_000, "en")
    '16,000 bn toman'
    """
    check_lang(lang)
    if is_missing(rials):
        return ""
    toman = _to_decimal(rials, "rials") / 10
    factors = dict(MONEY_UNITS)
    if unit is None:
        unit = _auto_unit(toman)
    elif unit not in factors:
        raise ValueError(f"unit must be one of {sorted(factors)}, got {unit!r}")
    value = toman / unit
    if decimals is None:
        rounded1 = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        decimals = 1 if abs(value) < 100 and rounded1 != rounded1.to_integral_value() else 0
    return money_text(format_number(value, lang, decimals), factors[unit], lang)


def money_text(number: str, unit_key: str, lang: str) -> str:
    """``number`` (already formatted) followed by the money unit ``unit_key`` and «تومان»."""
    from khooshe.text.messages import t

    key = f"units.money.{unit_key}" if unit_key else "units.money.toman"
    return t(key, lang, number=number)

def signed(text: str) -> str:
    """``text`` (a formatted number) safe to show in right-to-left text: an LRM before a
    leading minus sign (U+2212 or ``-``)."""
    return LRM + text if text[:1] in ("−", "-") else text


def auto_decimals(value: float) -> int:
    """Decimals a number is shown with when nothing else is said: none for whole numbers and
    from 100 on, 2 from 1 on, 3 below (so shares and indices keep their signal)."""
    v = abs(value)
    return 0 if value == round(value) or v >= 100 else (2 if v >= 1 else 3)


def format_value(value: object, lang: str) -> tuple[str, bool]:
    """The text of one value as a table or a sentence shows it, and whether it is a number.

    Integers with grouping, floats with :func:`auto_decimals`, infinities as ∞, a minus sign
    kept on the left in right-to-left text; booleans as ✓ / —; dates in the reader's calendar
    (Jalali in ``fa``, ISO in ``en``); anything else as its text with Persian digits in ``fa``.
    Missing values give ``""``.
    """
    if is_missing(value):
        return "", False
    if isinstance(value, bool | np.bool_):
        return ("✓" if value else "—"), False
    if isinstance(value, int | np.integer):
        return signed(format_number(int(value), lang)), True
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isinf(v):
            return signed("∞" if v > 0 else "−∞"), True
        return signed(format_number(v, lang, auto_decimals(v))), True
    if isinstance(value, _dt.date):  # also datetime and pd.Timestamp
        from khooshe.text.jalali import format_jalali

        return (format_jalali(value, lang) if lang == "fa" else value.isoformat()[:10]), False
    return (to_persian_digits(value) if lang == "fa" else str(value)), False


__all__ = [
    "FA_DECIMAL_SEP",
    "FA_MINUS",
    "FA_THOUSANDS_SEP",
    "LRM",
    "MONEY_UNITS",
    "auto_decimals",
    "format_money_toman",
    "format_number",
    "format_value",
    "money_text",
    "signed",
]
