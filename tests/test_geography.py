"""Real geography: official county codes + OpenStreetMap county boundaries, end to end."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from _support import reference
from khooshe.cli import app
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

PROVINCES = ("01", "06", "24")


def test_official_counties_get_osm_boundaries(tmp_path, output_dir):
    codes = reference("iran", "county_codes.csv")
    runner = CliRunner()
    ws_dir = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws_dir)]).exit_code == 0
    result = runner.invoke(app, ["import", str(ws_dir), "regions", str(codes)])
    assert result.exit_code == 0, result.output

    reports = []
    for province in PROVINCES:
        geojson = reference("iran", "counties", f"IR-{province}.geojson")
        report_path = output_dir / f"geo_match_{province}.csv"
        result = runner.invoke(app, ["import", str(ws_dir), "boundaries", str(geojson),
                                     "--province", province, "--report", str(report_path)])
        assert result.exit_code == 0, result.output
        report = pd.read_csv(report_path, dtype=str, encoding="utf-8-sig")
        n_features = len(json.loads(geojson.read_text(encoding="utf-8"))["features"])
        # Nothing dropped silently: every feature is used or listed as unused …
        used = report["feature_index"][report["status"] == "matched"].nunique()
        unused = (report["status"] == "unused_feature").sum()
        assert used + unused == n_features
        reports.append(report.assign(province=province))

    report = pd.concat(reports, ignore_index=True)
    official = pd.read_csv(codes, dtype=str)
    official = official[official["province_code"].isin(PROVINCES)]
    # … and every official county is matched or listed as unmatched, each with a reason.
    listed = report.loc[report["status"].isin(["matched", "unmatched_region"]), "code"]
    assert sorted(listed) == sorted(official["county_code"].str.zfill(4))
    assert report.loc[report["status"] != "matched", "reason"].notna().all()

    ws = Workspace.open(ws_dir)
    regions = read_kind(ws, "regions")
    ws.close()
    counties = regions[regions["level"] == "county"]
    share = counties["boundary"].notna().mean()
    print(f"\nreal geography: {counties['boundary'].notna().sum()} of {len(counties)} official "
          f"counties of provinces 01, 06, 24 got an OSM boundary ({share:.1%})")
    for row in report[report["status"] != "matched"].fillna("").itertuples():
        print(f"  {row.status}: {row.code} {row.name or row.feature_name or row.feature_index}"
              f" — {row.reason}")
    assert share >= 0.95
    # Boundaries give every matched county a centroid inside its province's bounding box.
    with_boundary = counties[counties["boundary"].notna()]
    assert with_boundary["lat"].between(29, 40).all() and with_boundary["lon"].between(44, 51).all()
