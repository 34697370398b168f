"""The async client: one connection pool, one session per organization, and the call pipeline.

Every operation, generated or called by path, goes through ``Client._execute``:

    check the client is usable → permission map (token sessions) → MFA requirement
    → for each attempt: session (single-flight login) → hourly budget → governor slot
      → POST → envelope → on failure, the retry rules of ``_retry``

Nothing is sent before the first two checks pass: a refused operation costs no request, not
even a login.
"""

from __future__ import annotations

import datetime as _dt
import logging
import random as _random_module
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Self, TypeVar

import anyio
import attrs
import httpx
import sniffio

from ._core._auth import AuthStrategy
from ._core._hooks import CallEvent, EventHook, Hooks
from ._core._limits import (
    DEFAULT_HOURLY_LOGINS,
    DEFAULT_HOURLY_REQUESTS,
    DEFAULT_MAX_IN_FLIGHT,
    PROCESS_LIMITS,
    Budget,
    Governor,
    Limits,
    LimitStore,
    current_loop,
    top_of_next_hour,
)
from ._core._redact import SECRET_KEYS, fingerprint, mask_cookies_in_httpcore_logs, redact_data
from ._core._retry import RetryPolicy
from ._core._sessions import Session, SessionManager, SessionStore
from ._exceptions import (
    AmbiguousWriteError,
    ApiError,
    BillError,
    BudgetExhaustedError,
    ClientStateError,
    ConcurrencyLimitError,
    ConnectError,
    ConnectTimeoutError,
    InvalidRequestError,
    MfaRequiredError,
    PoolTimeoutError,
    ProtocolError,
    RateLimitError,
    SessionExpiredError,
    TokenPermissionError,
    TransportError,
)
from ._transports._base import DEFAULT_TIMEOUT, Sender, default_transport
from ._v2 import _wire as wire
from ._v2._bulk import run_bulk
from ._v2._convert import Model, fields_to_wire, wire_names
from ._v2._convert import _core_type as core_type
from ._v2._endpoints import ENDPOINTS_BY_PATH, Endpoint, Kind, Shape
from ._v2._groups import GeneratedGroups
from ._v2._models import MODELS_BY_ENTITY
from ._v2._pagination import Filter, Pager, Sort, list_data, updated_since
from ._v2._permissions import rule_for_path

__all__ = ["PRODUCTION_URL", "SANDBOX_URL", "Client", "OrgInfo", "list_orgs"]

PRODUCTION_URL = "https://api.bill.com/api/v2"
SANDBOX_URL = "https://api-stage.bill.com/api/v2"

logger = logging.getLogger("bill_async")

_LOGIN = ENDPOINTS_BY_PATH["Login.json"]
_LIST_ORGS = ENDPOINTS_BY_PATH["ListOrgs.json"]
_MFA_AUTHENTICATE = ENDPOINTS_BY_PATH["MFAAuthenticate.json"]
_LOGOUT = ENDPOINTS_BY_PATH["Logout.json"]

# Failures after which the request provably did not run: any call may be sent again.
_NOT_SENT = (ConnectError, ConnectTimeoutError, PoolTimeoutError)

ModelT = TypeVar("ModelT", bound=Model)

BodyBuilder = Callable[[Session | None], tuple[bytes, str]]


class OrgInfo(dict[str, str]):
    """One organization from ListOrgs.json: ``{"orgId": ..., "orgName": ...}``."""

    @property
    def org_id(self) -> str:
        return self["orgId"]

    @property
    def org_name(self) -> str:
        return self.get("orgName", "")


class _Shared:
    """What a client shares with the clients it makes for other organizations."""

    def __init__(
        self,
        *,
        base_url: str,
        sender: Sender,
        owns_transport: bool,
        retry: RetryPolicy,
        limit_store: LimitStore,
        session_store: SessionStore | None,
        max_in_flight: int,
        hourly_requests: int,
        hourly_logins: int,
        hooks: Hooks,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        rng: _random_module.Random,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.sender = sender
        self.owns_transport = owns_transport
        self.retry = retry
        self.limit_store = limit_store
        self.session_store = session_store
        self.max_in_flight = max_in_flight
        self.hourly_requests = hourly_requests
        self.hourly_logins = hourly_logins
        self.hooks = hooks
        self.clock = clock
        self.wall_clock = wall_clock
        self.rng = rng
        self.closed = False
        self.loop: object | None = None
        self.requests_sent = 0  # every attempt sent, logins included, by this client family


class Client(GeneratedGroups):
    """An async client for the BILL v2 API.

    Args:
        auth: how to sign in: ``CredentialLogin(...)`` or ``TokenLogin(...)``.
        base_url: ``PRODUCTION_URL`` (the default), ``SANDBOX_URL``, or an emulator's URL.
        transport: any ``httpx.AsyncBaseTransport`` (respx, ``httpx.MockTransport``, an ASGI app,
            ``AiohttpTransport``). The default is a pool of up to 100 connections that the client
            owns and closes; a transport passed in is closed by the client too.
        timeout: seconds, or an ``httpx.Timeout`` for each phase.
        retry: the ``RetryPolicy`` (see ``_retry`` for what is retried).
        max_in_flight: requests in flight per (devKey, organization); BILL allows 3.
        hourly_requests / hourly_logins: the hourly budgets per devKey (BILL: 20,000 and 200).
        limits: where governors and budgets live; by default they are shared in the process.
        session_store: where sessions are shared (``InProcessSessionStore``, or Redis for a fleet
            of workers); by default each client keeps its own.
        event_hooks: ``{"request": [...], "response": [...], "retry": [...]}``.
        clock: monotonic seconds, for deadlines and backoff. wall_clock: POSIX seconds, for BILL's
            clock hours. random: the source of backoff jitter.

    Use it as ``async with Client(...) as client:``; ``aclose()`` may be called any number of
    times. One client serves any number of concurrent tasks on its event loop.
    """

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
        if not isinstance(auth, AuthStrategy):
            raise TypeError("auth must be an AuthStrategy such as CredentialLogin or TokenLogin")
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        mask_cookies_in_httpcore_logs()  # BILL's Login sets a session cookie
        timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        shared = _Shared(
            base_url=base_url,
            sender=Sender(transport if transport is not None else default_transport(), timeout),
            owns_transport=True,
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
        self._init(auth, shared, parent=None)

    def _init(self, auth: AuthStrategy, shared: _Shared, parent: Client | None) -> None:
        self._auth = auth
        # Masked wherever an error would show them, in whatever shape a server echoes them:
        # the sign-in's secrets (devKey, password or token value, mfaId).
        self._secrets = tuple(
            value for key, value in auth.login_fields().items() if key in SECRET_KEYS and value
        )
        self._shared = shared
        self._parent = parent
        self._retry = shared.retry
        self._sessions = SessionManager(
            auth, self._login, store=shared.session_store, wall_clock=shared.wall_clock
        )
        self._org_clients: dict[str, Client] = {}
        dev = fingerprint(auth.dev_key)
        self._governor_key = f"{dev}:{auth.org_id}"
        self._requests_key = f"{dev}:requests"
        self._logins_key = f"{dev}:logins"
        self._governor_cache: tuple[object, Governor] | None = None

    def __repr__(self) -> str:
        return (
            f"<bill_async.Client org={self._auth.org_id} base_url={self._shared.base_url!r}"
            f" auth={type(self._auth).__name__}{' closed' if self._shared.closed else ''}>"
        )

    # -- life cycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._check_usable()
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
        shared = self._shared
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
            if shared.owns_transport:
                await shared.sender.aclose()

    @property
    def is_closed(self) -> bool:
        return self._shared.closed

    def _check_usable(self) -> object:
        """Raises ClientStateError if the client is closed or on another event loop; returns
        the running loop."""
        shared = self._shared
        if shared.closed:
            raise ClientStateError("the client is closed")
        loop = current_loop()
        if shared.loop is None:
            shared.loop = loop
        elif shared.loop is not loop:
            raise ClientStateError(
                "this client was opened on another event loop; create one client per event loop "
                "(its connections belong to the loop that opened them)"
            )
        return loop

    # -- other organizations, options --------------------------------------------------------

    @property
    def org_id(self) -> str:
        return self._auth.org_id

    @property
    def auth(self) -> AuthStrategy:
        return self._auth

    def for_org(self, org_id: str) -> Client:
        """A client for another organization: the same sign-in and connection pool, its own
        session and its own governor slots. The same client comes back for the same org."""
        if org_id == self._auth.org_id:
            return self
        root = self._parent or self
        child = root._org_clients.get(org_id)
        if child is None:
            child = Client.__new__(Client)
            child._init(self._auth.for_org(org_id), self._shared, parent=root)
            root._org_clients[org_id] = child
        return child if self._retry is root._retry else child.with_options(retry=self._retry)

    def with_options(self, *, retry: RetryPolicy) -> Client:
        """This client with another retry policy, sharing its session, pool and limits."""
        clone = Client.__new__(Client)
        clone._init(self._auth, self._shared, parent=self._parent or self)
        clone._sessions = self._sessions
        clone._retry = retry
        return clone

    # -- limits ------------------------------------------------------------------------------

    def _governor(self, loop: object | None = None) -> Governor:
        if loop is None:
            loop = current_loop()
        cached = self._governor_cache
        if cached is not None and cached[0] is loop:
            return cached[1]
        governor = self._shared.limit_store.governor(self._governor_key, self._shared.max_in_flight)
        self._governor_cache = (loop, governor)
        return governor

    def _budget(self, endpoint: Endpoint) -> Budget:
        shared = self._shared
        if endpoint is _LOGIN or endpoint is _LIST_ORGS:
            return shared.limit_store.budget(self._logins_key, shared.hourly_logins)
        return shared.limit_store.budget(self._requests_key, shared.hourly_requests)

    @property
    def limits(self) -> Limits:
        """In flight for this organization, and this hour's use of the devKey's budgets."""
        shared = self._shared
        now = shared.wall_clock()
        requests = shared.limit_store.budget(self._requests_key, shared.hourly_requests)
        logins = shared.limit_store.budget(self._logins_key, shared.hourly_logins)
        try:
            governor: Governor | None = self._governor()
        except sniffio.AsyncLibraryNotFoundError:  # read outside the event loop
            governor = None
        requests_used = requests.used(now)
        logins_used = logins.used(now)
        return Limits(
            in_flight=governor.in_flight if governor else 0,
            max_in_flight=governor.limit if governor else shared.max_in_flight,
            requests_used=requests_used,
            requests_remaining=max(0, requests.limit - requests_used),
            logins_used=logins_used,
            logins_remaining=max(0, logins.limit - logins_used),
            reset_at=top_of_next_hour(now),
        )

    # -- sessions ----------------------------------------------------------------------------

    @property
    def session_manager(self) -> SessionManager:
        """The session manager of this client's organization (for inspection)."""
        return self._sessions

    async def login(self) -> None:
        """Sign in now rather than at the first call (for example to check credentials).

        After BILL refused the credentials (``AuthenticationError``), calls raise that error
        again without signing in; ``login()`` tries once more."""
        self._check_usable()
        self._sessions.forget_refusal()
        await self._sessions.get()

    async def _login(self, fields: Mapping[str, str]) -> Any:
        body = wire.encode_form(fields)
        return await self._execute(_LOGIN, lambda _: (body, wire.FORM_CONTENT_TYPE), None)

    async def list_orgs(self) -> list[OrgInfo]:
        """The organizations the sign-in's user can reach (ListOrgs.json; needs no session).

        With a token sign-in, BILL lists only the token's organization."""
        self._check_usable()
        body = wire.encode_form(self._auth.list_orgs_fields())
        data = await self._execute(_LIST_ORGS, lambda _: (body, wire.FORM_CONTENT_TYPE), None)
        return [OrgInfo(item) for item in data or ()]

    async def logout(self) -> None:
        """Log the session out (Logout.json). The client never does this on its own."""
        session = self._sessions.current
        if session is None:
            return
        await self._execute(_LOGOUT, self._form_body(None), None, session=session)

    # -- calling operations ------------------------------------------------------------------

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
        failure) that a token session may call."""

        endpoint = ENDPOINTS_BY_PATH.get(path)
        if endpoint is None:
            if not path.endswith(".json") or path.startswith("/") or "://" in path:
                raise InvalidRequestError(f"{path!r} is not a BILL v2 operation path")
            endpoint = Endpoint(
                path, "call", "call", Kind.WRITE, Shape.DATA, None, token_rule=rule_for_path(path)
            )
        if endpoint.shape is Shape.FORM:
            raise InvalidRequestError(
                f"{path} takes no data: use client.login() or client.list_orgs()"
            )
        return await self._call(endpoint, data, policy=retry)

    async def _call(
        self, endpoint: Endpoint, data: Any = None, *, policy: RetryPolicy | None = None
    ) -> Any:
        """Send ``data`` (a JSON-able object, or None for no ``data`` field) to ``endpoint``."""
        data_json = None if data is None else wire.dumps(data)
        return await self._execute(endpoint, self._form_body(data_json), data, policy=policy)

    async def _call_model(self, endpoint: Endpoint, data: Any) -> Any:
        """``_call``, with the answer as the endpoint's model where it has one."""
        return _to_model(endpoint, await self._call(endpoint, data))

    async def _call_obj(
        self, endpoint: Endpoint, obj: Model | Mapping[str, Any] | None, fields: Mapping[str, Any]
    ) -> Any:
        """Create or Update: send the object's fields that were set (a model, a wire mapping,
        keyword arguments in Python names, or a mix), and return the model BILL answers with."""
        model = MODELS_BY_ENTITY[endpoint.entity or ""]
        wire_obj = {
            "entity": endpoint.entity,
            **_object_wire(model, obj),
            **_fields_wire(model, fields),
        }
        return _to_model(endpoint, await self._call(endpoint, {"obj": wire_obj}))

    async def _call_bulk(
        self, endpoint: Endpoint, model: type[ModelT], items: Iterable[Any]
    ) -> list[ModelT | BillError]:
        self._check_usable()
        self._check_allowed(endpoint)
        if endpoint.shape is Shape.BULK_ID:
            wire_items: list[Any] = [{"id": item} for item in items]
        else:
            wire_items = [
                {"obj": {"entity": endpoint.entity, **_object_wire(model, item)}} for item in items
            ]

        async def send_chunk(chunk: list[Any], data_json: str) -> Any:
            return await self._execute(endpoint, self._form_body(data_json), {"bulk": chunk})

        def secrets() -> tuple[str, ...]:
            return self._secrets_with(self._sessions.current)

        return await run_bulk(send_chunk, model, wire_items, endpoint.path, secrets=secrets)

    def _secrets_with(self, session: Session | None) -> tuple[str, ...]:
        """The values an error made of BILL's answer must not show."""
        return self._secrets if session is None else (*self._secrets, session.session_id)

    def _pager(
        self,
        endpoint: Endpoint,
        model: type[ModelT],
        *,
        filters: Iterable[Filter | Mapping[str, Any]],
        sort: Iterable[Sort | Mapping[str, Any]],
        page_size: int,
        nested: bool,
        show_audit: bool,
        start: int,
        limit: int | None,
        keyset: bool = False,
    ) -> Pager[ModelT]:
        data = list_data(
            model,
            filters=filters,
            sort=sort,
            page_size=page_size,
            nested=nested,
            show_audit=show_audit,
            start=start,
        )

        async def fetch(page_data: dict[str, Any]) -> Any:
            return await self._call(endpoint, page_data)

        return Pager(fetch, model, data, limit, keyset=keyset, operation=endpoint.path)

    def _updated_since(
        self,
        endpoint: Endpoint,
        model: type[ModelT],
        since: _dt.datetime | _dt.date,
        *,
        page_size: int,
        nested: bool,
    ) -> Pager[ModelT]:
        filters, sort = updated_since(since)
        return self._pager(
            endpoint,
            model,
            filters=filters,
            sort=sort,
            page_size=page_size,
            nested=nested,
            show_audit=False,
            start=0,
            limit=None,
            keyset=True,
        )

    async def _call_action(
        self,
        endpoint: Endpoint,
        data: Mapping[str, Any] | None,
        fields: Mapping[str, Any],
        **named: Any,
    ) -> Any:
        """An action: ``data`` in wire names, the row's named arguments (those left None are
        not sent), and any other keyword arguments in snake_case, turned into camelCase."""
        merged = dict(data or {})
        if named:
            wire_names_ = {p.name: p.wire or _camel(p.name) for p in endpoint.params}
            merged.update({wire_names_[k]: v for k, v in named.items() if v is not None})
        merged.update({_camel(k): v for k, v in fields.items()})
        return _to_model(endpoint, await self._call(endpoint, merged))

    async def _upload(
        self,
        endpoint: Endpoint,
        file_name: str,
        content: bytes,
        content_type: str,
        object_id: str | None,
    ) -> Any:
        data = wire.dumps({"id": object_id or "", "fileName": file_name})
        dev_key = self._auth.dev_key

        def body(session: Session | None) -> tuple[bytes, str]:
            assert session is not None
            fields = {"devKey": dev_key, "sessionId": session.session_id, "data": data}
            return wire.encode_multipart(fields, file_name, content, content_type)

        return await self._execute(endpoint, body, {"id": object_id, "fileName": file_name})

    def _form_body(self, data_json: str | None) -> BodyBuilder:
        dev_key = self._auth.dev_key

        def body(session: Session | None) -> tuple[bytes, str]:
            if session is None:
                return wire.encode_form({"devKey": dev_key}), wire.FORM_CONTENT_TYPE
            prefix = session.form_prefix
            if not prefix:
                prefix = session.form_prefix = wire.session_prefix(dev_key, session.session_id)
            return wire.encode_call(prefix, data_json), wire.FORM_CONTENT_TYPE

        return body

    def _check_allowed(self, endpoint: Endpoint) -> None:
        """The permission map and the MFA requirement: refused here, nothing is sent."""
        if self._auth.is_token:
            if endpoint.token_rule is not None:
                raise TokenPermissionError(endpoint.path, endpoint.token_rule.text)
        elif endpoint.needs_mfa and not self._sessions.is_trusted():
            raise MfaRequiredError(endpoint.path)

    async def _execute(
        self,
        endpoint: Endpoint,
        build_body: BodyBuilder,
        data: Any,
        *,
        session: Session | None = None,
        policy: RetryPolicy | None = None,
    ) -> Any:
        """The pipeline every request goes through. See the module docstring."""
        loop = self._check_usable()
        self._check_allowed(endpoint)
        shared = self._shared
        policy = policy or self._retry
        sessions = self._sessions
        operation = endpoint.path
        url = shared.base_url + operation
        signs_in = endpoint.shape is Shape.FORM
        needs_session = endpoint.needs_session and not signs_in
        replay_safe = endpoint.is_read or signs_in or endpoint is _LOGOUT
        ends_session = session is not None  # Logout of a given session: never log in for it
        started = shared.clock()
        attempt = 0  # every send, for hooks and logs
        retries = 0  # sends after a failure that may pass, counted against the policy
        renewed = False  # the last attempt was a replay after BDC_1109
        while True:
            attempt += 1
            if shared.closed:
                raise ClientStateError("the client was closed while the call was in progress")
            await self._take_budget(endpoint, policy)
            if needs_session and session is None:
                session = await sessions.get()
                self._check_allowed(endpoint)  # a new session may not be MFA-trusted
            body, content_type = build_body(session if needs_session else None)
            governor = self._governor(loop)
            status: int | None = None
            try:
                async with governor.slot():
                    if shared.closed:  # while this call waited for its slot
                        raise ClientStateError(
                            "the client was closed while the call was in progress; it was not sent"
                        )
                    if shared.hooks.any:
                        await self._emit("request", endpoint, attempt, started)
                    shared.requests_sent += 1
                    # The session's idle time runs on the strategy's clock.
                    sent_at = self._auth.clock()
                    status, content = await shared.sender.post(url, body, content_type, operation)
                secrets = self._secrets_with(session)
                result = wire.decode_envelope(status, content, operation, secrets)
            except (ApiError, TransportError, ProtocolError) as error:
                failure: BaseException = error
            else:
                governor.succeeded()
                if session is not None:
                    await sessions.touch(session, sent_at)
                    if endpoint is _MFA_AUTHENTICATE:
                        await sessions.mark_trusted(session)
                    elif endpoint is _LOGOUT:
                        await sessions.invalidate(session)
                self._log(endpoint, attempt, started, status, None)
                if shared.hooks.any:
                    await self._emit("response", endpoint, attempt, started, status=status)
                return result
            self._log(endpoint, attempt, started, status, failure)
            if shared.hooks.any:
                await self._emit("response", endpoint, attempt, started, status, failure)
            # What now: raise, or send again?
            if isinstance(failure, SessionExpiredError) and session is not None:
                governor.succeeded()
                await sessions.invalidate(session)
                session = None
                if ends_session:
                    return None  # Logout of a session BILL no longer knows: nothing to end
                if renewed:
                    raise failure  # a second BDC_1109 in a row
                renewed = True  # BILL refused the call, so it did not run: replay it once.
                if shared.hooks.any:
                    await self._emit("retry", endpoint, attempt, started, error=failure, delay=0.0)
                continue
            renewed = False
            if isinstance(failure, ApiError):
                if session is not None:
                    await sessions.touch(session, sent_at)  # BILL answered: the session is alive
                if isinstance(failure, ConcurrencyLimitError):
                    governor.refused()
                else:
                    governor.succeeded()
                if isinstance(failure, RateLimitError):
                    now = shared.wall_clock()
                    failure.reset_at = top_of_next_hour(now)
                    await self._budget(endpoint).exhaust(now)
                    if not policy.wait_on_hourly_limit:
                        raise failure
                    if shared.hooks.any:
                        wait = failure.reset_at.timestamp() - now
                        await self._emit(
                            "retry", endpoint, attempt, started, error=failure, delay=wait
                        )
                    await self._wait_for_hour(endpoint, policy)
                    continue
                if not isinstance(failure, ConcurrencyLimitError):
                    raise failure
            elif not replay_safe:
                if not isinstance(failure, _NOT_SENT):
                    # It may have run (an answer was lost or unreadable): never send it again.
                    raise AmbiguousWriteError(
                        operation, redact_data(data), f"{type(failure).__name__}: {failure}"
                    ) from failure
            elif isinstance(failure, ProtocolError) and failure.status_code < 500:
                raise failure  # a read answered with something that is not BILL's: final
            retries += 1
            delay = self._retry_delay(policy, retries, started)
            if delay is None:
                raise failure
            if shared.hooks.any:
                await self._emit("retry", endpoint, attempt, started, error=failure, delay=delay)
            await anyio.sleep(delay)

    def _retry_delay(self, policy: RetryPolicy, attempt: int, started: float) -> float | None:
        """The wait before sending again, or None when the policy allows no more retries."""
        if attempt > policy.max_retries:
            return None
        delay = policy.backoff(attempt, self._shared.rng)
        if policy.deadline is not None:
            left = policy.deadline - (self._shared.clock() - started)
            if left <= 0:
                return None
            delay = min(delay, left)
        return delay

    async def _take_budget(self, endpoint: Endpoint, policy: RetryPolicy) -> None:
        budget = self._budget(endpoint)
        while not await budget.take(self._shared.wall_clock()):
            if not policy.wait_on_hourly_limit:
                what = "logins" if budget.limit == self._shared.hourly_logins else "requests"
                raise BudgetExhaustedError(
                    "BDC_1144",
                    f"the hourly budget of {budget.limit} {what} for this devKey is spent "
                    "(as counted here, or as BILL said with BDC_1144)",
                    endpoint.path,
                    top_of_next_hour(self._shared.wall_clock()),
                )
            await self._wait_for_hour(endpoint, policy)

    async def _wait_for_hour(self, endpoint: Endpoint, policy: RetryPolicy) -> None:
        now = self._shared.wall_clock()
        wait = top_of_next_hour(now).timestamp() - now + 1.0
        logger.warning(
            "%s: BILL's hourly limit is reached; waiting %.0f s for the next hour",
            endpoint.path,
            wait,
        )
        await anyio.sleep(wait)

    def _log(
        self,
        endpoint: Endpoint,
        attempt: int,
        started: float,
        status: int | None,
        error: BaseException | None,
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        outcome = "ok" if error is None else f"{type(error).__name__}: {error}"
        logger.debug(
            "%s org=%s attempt=%d status=%s time=%.1fms %s",
            endpoint.path,
            self._auth.org_id,
            attempt,
            status,
            (self._shared.clock() - started) * 1000,
            outcome,
        )

    async def _emit(
        self,
        event: str,
        endpoint: Endpoint,
        attempt: int,
        started: float,
        status: int | None = None,
        error: BaseException | None = None,
        delay: float | None = None,
    ) -> None:
        await self._shared.hooks.emit(
            CallEvent(
                event=event,
                operation=endpoint.path,
                org_id=self._auth.org_id,
                attempt=attempt,
                elapsed=self._shared.clock() - started,
                status_code=status,
                error=error,
                delay=delay,
            )
        )


def _to_model(endpoint: Endpoint, data: Any) -> Any:
    """The endpoint's model(s) for an answer, where the table names a model."""
    model = MODELS_BY_ENTITY.get(endpoint.entity or "")
    if model is None:
        return data
    if endpoint.result_key is not None and isinstance(data, Mapping):
        data = data.get(endpoint.result_key)
    if isinstance(data, list):
        return [model.from_wire(item) for item in data]
    if isinstance(data, Mapping):
        return model.from_wire(data)
    return data


# What converting a field of the wrong type to the wire raises.
_WRONG_TYPE = (TypeError, ValueError, AttributeError, ArithmeticError)


def _wrong_type(model: type[Model], error: Exception) -> InvalidRequestError:
    return InvalidRequestError(f"this {model.__name__} has a field of the wrong type: {error}")


def _object_wire(model: type[Model], obj: Model | Mapping[str, Any] | None) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, Model):
        if not isinstance(obj, model):
            raise InvalidRequestError(f"expected a {model.__name__}, not a {type(obj).__name__}")
        try:
            return obj.to_wire()
        except _WRONG_TYPE as error:
            raise _wrong_type(model, error) from None
    if isinstance(obj, Mapping):
        return dict(obj)
    raise InvalidRequestError(f"expected a {model.__name__} or a mapping, not {type(obj).__name__}")


_COERCIBLE = (Decimal, _dt.datetime, _dt.date)
_FIELD_TYPES: dict[type[Model], dict[str, type]] = {}


def field_types(model: type[Model]) -> dict[str, type]:
    """The model's fields whose keyword arguments may come in wire form (str or number)."""
    types = _FIELD_TYPES.get(model)
    if types is None:
        attrs.resolve_types(model)
        types = _FIELD_TYPES[model] = {
            field.alias or field.name: core
            for field in attrs.fields(model)
            if (core := core_type(field.type)) in _COERCIBLE
        }
    return types


def _coerced(model: type[Model], name: str, value: Any) -> Any:
    """A keyword argument as its field's Python type: ``"2024-07-01"`` for a date field becomes
    a ``date``, ``"10.50"`` for an amount a ``Decimal``. Raises InvalidRequestError."""
    wanted = field_types(model).get(name)
    if wanted is None or isinstance(value, wanted):
        return value
    try:
        if (
            wanted is Decimal
            and isinstance(value, str | int | float)
            and not isinstance(value, bool)
        ):
            return Decimal(str(value))
        if wanted is _dt.datetime and isinstance(value, str):
            timestamp = _dt.datetime.fromisoformat(value)
            if timestamp.tzinfo is None:
                raise ValueError("a timestamp needs a timezone")
            return timestamp
        if wanted is _dt.date and isinstance(value, str):
            return _dt.date.fromisoformat(value)
    except (ValueError, ArithmeticError) as error:
        raise InvalidRequestError(f"{model.__name__}.{name}: {value!r}: {error}") from None
    raise InvalidRequestError(
        f"{model.__name__}.{name} takes a {wanted.__name__}, not {type(value).__name__} {value!r}"
    )


def _fields_wire(model: type[Model], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments (Python names, Python values) as wire fields; an explicit None is sent
    as null (to clear a field), an undeclared name is sent in camelCase as given."""
    if not fields:
        return {}
    names = wire_names(model)
    declared = {k: _coerced(model, k, v) for k, v in fields.items() if k in names and v is not None}
    try:
        wire_obj = fields_to_wire(model, declared)
    except _WRONG_TYPE as error:
        raise _wrong_type(model, error) from None
    for key, value in fields.items():
        if key not in names:
            wire_obj[_camel(key)] = value
        elif value is None:
            wire_obj[names[key]] = None
    return wire_obj


def _camel(name: str) -> str:
    """``vendor_id`` -> ``vendorId``; names without underscores are kept as they are."""
    if "_" not in name:
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


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
    from ._core._auth import CredentialLogin

    auth = CredentialLogin(user_name, password, "", dev_key)
    async with Client(auth, base_url=base_url, transport=transport) as client:
        return await client.list_orgs()
