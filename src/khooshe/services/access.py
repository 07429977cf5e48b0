"""Where records are, for the policy of :mod:`khooshe.domain.access`: the scope of one record
and the filter that keeps a list to what a principal may read.

A record's place comes from the region hierarchy (a region code climbs to its county and
province), the cluster registry (a cluster's province, the counties of the regions it spans)
and the establishment register (a purchase is where its buyer is). The workspace's regions,
clusters and establishments are read once and cached; the cache is checked against the
workspace at most every :data:`CHECK_SECONDS`, so an import from the command line is seen by a
running web app within seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, false, func, or_, select, true

from khooshe.domain.access import (
    CLUSTER_KINDS,
    PLACE_KINDS,
    REFERENCE_KINDS,
    Principal,
    Scope,
    allowed,
)
from khooshe.domain.errors import KhoosheError
from khooshe.domain.regions import RegionHierarchy
from khooshe.store.repository import read_kind
from khooshe.store.tables import TABLES
from khooshe.store.workspace import Workspace
from khooshe.text.messages import Bilingual, Message

#: Seconds between checks that the cached places still match the workspace.
CHECK_SECONDS = 5.0
#: Seconds a list's total (the count behind "page 3 of 40") is reused.
TOTAL_SECONDS = 2.0
#: The column that places a record of each place kind.
REGION_COLUMN = {"regions": "code", "parks": "region_code", "establishments": "region_code",
                 "resources": "region_code", "fund_allocations": "region_code",
                 "village_proposals": "village_code",
                 "committee_meetings": "province_code", "committee_decisions": "province_code",
                 "support_problems": "province_code", "province_exports": "province_code",
                 "fund_commitments": "region_code", "unit_progress": "region_code",
                 "park_projects": "region_code"}


def code_ranges(codes: list[str], wanted: set[str] | frozenset[str]
                ) -> tuple[list[tuple[str, str]], list[str]]:
    """``wanted`` as runs of ``codes`` (every existing code, sorted as the database sorts
    text): ``(ranges, singles)`` where each range ``(lo, hi)`` covers consecutive codes that
    are all wanted and no existing code that is not, and singles are runs of one code.

    A province's ~3,500 region codes are a handful of ranges, so a list's filter is a few
    ``BETWEEN`` instead of thousands of bound parameters. Only codes of ``codes`` are
    covered: a code not in ``codes`` is neither in a range's ends nor a single.
    """
    ranges: list[tuple[str, str]] = []
    singles: list[str] = []
    start: str | None = None
    last: str | None = None

    def close() -> None:
        if start is None or last is None:
            return
        if start == last:
            singles.append(start)
        else:
            ranges.append((start, last))

    for code in codes:
        if code in wanted:
            if start is None:
                start = code
            last = code
        else:
            close()
            start = last = None
    close()
    return ranges, singles


def codes_condition(column: Any, ranges: list[tuple[str, str]], singles: list[str]
                    ) -> ColumnElement[bool]:
    """``column`` within the ranges or equal to one of the singles (see :func:`code_ranges`)."""
    terms: list[ColumnElement[bool]] = [and_(column >= lo, column <= hi) for lo, hi in ranges]
    if singles:
        terms.append(column.in_(singles))
    if not terms:
        return false()
    return terms[0] if len(terms) == 1 else or_(*terms)


class Forbidden(KhoosheError):
    """The signed-in user may not do this here."""

    exit_code = 2
    http_status = 403


def refusal(username: str, action: str, kind: str) -> Message:
    """``username`` may not ``action`` a record of ``kind``, as a catalogue message."""
    from khooshe.domain.schema import entity

    ent = entity(kind)
    return Message(f"web.refused.{action}", {
        "user": username, "kind": Bilingual(ent.label("fa"), ent.label("en"))})


@dataclass
class _Places:
    """The workspace's places, read once."""

    regions: pd.DataFrame
    clusters: pd.DataFrame
    establishments: pd.DataFrame

    @cached_property
    def hierarchy(self) -> RegionHierarchy:
        return RegionHierarchy(self.regions)

    @cached_property
    def province_of(self) -> pd.Series:
        return self.hierarchy.ancestors("province")

    @cached_property
    def county_of(self) -> pd.Series:
        return self.hierarchy.ancestors("county")

    @cached_property
    def region_of_establishment(self) -> pd.Series:
        return self.establishments.set_index("id")["region_code"]

    @cached_property
    def cluster_scopes(self) -> dict[str, Scope]:
        out = {}
        for row in self.clusters.itertuples(index=False):
            listed = [c.strip() for c in str(row.regions or "").split(";") if c.strip()]
            counties = frozenset(str(self.county_of.get(c)) for c in listed
                                 if pd.notna(self.county_of.get(c)))
            out[str(row.code)] = Scope(province=row.province_code, counties=counties,
                                       cluster=str(row.code))
        return out

    def region_scope(self, code: object) -> Scope:
        if code is None or (isinstance(code, float) and pd.isna(code)):
            return Scope()
        province = self.province_of.get(str(code))
        county = self.county_of.get(str(code))
        return Scope(province=None if pd.isna(province) else str(province),
                     counties=frozenset() if pd.isna(county) else frozenset({str(county)}))

    @cached_property
    def region_names(self) -> dict[str, tuple[str, str]]:
        """Each region's (Persian, English) name by code; a missing English name is ""."""
        r = self.regions
        return dict(zip(r["code"].astype(str), zip(r["name_fa"].fillna("").astype(str),
                                                   r["name_en"].fillna("").astype(str),
                                                   strict=True), strict=True))

    def under(self, codes: frozenset[str]) -> list[str]:
        """Every region code that is one of ``codes`` or lies below one of them."""
        inside = pd.Series(False, index=self.regions.index)
        for code in codes:
            inside |= self.hierarchy.contains(code, self.regions["code"])
        return self.regions.loc[inside, "code"].astype(str).tolist()

    @cached_property
    def sorted_codes(self) -> list[str]:
        """Every region code in the order of the database's binary text comparison."""
        return sorted(self.regions["code"].astype(str), key=lambda c: c.encode())

    @cached_property
    def digit_codes(self) -> bool:
        """Whether every region code is ASCII digits alone."""
        return all(c.isascii() and c.isdigit() for c in self.sorted_codes)

    def under_ranges(self, codes: frozenset[str]
                     ) -> tuple[list[tuple[str, str]], list[str]]:
        """:meth:`under` as ranges of existing codes (:func:`code_ranges`)."""
        return code_ranges(self.sorted_codes, set(self.under(codes)))


class Access:
    """The scope of records and the filter of lists on one workspace (thread-safe)."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self._lock = threading.Lock()
        self._places: _Places | None = None
        self._stamp: tuple | None = None
        self._checked = 0.0
        self._checking = False
        self._under: dict[frozenset[str], tuple[list[tuple[str, str]], list[str]]] = {}
        #: list totals by (kind, principal, filters, search): (time counted, total)
        self._totals: dict[tuple, tuple[float, int]] = {}

    def _generation(self) -> tuple:
        with self.ws.engine.connect() as conn:
            return tuple(conn.execute(select(func.count(), func.coalesce(func.sum(
                TABLES[k].c.version), 0))).one() for k in ("regions", "clusters",
                                                          "establishments"))

    def _load(self) -> tuple[_Places, tuple]:
        stamp = self._generation()
        return _Places(
            read_kind(self.ws, "regions", columns=["code", "level", "parent_code", "name_fa",
                                                   "name_en"]),
            read_kind(self.ws, "clusters", columns=["code", "province_code", "regions"]),
            read_kind(self.ws, "establishments", columns=["id", "region_code"])), stamp

    def places(self) -> _Places:
        """The cached places. Every :data:`CHECK_SECONDS` one request checks them against
        the workspace while the others go on with what is cached (only the first load, or
        one after :meth:`refresh`, makes requests wait)."""
        with self._lock:
            places = self._places
            if places is None:
                places, self._stamp = self._load()
                self._places, self._checked, self._under = places, time.monotonic(), {}
                return places
            now = time.monotonic()
            if self._checking or now - self._checked <= CHECK_SECONDS:
                return places
            self._checking = True
            self._checked = now
        try:
            stamp = self._generation()
            if stamp != self._stamp:
                fresh, stamp = self._load()
                with self._lock:
                    self._places, self._stamp, self._under = fresh, stamp, {}
                    places = fresh
        finally:
            with self._lock:
                self._checking = False
        return places

    def refresh(self) -> None:
        """Forget the cached places and totals (after a change made through this process)."""
        with self._lock:
            self._places = None
            self._totals = {}

    def total(self, key: tuple, count) -> int:
        """The number of records of a list (``key`` names it: kind, principal, filters,
        search): ``count()`` at most every :data:`TOTAL_SECONDS`, else the last answer.
        A change made through this process clears them at once (:meth:`refresh`)."""
        now = time.monotonic()
        with self._lock:
            hit = self._totals.get(key)
        if hit is not None and now - hit[0] <= TOTAL_SECONDS:
            return hit[1]
        value = int(count())
        with self._lock:
            if len(self._totals) > 10_000:
                self._totals = {}
            self._totals[key] = (now, value)
        return value

    # --- one record ---------------------------------------------------------------------------
    def scope(self, kind: str, record: Mapping[str, Any]) -> Scope:
        """Where ``record`` (its values; on create, the values submitted) lies."""
        if kind in REFERENCE_KINDS:
            return Scope.national()
        p = self.places()
        if kind in REGION_COLUMN:
            return p.region_scope(record.get(REGION_COLUMN[kind]))
        if kind == "purchases":
            return p.region_scope(p.region_of_establishment.get(str(record.get("buyer_id"))))
        if kind == "clusters":
            code = str(record.get("code"))
            known = p.cluster_scopes.get(code)
            listed = [c.strip() for c in str(record.get("regions") or "").split(";") if c]
            counties = frozenset(str(p.county_of.get(c)) for c in listed
                                 if pd.notna(p.county_of.get(c)))
            return Scope(province=record.get("province_code") or (known.province if known
                                                                  else None),
                         counties=counties or (known.counties if known else frozenset()),
                         cluster=code)
        if kind in CLUSTER_KINDS:
            return p.cluster_scopes.get(str(record.get("cluster_code")), Scope())
        return Scope()

    def region_names(self, who: Principal, codes: set[Any], lang: str) -> dict[Any, str]:
        """The names of the regions among ``codes`` that ``who`` may read, in ``lang`` (the
        Persian name when the English one is missing), from the cached places: pages name
        the regions their records point at without a query of their own."""
        p = self.places()
        out = {}
        for code in codes:
            fa_en = p.region_names.get(str(code))
            if fa_en and allowed(who, "read", "regions", p.region_scope(code)):
                out[code] = (fa_en[1] or fa_en[0]) if lang == "en" else (fa_en[0] or fa_en[1])
        return out

    def check(self, who: Principal, action: str, kind: str, record: Mapping[str, Any]) -> None:
        """Raise :class:`Forbidden` unless ``who`` may ``action`` this record."""
        if not allowed(who, action, kind, self.scope(kind, record)):
            raise Forbidden(f"{who.username} may not {action} this {kind} record",
                            localized=refusal(who.username, action, kind))

    # --- lists --------------------------------------------------------------------------------
    def _codes_under(self, codes: frozenset[str]
                     ) -> tuple[list[tuple[str, str]], list[str]]:
        p = self.places()
        with self._lock:
            if codes not in self._under:
                self._under[codes] = p.under_ranges(codes)
            return self._under[codes]

    def _clusters(self, who: Principal) -> list[str]:
        p = self.places()
        if who.role == "cluster_agent":
            return sorted(who.clusters)
        if who.role == "county_governor":
            return sorted(c for c, s in p.cluster_scopes.items() if who.county in s.counties)
        return sorted(c for c, s in p.cluster_scopes.items() if s.province == who.province)

    def _text(self, column: Any) -> Any:
        """``column`` compared as bytes (as :attr:`_Places.sorted_codes` is sorted).
        PostgreSQL's collation may order letters otherwise, but orders codes of digits alone
        (official codes) as bytes; those keep the column's index usable."""
        if self.ws.engine.dialect.name == "postgresql" and not self.places().digit_codes:
            return column.collate("C")
        return column

    def list_filter(self, who: Principal, kind: str):
        """A SQL condition on ``kind``'s table keeping what ``who`` may read (``true()`` for
        everything, ``false()`` for nothing)."""
        if who.national or kind in REFERENCE_KINDS:  # everyone signed in reads reference data
            return true()
        table = TABLES[kind]
        if kind in PLACE_KINDS:
            places = (frozenset({who.county}) if who.role == "county_governor" and who.county
                      else who.provinces if who.role == "cluster_agent"
                      else frozenset({who.province}) if who.province else frozenset())
            ranges, singles = self._codes_under(places)
            if kind == "purchases":
                est = TABLES["establishments"]
                return table.c.buyer_id.in_(select(est.c.id).where(
                    codes_condition(self._text(est.c.region_code), ranges, singles)))
            return codes_condition(self._text(table.c[REGION_COLUMN[kind]]), ranges, singles)
        if kind in CLUSTER_KINDS:
            column = table.c.code if kind == "clusters" else table.c.cluster_code
            return column.in_(self._clusters(who))
        return false()


def principal_of(access: Access, user: Any) -> Principal:
    """The :class:`Principal` of a stored user (a cluster agent's provinces resolved)."""
    clusters = frozenset(user.clusters)
    provinces: frozenset[str] = frozenset()
    if user.role == "cluster_agent":
        scopes = access.places().cluster_scopes
        provinces = frozenset(s.province for c, s in scopes.items() if c in clusters
                              and s.province)
    return Principal(username=user.username, role=user.role, province=user.province_code,
                     county=user.county_code, clusters=clusters, provinces=provinces)


__all__ = ["Access", "CHECK_SECONDS", "Forbidden", "code_ranges", "codes_condition",
           "principal_of"]
