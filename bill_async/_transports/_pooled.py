"""The default transport: httpcore's connection pool, split into several smaller pools.

httpcore's pool re-examines every connection it holds each time a request starts or ends, and
asks each idle one whether it is readable, a system call: its work per request grows with the
square of the connections in use. At the 60 in flight of a batch job across 20 organizations
that came to about 16 ms of CPU a request (``benchmarks/``, scenario 3). Here a request goes to
the first pool with an idle connection or, when every connection is busy, opens one in the pool
with the fewest requests in flight: each pool holds a few connections, and a lightly loaded
client keeps reusing the ones it has.

The pools are httpcore's, built here as ``httpx.AsyncHTTPTransport`` builds them, so that the
client's fast path (``bill_async_send``, ``_base.FastPath``) can hand httpcore the bytes
without building httpx's request and response objects, which cost a third of the CPU of a call;
on asyncio the pools reach the network through ``_asyncio_backend``, not anyio. Any other
request (a document page) goes through ``handle_async_request``, converted as httpx converts it.
httpcore's exceptions become httpx's, which ``_sender`` maps to bill_async's.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import contextmanager

import anyio
import httpcore
import httpx
import sniffio

from .._exceptions import ClientStateError
from ._asyncio_backend import AsyncioBackend
from ._base import USER_AGENT, OneChunk, RequestHeaders, WireAnswer

__all__ = ["PooledTransport"]

_USER_AGENT = USER_AGENT.encode()

# httpcore's exceptions and httpx's, as httpx maps them; a subclass not listed maps as its base.
_HTTPX_ERRORS: dict[type[Exception], type[httpx.HTTPError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProxyError: httpx.ProxyError,
}
_HTTPCORE_ERRORS = tuple(_HTTPX_ERRORS)


def _httpx_error(error: Exception) -> httpx.HTTPError:
    for klass in type(error).__mro__:
        mapped = _HTTPX_ERRORS.get(klass)
        if mapped is not None:
            return mapped(str(error))
    return httpx.TransportError(str(error))  # pragma: no cover - every class above is listed


@contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except _HTTPCORE_ERRORS as error:
        raise _httpx_error(error) from error


_ASYNCIO_BACKEND = AsyncioBackend()


def _network_backend() -> httpcore.AsyncNetworkBackend | None:
    """asyncio's own streams on asyncio; httpcore's choice (anyio's, trio's) elsewhere."""
    try:
        library = sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return None
    return _ASYNCIO_BACKEND if library == "asyncio" else None


async def _close_stranded(pool: httpcore.AsyncConnectionPool) -> None:
    """Close the connections a cancellation left unusable in ``pool``, and let the requests
    waiting for one have their places.

    httpcore strands a connection when a cancellation lands between two of its steps: a request
    cancelled after its connection is made but before it is sent leaves it NEW for good
    (encode/httpcore#1093); one cancelled after the pool gave it a fresh connection but before it
    ran leaves that connection CONNECTING for good; asyncio's own cancellation in the middle of
    closing a response leaves it ACTIVE. Each holds a place in the pool that nothing will free,
    and once the places are gone every request waits for a connection until it times out.

    A connection is stranded when it is neither idle nor closed and no request of the pool holds
    it. This reads httpcore's private state (``_requests``, ``_connections``); without it, the
    pool is left as it is.
    """
    requests = getattr(pool, "_requests", None)
    connections = getattr(pool, "_connections", None)
    if not isinstance(requests, list) or not isinstance(connections, list):
        return
    held = {id(connection) for r in requests if (connection := getattr(r, "connection", None))}
    stranded = [c for c in connections if id(c) not in held and not (c.is_idle() or c.is_closed())]
    if not stranded:
        return
    for connection in stranded:
        connections.remove(connection)
    with anyio.CancelScope(shield=True):
        for connection in stranded:
            await connection.aclose()
        assign = getattr(pool, "_assign_requests_to_connections", None)
        close = getattr(pool, "_close_connections", None)
        if assign is not None and close is not None:
            await close(assign())  # the waiting requests get connections now


def _core_url(url: httpx.URL) -> httpcore.URL:
    return httpcore.URL(
        scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
    )


class PooledTransport(httpx.AsyncBaseTransport):
    """The default transport: httpx's connection pool (httpcore's), split into smaller pools.

    A request goes to the first pool with an idle connection or, when every connection is busy,
    opens one in the pool with the fewest requests in flight. The pools together open no more
    connections than were ever in flight at once, and each stays small, which keeps httpcore's
    bookkeeping (which grows with the square of a pool's connections) cheap at any concurrency.

    Args:
        max_connections: open connections in all, at most (each pool gets its share, rounded
            up).
        pools: how many pools share them.
        verify: ``True`` (the system's CA certificates), ``False``, or an ``ssl.SSLContext``;
            one context serves every pool.
        proxy: an HTTP or HTTPS proxy: a URL, or an ``httpx.Proxy``.
        keepalive_expiry: seconds an idle connection is kept open.

    Works on asyncio and trio.
    """

    def __init__(
        self,
        *,
        max_connections: int = 100,
        pools: int = 16,
        verify: ssl.SSLContext | bool = True,
        proxy: str | httpx.Proxy | None = None,
        keepalive_expiry: float = 5.0,
    ) -> None:
        if pools < 1 or max_connections < 1:
            raise ValueError("PooledTransport needs at least one pool and one connection")
        if isinstance(proxy, str):
            proxy = httpx.Proxy(proxy)
        if proxy is not None and proxy.url.scheme not in ("http", "https"):
            raise ValueError(
                f"PooledTransport supports http and https proxies, not {proxy.url.scheme!r}; "
                "for others pass transport=httpx.AsyncHTTPTransport(proxy=...)"
            )
        pools = min(pools, max_connections)
        share, more = divmod(max_connections, pools)
        # Each pool's connections: together exactly max_connections.
        self._sizes = [share + 1 if index < more else share for index in range(pools)]
        # Loading the CA certificates costs ~50 ms of CPU, so every pool shares one context.
        self._ssl_context = (
            verify
            if isinstance(verify, ssl.SSLContext)
            else httpx.create_ssl_context(verify=verify)
        )
        self._proxy = proxy
        self._keepalive_expiry = keepalive_expiry
        self._pools: list[httpcore.AsyncConnectionPool | None] = [None] * pools  # made when used
        self._in_flight = [0] * pools
        # The most requests each pool has had in flight at once, at most its size: about the
        # connections it keeps open (more, once idle ones expire; then a request there opens
        # one, as it would anyway).
        self._busiest = [0] * pools
        self._targets: dict[str, tuple[httpcore.URL, bytes]] = {}  # parsed once per operation
        self._timeout: httpx.Timeout | None = None
        self._timeout_dict: dict[str, float | None] = {}
        self._closed = False

    def __repr__(self) -> str:
        return f"PooledTransport(pools={len(self._pools)}, in_flight={sum(self._in_flight)})"

    def _pool(self, index: int) -> httpcore.AsyncConnectionPool:
        pool = self._pools[index]
        if pool is None:
            pool = self._pools[index] = self._new_pool(self._sizes[index])
        return pool

    def _new_pool(self, size: int) -> httpcore.AsyncConnectionPool:
        proxy = self._proxy
        network = _network_backend()
        if proxy is None:
            return httpcore.AsyncConnectionPool(
                network_backend=network,
                ssl_context=self._ssl_context,
                max_connections=size,
                max_keepalive_connections=size,
                keepalive_expiry=self._keepalive_expiry,
                retries=0,  # the client decides what may be sent again
            )
        return httpcore.AsyncHTTPProxy(
            network_backend=network,
            proxy_url=_core_url(proxy.url),
            proxy_auth=proxy.raw_auth,
            proxy_headers=proxy.headers.raw,
            ssl_context=self._ssl_context,
            proxy_ssl_context=proxy.ssl_context,
            max_connections=size,
            max_keepalive_connections=size,
            keepalive_expiry=self._keepalive_expiry,
        )

    def _choose(self) -> int:
        """The pool for the next request, counted in."""
        in_flight = self._in_flight
        busiest = self._busiest
        for index, count in enumerate(in_flight):
            if count < busiest[index]:  # this pool has an idle connection: reuse it
                break
        else:
            # Every connection is busy: open one in the least busy pool with room, or, if all
            # are full, wait in the one with the fewest waiting.
            sizes = self._sizes
            index = min(range(len(sizes)), key=lambda i: (in_flight[i] >= sizes[i], in_flight[i]))
        count = in_flight[index] = in_flight[index] + 1
        if count > busiest[index]:
            busiest[index] = min(count, self._sizes[index])
        return index

    async def _count_out_failed(self, index: int) -> None:
        """Count out a request that failed or was cancelled, and if it was the pool's last,
        start the pool afresh should it hold connections that nothing will ever free."""
        in_flight = self._in_flight
        in_flight[index] -= 1
        pool = self._pools[index]
        if pool is None:
            return
        await _close_stranded(pool)
        if in_flight[index] or all(c.is_idle() or c.is_closed() for c in pool.connections):
            return
        # Nothing of ours is in flight here, yet a connection is in use: stranded, and
        # _close_stranded could not tell (httpcore's private state was not as it expects).
        # Starting the pool afresh needs nothing private.
        self._pools[index] = None
        self._busiest[index] = 0
        with anyio.CancelScope(shield=True):
            await pool.aclose()

    async def _send(self, index: int, request: httpcore.Request) -> httpcore.Response:
        with _mapped_errors():
            return await self._pool(index).handle_async_request(request)

    async def bill_async_send(
        self,
        method: str,
        url: str,
        headers: RequestHeaders,
        body: bytes,
        timeout: httpx.Timeout,  # noqa: ASYNC109  # httpx's phases, applied by httpcore
    ) -> WireAnswer:
        """The client's fast path (``FastPath``): send and return the whole answer."""
        self._check_open()
        target = self._targets.get(url)
        if target is None:
            parsed = httpx.URL(url)
            target = self._targets[url] = (_core_url(parsed), parsed.netloc)
        if timeout is not self._timeout:
            self._timeout, self._timeout_dict = timeout, timeout.as_dict()
        request = httpcore.Request(
            method.encode("ascii"),
            target[0],
            headers=[
                (b"Host", target[1]),
                *headers,
                (b"Content-Length", str(len(body)).encode("ascii")),
                (b"Accept", b"application/json"),
                (b"User-Agent", _USER_AGENT),
            ],
            content=OneChunk(body),
            extensions={"timeout": self._timeout_dict},
        )
        index = self._choose()
        try:
            response = await self._send(index, request)
            with _mapped_errors():
                try:
                    content = await response.aread()
                finally:
                    await response.aclose()
        except BaseException:
            await self._count_out_failed(index)
            raise
        self._in_flight[index] -= 1
        for name, value in response.headers:
            if name.lower() == b"content-encoding" and value.lower() != b"identity":
                # BILL is not asked to compress; if something on the way did, decode as httpx.
                decoded = httpx.Response(response.status, headers=response.headers, content=content)
                return WireAnswer(response.status, response.headers, decoded.read())
        return WireAnswer(response.status, response.headers, content)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Any request, as ``httpx.AsyncHTTPTransport`` sends it."""
        self._check_open()
        assert isinstance(request.stream, AsyncIterable)
        core_request = httpcore.Request(
            method=request.method,
            url=_core_url(request.url),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        index = self._choose()
        try:
            response = await self._send(index, core_request)
        except BaseException:
            await self._count_out_failed(index)
            raise
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseBody(response.stream, self, index),
            extensions=response.extensions,
        )

    def _check_open(self) -> None:
        # Pools are made when first used: after aclose() one would be made anew, and left open.
        if self._closed:
            raise ClientStateError("the transport is closed: nothing was sent")

    async def aclose(self) -> None:
        self._closed = True
        for pool in self._pools:
            if pool is not None:
                await pool.aclose()


class _ResponseBody(httpx.AsyncByteStream):
    """httpcore's response body for httpx, errors mapped; closing it counts its request out."""

    def __init__(self, stream: AsyncIterable[bytes], owner: PooledTransport, index: int) -> None:
        self._stream = stream
        self._owner: PooledTransport | None = owner  # None once counted out
        self._index = index

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            with _mapped_errors():
                async for chunk in self._stream:
                    yield chunk
        except GeneratorExit:  # the reader stopped early: the response is still open
            raise
        except BaseException:
            # httpcore has given the connection up: count the request out even if the
            # response is never closed.
            await self._count_out(failed=True)
            raise

    async def _count_out(self, *, failed: bool) -> None:
        owner, self._owner = self._owner, None
        if owner is None:
            return
        if failed:
            await owner._count_out_failed(self._index)
        else:
            owner._in_flight[self._index] -= 1

    async def aclose(self) -> None:
        try:
            if hasattr(self._stream, "aclose"):
                with _mapped_errors():
                    await self._stream.aclose()
        except BaseException:
            # Cancelled or failed while httpcore was closing: it may not have freed the
            # connection.
            await self._count_out(failed=True)
            raise
        # Only now is the connection idle in its pool: a request sent there sooner would find
        # it busy and open another.
        await self._count_out(failed=False)
