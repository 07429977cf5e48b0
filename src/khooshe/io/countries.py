"""The country table: ISO 3166-1 alpha-3 ↔ ISO numeric ↔ English and Persian names, with
approximate capital coordinates for great-circle distances.

``khooshe/data/countries.csv`` (package data) has one row per country or territory (244 rows):

=========  ===================================================================================
column     content
=========  ===================================================================================
iso3       ISO 3166-1 alpha-3 (khooshe's country code everywhere)
numeric    ISO 3166-1 numeric, three digits (the code BACI and Comtrade use)
name_en    English short name
name_fa    Persian name (every row; the neighbours, the Persian Gulf states and the main
           trading partners as used in Iranian official and press usage)
lat, lon   approximate coordinates of the capital, or of the main economic city where the
           capital is not where trade happens (Abidjan for Côte d'Ivoire)
=========  ===================================================================================

Source: compiled for khooshe from public knowledge; approximate. Coordinates are rounded to
0.01° and are only meant for great-circle distances between countries (errors of a few km
against distances of hundreds or thousands). The layout is the workspace's ``countries``
entity, so the file can be imported into a workspace as it is.

BACI and Comtrade use a few numeric codes that are not ISO 3166 codes (a territory merged with
its neighbour); :data:`TRADE_NUMERIC_ALIASES` maps them to the ISO3 code of the main country.
A BACI ``country_codes`` file given by the user (:func:`read_baci_countries`) takes precedence.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pandas as pd

from khooshe.domain.errors import NotFoundError
from khooshe.io import reference
from khooshe.text.messages import Message, joined

COUNTRY_COLUMNS = ("iso3", "numeric", "name_en", "name_fa", "lat", "lon")

#: Non-ISO numeric codes of BACI/Comtrade → ISO3 (CEPII BACI country_codes; UN Comtrade).
TRADE_NUMERIC_ALIASES: dict[int, str] = {
    251: "FRA",  # France incl. Monaco
    842: "USA",  # USA incl. Puerto Rico and the US Virgin Islands
    757: "CHE",  # Switzerland incl. Liechtenstein
    699: "IND",  # India incl. Sikkim and Pondicherry
    579: "NOR",  # Norway incl. Svalbard and Jan Mayen
    490: "TWN",  # "Other Asia, nes": Taiwan in practice
    711: "ZAF",  # Southern African Customs Union (before 2000)
    736: "SDN",  # Sudan before the 2011 split
    58: "BEL",  # Belgium-Luxembourg (before 1999)
    280: "DEU",  # Federal Republic of Germany (before 1991)
}

#: Other names users type for a country (keys are :func:`khooshe.text.normalize.normalize` keys).
NAME_ALIASES: dict[str, str] = {
    "uae": "ARE", "emirates": "ARE", "امارات": "ARE", "امارات متحده": "ARE",
    "ksa": "SAU", "saudi": "SAU", "عربستان": "SAU",
    "usa": "USA", "us": "USA", "united states of america": "USA", "america": "USA",
    "امریکا": "USA", "ایالات متحده": "USA",
    "uk": "GBR", "great britain": "GBR", "england": "GBR", "انگلیس": "GBR", "انگلستان": "GBR",
    "britain": "GBR",
    "turkey": "TUR", "turkiye": "TUR", "ترکیه": "TUR",
    "russia": "RUS", "south korea": "KOR", "korea": "KOR", "کره": "KOR",
    "north korea": "PRK", "iran islamic republic of": "IRN", "islamic republic of iran": "IRN",
    "persia": "IRN", "syria": "SYR", "vietnam": "VNM", "laos": "LAO", "taiwan": "TWN",
    "hong kong": "HKG", "macao": "MAC", "macau": "MAC", "tanzania": "TZA", "czech republic": "CZE",
    "ivory coast": "CIV", "cote d ivoire": "CIV", "moldova republic of": "MDA",
    "azerbaijan republic": "AZE", "republic of azerbaijan": "AZE", "اذربایجان": "AZE",
    "جمهوری اذربایجان": "AZE", "dr congo": "COD", "drc": "COD", "micronesia": "FSM",
    "bolivia plurinational state of": "BOL", "venezuela bolivarian republic of": "VEN",
    "netherlands the": "NLD", "holland": "NLD", "swaziland": "SWZ", "cape verde": "CPV",
    "burma": "MMR", "macedonia": "MKD", "east timor": "TLS",
}

_ISO3 = re.compile(r"[A-Z]{3}")


class UnknownCountryError(NotFoundError):
    """A country code or name that khooshe cannot resolve."""


@cache
def _packaged() -> pd.DataFrame:
    df = reference.countries()
    df["numeric"] = df["numeric"].astype(int)
    df["lat"] = df["lat"].astype(float)
    df["lon"] = df["lon"].astype(float)
    return df[list(COUNTRY_COLUMNS)]


def load_countries() -> pd.DataFrame:
    """The packaged country table (a copy): ``iso3``, ``numeric`` (int), ``name_en``,
    ``name_fa``, ``lat``, ``lon``. Source: compiled for khooshe from public knowledge;
    approximate (see the module docstring)."""
    return _packaged().copy()


def _norm_cols(df: pd.DataFrame) -> dict[str, str]:
    return {re.sub(r"[^a-z0-9]", "", str(c).lower()): c for c in df.columns}


def read_baci_countries(path: str | Path) -> pd.DataFrame:
    """Read BACI's ``country_codes_V*.csv`` as ``numeric, iso3, name_en``.

    Accepts the current layout (``country_code, country_name, country_iso2, country_iso3``)
    and the older one (``country_code, country_name_abbreviation, country_name_full,
    iso_2digit_alpha, iso_3digit_alpha``). Rows whose ISO3 is not three letters (BACI writes
    e.g. ``S19`` for "Other Asia, nes") fall back to :data:`TRADE_NUMERIC_ALIASES` and the
    packaged table; rows that still have no code are kept with ``iso3`` empty, so that only
    codes actually used in a trade file raise an error.

    Raises
    ------
    ValueError
        The file lacks a numeric code or an ISO3 column.
    """
    from khooshe.io.tables import read_table

    df = read_table(path, as_text=True)
    cols = _norm_cols(df)
    code = next((cols[c] for c in ("countrycode", "code", "numeric") if c in cols), None)
    iso3 = next((cols[c] for c in ("countryiso3", "iso3digitalpha", "iso3", "iso")
                 if c in cols), None)
    name = next((cols[c] for c in ("countryname", "countrynameabbreviation", "countrynamefull",
                                   "name", "nameen") if c in cols), None)
    if code is None or iso3 is None:
        raise ValueError(
            f"{path}: not a BACI country-codes file; expected columns country_code and "
            f"country_iso3 (found {', '.join(map(str, df.columns))})"
        )
    nums = pd.to_numeric(df[code].str.strip(), errors="coerce")
    if nums.isna().any():
        bad = df.loc[nums.isna(), code].head(5).tolist()
        raise ValueError(f"{path}: country_code must be numeric (e.g. {bad})")
    out = pd.DataFrame({
        "numeric": nums.astype(int),
        "iso3": df[iso3].fillna("").str.strip().str.upper(),
        "name_en": df[name].fillna("") if name else "",
    })
    bad = ~out["iso3"].str.fullmatch(_ISO3.pattern)
    fallback = numeric_to_iso3()
    out.loc[bad, "iso3"] = out.loc[bad, "numeric"].map(fallback).fillna("")
    return out.reset_index(drop=True)


def numeric_to_iso3(baci_countries: pd.DataFrame | None = None) -> dict[int, str]:
    """Numeric code → ISO3: the packaged table, the trade aliases, then (overriding both) a
    BACI country-codes table from :func:`read_baci_countries`."""
    table = _packaged()
    mapping = dict(zip(table["numeric"].tolist(), table["iso3"].tolist(), strict=True))
    mapping.update(TRADE_NUMERIC_ALIASES)
    if baci_countries is not None:
        known = baci_countries[baci_countries["iso3"].str.fullmatch(_ISO3.pattern)]
        mapping.update(zip(known["numeric"].astype(int).tolist(), known["iso3"].tolist(),
                           strict=True))
    return mapping


def _name_index(countries: pd.DataFrame) -> dict[str, str]:
    from khooshe.text.normalize import normalize

    index: dict[str, str] = {}
    for col in ("name_en", "name_fa"):
        if col in countries.columns:
            for name, iso in zip(countries[col].tolist(), countries["iso3"].tolist(),
                                 strict=True):
                key = normalize(name)
                if key:
                    index.setdefault(key, iso)
    for key, iso in NAME_ALIASES.items():
        index.setdefault(normalize(key), iso)
    return index


def resolve_country(code: object, countries: pd.DataFrame | None = None) -> str:
    """The ISO3 code of a country given as ISO3, ISO numeric (or BACI/Comtrade numeric) code,
    English name or Persian name (matched with :func:`khooshe.text.normalize.normalize`).

    Parameters
    ----------
    code : str or int
        ``"IRQ"``, ``"irq"``, ``368``, ``"368"``, ``"Iraq"``, ``"عراق"``, ``"UAE"`` …
    countries : DataFrame, optional
        A table with ``iso3`` (and ``numeric``, ``name_en``, ``name_fa``); default the
        packaged table.

    Raises
    ------
    UnknownCountryError
        Nothing matches; the message suggests the closest names.
    """
    from khooshe.text.digits import to_ascii_digits
    from khooshe.text.normalize import normalize

    table = _packaged() if countries is None else countries
    iso_set = set(table["iso3"].tolist())
    text = to_ascii_digits(str(code)).strip()
    if not text or text.lower() in ("nan", "none"):
        raise UnknownCountryError(Message("io.country.empty"))
    if text.upper() in iso_set:
        return text.upper()
    if text.isdigit():
        num = int(text)
        if "numeric" in table.columns:
            hit = table.loc[pd.to_numeric(table["numeric"], errors="coerce") == num, "iso3"]
            if len(hit):
                return str(hit.iloc[0])
        if num in TRADE_NUMERIC_ALIASES and TRADE_NUMERIC_ALIASES[num] in iso_set:
            return TRADE_NUMERIC_ALIASES[num]
        raise UnknownCountryError(Message("io.country.unknown_number", {"code": text}))
    index = _name_index(table)
    key = normalize(text)
    if key in index and index[key] in iso_set:
        return index[key]
    close = difflib.get_close_matches(key, list(index), n=3, cutoff=0.75)
    close += difflib.get_close_matches(text.upper(), sorted(iso_set), n=2, cutoff=0.6)
    if close:
        names = dict(zip(table["iso3"], table.get("name_en", table["iso3"]), strict=True))
        sugg = []
        for c in close:
            iso = index.get(c, c)
            sugg.append(f"{iso} ({names.get(iso, c)})")
        raise UnknownCountryError(Message("io.country.unknown_hint", {
            "code": text, "suggestions": joined(dict.fromkeys(sugg), en=" or ", fa=" یا ")}))
    raise UnknownCountryError(Message("io.country.unknown", {"code": text}))


def resolve_countries(codes: Iterable[object] | str,
                      countries: pd.DataFrame | None = None) -> list[str]:
    """:func:`resolve_country` over a list (or a comma-separated string); duplicates dropped,
    order kept. Every unknown entry is reported in one error."""
    items = [c.strip() for c in codes.split(",")] if isinstance(codes, str) else list(codes)
    items = [c for c in items if str(c).strip()]
    out: list[str] = []
    problems: list[object] = []
    for item in items:
        try:
            iso = resolve_country(item, countries)
        except UnknownCountryError as exc:
            problems.append(exc.localized or str(exc))
            continue
        if iso not in out:
            out.append(iso)
    if problems:
        raise UnknownCountryError(Message("io.country.several", {
            "problems": joined(problems, en="; ", fa="؛ ")}))
    return out
