"""BILL v3's wire dialect: JSON over REST, the session and devKey as headers, real HTTP statuses
with an array of errors.

``V3Dialect`` makes ``JsonCall``\\ s (a JSON body, encoded once; path and query parameters in the
URL), ``UploadCall``\\ s (a file's raw bytes) and signs in through ``POST /v3/login`` with a
strategy's credentials. Answers: 2xx is the result (an empty body is None); 4xx and 5xx carry
``[{"code", "message", "severity", "category", ...}]``, read into the exception tree by BDC
code, or by HTTP status where no error has a code. A body that is not BILL's is a
``ProtocolError``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import attrs

from .._core._auth import AuthStrategy, Credentials
from .._core._dialect import SignedIn
from .._core._redact import mask_values
from .._core._sessions import Session
from .._exceptions import (
    ApiError,
    ConcurrencyLimitError,
    InvalidInputError,
    InvalidRequestError,
    NotFoundError,
    ProtocolError,
    ServerError,
    SessionExpiredError,
    api_error_for,
)
from .._transports._base import RequestHeaders, WireAnswer, WireRequest
from .._v2 import _wire as wire
from ._endpoints import OPERATIONS_BY_KEY, Operation

__all__ = [
    "EVENTS_SUFFIX",
    "MAX_UPLOAD",
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "JsonCall",
    "UploadCall",
    "V3Dialect",
    "api_error_of",
]

PRODUCTION_URL = "https://gateway.prod.bill.com/connect"
SANDBOX_URL = "https://gateway.stage.bill.com/connect"
# The webhooks API is a sibling root of the AP & AR API: ".../connect" -> ".../connect-events".
EVENTS_SUFFIX = "-events"
MAX_UPLOAD = 6 * 1024 * 1024  # BILL's limit on a document or attachment

_JSON: RequestHeaders = ((b"Content-Type", b"application/json"),)
_LOGIN = OPERATIONS_BY_KEY[("POST", "/v3/login")]
_LOGOUT = OPERATIONS_BY_KEY[("POST", "/v3/logout")]
_BDC = re.compile(r"BDC_\d+")

# What an error array with no BDC code means, by HTTP status.
_BY_STATUS: Mapping[int, type[ApiError]] = {
    400: InvalidInputError,
    401: SessionExpiredError,
    404: NotFoundError,
    422: InvalidInputError,
    # The webhooks API's "too many requests, or this idempotency key is still in progress":
    # BILL refused it, so it did not run, and may be sent again after a wait.
    429: ConcurrencyLimitError,
}


def _session_headers(session: Session, dev_key: str) -> RequestHeaders:
    """The headers every call in ``session`` carries: made once per session (secret)."""
    headers = session.cached_wire
    if headers is None:
        headers = session.cached_wire = (
            *_JSON,
            (b"sessionId", session.session_id.encode("latin-1")),
            (b"devKey", dev_key.encode("latin-1")),
        )
    return headers  # type: ignore[no-any-return]


def _excerpt(answer: WireAnswer, secrets: Sequence[str]) -> str:
    return wire.body_excerpt(answer.body, secrets)


def api_error_of(
    status: int, payload: Any, operation: str, secrets: Sequence[str]
) -> ApiError | None:
    """The error an answer's error array holds, or None when it is not one."""
    if not isinstance(payload, list) or not payload:
        return None
    items = [item for item in payload if isinstance(item, Mapping)]
    if len(items) != len(payload) or not all(isinstance(i.get("message"), str) for i in items):
        return None
    coded = [i for i in items if isinstance(i.get("code"), str) and _BDC.fullmatch(i["code"])]
    first = coded[0] if coded else items[0]
    message = mask_values("; ".join(str(i["message"]) for i in items), secrets)
    if coded:
        error = api_error_for(first["code"], message, operation)
    else:
        status_class = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
        error = status_class(f"HTTP_{status}", message, operation)
    error.status_code = status
    error.errors = tuple(mask_values(json.dumps(i), secrets) for i in items)
    return error


def _decode(answer: WireAnswer, operation: str, secrets: Sequence[str]) -> Any:
    """The result of a 2xx answer; raises the error of any other."""
    body = answer.body
    try:
        payload = wire.loads(body) if body.strip() else None
    except ValueError:
        raise ProtocolError(
            "the server answered with a body that is not JSON (is the base URL BILL's?)",
            status_code=answer.status,
            body=_excerpt(answer, secrets),
            operation=operation,
        ) from None
    if 200 <= answer.status < 300:
        return payload
    error = api_error_of(answer.status, payload, operation, secrets)
    if error is None:
        raise ProtocolError(
            "the server answered with an error that is not BILL's error array",
            status_code=answer.status,
            body=_excerpt(answer, secrets),
            operation=operation,
        )
    raise error


@attrs.frozen
class JsonCall:
    """A call with a JSON body (or none), the session and devKey as headers."""

    op: Operation
    url: str
    dev_key: str = attrs.field(repr=False)
    data: Any
    body: bytes = attrs.field(repr=False)
    idempotency_key: str | None = None  # made once per call: every attempt sends the same
    streams = False

    def request(self, session: Session | None) -> WireRequest:
        headers = _JSON if session is None else _session_headers(session, self.dev_key)
        if self.idempotency_key is not None:
            headers = (*headers, (b"X-Idempotent-Key", self.idempotency_key.encode("ascii")))
        return WireRequest(self.op.http, self.url, headers, self.body)

    def decode(self, answer: WireAnswer, secrets: Sequence[str]) -> Any:
        return _decode(answer, self.op.name, secrets)


@attrs.frozen
class UploadCall:
    """A file's raw bytes, named by the ``name`` query parameter (in ``url``)."""

    op: Operation
    url: str
    dev_key: str = attrs.field(repr=False)
    data: Any
    content: bytes = attrs.field(repr=False)
    content_type: str
    streams = False

    def request(self, session: Session | None) -> WireRequest:
        assert session is not None  # uploads are sent in a session
        headers = (
            (b"Content-Type", self.content_type.encode("latin-1")),
            (b"sessionId", session.session_id.encode("latin-1")),
            (b"devKey", self.dev_key.encode("latin-1")),
        )
        return WireRequest(self.op.http, self.url, headers, self.content)

    def decode(self, answer: WireAnswer, secrets: Sequence[str]) -> Any:
        return _decode(answer, self.op.name, secrets)


def _with_slash(url: str) -> str:
    return url.rstrip("/")


@attrs.frozen
class V3Dialect:
    """BILL v3: JSON calls to ``base_url`` (``.../connect``) + the operation's path; the
    webhooks API on the sibling root ``.../connect-events``."""

    base_url: str = attrs.field(converter=_with_slash)
    api = "v3"
    sign_in = _LOGIN
    sign_out = _LOGOUT

    def url(self, op: Operation, args: Sequence[str], query: Mapping[str, Any] | None) -> str:
        """The operation's URL with its path parameters and query filled in."""
        names = op.params
        if len(args) != len(names):
            raise InvalidRequestError(
                f"{op.name} takes {len(names)} path parameters, not {len(args)}"
            )
        path = op.path
        for name, value in zip(names, args, strict=True):
            if not isinstance(value, str) or not value.strip():
                raise InvalidRequestError(
                    f"{op.name}: {name} must be a non-empty id, not {value!r}"
                )
            path = path.replace("{" + name + "}", quote(value, safe=""), 1)
        root = self.base_url + (EVENTS_SUFFIX if op.host == "connect-events" else "")
        url = root + path
        if query:
            url += "?" + urlencode({k: _query_value(v) for k, v in query.items() if v is not None})
        return url

    def call(
        self,
        op: Operation,
        dev_key: str,
        args: Sequence[str] = (),
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> JsonCall:
        """A call of ``op``. Raises ``InvalidRequestError`` for what JSON cannot hold, before
        anything is sent."""
        encoded = b"" if body is None else wire.dumps(body).encode()
        key = str(uuid.uuid4()) if op.idempotency_key else None
        return JsonCall(op, self.url(op, args, query), dev_key, body, encoded, key)

    def upload_call(
        self,
        op: Operation,
        dev_key: str,
        args: Sequence[str],
        *,
        name: str,
        content: bytes,
        content_type: str,
        query: Mapping[str, Any] | None = None,
    ) -> UploadCall:
        if not isinstance(content, bytes | bytearray):
            raise InvalidRequestError(f"{op.name}: content must be bytes, not {type(content)}")
        if len(content) > MAX_UPLOAD:
            raise InvalidRequestError(
                f"{op.name}: the file is {len(content)} bytes; BILL takes at most {MAX_UPLOAD}"
            )
        if not name or "/" in name or "\\" in name:
            raise InvalidRequestError(f"{op.name}: {name!r} is not a file name")
        url = self.url(op, args, {**(query or {}), "name": name})
        return UploadCall(op, url, dev_key, {"name": name}, bytes(content), content_type)

    def sign_in_call(self, credentials: Credentials) -> JsonCall:
        body = {
            "username": credentials.user_name,
            "password": credentials.password,
            "organizationId": credentials.org_id,
            "devKey": credentials.dev_key,
        }
        if credentials.mfa_id is not None and credentials.device_id is not None:
            body["rememberMeId"] = credentials.mfa_id
            body["device"] = credentials.device_id
        return JsonCall(
            _LOGIN, self.url(_LOGIN, (), None), credentials.dev_key, None, wire.dumps(body).encode()
        )

    def sign_out_call(self, credentials: Credentials) -> JsonCall:
        return self.call(_LOGOUT, credentials.dev_key)

    def signed_in(self, result: Any, credentials: Credentials) -> SignedIn:
        session_id = result.get("sessionId") if isinstance(result, Mapping) else None
        if not isinstance(session_id, str) or not session_id:
            raise ProtocolError(  # an anomaly, not a refusal: not remembered as one
                "POST /v3/login answered without a sessionId",
                status_code=200,
                body="",
                operation=_LOGIN.name,
            )
        assert isinstance(result, Mapping)
        trusted = result.get("trusted")
        return SignedIn(
            session_id=session_id,
            org_id=str(result.get("organizationId") or credentials.org_id),
            user_id=result.get("userId"),
            mfa_trusted=trusted if isinstance(trusted, bool) else None,
        )

    def session_key(self, strategy: AuthStrategy) -> str:
        # Nobody knows whether a v2 session works on v3: a store keeps them apart.
        return f"v3:{strategy.session_key}"


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return str(wire.wire_scalar(value))
