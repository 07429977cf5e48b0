"""Shared fixtures: workspaces on SQLite and on the real PostgreSQL server.

PostgreSQL tests use the server named by ``KHOOSHE_TEST_PG`` (default: the local server's
``test`` database). Each test gets its own schema, dropped afterwards. Outside CI an unreachable
server skips those tests with the reason; in CI (``CI=true``) it fails them, so PostgreSQL is
really tested there.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from _support import OUTPUT

PG_URL = os.environ.get("KHOOSHE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


def _pg_available() -> str | None:
    try:
        eng = create_engine(PG_URL)
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # any connection problem
        return f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}"


@pytest.fixture
def pg_url():
    """A fresh schema on the PostgreSQL server, as a database URL; dropped afterwards."""
    problem = _pg_available()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    schema = f"khooshe_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'drop schema "{schema}" cascade'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A fresh, empty database URL: SQLite in tmp_path, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'khooshe.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def workspace(db_url, tmp_path):
    from khooshe.store.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws", db=db_url)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """The small synthetic demo workspace (seed 0), built once per test session.

    Tests must not modify it; build another with ``build_demo`` when they need to.
    """
    from khooshe.services.demo import build_demo

    root = tmp_path_factory.mktemp("demo") / "ws"
    build_demo(root, seed=0, scale="small").close()
    return root


@pytest.fixture
def demo_copy(demo_dir, tmp_path):
    """A copy of the small demo a test may change (its SQLite file sits beside khooshe.toml),
    open."""
    import shutil

    from khooshe.store.workspace import Workspace

    root = tmp_path / "demo-copy"
    shutil.copytree(demo_dir, root)
    ws = Workspace.open(root)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def dask_scheduler():
    """The address of a two-process Dask ``LocalCluster`` (one thread each, no dashboard),
    started once for every Dask test of the session and closed at its end."""
    import logging

    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.CRITICAL)
    yield cluster.scheduler_address
    cluster.close()


@pytest.fixture
def dask_engine(dask_scheduler):
    """A ``dask`` :class:`~khooshe.services.engine.Engine` on the session's cluster."""
    from khooshe.services.engine import Engine

    return Engine("dask", scheduler=dask_scheduler)
