"""Webhook events kept in Redis, for receivers on several machines (``bill_async.webhooks``).

Each accepted event's body is stored under its ``eventId`` (which also marks it seen, so a
duplicate is dropped whichever receiver gets it) and queued in a sorted set by the time it was
accepted, atomically (one Lua script), before the receiver answers BILL. An event stays queued
until ``done()``. How durable "stored" is depends on the Redis server's persistence: run it
with ``appendonly yes`` (and ``appendfsync everysec`` or ``always``) for a crash not to lose
what it acknowledged.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from ..webhooks._events import parse_event
from ..webhooks._store import EventStore, StoredEvent

__all__ = ["RedisEventStore"]

_ACCEPT = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
"""
_DONE = """
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], '')
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""


class RedisEventStore(EventStore):
    """Accepted webhook events in the Redis at ``url``, under keys starting with ``prefix``."""

    def __init__(self, url: str, *, prefix: str = "bill_async:webhooks") -> None:
        self._redis: Any = aioredis.Redis.from_url(url)
        self._bodies = f"{prefix}:bodies"  # eventId -> body ('' once done: still seen)
        self._queue = f"{prefix}:pending"  # eventId scored by when it was accepted
        self._attempts = f"{prefix}:attempts"  # eventId -> failed attempts
        self._accept = self._redis.register_script(_ACCEPT)
        self._done = self._redis.register_script(_DONE)

    async def accept(self, event: Any, now: float) -> bool:
        keys = [self._bodies, self._queue]
        added = await self._accept(keys=keys, args=[event.event_id, event.body, now])
        return bool(added)

    async def pending(self, limit: int) -> list[StoredEvent]:
        queued = await self._redis.zrange(self._queue, 0, limit - 1, withscores=True)
        if not queued:
            return []
        ids = [event_id for event_id, _ in queued]
        bodies = await self._redis.hmget(self._bodies, ids)
        attempts = await self._redis.hmget(self._attempts, ids)
        found = []
        for (_, accepted), body, tried in zip(queued, bodies, attempts, strict=True):
            if body:
                found.append(StoredEvent(parse_event(body), float(accepted), int(tried or 0)))
        return found

    async def done(self, event_id: str) -> None:
        await self._done(keys=[self._bodies, self._queue, self._attempts], args=[event_id])

    async def failed(self, event_id: str) -> None:
        await self._redis.hincrby(self._attempts, event_id, 1)

    async def aclose(self) -> None:
        await self._redis.aclose()
