"""Values people type: the CLI and the web app read them through khooshe.domain.parsing."""

from __future__ import annotations

import pytest

from khooshe.domain.errors import InputError
from khooshe.domain.parsing import parse_pairs, parse_rates, parse_weights, parse_years, split_list


def test_split_list():
    assert split_list(None) == []
    assert split_list(" a, b,,c ") == ["a", "b", "c"]
    assert split_list(["u1,u2", "u3"]) == ["u1", "u2", "u3"]


@pytest.mark.parametrize("text, expected", [
    (None, None), ("2022", (2022, 2022)), (" 2019-2023 ", (2019, 2023)),
    ("2019–2023", (2019, 2023)), ("2019:2020", (2019, 2020)), ("۲۰۱۹-۲۰۲۱", (2019, 2021)),
])
def test_years(text, expected):
    assert parse_years(text, "--years") == expected


def test_bad_years_name_the_field():
    with pytest.raises(InputError, match="--years must be YEAR or YEAR1-YEAR2"):
        parse_years("last", "--years")
    with pytest.raises(InputError, match="years 2022-2021: the first year is after the last"):
        parse_years("2022-2021")


def test_pairs():
    assert parse_pairs(["06=5e11", "۲۴ = 1_000"], "--cap-province") == {"06": "5e11",
                                                                         "24": "1_000"}
    assert parse_pairs("06=1,07=2", "caps") == {"06": "1", "07": "2"}
    assert parse_pairs(None, "caps") == {}
    with pytest.raises(InputError, match=r"--cap-province '06': write CODE=AMOUNT, e.g. "
                                         r"--cap-province 06="):
        parse_pairs(["06"], "--cap-province")
    with pytest.raises(InputError, match="'06' is given twice"):
        parse_pairs(["06=1", "06=2"], "--cap-province")


def test_weights():
    assert parse_weights(None, "--weight") is None
    assert parse_weights(["jobs=2", "exports=۱٫۵"], "--weight") == {"jobs": 2.0, "exports": 1.5}
    with pytest.raises(InputError, match="--weight jobs=many: the weight must be a number"):
        parse_weights(["jobs=many"], "--weight")


def test_rates():
    assert parse_rates("0.03") == 0.03 and parse_rates(0.05) == 0.05
    assert parse_rates("IRQ=0.05,kwt=0.02") == {"IRQ": 0.05, "kwt": 0.02}
    with pytest.raises(InputError, match=r"--growth must be a rate \(0.03\) or MARKET=RATE"):
        parse_rates("fast", "--growth")
    with pytest.raises(InputError, match="--growth must be a rate"):
        parse_rates("IRQ=fast", "--growth")
    with pytest.raises(InputError, match="write MARKET=RATE"):
        parse_rates("IRQ=", "--growth")
