"""List: lazy paging by start and max, checked filters and sorts, updated_since."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

import bill_async
from bill_async import Filter, Sort
from bill_async._v2._pagination import KeysetPages
from tests.fakebill import FakeBill, Seen, client, ok

FAST = bill_async.RetryPolicy(base_delay=0.001, max_delay=0.002)  # retries that cost no time


def records(total: int) -> Any:
    def answer(seen: Seen) -> Any:
        start, size = seen.data["start"], seen.data["max"]
        return ok(
            [
                {"entity": "Vendor", "id": f"009{n:017d}", "name": f"Vendor {n}"}
                for n in range(start, min(total, start + size))
            ]
        )

    return answer


@pytest.mark.anyio
async def test_2500_records_take_exactly_three_calls() -> None:
    fake = FakeBill()
    fake.on("List/Vendor.json", records(2500))
    async with client(fake) as bill:
        vendors = [v async for v in bill.vendors.list(page_size=999)]
    assert len(vendors) == 2500
    assert len({v.id for v in vendors}) == 2500
    assert all(isinstance(v, bill_async.Vendor) for v in vendors)
    lists = [s.data for s in fake.seen if s.path == "List/Vendor.json"]
    assert [(d["start"], d["max"]) for d in lists] == [(0, 999), (999, 999), (1998, 999)]


@pytest.mark.anyio
async def test_a_list_answer_that_is_not_an_array_is_a_protocol_error_not_the_last_page() -> None:
    fake = FakeBill()
    fake.on("List/Vendor.json", ok({"unexpected": "object"}))
    async with client(fake, retry=FAST) as bill:
        with pytest.raises(bill_async.ProtocolError, match="not an array"):
            await bill.vendors.list().collect()


@pytest.mark.anyio
async def test_pages_are_fetched_lazily_and_can_be_iterated() -> None:
    fake = FakeBill()
    fake.on("List/Vendor.json", records(25))
    async with client(fake) as bill:
        pager = bill.vendors.list(page_size=10)
        assert fake.seen == []  # nothing until iterated
        sizes = [len(page) async for page in pager.pages()]
        assert sizes == [10, 10, 5]
        first = []
        async for vendor in bill.vendors.list(page_size=10):
            first.append(vendor)
            if len(first) == 3:
                break
        assert fake.count("List/Vendor.json") == 4  # the early break fetched one page
        assert len(await bill.vendors.list(page_size=10, limit=12).collect()) == 12
        empty = FakeBill()
        empty.on("List/Vendor.json", ok([]))
    async with client(empty) as other:
        assert await other.vendors.list().collect() == []
        assert empty.count("List/Vendor.json") == 1


@pytest.mark.anyio
async def test_filters_and_sort_are_sent_in_bills_form() -> None:
    fake = FakeBill()
    fake.on("List/Bill.json", ok([]))
    since = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)
    async with client(fake) as bill:
        await bill.bills.list(
            filters=[
                Filter("updatedTime", ">=", since),
                Filter("vendor_id", "in", ["009a", "009b"]),
                Filter("isActive", "=", True),
                Filter("paymentStatus", "!=", bill_async.PaymentStatus.PAID),
                {"field": "dueDate", "op": "<", "value": dt.date(2026, 12, 1)},
                Filter("amount", ">", Decimal("100.50")),
            ],
            sort=[Sort("dueDate", ascending=False), {"field": "id"}],
            nested=True,
            show_audit=True,
        ).collect()
    assert fake.seen[-1].data == {
        "start": 0,
        "max": 999,
        "filters": [
            {"field": "updatedTime", "op": ">=", "value": "2026-11-01T07:00:00.000+0000"},
            {"field": "vendorId", "op": "in", "value": ["009a", "009b"]},
            {"field": "isActive", "op": "=", "value": "1"},
            {"field": "paymentStatus", "op": "!=", "value": "0"},
            {"field": "dueDate", "op": "<", "value": "2026-12-01"},
            {"field": "amount", "op": ">", "value": 100.5},
        ],
        "sort": [{"field": "dueDate", "asc": "false"}, {"field": "id", "asc": "true"}],
        "nested": True,
        "showAudit": True,
    }


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1000}, "page_size"),
        ({"page_size": -5}, "page_size"),
        ({"start": -1}, "start"),
        ({"filters": [Filter("name", "like", "x")]}, "operator"),
        ({"filters": [Filter("noSuchField", "=", "x")]}, "no field"),
        ({"filters": [Filter("vendorId", "in", "009a")]}, "list of values"),
        ({"filters": [{"field": "name", "value": "x"}]}, "field, op and value"),
        ({"sort": [Sort("bogus")]}, "no field"),
        # Read by their truth, these would all sort ascending or mean active.
        ({"sort": [Sort("dueDate", "desc")]}, "ascending or not"),  # type: ignore[arg-type]
        ({"sort": [{"field": "dueDate", "asc": 2}]}, "ascending or not"),
        ({"sort": [{"field": "dueDate", "ascending": False}]}, "not ascending"),
        ({"filters": [Filter("isActive", "=", 0)]}, "isActive"),
        ({"filters": [Filter("isActive", "=", "false")]}, "isActive"),
        ({"filters": [Filter("isActive", "=", bill_async.PaymentStatus.OPEN)]}, "isActive"),
        # Another code list's member: OPEN's code "1" is ASSIGNED in approvalStatus.
        (
            {"filters": [Filter("approval_status", "=", bill_async.PaymentStatus.OPEN)]},
            "ApprovalStatus",
        ),
        ({"limit": -1}, "limit"),
    ],
)
async def test_bad_filters_and_page_sizes_are_refused_with_zero_requests(
    options: dict[str, Any], message: str
) -> None:
    fake = FakeBill()
    fake.on("List/Bill.json", ok([]))
    async with client(fake) as bill:
        with pytest.raises(bill_async.InvalidRequestError, match=message):
            await bill.bills.list(**options).collect()
    assert fake.seen == []


@pytest.mark.anyio
async def test_values_in_other_forms_are_sent_as_they_are_meant() -> None:
    fake = FakeBill()
    fake.on("List/Bill.json", ok([]))
    late_evening = dt.datetime(2024, 7, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    async with client(fake) as bill:
        await bill.bills.list(
            filters=[Filter("dueDate", ">=", late_evening), Filter("isActive", "=", "2")],
            sort=[
                {"field": "dueDate", "asc": "FALSE"},
                {"field": "id", "asc": "true"},
                {"field": "amount", "asc": 0},
                {"field": "invoiceNumber", "asc": "1"},
            ],
        ).collect()
    assert fake.seen[-1].data["filters"] == [
        {"field": "dueDate", "op": ">=", "value": "2024-07-01"},  # the date, not a timestamp
        {"field": "isActive", "op": "=", "value": "2"},
    ]
    assert fake.seen[-1].data["sort"] == [
        {"field": "dueDate", "asc": "false"},
        {"field": "id", "asc": "true"},
        {"field": "amount", "asc": "false"},
        {"field": "invoiceNumber", "asc": "true"},
    ]


@pytest.mark.anyio
async def test_updated_since_has_a_stable_sort() -> None:
    fake = FakeBill()
    fake.on("List/Invoice.json", ok([]))
    async with client(fake) as bill:
        await bill.invoices.updated_since(dt.date(2026, 11, 1)).collect()
    assert fake.seen[-1].data == {
        "start": 0,
        "max": 999,
        "filters": [{"field": "updatedTime", "op": ">=", "value": "2026-11-01"}],
        "sort": [{"field": "updatedTime", "asc": "true"}, {"field": "id", "asc": "true"}],
    }
    filters, sort = bill_async.updated_since(dt.date(2026, 1, 1))
    assert filters == [Filter("updatedTime", ">=", dt.date(2026, 1, 1))]
    assert sort == [Sort("updatedTime"), Sort("id")]


@pytest.mark.anyio
async def test_updated_since_moves_on_by_time_so_a_record_updated_midway_loses_no_other() -> None:
    # 5 records at times 1..5, pages of 2. After the first page, record 1 is updated (time 9)
    # and moves to the end; paging by offset would then skip record 3.
    times = {f"00n{n}": n for n in range(1, 6)}
    fake = FakeBill()

    def stamp(t: int) -> str:
        return f"2026-11-0{t}T00:00:00.000+0000" if t < 10 else ""

    def answer(seen: Seen) -> Any:
        data = seen.data
        since = next(
            (f["value"] for f in data.get("filters", []) if f["field"] == "updatedTime"), ""
        )
        rows = sorted(
            ({"entity": "Bill", "id": i, "updatedTime": stamp(t)} for i, t in times.items()),
            key=lambda r: (r["updatedTime"], r["id"]),
        )
        rows = [r for r in rows if r["updatedTime"] >= since]
        page = rows[data["start"] : data["start"] + data["max"]]
        if fake.count("List/Bill.json") == 1:
            times["00n1"] = 9  # updated right after the first page was read
        return ok(page)

    fake.on("List/Bill.json", answer)
    async with client(fake) as bill:
        seen = [b.id async for b in bill.bills.updated_since(dt.date(2026, 11, 1), page_size=2)]
    assert {"00n2", "00n3", "00n4", "00n5"} <= set(seen)


@pytest.mark.anyio
async def test_updated_since_loses_no_record_when_one_of_a_tie_moves_on_between_pages() -> None:
    # 00n0 at time 1; 00n1..00n4 share time 2 (one bulk call); pages of 3. The first page ends
    # inside the tie; then 00n1 is updated (time 9). Skipping the tie's records seen so far by
    # count would then skip 00n3, and the next sync would start after it: lost for good.
    times = {"00n0": 1, "00n1": 2, "00n2": 2, "00n3": 2, "00n4": 2}
    fake = FakeBill()

    def answer(seen: Seen) -> Any:
        data = seen.data
        since = next(
            (f["value"] for f in data.get("filters", []) if f["field"] == "updatedTime"), ""
        )
        rows = sorted(
            (
                {"entity": "Bill", "id": i, "updatedTime": f"2026-11-0{t}T00:00:00.000+0000"}
                for i, t in times.items()
            ),
            key=lambda r: (r["updatedTime"], r["id"]),
        )
        rows = [r for r in rows if r["updatedTime"] >= since]
        page = rows[data["start"] : data["start"] + data["max"]]
        if fake.count("List/Bill.json") == 1:
            times["00n1"] = 9
        return ok(page)

    fake.on("List/Bill.json", answer)
    async with client(fake) as bill:
        pages = bill.bills.updated_since(dt.date(2026, 11, 1), page_size=3)
        seen = [(b.id, b.updated_time.day) async for b in pages]  # type: ignore[union-attr]
    assert {i for i, _ in seen} == set(times)
    assert seen.count(("00n2", 2)) == 1  # asked for again, given once
    assert ("00n1", 9) in seen  # and its new version


async def _page_while_records_change(seed: int, size: int) -> tuple[set[str], int]:
    """KeysetPages over records that are updated, deleted and created between its calls:
    the records there at the start and never deleted that it did not give, and its calls."""
    rng = random.Random(seed)
    times = {f"00n{i:03d}": rng.randint(1, 4) for i in range(rng.randint(0, 15))}
    there_at_start, deleted, clock, calls = set(times), set(), [max(times.values(), default=1)], [0]

    def stamp(t: int) -> str:
        return f"2026-11-01T00:00:{t:02d}.000+0000"

    async def fetch(data: dict[str, Any]) -> Any:
        calls[0] += 1
        assert calls[0] < 200, "looping"
        since = data["filters"][0]["value"]
        rows = sorted(
            ({"id": i, "updatedTime": stamp(t)} for i, t in times.items()),
            key=lambda r: (r["updatedTime"], r["id"]),
        )
        rows = [r for r in rows if r["updatedTime"] >= since]
        page = rows[data["start"] : data["start"] + data["max"]]
        for _ in range(rng.randint(0, 2) if calls[0] < 25 else 0):
            clock[0] += rng.randint(0, 1)
            choice = rng.random()
            if choice < 0.5 and times:
                times[rng.choice(sorted(times))] = clock[0]
            elif choice < 0.7 and times:
                gone = rng.choice(sorted(times))
                del times[gone]
                deleted.add(gone)
            else:
                times[f"00n{len(there_at_start) + calls[0]:03d}x{rng.random()}"] = clock[0]
        return page

    data = {
        "start": 0,
        "max": size,
        "filters": [{"field": "updatedTime", "op": ">=", "value": stamp(0)}],
    }
    given = [row["id"] async for page in KeysetPages(fetch, data, "List/Bill.json") for row in page]
    return (there_at_start - deleted) - set(given), calls[0]


@pytest.mark.anyio
@pytest.mark.parametrize("size", [2, 3, 5])
async def test_updated_since_gives_every_record_while_records_change_between_pages(
    size: int,
) -> None:
    # Updates move records out of the group at the time paged from, deletes take them away,
    # creates join it: none may make the pager skip a record it never gave.
    for seed in range(400):
        missing, _ = await _page_while_records_change(seed, size)
        assert not missing, (seed, missing)
