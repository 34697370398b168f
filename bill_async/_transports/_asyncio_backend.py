"""httpcore's sockets on asyncio's own streams, for the default transport's pools.

httpcore reaches the network through a backend; on asyncio its default is anyio's, which opens
a cancel scope for every read and write and checks an idle connection with a system call. That
came to about a third of the CPU of a call at 60 in flight (``benchmarks/``, scenario 3). This
backend uses ``asyncio.StreamReader``/``StreamWriter`` and ``asyncio.timeout``, and only when a
timeout can fire. On trio, the pools keep httpcore's own backend.

Errors are httpcore's, as its backends raise them: the pool and ``_pooled`` map them on.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
from anyio.lowlevel import checkpoint_if_cancelled as _checkpoint_if_cancelled

__all__ = ["AsyncioBackend"]

_POLL_WHEN_IDLE_FOR = 1.0  # seconds; servers close idle connections after seconds, not sooner
_READ_LIMIT = 1 << 20  # bytes a reader buffers before pausing the socket (asyncio's is 64 KiB)


class _Stream(httpcore.AsyncNetworkStream):
    """One connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._loop = asyncio.get_running_loop()
        self._last_read = self._loop.time()  # on the loop's clock, as its timeouts are

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            if timeout is None:
                data = await self._reader.read(max_bytes)
            else:
                async with asyncio.timeout(timeout):
                    data = await self._reader.read(max_bytes)
            self._last_read = self._loop.time()
            return data
        except TimeoutError as error:
            raise httpcore.ReadTimeout("timed out reading the answer") from error
        except OSError as error:
            raise httpcore.ReadError(str(error) or type(error).__name__) from error

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        writer = self._writer
        try:
            writer.write(buffer)
            # drain() waits only while the socket's buffer is over its high-water mark, and
            # raises if the connection was lost; a timer is set only when it may wait.
            if timeout is None or not writer.transport.get_write_buffer_size():
                await writer.drain()
            else:
                async with asyncio.timeout(timeout):
                    await writer.drain()
        except TimeoutError as error:
            raise httpcore.WriteTimeout("timed out sending the request") from error
        except (OSError, RuntimeError) as error:  # RuntimeError: writing to a closed transport
            raise httpcore.WriteError(str(error) or type(error).__name__) from error

    async def aclose(self) -> None:
        writer = self._writer
        if writer.get_extra_info("ssl_object") is not None:
            # close() would first wait (up to 30 s) for the server's TLS close_notify, holding
            # the socket open past the client's own close; an HTTP/1.1 answer with a length
            # needs no close_notify, so drop the connection now, as anyio does.
            writer.transport.abort()
        else:
            writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
            await _checkpoint_if_cancelled()
        except TimeoutError as error:
            self._writer.transport.abort()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from error
        except OSError as error:  # ssl.SSLError included
            self._writer.transport.abort()
            raise httpcore.ConnectError(str(error) or type(error).__name__) from error
        except BaseException:
            self._writer.transport.abort()
            raise
        return self

    def get_extra_info(self, info: str) -> Any:
        writer = self._writer
        if info == "ssl_object":
            return writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return writer.get_extra_info("sockname")
        if info == "server_addr":
            return writer.get_extra_info("peername")
        if info == "socket":
            return writer.get_extra_info("socket")
        if info == "is_readable":
            # Asked of idle connections: anything that arrived, or an end, means the server
            # closed the connection or broke it: it must not carry a request. asyncio reads
            # what arrives into the reader's buffer as soon as the loop gets to it; the socket
            # itself is asked too (a system call) once the connection has been idle a while,
            # in case the loop was kept busy when the server closed it.
            reader = self._reader
            return (
                bool(getattr(reader, "_buffer", None))  # asyncio's; no public way to ask
                or reader.at_eof()
                or reader.exception() is not None
                or writer.transport.is_closing()
                or (
                    self._loop.time() - self._last_read >= _POLL_WHEN_IDLE_FOR
                    and _socket_readable(writer.get_extra_info("socket"))
                )
            )
        return None


def _socket_readable(sock: socket.socket | None) -> bool:
    """Whether the socket has data or an end waiting (or is gone), without waiting."""
    if sock is None or sock.fileno() == -1:
        return True
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])  # Windows: no poll()


async def _open_connection(
    host: str, port: int, timeout: float | None, local_address: str | None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    async with asyncio.timeout(timeout):
        return await asyncio.open_connection(
            host,
            port,
            local_addr=(local_address, 0) if local_address else None,
            limit=_READ_LIMIT,
            # Race IPv6 and IPv4 as anyio does (RFC 8305), so that a host whose IPv6 route is
            # broken does not cost a whole connect timeout per connection.
            happy_eyeballs_delay=0.25,
        )


def _close_unclaimed(
    connecting: asyncio.Task[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
) -> None:
    """The connect's caller was cancelled: close what it made, or take its error."""
    if connecting.cancelled():
        return
    if connecting.exception() is None:
        connecting.result()[1].transport.abort()


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections with ``asyncio.open_connection``."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # The connect runs in a task of its own that a cancellation does not reach: asyncio's
        # happy eyeballs drops the socket of an attempt that connected just as the caller was
        # cancelled (CPython's staggered_race), so the socket is closed here instead.
        connecting = asyncio.get_running_loop().create_task(
            _open_connection(host, port, timeout, local_address)
        )
        try:
            reader, writer = await asyncio.shield(connecting)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"timed out connecting to {host}:{port}") from error
        except OSError as error:
            raise httpcore.ConnectError(str(error) or type(error).__name__) from error
        except BaseException:
            connecting.add_done_callback(_close_unclaimed)
            raise
        try:
            sock: socket.socket | None = writer.get_extra_info("socket")
            if sock is not None:
                for option in socket_options or ():
                    sock.setsockopt(*option)
            # A cancellation now would reach httpcore only after it has taken the connection
            # and before it marks it in use, leaving it unusable in its pool for good
            # (encode/httpcore#1093): take it here, where the connection is dropped.
            await _checkpoint_if_cancelled()
        except BaseException:
            writer.transport.abort()
            raise
        return _Stream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
