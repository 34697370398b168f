"""The error codes the emulator answers with, in one place.

Codes from BILL's documents (reference §1.3) are used with their documented meaning. BILL does
not document every case the emulator must answer, so three codes are *chosen*; each lives in one
constant here and nowhere else:

- ``TOKEN_REFUSED`` (``BDC_1160``): a token (sync token) session called an operation that BILL's
  token sign-in page forbids. BILL's real code for this is unknown (reference §7).
- ``MFA_REQUIRED`` (``BDC_1361``): a credential session that is not MFA-trusted called an
  MFA-protected operation. The reference saw BDC_1361 used for an "expired/untrusted session".
- ``INVALID_REQUEST`` (``BDC_1002``, documented as "an unknown or misspelt parameter, or a badly
  formed object") for every bad argument: a missing field, an unknown id, a bad date. The
  ``error_message`` says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "BAD_CREDENTIALS",
    "BAD_DEV_KEY",
    "CANNOT_PAY",
    "CONCURRENCY_LIMIT",
    "ERROR_MESSAGES",
    "HOURLY_LIMIT",
    "INVALID_REQUEST",
    "INVALID_SESSION",
    "MAIL_ADDRESS_INCOMPLETE",
    "MAIL_ADDRESS_NOT_US",
    "MFA_INVALID",
    "MFA_NO_PHONE",
    "MFA_REQUIRED",
    "NOT_SUPPORTED",
    "SYSTEM_ERROR",
    "TOKEN_REFUSED",
    "Fault",
]

SYSTEM_ERROR = "BDC_1001"
INVALID_REQUEST = "BDC_1002"
BAD_CREDENTIALS = "BDC_1101"
BAD_DEV_KEY = "BDC_1102"
INVALID_SESSION = "BDC_1109"
NOT_SUPPORTED = "BDC_1121"
HOURLY_LIMIT = "BDC_1144"
CANNOT_PAY = "BDC_1150"
TOKEN_REFUSED = "BDC_1160"
CONCURRENCY_LIMIT = "BDC_1322"
MAIL_ADDRESS_INCOMPLETE = "BDC_1332"
MAIL_ADDRESS_NOT_US = "BDC_1333"
MFA_NO_PHONE = "BDC_1354"
MFA_INVALID = "BDC_1356"
MFA_REQUIRED = "BDC_1361"

# The standard message of each code (Errors.json lists these).
ERROR_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        SYSTEM_ERROR: "System error occurred.",
        INVALID_REQUEST: "Unknown error occurred.",
        BAD_CREDENTIALS: "User name and/or password do not match our records.",
        BAD_DEV_KEY: "Developer key is invalid.",
        INVALID_SESSION: "Session is invalid. Please log in.",
        NOT_SUPPORTED: "API not supported.",
        HOURLY_LIMIT: "Max number of allowed requests per hour reached: 20000.",
        CANNOT_PAY: "User cannot make online payments.",
        TOKEN_REFUSED: "This operation is not available to a token-based session.",
        CONCURRENCY_LIMIT: "Max number of concurrent requests per organization reached.",
        MAIL_ADDRESS_INCOMPLETE: "The customer's mailing address is incomplete.",
        MAIL_ADDRESS_NOT_US: "The customer's mailing address is outside the US.",
        MFA_NO_PHONE: "The user has no registered mobile device.",
        MFA_INVALID: "The MFA challenge has expired or the code is not valid.",
        MFA_REQUIRED: "This operation requires an MFA-trusted session.",
    }
)


class Fault(Exception):
    """An error answer: raised by a handler, sent as BILL's error envelope with HTTP 200."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else ERROR_MESSAGES.get(code, "Error.")
        super().__init__(f"{self.code}: {self.message}")
