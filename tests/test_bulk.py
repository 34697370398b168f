"""Bulk operations: chunks of at most 100, one result per item in input order, nothing lost."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

import bill_async
from tests.fakebill import FakeBill, Seen, client, error, ok


def bulk_create(fail_names: set[str]) -> Any:
    async def answer(seen: Seen) -> Any:
        await anyio.sleep(0.001)
        results = []
        for number, item in enumerate(seen.data["bulk"]):
            obj = item["obj"]
            if obj["name"] in fail_names:
                results.append(error("BDC_1002", f"bad vendor {obj['name']}"))
            else:
                results.append(
                    ok({**obj, "id": f"009{seen.data['bulk'][0]['obj']['name']}{number}"})
                )
        return ok({"bulk": results})

    return answer


@pytest.mark.anyio
async def test_250_creates_take_three_calls_with_results_in_order() -> None:
    fake = FakeBill()
    fake.on("Bulk/Crud/Create/Vendor.json", bulk_create({"v-7", "v-180"}))
    items: list[Any] = [{"name": f"v-{n}"} for n in range(250)]
    items[3] = bill_async.Vendor(name="v-3", email="v3@x.com")  # models and mappings mix
    async with client(fake) as bill:
        results = await bill.vendors.bulk_create(items)
    chunks = [s.data["bulk"] for s in fake.seen if s.path.startswith("Bulk/")]
    assert sorted(len(c) for c in chunks) == [50, 100, 100]
    first = next(c for c in chunks if c[0]["obj"]["name"] == "v-0")  # chunks run concurrently
    assert first[3] == {"obj": {"entity": "Vendor", "name": "v-3", "email": "v3@x.com"}}
    assert len(results) == 250
    for n, result in enumerate(results):
        if n in (7, 180):
            assert isinstance(result, bill_async.ApiError)
            assert result.code == "BDC_1002" and f"v-{n}" in result.message
        else:
            assert isinstance(result, bill_async.Vendor)
            assert result.name == f"v-{n}"  # in input order


@pytest.mark.anyio
async def test_a_failed_chunk_is_reported_per_item_and_the_others_are_kept() -> None:
    fake = FakeBill()
    answer = bulk_create(set())

    async def flaky(seen: Seen) -> Any:
        if seen.data["bulk"][0]["obj"]["name"] == "v-100":
            return httpx.ReadTimeout("lost")  # the second chunk's fate is unknown
        return await answer(seen)

    fake.on("Bulk/Crud/Create/Vendor.json", flaky)
    async with client(fake) as bill:
        results = await bill.vendors.bulk_create([{"name": f"v-{n}"} for n in range(250)])
    assert sum(isinstance(r, bill_async.Vendor) for r in results) == 150
    lost = results[100:200]
    assert all(isinstance(r, bill_async.AmbiguousWriteError) for r in lost)
    assert fake.count("Bulk/Crud/Create/Vendor.json") == 3  # the ambiguous chunk was not resent


@pytest.mark.anyio
async def test_bulk_delete_sends_ids_and_chunks_run_under_the_governor() -> None:
    fake = FakeBill(max_in_flight=3, latency=0.005)

    def delete(seen: Seen) -> Any:
        return ok(
            {
                "bulk": [
                    ok({"entity": "Bill", "id": i["id"], "isActive": "2"})
                    for i in seen.data["bulk"]
                ]
            }
        )

    fake.on("Bulk/Crud/Delete/Bill.json", delete)
    ids = [f"00n{n:017d}" for n in range(1000)]
    async with client(fake) as bill:
        results = await bill.bills.bulk_delete(ids)
    assert [r.id for r in results if isinstance(r, bill_async.Bill)] == ids
    assert all(isinstance(r, bill_async.Bill) and r.is_active is False for r in results)
    assert fake.count("Bulk/Crud/Delete/Bill.json") == 10
    assert fake.refused == 0
    assert fake.peak_in_flight.most_common(1)[0][1] <= 3
    assert {"id": ids[0]} in [s.data["bulk"][0] for s in fake.seen if s.path.startswith("Bulk/")]


@pytest.mark.anyio
async def test_a_bulk_answer_of_the_wrong_size_makes_every_item_ambiguous() -> None:
    fake = FakeBill()
    fake.on("Bulk/Crud/Create/Customer.json", ok({"bulk": [ok({"entity": "Customer"})]}))
    async with client(fake) as bill:
        results = await bill.customers.bulk_create([{"name": "a"}, {"name": "b"}])
    assert [type(r) for r in results] == [bill_async.AmbiguousWriteError] * 2


@pytest.mark.anyio
async def test_an_item_that_cannot_be_sent_fails_the_bulk_call_before_anything_is_sent() -> None:
    # Encoding chunk 3 used to fail while chunks 1 and 2 were in flight: they were cancelled,
    # and the Vendors BILL had made for them were lost to the caller.
    fake = FakeBill(max_in_flight=3, latency=0.01)
    items: list[dict[str, Any]] = [{"name": f"v-{n}"} for n in range(300)]
    items[250]["description"] = {"not", "json"}  # a set
    async with client(fake) as bill:
        with pytest.raises(
            bill_async.InvalidRequestError, match=r"item 250\).description takes text, not set"
        ):
            await bill.vendors.bulk_create(items)
        with pytest.raises(
            bill_async.InvalidRequestError, match="description takes text, not bytes"
        ):
            await bill.vendors.create(name="v", description=b"raw")
    assert fake.paths() == []  # nothing sent, not even a login


@pytest.mark.anyio
async def test_a_spent_budget_mid_bulk_keeps_the_results_of_chunks_that_ran() -> None:
    fake = FakeBill()
    fake.on(
        "Bulk/Crud/Create/Vendor.json",
        lambda seen: ok({"bulk": [ok({**i["obj"], "id": "009x"}) for i in seen.data["bulk"]]}),
    )
    async with client(fake, hourly_requests=3) as bill:  # a login is not a request
        results = await bill.vendors.bulk_create([{"name": f"v{n}"} for n in range(400)])
    created = [r for r in results if isinstance(r, bill_async.Vendor)]
    refused = [r for r in results if isinstance(r, bill_async.BudgetExhaustedError)]
    assert len(created) == 300 and len(refused) == 100  # three chunks ran, in any order
    assert fake.count("Bulk/Crud/Create/Vendor.json") == 3
