"""BILL's limits: write-safe retries, the governor, budgets, cancellation, many organizations."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import anyio
import httpx
import pytest

import bill_async
from bill_async._core._limits import LocalGovernor
from tests.fakebill import (
    BASE_URL,
    ORG,
    OTHER_ORG,
    FakeBill,
    ManualClock,
    Seen,
    client,
    credential,
    error,
    fixture,
    ok,
)
from tests.loopback import serve

VENDOR = fixture("Crud_Read_Vendor")
FAST = bill_async.RetryPolicy(base_delay=0.001, max_delay=0.005, max_retries=8)


def strict_fake(**options: Any) -> FakeBill:
    """A fake that answers BDC_1322 whenever more than 3 requests of one org are in flight."""
    fake = FakeBill(max_in_flight=3, **options)
    fake.on("Crud/Read/Vendor.json", ok(VENDOR))
    return fake


@pytest.mark.anyio
async def test_60_concurrent_reads_never_exceed_3_in_flight() -> None:
    fake = strict_fake(latency=0.005)
    async with client(fake, retry=FAST) as bill:
        async with anyio.create_task_group() as group:
            for _ in range(60):
                group.start_soon(bill.vendors.read, "009x")
        limits = bill.limits
    assert fake.count("Crud/Read/Vendor.json") == 60
    assert fake.refused == 0
    assert fake.peak_in_flight[ORG] == 3
    assert limits.in_flight == 0
    assert limits.max_in_flight == 3


@pytest.mark.anyio
async def test_two_orgs_get_up_to_3_each() -> None:
    fake = strict_fake(latency=0.005)
    async with client(fake, retry=FAST) as bill:
        other = bill.for_org(OTHER_ORG)
        async with anyio.create_task_group() as group:
            for _ in range(30):
                group.start_soon(bill.vendors.read, "009x")
                group.start_soon(other.vendors.read, "009x")
    assert fake.refused == 0
    assert fake.peak_in_flight[ORG] == 3
    assert fake.peak_in_flight[OTHER_ORG] == 3
    assert fake.logins == 2  # one session per org


@pytest.mark.anyio
async def test_the_governor_is_shared_by_clients_of_one_key_and_backs_off_on_1322() -> None:
    fake = strict_fake(latency=0.005)
    limits = bill_async.InProcessLimits()
    async with (
        client(fake, limits=limits, retry=FAST) as first,
        client(fake, limits=limits, retry=FAST) as second,
        anyio.create_task_group() as group,
    ):
        for _ in range(20):
            group.start_soon(first.vendors.read, "009x")
            group.start_soon(second.vendors.read, "009x")
    assert fake.refused == 0
    assert fake.peak_in_flight[ORG] == 3

    # Another process (outside this governor) holds 2 slots: BILL refuses, nothing surfaces.
    busy = strict_fake(latency=0.005)
    busy.max_in_flight = 1
    async with client(busy, retry=FAST) as bill:
        async with anyio.create_task_group() as group:
            for _ in range(12):
                group.start_soon(bill.vendors.read, "009x")
        assert bill.limits.max_in_flight < 3  # it lowered its own limit
    assert busy.count("Crud/Read/Vendor.json") == 12 + busy.refused
    assert busy.refused > 0


@pytest.mark.anyio
async def test_a_create_whose_answer_is_lost_is_ambiguous_and_not_resent() -> None:
    fake = FakeBill()
    created: list[Seen] = []

    def create(seen: Seen) -> Any:
        created.append(seen)
        return httpx.ReadTimeout("the answer was lost")  # BILL ran it; the answer never came

    fake.on("Crud/Create/Vendor.json", create)
    async with client(fake, retry=FAST) as bill:
        with pytest.raises(bill_async.AmbiguousWriteError) as caught:
            await bill.vendors.create(name="Acme", email="a@b.c")
    assert len(created) == 1
    assert caught.value.operation == "Crud/Create/Vendor.json"
    assert caught.value.data == {"obj": {"entity": "Vendor", "name": "Acme", "email": "a@b.c"}}
    assert isinstance(caught.value.__cause__, bill_async.ReadTimeoutError)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure",
    [
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.WriteTimeout("write timed out"),
        httpx.Response(503, text="Service Unavailable"),
        httpx.Response(502, text="<html>Bad Gateway</html>"),
    ],
)
async def test_other_write_failures_are_ambiguous(failure: Any) -> None:
    fake = FakeBill()
    fake.on("RecordAPPayment.json", lambda seen: failure)
    async with client(fake, retry=FAST) as bill:
        with pytest.raises(bill_async.AmbiguousWriteError):
            await bill.payments.record_ap_payment(vendor_id="009x", bill_pays=[])
    assert fake.count("RecordAPPayment.json") == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    "refusal",
    [
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.PoolTimeout("no connection free"),
        error("BDC_1322", "Max number of concurrent requests per organization reached."),
    ],
)
async def test_a_write_that_provably_did_not_run_is_retried_and_created_once(refusal: Any) -> None:
    fake = FakeBill()
    ran: list[Seen] = []

    def create(seen: Seen) -> Any:
        if len([s for s in fake.seen if s.path == seen.path]) == 1:
            return refusal  # the first attempt never reached BILL (or was refused by it)
        ran.append(seen)
        return ok({**VENDOR, "name": seen.data["obj"]["name"]})

    fake.on("Crud/Create/Vendor.json", create)
    async with client(fake, retry=FAST) as bill:
        vendor = await bill.vendors.create(name="Acme")
    assert vendor.name == "Acme"
    assert len(ran) == 1
    assert fake.count("Crud/Create/Vendor.json") == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("the answer was lost"),
        httpx.RemoteProtocolError("Server disconnected"),
        httpx.Response(503, text="Service Unavailable"),
        httpx.Response(500, text="Internal Server Error"),
    ],
)
async def test_a_read_is_retried_after_any_failure(failure: Any) -> None:
    fake = FakeBill()
    fake.on(
        "Crud/Read/Vendor.json",
        lambda seen: failure if fake.count("Crud/Read/Vendor.json") < 3 else ok(VENDOR),
    )
    events: list[bill_async.CallEvent] = []
    async with client(
        fake, retry=FAST, event_hooks={"retry": [events.append], "request": [events.append]}
    ) as bill:
        vendor = await bill.vendors.read("009x")
    assert vendor.id == VENDOR["id"]
    assert fake.count("Crud/Read/Vendor.json") == 3
    retries = [e for e in events if e.event == "retry"]
    assert [e.attempt for e in retries] == [1, 2]
    assert all(e.operation == "Crud/Read/Vendor.json" and e.error is not None for e in retries)
    requests = [
        e for e in events if e.event == "request" and e.operation == "Crud/Read/Vendor.json"
    ]
    assert [e.attempt for e in requests] == [1, 2, 3]


@pytest.mark.anyio
async def test_retries_stop_at_max_retries_and_raise_the_last_error() -> None:
    fake = FakeBill()
    fake.on("List/Bill.json", httpx.Response(503, text="down"))
    policy = bill_async.RetryPolicy(max_retries=2, base_delay=0.001)
    async with client(fake, retry=policy) as bill:
        with pytest.raises(bill_async.ProtocolError) as caught:
            await bill.bills.list().collect()
    assert caught.value.status_code == 503
    assert fake.count("List/Bill.json") == 3


@pytest.mark.anyio
async def test_retries_stop_at_the_deadline() -> None:
    now = [0.0]
    fake = FakeBill()

    def fail(seen: Seen) -> Any:
        now[0] += 10.0  # each attempt costs ten seconds on the injected clock
        return httpx.ReadTimeout("slow")

    fake.on("Crud/Read/Bill.json", fail)
    policy = bill_async.RetryPolicy(max_retries=50, base_delay=0.001, deadline=25.0)
    async with client(fake, retry=policy, clock=lambda: now[0]) as bill:
        with pytest.raises(bill_async.ReadTimeoutError):
            await bill.bills.read("00n1")
    assert fake.count("Crud/Read/Bill.json") == 3


@pytest.mark.anyio
async def test_a_per_call_policy_overrides_the_client_policy() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Bill.json", httpx.Response(503, text="down"))
    async with client(fake, retry=FAST) as bill:
        with pytest.raises(bill_async.ProtocolError):
            await bill.with_options(retry=bill_async.RetryPolicy(max_retries=0)).bills.read("x")
        assert fake.count("Crud/Read/Bill.json") == 1
        with pytest.raises(bill_async.ProtocolError):
            await bill.call(
                "Crud/Read/Bill.json",
                {"id": "x"},
                retry=bill_async.RetryPolicy(max_retries=1, base_delay=0),
            )
    assert fake.count("Crud/Read/Bill.json") == 3


@pytest.mark.anyio
async def test_bdc_1144_raises_rate_limit_error_with_reset_at() -> None:
    fake = FakeBill()
    fake.on(
        "List/Vendor.json",
        error("BDC_1144", "Max number of allowed requests per hour reached: 20000."),
    )
    wall = dt.datetime(2026, 11, 26, 14, 37, 12, tzinfo=dt.UTC).timestamp()
    async with client(fake, retry=FAST, wall_clock=lambda: wall) as bill:
        with pytest.raises(bill_async.RateLimitError) as caught:
            await bill.vendors.list().collect()
        assert fake.count("List/Vendor.json") == 1  # one request, not retried
        assert caught.value.reset_at == dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
        assert caught.value.code == "BDC_1144"
        # BILL said the hour is spent: the next call is refused without sending.
        with pytest.raises(bill_async.BudgetExhaustedError) as refused:
            await bill.vendors.read("009x")
        assert refused.value.reset_at == dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
    assert fake.count("Crud/Read/Vendor.json") == 0


@pytest.mark.anyio
async def test_hourly_budgets_are_counted_and_enforced() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", ok(VENDOR))
    wall = [dt.datetime(2026, 11, 26, 14, 59, 0, tzinfo=dt.UTC).timestamp()]
    async with client(fake, hourly_requests=5, wall_clock=lambda: wall[0]) as bill:
        for _ in range(5):
            await bill.vendors.read("009x")
        limits = bill.limits
        assert (limits.requests_used, limits.requests_remaining) == (5, 0)
        assert (limits.logins_used, limits.logins_remaining) == (1, 199)
        with pytest.raises(bill_async.BudgetExhaustedError):
            await bill.vendors.read("009x")
        assert fake.count("Crud/Read/Vendor.json") == 5
        wall[0] += 120  # the next clock hour
        await bill.vendors.read("009x")
        assert bill.limits.requests_used == 1


@pytest.mark.anyio
async def test_waiting_out_the_hourly_limit_is_an_option() -> None:
    fake = FakeBill()
    # A wall clock that runs with real time from 0.1 s before the top of an hour.
    start = dt.datetime(2026, 11, 26, 14, 59, 59, 900000, tzinfo=dt.UTC).timestamp()
    began = time.monotonic()
    answers = iter([error("BDC_1144", "limit"), ok(VENDOR)])
    fake.on("Crud/Read/Vendor.json", lambda seen: next(answers))
    policy = bill_async.RetryPolicy(wait_on_hourly_limit=True)
    wall_clock = lambda: start + time.monotonic() - began  # noqa: E731
    async with client(fake, retry=policy, wall_clock=wall_clock) as bill:
        with anyio.fail_after(5):
            vendor = await bill.vendors.read("009x")
    assert vendor.id == VENDOR["id"]
    assert fake.count("Crud/Read/Vendor.json") == 2


@pytest.mark.anyio
async def test_budgets_are_one_count_per_devkey_whatever_limit_a_client_names() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", ok(VENDOR))
    limits = bill_async.InProcessLimits()
    wall = dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC).timestamp()
    async with (
        client(fake, limits=limits, wall_clock=lambda: wall) as first,
        client(fake, limits=limits, hourly_requests=19_000, wall_clock=lambda: wall) as second,
    ):
        for _ in range(5):
            await first.vendors.read("009x")
            await second.vendors.read("009x")
        assert first.limits.requests_used == second.limits.requests_used == 10


@pytest.mark.anyio
async def test_for_org_shares_the_pool_and_keeps_its_own_session() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", ok(VENDOR))
    async with client(fake) as bill:
        other = bill.for_org(OTHER_ORG)
        assert bill.for_org(OTHER_ORG) is other
        assert bill.for_org(ORG) is bill
        assert other._pipeline.shared.sender is bill._pipeline.shared.sender
        await bill.vendors.read("009x")
        await other.vendors.read("009x")
        await other.aclose()  # closing a child leaves the shared pool open
        await bill.vendors.read("009x")
    logins = [s.form["orgId"] for s in fake.seen if s.path == "Login.json"]
    assert logins == [ORG, OTHER_ORG]
    reads = fake.sessions_used("Crud/Read/Vendor.json")
    assert reads[0] != reads[1] and reads[0] == reads[2]
    with pytest.raises(bill_async.ClientStateError):
        await other.vendors.read("009x")


# -- cancellation over a real connection pool ----------------------------------------------------


async def slow_bill(scope: dict[str, Any], receive: Any, send: Any) -> None:
    while (await receive()).get("more_body"):
        pass
    name = scope["path"].rsplit("/", 1)[-1]
    if name == "Login.json":
        data = {"sessionId": "!s", "orgId": ORG}
    else:
        await anyio.sleep(0.3 if name == ["Crud/Read", "Vendor.json"][-1] else 0)
        data = VENDOR
    body = json.dumps({"response_status": 0, "response_message": "Success", "response_data": data})
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


@pytest.mark.anyio
async def test_cancelled_calls_give_back_their_slots_and_connections() -> None:
    with serve(slow_bill) as url:
        bill = bill_async.Client(
            credential(),
            base_url=f"{url}/api/v2",
            max_in_flight=50,
            limits=bill_async.InProcessLimits(),
        )
        async with bill:
            await bill.login()
            with anyio.move_on_after(0.1):  # all 50 are in flight when the scope is cancelled
                async with anyio.create_task_group() as group:
                    for _ in range(50):
                        group.start_soon(bill.vendors.read, "009x")
            limits = bill.limits
            transport = bill._pipeline.shared.sender.transport
            assert isinstance(transport, bill_async.PooledTransport)
            connections = [c for p in transport._pools if p is not None for c in p.connections]
            assert limits.in_flight == 0
            assert transport._in_flight == [0] * len(transport._pools)
            assert [c for c in connections if not (c.is_idle() or c.is_closed())] == []
            vendor = await bill.vendors.read("009x")
            assert vendor.id == VENDOR["id"]
            assert bill.limits.in_flight == 0


@pytest.mark.anyio
async def test_a_call_cancelled_by_a_timeout_frees_its_slot() -> None:
    fake = FakeBill(latency=1.0)
    fake.on("Crud/Read/Vendor.json", ok(VENDOR))
    async with client(fake) as bill:
        await bill.login()
        with pytest.raises(TimeoutError):
            with anyio.fail_after(0.05):
                await bill.vendors.read("009x")
        assert bill.limits.in_flight == 0
        fake.latency = 0
        assert (await bill.vendors.read("009x")).id == VENDOR["id"]


def test_retry_policy_backoff_has_full_jitter_and_a_cap() -> None:
    import random

    policy = bill_async.RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(7)
    delays = [policy.backoff(n, rng) for n in range(1, 10) for _ in range(50)]
    assert all(0 <= d <= 8.0 for d in delays)
    assert max(policy.backoff(1, rng) for _ in range(200)) <= 1.0
    assert max(policy.backoff(6, rng) for _ in range(200)) > 4.0
    with pytest.raises(ValueError):
        bill_async.RetryPolicy(max_retries=-1)


def test_base_url_of_the_fake() -> None:
    assert BASE_URL.endswith("/api/v2")


@pytest.mark.anyio
async def test_a_failure_without_words_is_said_plainly() -> None:
    # httpcore's timeouts on trio carry no message: "ReadTimeout: " told the user nothing.
    fake = FakeBill()
    fake.on("Crud/Read/Bill.json", lambda seen: httpx.ReadTimeout(""))
    async with client(fake, retry=bill_async.RetryPolicy(max_retries=0)) as bill:
        with pytest.raises(bill_async.ReadTimeoutError) as caught:
            await bill.bills.read("00n1")
    assert str(caught.value) == (
        "Crud/Read/Bill.json: ReadTimeout: no answer within the read timeout"
    )


@pytest.mark.anyio
async def test_one_refusal_lowers_the_limit_by_one() -> None:
    # Three in flight, BILL refuses the third (another client holds one of its slots): two of
    # ours fit. The refusal is reported after the refused call gave its slot back, and the
    # limit used to fall to 1 (then take 40 answered calls to climb back to 3).
    governor = LocalGovernor(3)
    async with governor.slot(), governor.slot():
        async with governor.slot():
            pass  # the refused call, answered BDC_1322
        governor.refused()
        assert governor.limit == 2


def test_the_limit_climbs_back_a_step_a_second_without_answers() -> None:
    # Counted in answers (20 a step) the limit stayed low while calls were few, slow or
    # cancelled; by the clock it is back to 3 two seconds after the last refusal, whether or
    # not any call was answered meanwhile (cancelled calls answer nothing).
    clock = ManualClock()
    governor = LocalGovernor(3, clock=clock)
    governor.refused()  # with 3 in flight (the refused one among them): 2
    governor.refused()  # and again: 1
    assert governor.limit == 1
    clock.advance(0.9)
    assert governor.limit == 1
    clock.advance(0.1)
    assert governor.limit == 2
    clock.advance(5.0)
    assert governor.limit == 3  # never above its maximum


@pytest.mark.anyio
async def test_calls_get_the_full_limit_back_seconds_after_the_refusals_stop() -> None:
    clock = ManualClock()
    fake = strict_fake(latency=0.01)
    fake.max_in_flight = 1  # another process holds two of the three slots
    async with client(fake, retry=FAST, limits=bill_async.InProcessLimits(clock=clock)) as bill:
        async with anyio.create_task_group() as group:
            for _ in range(6):
                group.start_soon(bill.vendors.read, "009x")
        assert bill.limits.max_in_flight == 1
        fake.max_in_flight = 3  # the other process is done
        clock.advance(2.0)
        fake.peak_in_flight.clear()
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(bill.vendors.read, "009x")
    assert fake.peak_in_flight[ORG] == 3  # at once, not after 40 more answered calls
