"""The Redis stores in one process, with the in-process fake BILL: sessions, login lock, leased
slots, budgets, the fallback, and the errors. Each ``redis_stores(...)`` opens its own connection,
so several of them in one test stand for several worker processes."""

from __future__ import annotations

import contextlib
import logging
import math
import time
from typing import Any

import anyio
import pytest
import redis

import bill_async
from bill_async.redis import (
    RedisGovernor,
    RedisStores,
    RedisUnavailableError,
    redis_stores,
)
from tests.fakebill import (
    DEV_KEY,
    ORG,
    PASSWORD,
    FakeBill,
    ManualClock,
    client,
    credential,
    error,
    fixture,
    ok,
)
from tests.loopback import free_port
from tests.redis.conftest import PREFIX, own_redis_server

VENDOR = fixture("Crud_Read_Vendor")
FAST = bill_async.RetryPolicy(base_delay=0.001, max_delay=0.005, max_retries=8)


def stores(url: str, **options: Any) -> RedisStores:
    options.setdefault("prefix", PREFIX)
    return redis_stores(url, **options)


def vendor_fake(**options: Any) -> FakeBill:
    fake = FakeBill(**options)
    fake.on("Crud/Read/Vendor.json", ok(VENDOR))
    return fake


def fleet_client(fake: FakeBill, shared: RedisStores, **options: Any) -> Any:
    options.setdefault("retry", FAST)
    return client(fake, limits=shared.limits, session_store=shared.session_store, **options)


def keys(url: str) -> list[str]:
    with redis.Redis.from_url(url, decode_responses=True) as plain:
        return sorted(plain.scan_iter(match=f"{PREFIX}:*"))


def governor_of(shared: RedisStores) -> RedisGovernor:
    return shared.limits.governor(f"{bill_async._core._redact.fingerprint(DEV_KEY)}:{ORG}", 3)


# -- sessions ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_stored_session_round_trips_and_is_replaced_by_compare_and_delete(
    redis_url: str,
) -> None:
    session = bill_async.StoredSession(
        session_id="!session-SECRET-9",
        org_id=ORG,
        user_id=None,
        api_endpoint="https://api.example/v2",
        last_used=1_700_000_000.25,
        mfa_trusted=True,
    )
    async with stores(redis_url) as first, stores(redis_url) as second:
        store, other = first.session_store, second.session_store
        assert await store.get("k") is None
        await store.put("k", session)
        assert await other.get("k") == session
        await other.touch("k", "!session-SECRET-9", 1_700_000_100.0)
        await other.touch("k", "!session-SECRET-9", 1_700_000_050.0)  # older: ignored
        await other.touch("k", "some-other-session", 1_800_000_000.0)  # not the one: ignored
        got = await store.get("k")
        assert got is not None and got.last_used == 1_700_000_100.0
        await store.delete("k", "some-other-session")
        assert await other.get("k") is not None
        await store.delete("k", "!session-SECRET-9")
        assert await other.get("k") is None
        assert "SECRET" not in repr(first) + repr(store) + repr(first.limits)


@pytest.mark.anyio
async def test_workers_sharing_redis_log_in_once_and_keys_hold_no_secret(redis_url: str) -> None:
    fake = vendor_fake(latency=0.005)
    workers = [stores(redis_url) for _ in range(4)]
    clients = [fleet_client(fake, shared) for shared in workers]
    async with anyio.create_task_group() as group:
        for bill in clients:
            for _ in range(5):
                group.start_soon(bill.vendors.read, "009x")
    for bill in clients:
        await bill.aclose()
    for shared in workers:
        await shared.aclose()
    assert fake.logins == 1
    assert set(fake.sessions_used("Crud/Read/Vendor.json")) == {"!session-SECRET-1"}
    names = keys(redis_url)
    assert names and all(name.startswith(f"{PREFIX}:") for name in names)
    for secret in (DEV_KEY, PASSWORD, "!session-SECRET-1", "ap@example.com"):
        assert not any(secret in name for name in names)


@pytest.mark.anyio
async def test_an_invalid_shared_session_is_replaced_once(redis_url: str) -> None:
    fake = vendor_fake()
    fake.on(
        "Crud/Read/Vendor.json",
        lambda seen: (
            error("BDC_1109", "Session is invalid.")
            if seen.form["sessionId"] == "!session-SECRET-1"
            else ok(VENDOR)
        ),
    )
    async with (
        stores(redis_url) as one,
        stores(redis_url) as two,
        fleet_client(fake, one) as first,
        fleet_client(fake, two) as second,
    ):
        await first.login()
        await second.vendors.read("009x")  # adopts session 1, finds it invalid, replaces it
        await first.vendors.read("009x")  # session 1 fails for it too: it adopts session 2
    assert fake.logins == 2


@pytest.mark.anyio
async def test_a_login_lock_whose_holder_died_frees_itself_when_its_lease_ends(
    redis_url: str,
) -> None:
    auth = credential()
    lock_key = f"{PREFIX}:login:{auth.session_key}"
    with redis.Redis.from_url(redis_url) as plain:
        plain.set(lock_key, "a-dead-worker", px=400)  # taken by a worker that then died
    fake = vendor_fake()
    async with stores(redis_url, lease=0.4) as shared, fleet_client(fake, shared) as bill:
        started = time.monotonic()
        await bill.vendors.read("009x")
        waited = time.monotonic() - started
    assert 0.25 < waited < 2.0
    assert fake.logins == 1
    assert keys(redis_url) == sorted(
        name for name in keys(redis_url) if not name.startswith(f"{PREFIX}:login:")
    )


@pytest.mark.anyio
async def test_the_login_lock_is_renewed_while_a_slow_login_runs(redis_url: str) -> None:
    fake = vendor_fake()
    slow_login = fake._login

    async def login(seen: Any) -> Any:
        await anyio.sleep(0.6)  # longer than the lease: renewals keep the lock
        return slow_login(seen)

    fake.login_answer = login
    workers = [stores(redis_url, lease=0.3) for _ in range(3)]
    clients = [fleet_client(fake, shared) for shared in workers]
    async with anyio.create_task_group() as group:
        for bill in clients:
            group.start_soon(bill.login)
    for bill in clients:
        await bill.aclose()
    for shared in workers:
        await shared.aclose()
    assert fake.logins == 1


@pytest.mark.anyio
async def test_debug_logs_of_a_fleet_hold_no_secret(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, redis-py's included
    fake = vendor_fake()
    async with (
        stores(redis_url) as one,
        stores(redis_url) as two,
        fleet_client(fake, one) as first,
        fleet_client(fake, two) as second,
    ):
        await first.vendors.read("009x")
        await second.vendors.read("009x")
    assert caplog.records
    for secret in (DEV_KEY, PASSWORD, "session-SECRET"):
        assert secret not in caplog.text


# -- the governor -----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_workers_never_exceed_3_in_flight_together(redis_url: str) -> None:
    fake = vendor_fake(latency=0.005, max_in_flight=3)
    workers = [stores(redis_url) for _ in range(3)]
    clients = [
        fleet_client(fake, shared, retry=bill_async.RetryPolicy(max_retries=0))
        for shared in workers
    ]
    async with anyio.create_task_group() as group:
        for bill in clients:
            for _ in range(20):
                group.start_soon(bill.vendors.read, "009x")
    assert fake.refused == 0
    assert fake.peak_in_flight[ORG] == 3
    assert fake.count("Crud/Read/Vendor.json") == 60
    for bill in clients:
        assert bill.limits.in_flight == 0
        assert bill.limits.max_in_flight == 3
        await bill.aclose()
    assert await governor_of(workers[0]).fleet_in_flight() == 0
    for shared in workers:
        await shared.aclose()


@pytest.mark.anyio
async def test_a_slot_held_by_a_dead_worker_comes_back_when_its_lease_ends(
    redis_url: str,
) -> None:
    async with stores(redis_url, lease=0.5) as dead, stores(redis_url, lease=0.5) as alive:
        mine = governor_of(dead)
        slots = [mine.slot() for _ in range(3)]
        for slot in slots:
            await slot.__aenter__()
        assert await mine.fleet_in_flight() == 3
        for slot in slots:  # the worker dies: it stops renewing and never gives them back
            slot._keeper.cancel()  # type: ignore[attr-defined]
        started = time.monotonic()
        async with governor_of(alive).slot():
            waited = time.monotonic() - started
        assert 0.2 < waited < 1.5


@pytest.mark.anyio
async def test_a_slot_is_renewed_while_a_call_outlasts_its_lease(redis_url: str) -> None:
    fake = vendor_fake(latency=0.5, max_in_flight=1)
    once = bill_async.RetryPolicy(max_retries=0)
    async with (
        stores(redis_url, lease=0.2) as one,
        stores(redis_url, lease=0.2) as two,
        fleet_client(fake, one, max_in_flight=1, retry=once) as first,
        fleet_client(fake, two, max_in_flight=1, retry=once) as second,
    ):
        await first.login()
        async with anyio.create_task_group() as group:
            group.start_soon(first.vendors.read, "009x")
            group.start_soon(second.vendors.read, "009x")
    assert fake.refused == 0
    assert fake.peak_in_flight[ORG] == 1


@pytest.mark.anyio
async def test_cancelled_waiters_and_holders_leak_no_slot(redis_url: str) -> None:
    fake = vendor_fake(latency=0.2)
    async with (
        stores(redis_url) as one,
        stores(redis_url) as two,
        fleet_client(fake, one) as first,
        fleet_client(fake, two) as second,
    ):
        await first.login()
        with anyio.move_on_after(0.1):  # 3 hold slots, 27 wait: all are cancelled
            async with anyio.create_task_group() as group:
                for bill in (first, second) * 15:
                    group.start_soon(bill.vendors.read, "009x")
        assert first.limits.in_flight == second.limits.in_flight == 0
        assert await governor_of(one).fleet_in_flight() == 0
        with anyio.fail_after(5):
            await first.vendors.read("009x")  # all 3 slots are free again
            async with anyio.create_task_group() as group:
                for _ in range(3):
                    group.start_soon(second.vendors.read, "009x")


@pytest.mark.anyio
async def test_bdc_1322_from_outside_the_fleet_lowers_the_fleets_limit(redis_url: str) -> None:
    fake = vendor_fake(latency=0.01, max_in_flight=1)  # something else holds 2 of the 3
    async with (
        stores(redis_url) as one,
        stores(redis_url) as two,
        fleet_client(fake, one) as first,
        fleet_client(fake, two) as second,
    ):
        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(first.vendors.read, "009x")
                group.start_soon(second.vendors.read, "009x")
        assert fake.refused > 0
        assert first.limits.max_in_flight < 3
        assert second.limits.max_in_flight < 3  # the other worker backs off too
    assert fake.count("Crud/Read/Vendor.json") == 16 + fake.refused
    with redis.Redis.from_url(redis_url) as plain:
        (limit_key,) = plain.keys(f"{PREFIX}:gov:*:limit")
        assert 0 < plain.pttl(limit_key) <= 60_000  # lowered for a while, not for good


# -- budgets ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_budgets_are_one_count_per_devkey_and_clock_hour(redis_url: str) -> None:
    now = 1_800_000_123.0
    hour = math.floor(now / 3600)
    async with stores(redis_url) as one, stores(redis_url) as two:
        first = one.limits.budget("dev:requests", 5)
        second = two.limits.budget("dev:requests", 5)
        assert await first.take(now) and await second.take(now) and await first.take(now)
        assert first.used(now) == 3  # the last count this process saw
        assert second.used(now) == 2
        assert await second.current(now) == 3
        assert await second.take(now) and await first.take(now)
        assert not await second.take(now)  # 5 of 5: refused, and nothing counted
        assert await first.current(now) == 5
        next_hour = (hour + 1) * 3600.0
        assert first.used(next_hour) == 0
        assert await first.take(next_hour)
        await second.exhaust(next_hour + 1)
        assert not await first.take(next_hour + 2)
        assert first.used(next_hour) == 5
    with redis.Redis.from_url(redis_url) as plain:
        key = f"{PREFIX}:budget:dev:requests:{hour}"
        assert plain.get(key) == b"5"
        assert 3600 < plain.ttl(key) <= 3900


@pytest.mark.anyio
async def test_a_fleets_calls_add_up_in_the_shared_budget(redis_url: str) -> None:
    fake = vendor_fake()
    wall = 1_800_000_000.0
    async with (
        stores(redis_url) as one,
        stores(redis_url) as two,
        fleet_client(fake, one, wall_clock=lambda: wall, hourly_requests=7) as first,
        fleet_client(fake, two, wall_clock=lambda: wall, hourly_requests=7) as second,
    ):
        for _ in range(4):
            await first.vendors.read("009x")
        for _ in range(3):
            await second.vendors.read("009x")
        with pytest.raises(bill_async.BudgetExhaustedError):
            await first.vendors.read("009x")
        assert second.limits.requests_used == 7
        assert second.limits.logins_used + first.limits.logins_used == 1
    assert fake.count("Crud/Read/Vendor.json") == 7


# -- Redis unreachable, trio ------------------------------------------------------------------


def dead_url() -> str:
    return f"redis://worker:hunter2-SECRET@127.0.0.1:{free_port()}/0?password=q-SECRET"


@pytest.mark.anyio
async def test_an_unreachable_redis_is_a_clear_error_by_default() -> None:
    fake = vendor_fake()
    url = dead_url()
    async with (
        stores(url, timeout=1, outage_wait=0.2) as shared,
        fleet_client(fake, shared) as bill,
    ):
        with pytest.raises(RedisUnavailableError) as caught:
            await bill.vendors.read("009x")
        with pytest.raises(RedisUnavailableError):
            await shared.limits.budget("dev:requests", 10).take(time.time())
    error = caught.value
    assert isinstance(error, bill_async.BillError)
    assert "SECRET" not in str(error) and "hunter2" not in str(error)
    assert error.url == f"redis://worker@{url.split('@')[1].split('?')[0]}"
    assert error.url in str(error) and "fallback=True" in str(error)
    assert fake.seen == []  # nothing was sent to BILL


@pytest.mark.anyio
async def test_the_fallback_is_explicit_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = vendor_fake(latency=0.002, max_in_flight=3)
    async with (
        stores(dead_url(), timeout=1, fallback=True, outage_wait=0.2) as shared,
        fleet_client(fake, shared) as bill,
    ):
        with (
            caplog.at_level(logging.WARNING, logger="bill_async.redis"),
            pytest.warns(RuntimeWarning, match="falls back to in-process") as warned,
        ):
            async with anyio.create_task_group() as group:
                for _ in range(12):
                    group.start_soon(bill.vendors.read, "009x")
            await bill.vendors.read("009x")
        assert shared.fell_back
        assert bill.limits.requests_used == 13
    assert len(warned) == 1
    assert [r.levelno for r in caplog.records if "falls back" in r.message] == [logging.WARNING]
    assert "SECRET" not in caplog.text
    assert fake.refused == 0 and fake.peak_in_flight[ORG] == 3  # the in-process governor holds
    assert fake.logins == 1


@pytest.mark.anyio
@pytest.mark.parametrize("fallback", [False, True])
async def test_redis_lost_in_the_middle_of_a_call_does_not_lose_its_answer(
    fallback: bool, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()
    fake = vendor_fake()
    with own_redis_server() as (url, server):

        def read_and_lose_redis(_seen: Any) -> Any:
            server.terminate()  # while the call holds its slot
            server.wait()
            return ok(VENDOR)

        async with (
            stores(url, timeout=1, fallback=fallback, outage_wait=0.2) as shared,
            fleet_client(fake, shared, auth=credential(clock=clock)) as bill,
        ):
            await bill.vendors.read("009x")
            clock.advance(60)  # so that the next answer records the session's use in Redis
            fake.on("Crud/Read/Vendor.json", read_and_lose_redis)
            with (
                caplog.at_level(logging.WARNING, logger="bill_async.redis"),
                pytest.warns(RuntimeWarning) if fallback else contextlib.nullcontext(),
            ):
                vendor = await bill.vendors.read("009x")  # BILL answered: so does the call
            assert vendor.id == VENDOR["id"]
            assert "could not give back a slot" in caplog.text
            fake.on("Crud/Read/Vendor.json", ok(VENDOR))
            if fallback:  # it fell back when it could not record the session's use
                await bill.vendors.read("009x")
                assert shared.fell_back
            else:
                assert "could not record a use of a shared session" in caplog.text
                with pytest.raises(RedisUnavailableError):
                    await bill.vendors.read("009x")
    assert fake.count("Crud/Read/Vendor.json") == 2 + fallback


@pytest.mark.anyio
async def test_ping_checks_redis_before_the_first_call(redis_url: str) -> None:
    async with stores(redis_url) as shared:
        await shared.ping()
    async with stores(dead_url(), timeout=1, outage_wait=0.2) as shared:
        with pytest.raises(RedisUnavailableError, match=r"after waiting 0\.2 s"):
            await shared.ping()


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_the_redis_stores_refuse_trio_clearly(redis_url: str) -> None:
    fake = vendor_fake()
    async with stores(redis_url) as shared, fleet_client(fake, shared) as bill:
        with anyio.fail_after(5), pytest.raises(bill_async.ClientStateError, match="asyncio"):
            await bill.vendors.read("009x")
        with pytest.raises(bill_async.ClientStateError, match="asyncio"):
            await shared.limits.budget("dev:requests", 10).take(time.time())
    assert fake.seen == []


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="lease"):
        redis_stores("redis://127.0.0.1:1/0", lease=0)
    with pytest.raises(ValueError, match="session_ttl"):
        redis_stores("redis://127.0.0.1:1/0", session_ttl=-1)
    with pytest.raises(ValueError, match="not a Redis URL") as caught:
        redis_stores("http://user:pw-SECRET@127.0.0.1:1/0")
    assert "SECRET" not in str(caught.value)
    shown = repr(redis_stores("redis://:pw-SECRET@127.0.0.1:1/0"))
    assert "SECRET" not in shown and "127.0.0.1:1" in shown
