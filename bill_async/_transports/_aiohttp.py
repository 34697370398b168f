"""``AiohttpTransport``: an aiohttp transport for asyncio batch jobs (``bill-async[aiohttp]``).

It is an ``httpx.AsyncBaseTransport``, so it works wherever httpx transports do, and it also
offers the client's fast path, ``bill_async_send`` (``_base.FastPath``), which goes from bytes
to bytes with no httpx object built at all (see ``_sender.Sender``).

Both paths raise httpx's exception types, so that ``Sender`` maps them to bill_async's in one
place. The mapping keeps what matters for retries exact: only failures after which the request
provably did not run become ``httpx.ConnectError``, ``httpx.ConnectTimeout``,
``httpx.PoolTimeout`` (or ``httpx.UnsupportedProtocol`` and ``httpx.ProxyError``); anything
after which the request may have reached BILL is a ``httpx.ReadTimeout``,
``httpx.WriteTimeout``, ``httpx.RemoteProtocolError`` or ``httpx.ReadError``.

Timeouts, by httpx's phases:

- pool: waiting for one of ``max_connections``. The transport counts its connections itself,
  so that waiting for a free one is told apart from a slow connect.
- connect: aiohttp's ``connect`` and ``sock_connect`` (DNS, TCP and TLS of a new connection).
- read: aiohttp's ``sock_read``, the longest silence while the answer is awaited or read.
- write: aiohttp has none. A body of up to ``WATCHED_BODY`` bytes never waits to be written (it
  fits under the transport's 64 KiB high-water mark), so a peer that does not read it ends in
  a read timeout. A larger body (an upload, a big bulk call) is sent under a watchdog: no
  answer within ``connect + write + read`` seconds, and no read timeout first, means the body
  was still going out, which ends in ``httpx.WriteTimeout``.

aiohttp runs on asyncio only. The ``aiohttp.ClientSession`` is created lazily, inside the
running event loop, at the first request; ``aclose()`` closes it. On trio (or outside any event
loop) using the transport raises ``ClientStateError`` at once, as does using it from an event
loop other than the one it opened on. ``import bill_async`` never imports aiohttp.
"""

from __future__ import annotations

import asyncio
import io
import ssl as _ssl
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx
import sniffio

from .._exceptions import ClientStateError
from ._base import USER_AGENT, RequestHeaders, WireAnswer

if TYPE_CHECKING:
    import aiohttp
    import yarl

__all__ = ["AiohttpTransport"]


# Bodies larger than this are sent under the write watchdog (see the module docstring).
WATCHED_BODY = 32 * 1024
# aiohttp warns about bytes bodies over 1 MiB (they are written in one go): larger ones are
# handed over as a file, which it writes in chunks.
_LARGE_BODY = 1024 * 1024

_ASYNCIO_ONLY = (
    "AiohttpTransport runs on asyncio only (aiohttp is built on asyncio); on trio, use the "
    "default transport (pass no transport= to Client)"
)

# Request headers httpx sets that aiohttp computes itself from the body it sends.
_RECOMPUTED = frozenset({b"content-length", b"transfer-encoding", b"connection"})
# The encodings aiohttp decodes, and the response headers that no longer describe a body it
# has decoded.
_AIOHTTP_DECODES = frozenset({"gzip", "deflate", "br", "zstd"})
_DECODED = frozenset({b"content-encoding", b"content-length"})

_Settings = tuple["aiohttp.ClientTimeout", float | None]


def _import_aiohttp() -> Any:
    try:
        import aiohttp
    except ImportError:  # pragma: no cover - depends on what is installed
        raise ImportError(
            "AiohttpTransport needs aiohttp: pip install 'bill-async[aiohttp]'"
        ) from None
    return aiohttp


class _Slots:
    """A count of free connections with a FIFO of waiters. Not ``asyncio.Semaphore``, whose
    ``locked()`` builds a generator on every call: this is taken twice per request."""

    def __init__(self, size: int) -> None:
        self.free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self, pool: float | None) -> None:
        """Take a free slot, or wait for one; ``httpx.PoolTimeout`` after ``pool``."""
        if self.free > 0:
            self.free -= 1  # no suspension: a free slot costs no trip through the loop
        else:
            await self._wait(pool)

    async def _wait(self, pool: float | None) -> None:
        """Wait for a slot that ``release`` hands over; ``httpx.PoolTimeout`` after ``pool``."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(pool):
                await waiter
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot while leaving: pass it on
            else:
                waiter.cancel()  # release() skips it
            if isinstance(error, TimeoutError):
                raise httpx.PoolTimeout("no connection became free in time") from None
            raise

    def release(self) -> None:
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An aiohttp connection pool as an httpx transport, with bill_async's fast path.

    ``Client(auth, transport=AiohttpTransport())`` gives asyncio batch jobs several times the
    requests per second of the default transport on the same CPU (see the README's Performance
    section). It works on asyncio only; on trio it raises ``ClientStateError``.

    Args:
        max_connections: connections open at once, to all hosts together. The default, 100,
            serves a batch job over 33 organizations at BILL's 3 requests in flight each.
        keepalive_expiry: seconds an idle connection is kept for reuse.
        ssl: ``True`` (verify with the default CA bundle), an ``ssl.SSLContext``, or ``False``
            (no verification: for tests only).
        trust_env: take proxies from the environment (``HTTPS_PROXY``, ``NO_PROXY``).
    """

    def __init__(
        self,
        *,
        max_connections: int = 100,
        keepalive_expiry: float = 15.0,
        ssl: _ssl.SSLContext | bool = True,
        trust_env: bool = False,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        try:
            library: str | None = sniffio.current_async_library()
        except sniffio.AsyncLibraryNotFoundError:
            library = None
        if library not in (None, "asyncio"):
            raise ClientStateError(_ASYNCIO_ONLY)
        _import_aiohttp()
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._ssl = ssl
        self._trust_env = trust_env
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = _Slots(max_connections)
        self._closed = False
        self._urls: dict[str, yarl.URL] = {}
        self._headers: dict[RequestHeaders, dict[str, str]] = {}
        self._timeout: httpx.Timeout | None = None  # the last timeout seen, and its settings
        self._settings: _Settings | None = None
        self._settings_by_phases: dict[tuple[float | None, ...], _Settings] = {}

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._session is not None else "idle"
        return f"<bill_async.AiohttpTransport {state} max_connections={self._max_connections}>"

    # -- the pool ----------------------------------------------------------------------------

    def _session_here(self) -> aiohttp.ClientSession:
        """The session, on the running loop: created at the first request."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise ClientStateError(_ASYNCIO_ONLY) from None
        session = self._session
        if session is not None and loop is self._loop:
            return session
        if self._closed:
            raise ClientStateError("the AiohttpTransport is closed")
        if session is not None:
            raise ClientStateError(
                "this AiohttpTransport was opened on another event loop; use one per event loop"
            )
        lib = _import_aiohttp()
        connector = lib.TCPConnector(
            limit=self._max_connections,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry,
            ssl=self._ssl,
        )
        new: aiohttp.ClientSession = lib.ClientSession(
            connector=connector,
            cookie_jar=lib.DummyCookieJar(),  # BILL v2 carries its session in the body
            trust_env=self._trust_env,
            timeout=lib.ClientTimeout(total=None),
        )
        self._session, self._loop = new, loop
        return new

    async def aclose(self) -> None:
        """Close the connections. Idempotent; the transport cannot be used again."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    # -- timeouts ----------------------------------------------------------------------------

    def _settings_for(self, timeout: httpx.Timeout) -> _Settings:
        """aiohttp's timeouts for httpx's, and the write watchdog's deadline (or None)."""
        if timeout is self._timeout and self._settings is not None:
            return self._settings
        phases = (timeout.connect, timeout.read, timeout.write)
        settings = self._settings_by_phases.get(phases)
        if settings is None:
            client_timeout = _import_aiohttp().ClientTimeout(
                total=None,
                connect=timeout.connect,
                sock_connect=timeout.connect,
                sock_read=timeout.read,
            )
            watchdog = None if None in phases else sum(p for p in phases if p is not None)
            settings = self._settings_by_phases[phases] = (client_timeout, watchdog)
        self._timeout, self._settings = timeout, settings
        return settings

    # -- the fast path -----------------------------------------------------------------------

    # The seam's signature: httpx's timeouts for each phase, not one deadline.
    async def bill_async_send(
        self,
        method: str,
        url: str,
        headers: RequestHeaders,
        body: bytes,
        timeout: httpx.Timeout,  # noqa: ASYNC109
    ) -> WireAnswer:
        """Send and return the whole answer: bill_async's path, no httpx objects."""
        session = self._session_here()
        target = self._urls.get(url)
        if target is None:
            target = self._url(url)
        text_headers = self._headers.get(headers)
        if text_headers is None:
            text_headers = self._text_headers(headers)
        client_timeout, watchdog = self._settings_for(timeout)
        slots = self._slots
        await slots.acquire(timeout.pool)
        try:
            if watchdog is None or len(body) <= WATCHED_BODY:
                response = await session.request(
                    method,
                    target,
                    data=body,
                    headers=text_headers,
                    timeout=client_timeout,
                    allow_redirects=False,
                )
            else:
                async with asyncio.timeout(watchdog):
                    response = await session.request(
                        method,
                        target,
                        data=io.BytesIO(body) if len(body) > _LARGE_BODY else body,
                        headers=text_headers,
                        timeout=client_timeout,
                        allow_redirects=False,
                    )
            try:
                content = await response.read()
            finally:
                response.release()
        except Exception as error:
            mapped = _to_httpx(error)
            if mapped is error:
                raise
            raise mapped from error
        finally:
            slots.release()
        return WireAnswer(response.status, response.raw_headers, content)

    def _text_headers(self, headers: RequestHeaders) -> dict[str, str]:
        """aiohttp's headers for the client's: made once per set (v2 sends one set; v3 one per
        session), and bounded all the same."""
        text = {name.decode("latin-1"): value.decode("latin-1") for name, value in headers}
        text["Accept"] = "application/json"
        text["User-Agent"] = USER_AGENT
        if len(self._headers) < 1024:
            self._headers[headers] = text
        return text

    def _url(self, url: str) -> yarl.URL:
        import yarl

        try:
            parsed = yarl.URL(url)
        except ValueError as error:
            raise httpx.UnsupportedProtocol(f"not a URL: {url!r}") from error
        if len(self._urls) < 1024:  # one per operation; bounded all the same
            self._urls[url] = parsed
        return parsed

    # -- the httpx path ----------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send an ``httpx.Request``. The answer's body streams; closing it frees the slot."""
        session = self._session_here()
        phases = request.extensions.get("timeout") or {}
        timeout = httpx.Timeout(
            connect=phases.get("connect"),
            read=phases.get("read"),
            write=phases.get("write"),
            pool=phases.get("pool"),
        )
        client_timeout, watchdog = self._settings_for(timeout)
        body = await request.aread()
        if len(body) <= WATCHED_BODY:
            watchdog = None
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in request.headers.raw
            if name.lower() not in _RECOMPUTED
        ]
        slots = self._slots
        await slots.acquire(timeout.pool)
        try:
            async with asyncio.timeout(watchdog):
                response = await session.request(
                    request.method,
                    self._url(str(request.url)),
                    data=(io.BytesIO(body) if len(body) > _LARGE_BODY else body) or None,
                    headers=headers,
                    # Exactly the httpx request's headers: none of aiohttp's own.
                    skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent"),
                    timeout=client_timeout,
                    allow_redirects=False,
                )
        except BaseException as error:
            slots.release()
            mapped = _to_httpx(error) if isinstance(error, Exception) else error
            if mapped is error:
                raise
            raise mapped from error
        response_headers: list[tuple[bytes, bytes]] = list(response.raw_headers)
        if response.headers.get("Content-Encoding", "").lower() in _AIOHTTP_DECODES:
            # aiohttp decodes the body: the headers must not say that it is still encoded.
            response_headers = [h for h in response_headers if h[0].lower() not in _DECODED]
        return httpx.Response(
            response.status,
            headers=response_headers,
            stream=_ResponseStream(response, slots),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )


class _ResponseStream(httpx.AsyncByteStream):
    """An aiohttp response's body as an httpx stream (a class: breaking off early is clean)."""

    def __init__(self, response: aiohttp.ClientResponse, slots: _Slots) -> None:
        self._response = response
        self._slots: _Slots | None = slots

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = await self._response.content.readany()
        except Exception as error:
            mapped = _to_httpx(error)
            if mapped is error:
                raise
            raise mapped from error
        if not chunk:
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        self._response.release()
        slots, self._slots = self._slots, None
        if slots is not None:
            slots.release()


# aiohttp's message when writing a request fails because the connection is gone (client_reqrep).
_UNSENT = "Can not write request body"


def _to_httpx(error: Exception) -> Exception:
    """httpx's exception for an aiohttp failure (any other error is returned as it is).

    The order matters: aiohttp's connect errors are also ``ClientOSError``s, and its timeouts
    are also ``TimeoutError``s.
    """
    if isinstance(error, httpx.TransportError | ClientStateError):
        return error
    import aiohttp

    text = f"{type(error).__name__}: {error}"
    if isinstance(error, aiohttp.ConnectionTimeoutError):  # connect or sock_connect
        return httpx.ConnectTimeout(text)
    if isinstance(error, aiohttp.ServerTimeoutError):  # SocketTimeoutError: sock_read
        return httpx.ReadTimeout(text)
    if isinstance(error, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
        return httpx.ProxyError(text)
    if isinstance(error, aiohttp.ClientConnectorError):  # refused, DNS, TLS: nothing was sent
        return httpx.ConnectError(text)
    if isinstance(error, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol(text)
    if isinstance(
        error,
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        return httpx.RemoteProtocolError(text)
    if isinstance(error, aiohttp.ClientOSError) and _UNSENT in str(error):
        # A pooled connection the server had closed: the request did not get out whole, so
        # BILL cannot have run it (it reads a form only once all of it has come).
        return httpx.ConnectError(f"the connection closed before the request was sent ({text})")
    if isinstance(error, aiohttp.ClientError):  # ClientOSError (a reset) and the rest
        return httpx.ReadError(text)
    if isinstance(error, TimeoutError):  # the write watchdog: no answer, the body still going
        return httpx.WriteTimeout(f"the request body was not sent in time ({text})")
    return error
