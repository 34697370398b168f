"""The wire-dialect seam: what the pipeline needs from an API's wire format, and nothing more.

A dialect (v2's form posts and envelopes in ``_v2._dialect``; a JSON-over-REST one beside it)
makes ``Call``\\ s: one per call of an operation, encoded once, then turned into a request for
each attempt with the session then current, and reading the answer into a result or into the
exception tree (an ``ApiError`` subclass for BILL's refusal, a ``ProtocolError`` for an answer
that is not BILL's). It also says how to sign in with a strategy's ``Credentials`` and what a
sign-in's answer says of the new session.

The pipeline (``_pipeline``) does the rest, the same for every dialect: sessions, limits,
retries, write safety, hooks, logging and redaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, Protocol

import attrs

if TYPE_CHECKING:
    from .._transports._base import WireAnswer, WireRequest
    from .._transports._sender import Sender
    from ._auth import AuthStrategy, Credentials
    from ._operation import Operation
    from ._sessions import Session

__all__ = ["Call", "Dialect", "SignedIn", "StreamCall"]


class Call(Protocol):
    """One call of an operation, as a dialect prepared it."""

    @property
    def data(self) -> Any:
        """What was asked, as a write's ``AmbiguousWriteError`` shows it (secrets removed)."""

    @property
    def streams(self) -> bool:
        """False: the answer is read whole and decoded (only a ``StreamCall`` says True)."""

    def request(self, session: Session | None) -> WireRequest:
        """The request for one attempt, in ``session`` (None for a call sent without one)."""

    def decode(self, answer: WireAnswer, secrets: Sequence[str]) -> Any:
        """The result of a good answer; raises the mapped ``ApiError`` for BILL's refusal and a
        ``ProtocolError`` for an answer that is not BILL's. Errors mask ``secrets``."""


class StreamCall(Call, Protocol):
    """A call whose answer is streamed to the caller (a document page): the governor slot and
    the response stay open, in ``keep_open``, until the caller is done."""

    @property
    def keep_open(self) -> AsyncExitStack: ...

    async def open(
        self, sender: Sender, request: WireRequest, secrets: Sequence[str]
    ) -> tuple[int, AsyncIterator[bytes]]:
        """Send ``request`` and return the status and the body's chunks, the response entered
        into ``keep_open``; raises when the answer is not the one asked for."""


@attrs.frozen
class SignedIn:
    """What a sign-in's answer says of the new session."""

    session_id: str = attrs.field(repr=False)
    org_id: str
    user_id: str | None = None
    api_endpoint: str | None = None
    mfa_trusted: bool | None = None  # None: the answer does not say (v2)


class Dialect(Protocol):
    """One API's wire format."""

    @property
    def api(self) -> str:
        """Its name (``"v2"``): sessions are kept per API, never handed to another."""

    @property
    def sign_in(self) -> Operation:
        """The operation that signs in."""

    def sign_in_call(self, credentials: Credentials) -> Call:
        """The call that signs in with ``credentials``."""

    @property
    def sign_out(self) -> Operation:
        """The operation that ends the session (its row says it ends it)."""

    def sign_out_call(self, credentials: Credentials) -> Call:
        """The call that ends the current session."""

    def signed_in(self, result: Any, credentials: Credentials) -> SignedIn:
        """The new session, from the sign-in call's result; raises ``ProtocolError`` when the
        answer holds no usable session id."""

    def session_key(self, strategy: AuthStrategy) -> str:
        """The key a shared ``SessionStore`` keeps this API's session under (no secret in it)."""
