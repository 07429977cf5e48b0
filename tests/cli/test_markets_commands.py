"""``khooshe markets`` (khooshe.cli.markets)."""

from __future__ import annotations

BACI = """t,i,j,k,v,q
2021,364,368,10121,0.5,1.2
2021,364,368,870323,2.0,NA
2021,792,368,10121,1.5,3
2021,792,414,870323,4.0,2
2021,364,792,252329,3.0,100
2022,364,368,10121,0.7,NA
2022,251,368,870323,3.0,1
2022,364,414,870323,0.25,0.1
2022,792,414,252329,1.0,40
2022,364,792,252329,3.5,110
"""


def test_file_mode_in_persian(tmp_path, invoke):
    src, out = tmp_path / "baci2022.csv", tmp_path / "out.csv"
    src.write_text(BACI)
    result = invoke("--lang", "fa", "markets", src, "--markets", "IRQ,KWT", "-o", out)
    assert result.exit_code == 0, result.output
    text = result.output
    assert f"در حال خواندن {src}" in text and "یادداشت:" in text
    assert "صادرات IRN به ۲ بازار، ۲۰۲۱ تا ۲۰۲۲ (میلیون دلار)" in text
    assert "محصول برتر" in text and "عراق" in text and "کویت" in text
    assert f"جریان تجاری؛ در {out} نوشته شد" in text


def test_options_are_checked(tmp_path, invoke):
    src, out = tmp_path / "baci.csv", tmp_path / "out.csv"
    src.write_text(BACI)
    for args, message in (
        (["--flow", "Z"], "--flow must be X or M, not 'Z'"),
        (["--province", "01"], "--province and --links need a workspace as SOURCE"),
        (["--growth", "KWT=0.1"], "KWT, which is not one of the markets"),
        (["--candidates", tmp_path / "c.docx"], "unsupported file type .docx"),
    ):
        result = invoke("markets", src, "--markets", "IRQ", "-o", out, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in " ".join(result.output.split()), (args, result.output)
        assert not out.exists()


def test_workspace_mode_in_persian(demo_dir, tmp_path, invoke):
    out = tmp_path / "gilan.csv"
    result = invoke("--lang", "fa", "markets", demo_dir, "--province", "01", "--markets",
                    "IRQ,KWT", "-o", out)
    assert result.exit_code == 0, result.output
    assert "بزرگ‌ترین فرصت‌های محقق‌نشده در IRQ برای خوشه‌های استان 01" in result.output
    assert "  IRQ: پتانسیل محقق‌نشده " in result.output and "رتبهٔ " in result.output
    assert f"پیوند خوشه در {tmp_path / 'gilan_clusters.csv'} نوشته شد" in result.output


def test_the_readers_notes_are_in_persian(tmp_path, invoke):
    baci = tmp_path / "BACI_HS17.csv"
    baci.write_text("t,i,j,k,v,q\n" + "".join(
        f"{y},{i},{j},{k},{v},{q}\n" for y in (2021, 2022)
        for i, j, k, v, q in ((364, 368, "010121", 12.5, 1.0), (792, 368, "010121", 3.0, "NA"),
                              (364, 414, "020121", 1.5, "NA"), (792, 414, "020121", 7.5, 2))),
        encoding="utf-8")
    result = invoke("--lang", "fa", "markets", baci, "--exporter", "IRN", "--markets",
                    "IRQ,KWT", "--growth", "IRQ=0.05", "-o", tmp_path / "m.csv")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "۴ از ۸ جریان (۵۰٫۰%) مقدار (وزن) ندارند" in text
    assert "رشد واردات بازار IRQ ۵٫۰% در سال" in text
