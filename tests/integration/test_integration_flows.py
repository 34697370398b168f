"""Whole business flows through the SDK, against the emulator over real HTTP."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

import pytest

import bill_async
from bill_async import (
    ApprovalStatus,
    BillLineItem,
    Filter,
    InvoiceLineItem,
    PaymentStatus,
    SentPayStatus,
)
from bill_async.emulator import DEMO_MFA_CODE, DEMO_ORG_NAMES, Emulator, RunningEmulator
from tests.integration.conftest import credential, make_client

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_vendor_bill_approval_and_recorded_payment(
    client: bill_async.Client, emulator: Emulator, org_id: str
) -> None:
    vendor = await client.vendors.create(name="Integration Supply Co.", email="ap@supply.example")
    assert isinstance(vendor, bill_async.Vendor) and vendor.id and vendor.id.startswith("009")
    bill = await client.bills.create(
        vendor_id=vendor.id,
        invoice_number="INT-1",
        invoice_date=_dt.date(2024, 7, 1),
        due_date=_dt.date(2024, 7, 31),
        bill_line_items=[
            BillLineItem(amount=Decimal("1200.50")),
            BillLineItem(amount=Decimal("99.50")),
        ],
    )
    assert bill.amount == Decimal("1300") and bill.due_amount == Decimal("1300")
    assert bill.payment_status is PaymentStatus.OPEN
    assert bill.approval_status is ApprovalStatus.UNASSIGNED
    me = emulator.user_id(org_id)
    others = [u.id for u in await client.users.list().collect() if u.id != me]
    await client.approvals.set_approvers(
        object_id=bill.id, entity="Bill", approvers=[me, others[0]]
    )
    assert (await client.bills.read(bill.id or "")).approval_status is ApprovalStatus.ASSIGNED
    await client.approvals.approve(object_id=bill.id, entity="Bill", comment="looks right")
    assert (await client.bills.read(bill.id or "")).approval_status is ApprovalStatus.APPROVING
    await client.approvals.approve(object_id=bill.id, entity="Bill")
    assert (await client.bills.read(bill.id or "")).approval_status is ApprovalStatus.APPROVED
    assert (await client.vendors.read(vendor.id)).balance == Decimal("1300")

    sent = await client.payments.record_ap_payment(
        vendor_id=vendor.id,
        process_date="2024-07-20",
        description="check 4410",
        bill_pays=[{"billId": bill.id, "amount": Decimal("1300")}],
    )
    assert isinstance(sent, bill_async.SentPay)
    assert sent.status is SentPayStatus.PAID and sent.is_online is False
    assert (
        sent.amount == Decimal("1300") and sent.bill_pays and sent.bill_pays[0].bill_id == bill.id
    )
    paid = await client.bills.read(bill.id or "")
    assert paid.payment_status is PaymentStatus.PAID and paid.due_amount == 0
    assert paid.paid_amount == Decimal("1300")
    assert (await client.vendors.read(vendor.id)).balance == 0
    payments = await client.sent_payments.list(
        filters=[Filter("vendorId", "=", vendor.id)]
    ).collect()
    assert [p.id for p in payments] == [sent.id]
    # Nothing was refused or retried on the way.
    assert not emulator.counters.errors
    assert emulator.counters.logins == 1


async def test_customer_invoice_and_ar_payment(client: bill_async.Client) -> None:
    customer = await client.customers.create(name="Integration Retail", email="ap@retail.example")
    assert customer.id and customer.id.startswith("0cu")
    item = await client.items.create(name="Consulting hour", price=Decimal("150"))
    invoice = await client.invoices.create(
        customer_id=customer.id,
        invoice_number="AR-100",
        invoice_date=_dt.date(2024, 7, 1),
        due_date=_dt.date(2024, 7, 31),
        invoice_line_items=[
            InvoiceLineItem(item_id=item.id, quantity=Decimal("3")),
            InvoiceLineItem(price=Decimal("49.99"), quantity=Decimal("1")),
        ],
    )
    assert invoice.amount == Decimal("499.99") and invoice.amount_due == Decimal("499.99")
    assert invoice.payment_status is PaymentStatus.OPEN
    received = await client.payments.record_ar_payment(
        customer_id=customer.id,
        payment_date="2024-07-12",
        payment_type="1",
        amount=Decimal("499.99"),
        ref_number="CHK-1",
        invoice_pays=[{"invoiceId": invoice.id, "amount": Decimal("499.99")}],
    )
    assert isinstance(received, bill_async.ReceivedPay)
    assert received.amount == Decimal("499.99") and received.is_online is False
    assert received.invoice_pays and received.invoice_pays[0].invoice_id == invoice.id
    paid = await client.invoices.read(invoice.id or "")
    assert paid.amount_due == 0 and paid.payment_status is PaymentStatus.PAID
    assert (await client.customers.read(customer.id)).balance == 0
    await client.payments.void_ar_payment(id=received.id)
    reopened = await client.invoices.read(invoice.id or "")
    assert reopened.amount_due == Decimal("499.99")


async def test_pay_bills_after_mfa(client: bill_async.Client, emulator: Emulator) -> None:
    vendor = await client.vendors.create(name="Online Payee")
    bill = await client.bills.create(
        vendor_id=vendor.id,
        invoice_number="MFA-1",
        invoice_date=_dt.date(2024, 7, 1),
        due_date=_dt.date(2024, 7, 31),
        bill_line_items=[{"amount": 250}],
    )
    with pytest.raises(bill_async.MfaRequiredError):
        await client.payments.pay_bills(bill_pays=[{"billId": bill.id, "amount": 250}])
    assert emulator.counters.paths["PayBills.json"] == 0  # refused before sending
    challenge = await client.mfa.challenge(use_backup=False)
    answer = await client.mfa.authenticate(
        challenge_id=challenge["challengeId"],
        token=DEMO_MFA_CODE,
        device_id="ci-runner",
        machine_name="ci",
        remember_me=True,
    )
    assert answer["mfaId"].startswith("!")
    sent = await client.payments.pay_bills(
        vendor_id=vendor.id, bill_pays=[{"billId": bill.id, "amount": 250}]
    )
    assert [p.status for p in sent] == [SentPayStatus.SCHEDULED]
    scheduled = await client.bills.read(bill.id or "")
    assert scheduled.payment_status is PaymentStatus.SCHEDULED
    assert scheduled.scheduled_amount == 250
    await client.payments.cancel_ap_payment(sent_pay_id=sent[0].id)
    assert (await client.bills.read(bill.id or "")).payment_status is PaymentStatus.OPEN


async def test_list_orgs_and_a_client_per_org(
    client: bill_async.Client, emulator: Emulator
) -> None:
    orgs = await client.list_orgs()
    assert [org.org_name for org in orgs] == list(DEMO_ORG_NAMES)
    assert [org.org_id for org in orgs] == emulator.org_ids
    other = client.for_org(orgs[2].org_id)
    info = await other.session.get_info()
    assert info["organizationId"] == orgs[2].org_id
    vendors = await other.vendors.list().collect()
    assert {v.id for v in vendors} == {v["id"] for v in emulator.objects(orgs[2].org_id, "Vendor")}


async def test_paging_and_incremental_sync(client: bill_async.Client, emulator: Emulator) -> None:
    bills = await client.bills.list(page_size=7, nested=True).collect()
    expected = emulator.objects(emulator.org_ids[0], "Bill")
    assert [b.id for b in bills] == [b["id"] for b in expected]
    assert all(b.bill_line_items for b in bills)
    pages = [page async for page in client.bills.list(page_size=7).pages()]
    assert sum(len(page) for page in pages) == len(expected) and len(pages[0]) == 7
    mark = _dt.datetime.now(_dt.UTC) - _dt.timedelta(seconds=5)
    new = await client.vendors.create(name="Changed Lately")
    changed = await client.vendors.updated_since(mark).collect()
    assert [v.id for v in changed] == [new.id]


async def test_bulk_create_over_several_chunks(client: bill_async.Client) -> None:
    items = [{"name": f"Bulk Vendor {n}"} for n in range(149)] + [{"email": "no-name@x.example"}]
    results = await client.vendors.bulk_create(items)
    assert len(results) == 150
    assert all(isinstance(r, bill_async.Vendor) for r in results[:149])
    assert [r.name for r in results[:149] if isinstance(r, bill_async.Vendor)] == [
        f"Bulk Vendor {n}" for n in range(149)
    ]
    error = results[149]
    assert isinstance(error, bill_async.InvalidInputError) and error.code == "BDC_1117"
    assert (error.field, error.value) == ("name", None)


async def test_documents(client: bill_async.Client, emulator: Emulator) -> None:
    bill = emulator.objects(emulator.org_ids[0], "Bill")[0]
    uploaded = await client.documents.upload(
        "scan.pdf", b"%PDF-1.7 ...", object_id=bill["id"], content_type="application/pdf"
    )
    assert uploaded["id"].startswith("0du")
    pages = await client.documents.get_pages(id=bill["id"])
    assert pages["documentPages"]["numPages"] == 1


async def test_a_logged_out_session_is_replaced(
    client: bill_async.Client, emulator: Emulator
) -> None:
    await client.session.get_info()
    session_id = client.session_manager.current
    assert session_id is not None
    emulator.state.sessions.pop(session_id.session_id)  # BILL forgot the session
    await client.session.get_info()
    assert emulator.counters.errors == {"BDC_1109": 1}
    assert emulator.counters.logins == 2


async def test_wrong_credentials(served: RunningEmulator, org_id: str) -> None:
    auth = credential(org_id)
    bad = bill_async.CredentialLogin(
        user_name=auth.user_name, password="wrong", org_id=org_id, dev_key=auth.dev_key
    )
    async with make_client(served.base_url, bad) as client:
        with pytest.raises(bill_async.AuthenticationError) as caught:
            await client.vendors.list().collect()
    assert caught.value.code == "BDC_1101"


async def test_dates_and_amounts_given_as_strings_are_sent_in_bills_form(
    client: bill_async.Client,
) -> None:
    vendor = await client.vendors.create(name="String Dates")
    bill = await client.bills.create(
        vendor_id=vendor.id,
        invoice_number="S-1",
        invoice_date="2024-07-01",
        due_date="2024-07-31",
        bill_line_items=[{"amount": 10}],
    )
    assert bill.invoice_date == _dt.date(2024, 7, 1)
    assert bill.due_date == _dt.date(2024, 7, 31)
