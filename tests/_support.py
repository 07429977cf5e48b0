"""Helpers shared by the tests (import as ``from _support import …``)."""

from __future__ import annotations

from pathlib import Path

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
