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


class RedisServer:
    """A redis-server of our own on a loopback port, which a test can stop and start again on
    the same port (a restart: nothing is saved, so its data is lost, as in a restart of a
    Redis without persistence)."""

    def __init__(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.skip("redis-server is not installed")
        self.executable = executable
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
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
        deadline = time.monotonic() + 10
        while not _pings(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def restartable_redis() -> Iterator[RedisServer]:
    """A running ``RedisServer``, stopped at the end."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def own_redis_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of our own on a free loopback port: its URL and its process."""
    with restartable_redis() as server:
        assert server.process is not None
        yield server.url, server.process


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
