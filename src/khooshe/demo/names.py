"""Synthetic but plausible Persian place and person names.

Place names follow the commonest Iranian patterns: a root plus a suffix («حسن‌آباد»,
«نیک‌کلا», «سبزدره») or a prefix plus a root («قلعه‌سفید», «چشمه‌انار»). Duplicates inside one
county get the usual qualifiers «بالا», «پایین», «نو», «علیا», «سفلی», then a number, as real
gazetteers do. English names are transliterations followed by ``(synthetic)``: a generated name
can coincide with a real place, so the English name always says it is not one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ZWNJ = "\u200c"
SYNTHETIC_TAG = " (synthetic)"

ROOTS: tuple[tuple[str, str], ...] = (
    ("حسن", "Hasan"), ("علی", "Ali"), ("محمد", "Mohammad"), ("رضا", "Reza"), ("کریم", "Karim"),
    ("جعفر", "Jafar"), ("محمود", "Mahmud"), ("اکبر", "Akbar"), ("نصر", "Nasr"), ("مهر", "Mehr"),
    ("خرم", "Khorram"), ("نیک", "Nik"), ("سبز", "Sabz"), ("سفید", "Sefid"), ("سرخ", "Sorkh"),
    ("زرد", "Zard"), ("کبود", "Kabud"), ("انار", "Anar"), ("بید", "Bid"), ("چنار", "Chenar"),
    ("گردو", "Gerdu"), ("شیرین", "Shirin"), ("روشن", "Roshan"), ("آهو", "Ahu"), ("امیر", "Amir"),
    ("فتح", "Fath"), ("قاسم", "Qasem"), ("یوسف", "Yusef"), ("ابراهیم", "Ebrahim"),
    ("اسماعیل", "Esmail"), ("ملک", "Malek"), ("بهار", "Bahar"), ("نور", "Nur"), ("باران", "Baran"),
    ("کاظم", "Kazem"), ("تقی", "Taqi"), ("صالح", "Saleh"), ("هاشم", "Hashem"), ("عباس", "Abbas"),
    ("سلیمان", "Soleyman"), ("فیروز", "Firuz"), ("مراد", "Morad"), ("خلیل", "Khalil"),
    ("دولت", "Dowlat"), ("رحیم", "Rahim"), ("حیدر", "Heydar"), ("بهرام", "Bahram"),
    ("جمال", "Jamal"), ("کمال", "Kamal"), ("زینل", "Zeynal"), ("سیف", "Seyf"), ("شریف", "Sharif"),
    ("نظر", "Nazar"), ("لطف", "Lotf"), ("گلاب", "Golab"), ("توت", "Tut"), ("بادام", "Badam"),
    ("سنجد", "Senjed"), ("ارغوان", "Arghavan"), ("لاله", "Laleh"),
)
SUFFIXES: tuple[tuple[str, str], ...] = (
    ("آباد", "abad"), ("آباد", "abad"), ("آباد", "abad"), ("کلا", "kola"), ("ده", "deh"),
    ("سرا", "sara"), ("دره", "darreh"), ("زار", "zar"), ("کند", "kand"), ("بن", "bon"),
)
PREFIXES: tuple[tuple[str, str], ...] = (
    ("ده", "Deh"), ("قلعه", "Qaleh"), ("کلاته", "Kalateh"), ("چشمه", "Cheshmeh"), ("باغ", "Bagh"),
    ("چاه", "Chah"), ("تل", "Tal"), ("سر", "Sar"), ("کوه", "Kuh"), ("دشت", "Dasht"),
    ("بند", "Band"), ("آب", "Ab"), ("میان", "Mian"), ("تازه", "Tazeh"), ("امام", "Emam"),
)
QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("بالا", "Bala"), ("پایین", "Pain"), ("نو", "Now"), ("علیا", "Olya"), ("سفلی", "Sofla"),
)
FIRST_NAMES: tuple[str, ...] = (
    "علی", "محمد", "حسین", "رضا", "مهدی", "حمید", "سعید", "مریم", "زهرا", "فاطمه", "سارا",
    "نرگس", "مجید", "امیر", "ناصر", "لیلا", "مینا", "بهروز", "فرشته", "کامران", "پروین",
    "جواد", "اکرم", "سمیرا", "یوسف", "منصور", "شهناز", "داوود", "الهام", "وحید",
)

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def persian_digits(text: object) -> str:
    """Write ASCII digits as Persian digits (``"12"`` or ``12`` → ``"۱۲"``)."""
    return str(text).translate(_PERSIAN_DIGITS)


def place_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` place names (Persian, English transliteration without the synthetic tag).

    Two thirds are root + suffix (joined with a zero-width non-joiner), one third prefix + root.
    """
    roots = rng.integers(len(ROOTS), size=n)
    use_prefix = rng.random(n) < 1 / 3
    suffix = rng.integers(len(SUFFIXES), size=n)
    prefix = rng.integers(len(PREFIXES), size=n)
    fa = np.empty(n, dtype=object)
    en = np.empty(n, dtype=object)
    for i in range(n):  # string building; ~0.1 µs per name
        r_fa, r_en = ROOTS[roots[i]]
        if use_prefix[i]:
            p_fa, p_en = PREFIXES[prefix[i]]
            fa[i] = f"{p_fa}{ZWNJ}{r_fa}"
            en[i] = f"{p_en}-{r_en}"
        else:
            s_fa, s_en = SUFFIXES[suffix[i]]
            fa[i] = f"{r_fa}{ZWNJ}{s_fa}"
            en[i] = f"{r_en}{s_en}"
    return fa, en


def unique_within(groups: np.ndarray, fa: np.ndarray, en: np.ndarray) -> tuple[list, list]:
    """Make names unique inside each group by adding the gazetteer qualifiers, then numbers.

    The first occurrence keeps its name; the k-th duplicate gets «بالا», «پایین», «نو», «علیا»,
    «سفلی» and from the sixth on a Persian number («حسن‌آباد ۷»). English names get the same
    qualifier and the ``(synthetic)`` tag.
    """
    frame = pd.DataFrame({"g": groups, "fa": fa})
    k = frame.groupby(["g", "fa"], sort=False).cumcount().to_numpy()
    out_fa, out_en = [], []
    for name_fa, name_en, dup in zip(fa, en, k, strict=True):
        if dup == 0:
            out_fa.append(name_fa)
            out_en.append(name_en + SYNTHETIC_TAG)
        elif dup <= len(QUALIFIERS):
            q_fa, q_en = QUALIFIERS[dup - 1]
            out_fa.append(f"{name_fa} {q_fa}")
            out_en.append(f"{name_en} {q_en}{SYNTHETIC_TAG}")
        else:
            out_fa.append(f"{name_fa} {persian_digits(dup + 1)}")
            out_en.append(f"{name_en} {dup + 1}{SYNTHETIC_TAG}")
    return out_fa, out_en


def surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """Family names formed like many Iranian ones: a place name plus «ی» («حسن‌آبادی»)."""
    fa, _ = place_names(rng, n)
    return np.array([_nisba(x) for x in fa], dtype=object)


def _nisba(name: str) -> str:
    """The adjective of origin: «آباد» → «آبادی», «دره» → «دره‌ای», «کلا» → «کلایی»."""
    if name.endswith("ه"):
        return f"{name}{ZWNJ}ای"
    if name.endswith(("ا", "و")):
        return f"{name}یی"
    if name.endswith("ی"):
        return name
    return f"{name}ی"


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Synthetic person names: a common first name and a place-derived family name."""
    first = rng.integers(len(FIRST_NAMES), size=n)
    last = surnames(rng, n)
    return np.array([f"{FIRST_NAMES[f]} {s}" for f, s in zip(first, last, strict=True)],
                    dtype=object)
