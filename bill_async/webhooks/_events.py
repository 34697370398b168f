"""BILL's webhook events as typed objects.

A delivery's body is ``{"metadata": {"eventId", "subscriptionId", "organizationId", "eventType",
"version"}, "<entity>": {...}}`` (``"bill": {...}`` for ``bill.updated``). BILL's docs say the
payload "is JSON-escaped and is presented as a string": a body that parses to a string is
parsed again. Events of one object are ordered by the object's own ``updatedTime`` (metadata
has no timestamp), or ``createdTime`` where there is none (docs/decisions.md).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

import attrs

from .._exceptions import BillError
from .._v2._convert import Model
from .._v2._wire import loads
from ..v3 import _models as v3

__all__ = ["EVENT_MODELS", "Event", "WebhookPayloadError", "parse_event"]

# The v3 model of each event's entity, where the SDK has one.
EVENT_MODELS: Mapping[str, type[Model]] = {
    "vendor": v3.Vendor,
    "bill": v3.Bill,
    "invoice": v3.Invoice,
    "payment": v3.Payment,
    "customer": v3.Customer,
}


class WebhookPayloadError(BillError):
    """A delivery whose body is not one of BILL's events (refused with 400)."""


@attrs.frozen
class Event:
    """One webhook event.

    Attributes:
        event_id: BILL's id for the event: deliveries of one event share it (dedupe on it).
        event_type: ``"bill.updated"``, ``"vendor.created"``, ...
        subscription_id, organization_id, version: from the metadata.
        entity_type: the key the object came under (``"bill"``).
        entity: the object as BILL sent it.
        body: the delivery's raw body, exactly as it arrived (for storing and replaying).
    """

    event_id: str
    event_type: str
    subscription_id: str
    organization_id: str
    version: str
    entity_type: str
    entity: Mapping[str, Any] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)

    @property
    def object_id(self) -> str:
        """The id of the object the event is about (``entity["id"]``, or the batch's id)."""
        for key in ("id", "paymentBatchId"):
            value = self.entity.get(key)
            if isinstance(value, str) and value:
                return value
        return ""

    @property
    def object_time(self) -> str:
        """The object's own time (``updatedTime``, else ``createdTime``) as BILL wrote it, for
        ordering the events of one object; "" when it carries neither."""
        for key in ("updatedTime", "createdTime"):
            value = self.entity.get(key)
            if isinstance(value, str):
                return value
        return ""

    @property
    def ordered_at(self) -> _dt.datetime | None:
        """``object_time`` read as an aware datetime (None when it is missing or unreadable)."""
        text = self.object_time
        try:
            moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
        except ValueError:
            return None
        return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=_dt.UTC)

    def record(self) -> Any:
        """The object as its v3 model (``v3.Bill`` for a bill event), or the mapping as sent."""
        model = EVENT_MODELS.get(self.entity_type)
        return model.from_wire(self.entity) if model is not None else dict(self.entity)


def parse_event(body: bytes) -> Event:
    """The event a delivery's raw body holds. Raises ``WebhookPayloadError``."""
    try:
        payload: Any = loads(body)
        if isinstance(payload, str):  # "JSON-escaped and presented as a string"
            payload = loads(payload)
    except ValueError:
        raise WebhookPayloadError("the delivery's body is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("metadata"), dict):
        raise WebhookPayloadError("the delivery's body has no metadata object")
    metadata = payload["metadata"]
    missing = [key for key in ("eventId", "eventType") if not isinstance(metadata.get(key), str)]
    entities = [
        key for key, value in payload.items() if key != "metadata" and isinstance(value, dict)
    ]
    if missing or len(entities) != 1:
        raise WebhookPayloadError(
            f"the delivery is not one of BILL's events (missing {missing or 'its object'})"
        )
    entity_type = entities[0]
    return Event(
        event_id=metadata["eventId"],
        event_type=metadata["eventType"],
        subscription_id=str(metadata.get("subscriptionId") or ""),
        organization_id=str(metadata.get("organizationId") or ""),
        version=str(metadata.get("version") or ""),
        entity_type=entity_type,
        entity=payload[entity_type],
        body=bytes(body),
    )
