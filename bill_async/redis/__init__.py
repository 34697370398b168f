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

Load. Each Redis command holds a pooled connection only while it runs, and calls queue for the
``max_connections`` (32 per event loop) instead of failing: a thousand concurrent calls per
process are served.

Redis unreachable. A restart or a failover is waited out: the calls that need Redis wait for it
to answer again, up to ``outage_wait`` seconds (10), and nothing is sent to BILL without its slot
meanwhile. Past that, every operation that needs Redis raises ``RedisUnavailableError``: without
Redis the fleet cannot keep to BILL's limits. With ``fallback=True`` the stores switch instead to
in-process sessions and limits, with a ``RuntimeWarning`` and a log warning, and back to Redis
as soon as it answers again: meanwhile each process counts only its own calls (BDC_1322 answers
make it lower its own limit). A command Redis refuses (wrong credentials, a script error, out of
memory) raises ``RedisStoreError`` at once.

redis-py's asyncio client runs on asyncio only: under trio these stores raise
``ClientStateError``. Keys start with ``prefix`` (``bill_async``) and name devKeys only by their
fingerprints; the stored session id is a secret and is never logged or shown.
"""

from __future__ import annotations

from ._connection import DEFAULT_LEASE as DEFAULT_LEASE
from ._connection import DEFAULT_MAX_CONNECTIONS as DEFAULT_MAX_CONNECTIONS
from ._connection import DEFAULT_OUTAGE_WAIT as DEFAULT_OUTAGE_WAIT
from ._connection import DEFAULT_PREFIX as DEFAULT_PREFIX
from ._connection import DEFAULT_REDIS_TIMEOUT as DEFAULT_REDIS_TIMEOUT
from ._connection import DEFAULT_SESSION_TTL as DEFAULT_SESSION_TTL
from ._connection import RedisStoreError as RedisStoreError
from ._connection import RedisUnavailableError as RedisUnavailableError
from ._events import RedisEventStore as RedisEventStore
from ._limits import REFUSAL_COOLDOWN as REFUSAL_COOLDOWN
from ._limits import RedisBudget as RedisBudget
from ._limits import RedisGovernor as RedisGovernor
from ._limits import RedisLimits as RedisLimits
from ._sessions import RedisSessionStore as RedisSessionStore
from ._stores import RedisStores as RedisStores
from ._stores import redis_stores as redis_stores

__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_OUTAGE_WAIT",
    "DEFAULT_PREFIX",
    "DEFAULT_REDIS_TIMEOUT",
    "DEFAULT_SESSION_TTL",
    "REFUSAL_COOLDOWN",
    "RedisBudget",
    "RedisEventStore",
    "RedisGovernor",
    "RedisLimits",
    "RedisSessionStore",
    "RedisStoreError",
    "RedisStores",
    "RedisUnavailableError",
    "redis_stores",
]
