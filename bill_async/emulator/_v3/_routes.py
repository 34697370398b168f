"""Routing by the v3 endpoint table: each row's path template (``/v3/vendors/{vendorId}``) on
its host (``connect``, or ``connect-events`` for the webhooks API), and its handler if the
emulator has one.

The webhooks API's rows (``_subscriptions``) are served on ``connect-events``, with one row
more than the table has: the key rotation under BILL's other spelling, ``/security-key``.

A path no row has, or a row without a handler (added to the table before the emulator learns
it), is answered 404 ``BDC_1121`` "API not supported.", as BILL answers a path it does not
know; a path some row has with another method is answered 405. The table is read when an
emulator is made, so a row added later never stops the emulator from starting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import attrs

from ...v3 import _endpoints
from ...v3._endpoints import Operation
from ._actions import ACTION_HANDLERS
from ._context import Handler
from ._crud import record_handlers
from ._records import SPECS
from ._subscriptions import EVENT_HANDLERS, ROTATE_PATHS

__all__ = ["EVENT_HANDLERS", "HANDLERS", "NOT_ALLOWED", "Route", "Router"]

# Each record's collection path and the name its id has in the table's paths. The payments and
# received payments are read here; they are written by actions (``_actions``).
_RESOURCES = (
    ("Vendor", "/v3/vendors", "vendorId", True),
    ("Customer", "/v3/customers", "customerId", True),
    ("Bill", "/v3/bills", "billId", True),
    ("Invoice", "/v3/invoices", "invoiceId", True),
    ("CreditMemo", "/v3/credit-memos", "creditMemoId", True),
    ("VendorCredit", "/v3/vendor-credits", "vendorCreditId", True),
    ("AccountingClass", "/v3/classifications/accounting-classes", "id", True),
    ("ChartOfAccount", "/v3/classifications/chart-of-accounts", "id", True),
    ("Department", "/v3/classifications/departments", "id", True),
    ("Employee", "/v3/classifications/employees", "id", True),
    ("Item", "/v3/classifications/items", "id", True),
    ("Job", "/v3/classifications/jobs", "id", True),
    ("Location", "/v3/classifications/locations", "id", True),
    ("ReceivablePayment", "/v3/receivable-payments", "receivedPaymentId", False),
    ("Payment", "/v3/payments", "paymentId", False),
)


def _all_handlers() -> dict[tuple[str, str], Handler]:
    handlers: dict[tuple[str, str], Handler] = {}
    for name, base, param, writable in _RESOURCES:
        handlers.update(record_handlers(SPECS[name], base, param, writable=writable))
    handlers.update(ACTION_HANDLERS)
    return handlers


# Every handler the emulator has on ``connect``, by (method, path template) of the v3 table
# (``EVENT_HANDLERS``: on ``connect-events``). Sign-in and health need no session and are
# answered by the face itself.
HANDLERS: Mapping[tuple[str, str], Handler] = _all_handlers()
_FACE_ANSWERS = frozenset({("POST", "/v3/login"), ("GET", "/v3/health")})
NOT_ALLOWED = "not allowed"


@attrs.frozen
class Route:
    """A request's row of the table, its path parameters, and its handler (None for sign-in
    and health, which the face answers)."""

    op: Operation
    params: Mapping[str, str]
    handler: Handler | None


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$")


def _with_second_spelling(rows: list[Operation]) -> list[Operation]:
    """The rows, and the key rotation's row again under ``/security-key``."""
    rotate = [op for op in rows if op.host == "connect-events" and op.path == ROTATE_PATHS[0]]
    return rows + [attrs.evolve(op, path=ROTATE_PATHS[1]) for op in rotate]


class Router:
    """Finds a request's row: literal segments win over parameters (``/v3/documents/
    upload-status`` is not a document's id)."""

    def __init__(
        self,
        operations: Iterable[Operation] | None = None,
        handlers: Mapping[tuple[str, str], Handler] = HANDLERS,
        event_handlers: Mapping[tuple[str, str], Handler] = EVENT_HANDLERS,
    ) -> None:
        rows = _with_second_spelling(
            list(_endpoints.OPERATIONS if operations is None else operations)
        )
        rows.sort(key=lambda op: len(op.params))
        self._rows = [(op, _pattern(op.path)) for op in rows]
        self._tables = {"connect": handlers, "connect-events": event_handlers}

    def _handler(self, op: Operation) -> Handler | None:
        return self._tables.get(op.host, {}).get((op.http, op.path))

    def served(self, op: Operation) -> bool:
        if op.host == "connect" and (op.http, op.path) in _FACE_ANSWERS:
            return True
        return self._handler(op) is not None

    def match(self, host: str, method: str, path: str) -> Route | str | None:
        """The route of a request; ``NOT_ALLOWED`` when only other methods have its path;
        None when no row has it, or its row has no handler."""
        other_method = False
        for op, pattern in self._rows:
            if op.host != host:
                continue
            found = pattern.match(path)
            if found is None:
                continue
            if op.http != method:
                other_method = True
                continue
            if not self.served(op):
                return None
            return Route(op, found.groupdict(), self._handler(op))
        return NOT_ALLOWED if other_method else None
