"""Share sessions and BILL's limits among the worker processes of a fleet, through Redis.

BILL's limits belong to the devKey, not to a process: 3 requests in flight per organization,
20,000 requests and 200 logins per hour. Workers that each keep their own count trip BDC_1322
and burn the login budget. These stores keep that state in Redis (``pip install
'bill-async[redis]'``)::

    from bill_async.redis import redis_stores

    async with redis_stores("redis://redis.internal:6379/0") as stores:
        async with bill_async.Client(
            auth, session_store=stores.session_store, limits=stores.limits
        ) as client:
            ...

- ``RedisSessionStore``: one session per (devKey, org, user) for every worker, and one Login.json
  across processes however many ask at once (a lock in Redis with a lease).
- ``RedisLimits``: a governor per (devKey, org) whose slots are leased entries of a sorted set,
  taken and renewed by Lua scripts that read Redis' own clock (the workers' clocks do not
  matter); and the hourly request and login budgets, one shared count per devKey per clock hour.

Leases. A slot or the login lock is held with a lease (``lease`` seconds, 30 by default) that
its worker renews every ``lease / 3`` seconds while it holds it, so a call may take longer
than the lease (the client's own timeout bounds a call). A worker that dies stops renewing, and
its slot comes back to the fleet at most ``lease`` seconds later. Only an event loop blocked
for longer than two thirds of the lease loses a slot it still uses (this is logged).

Redis unreachable. By default every operation that needs Redis raises ``RedisUnavailableError``:
without Redis the fleet cannot keep to BILL's limits. With ``fallback=True`` the stores switch,
once and for good, to in-process sessions and limits, with a ``RuntimeWarning`` and a log
warning: each process then counts only its own calls (BDC_1322 answers make it lower its own
limit).

redis-py's asyncio client runs on asyncio only: under trio these stores raise
``ClientStateError``. Keys start with ``prefix`` (``bill_async``) and name devKeys only by their
fingerprints; the stored session id is a secret and is never logged or shown.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import random
import secrets
import urllib.parse
import warnings
import weakref
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

import anyio
import sniffio

from ._auth import InProcessSessionStore, SessionStore, StoredSession
from ._exceptions import BillError, ClientStateError
from ._limits import Budget, Governor, InProcessLimits, LimitStore

try:
    import redis.asyncio as aioredis
    import redis.exceptions as redis_errors
    from redis.asyncio.connection import parse_url
except ImportError as _error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "bill_async.redis needs redis-py: pip install 'bill-async[redis]'"
    ) from _error

__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_PREFIX",
    "DEFAULT_SESSION_TTL",
    "DEFAULT_TIMEOUT",
    "REFUSAL_COOLDOWN",
    "RedisBudget",
    "RedisGovernor",
    "RedisLimits",
    "RedisSessionStore",
    "RedisStoreError",
    "RedisStores",
    "RedisUnavailableError",
    "redis_stores",
]

logger = logging.getLogger("bill_async.redis")

DEFAULT_LEASE = 30.0
DEFAULT_PREFIX = "bill_async"
DEFAULT_TIMEOUT = 5.0
DEFAULT_SESSION_TTL = 3600.0
# After BDC_1322 despite the governor, the fleet's limit stays lowered this long (seconds).
REFUSAL_COOLDOWN = 60.0
# Seconds a budget's key (one per clock hour) lives from its first count: past its hour.
_BUDGET_TTL = 3900

# Waiting for a slot: one task per process and governor waits in Redis (BLPOP on a list that
# each slot given back pushes to) for at most this long between attempts; the others wait behind
# it in the process. It bounds how late a slot freed by an ended lease is noticed (seconds).
_SLOT_WAIT = 0.25
# Waiting for the login lock (rare: a login takes about a second): jittered polling between
# these (seconds).
_LOCK_POLL = (0.01, 0.2)

T = TypeVar("T")


class RedisStoreError(BillError):
    """Redis failed to answer one of the stores' operations (``.url`` names the server)."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class RedisUnavailableError(RedisStoreError):
    """Redis could not be reached (connection refused or timed out)."""


# -- Lua --------------------------------------------------------------------------------------

# Milliseconds on Redis' clock: every worker's lease is measured by the same clock.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# Keep a slots key as long as its longest lease, and no longer.
_EXPIRE_SLOTS = """
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(last[2])) + 1000) end
"""

# KEYS: slots, limit. ARGV: token, max in flight, lease ms, refused at (0: none), cooldown ms.
# "Refused at": BILL refused a call admitted under that limit; lower the limit below it, unless
# another refusal already did (one step per limit, however many calls were refused at once).
# Returns {taken (0/1), slots held in the fleet, the limit now}.
_ACQUIRE = (
    _NOW
    + """
local max = tonumber(ARGV[2])
local limit = tonumber(redis.call('GET', KEYS[2]) or max)
if limit > max then limit = max end
local refused_at = tonumber(ARGV[4])
if refused_at > 0 then
  if limit >= refused_at then limit = math.max(1, refused_at - 1) end
  redis.call('SET', KEYS[2], limit, 'PX', tonumber(ARGV[5]))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
local taken = 0
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  taken = 1
elseif held < limit then
  taken = 1
  held = held + 1
end
if taken == 1 then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
"""
    + _EXPIRE_SLOTS
    + """
end
return {taken, held, limit}
"""
)

# KEYS: slots. ARGV: token, lease ms. 1 if the lease was still running and is now renewed.
_RENEW_SLOT = (
    _NOW
    + """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) <= now then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
"""
    + _EXPIRE_SLOTS
    + """
return 1
"""
)

# KEYS: slots. Slots whose lease is running.
_COUNT_SLOTS = (
    _NOW
    + """
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
"""
)

# KEYS: slots, wake. ARGV: token, lease ms. Gives a slot back and wakes one waiter.
_RELEASE_SLOT = """
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 1 then
  redis.call('RPUSH', KEYS[2], '1')
  redis.call('LTRIM', KEYS[2], -8, -1)
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]))
end
return removed
"""

# KEYS: lock. ARGV: token, lease ms. 1 if this token holds the lock now (idempotent, so that
# a command retried after a lost answer does not lock its own worker out).
_TAKE_LOCK = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1
"""

# KEYS: lock. ARGV: token, lease ms.
_RENEW_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return 0
"""

# KEYS: lock. ARGV: token.
_RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: count. ARGV: limit, ttl s. Returns {taken (0/1), count}.
_TAKE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2])) end
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return {0, n - 1}
end
return {1, n}
"""

# KEYS: count. ARGV: limit, ttl s. Returns the count.
_EXHAUST = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if n < limit then
  redis.call('SET', KEYS[1], limit, 'EX', tonumber(ARGV[2]))
  return limit
end
return n
"""

# KEYS: session. ARGV: ttl ms, then field, value pairs.
_PUT_SESSION = """
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""

# KEYS: session. ARGV: session id.
_DELETE_SESSION = """
if redis.call('HGET', KEYS[1], 'session_id') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: session. ARGV: session id, last used (POSIX seconds), ttl ms.
_TOUCH_SESSION = """
if redis.call('HGET', KEYS[1], 'session_id') ~= ARGV[1] then return 0 end
local last = tonumber(redis.call('HGET', KEYS[1], 'last_used') or '0')
if tonumber(ARGV[2]) > last then redis.call('HSET', KEYS[1], 'last_used', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""

_SCRIPTS = {
    "acquire": _ACQUIRE,
    "renew_slot": _RENEW_SLOT,
    "count_slots": _COUNT_SLOTS,
    "release_slot": _RELEASE_SLOT,
    "take_lock": _TAKE_LOCK,
    "renew_lock": _RENEW_LOCK,
    "release_lock": _RELEASE_LOCK,
    "take": _TAKE,
    "exhaust": _EXHAUST,
    "put_session": _PUT_SESSION,
    "delete_session": _DELETE_SESSION,
    "touch_session": _TOUCH_SESSION,
}


# -- the connection ---------------------------------------------------------------------------


def safe_url(url: str) -> str:
    """``url`` without its password or query (which may hold one), fit for messages."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _asyncio_loop() -> asyncio.AbstractEventLoop:
    library = sniffio.current_async_library()
    if library != "asyncio":
        raise ClientStateError(
            f"bill_async.redis runs on asyncio only (redis-py's asyncio client), not on {library}"
        )
    return asyncio.get_running_loop()


class _Connection:
    """One Redis client per event loop (redis-py's connections belong to one loop), the
    scripts, the fallback switch, and the lease keepers."""

    def __init__(
        self, url: str, *, prefix: str, timeout: float, lease: float, fallback: bool
    ) -> None:
        if lease <= 0:
            raise ValueError("lease must be positive")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._url = url
        self.safe_url = safe_url(url)
        try:
            parse_url(url)
        except ValueError as error:
            raise ValueError(f"{self.safe_url!r} is not a Redis URL: {error}") from None
        self.prefix = prefix
        self.timeout = timeout
        self.lease = lease
        self.fallback = fallback
        self.fell_back = False
        self.local_limits = InProcessLimits()
        self.local_sessions = InProcessSessionStore()
        self._clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[aioredis.Redis, dict[str, Any]]
        ] = weakref.WeakKeyDictionary()
        self._keepers: set[asyncio.Task[None]] = set()

    def _client(self) -> tuple[aioredis.Redis, dict[str, Any]]:
        loop = _asyncio_loop()
        entry = self._clients.get(loop)
        if entry is None:
            client = aioredis.Redis.from_url(
                self._url,
                decode_responses=True,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
            )
            scripts = {name: client.register_script(text) for name, text in _SCRIPTS.items()}
            entry = self._clients[loop] = (client, scripts)
        return entry

    async def script(self, name: str, keys: list[str], args: list[Any]) -> Any:
        """Run one of the scripts; Redis' failures become ``RedisStoreError``s."""
        client, scripts = self._client()
        return await self.run(scripts[name](keys=keys, args=args, client=client))

    async def command(self, call: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
        client, _ = self._client()
        return await self.run(call(client))

    async def run(self, pending: Awaitable[T]) -> T:
        try:
            return await pending
        except redis_errors.AuthenticationError as error:
            raise RedisStoreError(
                f"Redis at {self.safe_url} refused: {error}", self.safe_url
            ) from error
        except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as error:
            hint = (
                ""
                if self.fallback
                else "; without it the fleet cannot keep to BILL's limits (fallback=True, or "
                "--redis-fallback on the command line, counts in this process only)"
            )
            raise RedisUnavailableError(
                f"Redis at {self.safe_url} is unreachable ({type(error).__name__}: {error}){hint}",
                self.safe_url,
            ) from error
        except redis_errors.RedisError as error:
            raise RedisStoreError(
                f"Redis at {self.safe_url} failed: {type(error).__name__}: {error}", self.safe_url
            ) from error

    def fall_back(self, error: RedisUnavailableError) -> None:
        """Switch to the in-process stores, if allowed; otherwise raise ``error``."""
        if not self.fallback:
            raise error
        if self.fell_back:
            return
        self.fell_back = True
        message = (
            f"Redis at {self.safe_url} is unreachable: bill_async falls back to in-process "
            "sessions and limits; this process no longer shares BILL's limits with the fleet"
        )
        logger.warning("%s (%s)", message, error)
        warnings.warn(message, RuntimeWarning, stacklevel=2)

    def keep(self, renew: Callable[[], Awaitable[bool]], what: str) -> asyncio.Task[None]:
        """Renew a lease every third of it until the task is cancelled."""

        async def keep_renewing() -> None:
            while True:
                await asyncio.sleep(self.lease / 3)
                try:
                    alive = await renew()
                except RedisStoreError as error:
                    logger.warning("could not renew the lease of %s: %s", what, error)
                    continue
                if not alive:
                    logger.warning(
                        "the lease of %s ended while it was held (was the event loop blocked "
                        "for %.0f s?)",
                        what,
                        self.lease * 2 / 3,
                    )
                    return

        task = asyncio.get_running_loop().create_task(keep_renewing())
        self._keepers.add(task)
        task.add_done_callback(self._keepers.discard)
        return task

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    async def ping(self) -> None:
        if self.fell_back:
            return
        try:
            await self.command(lambda client: client.ping())
        except RedisUnavailableError as error:
            self.fall_back(error)

    async def aclose(self) -> None:
        for task in list(self._keepers):
            task.cancel()
        entries = list(self._clients.items())
        self._clients.clear()  # clients of other (finished) loops cannot be closed from here
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for owner, (client, _) in entries:
            if owner is loop:
                with anyio.CancelScope(shield=True):
                    await client.aclose()


def _jittered(delay: float) -> float:
    return delay * random.uniform(0.5, 1.0)


async def _shielded(pending: Awaitable[T], within: float) -> T | None:
    """Await ``pending`` even if the caller is cancelled meanwhile (but no longer than
    ``within`` seconds): a slot or a lock taken or given back must be known to its holder."""
    with anyio.move_on_after(within, shield=True):
        return await pending
    return None


# -- sessions ---------------------------------------------------------------------------------


class RedisSessionStore(SessionStore):
    """Sessions shared by every worker that uses the same Redis, one login across processes.

    Args:
        url: ``redis://[user:password@]host:port/db`` (or ``rediss://``, ``unix://``).
        lease: seconds; the login lock's lease, renewed while a worker logs in. A worker that
            dies while logging in frees the lock at most this long afterwards.
        session_ttl: seconds a stored session stays in Redis after its last recorded use.
        fallback: switch to in-process sessions (with a warning) if Redis is unreachable.
        prefix: the start of every key. timeout: seconds for connecting and for each command.
    """

    def __init__(
        self,
        url: str,
        *,
        lease: float = DEFAULT_LEASE,
        session_ttl: float = DEFAULT_SESSION_TTL,
        fallback: bool = False,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        connection = _Connection(
            url, prefix=prefix, timeout=timeout, lease=lease, fallback=fallback
        )
        self._setup(connection, session_ttl)

    @classmethod
    def _on(cls, connection: _Connection, session_ttl: float) -> RedisSessionStore:
        store = cls.__new__(cls)
        store._setup(connection, session_ttl)
        return store

    def _setup(self, connection: _Connection, session_ttl: float) -> None:
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
        _asyncio_loop()
        if not self._redis.fell_back:
            try:
                fields = await self._redis.command(lambda client: client.hgetall(self._key(key)))
            except RedisUnavailableError as error:
                self._redis.fall_back(error)
            else:
                return _decode_session(fields)
        return await self._redis.local_sessions.get(key)

    async def put(self, key: str, session: StoredSession) -> None:
        _asyncio_loop()
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
        _asyncio_loop()
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
        _asyncio_loop()
        if not self._redis.fell_back:
            try:
                await self._redis.script(
                    "touch_session", [self._key(key)], [session_id, repr(last_used), self._ttl_ms]
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
        loop = _asyncio_loop()
        per_loop = self._local_locks.setdefault(loop, {})
        local = per_loop.get(key)
        if local is None:
            local = per_loop[key] = anyio.Lock()
        return _LoginLock(self._redis, self._redis.key("login", key), local)


class _LoginLock:
    """The login lock: first this process's lock (its waiters queue here), then Redis'
    (set if free or already ours, with a token and a lease; given back by compare-and-delete)."""

    def __init__(self, connection: _Connection, key: str, local: anyio.Lock) -> None:
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
            taken = await _shielded(
                self._redis.script("take_lock", [self._key], [token, lease_ms]),
                self._redis.timeout * 2,
            )
            if taken:
                self._token = token
                self._keeper = self._redis.keep(self._renew, "the login lock")
                return
            await anyio.sleep(_jittered(delay))
            delay = min(delay * 2, _LOCK_POLL[1])

    async def _renew(self) -> bool:
        lease_ms = math.ceil(self._redis.lease * 1000)
        renewed = await self._redis.script("renew_lock", [self._key], [self._token, lease_ms])
        return bool(renewed)

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            if self._keeper is not None:
                self._keeper.cancel()
            if self._token is not None:
                token, self._token = self._token, None
                try:
                    await _shielded(
                        self._redis.script("release_lock", [self._key], [token]),
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


# -- limits -----------------------------------------------------------------------------------


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

    def __init__(self, connection: _Connection, key: str, max_in_flight: int) -> None:
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
        _asyncio_loop()
        return _Slot(self)

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
        )
        if self._refused_at == refused_at:
            self._refused_at = 0
        self._limit = int(limit)
        return bool(taken)

    async def _acquire(self) -> tuple[str, int]:
        """A slot's token, and the limit it was admitted under."""
        token = secrets.token_hex(16)
        # Below the socket timeout, so that a quiet wait is not taken for a dead Redis.
        wait = min(_SLOT_WAIT, self._redis.timeout / 2)
        async with self._gate:
            while True:
                # Shielded: once the script ran, this worker must know whether it holds a slot.
                taken = await _shielded(self._try(token), self._redis.timeout * 2)
                if taken:
                    self._held += 1
                    return token, self._limit
                await self._redis.command(
                    lambda client: client.blpop([self._keys[2]], timeout=wait)
                )

    async def _renew(self, token: str) -> bool:
        lease_ms = math.ceil(self._redis.lease * 1000)
        return bool(await self._redis.script("renew_slot", self._keys[:1], [token, lease_ms]))

    async def _release(self, token: str) -> None:
        try:
            await _shielded(
                self._redis.script(
                    "release_slot",
                    [self._keys[0], self._keys[2]],
                    [token, math.ceil(self._redis.lease * 1000)],
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


class _Slot:
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

    def __init__(self, connection: _Connection, key: str, limit: int) -> None:
        self._redis = connection
        self._key = key
        self._limit = limit
        self._hour = -1
        self._seen = 0

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
        _asyncio_loop()
        hour = math.floor(now / 3600)
        if not self._redis.fell_back:
            try:
                taken, count = await self._redis.script(
                    "take", [self._count_key(hour)], [self._limit, _BUDGET_TTL]
                )
            except RedisUnavailableError as error:
                self._redis.fall_back(error)
            else:
                self._see(hour, int(count))
                return bool(taken)
        # In process, from the last count seen: the fleet's calls so far still count.
        self._see(hour, self.used(now))
        if self._seen >= self._limit:
            return False
        self._seen += 1
        return True

    async def exhaust(self, now: float) -> None:
        _asyncio_loop()
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
        fallback: switch to in-process limits (with a warning) if Redis is unreachable.
        prefix: the start of every key. timeout: seconds for connecting and for each command.
    """

    def __init__(
        self,
        url: str,
        *,
        lease: float = DEFAULT_LEASE,
        fallback: bool = False,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._setup(
            _Connection(url, prefix=prefix, timeout=timeout, lease=lease, fallback=fallback)
        )

    @classmethod
    def _on(cls, connection: _Connection) -> RedisLimits:
        limits = cls.__new__(cls)
        limits._setup(connection)
        return limits

    def _setup(self, connection: _Connection) -> None:
        self._redis = connection
        self._governors: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, RedisGovernor]
        ] = weakref.WeakKeyDictionary()
        self._budgets: dict[str, RedisBudget] = {}

    def __repr__(self) -> str:
        return f"<RedisLimits url={self._redis.safe_url!r} prefix={self._redis.prefix!r}>"

    def governor(self, key: str, max_in_flight: int) -> RedisGovernor:
        # Governors hold anyio primitives, which belong to one event loop.
        per_loop = self._governors.setdefault(_asyncio_loop(), {})
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
        """Whether Redis was unreachable and these limits are now this process's own."""
        return self._redis.fell_back

    async def ping(self) -> None:
        """Check that Redis answers (or fall back, if allowed), before the first call."""
        await self._redis.ping()

    async def aclose(self) -> None:
        """Close this event loop's connections to Redis."""
        await self._redis.aclose()


class RedisStores:
    """A ``RedisSessionStore`` and a ``RedisLimits`` on one connection, for a client::

        async with redis_stores(url) as stores:
            client = Client(auth, session_store=stores.session_store, limits=stores.limits)

    See ``RedisSessionStore`` and ``RedisLimits`` for the arguments.
    """

    def __init__(
        self,
        url: str,
        *,
        lease: float = DEFAULT_LEASE,
        session_ttl: float = DEFAULT_SESSION_TTL,
        fallback: bool = False,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._redis = _Connection(
            url, prefix=prefix, timeout=timeout, lease=lease, fallback=fallback
        )
        self.session_store = RedisSessionStore._on(self._redis, session_ttl)
        self.limits = RedisLimits._on(self._redis)

    def __repr__(self) -> str:
        return f"<RedisStores url={self._redis.safe_url!r} prefix={self._redis.prefix!r}>"

    @property
    def fell_back(self) -> bool:
        """Whether Redis was unreachable and the stores are now this process's own."""
        return self._redis.fell_back

    async def ping(self) -> None:
        """Check that Redis answers (or fall back, if allowed), before the first call."""
        await self._redis.ping()

    async def aclose(self) -> None:
        """Close this event loop's connections to Redis. Idempotent."""
        await self._redis.aclose()

    async def __aenter__(self) -> RedisStores:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def redis_stores(
    url: str,
    *,
    lease: float = DEFAULT_LEASE,
    session_ttl: float = DEFAULT_SESSION_TTL,
    fallback: bool = False,
    prefix: str = DEFAULT_PREFIX,
    timeout: float = DEFAULT_TIMEOUT,
) -> RedisStores:
    """Sessions and limits shared through the Redis at ``url`` (see the module docstring)."""
    return RedisStores(
        url,
        lease=lease,
        session_ttl=session_ttl,
        fallback=fallback,
        prefix=prefix,
        timeout=timeout,
    )
