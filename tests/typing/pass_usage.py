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


async def typed_request_surface(client: bill_async.Client) -> None:
    vendor = await client.vendors.create(
        name="Acme",
        email="ap@acme.test",
        pay_by=bill_async.PayBy.ACH,
        account_type="1",
        extra={"newFieldBillAdded": True},
    )
    await client.vendors.update(vendor, description=None)
    await client.bills.create(
        vendor_id=vendor.id,
        invoice_number="INV-1",
        invoice_date="2026-12-01",
        due_date=dt.date(2026, 12, 31),
        amount="10.50",
        bill_line_items=[bill_async.BillLineItem(amount=Decimal("10.50")), {"amount": 1}],
    )
    await client.payments.pay_bills(
        vendor_id=vendor.id,
        process_date="2026-12-02",
        bill_pays=[{"billId": "00n01ABCDEFGHIJKLMNO", "amount": 10}],
        extra={"cardAccountId": "cat01"},
    )
    results: bill_async.BulkResults[bill_async.Vendor] = await client.vendors.bulk_create(
        [bill_async.Vendor(name="a"), {"name": "b"}]
    )
    made: list[bill_async.Vendor] = results.succeeded
    failed: list[tuple[int, bill_async.BillError]] = results.failed
    quick = client.with_options(timeout=5, retry=bill_async.RetryPolicy(max_retries=1))
    with quick.raw_responses() as answers:
        await quick.vendors.read("00901ABCDEFGHIJKLMNO")
    status: int = answers[-1].status_code
    first_five = await client.bills.list(limit=5).collect()
    uploaded: dict[str, object] = await client.documents.upload("a.pdf", b"%PDF")
    del made, failed, status, first_five, uploaded


def from_the_environment() -> bill_async.Client:
    return bill_async.Client.from_env({"BILL_DEV_KEY": "k", "BILL_ORG_ID": "008x"}, timeout=10)


async def typed_v3(auth: bill_async.AuthStrategy) -> None:
    from bill_async import v3

    async with v3.Client(auth, base_url=v3.SANDBOX_URL) as client:
        vendor: v3.Vendor = await client.vendors.get("00901ABCDEFGHIJKLMNO")
        changed: v3.Vendor = await client.vendors.update(vendor.id or "", {"email": "a@b.c"})
        async for bill in client.bills.list(filters=[bill_async.Filter("archived", "eq", False)]):
            amount: Decimal | None = bill.amount
            del amount
        made = await client.vendors.bulk_create([{"name": "a"}, {"name": "b"}])
        ok: list[v3.Vendor] = made.succeeded
        raw: object = await client.request("GET", "/v3/vendors")
        del changed, ok, raw


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
