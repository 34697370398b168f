"""Shared test fixtures: both anyio backends, and a scriptable fake BILL for unit tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Every async test runs on asyncio and on trio."""
    return str(request.param)


@pytest.fixture(autouse=True)
def _state_home(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """``bill-async sync`` keeps sessions under ``$XDG_STATE_HOME``: never the real one."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of its own for the test, on the server ``BILL_ASYNC_POSTGRES_URL``
    names (``.ci/run`` starts one with ``scripts/postgres-server.sh``; so can you)."""
    psycopg = pytest.importorskip("psycopg", reason="the postgres extra: pip install '.[postgres]'")
    server = os.environ.get("BILL_ASYNC_POSTGRES_URL")
    if not server:
        pytest.skip("no PostgreSQL: run scripts/postgres-server.sh, export BILL_ASYNC_POSTGRES_URL")
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
