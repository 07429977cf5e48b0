"""``khooshe init`` and ``khooshe info`` (khooshe.cli.workspace)."""

from __future__ import annotations

import re

import pandas as pd


def test_init_and_info_in_persian(tmp_path, invoke):
    ws = tmp_path / "ws2024"
    result = invoke("--lang", "fa", "init", ws)
    assert result.exit_code == 0 and result.output.strip() == f"فضای کاری در {ws} ساخته شد"
    result = invoke("--lang", "fa", "info", ws)
    assert result.exit_code == 0, result.output
    assert "پایگاه داده: sqlite:///" in result.output and "ws2024" in result.output
    assert re.search(r"regions\s+│\s+۰\s+│ تقسیمات کشوری", result.output)
    assert "نوع" in result.output and "تعداد" in result.output


def test_info_of_the_demo_says_synthetic_in_both_languages(demo_dir, invoke):
    fa = invoke("--lang", "fa", "info", demo_dir)
    assert fa.exit_code == 0 and "داده‌های ساختگی نمایشی" in fa.output
    assert not re.search(r"establishments\s+│\s+[0-9]", fa.output)  # Persian digits
    en = invoke("--lang", "en", "info", demo_dir)
    assert "SYNTHETIC DEMO DATA" in en.output


def test_init_refuses_a_workspace_and_a_bad_url(tmp_path, invoke):
    ws = tmp_path / "ws"
    invoke("init", ws)
    result = invoke("init", ws)
    assert result.exit_code == 2 and "already a workspace" in result.output
    result = invoke("init", tmp_path / "other", "--db", "not a url")
    assert result.exit_code == 2 and "not a database URL" in result.output


def test_a_plain_postgresql_url_uses_psycopg_3_on_the_official_county_listing(tmp_path, invoke,
                                                                               pg_url):
    """``postgresql://`` (no driver named) works: SQLAlchemy's default driver, psycopg2, is not
    a dependency ("No module named psycopg2" before); the real county listing imports."""
    from tests._support import reference

    listing = reference("iran", "county_codes.csv")
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
    assert plain.startswith("postgresql://")
    ws = tmp_path / "pg"
    result = invoke("init", ws, "--db", plain)
    assert result.exit_code == 0, result.output
    assert f'url = "{plain}"' in (ws / "khooshe.toml").read_text(encoding="utf-8")
    result = invoke("import", ws, "regions", listing)
    assert result.exit_code == 0, result.output
    counties = sum(1 for _ in listing.open(encoding="utf-8")) - 1
    result = invoke("info", ws)
    assert result.exit_code == 0, result.output
    shown = re.search(r"regions\s+│\s+([0-9,]+)", result.output)
    assert shown is not None and int(shown.group(1).replace(",", "")) > counties


def test_info_names_the_stored_trade_years(tmp_path, invoke):
    from khooshe.services import data
    from khooshe.store.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    flows = pd.DataFrame({"year": [2019, 2021, 2021], "exporter": ["IRN", "IRN", "TUR"],
                          "importer": ["IRQ", "IRQ", "IRQ"], "hs6": ["010121"] * 3,
                          "value_usd": [1.0, 2.0, 3.0], "quantity_t": [None, 1.0, 2.0]})
    data.import_frame(ws, "trade_flows", flows, actor="test")
    ws.close()
    result = invoke("--lang", "fa", "info", tmp_path / "ws")
    assert result.exit_code == 0, result.output
    assert "جریان‌های تجارت: ۳ در ۲ سال، ۲۰۱۹ تا ۲۰۲۱" in " ".join(result.output.split())
