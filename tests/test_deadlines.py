"""A deadline for the whole of each request, on every transport, and a gateway's HTTP 429."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
import pytest

import bill_async
from bill_async import PooledTransport
from bill_async._core._retry import retry_after
from bill_async._transports._sender import whole_answer_limit
from tests.fakebill import FakeBill, client, credential, fixture, ok
from tests.loopback import read_body, serve

VENDOR = fixture("Crud_Read_Vendor")
LOGIN = {"sessionId": "session-SECRET-9", "orgId": "00802ABCDEFGHIJKLmno"}


class TricklingBill:
    """Answers Login.json at once, and every other call one byte every 0.1 s, never ending:
    no read ever waits longer than the read timeout, so only a deadline ends the call."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.done = threading.Event()  # set by the test: uvicorn's shutdown waits for the app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await read_body(receive)
        path = scope["path"].rsplit("/api/v2/", 1)[1]
        self.seen.append(path)
        if path == "Login.json":
            body = json.dumps(ok(LOGIN)).encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", b"100000")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        while not self.done.is_set():
            await send({"type": "http.response.body", "body": b" ", "more_body": True})
            await anyio.sleep(0.1)


@contextmanager
def trickling() -> Iterator[tuple[TricklingBill, str]]:
    server = TricklingBill()
    with serve(server) as url:
        try:
            yield server, f"{url}/api/v2"
        finally:
            server.done.set()


def transports(backend: str) -> list[Callable[[], httpx.AsyncBaseTransport]]:
    made: list[Callable[[], httpx.AsyncBaseTransport]] = [
        PooledTransport,  # the default, its fast path
        httpx.AsyncHTTPTransport,  # any httpx transport: the generic path
    ]
    if backend == "asyncio":
        from bill_async import AiohttpTransport

        made.append(AiohttpTransport)
    return made


@pytest.mark.anyio
async def test_a_trickled_answer_times_out_on_every_transport(anyio_backend: str) -> None:
    with trickling() as (server, url):
        for make in transports(anyio_backend):
            async with bill_async.Client(
                credential(),
                base_url=url,
                transport=make(),
                retry=bill_async.RetryPolicy(max_retries=0),
            ) as signed_in:
                await signed_in.login()
                # Pool, connect and write 0.25 s, read 0.5 s: the whole request may take 1.25 s.
                # Without that bound the read timeout alone never fires (a byte comes every
                # 0.1 s) and the call never ends.
                bill = signed_in.with_options(timeout=httpx.Timeout(0.25, read=0.5))
                with anyio.fail_after(20):  # liveness only
                    with pytest.raises(bill_async.RequestTimeoutError) as read:
                        await bill.vendors.read("009x")
                    with pytest.raises(bill_async.AmbiguousWriteError) as write:
                        await bill.vendors.create(name="Acme")
            assert type(read.value) is bill_async.RequestTimeoutError, make
            assert "did not come whole within 1.2 s" in str(read.value)
            assert isinstance(write.value.__cause__, bill_async.RequestTimeoutError)
    assert server.seen.count("Crud/Create/Vendor.json") == len(transports(anyio_backend))


@pytest.mark.anyio
async def test_the_policys_deadline_ends_the_attempt_in_flight() -> None:
    with trickling() as (server, url):
        async with bill_async.Client(
            credential(),
            base_url=url,
            timeout=30,  # the phases alone would allow two minutes
            retry=bill_async.RetryPolicy(max_retries=3, deadline=0.5),
        ) as bill:
            await bill.login()  # the read's own deadline is what is measured
            with anyio.fail_after(20):
                with pytest.raises(bill_async.RequestTimeoutError) as caught:
                    await bill.vendors.read("009x")
    assert "did not come whole within" in str(caught.value)
    assert server.seen.count("Crud/Read/Vendor.json") == 1  # no retry starts past the deadline


def test_the_limit_is_the_sum_of_the_phases_and_at_most_the_deadline() -> None:
    assert whole_answer_limit(httpx.Timeout(60.0, connect=10.0, pool=30.0)) == 160.0
    assert whole_answer_limit(httpx.Timeout(2.0), deadline=5.0) == 8.0 - 3.0
    assert whole_answer_limit(httpx.Timeout(None)) is None
    assert whole_answer_limit(httpx.Timeout(None), deadline=1.5) == 1.5


# -- HTTP 429 ------------------------------------------------------------------------------------

NOW = 1_722_000_000.0  # a whole second, as HTTP dates are


def busy(seconds: str) -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": seconds}, text="Too Many Requests")


def http_date(posix: float) -> str:
    return email.utils.format_datetime(dt.datetime.fromtimestamp(posix, dt.UTC), usegmt=True)


@pytest.mark.anyio
async def test_a_read_answered_429_is_retried_after_its_retry_after() -> None:
    fake = FakeBill()
    answers = [busy(http_date(NOW)), ok(VENDOR)]  # "come back at NOW": 0.25 s from "now"
    fake.on("Crud/Read/Vendor.json", lambda seen: answers.pop(0))
    delays: list[float | None] = []

    async def on_retry(event: bill_async.CallEvent) -> None:
        delays.append(event.delay)

    async with client(
        fake,
        wall_clock=lambda: NOW - 0.25,
        event_hooks={"retry": [on_retry]},
        retry=bill_async.RetryPolicy(base_delay=0.001, max_delay=0.002),
    ) as bill:
        vendor = await bill.vendors.read("009x")
    assert vendor.id == VENDOR["id"]
    assert fake.count("Crud/Read/Vendor.json") == 2
    assert delays == [0.25]  # the backoff alone would have been at most 2 ms


@pytest.mark.anyio
async def test_a_retry_after_past_the_deadline_raises_at_once() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", lambda seen: busy("3600"))
    async with client(fake, retry=bill_async.RetryPolicy(deadline=10.0)) as bill:
        with anyio.fail_after(5):
            with pytest.raises(bill_async.ProtocolError) as caught:
                await bill.vendors.read("009x")
    assert caught.value.status_code == 429
    assert caught.value.retry_after == 3600.0
    assert fake.count("Crud/Read/Vendor.json") == 1


@pytest.mark.anyio
async def test_a_write_answered_429_is_never_sent_again() -> None:
    fake = FakeBill()
    fake.on("Crud/Create/Vendor.json", lambda seen: busy("0"))
    async with client(fake) as bill:
        with pytest.raises(bill_async.AmbiguousWriteError) as caught:
            await bill.vendors.create(name="Acme")
    assert isinstance(caught.value.__cause__, bill_async.ProtocolError)
    assert caught.value.__cause__.status_code == 429
    assert fake.count("Crud/Create/Vendor.json") == 1


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after([(b"Retry-After", b"7")], NOW) == 7.0
    assert retry_after([(b"retry-after", http_date(NOW + 30).encode())], NOW) == 30.0
    assert retry_after([(b"Retry-After", http_date(NOW - 30).encode())], NOW) == 0.0
    assert retry_after([(b"Retry-After", b"soon")], NOW) is None
    assert retry_after([(b"Content-Type", b"text/html")], NOW) is None
