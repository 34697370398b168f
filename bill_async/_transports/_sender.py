"""Sending a ``WireRequest`` over any transport, and httpx's failures as bill_async's.

The client skips ``httpx.AsyncClient``, whose per-request machinery (cookies, redirects, auth
flows, event hooks) BILL does not need and which cost more than the rest of a call (see
``benchmarks/``): it calls the transport's ``FastPath`` when it has one, or else its
``handle_async_request`` with a request built here.

httpx's exceptions become bill_async's here, and nowhere else.

A request must be answered whole within the sum of its phases' timeouts (pool, connect,
write, read) and within the ``deadline`` it is given: httpx's timeouts bound each wait, so a
server that trickles its answer a byte at a time would otherwise never time out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import sniffio

from .. import _exceptions as errors
from ._base import USER_AGENT, FastPath, OneChunk, WireAnswer, WireRequest
from ._pooled import PooledTransport

__all__ = ["Sender", "default_transport", "map_transport_error", "whole_answer_limit"]

_USER_AGENT = (b"User-Agent", USER_AGENT.encode("ascii"))


def default_transport() -> PooledTransport:
    """The connections a client owns when it is given no transport."""
    return PooledTransport()


# httpx's failures and bill_async's, in the order they are tried: the first three mean the
# request was never sent.
_HTTPX_TO_OURS: tuple[tuple[type[Exception], type[errors.TransportError]], ...] = (
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
    for httpx_class, our_class in _HTTPX_TO_OURS:
        if isinstance(error, httpx_class):
            return our_class(f"{operation}: {type(error).__name__}: {said}")
    return errors.ConnectionLostError(f"{operation}: {type(error).__name__}: {said}")


_UNSAID: dict[type[Exception], str] = {
    httpx.ConnectTimeout: "no connection within the connect timeout",
    httpx.PoolTimeout: "no free connection within the pool timeout",
    httpx.ReadTimeout: "no answer within the read timeout",
    httpx.WriteTimeout: "the request was not written within the write timeout",
}


def whole_answer_limit(timeout: httpx.Timeout, deadline: float | None = None) -> float | None:
    """Seconds one request may take from start to its answer's last byte: the sum of its
    phases' timeouts, and at most ``deadline``; None when neither bounds it."""
    phases = (timeout.pool, timeout.connect, timeout.write, timeout.read)
    limit = None if None in phases else sum(p for p in phases if p is not None)
    if deadline is not None and (limit is None or deadline < limit):
        return deadline
    return limit


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
    """Sends requests over one transport and returns whole answers (or streams them)."""

    def __init__(self, transport: httpx.AsyncBaseTransport, timeout: httpx.Timeout) -> None:
        self.transport = transport
        self.timeout = timeout
        self._extensions: dict[str, Any] = {"timeout": timeout.as_dict()}
        self._fast = transport if isinstance(transport, FastPath) else None
        self._urls: dict[str, tuple[httpx.URL, bytes]] = {}  # parsed once per operation

    async def send(
        self,
        request: WireRequest,
        operation: str,
        timeout: httpx.Timeout | None = None,  # noqa: ASYNC109  # httpx's phases, per request
        deadline: float | None = None,
    ) -> WireAnswer:
        """Send one request (with ``timeout``, or the sender's) and read its whole answer
        within ``whole_answer_limit``; raises a ``TransportError`` subclass when no answer
        came, ``RequestTimeoutError`` when it did not come whole in time."""
        timeout = timeout or self.timeout
        limit = whole_answer_limit(timeout, deadline)
        if limit is None:
            return await self._send(request, operation, timeout)
        # About 5 us a request on asyncio with asyncio's own timeout (anyio's scope costs 8).
        if sniffio.current_async_library() == "asyncio":
            try:
                async with asyncio.timeout(limit) as scope:
                    return await self._send(request, operation, timeout)
            except TimeoutError:
                if not scope.expired():
                    raise  # a timeout of one phase, already mapped
        else:
            with anyio.move_on_after(limit):
                return await self._send(request, operation, timeout)
        # The request may have been sent (and run): for a write, the pipeline says so.
        raise errors.RequestTimeoutError(
            f"{operation}: the answer did not come whole within {limit:.1f} s"
        )

    async def _send(
        self,
        request: WireRequest,
        operation: str,
        timeout: httpx.Timeout,  # noqa: ASYNC109  # httpx's phases, applied by the transport
    ) -> WireAnswer:
        try:
            if self._fast is not None:
                return await self._fast.bill_async_send(
                    request.method, request.url, request.headers, request.body, timeout
                )
            httpx_request = self._httpx_request(request, timeout)
            response = await self.transport.handle_async_request(httpx_request)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
            return WireAnswer(response.status_code, response.headers.raw, content)
        except httpx.HTTPError as error:  # TransportError, and DecodingError for a bad body
            raise map_transport_error(error, operation) from error

    def _httpx_request(
        self, request: WireRequest, timeout: httpx.Timeout | None = None
    ) -> httpx.Request:
        target = self._urls.get(request.url)
        if target is None:
            parsed = httpx.URL(request.url)
            target = self._urls[request.url] = (parsed, parsed.netloc)
        headers = [(b"Host", target[1]), (b"Accept", b"application/json"), _USER_AGENT]
        headers.extend(request.headers)
        if request.body or request.method != "GET":
            headers.append((b"Content-Length", str(len(request.body)).encode("ascii")))
        return httpx.Request(
            request.method,
            target[0],
            headers=headers,
            stream=_Body(request.body),
            extensions=self._extensions
            if timeout is None or timeout is self.timeout
            else {"timeout": timeout.as_dict()},
        )

    @asynccontextmanager
    async def stream(
        self, request: WireRequest, operation: str
    ) -> AsyncIterator[tuple[int, AsyncIterator[bytes]]]:
        """Send ``request`` and yield ``(status, chunks)``; the response is closed on exit."""
        try:
            response = await self.transport.handle_async_request(self._httpx_request(request))
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
