"""A scriptable, in-process fake of BILL v2 for unit tests (``httpx.MockTransport``).

It answers Login.json with a fresh session each time, records every request it sees, counts
requests in flight per organization, and answers each operation with whatever a test scripted:
a ``response_data`` value, an error code, an ``httpx.Response``, or an exception to raise.
"""

from __future__ import annotations

import itertools
import json
import urllib.parse
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx

import bill_async

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://bill.test/api/v2"
DEV_KEY = "dev-key-SECRET-1"
PASSWORD = "password-SECRET-2"
TOKEN_VALUE = "token-value-SECRET-3"
ORG = "00802ABCDEFGHIJKLmno"
OTHER_ORG = "00802ZYXWVUTSRQPOnml"


def fixture(name: str) -> Any:
    """The ``response_data`` of a real sandbox payload, read as the client reads answers."""
    return bill_async._v2._wire.loads((FIXTURES / f"{name}.json").read_bytes())["response_data"]


def ok(data: Any) -> dict[str, Any]:
    return {"response_status": 0, "response_message": "Success", "response_data": data}


def error(code: str, message: str = "error") -> dict[str, Any]:
    return {
        "response_status": 1,
        "response_message": "Error",
        "response_data": {"error_code": code, "error_message": message},
    }


@attrs.frozen
class Seen:
    """One request as the fake received it."""

    path: str
    form: dict[str, str]
    content_type: str
    body: bytes
    timeout: dict[str, float | None] = attrs.field(factory=dict)  # httpx's, per phase

    @property
    def data(self) -> Any:
        raw = self.form.get("data")
        return None if raw is None else json.loads(raw)

    @property
    def org(self) -> str:
        return self.form.get("orgId", "")


Answer = dict[str, Any] | httpx.Response | BaseException
Script = Callable[[Seen], Answer | Awaitable[Answer]]


class FakeBill:
    """The fake server. ``fake.on(path, script)`` scripts an operation."""

    def __init__(self, *, latency: float = 0.0, max_in_flight: int | None = None) -> None:
        self.latency = latency
        self.max_in_flight = max_in_flight
        self.seen: list[Seen] = []
        self.scripts: dict[str, Script] = {}
        self._sessions = itertools.count(1)
        self.session_orgs: dict[str, str] = {}
        self.in_flight: Counter[str] = Counter()
        self.peak_in_flight: Counter[str] = Counter()
        self.refused = 0
        self.transport = httpx.MockTransport(self.handle)
        self.login_answer: Script | None = None

    # -- scripting ---------------------------------------------------------------------------

    def on(self, path: str, script: Script | Answer) -> None:
        if callable(script):
            self.scripts[path] = script
        else:
            self.scripts[path] = lambda _seen, answer=script: answer

    def count(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)

    @property
    def logins(self) -> int:
        return self.count("Login.json")

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]

    # -- serving -----------------------------------------------------------------------------

    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.split("/api/v2/", 1)[1]
        body = request.content
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        else:
            form = {}
        seen = Seen(path, form, content_type, body, request.extensions.get("timeout", {}))
        self.seen.append(seen)
        org = form.get("orgId") or self.session_orgs.get(form.get("sessionId", ""), "")
        self.in_flight[org] += 1
        self.peak_in_flight[org] = max(self.peak_in_flight[org], self.in_flight[org])
        try:
            if self.max_in_flight is not None and self.in_flight[org] > self.max_in_flight:
                self.refused += 1
                answer: Answer = error("BDC_1322", "Max number of concurrent requests")
            else:
                if self.latency:
                    await anyio.sleep(self.latency)
                answer = await self._answer(path, seen)
        finally:
            self.in_flight[org] -= 1
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=_jsonable(answer))

    async def _answer(self, path: str, seen: Seen) -> Answer:
        script = self.scripts.get(path)
        if script is None and path == "Login.json":
            script = self.login_answer or self._login
        if script is None:
            return error("BDC_1121", "API not supported.")
        answer = script(seen)
        if isinstance(answer, Awaitable):
            answer = await answer
        return answer

    def _login(self, seen: Seen) -> Answer:
        if seen.form.get("devKey") != DEV_KEY:
            return error("BDC_1102", "Developer key is invalid.")
        if seen.form.get("password") not in (PASSWORD, TOKEN_VALUE):
            return error("BDC_1101", "User name and/or password do not match our records.")
        session_id = f"!session-SECRET-{next(self._sessions)}"
        self.session_orgs[session_id] = seen.form["orgId"]
        return ok(
            {
                "sessionId": session_id,
                "orgId": seen.form["orgId"],
                "apiEndPoint": BASE_URL,
                "usersId": "00602ZGNAZQYJBKLdrql",
            }
        )

    def sessions_used(self, path: str) -> list[str]:
        return [s.form.get("sessionId", "") for s in self.seen if s.path == path]


def _jsonable(value: Any) -> Any:
    return json.loads(bill_async._v2._wire.dumps(value))


def credential(org: str = ORG, **options: Any) -> bill_async.CredentialLogin:
    return bill_async.CredentialLogin(
        user_name="ap@example.com", password=PASSWORD, org_id=org, dev_key=DEV_KEY, **options
    )


def token(org: str = ORG, **options: Any) -> bill_async.TokenLogin:
    return bill_async.TokenLogin(
        token_name="nightly-sync", token_value=TOKEN_VALUE, org_id=org, dev_key=DEV_KEY, **options
    )


def client(fake: FakeBill, auth: bill_async.AuthStrategy | None = None, **options: Any) -> Any:
    """A client on the fake, with its own limits so that tests do not share governors."""
    options.setdefault("limits", bill_async.InProcessLimits())
    options.setdefault("retry", bill_async.RetryPolicy(base_delay=0.001, max_delay=0.01))
    return bill_async.Client(
        auth or credential(), base_url=BASE_URL, transport=fake.transport, **options
    )


class ManualClock:
    """An injected clock that moves only when a test moves it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
