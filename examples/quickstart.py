"""A runnable tour of bill_async against a tiny in-process fake of BILL (no account needed).

    python examples/quickstart.py

It signs in, creates a vendor and a bill, lists bills page by page, and shows a token session
being refused an operation before anything is sent.
"""

from __future__ import annotations

import itertools
import json
import urllib.parse
from decimal import Decimal
from typing import Any

import anyio
import httpx

import bill_async

_ids = itertools.count(1)
_store: dict[str, dict[str, Any]] = {}


def _envelope(data: Any) -> httpx.Response:
    return httpx.Response(
        200, json={"response_status": 0, "response_message": "Success", "response_data": data}
    )


def fake_bill(request: httpx.Request) -> httpx.Response:
    """Just enough of BILL v2 for this tour."""
    operation = request.url.path.split("/api/v2/", 1)[1]
    form = dict(urllib.parse.parse_qsl(request.content.decode()))
    data = json.loads(form.get("data", "null"))
    if operation == "Login.json":
        return _envelope({"sessionId": "!demo-session", "orgId": form["orgId"]})
    if operation.startswith("Crud/Create/"):
        prefix = {"Vendor": "009", "Bill": "00n"}[data["obj"]["entity"]]
        obj = {**data["obj"], "id": f"{prefix}02DEMO{next(_ids):011d}", "isActive": "1"}
        _store[obj["id"]] = obj
        return _envelope(obj)
    if operation == "List/Bill.json":
        bills = [o for o in _store.values() if o["entity"] == "Bill"]
        return _envelope(bills[data["start"] : data["start"] + data["max"]])
    return httpx.Response(
        200,
        json={
            "response_status": 1,
            "response_message": "Error",
            "response_data": {"error_code": "BDC_1121", "error_message": "API not supported."},
        },
    )


async def main() -> None:
    transport = httpx.MockTransport(fake_bill)
    auth = bill_async.CredentialLogin(
        user_name="demo@example.com", password="demo", org_id="00802DEMO0000000000a", dev_key="k"
    )
    async with bill_async.Client(auth, base_url="https://fake/api/v2", transport=transport) as bill:
        vendor = await bill.vendors.create(name="Acme Supplies", email="ap@acme.test")
        print(f"created vendor {vendor.id} {vendor.name!r}")
        for number in range(5):
            await bill.bills.create(
                vendor_id=vendor.id, invoice_number=f"INV-{number}", amount=Decimal("100.10")
            )
        async for page in bill.bills.list(page_size=2).pages():
            print("page:", [(b.invoice_number, b.amount) for b in page])

    token = bill_async.TokenLogin(
        token_name="sync", token_value="t", org_id="00802DEMO0000000000a", dev_key="k"
    )
    async with bill_async.Client(
        token, base_url="https://fake/api/v2", transport=transport
    ) as bill:
        try:
            await bill.payments.pay_bills(vendor_id=vendor.id, bill_pays=[])
        except bill_async.TokenPermissionError as refused:
            print("refused before sending:", refused)


if __name__ == "__main__":
    anyio.run(main)
