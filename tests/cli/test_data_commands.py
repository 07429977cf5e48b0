"""``khooshe import``, ``export`` and ``template`` (khooshe.cli.data)."""

from __future__ import annotations

import re

REGIONS = """code,level,parent_code,name_fa,population
06,province,,خوزستان,4710509
0603,county,06,اهواز,1302591
0601,county,06,آبادان,231476
"""
PERSIAN_DIGIT = re.compile(r"[۰-۹]")


def test_persian_messages_keep_the_digits_of_paths(tmp_path, invoke, monkeypatch):
    """Bug: under --lang fa the digits of file paths used to become Persian digits. The path
    is printed as typed; only the counts get Persian digits."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "r2024.csv").write_text(REGIONS, encoding="utf-8")
    assert invoke("init", "WS").exit_code == 0
    result = invoke("--lang", "fa", "import", "WS", "regions", "data/r2024.csv")
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert "data/r2024.csv" in line
    assert line.startswith("۳ ردیف regions") and "۳ جدید" in line and "۰ به‌روزشده" in line
    assert "3" not in line.replace("r2024", "")

    result = invoke("--lang", "fa", "export", "WS", "regions", "out/r2025-06.xlsx")
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert "out/r2025-06.xlsx" in line and line.startswith("۳ ردیف regions")
    assert not PERSIAN_DIGIT.search(line.split(" در ")[1])  # the path part


def test_english_messages_name_the_file(tmp_path, invoke):
    (tmp_path / "r.csv").write_text(REGIONS, encoding="utf-8")
    invoke("init", tmp_path / "ws")
    result = invoke("--lang", "en", "import", tmp_path / "ws", "regions", tmp_path / "r.csv")
    assert result.output.strip() == (f"Imported 3 regions from {tmp_path / 'r.csv'}: 3 new, "
                                     "0 updated")


def test_kind_is_checked_against_the_schema(tmp_path, invoke):
    result = invoke("template", "firms", tmp_path / "t.csv")
    assert result.exit_code == 2 and "unknown kind 'firms'" in result.output
    assert "boundaries" not in result.output  # templates are for the schema's entities only
    result = invoke("--lang", "fa", "export", tmp_path, "firm", tmp_path / "t.csv")
    assert result.exit_code == 2 and "نوع 'firm' شناخته‌شده نیست" in result.output


def test_template_writes_headers_and_descriptions(tmp_path, invoke):
    result = invoke("--lang", "fa", "template", "parks", tmp_path / "parks.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "parks.csv").exists() and (tmp_path / "parks.columns.csv").exists()
    assert result.output.startswith("قالب در ")


def test_boundaries_level_is_a_region_level(tmp_path, invoke):
    result = invoke("import", tmp_path, "boundaries", tmp_path / "x.geojson", "--level", "town")
    assert result.exit_code == 2
    assert "--level must be country, province, county" in " ".join(result.output.split())


def test_a_bad_trade_file_is_refused_in_persian(tmp_path, invoke):
    """The trade reader's refusals (BACI's own layout, through DuckDB) in the reader's
    language, the line named in Persian digits, nothing imported."""
    ws = tmp_path / "ws"
    assert invoke("init", ws).exit_code == 0
    baci = tmp_path / "BACI_HS17_Y2022.csv"
    baci.write_text("t,i,j,k,v,q\n2022,364,368,010121,12.5,1.0\n2022,364,414,010121,-3.0,NA\n",
                    encoding="utf-8")
    result = invoke("--lang", "fa", "import", ws, "trade_flows", baci)
    text = " ".join(result.output.split())
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "۱ سطر با ارزش منفی در ستون 'v': سطر ۳ ('-3.0')" in text
    baci.write_text("t,i,j,k,v,q\n2022,364,999,010121,12.5,1.0\n", encoding="utf-8")
    result = invoke("--lang", "fa", "import", ws, "trade_flows", baci)
    text = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "کد عددی کشورِ ناشناخته 999" in text and "--drop-unknown" in text
    result = invoke("import", ws, "trade_flows", baci)  # and in English, as it always was
    assert "1 unknown numeric country code(s) 999 in 1 row(s)" in " ".join(result.output.split())
    assert invoke("info", ws).output.count("trade_flows") == 1  # no flows stored


def test_info_says_where_the_trade_flows_and_their_sums_are(tmp_path, invoke):
    ws = tmp_path / "ws"
    assert invoke("init", ws).exit_code == 0
    baci = tmp_path / "BACI_HS17_Y2022.csv"
    baci.write_text("t,i,j,k,v,q\n2022,364,368,010121,12.5,1.0\n2022,364,414,010121,3.0,NA\n"
                    "2022,368,364,020110,1.0,NA\n", encoding="utf-8")
    assert invoke("import", ws, "trade_flows", baci).exit_code == 0
    text = " ".join(invoke("info", ws).output.split())
    assert "Trade flows: 3 over 1 year(s), 2022–2022" in text
    assert "trade_totals (2 rows" in text  # IRN's two flows of 010121 summed into one
    text = " ".join(invoke("--lang", "fa", "info", ws).output.split())
    assert "جریان‌های تجارت: ۳ در ۱ سال، ۲۰۲۲ تا ۲۰۲۲" in text and "(۲ سطر" in text


def test_an_invalid_table_lists_its_problems_in_persian(tmp_path, invoke):
    ws = tmp_path / "ws"
    assert invoke("init", ws).exit_code == 0
    regions = tmp_path / "r.csv"
    regions.write_text("code,level,name_fa\n06,province,خوزستان\n0601,county,\nxx,nolevel,الف\n",
                       encoding="utf-8")
    result = invoke("--lang", "fa", "import", ws, "regions", regions)
    assert result.exit_code == 2
    assert "r.csv: ۳ مشکل در ۲ ردیف؛ هیچ داده‌ای وارد نشد" in result.output
    assert "ردیف ۳، ستون 'name_fa': مقدار لازم است" in result.output
    assert "ردیف ۴، ستون 'level': مقدار 'nolevel': " in result.output
    header = tmp_path / "h.csv"
    header.write_text("a,b\n1,2\n", encoding="utf-8")
    result = invoke("--lang", "fa", "import", ws, "regions", header)
    assert "h.csv: " in result.output and " مشکل در ستون‌هایش؛ هیچ داده‌ای وارد نشد" in result.output
    assert "سرستون، ستون 'a': ستون ناشناخته" in result.output
    result = invoke("import", ws, "regions", header)
    assert " problem(s) in its columns; nothing was imported" in result.output
    assert "header, column 'a': unknown column" in result.output
