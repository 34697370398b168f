"""A minimal, fast HTTP/1.1 server answering canned BILL envelopes (scenario 2's other process).

It is an ``asyncio.Protocol`` and nothing more: it reads a request line, headers and a
``Content-Length`` body, and answers with keep-alive. ``Login.json`` gets a session, every other
path the real 99-field Vendor envelope. It is deliberately not uvicorn: the server must be much
cheaper per request than any client measured against it, or every ratio would measure the server.

Run: ``python -m benchmarks.server [--port N]``; it prints ``READY <port>`` when listening and
serves until its standard input closes (so it never outlives the benchmark that started it).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from benchmarks._payloads import LOGIN_ENVELOPE, VENDOR_ENVELOPE

__all__ = ["main", "response_for"]


def _response(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json;charset=UTF-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


_LOGIN = _response(LOGIN_ENVELOPE)
_VENDOR = _response(VENDOR_ENVELOPE)


def response_for(target: bytes) -> bytes:
    """The canned answer for a request target (``/api/v2/Login.json``)."""
    return _LOGIN if target.endswith(b"/Login.json") else _VENDOR


class _Http(asyncio.Protocol):
    __slots__ = ("_buffer", "_transport")

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data if self._buffer else data
        out: list[bytes] = []
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            length = 0
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = lower.find(b"\r\n", at + 2)
                length = int(lower[at + 17 : stop if stop >= 0 else len(lower)])
            total = end + 4 + length
            if len(buffer) < total:
                break
            target = head[: head.find(b"\r\n")].split(b" ", 2)[1]
            out.append(response_for(target))
            buffer = buffer[total:]
        self._buffer = buffer
        if out and self._transport is not None:
            self._transport.write(b"".join(out) if len(out) > 1 else out[0])


async def _serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Http, "127.0.0.1", port, backlog=1024, reuse_address=True)
    bound = server.sockets[0].getsockname()[1]
    print(f"READY {bound}", flush=True)
    # Serve until the parent closes our stdin.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.port))


if __name__ == "__main__":
    main()
