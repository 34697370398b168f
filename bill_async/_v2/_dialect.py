"""BILL v2's wire dialect: form posts carrying ``devKey``, ``sessionId`` and ``data``, and the
envelope that answers them (errors included, with HTTP 200).

The calls here are what the pipeline sends (``_core._dialect.Call``): ``DataCall`` for every
operation with a session (``data`` encoded once, the session's form fields made once per
session), ``FormCall`` for Login and ListOrgs (plain form fields, no session), ``UploadCall``
for UploadAttachment (multipart) and ``PageCall`` for a document page (a GET whose answer is
streamed). ``V2Dialect`` signs in with a strategy's credentials through Login.json.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import urlencode

import attrs

from .._core._auth import AuthStrategy, Credentials
from .._core._dialect import SignedIn
from .._core._sessions import Session
from .._exceptions import ProtocolError
from .._transports._base import RequestHeaders, WireAnswer, WireRequest
from .._transports._sender import Sender
from . import _wire as wire
from ._endpoints import ENDPOINTS_BY_PATH, Endpoint

__all__ = [
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "DataCall",
    "FormCall",
    "PageCall",
    "UploadCall",
    "V2Dialect",
    "list_orgs_fields",
    "login_fields",
]

PRODUCTION_URL = "https://api.bill.com/api/v2"
SANDBOX_URL = "https://api-stage.bill.com/api/v2"

_FORM: RequestHeaders = ((b"Content-Type", wire.FORM_CONTENT_TYPE.encode("ascii")),)
_LOGIN = ENDPOINTS_BY_PATH["Login.json"]
_LOGOUT = ENDPOINTS_BY_PATH["Logout.json"]


def login_fields(credentials: Credentials) -> dict[str, str]:
    """Login.json's form fields, secrets included. Never log or show them."""
    fields = {
        "userName": credentials.user_name,
        "password": credentials.password,
        "orgId": credentials.org_id,
        "devKey": credentials.dev_key,
    }
    if credentials.mfa_id is not None and credentials.device_id is not None:
        fields["mfaId"] = credentials.mfa_id
        fields["deviceId"] = credentials.device_id
    return fields


def list_orgs_fields(credentials: Credentials) -> dict[str, str]:
    """ListOrgs.json's form fields, secrets included. Never log or show them."""
    return {
        "devKey": credentials.dev_key,
        "userName": credentials.user_name,
        "password": credentials.password,
    }


def _decode(answer: WireAnswer, operation: str, secrets: Sequence[str]) -> Any:
    return wire.decode_envelope(answer.status, answer.body, operation, secrets)


@attrs.frozen
class DataCall:
    """A call in a session: ``devKey``, ``sessionId`` and ``data`` (JSON, encoded once).

    Sent without a session (Errors.json), it carries ``devKey`` alone."""

    url: str
    operation: str
    dev_key: str = attrs.field(repr=False)
    data: Any
    data_json: str | None
    streams = False

    def request(self, session: Session | None) -> WireRequest:
        if session is None:
            body = wire.encode_form({"devKey": self.dev_key})
        else:
            prefix = session.cached_wire
            if prefix is None:
                prefix = session.cached_wire = wire.session_prefix(self.dev_key, session.session_id)
            body = wire.encode_call(prefix, self.data_json)
        return WireRequest("POST", self.url, _FORM, body)

    def decode(self, answer: WireAnswer, secrets: Sequence[str]) -> Any:
        return _decode(answer, self.operation, secrets)


@attrs.frozen
class FormCall:
    """Plain form fields and no session: Login.json and ListOrgs.json. Its fields are secret."""

    url: str
    operation: str
    body: bytes = attrs.field(repr=False)
    data = None
    streams = False

    def request(self, session: Session | None) -> WireRequest:
        return WireRequest("POST", self.url, _FORM, self.body)

    def decode(self, answer: WireAnswer, secrets: Sequence[str]) -> Any:
        return _decode(answer, self.operation, secrets)


@attrs.frozen
class UploadCall:
    """UploadAttachment.json: ``multipart/form-data`` with the session's fields, ``data`` and
    the file."""

    url: str
    operation: str
    dev_key: str = attrs.field(repr=False)
    data: Any
    data_json: str
    file_name: str
    content: bytes = attrs.field(repr=False)
    content_type: str
    streams = False

    def request(self, session: Session | None) -> WireRequest:
        assert session is not None  # the table's row is sent in a session
        fields = {"devKey": self.dev_key, "sessionId": session.session_id, "data": self.data_json}
        body, content_type = wire.encode_multipart(
            fields, self.file_name, self.content, self.content_type
        )
        return WireRequest("POST", self.url, ((b"Content-Type", content_type.encode()),), body)

    def decode(self, answer: WireAnswer, secrets: Sequence[str]) -> Any:
        return _decode(answer, self.operation, secrets)


@attrs.define
class PageCall:
    """A document page: a GET on BILL's host with the session as a query parameter, whose
    answer is streamed (``_documents``)."""

    url: str
    operation: str
    params: Mapping[str, str]
    keep_open: AsyncExitStack = attrs.field(factory=AsyncExitStack)
    data = None
    streams = True

    def request(self, session: Session | None) -> WireRequest:
        assert session is not None
        query = urlencode({**self.params, "sessionId": session.session_id})
        return WireRequest("GET", f"{self.url}?{query}", (), b"")

    def decode(self, answer: WireAnswer, secrets: Sequence[str]) -> Any:
        raise AssertionError("a page is streamed, never decoded whole")

    async def open(
        self, sender: Sender, request: WireRequest, secrets: Sequence[str]
    ) -> tuple[int, AsyncIterator[bytes]]:
        async with AsyncExitStack() as response:
            status, chunks = await response.enter_async_context(
                sender.stream(request, self.operation)
            )
            if status != 200:  # closed here, before any retry opens another
                raise ProtocolError(
                    "BILL did not send the page",
                    status_code=status,
                    body="",
                    operation=self.operation,
                )
            await self.keep_open.enter_async_context(response.pop_all())
        return status, chunks


def _with_slash(url: str) -> str:
    return url.rstrip("/") + "/"


@attrs.frozen
class V2Dialect:
    """BILL v2: calls are form posts to ``base_url`` + the operation's path."""

    base_url: str = attrs.field(converter=_with_slash)
    api = "v2"
    sign_in = _LOGIN
    sign_out = _LOGOUT

    def call(self, endpoint: Endpoint, dev_key: str, data: Any) -> DataCall:
        """A call of ``endpoint`` with ``data`` (a JSON-able object, or None for no ``data``).
        Raises ``InvalidRequestError`` for what JSON cannot hold, before anything is sent."""
        data_json = None if data is None else wire.dumps(data)
        return DataCall(self.base_url + endpoint.path, endpoint.path, dev_key, data, data_json)

    def encoded_call(
        self, url: str, endpoint: Endpoint, dev_key: str, data: Any, data_json: str
    ) -> DataCall:
        """A call whose ``data`` is already encoded (a bulk chunk: every chunk is encoded
        before any is sent)."""
        return DataCall(url, endpoint.path, dev_key, data, data_json)

    def form_call(self, endpoint: Endpoint, fields: Mapping[str, str]) -> FormCall:
        return FormCall(self.base_url + endpoint.path, endpoint.path, wire.encode_form(fields))

    def sign_in_call(self, credentials: Credentials) -> FormCall:
        return self.form_call(_LOGIN, login_fields(credentials))

    def sign_out_call(self, credentials: Credentials) -> DataCall:
        return self.call(_LOGOUT, credentials.dev_key, None)

    def signed_in(self, result: Any, credentials: Credentials) -> SignedIn:
        if not isinstance(result, dict) or not isinstance(result.get("sessionId"), str):
            raise ProtocolError(
                "Login.json answered without a sessionId",
                status_code=200,
                body="",
                operation=_LOGIN.path,
            )
        session_id = result["sessionId"]
        if not session_id:
            raise ProtocolError(  # an anomaly, not a refusal: not remembered as one
                "Login.json answered with an empty sessionId",
                status_code=200,
                body="",
                operation=_LOGIN.path,
            )
        return SignedIn(
            session_id=session_id,
            org_id=str(result.get("orgId") or credentials.org_id),
            user_id=result.get("usersId"),
            api_endpoint=result.get("apiEndPoint"),
        )

    def session_key(self, strategy: AuthStrategy) -> str:
        return strategy.session_key  # as before there were two APIs: stored sessions still count
