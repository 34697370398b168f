"""Raw HTTP calls to the emulator's webhooks API (``/connect-events/v3``), with a v3 session."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from bill_async.emulator import DEMO_DEV_KEY, Emulator, WebhookCounters
from tests.emulator.rawv3 import RawV3, refusal_of
from tests.webhook_inbox import WAIT

BILLS = [{"type": "bill.created", "version": "1"}, {"type": "bill.updated", "version": "1"}]


class Hooks:
    """Raw calls to ``/connect-events/v3`` with the v3 session of ``RawV3``."""

    def __init__(self, v3: RawV3) -> None:
        self.v3 = v3
        self.root = v3.base_url.removesuffix("/connect") + "/connect-events"

    def send(
        self, method: str, path: str, body: Any = None, *, key: str | None = "new", **params: str
    ) -> httpx.Response:
        headers = {"devKey": DEMO_DEV_KEY, "sessionId": self.v3.session_id}
        if key is not None:
            headers["X-Idempotent-Key"] = str(uuid.uuid4()) if key == "new" else key
        return self.v3.http.request(
            method, self.root + path, json=body, headers=headers, params=params or None
        )

    def ok(self, method: str, path: str, body: Any = None, **options: Any) -> Any:
        response = self.send(method, path, body, **options)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json() if response.content else None

    def refused(self, status: int, method: str, path: str, body: Any = None, **options: Any) -> str:
        return refusal_of(self.send(method, path, body, **options), status)[1]

    def subscribe(
        self, url: str, events: list[dict[str, str]] = BILLS, *, key: str = "new", **extra: Any
    ) -> Any:
        """A new subscription (``extra`` replaces keys of its body)."""
        body = {**subscription_body(url, events), **extra}
        return self.ok("POST", "/v3/subscriptions", body, key=key)


def subscription_body(url: str, events: list[dict[str, str]] = BILLS) -> dict[str, Any]:
    return {"name": "bills", "status": {"enabled": True}, "events": events, "notificationUrl": url}


def settled(emulator: Emulator, attempts: int) -> WebhookCounters:
    """The sender's counters once ``attempts`` attempts have had their outcome (a subscriber
    may have answered a moment before the emulator has read the answer)."""
    deadline = time.monotonic() + WAIT
    while emulator.counters.webhooks.attempts < attempts:
        assert time.monotonic() < deadline, emulator.counters.webhooks
        time.sleep(0.005)
    return emulator.counters.webhooks
