"""What users write that the type checkers must refuse (``scripts/check_typing.py``): each line
ending in ``# expect-error`` must be an error in mypy --strict and in pyright (strict), and no
other line may be one. The same mistakes are refused at run time before anything is sent
(``tests/test_request_surface.py``)."""

from __future__ import annotations

import datetime as dt

import bill_async


async def misspelt_names(bill: bill_async.Client) -> None:
    await bill.vendors.create(name="Typo Co", emial="ap@typo.test")  # expect-error
    await bill.vendors.update(id="009x", nmae="Acme")  # expect-error
    await bill.payments.pay_bills(vendor_id="009x", procss_date=dt.date(2026, 12, 1))  # expect-error


async def wrong_types(bill: bill_async.Client) -> None:
    await bill.vendors.create(name=123)  # expect-error
    await bill.vendors.create(name="Acme", pay_by="zzz")  # expect-error
    await bill.bills.create(amount=[10])  # expect-error
    await bill.bills.create(due_date=dt.datetime.now(dt.UTC).time())  # expect-error
    await bill.vendors.update(bill_async.Customer(name="not a vendor"))  # expect-error
    await bill.payments.pay_bills(vendor_id=9)  # expect-error
    await bill.vendors.bulk_create(["not a vendor"])  # expect-error
    bill.with_options(timeout="5 seconds")  # expect-error


async def missing_arguments(bill: bill_async.Client) -> None:
    await bill.vendors.read()  # expect-error
    await bill.documents.upload("a.pdf")  # expect-error


async def wrong_results(bill: bill_async.Client) -> None:
    vendor: bill_async.Bill = await bill.vendors.read("00901ABCDEFGHIJKLMNO")  # expect-error
    results = await bill.vendors.bulk_create([bill_async.Vendor(name="a")])
    first: bill_async.Vendor = results[0]  # expect-error
    del vendor, first


async def v3_mistakes(auth: bill_async.AuthStrategy) -> None:
    from bill_async import v3

    client = v3.Client(auth)
    wrong: v3.Bill = await client.vendors.get("009x")  # expect-error
    await client.vendors.get()  # expect-error
    await client.vendors.update("009x")  # expect-error
    await client.vendors.bulk_create(["not a body"])  # expect-error
    client.bills.list(page_size="all")  # expect-error
    del wrong
