"""FastAPI support: one client per application, dependencies, and error answers.

    from typing import Any

    from fastapi import FastAPI

    import bill_async
    from bill_async.fastapi import BillClient, bill_lifespan, install_exception_handlers

    app = FastAPI(lifespan=bill_lifespan(bill_async.Client.from_env))
    install_exception_handlers(app)

    @app.get("/vendors/{vendor_id}")
    async def vendor(vendor_id: str, bill: BillClient) -> dict[str, Any]:
        return (await bill.vendors.read(vendor_id)).to_wire()

The lifespan opens one client (one connection pool, one session per organization) when the
application starts and closes it when it stops: no client per request, no pool that leaks, and no
"Event loop is closed". ``OrgClient`` hands a route the client for the ``org_id`` of its path or
query. ``install_exception_handlers`` answers bill_async's errors, and unknown organizations, as
RFC 9457 problem details (``application/problem+json``). Install with
``pip install 'bill-async[fastapi]'``.
"""

from __future__ import annotations

import http
import logging
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
    ConfigurationError,
    ConnectError,
    ConnectionLostError,
    InvalidInputError,
    InvalidRequestError,
    LockedOutError,
    MfaError,
    MfaRequiredError,
    NotFoundError,
    PaymentError,
    PoolTimeoutError,
    ProtocolError,
    RateLimitError,
    RequestTimeoutError,
    TokenPermissionError,
    TransportError,
    UnknownFieldError,
    UntrustedSessionError,
)
from ._v2._client import Client
from .webhooks._fastapi import webhook_router as webhook_router

__all__ = [
    "PROBLEM_JSON",
    "STATE_KEY",
    "BillClient",
    "OrgClient",
    "bill_lifespan",
    "error_response",
    "get_client",
    "get_org_client",
    "install_exception_handlers",
    "problem_response",
    "webhook_router",
]

STATE_KEY = "bill_async_client"
PROBLEM_JSON = "application/problem+json"  # RFC 9457's media type for problem details

_log = logging.getLogger("bill_async.fastapi")


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
        raise _UnknownOrganization(org_id)
    return state.client.for_org(org_id)


BillClient = Annotated[Client, Depends(get_client)]
OrgClient = Annotated[Client, Depends(get_org_client)]


class _UnknownOrganization(HTTPException):
    """An ``org_id`` the application's sign-in does not reach: a 404 (in the problem-details
    shape once ``install_exception_handlers`` ran; FastAPI's own shape otherwise)."""

    def __init__(self, org_id: str) -> None:
        super().__init__(status_code=404, detail=f"unknown organization {org_id!r}")
        self.org_id = org_id


# The status a client of the application gets, by class; the first match wins, so a subclass
# comes before its base. BILL's refusals of what the request asked are 4xx; BILL unreachable,
# failing or answering junk, and a service that cannot sign in, are 5xx: the client did nothing
# wrong there. Exceptions to the class: _status_of.
_STATUS_BY_CLASS: tuple[tuple[type[BillError], int], ...] = (
    (NotFoundError, 404),
    (InvalidInputError, 422),  # BILL read the request and refused what it says
    (InvalidRequestError, 400),  # refused before sending: bad arguments (UnknownFieldError too)
    (TokenPermissionError, 403),
    (MfaRequiredError, 403),
    (UntrustedSessionError, 403),
    (MfaError, 403),
    (PaymentError, 403),  # the user or organization may not make this payment
    (RateLimitError, 429),  # the hourly limits, BudgetExhaustedError too
    (ConcurrencyLimitError, 429),  # still refused after the SDK's retries
    (LockedOutError, 503),  # the service's sign-in is locked out for now: it passes
    (AuthenticationError, 502),  # BILL refuses the service's own credentials
    (PoolTimeoutError, 503),  # the service's own connections were all busy
    (RequestTimeoutError, 504),
    (TransportError, 502),
    (ConfigurationError, 500),
    (ClientStateError, 500),
)
_BAD_GATEWAY = 502  # ServerError, ProtocolError, AmbiguousWriteError, any other BILL answer

# BDC_1002 "Unknown error occurred." is BILL's answer to a request it cannot take (an unknown
# or misspelt parameter, a badly formed object; the emulator's business rules, overpaying a bill
# among them): the request's fault, not an outage (docs/decisions.md).
_UNPROCESSABLE_CODES = frozenset({"BDC_1002"})


def _status_of(error: BillError) -> int:
    if isinstance(error, ApiError):
        if error.code in _UNPROCESSABLE_CODES:
            return 422
        # A Read's only input is its id: BILL refusing it means there is no such object
        # (BILL answers "Invalid value for data key,value: id, ..." to an id not of its form).
        if isinstance(error, InvalidInputError) and _is_read_of_id(error):
            return 404
    for error_class, status in _STATUS_BY_CLASS:
        if isinstance(error, error_class):
            return status
    return _BAD_GATEWAY


def _is_read_of_id(error: InvalidInputError) -> bool:
    return error.operation.startswith("Crud/Read/") and error.field == "id"


_TRANSPORT_DETAILS: tuple[tuple[type[TransportError], str], ...] = (
    (PoolTimeoutError, "no connection to BILL was free in time"),
    (RequestTimeoutError, "BILL did not answer in time"),
    (ConnectError, "could not connect to BILL"),
    (ConnectionLostError, "the connection to BILL dropped before its answer"),
)


def _detail(error: BillError) -> str:
    """What the client is told: never a secret, nor the service's own addresses, credentials
    or configuration (those go to the log)."""
    if isinstance(error, LockedOutError):
        return "the service's sign-in to BILL is locked out for now"
    if isinstance(error, AuthenticationError):
        return "the service could not sign in to BILL"
    if isinstance(error, ApiError):
        return error.message
    if isinstance(error, AmbiguousWriteError):
        return (
            f"{error.operation}: BILL may or may not have done this; it was not sent again. "
            "Check before retrying."
        )
    if isinstance(error, ProtocolError):
        return f"{error.operation}: BILL's answer could not be read"  # no body excerpt
    if isinstance(error, TransportError):
        return next(
            (said for cls, said in _TRANSPORT_DETAILS if isinstance(error, cls)),
            "BILL did not answer",
        )
    if isinstance(error, ConfigurationError | ClientStateError):
        return "the service's BILL client is not usable"
    return str(error)  # refused before sending: names the operation and the rule, no secret


def _extensions(error: BillError) -> dict[str, Any]:
    """RFC 9457 extension members: the class, BILL's code, the operation, the field."""
    members: dict[str, Any] = {"error": type(error).__name__}
    if isinstance(error, ApiError):
        members["code"] = error.code
    operation = getattr(error, "operation", None)
    if isinstance(operation, str):
        members["operation"] = operation
    if isinstance(error, InvalidInputError | UnknownFieldError) and error.field is not None:
        members["field"] = error.field
    return members


def _retry_after(error: BillError, clock: Callable[[], float]) -> str | None:
    """Seconds until BILL takes calls again: the hour's turn for the hourly limits, a moment
    for the concurrency limit."""
    if isinstance(error, ConcurrencyLimitError):
        return "1"
    if not isinstance(error, RateLimitError):
        return None
    now = clock()
    if error.reset_at is None:  # BILL counts its hours from the top of the hour
        return str(max(1, math.ceil(3600 - now % 3600)))
    return str(max(1, math.ceil(error.reset_at.timestamp() - now)))


# RFC 9110's names where Python's differ before 3.13 ("Unprocessable Entity"): one title on
# every Python.
_TITLES = {422: "Unprocessable Content"}


def problem_response(
    status: int, detail: str, headers: dict[str, str] | None = None, **extensions: Any
) -> JSONResponse:
    """An RFC 9457 problem-details answer (``application/problem+json``). The ``type`` is
    ``about:blank``, so the ``title`` is the status's own phrase; ``extensions`` add members."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status) or http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extensions,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def error_response(error: BillError, *, clock: Callable[[], float] = time.time) -> JSONResponse:
    """The problem-details answer for a bill_async error (``install_exception_handlers`` uses
    it): 404 not found; 422 BILL refused the input, 400 the SDK did; 403 token and MFA refusals;
    429 BILL's limits, with ``Retry-After``; 502, 503 or 504 when BILL failed, answered junk,
    did not answer, or refused the service's own sign-in; 500 a misconfigured client."""
    status = _status_of(error)
    retry_after = _retry_after(error, clock)
    headers = None if retry_after is None else {"Retry-After": retry_after}
    return problem_response(status, _detail(error), headers, **_extensions(error))


def install_exception_handlers(app: FastAPI) -> None:
    """Answer bill_async's errors, and ``OrgClient``'s unknown organizations, as RFC 9457
    problem details (see ``error_response``). Errors answered with a 5xx are logged (at
    WARNING, on ``bill_async.fastapi``) with their whole message, which holds no secret."""

    async def handle(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, BillError)
        response = error_response(error)
        if response.status_code >= 500:
            _log.warning(
                "%s %s: %s: %s", request.method, request.url.path, type(error).__name__, error
            )
        return response

    async def unknown_org(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, _UnknownOrganization)
        return problem_response(404, str(error.detail), org_id=error.org_id)

    app.add_exception_handler(BillError, handle)
    app.add_exception_handler(_UnknownOrganization, unknown_org)
