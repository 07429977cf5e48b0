"""Helpers shared by the tests (import as ``from _support import …``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "data" / "reference"
OUTPUT = Path(__file__).resolve().parent / "output"


def reference(*parts: str) -> Path:
    """A file of the shared reference data, or skip the test saying why."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not available: {path} (needs ../shared beside the repo)")
    return path


CHROMIUM = Path("/usr/bin/chromium")
#: Chromium offline: no background networking, no component updates, no sync.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def require_browser() -> None:
    """Skip (fail in CI) when Playwright or Debian's chromium is missing."""
    import importlib.util
    import os

    if importlib.util.find_spec("playwright") is None:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed (bash scripts/test.sh installs it)")
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: scripts/system-deps.sh --browser installs it")
        pytest.skip("Debian's chromium is not installed (scripts/system-deps.sh --browser)")


def import_texts(ws, folder: Path, files: dict[str, str]) -> None:
    """Import each ``{kind: CSV text}`` into ``ws`` in the order given (files written in
    ``folder``), as a user's imports would; a text of a header alone is left out."""
    from khooshe.services import data

    for kind, body in files.items():
        if body.strip().count("\n") < 1:
            continue
        path = folder / f"{kind}.csv"
        path.write_text(body, encoding="utf-8")
        data.import_file(ws, kind, path, actor="test")


def random_flows(rows: int, seed: int = 0, *, countries: list[str], years: tuple[int, int],
                 hs6: tuple[int, int]) -> pd.DataFrame:
    """``rows`` distinct trade flows in the workspace layout among ``countries`` over
    ``years`` (inclusive) and the HS codes in ``hs6`` (half-open), about 10 % of them
    without a quantity; the same ``seed`` gives the same flows."""
    rng = np.random.default_rng(seed)
    keys = pd.DataFrame({"year": rng.integers(years[0], years[1] + 1, rows * 2),
                         "exporter": rng.choice(countries, rows * 2),
                         "importer": rng.choice(countries, rows * 2),
                         "hs6": [f"{k:06d}" for k in rng.integers(*hs6, rows * 2)]})
    keys = keys[keys["exporter"] != keys["importer"]].drop_duplicates().head(rows)
    quantity = rng.lognormal(0, 1, len(keys)).round(3)
    return keys.assign(value_usd=rng.lognormal(8, 2, len(keys)).round(2),
                       quantity_t=np.where(rng.random(len(keys)) < 0.1, np.nan, quantity))
