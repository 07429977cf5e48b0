"""Trade flows imported as the sources publish them: a BACI year in CEPII's own layout
(numeric country codes, HS codes as integers, values in thousands of USD, ``NA`` quantities)
goes into the workspace, and the plan's markets section reads it from there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from khooshe.cli import app
from khooshe.io.countries import TRADE_NUMERIC_ALIASES, numeric_to_iso3
from khooshe.services import data
from khooshe.services.plan import build_plan
from khooshe.store.repository import read_kind


def _cepii_numbers() -> dict[str, int]:
    """ISO3 → the numeric code BACI writes (the smallest one where several map to a country)."""
    out: dict[str, int] = {}
    for number, iso in sorted(numeric_to_iso3().items()):
        if number not in TRADE_NUMERIC_ALIASES:
            out.setdefault(iso, number)
    return out


def _baci_year(flows: pd.DataFrame, year: int, factor: float) -> pd.DataFrame:
    """``flows`` (the workspace layout) as CEPII ships a BACI year: t, i, j, k, v, q."""
    numbers = _cepii_numbers()
    q = flows["quantity_t"].round(3)
    return pd.DataFrame({
        "t": year,
        "i": flows["exporter"].map(numbers),
        "j": flows["importer"].map(numbers),
        "k": flows["hs6"].astype(int),  # 010121 → 10121, as BACI writes it
        "v": (flows["value_usd"] * factor / 1000).round(3),
        "q": q.map(lambda x: "         NA" if pd.isna(x) else f"{x:.3f}"),
    })


@pytest.fixture
def baci(demo_copy, tmp_path):
    """The demo's last trade year again as next year's BACI file (values × 1.1)."""
    flows = read_kind(demo_copy, "trade_flows")
    last = int(flows["year"].max())
    year = flows[flows["year"] == last]
    numbers = _cepii_numbers()
    year = year[year["exporter"].isin(numbers) & year["importer"].isin(numbers)]
    path = tmp_path / f"BACI_HS17_Y{last + 1}_V202401.csv"
    _baci_year(year, last + 1, 1.1).to_csv(path, index=False)
    return path, year, last + 1


def test_a_baci_year_is_imported_in_its_own_layout(demo_copy, baci):
    path, source, year = baci
    before = read_kind(demo_copy, "trade_flows")
    report = data.import_file(demo_copy, "trade_flows", path, actor="test")
    assert report.inserted == len(source) and report.updated == 0
    stored = read_kind(demo_copy, "trade_flows")
    new = stored[stored["year"] == year].sort_values(["exporter", "importer", "hs6"])
    want = source.sort_values(["exporter", "importer", "hs6"])
    assert len(stored) == len(before) + len(source)
    assert new["hs6"].str.len().eq(6).all()  # leading zeros back
    assert list(new["hs6"]) == list(want["hs6"])
    np.testing.assert_allclose(new["value_usd"], (want["value_usd"] * 1.1 / 1000).round(3)
                               * 1000, rtol=1e-12)
    assert new["quantity_t"].isna().sum() == want["quantity_t"].isna().sum()
    again = data.import_file(demo_copy, "trade_flows", path, actor="test")
    assert again.changed == 0  # idempotent


def test_the_plan_markets_section_reads_the_imported_year(demo_copy, baci):
    path, source, year = baci
    data.import_file(demo_copy, "trade_flows", path, actor="test")
    result = build_plan(demo_copy, "06", lang="en", sections=("markets",))
    assert result.failed == {}
    (section,) = result.plan.sections
    over = next(t.frame for t in section.tables if t.key == "exports_over_time")
    assert year in set(over["year"])
    iran = source[source["exporter"] == "IRN"]
    for market, group in iran.groupby("importer"):
        row = over[(over["year"] == year) & (over["market"] == market)]
        if len(row):
            want = float(((group["value_usd"] * 1.1 / 1000).round(3) * 1000).sum())
            assert float(row["exports_value_usd"].iloc[0]) == pytest.approx(want, rel=1e-9)


def test_a_bad_row_in_the_middle_refuses_the_whole_file(demo_copy, baci):
    path, _, year = baci
    lines = path.read_text().splitlines()
    middle = len(lines) // 2
    parts = lines[middle].split(",")
    parts[4] = "1,5"  # a decimal comma: one field too many
    lines[middle] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n")
    before = read_kind(demo_copy, "trade_flows")
    result = CliRunner().invoke(app, ["--lang", "en", "import", str(demo_copy.root),
                                      "trade_flows", str(path)])
    assert result.exit_code == 2
    assert f"line {middle + 1}" in result.output
    assert "Traceback" not in result.output
    after = read_kind(demo_copy, "trade_flows")
    pd.testing.assert_frame_equal(after, before)
    assert year not in set(after["year"])


def test_a_glob_of_years_and_cepii_country_codes(demo_copy, baci, tmp_path):
    path, source, year = baci
    second = tmp_path / f"BACI_HS17_Y{year + 1}_V202401.csv"
    second.write_text(path.read_text().replace(f"\n{year},", f"\n{year + 1},"))
    codes = tmp_path / "country_codes_V202401.csv"
    numbers = _cepii_numbers()
    used = sorted(set(source["exporter"]) | set(source["importer"]))
    pd.DataFrame({"country_code": [numbers[c] for c in used], "country_name": used,
                  "country_iso2": "", "country_iso3": used}).to_csv(codes, index=False)
    result = CliRunner().invoke(app, ["--lang", "en", "import", str(demo_copy.root),
                                      "trade_flows", str(tmp_path / "BACI_HS17_Y*.csv"),
                                      "--countries", str(codes)])
    assert result.exit_code == 0, result.output
    stored = read_kind(demo_copy, "trade_flows")
    assert (stored["year"] == year).sum() == len(source)
    assert (stored["year"] == year + 1).sum() == len(source)


def test_countries_only_with_trade_flows(demo_copy, tmp_path):
    result = CliRunner().invoke(app, ["--lang", "fa", "import", str(demo_copy.root), "regions",
                                      str(tmp_path / "x.csv"), "--countries", "c.csv"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_more_rows_than_the_limit_are_refused_before_the_table_is_built(workspace, tmp_path,
                                                                        monkeypatch):
    """A compressed BACI file that unpacks to more rows than one import may hold is counted
    while streaming and refused; nothing is written."""
    import gzip

    monkeypatch.setenv("KHOOSHE_LIMITS", "trade_rows=50000")
    path = tmp_path / "BACI_HS17_Y2022_V202401.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("t,i,j,k,v,q\n")
        fh.write("2022,364,368,10121,1.5,NA\n" * 60_000)
    with pytest.raises(ValueError, match="60,000 rows, more than the limit of 50,000"):
        data.import_file(workspace, "trade_flows", path, actor="test")
    assert read_kind(workspace, "trade_flows").empty


def test_a_damaged_trade_file_is_refused_by_the_table_reader(workspace, tmp_path):
    """A file that is not text falls back to the ordinary import, which names the problem."""
    path = tmp_path / "BACI_HS17_Y2022_V202401.csv"
    path.write_bytes(b"t,i,j,k,v,q\n\xff\xfe2022,364\n")
    with pytest.raises(ValueError, match="UTF-8|utf-8"):
        data.import_file(workspace, "trade_flows", path, actor="test")
    assert read_kind(workspace, "trade_flows").empty
