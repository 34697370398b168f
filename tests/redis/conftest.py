"""A real redis-server for the Redis store tests: our own on a free loopback port, or the one
named by ``BILL_ASYNC_REDIS_URL`` (how CI passes its server). Keys under ``PREFIX`` are removed
before and after each test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

from tests.loopback import free_port

PREFIX = "bill_async_test"


def _pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def own_redis_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of our own on a free loopback port: its URL and its process."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _pings(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """The URL of a running Redis for this test session."""
    url = os.environ.get("BILL_ASYNC_REDIS_URL")
    if url:
        yield url
        return
    with own_redis_server() as (url, _):
        yield url


def flush(url: str) -> None:
    with redis.Redis.from_url(url) as client:
        keys = list(client.scan_iter(match=f"{PREFIX}:*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """The Redis URL, with this test's keys (under ``PREFIX``) cleared before and after."""
    flush(redis_server)
    yield redis_server
    flush(redis_server)


@pytest.fixture
def anyio_backend() -> str:
    """redis-py's asyncio client runs on asyncio only (tests/conftest.py also runs trio); the
    one test that checks the trio error parametrizes this fixture itself."""
    return "asyncio"
