"""BILL's webhook event catalogue, and which changes to the state make which events.

The catalogue is BILL's AP & AR event types (reference §6.2; Spend & Expense's are another API's),
each in version "1". The emulator makes events for the objects both faces keep: vendors, bills,
invoices and payments (and customers when ``EmulatorConfig.webhook_customer_events`` asks for
them: BILL has no customer events). The other types of the catalogue (``autopay.failed``,
``bank-account.*``, ...) may be subscribed to and sent with ``POST /v3/subscriptions/{id}/test``;
no change the emulator can make produces them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .._config import EmulatorConfig
from .._v3._records import BILL, CUSTOMER, INVOICE, PAYMENT, VENDOR, RecordSpec

__all__ = [
    "BILL_EVENT_TYPES",
    "CUSTOMER_EVENT_TYPES",
    "VERSIONS",
    "Watched",
    "catalog",
    "offered",
    "watched",
]

# BILL's AP & AR event types (reference §6.2), in the payload reference's order.
BILL_EVENT_TYPES = (
    "vendor.created",
    "vendor.updated",
    "vendor.archived",
    "vendor.restored",
    "autopay.failed",
    "bill.created",
    "bill.updated",
    "bill.archived",
    "bill.restored",
    "payment.updated",
    "payment.failed",
    "mass-payment.updated",
    "bank-account.created",
    "bank-account.updated",
    "card-account.created",
    "card-account.updated",
    "invoice.created",
    "invoice.updated",
    "invoice.archived",
    "invoice.restored",
    "risk-verification.updated",
)
# Not BILL's: offered only with ``EmulatorConfig(webhook_customer_events=True)``.
CUSTOMER_EVENT_TYPES = (
    "customer.created",
    "customer.updated",
    "customer.archived",
    "customer.restored",
)
VERSIONS = ("1",)
_CHANGES = ("created", "updated", "archived", "restored")


@attrs.frozen
class Watched:
    """One kind of object whose changes make events.

    Attributes:
        entity: the state's (v2) entity.
        key: the event type's prefix and the payload's key (``"bill"``).
        spec: the v3 record the payload carries.
        types: the event type of each kind of change (created, updated, archived, restored).
    """

    entity: str
    key: str
    spec: RecordSpec
    types: Mapping[str, str]


def _lifecycle(entity: str, key: str, spec: RecordSpec) -> Watched:
    return Watched(entity, key, spec, {change: f"{key}.{change}" for change in _CHANGES})


# A payment has no created or archived event at BILL: every change to one, its making included,
# is ``payment.updated`` (docs/decisions.md). The emulator's payments never fail.
_PAYMENT = Watched("SentPay", "payment", PAYMENT, dict.fromkeys(_CHANGES, "payment.updated"))
_BILL_WATCHED = (
    _lifecycle("Vendor", "vendor", VENDOR),
    _lifecycle("Bill", "bill", BILL),
    _lifecycle("Invoice", "invoice", INVOICE),
    _PAYMENT,
)
_CUSTOMER = _lifecycle("Customer", "customer", CUSTOMER)


def offered(config: EmulatorConfig) -> tuple[str, ...]:
    """The event types a subscription may ask for."""
    if config.webhook_customer_events:
        return BILL_EVENT_TYPES + CUSTOMER_EVENT_TYPES
    return BILL_EVENT_TYPES


def catalog(config: EmulatorConfig) -> list[dict[str, Any]]:
    """``GET /v3/events/catalog``: a bare array of ``{type, versions}``."""
    return [{"type": name, "versions": list(VERSIONS)} for name in offered(config)]


def watched(config: EmulatorConfig) -> tuple[Watched, ...]:
    """The objects whose changes make events, in the order one call's events are made
    (a vendor before its bill, a bill before the payment that pays it)."""
    if config.webhook_customer_events:
        return (*_BILL_WATCHED, _CUSTOMER)
    return _BILL_WATCHED
