"""The one exception tree of bill_async.

Every error the SDK raises is a ``BillError``; a user never sees a bare ``KeyError``,
``JSONDecodeError`` or httpx exception::

    BillError
    ├── RequestRejectedError      refused by the SDK before anything was sent
    │   ├── TokenPermissionError      a token session may not call this operation
    │   ├── MfaRequiredError          the operation needs an MFA-trusted session
    │   ├── InvalidRequestError       bad arguments (filters, page size, ...): a ValueError
    │   │   └── UnknownFieldError         a field the object or operation does not have: a TypeError
    │   └── BudgetExhaustedError      an hourly budget is spent (also a RateLimitError)
    ├── ApiError                  BILL answered response_status 1 (.code, .message, .operation)
    │   ├── AuthenticationError       BDC_1101, BDC_1102, BDC_1105
    │   ├── SessionExpiredError       BDC_1109
    │   ├── RateLimitError            BDC_1144 (.reset_at)
    │   ├── ConcurrencyLimitError     BDC_1322
    │   ├── UnsupportedOperationError BDC_1121
    │   ├── MfaError                  BDC_1354, BDC_1356
    │   └── PaymentError              BDC_1150, BDC_1402
    ├── TransportError            the request did not get an answer
    │   ├── ConnectError              could not connect: the request was not sent
    │   ├── ConnectionLostError       the connection dropped after the request was (maybe) sent
    │   └── RequestTimeoutError       (also the builtin TimeoutError)
    │       ├── ConnectTimeoutError
    │       ├── PoolTimeoutError      no connection was free: the request was not sent
    │       ├── WriteTimeoutError
    │       └── ReadTimeoutError
    ├── ProtocolError             the body is not JSON or not BILL's envelope (.status_code, .body)
    ├── AmbiguousWriteError       a write may or may not have run; never resent (.operation, .data)
    └── ClientStateError          the client is closed, or used from another event loop

The BDC-code-to-class map is ``ERROR_CLASSES``; nothing else decides which class a code gets.
Messages never contain a password, token value, devKey, sessionId or mfaId.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

__all__ = [
    "ERROR_CLASSES",
    "AmbiguousWriteError",
    "ApiError",
    "AuthenticationError",
    "BillError",
    "BudgetExhaustedError",
    "ClientStateError",
    "ConcurrencyLimitError",
    "ConnectError",
    "ConnectTimeoutError",
    "ConnectionLostError",
    "InvalidRequestError",
    "MfaError",
    "MfaRequiredError",
    "PaymentError",
    "PoolTimeoutError",
    "ProtocolError",
    "RateLimitError",
    "ReadTimeoutError",
    "RequestRejectedError",
    "RequestTimeoutError",
    "SessionExpiredError",
    "TokenPermissionError",
    "TransportError",
    "UnknownFieldError",
    "UnsupportedOperationError",
    "WriteTimeoutError",
    "api_error_for",
]


class BillError(Exception):
    """The root of every error bill_async raises."""


class RequestRejectedError(BillError):
    """The SDK refused the call before sending anything to BILL."""


class TokenPermissionError(RequestRejectedError):
    """A token (sync token) session may not call this operation.

    Raised before any request is sent, not even a login.
    """

    def __init__(self, operation: str, rule: str) -> None:
        self.operation = operation
        self.rule = rule
        super().__init__(f"{operation}: not allowed for a token session: {rule}")


class MfaRequiredError(RequestRejectedError):
    """The operation needs an MFA-trusted session and this session is not known to be trusted."""

    def __init__(self, operation: str) -> None:
        self.operation = operation
        super().__init__(
            f"{operation} needs an MFA-trusted session: run client.mfa.challenge() and "
            "client.mfa.authenticate() first, or log in with mfa_id and device_id"
        )


class InvalidRequestError(RequestRejectedError, ValueError):
    """The arguments were refused before sending (a bad filter, page size, chunk, ...)."""


class UnknownFieldError(InvalidRequestError, TypeError):
    """A keyword argument or key the object or operation does not have (a misspelt name, say),
    refused before sending. Also a ``TypeError``, as Python's own for an unknown keyword.

    Attributes:
        field: the name as given.
        suggestion: the closest known name, if one is close.
    """

    def __init__(self, message: str, field: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.suggestion = suggestion

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.field, self.suggestion))


class ApiError(BillError):
    """BILL answered the call with ``response_status`` 1.

    Attributes:
        code: BILL's error code, for example ``"BDC_1109"``.
        message: BILL's error message.
        operation: the path of the operation, for example ``"Crud/Read/Vendor.json"``.
    """

    def __init__(self, code: str, message: str, operation: str) -> None:
        self.code = code
        self.message = message
        self.operation = operation
        super().__init__(f"{operation}: {code}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.message, self.operation))


class AuthenticationError(ApiError):
    """The credentials, token or developer key were refused (BDC_1101, BDC_1102, BDC_1105)."""


class SessionExpiredError(ApiError):
    """The session is invalid or has idled out (BDC_1109), and logging in again did not help."""


class RateLimitError(ApiError):
    """An hourly limit is reached (BDC_1144). ``reset_at`` is the top of the next hour (UTC)."""

    def __init__(
        self,
        code: str,
        message: str,
        operation: str,
        reset_at: _dt.datetime | None = None,
    ) -> None:
        super().__init__(code, message, operation)
        self.reset_at = reset_at

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.message, self.operation, self.reset_at))


class BudgetExhaustedError(RateLimitError, RequestRejectedError):
    """The SDK's own count of the hourly budget is spent: refused without sending."""


class ConcurrencyLimitError(ApiError):
    """More than BILL's allowed requests were in flight for the organization (BDC_1322)."""


class UnsupportedOperationError(ApiError):
    """BILL does not know the operation's path (BDC_1121)."""


class MfaError(ApiError):
    """An MFA step failed: no registered phone (BDC_1354) or an expired challenge (BDC_1356)."""


class PaymentError(ApiError):
    """The user or organization cannot make this payment (BDC_1150, BDC_1402)."""


class TransportError(BillError):
    """The request got no answer from BILL."""


class ConnectError(TransportError):
    """Could not connect to BILL: the request was not sent."""


class ConnectionLostError(TransportError):
    """The connection dropped after the request may have been sent."""


class RequestTimeoutError(TransportError, TimeoutError):
    """A timeout; the subclass says which phase timed out."""


class ConnectTimeoutError(RequestTimeoutError):
    """Connecting timed out: the request was not sent."""


class PoolTimeoutError(RequestTimeoutError):
    """No pooled connection was free in time: the request was not sent."""


class WriteTimeoutError(RequestTimeoutError):
    """Sending the request timed out part-way."""


class ReadTimeoutError(RequestTimeoutError):
    """The request was sent but the answer did not arrive in time."""


class ProtocolError(BillError):
    """BILL's answer was not JSON, or not BILL's envelope.

    Attributes:
        status_code: the HTTP status of the answer.
        body: the start of the body (at most 500 characters), with secrets masked.
        operation: the path of the operation.
    """

    def __init__(self, message: str, *, status_code: int, body: str, operation: str) -> None:
        self.status_code = status_code
        self.body = body
        self.operation = operation
        super().__init__(f"{operation}: {message} (HTTP {status_code}): {body!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilding from args would lose the keyword-only attributes.
        return (_rebuild_protocol_error, (str(self), self.status_code, self.body, self.operation))


def _rebuild_protocol_error(
    text: str, status_code: int, body: str, operation: str
) -> ProtocolError:
    error = ProtocolError.__new__(ProtocolError)
    BillError.__init__(error, text)
    error.status_code, error.body, error.operation = status_code, body, operation
    return error


class AmbiguousWriteError(BillError):
    """A write failed in a way that does not show whether BILL ran it.

    BILL v2 has no idempotency key, so the SDK never sends such a write again: look the
    object up (for example by a reference you put in it) before retrying by hand.

    Attributes:
        operation: the path of the operation.
        data: the ``data`` that was sent, with secrets removed.
    """

    def __init__(self, operation: str, data: Mapping[str, Any] | None, reason: str) -> None:
        self.operation = operation
        self.data = data
        self.reason = reason
        super().__init__(
            f"{operation}: the write may or may not have run ({reason}); it was not sent again"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.operation, self.data, self.reason))


class ClientStateError(BillError, RuntimeError):
    """The client cannot be used now: it is closed, or it belongs to another event loop."""


# The one map from BILL error code to exception class. Codes not listed raise plain ApiError.
ERROR_CLASSES: Mapping[str, type[ApiError]] = {
    "BDC_1101": AuthenticationError,
    "BDC_1102": AuthenticationError,
    "BDC_1105": AuthenticationError,
    "BDC_1109": SessionExpiredError,
    "BDC_1121": UnsupportedOperationError,
    "BDC_1144": RateLimitError,
    "BDC_1150": PaymentError,
    "BDC_1322": ConcurrencyLimitError,
    "BDC_1354": MfaError,
    "BDC_1356": MfaError,
    "BDC_1402": PaymentError,
}


def api_error_for(code: str, message: str, operation: str) -> ApiError:
    """Build the exception for one of BILL's error answers, picked by ``ERROR_CLASSES``."""
    return ERROR_CLASSES.get(code, ApiError)(code, message, operation)
