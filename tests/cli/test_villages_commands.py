"""``khooshe villages`` (khooshe.cli.villages)."""

from __future__ import annotations

import re


def test_shortlist_in_persian(demo_dir, tmp_path, invoke):
    out = tmp_path / "gilan.csv"
    result = invoke("--lang", "fa", "villages", demo_dir, "--province", "01", "--per-county",
                    "3", "-o", out)
    assert result.exit_code == 0, result.output
    assert "داده‌های ساختگی نمایشی" in result.output
    assert re.search(r"[۰-۹]+ روستا در [۰-۹]+ شهرستان؛ [۰-۹]+ فعالیت", result.output)
    assert f"نوشته شد: {out}، {tmp_path / 'gilan_counties.csv'}، " in result.output


def test_output_must_be_a_table_the_map_can_sit_beside(tmp_path, invoke):
    result = invoke("villages", tmp_path, "--province", "01", "-o", tmp_path / "v.parquet")
    assert result.exit_code == 2
    assert "the shortlist is written as .csv or .xlsx" in result.output
