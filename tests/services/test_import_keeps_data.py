"""An accepted import never loses data it was not asked to change (issue 17)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from khooshe.cli import app
from khooshe.domain.validate import ValidationError
from khooshe.services import data
from khooshe.services.demo import build_demo
from khooshe.services.geography import import_boundaries
from khooshe.store.repository import read_kind

runner = CliRunner()


@pytest.fixture
def demo(tmp_path):
    ws = build_demo(tmp_path / "ws", seed=0)
    yield ws
    ws.close()


def _listing(demo, tmp_path):
    r = read_kind(demo, "regions").set_index("code")
    counties = r[r["level"] == "county"].head(30)
    rows = ["province_code,province_name_fa,county_code,county_name_fa"] + [
        f"{c[:2]},{r.loc[c[:2], 'name_fa']},{c},شهرستان {r.loc[c, 'name_fa']}"
        for c in counties.index]
    path = tmp_path / "county_codes.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, counties


def test_the_official_listing_keeps_population_coordinates_and_boundaries(demo, tmp_path):
    path, counties = _listing(demo, tmp_path)
    code = counties.index[0]
    square = {"type": "Polygon", "coordinates": [[[48, 31], [48.5, 31], [48.5, 31.5],
                                                  [48, 31.5], [48, 31]]]}
    with demo.engine.begin() as conn:
        from khooshe.store.repository import update_record

        update_record(conn, "regions", {"code": code}, {"boundary": json.dumps(square)},
                      actor="test")
    before = read_kind(demo, "regions").set_index("code")
    report = data.import_file(demo, "regions", path, actor="test")
    assert report.inserted == 0 and report.updated > 0
    after = read_kind(demo, "regions").set_index("code")
    for col in ("population", "lat", "lon", "boundary", "households", "name_en"):
        assert after[col].equals(before[col]), col
    assert after.loc[code, "name_fa"].startswith("شهرستان")  # the listing's names are written


def test_replace_says_what_it_empties(demo, tmp_path):
    path, counties = _listing(demo, tmp_path)
    result = runner.invoke(app, ["import", str(demo.root), "regions", str(path), "--replace"])
    assert result.exit_code == 0, result.output
    assert "population" in result.output and "--replace" in result.output
    after = read_kind(demo, "regions").set_index("code")
    assert after.loc[counties.index, "population"].isna().all()


def test_an_invalid_boundary_file_is_refused_before_any_write(demo, tmp_path):
    r = read_kind(demo, "regions")
    county = r[r["level"] == "county"].iloc[0]
    bad = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": county["name_fa"]},
        "geometry": {"type": "Polygon", "coordinates": [[[48, 1000], [49, 1000], [49, 1001],
                                                         [48, 1001], [48, 1000]]]}}]}
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    before = read_kind(demo, "regions")
    with pytest.raises(ValidationError) as err:
        import_boundaries(demo, path, province=county["parent_code"], actor="test")
    assert "outside Iran" in err.value.issues[0].reason
    assert read_kind(demo, "regions").equals(before)


def test_a_bad_report_path_is_refused_before_the_import(demo, tmp_path):
    path = tmp_path / "b.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    result = runner.invoke(app, ["import", str(demo.root), "boundaries", str(path),
                                 "--report", str(tmp_path / "r.txt")])
    assert result.exit_code == 2 and "unsupported file type .txt" in result.output


def test_demo_force_keeps_the_workspace_database(tmp_path, pg_url):
    ws = build_demo(tmp_path / "pg", seed=0, db=pg_url)
    ws.close()
    ws = build_demo(tmp_path / "pg", seed=0, force=True)
    assert ws.url.startswith("postgresql")
    assert "postgresql" in (tmp_path / "pg" / "khooshe.toml").read_text()
    ws.close()
