"""The typed request surface at run time: what the type checkers refuse (tests/typing/) is
refused here too, before anything is sent; per-call options; the raw view; from_env."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import bill_async
from tests.fakebill import (
    BASE_URL,
    DEV_KEY,
    ORG,
    PASSWORD,
    FakeBill,
    client,
    credential,
    error,
    ok,
)

# A remembered MFA device: PayBills needs an MFA-trusted session.
TRUSTED = credential(mfa_id="mfa-SECRET-id", device_id="laptop")
VENDOR = {"entity": "Vendor", "id": "00901ABCDEFGHIJKLMNO", "name": "Acme"}


def echo_obj(seen: Any) -> dict[str, Any]:
    return ok({**seen.data["obj"], "id": "00901ABCDEFGHIJKLMNO"})


@pytest.mark.anyio
async def test_misspelt_names_are_refused_with_nothing_sent() -> None:
    fake = FakeBill()
    async with client(fake, TRUSTED) as bill:
        with pytest.raises(bill_async.UnknownFieldError, match="'emial'; did you mean 'email'"):
            await bill.vendors.create(name="Typo Co", emial="ap@typo.test")  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="procss_date"):
            await bill.payments.pay_bills(  # type: ignore[call-arg]
                vendor_id="009x", bill_pays=[], procss_date="2026-12-01"
            )
    assert fake.seen == []  # nothing, not even a login


@pytest.mark.anyio
async def test_misspelt_keys_of_a_mapping_are_refused_with_nothing_sent() -> None:
    fake = FakeBill()
    async with client(fake, TRUSTED) as bill:
        with pytest.raises(bill_async.UnknownFieldError) as caught:
            await bill.vendors.create({"name": "Typo Co", "emial": "ap@typo.test"})
        assert (caught.value.field, caught.value.suggestion) == ("emial", "email")
        with pytest.raises(bill_async.UnknownFieldError, match="procssDate"):
            await bill.payments.pay_bills({"vendorId": "009x", "procssDate": "2026-12-01"})
        with pytest.raises(bill_async.UnknownFieldError, match="lineAmount"):
            await bill.bills.create(bill_line_items=[{"lineAmount": 1}])
        with pytest.raises(bill_async.UnknownFieldError, match="emial"):
            await bill.vendors.bulk_create([{"name": "a"}, {"emial": "b"}])
    assert fake.seen == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"name": 123}, "Vendor.name takes text, not int 123"),
        ({"pay_by": "zzz"}, "Vendor.pay_by takes one of BILL's codes (0 (CHECK), 1 (ACH)"),
        ({"pay_by": bill_async.AccountType.BUSINESS}, "Vendor.pay_by takes a PayBy"),
        ({"name": "x" * 101}, "Vendor.name is 101 characters long; BILL takes at most 100"),
        ({"balance": "ten"}, "Vendor.balance takes an amount; 'ten' is not a number"),
        ({"balance": True}, "Vendor.balance takes an amount"),
        ({"track1099": "yes"}, "Vendor.track1099 takes True or False"),
        ({"is_active": "0"}, "Vendor.is_active takes True or False"),
        ({"created_time": dt.datetime(2026, 1, 1)}, "has no timezone"),
    ],
)
async def test_values_of_the_wrong_kind_are_refused_naming_the_field(
    fields: dict[str, Any], said: str
) -> None:
    fake = FakeBill()
    async with client(fake) as bill:
        with pytest.raises(bill_async.InvalidRequestError) as caught:
            await bill.vendors.create(**fields)
    assert said in str(caught.value)
    assert fake.seen == []


@pytest.mark.anyio
async def test_wrong_values_in_actions_and_nested_rows_are_refused() -> None:
    fake = FakeBill()
    async with client(fake, TRUSTED) as bill:
        with pytest.raises(bill_async.InvalidRequestError, match="process_date takes a date"):
            await bill.payments.pay_bills(vendor_id="009x", process_date="next tuesday")
        with pytest.raises(bill_async.InvalidRequestError, match="amount takes an amount"):
            await bill.payments.record_ar_payment(customer_id="0cu1", amount="lots")
        with pytest.raises(bill_async.InvalidRequestError, match=r"bill_line_items \[0\]"):
            await bill.bills.create(bill_line_items=[bill_async.BillLineItem(amount="x")])  # type: ignore[arg-type]
        with pytest.raises(bill_async.InvalidRequestError, match="due_date takes a date"):
            await bill.bills.create(due_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert fake.seen == []


@pytest.mark.anyio
async def test_a_model_instance_keeps_working_and_its_values_are_checked() -> None:
    fake = FakeBill()
    fake.on("Crud/Create/Vendor.json", echo_obj)
    async with client(fake) as bill:
        made = await bill.vendors.create(bill_async.Vendor(name="Acme", pay_by="1"), email="a@b.c")
        with pytest.raises(bill_async.InvalidRequestError, match=r"Vendor\.name takes text"):
            await bill.vendors.create(bill_async.Vendor(name=123))  # type: ignore[arg-type]
    assert made.name == "Acme" and made.pay_by is bill_async.PayBy.ACH
    assert fake.seen[-1].data["obj"] == {
        "entity": "Vendor",
        "name": "Acme",
        "payBy": "1",
        "email": "a@b.c",
    }


@pytest.mark.anyio
async def test_fields_the_sdk_does_not_declare_go_only_explicitly_in_extra() -> None:
    fake = FakeBill()
    fake.on("Crud/Create/Vendor.json", echo_obj)
    fake.on("PayBills.json", ok({"sentPays": []}))
    async with client(fake, TRUSTED) as bill:
        vendor = await bill.vendors.create(name="Acme", extra={"newFlag": True})
        await bill.payments.pay_bills(vendor_id="009x", extra={"cardAccountId": "cat1"})
        with pytest.raises(bill_async.InvalidRequestError, match="declared field"):
            await bill.vendors.create(extra={"name": "sneaked past the checks"})
    assert vendor.extra == {"newFlag": True}
    assert fake.seen[1].data["obj"] == {"entity": "Vendor", "name": "Acme", "newFlag": True}
    assert fake.seen[2].data == {"vendorId": "009x", "cardAccountId": "cat1"}
    assert len(fake.seen) == 3


@pytest.mark.anyio
async def test_an_amount_as_text_or_a_date_as_text_is_taken_in_the_field_s_type() -> None:
    fake = FakeBill()
    fake.on("Crud/Create/Bill.json", lambda seen: ok({**seen.data["obj"], "id": "00n1"}))
    async with client(fake) as bill:
        made = await bill.bills.create(amount="10.50", due_date="2026-12-31")
    assert fake.seen[-1].data["obj"] == {"entity": "Bill", "dueDate": "2026-12-31", "amount": 10.5}
    assert made.amount == Decimal("10.5") and made.due_date == dt.date(2026, 12, 31)


@pytest.mark.anyio
async def test_list_with_a_limit_asks_for_pages_of_at_most_the_limit() -> None:
    fake = FakeBill()
    rows = [{"entity": "Bill", "id": f"00n{n}"} for n in range(5)]
    fake.on("List/Bill.json", lambda seen: ok(rows[: seen.data["max"]]))
    async with client(fake) as bill:
        first = await bill.bills.list(limit=5).collect()
        two = await bill.bills.list(limit=2, page_size=50).collect()
    assert [b.id for b in first] == [r["id"] for r in rows] and len(two) == 2
    assert [s.data["max"] for s in fake.seen if s.path == "List/Bill.json"] == [5, 2]


@pytest.mark.anyio
async def test_bulk_results_split_into_successes_and_failures_by_position() -> None:
    fake = FakeBill()
    fake.on(
        "Bulk/Crud/Create/Vendor.json",
        ok({"bulk": [ok(VENDOR), error("BDC_1119", "Invalid field,value: name, x"), ok(VENDOR)]}),
    )
    async with client(fake) as bill:
        results = await bill.vendors.bulk_create([{"name": "a"}, {"name": "x"}, {"name": "c"}])
    assert [v.id for v in results.succeeded] == [VENDOR["id"]] * 2
    [(index, failure)] = results.failed
    assert index == 1 and isinstance(failure, bill_async.InvalidInputError)
    assert not results.all_succeeded and len(results) == 3


@pytest.mark.anyio
async def test_with_options_sets_the_timeout_of_the_calls_it_makes() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", ok(VENDOR))
    async with client(fake, timeout=60) as bill:
        await bill.vendors.read("009x")
        await bill.with_options(timeout=2.5).vendors.read("009x")
        await bill.with_options(retry=bill_async.RetryPolicy(max_retries=0)).vendors.read("009x")
    reads = [s.timeout for s in fake.seen if s.path == "Crud/Read/Vendor.json"]
    assert [t["read"] for t in reads] == [60, 2.5, 60]


@pytest.mark.anyio
async def test_raw_responses_show_status_headers_and_body_with_secrets_masked() -> None:
    fake = FakeBill()
    fake.on(
        "Crud/Read/Vendor.json",
        lambda seen: __import__("httpx").Response(
            200, json=ok(VENDOR), headers={"Set-Cookie": "sid=" + seen.form["sessionId"]}
        ),
    )
    async with client(fake) as bill:
        with bill.raw_responses() as answers:
            await bill.vendors.read("009x")
        await bill.vendors.read("009x")  # outside the block: not collected
    login, read = answers
    assert (login.operation, read.operation) == ("Login.json", "Crud/Read/Vendor.json")
    assert read.status_code == 200 and read.body["response_data"]["name"] == "Acme"
    assert ("set-cookie", "***") in [(name.lower(), value) for name, value in read.headers]
    assert login.body["response_data"]["sessionId"] == "***"
    shown = repr(answers)
    assert "SECRET" not in shown and DEV_KEY not in shown and PASSWORD not in shown


def test_from_env_reads_the_variables_the_command_reads() -> None:
    env = {
        "BILL_DEV_KEY": DEV_KEY,
        "BILL_ORG_ID": ORG,
        "BILL_TOKEN_NAME": "nightly",
        "BILL_TOKEN_VALUE": "token-value-SECRET",
        "BILL_BASE_URL": BASE_URL,
    }
    made = bill_async.Client.from_env(env)
    assert isinstance(made.auth, bill_async.TokenLogin) and made.org_id == ORG
    assert made.auth.credentials().dev_key == DEV_KEY and BASE_URL in repr(made._dialect)
    with pytest.raises(bill_async.ConfigurationError, match="BILL_PASSWORD"):
        bill_async.Client.from_env({"BILL_DEV_KEY": "k", "BILL_ORG_ID": ORG, "BILL_USER_NAME": "u"})
    with pytest.raises(bill_async.ConfigurationError, match="no BILL credentials"):
        bill_async.Client.from_env({})


@pytest.mark.anyio
async def test_upload_returns_the_object_bill_answers_with() -> None:
    fake = FakeBill()
    fake.on("UploadAttachment.json", ok({"id": "00h1"}))
    async with client(fake) as bill:
        uploaded = await bill.documents.upload("a.pdf", b"%PDF-1.4")
    assert uploaded == {"id": "00h1"}


def test_generated_docstrings_say_what_an_operation_does_and_its_facts() -> None:
    pay_bills = bill_async.Client.payments.func.__annotations__
    del pay_bills
    doc = bill_async._v2._groups.PaymentsGroup.pay_bills.__doc__ or ""
    for said in (
        "Pay bills of a vendor",
        "PayBills.json",
        "A write",
        "AmbiguousWriteError",
        "Token sessions: refused",
        "MFA-trusted",
        "process_date: the day the payment is processed",
        "extra:",
    ):
        assert said in doc, said
    bulk = bill_async._v2._groups.VendorsGroup.bulk_create.__doc__ or ""
    assert "At most 100 items per call" in bulk and ".succeeded" in bulk
    read = bill_async._v2._groups.VendorsGroup.read.__doc__ or ""
    assert read.startswith("Read one Vendor by its id") and "A read: sent again" in read
