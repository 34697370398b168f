"""What the v3 face says on the wire: JSON answers with real HTTP statuses, errors as BILL's
array of ``{timestamp, code, severity, category, message}``, and v3's timestamps.

The v2 face's refusals (``Fault``: a code of BILL's shared table and its message) are sent by
the v3 face with the status BILL uses for the code where it is known (401 ``BDC_1109``, 403
``BDC_1361``, 404 ``BDC_1205``/``BDC_1121``, reference §4.2), and the status docs/decisions.md
chose where it is not. A business rule the emulator enforces without knowing BILL's code (the
v2 face's ``BDC_1002`` stand-in) is sent as 422 with an error that has no code, as BILL's
business-rule refusals and uncoded errors appear to third parties.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .._entities import format_ms
from .._errors import ERROR_MESSAGES, SYSTEM_ERROR, UNKNOWN_ERROR, Fault

__all__ = [
    "NO_RECORD",
    "NO_RECORD_MESSAGE",
    "STATUS_BY_CODE",
    "V3Fault",
    "bad_request",
    "fault_of",
    "from_v2_fault",
    "from_v2_time",
    "no_record",
    "to_v2_time",
]

# BILL's code for an id with no record behind it (a third party's live probe: HTTP 404).
NO_RECORD = "BDC_1205"
NO_RECORD_MESSAGE = "No data found for the given id."

# The HTTP status each code is sent with. 4xx not listed: 400.
STATUS_BY_CODE: Mapping[str, int] = MappingProxyType(
    {
        SYSTEM_ERROR: 500,
        "BDC_1101": 401,  # wrong user name or password
        "BDC_1102": 401,  # wrong devKey
        "BDC_1109": 401,  # session invalid, logged out or idle
        "BDC_1120": 404,
        "BDC_1121": 404,  # no such operation
        "BDC_1144": 429,  # an hourly budget is spent
        "BDC_1160": 403,  # a token session may not (the emulator's invented code)
        NO_RECORD: 404,
        "BDC_1322": 429,  # 3 in flight per devKey and organization
        "BDC_1361": 403,  # the session is not MFA-trusted
    }
)

# Errors BILL files under DOWNSTREAM in its own example (reference §4.3); the rest by status.
_DOWNSTREAM = frozenset({"BDC_1109", "BDC_1144", "BDC_1322"})


class V3Fault(Exception):
    """An error answer of the v3 face: an HTTP status and BILL's error array."""

    def __init__(self, status: int, code: str | None, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def items(self, now_ms: int) -> list[dict[str, Any]]:
        """BILL's error array for this refusal, stamped ``now_ms``."""
        item: dict[str, Any] = {"timestamp": from_v2_time(format_ms(now_ms))}
        if self.code is not None:
            item["code"] = self.code
        item["severity"] = "ERROR"
        if self.code in _DOWNSTREAM:
            item["category"] = "DOWNSTREAM"
        else:
            item["category"] = "SERVER" if self.status >= 500 else "REQUEST"
        item["message"] = self.message
        return [item]


def fault_of(code: str, message: str | None = None) -> V3Fault:
    """A refusal with one of BILL's codes, sent with that code's status."""
    text = message if message is not None else ERROR_MESSAGES.get(code, "Error.")
    return V3Fault(STATUS_BY_CODE.get(code, 400), code, text)


def bad_request(message: str) -> V3Fault:
    """A 400 whose BILL code is not known: sent without one."""
    return V3Fault(400, None, message)


def no_record(record_id: Any) -> V3Fault:
    return V3Fault(404, NO_RECORD, f"{NO_RECORD_MESSAGE} id: {record_id}")


def from_v2_fault(fault: Fault) -> V3Fault:
    """The v3 answer to a refusal of the state's shared rules (the v2 face's ``Fault``)."""
    if fault.code == UNKNOWN_ERROR:
        return V3Fault(422, None, fault.message)
    return fault_of(fault.code, fault.message)


def from_v2_time(value: Any) -> Any:
    """A v2 timestamp (``2024-07-30T19:31:00.000+0000``) as v3 writes it (``...000Z``)."""
    if isinstance(value, str) and value.endswith("+0000"):
        return value[:-5] + "Z"
    return value


def to_v2_time(value: str) -> str:
    """The inverse of ``from_v2_time``."""
    return value[:-1] + "+0000" if value.endswith("Z") else value
