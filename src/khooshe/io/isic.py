"""ISIC Rev.4 class names in Persian and English (``khooshe/data/isic.csv``).

The ~300 classes khooshe's demo and analyses use, with their official English titles and
Persian names; read once as package data (works from an installed wheel).
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

import pandas as pd


@cache
def _text() -> str:
    return resources.files("khooshe").joinpath("data", "isic.csv").read_text(encoding="utf-8")


def activity_names() -> pd.DataFrame:
    """ISIC Rev.4 classes with ``name_fa`` and ``name_en``, indexed by ``isic`` (4 digits)."""
    df = pd.read_csv(io.StringIO(_text()), dtype=str, keep_default_na=False)
    return df.set_index("isic")[["name_fa", "name_en"]]
