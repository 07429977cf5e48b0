"""Tests for khooshe.text.jalali: parsing Jalali/Gregorian dates, formatting, leap-year edges."""

from __future__ import annotations

import datetime as dt
import math

import jdatetime
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khooshe.text.jalali import (
    format_jalali,
    jalali_year,
    parse_date,
    parse_dates,
    to_jalali,
    today_jalali,
)

# Known conversions (Iranian calendar; Nowruz dates from the official calendar).
KNOWN = [
    ("1402/05/24", dt.date(2023, 8, 15)),
    ("1403/01/01", dt.date(2024, 3, 20)),  # Nowruz 1403
    ("1402/01/01", dt.date(2023, 3, 21)),  # Nowruz 1402
    ("1404/01/01", dt.date(2025, 3, 21)),  # Nowruz 1404
    ("1399/12/30", dt.date(2021, 3, 20)),  # 1399 is leap: 30 Esfand exists
    ("1403/12/30", dt.date(2025, 3, 20)),  # 1403 is leap
    ("1402/12/29", dt.date(2024, 3, 19)),  # last day of non-leap 1402
    ("1357/11/22", dt.date(1979, 2, 11)),
    ("1348/10/11", dt.date(1970, 1, 1)),
]


@pytest.mark.parametrize(("jalali", "greg"), KNOWN)
def test_known_conversions(jalali, greg):
    assert parse_date(jalali) == greg
    assert format_jalali(greg, "en") == jalali
    assert format_jalali(greg.isoformat(), "en") == jalali


@pytest.mark.parametrize(
    "text",
    ["1402/05/24", "۱۴۰۲/۰۵/۲۴", "١٤٠٢/٠٥/٢٤", "1402-05-24", "1402.5.24", " 1402/5/24 ",
     "2023-08-15", "2023/08/15", "2023-08-15T10:30:00", "2023-08-15 10:30", "۲۰۲۳-۰۸-۱۵"],
)
def test_accepted_forms(text):
    assert parse_date(text) == dt.date(2023, 8, 15)


def test_accepts_date_like_objects():
    d = dt.date(2023, 8, 15)
    assert parse_date(d) == d
    assert parse_date(dt.datetime(2023, 8, 15, 23, 59)) == d
    assert parse_date(pd.Timestamp("2023-08-15")) == d
    assert parse_date(np.datetime64("2023-08-15")) == d
    assert parse_date(jdatetime.date(1402, 5, 24)) == d
    assert parse_date(jdatetime.datetime(1402, 5, 24, 8, 0)) == d


@pytest.mark.parametrize("missing", [None, "", "   ", math.nan, pd.NaT, pd.NA,
                                     np.datetime64("NaT")])
def test_missing_is_none(missing):
    assert parse_date(missing) is None
    assert format_jalali(missing) == ""
    assert jalali_year(missing) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1402/13/01", "month 13"),
        ("1402/00/10", "month 0"),
        ("1402/12/30", "1402 is not a leap year"),
        ("1404/12/30", "1404 is not a leap year"),
        ("1402/07/31", "Mehr 1402, which has 30 days"),
        ("1402/01/32", "has 31 days"),
        ("1402/05/00", "day 0"),
        ("2023-02-29", "invalid Gregorian date"),
        ("2023-13-01", "invalid Gregorian date"),
        ("24/05/1402", "day-first"),
        ("1402/05", "not a date"),
        ("hello", "not a date"),
        ("1402/05-24", "not a date"),  # mixed separators
    ],
)
def test_invalid_dates_give_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


def test_numbers_are_refused():
    with pytest.raises(TypeError, match="int"):
        parse_date(14020524)


def test_leap_year_edges_agree_with_jdatetime():
    # 30 Esfand is valid exactly in jdatetime's leap years; the year after starts next day.
    for year in range(1390, 1420):
        leap = jdatetime.date(year, 1, 1).isleap()
        text = f"{year}/12/30"
        if leap:
            assert parse_date(text) + dt.timedelta(days=1) == parse_date(f"{year + 1}/01/01")
        else:
            with pytest.raises(ValueError, match="not a leap year"):
                parse_date(text)
            assert parse_date(f"{year}/12/29") + dt.timedelta(days=1) == parse_date(
                f"{year + 1}/01/01")
    assert [y for y in (1399, 1402, 1403, 1404, 1408) if jdatetime.date(y, 1, 1).isleap()] == [
        1399, 1403, 1408]


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_roundtrip_gregorian_jalali(d):
    fa = format_jalali(d, "fa")
    en = format_jalali(d, "en")
    assert parse_date(fa) == parse_date(en) == d
    assert jalali_year(d) == int(en[:4])


def test_format_and_year():
    assert format_jalali(dt.date(2023, 8, 15)) == "۱۴۰۲/۰۵/۲۴"
    assert format_jalali("2023-08-15", "en") == "1402/05/24"
    assert jalali_year("2024-03-19") == 1402
    assert jalali_year("2024-03-20") == 1403
    assert to_jalali("2023-08-15") == jdatetime.date(1402, 5, 24)
    with pytest.raises(ValueError, match="lang"):
        format_jalali("2023-08-15", "de")


def test_today_jalali():
    t = today_jalali()
    assert isinstance(t, jdatetime.date)
    assert t.togregorian() in {dt.date.today(), dt.date.today() - dt.timedelta(days=1)}


def test_parse_dates_series():
    s = pd.Series(["1402/05/24", "۱۴۰۳/۰۱/۰۱", None, "1402/12/30", "2023-08-15", "", 5,
                   "1402/05/24"], index=list("abcdefgh"), name="when")
    dates, errors = parse_dates(s)
    assert list(dates.index) == list("abcdefgh")
    assert dates.tolist() == ["2023-08-15", "2024-03-20", None, None, "2023-08-15", None, None,
                              "2023-08-15"]
    assert errors.notna().tolist() == [False, False, False, True, False, False, True, False]
    assert "not a leap year" in errors["d"]
    assert dates.name == "when"


def test_parse_dates_many_rows_fast():
    # 20k rows with 1000 distinct values: each distinct value parsed once.
    base = [f"1402/{m:02d}/{d:02d}" for m in range(1, 13) for d in range(1, 30)][:1000]
    s = pd.Series(base * 20)
    dates, errors = parse_dates(s)
    assert errors.isna().all()
    assert dates.iloc[0] == "2023-03-21"
    assert parse_dates(["1403/01/01"])[0].tolist() == ["2024-03-20"]
