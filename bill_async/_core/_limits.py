"""BILL's limits, kept on the client side so that calls do not trip them.

- The governor: at most ``max_in_flight`` (3 by default) requests in flight per (devKey,
  organization), shared by every client of the process with that key. When BILL still answers
  BDC_1322 (another process is using the same key), it lowers its own limit and raises it again
  one step a second while no other refusal comes.
- Hourly budgets per devKey: 20,000 requests and 200 logins in each clock hour (BILL counts from
  the top of the hour). A call that would go over is refused before sending.

Both live behind a ``LimitStore``: ``InProcessLimits`` (the default) keeps them in this process;
other stores (Redis, for several processes) plug in the same way.
"""

from __future__ import annotations

import abc
import asyncio
import datetime as _dt
import math
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

import anyio
import attrs
import sniffio

__all__ = [
    "DEFAULT_HOURLY_LOGINS",
    "DEFAULT_HOURLY_REQUESTS",
    "DEFAULT_MAX_IN_FLIGHT",
    "Budget",
    "Governor",
    "HourlyBudget",
    "InProcessLimits",
    "LimitStore",
    "Limits",
    "LocalGovernor",
    "WindowBudget",
    "current_loop",
    "top_of_next_hour",
]

DEFAULT_MAX_IN_FLIGHT = 3
DEFAULT_HOURLY_REQUESTS = 20_000
DEFAULT_HOURLY_LOGINS = 200


def current_loop() -> object:
    """The running event loop (asyncio) or run (trio): what anyio primitives are bound to."""
    library = sniffio.current_async_library()
    if library == "asyncio":
        return asyncio.get_running_loop()
    if library == "trio":
        import trio

        return trio.lowlevel.current_root_task()
    raise RuntimeError(f"bill_async does not support the {library!r} event loop")


def top_of_next_hour(now: float) -> _dt.datetime:
    """The UTC start of the hour after the POSIX time ``now``: when BILL's hourly counts reset."""
    return _dt.datetime.fromtimestamp((math.floor(now / 3600) + 1) * 3600, _dt.UTC)


@attrs.frozen
class Limits:
    """A snapshot of the limits as the client sees them (``client.limits``)."""

    in_flight: int
    max_in_flight: int
    requests_used: int
    requests_remaining: int
    logins_used: int
    logins_remaining: int
    reset_at: _dt.datetime


class Governor(abc.ABC):
    """Admits at most a number of requests at once for one (devKey, organization)."""

    @abc.abstractmethod
    def slot(self) -> Any:
        """An async context manager that holds one slot while its body runs."""

    @abc.abstractmethod
    def refused(self) -> None:
        """BILL answered BDC_1322 although this governor admitted the request (reported after
        the request gave its slot back)."""

    @abc.abstractmethod
    def succeeded(self) -> None:
        """A request admitted by this governor got an answer other than BDC_1322."""

    @property
    @abc.abstractmethod
    def in_flight(self) -> int:
        """Requests holding a slot now (as far as this process knows)."""

    @property
    @abc.abstractmethod
    def limit(self) -> int:
        """The most requests this governor lets in at once now."""


class LocalGovernor(Governor):
    """The in-process governor: an anyio capacity limiter whose size adapts to BDC_1322.

    A refusal lowers the limit below what was in flight; it climbs back one step per
    ``RECOVER_STEP`` seconds without another refusal, by ``clock`` (monotonic seconds)."""

    # Time, not answered calls: counting answers (20 a step, as before) left the limit low for
    # as long as calls were slow, few or cancelled (3 calls of 0.5 s took 1.5 s instead of
    # 0.5 s long after the refusals had stopped). From 1 back to 3 takes 2 s.
    RECOVER_STEP = 1.0

    def __init__(self, max_in_flight: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_in_flight
        self._limiter = anyio.CapacityLimiter(max_in_flight)
        self._clock = clock
        self._moved_at = 0.0  # when the limit was last lowered or raised a step

    def slot(self) -> _Slot:
        self._recover()
        return _Slot(self._limiter)

    def refused(self) -> None:
        # The refused call's slot is already given back: with it, this many were in flight.
        in_flight = self._limiter.borrowed_tokens + 1
        lowered = max(1, min(int(self._limiter.total_tokens), in_flight) - 1)
        self._limiter.total_tokens = lowered
        self._moved_at = self._clock()

    def succeeded(self) -> None:
        self._recover()

    def _recover(self) -> None:
        """Raise the limit by the steps due since it last moved (waking that many waiters)."""
        total = int(self._limiter.total_tokens)
        if total >= self._max:
            return
        steps = int((self._clock() - self._moved_at) / self.RECOVER_STEP)
        if steps > 0:
            self._limiter.total_tokens = min(self._max, total + steps)
            self._moved_at += steps * self.RECOVER_STEP

    @property
    def in_flight(self) -> int:
        return self._limiter.borrowed_tokens

    @property
    def limit(self) -> int:
        self._recover()
        return int(self._limiter.total_tokens)


class _Slot:
    """One slot of a ``LocalGovernor``, held while the body runs. A class rather than a
    generator, and no checkpoint of its own when a slot is free: the request it admits is one."""

    __slots__ = ("_borrower", "_limiter")

    def __init__(self, limiter: anyio.CapacityLimiter) -> None:
        self._limiter = limiter
        self._borrower = object()

    async def __aenter__(self) -> None:
        try:
            self._limiter.acquire_on_behalf_of_nowait(self._borrower)
        except anyio.WouldBlock:
            await self._limiter.acquire_on_behalf_of(self._borrower)

    async def __aexit__(self, *exc_info: object) -> None:
        self._limiter.release_on_behalf_of(self._borrower)


class Budget(abc.ABC):
    """An hourly count per devKey, aligned to the clock hour."""

    @abc.abstractmethod
    async def take(self, now: float) -> bool:
        """Count one request at POSIX time ``now``; False (and nothing counted) if spent."""

    @abc.abstractmethod
    async def exhaust(self, now: float) -> None:
        """BILL says the limit is reached: treat the budget as spent until the hour ends."""

    @abc.abstractmethod
    def used(self, now: float) -> int:
        """How many were counted in the hour holding ``now``, as this process last saw it."""

    @property
    @abc.abstractmethod
    def limit(self) -> int:
        """The most per hour."""


class HourlyBudget(Budget):
    """The in-process hourly budget."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._hour = -1
        self._used = 0

    def _roll(self, now: float) -> None:
        hour = math.floor(now / 3600)
        if hour != self._hour:
            self._hour, self._used = hour, 0

    async def take(self, now: float) -> bool:
        self._roll(now)
        if self._used >= self._limit:
            return False
        self._used += 1
        return True

    async def exhaust(self, now: float) -> None:
        self._roll(now)
        self._used = max(self._used, self._limit)

    def used(self, now: float) -> int:
        self._roll(now)
        return self._used

    @property
    def limit(self) -> int:
        return self._limit


class LimitStore(abc.ABC):
    """Where governors and budgets live; keys never contain a secret (devKeys are fingerprinted)."""

    @abc.abstractmethod
    def governor(self, key: str, max_in_flight: int) -> Governor:
        """The governor for ``key`` (a devKey fingerprint and an org id)."""

    @abc.abstractmethod
    def budget(self, key: str, limit: int) -> Budget:
        """The hourly budget for ``key`` (a devKey fingerprint and what it counts)."""

    def window_budget(self, key: str, limit: int, seconds: float) -> WindowBudget:
        """At most ``limit`` in any ``seconds`` for ``key`` (v3's 5 a minute for calls that text
        or email someone). Kept in this process unless a store overrides it."""
        budgets = _WINDOW_BUDGETS.setdefault(self, {})
        budget = budgets.get(key)
        if budget is None:
            budget = budgets[key] = WindowBudget(limit, seconds)
        return budget


class WindowBudget:
    """At most ``limit`` takes in any ``seconds``: a sliding window of their times."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._taken: deque[float] = deque()

    def _forget(self, now: float) -> None:
        while self._taken and self._taken[0] <= now - self.seconds:
            self._taken.popleft()

    def take(self, now: float) -> float:
        """Count one at ``now`` and return 0, or return the seconds until one may be taken."""
        self._forget(now)
        if len(self._taken) < self.limit:
            self._taken.append(now)
            return 0.0
        return self._taken[0] + self.seconds - now

    def used(self, now: float) -> int:
        self._forget(now)
        return len(self._taken)


_WINDOW_BUDGETS: weakref.WeakKeyDictionary[LimitStore, dict[str, WindowBudget]] = (
    weakref.WeakKeyDictionary()
)


class InProcessLimits(LimitStore):
    """Limits shared by every client of this process (the default store).

    Governors are per event loop as well, since anyio's primitives belong to one loop.
    ``clock`` (monotonic seconds) times the governors' recovery after BDC_1322.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._governors: weakref.WeakKeyDictionary[object, dict[str, Governor]] = (
            weakref.WeakKeyDictionary()
        )
        self._budgets: dict[str, Budget] = {}

    def governor(self, key: str, max_in_flight: int) -> Governor:
        # The first client for a key sets its limit; later ones share that governor.
        per_loop = self._governors.setdefault(current_loop(), {})
        governor = per_loop.get(key)
        if governor is None:
            governor = per_loop[key] = LocalGovernor(max_in_flight, clock=self._clock)
        return governor

    def budget(self, key: str, limit: int) -> Budget:
        # One count per devKey and kind, whatever limit each client names: the first one sets it.
        budget = self._budgets.get(key)
        if budget is None:
            budget = self._budgets[key] = HourlyBudget(limit)
        return budget


# The process-wide default: every client that is not given a store shares these limits.
PROCESS_LIMITS: LimitStore = InProcessLimits()
