"""Fuzzing the import path: generated files of every kind and format, careless and hostile.

Every file must end in an accepted import (exit 0) or a refusal naming the problem (an
``InputError``, exit 2) — never another exception — and a refusal must leave the workspace
exactly as it was. The default run is bounded to a couple of minutes; ``-m slow`` runs the
long campaign (at least 10,000 files) and prints its counts.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from khooshe.domain.errors import InputError
from khooshe.domain.schema import ENTITIES, LOAD_ORDER, entity
from khooshe.io.tables import write_table
from khooshe.services import data
from khooshe.store.workspace import Workspace

#: One valid row of every kind, consistent with each other (loaded in LOAD_ORDER).
ROWS: dict[str, dict[str, str]] = {
    "regions": {"code": "06", "level": "province", "name_fa": "خوزستان", "population": "4710508",
                "lat": "31.3", "lon": "48.7"},
    "parks": {"code": "P1", "name_fa": "شهرک یک", "region_code": "06", "kind": "park"},
    "establishments": {"id": "E1", "name": "فولاد", "isic": "2410", "region_code": "06",
                       "status": "operating", "employees": "120", "lat": "31.3",
                       "lon": "48.7"},
    "countries": {"iso3": "IRQ", "numeric": "368", "name_en": "Iraq", "name_fa": "عراق"},
    "products": {"hs6": "720839", "name_en": "Flat-rolled iron", "isic": "2410"},
    "trade_flows": {"year": "2022", "exporter": "IRN", "importer": "IRQ", "hs6": "720839",
                    "value_usd": "1500000.5", "quantity_t": "3000"},
    "resources": {"region_code": "06", "resource": "iron_ore", "quantity": "1200",
                  "unit": "t"},
    "io_sectors": {"sector": "S1", "name_en": "Steel", "isic": "2410", "output_rials": "1000",
                   "employment": "10"},
    "io_flows": {"from_sector": "S1", "to_sector": "S1", "value_rials": "100"},
    "purchases": {"id": "P1", "buyer_id": "E1", "input_isic": "2394", "value_rials": "5000",
                  "supplier_region": "06", "year": "1402"},
    "clusters": {"code": "CL1", "name_fa": "خوشهٔ فولاد", "province_code": "06",
                 "isic": "2410", "stage": "tender", "start_date": "1402/05/24"},
    "cluster_members": {"cluster_code": "CL1", "member_id": "M1", "name": "فولاد",
                        "kind": "firm", "role": "member", "establishment_id": "E1"},
    "cluster_activities": {"cluster_code": "CL1", "activity_id": "A1", "kind": "training",
                           "date": "2023-08-15", "participants": "40", "cost_rials": "500000"},
    "cluster_indicators": {"cluster_code": "CL1", "period": "1402", "jobs": "150",
                           "exports_usd": "10000", "exports_t": "20"},
    "activity_participants": {"cluster_code": "CL1", "activity_id": "A1", "member_id": "M1",
                              "people": "2"},
    "partner_verifications": {"cluster_code": "CL1", "verification_id": "V1",
                              "company": "Al-Rafidain", "country": "IRQ",
                              "verified": "ثبت شرکت", "outcome": "confirmed"},
    "cluster_targets": {"cluster_code": "CL1", "indicator": "jobs", "period": "1403",
                        "baseline": "100", "target": "150", "source": "برنامهٔ عمل"},
    "cluster_stages": {"cluster_code": "CL1", "stage": "tender", "approved_on": "1402/06/01",
                       "approved_by": "کارگروه", "decision": "1402/5"},
    "cluster_documents": {"cluster_code": "CL1", "document_id": "D1",
                          "kind": "tender_documents", "title": "اسناد", "dated": "2023-08-01"},
    "village_proposals": {"village_code": "06", "county_code": "06", "activity": "1071",
                          "rank": "1", "score": "0.5", "status": "proposed"},
    "committee_meetings": {"meeting_id": "M1", "province_code": "06", "held_on": "1403/02/10",
                           "clusters": "CL1"},
    "committee_decisions": {"meeting_id": "M1", "number": "1", "province_code": "06",
                            "text": "پیگیری", "responsible": "سازمان صمت", "status": "open",
                            "due_on": "1403/05/01"},
    "unit_progress": {"establishment_id": "E1", "reported_on": "1403/02/01",
                      "region_code": "06", "status": "completing", "progress": "60"},
    "park_projects": {"project_id": "PP1", "park_code": "P1", "region_code": "06",
                      "title": "آب و برق", "planned_start": "1402/01/01",
                      "planned_end": "1404/01/01", "actual_progress": "40",
                      "status": "under_way"},
    "fund_commitments": {"commitment_id": "C1", "programme": "sme_fund", "year": "1402",
                         "region_code": "06", "recipient_kind": "cluster",
                         "recipient": "CL1", "committed_rials": "1000000000"},
    "support_problems": {"problem_id": "P1", "province_code": "06", "organisation": "بانک",
                         "reported_on": "1403/03/01", "problem": "وثیقه", "status": "open"},
    "province_exports": {"province_code": "06", "period": "1403", "exports_usd": "5000000",
                         "exports_t": "9000", "in_province_usd": "4000000"},
    "funds": {"programme": "sme_fund", "year": "1402", "total_rials": "160000000000000"},
    "fund_allocations": {"programme": "sme_fund", "year": "1402", "region_code": "06",
                         "amount_rials": "5300000000000"},
}
assert set(ROWS) == set(ENTITIES)

#: What careless and hostile users type into a cell.
NASTY = ["", " ", "0", "-1", "1e30", "99999999999999999999", "9007199254740993", "inf",
         "-Infinity", "NaN", "nan", "1,5", "1.5", "۱۲۳", "０٦", "1402/13/40", "2023-02-30",
         "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(A1)", "<script>x</script>",
         "\x00", "a\x00b", "'", '"', "\n", "x" * 5000, "٫", "٬", "06", "0603", "ZZZ", "IRN",
         "operating", "فعال", "True", "{\"type\":\"Polygon\",\"coordinates\":\"x\"}",
         "شهرستان اهواز", "\u200c", "\ufeff", "1 000", "1_000", "-0", "0x1F"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    ws = Workspace.create(root)
    for kind in LOAD_ORDER:
        data.import_frame(ws, kind, pd.DataFrame([ROWS[kind]]), actor="fuzz", source="seed")
    yield ws
    ws.close()


def _fingerprint(ws: Workspace, kind: str) -> tuple:
    """Counts of every kind, the audit trail's last row and a hash of ``kind``'s rows."""
    with ws.engine.connect() as conn:
        rows = conn.execute(text(f'select * from "{kind}" order by 1')).all()
        last = conn.execute(text("select max(id) from audit_log")).scalar()
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    return tuple(sorted(ws.counts().items())), last, digest


@st.composite
def tables(draw):
    """A kind and a table of it: its valid row, mutated."""
    kind = draw(st.sampled_from(LOAD_ORDER))
    ent = entity(kind)
    row = dict(ROWS[kind])
    n_rows = draw(st.integers(1, 4))
    out = []
    for _ in range(n_rows):
        r = dict(row)
        for col in draw(st.lists(st.sampled_from(ent.names), max_size=4)):
            r[col] = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=12)))
        out.append(r)
    df = pd.DataFrame(out)
    if draw(st.booleans()):
        drop = draw(st.lists(st.sampled_from(list(df.columns)), max_size=2))
        df = df.drop(columns=[c for c in set(drop)])
    if draw(st.integers(0, 9)) == 0:
        df["unknown_column"] = "x"
    return kind, df


def _number(value: object) -> object:
    """``value`` as a spreadsheet or Parquet number when it reads as one (else as given)."""
    if not isinstance(value, str):
        return value
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def _write_xlsx(df: pd.DataFrame, path, numbers: bool, formulas: bool) -> None:
    """An XLSX file as a spreadsheet program writes it: numbers as numeric cells, and (with
    ``formulas``) text starting with ``=`` as live formulas with a cached value missing."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append([str(c) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        cells = []
        for value in row:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if not formulas and value.startswith("="):
                    value = "'" + value
            value = _number(value) if numbers else value
            if isinstance(value, int) and abs(value) > 2**63 - 1:
                value = str(value)
            cells.append(value)
        sheet.append(cells)
    if not formulas:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    wb.save(path)


def _write_parquet(df: pd.DataFrame, path, typed: bool) -> None:
    """Text columns, or (``typed``) each column as the type its values share: integers,
    floats or booleans where every value reads as one."""
    if not typed:
        df.astype("string").to_parquet(path, index=False)
        return
    out = {}
    for col in df.columns:
        values = [_number(v) for v in df[col]]
        if values and all(isinstance(v, bool) for v in values):
            out[col] = pd.Series(values, dtype=bool)
        elif values and all(isinstance(v, int) and not isinstance(v, bool)
                            and abs(v) < 2**63 for v in values):
            out[col] = pd.Series(values, dtype="int64")
        elif values and all(isinstance(v, int | float) and not isinstance(v, bool)
                            and abs(v) < 1e308 for v in values):
            out[col] = pd.Series(values, dtype="float64")
        else:
            out[col] = df[col].astype("string")
    pd.DataFrame(out).to_parquet(path, index=False)


def _damage(path, cut: int | None, flips: list[tuple[int, int]]) -> None:
    """Cut ``cut`` bytes from the end of the file and flip the bytes at the given relative
    positions (a file damaged in transfer or on disk)."""
    body = bytearray(path.read_bytes())
    if cut:
        body = body[: max(1, len(body) - cut)]
    for where, mask in flips:
        at = where % len(body)
        body[at] ^= mask or 1
    path.write_bytes(bytes(body))


def _write(df: pd.DataFrame, path, fmt: str, style: int) -> None:
    if fmt == "csv":
        path.write_text(df.to_csv(index=False), encoding="utf-8")
    elif fmt == "xlsx":
        if style == 0:  # through khooshe's writer: XLSX cannot hold control characters
            write_table(df, path)
        else:
            _write_xlsx(df, path, numbers=True, formulas=style == 2)
    else:
        _write_parquet(df, path, typed=style > 0)


def _attempt(ws: Workspace, kind: str, path, counts: Counter) -> None:
    before = _fingerprint(ws, kind)
    try:
        data.import_file(ws, kind, path, actor="fuzz")
    except InputError:
        counts["refused"] += 1
        if _fingerprint(ws, kind) != before:
            counts["changed after refusal"] += 1
            raise AssertionError(f"a refused {path.name} changed {kind}") from None
        return
    except Exception as exc:  # a crash: the finding this suite exists for
        counts["crashed"] += 1
        raise AssertionError(f"{kind} {path.name}: {type(exc).__name__}: {exc}") from exc
    counts["accepted"] += 1


def _campaign(base, tmp_path, examples: int) -> Counter:
    """``examples`` generated files over every kind and format: CSV; XLSX written by khooshe,
    with numeric cells, or with formula cells; Parquet as text or typed — each possibly cut
    short or with bytes damaged."""
    counts: Counter = Counter()

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(table=tables(), fmt=st.sampled_from(["csv", "xlsx", "parquet"]),
           style=st.integers(0, 2),
           cut=st.one_of(st.none(), st.none(), st.integers(1, 400)),
           flips=st.one_of(st.just([]), st.just([]), st.just([]), st.lists(
               st.tuples(st.integers(0, 2**31), st.integers(0, 255)), min_size=1,
               max_size=4)))
    def one(table, fmt, style, cut, flips):
        kind, df = table
        path = tmp_path / f"f.{fmt}"
        _write(df, path, fmt, style)
        if cut or flips:
            counts["damaged"] += 1
            _damage(path, cut, flips)
        counts[fmt] += 1
        _attempt(base, kind, path, counts)

    one()
    return counts


def _report(counts: Counter) -> str:
    files = counts["refused"] + counts["accepted"] + counts["crashed"]
    return (f"fuzz campaign: {files:,} files (csv {counts['csv']:,}, xlsx {counts['xlsx']:,}, "
            f"parquet {counts['parquet']:,}; {counts['damaged']:,} cut or damaged) — refused "
            f"{counts['refused']:,}, accepted {counts['accepted']:,}, crashed "
            f"{counts['crashed']:,}, changed after refusal {counts['changed after refusal']:,}")


def test_fuzzed_imports_are_accepted_or_refused_and_refusals_change_nothing(base, tmp_path,
                                                                           capsys):
    """About 2,000 files in a minute (KHOOSHE_FUZZ_EXAMPLES to change)."""
    counts = _campaign(base, tmp_path, int(os.environ.get("KHOOSHE_FUZZ_EXAMPLES", "2000")))
    with capsys.disabled():
        print("\n" + _report(counts))
    assert counts["crashed"] == 0 and counts["changed after refusal"] == 0
    assert counts["refused"] > 0 and counts["accepted"] > 0 and counts["damaged"] > 0


@pytest.mark.slow
def test_the_long_campaign(base, tmp_path, capsys):
    counts = _campaign(base, tmp_path, 10_500)
    with capsys.disabled():
        print("\n" + _report(counts))
    assert counts["crashed"] == 0 and counts["changed after refusal"] == 0
    assert counts["refused"] + counts["accepted"] >= 10_000
