"""The Redis connection the stores share: one client per event loop, the scripts, the errors,
waiting out an outage, the fall-back switch and the lease keepers.

Load. A call of the client makes a few Redis commands (its budget, its slot, giving the slot
back), each on a pooled connection held only while the command runs: calls that wait (for a
slot, for a free connection) hold none, but for the one task per governor that waits in
``BLPOP``, on a pool of its own. Each pool is a blocking one of ``max_connections``, so that a
thousand concurrent calls queue for connections instead of failing: redis-py's default pool
raises at its 101st connection, which read as Redis being down while it was healthy.

Outages. Redis that cannot be reached (refused, timed out, still loading after a restart) is an
outage, not an error: the commands that need it wait for it, up to ``outage_wait`` seconds,
while one task per event loop pings it, and go on when it answers. Nothing is sent to BILL
meanwhile without its slot. An outage longer than that raises ``RedisUnavailableError``, or,
with the fallback chosen, switches to in-process stores until a ping answers again. A command
Redis refuses (a script error, out of memory, a read-only replica, wrong credentials) is a
``RedisStoreError`` at once: waiting would not change the answer.
"""

from __future__ import annotations

import asyncio
import logging
import random
import urllib.parse
import warnings
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NamedTuple, TypeVar

import anyio
import sniffio

from .._core._limits import InProcessLimits
from .._core._sessions import InProcessSessionStore
from .._exceptions import BillError, ClientStateError
from ._scripts import SCRIPTS

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
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_OUTAGE_WAIT",
    "DEFAULT_PREFIX",
    "DEFAULT_SESSION_TTL",
    "DEFAULT_REDIS_TIMEOUT",
    "Connection",
    "RedisStoreError",
    "RedisUnavailableError",
    "asyncio_loop",
    "jittered",
    "safe_url",
    "shielded",
]

logger = logging.getLogger("bill_async.redis")

DEFAULT_LEASE = 30.0
DEFAULT_PREFIX = "bill_async"
DEFAULT_REDIS_TIMEOUT = 5.0
DEFAULT_SESSION_TTL = 3600.0
# Connections per event loop, in each of two pools: one for commands, each holding one only while
# it runs (well under a millisecond on a nearby Redis), and one for the task per governor that
# waits in BLPOP. 3 workers x 400 concurrent calls ran on 32 with no call failing; Redis serves
# 10,000 clients by default.
DEFAULT_MAX_CONNECTIONS = 32
# Seconds the commands wait for an unreachable Redis: a restart or a failover takes a few.
DEFAULT_OUTAGE_WAIT = 10.0

# While Redis is unreachable, a ping at most this often (seconds), backing off from the first.
_PROBE = (0.05, 0.5)
# With the fallback on, whether Redis is back is asked this often (seconds).
_RECHECK = 1.0

T = TypeVar("T")


class RedisStoreError(BillError):
    """Redis failed to answer one of the stores' operations (``.url`` names the server)."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class RedisUnavailableError(RedisStoreError):
    """Redis could not be reached (connection refused or timed out)."""


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


def asyncio_loop() -> asyncio.AbstractEventLoop:
    library = sniffio.current_async_library()
    if library != "asyncio":
        raise ClientStateError(
            f"bill_async.redis runs on asyncio only (redis-py's asyncio client), not on {library}"
        )
    return asyncio.get_running_loop()


class _Clients(NamedTuple):
    """One event loop's Redis clients: for commands (with the scripts), and for waits."""

    commands: aioredis.Redis
    scripts: dict[str, Any]
    waits: aioredis.Redis


class _Outage:
    """Redis unreachable, as one event loop sees it: ended by the first ping it answers."""

    def __init__(self, error: RedisUnavailableError) -> None:
        self.error = error
        self.over = asyncio.Event()


class Connection:
    """One Redis client per event loop (redis-py's connections belong to one loop), the
    scripts, the outage and fallback switches, and the lease keepers."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str,
        timeout: float,
        lease: float,
        fallback: bool,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        outage_wait: float = DEFAULT_OUTAGE_WAIT,
    ) -> None:
        if lease <= 0:
            raise ValueError("lease must be positive")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if max_connections < 2:
            raise ValueError("max_connections must be at least 2 (one may wait in BLPOP)")
        if outage_wait < 0:
            raise ValueError("outage_wait must be 0 or more")
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
        self.max_connections = max_connections
        self.outage_wait = outage_wait
        self.fell_back = False
        self.local_limits = InProcessLimits()
        self.local_sessions = InProcessSessionStore()
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Clients] = (
            weakref.WeakKeyDictionary()
        )
        self._outages: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Outage] = (
            weakref.WeakKeyDictionary()
        )
        self._keepers: set[asyncio.Task[None]] = set()

    def _client(self, blocking: bool = False) -> tuple[aioredis.Redis, dict[str, Any]]:
        """This loop's client for commands, or (``blocking``) for waits in ``BLPOP``: a pool
        of their own, so that governors waiting for slots never hold the connections the
        other commands need."""
        loop = asyncio_loop()
        clients = self._clients.get(loop)
        if clients is None:
            # Waiting for a free connection is queueing, not an outage: only a Redis too slow
            # to free one within the command timeout counts as unreachable. A governor waits
            # for a connection to wait in as long as it takes: each wait is a quarter second.
            commands = self._new_client(pool_wait=self.timeout)
            scripts = {name: commands.register_script(text) for name, text in SCRIPTS.items()}
            waits = self._new_client(pool_wait=None)
            clients = self._clients[loop] = _Clients(commands, scripts, waits)
        return (clients.waits if blocking else clients.commands), clients.scripts

    def _new_client(self, pool_wait: float | None) -> aioredis.Redis:
        pool = aioredis.BlockingConnectionPool.from_url(
            self._url,
            max_connections=self.max_connections,
            timeout=pool_wait,
            decode_responses=True,
            socket_timeout=self.timeout,
            socket_connect_timeout=self.timeout,
        )
        return aioredis.Redis.from_pool(pool)

    async def script(
        self, name: str, keys: list[str], args: list[Any], *, wait: bool = True
    ) -> Any:
        """Run one of the scripts; Redis' failures become ``RedisStoreError``\\ s. With
        ``wait``, an outage is waited out (``outage_wait``) before ``RedisUnavailableError``."""

        def run(client: aioredis.Redis, scripts: dict[str, Any]) -> Awaitable[Any]:
            return scripts[name](keys=keys, args=args, client=client)  # type: ignore[no-any-return]

        return await self._through_outages(run, wait)

    async def command(
        self,
        call: Callable[[aioredis.Redis], Awaitable[T]],
        *,
        wait: bool = True,
        blocking: bool = False,
    ) -> T:
        """Run ``call`` on this loop's client (``blocking``: on the one for ``BLPOP``)."""
        return await self._through_outages(lambda client, _: call(client), wait, blocking)

    async def _through_outages(
        self,
        make: Callable[[aioredis.Redis, dict[str, Any]], Awaitable[T]],
        wait: bool,
        blocking: bool = False,
    ) -> T:
        """Run ``make``'s command; while Redis is unreachable, wait for it (at most
        ``outage_wait`` seconds in all) and run it again."""
        outage = self._outages.get(asyncio_loop())
        if outage is None:
            try:
                return await self._once(make, blocking)
            except RedisUnavailableError as error:
                if not wait or not self.outage_wait:
                    raise
                outage = self._outage(error)
        elif not wait:
            raise outage.error
        try:
            async with asyncio.timeout(self.outage_wait):
                while True:
                    await outage.over.wait()
                    try:
                        return await self._once(make, blocking)
                    except RedisUnavailableError as error:
                        outage = self._outage(error)  # unreachable again: wait again
        except TimeoutError:
            raise RedisUnavailableError(
                f"{outage.error} (still, after waiting {self.outage_wait:g} s)", self.safe_url
            ) from outage.error

    async def _once(
        self,
        make: Callable[[aioredis.Redis, dict[str, Any]], Awaitable[T]],
        blocking: bool = False,
    ) -> T:
        client, scripts = self._client(blocking)
        return await self.run(make(client, scripts))

    async def available(self) -> None:
        """Wait until Redis answers again if this loop knows it does not (at most
        ``outage_wait`` seconds; then ``RedisUnavailableError``)."""
        outage = self._outages.get(asyncio_loop())
        if outage is None:
            return
        try:
            async with asyncio.timeout(self.outage_wait):
                await outage.over.wait()
        except TimeoutError:
            raise RedisUnavailableError(
                f"{outage.error} (still, after waiting {self.outage_wait:g} s)", self.safe_url
            ) from outage.error

    def note_outage(self, error: RedisUnavailableError) -> None:
        """A command found Redis unreachable: ``available()`` waits for it from now on."""
        if self.outage_wait:
            self._outage(error)

    def _outage(self, error: RedisUnavailableError) -> _Outage:
        """The outage this loop is in, begun now if none is: one task pings Redis until it
        answers, and ends it."""
        loop = asyncio.get_running_loop()
        outage = self._outages.get(loop)
        if outage is None:
            outage = self._outages[loop] = _Outage(error)
            logger.warning("%s; waiting up to %g s for it", error, self.outage_wait)
            self._start(self._probe(outage), loop)
        return outage

    async def _probe(self, outage: _Outage) -> None:
        delay = _PROBE[0]
        while True:
            await asyncio.sleep(jittered(delay))
            try:
                await self._once(lambda client, _: client.ping())
            except RedisStoreError:
                delay = min(delay * 2, _PROBE[1])
                continue
            logger.warning("Redis at %s answers again", self.safe_url)
            self._outages.pop(asyncio.get_running_loop(), None)
            outage.over.set()
            return

    async def run(self, pending: Awaitable[T]) -> T:
        try:
            return await pending
        except redis_errors.AuthenticationError as error:
            raise RedisStoreError(
                f"Redis at {self.safe_url} refused: {error}", self.safe_url
            ) from error
        except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as error:
            # Refused, reset, timed out, still loading its data after a restart
            # (BusyLoadingError is a ConnectionError), or too slow to free a pooled connection
            # within the timeout: Redis is not there for us now.
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
        """Switch to the in-process stores, if allowed, until Redis answers again; otherwise
        raise ``error``."""
        if not self.fallback:
            raise error
        if self.fell_back:
            return
        self.fell_back = True
        message = (
            f"Redis at {self.safe_url} is unreachable: bill_async falls back to in-process "
            "sessions and limits until it answers again; meanwhile this process does not share "
            "BILL's limits with the fleet"
        )
        logger.warning("%s (%s)", message, error)
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        self._start(self._recheck(), asyncio.get_running_loop())

    async def _recheck(self) -> None:
        """While fallen back: ping Redis now and then; once it answers, share again."""
        while self.fell_back:
            await asyncio.sleep(jittered(_RECHECK))
            try:
                await self._once(lambda client, _: client.ping())
            except RedisStoreError:
                continue
            self.fell_back = False
            logger.warning(
                "Redis at %s answers again: sessions and limits are shared with the fleet again",
                self.safe_url,
            )

    def _start(self, work: Coroutine[Any, Any, None], loop: asyncio.AbstractEventLoop) -> None:
        task = loop.create_task(work)
        self._keepers.add(task)
        task.add_done_callback(self._keepers.discard)

    def keep(self, renew: Callable[[], Awaitable[bool]], what: str) -> asyncio.Task[None]:
        """Renew a lease every third of it until the task is cancelled (more often while Redis
        cannot be reached, so that a lease lost with a restart is taken again soon)."""

        async def keep_renewing() -> None:
            pause = self.lease / 3
            while True:
                await asyncio.sleep(pause)
                try:
                    alive = await renew()
                except RedisStoreError as error:
                    logger.warning("could not renew the lease of %s: %s", what, error)
                    pause = min(self.lease / 3, _PROBE[1])
                    continue
                pause = self.lease / 3
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
        self._outages.clear()
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for owner, clients in entries:
            if owner is loop:
                with anyio.CancelScope(shield=True):
                    await clients.commands.aclose()
                    await clients.waits.aclose()


def jittered(delay: float) -> float:
    return delay * random.uniform(0.5, 1.0)


async def shielded(pending: Awaitable[T], within: float) -> T | None:
    """Await ``pending`` even if the caller is cancelled meanwhile (but no longer than
    ``within`` seconds): a slot or a lock taken or given back must be known to its holder."""
    with anyio.move_on_after(within, shield=True):
        return await pending
    return None
