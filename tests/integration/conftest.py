"""The SDK against the emulator served by a real uvicorn on a free loopback port.

One server for the whole run (``served``, shared with the other tests: see tests/conftest.py);
each test gets it reset to fresh small demo data (``emulator``), and clients with their own limit
store (so that no test spends another's hourly budget) and quick retries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

import bill_async
import bill_async.v3
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_TOKEN_NAME,
    DEMO_TOKEN_VALUE,
    DEMO_USER_NAME,
    Emulator,
    RunningEmulator,
)

QUICK_RETRY = bill_async.RetryPolicy(max_retries=5, base_delay=0.01, max_delay=0.05)


def credential(org_id: str, **options: Any) -> bill_async.CredentialLogin:
    return bill_async.CredentialLogin(
        user_name=DEMO_USER_NAME,
        password=DEMO_PASSWORD,
        org_id=org_id,
        dev_key=DEMO_DEV_KEY,
        **options,
    )


def token(org_id: str) -> bill_async.TokenLogin:
    return bill_async.TokenLogin(
        token_name=DEMO_TOKEN_NAME,
        token_value=DEMO_TOKEN_VALUE,
        org_id=org_id,
        dev_key=DEMO_DEV_KEY,
    )


def make_client(base_url: str, auth: bill_async.AuthStrategy, **options: Any) -> bill_async.Client:
    options.setdefault("retry", QUICK_RETRY)
    options.setdefault("limits", bill_async.InProcessLimits())
    return bill_async.Client(auth, base_url=base_url, **options)


def make_v3_client(
    v3_base_url: str, auth: bill_async.AuthStrategy, **options: Any
) -> bill_async.v3.Client:
    """A v3 client with quick retries and its own limit store (unless given one)."""
    options.setdefault("retry", QUICK_RETRY)
    options.setdefault("limits", bill_async.InProcessLimits())
    return bill_async.v3.Client(auth, base_url=v3_base_url, **options)


@pytest.fixture
def org_id(emulator: Emulator) -> str:
    return emulator.org_ids[0]


@pytest.fixture
async def client(served: RunningEmulator, org_id: str) -> AsyncIterator[bill_async.Client]:
    """A client signed in (lazily) as the demo user to the first organization."""
    async with make_client(served.base_url, credential(org_id)) as client:
        yield client


@pytest.fixture
async def token_client(
    served: RunningEmulator, emulator: Emulator
) -> AsyncIterator[bill_async.Client]:
    """A client signed in (lazily) with the demo sync token."""
    async with make_client(served.base_url, token(emulator.token_org_id)) as client:
        yield client


@pytest.fixture
async def v3_client(served: RunningEmulator, org_id: str) -> AsyncIterator[bill_async.v3.Client]:
    """A v3 client signed in (lazily) as the demo user to the first organization."""
    async with make_v3_client(served.v3_base_url, credential(org_id)) as client:
        yield client


@pytest.fixture
async def v3_token_client(
    served: RunningEmulator, emulator: Emulator
) -> AsyncIterator[bill_async.v3.Client]:
    """A v3 client signed in (lazily) with the demo sync token."""
    async with make_v3_client(served.v3_base_url, token(emulator.token_org_id)) as client:
        yield client
