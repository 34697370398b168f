"""v3 payments, received payments, documents and attachments on the emulator."""

from __future__ import annotations

from typing import Any

from bill_async.emulator import DEMO_MFA_CODE, Emulator
from tests.emulator.rawhttp import Raw
from tests.emulator.rawv3 import RawV3


def _open_bill(emulator: Emulator) -> dict[str, Any]:
    org = emulator.org_ids[0]
    return next(b for b in emulator.objects(org, "Bill") if b["dueAmount"] > 100)


def test_payments_list_and_get_the_v2_faces_sent_payments(
    v3_session: RawV3, emulator: Emulator
) -> None:
    sent = emulator.objects(emulator.org_ids[0], "SentPay")
    listed = v3_session.ok("GET", "/v3/payments", params={"max": "100"})["results"]
    assert [p["id"] for p in listed] == [s["id"] for s in sent]
    first = v3_session.ok("GET", f"/v3/payments/{sent[0]['id']}")
    assert first["amount"] == sent[0]["amount"] and first["status"] == "PAID"
    assert first["billPayments"][0]["billId"] == sent[0]["billPays"][0]["billId"]
    assert first["processDate"] == sent[0]["processDate"]


def test_recording_an_ap_payment_pays_the_bill_on_both_faces(
    v3_session: RawV3, raw: Raw, emulator: Emulator
) -> None:
    bill = _open_bill(emulator)
    paid = v3_session.ok(
        "POST",
        "/v3/bills/record-payment",
        {
            "vendorId": bill["vendorId"],
            "processDate": "2024-07-20",
            "toPrintCheck": False,
            "payments": [{"billId": bill["id"], "amount": 70}],
        },
    )
    assert (paid["status"], paid["amount"], paid["billId"]) == ("PAID", 70, bill["id"])
    assert v3_session.ok("GET", f"/v3/payments/{paid['id']}") == paid
    assert raw.login()["response_status"] == 0
    v2 = raw.ok("Crud/Read/Bill.json", {"id": bill["id"]})
    assert v2["paidAmount"] == (bill["paidAmount"] or 0) + 70


def test_a_payment_scheduled_through_v3_can_be_cancelled(
    v3_session: RawV3, emulator: Emulator
) -> None:
    challenge = v3_session.ok("POST", "/v3/mfa/challenge", {})["challengeId"]
    body = {"challengeId": challenge, "token": DEMO_MFA_CODE}
    v3_session.ok("POST", "/v3/mfa/challenge/validate", body)
    bill = _open_bill(emulator)
    bank = emulator.objects(emulator.org_ids[0], "BankAccount")[0]
    response = v3_session.send(
        "POST",
        "/v3/payments",
        {
            "vendorId": bill["vendorId"],
            "billId": bill["id"],
            # no processDate: the next business day of the emulator's (wall) clock
            "fundingAccount": {"type": "BANK_ACCOUNT", "id": bank["id"]},
            "amount": 50,
            "processingOptions": {"requestPayFaster": False, "createBill": False},
        },
    )
    assert response.status_code == 201
    payment = response.json()
    assert payment["status"] == "SCHEDULED" and payment["onlinePayment"] is True
    assert payment["fundingAccount"] == {"type": "BANK_ACCOUNT", "id": bank["id"]}
    assert v3_session.ok("GET", f"/v3/bills/{bill['id']}")["scheduledAmount"] == 50
    cancelled = v3_session.ok("POST", f"/v3/payments/{payment['id']}/cancel")
    assert cancelled["status"] == "CANCELLED"
    assert v3_session.ok("GET", f"/v3/bills/{bill['id']}")["scheduledAmount"] == 0
    code, message = v3_session.refused("POST", f"/v3/payments/{payment['id']}/cancel", 422)
    assert code is None and "scheduled" in message


def test_recording_an_ar_payment(v3_session: RawV3, emulator: Emulator) -> None:
    org = emulator.org_ids[0]
    invoice = next(i for i in emulator.objects(org, "Invoice") if i["amountDue"] > 60)
    answer = v3_session.ok(
        "POST",
        "/v3/invoices/record-payment",
        {
            "amount": "100",
            "customerId": invoice["customerId"],
            "invoices": [{"amount": "50", "id": invoice["id"]}],
            "paymentDate": "2024-07-20",
            "paymentType": "CREDIT_CARD",
            "description": "Accepted credit card payment in store",
        },
    )
    assert (answer["amount"], answer["unappliedAmount"], answer["paymentType"]) == (
        100,
        50,
        "CREDIT_CARD",
    )
    assert answer["invoices"][0]["id"] == invoice["id"]
    assert {"id": answer["id"], "amount": 50, "status": "PAID", "date": "2024-07-20"} in answer[
        "invoices"
    ][0]["payments"]
    received = v3_session.ok("GET", f"/v3/receivable-payments/{answer['id']}")
    assert received["invoicePayments"] == [
        {"invoiceId": invoice["id"], "amount": 50, "paymentDate": "2024-07-20"}
    ]
    assert received["receivablesType"] == "CREDIT_CARD" and received["status"] == "PAID"
    due = v3_session.ok("GET", f"/v3/invoices/{invoice['id']}")["dueAmount"]
    assert due == round(invoice["amountDue"] - 50, 2)
    bad = {"customerId": invoice["customerId"], "paymentDate": "2024-07-20", "amount": 1}
    bad["paymentType"] = "GOLD"
    assert v3_session.refused("POST", "/v3/invoices/record-payment", 400, bad)[0] == "BDC_1119"


# -- documents and attachments ------------------------------------------------------------------


def test_a_bill_document_uploads_lists_and_downloads(
    v3_session: RawV3, raw: Raw, emulator: Emulator
) -> None:
    bill = emulator.objects(emulator.org_ids[0], "Bill")[0]
    path = f"/v3/documents/bills/{bill['id']}"
    pdf = b"%PDF-1.4 the bill's scan"
    uploaded = v3_session.ok(
        "POST", path, params={"name": "scan.pdf"}, content=pdf, headers={"content-type": "*/*"}
    )
    assert uploaded["name"] == "scan.pdf" and uploaded["id"].startswith("0du")
    assert set(uploaded) == {"id", "name", "createdTime", "downloadLink"}
    assert v3_session.ok("GET", path)["results"] == [uploaded]
    assert v3_session.ok("GET", f"/v3/documents/{uploaded['id']}") == uploaded
    status = v3_session.ok("GET", "/v3/documents/upload-status", params={"ids": uploaded["id"]})
    assert status == [
        {"documentId": uploaded["id"], "uploadId": uploaded["id"], "status": "UPLOADED"}
    ]
    download = v3_session.http.get(
        uploaded["downloadLink"], headers={"sessionId": v3_session.session_id}
    )
    assert (download.status_code, download.content) == (200, pdf)
    assert v3_session.http.get(uploaded["downloadLink"]).status_code == 401
    # The v2 face sees the same file on the bill.
    assert raw.login()["response_status"] == 0
    pages = raw.ok("GetDocumentPages.json", {"id": bill["id"]})["documentPages"]
    assert pages["numPages"] == 1


def test_uploads_need_a_name_and_at_most_6_mb(v3_session: RawV3, emulator: Emulator) -> None:
    vendor = emulator.objects(emulator.org_ids[0], "Vendor")[0]
    path = f"/v3/attachments/vendors/{vendor['id']}"
    assert (
        v3_session.refused("POST", path, 400, content=b"x")[1] == "name: The name field is required"
    )
    too_big = b"x" * (6 * 1024 * 1024 + 1)
    code, message = v3_session.refused(
        "POST", path, 400, params={"name": "big.bin"}, content=too_big
    )
    assert code is None and "6 MB" in message
    assert v3_session.ok("GET", path)["results"] == []
    nobody = "/v3/attachments/vendors/00902NOSUCHxxxxxxxxx"
    refused = v3_session.refused("POST", nobody, 404, params={"name": "a"}, content=b"x")
    assert refused[0] == "BDC_1205"


def test_attachments_of_vendors_customers_and_invoices(
    v3_session: RawV3, emulator: Emulator
) -> None:
    org = emulator.org_ids[0]
    owners = {
        "vendors": emulator.objects(org, "Vendor")[0]["id"],
        "customers": emulator.objects(org, "Customer")[0]["id"],
        "invoices": emulator.objects(org, "Invoice")[0]["id"],
    }
    for kind, owner in owners.items():
        path = f"/v3/attachments/{kind}/{owner}"
        made = v3_session.ok("POST", path, params={"name": f"{kind}.pdf"}, content=b"pdf")
        assert made["id"].startswith("att")
        assert v3_session.ok("GET", path)["results"] == [made]
        assert v3_session.ok("GET", f"/v3/attachments/{made['id']}") == made
        assert v3_session.ok("DELETE", f"/v3/attachments/{made['id']}") == {"status": "SUCCESS"}
        assert v3_session.refused("GET", f"/v3/attachments/{made['id']}", 404)[0] == "BDC_1205"
        assert v3_session.ok("GET", path)["results"] == []
