"""``bill_async.v3.Client`` through the emulator's faults: a dropped answer to a write, 5xx on a
read, BDC_1322, and BILL's 3 in flight per organization across v2 and v3 clients."""

from __future__ import annotations

import anyio
import attrs
import pytest

import bill_async
import bill_async.v3
from bill_async.emulator import Emulator, RunningEmulator
from tests.emulator.rawhttp import SMALL
from tests.integration.conftest import credential, make_client, make_v3_client

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_a_dropped_answer_to_a_write_is_ambiguous_and_sent_once(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    await v3_client.session.get()  # signed in: the drop hits the write itself
    emulator.drop_next("POST /v3/vendors", when="after")
    with pytest.raises(bill_async.AmbiguousWriteError):
        await v3_client.vendors.create({"name": "Maybe Written"})
    written = [v for v in emulator.objects(org_id, "Vendor") if v["name"] == "Maybe Written"]
    assert len(written) == 1  # it ran once, and was not sent again
    assert emulator.counters.paths["POST /v3/vendors"] == 1
    assert emulator.counters.dropped == 1


async def test_a_dropped_bulk_chunk_fails_only_its_items_as_ambiguous(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    await v3_client.session.get()
    emulator.drop_next("POST /v3/vendors/bulk", when="before")
    results = await v3_client.vendors.bulk_create([{"name": f"D{n}"} for n in range(25)])
    failed = dict(results.failed)
    assert len(failed) in (20, 5)  # whichever chunk the server saw first
    assert all(isinstance(e, bill_async.AmbiguousWriteError) for e in failed.values())
    assert emulator.counters.paths["POST /v3/vendors/bulk"] == 2  # neither was sent again


async def test_a_5xx_on_a_read_is_retried(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    vendor = emulator.objects(org_id, "Vendor")[0]
    await v3_client.session.get()
    emulator.fail_next(2, status=503, paths=["GET /v3/vendors/{vendorId}"])
    assert (await v3_client.vendors.get(vendor["id"])).name == vendor["name"]
    assert emulator.counters.injected_failures == 2
    assert emulator.counters.paths["GET /v3/vendors/{vendorId}"] == 3


async def test_a_5xx_on_a_write_is_not_sent_again(
    v3_client: bill_async.v3.Client, emulator: Emulator, org_id: str
) -> None:
    await v3_client.session.get()
    emulator.fail_next(1, status=502, paths=["POST /v3/vendors"])
    # A 502 page is not BILL's answer: whether the write ran is unknown, so it is not resent.
    with pytest.raises(bill_async.AmbiguousWriteError):
        await v3_client.vendors.create({"name": "Never"})
    assert emulator.counters.paths["POST /v3/vendors"] == 1
    assert not [v for v in emulator.objects(org_id, "Vendor") if v["name"] == "Never"]


async def test_bdc_1322_is_absorbed(
    served: RunningEmulator, emulator: Emulator, org_id: str
) -> None:
    emulator.reset(attrs.evolve(SMALL, max_in_flight=1, latency=0.02))
    vendors = emulator.objects(org_id, "Vendor")
    async with make_v3_client(served.v3_base_url, credential(org_id)) as client:
        await client.session.get()
        names: list[str | None] = []

        async def read(vendor_id: str) -> None:
            names.append((await client.vendors.get(vendor_id)).name)

        async with anyio.create_task_group() as group:
            for vendor in vendors * 2:
                group.start_soon(read, vendor["id"])
    assert sorted(n or "" for n in names) == sorted(v["name"] for v in vendors * 2)
    assert emulator.counters.errors["BDC_1322"] > 0  # refused, backed off, sent again
    assert emulator.counters.max_in_flight[org_id] == 1


async def test_at_most_3_in_flight_across_v2_and_v3_clients_of_one_dev_key(
    served: RunningEmulator, emulator: Emulator, org_id: str
) -> None:
    emulator.reset(attrs.evolve(SMALL, latency=0.02))
    limits = bill_async.InProcessLimits()  # one devKey's governor, shared as BILL counts it
    vendor = emulator.objects(org_id, "Vendor")[0]
    v2 = make_client(served.base_url, credential(org_id), limits=limits)
    v3 = make_v3_client(served.v3_base_url, credential(org_id), limits=limits)
    async with v2, v3:

        async def v2_read() -> None:
            assert (await v2.vendors.read(vendor["id"])).name == vendor["name"]

        async def v3_read() -> None:
            assert (await v3.vendors.get(vendor["id"])).name == vendor["name"]

        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(v2_read)
                group.start_soon(v3_read)
    assert emulator.counters.max_in_flight[org_id] == 3
    assert emulator.counters.errors["BDC_1322"] == 0  # the clients kept to BILL's limit
    assert emulator.counters.paths["Crud/Read/Vendor.json"] == 8
    assert emulator.counters.paths["GET /v3/vendors/{vendorId}"] == 8
