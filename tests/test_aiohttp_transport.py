"""AiohttpTransport: the fast path and the httpx path over real connections, the error mapping
(what may be sent again and what may not), the slot count, and the refusal on trio.

aiohttp is asyncio-only, so this module's async tests run on asyncio alone; the trio refusal is
tested by running trio directly.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

import bill_async
from bill_async._transports._aiohttp import WATCHED_BODY, AiohttpTransport, _to_httpx
from tests.fakebill import ORG, credential, error, fixture, ok
from tests.loopback import free_port, post, read_body, serve

pytest.importorskip("aiohttp")
import aiohttp

VENDOR = fixture("Crud_Read_Vendor")
FAST = bill_async.RetryPolicy(base_delay=0.001, max_delay=0.005, max_retries=2)
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def anyio_backend() -> str:
    """aiohttp runs on asyncio only (the trio refusal is tested with trio.run below)."""
    return "asyncio"


def envelope(data: Any) -> bytes:
    return json.dumps(ok(data)).encode()


class Bill:
    """An ASGI BILL for uvicorn: Login, Vendor reads and creates; records what it saw."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        path = scope["path"]
        self.seen.append(
            {"path": path, "method": scope["method"], "headers": headers, "body": body}
        )
        answer_headers = [(b"content-type", b"application/json")]
        if path.endswith("/Login.json"):
            content = envelope({"sessionId": "!session-1", "orgId": ORG})
        elif path.endswith(("/Crud/Read/Vendor.json", "/Crud/Create/Vendor.json")):
            content = envelope(VENDOR)
        elif path == "/gzip":
            content = gzip.compress(b"squeezed " * 100)
            answer_headers.append((b"content-encoding", b"gzip"))
        elif path == "/big":
            content = b"x" * 1_000_000
        else:
            content = json.dumps(error("BDC_1121", "API not supported.")).encode()
        await send({"type": "http.response.start", "status": 200, "headers": answer_headers})
        await send({"type": "http.response.body", "body": content})


def client(url: str, transport: AiohttpTransport, **options: Any) -> bill_async.Client:
    options.setdefault("limits", bill_async.InProcessLimits())
    options.setdefault("retry", FAST)
    return bill_async.Client(credential(), base_url=f"{url}/api/v2", transport=transport, **options)


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def opened(**options: Any) -> AsyncIterator[AiohttpTransport]:
    transport = AiohttpTransport(**options)
    try:
        yield transport
    finally:
        await transport.aclose()


@asynccontextmanager
async def raw_server(handler: Handler) -> AsyncIterator[str]:
    """A bare TCP server on this loop, for answers no HTTP server would give."""
    writers: list[asyncio.StreamWriter] = []

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await handler(reader, writer)

    server = await asyncio.start_server(tracked, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + await reader.readexactly(length)


async def login_then(
    then: Handler,
) -> Handler:
    """A connection handler that answers Login.json and hands any other request to ``then``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                request = await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            if b"/Login.json" in request.split(b"\r\n", 1)[0]:
                body = envelope({"sessionId": "!session-1", "orgId": ORG})
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
            else:
                await then(reader, writer)
                return

    return handle


async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(3600)


async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


# -- the fast path -----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_client_uses_the_fast_path_and_gets_the_model() -> None:
    app = Bill()
    with serve(app) as url:
        transport = AiohttpTransport()

        async def no_httpx(request: httpx.Request) -> httpx.Response:
            raise AssertionError("the fast path builds no httpx request")

        transport.handle_async_request = no_httpx  # type: ignore[method-assign]
        async with client(url, transport) as bill:
            vendor = await bill.vendors.read(VENDOR["id"])
            assert isinstance(vendor, bill_async.Vendor)
            assert vendor.to_wire() == VENDOR
    read = app.seen[-1]
    assert read["path"] == "/api/v2/Crud/Read/Vendor.json"
    assert read["method"] == "POST"
    assert read["headers"]["content-type"] == FORM
    assert read["headers"]["user-agent"].startswith("bill-async/")
    assert b"sessionId=%21session-1" in read["body"]
    assert transport._session is None  # the client closed the transport it was given


@pytest.mark.anyio
async def test_many_concurrent_calls_share_the_pool() -> None:
    with serve(Bill()) as url:
        transport = AiohttpTransport(max_connections=4)
        async with client(url, transport, max_in_flight=16) as bill:
            vendors = await asyncio.gather(*(bill.vendors.read("x") for _ in range(40)))
            assert {v.id for v in vendors} == {VENDOR["id"]}
            assert transport._slots.free == 4


@pytest.mark.anyio
async def test_the_session_is_created_lazily_and_aclose_is_idempotent() -> None:
    transport = AiohttpTransport()
    assert transport._session is None and "idle" in repr(transport)
    with serve(Bill()) as url:
        status, content = await post(
            transport, f"{url}/api/v2/Crud/Read/Vendor.json", b"id=1", FORM, httpx.Timeout(5)
        )
    assert status == 200 and json.loads(content)["response_data"] == VENDOR
    assert transport._session is not None
    await transport.aclose()
    await transport.aclose()
    with pytest.raises(bill_async.ClientStateError, match="closed"):
        await post(transport, "http://127.0.0.1:1/x", b"", FORM, httpx.Timeout(1))


def test_a_transport_used_from_another_event_loop_raises() -> None:
    with serve(Bill()) as url:
        transport = AiohttpTransport()

        async def read() -> int:
            status, _ = await post(
                transport, f"{url}/api/v2/Crud/Read/Vendor.json", b"", FORM, httpx.Timeout(5)
            )
            return status

        async def first() -> None:
            assert await read() == 200
            with pytest.raises(bill_async.ClientStateError, match="another event loop"):
                await asyncio.to_thread(asyncio.run, read())
            await transport.aclose()

        asyncio.run(first())


def test_importing_bill_async_does_not_import_aiohttp() -> None:
    code = (
        "import sys, bill_async, bill_async._transports._aiohttp;"
        " assert 'aiohttp' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- the httpx path ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_it_works_as_any_httpx_transport() -> None:
    with serve(Bill()) as url:
        async with httpx.AsyncClient(transport=AiohttpTransport(), base_url=url) as http:
            response = await http.post("/api/v2/Crud/Read/Vendor.json", data={"id": "1"})
            assert response.status_code == 200
            assert response.json()["response_data"] == VENDOR
            assert response.headers["content-type"] == "application/json"

            squeezed = await http.get("/gzip", headers={"Accept-Encoding": "gzip"})
            assert squeezed.text == "squeezed " * 100
            assert "content-encoding" not in squeezed.headers

            async with http.stream("GET", "/big") as big:
                chunks = [chunk async for chunk in big.aiter_raw()]
            assert sum(map(len, chunks)) == 1_000_000 and len(chunks) > 1


@pytest.mark.anyio
async def test_an_unread_streamed_answer_gives_its_slot_back_when_closed() -> None:
    with serve(Bill()) as url:
        transport = AiohttpTransport(max_connections=1)
        async with httpx.AsyncClient(transport=transport, base_url=url) as http:
            for _ in range(3):
                async with http.stream("GET", "/big") as big:
                    async for _chunk in big.aiter_raw():
                        break
            assert transport._slots.free == 1
            assert (await http.get("/gzip")).status_code == 200


# -- errors: what may be sent again, and what may not --------------------------------------------


@pytest.mark.anyio
async def test_connection_refused_is_a_connect_error_and_a_write_may_be_retried() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with opened() as transport:
        with pytest.raises(httpx.ConnectError):
            await post(transport, f"{url}/x", b"", FORM, httpx.Timeout(5))
    async with client(url, AiohttpTransport()) as bill:
        with pytest.raises(bill_async.ConnectError):
            await bill.vendors.create(name="Acme")  # not AmbiguousWriteError: nothing was sent


@pytest.mark.anyio
async def test_a_dropped_connection_makes_a_write_ambiguous() -> None:
    async with raw_server(await login_then(drop)) as url:
        async with opened() as transport:
            with pytest.raises(httpx.RemoteProtocolError):
                await post(transport, f"{url}/api/v2/x", b"", FORM, httpx.Timeout(5))
        async with client(url, AiohttpTransport()) as bill:
            with pytest.raises(bill_async.AmbiguousWriteError) as caught:
                await bill.vendors.create(name="Acme")
            assert isinstance(caught.value.__cause__, bill_async.ConnectionLostError)
            with pytest.raises(bill_async.ConnectionLostError):
                await bill.vendors.read("x")  # a read is retried, then the error is raised


@pytest.mark.anyio
async def test_no_answer_in_time_is_a_read_timeout() -> None:
    async with raw_server(await login_then(hang)) as url:
        async with opened() as transport:
            with pytest.raises(httpx.ReadTimeout):
                await post(transport, f"{url}/api/v2/x", b"", FORM, httpx.Timeout(5, read=0.2))
        timeout = httpx.Timeout(5, read=0.2)
        async with client(url, AiohttpTransport(), timeout=timeout) as bill:
            with pytest.raises(bill_async.AmbiguousWriteError):
                await bill.vendors.create(name="Acme")
            with pytest.raises(bill_async.ReadTimeoutError):
                await bill.with_options(retry=bill_async.RetryPolicy(max_retries=0)).vendors.read(
                    "x"
                )


@pytest.mark.anyio
async def test_waiting_too_long_for_a_connection_is_a_pool_timeout() -> None:
    async with raw_server(hang) as url, opened(max_connections=1) as transport:
        timeout = httpx.Timeout(5, pool=0.1)
        first = asyncio.create_task(post(transport, f"{url}/a", b"", FORM, timeout))
        await asyncio.sleep(0.05)
        with pytest.raises(httpx.PoolTimeout):
            await post(transport, f"{url}/b", b"", FORM, timeout)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        assert transport._slots.free == 1


@pytest.mark.anyio
async def test_a_big_body_the_peer_does_not_read_is_a_write_timeout() -> None:
    async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3600)

    async with raw_server(never_read) as url, opened() as transport:
        body = b"x" * (64 * 1024 * 1024)  # more than every buffer on the way holds
        assert len(body) > WATCHED_BODY
        with pytest.raises(httpx.WriteTimeout):
            await post(
                transport,
                f"{url}/x",
                body,
                FORM,
                httpx.Timeout(0.5, connect=0.5, write=0.3, read=0.3),
            )


@pytest.mark.anyio
async def test_cancelled_calls_give_back_their_slots() -> None:
    async with raw_server(hang) as url, opened(max_connections=2) as transport:
        timeout = httpx.Timeout(5)
        tasks = [
            asyncio.create_task(post(transport, f"{url}/x", b"", FORM, timeout)) for _ in range(5)
        ]
        await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert transport._slots.free == 2


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (aiohttp.ConnectionTimeoutError("connect"), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout),
        (aiohttp.ServerTimeoutError("read"), httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError("short body"), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset by peer"), httpx.ReadError),
        # A pooled connection the server had closed: the request never got out whole.
        (aiohttp.ClientOSError(32, "Can not write request body for http://x/"), httpx.ConnectError),
        (aiohttp.ClientConnectionError("closed"), httpx.ReadError),
        (aiohttp.InvalidURL("nope"), httpx.UnsupportedProtocol),
        (TimeoutError(), httpx.WriteTimeout),
    ],
)
def test_aiohttp_errors_map_to_httpx_errors_by_whether_the_request_may_have_run(
    error: Exception, expected: type[Exception]
) -> None:
    assert type(_to_httpx(error)) is expected


def test_errors_that_are_not_aiohttps_pass_through() -> None:
    error = ValueError("a bug")
    assert _to_httpx(error) is error
    state = bill_async.ClientStateError("closed")
    assert _to_httpx(state) is state


# -- asyncio only ------------------------------------------------------------------------------


def test_on_trio_construction_and_use_raise_a_clear_error() -> None:
    trio = pytest.importorskip("trio")
    made_outside, given_to_client = AiohttpTransport(), AiohttpTransport()

    async def main() -> None:
        with pytest.raises(bill_async.ClientStateError, match="asyncio only"):
            AiohttpTransport()
        with trio.fail_after(5):  # a clear error, never a hang
            with pytest.raises(bill_async.ClientStateError, match="asyncio only"):
                await post(made_outside, "http://127.0.0.1:1/x", b"", FORM, httpx.Timeout(1))
            async with client("http://127.0.0.1:1", given_to_client) as bill:
                with pytest.raises(bill_async.ClientStateError, match="asyncio only"):
                    await bill.vendors.read("x")

    trio.run(main)
