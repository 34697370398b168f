"""``bill_async.v3.Client`` against the emulator's v3 face under a real uvicorn on loopback:
sign-in and renewal, token and MFA refusals, cursor pages, CRUD, bulk chunks, uploads."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

import bill_async
import bill_async.v3
from bill_async import Filter, Sort
from bill_async.emulator import DEMO_MFA_CODE, Emulator, ManualClock, RunningEmulator
from tests.emulator.rawhttp import SMALL
from tests.integration.conftest import credential, make_v3_client

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

SIX_MB = 6 * 1024 * 1024


def _bill(vendor_id: str, number: str, *amounts: float) -> dict[str, Any]:
    return {
        "vendorId": vendor_id,
        "dueDate": "2025-12-31",
        "invoice": {"invoiceNumber": number, "invoiceDate": "2025-12-01"},
        "billLineItems": [{"amount": a, "description": f"line {a}"} for a in amounts],
    }


# -- sign-in and sessions -----------------------------------------------------------------------


async def test_sign_in_and_session_details(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    details = await v3_client.session.get()
    assert details["organizationId"] == org_id
    assert details["userId"] == emulator.user_id(org_id)
    await v3_client.session.get()
    assert emulator.counters.logins == 1  # one sign-in, then the session's headers
    assert emulator.counters.paths["POST /v3/login"] == 1


async def test_logout_ends_the_session_and_the_next_call_signs_in_again(
    v3_client: bill_async.v3.Client, emulator: Emulator
) -> None:
    await v3_client.session.get()
    await v3_client.logout()
    assert emulator.counters.paths["POST /v3/logout"] == 1
    assert not [s for s in emulator.state.sessions.values() if s.api == "v3"]
    await v3_client.session.get()
    assert emulator.counters.logins == 2
    assert emulator.counters.errors["BDC_1109"] == 0


async def test_an_idle_session_is_renewed_before_the_call(
    served: RunningEmulator, emulator: Emulator, org_id: str
) -> None:
    clock = ManualClock()
    emulator.reset(attrs.evolve(SMALL, clock=clock))
    auth = credential(org_id, clock=clock)
    async with make_v3_client(served.v3_base_url, auth, clock=clock) as client:
        await client.session.get()
        clock.advance(36 * 60)
        await client.session.get()
    assert emulator.counters.logins == 2
    assert emulator.counters.errors["BDC_1109"] == 0  # renewed before sending


async def test_a_session_bill_expired_is_renewed_once_and_the_call_replayed(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    clock = ManualClock()
    emulator.reset(attrs.evolve(SMALL, clock=clock))  # the emulator's clock only
    vendor = await v3_client.vendors.create({"name": "Before"})  # signs in
    clock.advance(36 * 60)
    assert (await v3_client.vendors.get(vendor.id)).name == "Before"
    assert emulator.counters.errors["BDC_1109"] == 1
    assert emulator.counters.logins == 2
    assert emulator.counters.paths["GET /v3/vendors/{vendorId}"] == 2


# -- refusals before sending ----------------------------------------------------------------------


async def test_token_refusals_send_nothing(
    v3_token_client: bill_async.v3.Client, emulator: Emulator
) -> None:
    refused = [
        v3_token_client.payments.create({"billId": "00n02X", "amount": 1}),
        v3_token_client.mfa.challenge({}),
        v3_token_client.invoices.email("00e02XXXXXXXXXXXabcde", {}),
        v3_token_client.users.create({"firstName": "A"}),
        v3_token_client.vendors.create({"name": "A", "autoPay": {"enabled": True}}),
    ]
    for call in refused:
        with pytest.raises(bill_async.TokenPermissionError):
            await call
    assert emulator.counters.total_requests == 0  # not even a sign-in
    made = await v3_token_client.vendors.create({"name": "Token Vendor"})
    assert emulator.get(made.id) is not None  # what a token may do, it does


async def test_mfa_refusals_then_a_trusted_payment(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    bill = next(b for b in emulator.objects(org_id, "Bill") if b["dueAmount"] > 100)
    bank = emulator.objects(org_id, "BankAccount")[0]
    payment = {
        "billId": bill["id"],
        "amount": 25,
        "fundingAccount": {"type": "BANK_ACCOUNT", "id": bank["id"]},
    }
    with pytest.raises(bill_async.MfaRequiredError):
        await v3_client.payments.create(payment)
    with pytest.raises(bill_async.MfaRequiredError):
        await v3_client.vendors.create({"name": "Auto", "autoPay": {"enabled": True}})
    assert emulator.counters.total_requests == 0
    challenge = await v3_client.mfa.challenge({"useBackup": False})
    await v3_client.mfa.validate_challenge(
        {"challengeId": challenge["challengeId"], "token": DEMO_MFA_CODE}
    )
    paid = await v3_client.payments.create(payment)
    assert paid.status == "SCHEDULED" and paid.amount == Decimal(25)
    assert paid.bill_id == bill["id"]
    assert emulator.counters.errors["BDC_1361"] == 0  # the server never had to refuse


# -- lists ----------------------------------------------------------------------------------------


async def test_cursor_pages_with_filters_and_sort(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    bills = emulator.objects(org_id, "Bill")
    since = _dt.datetime.fromisoformat(sorted(b["createdTime"] for b in bills)[5])
    wanted = [
        b
        for b in bills
        if Decimal(str(b["amount"])) > 500 and _dt.datetime.fromisoformat(b["createdTime"]) >= since
    ]
    wanted.sort(key=lambda b: b["dueDate"], reverse=True)
    pager = v3_client.bills.list(
        filters=[Filter("amount", "gt", 500), Filter("createdTime", "gte", since)],
        sort=[Sort("dueDate", ascending=False)],
        page_size=4,
    )
    found = await pager.collect()
    assert len(wanted) > 4  # more than a page
    assert [b.id for b in found] == [b["id"] for b in wanted]
    assert all(isinstance(b.amount, Decimal) for b in found)
    assert emulator.counters.paths["GET /v3/bills"] == -(-len(wanted) // 4)
    invoices = await v3_client.invoices.list(filters=[Filter("status", "eq", "PAID")]).collect()
    paid = [i["id"] for i in emulator.objects(org_id, "Invoice") if i["paymentStatus"] == "0"]
    assert [i.id for i in invoices] == paid


# -- records --------------------------------------------------------------------------------------


async def test_crud_and_archive_restore(
    v3_client: bill_async.v3.Client, emulator: Emulator
) -> None:
    vendor = await v3_client.vendors.create(
        {"name": "Crud Co", "address": {"line1": "1 Main St", "city": "Austin", "country": "US"}}
    )
    assert vendor.address == {"line1": "1 Main St", "city": "Austin", "country": "US"}
    updated = await v3_client.vendors.update(vendor.id, {"email": "ap@crud.example"})
    assert (updated.email, updated.name) == ("ap@crud.example", "Crud Co")
    assert (await v3_client.vendors.archive(vendor.id)).archived is True
    assert (await v3_client.vendors.get(vendor.id)).archived is True
    assert (await v3_client.vendors.restore(vendor.id)).archived is False
    bill = await v3_client.bills.create(_bill(vendor.id, "CRUD-1", 100, 50.25))
    assert bill.amount == Decimal("150.25") and bill.payment_status == "UNPAID"
    assert bill.bill_line_items is not None and len(bill.bill_line_items) == 2
    line = bill.bill_line_items[0].id
    assert line is not None
    replaced = await v3_client.bills.replace(
        bill.id, {**_bill(vendor.id, "CRUD-1"), "billLineItems": [{"id": line, "amount": 10}]}
    )
    assert replaced.amount == Decimal(10) and replaced.bill_line_items is not None
    assert [item.id for item in replaced.bill_line_items] == [line]
    with pytest.raises(bill_async.NotFoundError) as missing:
        await v3_client.vendors.get("00902NOSUCHVENDORxxx")
    assert missing.value.code == "BDC_1205"
    with pytest.raises(bill_async.InvalidInputError):
        await v3_client.vendors.create({"name": "x" * 101})


async def test_a_record_written_through_either_face_reads_through_the_other(
    v3_client: bill_async.v3.Client, client: bill_async.Client, emulator: Emulator
) -> None:
    v2_vendor = await client.vendors.create(name="Made on v2", address_city="Boston")
    v3_vendor = await v3_client.vendors.get(v2_vendor.id)
    assert (v3_vendor.name, v3_vendor.address) == ("Made on v2", {"city": "Boston"})
    made = await v3_client.vendors.create({"name": "Made on v3", "address": {"city": "Miami"}})
    read = await client.vendors.read(made.id)
    assert (read.name, read.address_city, read.is_active) == ("Made on v3", "Miami", True)
    bill = await v3_client.bills.create(_bill(made.id, "X-1", 12.5, 7.5))
    v2_bill = await client.bills.read(bill.id)
    assert (v2_bill.vendor_id, v2_bill.invoice_number, v2_bill.amount) == (
        made.id,
        "X-1",
        Decimal(20),
    )
    v2_made = await client.bills.create(
        vendor_id=v2_vendor.id,
        invoice_number="V2-1",
        invoice_date=_dt.date(2024, 7, 1),
        due_date=_dt.date(2024, 7, 31),
        bill_line_items=[{"amount": 80}],
    )
    v3_bill = await v3_client.bills.get(v2_made.id)
    assert (v3_bill.vendor_id, v3_bill.amount, v3_bill.vendor_name) == (
        v2_vendor.id,
        Decimal(80),
        "Made on v2",
    )
    assert v3_bill.invoice == {"invoiceDate": "2024-07-01", "invoiceNumber": "V2-1"}


async def test_recording_payments_on_both_sides(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    invoice = next(i for i in emulator.objects(org_id, "Invoice") if i["amountDue"] > 60)
    received = await v3_client.invoices.record_payment(
        {
            "amount": "60",
            "customerId": invoice["customerId"],
            "invoices": [{"amount": "60", "id": invoice["id"]}],
            "paymentDate": "2024-07-20",
            "paymentType": "CHECK",
        }
    )
    assert received.amount == Decimal(60) and received.customer_id == invoice["customerId"]
    assert received.id is not None
    listed = await v3_client.receivable_payments.list(
        filters=[Filter("customerId", "eq", invoice["customerId"])]
    ).collect()
    assert received.id in [r.id for r in listed]
    bill = next(b for b in emulator.objects(org_id, "Bill") if b["dueAmount"] > 60)
    paid = await v3_client.bills.record_payment(
        {"vendorId": bill["vendorId"], "payments": [{"billId": bill["id"], "amount": 60}]}
    )
    assert (paid.status, paid.amount, paid.bill_id) == ("PAID", Decimal(60), bill["id"])
    assert (await v3_client.payments.get(str(paid.id))).status == "PAID"


# -- bulk -----------------------------------------------------------------------------------------


async def test_bulk_creates_go_in_chunks_of_the_rows_limit(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    before = len(emulator.objects(org_id, "Vendor"))
    results = await v3_client.vendors.bulk_create([{"name": f"Bulk {n}"} for n in range(45)])
    assert results.all_succeeded
    assert [v.name for v in results.succeeded] == [f"Bulk {n}" for n in range(45)]
    assert emulator.counters.paths["POST /v3/vendors/bulk"] == 3  # 20 + 20 + 5
    assert len(emulator.objects(org_id, "Vendor")) == before + 45


async def test_a_refused_chunk_writes_nothing_and_fails_all_its_items(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    before = {v["id"] for v in emulator.objects(org_id, "Vendor")}
    items = [{"name": f"Bulk {n}"} for n in range(45)]
    items[27] = {"name": "x" * 101}  # in the second chunk (items 20-39)
    results = await v3_client.vendors.bulk_create(items)
    failed = dict(results.failed)
    assert sorted(failed) == list(range(20, 40))
    assert all(isinstance(error, bill_async.InvalidInputError) for error in failed.values())
    assert len({id(error) for error in failed.values()}) == 1  # one refusal for the chunk
    assert "[7]" in str(failed[20])  # BILL's message names the item in its chunk
    assert len(results.succeeded) == 25
    made = [v for v in emulator.objects(org_id, "Vendor") if v["id"] not in before]
    assert sorted(v["name"] for v in made) == sorted(
        f"Bulk {n}" for n in (*range(20), *range(40, 45))
    )


# -- uploads --------------------------------------------------------------------------------------


async def test_uploads_and_the_6_mb_refusal_sent_by_nothing(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    vendor = emulator.objects(org_id, "Vendor")[0]
    bill = emulator.objects(org_id, "Bill")[0]
    attachment = await v3_client.attachments.upload_for_vendor(
        vendor["id"], "w9.pdf", b"%PDF w9", content_type="application/pdf"
    )
    assert attachment.name == "w9.pdf" and attachment.id is not None
    assert (await v3_client.attachments.get(attachment.id)).download_link is not None
    document = await v3_client.documents.upload_for_bill(bill["id"], "scan.pdf", b"%PDF scan")
    listed = await v3_client.documents.list_for_bill(bill["id"]).collect()
    assert [d.id for d in listed] == [document.id]
    sent = emulator.counters.total_requests
    with pytest.raises(bill_async.InvalidRequestError):
        await v3_client.attachments.upload_for_vendor(vendor["id"], "big.bin", b"x" * (SIX_MB + 1))
    assert emulator.counters.total_requests == sent
    exactly = await v3_client.attachments.upload_for_vendor(vendor["id"], "six.bin", b"x" * SIX_MB)
    assert exactly.name == "six.bin"
