"""What the webhooks API keeps: subscriptions, the events made for each, and deliveries waiting.

A ``Subscription`` holds its security key (never in a repr, an answer other than the one that
makes it, or a log line). An ``EventRecord`` is one event for one subscription, its body fixed
when the change was made; it stays in the subscription's history (180 days) with the status of
its last delivery. A ``Delivery`` is an event on its way: when it is due, and how many attempts
it has had.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["Delivery", "EventRecord", "Subscription"]

NO_ANSWER = 0  # the statusCode of an attempt that got no HTTP answer (docs/decisions.md)


@attrs.define(eq=False)
class Subscription:
    """One subscription of one organization."""

    id: str
    org_id: str
    name: str
    enabled: bool
    events: tuple[tuple[str, str], ...]  # (type, version)
    url: str
    key: str = attrs.field(repr=False)
    created_time: str
    updated_time: str

    def wants(self, event_type: str) -> bool:
        return any(kind == event_type for kind, _ in self.events)

    def version_of(self, event_type: str) -> str:
        return next(version for kind, version in self.events if kind == event_type)

    def same_as(self, events: tuple[tuple[str, str], ...], url: str) -> bool:
        """Whether it asks for the same events at the same URL (BILL refuses a duplicate)."""
        return set(self.events) == set(events) and self.url == url

    def answer(self) -> dict[str, Any]:
        """The subscription as BILL answers it (without its key)."""
        return {
            "id": self.id,
            "name": self.name,
            "organizationId": self.org_id,
            "status": {"enabled": self.enabled},
            "events": [{"type": kind, "version": version} for kind, version in self.events],
            "notificationUrl": self.url,
            "createdTime": self.created_time,
            "updatedTime": self.updated_time,
        }


@attrs.define(eq=False)
class EventRecord:
    """One event made for one subscription.

    Attributes:
        payload: the event as minified JSON text (``{"metadata": {...}, "bill": {...}}``).
        entity_id: the id of the object it is about (for ``?entityId=``).
        created_at: wall-clock seconds, for the history's time to live.
        status_code: the HTTP status of its last delivery attempt (``NO_ANSWER`` for none
            received); None until it is first sent.
    """

    id: str
    subscription_id: str
    event_type: str
    version: str
    entity_id: str
    payload: str = attrs.field(repr=False)
    created_time: str
    created_at: float
    status_code: int | None = None

    def answer(self) -> dict[str, Any]:
        """The event as the history, a resend and a test answer it."""
        answer: dict[str, Any] = {
            "id": self.id,
            "type": self.event_type,
            "version": self.version,
            "subscriptionId": self.subscription_id,
            "payload": self.payload,
            "createdTime": self.created_time,
        }
        if self.status_code is not None:
            answer["statusCode"] = self.status_code
        return answer


@attrs.define(eq=False)
class Delivery:
    """An event on its way to its subscription.

    Attributes:
        due: when the next attempt is due (the emulator's clock).
        seq: the order among deliveries due at once.
        tries: attempts made so far.
        copy: an extra copy sent by a duplicate knob: never retried, never disables.
    """

    record: EventRecord
    subscription: Subscription
    due: float
    seq: int
    tries: int = 0
    copy: bool = False

    def sort_key(self) -> tuple[float, int]:
        return (self.due, self.seq)
