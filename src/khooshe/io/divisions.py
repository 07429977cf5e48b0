"""Official country-division listings (Statistical Centre of Iran) as khooshe regions.

The Statistical Centre publishes divisions as flat tables, one row per county with its
province, e.g. ``province_code, province_name_fa, county_code, county_name_fa, version_year``.
:func:`divisions_to_regions` turns such a table into the ``regions`` entity (provinces and
counties with their parent links) so it can be imported like any regions file.
"""

from __future__ import annotations

import pandas as pd

#: Columns that identify the official county listing layout.
DIVISION_COLUMNS = ("province_code", "province_name_fa", "county_code", "county_name_fa")


def is_division_listing(df: pd.DataFrame) -> bool:
    """Whether ``df`` has the official county listing's columns."""
    return set(DIVISION_COLUMNS) <= set(df.columns)


def divisions_to_regions(df: pd.DataFrame) -> pd.DataFrame:
    """Provinces and counties of an official listing as ``regions`` rows (text, unvalidated).

    Codes are kept as text and zero-padded (province 2 digits, county 4) because spreadsheet
    programs often strip the leading zero of ``01``.
    """
    text = df[list(DIVISION_COLUMNS)].astype(str).apply(lambda s: s.str.strip())
    province = text["province_code"].str.zfill(2)
    county = text["county_code"].str.zfill(4)
    provinces = pd.DataFrame(
        {"code": province, "level": "province", "parent_code": None,
         "name_fa": text["province_name_fa"]}
    ).drop_duplicates("code")
    counties = pd.DataFrame(
        {"code": county, "level": "county", "parent_code": province,
         "name_fa": text["county_name_fa"]}
    )
    return pd.concat([provinces, counties], ignore_index=True)
