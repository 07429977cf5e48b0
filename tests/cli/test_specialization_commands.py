"""``khooshe specialize``, ``hotspots`` and ``candidates`` (khooshe.cli.specialization)."""

from __future__ import annotations

FIRMS = "town,isic,employees\n" + "".join(
    f"T{i % 4},{1393 if i % 3 else 1010},{5 + i}\n" for i in range(24))


def test_specialize_file_mode_in_persian(tmp_path, invoke):
    src, out = tmp_path / "firms.csv", tmp_path / "s1402.csv"
    src.write_text(FIRMS)
    result = invoke("--lang", "fa", "specialize", src, "--region", "town", "--activity",
                    "isic", "--value", "employees", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"۸ ردیف (۴ منطقه، ۲ فعالیت) در {out} نوشته شد؛" in result.output
    assert "خوشهٔ بالقوه" in result.output
    result = invoke("--lang", "en", "specialize", src, "--region", "town", "--activity",
                    "isic", "--table", "regions", "-o", out)
    assert result.output.strip() == f"4 rows (4 regions, 2 activities) written to {out}"


def test_specialize_options_are_checked(demo_dir, tmp_path, invoke):
    src, out = tmp_path / "firms.csv", tmp_path / "s.csv"
    src.write_text(FIRMS)
    result = invoke("specialize", src, "--region", "town", "--activity", "isic", "--table",
                    "towns", "-o", out)
    assert result.exit_code == 2
    assert "--table must be strength, regions or activities, not 'towns'" in result.output
    result = invoke("specialize", src, "--region", "town", "-o", out)
    assert result.exit_code == 2 and "--region and --activity" in result.output
    result = invoke("specialize", demo_dir, "--table", "regions", "-o", out)
    assert result.exit_code == 2 and "only --table strength" in result.output
    result = invoke("hotspots", demo_dir, "--activity", "1393", "--level", "province", "-o",
                    out)
    assert result.exit_code == 2 and "--level must be county or village" in result.output
    assert not out.exists()


def test_hotspots_and_candidates_in_persian(demo_dir, tmp_path, invoke):
    out = tmp_path / "h.csv"
    result = invoke("--lang", "fa", "hotspots", demo_dir, "--activity", "1393",
                    "--permutations", "99", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"منطقه در {out} نوشته شد؛" in result.output and "کانون داغ" in result.output
    out = tmp_path / "c.csv"
    result = invoke("--lang", "fa", "candidates", demo_dir, "--province", "01", "-o", out)
    assert result.exit_code == 0 and f"خوشهٔ بالقوه در {out} نوشته شد" in result.output


def test_specialize_villages_on_dask_writes_the_local_file(demo_dir, dask_scheduler, tmp_path,
                                                           invoke):
    here, there = tmp_path / "local.csv", tmp_path / "dask.csv"
    result = invoke("--lang", "en", "specialize", demo_dir, "--level", "village",
                    "--top-share", "0.25", "-o", here)
    assert result.exit_code == 0, result.output
    result = invoke("--lang", "en", "specialize", demo_dir, "--level", "village",
                    "--top-share", "0.25", "--engine", "dask", "--scheduler", dask_scheduler,
                    "-o", there)
    assert result.exit_code == 0, result.output
    assert there.read_bytes() == here.read_bytes() and len(here.read_text().splitlines()) > 1000


def test_specialize_engine_is_refused_where_nothing_splits(demo_dir, tmp_path, invoke):
    src, out = tmp_path / "firms.csv", tmp_path / "s.csv"
    src.write_text(FIRMS)
    # refused before any work: the scheduler is never asked
    dask = ("--engine", "dask", "--scheduler", "tcp://127.0.0.1:1")
    result = invoke("--lang", "en", "specialize", demo_dir, "--level", "province", *dask,
                    "-o", out)
    assert result.exit_code == 2
    assert "at level province there is nothing to share out" in result.output
    assert len(result.output.strip().splitlines()) == 1
    result = invoke("--lang", "fa", "specialize", demo_dir, "--level", "province", *dask,
                    "-o", out)
    assert result.exit_code == 2 and "در سطح استان چیزی برای پخش نیست" in result.output
    result = invoke("--lang", "en", "specialize", src, "--region", "town", "--activity",
                    "isic", *dask, "-o", out)
    assert result.exit_code == 2 and "--engine dask applies to a workspace" in result.output
    result = invoke("--lang", "fa", "specialize", src, "--region", "town", "--activity",
                    "isic", *dask, "-o", out)
    assert result.exit_code == 2 and "فقط برای فضای کار است" in result.output
    result = invoke("--lang", "en", "specialize", demo_dir, "--scheduler", "tcp://h:1",
                    "-o", out)
    assert result.exit_code == 2 and "add --engine dask" in result.output
    assert not out.exists()
