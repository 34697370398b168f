"""The default transport, ``PooledTransport``: several httpx pools, the least busy one first."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpcore
import httpx
import pytest
import trustme

import bill_async
from bill_async import PooledTransport
from bill_async._transports._asyncio_backend import AsyncioBackend
from tests.fakebill import credential
from tests.loopback import free_port, post, read_body, serve

TIMEOUT = httpx.Timeout(5.0)


class HeldServer:
    """An ASGI app that holds every request until released, and counts what it saw."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.seen = 0
        self.peers: set[tuple[str, int]] = set()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.seen += 1
        self.peers.add(tuple(scope["client"]))
        # Released from the test's thread, which cannot set an asyncio.Event here.
        while not self.release.is_set():  # noqa: ASYNC110
            await asyncio.sleep(0.002)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@contextmanager
def held_server() -> Iterator[tuple[HeldServer, str]]:
    app = HeldServer()
    app.release.set()
    with serve(app) as url:
        yield app, url


async def get(transport: httpx.AsyncBaseTransport, url: str) -> bytes:
    response = await transport.handle_async_request(httpx.Request("GET", url))
    try:
        return await response.aread()
    finally:
        await response.aclose()


async def wait_until(condition: Any) -> None:
    with anyio.fail_after(10):
        while not condition():  # noqa: ASYNC110  # state of another thread
            await anyio.sleep(0.005)


@pytest.mark.anyio
async def test_requests_go_to_the_least_busy_pool_and_are_counted_out_when_closed() -> None:
    with held_server() as (app, url):
        transport = PooledTransport(pools=4, max_connections=40)
        app.release.clear()
        answers: list[bytes] = []

        async def one() -> None:
            answers.append(await get(transport, url))

        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(one)
            await wait_until(lambda: app.seen == 10)
            # Ten held requests spread over four pools, none more than one ahead of another.
            assert sorted(transport._in_flight) == [2, 2, 3, 3]
            app.release.set()
        assert answers == [b"ok"] * 10
        assert transport._in_flight == [0, 0, 0, 0]
        # Each pool opened its own connections: ten requests held at once need ten.
        assert len(app.peers) == 10
        await transport.aclose()


@pytest.mark.anyio
async def test_a_lightly_loaded_client_keeps_using_one_connection() -> None:
    with held_server() as (app, url):
        transport = PooledTransport(pools=8)
        for _ in range(5):
            assert await get(transport, url) == b"ok"
        assert len(app.peers) == 1
        # Only the first pool was ever made.
        assert [pool is not None for pool in transport._pools] == [True] + [False] * 7
        await transport.aclose()


@pytest.mark.anyio
async def test_idle_connections_are_reused_before_new_ones_are_opened() -> None:
    with held_server() as (app, url):
        transport = PooledTransport(pools=16)

        async def worker() -> None:
            for _ in range(10):
                assert await get(transport, url) == b"ok"

        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(worker)
        # 30 requests, never more than 3 at once: never more than 3 connections.
        assert app.seen == 30
        assert 1 <= len(app.peers) <= 3
        assert sum(transport._busiest) <= 3
        await transport.aclose()


@pytest.mark.anyio
async def test_a_request_that_fails_or_is_cancelled_gives_its_place_back() -> None:
    transport = PooledTransport(pools=2)
    refused = f"http://127.0.0.1:{free_port()}/"
    with pytest.raises(httpx.ConnectError):
        await get(transport, refused)
    assert transport._in_flight == [0, 0]

    with held_server() as (app, url):
        app.release.clear()
        with anyio.move_on_after(0.2) as scope:
            await get(transport, url)
        assert scope.cancelled_caught
        assert transport._in_flight == [0, 0]
        app.release.set()
        assert await get(transport, url) == b"ok"
    await transport.aclose()


@pytest.mark.anyio
async def test_aclose_closes_every_pool() -> None:
    with held_server() as (app, url):
        transport = PooledTransport(pools=3)
        app.release.clear()
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(get, transport, url)
            await wait_until(lambda: app.seen == 3)
            app.release.set()
        made = [pool for pool in transport._pools if pool is not None]
        assert len(made) == 3
        assert all(pool.connections for pool in made)
        await transport.aclose()
        assert all(pool.connections == [] for pool in made)


def test_the_pools_share_one_ssl_context_and_the_settings() -> None:
    context = ssl.create_default_context()
    transport = PooledTransport(pools=2, max_connections=5, verify=context)
    first, second = transport._pool(0), transport._pool(1)
    assert first._ssl_context is context
    assert second._ssl_context is context
    # Each pool gets its share of the connections, rounded up.
    assert first._max_connections == 3
    assert repr(transport) == "PooledTransport(pools=2, in_flight=0)"
    with pytest.raises(ValueError, match="at least one pool"):
        PooledTransport(pools=0)


@pytest.mark.anyio
async def test_the_client_uses_it_by_default_and_it_can_be_given_with_settings() -> None:
    async with bill_async.Client(credential()) as bill:
        assert isinstance(bill._pipeline.shared.sender.transport, PooledTransport)
    mine = bill_async.PooledTransport(pools=4, verify=False)
    async with bill_async.Client(credential(), transport=mine) as bill:
        assert bill._pipeline.shared.sender.transport is mine


class EchoServer:
    """Answers every request with what it was sent, as JSON; gzipped if the path says so."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        seen = {
            "method": scope["method"],
            "path": scope["path"],
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "body": body.decode(),
        }
        answer = json.dumps(seen).encode()
        headers = [(b"content-type", b"application/json")]
        if scope["path"].endswith("/gzip"):
            answer = gzip.compress(answer)
            headers.append((b"content-encoding", b"gzip"))
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        await send({"type": "http.response.body", "body": answer})


@pytest.mark.anyio
async def test_the_fast_path_sends_the_bytes_and_returns_status_and_body() -> None:
    with serve(EchoServer()) as url:
        transport = PooledTransport()
        status, content = await post(
            transport,
            f"{url}/api/v2/Crud/Read/Vendor.json",
            b"devKey=k&data=%7B%7D",
            "application/x-www-form-urlencoded",
            httpx.Timeout(5.0),
        )
        assert status == 201
        seen = json.loads(content)
        assert seen["method"] == "POST"
        assert seen["path"] == "/api/v2/Crud/Read/Vendor.json"
        assert seen["body"] == "devKey=k&data=%7B%7D"
        assert seen["headers"]["content-type"] == "application/x-www-form-urlencoded"
        assert seen["headers"]["content-length"] == str(len(b"devKey=k&data=%7B%7D"))
        assert seen["headers"]["user-agent"] == f"bill-async/{bill_async.__version__}"
        assert seen["headers"]["host"] == url.removeprefix("http://")
        # An answer compressed on the way is decoded, as httpx would.
        status, content = await post(
            transport, f"{url}/gzip", b"x", "text/plain", httpx.Timeout(5.0)
        )
        assert (status, json.loads(content)["body"]) == (201, "x")
        assert transport._in_flight == [0] * 16
        await transport.aclose()


@pytest.mark.anyio
async def test_the_fast_path_raises_httpx_errors_and_gives_its_place_back() -> None:
    transport = PooledTransport(pools=2)
    with pytest.raises(httpx.ConnectError):
        await post(
            transport, f"http://127.0.0.1:{free_port()}/x", b"", "text/plain", httpx.Timeout(5.0)
        )
    with held_server() as (app, url):
        app.release.clear()
        with pytest.raises(httpx.ReadTimeout):
            await post(transport, url, b"", "text/plain", httpx.Timeout(0.2))
        app.release.set()
    assert transport._in_flight == [0, 0]
    await transport.aclose()


@pytest.mark.anyio
async def test_the_client_maps_a_fast_path_timeout_to_read_timeout_error() -> None:
    with held_server() as (app, url):
        app.release.clear()
        bill = bill_async.Client(
            credential(),
            base_url=f"{url}/api/v2",
            timeout=httpx.Timeout(0.2),
            retry=bill_async.RetryPolicy(max_retries=2, base_delay=0.01),
        )
        async with bill:
            with pytest.raises(bill_async.ReadTimeoutError):
                await bill.login()
        app.release.set()
    # A login may be sent again after a read timeout; it was, and then it gave up.
    assert app.seen == 3


def test_a_proxy_gets_httpcores_proxy_pool_and_socks_is_refused() -> None:
    transport = PooledTransport(proxy="http://proxy.example:8080")
    assert isinstance(transport._pool(0), httpcore.AsyncHTTPProxy)
    with pytest.raises(ValueError, match="socks5"):
        PooledTransport(proxy="socks5://proxy.example:1080")


@pytest.mark.anyio
async def test_on_asyncio_the_pools_use_asyncios_streams_and_on_trio_httpcores_backend(
    anyio_backend: str,
) -> None:
    with held_server() as (_, url):
        transport = PooledTransport()
        assert await get(transport, url) == b"ok"
        backend = transport._pool(0)._network_backend
        if anyio_backend == "asyncio":
            assert isinstance(backend, AsyncioBackend)
        else:
            assert not isinstance(backend, AsyncioBackend)
        await transport.aclose()


@pytest.mark.anyio
async def test_https_with_a_trusted_certificate_and_a_refused_untrusted_one(
    tmp_path: Path,
) -> None:
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    certificate.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))
    with serve(EchoServer(), ssl_certfile=str(cert_file), ssl_keyfile=str(key_file)) as url:
        assert url.startswith("https://")
        trusted = ssl.create_default_context()
        authority.configure_trust(trusted)
        transport = PooledTransport(verify=trusted)
        status, content = await post(
            transport, f"{url}/api/v2/Login.json", b"a=1", "text/plain", httpx.Timeout(5.0)
        )
        assert (status, json.loads(content)["body"]) == (201, "a=1")
        response = await transport.handle_async_request(httpx.Request("GET", f"{url}/x"))
        assert response.status_code == 201
        await response.aread()
        await response.aclose()
        assert transport._in_flight == [0] * 16
        await transport.aclose()

        untrusted = PooledTransport()  # the system's CAs do not know this one
        with pytest.raises(httpx.ConnectError):
            await post(untrusted, url, b"", "text/plain", httpx.Timeout(5.0))
        assert untrusted._in_flight == [0] * 16
        await untrusted.aclose()


async def echo(transport: PooledTransport, url: str, body: bytes) -> Any:
    """What ``EchoServer`` saw of one POST of ``body``, through ``transport``'s fast path."""
    return json.loads((await post(transport, url, body, "t/p", TIMEOUT))[1])


@pytest.mark.anyio
async def test_a_connection_the_server_closed_while_idle_is_not_used_again() -> None:
    with serve(EchoServer(), timeout_keep_alive=0.1) as url:
        transport = PooledTransport()
        first = await echo(transport, url, b"1")
        await anyio.sleep(0.5)  # the server closes the idle connection meanwhile
        second = await echo(transport, url, b"2")
        assert (first["body"], second["body"]) == ("1", "2")
        await transport.aclose()


@pytest.mark.anyio
async def test_a_body_the_peer_does_not_read_is_a_write_timeout() -> None:
    with socket.socket() as listener:  # the kernel accepts; nobody reads
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        transport = PooledTransport()
        body = b"x" * (64 * 1024 * 1024)  # more than every buffer on the way holds
        with pytest.raises(httpx.WriteTimeout):
            await post(
                transport,
                f"http://127.0.0.1:{port}/x",
                body,
                "text/plain",
                httpx.Timeout(5.0, write=0.3),
            )
        assert transport._in_flight == [0] * 16
        await transport.aclose()


class DelayServer:
    """Answers ``ok`` after the number of seconds the path names."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await asyncio.sleep(float(scope["path"].strip("/") or 0))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def in_use(transport: PooledTransport) -> list[Any]:
    return [
        c
        for pool in transport._pools
        if pool is not None
        for c in pool.connections
        if not (c.is_idle() or c.is_closed())
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("how", ["anyio", "asyncio"])
async def test_cancelled_calls_leave_no_connection_stranded(anyio_backend: str, how: str) -> None:
    # httpcore strands a connection when a cancellation lands between two of its steps
    # (encode/httpcore#1093); small pools would soon be full of them.
    if how == "asyncio" and anyio_backend != "asyncio":
        pytest.skip("asyncio's own timeout")
    random = __import__("random").Random(7)
    with serve(DelayServer()) as url:
        transport = PooledTransport(pools=4, max_connections=8)
        for _ in range(600):
            delay = random.random() * 0.004
            if how == "asyncio":
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await post(transport, f"{url}/0", b"", "t/p", TIMEOUT)
            else:
                with anyio.move_on_after(delay):
                    await post(transport, f"{url}/0", b"", "t/p", TIMEOUT)
        assert transport._in_flight == [0, 0, 0, 0]
        assert in_use(transport) == []
        status, _ = await post(transport, f"{url}/0", b"", "t/p", httpx.Timeout(5.0, pool=0.5))
        assert status == 200
        await transport.aclose()


@pytest.mark.anyio
async def test_a_full_pool_is_not_chosen_while_another_has_an_idle_connection() -> None:
    with serve(DelayServer()) as url:
        transport = PooledTransport(pools=2, max_connections=2)  # one connection per pool
        async with anyio.create_task_group() as group:  # a burst of three: one waits
            for _ in range(3):
                group.start_soon(post, transport, f"{url}/0.2", b"", "t/p", TIMEOUT)
        assert transport._busiest == [1, 1]
        async with anyio.create_task_group() as group:
            group.start_soon(post, transport, f"{url}/1", b"", "t/p", TIMEOUT)
            await wait_until(lambda: sum(transport._in_flight) == 1)
            # The other pool's idle connection answers at once: no wait for a connection.
            with anyio.fail_after(0.8):
                await post(transport, f"{url}/0", b"", "t/p", httpx.Timeout(5.0, pool=0.5))
        await transport.aclose()


@pytest.mark.anyio
async def test_max_connections_is_a_ceiling() -> None:
    with held_server() as (app, url):
        transport = PooledTransport(max_connections=2)
        async with anyio.create_task_group() as group:
            for _ in range(16):
                group.start_soon(get, transport, url)
        assert len(app.peers) == 2
        assert len(transport._pools) == 2
        await transport.aclose()
    assert PooledTransport(max_connections=100, pools=16)._sizes == [7] * 4 + [6] * 12


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the backend made for asyncio
@pytest.mark.anyio
@pytest.mark.parametrize("then_close", [True, False])
async def test_a_connection_that_got_stray_bytes_while_idle_is_not_used_again(
    then_close: bool,
) -> None:
    # Proxies and servers send a 408 on an idle connection before closing it.
    connections = 0
    writers: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        writers.append(writer)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        body = b"answer %d" % connections
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await asyncio.sleep(0.05)
        writer.write(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n")
        if then_close:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
    transport = PooledTransport()
    assert await post(transport, url, b"a", "t/p", TIMEOUT) == (200, b"answer 1")
    await asyncio.sleep(0.2)
    assert await post(transport, url, b"b", "t/p", TIMEOUT) == (200, b"answer 2")
    await transport.aclose()
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="reads Linux's socket table")
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_cancelled_connects_leave_no_socket_open() -> None:
    def open_to(port: int) -> int:
        """Established sockets to 127.0.0.1:port: the client ends, as nothing accepts."""
        with open("/proc/net/tcp") as table:  # a small in-memory file
            rows = [line.split() for line in table.readlines()[1:]]
        return sum(1 for row in rows if int(row[2].split(":")[1], 16) == port and row[3] == "01")

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1000)
        port = listener.getsockname()[1]
        backend = AsyncioBackend()
        cancelled = 0
        for index in range(200):
            with anyio.move_on_after((index % 7) * 0.0002) as scope:
                stream = await backend.connect_tcp("localhost", port)
                await stream.aclose()
            cancelled += scope.cancelled_caught
        await asyncio.sleep(0.2)  # connects still running when cancelled finish, and close
        assert cancelled > 0
        assert open_to(port) == 0


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # asyncio's own cancellation
@pytest.mark.anyio
async def test_a_response_close_cancelled_midway_does_not_strand_the_connection() -> None:
    with serve(DelayServer()) as url:
        transport = PooledTransport(pools=1, max_connections=1)
        response = await transport.handle_async_request(httpx.Request("GET", f"{url}/0"))
        closing = asyncio.create_task(response.aclose())
        await asyncio.sleep(0)  # httpcore is now part way through giving the connection back
        closing.cancel()
        await asyncio.gather(closing, return_exceptions=True)
        assert transport._in_flight == [0]
        assert in_use(transport) == []
        # The only connection is usable again (or replaced), well within the pool timeout.
        status, _ = await post(transport, f"{url}/0", b"", "t/p", httpx.Timeout(5.0, pool=0.5))
        assert status == 200
        await transport.aclose()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_a_waiting_request_cancelled_as_it_gets_a_connection_does_not_strand_it() -> None:
    # httpcore gives a queued request a fresh connection; cancelled before it runs, the request
    # leaves that connection CONNECTING, holding the pool's only place.
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(0.2)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
    transport = PooledTransport(pools=1, max_connections=1)

    async def call() -> int:
        status, _ = await post(transport, url, b"", "t/p", TIMEOUT)
        return status

    async def first_then_cancel_second() -> int:
        status = await call()
        # The pool has just made a connection for the second, which has not run yet.
        second.cancel()
        return status

    first = asyncio.create_task(first_then_cancel_second())
    await asyncio.sleep(0.05)
    second = asyncio.create_task(call())
    third = asyncio.create_task(call())
    assert await first == 200
    await asyncio.gather(second, return_exceptions=True)
    assert second.cancelled()
    assert await asyncio.wait_for(third, 3) == 200
    assert transport._in_flight == [0]
    await transport.aclose()
    server.close()
    await server.wait_closed()


@pytest.mark.anyio
async def test_a_connection_closed_while_the_loop_was_blocked_is_not_used_again() -> None:
    # The server closes the idle connection while this loop is busy elsewhere, so asyncio has
    # not yet read the end: the socket itself is asked before the connection is reused.
    with serve(EchoServer(), timeout_keep_alive=0.1) as url:
        transport = PooledTransport()
        first = await echo(transport, url, b"1")
        time.sleep(1.2)  # noqa: ASYNC251  # the loop blocked, on purpose
        second = await echo(transport, url, b"2")
        assert (first["body"], second["body"]) == ("1", "2")
        await transport.aclose()
