"""A real HTTP server on 127.0.0.1 for tests that need real connections (uvicorn in a thread)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from bill_async._transports._base import FastPath


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: Any, *, lifespan: str = "off", **options: Any) -> Iterator[str]:
    """Serve the ASGI ``app`` on a free loopback port; yields ``http://127.0.0.1:PORT`` (https
    when ``options`` give ``ssl_certfile``). ``options`` go to ``uvicorn.Config``."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="error",
        lifespan=lifespan,
        access_log=False,
        **options,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        scheme = "https" if options.get("ssl_certfile") else "http"
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def read_body(receive: Any) -> bytes:
    """An ASGI request's whole body."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def post(
    transport: FastPath,
    url: str,
    body: bytes,
    content_type: str,
    timeout: httpx.Timeout,  # noqa: ASYNC109  # httpx's phases, as the fast path takes them
) -> tuple[int, bytes]:
    """POST through a transport's fast path (``bill_async_send``): the status and the body."""
    headers = ((b"Content-Type", content_type.encode("ascii")),)
    answer = await transport.bill_async_send("POST", url, headers, body, timeout)
    return answer.status, answer.body
