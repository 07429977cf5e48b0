"""Persian text: the one normaliser used for matching names (keys, never shown).

Matching keys versus display
----------------------------
:func:`normalize` builds a *key* for comparing names (regions, firms, products typed by hand,
OpenStreetMap tags, official tables). It is lossy on purpose and must never be shown to users:
display always keeps the original text.

The key is built in this order (each rule states the real-world difference it removes):

1. **Unicode compatibility decomposition (NFKD) and case folding.** PDF/Word extractions carry
   Arabic presentation forms (U+FB50–U+FEFF, e.g. «ﻚ», «ﻻ») and full-width Latin/digits; NFKD
   maps them to base letters. It also splits «آ» into «ا» + madda, «أ/إ/ؤ/ئ» into the base letter
   + hamza and «ۀ» into «ە» + hamza, so step 2 turns them into their bare forms. Latin is
   case-folded ("County" → "county", "ß" → "ss").
2. **Remove combining marks** (Unicode category Mn/Me): harakat (fatha, kasra, shadda, sukun,
   tanwin), superscript alef, hamza above/below, Quranic marks, Latin accents ("Ardabīl").
   Official tables and OSM almost never agree on vowel marks; «آستانهٔ اشرفیه» (with the ezafe
   hamza) equals «آستانه اشرفیه».
3. **Letter variants → Persian letters.** Arabic keyboards and old software write «ي» (U+064A),
   «ى» (U+0649) and «ك» (U+0643) where Persian uses «ی» (U+06CC) and «ک» (U+06A9); the two look
   identical but compare unequal — the single most common reason names fail to join. Also
   «ة/ە/ھ/ہ» → «ه», «ٱ» → «ا», Urdu/Kurdish/Pashto yeh and kaf shapes → «ی»/«ک». After step 2
   this also covers «آ/أ/إ» → «ا», «ؤ» → «و», «ئ» → «ی» (قائمشهر = قایمشهر), «ۀ» → «ه».
4. **Digits → ASCII.** Persian «۰–۹» and Arabic-Indic «٠–٩» → «0–9» (NFKD already handled
   full-width digits).
5. **Invisible and control characters.** ZWNJ (U+200C, نیم‌فاصله) becomes a space because
   Persian writers use ZWNJ, a space or nothing interchangeably between parts of a compound
   name. Other format characters (ZWJ, ZWSP, BOM, LRM/RLM and bidi embeddings, soft hyphen,
   tatweel «ـ», which only stretches a word) and control characters (NUL, ESC, …) are removed.
6. **Punctuation → space**, except apostrophes, which are removed ("Sowme'eh" → "sowmeeh"):
   hyphens and dots separate parts of transliterated names inconsistently
   ("Bandar-e-Anzali" / "Bandar-e Anzali").
7. **Whitespace runs → one space, trimmed.**
8. **Administrative words are dropped**: a leading «شهرستان», «استان», «بخش», «دهستان», «شهر»,
   «روستای», «روستا», «ناحیه» (OSM names counties «شهرستان رشت», official tables «رشت») and a
   trailing English "county", "province", "district", "rural district", "city" (OSM
   ``name:en`` is "Rasht County", and sometimes "Ardabil city" for a county). The words are
   dropped repeatedly (so the key is idempotent) but never when nothing would remain
   (a place literally named «شهر» keeps its name). Only whole words are dropped: «شهرکرد»,
   «شهربابک» keep their «شهر». Persian suffixes are *not* dropped: «مشگین شهر» is a name,
   not "Meshgin + city".

Known costs of these rules (accepted because keys are only compared, never shown):
«آستان قدس» loses «آستان» (it folds to «استان»); «شهر بابک» written with a space keys as
«بابک»; names differing only in harakat or «آ»/«ا» collide. :mod:`khooshe.io.geo` treats a
key shared by two rows as ambiguous rather than guessing.

Spacing inside compound names (e.g. «بندر انزلی» vs «بندرانزلی», «مسجد سلیمان» vs
«مسجدسلیمان») is not unified by :func:`normalize` — that would merge genuinely different
words in running text. :func:`compact_key` (the key without spaces) is the second, still exact,
matching step used by :mod:`khooshe.io.geo`.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata

import numpy as np
import pandas as pd

from khooshe.text.digits import ARABIC_INDIC_DIGITS, ASCII_DIGITS, PERSIAN_DIGITS, is_missing

__all__ = [
    "ADMIN_PREFIXES_FA",
    "ADMIN_SUFFIXES_EN",
    "compact_key",
    "compact_series",
    "normalize",
    "normalize_series",
]


#: Leading administrative words dropped from keys (already in normalised form: «ا» not «آ»).
ADMIN_PREFIXES_FA: tuple[str, ...] = (
    "شهرستان", "استان", "بخش", "دهستان", "شهر", "روستای", "روستا", "ناحیه",
)
#: Trailing English administrative words dropped from keys (longest first).
ADMIN_SUFFIXES_EN: tuple[str, ...] = (
    "rural district", "county", "province", "district", "city",
)

# --- translation tables -------------------------------------------------------------------

_LETTERS: dict[str, str] = {
    # yeh variants → Persian yeh U+06CC
    "ي": "ی", "ى": "ی", "ۍ": "ی", "ې": "ی", "ێ": "ی", "ے": "ی", "ۑ": "ی", "ؠ": "ی",
    "ئ": "ی",  # only reached if not decomposed (it always is by NFKD); kept for safety
    # kaf variants → Persian keheh U+06A9
    "ك": "ک", "ڪ": "ک", "ػ": "ک", "ؼ": "ک",
    # heh / teh marbuta variants → heh U+0647
    "ة": "ه", "ە": "ه", "ھ": "ه", "ہ": "ه", "ۀ": "ه", "ۃ": "ه",
    # alef variants → alef U+0627
    "ٱ": "ا", "آ": "ا", "أ": "ا", "إ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ؤ": "و", "ۄ": "و", "ۆ": "و",
}


@functools.cache
def _table() -> dict[int, str | None]:
    """The key's translation table, built on first use (~0.1 s; not at import)."""
    table: dict[int, str | None] = {ord(k): v for k, v in _LETTERS.items()}
    for digits in (PERSIAN_DIGITS, ARABIC_INDIC_DIGITS):
        table.update({ord(d): a for d, a in zip(digits, ASCII_DIGITS, strict=True)})
    # ZWNJ → space; other invisible format characters and tatweel → removed
    table[0x200C] = " "
    for cp in (0x200B, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x200E, 0x200F, 0x061C, 0x0640,
               *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[cp] = None
    apostrophes = "'’‘ʼʻ`´"
    for ch in apostrophes:
        table[ord(ch)] = None
    # Combining marks, punctuation and format characters live in the BMP, the SMP and the
    # tag / variation-selector blocks of plane 14; scanning those (not all 1.1M code points)
    # keeps the build fast.
    for cp in itertools.chain(range(0x20000), range(0xE0000, 0xE0200)):
        if cp in table:
            continue
        cat = unicodedata.category(chr(cp))
        if cat in ("Mn", "Me"):  # combining marks: harakat, hamza above, accents
            table[cp] = None
        elif cat[0] == "P" or cat in ("Cf",):  # punctuation; remaining format chars
            table[cp] = " " if cat[0] == "P" else None
        elif cat == "Cc" and not chr(cp).isspace():  # control characters (NUL, ESC, …)
            table[cp] = None
    # Identity entries for the characters names are made of: str.translate leaves a character
    # alone after a failed lookup (a caught KeyError, slow), so a hit is ~2x faster.
    for cp in itertools.chain(range(0x20, 0x250), range(0x600, 0x700)):
        table.setdefault(cp, chr(cp))
    return table


_PREFIX_SET = frozenset(ADMIN_PREFIXES_FA)
_SUFFIX_TOKENS = tuple(tuple(w.split(" ")) for w in ADMIN_SUFFIXES_EN)  # longest first
_SUFFIX_LAST = frozenset(t[-1] for t in _SUFFIX_TOKENS)


def _strip_admin_words(tokens: list[str]) -> list[str]:
    """Drop leading Persian / trailing English admin words until none is left at either edge,
    never dropping the last remaining word (a fixpoint, so the key is idempotent)."""
    if not tokens or (tokens[0] not in _PREFIX_SET and tokens[-1] not in _SUFFIX_LAST):
        return tokens  # the common case, checked cheaply
    changed = True
    while changed:
        changed = False
        if len(tokens) > 1 and tokens[0] in _PREFIX_SET:
            tokens = tokens[1:]
            changed = True
        for suffix in _SUFFIX_TOKENS:
            n = len(suffix)
            if len(tokens) > n and tuple(tokens[-n:]) == suffix:
                tokens = tokens[:-n]
                changed = True
                break
    return tokens


def _key(text: str, table: dict[int, str | None]) -> str:
    s = unicodedata.normalize("NFKD", text).casefold()
    s = unicodedata.normalize("NFKD", s).translate(table)
    # str.split() splits on exactly the characters regex \s matches, and drops empty ends.
    return " ".join(_strip_admin_words(s.split()))


def normalize(text: str | None) -> str:
    """Return the matching key of a name (see the module docstring for every rule).

    Parameters
    ----------
    text : str or None
        Any text; ``None``/NaN gives ``""``.

    Returns
    -------
    str
        The key: NFKD, case-folded, no combining marks, Persian letter forms, ASCII digits,
        single spaces, administrative words dropped. ``normalize(normalize(x)) == normalize(x)``.

    Examples
    --------
    >>> normalize("شهرستان آستانه‌اشرفيه") == normalize("آستانهٔ اشرفیه")
    True
    >>> normalize("Rasht County")
    'rasht'
    """
    if is_missing(text):
        return ""
    return _key(str(text), _table())


def compact_key(text: str | None) -> str:
    """:func:`normalize` without any spaces: «بندر انزلی» and «بندرانزلی» give the same key."""
    return normalize(text).replace(" ", "")


def normalize_series(s: pd.Series) -> pd.Series:
    """:func:`normalize` over a Series, computing each distinct value once.

    The values are factorised (``pandas.factorize``), the key of each distinct value is
    computed once and broadcast back with a NumPy take. Name columns repeat heavily (county,
    village, activity names), so this is much faster than per-row work; on 100k all-distinct
    names it runs at the speed of the scalar function (~0.8 s here). A chain of pandas ``.str``
    operations was measured *slower* (1.35 s per 100k): pandas ``.str`` methods loop in
    Python per element and step, and the translation table dominates either way.

    Missing values give ``""``; the index and name are kept; dtype is object.
    """
    if not isinstance(s, pd.Series):
        raise TypeError(f"normalize_series expects a pandas Series, got {type(s).__name__}")
    if len(s) == 0:
        return pd.Series([], index=s.index, name=s.name, dtype=object)
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    table = _table()
    keys = np.array([_key(str(u), table) for u in uniques] + [""], dtype=object)
    out = pd.Series(keys[codes], index=s.index, name=s.name, dtype=object)
    # pandas' hash table compares strings as C strings, so "a\x00b" and "a" share a code;
    # strings holding a NUL are keyed one by one
    nul = np.fromiter((isinstance(v, str) and "\x00" in v for v in s.to_numpy()), dtype=bool,
                      count=len(s))
    if nul.any():
        out[nul] = [_key(v, table) for v in s.to_numpy()[nul]]
    return out


def compact_series(s: pd.Series) -> pd.Series:
    """Vectorised :func:`compact_key`."""
    return normalize_series(s).str.replace(" ", "", regex=False).astype(object)
