"""Scenario 2, loopback throughput: requests/s at 1, 16 and 64 in flight, and peak memory.

The server (``benchmarks.server``) runs in its own process and answers every request with a
canned envelope: the real 99-field Vendor for ``Crud/Read/Vendor.json``. Each contender runs in
a fresh worker process of its own, so that its peak memory is its own. Each round runs every
contender once, the pairs that the targets compare back to back, and each contender's best
round is kept (the one least disturbed by whatever else the machine was doing).

Every contender does the whole job of a call: form-encode ``devKey``, ``sessionId`` and ``data``,
POST, read the body and parse the JSON. bill_async also structures the answer into a ``Vendor``.

- raw httpx: one ``httpx.AsyncClient`` (a pool of 100 connections, all kept alive).
- raw aiohttp: one ``aiohttp.ClientSession`` (its default pool of 100).
- naive httpx: a new ``httpx.AsyncClient`` per call, as public BILL clients do.
- bill_async (default transport) and bill_async (``AiohttpTransport``): ``await
  client.vendors.read(id)`` with ``max_in_flight=128`` (BILL allows 3 per organization; this
  scenario measures the transport, not the governor) and a budget that never runs out.

A worker runs ``level`` tasks that call in a loop; after a warm-up it counts the calls that
complete in a window of ``duration`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote_plus

from benchmarks._payloads import DEV_KEY, SESSION_ID, VENDOR_ID, credential
from benchmarks._report import peak_rss_mb, ready_process

__all__ = ["CONTENDERS", "LEVELS", "measure_all", "serve"]

LEVELS = (1, 16, 64)
CONTENDERS = (
    "raw httpx",
    "raw aiohttp",
    "naive httpx (client per call)",
    "bill_async (default transport)",
    "bill_async (AiohttpTransport)",
)
# Each round runs the pairs that the targets compare back to back, so that whatever else the
# machine is doing disturbs both alike.
RUN_ORDER = (CONTENDERS[1], CONTENDERS[4], CONTENDERS[0], CONTENDERS[3], CONTENDERS[2])
READ_PATH = "Crud/Read/Vendor.json"
FORM = "application/x-www-form-urlencoded"

Call = Callable[[], Awaitable[Any]]


def _form_body() -> bytes:
    data = json.dumps({"id": VENDOR_ID}, separators=(",", ":"))
    return (
        f"devKey={quote_plus(DEV_KEY)}&sessionId={quote_plus(SESSION_ID)}&data={quote_plus(data)}"
    ).encode()


class _Contender:
    """Opens a contender, gives its call, and closes it."""

    async def open(self, base_url: str) -> Call:
        raise NotImplementedError

    async def close(self) -> None:
        pass


class _RawHttpx(_Contender):
    async def open(self, base_url: str) -> Call:
        import httpx

        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        self.client = client = httpx.AsyncClient(limits=limits)
        url = f"{base_url}/{READ_PATH}"

        async def call() -> Any:
            response = await client.post(url, content=_form_body(), headers={"Content-Type": FORM})
            return json.loads(response.content)["response_data"]

        return call

    async def close(self) -> None:
        await self.client.aclose()


class _RawAiohttp(_Contender):
    async def open(self, base_url: str) -> Call:
        import aiohttp

        self.session = session = aiohttp.ClientSession()
        url = f"{base_url}/{READ_PATH}"

        async def call() -> Any:
            async with session.post(
                url, data=_form_body(), headers={"Content-Type": FORM}
            ) as response:
                content = await response.read()
            return json.loads(content)["response_data"]

        return call

    async def close(self) -> None:
        await self.session.close()


class _NaiveHttpx(_Contender):
    async def open(self, base_url: str) -> Call:
        import httpx

        url = f"{base_url}/{READ_PATH}"

        async def call() -> Any:
            async with httpx.AsyncClient() as client:
                response = await client.post(
                    url,
                    data={
                        "devKey": DEV_KEY,
                        "sessionId": SESSION_ID,
                        "data": json.dumps({"id": VENDOR_ID}),
                    },
                )
                return response.json()["response_data"]

        return call


class _BillAsync(_Contender):
    def __init__(self, fast: bool) -> None:
        self.fast = fast

    async def open(self, base_url: str) -> Call:
        import bill_async

        transport = None
        if self.fast:
            transport = bill_async.AiohttpTransport()
        self.client = client = bill_async.Client(
            credential(),  # type: ignore[arg-type]
            base_url=base_url,
            transport=transport,
            max_in_flight=128,
            hourly_requests=10**9,
            limits=bill_async.InProcessLimits(),
        )
        vendors = client.vendors

        async def call() -> Any:
            return await vendors.read(VENDOR_ID)

        return call

    async def close(self) -> None:
        await self.client.aclose()


def _contender(name: str) -> _Contender:
    return {
        CONTENDERS[0]: _RawHttpx,
        CONTENDERS[1]: _RawAiohttp,
        CONTENDERS[2]: _NaiveHttpx,
        CONTENDERS[3]: lambda: _BillAsync(fast=False),
        CONTENDERS[4]: lambda: _BillAsync(fast=True),
    }[name]()


async def _rate(call: Call, level: int, warmup: float, duration: float) -> tuple[float, float]:
    """Calls completed per second by ``level`` tasks calling in a loop, after a warm-up, and
    this process's CPU time per call in microseconds."""
    done = 0
    running = True

    async def loop() -> None:
        nonlocal done
        while running:
            await call()
            done += 1

    tasks = [asyncio.create_task(loop()) for _ in range(level)]
    try:
        await asyncio.sleep(warmup)
        start_done, start, start_cpu = done, time.perf_counter(), time.process_time()
        await asyncio.sleep(duration)
        end_done, end, end_cpu = done, time.perf_counter(), time.process_time()
    finally:
        running = False
        for task in tasks:  # the calls still in flight are not counted: no need to wait for them
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    failures = [
        r
        for r in results
        if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)
    ]
    if failures:
        raise failures[0]
    calls = end_done - start_done
    return calls / (end - start), (end_cpu - start_cpu) / max(calls, 1) * 1e6


async def _worker(
    name: str, base_url: str, levels: list[int], warmup: float, duration: float
) -> dict[str, Any]:
    contender = _contender(name)
    call = await contender.open(base_url)
    try:
        first = await call()  # also signs in, for bill_async
        vendor_id = first["id"] if isinstance(first, dict) else first.id
        assert vendor_id == VENDOR_ID, vendor_id
        rates, cpu = {}, {}
        for level in levels:
            rates[str(level)], cpu[str(level)] = await _rate(call, level, warmup, duration)
    finally:
        await contender.close()
    return {"rates": rates, "cpu_us": cpu, "peak_rss_mb": peak_rss_mb()}


def _run_worker(
    name: str, base_url: str, warmup: float, duration: float, levels: tuple[int, ...] = LEVELS
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.throughput",
        "--worker",
        name,
        "--url",
        base_url,
        "--warmup",
        str(warmup),
        "--duration",
        str(duration),
        "--levels",
        ",".join(map(str, levels)),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the {name} worker failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@contextmanager
def serve() -> Iterator[str]:
    """Run ``benchmarks.server`` in another process; yields its base URL."""
    with ready_process("benchmarks.server") as (_, port):
        yield f"http://127.0.0.1:{int(port)}/api/v2"


def measure_all(
    *, rounds: int, warmup: float, duration: float, levels: tuple[int, ...] = LEVELS
) -> dict[str, dict[str, Any]]:
    """Every contender's best requests/s per level, and its peak memory."""
    best: dict[str, dict[str, Any]] = {
        name: {"rates": {}, "cpu_us": {}, "peak_rss_mb": 0.0} for name in CONTENDERS
    }
    with serve() as base_url:
        for _ in range(rounds):
            for name in RUN_ORDER:
                result = _run_worker(name, base_url, warmup, duration, levels)
                kept = best[name]
                for level, rate in result["rates"].items():
                    if rate > kept["rates"].get(level, 0.0):
                        kept["rates"][level] = rate
                        kept["cpu_us"][level] = result["cpu_us"][level]
                kept["peak_rss_mb"] = max(kept["peak_rss_mb"], result["peak_rss_mb"])
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", choices=CONTENDERS, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)))
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",")]
    result = asyncio.run(_worker(args.worker, args.url, levels, args.warmup, args.duration))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
