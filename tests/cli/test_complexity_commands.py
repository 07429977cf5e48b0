"""``khooshe complexity`` and ``khooshe proximity`` (khooshe.cli.complexity)."""

from __future__ import annotations

LONG = "c,p,v\n" + "".join(f"{c},{p},{(i * 7919) % 97 + 1}\n" for i, (c, p) in enumerate(
    (c, p) for c in "abcdef" for p in ("0101", "0202", "0303", "0404")))


def test_file_mode_in_persian_with_its_warnings(tmp_path, invoke):
    src = tmp_path / "t2024.csv"
    src.write_text(LONG + "a,0101,5\n")  # a duplicated key: summed, with a warning
    out = tmp_path / "o2024.csv"
    result = invoke("--lang", "fa", "complexity", src, "--location", "c", "--product", "p",
                    "--value", "v", "-o", out)
    assert result.exit_code == 0, result.output
    assert "هشدار: 1 duplicated (c, p) key(s) summed" in result.output
    assert f"۲۴ ردیف (۱ دوره، ۶ مکان، ۴ محصول) در {out} نوشته شد" in result.output


def test_workspace_mode_names_the_level(demo_dir, tmp_path, invoke):
    out = tmp_path / "cx.csv"
    result = invoke("--lang", "fa", "complexity", demo_dir, "--province", "01", "-o", out)
    assert result.exit_code == 0, result.output
    assert "شهرستان ×" in result.output and "ردهٔ آیسیک" in result.output
    result = invoke("--lang", "en", "complexity", demo_dir, "--level", "province", "-o", out)
    assert "province regions × " in result.output


def test_proximity_needs_population_for_rpop(tmp_path, invoke):
    src = tmp_path / "t.csv"
    src.write_text(LONG)
    out = tmp_path / "p.csv"
    result = invoke("proximity", src, "--location", "c", "--product", "p", "--value", "v",
                    "--presence", "both", "-o", out)
    assert result.exit_code == 2 and "--presence both needs --population FILE" in result.output
    result = invoke("--lang", "fa", "proximity", src, "--location", "c", "--product", "p",
                    "--value", "v", "-o", out)
    assert result.exit_code == 0 and f"۱۲ جفت‌محصول در {out} نوشته شد" in result.output
    result = invoke("proximity", tmp_path, "--location", "c", "--product", "p", "--value", "v",
                    "-o", out)
    assert result.exit_code == 2 and "is a directory" in result.output


def test_level_choices_explain_why_not_villages(tmp_path, invoke):
    result = invoke("--lang", "fa", "complexity", tmp_path, "--level", "village", "-o",
                    tmp_path / "o.csv")
    assert result.exit_code == 2
    assert "--level باید یکی از province، county باشد" in " ".join(result.output.split())


def _years(folder, bad_row: int | None = None) -> None:
    import numpy as np
    import pandas as pd

    folder.mkdir()
    rng = np.random.default_rng(3)
    for year in (2021, 2022):
        data = pd.DataFrame({"t": year, "i": rng.integers(1, 30, 3000),
                             "j": rng.integers(1, 30, 3000),
                             "k": rng.integers(10100, 10300, 3000).astype(str),
                             "v": rng.random(3000) * 100})
        if bad_row is not None and year == 2022:
            data.loc[bad_row - 1, "k"] = ""
        data.to_parquet(folder / f"BACI_Y{year}.parquet", index=False)


def test_a_folder_of_parquet_years_is_read_by_period(tmp_path, invoke):
    _years(tmp_path / "baci")
    out = tmp_path / "cx.parquet"
    result = invoke("--lang", "fa", "complexity", tmp_path / "baci", "--time", "t",
                    "--location", "i", "--product", "k", "--value", "v", "-o", out)
    assert result.exit_code == 0, result.output
    assert "(۲ دوره، ۲۹ مکان، ۲۰۰ محصول)" in result.output
    assert "هشدار: period 2022: " in result.output  # flows to every importer are summed
    result = invoke("complexity", str(tmp_path / "baci" / "BACI_Y*.parquet"), "--time", "t",
                    "--location", "i", "--product", "k", "--value", "v", "-o",
                    tmp_path / "cx.csv")
    assert result.exit_code == 0 and "(2 period(s), 29 locations, 200 products)" in result.output


def test_a_bad_row_in_a_folder_of_years_is_one_line_and_nothing_written(tmp_path, invoke):
    _years(tmp_path / "baci", bad_row=2345)
    out = tmp_path / "cx.parquet"
    result = invoke("--lang", "fa", "complexity", tmp_path / "baci", "--time", "t",
                    "--location", "i", "--product", "k", "--value", "v", "-o", out)
    assert result.exit_code == 2 and "Traceback" not in result.output
    # record 2,345 (0-based 2,344) is on row 2,346 as a spreadsheet numbers rows
    assert "BACI_Y2022.parquet: ۱ سطر در 't', 'i', 'k' کد ندارد، نخستین در سطر ۲٬۳۴۶" \
        in result.output
    assert not out.exists()


def test_a_folder_without_parquet_files_is_still_a_workspace_to_be(tmp_path, invoke):
    result = invoke("complexity", tmp_path, "-o", tmp_path / "o.csv")
    assert result.exit_code == 2 and "is not a khooshe workspace" in result.output
