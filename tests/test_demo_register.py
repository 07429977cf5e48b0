"""The demo grown into a firm register (``--establishments``): sizes, determinism, what stays
the scale's own, and the reads that keep a register of a million quick."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from khooshe.demo import generate
from khooshe.demo.config import KHUZESTAN_UNITS, get_scale
from khooshe.domain.schema import entity
from khooshe.services.frames import activity_table, establishments_with_regions
from khooshe.store.repository import read_kind, reading_once
from khooshe.store.workspace import Workspace

# the national register's proportions (1,000,000 of which 109,600 are the national economy's),
# on the small country: about nine establishments in ten added as micro ones
SMALL = get_scale("small")
REGISTER = round(SMALL.base_establishments * 1_000_000 / get_scale("national")
                 .base_establishments)


@pytest.fixture(scope="module")
def frames() -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    return generate(seed=3, scale="small"), generate(seed=3, scale="small",
                                                     establishments=REGISTER)


def test_the_register_sizes():
    national = get_scale("national")
    assert national.base_establishments == 102_000 + 6_000 + KHUZESTAN_UNITS == 109_600
    assert national.register(1_000_000).micro == 890_400
    assert national.register(np.int64(109_600)).micro == 0
    with pytest.raises(ValueError, match="at least 109,600"):
        national.register(109_599)
    with pytest.raises(ValueError):
        national.register(True)


def test_a_register_has_its_size_and_most_of_it_micro(frames):
    plain, register = frames
    est = register["establishments"]
    assert len(est) == REGISTER
    assert list(est.columns) == entity("establishments").names
    assert est["id"].is_unique and est["id"].str.fullmatch(r"E\d{7}").all()
    added = REGISTER - len(plain["establishments"])
    micro = (est["size_class"] == "micro").sum() - (plain["establishments"]["size_class"]
                                                    == "micro").sum()
    assert micro == added  # every added establishment has 1–9 staff (or none when closed)
    assert (est["size_class"] == "micro").mean() > 0.9
    assert est["employees"].max() == plain["establishments"]["employees"].max()
    # the half-finished units are the scale's own
    half = est[est["status"] == "half_finished"]
    assert len(half) == SMALL.half_finished_other + KHUZESTAN_UNITS
    assert est["park_code"].notna().sum() == plain["establishments"]["park_code"].notna().sum()


def test_the_register_keeps_the_country_and_is_deterministic(frames):
    plain, register = frames
    for kind in ("regions", "parks", "resources", "io_sectors", "io_flows", "trade_flows"):
        pd.testing.assert_frame_equal(plain[kind], register[kind])
    again = generate(seed=3, scale="small", establishments=REGISTER)["establishments"]
    pd.testing.assert_frame_equal(register["establishments"], again)
    other = generate(seed=4, scale="small", establishments=REGISTER)["establishments"]
    assert not other["region_code"].equals(register["establishments"]["region_code"])


def test_reading_once_hands_out_copies_equal_to_reads(demo_dir):
    with Workspace.open(demo_dir) as ws:
        plain = read_kind(ws, "establishments")
        some = read_kind(ws, "establishments", columns=["id", "status", "employees"])
        with reading_once(ws):
            first = read_kind(ws, "establishments", columns=["id", "status", "employees"])
            first.loc[:, "status"] = "changed"  # a caller's change stays its own
            whole = read_kind(ws, "establishments")
            again = read_kind(ws, "establishments", columns=["id", "status", "employees"])
    pd.testing.assert_frame_equal(whole, plain)
    pd.testing.assert_frame_equal(again, some)


def test_reading_once_is_the_reading_threads_own(demo_copy):
    """The web app builds a plan (which reads once) in a thread of its own on the workspace
    every request uses: a request's read must still see a record written meanwhile."""
    import threading

    from khooshe.store.repository import insert_record

    ws = demo_copy
    seen: dict[str, int] = {}
    with reading_once(ws):
        before = len(read_kind(ws, "countries"))
        with ws.engine.begin() as conn:
            insert_record(conn, "countries", {"iso3": "ZZZ", "name_en": "Testland"},
                          actor="test")
        thread = threading.Thread(
            target=lambda: seen.setdefault("other", len(read_kind(ws, "countries"))))
        thread.start()
        thread.join()
        assert len(read_kind(ws, "countries")) == before  # this thread reads once
    assert seen["other"] == before + 1
    assert len(read_kind(ws, "countries")) == before + 1  # and reads again after the block


def test_province_reads_equal_the_country_filtered(demo_dir):
    with Workspace.open(demo_dir) as ws:
        country = establishments_with_regions(ws, statuses=("operating",))
        mine = establishments_with_regions(ws, province="06", statuses=("operating",))
        expected = country[country["province"] == "06"].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, expected)
        narrow = establishments_with_regions(ws, province="06", columns=["isic"])
        assert list(narrow.columns) == ["isic", "region_code", "province", "county", "village"]
        with reading_once(ws):
            for level in ("county", "village"):
                whole = activity_table(ws, level=level)
                part = activity_table(ws, level=level, province="06")
                in_06 = whole[whole["region"].isin(set(
                    establishments_with_regions(ws, province="06")[level].dropna()))]
                pd.testing.assert_frame_equal(part, in_06.reset_index(drop=True))
