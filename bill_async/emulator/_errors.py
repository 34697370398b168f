"""The error codes and messages the emulator answers with, in one place.

BILL's error table (``tests/reference/v2-error-codes.tsv``) gives each code a message template
with ``${paramName0}``/``${paramName1}`` filled in; the builders below fill them in as BILL does
(a value as BILL's JSON shows it: ``13``, ``null``, ``true``, a string as it is). Where the
emulator refuses, it answers with the code and wording BILL is known to use; docs/decisions.md
names the source of each rule and says which parts are chosen because BILL's answer is unknown:

- BILL's own Node client's tests against BILL's sandbox show two messages whose code they do
  not show: "Invalid value for data key,value: ..." (a bad list option, an id that is not an id,
  a date that is not a date) and "Invalid entity data. ..." (a name over 100 characters, a
  parent id that is not an id). The emulator sends them with ``INVALID_DATA_KEY`` (BDC_1129) and
  ``INVALID_ENTITY_DATA`` (BDC_1119), the table's codes of the same meaning.
- ``TOKEN_REFUSED`` (``BDC_1160``): a token (sync token) session called an operation that BILL's
  token sign-in page forbids. Invented: BILL's real code for this is unknown (reference §7).
- ``MFA_REQUIRED`` (``BDC_1361``): a credential session that is not MFA-trusted called an
  MFA-protected operation; BDC_1361 is BILL's answer to an untrusted session on v3.
- ``UNKNOWN_ERROR`` (``BDC_1002``, "Unknown error occurred."): a business rule BILL's documents
  do not give an answer for (paying more than a bill owes, deleting a paid bill, ...); the
  ``error_message`` says which, in the emulator's own words.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = [
    "BAD_CREDENTIALS",
    "BAD_DEV_KEY",
    "BAD_JSON",
    "CANNOT_PAY",
    "CONCURRENCY_LIMIT",
    "ENTITY_MISMATCH",
    "ERROR_MESSAGES",
    "HOURLY_LIMIT",
    "INVALID_DATATYPE",
    "INVALID_DATA_KEY",
    "INVALID_ENTITY_DATA",
    "INVALID_FIELD_VALUE",
    "INVALID_FILTER_FIELD",
    "INVALID_PARAMETER",
    "INVALID_SESSION",
    "MAIL_ADDRESS_INCOMPLETE",
    "MAIL_ADDRESS_NOT_US",
    "MFA_INVALID",
    "MFA_NO_PHONE",
    "MFA_REQUIRED",
    "MISSING_DATA",
    "MISSING_DEV_KEY",
    "MISSING_PARAMETER",
    "NOT_SUPPORTED",
    "NO_DATA",
    "SYSTEM_ERROR",
    "TOKEN_REFUSED",
    "UNKNOWN_ERROR",
    "Fault",
    "entity_mismatch",
    "invalid_data_key",
    "invalid_datatype",
    "invalid_entity_data",
    "invalid_field_value",
    "invalid_filter_field",
    "invalid_parameter",
    "missing_data",
    "missing_parameter",
    "shown",
]

SYSTEM_ERROR = "BDC_1001"
UNKNOWN_ERROR = "BDC_1002"
BAD_CREDENTIALS = "BDC_1101"
BAD_DEV_KEY = "BDC_1102"
MISSING_PARAMETER = "BDC_1108"
INVALID_SESSION = "BDC_1109"
MISSING_DATA = "BDC_1117"
ENTITY_MISMATCH = "BDC_1118"
INVALID_FIELD_VALUE = "BDC_1119"
NO_DATA = "BDC_1120"
NOT_SUPPORTED = "BDC_1121"
BAD_JSON = "BDC_1122"
INVALID_DATATYPE = "BDC_1124"
INVALID_PARAMETER = "BDC_1129"
INVALID_FILTER_FIELD = "BDC_1130"
HOURLY_LIMIT = "BDC_1144"
CANNOT_PAY = "BDC_1150"
TOKEN_REFUSED = "BDC_1160"
MISSING_DEV_KEY = "BDC_1178"
CONCURRENCY_LIMIT = "BDC_1322"
MAIL_ADDRESS_INCOMPLETE = "BDC_1332"
MAIL_ADDRESS_NOT_US = "BDC_1333"
MFA_NO_PHONE = "BDC_1354"
MFA_INVALID = "BDC_1356"
MFA_REQUIRED = "BDC_1361"
# Chosen codes for two messages of BILL's whose code is not published (module docstring).
INVALID_DATA_KEY = INVALID_PARAMETER
INVALID_ENTITY_DATA = INVALID_FIELD_VALUE

# Each code's message (Errors.json lists these): BILL's template where BILL's table has one.
ERROR_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        SYSTEM_ERROR: "System error occurred.",
        UNKNOWN_ERROR: "Unknown error occurred.",
        BAD_CREDENTIALS: "User name and/or password do not match our records.",
        BAD_DEV_KEY: "Developer key is invalid.",
        MISSING_PARAMETER: "Missing parameter value for parameter: ${paramName0}.",
        INVALID_SESSION: "Session is invalid. Please log in.",
        MISSING_DATA: "Missing required data for: ${paramName0}.",
        ENTITY_MISMATCH: "Entity from CRUD operation: ${paramName0} does not match the entity "
        "specified in the data: ${paramName1}.",
        INVALID_FIELD_VALUE: "Invalid field,value: ${paramName0}, ${paramName1}.",
        NO_DATA: "No data found.",
        NOT_SUPPORTED: "API not supported.",
        BAD_JSON: "Error Parsing Json Object. Please check your request.",
        INVALID_DATATYPE: "Invalid field datatype: ${paramName0}.",
        INVALID_PARAMETER: "Invalid parameter value for parameter,value: ${paramName0}, "
        "${paramName1}.",
        INVALID_FILTER_FIELD: "Invalid list filter field: ${paramName0}.",
        HOURLY_LIMIT: "Max number of allowed requests per hour reached: 20000.",
        CANNOT_PAY: "User cannot make online payments.",
        TOKEN_REFUSED: "This operation is not available to a token-based session.",
        MISSING_DEV_KEY: "Developer key must be specified.",
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


def shown(value: Any) -> str:
    """A value as BILL's messages show it: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), default=str)


def missing_parameter(name: str) -> Fault:
    """A form parameter (Login's ``orgId``, ...) is missing."""
    return Fault(MISSING_PARAMETER, f"Missing parameter value for parameter: {name}.")


def missing_data(name: str) -> Fault:
    """A required field or data key is missing (or names nothing, as BILL says for some)."""
    return Fault(MISSING_DATA, f"Missing required data for: {name}.")


def entity_mismatch(operation_entity: str, data_entity: Any) -> Fault:
    """``obj.entity`` is not the entity of the operation's path."""
    return Fault(
        ENTITY_MISMATCH,
        f"Entity from CRUD operation: {operation_entity} does not match the entity specified "
        f"in the data: {shown(data_entity)}.",
    )


def invalid_field_value(field: str, value: Any) -> Fault:
    """A field holds a value BILL refuses: not in its code list, or an id of nothing."""
    return Fault(INVALID_FIELD_VALUE, f"Invalid field,value: {field}, {shown(value)}.")


def invalid_datatype(field: str) -> Fault:
    """A field holds a value of the wrong type (a number for a boolean, ...)."""
    return Fault(INVALID_DATATYPE, f"Invalid field datatype: {field}.")


def invalid_parameter(name: str, value: Any) -> Fault:
    """A form parameter holds a value BILL refuses (Login's ``orgId``)."""
    return Fault(
        INVALID_PARAMETER, f"Invalid parameter value for parameter,value: {name}, {shown(value)}."
    )


def invalid_data_key(key: str, value: Any) -> Fault:
    """A key of ``data`` holds a value BILL refuses (``nested``, ``max``, an ``id``, a date)."""
    return Fault(INVALID_DATA_KEY, f"Invalid value for data key,value: {key}, {shown(value)}.")


def invalid_entity_data(detail: str) -> Fault:
    """An object BILL refuses as a whole: ``detail`` is "name: Maximum length ..." or
    "Invalid DB ID: vendorId"."""
    return Fault(INVALID_ENTITY_DATA, f"Invalid entity data. {detail}.")


def invalid_filter_field(field: Any) -> Fault:
    """A List filter (or sort) names a field the entity does not have."""
    return Fault(INVALID_FILTER_FIELD, f"Invalid list filter field: {shown(field)}.")
