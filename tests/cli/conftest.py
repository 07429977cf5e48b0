"""Fixtures of the CLI tests: a runner, and logs of unexpected errors kept inside tmp_path."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner


@pytest.fixture(autouse=True)
def log_file(tmp_path, monkeypatch):
    """Unexpected errors log their traceback here, not in the user's ~/.cache."""
    path = tmp_path / "logs" / "khooshe.log"
    monkeypatch.setenv("KHOOSHE_LOG", str(path))
    return path


@pytest.fixture
def invoke():
    """Run the app as a user would: ``invoke("--lang", "fa", "info", ws)``."""
    from khooshe.cli import app

    runner = CliRunner()

    def run(*args: object):
        return runner.invoke(app, [str(a) for a in args])

    return run
