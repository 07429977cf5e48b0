"""Values people type into options and forms: year windows, ``KEY=VALUE`` pairs, rates per
market and comma-separated lists.

The command line and the web app read the same text the same way, so the parsing lives here,
not in either interface. Every function names the field in its errors (``what``: the CLI passes
``--years``, a form its field name) and raises :class:`~khooshe.domain.errors.InputError`.
Persian and Arabic-Indic digits are accepted wherever a number is. Amounts of money are parsed
by :func:`khooshe.domain.validate.parse_amount`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from khooshe.domain.errors import InputError
from khooshe.text.digits import to_ascii_digits

_YEARS = re.compile(r"\s*(\d{4})\s*(?:[-–:]\s*(\d{4}))?\s*")


def split_list(text: str | Iterable[str] | None) -> list[str]:
    """``"a, b,,c"`` → ``["a", "b", "c"]``; a list of such strings is split item by item
    (an option given several times). Empty items are dropped; ``None`` gives ``[]``."""
    if text is None:
        return []
    items = [text] if isinstance(text, str) else list(text)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def parse_years(text: str | None, what: str = "years") -> tuple[int, int] | None:
    """``"2019-2023"`` (or ``2019–2023``, ``2019:2023``) or ``"2022"`` → an inclusive range.

    >>> parse_years("2019-2023")
    (2019, 2023)
    >>> parse_years("۱۹۹۵")
    (1995, 1995)
    """
    if text is None:
        return None
    m = _YEARS.fullmatch(to_ascii_digits(text))
    if not m:
        raise InputError(f"{what} must be YEAR or YEAR1-YEAR2 (e.g. 2019-2023), not {text!r}")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if lo > hi:
        raise InputError(f"{what} {text}: the first year is after the last")
    return lo, hi


def parse_pairs(values: str | Iterable[str] | None, what: str, *, form: str = "CODE=AMOUNT",
                example: str = "06=500_000_000_000") -> dict[str, str]:
    """``["06=5e11", "24=1e12"]`` (or ``"06=5e11,24=1e12"``) → ``{"06": "5e11", "24": "1e12"}``.

    Values stay text: the caller knows whether they are amounts, weights or rates. A key given
    twice is an error, not a silent overwrite.
    """
    out: dict[str, str] = {}
    for item in split_list(values):
        key, sep, value = item.partition("=")
        key, value = to_ascii_digits(key).strip(), value.strip()
        if not sep or not key or not value:
            raise InputError(f"{what} {item!r}: write {form}, e.g. {what} {example}")
        if key in out:
            raise InputError(f"{what}: {key!r} is given twice")
        out[key] = value
    return out


def _number(text: str) -> float:
    return float(to_ascii_digits(text).replace("\u066b", ".").strip())


def parse_weights(values: str | Iterable[str] | None, what: str = "weights"
                  ) -> dict[str, float] | None:
    """``["jobs=2", "exports=1"]`` → ``{"jobs": 2.0, "exports": 1.0}``; nothing given → None."""
    pairs = parse_pairs(values, what, form="NAME=WEIGHT", example="jobs=2")
    if not pairs:
        return None
    out: dict[str, float] = {}
    for key, value in pairs.items():
        try:
            out[key] = _number(value)
        except ValueError:
            raise InputError(f"{what} {key}={value}: the weight must be a number") from None
    return out


def parse_rates(text: str | float, what: str = "growth") -> float | dict[str, float]:
    """One rate for every market (``"0.03"``) or rates per market (``"IRQ=0.05,KWT=0.02"``).

    The market keys are returned as typed (a code or a name); resolving them to ISO3 codes
    needs the country table, which the markets service has.

    >>> parse_rates("0.03")
    0.03
    >>> parse_rates("IRQ=0.05, عراق=0.02")
    {'IRQ': 0.05, 'عراق': 0.02}
    """
    if isinstance(text, int | float):
        return float(text)
    bad = InputError(f"{what} must be a rate (0.03) or MARKET=RATE pairs (IRQ=0.05,KWT=0.02), "
                     f"not {text!r}")
    if "=" not in text:
        try:
            return _number(text)
        except ValueError:
            raise bad from None
    pairs = parse_pairs(text, what, form="MARKET=RATE", example="IRQ=0.05")
    try:
        return {key: _number(value) for key, value in pairs.items()}
    except ValueError:
        raise bad from None


__all__ = ["parse_pairs", "parse_rates", "parse_weights", "parse_years", "split_list"]
