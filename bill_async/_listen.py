"""``bill-async listen``: keep a v3 export current from BILL's webhook events.

On start it serves the receiver (``POST /bill/webhooks``), then makes sure one subscription of
the organization sends the events of the exported objects to it: the one at the same URL,
with a new security key (BILL shows a key only when it makes one) and enabled again if BILL
disabled it, or a new one. Only then does it run an incremental ``sync --api v3``: a change made
before the subscription is in that sync, a change after it comes as an event. While it runs,
each accepted event is applied to the export and marked done in one transaction of the export
database itself (``SQLiteEventStore.apply``), so each is applied exactly once, a crash included;
a row is replaced only by a record at least as recent. An incremental sync every
``sync_every`` seconds is the net for anything BILL did not deliver.

It reports, every ``report_every`` seconds, the events applied and how long each took from its
delivery to its commit (the median and the slowest), the events waiting, and the last sync.
"""

from __future__ import annotations

import datetime as _dt
import math
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import anyio
import attrs

from ._exceptions import BillError, ConfigurationError, ProtocolError
from .v3._client import Client
from .v3._sync import EXPORTED, open_v3_database, sync_v3, upsert_records
from .webhooks._asgi import webhook_app
from .webhooks._events import Event
from .webhooks._receiver import WebhookReceiver
from .webhooks._store import SQLiteEventStore
from .webhooks._verify import SecurityKeys

__all__ = ["EVENT_LISTS", "ListenReport", "Listener", "subscribed_event_types"]

# The exported list each event's object belongs to (the key it comes under in the event).
EVENT_LISTS = {
    "vendor": "vendors",
    "bill": "bills",
    "invoice": "invoices",
    "payment": "payments",
    "customer": "customers",
}
_ACTIONS = ("created", "updated", "archived", "restored")
SUBSCRIPTION_NAME = "bill-async listen"


def subscribed_event_types(catalog: Sequence[Any]) -> list[str]:
    """The catalogue's event types that change an exported list (``vendor.updated``, ...)."""
    offered = {item.get("type") for item in catalog if isinstance(item, dict)}
    wanted = [f"{kind}.{action}" for kind in EVENT_LISTS for action in _ACTIONS]
    return [kind for kind in wanted if kind in offered]


@attrs.define
class ListenReport:
    """What a listener has done since it started (``Listener.report``)."""

    applied: int = 0  # events written into the export, each once
    skipped: int = 0  # events of objects the export does not hold (autopay.failed, ...)
    lags: list[float] = attrs.field(factory=list)  # seconds from delivery to commit, per event
    syncs: int = 0
    synced_records: int = 0
    last_sync_at: float | None = None
    sync_errors: list[str] = attrs.field(factory=list)

    def line(self, pending: int, accepted: int, duplicates: int, refused: int) -> str:
        lags = sorted(self.lags)
        if lags:
            median, slowest = statistics.median(lags) * 1000, lags[-1] * 1000
            lag = f"delivery to database {median:.0f} ms median, {slowest:.0f} ms slowest"
        else:
            lag = "no event applied yet"
        return (
            f"listen: {self.applied} events applied ({accepted} received, {duplicates} "
            f"duplicates dropped, {refused} refused, {pending} waiting); {lag}; "
            f"{self.syncs} syncs, {self.synced_records} records from them"
        )


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


@attrs.define(eq=False)
class Listener:
    """Keeps the v3 export at ``out`` current from events for ``client``'s organization.

    Args:
        client: a ``bill_async.v3.Client`` signed in to the organization.
        out: the export database (written by ``sync --api v3``; made if missing).
        notification_url: where BILL delivers: this listener's ``path`` as BILL reaches it.
        sync_every: seconds between two incremental syncs (the net for what was not delivered).
        grace: seconds a rotated key's predecessor stays valid.
        wall_clock: POSIX seconds (when events were accepted and applied).
    """

    client: Client
    out: Path
    notification_url: str
    org_id: str
    sync_every: float = 300.0
    grace: float = 300.0
    path: str = "/bill/webhooks"
    wall_clock: Callable[[], float] = time.time
    now: Callable[[], _dt.datetime] = _now
    report: ListenReport = attrs.field(factory=ListenReport)
    notices: list[str] = attrs.field(factory=list)  # for the user, said by run()
    receiver: WebhookReceiver | None = attrs.field(default=None, init=False)
    subscription_id: str | None = attrs.field(default=None, init=False)
    _store: SQLiteEventStore | None = attrs.field(default=None, init=False)

    def app(self) -> Callable[..., Awaitable[None]]:
        """The ASGI app to serve before ``start()``: 503 until the receiver is ready."""
        return webhook_app(lambda: self.receiver, self.path)

    async def start(self) -> None:
        """Open the export, subscribe (or take the subscription over), then sync once."""
        database = await anyio.to_thread.run_sync(open_v3_database, self.out, list(EXPORTED))
        database.close()  # the tables exist; the store's connection writes from here on
        self._store = SQLiteEventStore(self.out, clock=self.wall_clock)
        key = await self._subscribe()
        receiver = WebhookReceiver(
            self._store, SecurityKeys(key, grace=self.grace), wall_clock=self.wall_clock
        )
        receiver.on("*")(self._apply)
        self.receiver = receiver
        await self.sync()

    async def _subscribe(self) -> str:
        """The subscription's security key: a new one for the subscription at our URL (enabled
        again, with our events), or the key of a new subscription."""
        webhooks = self.client.webhooks
        events = subscribed_event_types(await webhooks.get_event_catalog())
        if not events:
            raise ConfigurationError("BILL's event catalogue offers none of the exported objects")
        body = {
            "name": SUBSCRIPTION_NAME,
            "status": {"enabled": True},
            "events": [{"type": kind, "version": "1"} for kind in events],
            "notificationUrl": self.notification_url,
        }
        async for found in webhooks.list_subscriptions():
            if found.get("notificationUrl") == self.notification_url:
                self.subscription_id = str(found["id"])
                if _disabled(found):
                    self.notices.append(DISABLED_NOTICE)
                await webhooks.update_subscription(self.subscription_id, body)
                rotated = await webhooks.rotate_security_key(self.subscription_id)
                return _key_of(rotated)
        made = await webhooks.create_subscription(body)
        self.subscription_id = str(made["id"])
        return _key_of(made)

    async def _apply(self, event: Event) -> None:
        group = EVENT_LISTS.get(event.entity_type)
        store = self._store
        assert store is not None  # set by start(), before any event is received
        if group is None:
            self.report.skipped += 1
            return
        org_id = event.organization_id or self.org_id
        lag: list[float] = []

        def write(connection: sqlite3.Connection) -> None:
            upsert_records(connection, org_id, group, [event.entity], self.now())
            (accepted_at,) = connection.execute(
                "SELECT accepted_at FROM webhook_events WHERE event_id = ?", (event.event_id,)
            ).fetchone()
            lag.append(max(0.0, self.wall_clock() - accepted_at))

        if await store.apply(event.event_id, write):
            self.report.applied += 1
            self.report.lags.extend(lag)

    async def check_subscription(self) -> None:
        """Enable the subscription again if BILL disabled it (with a notice); the sync that
        follows catches up what was not delivered meanwhile."""
        if self.subscription_id is None:
            return
        webhooks = self.client.webhooks
        try:
            found = await webhooks.get_subscription(self.subscription_id)
            if _disabled(found):
                self.notices.append(DISABLED_NOTICE)
                await webhooks.update_subscription(
                    self.subscription_id, {"status": {"enabled": True}}
                )
        except BillError as error:
            self.report.sync_errors.append(f"the subscription: {type(error).__name__}: {error}")

    async def sync(self) -> None:
        """One incremental sync of every exported list; a failure is reported, not raised."""
        database = await anyio.to_thread.run_sync(open_v3_database, self.out, list(EXPORTED))
        try:
            result = await sync_v3(self.client, database, [self.org_id], list(EXPORTED))
        except (BillError, sqlite3.Error) as error:
            self.report.sync_errors.append(f"{type(error).__name__}: {error}")
            return
        finally:
            database.close()
        self.report.syncs += 1
        self.report.synced_records += result.written
        self.report.last_sync_at = self.wall_clock()
        self.report.sync_errors.extend(
            f"{t.entity}: {t.error}" for t in result.failed if t.error is not None
        )

    async def run(self, *, report: Callable[[str], None], report_every: float = 60.0) -> None:
        """Apply events as they come, sync every ``sync_every`` seconds and report every
        ``report_every``, until cancelled. ``start()`` first."""
        receiver = self.receiver
        if receiver is None:
            raise RuntimeError("start() the listener before run()")

        async def sync_now_and_then() -> None:
            while True:
                await anyio.sleep(self.sync_every)
                await self.check_subscription()
                await self.sync()
                self._say_notices(report)

        async def report_now_and_then() -> None:
            while True:
                await anyio.sleep(report_every)
                report(await self.status_line())

        self._say_notices(report)
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: receiver.run(every=1.0))
            if math.isfinite(self.sync_every):
                group.start_soon(sync_now_and_then)
            group.start_soon(report_now_and_then)

    def _say_notices(self, report: Callable[[str], None]) -> None:
        while self.notices:
            report(self.notices.pop(0))

    async def pending(self) -> int:
        """Events accepted and not yet applied."""
        store = self._store
        return 0 if store is None else len(await store.pending(10_000))

    async def status_line(self) -> str:
        counts = self.receiver.counts if self.receiver is not None else None
        return self.report.line(
            await self.pending(),
            counts.accepted if counts else 0,
            counts.duplicates if counts else 0,
            counts.refused if counts else 0,
        )

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


DISABLED_NOTICE = (
    "BILL had disabled the subscription: its deliveries failed until BILL's retries ran out. "
    "It is enabled again, and the sync catches up what was not delivered."
)


def _disabled(subscription: Any) -> bool:
    status = subscription.get("status") if isinstance(subscription, dict) else None
    return isinstance(status, dict) and status.get("enabled") is False


def _key_of(answer: Any) -> str:
    key = answer.get("securityKey") if isinstance(answer, dict) else None
    if not isinstance(key, str) or not key:
        keys = sorted(answer) if isinstance(answer, dict) else type(answer).__name__
        raise ProtocolError(
            "the answer holds no securityKey",
            status_code=200,
            body=f"keys: {keys}",  # never the answer itself: it may hold a key
            operation="subscription",
        )
    return key
