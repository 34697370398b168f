"""The emulator refuses what BILL refuses, with BILL's codes and messages, over raw HTTP.

The expected messages are the ones BILL's own Node client's tests assert against BILL's sandbox
(berkalpyakici/bdc-hackrice, functions/BDCClientLibrary/spec/*.spec.js) where they exist, and
the templates of BILL's error table (tests/reference/v2-error-codes.tsv) filled in otherwise;
docs/decisions.md says which is which.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bill_async import ENDPOINTS, ENDPOINTS_BY_PATH, Endpoint, Kind, Shape
from bill_async.emulator import DEMO_DEV_KEY, DEMO_PASSWORD, DEMO_USER_NAME, _app, create_app
from tests.emulator.rawhttp import Raw, bill_obj, refusal_of

DOCS_EXAMPLES = Path(__file__).parent.parent / "reference" / "bill-v2-docs-examples"
LONG_NAME = "0" * 101  # BILL's Node client's tests build it the same way


def example(entity: str) -> dict[str, Any]:
    path = DOCS_EXAMPLES / f"bill-devsupport__Crud_Create_{entity}.json"
    data: dict[str, Any] = json.loads(path.read_text())["response_data"]
    return data


# -- sign-in and the devKey -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["GetSessionInfo.json", "Login.json", "ListOrgs.json"])
def test_a_missing_dev_key_is_refused_as_bill_refuses_it(session: Raw, path: str) -> None:
    form = {
        "sessionId": session.session_id,
        "userName": DEMO_USER_NAME,
        "password": DEMO_PASSWORD,
        "orgId": session.emulator.org_ids[0],
    }
    before = len(session.emulator.state.sessions)
    envelope = session.post(path, form).json()
    assert refusal_of(envelope) == ("BDC_1178", "Developer key must be specified.")
    assert len(session.emulator.state.sessions) == before  # no session opened


def test_a_login_to_an_organization_the_user_cannot_reach_names_org_id(raw: Raw) -> None:
    for org_id in ("fakeOrganizationId", "00802NOSUCHORGANIZAT"):
        assert refusal_of(raw.login(org_id)) == (
            "BDC_1129",
            f"Invalid parameter value for parameter,value: orgId, {org_id}.",
        )
    assert not raw.emulator.state.sessions


# -- objects: lengths, datatypes, code lists ------------------------------------------------------


@pytest.mark.parametrize("entity", ["Vendor", "Customer"])
def test_a_name_over_100_characters_is_refused_on_create_and_update(
    session: Raw, entity: str
) -> None:
    too_long = (
        "BDC_1119",
        "Invalid entity data. name: Maximum length cannot be greater than 100 characters.",
    )
    path = f"Crud/Create/{entity}.json"
    assert session.refusal(path, {"obj": {"entity": entity, "name": LONG_NAME}}) == too_long
    made = session.create(entity, name="0" * 100)  # 100 is allowed
    update = {"obj": {"entity": entity, "id": made["id"], "name": LONG_NAME}}
    assert session.refusal(f"Crud/Update/{entity}.json", update) == too_long
    assert session.ok(f"Crud/Read/{entity}.json", {"id": made["id"]})["name"] == "0" * 100


@pytest.mark.parametrize(("value", "shown"), [("f", "f"), (None, "null"), ("null", "null")])
def test_an_update_with_is_active_f_or_null_is_refused(
    session: Raw, vendor: dict[str, Any], value: Any, shown: str
) -> None:
    update = {"obj": {"entity": "Vendor", "id": vendor["id"], "isActive": value, "phone": "1"}}
    assert session.refusal("Crud/Update/Vendor.json", update) == (
        "BDC_1119",
        f"Invalid field,value: isActive, {shown}.",
    )
    read = session.ok("Crud/Read/Vendor.json", {"id": vendor["id"]})
    assert read["isActive"] == "1" and read["phone"] == vendor["phone"]  # nothing changed


def test_a_boolean_field_given_a_number_is_a_datatype_error(session: Raw) -> None:
    customer = session.create("Customer", name="Datatype Customer")
    invoice = session.create(
        "Invoice",
        customerId=customer["id"],
        invoiceNumber="DT-1",
        invoiceDate="2024-07-01",
        dueDate="2024-07-31",
        invoiceLineItems=[{"entity": "InvoiceLineItem", "price": 5, "quantity": 1}],
    )
    update = {"obj": {**invoice, "isToBeEmailed": 9}}
    assert session.refusal("Crud/Update/Invoice.json", update) == (
        "BDC_1124",
        "Invalid field datatype: isToBeEmailed.",
    )
    vendor = {"obj": {"entity": "Vendor", "name": "V", "track1099": "yes"}}
    assert session.refusal("Crud/Create/Vendor.json", vendor) == (
        "BDC_1124",
        "Invalid field datatype: track1099.",
    )


def test_an_amount_that_is_not_a_number_is_a_datatype_error(
    session: Raw, vendor: dict[str, Any]
) -> None:
    obj = {**bill_obj(vendor["id"]), "billLineItems": [{"entity": "BillLineItem", "amount": "x"}]}
    assert session.refusal("Crud/Create/Bill.json", {"obj": obj}) == (
        "BDC_1124",
        "Invalid field datatype: amount.",
    )


def test_a_payment_type_outside_bills_codes_is_refused(session: Raw) -> None:
    customer = session.create("Customer", name="Payer")
    payment = {"customerId": customer["id"], "paymentDate": "2024-07-01", "amount": 5}
    assert session.refusal("RecordARPayment.json", {**payment, "paymentType": "9"}) == (
        "BDC_1119",
        "Invalid field,value: paymentType, 9.",
    )
    recorded = session.ok("RecordARPayment.json", {**payment, "paymentType": "0"})
    assert recorded["paymentType"] == "0"


# -- dates ----------------------------------------------------------------------------------------


def test_dates_without_zero_padding_are_accepted_and_stored_padded(
    session: Raw, vendor: dict[str, Any]
) -> None:
    # BILL's own Node client sends dates this way (invoiceDate: '2025-9-1') and BILL takes them.
    obj = {**bill_obj(vendor["id"]), "invoiceDate": "2025-9-1", "dueDate": "2025-9-15"}
    bill = session.ok("Crud/Create/Bill.json", {"obj": obj})
    assert (bill["invoiceDate"], bill["dueDate"]) == ("2025-09-01", "2025-09-15")
    rows = session.ok(
        "List/Bill.json", {"filters": [{"field": "dueDate", "op": "=", "value": "2025-9-15"}]}
    )
    assert [row["id"] for row in rows] == [bill["id"]]


@pytest.mark.parametrize("value", ["this is an invalid date", 9, "2025-02-30"])
def test_a_date_that_is_not_a_date_is_refused(
    session: Raw, vendor: dict[str, Any], value: Any
) -> None:
    recurring = {
        "entity": "RecurringBill",
        "vendorId": vendor["id"],
        "timePeriod": "2",
        "nextDueDate": value,
    }
    assert session.refusal("Crud/Create/RecurringBill.json", {"obj": recurring}) == (
        "BDC_1129",
        f"Invalid value for data key,value: nextDueDate, {value}.",
    )


# -- ids ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ["Vendor", "Customer", "Invoice", "RecurringBill"])
def test_a_read_of_something_that_is_not_an_id(session: Raw, entity: str) -> None:
    assert session.refusal(f"Crud/Read/{entity}.json", {"id": "1234567890"}) == (
        "BDC_1129",
        "Invalid value for data key,value: id, 1234567890.",
    )


def test_another_organizations_ids_are_not_found_or_refused(session: Raw) -> None:
    emulator = session.emulator
    vendors = emulator.objects(emulator.org_ids[1], "Vendor")
    theirs = next(vendor["id"] for vendor in vendors if vendor["isActive"] == "1")
    assert session.refusal("Crud/Read/Vendor.json", {"id": theirs}) == (
        "BDC_1120",
        "No data found.",
    )
    assert session.refusal("Crud/Create/Bill.json", {"obj": bill_obj(theirs)}) == (
        "BDC_1119",
        f"Invalid field,value: id, {theirs}.",
    )
    assert session.refusal("Crud/Delete/Vendor.json", {"id": theirs}) == (
        "BDC_1120",
        "No data found.",
    )
    assert emulator.get(theirs)["isActive"] == "1"  # type: ignore[index]


def test_a_reference_to_nothing_names_the_field(session: Raw) -> None:
    invoice = {
        "entity": "Invoice",
        "customerId": "1234567890",
        "invoiceNumber": "invoiceNumber",
        "invoiceDate": "2015-9-1",
        "dueDate": "2025-9-15",
        "invoiceLineItems": [{"entity": "InvoiceLineItem", "quantity": 7, "price": 1}],
    }
    assert session.refusal("Crud/Create/Invoice.json", {"obj": invoice}) == (
        "BDC_1119",
        "Invalid field,value: customerId, 1234567890.",
    )


def test_a_bank_accounts_owner_that_is_not_an_id_is_invalid_entity_data(session: Raw) -> None:
    session.emulator.state.sessions[session.session_id].trusted = True
    account = {
        "entity": "VendorBankAccount",
        "vendorId": "vendorId",
        "nameOnAcct": "nameOnAcct",
        "routingNumber": "routingNumber",
        "accountNumber": "accountNumber",
    }
    assert session.refusal("Crud/Create/VendorBankAccount.json", {"obj": account}) == (
        "BDC_1119",
        "Invalid entity data. Invalid DB ID: vendorId.",
    )


def test_a_payment_to_a_vendor_that_is_not_an_id(session: Raw, bill: dict[str, Any]) -> None:
    fake = "00901SZQNDBJSAXN1josx"  # BILL's Node client's test uses this one
    payment = {
        "vendorId": fake,
        "processDate": "2025-10-15",
        "toPrintCheck": False,
        "billPays": [{"billId": bill["id"], "amount": 1}],
    }
    assert session.refusal("RecordAPPayment.json", payment) == (
        "BDC_1129",
        f"Invalid value for data key,value: vendorId, {fake}.",
    )


# -- the endpoint table ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_table_row_without_a_handler_is_answered_as_an_unknown_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = Endpoint("NewOperation.json", "misc", "new_operation", Kind.READ, Shape.DATA, None)
    rows = (*ENDPOINTS, row)
    monkeypatch.setattr(_app, "ENDPOINTS", rows)
    monkeypatch.setattr(_app, "ENDPOINTS_BY_PATH", {**ENDPOINTS_BY_PATH, row.path: row})
    emulator = create_app()  # builds: the row lacks a handler, which does not stop it
    transport = httpx.ASGITransport(app=emulator)
    async with httpx.AsyncClient(transport=transport, base_url="http://bill.test") as http:
        form = {"devKey": DEMO_DEV_KEY, "sessionId": "!unknown"}
        answer = await http.post("/api/v2/NewOperation.json", data=form)
        known = await http.post("/api/v2/GetSessionInfo.json", data=form)
    assert answer.status_code == 404
    assert refusal_of(answer.json()) == ("BDC_1121", "API not supported.")
    assert refusal_of(known.json())[0] == "BDC_1109"  # the rows it has are served as before


# -- BILL's keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entity", ["ChartOfAccount", "Department", "Employee", "Item", "Job", "Location"]
)
def test_objects_have_bills_keys_in_bills_order_and_keep_what_is_sent(
    session: Raw, entity: str
) -> None:
    real = example(entity)
    sent = {
        key: value
        for key, value in real.items()
        if key not in ("entity", "id", "isActive", "createdTime", "updatedTime")
        and not key.startswith(("parent", "merged"))
        and key not in ("chartOfAccountId", "expenseAccount")
    }
    made = session.create(entity, **sent)
    assert list(made) == list(real)
    assert {key: made[key] for key in sent} == sent
    assert list(session.ok(f"List/{entity}.json", {"max": 1})[0]) == list(real)


def test_payments_carry_bills_keys(session: Raw, bill: dict[str, Any]) -> None:
    account = session.emulator.objects(session.emulator.org_ids[0], "ChartOfAccount")[0]
    sent = session.ok(
        "RecordAPPayment.json",
        {
            "vendorId": bill["vendorId"],
            "processDate": "2024-07-15",
            "chartOfAccountId": account["id"],
            "syncReference": "check 1001",
            "toPrintCheck": True,
            "billPays": [{"billId": bill["id"], "amount": 10}],
        },
    )
    assert {"paymentType", "voidRequests"} <= set(sent)
    [bill_pay] = sent["billPays"]
    assert {
        key: bill_pay[key]
        for key in ("chartOfAccountId", "paymentType", "syncReference", "toPrintCheck")
    } == {
        "chartOfAccountId": account["id"],
        "paymentType": sent["paymentType"],
        "syncReference": "check 1001",
        "toPrintCheck": True,
    }
    listed = session.ok(
        "List/SentPay.json", {"filters": [{"field": "id", "op": "=", "value": sent["id"]}]}
    )
    assert listed == [sent]  # child rows included without nested
