"""The emulator: a raw ASGI app that answers BILL v2's operations under ``/api/v2/`` (and hands
``/connect/...`` and ``/connect-events/...`` to its v3 face, ``_v3``, on the same state).

Every request goes through the same steps, in BILL's order as far as it is known:

    Host (not the emulator's own address, localhost or an allowed name: HTTP 421)
    → route (unknown path, or a table row with no handler: HTTP 404, BDC_1121)
    → injected 5xx / drop-before knobs → POST only (else HTTP 405, BDC_1121)
    → devKey (missing: BDC_1178; wrong: BDC_1102)
    → hourly budget (BDC_1144; Login and ListOrgs have their own)
    → session (BDC_1109: unknown, logged out, or idle past ``idle_timeout``)
    → in flight per (devKey, organization) (BDC_1322 over ``max_in_flight``)
    → token permission (TOKEN_REFUSED) / MFA trust (MFA_REQUIRED)
    → ``data`` parsed (BDC_1122) → the operation
    → held until ``latency`` after admission (and while paused) → leave the in-flight count
    → drop-after knob, or the answer (HTTP 200, BILL's envelope)

The in-flight count drops *before* the answer is sent, so a client that starts its next call
as soon as it reads an answer is never refused for it.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import anyio
import attrs
import httpx

from .._core._operation import Kind
from .._v2._endpoints import ENDPOINTS, ENDPOINTS_BY_PATH, Endpoint, Shape
from ._actions import ACTIONS
from ._config import EmulatorConfig, Latency
from ._errors import (
    BAD_DEV_KEY,
    BAD_JSON,
    CONCURRENCY_LIMIT,
    ERROR_MESSAGES,
    HOURLY_LIMIT,
    INVALID_SESSION,
    MFA_REQUIRED,
    MISSING_DEV_KEY,
    NOT_SUPPORTED,
    SYSTEM_ERROR,
    TOKEN_REFUSED,
    UNKNOWN_ERROR,
    Fault,
)
from ._http import (
    Receive,
    Request,
    Scope,
    Send,
    dump_json,
    error_envelope,
    host_name,
    ok_envelope,
    read_request,
)
from ._ops import Call, Handler, generic_handler
from ._signin import error_list, list_orgs, login
from ._state import Counters, State
from ._v3 import V3Face, is_v3
from ._webhooks import Webhooks

__all__ = ["API_PREFIX", "ConnectionDropped", "Emulator", "create_app"]

API_PREFIX = "/api/v2/"
logger = logging.getLogger("bill_async.emulator")

_LOGIN = ENDPOINTS_BY_PATH["Login.json"]
_JSON = [(b"content-type", b"application/json;charset=UTF-8")]


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the app to drop a connection (``drop_next``).

    Under uvicorn the connection closes mid-answer; in-process (``httpx.ASGITransport``) this
    exception reaches the client as the ``httpx.RemoteProtocolError`` a dropped connection gives.
    """


@attrs.frozen
class _Failure:
    status: int
    paths: frozenset[str] | None


@attrs.frozen
class _Drop:
    path: str | None
    when: Literal["before", "after"]


def _handlers() -> dict[str, Handler]:
    """The handler of each row of the endpoint table that has one.

    A row without one (added to the table before the emulator learns it) is answered as BILL
    answers a path it does not know, rather than stopping the emulator from starting.
    """
    table: dict[str, Handler] = {}
    for endpoint in ENDPOINTS:
        if endpoint.shape is Shape.FORM or not endpoint.needs_session:
            continue
        handler = ACTIONS.get(endpoint.path) or generic_handler(endpoint)
        if handler is not None:
            table[endpoint.path] = handler
    return table


def _served(endpoint: Endpoint, handlers: Mapping[str, Handler]) -> bool:
    """Whether the emulator can answer ``endpoint`` (sign-in and Errors.json need no handler)."""
    return endpoint.shape is Shape.FORM or not endpoint.needs_session or endpoint.path in handlers


class Emulator:
    """BILL v2 as an ASGI app, with its state, knobs and counters.

    Serve it with ``running_emulator()`` or ``serve()``, or pass it to
    ``httpx.ASGITransport`` to use it in-process. The knobs may be changed at any time, from any
    thread; they apply to requests that arrive afterwards.

    Args:
        config: the behaviour and demo data; ``EmulatorConfig()`` by default.
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self._lock = threading.RLock()
        self._webhooks = Webhooks(self)
        self._install(config or EmulatorConfig())

    def _install(self, config: EmulatorConfig) -> None:
        self._config = config
        self._handlers = _handlers()
        self._state = State(config)
        self._latency: Latency = config.latency
        self._latency_rng = random.Random(f"latency:{config.seed}")
        self._failures: list[_Failure] = []
        self._drops: list[_Drop] = []
        self._paused = False
        self._v3 = V3Face(self)  # reads the v3 table now: a row added later is not served

    def __repr__(self) -> str:
        return f"<bill_async.emulator.Emulator orgs={len(self._state.orgs)}>"

    # -- inspection ---------------------------------------------------------------------------

    @property
    def config(self) -> EmulatorConfig:
        return self._config

    @property
    def state(self) -> State:
        """The live state (organizations, sessions, limits). Hold ``lock`` while reading it."""
        return self._state

    @property
    def lock(self) -> threading.RLock:
        """The lock every request holds while it reads or changes the state."""
        return self._lock

    @property
    def webhooks(self) -> Webhooks:
        """The webhook sender: its knobs (duplicates, reordering, delays, spoiled signatures,
        lost attempts, the retry schedule) and what it holds; counted in
        ``counters.webhooks``."""
        return self._webhooks

    @property
    def counters(self) -> Counters:
        """What the emulator has seen since it started or was reset."""
        return self._state.counters

    def reset_counters(self) -> None:
        with self._lock:
            self._state.counters = Counters()

    @property
    def org_ids(self) -> list[str]:
        """The organizations, in ListOrgs order."""
        return list(self._state.orgs)

    @property
    def token_org_id(self) -> str:
        """The organization the demo sync token belongs to."""
        return self._state.token_org_id

    def user_id(self, org_id: str) -> str:
        """The demo user's id in an organization."""
        return self._state.orgs[org_id].user_id

    @property
    def in_flight(self) -> int:
        """Requests admitted and not yet answered, over every (devKey, organization)."""
        with self._lock:
            return sum(self._state.in_flight.values())

    def seed_all(self) -> None:
        """Make every organization's demo data now rather than on first use."""
        with self._lock:
            for org_id in self._state.orgs:
                self._state.org(org_id)

    def objects(self, org_id: str, entity: str) -> list[dict[str, Any]]:
        """Copies of an organization's objects of one entity, in creation order."""
        with self._lock:
            org = self._state.org(org_id)
            return [json.loads(json.dumps(obj)) for obj in org.all(entity)]

    def get(self, object_id: str) -> dict[str, Any] | None:
        """A copy of any object by id, wherever it lives; None if there is none."""
        with self._lock:
            found = self._state.find(object_id)
            if found is None:
                return None
            org, entity = found
            obj = org.get(entity, object_id)
            return None if obj is None else json.loads(json.dumps(obj))

    # -- knobs --------------------------------------------------------------------------------

    def reset(self, config: EmulatorConfig | None = None) -> None:
        """Start over: fresh data, no sessions, counters at zero, knobs cleared. With
        ``config``, the emulator behaves by it from now on."""
        with self._lock:
            self._install(config or self._config)

    def set_latency(self, latency: Latency) -> None:
        """Seconds from each request's admission to its answer: fixed, or a (low, high) random
        range (see ``EmulatorConfig.latency``)."""
        checked = attrs.evolve(self._config, latency=latency).latency
        with self._lock:
            self._latency = checked

    def fail_next(
        self, n: int = 1, *, status: int = 503, paths: Iterable[str] | None = None
    ) -> None:
        """Answer the next ``n`` requests (to ``paths``, operation paths such as
        ``"List/Vendor.json"`` or v3 rows such as ``"GET /v3/vendors/{vendorId}"``, or to any
        path) with HTTP ``status`` and a non-BILL body, without running them."""
        if not 500 <= status <= 599:
            raise ValueError("status must be an HTTP 5xx")
        failure = _Failure(status, None if paths is None else frozenset(paths))
        with self._lock:
            self._failures.extend([failure] * n)

    def drop_next(
        self,
        path: str | None = None,
        *,
        when: Literal["before", "after"] = "after",
        n: int = 1,
    ) -> None:
        """Drop the connection of the next ``n`` requests to ``path`` (a v2 path, or a v3 row
        such as ``"POST /v3/vendors"``; or any path):
        ``"before"`` the operation runs, or ``"after"`` it has run. The client sees a
        connection closed in the middle of the answer either way."""
        if when not in ("before", "after"):
            raise ValueError('when must be "before" or "after"')
        with self._lock:
            self._drops.extend([_Drop(path, when)] * n)

    def pause(self) -> None:
        """Hold admitted requests in flight, their operations done and their answers not sent,
        until ``resume()``."""
        with self._lock:
            self._paused = True

    def resume(self) -> None:
        with self._lock:
            self._paused = False

    def _take_failure(self, path: str) -> _Failure | None:
        for index, failure in enumerate(self._failures):
            if failure.paths is None or path in failure.paths:
                return self._failures.pop(index)
        return None

    def _take_drop(self, path: str) -> _Drop | None:
        for index, drop in enumerate(self._drops):
            if drop.path is None or drop.path == path:
                return self._drops.pop(index)
        return None

    # -- ASGI ---------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            return  # websockets: nothing to say
        if not self._host_allowed(scope):
            # DNS rebinding: a web page's own name pointed at this address must not reach it.
            await self._send(send, 421, b"Misdirected Request: unknown Host", b"text/plain")
            return
        if is_v3(str(scope.get("path", ""))):
            await self._v3.serve(scope, receive, send)
            return
        request = await read_request(scope, receive)
        path = request.path.removeprefix(API_PREFIX)
        endpoint = ENDPOINTS_BY_PATH.get(path) if request.path.startswith(API_PREFIX) else None
        if endpoint is not None and not _served(endpoint, self._handlers):
            endpoint = None
        with self._lock:
            counters = self._state.counters
            counters.total_requests += 1
            counters.paths[path] += 1
            if endpoint is None:
                counters.errors[NOT_SUPPORTED] += 1
                failure, drop = None, None
            else:
                failure = self._take_failure(path)
                drop = None if failure is not None else self._take_drop(path)
                if failure is not None:
                    counters.injected_failures += 1
        if endpoint is None:
            await self._send(
                send, 404, dump_json(error_envelope(NOT_SUPPORTED, _message(NOT_SUPPORTED)))
            )
            return
        if failure is not None:
            page = f"<html><body><h1>{failure.status} Service Unavailable</h1></body></html>"
            await self._send(send, failure.status, page.encode(), b"text/html")
            return
        if drop is not None and drop.when == "before":
            await self._drop(send)
        if request.method != "POST":
            with self._lock:
                self._state.counters.errors[NOT_SUPPORTED] += 1
            await self._send(
                send, 405, dump_json(error_envelope(NOT_SUPPORTED, _message(NOT_SUPPORTED)))
            )
            return
        body, headers = await self._answer(endpoint, request)
        if drop is not None:  # "after": the operation has run
            await self._drop(send)
        await self._send(send, 200, body, extra=headers)

    def _host_allowed(self, scope: Scope) -> bool:
        """The ``Host`` names this emulator: its own address (the one the connection came to),
        localhost, or one of ``allowed_hosts``; a request without one (not a browser's) too."""
        for name, value in scope.get("headers", ()):
            if name.lower() == b"host":
                host = host_name(value.decode("latin-1"))
                break
        else:
            return True
        server = scope.get("server")
        own = str(server[0]).lower() if server else None
        return host in _LOCAL_NAMES or host == own or host in self._config.allowed_hosts

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """The server's life: the webhook sender runs from its startup to its shutdown."""
        async with anyio.create_task_group() as group:
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    group.start_soon(self._webhooks.run)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    group.cancel_scope.cancel()
                    break
        await send({"type": "lifespan.shutdown.complete"})

    @staticmethod
    async def _send(
        send: Send,
        status: int,
        body: bytes,
        content_type: bytes | None = None,
        extra: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        headers = [(b"content-type", content_type)] if content_type else list(_JSON)
        headers.append((b"content-length", str(len(body)).encode()))
        headers.extend(extra)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _drop(self, send: Send) -> None:
        with self._lock:
            self._state.counters.dropped += 1
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*_JSON, (b"content-length", b"4096")],
            }
        )
        await send(
            {"type": "http.response.body", "body": b'{"response_status":', "more_body": True}
        )
        raise ConnectionDropped("the emulator dropped the connection (drop_next)")

    async def _hold(self, answer_at: float) -> None:
        """Keep an admitted request in flight until ``answer_at`` (the loop's clock), and while
        paused."""
        if answer_at > anyio.current_time():
            await anyio.sleep_until(answer_at)
        # pause() and resume() come from other threads, which cannot set an anyio.Event.
        while self._paused:  # noqa: ASYNC110
            await anyio.sleep(0.005)

    async def _answer(
        self, endpoint: Endpoint, request: Request
    ) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        """BILL's answer to one request (HTTP 200): the body, and any extra headers."""
        state = self._state
        headers: list[tuple[bytes, bytes]] = []
        try:
            if request.too_large or request.malformed:
                raise Fault(UNKNOWN_ERROR, request.malformed or "The request is too large.")
            if not endpoint.needs_session and endpoint.shape is not Shape.FORM:  # Errors.json
                return dump_json(ok_envelope(error_list())), headers
            fields = request.fields
            dev_key = fields.get("devKey", "")
            signs_in = endpoint.shape is Shape.FORM
            with self._lock:
                if not dev_key:
                    raise Fault(MISSING_DEV_KEY)
                if dev_key != state.config.dev_key:
                    raise Fault(BAD_DEV_KEY)
                if not state.take_budget(dev_key, login=signs_in):
                    limit = state.config.hourly_logins if signs_in else state.config.hourly_requests
                    raise Fault(
                        HOURLY_LIMIT, f"Max number of allowed requests per hour reached: {limit}."
                    )
                session = None
                if signs_in:
                    org_key = fields.get("orgId", "") if endpoint is _LOGIN else ""
                else:
                    session_id = fields.get("sessionId") or request.cookie("sid") or ""
                    session = state.session(session_id, dev_key)
                    if session is None:
                        raise Fault(INVALID_SESSION)
                    org_key = session.org_id
                key = (dev_key, org_key)
                if not state.enter(key):
                    raise Fault(CONCURRENCY_LIMIT)
                # Admitted. The answer comes ``latency`` after admission with the operation's
                # own time inside it: BILL works on many requests at once, and this emulator's
                # one thread would otherwise add every request's work to the latency of those
                # behind it. Whatever the operation's outcome, it is held the same way.
                try:
                    latency = self._latency
                    if isinstance(latency, tuple):
                        latency = self._latency_rng.uniform(*latency)
                    answer_at = anyio.current_time() + latency
                    body = self._operate(endpoint, request, session, headers)
                except BaseException:
                    state.leave(key)
                    raise
        except Exception as error:  # refused before admission (or failed): answered at once
            with self._lock:
                return self._failure_body(error, endpoint), headers
        try:
            await self._hold(answer_at)
        finally:
            with self._lock:
                state.leave(key)
        return body, headers

    def _operate(
        self,
        endpoint: Endpoint,
        request: Request,
        session: Any,
        headers: list[tuple[bytes, bytes]],
    ) -> bytes:
        """The answer's body for an admitted request: the operation's result, BILL's refusal,
        or SYSTEM_ERROR if the emulator itself failed. Holds the lock."""
        state = self._state
        try:
            if endpoint is _LOGIN:
                data, new = login(state, request.fields, request.base_url)
                cookie = f"sid={new.session_id}; Path=/; HttpOnly; SameSite=Strict"
                headers.append((b"set-cookie", cookie.encode()))
            elif endpoint.shape is Shape.FORM:
                data = list_orgs(state, request.fields)
            else:
                data = self._run(endpoint, request, session)
            return dump_json(ok_envelope(data))
        except Exception as error:
            return self._failure_body(error, endpoint)

    def _failure_body(self, error: Exception, endpoint: Endpoint) -> bytes:
        """The answer's body for BILL's refusal (a Fault), or SYSTEM_ERROR when the emulator
        itself failed (logged), counted. Called while handling ``error``; holds the lock."""
        if isinstance(error, Fault):
            code, message = error.code, error.message
        else:
            logger.exception("the emulator failed on %s", endpoint.path)
            code, message = SYSTEM_ERROR, _message(SYSTEM_ERROR)
        self._state.counters.errors[code] += 1
        return dump_json(error_envelope(code, message))

    def _run(self, endpoint: Endpoint, request: Request, session: Any) -> Any:
        """The operation itself, for a session that may call it. Holds the lock."""
        state = self._state
        rule = endpoint.token_rule
        if session.is_token and rule is not None:
            raise Fault(TOKEN_REFUSED, f"{_message(TOKEN_REFUSED)} ({rule.text})")
        if not session.is_token and endpoint.needs_mfa and not session.trusted:
            raise Fault(MFA_REQUIRED)
        call = Call(
            state=state,
            org=state.org(session.org_id),
            session=session,
            endpoint=endpoint,
            data=_data(request.fields.get("data")),
            fields=request.fields,
            files=request.files,
            base_url=request.base_url,
        )
        try:
            return self._handlers[endpoint.path](call)
        finally:
            if endpoint.kind is not Kind.READ:  # it may have changed anything
                state.wrote()
                state.webhooks.observe(call.org)  # its changes make webhook events


_LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def _data(raw: str | None) -> dict[str, Any]:
    """The ``data`` form field's JSON object; BDC_1122 when it is not one."""
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise Fault(BAD_JSON) from None
    # BILL reads ``data`` as a JSON object; a list or a number fails that parse too.
    if not isinstance(data, dict):
        raise Fault(BAD_JSON)
    return data


def _message(code: str) -> str:
    return ERROR_MESSAGES[code]


def create_app(config: EmulatorConfig | None = None) -> Emulator:
    """A new emulator (an ASGI app) for ``config`` (``EmulatorConfig()`` by default)."""
    return Emulator(config)
