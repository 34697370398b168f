"""The Redis connection the stores share: one client per event loop, the scripts, the errors,
the fall-back switch and the lease keepers."""

from __future__ import annotations

import asyncio
import logging
import random
import urllib.parse
import warnings
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

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


class Connection:
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
        loop = asyncio_loop()
        entry = self._clients.get(loop)
        if entry is None:
            client = aioredis.Redis.from_url(
                self._url,
                decode_responses=True,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
            )
            scripts = {name: client.register_script(text) for name, text in SCRIPTS.items()}
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


def jittered(delay: float) -> float:
    return delay * random.uniform(0.5, 1.0)


async def shielded(pending: Awaitable[T], within: float) -> T | None:
    """Await ``pending`` even if the caller is cancelled meanwhile (but no longer than
    ``within`` seconds): a slot or a lock taken or given back must be known to its holder."""
    with anyio.move_on_after(within, shield=True):
        return await pending
    return None
