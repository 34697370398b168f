"""A raw HTTP client for the emulator: BILL's wire format over plain httpx.

Tests that use it speak BILL's wire format with plain httpx (form fields, ``data`` as a JSON string)
and never use the SDK: they check what the server itself answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import httpx

from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_TOKEN_NAME,
    DEMO_TOKEN_VALUE,
    DEMO_USER_NAME,
    Emulator,
    EmulatorConfig,
)

# Small demo data: a few vendors and customers and a few dozen bills per organization.
SMALL = EmulatorConfig(scale=0.01)


class Raw:
    """BILL's wire format over plain httpx: ``raw.call("Crud/Read/Vendor.json", {"id": ...})``."""

    def __init__(self, base_url: str, emulator: Emulator, http: httpx.Client | None = None) -> None:
        self.base_url = base_url
        self.emulator = emulator
        self._owns_http = http is None
        # Building an httpx client costs tens of milliseconds (its SSL context): share one.
        self.http = http or httpx.Client(base_url=base_url + "/", timeout=10)
        self.session_id = ""

    def post(self, path: str, fields: dict[str, str]) -> httpx.Response:
        return self.http.post(path, data=fields)

    def login(
        self,
        org_id: str | None = None,
        *,
        token: bool = False,
        extra: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Log in and keep the session; returns Login.json's whole envelope."""
        fields = {
            "userName": DEMO_TOKEN_NAME if token else DEMO_USER_NAME,
            "password": DEMO_TOKEN_VALUE if token else DEMO_PASSWORD,
            "orgId": org_id or self.emulator.org_ids[0],
            "devKey": DEMO_DEV_KEY,
            **(extra or {}),
        }
        envelope: dict[str, Any] = self.post("Login.json", fields).json()
        if envelope["response_status"] == 0:
            self.session_id = envelope["response_data"]["sessionId"]
        return envelope

    def call(self, path: str, data: Any = None, *, session_id: str | None = None) -> dict[str, Any]:
        """One call with the session; returns the whole envelope (HTTP 200 is checked)."""
        fields = {"devKey": DEMO_DEV_KEY, "sessionId": session_id or self.session_id}
        if data is not None:
            fields["data"] = json.dumps(data)
        response = self.post(path, fields)
        assert response.status_code == 200, (path, response.status_code, response.text)
        envelope: dict[str, Any] = response.json()
        return envelope

    def ok(self, path: str, data: Any = None) -> Any:
        """The ``response_data`` of a call that must succeed."""
        envelope = self.call(path, data)
        assert envelope["response_status"] == 0, (path, envelope)
        assert envelope["response_message"] == "Success"
        return envelope["response_data"]

    def error(self, path: str, data: Any = None, *, session_id: str | None = None) -> str:
        """The error code of a call that must fail (in BILL's error envelope)."""
        return self.refusal(path, data, session_id=session_id)[0]

    def refusal(
        self, path: str, data: Any = None, *, session_id: str | None = None
    ) -> tuple[str, str]:
        """The error code and message of a call that must fail (in BILL's error envelope)."""
        envelope = self.call(path, data, session_id=session_id)
        return refusal_of(envelope, path)

    def create(self, entity: str, **fields: Any) -> dict[str, Any]:
        data: dict[str, Any] = self.ok(
            f"Crud/Create/{entity}.json", {"obj": {"entity": entity, **fields}}
        )
        return data

    def close(self) -> None:
        if self._owns_http:
            self.http.close()


def refusal_of(envelope: dict[str, Any], path: str = "") -> tuple[str, str]:
    """The error code and message of BILL's error envelope (checked to be one)."""
    assert envelope["response_status"] == 1, (path, envelope)
    assert envelope["response_message"] == "Error"
    assert set(envelope["response_data"]) == {"error_code", "error_message"}
    assert envelope["response_data"]["error_message"]
    return envelope["response_data"]["error_code"], envelope["response_data"]["error_message"]


def bill_obj(vendor_id: str, *amounts: float, number: str = "B-1") -> dict[str, Any]:
    return {
        "entity": "Bill",
        "vendorId": vendor_id,
        "invoiceNumber": number,
        "invoiceDate": "2024-07-01",
        "dueDate": "2024-08-01",
        "billLineItems": [{"entity": "BillLineItem", "amount": a} for a in amounts or (100,)],
    }


async def wait_until(predicate: Callable[[], bool]) -> None:
    """Poll until ``predicate()`` holds (for at most 10 s). The server changes its state in its
    own thread, which cannot set an anyio.Event of the test's loop."""
    with anyio.fail_after(10):
        while not predicate():  # noqa: ASYNC110
            await anyio.sleep(0.005)
