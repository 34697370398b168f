"""The emulator's v3 face: BILL's v3 API under ``/connect/v3/...`` on the same state, limits,
knobs and counters as the v2 face under ``/api/v2/``.

Every request goes through the same steps as on the v2 face, in BILL's order as far as it is
known:

    route (unknown path, or a row without a handler: 404 BDC_1121; another method's path:
        405; the webhooks API is served under ``/connect-events``)
    → injected 5xx / drop-before knobs (by the row's name, ``"POST /v3/vendors"``)
    → devKey (the ``devKey`` header; the body's for ``POST /v3/login``): missing 400
      BDC_1178, wrong 401 BDC_1102
    → hourly budget, shared with the v2 face (429 BDC_1144; sign-ins count as logins)
    → session (the ``sessionId`` header): unknown, logged out, the v2 face's, or idle past
      ``idle_timeout``: 401 BDC_1109
    → in flight per (devKey, organization), counted with the v2 face's (429 BDC_1322)
    → token refusal by the row's ``token_rule`` (403 TOKEN_REFUSED), MFA (the row's
      ``needs_mfa``, or its ``mfa_when`` key true in the body, on an untrusted session:
      403 BDC_1361 "Untrusted session."), 5 a minute for rows that text or email (429)
    → ``X-Idempotent-Key`` on the rows that take it (400 without a UUID4; the first answer
      again within 24 hours; 429 while the first is being answered)
    → the operation, and the webhook events of what a write changed
    → held until ``latency`` after admission → a test event's or a resend's delivery, made
      now → leave the in-flight count
    → drop-after knob, or the answer

``GET /v3/health`` needs nothing and counts toward nothing. A file's ``downloadLink`` is
served under ``/connect/download/`` with the ``sessionId`` header alone, as BILL's are.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import anyio

from ..._core._operation import Kind
from ...v3._endpoints import Operation
from .._errors import (
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
    Fault,
)
from .._http import Receive, Scope, Send, dump_json, read_body
from .._signin import login
from .._state import Session
from .._webhooks import KEY_HEADER
from ._actions import download_path, health
from ._context import Answer, Outgoing, V3Call
from ._convert import shared_rule
from ._routes import NOT_ALLOWED, Route, Router
from ._wire import V3Fault, bad_request, fault_of, no_record

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = [
    "V3Face",
    "V3_PREFIX",
    "is_v3",
]

V3_PREFIX = "/connect"
_EVENTS_PREFIX = "/connect-events"
_ROOTS = (V3_PREFIX + "/", _EVENTS_PREFIX + "/")
_DOWNLOAD = download_path("")
logger = logging.getLogger("bill_async.emulator")

Result = tuple[int, bytes, bytes | None]  # an answer: status, body, content type (None: JSON)


def is_v3(path: str) -> bool:
    """Whether a request's path is the v3 face's (``/connect/...``, ``/connect-events/...``)."""
    return path.startswith(_ROOTS)


class _Request:
    """One request, read whole: the raw body (JSON, or a file's bytes), headers, query."""

    def __init__(self, scope: Scope, body: bytes, too_large: bool) -> None:
        self.method = str(scope.get("method", "GET"))
        self.path = str(scope.get("path", ""))
        self.headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope.get("headers", ())
        }
        raw_query = scope.get("query_string", b"").decode("latin-1")
        self.query = dict(parse_qsl(raw_query, keep_blank_values=True))
        self.body = body
        self.too_large = too_large
        self.began_key = False  # the first request of its X-Idempotent-Key

    @property
    def base_url(self) -> str:
        return f"http://{self.headers.get('host', 'localhost')}{V3_PREFIX}"


def _truthy_at(body: Any, dotted: str) -> bool:
    """Whether a JSON body (or any of a bulk's bodies) holds a true value at ``a.b``."""
    if isinstance(body, list):
        return any(_truthy_at(item, dotted) for item in body)
    value = body
    for key in dotted.split("."):
        if not isinstance(value, Mapping):
            return False
        value = value.get(key)
    return value is True


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body) if body.strip() else None
    except (ValueError, UnicodeDecodeError):
        return None


class V3Face:
    """The v3 face of one ``Emulator``: it shares the emulator's lock, state, knobs and
    counters (the knobs name v3 operations as ``"POST /v3/vendors"``)."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self._router = Router()

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, too_large = await read_body(receive)
        request = _Request(scope, body, too_large)
        emulator = self._emulator
        if request.path.startswith(V3_PREFIX + _DOWNLOAD):
            status, payload, content_type = self._download(request)
            await emulator._send(send, status, payload, content_type)
            return
        host = "connect-events" if request.path.startswith(_EVENTS_PREFIX + "/") else "connect"
        inner = request.path.removeprefix(_EVENTS_PREFIX if host != "connect" else V3_PREFIX)
        route = self._router.match(host, request.method, inner)
        name = route.op.name if isinstance(route, Route) else f"{request.method} {inner}"
        with emulator.lock:
            counters = emulator.state.counters
            counters.total_requests += 1
            counters.paths[name] += 1
            failure = drop = None
            if isinstance(route, Route):
                failure = emulator._take_failure(name)
                drop = None if failure is not None else emulator._take_drop(name)
                if failure is not None:
                    counters.injected_failures += 1
        if not isinstance(route, Route):
            status = 405 if route == NOT_ALLOWED else 404
            refusal = V3Fault(status, NOT_SUPPORTED, ERROR_MESSAGES[NOT_SUPPORTED])
            with emulator.lock:
                answer = self._error_body(refusal)
            await emulator._send(send, status, answer)
            return
        if failure is not None:
            page = f"<html><body><h1>{failure.status} Service Unavailable</h1></body></html>"
            await emulator._send(send, failure.status, page.encode(), b"text/html")
            return
        if drop is not None and drop.when == "before":
            await emulator._drop(send)
        status, payload, content_type = await self._answer(route, request)
        if drop is not None:  # "after": the operation has run
            await emulator._drop(send)
        await emulator._send(send, status, payload, content_type)

    # -- admission ----------------------------------------------------------------------------

    async def _answer(self, route: Route, request: _Request) -> Result:
        """The answer to a routed request: refused before admission at once, or run and held
        until ``latency`` after admission."""
        emulator, state = self._emulator, self._emulator.state
        if route.op.path == "/v3/health":
            return 200, dump_json(health()), None
        try:
            if request.too_large:
                raise bad_request("The request is too large.")
            sign_in = self._sign_in_body(route.op, request)
            with emulator.lock:
                key, session = self._admit(request, sign_in)
                # Admitted: answered ``latency`` after now, the operation's own time inside it
                # (as on the v2 face, so that one emulator thread does not add every request's
                # work to the latency of those behind it).
                try:
                    answer_at = anyio.current_time() + self._latency()
                    result = self._operate_once(route, request, session, sign_in, key[0])
                except BaseException:
                    state.leave(key)
                    raise
        except V3Fault as refused:  # refused before admission: answered at once
            with emulator.lock:
                return refused.status, self._error_body(refused), None
        try:
            await emulator._hold(answer_at)
            if isinstance(result, Outgoing):
                result = await self._deliver(result)
        finally:
            with emulator.lock:
                state.leave(key)
                if request.began_key and session is not None:
                    key_header = request.headers.get(KEY_HEADER)
                    state.webhooks.idempotency.finish(session.org_id, key_header)
        return result

    @staticmethod
    def _sign_in_body(op: Operation, request: _Request) -> dict[str, Any] | None:
        """``POST /v3/login``'s JSON object (BDC_1122 if it is not one); None for other rows."""
        if op.path != "/v3/login":
            return None
        body = _json_or_none(request.body)
        if not isinstance(body, dict):
            raise fault_of(BAD_JSON)
        return body

    def _admit(
        self, request: _Request, sign_in: dict[str, Any] | None
    ) -> tuple[tuple[str, str], Session | None]:
        """devKey, hourly budget, session and the in-flight count, in BILL's order; the
        (devKey, organization) counted in flight, and the session (None for a sign-in).
        Holds the lock."""
        state = self._emulator.state
        dev_key = request.headers.get("devkey") if sign_in is None else sign_in.get("devKey")
        dev_key = self._check_dev_key(dev_key)
        self._take_budget(dev_key, login=sign_in is not None)
        session = None
        if sign_in is not None:
            org_key = str(sign_in.get("organizationId") or "")
        else:
            session = state.session(request.headers.get("sessionid", ""), dev_key, "v3")
            if session is None:
                raise fault_of(INVALID_SESSION)
            org_key = session.org_id
        if not state.enter((dev_key, org_key)):
            raise fault_of(CONCURRENCY_LIMIT)
        return (dev_key, org_key), session

    def _latency(self) -> float:
        emulator = self._emulator
        latency = emulator._latency
        if isinstance(latency, tuple):
            return emulator._latency_rng.uniform(*latency)
        return latency

    def _check_dev_key(self, dev_key: Any) -> str:
        if not isinstance(dev_key, str) or not dev_key:
            raise fault_of(MISSING_DEV_KEY)
        if dev_key != self._emulator.state.config.dev_key:
            raise fault_of(BAD_DEV_KEY)
        return dev_key

    def _take_budget(self, dev_key: str, *, login: bool) -> None:
        state = self._emulator.state
        if not state.take_budget(dev_key, login=login):
            limit = state.config.hourly_logins if login else state.config.hourly_requests
            raise fault_of(
                HOURLY_LIMIT, f"Max number of allowed requests per hour reached: {limit}."
            )

    # -- the operation ------------------------------------------------------------------------

    def _operate_once(
        self,
        route: Route,
        request: _Request,
        session: Session | None,
        sign_in: dict[str, Any] | None,
        dev_key: str,
    ) -> Result | Outgoing:
        """``_operate``, and for the rows that take ``X-Idempotent-Key`` the key's rules: 400
        without a UUID4, the first answer again for a key answered in the last 24 hours, 429
        while its first request is being answered. Holds the lock."""
        if not route.op.idempotency_key or session is None:
            return self._operate(route, request, session, sign_in, dev_key)
        keys = self._emulator.state.webhooks.idempotency
        key = request.headers.get(KEY_HEADER)
        try:
            kept = keys.begin(session.org_id, key, self._emulator.config.clock())
        except V3Fault as refused:
            return refused.status, self._error_body(refused), None
        if kept is not None:
            return kept[0], kept[1], None
        request.began_key = True  # its answer is the key's, kept once it is sent
        result = self._operate(route, request, session, sign_in, dev_key)
        assert isinstance(result, tuple)  # these rows send no delivery of their own
        keys.answered(session.org_id, key, result[0], result[1])
        return result

    def _operate(
        self,
        route: Route,
        request: _Request,
        session: Session | None,
        sign_in: dict[str, Any] | None,
        dev_key: str,
    ) -> Result | Outgoing:
        """The answer of an admitted request: the operation's, a refusal, or SYSTEM_ERROR if
        the emulator itself failed (logged); or a delivery to make before answering. Holds the
        lock."""
        try:
            if session is None:
                assert sign_in is not None
                return 200, dump_json(self._sign_in(sign_in, request)), None
            self._check_allowed(route.op, session, request, dev_key)
            return self._run(route, self._call(route, request, session))
        except V3Fault as refused:
            return refused.status, self._error_body(refused), None
        except Fault as fault:
            shared = shared_rule(fault)
            return shared.status, self._error_body(shared), None
        except Exception:
            logger.exception("the emulator failed on %s", route.op.name)
            failed = fault_of(SYSTEM_ERROR)
            return failed.status, self._error_body(failed), None

    def _call(self, route: Route, request: _Request, session: Session) -> V3Call:
        state = self._emulator.state
        return V3Call(
            state=state,
            org=state.org(session.org_id),
            session=session,
            op=route.op,
            params=route.params,
            query=request.query,
            body=request.body,
            headers=request.headers,
            base_url=request.base_url,
        )

    def _run(self, route: Route, call: V3Call) -> Result | Outgoing:
        """The row's handler; then the webhook events of what a write changed (whatever it
        answered: a bulk call refused half-way has put back what it wrote)."""
        assert route.handler is not None
        try:
            return self._encode(route.handler(call))
        finally:
            if route.op.kind is not Kind.READ:  # it may have changed anything
                call.state.wrote()
                call.state.webhooks.observe(call.org)

    def _sign_in(self, body: dict[str, Any], request: _Request) -> dict[str, Any]:
        """``POST /v3/login``: the v2 face's sign-in (same credentials, sync token and
        remembered MFA ids), opening a v3 session."""

        def text(key: str) -> str:
            value = body.get(key)
            return value if isinstance(value, str) else ""

        fields = {
            "userName": text("username"),
            "password": text("password"),
            "orgId": text("organizationId"),
            "devKey": text("devKey"),
        }
        if text("rememberMeId") and text("device"):
            fields["mfaId"], fields["deviceId"] = text("rememberMeId"), text("device")
        _, session = login(self._emulator.state, fields, request.base_url, api="v3")
        return {
            "organizationId": session.org_id,
            "sessionId": session.session_id,
            "trusted": session.trusted,
            "userId": session.user_id,
        }

    def _check_allowed(
        self, op: Operation, session: Session, request: _Request, dev_key: str
    ) -> None:
        """What the session may not do (token rules, MFA), and the per-minute message limit."""
        rule = op.token_rule
        if session.is_token and rule is not None:
            raise fault_of(TOKEN_REFUSED, f"{ERROR_MESSAGES[TOKEN_REFUSED]} ({rule.text})")
        protected = op.needs_mfa or (
            op.mfa_when is not None and _truthy_at(_json_or_none(request.body), op.mfa_when)
        )
        if protected and session.is_token:
            raise fault_of(TOKEN_REFUSED, f"{ERROR_MESSAGES[TOKEN_REFUSED]} (MFA-protected)")
        if protected and not session.trusted:
            raise fault_of(MFA_REQUIRED, "Untrusted session.")
        state = self._emulator.state
        if op.sends_message and not state.take_message(dev_key):
            limit = state.config.messages_per_minute
            raise V3Fault(429, None, f"Max number of messages per minute reached: {limit}.")

    # -- answers ------------------------------------------------------------------------------

    def _encode(self, answer: Answer) -> Result | Outgoing:
        if answer.outgoing is not None:
            return answer.outgoing
        body = b"" if answer.payload is None else dump_json(answer.payload)
        return answer.status, body, None

    async def _deliver(self, outgoing: Outgoing) -> Result:
        """Make a handler's delivery (a test event, a resend), then its answer."""
        emulator = self._emulator
        status = await emulator.webhooks.post(outgoing.url, outgoing.body, outgoing.headers)
        with emulator.lock:
            result = self._encode(outgoing.finish(status))
        assert isinstance(result, tuple)
        return result

    def _error_body(self, refused: V3Fault) -> bytes:
        """BILL's error array for a refusal, counted. Holds the lock."""
        state = self._emulator.state
        state.counters.errors[refused.code or f"HTTP_{refused.status}"] += 1
        now_ms = int(state.config.wall_clock() * 1000)
        return dump_json(refused.items(now_ms))

    def _download(self, request: _Request) -> tuple[int, bytes, bytes | None]:
        """A file's bytes at its ``downloadLink``, for a v3 session of its organization."""
        document_id = request.path.removeprefix(V3_PREFIX + _DOWNLOAD)
        emulator = self._emulator
        with emulator.lock:
            state = emulator.state
            state.counters.total_requests += 1
            state.counters.paths["GET " + _DOWNLOAD + "{id}"] += 1
            session = state.sessions.get(request.headers.get("sessionid", ""))
            live = session is not None and state.session(session.session_id, session.dev_key, "v3")
            if not live:
                refused = fault_of(INVALID_SESSION)
                return refused.status, self._error_body(refused), None
            assert session is not None
            document = state.org(session.org_id).documents.get(document_id)
            if document is None:
                refused = no_record(document_id)
                return refused.status, self._error_body(refused), None
            return 200, document.content, document.content_type.encode("latin-1")
