"""The emulator's webhooks API on ``/connect-events/v3``, over raw HTTP: subscriptions, their
keys, idempotency keys, the limits, the catalogue, the event history, resend and test events."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import attrs
import httpx
import pytest

from bill_async.emulator import (
    Emulator,
    ManualClock,
    RunningEmulator,
)
from bill_async.webhooks import verify
from tests.emulator.rawhooks import BILLS, Hooks, settled, subscription_body
from tests.emulator.rawhttp import SMALL
from tests.emulator.rawv3 import RawV3, refusal_of
from tests.webhook_inbox import Inbox, count


@pytest.fixture
def hooks(v3_session: RawV3) -> Hooks:
    return Hooks(v3_session)


# -- the catalogue ------------------------------------------------------------------------------


def test_the_catalogue_is_bills_event_types_in_version_1(hooks: Hooks) -> None:
    catalog = hooks.ok("GET", "/v3/events/catalog")
    types = [entry["type"] for entry in catalog]
    assert {"vendor.created", "bill.archived", "payment.failed", "mass-payment.updated"} <= set(
        types
    )
    assert all(entry["versions"] == ["1"] for entry in catalog)
    assert not [t for t in types if t.startswith("customer.")]  # BILL has none


def test_customer_events_are_offered_only_when_configured(hooks: Hooks, emulator: Emulator) -> None:
    emulator.reset(attrs.evolve(SMALL, webhook_customer_events=True))
    assert hooks.v3.login().status_code == 200
    types = [entry["type"] for entry in hooks.ok("GET", "/v3/events/catalog")]
    assert types[-4:] == [
        "customer.created",
        "customer.updated",
        "customer.archived",
        "customer.restored",
    ]


# -- creating a subscription ------------------------------------------------------------------


def test_create_answers_the_security_key_once(
    hooks: Hooks, inbox: Inbox, emulator: Emulator
) -> None:
    made = hooks.subscribe(inbox.url)
    assert set(made) == {
        "id", "name", "organizationId", "status", "events", "notificationUrl", "createdTime",
        "updatedTime", "securityKey",
    }  # fmt: skip
    assert made["organizationId"] == emulator.org_ids[0]
    assert made["status"] == {"enabled": True} and made["events"] == BILLS
    assert made["createdTime"].endswith("Z")
    got = hooks.ok("GET", f"/v3/subscriptions/{made['id']}")
    assert "securityKey" not in got and got == {k: v for k, v in made.items() if k != "securityKey"}
    listed = hooks.ok("GET", "/v3/subscriptions")
    assert listed == {"results": [got]}
    assert made["securityKey"] not in repr(emulator.state.webhooks.subscriptions[made["id"]])


def test_create_needs_a_uuid4_idempotency_key(hooks: Hooks, inbox: Inbox) -> None:
    body = {"name": "b", "status": {"enabled": True}, "events": BILLS, "notificationUrl": inbox.url}
    assert "required" in hooks.refused(400, "POST", "/v3/subscriptions", body, key=None)
    assert "UUID4" in hooks.refused(400, "POST", "/v3/subscriptions", body, key="not-a-uuid")
    uuid1 = str(uuid.uuid1())
    assert "UUID4" in hooks.refused(400, "POST", "/v3/subscriptions", body, key=uuid1)
    assert hooks.ok("GET", "/v3/subscriptions") == {"results": []}


def test_the_same_idempotency_key_answers_the_first_answer_again(
    hooks: Hooks, inbox: Inbox
) -> None:
    key = str(uuid.uuid4())
    first = hooks.subscribe(inbox.url, key=key)
    again = hooks.subscribe(inbox.url, key=key)  # a duplicate otherwise: the first answer
    assert again == first
    assert len(hooks.ok("GET", "/v3/subscriptions")["results"]) == 1
    # Another organization's key space is its own.
    other = RawV3(hooks.v3.base_url, hooks.v3.emulator, hooks.v3.http)
    assert other.login(hooks.v3.emulator.org_ids[1]).status_code == 200
    assert Hooks(other).subscribe(inbox.url, key=key)["id"] != first["id"]


def test_a_key_is_kept_24_hours(
    inbox: Inbox, serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]]
) -> None:
    clock = ManualClock()
    config = attrs.evolve(SMALL, clock=clock, idle_timeout=10 * 86_400.0)
    with serve_emulator(config) as running, httpx.Client(timeout=10) as http:
        hooks = Hooks(RawV3(running.v3_base_url, running.emulator, http))
        assert hooks.v3.login().status_code == 200
        key = str(uuid.uuid4())
        first = hooks.subscribe(inbox.url, key=key)
        clock.advance(24 * 3600 - 1)
        assert hooks.subscribe(inbox.url, key=key) == first
        clock.advance(1)  # forgotten: run again, and refused as a duplicate subscription
        message = hooks.refused(
            400, "POST", "/v3/subscriptions", subscription_body(inbox.url), key=key
        )
        assert first["id"] in message


def test_a_repeat_while_the_first_is_answered_is_429(
    hooks: Hooks, inbox: Inbox, emulator: Emulator
) -> None:
    key = str(uuid.uuid4())

    def create() -> httpx.Response:
        return hooks.send("POST", "/v3/subscriptions", subscription_body(inbox.url), key=key)

    emulator.set_latency(1.0)  # the first is held a second
    answers: list[httpx.Response] = []
    first = threading.Thread(target=lambda: answers.append(create()))
    first.start()
    try:
        _wait(lambda: emulator.in_flight == 1)
        emulator.set_latency(0)  # the repeats are answered at once, while the first is held
        # Every repeat, not only the first: a refused repeat does not end the first's turn.
        assert [create().status_code for _ in range(2)] == [429, 429]
        assert emulator.in_flight == 1
    finally:
        first.join()
    assert answers[0].status_code == 200
    assert create().json() == answers[0].json()


def test_an_answer_the_emulator_failed_on_is_not_kept(
    hooks: Hooks, inbox: Inbox, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bill_async.emulator._v3 import _subscriptions

    key = str(uuid.uuid4())
    monkeypatch.setattr(_subscriptions, "_new_key", lambda: 1 / 0)  # the emulator fails
    response = hooks.send("POST", "/v3/subscriptions", subscription_body(inbox.url), key=key)
    assert refusal_of(response, 500)[0] == "BDC_1001"
    monkeypatch.undo()
    assert hooks.subscribe(inbox.url, key=key)["securityKey"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"name": ""}, "name: The name field is required"),
        ({"status": {}}, "status.enabled"),
        ({"events": []}, "events: The events field is required"),
        ({"events": [{"type": "bill.paid", "version": "1"}]}, "not an event"),
        ({"events": [{"type": "bill.created", "version": "2"}]}, "no version"),
        ({"events": BILLS + BILLS[:1]}, "twice"),
        ({"notificationUrl": "https://example.com/hook"}, "only to http://"),
        ({"notificationUrl": "http://10.1.2.3/hook"}, "only to http://"),
        ({"notificationUrl": "http://127.0.0.1:99999/hook"}, "only to http://"),
    ],
)
def test_a_body_bill_would_refuse_is_400(
    hooks: Hooks, inbox: Inbox, change: dict[str, Any], words: str
) -> None:
    assert words in hooks.refused(
        400, "POST", "/v3/subscriptions", {**subscription_body(inbox.url), **change}
    )


def test_each_of_the_four_keys_is_required(hooks: Hooks, inbox: Inbox) -> None:
    for key in ("name", "status", "events", "notificationUrl"):
        body = {k: v for k, v in subscription_body(inbox.url).items() if k != key}
        assert f"{key}: The {key} field is required" in hooks.refused(
            400, "POST", "/v3/subscriptions", body
        )


def test_a_duplicate_subscription_is_refused(hooks: Hooks, inbox: Inbox) -> None:
    made = hooks.subscribe(inbox.url)
    same = list(reversed(BILLS))  # the same events in another order
    message = hooks.refused(400, "POST", "/v3/subscriptions", subscription_body(inbox.url, same))
    assert made["id"] in message
    hooks.subscribe(inbox.url + "/other")  # another URL is another subscription
    hooks.subscribe(inbox.url, BILLS[:1])  # other events too


def test_at_most_ten_subscriptions_per_organization(
    hooks: Hooks, inbox: Inbox, emulator: Emulator
) -> None:
    for n in range(10):
        hooks.subscribe(f"{inbox.url}/{n}")
    message = hooks.refused(400, "POST", "/v3/subscriptions", subscription_body(f"{inbox.url}/10"))
    assert "at most 10" in message
    assert len(emulator.webhooks.subscriptions(emulator.org_ids[0])) == 10
    other = RawV3(hooks.v3.base_url, emulator, hooks.v3.http)
    assert other.login(emulator.org_ids[1]).status_code == 200
    Hooks(other).subscribe(f"{inbox.url}/10")  # the limit is per organization
    first = hooks.ok("GET", "/v3/subscriptions", max="4")
    assert len(first["results"]) == 4 and "nextPage" in first
    hooks.ok("DELETE", f"/v3/subscriptions/{first['results'][0]['id']}")
    hooks.subscribe(f"{inbox.url}/10")


# -- changing, deleting, rotating ------------------------------------------------------------


def test_put_replaces_and_patch_changes_what_it_gives(hooks: Hooks, inbox: Inbox) -> None:
    made = hooks.subscribe(inbox.url)
    path = f"/v3/subscriptions/{made['id']}"
    patched = hooks.ok("PATCH", path, {"name": "Manage bills"})
    assert (patched["name"], patched["events"], patched["notificationUrl"]) == (
        "Manage bills", BILLS, inbox.url
    )  # fmt: skip
    assert "required" in hooks.refused(400, "PUT", path, {"name": "only a name"})
    replaced = hooks.ok("PUT", path, subscription_body(inbox.url + "/v2", BILLS[:1]))
    assert (replaced["events"], replaced["notificationUrl"]) == (BILLS[:1], inbox.url + "/v2")
    disabled = hooks.ok("PATCH", path, {"status": {"enabled": False}})
    assert disabled["status"] == {"enabled": False}
    assert hooks.ok("GET", path)["status"] == {"enabled": False}
    assert "only to http://" in hooks.refused(400, "PATCH", path, {"notificationUrl": "ftp://x"})


def test_a_change_that_makes_a_duplicate_is_refused(hooks: Hooks, inbox: Inbox) -> None:
    first = hooks.subscribe(inbox.url)
    second = hooks.subscribe(inbox.url + "/2")
    path = f"/v3/subscriptions/{second['id']}"
    assert first["id"] in hooks.refused(400, "PATCH", path, {"notificationUrl": inbox.url})


def test_delete_and_another_organizations_subscription(hooks: Hooks, inbox: Inbox) -> None:
    made = hooks.subscribe(inbox.url)
    path = f"/v3/subscriptions/{made['id']}"
    other = RawV3(hooks.v3.base_url, hooks.v3.emulator, hooks.v3.http)
    assert other.login(hooks.v3.emulator.org_ids[1]).status_code == 200
    stranger = Hooks(other)
    for method in ("GET", "DELETE"):
        response = stranger.send(method, path)
        assert refusal_of(response, 404)[0] == "BDC_1205"
    response = hooks.send("DELETE", path)
    assert (response.status_code, response.content) == (200, b"")
    assert refusal_of(hooks.send("GET", path), 404)[0] == "BDC_1205"


@pytest.mark.parametrize("spelling", ["security_key", "security-key"])
def test_rotating_the_key_answers_a_new_one_once(
    hooks: Hooks, inbox: Inbox, emulator: Emulator, spelling: str
) -> None:
    made = hooks.subscribe(inbox.url)
    path = f"/v3/subscriptions/{made['id']}/{spelling}"
    assert "required" in hooks.refused(400, "POST", path, key=None)
    key = str(uuid.uuid4())
    rotated = hooks.ok("POST", path, key=key)
    assert set(rotated) == {"securityKey"} and rotated["securityKey"] != made["securityKey"]
    assert hooks.ok("POST", path, key=key) == rotated  # the same key: the same answer
    assert hooks.ok("POST", path)["securityKey"] != rotated["securityKey"]
    assert emulator.counters.paths[f"POST /v3/subscriptions/{{subscriptionId}}/{spelling}"] == 4


# -- events: history, resend, test -----------------------------------------------------------


def test_history_lists_a_subscriptions_events_by_object(
    hooks: Hooks, inbox: Inbox, raw_bill: Any
) -> None:
    made = hooks.subscribe(inbox.url)
    first, second = raw_bill(), raw_bill()
    settled(hooks.v3.emulator, 2)
    path = f"/v3/events/subscription/{made['id']}"
    events = hooks.ok("GET", path)["results"]
    assert [(e["type"], e["statusCode"]) for e in events] == [("bill.created", 200)] * 2
    assert set(events[0]) == {
        "id", "type", "version", "subscriptionId", "payload", "createdTime", "statusCode"
    }  # fmt: skip
    assert [e["payload"].encode() for e in events] == [d.body for d in inbox.seen()]
    only = hooks.ok("GET", path, entityId=second["id"])["results"]
    assert [e["id"] for e in only] == [events[1]["id"]]
    page = hooks.ok("GET", path, max="1")
    assert page["results"] == events[:1]
    assert hooks.ok("GET", path, max="1", page=page["nextPage"])["results"] == events[1:]
    assert first["id"] != second["id"]


def test_resend_sends_the_event_again_now_and_answers_the_status(
    hooks: Hooks, inbox: Inbox, raw_bill: Any, emulator: Emulator
) -> None:
    made = hooks.subscribe(inbox.url)
    raw_bill()
    (original,) = inbox.wait_for(count(1))
    settled(emulator, 1)
    inbox.reset(status=503)
    path = f"/v3/events/subscription/{made['id']}/event/{original.event_id}"
    resent = hooks.ok("POST", path)
    assert (resent["id"], resent["statusCode"]) == (original.event_id, 503)
    assert resent["payload"].encode() == original.body
    assert inbox.seen()[0].body == original.body
    verify(inbox.seen()[0].body, inbox.seen()[0].signature, made["securityKey"])
    assert emulator.counters.webhooks.failed == 1  # counted, and never retried
    history = hooks.ok("GET", f"/v3/events/subscription/{made['id']}")["results"]
    assert history[0]["statusCode"] == 503
    unknown = f"/v3/events/subscription/{made['id']}/event/{uuid.uuid4()}"
    assert refusal_of(hooks.send("POST", unknown), 404)[0] == "BDC_1205"


def test_a_test_event_is_sent_now_even_when_disabled(
    hooks: Hooks, inbox: Inbox, emulator: Emulator
) -> None:
    made = hooks.subscribe(inbox.url, status={"enabled": False})
    body = {"eventType": "bill.created", "version": "1", "bill": {"id": "test-bill-id"}}
    answer = hooks.ok("POST", f"/v3/subscriptions/{made['id']}/test", body)
    assert (answer["type"], answer["subscriptionId"], answer["statusCode"]) == (
        "bill.created", made["id"], 200
    )  # fmt: skip
    (delivered,) = inbox.seen()
    verify(delivered.body, delivered.signature, made["securityKey"])
    assert delivered.event["bill"] == {"id": "test-bill-id"}
    assert delivered.event["metadata"]["eventId"] == answer["id"]
    assert hooks.ok("GET", f"/v3/events/subscription/{made['id']}") == {"results": []}
    assert "eventType" in hooks.refused(400, "POST", f"/v3/subscriptions/{made['id']}/test", {})


def test_a_test_event_to_a_subscriber_that_does_not_answer(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> None:
    config = attrs.evolve(SMALL, webhook_timeout=0.2)
    with serve_emulator(config) as running, httpx.Client(timeout=10) as http:
        v3 = RawV3(running.v3_base_url, running.emulator, http)
        assert v3.login().status_code == 200
        quiet = Hooks(v3)
        made = quiet.subscribe("http://127.0.0.1:9/nobody-listens")
        body = {"eventType": "vendor.created", "vendor": {"id": "009x"}}
        answer = quiet.ok("POST", f"/v3/subscriptions/{made['id']}/test", body)
    assert answer["statusCode"] == 0  # no HTTP answer


@pytest.fixture
def raw_bill(hooks: Hooks, emulator: Emulator) -> Any:
    """Makes a bill through the v3 face (a ``bill.created`` event)."""
    vendor = emulator.objects(emulator.org_ids[0], "Vendor")[0]
    made: list[int] = []

    def make() -> Any:
        made.append(1)
        body = {
            "vendorId": vendor["id"],
            "dueDate": "2025-12-31",
            "invoice": {"invoiceNumber": f"WH-{len(made)}", "invoiceDate": "2025-12-01"},
            "billLineItems": [{"amount": 10.5}],
        }
        return hooks.v3.ok("POST", "/v3/bills", body)

    return make


def _wait(condition: Any) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.005)
