"""Where accepted webhook events wait until they are applied: nothing accepted is ever lost.

A receiver answers BILL 2xx only after ``accept()`` has stored the event durably, so a crash
after the answer loses nothing: the event is still pending when the receiver comes back. An
event is ``done()`` once its handlers ran; one whose handler failed stays pending (``failed()``
counts the attempts). ``accept()`` is where duplicates are dropped, by ``eventId``.

- ``SQLiteEventStore``: a file (or the export database itself), written with ``synchronous=FULL``.
- ``MemoryEventStore``: for tests only: a crash loses what it holds.
- ``bill_async.redis.RedisEventStore``: for receivers on several machines.
"""

from __future__ import annotations

import abc
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import attrs

from ._events import Event, parse_event

__all__ = ["EventStore", "MemoryEventStore", "SQLiteEventStore", "StoredEvent"]

T = TypeVar("T")


@attrs.frozen
class StoredEvent:
    """A pending event, with what the store knows of it."""

    event: Event
    accepted_at: float  # wall-clock seconds
    attempts: int = 0


class EventStore(abc.ABC):
    """Accepted events, durable before the receiver answers, until they are applied."""

    @abc.abstractmethod
    async def accept(self, event: Event, now: float) -> bool:
        """Store ``event`` durably; False (and nothing stored) if its ``eventId`` was seen."""

    @abc.abstractmethod
    async def pending(self, limit: int) -> list[StoredEvent]:
        """Up to ``limit`` events not yet done, in the order they were accepted."""

    @abc.abstractmethod
    async def done(self, event_id: str) -> None:
        """The event's handlers ran: it is not pending any more (still remembered as seen)."""

    @abc.abstractmethod
    async def failed(self, event_id: str) -> None:
        """A handler failed: the event stays pending, one attempt more."""


class MemoryEventStore(EventStore):
    """Events in memory: for tests only (a crash loses them; BILL would not send them again)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._pending: dict[str, StoredEvent] = {}

    async def accept(self, event: Event, now: float) -> bool:
        if event.event_id in self._seen:
            return False
        self._seen.add(event.event_id)
        self._pending[event.event_id] = StoredEvent(event, now)
        return True

    async def pending(self, limit: int) -> list[StoredEvent]:
        return list(self._pending.values())[:limit]

    async def done(self, event_id: str) -> None:
        self._pending.pop(event_id, None)

    async def failed(self, event_id: str) -> None:
        stored = self._pending.get(event_id)
        if stored is not None:
            self._pending[event_id] = attrs.evolve(stored, attempts=stored.attempts + 1)


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS webhook_events (event_id TEXT PRIMARY KEY, body BLOB NOT NULL,"
    " accepted_at REAL NOT NULL, done_at REAL, attempts INTEGER NOT NULL DEFAULT 0)"
)


class SQLiteEventStore(EventStore):
    """Events in a SQLite file, each committed (``synchronous=FULL``) before ``accept`` returns.

    ``path`` may be the export's own database: a handler that writes the export through
    ``connection`` and then ``done()`` in the same transaction applies each event exactly once,
    even across a crash (``bill-async listen`` does)."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.connection = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=60
        )
        self._clock = clock
        self._lock = threading.Lock()  # one statement at a time, from worker threads
        with self._lock:
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=FULL")
            self.connection.execute(_SCHEMA)

    async def _run(self, work: Callable[[], T]) -> T:
        def locked() -> T:
            with self._lock:
                return work()

        return await anyio.to_thread.run_sync(locked)

    async def accept(self, event: Event, now: float) -> bool:
        def insert() -> bool:
            cursor = self.connection.execute(
                "INSERT OR IGNORE INTO webhook_events (event_id, body, accepted_at)"
                " VALUES (?, ?, ?)",
                (event.event_id, event.body, now),
            )
            return cursor.rowcount == 1

        return await self._run(insert)

    async def pending(self, limit: int) -> list[StoredEvent]:
        def select() -> list[Any]:
            return self.connection.execute(
                "SELECT body, accepted_at, attempts FROM webhook_events WHERE done_at IS NULL"
                " ORDER BY accepted_at, rowid LIMIT ?",
                (limit,),
            ).fetchall()

        rows = await self._run(select)
        return [
            StoredEvent(parse_event(body), accepted, attempts) for body, accepted, attempts in rows
        ]

    async def done(self, event_id: str) -> None:
        await self._run(lambda: self.mark_done(event_id))

    def mark_done(self, event_id: str) -> None:
        """``done()`` inside a caller's own transaction on ``connection`` (synchronous)."""
        self.connection.execute(
            "UPDATE webhook_events SET done_at = ? WHERE event_id = ?", (self._clock(), event_id)
        )

    async def apply(self, event_id: str, work: Callable[[sqlite3.Connection], None]) -> bool:
        """Run ``work`` on ``connection`` and mark the event done, in one transaction: applied
        exactly once, a crash included. False (and nothing run) if it was already done."""

        def transaction() -> bool:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                row = self.connection.execute(
                    "SELECT done_at FROM webhook_events WHERE event_id = ?", (event_id,)
                ).fetchone()
                if row is not None and row[0] is not None:
                    self.connection.execute("ROLLBACK")
                    return False
                work(self.connection)
                self.mark_done(event_id)
                self.connection.execute("COMMIT")
                return True
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise

        return await self._run(transaction)

    async def failed(self, event_id: str) -> None:
        await self._run(
            lambda: self.connection.execute(
                "UPDATE webhook_events SET attempts = attempts + 1 WHERE event_id = ?", (event_id,)
            )
        )

    def close(self) -> None:
        with self._lock:
            self.connection.close()
