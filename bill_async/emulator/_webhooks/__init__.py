"""The emulator as BILL's webhook sender: subscriptions, the events of changes made through
either face, and their signed deliveries to loopback, with BILL's retries and knobs for tests."""

from __future__ import annotations

from ._catalog import BILL_EVENT_TYPES as BILL_EVENT_TYPES
from ._catalog import CUSTOMER_EVENT_TYPES as CUSTOMER_EVENT_TYPES
from ._catalog import catalog as catalog
from ._catalog import offered as offered
from ._idempotency import KEY_HEADER as KEY_HEADER
from ._records import EventRecord as EventRecord
from ._records import Subscription as Subscription
from ._sender import Webhooks as Webhooks
from ._sender import is_loopback_url as is_loopback_url
from ._state import MAX_SUBSCRIPTIONS as MAX_SUBSCRIPTIONS
from ._state import WebhookState as WebhookState
from ._state import delivery_headers as delivery_headers
from ._state import signature as signature

__all__ = [
    "BILL_EVENT_TYPES",
    "CUSTOMER_EVENT_TYPES",
    "EventRecord",
    "KEY_HEADER",
    "MAX_SUBSCRIPTIONS",
    "Subscription",
    "WebhookState",
    "Webhooks",
    "catalog",
    "delivery_headers",
    "is_loopback_url",
    "offered",
    "signature",
]
