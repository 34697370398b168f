"""A fault-injecting TCP proxy for tests: between the client and a server, it loses requests on
their way (the server never sees them) and answers on theirs (the server ran the request, the
client never hears), at random but from a seed.

    with FaultProxy(("127.0.0.1", port), lose_request=0.02, lose_answer=0.02) as proxy:
        client = Client(..., base_url=f"http://127.0.0.1:{proxy.port}/api/v2")

It runs its own asyncio loop in a thread, so that it serves any event loop and other processes.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from typing import Any

__all__ = ["FaultProxy"]

_CHUNK = 65536


class FaultProxy:
    """Forwards each connection to ``target``; each chunk a client sends is lost (the
    connection cut before it is passed on) with ``lose_request``, each chunk of an answer with
    ``lose_answer``. ``faults`` counts what it did."""

    def __init__(
        self,
        target: tuple[str, int],
        *,
        lose_request: float = 0.0,
        lose_answer: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.target = target
        self.lose_request = lose_request
        self.lose_answer = lose_answer
        self.faults: Counter[str] = Counter()
        self.port = 0
        self._random = random.Random(seed)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            loop.call_soon_threadsafe(stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        cut = asyncio.Event()

        def abort() -> None:
            cut.set()
            writer.transport.abort()
            up_writer.transport.abort()

        await asyncio.gather(
            self._pipe(reader, up_writer, self.lose_request, "request lost", abort, cut),
            self._pipe(up_reader, writer, self.lose_answer, "answer lost", abort, cut),
        )

    async def _pipe(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        chance: float,
        fault: str,
        abort: Any,
        cut: asyncio.Event,
    ) -> None:
        try:
            while not cut.is_set():
                data = await source.read(_CHUNK)
                if not data:
                    break
                if self._random.random() < chance:
                    self.faults[fault] += 1
                    abort()
                    return
                sink.write(data)
                await sink.drain()
        except (OSError, RuntimeError):
            abort()
            return
        if not cut.is_set():
            sink.close()
