"""A webhook subscriber on loopback for tests of the emulator's deliveries: a real uvicorn in a
thread (``tests/loopback.py``) that records every delivery, then answers it with a fixed status
or hands it to an app (a FastAPI app with ``webhook_router``, say) that a test sets.

One server serves a whole run; each test ``reset()``s the inbox (its app, its status, what it
recorded).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import attrs

from tests.loopback import read_body, serve

WAIT = 5.0  # seconds a test waits for deliveries at most


@attrs.frozen
class Delivered:
    """One delivery as it arrived: its headers (lower-case names) and raw body."""

    headers: dict[str, str]
    body: bytes
    status: int  # what the inbox answered

    @property
    def signature(self) -> str | None:
        return self.headers.get("x-bill-sha-signature")

    @property
    def event(self) -> dict[str, Any]:
        payload = json.loads(self.body)
        return json.loads(payload) if isinstance(payload, str) else payload  # type: ignore[no-any-return]

    @property
    def event_id(self) -> str:
        return str(self.event["metadata"]["eventId"])

    @property
    def event_type(self) -> str:
        return str(self.event["metadata"]["eventType"])


class Inbox:
    """An ASGI app recording the deliveries POSTed to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.url = ""
        self.app: Any = None
        self.status = 200
        self._times: int | None = None
        self.delivered: list[Delivered] = []

    def reset(self, app: Any = None, status: int = 200, *, times: int | None = None) -> None:
        """Answer later deliveries with ``app`` (if given) or ``status`` (the next ``times``
        ones, then 200); forget the old ones."""
        with self._lock:
            self.app, self.status, self.delivered = app, status, []
            self._times = times

    def _status(self) -> int:
        with self._lock:
            if self._times is None:
                return self.status
            if self._times <= 0:
                return 200
            self._times -= 1
            return self.status

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}

        def record(status: int) -> None:
            # Before the answer leaves: the sender must not see an answer the inbox has not.
            with self._lock:
                self.delivered.append(Delivered(headers, body, status))

        if self.app is not None:
            await _run_app(self.app, scope, body, send, record)
            return
        status = self._status()
        record(status)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def seen(self) -> list[Delivered]:
        with self._lock:
            return list(self.delivered)

    def wait_for(self, done: Callable[[list[Delivered]], bool]) -> list[Delivered]:
        """What was delivered once ``done`` says so (from sync tests); fails after ``WAIT``."""
        deadline = time.monotonic() + WAIT
        while not done(self.seen()):
            assert time.monotonic() < deadline, f"deliveries so far: {self.seen()}"
            time.sleep(0.01)
        return self.seen()

    async def arrival(self, done: Callable[[list[Delivered]], bool]) -> list[Delivered]:
        """``wait_for`` from async tests."""
        with anyio.fail_after(WAIT):
            # The deliveries arrive on the server's thread, which cannot set this loop's Event.
            while not done(self.seen()):  # noqa: ASYNC110
                await anyio.sleep(0.01)
        return self.seen()


async def _run_app(
    app: Any, scope: Any, body: bytes, send: Any, answering: Callable[[int], None]
) -> None:
    """Hand a request whose body was read to ``app``; ``answering(status)`` as it answers."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def watch(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answering(message["status"])
        await send(message)

    await app(scope, replay, watch)


@contextmanager
def serving_inbox() -> Iterator[Inbox]:
    """An inbox served on a free loopback port (``inbox.url`` is its address)."""
    inbox = Inbox()
    with serve(inbox) as base:
        inbox.url = base + "/bill/webhooks"
        yield inbox


def count(n: int) -> Callable[[list[Delivered]], bool]:
    """``wait_for(count(3))``: at least ``n`` deliveries."""
    return lambda delivered: len(delivered) >= n
