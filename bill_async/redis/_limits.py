"""BILL's limits shared through Redis: a leased-slot governor per (devKey, org) and the hourly
budgets per devKey."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import secrets
import weakref
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio

from .._core._limits import Budget, Governor, LimitStore
from ._connection import (
    DEFAULT_LEASE,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_OUTAGE_WAIT,
    DEFAULT_PREFIX,
    DEFAULT_REDIS_TIMEOUT,
    Connection,
    RedisStoreError,
    RedisUnavailableError,
    asyncio_loop,
    shielded,
)

__all__ = ["REFUSAL_COOLDOWN", "RedisBudget", "RedisGovernor", "RedisLimits"]

logger = logging.getLogger("bill_async.redis")

# After BDC_1322 despite the governor, the fleet's limit stays lowered this long (seconds).
REFUSAL_COOLDOWN = 60.0
# Seconds a budget's key (one per clock hour) lives from its first count: past its hour.
_BUDGET_TTL = 3900

# Waiting for a slot: one task per process and governor waits in Redis (BLPOP on a list that
# each slot given back pushes to) for at most this long between attempts; the others wait behind
# it in the process. It bounds how late a slot freed by an ended lease is noticed (seconds).
_SLOT_WAIT = 0.25
# What renew_slot answers when it took a slot again that Redis no longer had.
_TAKEN_AGAIN = 2


class RedisGovernor(Governor):
    """At most ``max_in_flight`` requests at once for one (devKey, org), across the fleet.

    A slot is an entry of a sorted set whose score is the end of its lease on Redis' clock.
    Taking one is a Lua script: drop the entries whose lease ended, then add this worker's
    token if fewer than the limit remain. Giving it back removes the token (only this worker's
    own) and pushes to a wake-up list. In each process one task at a time waits for a slot, in
    BLPOP on that list (Redis wakes the longest waiter first, whichever process it is in), for
    at most ``_SLOT_WAIT`` seconds between attempts; the process's other tasks queue behind it.

    ``refused()`` (BDC_1322 although the fleet kept to its limit: something outside it uses the
    devKey) lowers the fleet's shared limit to one below the limit the refused call was
    admitted under, for ``REFUSAL_COOLDOWN`` seconds (each further refusal restarts it), after
    which the full limit comes back. Calls refused together lower it by one step, not one step
    each. The next slot this process asks for carries the refusal to Redis.

    ``in_flight`` is the slots this process holds; ``limit`` the fleet's limit as last seen.
    """

    def __init__(self, connection: Connection, key: str, max_in_flight: int) -> None:
        self._redis = connection
        self._key = key
        self._max = max_in_flight
        self._keys = [
            connection.key("gov", f"{{{key}}}", "slots"),
            connection.key("gov", f"{{{key}}}", "limit"),
            connection.key("gov", f"{{{key}}}", "wake"),
        ]
        self._gate = anyio.Lock()
        self._held = 0
        self._limit = max_in_flight
        self._refused_at = 0  # the lowest limit a call refused since the last report ran under

    def __repr__(self) -> str:
        return f"<RedisGovernor key={self._key!r} in_flight={self._held} limit={self._limit}>"

    def _local(self) -> Governor:
        return self._redis.local_limits.governor(self._key, self._max)

    def slot(self) -> AbstractAsyncContextManager[None]:
        asyncio_loop()
        return _LeasedSlot(self)

    def refused(self) -> None:
        if self._redis.fell_back:
            self._local().refused()
            return
        # The client reports a refusal in the task whose slot just ended.
        last = _LAST_SLOT.get()
        admitted = last[1] if last is not None and last[0] is self else self._limit
        self._refused_at = min(self._refused_at or admitted, admitted)

    def succeeded(self) -> None:
        if self._redis.fell_back:
            self._local().succeeded()

    @property
    def in_flight(self) -> int:
        local = self._local().in_flight if self._redis.fell_back else 0
        return self._held + local

    @property
    def limit(self) -> int:
        return self._local().limit if self._redis.fell_back else self._limit

    async def fleet_in_flight(self) -> int:
        """The slots held now by the whole fleet (whose leases are running)."""
        return int(await self._redis.script("count_slots", self._keys[:1], []))

    async def _try(self, token: str) -> bool:
        refused_at = self._refused_at
        taken, _held, limit = await self._redis.script(
            "acquire",
            self._keys,
            [
                token,
                self._max,
                math.ceil(self._redis.lease * 1000),
                refused_at,
                math.ceil(REFUSAL_COOLDOWN * 1000),
            ],
            wait=False,  # an outage is waited out in _acquire, not inside the shield
        )
        if self._refused_at == refused_at:
            self._refused_at = 0
        self._limit = int(limit)
        return bool(taken)

    async def _acquire(self) -> tuple[str, int]:
        """A slot's token, and the limit it was admitted under. While Redis is unreachable,
        waits for it (``outage_wait``): nothing is sent without a slot."""
        token = secrets.token_hex(16)
        # Below the socket timeout, so that a quiet wait is not taken for a dead Redis.
        wait = min(_SLOT_WAIT, self._redis.timeout / 2)
        async with self._gate:
            while True:
                await self._redis.available()
                try:
                    # Shielded: once the script ran, this worker must know whether it holds
                    # a slot.
                    taken = await shielded(self._try(token), self._redis.timeout * 2)
                except RedisUnavailableError as error:
                    self._redis.note_outage(error)
                    continue
                if taken:
                    self._held += 1
                    return token, self._limit
                await self._redis.command(
                    lambda client: client.blpop([self._keys[2]], timeout=wait), blocking=True
                )

    async def _renew(self, token: str) -> bool:
        lease_ms = math.ceil(self._redis.lease * 1000)
        renewed = await self._redis.script(
            "renew_slot", self._keys[:1], [token, lease_ms], wait=False
        )
        if renewed == _TAKEN_AGAIN:
            logger.warning(
                "a slot of %s held by a call in flight was gone from Redis (a restart, or an "
                "event loop blocked past its lease): taken again",
                self._key,
            )
        return bool(renewed)

    async def _release(self, token: str) -> None:
        try:
            await shielded(
                self._redis.script(
                    "release_slot",
                    [self._keys[0], self._keys[2]],
                    [token, math.ceil(self._redis.lease * 1000)],
                    wait=False,  # the call is done: it is not held up by an outage
                ),
                self._redis.timeout,
            )
        except RedisStoreError as error:
            logger.warning("could not give back a slot (its lease ends it): %s", error)
        finally:
            self._held -= 1


# The governor and admitting limit of the slot that the current task gave back last: what a
# refusal reported right afterwards (by ``Client._execute``) is about.
_LAST_SLOT: contextvars.ContextVar[tuple[RedisGovernor, int] | None] = contextvars.ContextVar(
    "bill_async_redis_last_slot", default=None
)


class _LeasedSlot:
    """One slot of a ``RedisGovernor`` (or of its in-process stand-in after a fallback)."""

    def __init__(self, governor: RedisGovernor) -> None:
        self._governor = governor
        self._token: str | None = None
        self._admitted = 0
        self._keeper: asyncio.Task[None] | None = None
        self._local: AbstractAsyncContextManager[Any] | None = None

    async def __aenter__(self) -> None:
        governor = self._governor
        if not governor._redis.fell_back:
            try:
                token, self._admitted = await governor._acquire()
            except RedisUnavailableError as error:
                governor._redis.fall_back(error)
            else:
                self._token = token
                self._keeper = governor._redis.keep(
                    lambda: governor._renew(token), f"a slot of {governor._key}"
                )
                return
        self._local = governor._local().slot()
        await self._local.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._local is not None:
            await self._local.__aexit__(*exc_info)
            return
        if self._keeper is not None:
            self._keeper.cancel()
        if self._token is not None:
            token, self._token = self._token, None
            _LAST_SLOT.set((self._governor, self._admitted))
            await self._governor._release(token)


class RedisBudget(Budget):
    """An hourly count per devKey shared by the fleet: INCR on a key per clock hour.

    The hour is the client's (``now``, POSIX seconds): it is the clock that the client also
    waits for the next hour by. The key lives a little over an hour. ``used(now)`` is the count
    this process last saw; ``current(now)`` asks Redis.
    """

    def __init__(self, connection: Connection, key: str, limit: int) -> None:
        self._redis = connection
        self._key = key
        self._limit = limit
        self._hour = -1
        self._seen = 0
        # Counted in this process while Redis was unreachable: added to the fleet's count when
        # it answers again (the hour they were counted in, if it is still this one).
        self._unshared = (-1, 0)

    def __repr__(self) -> str:
        return f"<RedisBudget key={self._key!r} limit={self._limit}>"

    def _count_key(self, hour: int) -> str:
        return self._redis.key("budget", self._key, str(hour))

    def _see(self, hour: int, count: int) -> None:
        # Answers to concurrent takes may arrive out of order; within an hour counts only grow.
        if hour > self._hour:
            self._hour, self._seen = hour, count
        elif hour == self._hour:
            self._seen = max(self._seen, count)

    async def take(self, now: float) -> bool:
        asyncio_loop()
        hour = math.floor(now / 3600)
        if not self._redis.fell_back:
            unshared = self._take_unshared(hour)  # carried by this take only
            try:
                taken, count = await self._redis.script(
                    "take", [self._count_key(hour)], [self._limit, _BUDGET_TTL, unshared]
                )
            except RedisUnavailableError as error:
                self._count_unshared(hour, unshared)
                self._redis.fall_back(error)
            else:
                self._see(hour, int(count))
                return bool(taken)
        # In process, from the last count seen: the fleet's calls so far still count.
        self._see(hour, self.used(now))
        if self._seen >= self._limit:
            return False
        self._seen += 1
        self._count_unshared(hour, 1)
        return True

    def _take_unshared(self, hour: int) -> int:
        counted_in, count = self._unshared
        self._unshared = (-1, 0)
        return count if counted_in == hour else 0

    def _count_unshared(self, hour: int, count: int) -> None:
        counted_in, before = self._unshared
        self._unshared = (hour, count + (before if counted_in == hour else 0))

    async def exhaust(self, now: float) -> None:
        asyncio_loop()
        hour = math.floor(now / 3600)
        if not self._redis.fell_back:
            try:
                count = await self._redis.script(
                    "exhaust", [self._count_key(hour)], [self._limit, _BUDGET_TTL]
                )
            except RedisUnavailableError as error:
                self._redis.fall_back(error)
            else:
                self._see(hour, int(count))
                return
        self._see(hour, max(self.used(now), self._limit))

    def used(self, now: float) -> int:
        return self._seen if math.floor(now / 3600) == self._hour else 0

    async def current(self, now: float) -> int:
        """The fleet's count for the hour holding ``now``, read from Redis."""
        hour = math.floor(now / 3600)
        raw = await self._redis.command(lambda client: client.get(self._count_key(hour)))
        self._see(hour, int(raw or 0))
        return self.used(now)

    @property
    def limit(self) -> int:
        return self._limit


class RedisLimits(LimitStore):
    """BILL's limits shared by the fleet: ``RedisGovernor``s and ``RedisBudget``s.

    Args:
        url: ``redis://[user:password@]host:port/db`` (or ``rediss://``, ``unix://``).
        lease: seconds; a slot's lease, renewed every third of it while the slot is held. A
            worker that dies frees its slots at most this long afterwards.
        fallback: if Redis stays unreachable past ``outage_wait``, switch to in-process limits
            (with a warning) until it answers again.
        prefix: the start of every key. timeout: seconds for connecting and for each command.
        max_connections: Redis connections per event loop (calls queue for them).
        outage_wait: seconds a call waits for an unreachable Redis before
            ``RedisUnavailableError`` (or the fallback); 0: not at all.
    """

    def __init__(
        self,
        url: str,
        *,
        lease: float = DEFAULT_LEASE,
        fallback: bool = False,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = DEFAULT_REDIS_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        outage_wait: float = DEFAULT_OUTAGE_WAIT,
    ) -> None:
        self._setup(
            Connection(
                url,
                prefix=prefix,
                timeout=timeout,
                lease=lease,
                fallback=fallback,
                max_connections=max_connections,
                outage_wait=outage_wait,
            )
        )

    @classmethod
    def _on(cls, connection: Connection) -> RedisLimits:
        limits = cls.__new__(cls)
        limits._setup(connection)
        return limits

    def _setup(self, connection: Connection) -> None:
        self._redis = connection
        self._governors: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, RedisGovernor]
        ] = weakref.WeakKeyDictionary()
        self._budgets: dict[str, RedisBudget] = {}

    def __repr__(self) -> str:
        return f"<RedisLimits url={self._redis.safe_url!r} prefix={self._redis.prefix!r}>"

    def governor(self, key: str, max_in_flight: int) -> RedisGovernor:
        # Governors hold anyio primitives, which belong to one event loop.
        per_loop = self._governors.setdefault(asyncio_loop(), {})
        governor = per_loop.get(key)
        if governor is None:
            governor = per_loop[key] = RedisGovernor(self._redis, key, max_in_flight)
        return governor

    def budget(self, key: str, limit: int) -> RedisBudget:
        # One count per devKey and kind, whatever limit each client names: the first one sets it.
        budget = self._budgets.get(key)
        if budget is None:
            budget = self._budgets[key] = RedisBudget(self._redis, key, limit)
        return budget

    @property
    def fell_back(self) -> bool:
        """Whether Redis is unreachable and these limits are this process's own for now."""
        return self._redis.fell_back

    async def ping(self) -> None:
        """Check that Redis answers (or fall back, if allowed), before the first call."""
        await self._redis.ping()

    async def aclose(self) -> None:
        """Close this event loop's connections to Redis."""
        await self._redis.aclose()
