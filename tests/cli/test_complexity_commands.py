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
