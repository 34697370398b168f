"""The narrow seam between the client and whatever carries its bytes.

The client needs one thing from a transport: POST these bytes to this URL and give back the
status and body. ``Sender`` does that over any ``httpx.AsyncBaseTransport`` (the default httpx
pool, respx, ``httpx.MockTransport``, ASGI apps) by calling the transport directly: the client
skips ``httpx.AsyncClient``, whose per-request machinery (cookies, redirects, auth flows, event
hooks) BILL does not need and which cost more than the rest of a call (see ``benchmarks/``).

A transport may offer a faster path by defining ``async def bill_async_post(url, body,
content_type, timeout) -> tuple[int, bytes]``; the client then uses it and no httpx objects are
built at all (``bill_async.AiohttpTransport`` does).

httpx's exceptions become bill_async's here, and nowhere else.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from . import _exceptions as errors
from ._version import __version__

__all__ = [
    "DEFAULT_TIMEOUT",
    "FastPost",
    "PooledTransport",
    "Sender",
    "default_transport",
    "map_transport_error",
]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0, pool=30.0)
USER_AGENT = f"bill-async/{__version__}"

FastPost = Callable[[str, bytes, str, httpx.Timeout], Awaitable[tuple[int, bytes]]]


def default_transport() -> PooledTransport:
    """The connections a client owns when it is given no transport."""
    return PooledTransport()


class PooledTransport(httpx.AsyncBaseTransport):
    """httpx's connection pool, split into several smaller pools: the default transport.

    httpcore's pool re-examines every connection it holds each time a request starts or ends,
    and asks each idle one whether it is readable, a system call: the work per request grows
    with the square of the connections in use. At the 60 in flight of a batch job across 20
    organizations that came to about 16 ms of CPU a request (``benchmarks/``, scenario 3).
    Here a request goes to the first pool with an idle connection, or else, to open a new one,
    to the pool with the fewest requests in flight: each pool holds a few connections, and a
    lightly loaded client keeps reusing the connections it has.

    Args:
        max_connections: open connections in all, at most (about: each pool gets its share,
            rounded up).
        pools: how many pools share them.
        verify: ``True`` (the system's CA certificates), ``False``, or an ``ssl.SSLContext``;
            one context serves every pool.
        proxy: an HTTP(S) proxy URL, or an ``httpx.Proxy``.

    Works on asyncio and trio, like the httpx pool it is made of.
    """

    def __init__(
        self,
        *,
        max_connections: int = 100,
        pools: int = 16,
        verify: ssl.SSLContext | bool = True,
        proxy: str | httpx.Proxy | None = None,
    ) -> None:
        if pools < 1 or max_connections < 1:
            raise ValueError("PooledTransport needs at least one pool and one connection")
        self._per_pool = -(-max_connections // pools)
        # Loading the CA certificates costs ~50 ms of CPU, so every pool shares one context.
        self._ssl_context = (
            verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)
        )
        self._proxy = proxy
        self._pools: list[httpx.AsyncHTTPTransport | None] = [None] * pools  # made when needed
        self._in_flight = [0] * pools
        # The most requests each pool has had in flight at once: about the connections it keeps
        # open (more, once idle ones expire; then a request there opens a new one, as it would).
        self._busiest = [0] * pools

    def __repr__(self) -> str:
        return f"PooledTransport(pools={len(self._pools)}, in_flight={sum(self._in_flight)})"

    def _pool(self, index: int) -> httpx.AsyncHTTPTransport:
        pool = self._pools[index]
        if pool is None:
            pool = self._pools[index] = httpx.AsyncHTTPTransport(
                verify=self._ssl_context,
                proxy=self._proxy,
                limits=httpx.Limits(
                    max_connections=self._per_pool, max_keepalive_connections=self._per_pool
                ),
                retries=0,  # the client decides what may be sent again
            )
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        in_flight = self._in_flight
        busiest = self._busiest
        for index, count in enumerate(in_flight):
            if count < busiest[index]:  # this pool has an idle connection: reuse it
                break
        else:  # every connection is busy: open one in the least busy pool
            index = in_flight.index(min(in_flight))
        pool = self._pool(index)
        count = in_flight[index] = in_flight[index] + 1
        if count > busiest[index]:
            busiest[index] = count
        try:
            response = await pool.handle_async_request(request)
        except BaseException:
            in_flight[index] -= 1
            raise
        response.stream = _Released(response.stream, in_flight, index)
        return response

    async def aclose(self) -> None:
        for pool in self._pools:
            if pool is not None:
                await pool.aclose()


class _Released(httpx.AsyncByteStream):
    """A response body that counts its request out of its pool when it is closed."""

    def __init__(self, stream: Any, in_flight: list[int], index: int) -> None:
        self._stream = stream
        self._in_flight: list[int] | None = in_flight
        self._index = index

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        in_flight, self._in_flight = self._in_flight, None
        try:
            await self._stream.aclose()
        finally:
            # Only now is the connection idle in its pool: a request sent there sooner would
            # find it busy and open another.
            if in_flight is not None:
                in_flight[self._index] -= 1


_NOT_SENT: tuple[tuple[type[Exception], type[errors.TransportError]], ...] = (
    (httpx.ConnectTimeout, errors.ConnectTimeoutError),
    (httpx.PoolTimeout, errors.PoolTimeoutError),
    (httpx.ConnectError, errors.ConnectError),
    (httpx.UnsupportedProtocol, errors.ConnectError),
    (httpx.ProxyError, errors.ConnectError),
    (httpx.ReadTimeout, errors.ReadTimeoutError),
    (httpx.WriteTimeout, errors.WriteTimeoutError),
    (httpx.TimeoutException, errors.RequestTimeoutError),
)


def map_transport_error(error: Exception, operation: str) -> errors.TransportError:
    """bill_async's exception for an httpx failure: the phase that timed out, a request that
    was never sent, or else a lost connection (an answer that did not arrive whole)."""
    for httpx_class, our_class in _NOT_SENT:
        if isinstance(error, httpx_class):
            return our_class(f"{operation}: {type(error).__name__}: {error}")
    return errors.ConnectionLostError(f"{operation}: {type(error).__name__}: {error}")


class _Body(httpx.AsyncByteStream, httpx.SyncByteStream):
    """A request body of one chunk. httpx's own is an async generator, which a cancelled send
    leaves suspended for the garbage collector to finalize (trio then warns); this is not."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        yield self._body

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _OneChunk(self._body)


class _OneChunk:
    def __init__(self, body: bytes) -> None:
        self._body: bytes | None = body

    def __aiter__(self) -> _OneChunk:
        return self

    async def __anext__(self) -> bytes:
        body, self._body = self._body, None
        if body is None:
            raise StopAsyncIteration
        return body


class Sender:
    """POSTs request bodies over one transport and returns ``(status, body)``."""

    def __init__(self, transport: httpx.AsyncBaseTransport, timeout: httpx.Timeout) -> None:
        self.transport = transport
        self._timeout = timeout
        self._extensions: dict[str, Any] = {"timeout": timeout.as_dict()}
        self._fast: FastPost | None = getattr(transport, "bill_async_post", None)
        self._urls: dict[str, tuple[httpx.URL, str]] = {}  # parsed once per operation

    async def post(
        self, url: str, body: bytes, content_type: str, operation: str
    ) -> tuple[int, bytes]:
        """Send one request; raises a ``TransportError`` subclass when no answer came."""
        try:
            if self._fast is not None:
                return await self._fast(url, body, content_type, self._timeout)
            target = self._urls.get(url)
            if target is None:
                parsed = httpx.URL(url)
                target = self._urls[url] = (parsed, parsed.netloc.decode("ascii"))
            request = httpx.Request(
                "POST",
                target[0],
                headers={
                    "Host": target[1],
                    "Content-Type": content_type,
                    "Content-Length": str(len(body)),
                    "Accept": "application/json",
                    "User-Agent": USER_AGENT,
                },
                stream=_Body(body),
                extensions=self._extensions,
            )
            response = await self.transport.handle_async_request(request)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
            return response.status_code, content
        except httpx.HTTPError as error:  # TransportError, and DecodingError for a bad body
            raise map_transport_error(error, operation) from error

    @asynccontextmanager
    async def stream_get(
        self, url: str, params: dict[str, str], operation: str
    ) -> AsyncIterator[tuple[int, AsyncIterator[bytes]]]:
        """GET ``url`` and yield ``(status, chunks)``; the response is closed on exit."""
        request = httpx.Request(
            "GET",
            url,
            params=params,
            headers={"User-Agent": USER_AGENT},
            extensions=self._extensions,
        )
        try:
            response = await self.transport.handle_async_request(request)
        except httpx.HTTPError as error:
            raise map_transport_error(error, operation) from error
        chunks = _MappedChunks(response, operation)
        try:
            yield response.status_code, chunks
        finally:
            await chunks.aclose()
            await response.aclose()

    async def aclose(self) -> None:
        await self.transport.aclose()


class _MappedChunks:
    """A response's chunks, with httpx's errors mapped; a class, so breaking early is clean."""

    def __init__(self, response: httpx.Response, operation: str) -> None:
        self._chunks = response.aiter_bytes()
        self._operation = operation

    def __aiter__(self) -> _MappedChunks:
        return self

    async def aclose(self) -> None:
        await self._chunks.aclose()  # type: ignore[attr-defined]  # an async generator

    async def __anext__(self) -> bytes:
        try:
            return await self._chunks.__anext__()
        except httpx.HTTPError as error:
            raise map_transport_error(error, self._operation) from error
