"""The emulator's webhook sender (``emulator.webhooks``): delivers the events of changes to the
subscribers' URLs, and the knobs and inspection tests use.

Under ``running_emulator()`` / ``serve()`` the sender is a task of the server's event loop,
started and stopped with it (the ASGI lifespan). In-process (``httpx.ASGITransport`` has no
lifespan), run it yourself: ``async with emulator.webhooks.sending(): ...``.

Deliveries go only to loopback (the subscriptions API refuses any other ``notificationUrl``, and
the sender checks again). Each subscription's due deliveries are sent one at a time, in order, in
a lane of its own: the subscriptions side by side, so that a subscriber slow to answer holds up
only its own; each attempt has ``EmulatorConfig.webhook_timeout`` to be answered.
When deliveries are due is read from the emulator's clock (``EmulatorConfig.clock``, a
``ManualClock`` in tests); with nothing due, the sender looks again at least every
``POLL`` seconds, so that a moved clock is noticed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio
import anyio.abc
import attrs
import httpx

from .._config import EmulatorConfig, Latency
from ._records import Delivery, Subscription
from ._state import Corruption, WebhookState

if TYPE_CHECKING:
    from .._app import Emulator

__all__ = ["LOOPBACK_HOSTS", "POLL", "Webhooks", "is_loopback_url"]

logger = logging.getLogger("bill_async.emulator")

POLL = 0.05  # seconds: how long the sender waits, at most, before looking at the clock again
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback_url(url: str) -> bool:
    """Whether the emulator may deliver to ``url``: ``http`` on 127.0.0.1, localhost or ::1."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # a bad port raises here
    except ValueError:
        return False
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS


class Webhooks:
    """The webhook sender of one ``Emulator``, its knobs and what it has sent.

    The knobs may be called from any thread; they apply to deliveries made (or attempts sent)
    afterwards, and ``Emulator.reset()`` clears them with the subscriptions. What was sent is
    counted in ``emulator.counters.webhooks``.
    """

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self._http: httpx.AsyncClient | None = None
        self._wake_event: anyio.Event | None = None
        self._loop_thread: int | None = None
        self._busy: set[Subscription] = set()  # subscriptions with a lane sending

    def __repr__(self) -> str:
        return f"<bill_async.emulator.Webhooks running={self._loop_thread is not None}>"

    @property
    def _book(self) -> WebhookState:
        book: WebhookState = self._emulator.state.webhooks
        return book

    # -- inspection ---------------------------------------------------------------------------

    def subscriptions(self, org_id: str | None = None) -> list[dict[str, Any]]:
        """The subscriptions (of ``org_id``, or all) as BILL answers them (no keys)."""
        with self._emulator.lock:
            return [
                sub.answer()
                for sub in self._book.subscriptions.values()
                if org_id is None or sub.org_id == org_id
            ]

    def events(self, subscription_id: str) -> list[dict[str, Any]]:
        """A subscription's events, oldest first, as its history answers them."""
        with self._emulator.lock:
            book = self._book
            subscription = book.subscriptions.get(subscription_id)
            if subscription is None:
                return []
            return [record.answer() for record in book.events_of(subscription)]

    @property
    def waiting(self) -> int:
        """Deliveries queued (retries included) or held for reordering."""
        with self._emulator.lock:
            return self._book.waiting

    # -- knobs --------------------------------------------------------------------------------

    def duplicate_next(self, n: int = 1) -> None:
        """Send each of the next ``n`` deliveries twice (the same body, eventId and signature),
        the copy right after it."""
        self._knob(lambda book: book.duplicate_next(_count(n)))

    def set_duplicates(self, probability: float) -> None:
        """Send every delivery twice with ``probability`` (0 to 1; the emulator's seeded RNG)."""
        if not 0 <= probability <= 1:
            raise ValueError("probability must be from 0 to 1")
        self._knob(lambda book: book.set_duplicates(probability))

    def reorder_next(self, n: int) -> None:
        """Hold the next ``n`` deliveries, then send them in a shuffled order (never their own);
        ``release_held()`` sends what is held before ``n`` have come."""
        self._knob(lambda book: book.reorder_next(_count(n)))

    def release_held(self) -> None:
        self._knob(lambda book: book.release_held())

    def delay_next(self, seconds: float, n: int = 1) -> None:
        """Send each of the next ``n`` deliveries ``seconds`` after its change (the emulator's
        clock), instead of at once."""
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        self._knob(lambda book: book.delay_next(seconds, _count(n)))

    def set_delay(self, delay: Latency) -> None:
        """Send every delivery this long after its change: fixed seconds, or a (low, high)
        range drawn from the emulator's seeded RNG."""
        checked = attrs.evolve(EmulatorConfig(), latency=delay).latency  # the same rule
        self._knob(lambda book: book.set_delay(checked))

    def corrupt_next(self, n: int = 1, *, how: Corruption = "signature") -> None:
        """Spoil the next ``n`` attempts (retries included): ``"signature"`` signs them with a
        wrong key, ``"body"`` changes one byte of the body after signing."""
        if how not in ("signature", "body"):
            raise ValueError('how must be "signature" or "body"')
        self._knob(lambda book: book.corrupt_next(_count(n), how))

    def lose_next(self, n: int = 1) -> None:
        """Do not send the next ``n`` attempts: each counts as failed (statusCode 0) and is
        retried on schedule, as an answer lost on the way would be."""
        self._knob(lambda book: book.lose_next(_count(n)))

    def set_retry_schedule(self, schedule: Iterable[float]) -> None:
        """Seconds between a failed attempt and each retry (see
        ``EmulatorConfig.webhook_retry_schedule``); applies to failures from now on."""
        checked = attrs.evolve(EmulatorConfig(), webhook_retry_schedule=tuple(schedule))
        self._knob(lambda book: book.set_retry_schedule(checked.webhook_retry_schedule))

    def _knob(self, change: Any) -> None:
        with self._emulator.lock:
            change(self._book)
        self._wake()

    # -- sending ------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def sending(
        self, transport: httpx.AsyncBaseTransport | None = None
    ) -> AsyncIterator[Webhooks]:
        """Run the sender while the block runs (for an emulator used in-process). ``transport``
        replaces the network (an ``httpx.ASGITransport`` of a receiver app, say)."""
        async with anyio.create_task_group() as group:
            await group.start(self._run, transport)
            try:
                yield self
            finally:
                group.cancel_scope.cancel()

    async def run(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        """Send deliveries as they come due, until cancelled."""
        await self._run(transport)

    async def _run(
        self,
        transport: httpx.AsyncBaseTransport | None,
        *,
        task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        async with self._client(transport) as http, anyio.create_task_group() as lanes:
            self._http, self._loop_thread = http, threading.get_ident()
            task_status.started()
            try:
                while True:
                    try:
                        await self._tick(lanes)
                    except Exception:  # a bug must not stop every later delivery
                        logger.exception("the emulator's webhook sender failed")
                        await anyio.sleep(POLL)
            finally:
                self._http = self._loop_thread = self._wake_event = None
                self._busy.clear()

    def _client(self, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        # trust_env=False: no proxy from the environment may carry a delivery off the machine.
        return httpx.AsyncClient(transport=transport, trust_env=False, follow_redirects=False)

    async def _tick(self, lanes: anyio.abc.TaskGroup) -> None:
        """Start sending what is due (each subscription's in a lane of its own, one lane at a
        time per subscription); else wait for a new delivery, a lane to end, the next due
        time, or ``POLL``."""
        self._wake_event = anyio.Event()
        with self._emulator.lock:
            book = self._book
            clock = book.config.clock
            due = book.take_due(clock(), self._busy)
            next_due = book.next_due(self._busy)
            book.wake = self._wake
        if due:
            for subscription, lane in _by_subscription(due).items():
                self._busy.add(subscription)
                lanes.start_soon(self._send_lane, book, subscription, lane)
            return
        wait = POLL if next_due is None else min(POLL, max(next_due - clock(), 0.0))
        with anyio.move_on_after(wait):
            await self._wake_event.wait()

    def _wake(self) -> None:
        # An anyio.Event may be set only from its loop's thread: a knob from another thread
        # is noticed at the next POLL instead.
        event = self._wake_event
        if event is not None and threading.get_ident() == self._loop_thread:
            event.set()

    async def _send_lane(
        self, book: WebhookState, subscription: Subscription, lane: Sequence[Delivery]
    ) -> None:
        """One subscription's due deliveries, in order; a subscriber that is slow to answer
        holds up only its own."""
        try:
            for delivery in lane:
                await self._attempt(book, delivery)
        except Exception:  # a bug must not stop the sender and every other lane with it
            logger.exception("the emulator's webhook sender failed")
        finally:
            self._busy.discard(subscription)
            self._wake()

    async def _attempt(self, book: WebhookState, delivery: Delivery) -> None:
        with self._emulator.lock:
            attempt = book.prepare(delivery)
        if attempt is None:  # its subscription is gone or disabled
            return
        status = None
        if not attempt.lost:
            status = await self.post(attempt.url, attempt.body, attempt.headers)
        with self._emulator.lock:
            book.settle(delivery, status)

    async def post(self, url: str, body: bytes, headers: Sequence[tuple[str, str]]) -> int | None:
        """POST one delivery; its HTTP status, or None when no answer came in time (or the
        URL is not on loopback)."""
        if not is_loopback_url(url):
            return None
        timeout = self._emulator.config.webhook_timeout
        try:
            if self._http is not None and threading.get_ident() == self._loop_thread:
                answer = await self._http.post(url, content=body, headers=headers, timeout=timeout)
            else:  # no sender running here: a client for this one delivery
                async with self._client(None) as http:
                    answer = await http.post(url, content=body, headers=headers, timeout=timeout)
        except httpx.HTTPError as error:
            # The host only: a URL's path or query may hold a subscriber's own secret.
            host = urlsplit(url).netloc
            logger.info("a webhook delivery to %s got no answer: %s", host, type(error).__name__)
            return None
        return answer.status_code


def _by_subscription(due: Sequence[Delivery]) -> dict[Subscription, list[Delivery]]:
    lanes: dict[Subscription, list[Delivery]] = {}
    for delivery in due:
        lanes.setdefault(delivery.subscription, []).append(delivery)
    return lanes


def _count(n: int) -> int:
    if n < 0:
        raise ValueError("n must be >= 0")
    return n
