"""bill_async.webhooks: receiving BILL's v3 webhook events, verified, stored and applied.

from bill_async.webhooks import SQLiteEventStore, WebhookReceiver

receiver = WebhookReceiver(SQLiteEventStore("events.db"), keys=security_key)

@receiver.on("bill.updated")
async def bill_updated(event): ...

Deliveries are verified on the raw body (HMAC-SHA256, base64, ``x-bill-sha-signature``),
stored before BILL is answered, deduplicated by ``eventId``, and applied per object in the order
of the object's own time. ``bill_async.fastapi.webhook_router(receiver)`` serves it in FastAPI,
``webhook_app(receiver)`` in any ASGI server.
"""

from __future__ import annotations

from ._asgi import webhook_app as webhook_app
from ._events import EVENT_MODELS as EVENT_MODELS
from ._events import Event as Event
from ._events import WebhookPayloadError as WebhookPayloadError
from ._events import parse_event as parse_event
from ._receiver import Counts as Counts
from ._receiver import Handler as Handler
from ._receiver import WebhookReceiver as WebhookReceiver
from ._store import EventStore as EventStore
from ._store import MemoryEventStore as MemoryEventStore
from ._store import SQLiteEventStore as SQLiteEventStore
from ._store import StoredEvent as StoredEvent
from ._verify import SIGNATURE_HEADER as SIGNATURE_HEADER
from ._verify import SecurityKeys as SecurityKeys
from ._verify import WebhookSignatureError as WebhookSignatureError
from ._verify import sign as sign
from ._verify import verify as verify

__all__ = [
    "EVENT_MODELS",
    "SIGNATURE_HEADER",
    "Counts",
    "Event",
    "EventStore",
    "Handler",
    "MemoryEventStore",
    "SQLiteEventStore",
    "SecurityKeys",
    "StoredEvent",
    "WebhookPayloadError",
    "WebhookReceiver",
    "WebhookSignatureError",
    "parse_event",
    "sign",
    "verify",
    "webhook_app",
]
