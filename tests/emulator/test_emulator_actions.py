"""The actions create and change the right objects: payments, approvals, invoices, documents."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

import pytest

from bill_async.emulator import DEMO_DEV_KEY, DEMO_MFA_CODE
from tests.emulator.rawhttp import Raw, bill_obj


def read(session: Raw, entity: str, object_id: str) -> dict[str, Any]:
    data: dict[str, Any] = session.ok(f"Crud/Read/{entity}.json", {"id": object_id})
    return data


def trust(session: Raw) -> None:
    challenge = session.ok("MFAChallenge.json", {"useBackup": False})["challengeId"]
    session.ok(
        "MFAAuthenticate.json",
        {"challengeId": challenge, "token": DEMO_MFA_CODE, "deviceId": "t", "rememberMe": False},
    )


# -- AP -------------------------------------------------------------------------------------------


def test_record_ap_payment_pays_bills(
    session: Raw, vendor: dict[str, Any], bill: dict[str, Any]
) -> None:
    sent = session.ok(
        "RecordAPPayment.json",
        {
            "vendorId": vendor["id"],
            "processDate": "2024-07-15",
            "description": "check 1001",
            "billPays": [{"billId": bill["id"], "amount": 100}],
        },
    )
    assert sent["entity"] == "SentPay" and sent["id"].startswith("stp")
    assert sent["status"] == "2" and sent["isOnline"] is False and sent["amount"] == 100
    [bill_pay] = sent["billPays"]
    assert bill_pay["id"].startswith("blp") and bill_pay["sentPayId"] == sent["id"]
    after = read(session, "Bill", bill["id"])
    assert after["paidAmount"] == 100 and after["dueAmount"] == 50.25
    assert after["paymentStatus"] == "2" and after["lastPaymentDate"] == "2024-07-15"
    assert read(session, "Vendor", vendor["id"])["balance"] == 50.25
    assert read(session, "SentPay", sent["id"]) == sent
    assert read(session, "BillPay", bill_pay["id"]) == bill_pay
    session.ok(
        "RecordAPPayment.json",
        {"vendorId": vendor["id"], "billPays": [{"billId": bill["id"], "amount": 50.25}]},
    )
    paid = read(session, "Bill", bill["id"])
    assert paid["paymentStatus"] == "0" and paid["dueAmount"] == 0
    assert paid["fullPaymentDate"] is not None
    assert session.error("Crud/Delete/Bill.json", {"id": bill["id"]}) == "BDC_1002"


def test_a_payment_cannot_be_more_than_the_bill_owes(
    session: Raw, vendor: dict[str, Any], bill: dict[str, Any]
) -> None:
    too_much = {"vendorId": vendor["id"], "billPays": [{"billId": bill["id"], "amount": 151}]}
    assert session.error("RecordAPPayment.json", too_much) == "BDC_1002"
    other = session.create("Vendor", name="Other")
    wrong = {"vendorId": other["id"], "billPays": [{"billId": bill["id"], "amount": 1}]}
    assert session.error("RecordAPPayment.json", wrong) == "BDC_1002"
    assert read(session, "Bill", bill["id"])["dueAmount"] == 150.25


def test_pay_bills_schedules_online_payments_per_vendor(
    session: Raw, vendor: dict[str, Any], bill: dict[str, Any]
) -> None:
    other = session.create("Vendor", name="Second Payee")
    other_bill = session.ok("Crud/Create/Bill.json", {"obj": bill_obj(other["id"], 40)})
    trust(session)
    answer = session.ok(
        "PayBills.json",
        {
            "billPays": [
                {"billId": bill["id"], "amount": 150.25},
                {"billId": other_bill["id"], "amount": 40},
            ]
        },
    )
    sent = {pay["vendorId"]: pay for pay in answer["sentPays"]}
    assert set(sent) == {vendor["id"], other["id"]}
    assert all(pay["status"] == "1" and pay["isOnline"] for pay in sent.values())
    assert sent[vendor["id"]]["amount"] == 150.25
    process = _dt.date.fromisoformat(sent[vendor["id"]]["processDate"])
    assert process.weekday() < 5
    scheduled = read(session, "Bill", bill["id"])
    assert scheduled["paymentStatus"] == "4" and scheduled["scheduledAmount"] == 150.25
    assert scheduled["dueAmount"] == 0
    session.ok("CancelAPPayment.json", {"sentPayId": sent[vendor["id"]]["id"]})
    assert read(session, "SentPay", sent[vendor["id"]]["id"])["status"] == "3"
    reopened = read(session, "Bill", bill["id"])
    assert reopened["paymentStatus"] == "1" and reopened["dueAmount"] == 150.25
    assert session.error("CancelAPPayment.json", {"sentPayId": sent[vendor["id"]]["id"]}) == (
        "BDC_1002"
    )
    void = {"sentPayId": sent[other["id"]]["id"]}
    assert session.error("VoidAPPayment.json", void) == "BDC_1002"  # online: needs a reason
    session.ok("VoidAPPayment.json", {**void, "voidRequestType": "1", "reason": "duplicate"})
    assert read(session, "SentPay", void["sentPayId"])["status"] == "4"
    assert read(session, "Bill", other_bill["id"])["dueAmount"] == 40


def test_pay_bills_with_a_vendor_credit(
    session: Raw, vendor: dict[str, Any], bill: dict[str, Any]
) -> None:
    credit = session.create(
        "VendorCredit", vendorId=vendor["id"], refNumber="VC-9", creditDate="2024-07-02", amount=25
    )
    trust(session)
    answer = session.ok(
        "PayBills.json",
        {
            "vendorId": vendor["id"],
            "billPays": [{"billId": bill["id"], "amount": 125.25}],
            "billCredits": [{"billId": bill["id"], "vendorCreditId": credit["id"], "amount": 25}],
        },
    )
    [sent] = answer["sentPays"]
    assert sent["billCredits"][0]["id"].startswith("bcr")
    after = read(session, "Bill", bill["id"])
    assert after["creditAmount"] == 25 and after["dueAmount"] == 0
    assert read(session, "VendorCredit", credit["id"])["appliedAmount"] == 25


def test_pay_bills_takes_at_most_200_bills(session: Raw) -> None:
    trust(session)
    pays = [{"billId": f"00n02FAKE{n:011d}", "amount": 1} for n in range(201)]
    envelope = session.call("PayBills.json", {"billPays": pays})
    assert envelope["response_data"]["error_code"] == "BDC_1002"
    assert "200" in envelope["response_data"]["error_message"]


def test_ap_summary_and_list_payments(session: Raw, vendor: dict[str, Any]) -> None:
    summary = session.ok("GetAPSummary.json")
    assert set(summary) == {"bills", "approvals"}
    assert set(summary["bills"]) == {
        "overdueCount",
        "overdueTotal",
        "dueTodayCount",
        "dueTodayTotal",
        "allCount",
        "allTotal",
    }
    session.ok("Crud/Create/Bill.json", {"obj": bill_obj(vendor["id"], 10)})
    again = session.ok("GetAPSummary.json")
    assert again["bills"]["allCount"] == summary["bills"]["allCount"] + 1
    assert round(again["bills"]["allTotal"] - summary["bills"]["allTotal"], 2) == 10
    payments = session.ok("ListPayments.json", {"start": 0, "max": 5})["payments"]
    assert 0 < len(payments) <= 5 and all(p["entity"] == "SentPay" for p in payments)
    sent = payments[0]
    data = session.ok("GetDisbursementData.json", {"sentPayId": sent["id"]})
    assert {"paymentType", "disbursementStatus", "checkData", "achData"} <= set(data)
    image = session.ok("GetCheckImageData.json", {"sentPayId": sent["id"]})
    assert image["id"].startswith("cki")


# -- AR -------------------------------------------------------------------------------------------


@pytest.fixture
def customer(session: Raw) -> dict[str, Any]:
    return session.create(
        "Customer",
        name="AR Customer",
        email="ar@customer.example",
        billAddress1="1 Main St",
        billAddressCity="Austin",
        billAddressState="TX",
        billAddressZip="78701",
        billAddressCountry="USA",
    )


@pytest.fixture
def invoice(session: Raw, customer: dict[str, Any]) -> dict[str, Any]:
    return session.create(
        "Invoice",
        customerId=customer["id"],
        invoiceNumber="AR-1",
        invoiceDate="2024-07-01",
        dueDate="2024-07-31",
        invoiceLineItems=[{"entity": "InvoiceLineItem", "price": 120, "quantity": 1}],
    )


def test_record_and_void_ar_payments(
    session: Raw, customer: dict[str, Any], invoice: dict[str, Any]
) -> None:
    received = session.ok(
        "RecordARPayment.json",
        {
            "customerId": customer["id"],
            "paymentDate": "2024-07-10",
            "paymentType": "1",
            "amount": 150,
            "refNumber": "CHK-7",
            "invoicePays": [{"invoiceId": invoice["id"], "amount": 100}],
        },
    )
    assert received["entity"] == "ReceivedPay" and received["id"].startswith("0rp")
    assert received["status"] == "0" and received["isOnline"] is False
    assert received["amount"] == 150 and received["unappliedAmount"] == 50
    [pay] = received["invoicePays"]
    assert pay["id"].startswith("0ip") and pay["receivedPayId"] == received["id"]
    partly = read(session, "Invoice", invoice["id"])
    assert partly["amountDue"] == 20 and partly["paymentStatus"] == "2"
    assert read(session, "Customer", customer["id"])["balance"] == 20
    session.ok("VoidARPayment.json", {"id": received["id"]})
    assert read(session, "ReceivedPay", received["id"])["status"] == "1"
    restored = read(session, "Invoice", invoice["id"])
    assert restored["amountDue"] == 120 and restored["paymentStatus"] == "1"
    assert session.error("VoidARPayment.json", {"id": received["id"]}) == "BDC_1002"


def test_charge_customer_needs_authorization_and_a_bank_account(
    session: Raw, customer: dict[str, Any], invoice: dict[str, Any]
) -> None:
    account = session.create(
        "CustomerBankAccount",
        customerId=customer["id"],
        nameOnAccount="AR Customer",
        accountNumber="55554444",
        routingNumber="011401533",
    )
    charge = {
        "customerId": customer["id"],
        "paymentDate": "2024-07-11",
        "paymentType": "3",
        "paymentAccountId": account["id"],
        "Memo": "thanks",
        "invoicePays": [{"invoiceId": invoice["id"], "amount": 120}],
    }
    assert session.error("ChargeCustomer.json", charge) == "BDC_1002"
    session.ok(
        "SetCustomerAuthorization.json",
        {"customerId": customer["id"], "hasAuthorizedToCharge": True},
    )
    assert read(session, "Customer", customer["id"])["hasAuthorizedToCharge"] is True
    answer = session.ok("ChargeCustomer.json", charge)
    received = answer["chargedReceivedPay"]
    assert received["status"] == "2" and received["isOnline"] is True
    assert read(session, "Invoice", invoice["id"])["paymentStatus"] == "0"


def test_send_and_mail_invoice_mark_it_sent(
    session: Raw, customer: dict[str, Any], invoice: dict[str, Any]
) -> None:
    assert session.error("SendInvoice.json", {"invoiceId": invoice["id"]}) == "BDC_1002"
    session.ok(
        "SendInvoice.json",
        {
            "invoiceId": invoice["id"],
            "headers": {"toEmailAddresses": ["new.person@customer.example"], "subject": "Hi"},
            "content": {"body": "Please pay {:Invoice.AmountDue:}"},
        },
    )
    sent = read(session, "Invoice", invoice["id"])
    assert sent["lastSentTime"] is not None and sent["updatedTime"] == sent["lastSentTime"]
    contacts = session.ok(
        "List/CustomerContact.json",
        {"filters": [{"field": "customerId", "op": "=", "value": customer["id"]}]},
    )
    assert [c["email"] for c in contacts] == ["new.person@customer.example"]
    session.ok("MailInvoice.json", {"invoiceId": invoice["id"]})
    assert read(session, "Invoice", invoice["id"])["lastSentTime"] > sent["lastSentTime"]


@pytest.mark.parametrize(
    ("address", "code"),
    [({"billAddressCity": None}, "BDC_1332"), ({"billAddressCountry": "Canada"}, "BDC_1333")],
)
def test_mail_invoice_checks_the_mailing_address(
    session: Raw, customer: dict[str, Any], invoice: dict[str, Any], address: Any, code: str
) -> None:
    session.ok(
        "Crud/Update/Customer.json",
        {"obj": {"entity": "Customer", "id": customer["id"], **address}},
    )
    assert session.error("MailInvoice.json", {"invoiceId": invoice["id"]}) == code
    assert read(session, "Invoice", invoice["id"])["lastSentTime"] is None


def test_ar_summary(session: Raw, invoice: dict[str, Any]) -> None:
    summary = session.ok("GetARSummary.json")
    assert set(summary["invoices"]) >= {"overdueCount", "allCount", "allTotal"}
    assert set(summary["payments"]) >= {"lastMonthCount", "currentMonthTotal", "futureCount"}
    assert summary["invoices"]["allCount"] >= 1


# -- approvals ------------------------------------------------------------------------------------


def approvers(session: Raw, count: int) -> list[str]:
    users = session.ok("List/User.json", {})
    return [user["id"] for user in users][:count]


def status(session: Raw, bill: dict[str, Any]) -> str:
    value: str = read(session, "Bill", bill["id"])["approvalStatus"]
    return value


def test_approval_walks_assigned_approving_approved(session: Raw, bill: dict[str, Any]) -> None:
    first, second = approvers(session, 2)
    target = {"objectId": bill["id"], "entity": "Bill"}
    assert session.error("Approve.json", target) == "BDC_1002"  # no approvers yet
    session.ok("SetApprovers.json", {**target, "approvers": [first, second]})
    assert status(session, bill) == "1"
    rows = session.ok("ListApprovers.json", target)
    assert [(r["usersId"], r["approvalStatus"]) for r in rows] == [(first, "0"), (second, "0")]
    assert all(r["id"].startswith("0ba") for r in rows)
    session.ok("Approve.json", {**target, "comment": "ok"})
    assert status(session, bill) == "4"
    session.ok("Approve.json", target)
    assert status(session, bill) == "3"
    assert session.error("Approve.json", target) == "BDC_1002"


def test_deny_then_set_again_keeps_approvals(session: Raw, bill: dict[str, Any]) -> None:
    first, second = approvers(session, 2)
    target = {"objectId": bill["id"], "entity": "Bill"}
    session.ok("SetApprovers.json", {**target, "approvers": [first, second]})
    session.ok("Approve.json", target)
    session.ok("Deny.json", target)
    assert status(session, bill) == "5"
    session.ok("SetApprovers.json", {**target, "approvers": [first, second]})
    rows = session.ok("ListApprovers.json", target)
    assert [r["approvalStatus"] for r in rows] == ["3", "0"]  # who approved is skipped
    assert status(session, bill) == "4"
    session.ok("ClearApprovers.json", target)
    assert status(session, bill) == "0"
    assert session.ok("ListApprovers.json", target) == []


def test_set_approvers_checks_its_users(session: Raw, bill: dict[str, Any]) -> None:
    target = {"objectId": bill["id"], "entity": "Bill"}
    assert session.refusal("SetApprovers.json", {**target, "approvers": ["006nope"]}) == (
        "BDC_1129",
        "Invalid value for data key,value: approvers, 006nope.",
    )
    [user] = approvers(session, 1)
    assert session.error("SetApprovers.json", {**target, "approvers": [user, user]}) == "BDC_1002"
    assert session.error("SetApprovers.json", {**target, "entity": "Invoice"}) == "BDC_1002"


def test_list_user_approvals_pages_with_a_marker(session: Raw, vendor: dict[str, Any]) -> None:
    me = session.ok("GetSessionInfo.json")["userId"]
    bills = [
        session.ok("Crud/Create/Bill.json", {"obj": bill_obj(vendor["id"], 10 + n, number=f"M{n}")})
        for n in range(5)
    ]
    for bill in bills:
        session.ok(
            "SetApprovers.json", {"objectId": bill["id"], "entity": "Bill", "approvers": [me]}
        )
    mine = {bill["id"] for bill in bills}
    seen: list[str] = []
    marker = ""
    for _ in range(20):
        page = session.ok(
            "ListUserApprovals.json",
            {
                "usersId": me,
                "entity": "Bill",
                "approvalType": "0",
                "marker": marker,
                "max": 2,
                "nested": True,
            },
        )
        if not page["approvals"]:
            break
        assert len(page["approvals"]) <= 2
        seen.extend(row["id"] for row in page["approvals"])
        assert page["marker"].split("|")[0] == page["approvals"][-1]["id"]
        assert page["marker"].split("|")[1].isdigit()
        for row in page["approvals"]:
            if row["id"] in mine:
                assert row["related"] == {"vendorId": {"name": vendor["name"]}}
        marker = page["marker"]
    assert mine <= set(seen) and len(seen) == len(set(seen))


# -- documents, metadata, network ---------------------------------------------------------------


def test_upload_attachment_and_document_pages(session: Raw, bill: dict[str, Any]) -> None:
    files = {"file": ("invoice.pdf", b"%PDF-1.4 fake", "application/pdf")}
    fields = {
        "devKey": DEMO_DEV_KEY,
        "sessionId": session.session_id,
        "data": json.dumps({"id": bill["id"], "fileName": "invoice.pdf"}),
    }
    response = session.http.post("UploadAttachment.json", data=fields, files=files)
    document = response.json()["response_data"]
    assert document["id"].startswith("0du")
    org = session.emulator.state.orgs[session.emulator.org_ids[0]]
    assert org.documents[document["id"]].content == b"%PDF-1.4 fake"
    pages = session.ok("GetDocumentPages.json", {"id": bill["id"]})
    assert pages == {
        "documentPages": {"numPages": 1, "fileUrl": f"/is/BillImageServlet?entityId={bill['id']}"}
    }
    inbox = session.http.post(
        "UploadAttachment.json",
        data={**fields, "data": json.dumps({"id": "", "fileName": "x.png"})},
        files={"file": ("x.png", b"png", "image/png")},
    ).json()["response_data"]
    assert inbox["id"].startswith("00h")
    no_file = session.http.post("UploadAttachment.json", data=fields).json()
    assert no_file["response_data"]["error_code"] == "BDC_1002"


def test_metadata_time_and_errors(session: Raw) -> None:
    meta = session.ok("GetEntityMetadata.json", {"entity": ["Vendor"]})
    assert set(meta) == {"Vendor"}
    assert meta["Vendor"]["fields"]["name"]["required"] is True
    assert meta["Vendor"]["fields"]["updatedTime"]["type"] == "time"
    assert len(session.ok("GetEntityMetadata.json")) > 20
    current = session.ok("CurrentTime.json")["currentTime"]
    assert current.endswith("+0000") and "T" in current


def test_network_invites(session: Raw, vendor: dict[str, Any]) -> None:
    status_of = {"id": vendor["id"]}
    assert session.ok("GetNetworkStatus.json", status_of)["status"] == "0"
    trust(session)
    request = session.ok(
        "SendVendorInvite.json", {"vendorId": vendor["id"], "email": "v@x.example"}
    )["requestId"]
    assert request.startswith("nrr")
    assert session.ok("GetNetworkStatus.json", status_of)["requestId"] == request
    again = {"vendorId": vendor["id"], "email": "v@x.example"}
    assert session.error("SendVendorInvite.json", again) == "BDC_1002"
    session.ok("CancelInvite.json", {"id": vendor["id"]})
    assert session.ok("GetNetworkStatus.json", status_of)["status"] == "0"
    orgs = session.ok("NetworkSearch.json", {"name": "o"})
    assert session.emulator.org_ids[0] not in {org["networkId"] for org in orgs}
    billers = session.ok("LargeBillerSearch.json", {"name": "verizon"})
    assert [b["name"] for b in billers] == ["Verizon Wireless"]
    addresses = session.ok("GetLargeBillerPaymentAddress.json", {"id": billers[0]["id"]})
    connected = session.ok(
        "ConnectLargeBillerAsVendor.json",
        {
            "largeBillerId": billers[0]["id"],
            "addressId": addresses[0]["addressId"],
            "accNumber": "42",
        },
    )
    assert connected["payBy"] == "2" and connected["largeBillerId"] == billers[0]["id"]
