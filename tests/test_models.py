"""Models: BILL's conventions as Python types, and exact round trips of real payloads."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import bill_async
from bill_async._v2 import _wire as wire
from bill_async._v2._models import MODELS_BY_ENTITY
from tests.fakebill import FakeBill, client, ok

FIXTURES = Path(__file__).parent / "fixtures"


def payload_objects() -> list[tuple[str, dict[str, Any]]]:
    """Every BILL object in every real payload: (where, the object as received)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(FIXTURES.glob("*.json")):
        data = wire.loads(path.read_bytes())["response_data"]
        items = data if isinstance(data, list) else [data]
        if isinstance(data, dict) and "bulk" in data:
            items = [item["response_data"] for item in data["bulk"]]
        found.extend((path.name, item) for item in items if "entity" in item)
    return found


OBJECTS = payload_objects()


def test_every_fixture_with_an_entity_was_found() -> None:
    names = {name for name, _ in OBJECTS}
    assert names == {
        "Bulk_Crud_Create_Vendor.json",
        "Crud_Read_Bill.json",
        "Crud_Read_Customer.json",
        "Crud_Read_CustomerBankAccount.json",
        "Crud_Read_Invoice.json",
        "Crud_Read_Vendor.json",
        "Crud_Read_VendorBankAccount.json",
        "List_Bill.json",
        "List_Vendor.json",
    }


@pytest.mark.parametrize(("name", "obj"), OBJECTS, ids=[n for n, _ in OBJECTS])
def test_every_payload_round_trips_exactly(name: str, obj: dict[str, Any]) -> None:
    model = MODELS_BY_ENTITY[obj["entity"]].from_wire(obj)
    back = model.to_wire()
    assert back == obj
    assert list(back) == list(obj)  # key order too
    for key, value in obj.items():  # and types, field for field (1 is not True, 0 is not 0.0)
        assert type(back[key]) is type(value), key
    # The same JSON text as BILL's (after our parse), undeclared fields included.
    assert json.dumps(back, default=str) == json.dumps(obj, default=str)
    assert set(model.extra) == set(obj) - {
        a.metadata.get("wire") or bill_async._v2._convert.camel(a.name)
        for a in attrs.fields(type(model))
    } - {"entity"}


def test_conventions_become_python_types() -> None:
    (_, vendor_wire) = next(o for o in OBJECTS if o[1]["entity"] == "Vendor")
    vendor = bill_async.Vendor.from_wire(vendor_wire)
    assert vendor.is_active is True
    assert vendor.pay_by is bill_async.PayBy.CHECK
    assert vendor.created_time == dt.datetime(2024, 7, 30, 19, 31, tzinfo=dt.UTC)
    assert vendor.created_time.tzinfo is not None
    assert vendor.merged_into_id is None  # the all-zero id
    assert vendor.balance == Decimal(0) and isinstance(vendor.balance, Decimal)
    assert vendor.extra["vendorBankAccountStatus"] == -1
    assert "PaymentusMerchantId" in vendor.extra

    (_, bill_wire) = next(o for o in OBJECTS if o[1]["entity"] == "Bill")
    bill = bill_async.Bill.from_wire(bill_wire)
    assert bill.invoice_date == dt.date(2024, 7, 1)
    assert bill.approval_status is bill_async.ApprovalStatus.UNASSIGNED
    assert bill.payment_status is bill_async.PaymentStatus.OPEN
    assert bill.amount == Decimal(1)
    assert bill.paid_amount is None
    assert bill.bill_line_items is not None
    assert bill.bill_line_items[0].bill_id == bill.id
    assert isinstance(bill.bill_line_items[0], bill_async.BillLineItem)

    (_, invoice_wire) = next(o for o in OBJECTS if o[1]["entity"] == "Invoice")
    invoice = bill_async.Invoice.from_wire(invoice_wire)
    assert invoice.fob is None and "FOB" not in invoice.extra
    assert invoice.invoice_line_items is not None
    assert invoice.invoice_line_items[0].price == Decimal(12)


def test_models_are_frozen_and_slotted() -> None:
    vendor = bill_async.Vendor(name="x")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        vendor.name = "y"  # type: ignore[misc]
    assert not hasattr(vendor, "__dict__")


def test_amounts_stay_exact() -> None:
    total = Decimal("0.1") + Decimal("0.2")
    bill = bill_async.Bill(amount=total, due_amount=Decimal("1189.99"))
    assert bill.to_wire() == {"amount": Decimal("0.3"), "dueAmount": Decimal("1189.99")}
    assert wire.dumps(bill.to_wire()) == '{"amount":0.3,"dueAmount":1189.99}'
    answer = wire.loads(b'{"entity":"Bill","amount":0.30,"dueAmount":0.1}')
    parsed = bill_async.Bill.from_wire(answer)
    assert parsed.amount == Decimal("0.30") and parsed.due_amount == Decimal("0.1")
    assert parsed.amount + parsed.due_amount == Decimal("0.40")  # no float arithmetic anywhere
    assert parsed.to_wire() == answer


def test_odd_values_are_kept_as_sent() -> None:
    odd = {
        "entity": "Bill",
        "id": "00n1",
        "invoiceDate": "20240701",  # not BILL's form: kept as sent
        "paymentStatus": "9",  # an unknown code: kept as a string
        "isActive": "3",  # neither "1" nor "2"
        "vendorId": None,  # a null id is not all zeros
        "amount": "12.50",  # a string amount: kept as sent
        "newField": {"nested": [1, 2]},
    }
    bill = bill_async.Bill.from_wire(odd)
    assert bill.invoice_date is None and bill.extra["invoiceDate"] == "20240701"
    assert bill.payment_status == "9"
    assert bill.is_active is None and bill.extra["isActive"] == "3"
    assert bill.vendor_id is None
    assert bill.amount is None and bill.extra["amount"] == "12.50"
    assert bill.to_wire() == odd
    assert list(bill.to_wire()) == list(odd)


@pytest.mark.parametrize(("name", "obj"), OBJECTS, ids=[n for n, _ in OBJECTS])
def test_keywords_go_to_the_wire_as_a_model_built_from_them_would(
    name: str, obj: dict[str, Any]
) -> None:
    # What create(**fields) sends is built without the model; it must be the model's wire dict.
    cls = MODELS_BY_ENTITY[obj["entity"]]
    received = cls.from_wire(obj)
    names = bill_async._v2._convert.wire_names(cls)
    values = {n: getattr(received, n) for n in reversed(names) if getattr(received, n) is not None}
    assert len(values) > 3
    expected = cls(**values).to_wire()
    sent = bill_async._v2._convert.fields_to_wire(cls, values)
    assert list(sent.items()) == list(expected.items())  # declaration order, not argument order


def test_a_value_set_over_one_bill_sent_unreadably_is_the_one_sent_back() -> None:
    # BILL's dueDate in a form the model does not read stays as sent, in extra.
    wire_bill = {"entity": "Bill", "id": "00n1", "dueDate": "07/01/2024", "amount": 5}
    received = bill_async.Bill.from_wire(wire_bill)
    assert received.due_date is None and received.to_wire() == wire_bill
    changed = attrs.evolve(received, due_date=dt.date(2024, 8, 1))
    assert list(changed.to_wire().items()) == [
        ("entity", "Bill"),
        ("id", "00n1"),
        ("dueDate", "2024-08-01"),  # where BILL had it
        ("amount", 5),
    ]


@pytest.mark.anyio
async def test_values_that_would_mean_something_else_are_refused_before_sending() -> None:
    fake = FakeBill()
    fake.on("Crud/Update/Vendor.json", lambda seen: ok(seen.data["obj"]))
    async with client(fake) as bill:
        inactive = bill_async.Vendor(id="009x", is_active="2")  # type: ignore[arg-type]
        await bill.vendors.update(inactive)
        assert fake.seen[-1].data["obj"]["isActive"] == "2"  # its truth value would be "1"
        sent = len(fake.seen)
        for wrong in (
            bill_async.Vendor(id="009x", is_active="0"),  # type: ignore[arg-type]
            # A str enum member equal to "2" is another code list's, not "inactive".
            bill_async.Vendor(id="009x", is_active=bill_async.PaymentStatus.PARTIALLY_PAID),  # type: ignore[arg-type]
            bill_async.Vendor(id="009x", pay_by=bill_async.AccountType.BUSINESS),  # type: ignore[arg-type]
        ):
            with pytest.raises(bill_async.InvalidRequestError, match=r"Vendor\.(is_active|pay_by)"):
                await bill.vendors.update(wrong)
        with pytest.raises(bill_async.InvalidRequestError):
            await bill.vendors.update(id="009x", pay_by=bill_async.AccountType.BUSINESS)
        with pytest.raises(bill_async.InvalidRequestError):
            await bill.vendors.bulk_update([bill_async.Vendor(id="009x", is_active="0")])  # type: ignore[arg-type]
    assert len(fake.seen) == sent


def test_a_model_built_in_python_sends_only_what_was_set() -> None:
    vendor = bill_async.Vendor(name="Acme", pay_by=bill_async.PayBy.ACH, is_active=False)
    assert vendor.to_wire() == {"name": "Acme", "payBy": "1", "isActive": "2"}
    changed = attrs.evolve(
        bill_async.Vendor.from_wire({"entity": "Vendor", "id": "009x", "name": "Old"}),
        name="New",
        email="new@x.com",
    )
    assert changed.to_wire() == {
        "entity": "Vendor",
        "id": "009x",
        "name": "New",
        "email": "new@x.com",
    }


@pytest.mark.anyio
async def test_create_and_update_take_models_or_keywords_and_send_only_what_was_set() -> None:
    fake = FakeBill()
    fake.on("Crud/Create/Bill.json", lambda seen: ok({**seen.data["obj"], "id": "00n1"}))
    fake.on("Crud/Update/Vendor.json", lambda seen: ok(seen.data["obj"]))
    async with client(fake) as bill:
        created = await bill.bills.create(
            vendor_id="009x",
            invoice_number="INV-1",
            invoice_date=dt.date(2026, 11, 1),
            amount=Decimal("10.10"),
            bill_line_items=[bill_async.BillLineItem(amount=Decimal("10.10"))],
        )
        await bill.vendors.update(bill_async.Vendor(id="009x", name="Acme"))
        await bill.vendors.update(id="009x", description=None, extra={"unknownField": 5})
        with pytest.raises(bill_async.UnknownFieldError, match="unknown_field"):
            await bill.vendors.update(id="009x", unknown_field=5)  # type: ignore[call-arg]
    assert fake.seen[1].data == {
        "obj": {
            "entity": "Bill",
            "vendorId": "009x",
            "invoiceNumber": "INV-1",
            "invoiceDate": "2026-11-01",
            "amount": 10.1,
            "billLineItems": [{"amount": 10.1}],
        }
    }
    assert isinstance(created, bill_async.Bill) and created.amount == Decimal("10.1")
    assert fake.seen[2].data == {"obj": {"entity": "Vendor", "id": "009x", "name": "Acme"}}
    assert fake.seen[3].data == {
        "obj": {"entity": "Vendor", "id": "009x", "description": None, "unknownField": 5}
    }


@pytest.mark.anyio
async def test_a_model_of_the_wrong_kind_is_refused_before_sending() -> None:
    fake = FakeBill()
    async with client(fake) as bill:
        with pytest.raises(bill_async.InvalidRequestError):
            await bill.vendors.create(bill_async.Bill(amount=Decimal(1)))  # type: ignore[arg-type]
    assert fake.seen == []


@pytest.mark.anyio
async def test_generated_methods_return_models() -> None:
    fake = FakeBill()
    vendor_wire = next(o for _, o in OBJECTS if o["entity"] == "Vendor")
    fake.on("Crud/Read/Vendor.json", ok(vendor_wire))
    fake.on("PayBills.json", ok({"sentPays": [{"entity": "SentPay", "id": "stp1", "amount": 5}]}))
    async with client(
        fake,
        bill_async.CredentialLogin(
            "u", "password-SECRET-2", "008x", "dev-key-SECRET-1", mfa_id="m", device_id="d"
        ),
    ) as bill:
        vendor = await bill.vendors.read(vendor_wire["id"])
        paid = await bill.payments.pay_bills(vendor_id="009x", bill_pays=[])
    assert type(vendor) is bill_async.Vendor and vendor.to_wire() == vendor_wire
    assert [type(p) for p in paid] == [bill_async.SentPay]
    assert paid[0].amount == Decimal(5)


@pytest.mark.anyio
async def test_keyword_values_in_wire_form_are_coerced_or_refused_before_sending() -> None:
    fake = FakeBill()
    fake.on("Crud/Create/Bill.json", lambda seen: ok({**seen.data["obj"], "id": "00n1"}))
    async with client(fake) as bill:
        created = await bill.bills.create(invoice_date="2026-11-01", amount="10.50")
        assert created.invoice_date == dt.date(2026, 11, 1)
        assert fake.seen[-1].data["obj"] == {
            "entity": "Bill",
            "invoiceDate": "2026-11-01",
            "amount": 10.5,
        }
        sent = len(fake.seen)
        for bad in (
            {"invoice_date": "01/11/2026"},
            {"amount": "ten"},
            {"invoice_date": 20261101},
            {"created_time": "2026-11-01T10:00:00"},  # a timestamp without a timezone
        ):
            with pytest.raises(bill_async.InvalidRequestError):
                await bill.bills.create(**bad)
        with pytest.raises(bill_async.InvalidRequestError):
            await bill.bills.create(bill_async.Bill(invoice_date="2026-11-01"))  # type: ignore[arg-type]
        for bad in ("0", 2, "no", bill_async.ApprovalStatus.ASSIGNED):
            with pytest.raises(bill_async.InvalidRequestError, match="is_active"):
                await bill.bills.create(is_active=bad)
    assert len(fake.seen) == sent


@pytest.mark.anyio
async def test_is_active_in_bills_own_form_is_sent_as_meant() -> None:
    # "2" is BILL's inactive: it must not be sent as its truth value, which is "1" (active).
    fake = FakeBill()
    fake.on("Crud/Update/Vendor.json", lambda seen: ok(seen.data["obj"]))
    async with client(fake) as bill:
        inactive = await bill.vendors.update(id="009x", is_active="2")
        active = await bill.vendors.update(id="009x", is_active="1")
        await bill.vendors.update(id="009x", is_active=False)
    assert [seen.data["obj"]["isActive"] for seen in fake.seen[1:]] == ["2", "1", "2"]
    assert inactive.is_active is False and active.is_active is True


# -- the fast path: values it takes as they are, and values it leaves to the careful path ------

CAREFUL = bill_async._v2._convert._make_careful_structure

ODD_VALUES: list[tuple[str, Any]] = [
    ("amount", 12.5),  # a float: exact here, but a float only reads back through a round trip
    ("amount", 0.1),  # a float that is not the Decimal it prints as: kept as sent
    ("amount", Decimal("NaN")),
    ("amount", True),
    ("amount", "12.50"),
    ("invoiceDate", "2024-W27-1"),  # a week date Python reads, that would come back otherwise
    ("invoiceDate", "20240701"),
    ("invoiceDate", 20240701),
    ("createdTime", "2024-07-30T19:31:00.000-0000"),  # would come back as +0000
    ("createdTime", "2024-07-30T19:31:00.000+0099"),  # 99 minutes: would come back as +0139
    ("createdTime", "2024-07-30T19:31:00Z"),
    ("createdTime", ["2024-07-30T19:31:00.000+0000"]),
    ("isActive", "3"),
    ("isActive", True),
    ("approvalStatus", 3),  # an unknown code that is not a string stays as sent
    ("approvalStatus", ["1"]),
    ("vendorId", None),
    ("vendorId", 5),
    ("billLineItems", {"entity": "BillLineItem"}),  # an object where a list belongs
    ("billLineItems", [{"entity": "BillLineItem"}, "x"]),  # a list with something else in it
    ("billLineItems", []),
]


@pytest.mark.parametrize(("key", "value"), ODD_VALUES, ids=[f"{k}={v!r}" for k, v in ODD_VALUES])
def test_a_value_the_fast_path_does_not_take_is_read_as_the_careful_path_reads_it(
    key: str, value: Any
) -> None:
    wire_bill = {"entity": "Bill", "id": "00n1", "amount": 5, key: value, "newField": 1}
    fast = bill_async.Bill.from_wire(wire_bill)
    careful = CAREFUL(bill_async.Bill)(wire_bill, None)
    assert type(fast) is bill_async.Bill
    for field in attrs.fields(bill_async.Bill):
        assert repr(getattr(fast, field.name)) == repr(getattr(careful, field.name)), field.name
    back = fast.to_wire()
    assert list(back) == list(wire_bill)
    if value == value:
        assert back == wire_bill
    else:  # NaN equals nothing, itself included: it is given back as the very object sent
        assert back[key] is value and {**back, key: 0} == {**wire_bill, key: 0}


def test_a_line_item_read_unexactly_keeps_its_value_in_its_own_extra() -> None:
    item = {"entity": "BillLineItem", "id": "bli1", "amount": 0.1, "createdTime": "bad"}
    wire_bill = {"entity": "Bill", "id": "00n1", "amount": 7, "billLineItems": [item]}
    bill = bill_async.Bill.from_wire(wire_bill)
    assert bill.amount == Decimal(7) and bill.extra == {}  # the bill itself read as it came
    assert bill.bill_line_items is not None
    (line,) = bill.bill_line_items
    assert line.amount is None and line.created_time is None
    assert line.extra == {"amount": 0.1, "createdTime": "bad"}
    assert bill.to_wire() == wire_bill


def test_models_read_from_the_wire_are_their_own_class_frozen_and_slotted() -> None:
    (_, bill_wire) = next(o for o in OBJECTS if o[1]["entity"] == "Bill")
    bill = bill_async.Bill.from_wire(bill_wire)
    assert type(bill) is bill_async.Bill
    assert bill.bill_line_items and type(bill.bill_line_items[0]) is bill_async.BillLineItem
    assert not hasattr(bill, "__dict__")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        bill.amount = Decimal(1)  # type: ignore[misc]
    assert bill == bill_async.Bill.from_wire(bill_wire)
    assert attrs.evolve(bill, amount=Decimal(2)).amount == Decimal(2)


def test_whole_amounts_dates_and_times_read_again_are_the_same_values() -> None:
    convert = bill_async._v2._convert
    texts = [f"2024-01-01T00:00:{s % 60:02d}.{s // 60:03d}+0000" for s in range(5000)]
    for text in texts:  # more than the caches keep: they empty and fill again
        bill = bill_async.Bill.from_wire({"createdTime": text, "amount": len(text) + 10**6})
        assert convert.format_timestamp(bill.created_time) == text  # type: ignore[arg-type]
    zero = bill_async.Bill.from_wire({"amount": 0, "dueAmount": 0})
    assert zero.amount == Decimal(0) and type(zero.to_wire()["amount"]) is int
    assert len(convert._TIMESTAMPS) <= convert._CACHE_LIMIT


class _Checked(bill_async.Bill):
    """A user's model with a validator: built through its __init__, never around it."""

    def __attrs_post_init__(self) -> None:
        if self.amount is not None and self.amount < 0:
            raise ValueError("negative")


def test_a_model_whose_init_does_more_is_built_through_it() -> None:
    checked = attrs.frozen(kw_only=True)(_Checked)
    assert checked.from_wire({"amount": 3}).amount == Decimal(3)
    with pytest.raises(ValueError, match="negative"):
        checked.from_wire({"amount": -3})
