"""Public usage that exists to be type-checked (mypy --strict runs on it in CI): what an IDE
and mypy see of the client, its generated methods and their results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import bill_async


async def typed_usage(client: bill_async.Client) -> None:
    vendor: bill_async.Vendor = await client.vendors.read("00901ABCDEFGHIJKLMNO")
    created: bill_async.Bill = await client.bills.create(
        vendor_id=vendor.id, invoice_date=dt.date(2026, 11, 1), amount=Decimal("10.00")
    )
    async for bill in client.bills.list(filters=[bill_async.Filter("isActive", "=", True)]):
        amount: Decimal | None = bill.amount
        del amount
    paid: list[bill_async.SentPay] = await client.payments.pay_bills(
        vendor_id=vendor.id, process_date=dt.date(2026, 11, 2), bill_pays=[{"billId": created.id}]
    )
    recorded: bill_async.ReceivedPay = await client.payments.record_ar_payment(
        customer_id="0cu01", amount=Decimal("5"), invoice_pays=[]
    )
    results = await client.vendors.bulk_create([bill_async.Vendor(name="a"), {"name": "b"}])
    for result in results:
        if isinstance(result, bill_async.BillError):
            raise result
        same: bill_async.Vendor = result
        del same
    limits: bill_async.Limits = client.limits
    del paid, recorded, limits


async def typed_errors(client: bill_async.Client) -> str | None:
    try:
        await client.vendors.create(name="x" * 101)
    except bill_async.InvalidInputError as refused:
        field: str | None = refused.field
        return field if refused.value is None else refused.value
    except bill_async.LockedOutError as locked:
        permanent: bool = locked.permanent
        del permanent
    except (bill_async.NotFoundError, bill_async.UntrustedSessionError, bill_async.ServerError):
        return None
    return None


async def typed_holding_up(auth: bill_async.CredentialLogin) -> int:
    store = bill_async.FileSessionStore("sessions.json", scope="production")
    policy = bill_async.RetryPolicy(deadline=10.0)
    async with bill_async.Client(auth, session_store=store, retry=policy, timeout=2.0) as client:
        try:
            await client.vendors.read("00901ABCDEFGHIJKLMNO")
        except bill_async.ProtocolError as odd:
            waited: float | None = odd.retry_after
            del waited
        logins: int = client.logins
        return logins
