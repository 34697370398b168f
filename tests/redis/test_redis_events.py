"""Webhook events in Redis: stored before the answer, deduplicated across receivers, and kept
until applied, a receiver's crash included."""

from __future__ import annotations

import json

import pytest

from bill_async.redis import RedisEventStore
from bill_async.webhooks import Event, WebhookReceiver, sign
from tests.redis.conftest import PREFIX

KEY = "security-key-SECRET-redis"


def delivery(event_id: str, updated: str) -> bytes:
    payload = {
        "metadata": {"eventId": event_id, "eventType": "vendor.updated"},
        "vendor": {"id": "009x", "updatedTime": updated},
    }
    return json.dumps(payload).encode()


@pytest.mark.anyio
async def test_two_receivers_share_one_queue_and_a_crash_loses_nothing(redis_url: str) -> None:
    first_store = RedisEventStore(redis_url, prefix=f"{PREFIX}:webhooks")
    second_store = RedisEventStore(redis_url, prefix=f"{PREFIX}:webhooks")
    first = WebhookReceiver(first_store, KEY)
    second = WebhookReceiver(second_store, KEY)
    late, early = (
        delivery("e2", "2026-12-02T00:00:00.000Z"),
        delivery("e1", "2026-12-01T00:00:00.000Z"),
    )
    assert await first.receive(late, sign(late, KEY))
    assert await second.receive(early, sign(early, KEY))
    assert not await second.receive(late, sign(late, KEY))  # BILL's retry reached the other one
    await first_store.aclose()  # the first receiver dies before applying anything
    applied: list[str] = []

    @second.on("vendor.updated")
    async def apply(event: Event) -> None:
        applied.append(event.event_id)

    assert await second.process() == 2
    assert applied == ["e1", "e2"]  # by the vendor's own time, not by arrival
    assert await second.process() == 0
    assert not await second.receive(early, sign(early, KEY))  # done, and still remembered
    await second_store.aclose()


@pytest.mark.anyio
async def test_a_failed_event_stays_queued_with_its_attempts(redis_url: str) -> None:
    store = RedisEventStore(redis_url, prefix=f"{PREFIX}:webhooks")
    receiver = WebhookReceiver(store, KEY)
    body = delivery("e1", "2026-12-01T00:00:00.000Z")
    await receiver.receive(body, sign(body, KEY))

    @receiver.on("*")
    async def broken(event: Event) -> None:
        raise RuntimeError("down")

    assert await receiver.process() == 0
    [stored] = await store.pending(10)
    assert stored.event.event_id == "e1" and stored.attempts == 1
    await store.aclose()
