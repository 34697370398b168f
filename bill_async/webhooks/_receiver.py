"""Receiving BILL's webhook deliveries: verify, store, answer, then apply.

``receive()`` verifies the signature on the raw body, parses the event, and stores it durably
(dropping a duplicate ``eventId``) before the caller answers BILL 2xx: nothing accepted is lost,
a crash after the answer included. ``process()`` then applies what is pending: the handlers
registered for each event's type run with the events of one object in the order of the
object's own time (``updatedTime``), not of their arrival; an event whose handler fails stays
pending and is tried again on the next round.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import anyio
import attrs

from ._events import Event, parse_event
from ._store import EventStore, StoredEvent
from ._verify import SecurityKeys, verify

__all__ = ["Counts", "Handler", "WebhookReceiver"]

logger = logging.getLogger("bill_async.webhooks")

Handler = Callable[[Event], Awaitable[None]]


@attrs.define
class Counts:
    """What a receiver did (a receiver's own counts, since it started)."""

    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    applied: int = 0
    failed: int = 0


def _order(stored: StoredEvent) -> tuple[str, float]:
    # ISO times of one format sort as text; an event with none goes by when it came.
    return (stored.event.object_time, stored.accepted_at)


class WebhookReceiver:
    """Verifies, stores and applies BILL's webhook events.

    Args:
        store: where accepted events wait (``SQLiteEventStore``, ``RedisEventStore``;
            ``MemoryEventStore`` only in tests).
        keys: the subscription's security key, several, or a ``SecurityKeys`` (rotation with a
            grace period for the previous key).
        wall_clock: POSIX seconds, for when events were accepted.
    """

    def __init__(
        self,
        store: EventStore,
        keys: SecurityKeys | str | Sequence[str],
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.keys = keys
        self.counts = Counts()
        self._wall_clock = wall_clock
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._wake = anyio.Event()

    def on(self, *event_types: str) -> Callable[[Handler], Handler]:
        """Register a handler for these event types (``"bill.updated"``; ``"*"`` for all)::

        @receiver.on("vendor.created", "vendor.updated")
        async def vendor_changed(event: Event) -> None: ...
        """

        def register(handler: Handler) -> Handler:
            for event_type in event_types or ("*",):
                self._handlers[event_type].append(handler)
            return handler

        return register

    async def receive(self, body: bytes, signature: str | None) -> bool:
        """Verify and store one delivery; True when it is new, False for a duplicate.

        Raises ``WebhookSignatureError`` (answer 401) or ``WebhookPayloadError`` (400), with
        nothing stored; a store's own failure propagates (answer 5xx: BILL delivers again)."""
        try:
            keys = self.keys.valid() if isinstance(self.keys, SecurityKeys) else self.keys
            verify(body, signature, keys)
            event = parse_event(body)
        except Exception:
            self.counts.refused += 1
            raise
        fresh = await self.store.accept(event, self._wall_clock())
        if fresh:
            self.counts.accepted += 1
            self._wake.set()
        else:
            self.counts.duplicates += 1
        return fresh

    async def process(self, *, batch: int = 500) -> int:
        """Apply the pending events (up to ``batch``), each object's in the order of its time;
        returns how many were applied."""
        pending = sorted(await self.store.pending(batch), key=_order)
        failed_objects: set[tuple[str, str]] = set()
        applied = 0
        for stored in pending:
            event = stored.event
            key = (event.entity_type, event.object_id)
            if key in failed_objects:  # a later event of an object waits for its earlier one
                continue
            try:
                for handler in (*self._handlers.get(event.event_type, ()), *self._handlers["*"]):
                    await handler(event)
            except Exception:
                logger.exception("a handler of %s failed; it stays pending", event.event_type)
                self.counts.failed += 1
                failed_objects.add(key)
                await self.store.failed(event.event_id)
                continue
            await self.store.done(event.event_id)
            applied += 1
        self.counts.applied += applied
        return applied

    async def run(self, *, every: float = 1.0) -> None:
        """Apply pending events as they come (woken by ``receive``) and every ``every`` seconds
        (for what an earlier process left pending), until cancelled."""
        while True:
            self._wake = anyio.Event()
            await self.process()
            with anyio.move_on_after(every):
                await self._wake.wait()

    @asynccontextmanager
    async def running(self, *, every: float = 1.0) -> AsyncIterator[WebhookReceiver]:
        """``run()`` in the background while the block runs (a FastAPI lifespan, say)."""
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: self.run(every=every))
            try:
                yield self
            finally:
                group.cancel_scope.cancel()
