"""What works against the emulator works against BILL: the SDK meets BILL's answers end to end.

Each test drives the SDK against the emulator served by a real uvicorn (on asyncio and on
trio) and checks the error class the user catches, BILL's code and message, and what was sent.
Where the SDK cannot produce the request (no devKey, ``data`` that is not JSON, an id the SDK
would refuse), plain httpx sends it and the SDK's own decoder reads the answer.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

import httpx
import pytest

import bill_async
from bill_async._v2._wire import decode_envelope
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    Emulator,
    RunningEmulator,
)
from tests.integration.conftest import credential, make_client

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

LONG_NAME = "0" * 101


async def post_raw(served: RunningEmulator, path: str, form: dict[str, str]) -> Any:
    """Send a form as is; the SDK's decoder reads the answer (raising its error class)."""
    async with httpx.AsyncClient(base_url=served.base_url + "/") as http:
        answer = await http.post(path, data=form)
    return decode_envelope(answer.status_code, answer.content, path)


# -- sign-in --------------------------------------------------------------------------------------


async def test_a_missing_dev_key_is_an_authentication_error(
    served: RunningEmulator, emulator: Emulator
) -> None:
    with pytest.raises(bill_async.AuthenticationError) as caught:
        await bill_async.list_orgs(
            user_name=DEMO_USER_NAME, password=DEMO_PASSWORD, dev_key="", base_url=served.base_url
        )
    assert (caught.value.code, caught.value.message) == (
        "BDC_1178",
        "Developer key must be specified.",
    )
    session = {"sessionId": "!any", "data": "{}"}
    with pytest.raises(bill_async.AuthenticationError) as caught:
        await post_raw(served, "GetSessionInfo.json", session)
    assert caught.value.code == "BDC_1178"
    assert emulator.counters.logins == 0


async def test_a_login_to_an_unreachable_organization_is_refused_and_remembered(
    served: RunningEmulator, emulator: Emulator
) -> None:
    elsewhere = "00802NOSUCHORGANIZAT"
    async with make_client(served.base_url, credential(elsewhere)) as client:
        for _ in range(3):
            with pytest.raises(bill_async.AuthenticationError) as caught:
                await client.vendors.list(page_size=1).collect()
            assert (caught.value.code, caught.value.message) == (
                "BDC_1129",
                f"Invalid parameter value for parameter,value: orgId, {elsewhere}.",
            )
    assert emulator.counters.paths["Login.json"] == 1  # a refused sign-in is not sent again
    assert emulator.counters.paths["List/Vendor.json"] == 0


async def test_an_untrusted_session_on_an_mfa_call_is_bills_own_refusal(
    served: RunningEmulator, emulator: Emulator, org_id: str
) -> None:
    # An mfaId BILL no longer trusts: the SDK believes the session trusted and sends the call.
    auth = credential(org_id, mfa_id="!forgotten", device_id="laptop")
    async with make_client(served.base_url, auth) as client:
        vendor = await client.vendors.create(name="Bank Vendor")
        with pytest.raises(bill_async.UntrustedSessionError) as caught:
            await client.call(
                "Crud/Create/VendorBankAccount.json",
                {
                    "obj": {
                        "entity": "VendorBankAccount",
                        "vendorId": vendor.id,
                        "nameOnAcct": "Bank Vendor",
                        "accountNumber": "123456789",
                        "routingNumber": "021000021",
                    }
                },
            )
    assert caught.value.code == "BDC_1361"
    accounts = emulator.objects(org_id, "VendorBankAccount")
    assert all(account["vendorId"] != vendor.id for account in accounts)  # nothing made


# -- input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("group", ["vendors", "customers"])
async def test_a_name_over_100_characters_is_invalid_input(
    client: bill_async.Client, emulator: Emulator, org_id: str, group: str
) -> None:
    entity = "Vendor" if group == "vendors" else "Customer"
    # The SDK refuses it before sending (tests/test_request_surface.py); by path, BILL refuses it.
    with pytest.raises(bill_async.InvalidRequestError, match="101 characters"):
        await getattr(client, group).create(name=LONG_NAME)
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.call(
            f"Crud/Create/{entity}.json", {"obj": {"entity": entity, "name": LONG_NAME}}
        )
    assert caught.value.message == (
        "Invalid entity data. name: Maximum length cannot be greater than 100 characters."
    )
    assert (caught.value.code, caught.value.field) == ("BDC_1119", "name")
    assert all(obj["name"] != LONG_NAME for obj in emulator.objects(org_id, entity))


@pytest.mark.parametrize(("value", "shown"), [("f", "f"), (None, "null")])
async def test_an_update_with_is_active_f_or_null_is_refused(
    client: bill_async.Client, emulator: Emulator, value: Any, shown: str
) -> None:
    vendor = await client.vendors.create(name="Stays Active")
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.call(
            "Crud/Update/Vendor.json",
            {"obj": {"entity": "Vendor", "id": vendor.id, "isActive": value}},
        )
    assert (caught.value.code, caught.value.message) == (
        "BDC_1119",
        f"Invalid field,value: isActive, {shown}.",
    )
    assert (caught.value.field, caught.value.value) == ("isActive", shown)
    assert (await client.vendors.read(vendor.id or "")).is_active is True


async def test_a_list_with_nested_set_to_a_number_is_refused(client: bill_async.Client) -> None:
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.call("List/Vendor.json", {"nested": 13})
    assert (caught.value.code, caught.value.message) == (
        "BDC_1129",
        "Invalid value for data key,value: nested, 13.",
    )
    assert (caught.value.field, caught.value.value) == ("nested", "13")


async def test_an_unknown_filter_field_sent_past_the_sdk_is_bills_refusal(
    client: bill_async.Client,
) -> None:
    with pytest.raises(bill_async.InvalidRequestError):  # the SDK's own check, before sending
        await client.vendors.list(filters=[bill_async.Filter("nmae", "=", "x")]).collect()
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.call(
            "List/Vendor.json", {"filters": [{"field": "nmae", "op": "=", "value": 1}]}
        )
    assert (caught.value.code, caught.value.message) == (
        "BDC_1130",
        "Invalid list filter field: nmae.",
    )


async def test_a_boolean_given_a_number_is_a_datatype_error(client: bill_async.Client) -> None:
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.call(
            "Crud/Create/Vendor.json", {"obj": {"entity": "Vendor", "name": "V", "track1099": 9}}
        )
    assert (caught.value.code, caught.value.message, caught.value.field) == (
        "BDC_1124",
        "Invalid field datatype: track1099.",
        "track1099",
    )


async def test_a_missing_required_field_is_named(client: bill_async.Client) -> None:
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.call("Crud/Create/Vendor.json", {"obj": {"entity": "Vendor"}})
    assert (caught.value.code, caught.value.message, caught.value.field) == (
        "BDC_1117",
        "Missing required data for: name.",
        "name",
    )


async def test_data_that_is_not_json_is_refused(
    served: RunningEmulator, client: bill_async.Client
) -> None:
    await client.login()
    session = client.session_manager.current
    assert session is not None
    form = {"devKey": DEMO_DEV_KEY, "sessionId": session.session_id, "data": "{not json"}
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await post_raw(served, "Crud/Read/Vendor.json", form)
    assert (caught.value.code, caught.value.message) == (
        "BDC_1122",
        "Error Parsing Json Object. Please check your request.",
    )


# -- ids ------------------------------------------------------------------------------------------


async def test_another_organizations_vendor_is_not_found(
    client: bill_async.Client, emulator: Emulator
) -> None:
    theirs = emulator.objects(emulator.org_ids[1], "Vendor")[0]["id"]
    with pytest.raises(bill_async.NotFoundError) as caught:
        await client.vendors.read(theirs)
    assert (caught.value.code, caught.value.message) == ("BDC_1120", "No data found.")


async def test_an_id_of_another_entity_is_invalid_input(client: bill_async.Client) -> None:
    customer = await client.customers.create(name="Not A Vendor")
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.vendors.read(customer.id or "")
    assert caught.value.message == f"Invalid value for data key,value: id, {customer.id}."
    assert (caught.value.field, caught.value.value) == ("id", customer.id)


async def test_a_bill_for_a_vendor_that_does_not_exist_is_refused(
    client: bill_async.Client, emulator: Emulator, org_id: str
) -> None:
    before = len(emulator.objects(org_id, "Bill"))
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.bills.create(
            vendor_id="00902NOSUCHVENDORabc",
            invoice_number="NOPE-1",
            invoice_date=_dt.date(2024, 7, 1),
            due_date=_dt.date(2024, 7, 31),
            bill_line_items=[{"amount": 5}],
        )
    assert (caught.value.code, caught.value.message) == (
        "BDC_1119",
        "Invalid field,value: id, 00902NOSUCHVENDORabc.",
    )
    assert len(emulator.objects(org_id, "Bill")) == before


# -- answers --------------------------------------------------------------------------------------


async def test_dates_without_zero_padding_are_taken(client: bill_async.Client) -> None:
    vendor = await client.vendors.create(name="Unpadded")
    made = await client.call(
        "Crud/Create/Bill.json",
        {
            "obj": {
                "entity": "Bill",
                "vendorId": vendor.id,
                "invoiceNumber": "U-1",
                "invoiceDate": "2025-9-1",
                "dueDate": "2025-9-15",
                "billLineItems": [{"entity": "BillLineItem", "amount": 5}],
            }
        },
    )
    bill = await client.bills.read(made["id"])
    assert (bill.invoice_date, bill.due_date) == (_dt.date(2025, 9, 1), _dt.date(2025, 9, 15))


async def test_a_plain_list_carries_child_rows(client: bill_async.Client) -> None:
    bills = await client.bills.list(page_size=5).collect()
    assert bills and all(bill.bill_line_items for bill in bills)
    payments = await client.sent_payments.list(page_size=5).collect()
    assert payments and all(payment.bill_pays for payment in payments)


async def test_objects_keep_bills_keys_through_the_sdk(client: bill_async.Client) -> None:
    item = await client.call(
        "Crud/Create/Item.json",
        {
            "obj": {
                "entity": "Item",
                "name": "Back Up Vocal Machine",
                "type": "3",
                "hasPurInfo": True,
                "purDescription": "bought in",
                "purCost": 60,
            }
        },
    )
    read = await client.items.read(item["id"])
    wire = read.to_wire()
    assert {key: wire[key] for key in ("hasPurInfo", "purDescription", "mergedIntoId")} == {
        "hasPurInfo": True,
        "purDescription": "bought in",
        "mergedIntoId": "00000000000000000000",
    }
    assert json.loads(json.dumps(wire, default=str))["purCost"] == 60


@pytest.mark.parametrize(
    ("path", "data", "code", "message"),
    [
        (
            "List/Vendor.json",
            {"max": 1000},
            "BDC_1129",
            "Invalid value for data key,value: max, 1000.",
        ),
        (
            "List/Vendor.json",
            {"start": -1},
            "BDC_1129",
            "Invalid value for data key,value: start, -1.",
        ),
        (
            "List/Vendor.json",
            {"showAudit": 0},
            "BDC_1129",
            "Invalid value for data key,value: showAudit, 0.",
        ),
        (
            "List/Vendor.json",
            {"filters": [{"field": "name", "op": "sw", "value": "A"}]},
            "BDC_1129",
            "Invalid value for data key,value: op, sw.",
        ),
        (
            "List/Vendor.json",
            {"sort": [{"field": "nmae"}]},
            "BDC_1130",
            "Invalid list filter field: nmae.",
        ),
        (
            "Crud/Read/Invoice.json",
            {"id": "1234567890"},
            "BDC_1129",
            "Invalid value for data key,value: id, 1234567890.",
        ),
        (
            "Crud/Create/Invoice.json",
            {
                "obj": {
                    "entity": "Invoice",
                    "customerId": "1234567890",
                    "invoiceNumber": "invoiceNumber",
                    "invoiceDate": "2015-9-1",
                    "dueDate": "2025-9-15",
                    "invoiceLineItems": [{"entity": "InvoiceLineItem", "quantity": 7}],
                }
            },
            "BDC_1119",
            "Invalid field,value: customerId, 1234567890.",
        ),
        (
            "Crud/Create/Vendor.json",
            {"obj": {"entity": "Customer", "name": "x"}},
            "BDC_1118",
            "Entity from CRUD operation: Vendor does not match the entity specified in the data: "
            "Customer.",
        ),
    ],
)
async def test_more_of_bills_refusals_reach_the_caller(
    client: bill_async.Client, path: str, data: dict[str, Any], code: str, message: str
) -> None:
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.call(path, data)
    assert (caught.value.code, caught.value.message) == (code, message)


async def test_a_payment_type_outside_bills_codes_and_a_bad_date_are_refused(
    client: bill_async.Client, emulator: Emulator, org_id: str
) -> None:
    customer = await client.customers.create(name="Payer")
    payment = {"customerId": customer.id, "paymentDate": "2024-7-1", "amount": 5}
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.call("RecordARPayment.json", {**payment, "paymentType": "9"})
    assert (caught.value.code, caught.value.message) == (
        "BDC_1119",
        "Invalid field,value: paymentType, 9.",
    )
    received = emulator.objects(org_id, "ReceivedPay")
    assert not [pay for pay in received if pay["customerId"] == customer.id]  # nothing recorded
    recorded = await client.call("RecordARPayment.json", {**payment, "paymentType": "1"})
    assert (recorded["paymentType"], recorded["paymentDate"]) == ("1", "2024-07-01")
    recurring = {
        "entity": "RecurringBill",
        "vendorId": (await client.vendors.create(name="Monthly")).id,
        "timePeriod": "2",
        "nextDueDate": "this is an invalid date",
    }
    with pytest.raises(bill_async.InvalidInputError) as caught:
        await client.call("Crud/Create/RecurringBill.json", {"obj": recurring})
    assert caught.value.message == (
        "Invalid value for data key,value: nextDueDate, this is an invalid date."
    )
    assert (caught.value.field, caught.value.value) == ("nextDueDate", "this is an invalid date")
