"""The region hierarchy: province → county → district → rural district → village / city.

One place answers "is this region in that province (county)?" and "what is this region's
county?". Two ways exist, and each has its use:

* :class:`RegionHierarchy` follows the ``parent_code`` links of a regions table, so any coding
  scheme works (codes need not be prefixes of each other). Use it whenever the regions are at
  hand (every workspace service, the village analysis).
* :func:`code_within` uses the Statistical Centre of Iran's convention that a region's code
  starts with its parent's (``0603`` is in ``06``). Use it only where no regions table exists
  (a units file of the portfolio analysis, a boundary file matched without parents).

Levels are :data:`khooshe.domain.vocab.REGION_LEVELS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from khooshe.domain.errors import InputError, NotFoundError
from khooshe.domain.vocab import REGION_LEVELS, labels_of
from khooshe.text.messages import Message

#: Ancestors followed at most (a region and its ancestors up to the country).
_DEPTH = len(REGION_LEVELS) + 1


def code_within(codes: pd.Series, parent: str | pd.Series) -> pd.Series:
    """Whether each code lies in the region ``parent`` (one code, or one per row) by the
    official coding convention — it starts with the parent's code and is longer — without a
    regions table. Missing codes are not within anything."""
    text = codes.astype("string")
    if isinstance(parent, str):
        inside = text.str.startswith(parent) & (text.str.len() > len(parent))
        return inside.fillna(False).astype(bool)
    parents = parent.astype("string")
    return pd.Series([bool(c is not pd.NA and p is not pd.NA and len(c) > len(p)
                           and c.startswith(p)) for c, p in zip(text, parents, strict=True)],
                     index=codes.index, dtype=bool)


@dataclass(frozen=True)
class RegionHierarchy:
    """Ancestors of every region of a regions table (``code``, ``level``, ``parent_code``).

    Parameters
    ----------
    regions : DataFrame
        The whole table (or any part closed under ``parent_code``).

    Examples
    --------
    >>> regions = pd.DataFrame({"code": ["06", "0603", "060301"],
    ...                         "level": ["province", "county", "district"],
    ...                         "parent_code": [None, "06", "0603"]})
    >>> h = RegionHierarchy(regions)
    >>> h.ancestors("province").tolist()
    ['06', '06', '06']
    >>> h.contains("0603", pd.Series(["060301", "06"])).tolist()
    [True, False]
    """

    regions: pd.DataFrame

    def __post_init__(self) -> None:
        missing = [c for c in ("code", "level", "parent_code") if c not in self.regions.columns]
        if missing:
            raise InputError(f"regions lack column(s) {', '.join(missing)}")
        if not self.index.is_unique:
            dup = self.index[self.index.duplicated()][0]
            raise InputError(f"regions: code {dup!r} appears twice")

    @cached_property
    def codes(self) -> np.ndarray:
        return self.regions["code"].astype(str).to_numpy()

    @cached_property
    def level(self) -> np.ndarray:
        return self.regions["level"].astype(str).to_numpy()

    @cached_property
    def index(self) -> pd.Index:
        return pd.Index(self.regions["code"].astype(str).to_numpy())

    @cached_property
    def ancestry(self) -> np.ndarray:
        """(n, depth) row index of each region's ancestors: column 0 is the region itself,
        then its parent, …; −1 pads. A cycle in ``parent_code`` stops at the depth limit."""
        parent_codes = self.regions["parent_code"].astype(object)
        parent = self.index.get_indexer(parent_codes.where(parent_codes.notna(), None)
                                        .to_numpy())
        anc = np.full((len(self.codes), _DEPTH), -1, dtype=np.int64)
        anc[:, 0] = np.arange(len(self.codes))
        parent_ext = np.append(parent, -1)
        cur = anc[:, 0]
        for k in range(1, _DEPTH):
            cur = parent_ext[cur]
            anc[:, k] = cur
            if (cur < 0).all():
                break
        return anc

    def lookup(self, codes: Iterable[str] | pd.Series | np.ndarray) -> np.ndarray:
        """Row index of each code in the table; −1 for codes it does not hold."""
        return self.index.get_indexer(np.asarray(list(codes) if not isinstance(
            codes, pd.Series | np.ndarray) else codes, dtype=object))

    def ancestor_index(self, level: str) -> np.ndarray:
        """Row index of each region's ancestor (or itself) at ``level``; −1 when none."""
        _check_level(level)
        lv = np.append(self.level, "")[self.ancestry]  # −1 → ""
        hit = lv == level
        first = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
        out = np.full(len(self.codes), -1)
        ok = first >= 0
        out[ok] = self.ancestry[np.flatnonzero(ok), first[ok]]
        return out

    def ancestors(self, level: str) -> pd.Series:
        """For every region code (the index), the code of its ancestor (or itself) at
        ``level``; missing when it has none."""
        idx = self.ancestor_index(level)
        codes = np.where(idx >= 0, self.codes[np.maximum(idx, 0)], None)
        return pd.Series(codes, index=self.codes, dtype=object).where(idx >= 0, np.nan)

    def ancestor_of(self, codes: pd.Series, level: str) -> pd.Series:
        """The ancestor at ``level`` of each code of ``codes`` (missing for unknown codes)."""
        return codes.map(self.ancestors(level))

    def contains(self, region: str, codes: pd.Series) -> pd.Series:
        """Whether each code of ``codes`` is ``region`` or lies below it (unknown codes:
        False)."""
        pos = self.index.get_indexer([region])[0]
        rows = self.lookup(codes)
        inside = np.zeros(len(rows), dtype=bool)
        ok = rows >= 0
        if pos >= 0:
            inside[ok] = (self.ancestry[rows[ok]] == pos).any(axis=1)
        return pd.Series(inside, index=codes.index)

    def in_province(self, province: str) -> pd.Series:
        """Mask over the table's rows: the province and every region below it."""
        self.check(province, "province")
        return self.contains(province, self.regions["code"].astype(str))

    def in_county(self, county: str) -> pd.Series:
        """Mask over the table's rows: the county and every region below it."""
        self.check(county, "county")
        return self.contains(county, self.regions["code"].astype(str))

    def of_level(self, level: str) -> list[str]:
        """Codes of the regions at ``level``."""
        _check_level(level)
        return self.codes[self.level == level].tolist()

    def check(self, code: str, level: str) -> None:
        """Raise :class:`NotFoundError` unless ``code`` is a region of ``level``."""
        pos = self.index.get_indexer([code])[0]
        if pos < 0 or self.level[pos] != level:
            raise NotFoundError(Message("workspace.refuse.not_a_region", {
                "level": labels_of("region_level", level), "code": code}))


def _check_level(level: str) -> None:
    if level not in REGION_LEVELS:
        raise InputError(f"level must be one of {', '.join(REGION_LEVELS)}, not {level!r}")


def region_ancestors(regions: pd.DataFrame, level: str) -> pd.Series:
    """Shortcut of :meth:`RegionHierarchy.ancestors`."""
    return RegionHierarchy(regions).ancestors(level)


__all__ = ["RegionHierarchy", "code_within", "region_ancestors"]
