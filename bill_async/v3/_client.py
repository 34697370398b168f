"""``bill_async.v3.Client``: the client for BILL's v3 API, on the same core as v2's.

The same ``CredentialLogin`` and ``TokenLogin`` sign in; the governor and the hourly budgets are
shared with v2 clients of the same devKey (BILL counts them per devKey, whatever the API);
sessions are kept per API. Its groups (``client.vendors``, ``client.bills``, ...) are generated
from the v3 endpoint table.
"""

from __future__ import annotations

import os
import random as _random_module
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self

import httpx

from .._core._auth import AuthStrategy, auth_from_env
from .._core._client import BaseClient
from .._core._hooks import EventHook
from .._core._limits import (
    DEFAULT_HOURLY_LOGINS,
    DEFAULT_HOURLY_REQUESTS,
    DEFAULT_MAX_IN_FLIGHT,
    LimitStore,
)
from .._core._operation import Kind
from .._core._pipeline import Pipeline
from .._core._retry import RetryPolicy
from .._core._sessions import SessionStore
from .._exceptions import ConfigurationError, InvalidRequestError
from .._transports._base import DEFAULT_TIMEOUT
from ._dialect import PRODUCTION_URL, SANDBOX_URL, V3Dialect
from ._endpoints import OPERATIONS, Operation, Shape
from ._groups import GeneratedGroups
from ._requester import V3Requester

__all__ = ["PRODUCTION_URL", "SANDBOX_URL", "Client"]

# Each row's path as a pattern, to find the row of a concrete path ("/v3/vendors/009...").
_PATTERNS = [
    (re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(op.path)) + "$"), op)
    for op in OPERATIONS
]
_CANONICAL = re.compile(r"/v3(?:/[A-Za-z0-9_\-]+)+")
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def _row_of(method: str, path: str) -> tuple[Operation, tuple[str, ...]]:
    """The table's row for a concrete path, and the path's parameters; an ad hoc row (a write a
    token session may call) for a path the table lacks."""
    for pattern, op in _PATTERNS:
        if op.http == method and pattern.match(path):
            template, actual = op.path.split("/"), path.split("/")
            args = tuple(a for t, a in zip(template, actual, strict=True) if t.startswith("{"))
            return op, args
    kind = Kind.READ if method == "GET" else Kind.WRITE
    shape = Shape.GET if method == "GET" else Shape.BODY
    return Operation(method, path, "request", "request", kind, shape, None), ()


class Client(GeneratedGroups, BaseClient):
    """An async client for BILL's v3 API (JSON over REST).

    Args: as ``bill_async.Client``, with ``base_url`` ``PRODUCTION_URL`` (the default,
    ``https://gateway.prod.bill.com/connect``) or ``SANDBOX_URL``; the webhooks API is reached
    on the sibling root (``.../connect-events``).
    """

    _requester: V3Requester

    def __init__(
        self,
        auth: AuthStrategy,
        *,
        base_url: str = PRODUCTION_URL,
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
        super().__init__(
            auth,
            V3Dialect(base_url),
            transport=transport,
            timeout=timeout,
            retry=retry,
            max_in_flight=max_in_flight,
            hourly_requests=hourly_requests,
            hourly_logins=hourly_logins,
            limits=limits,
            session_store=session_store,
            event_hooks=event_hooks,
            clock=clock,
            wall_clock=wall_clock,
            random=random,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **options: Any) -> Self:
        """A client for the sign-in the ``BILL_*`` variables describe (as
        ``bill_async.Client.from_env``); ``BILL_V3_BASE_URL`` names the base (production by
        default). Raises ``ConfigurationError`` naming what to set."""
        env = os.environ if env is None else env
        auth = auth_from_env(env)
        if auth is None:
            raise ConfigurationError(
                "no BILL credentials in the environment: set BILL_DEV_KEY, BILL_ORG_ID and "
                "BILL_USER_NAME/BILL_PASSWORD (or BILL_TOKEN_NAME/BILL_TOKEN_VALUE)"
            )
        options.setdefault("base_url", env.get("BILL_V3_BASE_URL") or PRODUCTION_URL)
        return cls(auth, **options)

    def _bind(self, pipeline: Pipeline, parent: Self | None) -> None:
        super()._bind(pipeline, parent)
        dialect = pipeline.dialect
        assert isinstance(dialect, V3Dialect)
        self._dialect = dialect
        self._requester = V3Requester(pipeline, dialect)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        query: Mapping[str, Any] | None = None,
        retry: RetryPolicy | None = None,
    ) -> Any:
        """Call any v3 operation by its method and path (``"GET", "/v3/vendors/009..."``) and
        return its answer as BILL sent it, through the same pipeline as the generated methods.
        A path of the table keeps its row's facts (token permissions, MFA, retries); one the
        table lacks is sent as a write (never sent again after an ambiguous failure).

        The path must be in canonical form (``/v3/...``, no ``.`` or ``..`` segments, no
        percent-encoding): anything else is refused before the permission check."""
        method = method.upper()
        if method not in _METHODS:
            raise InvalidRequestError(f"{method!r} is not an HTTP method BILL's v3 API uses")
        if not isinstance(path, str) or not _CANONICAL.fullmatch(path):
            raise InvalidRequestError(f"{path!r} is not a v3 path in canonical form (/v3/...)")
        op, args = _row_of(method, path)
        return await self._requester.send(op, args, body=json, query=query, policy=retry)
