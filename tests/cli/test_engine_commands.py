"""``--engine dask`` and ``--scheduler`` on the commands whose analyses partition: the same
files as the local engine, and one clear line when the scheduler cannot be reached."""

from __future__ import annotations

import socket

import pandas as pd
import pytest

TOL = dict(check_exact=False, rtol=1e-12, atol=1e-12)
PANEL = "year,c,p,v\n" + "".join(
    f"{y},{c},{p},{(i * 7919 + y) % 97 + 1}\n" for y in (2021, 2022, 2023)
    for i, (c, p) in enumerate((c, p) for c in "abcdef" for p in ("0101", "0202", "0303",
                                                                   "0404", "0505")))


@pytest.fixture
def closed_scheduler():
    """The address of a port nothing listens on, and Dask told to give up after 1 s."""
    import dask

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        yield f"tcp://127.0.0.1:{port}"


def test_complexity_of_several_years_on_dask_writes_the_local_file(tmp_path, invoke,
                                                                     dask_scheduler):
    src = tmp_path / "panel.csv"
    src.write_text(PANEL + "a,0101,5\n".replace("a", "2022,a", 1))  # one key summed
    args = ["complexity", src, "--time", "year", "--location", "c", "--product", "p",
            "--value", "v"]
    local = invoke(*args, "-o", tmp_path / "local.parquet")
    remote = invoke(*args, "-o", tmp_path / "dask.parquet", "--engine", "dask",
                    "--scheduler", dask_scheduler)
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output.replace("local.parquet", "dask.parquet")
    assert "period 2022: 1 duplicated (c, p) key(s) summed" in remote.output
    assert "(3 period(s), 6 locations, 5 products)" in remote.output
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask.parquet"),
                                  pd.read_parquet(tmp_path / "local.parquet"), **TOL)


@pytest.mark.parametrize("lang, said", [
    ("en", "error: cannot reach the Dask scheduler at {address} (no answer within 1 s)"),
    ("fa", "خطا: به زمان‌بند Dask در {address} نمی‌توان رسید (در ۱ ثانیه پاسخی نیامد)"),
])
def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path, invoke, closed_scheduler,
                                                          lang, said):
    src = tmp_path / "panel.csv"
    src.write_text(PANEL)
    out = tmp_path / "out.csv"
    result = invoke("--lang", lang, "complexity", src, "--time", "year", "--location", "c",
                    "--product", "p", "--value", "v", "-o", out, "--engine", "dask",
                    "--scheduler", closed_scheduler)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(said.format(address=closed_scheduler))
    assert not out.exists()


def test_a_scheduler_needs_the_dask_engine(tmp_path, invoke):
    src = tmp_path / "panel.csv"
    src.write_text(PANEL)
    result = invoke("complexity", src, "--time", "year", "--location", "c", "--product", "p",
                    "--value", "v", "-o", tmp_path / "o.csv", "--scheduler", "tcp://h:8786")
    assert result.exit_code == 2 and "add --engine dask" in result.output
    result = invoke("complexity", src, "--time", "year", "--location", "c", "--product", "p",
                    "--value", "v", "-o", tmp_path / "o.csv", "--engine", "spark")
    assert result.exit_code == 2 and "local or dask" in result.output


@pytest.fixture(scope="module")
def villages_world(tmp_path_factory):
    from _villages_world import world_workspace

    return world_workspace(tmp_path_factory.mktemp("villages") / "ws")


def test_villages_of_every_province_on_dask_write_the_local_files(villages_world, tmp_path,
                                                                  invoke, dask_scheduler):
    local = invoke("villages", villages_world, "--per-county", "4", "-o", tmp_path / "l.csv")
    assert local.exit_code == 0, local.output
    remote = invoke("villages", villages_world, "--per-county", "4", "-o", tmp_path / "d.csv",
                    "--engine", "dask", "--scheduler", dask_scheduler)
    assert remote.exit_code == 0, remote.output
    assert remote.output.replace("d.", "l.").replace("d_", "l_") == local.output
    for name in ("{}.csv", "{}_counties.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / name.format("d"), dtype=str),
                                      pd.read_csv(tmp_path / name.format("l"), dtype=str))
    shortlist = pd.read_csv(tmp_path / "d.csv", dtype=str)
    assert set(shortlist["county_code"].str[:2]) == {"01", "02", "03"}
    # two provinces named, and one: the province's own shortlist and map, on Dask too
    two = invoke("villages", villages_world, "--province", "01,03", "-o", tmp_path / "t.csv",
                 "--engine", "dask", "--scheduler", dask_scheduler)
    assert two.exit_code == 0, two.output
    assert set(pd.read_csv(tmp_path / "t.csv", dtype=str)["county_code"].str[:2]) == {"01", "03"}
    one = invoke("villages", villages_world, "--province", "02", "-o", tmp_path / "o.csv",
                 "--engine", "dask", "--scheduler", dask_scheduler)
    assert one.exit_code == 0, one.output
    mine = shortlist[shortlist["county_code"].str[:2] == "02"].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "o.csv", dtype=str), mine)


def test_markets_of_a_trade_file_on_dask_write_the_local_file(tmp_path, invoke,
                                                              dask_scheduler):
    import numpy as np

    rng = np.random.default_rng(5)
    countries = ["IRN", "IRQ", "KWT", "TUR", "CHN", "DEU", "IND"]
    rows = [(y, e, i, f"{p:06d}", round(float(rng.lognormal(3, 1)), 3), 1.0)
            for y in (2021, 2022) for e in countries for i in countries if e != i
            for p in range(10110, 10310, 10) if rng.random() < 0.4]
    src = tmp_path / "flows.csv"
    pd.DataFrame(rows, columns=["year", "exporter", "importer", "hs6", "value_usd",
                                "quantity_t"]).to_csv(src, index=False)
    args = ["markets", src, "--format", "flows", "--markets", "IRQ,KWT,TUR"]
    local = invoke(*args, "-o", tmp_path / "l.csv", "--candidates", tmp_path / "lc.csv")
    assert local.exit_code == 0, local.output
    remote = invoke(*args, "-o", tmp_path / "d.csv", "--candidates", tmp_path / "dc.csv",
                    "--engine", "dask", "--scheduler", dask_scheduler)
    assert remote.exit_code == 0, remote.output
    assert remote.output.replace("d.csv", "l.csv").replace("dc.csv", "lc.csv") == local.output
    for name in ("{}.csv", "{}c.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / name.format("d")),
                                      pd.read_csv(tmp_path / name.format("l")), **TOL)
