"""The webhook half of the emulator's state: subscriptions, event histories, the deliveries
waiting to be sent, the delivery knobs, and what each attempt's outcome does.

Everything here is changed under the emulator's lock and never awaits; the sender
(``_sender``) takes due deliveries out (``take_due``, ``prepare``), sends them without the lock,
and reports each outcome back (``settle``).

Retries (reference §6.5, BILL's rules page): an attempt that gets no HTTP 200 within the
timeout is retried after each delay of the retry schedule in turn (2, 4, 8, 16 seconds by
default); when the last retry fails too, the subscription is disabled (``status.enabled``
false), its waiting deliveries are dropped, and nothing more is sent to it until it is enabled
again (PATCH). Events made while a subscription is disabled are not made for it.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import logging
import random
import uuid
from collections import deque
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, Literal

import attrs

from .._config import EmulatorConfig, Latency
from .._entities import format_ms
from .._http import dump_json
from .._state import OrgData, WebhookCounters
from .._v3._wire import from_v2_time
from ._catalog import watched
from ._changes import Change, ChangeTracker
from ._idempotency import IdempotencyKeys
from ._records import NO_ANSWER, Delivery, EventRecord, Subscription

if TYPE_CHECKING:
    from .._state import State

__all__ = [
    "HISTORY_TTL",
    "MAX_SUBSCRIPTIONS",
    "Attempt",
    "Corruption",
    "WebhookState",
    "delivery_headers",
    "signature",
]

logger = logging.getLogger("bill_async.emulator")

MAX_SUBSCRIPTIONS = 10  # per organization (BILL's changelog of 2026-04-30)
HISTORY_TTL = 180 * 86_400.0  # BILL keeps 180 days of events per subscription
SIGNATURE = "x-bill-sha-signature"

Corruption = Literal["signature", "body"]
_Queued = tuple[float, int, Delivery]  # (due, seq, delivery): a heap's entry


def signature(body: bytes, key: str) -> str:
    """BILL's signature of a body: base64 of HMAC-SHA256 under the security key. Written here
    rather than taken from ``bill_async.webhooks``, so that the emulator checks the SDK's
    ``verify`` instead of agreeing with it by construction."""
    digest = hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@attrs.frozen
class Attempt:
    """One delivery attempt, ready to send: where, the body and headers."""

    delivery: Delivery
    url: str
    body: bytes = attrs.field(repr=False)
    headers: tuple[tuple[str, str], ...] = attrs.field(repr=False)
    lost: bool = False  # ``lose_next``: counted as failed, not sent


class WebhookState:
    """Subscriptions, histories and deliveries of every organization of one ``State``."""

    def __init__(self, state: State) -> None:
        config: EmulatorConfig = state.config
        self._state = state
        self.config = config
        self.subscriptions: dict[str, Subscription] = {}
        self.history: dict[str, list[EventRecord]] = {}
        self.idempotency = IdempotencyKeys()
        self.tracker = ChangeTracker()
        self.schedule: tuple[float, ...] = config.webhook_retry_schedule
        self.rng = random.Random(f"webhooks:{config.seed}")
        self.wake: Callable[[], None] = lambda: None  # the sender's, while one runs
        self._queue: list[_Queued] = []
        self._seq = itertools.count()
        self._held: list[Delivery] = []
        self._hold_left = 0
        self._duplicate_next = 0
        self._duplicate_chance = 0.0
        self._delays: deque[float] = deque()
        self._delay: Latency = 0.0
        self._corrupt: deque[Corruption] = deque()
        self._lose = 0

    @property
    def counters(self) -> WebhookCounters:
        return self._state.counters.webhooks

    # -- ids and times ------------------------------------------------------------------------

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def now_text(self) -> str:
        """Now, as v3 writes a timestamp."""
        return str(from_v2_time(format_ms(int(self.config.wall_clock() * 1000))))

    # -- subscriptions ------------------------------------------------------------------------

    def of_org(self, org_id: str) -> list[Subscription]:
        return [sub for sub in self.subscriptions.values() if sub.org_id == org_id]

    def add(self, org: OrgData, subscription: Subscription) -> None:
        """Keep a new subscription; its organization's changes are watched from now on."""
        self.subscriptions[subscription.id] = subscription
        self.history.setdefault(subscription.id, [])
        self.tracker.watch(org, watched(self.config))

    def remove(self, subscription: Subscription) -> None:
        del self.subscriptions[subscription.id]
        self.history.pop(subscription.id, None)
        self._drop_waiting(subscription)
        if not self.of_org(subscription.org_id):
            self.tracker.forget(subscription.org_id)

    def set_enabled(self, subscription: Subscription, enabled: bool) -> None:
        subscription.enabled = enabled
        if not enabled:
            self._drop_waiting(subscription)

    def events_of(self, subscription: Subscription) -> list[EventRecord]:
        """The subscription's events of the last 180 days, oldest first."""
        now = self.config.wall_clock()
        records = self.history.get(subscription.id, [])
        records[:] = [r for r in records if now - r.created_at < HISTORY_TTL]
        return records

    # -- events -------------------------------------------------------------------------------

    def observe(self, org: OrgData) -> None:
        """Make the events of what the last call changed in ``org``, for each enabled
        subscription that asked for their type. Holds the lock."""
        if not self.tracker.watching(org.org_id):
            return
        try:
            changes = self.tracker.changes(org, watched(self.config))
            now = self.config.clock()
            for change in changes:
                for subscription in self.of_org(org.org_id):
                    if subscription.enabled and subscription.wants(change.event_type):
                        self._admit(self._record(subscription, change), subscription, now)
        except Exception:  # the write itself succeeded: its answer must not say otherwise
            logger.exception("the emulator failed to make the webhook events of a change")
        self.wake()

    def _record(self, subscription: Subscription, change: Change) -> EventRecord:
        record = self.event(
            subscription,
            change.event_type,
            subscription.version_of(change.event_type),
            change.key,
            change.record,
        )
        self.history.setdefault(subscription.id, []).append(record)
        self.counters.events += 1
        return record

    def event(
        self,
        subscription: Subscription,
        event_type: str,
        version: str,
        key: str,
        entity: dict[str, object],
    ) -> EventRecord:
        """A new event for ``subscription``: BILL's metadata and the object under ``key``."""
        event_id = self.new_id()
        metadata = {
            "eventId": event_id,
            "subscriptionId": subscription.id,
            "organizationId": subscription.org_id,
            "eventType": event_type,
            "version": version,
        }
        entity_id = entity.get("id")
        return EventRecord(
            id=event_id,
            subscription_id=subscription.id,
            event_type=event_type,
            version=version,
            entity_id=entity_id if isinstance(entity_id, str) else "",
            payload=dump_json({"metadata": metadata, key: entity}).decode("utf-8"),
            created_time=self.now_text(),
            created_at=self.config.wall_clock(),
        )

    def body_of(self, record: EventRecord) -> bytes:
        """What a delivery of ``record`` sends: the event's minified JSON, or that JSON as a
        JSON string (``webhook_string_bodies``)."""
        if self.config.webhook_string_bodies:
            return dump_json(record.payload)
        return record.payload.encode("utf-8")

    # -- the queue ----------------------------------------------------------------------------

    def _admit(self, record: EventRecord, subscription: Subscription, now: float) -> None:
        """A new delivery: held for reordering, or queued."""
        delivery = Delivery(record, subscription, now, next(self._seq))
        if self._hold_left > 0:
            self._held.append(delivery)
            self._hold_left -= 1
            if self._hold_left == 0:
                self.release_held()
            return
        self._queue_first(delivery, now)

    def _queue_first(self, delivery: Delivery, now: float) -> None:
        """Queue a delivery's first attempt, after any delay, with any duplicate."""
        delivery.due = now + self._next_delay()
        delivery.seq = next(self._seq)
        self._push(delivery)
        if self._take_duplicate():
            self.counters.duplicated += 1
            self._push(
                Delivery(
                    delivery.record,
                    delivery.subscription,
                    delivery.due,
                    next(self._seq),
                    copy=True,
                )
            )

    def _push(self, delivery: Delivery) -> None:
        heapq.heappush(self._queue, (delivery.due, delivery.seq, delivery))

    def _drop_waiting(self, subscription: Subscription) -> None:
        self._queue = [item for item in self._queue if item[2].subscription is not subscription]
        heapq.heapify(self._queue)
        self._held = [d for d in self._held if d.subscription is not subscription]

    @property
    def waiting(self) -> int:
        """Deliveries queued or held."""
        return len(self._queue) + len(self._held)

    def next_due(self, busy: Collection[Subscription] = ()) -> float | None:
        """When the next delivery is due, leaving out those of ``busy`` subscriptions."""
        return min((due for due, _, d in self._queue if d.subscription not in busy), default=None)

    def take_due(self, now: float, busy: Collection[Subscription] = ()) -> list[Delivery]:
        """The deliveries due by ``now``, in order; those of ``busy`` subscriptions (still
        sending earlier ones) stay queued, in their place."""
        due: list[_Queued] = []
        kept: list[_Queued] = []
        while self._queue and self._queue[0][0] <= now:
            item = heapq.heappop(self._queue)
            (kept if item[2].subscription in busy else due).append(item)
        for item in kept:
            heapq.heappush(self._queue, item)
        return [delivery for _, _, delivery in due]

    def prepare(self, delivery: Delivery) -> Attempt | None:
        """The attempt to send for ``delivery`` now, signed with its subscription's current key
        (and spoiled if a knob says so); None when its subscription is gone or disabled."""
        subscription = delivery.subscription
        if self.subscriptions.get(subscription.id) is not subscription or not subscription.enabled:
            return None
        body = self.body_of(delivery.record)
        signed = signature(body, subscription.key)
        spoil = self._corrupt.popleft() if self._corrupt else None
        if spoil == "signature":
            signed = signature(body, f"wrong-{self.rng.getrandbits(64):x}")
        elif spoil == "body":
            body = _flip_a_byte(body, self.rng)
        if spoil is not None:
            self.counters.corrupted += 1
        lost = self._lose > 0
        self._lose -= int(lost)
        return Attempt(delivery, subscription.url, body, delivery_headers(signed), lost)

    def settle(self, delivery: Delivery, status: int | None) -> None:
        """An attempt's outcome: done on a 200; else retried on schedule, and when the
        schedule is spent the subscription is disabled."""
        counters = self.counters
        counters.attempts += 1
        counters.retried += int(delivery.tries > 0 and not delivery.copy)
        delivery.tries += 1
        delivery.record.status_code = NO_ANSWER if status is None else status
        if status == 200:
            counters.delivered += 1
            return
        counters.failed += 1
        if delivery.copy:
            return
        if delivery.tries <= len(self.schedule):
            delivery.due = self.config.clock() + self.schedule[delivery.tries - 1]
            delivery.seq = next(self._seq)
            self._push(delivery)
            return
        counters.gave_up += 1
        subscription = delivery.subscription
        if self.subscriptions.get(subscription.id) is subscription and subscription.enabled:
            self.set_enabled(subscription, False)
            subscription.updated_time = self.now_text()
            counters.disabled += 1

    def count_direct(self, status: int | None) -> None:
        """A test event or a resend, sent at once: counted, never retried."""
        self.counters.attempts += 1
        if status == 200:
            self.counters.delivered += 1
        else:
            self.counters.failed += 1

    # -- knobs --------------------------------------------------------------------------------

    def duplicate_next(self, n: int) -> None:
        self._duplicate_next += n

    def set_duplicates(self, probability: float) -> None:
        self._duplicate_chance = probability

    def _take_duplicate(self) -> bool:
        if self._duplicate_next > 0:
            self._duplicate_next -= 1
            return True
        return self._duplicate_chance > 0 and self.rng.random() < self._duplicate_chance

    def reorder_next(self, n: int) -> None:
        self._hold_left += n

    def release_held(self) -> None:
        """Queue the held deliveries now, shuffled (never in their own order, when there are
        two or more)."""
        held, self._held, self._hold_left = self._held, [], 0
        order = list(held)
        self.rng.shuffle(order)
        if len(order) > 1 and order == held:
            order = order[1:] + order[:1]
        self.counters.reordered += len(order)
        now = self.config.clock()
        for delivery in order:
            self._queue_first(delivery, now)
        self.wake()

    def delay_next(self, seconds: float, n: int) -> None:
        self._delays.extend([seconds] * n)

    def set_delay(self, delay: Latency) -> None:
        self._delay = delay

    def _next_delay(self) -> float:
        if self._delays:
            return self._delays.popleft()
        delay = self._delay
        return self.rng.uniform(*delay) if isinstance(delay, tuple) else delay

    def corrupt_next(self, n: int, how: Corruption) -> None:
        self._corrupt.extend([how] * n)

    def lose_next(self, n: int) -> None:
        self._lose += n

    def set_retry_schedule(self, schedule: Iterable[float]) -> None:
        self.schedule = tuple(schedule)


def delivery_headers(signed: str) -> tuple[tuple[str, str], ...]:
    return (("content-type", "application/json"), (SIGNATURE, signed))


def _flip_a_byte(body: bytes, rng: random.Random) -> bytes:
    """``body`` with one byte changed (to another printable one)."""
    if not body:
        return b"x"
    index = rng.randrange(len(body))
    changed = bytearray(body)
    changed[index] = ord("A") if changed[index] != ord("A") else ord("B")
    return bytes(changed)
