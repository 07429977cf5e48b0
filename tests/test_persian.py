"""Tests for khooshe.text (normalize, digits, numbers): the matching key, digits, number and
money formatting."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khooshe.text.digits import to_ascii_digits, to_persian_digits
from khooshe.text.normalize import (
    ADMIN_PREFIXES_FA,
    compact_key,
    compact_series,
    normalize,
    normalize_series,
)
from khooshe.text.numbers import format_money_toman, format_number

ZWNJ = "\u200c"
PERSIAN_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
# Arabic-script variants and their Persian equivalents for matching
VARIANTS = {"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "آ": "ا",
            "ؤ": "و", "ئ": "ی"}

persian_word = st.text(alphabet=PERSIAN_LETTERS, min_size=1, max_size=8)
persian_name = st.lists(persian_word, min_size=1, max_size=4).map(" ".join)
mixed_text = st.text(
    alphabet=st.sampled_from(
        list(PERSIAN_LETTERS) + list(VARIANTS) + list("۰۱۲۹٠٥٩0129 abcXYZ-'.،ـ")
        + [ZWNJ, "\u200d", "\u200f", "\t", "\n", "\u064e", "\u0650", "\u0651", "\u0654"]
    ),
    max_size=30,
)


# --- known values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("شهرستان آستانه اشرفیه", "استانه اشرفیه"),
        ("آستانه\u200cاشرفیه", "استانه اشرفیه"),
        ("آستانهٔ اشرفیه", "استانه اشرفیه"),
        ("استان كرمانشاه", "کرمانشاه"),  # Arabic kaf
        ("شهرستان بيله سوار", "بیله سوار"),  # Arabic yeh
        ("روستای  ده\u200cنو", "ده نو"),
        ("Rasht County", "rasht"),
        ("Bandar-e-Anzali County", "bandar e anzali"),
        ("Sowme'eh Sara County", "sowmeeh sara"),
        ("Ardabil city", "ardabil"),
        ("Khuzestan Province", "khuzestan"),
        ("Ardabīl", "ardabil"),
        ("مُحَمَّد", "محمد"),
        ("تهـــران", "تهران"),
        ("قائم‌شهر", "قایم شهر"),
        ("ﻛﺮﻣﺎﻥ", "کرمان"),  # presentation forms (PDF extraction)
        ("منطقه ۱۲", "منطقه 12"),
        ("منطقه ١٢", "منطقه 12"),
        ("شهر", "شهر"),  # never reduced to nothing
        ("شهرکرد", "شهرکرد"),  # whole words only
        ("مشگین شهر", "مشگین شهر"),  # Persian suffixes are names, not admin words
        ("", ""),
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
    ],
)
def test_normalize_known(raw, key):
    assert normalize(raw) == key


def test_compact_key_merges_spacing_variants():
    assert compact_key("شهرستان بندر انزلی") == compact_key("بندرانزلی") == "بندرانزلی"
    assert compact_key("مسجد\u200cسلیمان") == compact_key("مسجدسلیمان")
    assert normalize("بندر انزلی") != normalize("بندرانزلی")  # normalize keeps word breaks


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_idempotent_any_unicode(text):
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(mixed_text)
def test_idempotent_persian_mix(text):
    once = normalize(text)
    assert normalize(once) == once
    assert compact_key(once) == compact_key(text)


@settings(max_examples=200, deadline=None)
@given(persian_name, st.data())
def test_invariant_under_zwnj_and_extra_spaces(name, data):
    # Replace each word break by a random run of spaces / ZWNJ / tabs, pad both ends.
    sep = st.text(alphabet=[" ", ZWNJ, "\t", "\u00a0"], min_size=1, max_size=3)
    words = name.split(" ")
    noisy = data.draw(st.text(alphabet=" \t", max_size=2)) + words[0]
    for w in words[1:]:
        noisy += data.draw(sep) + w
    noisy += data.draw(st.text(alphabet=" \n", max_size=2))
    assert normalize(noisy) == normalize(name)


@settings(max_examples=200, deadline=None)
@given(persian_name, st.data())
def test_arabic_letter_variants_map_to_same_key(name, data):
    # Put Arabic-script variants where Persian letters are.
    inverse: dict[str, list[str]] = {}
    for arabic, persian in VARIANTS.items():
        inverse.setdefault(persian, []).append(arabic)
    chars = [data.draw(st.sampled_from([c, *inverse[c]])) if c in inverse else c for c in name]
    assert normalize("".join(chars)) == normalize(name)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), persian_word)
def test_digit_variants_map_to_same_key(n, word):
    ascii_ = f"{n} {word}"
    persian = to_persian_digits(ascii_)
    arabic = ascii_.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert normalize(ascii_) == normalize(persian) == normalize(arabic) == f"{n} {normalize(word)}"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ADMIN_PREFIXES_FA), persian_name)
def test_prefix_rule(prefix, name):
    if name.split(" ")[0] in ADMIN_PREFIXES_FA:
        return  # a name that itself starts with an admin word: covered by idempotence
    key = normalize(name)
    assert normalize(f"{prefix} {name}") == key
    assert normalize(f"{prefix}{ZWNJ}{name}") == key
    assert normalize(f"{prefix}  {prefix} {name}") == key
    assert normalize(f"{name} County") == key
    assert normalize(prefix) == prefix  # alone it is kept, never reduced to ""


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), mixed_text, st.text(max_size=15)), max_size=30))
def test_normalize_series_equals_elementwise(values):
    s = pd.Series(values, dtype=object, index=range(10, 10 + len(values)))
    out = normalize_series(s)
    assert list(out.index) == list(s.index)
    assert out.tolist() == [normalize(v) for v in values]
    assert compact_series(s).tolist() == [compact_key(v) for v in values]


def test_normalize_series_handles_nan_and_rejects_lists():
    s = pd.Series(["شهرستان رشت", None, math.nan, "Rasht County"])
    assert normalize_series(s).tolist() == ["رشت", "", "", "rasht"]
    with pytest.raises(TypeError, match="pandas Series"):
        normalize_series(["رشت"])  # type: ignore[arg-type]


# --- digits, numbers, money ---------------------------------------------------------------


def test_digits_roundtrip():
    assert to_persian_digits(1402) == "۱۴۰۲"
    assert to_persian_digits("٠١٢ 345") == "۰۱۲ ۳۴۵"
    assert to_ascii_digits("۱۴۰۲/۰۵/۲۴") == "1402/05/24"
    assert to_ascii_digits("٢٣") == "23"
    assert to_ascii_digits(None) == "" and to_persian_digits(None) == ""


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_number_roundtrip(n):
    fa = format_number(n, "fa")
    back = to_ascii_digits(fa).replace("٬", "").replace("−", "-")
    assert int(back) == n
    assert format_number(n, "en") == f"{n:,}"


@pytest.mark.parametrize(
    ("n", "lang", "decimals", "text"),
    [
        (1234567.891, "fa", 2, "۱٬۲۳۴٬۵۶۷٫۸۹"),
        (1234567.891, "en", 2, "1,234,567.89"),
        (0, "fa", 0, "۰"),
        (-2500, "fa", 0, "−۲٬۵۰۰"),
        (2.5, "en", 0, "3"),  # half-up, not banker's rounding
        (0.125, "en", 2, "0.13"),
        (None, "fa", 0, ""),
        (math.nan, "en", 0, ""),
    ],
)
def test_format_number_known(n, lang, decimals, text):
    assert format_number(n, lang, decimals) == text


def test_format_number_errors():
    with pytest.raises(ValueError, match="lang"):
        format_number(1, "de")
    with pytest.raises(TypeError, match="number"):
        format_number("12", "fa")
    with pytest.raises(ValueError, match="decimals"):
        format_number(1, "fa", -1)


@pytest.mark.parametrize(
    ("rials", "fa", "en"),
    [
        (160_000_000_000_000, "۱۶٬۰۰۰ میلیارد تومان", "16,000 bn toman"),
        (25_000_000_000, "۲٫۵ میلیارد تومان", "2.5 bn toman"),
        (10_000_000_000, "۱ میلیارد تومان", "1 bn toman"),
        (15_000_000, "۱٫۵ میلیون تومان", "1.5 m toman"),
        (5_000_000, "۵۰۰ هزار تومان", "500 thousand toman"),
        (1_234, "۱۲۳ تومان", "123 toman"),
        (2_000_000_000_000_000, "۲۰۰ هزار میلیارد تومان", "200 tn toman"),
        (-30_000_000_000, "−۳ میلیارد تومان", "-3 bn toman"),
        (None, "", ""),
    ],
)
def test_format_money_toman(rials, fa, en):
    assert format_money_toman(rials, "fa") == fa
    assert format_money_toman(rials, "en") == en


def test_format_money_forced_unit():
    assert format_money_toman(160_000_000_000_000, unit=10**12) == "۱۶ هزار میلیارد تومان"
    assert format_money_toman(25_000_000_000, "en", unit=10**6) == "2,500 m toman"
    with pytest.raises(ValueError, match="unit"):
        format_money_toman(1, unit=7)
