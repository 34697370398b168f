"""FastAPI support: one client per application, dependencies, and error handlers.

    from fastapi import Depends, FastAPI
    from bill_async.fastapi import BillClient, bill_lifespan, install_exception_handlers

    app = FastAPI(lifespan=bill_lifespan(lambda: bill_async.Client(auth)))
    install_exception_handlers(app)

    @app.get("/vendors/{vendor_id}")
    async def vendor(vendor_id: str, bill: BillClient) -> dict:
        return (await bill.vendors.read(vendor_id)).to_wire()

The lifespan opens one client (one connection pool, one session per organization) when the
application starts and closes it when it stops: no client per request, no pool that leaks, and no
"Event loop is closed". ``OrgClient`` hands a route the client for the ``org_id`` of its path or
query. Install with ``pip install 'bill-async[fastapi]'``.
"""

from __future__ import annotations

import datetime as _dt
import math
import time
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from ._exceptions import (
    AmbiguousWriteError,
    ApiError,
    AuthenticationError,
    BillError,
    ClientStateError,
    ConcurrencyLimitError,
    InvalidRequestError,
    MfaRequiredError,
    ProtocolError,
    RateLimitError,
    RequestTimeoutError,
    TokenPermissionError,
    TransportError,
)
from ._v2._client import Client

__all__ = [
    "STATE_KEY",
    "BillClient",
    "OrgClient",
    "bill_lifespan",
    "error_response",
    "get_client",
    "get_org_client",
    "install_exception_handlers",
]

STATE_KEY = "bill_async_client"


def bill_lifespan(
    make_client: Callable[[], Client],
    *,
    login: bool = False,
    org_ids: Collection[str] | None = None,
) -> Callable[[FastAPI], Any]:
    """A FastAPI ``lifespan`` that opens one client for the application and closes it on
    shutdown. ``login=True`` signs in at startup, so bad credentials stop the start.

    ``OrgClient`` serves only known organizations: ``org_ids``, or else those ListOrgs names
    for the sign-in (asked once, on the first request that needs it). An unknown ``org_id``
    from a request is a 404, and costs BILL nothing (no login, no client kept for it).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        client = make_client()
        async with client:
            if login:
                await client.login()
            state = _AppClient(client, None if org_ids is None else frozenset(org_ids))
            app.state.bill_async_client = state
            try:
                yield {STATE_KEY: state}
            finally:
                del app.state.bill_async_client

    return lifespan


class _AppClient:
    """The application's client and the organizations its routes may reach."""

    def __init__(self, client: Client, org_ids: frozenset[str] | None) -> None:
        self.client = client
        self._org_ids = org_ids
        self._lock: anyio.Lock | None = None

    async def known_orgs(self) -> frozenset[str]:
        if self._org_ids is None:
            if self._lock is None:
                self._lock = anyio.Lock()
            async with self._lock:
                if self._org_ids is None:
                    orgs = await self.client.list_orgs()
                    self._org_ids = frozenset(org.org_id for org in orgs)
        return self._org_ids


def _app_client(request: Request) -> _AppClient:
    state = getattr(request.state, STATE_KEY, None)
    if state is None:
        state = getattr(request.app.state, STATE_KEY, None)
    if not isinstance(state, _AppClient):
        raise ClientStateError(
            "no bill_async client: give the app lifespan=bill_lifespan(...) (and run its lifespan)"
        )
    return state


async def get_client(request: Request) -> Client:
    """The application's client (a dependency)."""
    return _app_client(request).client


async def get_org_client(org_id: str, request: Request) -> Client:
    """The client for the ``org_id`` path or query parameter: same pool, its own session."""
    state = _app_client(request)
    if org_id not in await state.known_orgs():
        raise HTTPException(status_code=404, detail=f"unknown organization {org_id!r}")
    return state.client.for_org(org_id)


BillClient = Annotated[Client, Depends(get_client)]
OrgClient = Annotated[Client, Depends(get_org_client)]


def _retry_after(reset_at: _dt.datetime | None, clock: Callable[[], float]) -> str:
    if reset_at is None:
        return "60"
    return str(max(1, math.ceil(reset_at.timestamp() - clock())))


def error_response(error: BillError, *, clock: Callable[[], float] = time.time) -> JSONResponse:
    """The HTTP answer for a bill_async error (used by ``install_exception_handlers``)."""
    status, headers = 502, {}
    body: dict[str, Any] = {"error": type(error).__name__, "detail": str(error)}
    if isinstance(error, TokenPermissionError | MfaRequiredError):
        status = 403
    elif isinstance(error, InvalidRequestError):
        status = 400
    elif isinstance(error, RateLimitError):
        status, headers = 429, {"Retry-After": _retry_after(error.reset_at, clock)}
    elif isinstance(error, ConcurrencyLimitError):
        status, headers = 503, {"Retry-After": "1"}
    elif isinstance(error, AmbiguousWriteError):
        body["detail"] = (
            f"{error.operation}: BILL may or may not have done this; it was not sent again. "
            "Check before retrying."
        )
    elif isinstance(error, RequestTimeoutError):
        status = 504
    elif isinstance(error, AuthenticationError):
        body["detail"] = "the service could not sign in to BILL"
    elif isinstance(error, ApiError):
        body["code"] = error.code
        body["detail"] = error.message
    elif isinstance(error, ProtocolError):
        body["detail"] = f"{error.operation}: BILL's answer could not be read"  # no body excerpt
    elif isinstance(error, TransportError):
        status = 502
    elif isinstance(error, ClientStateError):
        status = 500
    return JSONResponse(body, status_code=status, headers=headers)


def install_exception_handlers(app: FastAPI) -> None:
    """Turn bill_async errors into HTTP answers: a token refusal is 403, an hourly limit 429
    with Retry-After, an ambiguous write a 502 that says so, a timeout 504, other BILL errors
    502 with BILL's code."""

    async def handle(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, BillError)
        return error_response(error)

    app.add_exception_handler(BillError, handle)
