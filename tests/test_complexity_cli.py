"""``khooshe complexity`` and ``khooshe proximity`` as a user runs them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from khooshe.cli import app

runner = CliRunner()
REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reference"
SAMPLE = REFERENCE / "ecomplexity" / "trade_data_sample.csv"
STATA = REFERENCE / "ecomplexity" / "stata_default_1995_head.csv"
KEYS = ["--time", "year", "--location", "origin", "--product", "hs92", "--value", "export_val"]


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _sample() -> Path:
    if not SAMPLE.exists():
        pytest.skip(f"reference data not available: {SAMPLE} (needs ../shared)")
    return SAMPLE


def test_complexity_command_reproduces_stata(tmp_path):
    out = tmp_path / "out.parquet"
    result = run("complexity", _sample(), *KEYS, "-o", out)
    assert result.exit_code == 0, result.output
    got = pd.read_parquet(out)
    assert list(got.columns) == ["year", "origin", "hs92", "export_val", "rca", "mcp",
                                 "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog"]
    assert len(got) == 600
    stata = pd.read_csv(STATA, dtype=str)
    both = stata.merge(got, on=["year", "origin", "hs92"], suffixes=("_stata", ""))
    assert len(both) == 120
    for col in ("eci", "pci", "density", "coi", "cog"):
        np.testing.assert_allclose(both[col], both[f"{col}_stata"].astype(float), atol=1e-6)


def test_complexity_command_csv_keeps_codes_as_text(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("c,hs,v\n" + "".join(
        f"{c},{p},{(i * 7919) % 97 + 1}\n"
        for i, (c, p) in enumerate((c, p) for c in "abcdef" for p in ("0101", "0202", "0303",
                                                                     "0404", "0505"))))
    out = tmp_path / "o.csv"
    result = run("complexity", src, "--location", "c", "--product", "hs", "--value", "v",
                 "--knn", "2", "-o", out)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out, dtype=str)
    assert set(got["hs"]) == {"0101", "0202", "0303", "0404", "0505"}
    assert "time" not in got


def test_rpop_with_population_file(tmp_path):
    data = pd.read_csv(_sample(), dtype=str)
    pop = pd.DataFrame({"origin": sorted(data.origin.unique())})
    pop["population"] = np.arange(1, len(pop) + 1) * 1e6
    pop_file = tmp_path / "pop.csv"
    pop.to_csv(pop_file, index=False)
    out = tmp_path / "o.parquet"
    result = run("complexity", SAMPLE, *KEYS, "--presence", "rpop", "--population", pop_file,
                 "-o", out)
    assert result.exit_code == 0, result.output
    assert "rpop" in pd.read_parquet(out)


def test_proximity_command(tmp_path):
    out = tmp_path / "prox.csv"
    result = run("proximity", _sample(), *KEYS, "-o", out)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out, dtype={"hs92_1": str, "hs92_2": str})
    assert list(got.columns) == ["year", "hs92_1", "hs92_2", "proximity"]
    assert len(got) == 2 * 30 * 29
    assert got.proximity.between(0, 1).all()


@pytest.mark.parametrize("args, message", [
    (["--presence", "rpop"], "needs --population"),
    (["--presence", "nope"], "--presence must be"),
    (["--continuous", "--asymmetric"], "symmetric"),
])
def test_bad_options_exit_2_and_write_nothing(tmp_path, args, message):
    out = tmp_path / "o.csv"
    result = run("complexity", _sample(), *KEYS, *args, "-o", out)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not out.exists()


def test_directory_and_bad_extension(tmp_path):
    result = run("complexity", tmp_path, *KEYS, "-o", tmp_path / "o.csv")
    assert result.exit_code == 2 and "not a khooshe workspace" in result.output
    result = run("complexity", _sample(), *KEYS, "-o", tmp_path / "o.txt")
    assert result.exit_code == 2 and "unsupported file type" in result.output


def test_negative_values_are_a_clear_error(tmp_path):
    src = tmp_path / "neg.csv"
    src.write_text("c,p,v\na,x,1\na,y,-2\nb,x,3\nb,y,4\n")
    result = run("complexity", src, "--location", "c", "--product", "p", "--value", "v",
                 "-o", tmp_path / "o.csv")
    assert result.exit_code == 2
    assert "negative" in result.output


def test_duplicates_and_missing_values_are_reported(tmp_path):
    src = tmp_path / "dup.csv"
    src.write_text("c,p,v\na,x,1\na,x,2\na,y,\nb,x,3\nb,y,4\nc,x,1\nc,y,5\n")
    out = tmp_path / "o.csv"
    result = run("complexity", src, "--location", "c", "--product", "p", "--value", "v",
                 "-o", out)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "warning: 1 duplicated (c, p) key(s) summed, e.g. ('a', 'x')" in text
    assert "1 missing value(s) in 'v' treated as 0" in text
    got = pd.read_csv(out)
    assert got.loc[(got.c == "a") & (got.p == "x"), "v"].item() == 3
