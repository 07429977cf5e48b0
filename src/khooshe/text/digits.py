"""Digits: Persian (۰–۹), Arabic-Indic (٠–٩) and ASCII, and the one test for a missing value.

Every user-facing number is written with :mod:`khooshe.text.numbers`; this module only swaps
digit shapes. Identifiers (codes such as ``0603`` or ``E0008602``) keep their Latin digits even
in Persian text: pass them through unchanged.
"""

from __future__ import annotations

import math
import sys

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ASCII_DIGITS = "0123456789"

_TO_FA_DIGITS = str.maketrans(ASCII_DIGITS + ARABIC_INDIC_DIGITS, PERSIAN_DIGITS * 2)
#: Full-width digits (U+FF10–U+FF19), which Asian input methods and some PDFs produce.
FULLWIDTH_DIGITS = "０１２３４５６７８９"
_TO_ASCII_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS + FULLWIDTH_DIGITS,
                                 ASCII_DIGITS * 3)

LANGS: tuple[str, ...] = ("fa", "en")


def check_lang(lang: str) -> None:
    """Raise ``ValueError`` unless ``lang`` is ``fa`` or ``en``."""
    if lang not in LANGS:
        raise ValueError(f"lang must be 'fa' or 'en', got {lang!r}")


def is_missing(value: object) -> bool:
    """Whether ``value`` is None, NaN, ``pd.NA`` or ``pd.NaT``."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    # pandas is looked up, not imported: the message catalogue (and so the CLI's --help) must
    # not load it, and a value cannot be pd.NA or pd.NaT unless pandas is already loaded.
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def is_blank(value: object) -> bool:
    """Whether ``value`` holds nothing: missing (:func:`is_missing`) or text of spaces only —
    a form's empty field."""
    return is_missing(value) or (isinstance(value, str) and not value.strip())


def to_persian_digits(x: object) -> str:
    """``str(x)`` with ASCII and Arabic-Indic digits replaced by Persian digits (۰–۹)."""
    return "" if x is None else str(x).translate(_TO_FA_DIGITS)


def to_ascii_digits(s: object) -> str:
    """``str(s)`` with Persian (۰–۹), Arabic-Indic (٠–٩) and full-width (０–９) digits replaced
    by ASCII 0–9.

    Separators are left alone: ``"۱۲٫۵"`` → ``"12٫5"``.
    """
    return "" if s is None else str(s).translate(_TO_ASCII_DIGITS)


def digits(text: object, lang: str) -> str:
    """``text`` with Persian digits in ``fa`` and as it is in ``en`` (for words with numbers
    in them, such as a Jalali year; not for identifiers)."""
    return to_persian_digits(text) if lang == "fa" else ("" if text is None else str(text))


__all__ = [
    "ARABIC_INDIC_DIGITS",
    "ASCII_DIGITS",
    "LANGS",
    "PERSIAN_DIGITS",
    "check_lang",
    "digits",
    "is_blank",
    "is_missing",
    "to_ascii_digits",
    "to_persian_digits",
]
