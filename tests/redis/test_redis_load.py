"""The Redis stores when the process is busy and Redis misbehaves: a thousand concurrent calls,
Redis' own errors told apart from Redis being down, a restart waited out, the fallback and the
return from it."""

from __future__ import annotations

import threading
import time
from typing import Any

import anyio
import pytest
import redis

import bill_async
from bill_async.redis import RedisStoreError, RedisUnavailableError
from tests.fakebill import ORG, FakeBill, ManualClock, Seen, credential, ok
from tests.redis.conftest import RedisServer, restartable_redis
from tests.redis.test_redis_stores import VENDOR, fleet_client, governor_of, stores


def strict_fake(**options: Any) -> FakeBill:
    """BILL answering BDC_1322 past 3 in flight: nothing the fleet sends unguarded passes."""
    fake = FakeBill(max_in_flight=3, **options)
    fake.on("Crud/Read/Vendor.json", ok(VENDOR))
    return fake


async def read_all(bill: bill_async.Client, calls: int) -> list[object]:
    outcomes: list[object] = []

    async def read() -> None:
        try:
            outcomes.append(await bill.vendors.read("009x"))
        except bill_async.BillError as failure:
            outcomes.append(failure)

    async with anyio.create_task_group() as group:
        for _ in range(calls):
            group.start_soon(read)
    return outcomes


@pytest.mark.anyio
async def test_a_thousand_concurrent_calls_in_one_process(redis_url: str) -> None:
    # redis-py's default pool failed the 101st connection wanted at once, as "unreachable".
    fake = strict_fake(latency=0.001)
    async with stores(redis_url) as shared, fleet_client(fake, shared) as bill:
        outcomes = await read_all(bill, 1000)
    failures = [o for o in outcomes if isinstance(o, bill_async.BillError)]
    assert failures == []
    assert fake.count("Crud/Read/Vendor.json") == 1000
    assert fake.refused == 0 and fake.peak_in_flight[ORG] == 3
    assert fake.logins == 1


@pytest.mark.anyio
async def test_an_error_redis_answers_is_not_taken_for_redis_being_down(redis_url: str) -> None:
    fake = strict_fake()
    async with stores(redis_url, outage_wait=30) as shared, fleet_client(fake, shared) as bill:
        # Something else wrote the budget's key as another type: every take fails in Redis.
        hour = int(time.time() // 3600)
        with redis.Redis.from_url(redis_url) as plain:
            for key in plain.scan_iter(match="bill_async_test:budget:*"):
                plain.delete(key)
            fingerprint = bill_async._core._redact.fingerprint
            from tests.fakebill import DEV_KEY

            plain.hset(f"bill_async_test:budget:{fingerprint(DEV_KEY)}:logins:{hour}", "x", "1")
        with anyio.fail_after(10):  # at once: no 30 s wait for an outage that is not one
            with pytest.raises(RedisStoreError) as caught:
                await bill.vendors.read("009x")
    assert type(caught.value) is RedisStoreError
    assert "WRONGTYPE" in str(caught.value)
    assert not shared.fell_back
    assert fake.seen == []


def restart_in_a_thread(server: RedisServer, down_for: float) -> threading.Thread:
    def restart() -> None:
        server.stop()
        time.sleep(down_for)
        server.start()

    thread = threading.Thread(target=restart)
    thread.start()
    return thread


@pytest.mark.anyio
async def test_a_restart_of_redis_is_waited_out_and_nothing_is_sent_without_a_slot() -> None:
    with restartable_redis() as server:
        fake = strict_fake(latency=0.005)
        restarted = anyio.Event()
        restart: threading.Thread | None = None

        def read(seen: Seen) -> Any:
            nonlocal restart
            if restart is None and fake.count("Crud/Read/Vendor.json") >= 100:
                restart = restart_in_a_thread(server, down_for=1.0)
                restarted.set()
            return ok(VENDOR)

        fake.on("Crud/Read/Vendor.json", read)
        async with stores(server.url, timeout=1) as shared, fleet_client(fake, shared) as bill:
            with anyio.fail_after(60):
                outcomes = await read_all(bill, 400)
        assert restarted.is_set() and restart is not None
        restart.join()
    assert [o for o in outcomes if isinstance(o, bill_async.BillError)] == []
    assert fake.count("Crud/Read/Vendor.json") == 400
    assert fake.refused == 0  # never a fourth request in flight
    assert not shared.fell_back


@pytest.mark.anyio
async def test_a_slot_held_through_a_restart_is_taken_again() -> None:
    # A call in flight when Redis restarts holds a slot Redis no longer knows: the renewals
    # put it back, so that the fleet counts it.
    with restartable_redis() as server:
        fake = strict_fake()
        hold = anyio.Event()
        holding = anyio.Event()

        async def slow_read(seen: Seen) -> Any:
            holding.set()
            await hold.wait()
            return ok(VENDOR)

        fake.on("Crud/Read/Vendor.json", slow_read)
        async with (
            stores(server.url, timeout=1, lease=0.6) as shared,
            fleet_client(fake, shared) as bill,
            anyio.create_task_group() as group,
        ):
            group.start_soon(bill.vendors.read, "009x")
            await holding.wait()
            governor = governor_of(shared)
            assert await governor.fleet_in_flight() == 1
            await anyio.to_thread.run_sync(server.stop)
            await anyio.to_thread.run_sync(server.start)
            assert await governor.fleet_in_flight() == 0  # lost with the restart
            with anyio.fail_after(5):
                while await governor.fleet_in_flight() != 1:  # noqa: ASYNC110  # Redis' state
                    await anyio.sleep(0.05)
            hold.set()
    assert fake.count("Crud/Read/Vendor.json") == 1


@pytest.mark.anyio
async def test_an_outage_past_its_bound_raises_and_nothing_is_sent() -> None:
    with restartable_redis() as server:
        fake = strict_fake()
        async with (
            stores(server.url, timeout=1, outage_wait=0.3) as shared,
            fleet_client(fake, shared) as bill,
        ):
            await bill.vendors.read("009x")
            await anyio.to_thread.run_sync(server.stop)
            with pytest.raises(RedisUnavailableError, match=r"after waiting 0\.3 s"):
                await bill.vendors.read("009x")
    assert fake.count("Crud/Read/Vendor.json") == 1


@pytest.mark.anyio
async def test_with_the_fallback_the_shared_limits_come_back_with_redis() -> None:
    with restartable_redis() as server:
        fake = strict_fake(latency=0.001)
        clock = ManualClock()
        async with (
            stores(server.url, timeout=1, outage_wait=0.2, fallback=True) as shared,
            fleet_client(fake, shared, auth=credential(clock=clock)) as bill,
        ):
            await bill.vendors.read("009x")
            await anyio.to_thread.run_sync(server.stop)
            with pytest.warns(RuntimeWarning, match="until it answers again"):
                await bill.vendors.read("009x")
            assert shared.fell_back
            await read_all(bill, 5)  # counted in this process meanwhile
            await anyio.to_thread.run_sync(server.start)
            with anyio.fail_after(10):
                while shared.fell_back:  # noqa: ASYNC110  # set by a task of the stores
                    await anyio.sleep(0.05)
            outcomes = await read_all(bill, 30)
            assert [o for o in outcomes if isinstance(o, bill_async.BillError)] == []
            # Shared again: the fleet's count in Redis holds these calls, and those this
            # process counted on its own while Redis was away.
            used = await shared.limits.budget(
                f"{bill_async._core._redact.fingerprint(credential().dev_key)}:requests", 20_000
            ).current(time.time())
            assert used == 30 + 6
            assert await governor_of(shared).fleet_in_flight() == 0
    assert fake.refused == 0
    assert fake.count("Crud/Read/Vendor.json") == 1 + 1 + 5 + 30
