"""v3 records on the emulator: v3's keys over the v2 face's objects, create/get/update/replace,
archive/restore, all-or-nothing bulk calls, and BILL's refusals."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from bill_async.emulator import Emulator
from tests.emulator.rawhttp import SMALL, Raw, bill_obj
from tests.emulator.rawv3 import RawV3

VENDOR_BODY = {
    "name": "Happy Music Supplies",
    "accountType": "BUSINESS",
    "email": "info@happymusicsupplies.org",
    "phone": "9876543210",
    "address": {
        "line1": "123 Main Street",
        "city": "San Jose",
        "stateOrProvince": "CA",
        "zipOrPostalCode": "95002",
        "country": "US",
    },
    "paymentInformation": {
        "payeeName": "Happy Music Supplies",
        "bankAccount": {
            "nameOnAccount": "Bill Vendorson",
            "accountNumber": "111222333",
            "routingNumber": "074000010",
        },
    },
    "billCurrency": "USD",
}


def _bill_body(vendor_id: str, number: str = "202501") -> dict[str, Any]:
    return {
        "vendorId": vendor_id,
        "dueDate": "2025-12-31",
        "billLineItems": [
            {"amount": 149, "description": "USB audio interface"},
            {"amount": 79.99, "description": "Drum foot pedal"},
        ],
        "invoice": {"invoiceNumber": number, "invoiceDate": "2025-12-01"},
    }


# -- one face writes, the other reads --------------------------------------------------------------


def test_a_vendor_created_on_v3_is_bills_vendor_on_v2(v3_session: RawV3, raw: Raw) -> None:
    response = v3_session.send("POST", "/v3/vendors", VENDOR_BODY)
    assert response.status_code == 201
    vendor = response.json()
    assert vendor["archived"] is False
    assert vendor["address"] == VENDOR_BODY["address"]
    assert vendor["paymentInformation"]["payByType"] == "ACH"  # it has a bank account
    assert vendor["paymentInformation"]["bankAccount"]["accountNumber"] == "******2333"
    assert vendor["createdTime"].endswith("Z")
    assert raw.login()["response_status"] == 0
    v2 = raw.ok("Crud/Read/Vendor.json", {"id": vendor["id"]})
    assert (v2["name"], v2["address1"], v2["addressCity"], v2["addressState"]) == (
        "Happy Music Supplies",
        "123 Main Street",
        "San Jose",
        "CA",
    )
    assert (v2["addressZip"], v2["addressCountry"], v2["accountType"]) == ("95002", "USA", "1")
    assert (v2["isActive"], v2["payBy"], v2["nameOnCheck"]) == ("1", "1", "Happy Music Supplies")
    assert v2["createdTime"] == vendor["createdTime"].replace("Z", "+0000")
    accounts = raw.ok("List/VendorBankAccount.json", {"start": 0, "max": 999})
    assert [a["vendorId"] for a in accounts].count(vendor["id"]) == 1


def test_a_vendor_created_on_v2_reads_on_v3(v3_session: RawV3, raw: Raw) -> None:
    assert raw.login()["response_status"] == 0
    made = raw.create(
        "Vendor",
        name="Two Face Ltd",
        address1="9 Pine St",
        addressCity="Denver",
        addressCountry="USA",
        accountType="2",
        taxId="12-3456789",
        taxIdType="1",
    )
    vendor = v3_session.ok("GET", f"/v3/vendors/{made['id']}")
    assert vendor["name"] == "Two Face Ltd"
    assert vendor["address"] == {"line1": "9 Pine St", "city": "Denver", "country": "US"}
    assert vendor["accountType"] == "PERSON"
    assert vendor["additionalInfo"]["taxIdType"] == "EIN"
    assert vendor["paymentInformation"]["payByType"] == "CHECK"
    raw.ok("Crud/Delete/Vendor.json", {"id": made["id"]})
    assert v3_session.ok("GET", f"/v3/vendors/{made['id']}")["archived"] is True


def test_bills_with_lines_on_both_faces(
    v3_session: RawV3, raw: Raw, vendor: dict[str, Any]
) -> None:
    created = v3_session.ok("POST", "/v3/bills", _bill_body(vendor["id"]))
    assert created["amount"] == 228.99 and created["dueAmount"] == 228.99
    assert created["paymentStatus"] == "UNPAID"
    assert [line["amount"] for line in created["billLineItems"]] == [149, 79.99]
    assert "vendorName" not in created  # BILL's create answer has none; its get does
    got = v3_session.ok("GET", f"/v3/bills/{created['id']}")
    assert got["vendorName"] == "Fixture Vendor"
    v2 = raw.ok("Crud/Read/Bill.json", {"id": created["id"]})
    assert (v2["invoiceNumber"], v2["invoiceDate"], v2["amount"]) == (
        "202501",
        "2025-12-01",
        228.99,
    )
    assert [line["description"] for line in v2["billLineItems"]] == [
        "USB audio interface",
        "Drum foot pedal",
    ]
    made_on_v2 = raw.ok("Crud/Create/Bill.json", {"obj": bill_obj(vendor["id"], 10, 20.5)})
    read = v3_session.ok("GET", f"/v3/bills/{made_on_v2['id']}")
    assert read["invoice"] == {"invoiceDate": "2024-07-01", "invoiceNumber": "B-1"}
    assert read["amount"] == 30.5 and len(read["billLineItems"]) == 2


def test_patch_changes_lines_in_place_and_put_replaces_them(
    v3_session: RawV3, vendor: dict[str, Any]
) -> None:
    bill = v3_session.ok("POST", "/v3/bills", _bill_body(vendor["id"]))
    first, second = (line["id"] for line in bill["billLineItems"])
    patched = v3_session.ok(
        "PATCH",
        f"/v3/bills/{bill['id']}",
        {"description": "patched", "billLineItems": [{"id": first, "amount": 100}, {"amount": 5}]},
    )
    assert patched["description"] == "patched"
    assert [(line["id"], line["amount"]) for line in patched["billLineItems"][:2]] == [
        (first, 100),
        (second, 79.99),
    ]
    assert len(patched["billLineItems"]) == 3 and patched["amount"] == 184.99
    replaced = v3_session.ok(
        "PUT",
        f"/v3/bills/{bill['id']}",
        {**_bill_body(vendor["id"]), "billLineItems": [{"id": second, "amount": 50}]},
    )
    assert [(line["id"], line["amount"]) for line in replaced["billLineItems"]] == [(second, 50)]
    assert "description" not in replaced  # a replace clears what the body leaves out
    unknown_line = {"billLineItems": [{"id": "bli02NOSUCHLINExxxxx", "amount": 1}]}
    code, _ = v3_session.refused("PATCH", f"/v3/bills/{bill['id']}", 400, unknown_line)
    assert code == "BDC_1119"


def test_archive_and_restore_may_be_repeated(v3_session: RawV3, vendor: dict[str, Any]) -> None:
    path = f"/v3/vendors/{vendor['id']}"
    assert v3_session.ok("POST", f"{path}/archive")["archived"] is True
    assert v3_session.ok("POST", f"{path}/archive")["archived"] is True
    assert v3_session.ok("GET", path)["archived"] is True
    assert v3_session.ok("POST", f"{path}/restore")["archived"] is False
    assert v3_session.ok("POST", f"{path}/restore")["archived"] is False


def test_an_archived_vendor_takes_no_new_bill(v3_session: RawV3, vendor: dict[str, Any]) -> None:
    v3_session.ok("POST", f"/v3/vendors/{vendor['id']}/archive")
    code, message = v3_session.refused("POST", "/v3/bills", 400, _bill_body(vendor["id"]))
    assert (code, message) == ("BDC_1119", f"Invalid field,value: vendorId, {vendor['id']}.")


# -- refusals -----------------------------------------------------------------------------------


def test_unknown_ids_are_bdc_1205_404(v3_session: RawV3, emulator: Emulator) -> None:
    other_org = emulator.objects(emulator.org_ids[1], "Vendor")[0]["id"]
    a_bill = emulator.objects(emulator.org_ids[0], "Bill")[0]["id"]
    for wrong in ("00902NOSUCHVENDORxxx", other_org, a_bill, "nonsense"):
        code, message = v3_session.refused("GET", f"/v3/vendors/{wrong}", 404)
        assert code == "BDC_1205" and wrong in message
        assert v3_session.refused("POST", f"/v3/vendors/{wrong}/archive", 404)[0] == "BDC_1205"
        assert v3_session.refused("PATCH", f"/v3/vendors/{wrong}", 404, {})[0] == "BDC_1205"


_TERM = "00p02NOSUCHTERMxxxxx"
_LONG = "Invalid entity data. name: Maximum length cannot be greater than 100 characters."
BAD_VENDORS = [
    ({}, None, "name: The name field is required"),
    ({"name": 5}, "BDC_1124", "Invalid field datatype: name."),
    ({"name": "x", "address": "here"}, "BDC_1124", "Invalid field datatype: address."),
    ({"name": "x", "accountType": "ROBOT"}, "BDC_1119", "Invalid field,value: accountType, ROBOT."),
    ({"name": "x" * 101}, "BDC_1119", _LONG),
    (
        {"name": "x", "additionalInfo": {"track1099": "yes"}},
        "BDC_1124",
        "Invalid field datatype: additionalInfo.track1099.",
    ),
    (
        {"name": "x", "additionalInfo": {"paymentTermId": _TERM}},
        "BDC_1119",
        f"Invalid field,value: additionalInfo.paymentTermId, {_TERM}.",
    ),
]


@pytest.mark.parametrize(("body", "code", "message"), BAD_VENDORS)
def test_bad_vendor_bodies_are_refused_and_nothing_is_written(
    v3_session: RawV3, emulator: Emulator, body: dict[str, Any], code: str | None, message: str
) -> None:
    before = len(emulator.objects(emulator.org_ids[0], "Vendor"))
    assert v3_session.refused("POST", "/v3/vendors", 400, body) == (code, message)
    assert len(emulator.objects(emulator.org_ids[0], "Vendor")) == before


def test_a_body_that_is_not_a_json_object_is_bdc_1122(v3_session: RawV3) -> None:
    assert v3_session.refused("POST", "/v3/vendors", 400, content=b"name=x")[0] == "BDC_1122"
    assert v3_session.refused("POST", "/v3/vendors", 400, ["x"])[0] == "BDC_1122"


def test_an_invoice_is_written_with_a_customer_object(
    v3_session: RawV3, emulator: Emulator
) -> None:
    customer = emulator.objects(emulator.org_ids[0], "Customer")[0]["id"]
    body = {
        "invoiceLineItems": [
            {"quantity": 2, "description": "Drum sticks", "price": 14.99},
            {"quantity": 1, "description": "Guitar picks", "price": 50},
        ],
        "invoiceNumber": "202502",
        "dueDate": "2025-12-31",
        "processingOptions": {"sendEmail": False},
    }
    refused = v3_session.refused("POST", "/v3/invoices", 400, {**body, "customerId": customer})
    assert refused == (None, "customer: The customer field is required")
    invoice = v3_session.ok("POST", "/v3/invoices", {**body, "customer": {"id": customer}})
    assert invoice["customerId"] == customer and "customer" not in invoice
    assert invoice["totalAmount"] == 79.98 and invoice["status"] == "OPEN"
    assert [set(line) for line in invoice["invoiceLineItems"]] == [
        {"id", "description", "price", "quantity"}
    ] * 2
    assert invoice["invoiceDate"] == v3_session.emulator.state.stamp()[:10]
    replaced = v3_session.ok(
        "PUT",
        f"/v3/invoices/{invoice['id']}",
        {
            "customer": {"id": customer},
            "invoiceNumber": "202502",
            "dueDate": "2025-12-31",
            "invoiceLineItems": [
                {"description": "Gloves", "amount": 29.99, "quantity": 1},
                {"id": invoice["invoiceLineItems"][0]["id"], "price": 14.99, "quantity": 2},
            ],
        },
    )
    assert replaced["totalAmount"] == 59.97 and len(replaced["invoiceLineItems"]) == 2


def test_credit_memos_and_vendor_credits(
    v3_session: RawV3, emulator: Emulator, vendor: dict[str, Any]
) -> None:
    customer = emulator.objects(emulator.org_ids[0], "Customer")[0]["id"]
    memo = v3_session.ok(
        "POST",
        "/v3/credit-memos",
        {
            "customerId": customer,
            "referenceNumber": "202502-creditmemo",
            "creditDate": "2025-12-28",
            "creditMemoLineItems": [
                {"description": "Drum sticks", "price": 14.99, "quantity": 2},
                {"description": "Picks", "price": 50, "quantity": 1},
                {"description": "10% discount", "ratePercent": -10},
            ],
        },
    )
    assert memo["amount"] == 71.98 and memo["status"] == "NOT_APPLIED"
    assert [line["amount"] for line in memo["creditMemoLineItems"]] == [29.98, 50, -8]
    assert all(line["id"].startswith("cml") for line in memo["creditMemoLineItems"])
    v2 = emulator.get(memo["id"])
    assert v2 is not None and (v2["refNumber"], v2["amount"]) == ("202502-creditmemo", 71.98)
    credit = v3_session.ok(
        "POST",
        "/v3/vendor-credits",
        {
            "vendorId": vendor["id"],
            "referenceNumber": "VC-1",
            "creditDate": "2025-12-28",
            "vendorCreditLineItems": [{"description": "a", "amount": 14.99}, {"amount": 50}],
        },
    )
    assert credit["amount"] == 64.99 and credit["status"] == "NOT_APPLIED"
    changed = v3_session.ok(
        "PATCH", f"/v3/vendor-credits/{credit['id']}", {"vendorCreditLineItems": [{"amount": 5}]}
    )
    assert changed["amount"] == 5


CLASSIFICATIONS = [
    ("accounting-classes", {"name": "Retail West"}, "ActgClass"),
    ("chart-of-accounts", {"name": "Prepaid", "account": {"type": "EXPENSE"}}, "ChartOfAccount"),
    ("departments", {"name": "Sales Department", "description": "Sales"}, "Department"),
    ("employees", {"firstName": "James", "lastName": "Milner"}, "Employee"),
    ("items", {"type": "SALES_TAX", "percentage": 3, "name": "State Sales Tax"}, "Item"),
    ("jobs", {"name": "Stage build"}, "Job"),
    ("locations", {"name": "Warehouse 2"}, "Location"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "body", "entity"), CLASSIFICATIONS)
def test_each_classification(
    v3_session: RawV3, emulator: Emulator, kind: str, body: dict[str, Any], entity: str
) -> None:
    base = f"/v3/classifications/{kind}"
    org = emulator.org_ids[0]
    made = v3_session.ok("POST", base, body)
    assert {key: made[key] for key in body} == body
    assert emulator.get(made["id"]) == emulator.objects(org, entity)[-1]
    listed = [r["id"] for r in v3_session.ok("GET", base, params={"max": "100"})["results"]]
    assert listed == [obj["id"] for obj in emulator.objects(org, entity)]
    key = "firstName" if kind == "employees" else "name"
    assert v3_session.ok("PATCH", f"{base}/{made['id']}", {key: "Renamed"})[key] == "Renamed"
    second = v3_session.ok("POST", f"{base}/bulk", [body])[_bulk_key(kind)][0]
    ids = f"{made['id']},{second['id']}"
    archived = v3_session.ok("POST", f"{base}/bulk/archive", params={"ids": ids})
    assert [r["archived"] for r in archived[_bulk_key(kind)]] == [True, True]
    restored = v3_session.ok("POST", f"{base}/bulk/restore", params={"ids": ids})
    assert [r["archived"] for r in restored[_bulk_key(kind)]] == [False, False]
    updated = v3_session.ok("PATCH", f"{base}/bulk", [{"id": made["id"], key: "Again"}])
    assert updated[_bulk_key(kind)][0][key] == "Again"


def _bulk_key(kind: str) -> str:
    return {
        "accounting-classes": "accountingClasses",
        "chart-of-accounts": "chartOfAccounts",
    }.get(kind, kind)


# -- bulk: all or nothing -------------------------------------------------------------------------


def test_bulk_create_within_the_rows_limit(v3_session: RawV3, emulator: Emulator) -> None:
    bodies = [{"name": f"Bulk {n}"} for n in range(20)]
    response = v3_session.send("POST", "/v3/vendors/bulk", bodies)
    assert response.status_code == 201
    made = response.json()["vendors"]
    assert [v["name"] for v in made] == [b["name"] for b in bodies]
    assert {v["id"] for v in made} <= {
        v["id"] for v in emulator.objects(emulator.org_ids[0], "Vendor")
    }


def test_more_than_the_limit_is_refused_with_nothing_written(
    v3_session: RawV3, emulator: Emulator
) -> None:
    before = len(emulator.objects(emulator.org_ids[0], "Vendor"))
    bodies = [{"name": f"Bulk {n}"} for n in range(21)]
    code, message = v3_session.refused("POST", "/v3/vendors/bulk", 400, bodies)
    assert (code, message) == (None, "A bulk request takes at most 20 items, not 21.")
    assert len(emulator.objects(emulator.org_ids[0], "Vendor")) == before


def test_one_refused_item_undoes_the_whole_bulk_call(
    v3_session: RawV3, emulator: Emulator, vendor: dict[str, Any]
) -> None:
    org = emulator.org_ids[0]
    vendors_before = emulator.objects(org, "Vendor")
    bills_before = emulator.objects(org, "Bill")
    bad = _bill_body("00902NOSUCHVENDORxxx", "X")
    bodies = [_bill_body(vendor["id"], "A"), _bill_body(vendor["id"], "B"), bad]
    code, message = v3_session.refused("POST", "/v3/bills/bulk", 400, bodies)
    assert (code, message) == (
        "BDC_1119",
        "[2] Invalid field,value: vendorId, 00902NOSUCHVENDORxxx.",
    )
    assert emulator.objects(org, "Bill") == bills_before
    assert emulator.objects(org, "Vendor") == vendors_before  # balances put back too
    made = v3_session.ok("POST", "/v3/bills/bulk", bodies[:2])  # BILL answers a bare array
    assert [b["invoice"]["invoiceNumber"] for b in made] == ["A", "B"]
    balance = v3_session.ok("GET", f"/v3/vendors/{vendor['id']}")["balance"]["amount"]
    assert balance == 2 * 228.99


def test_bulk_archive_names_an_unknown_id_and_changes_nothing(
    v3_session: RawV3, emulator: Emulator
) -> None:
    org = emulator.org_ids[0]
    path = "/v3/classifications/departments/bulk/archive"
    departments = emulator.objects(org, "Department")
    query = {"ids": f"{departments[0]['id']},0de02NOSUCHDEPTxxxxx"}
    assert v3_session.refused("POST", path, 404, params=query)[0] == "BDC_1205"
    assert emulator.objects(org, "Department") == departments
    assert v3_session.refused("POST", path, 400)[1] == "ids: The ids field is required"
    # Vendors have no bulk archive in v3: the path reads as the archive of a vendor "bulk".
    assert v3_session.refused("POST", "/v3/vendors/bulk/archive", 404)[0] == "BDC_1205"


def test_bulk_limits_come_from_the_table(emulator: Emulator, v3_session: RawV3) -> None:
    emulator.reset(attrs.evolve(SMALL))
    assert v3_session.login().status_code == 200
    bodies = [{"name": f"C{n}"} for n in range(51)]
    _, message = v3_session.refused("POST", "/v3/classifications/jobs/bulk", 400, bodies)
    assert message == "A bulk request takes at most 50 items, not 51."


def test_customers_on_both_faces(v3_session: RawV3, raw: Raw) -> None:
    body = {
        "name": "Paperless Band",
        "companyName": "Paperless Band LLC",
        "contact": {"firstName": "Check", "lastName": "Mailworth"},
        "email": "contact@paperlessband.org",
        "accountType": "BUSINESS",
        "phone": "9998887654",
        "billingAddress": {
            "line1": "987 Side Street",
            "city": "San Jose",
            "stateOrProvince": "CA",
            "zipOrPostalCode": "95002",
            "country": "US",
        },
    }
    response = v3_session.send("POST", "/v3/customers", body)
    assert response.status_code == 201
    customer = response.json()
    assert {key: customer[key] for key in body} == body
    assert raw.login()["response_status"] == 0
    v2 = raw.ok("Crud/Read/Customer.json", {"id": customer["id"]})
    assert (v2["billAddress1"], v2["billAddressCountry"], v2["contactFirstName"]) == (
        "987 Side Street",
        "USA",
        "Check",
    )
    assert v2["accountType"] == "1"
    path = f"/v3/customers/{customer['id']}"
    assert v3_session.ok("PATCH", path, {"fax": "555"})["fax"] == "555"
    assert v3_session.ok("POST", f"{path}/archive")["archived"] is True
    assert raw.ok("Crud/Read/Customer.json", {"id": customer["id"]})["isActive"] == "2"
    assert v3_session.ok("POST", f"{path}/restore")["archived"] is False
    assert v3_session.refused("PUT", path, 405, body)[0] == "BDC_1121"  # no replace in v3


def test_credit_memos_in_bulk(v3_session: RawV3, emulator: Emulator) -> None:
    customer = emulator.objects(emulator.org_ids[0], "Customer")[0]["id"]

    def memo(number: str, price: float) -> dict[str, Any]:
        return {
            "customerId": customer,
            "referenceNumber": number,
            "creditDate": "2025-12-28",
            "creditMemoLineItems": [{"description": "x", "price": price, "quantity": 1}],
        }

    made = v3_session.ok("POST", "/v3/credit-memos/bulk", [memo("M1", 10), memo("M2", 20)])
    first, second = made["creditMemos"]
    assert (first["amount"], second["amount"]) == (10, 20)
    replaced = v3_session.ok(
        "PUT", "/v3/credit-memos/bulk", [{**memo("M1b", 15), "id": first["id"]}]
    )
    assert replaced["creditMemos"][0]["referenceNumber"] == "M1b"
    assert replaced["creditMemos"][0]["amount"] == 15
    ids = {"ids": f"{first['id']},{second['id']}"}
    archived = v3_session.ok("POST", "/v3/credit-memos/bulk/archive", params=ids)
    assert [m["archived"] for m in archived["creditMemos"]] == [True, True]
    restored = v3_session.ok("POST", "/v3/credit-memos/bulk/restore", params=ids)
    assert [m["archived"] for m in restored["creditMemos"]] == [False, False]
