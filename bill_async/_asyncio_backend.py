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
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

__all__ = ["AsyncioBackend"]

_READ_LIMIT = 1 << 20  # bytes a reader buffers before pausing the socket (asyncio's is 64 KiB)


class _Stream(httpcore.AsyncNetworkStream):
    """One connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            if timeout is None:
                return await self._reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
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
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as error:
            self._writer.close()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from error
        except OSError as error:  # ssl.SSLError included
            self._writer.close()
            raise httpcore.ConnectError(str(error) or type(error).__name__) from error
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
            # Asked of idle connections: asyncio has already read whatever arrived, so the
            # connection is done if the server closed it or it broke.
            return (
                self._reader.at_eof()
                or self._reader.exception() is not None
                or writer.transport.is_closing()
            )
        return None


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
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    local_addr=(local_address, 0) if local_address else None,
                    limit=_READ_LIMIT,
                    # Race IPv6 and IPv4 as anyio does (RFC 8305), so that a host whose IPv6
                    # route is broken does not cost a whole connect timeout per connection.
                    happy_eyeballs_delay=0.25,
                )
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"timed out connecting to {host}:{port}") from error
        except OSError as error:
            raise httpcore.ConnectError(str(error) or type(error).__name__) from error
        sock: socket.socket | None = writer.get_extra_info("socket")
        if sock is not None:
            for option in socket_options or ():
                sock.setsockopt(*option)
        return _Stream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
