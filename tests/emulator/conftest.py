"""Raw clients of the emulator served by a real uvicorn (``served`` and ``emulator``, shared
with the other tests: see tests/conftest.py), reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bill_async.emulator import Emulator, RunningEmulator
from tests.emulator.rawhttp import Raw, bill_obj
from tests.emulator.rawv3 import RawV3


@pytest.fixture(scope="session")
def http(served: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base_url + "/", timeout=10) as client:
        yield client


@pytest.fixture
def raw(served: RunningEmulator, emulator: Emulator, http: httpx.Client) -> Iterator[Raw]:
    """A raw client, not yet logged in."""
    client = Raw(served.base_url, emulator, http)
    yield client
    client.close()


@pytest.fixture
def session(raw: Raw) -> Raw:
    """A raw client logged in as the demo user to the first organization."""
    assert raw.login()["response_status"] == 0
    return raw


@pytest.fixture
def vendor(session: Raw) -> dict[str, Any]:
    return session.create("Vendor", name="Fixture Vendor", email="ap@fixture.example")


@pytest.fixture
def bill(session: Raw, vendor: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = session.ok(
        "Crud/Create/Bill.json", {"obj": bill_obj(vendor["id"], 100, 50.25)}
    )
    return data


@pytest.fixture
def v3(served: RunningEmulator, emulator: Emulator, http: httpx.Client) -> RawV3:
    """A raw v3 client, not yet signed in."""
    return RawV3(served.v3_base_url, emulator, http)


@pytest.fixture
def v3_session(v3: RawV3) -> RawV3:
    """A raw v3 client signed in as the demo user to the first organization."""
    assert v3.login().status_code == 200
    return v3
