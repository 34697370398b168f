"""The emulator's webhook deliveries, under a real uvicorn, to a real subscriber on loopback:
the events of changes made through either face, signed; the knobs (duplicates, reordering,
delays, spoiled signatures and bodies, lost attempts); BILL's retries and disabling."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import anyio
import attrs
import httpx
import pytest
from fastapi import FastAPI

from bill_async import v3 as v3_models
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    Emulator,
    ManualClock,
    RunningEmulator,
)
from bill_async.fastapi import webhook_router
from bill_async.webhooks import (
    MemoryEventStore,
    WebhookReceiver,
    WebhookSignatureError,
    parse_event,
    verify,
)
from tests.emulator.rawhooks import Hooks, settled
from tests.emulator.rawhttp import SMALL, Raw
from tests.emulator.rawv3 import RawV3
from tests.loopback import read_body
from tests.webhook_inbox import Delivered, Inbox, count

QUICK = attrs.evolve(SMALL, webhook_retry_schedule=(0.01, 0.02, 0.04), webhook_timeout=2.0)
VENDORS = [
    {"type": f"vendor.{change}", "version": "1"}
    for change in ("created", "updated", "archived", "restored")
]
BILLS = [
    {"type": f"bill.{change}", "version": "1"}
    for change in ("created", "updated", "archived", "restored")
]


@pytest.fixture(autouse=True)
def quick(emulator: Emulator) -> Emulator:
    """Retries 10, 20 and 40 ms apart (autouse: before any fixture signs in)."""
    emulator.reset(QUICK)
    return emulator


@pytest.fixture
def hooks(v3_session: RawV3) -> Hooks:
    return Hooks(v3_session)


def receiving(inbox: Inbox, key: str) -> WebhookReceiver:
    """Answer deliveries with the SDK's FastAPI route, verifying with ``key``."""
    receiver = WebhookReceiver(MemoryEventStore(), keys=key)
    app = FastAPI()
    app.include_router(webhook_router(receiver))
    inbox.reset(app=app)
    return receiver


def vendor_of(emulator: Emulator) -> dict[str, Any]:
    return emulator.objects(emulator.org_ids[0], "Vendor")[0]


def new_bill(v3: RawV3, vendor_id: str, number: str = "WH-1") -> dict[str, Any]:
    body = {
        "vendorId": vendor_id,
        "dueDate": "2025-12-31",
        "invoice": {"invoiceNumber": number, "invoiceDate": "2025-12-01"},
        "billLineItems": [{"amount": 10.5}],
    }
    made: dict[str, Any] = v3.ok("POST", "/v3/bills", body)
    return made


def types_of(delivered: list[Delivered]) -> list[str]:
    return [d.event_type for d in delivered]


# -- what is sent -------------------------------------------------------------------------------


def test_a_change_through_v2_arrives_signed_as_the_v3_record(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator
) -> None:
    made = hooks.subscribe(inbox.url, VENDORS)
    receiver = receiving(inbox, made["securityKey"])
    vendor = session.create("Vendor", name="Hooked Supplies", email="ap@hooked.example")
    (delivered,) = inbox.wait_for(count(1))
    assert delivered.status == 200 and receiver.counts.accepted == 1
    verify(delivered.body, delivered.signature, made["securityKey"])
    assert delivered.headers["content-type"] == "application/json"
    payload = json.loads(delivered.body)
    minified = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    assert delivered.body == minified
    assert payload["metadata"] == {
        "eventId": payload["metadata"]["eventId"],
        "subscriptionId": made["id"],
        "organizationId": emulator.org_ids[0],
        "eventType": "vendor.created",
        "version": "1",
    }
    assert set(payload) == {"metadata", "vendor"}
    assert payload["vendor"] == hooks.v3.ok("GET", f"/v3/vendors/{vendor['id']}")
    assert payload["vendor"]["updatedTime"].endswith("Z")
    record = parse_event(delivered.body).record()
    assert isinstance(record, v3_models.Vendor) and record.name == "Hooked Supplies"


def test_v2_deletes_and_undeletes_are_archived_and_restored(
    hooks: Hooks, session: Raw, inbox: Inbox
) -> None:
    hooks.subscribe(inbox.url, VENDORS)
    vendor = session.create("Vendor", name="Soon Gone")
    session.ok("Crud/Update/Vendor.json", {"obj": {**vendor, "email": "new@x.example"}})
    session.ok("Crud/Delete/Vendor.json", {"id": vendor["id"]})
    session.ok("Crud/Undelete/Vendor.json", {"id": vendor["id"]})
    delivered = inbox.wait_for(count(4))
    assert types_of(delivered) == [
        "vendor.created", "vendor.updated", "vendor.archived", "vendor.restored"
    ]  # fmt: skip
    assert [d.event["vendor"]["archived"] for d in delivered] == [False, False, True, False]


def test_changes_through_v3_are_bill_events_with_the_record_then(
    hooks: Hooks, inbox: Inbox, emulator: Emulator
) -> None:
    made = hooks.subscribe(inbox.url, BILLS)
    bill = new_bill(hooks.v3, vendor_of(emulator)["id"])
    hooks.v3.ok("PATCH", f"/v3/bills/{bill['id']}", {"description": "changed"})
    hooks.v3.ok("POST", f"/v3/bills/{bill['id']}/archive")
    hooks.v3.ok("POST", f"/v3/bills/{bill['id']}/restore")
    delivered = inbox.wait_for(count(4))
    assert types_of(delivered) == ["bill.created", "bill.updated", "bill.archived", "bill.restored"]
    for one in delivered:
        verify(one.body, one.signature, made["securityKey"])
    times = [d.event["bill"]["updatedTime"] for d in delivered]
    assert times == sorted(set(times))  # each change its own, later, updatedTime
    assert delivered[-1].event["bill"] == hooks.v3.ok("GET", f"/v3/bills/{bill['id']}")
    assert delivered[1].event["bill"]["description"] == "changed"


def test_a_payment_is_payment_updated_and_changes_its_bill(
    hooks: Hooks, inbox: Inbox, emulator: Emulator
) -> None:
    events = [{"type": "payment.updated", "version": "1"}, *BILLS]
    hooks.subscribe(inbox.url, events)
    bill = next(b for b in emulator.objects(emulator.org_ids[0], "Bill") if b["dueAmount"] > 100)
    body = {
        "vendorId": bill["vendorId"],
        "processDate": "2024-07-20",
        "toPrintCheck": False,
        "payments": [{"billId": bill["id"], "amount": 70}],
    }
    paid = hooks.v3.ok("POST", "/v3/bills/record-payment", body)
    delivered = inbox.wait_for(count(2))
    assert types_of(delivered) == ["bill.updated", "payment.updated"]
    assert delivered[1].event["payment"] == paid


def test_events_go_only_to_enabled_subscriptions_of_the_organization_that_asked(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator
) -> None:
    hooks.subscribe(inbox.url + "/vendors", VENDORS[:1])
    hooks.subscribe(inbox.url + "/bills", BILLS[:1])
    hooks.subscribe(inbox.url + "/off", VENDORS[:1], status={"enabled": False})
    other = RawV3(hooks.v3.base_url, emulator, hooks.v3.http)
    assert other.login(emulator.org_ids[1]).status_code == 200
    other.ok("POST", "/v3/vendors", {"name": "Elsewhere"})  # another organization's change
    session.create("Vendor", name="Here")
    (delivered,) = inbox.wait_for(count(1))
    assert delivered.event["vendor"]["name"] == "Here"
    time.sleep(0.1)  # nothing else comes
    assert len(inbox.seen()) == 1 and emulator.counters.webhooks.events == 1


def test_customer_events_when_configured(hooks: Hooks, inbox: Inbox, emulator: Emulator) -> None:
    emulator.reset(attrs.evolve(QUICK, webhook_customer_events=True))
    assert hooks.v3.login().status_code == 200
    hooks.subscribe(inbox.url, [{"type": "customer.created", "version": "1"}])
    made = hooks.v3.ok("POST", "/v3/customers", {"name": "Listening Customer"})
    (delivered,) = inbox.wait_for(count(1))
    assert delivered.event["customer"]["id"] == made["id"]


def test_bodies_as_json_strings_when_configured(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator
) -> None:
    emulator.reset(attrs.evolve(QUICK, webhook_string_bodies=True))
    assert hooks.v3.login().status_code == 200 and session.login()["response_status"] == 0
    made = hooks.subscribe(inbox.url, VENDORS[:1])
    receiving(inbox, made["securityKey"])
    session.create("Vendor", name="Escaped")
    (delivered,) = inbox.wait_for(count(1))
    assert isinstance(json.loads(delivered.body), str)  # "JSON-escaped ... as a string"
    assert delivered.status == 200  # the SDK verified the raw body and parsed it twice
    assert parse_event(delivered.body).entity["name"] == "Escaped"


# -- knobs ----------------------------------------------------------------------------------------


def test_duplicate_next_sends_a_delivery_twice(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator
) -> None:
    made = hooks.subscribe(inbox.url, VENDORS[:1])
    receiver = receiving(inbox, made["securityKey"])
    emulator.webhooks.duplicate_next(1)
    session.create("Vendor", name="Twice")
    session.create("Vendor", name="Once")
    delivered = inbox.wait_for(count(3))
    assert [d.event["vendor"]["name"] for d in delivered] == ["Twice", "Twice", "Once"]
    assert delivered[0].body == delivered[1].body and delivered[0].event_id == delivered[1].event_id
    assert (receiver.counts.accepted, receiver.counts.duplicates) == (2, 1)
    assert emulator.counters.webhooks.duplicated == 1


def test_set_duplicates_sends_every_delivery_twice_at_probability_one(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator
) -> None:
    hooks.subscribe(inbox.url, VENDORS[:1])
    emulator.webhooks.set_duplicates(1.0)
    session.create("Vendor", name="A")
    session.create("Vendor", name="B")
    delivered = inbox.wait_for(count(4))
    assert [d.event["vendor"]["name"] for d in delivered] == ["A", "A", "B", "B"]


def test_reorder_next_shuffles_and_the_receiver_applies_in_order(
    hooks: Hooks, inbox: Inbox, emulator: Emulator
) -> None:
    made = hooks.subscribe(inbox.url, VENDORS[:2])
    receiver = receiving(inbox, made["securityKey"])
    applied: list[str] = []

    @receiver.on("vendor.updated")
    async def changed(event: Any) -> None:
        applied.append(event.entity["name"])

    vendor = vendor_of(emulator)
    emulator.webhooks.reorder_next(4)
    for n in range(4):
        hooks.v3.ok("PATCH", f"/v3/vendors/{vendor['id']}", {"name": f"Name {n}"})
    delivered = inbox.wait_for(count(4))
    history = [e["id"] for e in emulator.webhooks.events(made["id"])]
    assert sorted(d.event_id for d in delivered) == sorted(history)
    assert [d.event_id for d in delivered] != history  # never their own order
    assert emulator.counters.webhooks.reordered == 4
    anyio.run(receiver.process)
    assert applied == [f"Name {n}" for n in range(4)]  # by the object's updatedTime


def test_release_held_sends_what_is_held(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator
) -> None:
    hooks.subscribe(inbox.url, VENDORS[:1])
    emulator.webhooks.reorder_next(5)
    session.create("Vendor", name="First")
    session.create("Vendor", name="Second")
    time.sleep(0.1)
    assert inbox.seen() == [] and emulator.webhooks.waiting == 2
    emulator.webhooks.release_held()
    delivered = inbox.wait_for(count(2))
    assert [d.event["vendor"]["name"] for d in delivered] == ["Second", "First"]
    session.create("Vendor", name="Third")  # the window is over
    assert inbox.wait_for(count(3))[2].event["vendor"]["name"] == "Third"


def test_delays_follow_the_emulators_clock(
    inbox: Inbox, serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]]
) -> None:
    clock = ManualClock()
    config = attrs.evolve(QUICK, clock=clock)
    with serve_emulator(config) as running, httpx.Client(timeout=10) as http:
        v3 = RawV3(running.v3_base_url, running.emulator, http)
        assert v3.login().status_code == 200
        Hooks(v3).subscribe(inbox.url, VENDORS[:1])
        running.emulator.webhooks.delay_next(60)
        v3.ok("POST", "/v3/vendors", {"name": "Later"})
        v3.ok("POST", "/v3/vendors", {"name": "Now"})
        assert [d.event["vendor"]["name"] for d in inbox.wait_for(count(1))] == ["Now"]
        time.sleep(0.15)  # three of the sender's looks at the clock
        assert len(inbox.seen()) == 1
        clock.advance(60)
        assert inbox.wait_for(count(2))[1].event["vendor"]["name"] == "Later"


@pytest.mark.parametrize("how", ["signature", "body"])
def test_a_spoiled_delivery_is_refused_and_retried_unspoiled(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator, how: Any
) -> None:
    made = hooks.subscribe(inbox.url, VENDORS[:1])
    receiver = receiving(inbox, made["securityKey"])
    emulator.webhooks.corrupt_next(1, how=how)
    session.create("Vendor", name="Spoiled")
    spoiled, good = inbox.wait_for(count(2))
    counters = settled(emulator, 2)
    assert (spoiled.status, good.status) == (401, 200)
    with pytest.raises(WebhookSignatureError):
        verify(spoiled.body, spoiled.signature, made["securityKey"])
    verify(good.body, good.signature, made["securityKey"])
    assert (spoiled.body == good.body) is (how == "signature")
    assert receiver.counts.refused == 1 and receiver.counts.accepted == 1
    assert (counters.corrupted, counters.failed, counters.retried, counters.delivered) == (
        1, 1, 1, 1
    )  # fmt: skip


def test_a_lost_attempt_is_retried(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator
) -> None:
    made = hooks.subscribe(inbox.url, VENDORS[:1])
    emulator.webhooks.lose_next(2)
    session.create("Vendor", name="Lost twice")
    (delivered,) = inbox.wait_for(count(1))
    counters = settled(emulator, 3)
    assert (counters.attempts, counters.failed, counters.retried, counters.delivered) == (
        3, 2, 2, 1
    )  # fmt: skip
    assert emulator.webhooks.events(made["id"])[0]["statusCode"] == 200
    assert delivered.event["vendor"]["name"] == "Lost twice"


# -- retries and disabling ------------------------------------------------------------------------


def test_a_subscriber_that_keeps_failing_gets_its_subscription_disabled(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator
) -> None:
    made = hooks.subscribe(inbox.url, VENDORS[:1])
    inbox.reset(status=500)
    session.create("Vendor", name="Never Taken")
    path = f"/v3/subscriptions/{made['id']}"
    deadline = time.monotonic() + 5
    while hooks.ok("GET", path)["status"]["enabled"]:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert len(inbox.seen()) == 4  # the first attempt and the schedule's three retries
    counters = emulator.counters.webhooks
    assert (counters.attempts, counters.failed, counters.retried) == (4, 4, 3)
    assert (counters.gave_up, counters.disabled, counters.delivered) == (1, 1, 0)
    (event,) = hooks.ok("GET", f"/v3/events/subscription/{made['id']}")["results"]
    assert event["statusCode"] == 500
    # Disabled: nothing more is made or sent for it.
    inbox.reset()
    session.create("Vendor", name="Unheard")
    time.sleep(0.1)
    assert inbox.seen() == [] and emulator.counters.webhooks.events == 1
    # Enabled again by PATCH: the next change is delivered, and the lost one can be resent.
    assert hooks.ok("PATCH", path, {"status": {"enabled": True}})["status"]["enabled"] is True
    session.create("Vendor", name="Heard")
    assert inbox.wait_for(count(1))[0].event["vendor"]["name"] == "Heard"
    resent = hooks.ok("POST", f"/v3/events/subscription/{made['id']}/event/{event['id']}")
    assert resent["statusCode"] == 200
    assert inbox.wait_for(count(2))[1].event["vendor"]["name"] == "Never Taken"


def test_a_subscriber_that_recovers_within_the_retries_stays_enabled(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator
) -> None:
    made = hooks.subscribe(inbox.url, VENDORS[:1])
    inbox.reset(status=503, times=3)  # the last retry of the schedule's three is taken
    session.create("Vendor", name="Eventually")
    delivered = inbox.wait_for(count(4))
    assert [d.status for d in delivered] == [503, 503, 503, 200]
    assert len({d.body for d in delivered}) == 1
    counters = settled(emulator, 4)
    assert (counters.retried, counters.delivered, counters.gave_up, counters.disabled) == (
        3, 1, 0, 0
    )  # fmt: skip
    assert hooks.ok("GET", f"/v3/subscriptions/{made['id']}")["status"]["enabled"] is True


def test_rotating_the_key_signs_what_is_sent_from_then_with_the_new_key(
    hooks: Hooks, session: Raw, inbox: Inbox
) -> None:
    made = hooks.subscribe(inbox.url, VENDORS[:1])
    old = made["securityKey"]
    session.create("Vendor", name="Before")
    before = inbox.wait_for(count(1))[0]
    verify(before.body, before.signature, old)
    path = f"/v3/subscriptions/{made['id']}/security_key"
    new = hooks.ok("POST", path, key=str(uuid.uuid4()))["securityKey"]
    session.create("Vendor", name="After")
    after = inbox.wait_for(count(2))[1]
    verify(after.body, after.signature, new)
    with pytest.raises(WebhookSignatureError):
        verify(after.body, after.signature, old)
    # A resend of the earlier event is signed with the key of now, too.
    hooks.ok("POST", f"/v3/events/subscription/{made['id']}/event/{before.event_id}")
    again = inbox.wait_for(count(3))[2]
    assert again.body == before.body and again.signature != before.signature
    verify(again.body, again.signature, new)


# -- in-process -----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_in_process_the_sender_runs_inside_sending() -> None:
    """Without a server (no lifespan), ``sending()`` runs the sender, here into an ASGI app."""
    emulator = Emulator(QUICK)
    received: list[tuple[dict[bytes, bytes], bytes]] = []

    async def subscriber(scope: Any, receive: Any, send: Any) -> None:
        received.append((dict(scope["headers"]), await read_body(receive)))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    transport = httpx.ASGITransport(emulator)
    async with httpx.AsyncClient(transport=transport, base_url="http://e") as http:
        signed_in = await http.post("/connect/v3/login", json=sign_in(emulator))
        headers = {"devKey": DEMO_DEV_KEY, "sessionId": signed_in.json()["sessionId"]}
        body = {
            "name": "in process",
            "status": {"enabled": True},
            "events": [{"type": "vendor.created", "version": "1"}],
            "notificationUrl": "http://127.0.0.1/hook",
        }
        key_header = {"X-Idempotent-Key": str(uuid.uuid4())}
        made = await http.post(
            "/connect-events/v3/subscriptions", json=body, headers={**headers, **key_header}
        )
        key = made.json()["securityKey"]
        await http.post("/connect/v3/vendors", json={"name": "Queued"}, headers=headers)
        assert emulator.webhooks.waiting == 1 and received == []  # no sender yet
        async with emulator.webhooks.sending(httpx.ASGITransport(subscriber)):
            with anyio.fail_after(5):
                while not received:  # noqa: ASYNC110  # the subscriber is a plain function
                    await anyio.sleep(0.01)
    ((sent_headers, sent_body),) = received
    verify(sent_body, sent_headers[b"x-bill-sha-signature"].decode(), key)
    assert json.loads(sent_body)["vendor"]["name"] == "Queued"
    assert emulator.counters.webhooks.delivered == 1 and emulator.webhooks.waiting == 0


def sign_in(emulator: Emulator) -> dict[str, str]:
    return {
        "username": DEMO_USER_NAME,
        "password": DEMO_PASSWORD,
        "organizationId": emulator.org_ids[0],
        "devKey": DEMO_DEV_KEY,
    }


def test_a_subscriber_that_hangs_holds_up_only_its_own_deliveries(
    hooks: Hooks, session: Raw, inbox: Inbox, emulator: Emulator
) -> None:
    # A socket that accepts connections (the kernel's backlog) and never answers.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        silent_url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        hooks.subscribe(silent_url, VENDORS[:1])
        hooks.subscribe(inbox.url, VENDORS[:1])
        session.create("Vendor", name="First")
        inbox.wait_for(count(1))
        started = time.monotonic()
        session.create("Vendor", name="Second")  # the silent one still waits on "First"
        inbox.wait_for(count(2))
        assert time.monotonic() - started < QUICK.webhook_timeout / 2
        assert emulator.counters.webhooks.failed == 0
