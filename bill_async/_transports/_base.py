"""The narrow seam between the client and whatever carries its bytes.

The client needs one thing from a transport: POST these bytes to this URL and give back the
status and body. ``Sender`` does that over any ``httpx.AsyncBaseTransport`` (the default httpx
pool, respx, ``httpx.MockTransport``, ASGI apps) by calling the transport directly: the client
skips ``httpx.AsyncClient``, whose per-request machinery (cookies, redirects, auth flows, event
hooks) BILL does not need and which cost more than the rest of a call (see ``benchmarks/``).

A transport may offer a faster path by defining ``async def bill_async_post(url, body,
content_type, timeout) -> tuple[int, bytes]``; the client then uses it and no httpx objects are
built at all (the default ``PooledTransport`` and ``bill_async.AiohttpTransport`` do).

httpx's exceptions become bill_async's here, and nowhere else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from .. import _exceptions as errors
from ._pooled import USER_AGENT, OneChunk, PooledTransport

__all__ = [
    "DEFAULT_TIMEOUT",
    "FastPost",
    "Sender",
    "default_transport",
    "map_transport_error",
]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0, pool=30.0)

FastPost = Callable[[str, bytes, str, httpx.Timeout], Awaitable[tuple[int, bytes]]]


def default_transport() -> PooledTransport:
    """The connections a client owns when it is given no transport."""
    return PooledTransport()


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
    # Some failures come without words (httpcore's timeouts on trio): say what happened.
    said = str(error) or _UNSAID.get(type(error), "no details")
    for httpx_class, our_class in _NOT_SENT:
        if isinstance(error, httpx_class):
            return our_class(f"{operation}: {type(error).__name__}: {said}")
    return errors.ConnectionLostError(f"{operation}: {type(error).__name__}: {said}")


_UNSAID: dict[type[Exception], str] = {
    httpx.ConnectTimeout: "no connection within the connect timeout",
    httpx.PoolTimeout: "no free connection within the pool timeout",
    httpx.ReadTimeout: "no answer within the read timeout",
    httpx.WriteTimeout: "the request was not written within the write timeout",
}


class _Body(httpx.AsyncByteStream, httpx.SyncByteStream):
    """A request body of one chunk. httpx's own is an async generator, which a cancelled send
    leaves suspended for the garbage collector to finalize (trio then warns); this is not."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        yield self._body

    def __aiter__(self) -> AsyncIterator[bytes]:
        return OneChunk(self._body)


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
