"""Create, Read, Update, Delete, Undelete, Bulk and List, over raw HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from bill_async import ENDPOINTS_BY_PATH
from tests.emulator.rawhttp import Raw, bill_obj


def test_vendor_lifecycle(session: Raw) -> None:
    vendor = session.create("Vendor", name="Lifecycle Vendor", email="a@b.example")
    assert vendor["nameOnCheck"] == "Lifecycle Vendor"
    assert vendor["createdTime"] == vendor["updatedTime"]
    updated = session.ok(
        "Crud/Update/Vendor.json",
        {"obj": {"entity": "Vendor", "id": vendor["id"], "phone": "555-0100", "balance": 999}},
    )
    assert updated["phone"] == "555-0100"
    assert updated["balance"] == 0  # read-only fields are silently ignored
    assert updated["createdTime"] == vendor["createdTime"]
    assert updated["updatedTime"] > vendor["updatedTime"]
    deleted = session.ok("Crud/Delete/Vendor.json", {"id": vendor["id"]})
    assert deleted["isActive"] == "2" and deleted["updatedTime"] > updated["updatedTime"]
    assert session.ok("Crud/Read/Vendor.json", {"id": vendor["id"]})["isActive"] == "2"
    undeleted = session.ok("Crud/Undelete/Vendor.json", {"id": vendor["id"]})
    assert undeleted["isActive"] == "1" and undeleted["updatedTime"] > deleted["updatedTime"]


NOT_AN_ID = "00902NOSUCHVENDORabcd"  # 21 characters: not the form of an id
NO_SUCH_VENDOR = "00902NOSUCHVENDORabc"  # a vendor id's form, naming nothing


@pytest.mark.parametrize(
    ("path", "data", "code", "message"),
    [
        (
            "Crud/Create/Vendor.json",
            {"obj": {"entity": "Vendor"}},
            "BDC_1117",
            "Missing required data for: name.",
        ),
        (
            "Crud/Create/Vendor.json",
            {"obj": {"entity": "Customer", "name": "x"}},
            "BDC_1118",
            "Entity from CRUD operation: Vendor does not match the entity specified in the "
            "data: Customer.",
        ),
        (
            "Crud/Create/Vendor.json",
            {"name": "not under obj"},
            "BDC_1117",
            "Missing required data for: obj.",
        ),
        (
            "Crud/Read/Vendor.json",
            {"id": NOT_AN_ID},
            "BDC_1129",
            f"Invalid value for data key,value: id, {NOT_AN_ID}.",
        ),
        ("Crud/Read/Vendor.json", {"id": NO_SUCH_VENDOR}, "BDC_1120", "No data found."),
        ("Crud/Read/Vendor.json", {}, "BDC_1117", "Missing required data for: id."),
        (
            "Crud/Update/Vendor.json",
            {"obj": {"entity": "Vendor", "name": "no id"}},
            "BDC_1117",
            "Missing required data for: id.",
        ),
        (
            "Crud/Delete/Customer.json",
            {"id": NOT_AN_ID},
            "BDC_1129",
            f"Invalid value for data key,value: id, {NOT_AN_ID}.",
        ),
        (
            "Crud/Create/Bill.json",
            {"obj": {"entity": "Bill", "vendorId": "00902NOSUCHVENDOR"}},
            "BDC_1119",
            "Invalid field,value: id, 00902NOSUCHVENDOR.",
        ),
    ],
)
def test_bad_arguments_get_bills_codes_and_messages(
    session: Raw, path: str, data: Any, code: str, message: str
) -> None:
    assert session.refusal(path, data) == (code, message)


def test_a_read_of_another_entitys_id_is_refused(session: Raw, vendor: dict[str, Any]) -> None:
    assert session.refusal("Crud/Read/Customer.json", {"id": vendor["id"]}) == (
        "BDC_1129",
        f"Invalid value for data key,value: id, {vendor['id']}.",
    )


def test_bills_compute_their_amounts_and_update_lines(session: Raw, vendor: dict[str, Any]) -> None:
    bill = session.ok("Crud/Create/Bill.json", {"obj": bill_obj(vendor["id"], 10.1, 20.2)})
    assert bill["amount"] == 30.3 and bill["dueAmount"] == 30.3
    assert bill["expense"] == {"count": 2, "totalAmount": 30.3, "chartOfAccountGroup": []}
    assert bill["multipleBillLineItems"] is True
    assert [line["lineOrder"] for line in bill["billLineItems"]] == [0, 1]
    assert all(line["billId"] == bill["id"] for line in bill["billLineItems"])
    assert session.ok("Crud/Read/Vendor.json", {"id": vendor["id"]})["balance"] == 30.3
    first = bill["billLineItems"][0]
    updated = session.ok(
        "Crud/Update/Bill.json",
        {
            "obj": {
                **bill_obj(vendor["id"]),
                "id": bill["id"],
                "billLineItems": [{"entity": "BillLineItem", "id": first["id"], "amount": 5}],
            }
        },
    )
    assert updated["amount"] == 5 and len(updated["billLineItems"]) == 1
    assert updated["billLineItems"][0]["id"] == first["id"]
    assert session.ok("Crud/Read/Vendor.json", {"id": vendor["id"]})["balance"] == 5
    bad = {**bill_obj(vendor["id"]), "id": bill["id"], "invoiceDate": "31/07/2024"}
    assert session.refusal("Crud/Update/Bill.json", {"obj": bad}) == (
        "BDC_1129",
        "Invalid value for data key,value: invoiceDate, 31/07/2024.",
    )
    assert session.ok("Crud/Read/Bill.json", {"id": bill["id"]})["invoiceDate"] == "2024-07-01"


def test_a_bill_needs_a_line_and_an_active_vendor(session: Raw, vendor: dict[str, Any]) -> None:
    no_lines = {**bill_obj(vendor["id"]), "billLineItems": []}
    assert session.refusal("Crud/Create/Bill.json", {"obj": no_lines}) == (
        "BDC_1117",
        "Missing required data for: billLineItems.",
    )
    session.ok("Crud/Delete/Vendor.json", {"id": vendor["id"]})
    assert session.refusal("Crud/Create/Bill.json", {"obj": bill_obj(vendor["id"])}) == (
        "BDC_1119",
        f"Invalid field,value: id, {vendor['id']}.",
    )


def test_invoices_compute_lines_tax_and_amount_due(session: Raw) -> None:
    customer = session.create("Customer", name="Invoice Customer")
    taxed = session.create("Item", name="Taxed", price=100, taxable=True)
    invoice = session.create(
        "Invoice",
        customerId=customer["id"],
        invoiceNumber="INV-1",
        invoiceDate="2024-07-01",
        dueDate="2024-07-31",
        salesTaxPercentage=10,
        invoiceLineItems=[
            {"entity": "InvoiceLineItem", "itemId": taxed["id"], "quantity": 2},
            {"entity": "InvoiceLineItem", "price": 50, "quantity": 1, "taxable": False},
            {"entity": "InvoiceLineItem", "ratePercent": -10},
        ],
    )
    lines = invoice["invoiceLineItems"]
    assert [line["amount"] for line in lines] == [200, 50, -25]
    assert invoice["salesTaxTotal"] == 20
    assert invoice["amount"] == 245 and invoice["amountDue"] == 245
    assert invoice["paymentStatus"] == "1"
    assert session.ok("Crud/Read/Customer.json", {"id": customer["id"]})["balance"] == 245


def test_bulk_answers_one_envelope_per_item(session: Raw) -> None:
    answer = session.ok(
        "Bulk/Crud/Create/Vendor.json",
        {
            "bulk": [
                {"obj": {"entity": "Vendor", "name": "Bulk One"}},
                {"obj": {"entity": "Vendor"}},
                {"obj": {"entity": "Vendor", "name": "Bulk Three"}},
            ]
        },
    )
    items = answer["bulk"]
    assert [item["response_status"] for item in items] == [0, 1, 0]
    assert items[0]["response_data"]["name"] == "Bulk One"
    assert items[1]["response_data"] == {
        "error_code": "BDC_1117",
        "error_message": "Missing required data for: name.",
    }
    ids = [items[0]["response_data"]["id"], items[2]["response_data"]["id"], "nope"]
    deleted = session.ok("Bulk/Crud/Delete/Vendor.json", {"bulk": [{"id": i} for i in ids]})
    assert [item["response_status"] for item in deleted["bulk"]] == [0, 0, 1]
    assert deleted["bulk"][0]["response_data"]["isActive"] == "2"
    updated = session.ok(
        "Bulk/Crud/Update/Vendor.json",
        {"bulk": [{"obj": {"entity": "Vendor", "id": ids[0], "email": "x@y.example"}}]},
    )
    assert updated["bulk"][0]["response_data"]["email"] == "x@y.example"


def test_bulk_takes_at_most_100_items(session: Raw) -> None:
    items = [{"obj": {"entity": "Vendor", "name": f"V{n}"}} for n in range(101)]
    # BILL's answer past 100 items is not known: the emulator's own (docs/decisions.md).
    assert session.error("Bulk/Crud/Create/Vendor.json", {"bulk": items}) == "BDC_1002"
    assert session.refusal("Bulk/Crud/Create/Vendor.json", {"bulk": []}) == (
        "BDC_1117",
        "Missing required data for: bulk.",
    )
    answer = session.ok("Bulk/Crud/Create/Vendor.json", {"bulk": items[:100]})
    assert len(answer["bulk"]) == 100


def test_crud_works_for_every_creatable_entity(session: Raw) -> None:
    vendor = session.create("Vendor", name="Any")
    customer = session.create("Customer", name="Any")
    profile = session.ok("List/Profile.json", {"max": 1})[0]
    policy = session.create("ApprovalPolicy", name="Any")
    user = session.create(
        "User", firstName="Ann", lastName="Lee", email="ann@x.example", profileId=profile["id"]
    )
    objects = {
        "CustomerContact": {"customerId": customer["id"], "firstName": "Bo"},
        "CustomerBankAccount": {
            "customerId": customer["id"],
            "nameOnAccount": "Any",
            "accountNumber": "99887766",
            "routingNumber": "011401533",
        },
        "RecurringInvoice": {
            "customerId": customer["id"],
            "timePeriod": "1",
            "nextDueDate": "2024-09-01",
        },
        "CreditMemo": {"customerId": customer["id"], "creditDate": "2024-07-01", "amount": 5},
        "RecurringBill": {"vendorId": vendor["id"], "timePeriod": "1", "nextDueDate": "2024-09-01"},
        "VendorCredit": {
            "vendorId": vendor["id"],
            "refNumber": "VC-1",
            "creditDate": "2024-07-01",
            "amount": 20,
        },
        "ApprovalPolicyApprover": {"approvalPolicyId": policy["id"], "usersId": user["id"]},
        "ChartOfAccount": {"name": "Any", "accountType": "13"},
        "Department": {"name": "Any"},
        "Location": {"name": "Any"},
        "ActgClass": {"name": "Any"},
        "Job": {"name": "Any", "customerId": customer["id"]},
        "Item": {"name": "Any", "price": 3},
        "Employee": {"firstName": "Cy", "lastName": "Doe"},
        "PaymentTerm": {"name": "Net 60", "dueDays": 60},
    }
    for entity, fields in objects.items():
        created = session.create(entity, **fields)
        read = session.ok(f"Crud/Read/{entity}.json", {"id": created["id"]})
        assert read == created, entity
        if f"List/{entity}.json" in ENDPOINTS_BY_PATH:
            query = {"filters": [{"field": "id", "op": "=", "value": created["id"]}]}
            listed = session.ok(f"List/{entity}.json", query)
            assert [row["id"] for row in listed] == [created["id"]], entity
        assert session.ok(f"Crud/Delete/{entity}.json", {"id": created["id"]})["isActive"] == "2"


def test_only_one_active_bank_account_per_vendor(session: Raw, vendor: dict[str, Any]) -> None:
    session.emulator.state.sessions[session.session_id].trusted = True
    account = {
        "vendorId": vendor["id"],
        "nameOnAcct": "Fixture",
        "accountNumber": "1234",
        "routingNumber": "021000021",
    }
    first = session.create("VendorBankAccount", **account)
    assert session.error(
        "Crud/Create/VendorBankAccount.json", {"obj": {"entity": "VendorBankAccount", **account}}
    ) == ("BDC_1002")
    session.ok("Crud/Delete/VendorBankAccount.json", {"id": first["id"]})
    read = session.ok("Crud/Read/Vendor.json", {"id": vendor["id"]})
    assert read["payBy"] == "0" and read["vendorBankAccountStatus"] == -1
    session.create("VendorBankAccount", **account)


# -- List -----------------------------------------------------------------------------------------


def names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["name"] for row in rows]


@pytest.fixture
def five(session: Raw) -> list[dict[str, Any]]:
    """Five new vendors, with a few fields to filter on."""
    return [
        session.create(
            "Vendor", name=f"List {n}", accNumber=f"A{n}", track1099=n % 2 == 0, taxId=str(n)
        )
        for n in range(5)
    ]


def list_vendors(session: Raw, **data: Any) -> list[dict[str, Any]]:
    filters = data.pop("filters", [])
    filters.append({"field": "name", "op": "in", "value": [f"List {n}" for n in range(5)]})
    rows: list[dict[str, Any]] = session.ok("List/Vendor.json", {"filters": filters, **data})
    return rows


def test_list_pages_with_start_and_max(session: Raw, five: list[dict[str, Any]]) -> None:
    assert names(list_vendors(session)) == [f"List {n}" for n in range(5)]
    assert names(list_vendors(session, start=1, max=2)) == ["List 1", "List 2"]
    assert names(list_vendors(session, start=4, max=2)) == ["List 4"]
    assert list_vendors(session, start=5, max=2) == []
    assert session.refusal("List/Vendor.json", {"max": 1000}) == (
        "BDC_1129",
        "Invalid value for data key,value: max, 1000.",
    )
    assert session.refusal("List/Vendor.json", {"start": -1}) == (
        "BDC_1129",
        "Invalid value for data key,value: start, -1.",
    )


def test_list_defaults_to_999_rows(session: Raw) -> None:
    for chunk in range(11):
        items = [{"obj": {"entity": "Vendor", "name": f"Many {chunk}-{n}"}} for n in range(100)]
        session.ok("Bulk/Crud/Create/Vendor.json", {"bulk": items})
    assert len(session.ok("List/Vendor.json", {})) == 999
    total = len(session.emulator.objects(session.emulator.org_ids[0], "Vendor"))
    assert len(session.ok("List/Vendor.json", {"start": 999})) == total - 999


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("accNumber", "=", "A2", [2]),
        ("accNumber", "!=", "A2", [0, 1, 3, 4]),
        ("accNumber", "in", ["A1", "A3"], [1, 3]),
        ("accNumber", "nin", ["A1", "A3"], [0, 2, 4]),
        ("accNumber", ">", "A2", [3, 4]),
        ("accNumber", "<=", "A1", [0, 1]),
        ("track1099", "=", True, [0, 2, 4]),
        ("track1099", "=", "false", [1, 3]),
        ("isActive", "=", "1", [0, 1, 2, 3, 4]),
        ("balance", ">=", 0, [0, 1, 2, 3, 4]),
        ("balance", ">", "0", []),
    ],
)
def test_list_filters(
    session: Raw, five: list[dict[str, Any]], field: str, op: str, value: Any, expected: list[int]
) -> None:
    rows = list_vendors(session, filters=[{"field": field, "op": op, "value": value}])
    assert names(rows) == [f"List {n}" for n in expected]


def test_list_filters_compare_timestamps_as_instants(session: Raw) -> None:
    before = session.create("Vendor", name="Before")
    after = session.create("Vendor", name="After")
    stamp = after["updatedTime"]  # strictly later than before's

    def updated(op: str, value: str) -> list[str]:
        rows = session.ok(
            "List/Vendor.json",
            {
                "filters": [
                    {"field": "updatedTime", "op": op, "value": value},
                    {"field": "name", "op": "in", "value": ["Before", "After"]},
                ]
            },
        )
        return names(rows)

    assert updated(">=", stamp) == ["After"]
    assert updated("<", stamp) == ["Before"]
    assert updated("=", before["updatedTime"]) == ["Before"]
    # The same instant written with another offset, and a plain date (midnight UTC).
    date, clock = stamp[:10], stamp[11:23]
    hours = int(clock[:2])
    shifted = f"{date}T{(hours + 1) % 24:02d}{clock[2:]}+0100" if hours < 23 else stamp
    assert updated(">=", shifted) == ["After"]
    assert updated(">=", "2000-01-01") == ["Before", "After"]
    assert updated("<", "2000-01-01") == []
    assert session.refusal(
        "List/Vendor.json", {"filters": [{"field": "updatedTime", "op": ">", "value": "soon"}]}
    ) == ("BDC_1119", "Invalid field,value: updatedTime, soon.")


def test_list_filters_compare_dates(session: Raw, vendor: dict[str, Any]) -> None:
    for n, day in enumerate(("2024-01-31", "2024-02-01", "2024-12-01")):
        session.ok(
            "Crud/Create/Bill.json",
            {"obj": {**bill_obj(vendor["id"], number=f"D{n}"), "dueDate": day}},
        )
    rows = session.ok(
        "List/Bill.json",
        {
            "filters": [
                {"field": "vendorId", "op": "=", "value": vendor["id"]},
                {"field": "dueDate", "op": ">", "value": "2024-01-31T23:00:00.000-0500"},
            ]
        },
    )
    assert [row["invoiceNumber"] for row in rows] == ["D1", "D2"]


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (
            {"filters": [{"field": "nmae", "op": "=", "value": "x"}]},
            "BDC_1130",
            "Invalid list filter field: nmae.",
        ),
        (
            {"filters": [{"field": "name", "op": "sw", "value": "x"}]},
            "BDC_1129",
            "Invalid value for data key,value: op, sw.",
        ),
        (
            {"filters": [{"field": "name", "op": "in", "value": 3}]},
            "BDC_1119",
            "Invalid field,value: name, 3.",
        ),
        ({"sort": [{"field": "nmae"}]}, "BDC_1130", "Invalid list filter field: nmae."),
        ({"nested": 13}, "BDC_1129", "Invalid value for data key,value: nested, 13."),
        ({"nested": 1}, "BDC_1129", "Invalid value for data key,value: nested, 1."),
        ({"showAudit": 0}, "BDC_1129", "Invalid value for data key,value: showAudit, 0."),
        ({"max": "many"}, "BDC_1129", "Invalid value for data key,value: max, many."),
    ],
)
def test_list_refuses_unknown_fields_operators_and_options(
    session: Raw, data: dict[str, Any], code: str, message: str
) -> None:
    assert session.refusal("List/Vendor.json", data) == (code, message)


def test_list_takes_boolean_options(session: Raw) -> None:
    for value in (True, False, "true", "false"):
        assert session.ok("List/Vendor.json", {"max": 1, "nested": value, "showAudit": value})


@pytest.mark.parametrize(
    ("descending", "ascending"), [("false", "true"), (False, True), (0, 1), ("0", "1")]
)
def test_list_sorts_with_any_spelling_of_asc(
    session: Raw, five: list[dict[str, Any]], descending: Any, ascending: Any
) -> None:
    rows = list_vendors(session, sort=[{"field": "name", "asc": descending}])
    assert names(rows) == [f"List {n}" for n in reversed(range(5))]
    rows = list_vendors(session, sort=[{"field": "name", "asc": ascending}])
    assert names(rows) == [f"List {n}" for n in range(5)]


def test_list_sorts_on_several_keys(session: Raw, five: list[dict[str, Any]]) -> None:
    rows = list_vendors(
        session, sort=[{"field": "track1099", "asc": "true"}, {"field": "name", "asc": "false"}]
    )
    assert names(rows) == ["List 3", "List 1", "List 4", "List 2", "List 0"]


def test_list_carries_child_rows_with_or_without_nested(session: Raw, bill: dict[str, Any]) -> None:
    # BILL's captured answers to a plain {start, max} List/Bill carry line items (a 2015 answer
    # and the 2024 List_Bill fixture), whatever the reference says of nested.
    query = {"filters": [{"field": "id", "op": "=", "value": bill["id"]}]}
    plain = session.ok("List/Bill.json", query)[0]
    nested = session.ok("List/Bill.json", {**query, "nested": True})[0]
    assert plain == nested == bill
    assert [line["amount"] for line in plain["billLineItems"]] == [100, 50.25]
