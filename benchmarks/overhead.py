"""Scenario 1, overhead: microseconds per ``await client.vendors.read(id)``, in process.

Both contenders talk to the same in-process ``httpx.AsyncBaseTransport``, which reads the
request body and answers with the real 99-field Vendor envelope (and a session for Login.json),
so what is measured is the client's own work per call, one call at a time:

- raw httpx: ``httpx.AsyncClient(transport=...)``, the form body encoded by hand, the answer's
  JSON parsed with ``json.loads`` into a dict.
- bill_async: ``await client.vendors.read(id)``, which also checks permissions, holds a governor
  slot, parses amounts as ``Decimal`` and returns a typed ``Vendor``.

Rounds alternate between the contenders and each keeps its best round, to leave out what the
rest of the machine was doing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote_plus

import httpx

from benchmarks._payloads import (
    DEV_KEY,
    LOGIN_ENVELOPE,
    SESSION_ID,
    VENDOR_ENVELOPE,
    VENDOR_ID,
    credential,
)

__all__ = ["CONTENDERS", "CannedTransport", "measure"]

BASE_URL = "https://api.bill.test/api/v2"
CONTENDERS = ("raw httpx", "bill_async")


class CannedTransport(httpx.AsyncBaseTransport):
    """Answers every request at once from memory, after reading its body as a server would."""

    def __init__(self) -> None:
        self._headers = [(b"Content-Type", b"application/json;charset=UTF-8")]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        login = request.url.path.endswith("/Login.json")
        return httpx.Response(
            200, headers=self._headers, content=LOGIN_ENVELOPE if login else VENDOR_ENVELOPE
        )


async def _per_call(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await call()
    return (time.perf_counter() - start) / calls * 1e6


async def _measure(calls: int, rounds: int) -> dict[str, float]:
    import bill_async

    url = f"{BASE_URL}/Crud/Read/Vendor.json"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    async with (
        httpx.AsyncClient(transport=CannedTransport()) as raw,
        bill_async.Client(
            credential(),  # type: ignore[arg-type]
            base_url=BASE_URL,
            transport=CannedTransport(),
            limits=bill_async.InProcessLimits(),
            hourly_requests=10**9,
        ) as client,
    ):

        async def raw_call() -> Any:
            data = json.dumps({"id": VENDOR_ID}, separators=(",", ":"))
            body = f"devKey={quote_plus(DEV_KEY)}&sessionId={quote_plus(SESSION_ID)}"
            body += f"&data={quote_plus(data)}"
            response = await raw.post(url, content=body.encode(), headers=headers)
            return json.loads(response.content)["response_data"]

        vendors = client.vendors

        async def sdk_call() -> Any:
            return await vendors.read(VENDOR_ID)

        first_raw, first_sdk = await raw_call(), await sdk_call()
        assert first_raw["id"] == first_sdk.id == VENDOR_ID
        calls_of = {"raw httpx": raw_call, "bill_async": sdk_call}
        best = dict.fromkeys(CONTENDERS, float("inf"))
        for name in CONTENDERS:  # warm up
            await _per_call(calls_of[name], max(50, calls // 10))
        for _ in range(rounds):
            for name in CONTENDERS:
                best[name] = min(best[name], await _per_call(calls_of[name], calls))
    return best


def measure(*, calls: int, rounds: int) -> dict[str, float]:
    """Microseconds per call of each contender (its best round)."""
    return asyncio.run(_measure(calls, rounds))
