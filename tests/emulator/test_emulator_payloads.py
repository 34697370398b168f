"""The emulator's objects look like BILL's real sandbox payloads (tests/fixtures)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bill_async.emulator import _templates as templates
from tests.emulator.rawhttp import Raw, bill_obj

FIXTURES = Path(__file__).parent.parent / "fixtures"
ID = re.compile(r"^[0-9a-z]{3}02[A-Z]{10}[a-z0-9]{5}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")
ZERO_ID = "00000000000000000000"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())["response_data"]


def keys(obj: dict[str, Any]) -> list[str]:
    return list(obj)


@pytest.mark.parametrize(
    ("template", "fixture_name", "child"),
    [
        (templates.VENDOR, "Crud_Read_Vendor", None),
        (templates.CUSTOMER, "Crud_Read_Customer", None),
        (templates.BILL, "Crud_Read_Bill", None),
        (templates.INVOICE, "Crud_Read_Invoice", None),
        (templates.VENDOR_BANK_ACCOUNT, "Crud_Read_VendorBankAccount", None),
        (templates.CUSTOMER_BANK_ACCOUNT, "Crud_Read_CustomerBankAccount", None),
        (templates.BILL_LINE_ITEM, "Crud_Read_Bill", "billLineItems"),
        (templates.INVOICE_LINE_ITEM, "Crud_Read_Invoice", "invoiceLineItems"),
    ],
)
def test_templates_have_exactly_the_fixture_keys_in_order(
    template: dict[str, Any], fixture_name: str, child: str | None
) -> None:
    real = fixture(fixture_name)
    if child is not None:
        real = real[child][0]
    assert keys(template) == keys(real)


def test_created_and_read_objects_have_the_fixture_keys(session: Raw) -> None:
    vendor = session.create("Vendor", name="Acme Vendor", companyName="Acme")
    customer = session.create("Customer", name="John", companyName="A Company")
    bill = session.ok("Crud/Create/Bill.json", {"obj": bill_obj(vendor["id"], 1)})
    item = session.create("Item", name="Widget", price=12)
    invoice = session.create(
        "Invoice",
        customerId=customer["id"],
        invoiceNumber="001",
        invoiceDate="2024-07-22",
        dueDate="2024-09-08",
        invoiceLineItems=[{"entity": "InvoiceLineItem", "itemId": item["id"], "quantity": 1}],
    )
    for obj, name in (
        (vendor, "Crud_Read_Vendor"),
        (customer, "Crud_Read_Customer"),
        (bill, "Crud_Read_Bill"),
        (invoice, "Crud_Read_Invoice"),
    ):
        assert keys(obj) == keys(fixture(name)), name
        read = session.ok(f"Crud/Read/{obj['entity']}.json", {"id": obj["id"]})
        assert keys(read) == keys(obj) and read["id"] == obj["id"]
    assert keys(bill["billLineItems"][0]) == keys(fixture("Crud_Read_Bill")["billLineItems"][0])
    line = invoice["invoiceLineItems"][0]
    assert keys(line) == keys(fixture("Crud_Read_Invoice")["invoiceLineItems"][0])


def test_seeded_objects_have_the_fixture_keys(session: Raw) -> None:
    for entity, name in (
        ("Vendor", "List_Vendor"),
        ("Bill", "List_Bill"),
        ("Customer", "Crud_Read_Customer"),
        ("Invoice", "Crud_Read_Invoice"),
    ):
        rows = session.ok(f"List/{entity}.json", {"max": 5, "nested": True})
        assert rows
        real = fixture(name)
        expected = keys(real[0] if isinstance(real, list) else real)
        for row in rows:
            assert keys(row) == expected, entity


def test_ids_timestamps_amounts_and_zero_ids_follow_bill(
    session: Raw, vendor: dict[str, Any]
) -> None:
    bill = session.ok("Crud/Create/Bill.json", {"obj": bill_obj(vendor["id"], 75.3, 24.7)})
    assert ID.match(vendor["id"]) and vendor["id"].startswith("009")
    assert ID.match(bill["id"]) and bill["id"].startswith("00n")
    assert bill["billLineItems"][0]["id"].startswith("bli")
    assert TIMESTAMP.match(bill["createdTime"]) and TIMESTAMP.match(bill["updatedTime"])
    assert bill["amount"] == 100 and isinstance(bill["amount"], int)
    assert bill["billLineItems"][0]["amount"] == 75.3
    assert bill["dueAmount"] == 100 and bill["paymentStatus"] == "1"
    assert bill["approvalStatus"] == "0"
    assert bill["isActive"] == "1"
    assert bill["payFromBankAccountId"] == ZERO_ID
    assert vendor["mergedIntoId"] == ZERO_ID
    assert vendor["vendorBankAccountStatus"] == -1  # an integer, as in BILL's payload
    assert bill["createdBy"] == session.emulator.user_id(session.emulator.org_ids[0])


def test_every_prefix_of_the_reference(session: Raw) -> None:
    prefixes = {
        "Customer": "0cu",
        "CustomerContact": "cpu",
        "ChartOfAccount": "0ca",
        "Department": "0de",
        "Location": "loc",
        "ActgClass": "cls",
        "Item": "0ii",
        "Job": "job",
        "Employee": "emp",
        "PaymentTerm": "00p",
        "ApprovalPolicy": "app",
    }
    for entity, prefix in prefixes.items():
        rows = session.ok(f"List/{entity}.json", {"max": 1})
        assert rows and rows[0]["id"].startswith(prefix) and ID.match(rows[0]["id"]), entity
    for entity, prefix in {
        "SentPay": "stp",
        "BillPay": "blp",
        "ReceivedPay": "0rp",
        "User": "006",
        "Profile": "0po",
        "BankAccount": "bac",
    }.items():
        rows = session.ok(f"List/{entity}.json", {"max": 1})
        assert rows and rows[0]["id"].startswith(prefix), entity
    org = session.ok("Crud/Read/Organization.json", {"id": session.emulator.org_ids[0]})
    assert org["id"].startswith("008") and org["entity"] == "Organization"
