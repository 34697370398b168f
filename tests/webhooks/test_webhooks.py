"""BILL's webhook deliveries: signatures, parsing, duplicates, order, and nothing lost."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bill_async.fastapi import webhook_router
from bill_async.webhooks import (
    SIGNATURE_HEADER,
    Event,
    MemoryEventStore,
    SecurityKeys,
    SQLiteEventStore,
    WebhookPayloadError,
    WebhookReceiver,
    WebhookSignatureError,
    parse_event,
    sign,
    verify,
)
from tests.fakebill import ManualClock

KEY = "security-key-SECRET-1"
BODY = b'{"metadata":{"eventId":"e1","eventType":"bill.updated"},"bill":{"id":"00n1"}}'


def delivery(event_id: str, bill_id: str, updated: str, amount: int) -> bytes:
    payload = {
        "metadata": {
            "eventId": event_id,
            "subscriptionId": "sub1",
            "organizationId": "008x",
            "eventType": "bill.updated",
            "version": "1",
        },
        "bill": {"id": bill_id, "amount": amount, "updatedTime": updated},
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def test_a_known_vector_verifies_and_any_change_is_refused() -> None:
    # HMAC-SHA256 of BODY under KEY, base64: computed independently with openssl, e.g.
    # printf %s "$BODY" | openssl dgst -sha256 -hmac "$KEY" -binary | base64
    import hashlib
    import hmac

    expected = base64.b64encode(hmac.new(KEY.encode(), BODY, hashlib.sha256).digest()).decode()
    assert sign(BODY, KEY) == expected
    verify(BODY, expected, KEY)
    changed = BODY.replace(b"00n1", b"00n2")
    for body, signature, keys in (
        (changed, expected, KEY),  # a byte of the body changed
        (BODY, expected, "another-key-SECRET"),  # the wrong key
        (BODY, None, KEY),  # no signature
        (BODY, "not base64!", KEY),  # garbled
        (BODY, base64.b64encode(b"short").decode(), KEY),  # not a digest
    ):
        with pytest.raises(WebhookSignatureError):
            verify(body, signature, keys)


def test_a_rotated_key_keeps_the_previous_one_for_its_grace_only() -> None:
    clock = ManualClock()
    keys = SecurityKeys(KEY, grace=60, clock=clock)
    old_signature = sign(BODY, KEY)
    keys.rotate("security-key-SECRET-2")
    keys.verify(BODY, old_signature)  # in flight before the rotation
    keys.verify(BODY, sign(BODY, "security-key-SECRET-2"))
    clock.advance(61)
    with pytest.raises(WebhookSignatureError):
        keys.verify(BODY, old_signature)
    assert "SECRET" not in repr(keys)


def test_a_body_presented_as_a_json_string_is_parsed_again() -> None:
    event = parse_event(json.dumps(BODY.decode()).encode())
    assert (event.event_id, event.event_type, event.object_id) == ("e1", "bill.updated", "00n1")
    for junk in (b"not json", b"[]", b'{"bill": {}}', b'{"metadata": {"eventId": "e"}}'):
        with pytest.raises(WebhookPayloadError):
            parse_event(junk)


@pytest.mark.anyio
async def test_duplicates_and_reordering_end_as_one_in_order_delivery() -> None:
    times = [f"2026-12-0{day}T10:00:00.000Z" for day in range(1, 6)]
    deliveries = [delivery(f"e{n}", "00n1", times[n], n) for n in range(5)]
    deliveries += [delivery(f"f{n}", "00n2", times[n], 10 + n) for n in range(3)]
    shuffled = deliveries * 2  # every event delivered twice
    random.Random(7).shuffle(shuffled)
    receiver = WebhookReceiver(MemoryEventStore(), KEY)
    seen: list[tuple[str, int]] = []

    @receiver.on("bill.updated")
    async def apply(event: Event) -> None:
        seen.append((event.object_id, int(event.entity["amount"])))

    for body in shuffled:
        await receiver.receive(body, sign(body, KEY))
    assert await receiver.process() == 8
    assert receiver.counts.accepted == 8 and receiver.counts.duplicates == 8
    assert [amount for bill, amount in seen if bill == "00n1"] == [0, 1, 2, 3, 4]
    assert [amount for bill, amount in seen if bill == "00n2"] == [10, 11, 12]
    assert await receiver.process() == 0  # each applied exactly once


@pytest.mark.anyio
async def test_a_forged_delivery_changes_nothing() -> None:
    store = MemoryEventStore()
    receiver = WebhookReceiver(store, KEY)
    with pytest.raises(WebhookSignatureError):
        await receiver.receive(BODY, sign(BODY, "forger-SECRET"))
    assert await store.pending(10) == [] and receiver.counts.refused == 1


@pytest.mark.anyio
async def test_a_failed_handler_keeps_its_event_and_the_later_ones_of_that_object() -> None:
    receiver = WebhookReceiver(MemoryEventStore(), KEY)
    attempts: list[str] = []
    broken = {"e0"}

    @receiver.on("*")
    async def apply(event: Event) -> None:
        attempts.append(event.event_id)
        if event.event_id in broken:
            raise RuntimeError("the database is down")

    for n in range(2):
        body = delivery(f"e{n}", "00n1", f"2026-12-0{n + 1}T00:00:00.000Z", n)
        await receiver.receive(body, sign(body, KEY))
    assert await receiver.process() == 0 and attempts == ["e0"]  # e1 waits for e0
    broken.clear()
    assert await receiver.process() == 2 and attempts == ["e0", "e0", "e1"]


@pytest.mark.anyio
async def test_killed_between_the_answer_and_the_handler_nothing_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    first = WebhookReceiver(SQLiteEventStore(path), KEY)
    body = delivery("e1", "00n1", "2026-12-01T00:00:00.000Z", 5)
    assert await first.receive(body, sign(body, KEY))  # stored: BILL gets its 200 now
    first.store.close()  # type: ignore[attr-defined]  # the process dies before applying
    applied: list[str] = []
    store = SQLiteEventStore(path)
    second = WebhookReceiver(store, KEY)

    @second.on("bill.updated")
    async def apply(event: Event) -> None:
        def write(connection: Any) -> None:
            connection.execute("CREATE TABLE IF NOT EXISTS bills (id TEXT PRIMARY KEY, amount)")
            connection.execute("INSERT OR REPLACE INTO bills VALUES (?, ?)", (event.object_id, 5))

        if await store.apply(event.event_id, write):
            applied.append(event.event_id)

    assert await second.process() == 1 and applied == ["e1"]
    assert not await second.receive(body, sign(body, KEY))  # BILL's retry: a duplicate
    assert await second.process() == 0 and applied == ["e1"]
    assert store.connection.execute("SELECT amount FROM bills").fetchall() == [(5,)]
    store.close()


@pytest.mark.anyio
async def test_the_fastapi_route_answers_401_400_and_200_and_stores_only_what_it_accepts() -> None:
    store = MemoryEventStore()
    app = FastAPI()
    app.include_router(webhook_router(WebhookReceiver(store, KEY)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
        forged = await http.post(
            "/bill/webhooks", content=BODY, headers={SIGNATURE_HEADER: sign(BODY, "x-SECRET")}
        )
        junk = await http.post(
            "/bill/webhooks", content=b"[]", headers={SIGNATURE_HEADER: sign(b"[]", KEY)}
        )
        good = await http.post(
            "/bill/webhooks", content=BODY, headers={SIGNATURE_HEADER: sign(BODY, KEY)}
        )
        again = await http.post(
            "/bill/webhooks", content=BODY, headers={SIGNATURE_HEADER: sign(BODY, KEY)}
        )
    assert (
        forged.status_code == 401 and forged.headers["content-type"] == "application/problem+json"
    )
    assert junk.status_code == 400
    assert good.status_code == 200 and good.json() == {"accepted": True, "duplicate": False}
    assert again.json() == {"accepted": True, "duplicate": True}
    assert [s.event.event_id for s in await store.pending(10)] == ["e1"]
    assert KEY not in forged.text
