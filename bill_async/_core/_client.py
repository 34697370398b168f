"""What every API's client is, whatever its dialect: a life cycle, clients for other
organizations and with other options, sessions and limits. ``bill_async.Client`` (v2) adds its
generated groups and calls by path on top.
"""

from __future__ import annotations

import contextlib
import logging
import random as _random_module
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Self

import httpx

from .._transports._base import DEFAULT_TIMEOUT
from .._transports._sender import Sender, default_transport
from ._auth import AuthStrategy
from ._dialect import Dialect
from ._hooks import CAPTURED, EventHook, Hooks, RawResponse
from ._limits import (
    DEFAULT_HOURLY_LOGINS,
    DEFAULT_HOURLY_REQUESTS,
    DEFAULT_MAX_IN_FLIGHT,
    PROCESS_LIMITS,
    Limits,
    LimitStore,
    current_loop,
)
from ._pipeline import Pipeline, Settings, Shared
from ._redact import mask_cookies_in_httpcore_logs
from ._retry import RetryPolicy
from ._sessions import SessionManager, SessionStore

__all__ = ["BaseClient"]

logger = logging.getLogger("bill_async")


class BaseClient:
    """A client over one dialect: see ``bill_async.Client`` for the arguments."""

    _pipeline: Pipeline
    _parent: Self | None  # the client this one was made from (for_org, with_options)
    _org_clients: dict[str, Self]

    def __init__(
        self,
        auth: AuthStrategy,
        dialect: Dialect,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        hourly_requests: int = DEFAULT_HOURLY_REQUESTS,
        hourly_logins: int = DEFAULT_HOURLY_LOGINS,
        limits: LimitStore | None = None,
        session_store: SessionStore | None = None,
        event_hooks: Mapping[str, Sequence[EventHook]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        random: _random_module.Random | None = None,
    ) -> None:
        if not isinstance(auth, AuthStrategy):
            raise TypeError("auth must be an AuthStrategy such as CredentialLogin or TokenLogin")
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        mask_cookies_in_httpcore_logs()  # BILL's Login sets a session cookie
        timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        settings = Settings(
            retry=retry if retry is not None else RetryPolicy(),
            limit_store=limits if limits is not None else PROCESS_LIMITS,
            session_store=session_store,
            max_in_flight=max_in_flight,
            hourly_requests=hourly_requests,
            hourly_logins=hourly_logins,
            hooks=Hooks(event_hooks),
            clock=clock,
            wall_clock=wall_clock,
            rng=random if random is not None else _random_module.Random(),
        )
        sender = Sender(transport if transport is not None else default_transport(), timeout)
        self._bind(Pipeline(auth, dialect, Shared(settings, sender)), parent=None)

    def _bind(self, pipeline: Pipeline, parent: Self | None) -> None:
        """Make this client the face of ``pipeline`` (subclasses add what they build on it)."""
        self._pipeline = pipeline
        self._parent = parent
        self._org_clients = {}

    def _derived(self, pipeline: Pipeline) -> Self:
        """A client of the same class on ``pipeline``, in this client's family."""
        clone = object.__new__(type(self))
        clone._bind(pipeline, parent=self._parent or self)
        return clone

    def __repr__(self) -> str:
        pipeline = self._pipeline
        closed = " closed" if pipeline.shared.closed else ""
        return (
            f"<bill_async.{type(self).__name__} org={pipeline.auth.org_id}"
            f" api={pipeline.dialect.api} auth={type(pipeline.auth).__name__}{closed}>"
        )

    # -- life cycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._pipeline.shared.check_usable()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self, *, logout: bool = False) -> None:
        """Close the connection pool. Idempotent. The session is not logged out unless asked,
        since other workers may share it."""
        if self._parent is not None:
            # A client for another org shares its parent's pool: closing it only forgets it.
            if logout:
                await self.logout()
            return
        shared = self._pipeline.shared
        if shared.closed:
            return
        if shared.loop is not None and shared.loop is not current_loop():
            # Its connections belong to a loop that is gone or elsewhere; closing them from here
            # would fail with "Event loop is closed". They are dropped with that loop.
            shared.closed = True
            logger.warning("closed a bill_async client from another event loop than its own")
            return
        try:
            if logout:
                await self.logout()
        finally:
            shared.closed = True
            await shared.sender.aclose()

    @property
    def is_closed(self) -> bool:
        return self._pipeline.shared.closed

    # -- other organizations, options --------------------------------------------------------

    @property
    def org_id(self) -> str:
        return self._pipeline.auth.org_id

    @property
    def auth(self) -> AuthStrategy:
        return self._pipeline.auth

    def for_org(self, org_id: str) -> Self:
        """A client for another organization: the same sign-in and connection pool, its own
        session and its own governor slots. The same client comes back for the same org."""
        if org_id == self.org_id:
            return self
        root = self._parent or self
        child = root._org_clients.get(org_id)
        if child is None:
            pipeline = root._pipeline
            child = root._org_clients[org_id] = root._derived(
                Pipeline(pipeline.auth.for_org(org_id), pipeline.dialect, pipeline.shared)
            )
        mine = self._pipeline
        if mine.retry is root._pipeline.retry and mine.timeout is root._pipeline.timeout:
            return child
        return child._derived(child._pipeline.with_options(retry=mine.retry, timeout=mine.timeout))

    def with_options(
        self,
        *,
        retry: RetryPolicy | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Self:
        """This client with another retry policy or timeout for its calls, sharing its session,
        pool and limits: ``await client.with_options(timeout=5).vendors.read(id)``."""
        if timeout is not None and not isinstance(timeout, httpx.Timeout):
            timeout = httpx.Timeout(timeout)
        return self._derived(self._pipeline.with_options(retry=retry, timeout=timeout))

    @contextlib.contextmanager
    def raw_responses(self) -> Iterator[list[RawResponse]]:
        """Collect every answer of the calls made inside the block, as it came, for debugging::

            with client.raw_responses() as answers:
                vendor = await client.vendors.read(vendor_id)
            print(answers[-1].status_code, answers[-1].headers, answers[-1].body)

        A ``RawResponse`` per answer (retries included) of this task and of the tasks it starts
        inside the block: the status, the headers and the body as parsed, secrets masked."""
        collected: list[RawResponse] = []
        token = CAPTURED.set(collected)
        try:
            yield collected
        finally:
            CAPTURED.reset(token)

    # -- sessions and limits -----------------------------------------------------------------

    @property
    def limits(self) -> Limits:
        """In flight for this organization, and this hour's use of the devKey's budgets."""
        return self._pipeline.limits()

    @property
    def requests_sent(self) -> int:
        """Requests this client family has sent (every attempt, sign-ins included)."""
        return self._pipeline.shared.requests_sent

    @property
    def logins(self) -> int:
        """Sign-ins this client family has made (a session adopted from a store is none)."""
        return self._pipeline.shared.logins

    @property
    def session_manager(self) -> SessionManager:
        """The session manager of this client's organization (for inspection)."""
        return self._pipeline.sessions

    async def login(self) -> None:
        """Sign in now rather than at the first call (for example to check credentials).

        After BILL refused the credentials (``AuthenticationError``), calls raise that error
        again without signing in; ``login()`` tries once more."""
        await self._pipeline.sign_in()

    async def logout(self) -> None:
        """End the current session. With none open, nothing is sent. The client never does
        this on its own."""
        pipeline = self._pipeline
        dialect = pipeline.dialect
        call = dialect.sign_out_call(pipeline.auth.credentials())
        await pipeline.request(dialect.sign_out, call)
