"""Shared test fixtures: both anyio backends, a state home of the tests' own, and the emulator
served by a real uvicorn on a free loopback port."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from bill_async.emulator import Emulator, EmulatorConfig, RunningEmulator, running_emulator
from tests.emulator.rawhttp import SMALL
from tests.webhook_inbox import Inbox, serving_inbox


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


# -- the emulator under uvicorn -------------------------------------------------------------------


@contextmanager
def _serving_emulator(config: EmulatorConfig = SMALL) -> Iterator[RunningEmulator]:
    with running_emulator(config) as running:
        yield running


@pytest.fixture(scope="session")
def serve_emulator() -> Callable[..., AbstractContextManager[RunningEmulator]]:
    """Serves an emulator of one's own: ``with serve_emulator(config) as running:`` (small demo
    data without a ``config``), stopped at the end of the block. For what must not share
    ``served``: another configuration (latency, a clock, a retry schedule, more data), or a
    server the test stops or changes beyond what ``Emulator.reset`` undoes."""
    return _serving_emulator


@pytest.fixture(scope="session")
def served(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> Iterator[RunningEmulator]:
    """One emulator with small demo data for the whole run, shared: a test resets it first
    (the ``emulator`` fixture), since the one before may have changed it."""
    with serve_emulator(SMALL) as running:
        yield running


@pytest.fixture
def emulator(served: RunningEmulator) -> Emulator:
    """The served emulator, reset to fresh small demo data."""
    served.emulator.reset(SMALL)
    return served.emulator


@pytest.fixture(scope="session")
def inbox_server() -> Iterator[Inbox]:
    with serving_inbox() as inbox:
        yield inbox


@pytest.fixture
def inbox(inbox_server: Inbox) -> Inbox:
    """A loopback webhook subscriber that answers 200 and records, emptied for each test."""
    inbox_server.reset()
    return inbox_server
