"""``bill_async.Client``: the client for BILL v2.

Its groups (``client.vendors``, ``client.bills``, ...) are generated from the endpoint table and
reach BILL only through the ``Requester`` seam; everything a request goes through is the
pipeline's (``_core._pipeline``), in v2's dialect (``_dialect``).
"""

from __future__ import annotations

import os
import random as _random_module
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self

import httpx

from .._core._auth import AuthStrategy, CredentialLogin, auth_from_env
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
from ._dialect import PRODUCTION_URL, SANDBOX_URL, V2Dialect, list_orgs_fields
from ._endpoints import ENDPOINTS_BY_PATH, Endpoint, Shape
from ._groups import GeneratedGroups
from ._permissions import check_path, rule_for_path
from ._requester import V2Requester

__all__ = ["PRODUCTION_URL", "SANDBOX_URL", "Client", "OrgInfo", "list_orgs"]

_LIST_ORGS = ENDPOINTS_BY_PATH["ListOrgs.json"]


class OrgInfo(dict[str, str]):
    """One organization from ListOrgs.json: ``{"orgId": ..., "orgName": ...}``."""

    @property
    def org_id(self) -> str:
        return self["orgId"]

    @property
    def org_name(self) -> str:
        return self.get("orgName", "")


class Client(GeneratedGroups, BaseClient):
    """An async client for the BILL v2 API.

    Args:
        auth: how to sign in: ``CredentialLogin(...)`` or ``TokenLogin(...)``.
        base_url: ``PRODUCTION_URL`` (the default), ``SANDBOX_URL``, or an emulator's URL.
        transport: any ``httpx.AsyncBaseTransport`` (respx, ``httpx.MockTransport``, an ASGI app,
            ``AiohttpTransport``). The default is a pool of up to 100 connections that the client
            owns and closes; a transport passed in is closed by the client too.
        timeout: seconds, or an ``httpx.Timeout`` for each phase.
        retry: the ``RetryPolicy`` (see ``RetryPolicy`` for what is retried).
        max_in_flight: requests in flight per (devKey, organization); BILL allows 3.
        hourly_requests: the hourly request budget per devKey (BILL: 20,000).
        hourly_logins: the hourly login budget per devKey (BILL: 200, ListOrgs included).
        limits: where governors and budgets live; by default they are shared in the process.
        session_store: where sessions are shared (``InProcessSessionStore``, or Redis for a fleet
            of workers); by default each client keeps its own.
        event_hooks: ``{"request": [...], "response": [...], "retry": [...]}``: callables
            (plain or async) given a ``CallEvent`` for each attempt.
        clock: monotonic seconds, for deadlines and backoff.
        wall_clock: POSIX seconds, for BILL's clock hours.
        random: the source of backoff jitter.

    Use it as ``async with Client(...) as client:``; ``aclose()`` may be called any number of
    times. One client serves any number of concurrent tasks on its event loop.
    """

    _requester: V2Requester

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
            V2Dialect(base_url),
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
        """A client for the sign-in the ``BILL_*`` variables describe, as the ``bill-async``
        command reads them: ``BILL_DEV_KEY``, ``BILL_ORG_ID``, and ``BILL_USER_NAME`` with
        ``BILL_PASSWORD`` or ``BILL_TOKEN_NAME`` with ``BILL_TOKEN_VALUE``; ``BILL_BASE_URL``
        (production by default). ``env`` defaults to ``os.environ``; ``options`` are the
        constructor's keyword arguments.

        Raises:
            ConfigurationError: the variables name no sign-in, or an incomplete or
                contradictory one (the message names what to set).
        """
        env = os.environ if env is None else env
        auth = auth_from_env(env)
        if auth is None:
            raise ConfigurationError(
                "no BILL credentials in the environment: set BILL_DEV_KEY, BILL_ORG_ID and "
                "BILL_USER_NAME/BILL_PASSWORD (or BILL_TOKEN_NAME/BILL_TOKEN_VALUE)"
            )
        options.setdefault("base_url", env.get("BILL_BASE_URL") or PRODUCTION_URL)
        return cls(auth, **options)

    def _bind(self, pipeline: Pipeline, parent: Self | None) -> None:
        super()._bind(pipeline, parent)
        dialect = pipeline.dialect
        assert isinstance(dialect, V2Dialect)
        self._dialect = dialect
        self._requester = V2Requester(pipeline, dialect)

    async def list_orgs(self) -> list[OrgInfo]:
        """The organizations the sign-in's user can reach (ListOrgs.json; needs no session).

        With a token sign-in, BILL lists only the token's organization."""
        pipeline = self._pipeline
        call = self._dialect.form_call(_LIST_ORGS, list_orgs_fields(pipeline.auth.credentials()))
        data = await pipeline.request(_LIST_ORGS, call)
        return [OrgInfo(item) for item in data or ()]

    async def call(
        self,
        path: str,
        data: Mapping[str, Any] | None = None,
        *,
        retry: RetryPolicy | None = None,
    ) -> Any:
        """Call any operation by its path (``"Crud/Read/Vendor.json"``) and return the decoded
        ``response_data``, through the same pipeline as the generated methods. Operations
        missing from the table are sent as writes (never sent again after an ambiguous
        failure) that a token session may call, unless a family rule forbids them (user and
        approver writes). A path not in canonical form (percent-encoding, ``.`` or ``..``
        segments, another spelling of a table path) raises ``InvalidRequestError``: the
        permission map must see the path BILL runs."""
        endpoint = ENDPOINTS_BY_PATH.get(path)
        if endpoint is None:
            check_path(path)
            endpoint = Endpoint(
                path, "call", "call", Kind.WRITE, Shape.DATA, None, token_rule=rule_for_path(path)
            )
        if endpoint.shape is Shape.FORM:
            raise InvalidRequestError(
                f"{path} takes no data: use client.login() or client.list_orgs()"
            )
        return await self._requester.send(endpoint, data, policy=retry)


async def list_orgs(
    *,
    dev_key: str,
    user_name: str,
    password: str,
    base_url: str = PRODUCTION_URL,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[OrgInfo]:
    """ListOrgs.json without a client: the organizations a user can reach, by user name and
    password (a token reaches one organization, its own)."""
    auth = CredentialLogin(user_name, password, "", dev_key)
    async with Client(auth, base_url=base_url, transport=transport) as client:
        return await client.list_orgs()
