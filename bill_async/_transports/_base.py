"""The seam between the client and whatever carries its bytes, and what every transport shares.

The client sends ``WireRequest``\\ s and gets back ``WireAnswer``\\ s. Any
``httpx.AsyncBaseTransport`` carries them (respx, ``httpx.MockTransport``, ASGI apps): the
``Sender`` (``_sender``) builds the httpx request itself. A transport may also offer the
``FastPath`` protocol, a method that takes the request's parts and gives back the answer's,
with no httpx objects built at all; ``PooledTransport`` and ``AiohttpTransport`` do, and the
client then uses it (their Request and Response objects cost more than the rest of a call: see
``benchmarks/``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol, runtime_checkable

import httpx

from .._version import __version__

__all__ = [
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "FastPath",
    "Headers",
    "OneChunk",
    "RequestHeaders",
    "WireAnswer",
    "WireRequest",
]

USER_AGENT = f"bill-async/{__version__}"

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0, pool=30.0)

# Header names and values as bytes, as they go on the wire. A request's are a tuple, so that a
# transport can keep what it makes of them (a dialect makes its constant ones once, not per call).
RequestHeaders = tuple[tuple[bytes, bytes], ...]
Headers = Sequence[tuple[bytes, bytes]]


class WireRequest(NamedTuple):
    """One HTTP request as a dialect makes it. ``headers`` come in addition to Host,
    Content-Length, Accept and User-Agent, which the transport sets; they may hold secrets (v3's
    session header), so a request is never logged or shown."""

    method: str
    url: str
    headers: RequestHeaders
    body: bytes


class WireAnswer(NamedTuple):
    """One HTTP answer, read whole."""

    status: int
    headers: Headers
    body: bytes


@runtime_checkable
class FastPath(Protocol):
    """What a transport defines to carry the client's requests without httpx's objects.

    ``timeout`` is httpx's, a timeout per phase (connect, write, read, pool). Failures are
    raised as httpx's exceptions, as ``handle_async_request`` raises them, so that the client
    tells a request that was never sent from one whose answer was lost.
    """

    async def bill_async_send(
        self,
        method: str,
        url: str,
        headers: RequestHeaders,
        body: bytes,
        timeout: httpx.Timeout,  # noqa: ASYNC109  # httpx's phases, applied by the transport
    ) -> WireAnswer: ...


class OneChunk:
    """A request body of one chunk. httpcore's own for bytes is an async generator, which a
    write that times out or is cancelled leaves suspended for the garbage collector (trio then
    warns); this is not."""

    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body: bytes | None = body

    def __aiter__(self) -> OneChunk:
        return self

    async def __anext__(self) -> bytes:
        body, self._body = self._body, None
        if body is None:
            raise StopAsyncIteration
        return body
