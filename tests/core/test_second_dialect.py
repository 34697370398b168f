"""A second wire dialect on the same core: JSON over REST with header sessions and error arrays.

The dialect here is a small fake, written only against the core's seams (``Dialect``, ``Call``,
``Operation``, ``BaseClient``), and driven through the same pipeline as v2 over an
``httpx.MockTransport`` server: sign-in and renewal after an expired session, idle renewal,
the 3-in-flight governor, read retries, the token permission map, and a write whose answer is
lost raising ``AmbiguousWriteError`` with nothing sent twice.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

import anyio
import attrs
import httpx
import pytest

import bill_async
from bill_async._core._auth import AuthStrategy, Credentials
from bill_async._core._client import BaseClient
from bill_async._core._dialect import SignedIn
from bill_async._core._operation import Count, Kind, Resend, SessionUse, TokenRule
from bill_async._core._sessions import Session
from bill_async._exceptions import ProtocolError, api_error_for
from bill_async._transports._base import WireAnswer, WireRequest
from tests.fakebill import ManualClock

BASE = "https://json.test"
DEV_KEY = "dev-key-SECRET-json"
PASSWORD = "password-SECRET-json"
ORG = "00801JSON"
NO_PAYING = TokenRule("paying", "a token session cannot pay")


@attrs.frozen
class Op:
    """One row of the fake API's table: the core's columns, and where it lives."""

    method: str
    path: str
    kind: Kind
    session: SessionUse = SessionUse.IN_SESSION
    counts_as: Count = Count.REQUEST
    token_rule: TokenRule | None = None
    needs_mfa: bool = False
    sends_message: bool = False

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def resend(self) -> Resend:
        return Resend.AFTER_ANY_FAILURE if self.kind is not Kind.WRITE else Resend.IF_NOT_SENT


LOGIN = Op("POST", "/login", Kind.SESSION, SessionUse.NONE, Count.LOGIN)
LOGOUT = Op("POST", "/logout", Kind.SESSION, SessionUse.ENDS)
READ = Op("GET", "/things/1", Kind.READ)
CREATE = Op("POST", "/things", Kind.WRITE)
PAY = Op("POST", "/payments", Kind.WRITE, token_rule=NO_PAYING)


@attrs.frozen
class JsonCall:
    """A call in the fake dialect: JSON body; ``sessionId`` and ``devKey`` as headers."""

    op: Op
    dev_key: str = attrs.field(repr=False)
    data: Any = None
    streams = False

    def request(self, session: Session | None) -> WireRequest:
        headers = [(b"Content-Type", b"application/json")]
        if session is not None:
            headers += [
                (b"sessionId", session.session_id.encode()),
                (b"devKey", self.dev_key.encode()),
            ]
        body = b"" if self.data is None else json.dumps(self.data).encode()
        return WireRequest(self.op.method, BASE + self.op.path, tuple(headers), body)

    def decode(self, answer: WireAnswer, secrets: Sequence[str]) -> Any:
        try:
            payload = json.loads(answer.body) if answer.body else None
        except ValueError:
            raise ProtocolError(
                "not JSON", status_code=answer.status, body="", operation=self.op.name
            ) from None
        if 200 <= answer.status < 300:
            return payload
        if isinstance(payload, list) and payload and isinstance(payload[0], dict):
            raise api_error_for(payload[0]["code"], payload[0]["message"], self.op.name)
        raise ProtocolError(
            "not an error array", status_code=answer.status, body="", operation=self.op.name
        )


@attrs.frozen
class JsonDialect:
    """The fake API's wire format, made only of the core's seams."""

    api = "fake-json"
    sign_in = LOGIN
    sign_out = LOGOUT

    def sign_in_call(self, credentials: Credentials) -> JsonCall:
        body = {
            "username": credentials.user_name,
            "password": credentials.password,
            "organizationId": credentials.org_id,
            "devKey": credentials.dev_key,
        }
        return JsonCall(LOGIN, credentials.dev_key, body)

    def sign_out_call(self, credentials: Credentials) -> JsonCall:
        return JsonCall(LOGOUT, credentials.dev_key)

    def signed_in(self, result: Any, credentials: Credentials) -> SignedIn:
        if not isinstance(result, dict) or not result.get("sessionId"):
            raise ProtocolError("no session", status_code=200, body="", operation=LOGIN.name)
        return SignedIn(session_id=result["sessionId"], org_id=result["organizationId"])

    def session_key(self, strategy: AuthStrategy) -> str:
        return f"{self.api}:{strategy.session_key}"


class JsonClient(BaseClient):
    """What a dialect's client adds to the core: calls of its operations."""

    async def send(self, op: Op, data: Any = None) -> Any:
        return await self._pipeline.request(op, JsonCall(op, self.auth.dev_key, data))


class JsonServer:
    """The fake API: sessions in headers, error arrays, at most ``max_in_flight`` per org."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.sessions: set[str] = set()
        self.ids = itertools.count(1)
        self.seen: list[tuple[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.failures: list[int] = []  # statuses to answer the next reads with
        self.lose_next_write_answer = False
        self.things: list[Any] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path))
        if request.url.path == "/login":
            return self._login(json.loads(request.content))
        if request.headers.get("devKey") != DEV_KEY or request.headers.get("sessionId") not in (
            self.sessions
        ):
            return _errors(401, "BDC_1109", "Session is invalid. Please log in.")
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.in_flight > 3:
                return _errors(429, "BDC_1322", "Max number of concurrent requests reached.")
            await anyio.sleep(self.latency)
            return self._operation(request)
        finally:
            self.in_flight -= 1

    def _login(self, body: dict[str, Any]) -> httpx.Response:
        if body.get("password") != PASSWORD or body.get("devKey") != DEV_KEY:
            return _errors(401, "BDC_1101", "Sign in failed.")
        session_id = f"session-SECRET-{next(self.ids)}"
        self.sessions.add(session_id)
        return httpx.Response(200, json={"sessionId": session_id, "organizationId": ORG})

    def _operation(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and self.failures:
            return httpx.Response(self.failures.pop(0), text="upstream trouble")
        if request.url.path == "/things":
            self.things.append(json.loads(request.content))
            if self.lose_next_write_answer:
                self.lose_next_write_answer = False
                raise httpx.ReadError("the connection dropped before the answer")
            return httpx.Response(201, json={"id": len(self.things)})
        if request.url.path == "/logout":
            self.sessions.discard(request.headers["sessionId"])
            return httpx.Response(200)
        return httpx.Response(200, json={"id": "1", "name": "a thing"})

    def calls(self, path: str) -> int:
        return sum(1 for _, seen in self.seen if seen == path)


def _errors(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json=[{"code": code, "message": message, "severity": "ERROR"}])


def _client(server: JsonServer, auth: AuthStrategy | None = None, **options: Any) -> JsonClient:
    auth = auth or bill_async.CredentialLogin("me@example.com", PASSWORD, ORG, DEV_KEY)
    options.setdefault("retry", bill_async.RetryPolicy(base_delay=0, max_delay=0))
    return JsonClient(auth, JsonDialect(), transport=httpx.MockTransport(server), **options)


@pytest.mark.anyio
async def test_it_signs_in_with_json_and_sends_the_session_as_headers() -> None:
    server = JsonServer()
    async with _client(server) as client:
        assert await client.send(READ) == {"id": "1", "name": "a thing"}
        assert await client.send(READ) == {"id": "1", "name": "a thing"}
    assert server.seen == [("POST", "/login"), ("GET", "/things/1"), ("GET", "/things/1")]


@pytest.mark.anyio
async def test_an_expired_session_is_renewed_once_and_the_call_replayed() -> None:
    server = JsonServer()
    async with _client(server) as client:
        await client.send(READ)
        server.sessions.clear()  # the server forgets every session
        assert await client.send(READ) == {"id": "1", "name": "a thing"}
    assert server.calls("/login") == 2
    assert server.calls("/things/1") == 3  # the refused one, then its replay


@pytest.mark.anyio
async def test_a_credential_session_idle_too_long_is_renewed_before_sending() -> None:
    server = JsonServer()
    clock = ManualClock()
    auth = bill_async.CredentialLogin("me@example.com", PASSWORD, ORG, DEV_KEY, clock=clock)
    async with _client(server, auth) as client:
        await client.send(READ)
        clock.advance(34 * 60)
        await client.send(READ)
    assert server.calls("/login") == 2
    assert server.calls("/things/1") == 2  # no BDC_1109 round trip: renewed before sending


@pytest.mark.anyio
async def test_the_governor_keeps_three_in_flight_for_the_organization() -> None:
    server = JsonServer(latency=0.01)
    async with _client(server) as client:
        await client.login()
        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(client.send, READ)
    assert server.most_in_flight == 3
    assert server.calls("/things/1") == 20  # nothing refused, nothing sent twice


@pytest.mark.anyio
async def test_reads_are_retried_after_5xx() -> None:
    server = JsonServer()
    server.failures = [503, 502]
    async with _client(server) as client:
        assert await client.send(READ) == {"id": "1", "name": "a thing"}
    assert server.calls("/things/1") == 3


@pytest.mark.anyio
async def test_a_write_whose_answer_is_lost_is_ambiguous_and_never_sent_again() -> None:
    server = JsonServer()
    server.lose_next_write_answer = True
    async with _client(server) as client:
        with pytest.raises(bill_async.AmbiguousWriteError) as caught:
            await client.send(CREATE, {"name": "once"})
    assert caught.value.operation == "POST /things"
    assert server.calls("/things") == 1
    assert server.things == [{"name": "once"}]


@pytest.mark.anyio
async def test_a_token_session_is_refused_before_anything_is_sent() -> None:
    server = JsonServer()
    auth = bill_async.TokenLogin("token", PASSWORD, ORG, DEV_KEY)
    async with _client(server, auth) as client:
        with pytest.raises(bill_async.TokenPermissionError, match="cannot pay"):
            await client.send(PAY, {"amount": 1})
    assert server.seen == []


@pytest.mark.anyio
async def test_refused_credentials_are_an_authentication_error_with_secrets_masked() -> None:
    server = JsonServer()
    auth = bill_async.CredentialLogin("me@example.com", "wrong-SECRET-password", ORG, DEV_KEY)
    async with _client(server, auth) as client:
        with pytest.raises(bill_async.AuthenticationError) as caught:
            await client.send(READ)
    assert caught.value.code == "BDC_1101"
    assert server.seen == [("POST", "/login")]


@pytest.mark.anyio
async def test_logout_ends_the_session_and_with_none_open_sends_nothing() -> None:
    server = JsonServer()
    async with _client(server) as client:
        await client.logout()
        assert server.seen == []
        await client.send(READ)
        await client.logout()
        assert client.session_manager.current is None
    assert server.seen[-1] == ("POST", "/logout") and server.sessions == set()
