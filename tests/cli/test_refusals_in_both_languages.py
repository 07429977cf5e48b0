"""Refusals of what a person gave (a table, a code, a folder) are in the reader's language:
Persian words and digits under ``--lang fa``, the English texts as they always were, exit 2,
one line."""

from __future__ import annotations

import pytest


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def _refused(result, expected: str) -> None:
    """A refusal: exit 2, no traceback, ``expected`` in the output (the panel's line breaks
    folded)."""
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert expected in " ".join(result.output.split())


@pytest.mark.parametrize("lang, expected", [
    ("fa", "دست‌کم ۲ مکان و ۲ محصول با جمع مثبت لازم است؛ ۱ مکان و ۲ محصول یافت شد"),
    ("en", "need at least 2 locations and 2 products with positive totals, found 1 and 2"),
])
def test_complexity_of_a_table_too_small(tmp_path, invoke, lang, expected):
    table = _write(tmp_path / "one.csv", "loc,prod,val\nA,p1,1\nA,p2,3\n")
    result = invoke("--lang", lang, "complexity", table, "--location", "loc", "--product",
                    "prod", "--value", "val", "-o", tmp_path / "out.csv")
    _refused(result, expected)
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("lang, expected", [
    ("fa", "دورهٔ ۲۰۱۹: ۱ مقدار منفی (کوچک‌ترین −۳)؛ مقدارها باید نامنفی باشند"),
    ("en", "period 2019: 1 negative value(s) (smallest -3); values must be non-negative"),
])
def test_complexity_names_the_period_of_a_negative_value(tmp_path, invoke, lang, expected):
    table = _write(tmp_path / "neg.csv", "t,loc,prod,val\n2019,A,p1,1\n2019,B,p2,-3\n")
    result = invoke("--lang", lang, "complexity", table, "--location", "loc", "--product",
                    "prod", "--value", "val", "--time", "t", "-o", tmp_path / "out.csv")
    _refused(result, expected)


@pytest.mark.parametrize("lang, expected", [
    ("fa", "ستون 'jobs': ۲ مقدار منفی (ردیف‌های ۲، ۴)؛ مقدارها باید ≥ ۰ باشند"),
    ("en", "column 'jobs': 2 negative value(s) (rows 2, 4); amounts must be ≥ 0"),
])
def test_specialisation_names_the_rows_of_negative_amounts(tmp_path, invoke, lang, expected):
    table = _write(tmp_path / "neg.csv",
                   "region,isic,jobs\nA,1079,-5\nB,1061,3\nC,1061,-1\n")
    result = invoke("--lang", lang, "specialize", table, "--region", "region", "--activity",
                    "isic", "--value", "jobs", "-o", tmp_path / "out.csv")
    _refused(result, expected)


def test_specialisation_counts_the_rows_it_does_not_name(tmp_path, invoke):
    rows = "".join(f"R{i},1079,\n" for i in range(8))
    table = _write(tmp_path / "gaps.csv", "region,isic,jobs\n" + rows)
    result = invoke("--lang", "fa", "specialize", table, "--region", "region", "--activity",
                    "isic", "--value", "jobs", "-o", tmp_path / "out.csv")
    _refused(result, "ستون 'jobs': ۸ مقدار خالی (ردیف‌های ۲، ۳، ۴، ۵، ۶ و ۳ ردیف دیگر)")


@pytest.mark.parametrize("lang, expected", [
    ("fa", "کشور 'Atlantis' ناشناخته است: نه کد ISO3 است، نه کد عددی و نه نامی در جدول "
           "کشورهای خوشه"),
    ("en", "unknown country 'Atlantis': not an ISO3 code, numeric code or name in khooshe's "
           "country table"),
])
def test_markets_names_an_unknown_country(tmp_path, invoke, lang, expected):
    flows = _write(tmp_path / "t.csv", "year,exporter,importer,hs6,value_usd,quantity_t\n"
                   "2022,IRN,IRQ,010121,5,1\n2022,TUR,IRQ,010122,5,1\n")
    result = invoke("--lang", lang, "markets", flows, "--exporter", "IRN", "--markets",
                    "IRQ,Atlantis", "-o", tmp_path / "m.csv")
    _refused(result, expected)


@pytest.mark.parametrize("lang, expected", [
    ("fa", "در استان 06 هیچ بنگاه فعالی در رستهٔ ISIC 9999 نیست"),
    ("en", "no operating establishments of ISIC 9999 in province 06"),
])
def test_hot_spots_of_an_activity_the_province_lacks(demo_dir, tmp_path, invoke, lang,
                                                     expected):
    result = invoke("--lang", lang, "hotspots", demo_dir, "--activity", "9999", "--province",
                    "06", "-o", tmp_path / "h.csv")
    _refused(result, expected)


@pytest.mark.parametrize("lang, expected", [
    ("fa", "--activities: '1a' نه رستهٔ ۴ رقمی ISIC است و نه بخش ۲ رقمی"),
    ("en", "--activities: '1a' is neither a 4-digit ISIC class nor a 2-digit division"),
])
def test_villages_refuse_an_activity_that_is_not_one(demo_dir, tmp_path, invoke, lang,
                                                     expected):
    result = invoke("--lang", lang, "villages", demo_dir, "--province", "06", "--activities",
                    "1a", "-o", tmp_path / "v.csv")
    _refused(result, expected)


@pytest.mark.parametrize("lang, expected", [
    ("fa", "فضای کار خوشه نیست (khooshe.toml ندارد)؛ با `khooshe init` یا `khooshe demo` یکی "
           "بسازید"),
    ("en", "is not a khooshe workspace (no khooshe.toml); create one with `khooshe init` or "
           "`khooshe demo`"),
])
def test_a_folder_that_is_not_a_workspace(tmp_path, invoke, lang, expected):
    result = invoke("--lang", lang, "info", tmp_path)
    _refused(result, expected)


@pytest.mark.parametrize("args, fa, en", [
    (["--budget", "-5"], "بودجه: '-5' نباید منفی باشد", "budget: '-5' must not be negative"),
    (["--min-progress", "150"], "کمینهٔ پیشرفت باید بین ۰ تا ۱۰۰ درصد باشد، نه ۱۵۰",
     "minimum progress must be 0–100 %, not 150.0"),
    (["--cap-province", "99=1000"], "سقف استان '99': در این استان طرحی نیست",
     "cap for province '99': no unit in that province"),
    (["--target-jobs", "99999999"], "هدف ۹۹٬۹۹۹٬۹۹۹ شغل دست‌یافتنی نیست",
     "the target of 99,999,999 jobs cannot be reached"),
])
def test_portfolio_refusals(demo_dir, tmp_path, invoke, args, fa, en):
    for lang, expected in (("fa", fa), ("en", en)):
        result = invoke("--lang", lang, "portfolio", demo_dir, "--province", "06", *args,
                        "-o", tmp_path / f"p-{lang}.csv")
        _refused(result, expected)


def test_a_file_with_rows_that_do_not_fit_its_header(tmp_path, invoke):
    table = _write(tmp_path / "cut.csv", "loc,prod,val\nA,p1,1\nA,p2\nB,p1,2,9\n")
    result = invoke("--lang", "fa", "complexity", table, "--location", "loc", "--product",
                    "prod", "--value", "val", "-o", tmp_path / "out.csv")
    _refused(result, "cut.csv: ۲ سطر به شمار ستون‌ها فیلد ندارد")
    _refused(result, "سطر ۳: ۲ فیلد به جای ۳؛ سطر ۴: ۴ فیلد به جای ۳؛ چیزی خوانده نشد")
    result = invoke("complexity", table, "--location", "loc", "--product", "prod", "--value",
                    "val", "-o", tmp_path / "out.csv")
    _refused(result, "line 3: 2 field(s) instead of 3; line 4: 4 field(s) instead of 3; "
                     "nothing was read")


def test_a_file_of_a_type_khooshe_does_not_read(tmp_path, invoke):
    table = _write(tmp_path / "t.txt", "loc,prod,val\n")
    result = invoke("--lang", "fa", "complexity", table, "--location", "loc", "--product",
                    "prod", "--value", "val", "-o", tmp_path / "out.csv")
    _refused(result, "نوع فایل .txt پشتیبانی نمی‌شود")


@pytest.mark.parametrize("command", ["candidates", "specialize", "markets", "plan"])
def test_a_province_the_workspace_lacks(demo_dir, tmp_path, invoke, command):
    out = ["--out", tmp_path / "plan"] if command == "plan" else ["-o", tmp_path / "x.csv"]
    result = invoke("--lang", "fa", command, demo_dir, "--province", "99", *out)
    _refused(result, "استان '99' در فضای کار نیست")


@pytest.mark.parametrize("lang, expected", [
    ("fa", "w.toml: components.access.park_share باید ≥ ۰ باشد، نه -1"),
    ("en", "w.toml: components.access.park_share must be ≥ 0, not -1"),
])
def test_a_weights_file_with_a_negative_share(demo_dir, tmp_path, invoke, lang, expected):
    weights = _write(tmp_path / "w.toml", "[components.access]\npark_share = -1\n")
    result = invoke("--lang", lang, "villages", demo_dir, "--province", "06", "--weights",
                    weights, "-o", tmp_path / "v.csv")
    _refused(result, expected)


@pytest.mark.parametrize("args, fa, en", [
    (["markets", "--province", "06", "--years", "1990-1991"],
     "در سال‌های ۱۹۹۰ تا ۱۹۹۱ هیچ جریان تجارتی نیست", "no trade flows in 1990–1991"),
    (["hotspots", "--activity", "1079", "--alpha", "2"],
     "alpha (سطح معناداری) باید بین ۰ و ۱ باشد، نه ۲", "alpha must be between 0 and 1, not 2.0"),
    (["candidates", "--province", "06", "--min-cluster-size", "1"],
     "کمینهٔ اندازهٔ خوشه باید دست‌کم ۲ باشد، نه ۱", "min_cluster_size must be at least 2, not 1"),
])
def test_options_out_of_range_on_a_workspace(demo_dir, tmp_path, invoke, args, fa, en):
    for lang, expected in (("fa", fa), ("en", en)):
        result = invoke("--lang", lang, args[0], demo_dir, *args[1:],
                        "-o", tmp_path / f"x-{lang}.csv")
        _refused(result, expected)
