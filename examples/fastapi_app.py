"""A small FastAPI service on bill_async: a vendor's open bills, and recording a payment.

    BILL_DEV_KEY=... BILL_ORG_ID=... BILL_USER_NAME=... BILL_PASSWORD=... \\
        uvicorn examples.fastapi_app:app

(``BILL_BASE_URL`` picks the host; ``bill-async emulator`` serves a local one.) One client is
opened for the whole application by its lifespan; routes get it, or the client of another
organization, as a dependency. BILL's refusals become RFC 9457 problem details: an unknown
vendor or bill is a 404, paying more than a bill owes a 422, a token refusal a 403, BILL's
limits a 429 with ``Retry-After``, BILL unreachable a 502, 503 or 504.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

import bill_async
from bill_async.fastapi import BillClient, OrgClient, bill_lifespan, install_exception_handlers


class PaymentIn(BaseModel):
    amount: Decimal
    process_date: dt.date
    description: str | None = None


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)  # exact, unlike a JSON float


def _bill_out(bill: bill_async.Bill) -> dict[str, Any]:
    return {
        "id": bill.id,
        "invoice_number": bill.invoice_number,
        "due_date": bill.due_date,
        "amount": _money(bill.amount),
        "due_amount": _money(bill.due_amount),
        "payment_status": bill.payment_status,
    }


def create_app(make_client: Callable[[], bill_async.Client]) -> FastAPI:
    """The service, given how to make its one bill_async client."""
    app = FastAPI(title="bills", lifespan=bill_lifespan(make_client))
    install_exception_handlers(app)

    async def open_bills(client: bill_async.Client, vendor_id: str) -> list[dict[str, Any]]:
        pager = client.bills.list(
            filters=[
                bill_async.Filter("vendorId", "=", vendor_id),
                bill_async.Filter("isActive", "=", True),
                bill_async.Filter("paymentStatus", "!=", bill_async.PaymentStatus.PAID),
            ],
            sort=[bill_async.Sort("dueDate")],
        )
        found = [_bill_out(bill) async for bill in pager]
        if not found:
            await client.vendors.read(vendor_id)  # no such vendor: NotFoundError, a 404
        return found

    @app.get("/vendors/{vendor_id}/open-bills")
    async def vendor_open_bills(vendor_id: str, client: BillClient) -> list[dict[str, Any]]:
        return await open_bills(client, vendor_id)

    @app.get("/orgs/{org_id}/vendors/{vendor_id}/open-bills")
    async def org_vendor_open_bills(vendor_id: str, client: OrgClient) -> list[dict[str, Any]]:
        return await open_bills(client, vendor_id)

    @app.post("/bills/{bill_id}/payments", status_code=201)
    async def record_payment(
        bill_id: str, payment: PaymentIn, client: BillClient
    ) -> dict[str, Any]:
        bill = await client.bills.read(bill_id)
        paid = await client.payments.record_ap_payment(
            vendor_id=bill.vendor_id,
            process_date=payment.process_date,
            description=payment.description,
            bill_pays=[{"billId": bill_id, "amount": payment.amount}],
        )
        return {"id": paid.id, "amount": _money(paid.amount), "status": paid.status}

    return app


app = create_app(bill_async.Client.from_env)
