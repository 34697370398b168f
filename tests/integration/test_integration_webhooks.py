"""BILL's webhooks end to end: ``client.webhooks`` (the v3 client) manages subscriptions on the
emulator under a real uvicorn; changes made with the v2 and the v3 clients arrive at a FastAPI
receiver (``webhook_router``, another uvicorn on loopback) as events the SDK verifies; a
subscriber that keeps failing is disabled; a rotated key signs from then on."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import attrs
import pytest
from fastapi import FastAPI

import bill_async
import bill_async.v3
from bill_async.emulator import Emulator, ManualClock
from bill_async.fastapi import webhook_router
from bill_async.webhooks import (
    Event,
    MemoryEventStore,
    SecurityKeys,
    WebhookReceiver,
    WebhookSignatureError,
    verify,
)
from tests.emulator.rawhttp import SMALL
from tests.webhook_inbox import Inbox, count

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

QUICK = attrs.evolve(SMALL, webhook_retry_schedule=(0.01, 0.02, 0.04), webhook_timeout=2.0)
EVENTS = ["vendor.created", "vendor.updated", "bill.created", "bill.updated"]


@pytest.fixture(autouse=True)
def quick(emulator: Emulator) -> Emulator:
    emulator.reset(QUICK)
    return emulator


def subscription(url: str, events: list[str] = EVENTS, **extra: Any) -> dict[str, Any]:
    return {
        "name": "export",
        "status": {"enabled": True},
        "events": [{"type": kind, "version": "1"} for kind in events],
        "notificationUrl": url,
        **extra,
    }


def receiving(inbox: Inbox, keys: SecurityKeys | str) -> WebhookReceiver:
    receiver = WebhookReceiver(MemoryEventStore(), keys=keys)
    app = FastAPI()
    app.include_router(webhook_router(receiver))
    inbox.reset(app=app)
    return receiver


async def test_changes_through_v2_and_v3_arrive_as_verified_events(
    v3_client: bill_async.v3.Client, client: bill_async.Client, inbox: Inbox
) -> None:
    made = await v3_client.webhooks.create_subscription(subscription(inbox.url))
    key = made["securityKey"]
    receiver = receiving(inbox, key)
    seen: list[Event] = []

    @receiver.on("*")
    async def record(event: Event) -> None:
        seen.append(event)

    through_v2 = await client.vendors.create(name="Made With v2")
    through_v3 = await v3_client.vendors.update(through_v2.id, {"email": "ap@v3.example"})
    delivered = await inbox.arrival(count(2))
    for one in delivered:
        verify(one.body, one.signature, key)
        assert one.status == 200
    assert receiver.counts.accepted == 2 and receiver.counts.refused == 0
    await receiver.process()
    assert [e.event_type for e in seen] == ["vendor.created", "vendor.updated"]
    assert all(e.subscription_id == made["id"] for e in seen)
    created, updated = (e.record() for e in seen)
    assert isinstance(created, bill_async.v3.Vendor) and created.name == "Made With v2"
    assert isinstance(updated, bill_async.v3.Vendor)
    assert updated.email == "ap@v3.example" and updated == through_v3


async def test_a_create_whose_answer_was_lost_is_retried_with_its_key_and_makes_one(
    v3_client: bill_async.v3.Client, inbox: Inbox, emulator: Emulator, org_id: str
) -> None:
    await v3_client.session.get()
    emulator.drop_next("POST /v3/subscriptions", when="after")
    made = await v3_client.webhooks.create_subscription(subscription(inbox.url))
    assert emulator.counters.paths["POST /v3/subscriptions"] == 2  # sent again, same key
    listed = await v3_client.webhooks.list_subscriptions().collect()
    assert [s["id"] for s in listed] == [made["id"]]
    assert emulator.state.webhooks.subscriptions[made["id"]].key == made["securityKey"]


async def test_ten_subscriptions_per_organization(
    v3_client: bill_async.v3.Client, inbox: Inbox
) -> None:
    for n in range(10):
        await v3_client.webhooks.create_subscription(subscription(f"{inbox.url}/{n}"))
    with pytest.raises(bill_async.InvalidInputError, match="at most 10"):
        await v3_client.webhooks.create_subscription(subscription(f"{inbox.url}/10"))
    first = (await v3_client.webhooks.list_subscriptions(limit=1).collect())[0]
    await v3_client.webhooks.delete_subscription(first["id"])
    with pytest.raises(bill_async.InvalidInputError, match="exists"):  # a duplicate of /1
        await v3_client.webhooks.create_subscription(subscription(f"{inbox.url}/1"))
    await v3_client.webhooks.create_subscription(subscription(f"{inbox.url}/10"))


async def test_a_subscriber_that_keeps_failing_is_disabled_and_the_client_sees_it(
    v3_client: bill_async.v3.Client, client: bill_async.Client, inbox: Inbox, emulator: Emulator
) -> None:
    made = await v3_client.webhooks.create_subscription(subscription(inbox.url))
    inbox.reset(status=500)
    await client.vendors.create(name="Refused Four Times")
    await inbox.arrival(count(4))
    got = await _until_disabled(v3_client, made["id"])
    assert got["status"] == {"enabled": False}
    counters = emulator.counters.webhooks
    assert (counters.attempts, counters.failed, counters.gave_up, counters.disabled) == (4, 4, 1, 1)
    history = await v3_client.webhooks.list_events(made["id"]).collect()
    assert [(e["type"], e["statusCode"]) for e in history] == [("vendor.created", 500)]
    enabled = await v3_client.webhooks.update_subscription(
        made["id"], {"status": {"enabled": True}}
    )
    assert enabled["status"] == {"enabled": True}


async def _until_disabled(client: bill_async.v3.Client, subscription_id: str) -> Any:
    with anyio.fail_after(5):
        while True:
            got = await client.webhooks.get_subscription(subscription_id)
            if not got["status"]["enabled"]:
                return got
            await anyio.sleep(0.01)


async def test_a_rotated_key_signs_from_then_and_the_old_one_fails_after_the_grace(
    v3_client: bill_async.v3.Client, client: bill_async.Client, inbox: Inbox
) -> None:
    made = await v3_client.webhooks.create_subscription(subscription(inbox.url))
    clock = ManualClock()
    keys = SecurityKeys(made["securityKey"], grace=300, clock=clock)
    receiver = receiving(inbox, keys)
    await client.vendors.create(name="Signed With The First Key")
    (before,) = await inbox.arrival(count(1))
    rotated = await v3_client.webhooks.rotate_security_key(made["id"])
    new_key = rotated["securityKey"]
    assert new_key != made["securityKey"]
    keys.rotate(new_key)
    await client.vendors.create(name="Signed With The New Key")
    after = (await inbox.arrival(count(2)))[1]
    assert after.status == 200 and receiver.counts.accepted == 2
    verify(after.body, after.signature, new_key)
    with pytest.raises(WebhookSignatureError):
        verify(after.body, after.signature, made["securityKey"])
    keys.verify(before.body, before.signature)  # the old key, within the grace
    clock.advance(300)
    with pytest.raises(WebhookSignatureError):
        keys.verify(before.body, before.signature)


async def test_the_history_is_a_cursor_list_by_object(
    v3_client: bill_async.v3.Client, inbox: Inbox, emulator: Emulator
) -> None:
    made = await v3_client.webhooks.create_subscription(subscription(inbox.url))
    vendors = [await v3_client.vendors.create({"name": f"Listed {n}"}) for n in range(5)]
    await inbox.arrival(count(5))
    pager = v3_client.webhooks.list_events(made["id"], page_size=2)
    events = await pager.collect()
    assert [e["id"] for e in events] == [e["id"] for e in emulator.webhooks.events(made["id"])]
    assert emulator.counters.paths["GET /v3/events/subscription/{subscriptionId}"] == 3
    one = v3_client.webhooks.list_events(made["id"], entity_id=vendors[3].id)
    assert [e["id"] for e in await one.collect()] == [events[3]["id"]]


async def test_catalogue_history_and_a_test_event(
    v3_client: bill_async.v3.Client, inbox: Inbox
) -> None:
    catalog = await v3_client.webhooks.get_event_catalog()
    assert {"type": "bill.updated", "versions": ["1"]} in catalog
    made = await v3_client.webhooks.create_subscription(subscription(inbox.url))
    body = {"eventType": "bill.updated", "version": "1", "bill": {"id": "test-bill-id"}}
    answer = await v3_client.webhooks.send_test_event(made["id"], body)
    assert answer["statusCode"] == 200 and answer["subscriptionId"] == made["id"]
    (delivered,) = inbox.seen()
    verify(delivered.body, delivered.signature, made["securityKey"])
    assert uuid.UUID(answer["id"]).version == 4
