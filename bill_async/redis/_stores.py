"""Both Redis stores on one connection."""

from __future__ import annotations

from ._connection import (
    DEFAULT_LEASE,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_OUTAGE_WAIT,
    DEFAULT_PREFIX,
    DEFAULT_REDIS_TIMEOUT,
    DEFAULT_SESSION_TTL,
    Connection,
)
from ._limits import RedisLimits
from ._sessions import RedisSessionStore

__all__ = ["RedisStores", "redis_stores"]


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
        timeout: float = DEFAULT_REDIS_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        outage_wait: float = DEFAULT_OUTAGE_WAIT,
    ) -> None:
        self._redis = Connection(
            url,
            prefix=prefix,
            timeout=timeout,
            lease=lease,
            fallback=fallback,
            max_connections=max_connections,
            outage_wait=outage_wait,
        )
        self.session_store = RedisSessionStore._on(self._redis, session_ttl)
        self.limits = RedisLimits._on(self._redis)

    def __repr__(self) -> str:
        return f"<RedisStores url={self._redis.safe_url!r} prefix={self._redis.prefix!r}>"

    @property
    def fell_back(self) -> bool:
        """Whether Redis is unreachable and the stores are this process's own for now."""
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
    timeout: float = DEFAULT_REDIS_TIMEOUT,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    outage_wait: float = DEFAULT_OUTAGE_WAIT,
) -> RedisStores:
    """Sessions and limits shared through the Redis at ``url`` (see the module docstring)."""
    return RedisStores(
        url,
        lease=lease,
        session_ttl=session_ttl,
        fallback=fallback,
        prefix=prefix,
        timeout=timeout,
        max_connections=max_connections,
        outage_wait=outage_wait,
    )
