"""Sessions shared through Redis: one per (devKey, org, user), and one login across the fleet."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import weakref
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio

from .._core._sessions import SessionStore, StoredSession
from ._connection import (
    DEFAULT_LEASE,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_OUTAGE_WAIT,
    DEFAULT_PREFIX,
    DEFAULT_REDIS_TIMEOUT,
    DEFAULT_SESSION_TTL,
    Connection,
    RedisStoreError,
    RedisUnavailableError,
    asyncio_loop,
    jittered,
    shielded,
)

__all__ = ["RedisSessionStore"]

logger = logging.getLogger("bill_async.redis")

# Waiting for the login lock (rare: a login takes about a second): jittered polling between
# these (seconds).
_LOCK_POLL = (0.01, 0.2)


class RedisSessionStore(SessionStore):
    """Sessions shared by every worker that uses the same Redis, one login across processes.

    Args:
        url: ``redis://[user:password@]host:port/db`` (or ``rediss://``, ``unix://``).
        lease: seconds; the login lock's lease, renewed while a worker logs in. A worker that
            dies while logging in frees the lock at most this long afterwards.
        session_ttl: seconds a stored session stays in Redis after its last recorded use.
        fallback: if Redis stays unreachable past ``outage_wait``, switch to in-process
            sessions (with a warning) until it answers again.
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
        session_ttl: float = DEFAULT_SESSION_TTL,
        fallback: bool = False,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = DEFAULT_REDIS_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        outage_wait: float = DEFAULT_OUTAGE_WAIT,
    ) -> None:
        connection = Connection(
            url,
            prefix=prefix,
            timeout=timeout,
            lease=lease,
            fallback=fallback,
            max_connections=max_connections,
            outage_wait=outage_wait,
        )
        self._setup(connection, session_ttl)

    @classmethod
    def _on(cls, connection: Connection, session_ttl: float) -> RedisSessionStore:
        store = cls.__new__(cls)
        store._setup(connection, session_ttl)
        return store

    def _setup(self, connection: Connection, session_ttl: float) -> None:
        if session_ttl <= 0:
            raise ValueError("session_ttl must be positive")
        self._redis = connection
        self._ttl_ms = math.ceil(session_ttl * 1000)
        self._local_locks: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, anyio.Lock]
        ] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"<RedisSessionStore url={self._redis.safe_url!r} prefix={self._redis.prefix!r}>"

    def _key(self, key: str) -> str:
        return self._redis.key("session", key)

    async def get(self, key: str) -> StoredSession | None:
        asyncio_loop()
        if not self._redis.fell_back:
            try:
                fields = await self._redis.command(lambda client: client.hgetall(self._key(key)))
            except RedisUnavailableError as error:
                self._redis.fall_back(error)
            else:
                return _decode_session(fields)
        return await self._redis.local_sessions.get(key)

    async def put(self, key: str, session: StoredSession) -> None:
        asyncio_loop()
        if not self._redis.fell_back:
            try:
                await self._redis.script(
                    "put_session", [self._key(key)], [self._ttl_ms, *_encode_session(session)]
                )
            except RedisUnavailableError as error:
                self._redis.fall_back(error)
            else:
                return
        await self._redis.local_sessions.put(key, session)

    async def delete(self, key: str, session_id: str) -> None:
        asyncio_loop()
        if not self._redis.fell_back:
            try:
                await self._redis.script("delete_session", [self._key(key)], [session_id])
            except RedisUnavailableError as error:
                self._redis.fall_back(error)
            else:
                return
        await self._redis.local_sessions.delete(key, session_id)

    async def touch(self, key: str, session_id: str, last_used: float) -> None:
        # Called after BILL answered: a Redis failure here must not turn the answer into an
        # error. It is logged; at worst another worker sees the session as idle for longer.
        asyncio_loop()
        if not self._redis.fell_back:
            try:
                await self._redis.script(
                    "touch_session",
                    [self._key(key)],
                    [session_id, repr(last_used), self._ttl_ms],
                    wait=False,  # BILL has answered: the call is not held up by an outage
                )
            except RedisUnavailableError as error:
                if not self._redis.fallback:
                    logger.warning("could not record a use of a shared session: %s", error)
                    return
                self._redis.fall_back(error)
            except RedisStoreError as error:
                logger.warning("could not record a use of a shared session: %s", error)
                return
            else:
                return
        await self._redis.local_sessions.touch(key, session_id, last_used)

    def login_lock(self, key: str) -> AbstractAsyncContextManager[None]:
        loop = asyncio_loop()
        per_loop = self._local_locks.setdefault(loop, {})
        local = per_loop.get(key)
        if local is None:
            local = per_loop[key] = anyio.Lock()
        return _LoginLock(self._redis, self._redis.key("login", key), local)


class _LoginLock:
    """The login lock: first this process's lock (its waiters queue here), then Redis'
    (set if free or already ours, with a token and a lease; given back by compare-and-delete)."""

    def __init__(self, connection: Connection, key: str, local: anyio.Lock) -> None:
        self._redis = connection
        self._key = key
        self._local = local
        self._token: str | None = None
        self._keeper: asyncio.Task[None] | None = None

    async def __aenter__(self) -> None:
        await self._local.acquire()
        try:
            if not self._redis.fell_back:
                try:
                    await self._acquire()
                except RedisUnavailableError as error:
                    self._redis.fall_back(error)
        except BaseException:
            self._local.release()
            raise

    async def _acquire(self) -> None:
        token = secrets.token_hex(16)
        lease_ms = math.ceil(self._redis.lease * 1000)
        delay = _LOCK_POLL[0]
        while True:
            await self._redis.available()  # an outage is waited out here, unshielded
            try:
                taken = await shielded(
                    self._redis.script("take_lock", [self._key], [token, lease_ms], wait=False),
                    self._redis.timeout * 2,
                )
            except RedisUnavailableError as error:
                self._redis.note_outage(error)
                continue
            if taken:
                self._token = token
                self._keeper = self._redis.keep(self._renew, "the login lock")
                return
            await anyio.sleep(jittered(delay))
            delay = min(delay * 2, _LOCK_POLL[1])

    async def _renew(self) -> bool:
        lease_ms = math.ceil(self._redis.lease * 1000)
        renewed = await self._redis.script(
            "renew_lock", [self._key], [self._token, lease_ms], wait=False
        )
        return bool(renewed)

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            if self._keeper is not None:
                self._keeper.cancel()
            if self._token is not None:
                token, self._token = self._token, None
                try:
                    await shielded(
                        self._redis.script("release_lock", [self._key], [token], wait=False),
                        self._redis.timeout,
                    )
                except RedisStoreError as error:
                    logger.warning(
                        "could not give back the login lock (its lease ends it): %s", error
                    )
        finally:
            self._local.release()


def _encode_session(session: StoredSession) -> list[str]:
    fields = {
        "session_id": session.session_id,
        "org_id": session.org_id,
        "last_used": repr(session.last_used),
        "mfa_trusted": "1" if session.mfa_trusted else "0",
    }
    if session.user_id is not None:
        fields["user_id"] = session.user_id
    if session.api_endpoint is not None:
        fields["api_endpoint"] = session.api_endpoint
    return [item for pair in fields.items() for item in pair]


def _decode_session(raw: Mapping[Any, Any]) -> StoredSession | None:
    fields = {str(name): str(value) for name, value in raw.items()}
    if not fields.get("session_id"):
        return None
    try:
        last_used = float(fields.get("last_used", "0"))
    except ValueError:
        last_used = 0.0  # unreadable: treated as idle, so a fresh login replaces it
    return StoredSession(
        session_id=fields["session_id"],
        org_id=fields.get("org_id", ""),
        user_id=fields.get("user_id"),
        api_endpoint=fields.get("api_endpoint"),
        last_used=last_used,
        mfa_trusted=fields.get("mfa_trusted") == "1",
    )
