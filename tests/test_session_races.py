"""Sessions under a busy fleet: a dead session is never adopted again, calls queued behind the
call that learnt it died go on with the new one, and a failed sign-in is tried again by each
waiting caller's own policy."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

import bill_async
from tests.fakebill import FakeBill, ManualClock, Seen, client, error, fixture, ok

VENDOR = fixture("Crud_Read_Vendor")
READ = "Crud/Read/Vendor.json"
CREATE = "Crud/Create/Vendor.json"
FAST = bill_async.RetryPolicy(base_delay=0.001, max_delay=0.005, max_retries=5)
INVALID = error("BDC_1109", "Session is invalid. Please log in.")


def fake_with_dead_sessions(dead: set[str], **options: Any) -> FakeBill:
    fake = FakeBill(**options)
    fake.on(READ, lambda seen: INVALID if seen.form["sessionId"] in dead else ok(VENDOR))
    fake.on(CREATE, lambda seen: ok({**VENDOR, "name": seen.data["obj"]["name"]}))
    return fake


class SlowDeleteStore(bill_async.InProcessSessionStore):
    """A shared store whose compare-and-delete takes a while (as Redis' does, under load)."""

    def __init__(self) -> None:
        super().__init__()
        self.deleting = anyio.Event()
        self.let_delete = anyio.Event()

    async def delete(self, key: str, session_id: str) -> None:
        self.deleting.set()
        await self.let_delete.wait()
        await super().delete(key, session_id)


@pytest.mark.anyio
async def test_a_sign_in_during_the_delete_does_not_adopt_the_dead_session() -> None:
    dead: set[str] = set()
    fake = fake_with_dead_sessions(dead)
    store = SlowDeleteStore()
    outcomes: list[str] = []

    async def read(bill: bill_async.Client) -> None:
        vendor = await bill.vendors.read("009x")
        outcomes.append(vendor.id)

    async with client(fake, session_store=store, retry=FAST) as bill:
        await bill.login()
        dead.add("!session-SECRET-1")  # BILL drops it
        async with anyio.create_task_group() as group:
            group.start_soon(read, bill)  # sees BDC_1109; its delete is slow
            await store.deleting.wait()
            group.start_soon(read, bill)  # signs in while the dead session is still stored
            await anyio.sleep(0.05)
            store.let_delete.set()
    assert outcomes == [VENDOR["id"]] * 2  # no BDC_1109 reached a caller
    # The dead session was sent once (where BILL said it was dead), never again.
    assert fake.sessions_used(READ).count("!session-SECRET-1") == 1
    assert fake.logins == 2
    stored = await store.get(bill.auth.session_key)
    assert stored is not None and stored.session_id == "!session-SECRET-2"


@pytest.mark.anyio
async def test_calls_queued_behind_the_one_that_saw_bdc_1109_wait_for_the_new_session() -> None:
    dead: set[str] = set()
    fake = fake_with_dead_sessions(dead, latency=0.005)
    async with client(fake, retry=FAST, max_in_flight=1) as bill:
        await bill.login()
        dead.add("!session-SECRET-1")
        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(bill.vendors.read, "009x")  # each holds session 1, queued
    used = fake.sessions_used(READ)
    assert used.count("!session-SECRET-1") == 1  # one BDC_1109, not twenty
    assert used.count("!session-SECRET-2") == 20  # the refused one replayed, the rest once
    assert fake.logins == 2


@pytest.mark.anyio
async def test_a_logout_queued_behind_a_dead_session_sends_nothing() -> None:
    dead: set[str] = set()
    fake = fake_with_dead_sessions(dead, latency=0.005)
    fake.on("Logout.json", ok({}))
    async with client(fake, retry=FAST, max_in_flight=1) as bill:
        await bill.login()
        dead.add("!session-SECRET-1")
        async with anyio.create_task_group() as group:
            group.start_soon(bill.vendors.read, "009x")
            await anyio.lowlevel.checkpoint()  # the read takes the slot first
            group.start_soon(bill.logout)
    assert "Logout.json" not in fake.paths()


def failing_logins(fake: FakeBill, failures: int, then: Any = None) -> list[int]:
    """Login.json answers HTTP 503 ``failures`` times, then signs in (or answers ``then``)."""
    sign_in = fake._login
    count = [0]

    async def login(seen: Seen) -> Any:
        count[0] += 1
        await anyio.sleep(0.01)
        if count[0] <= failures:
            return httpx.Response(503, text="<html>Service Unavailable</html>")
        return then if then is not None else sign_in(seen)

    fake.login_answer = login
    return count


@pytest.mark.anyio
async def test_waiters_try_a_failed_sign_in_again_by_their_own_policy() -> None:
    # The client's policy allows 5 retries; six 503s used to fail every queued create with
    # the leader's error. The creates' own policy allows 10: they all go through, each sent once.
    fake = fake_with_dead_sessions(set())
    failing_logins(fake, failures=6)
    patient = bill_async.RetryPolicy(base_delay=0.001, max_delay=0.005, max_retries=10)
    names: list[str] = []

    async def create(bill: bill_async.Client, name: str) -> None:
        vendor = await bill.vendors.create(name=name)
        names.append(vendor.name or "")

    async with client(fake, retry=FAST) as bill, anyio.create_task_group() as group:
        for index in range(50):
            group.start_soon(create, bill.with_options(retry=patient), f"v{index}")
    assert sorted(names) == sorted(f"v{index}" for index in range(50))
    assert fake.count(CREATE) == 50  # each sent once
    assert fake.logins == 7  # one Login.json per round, not one per waiter


@pytest.mark.anyio
async def test_a_waiter_without_retries_fails_at_once_and_nothing_is_sent() -> None:
    fake = fake_with_dead_sessions(set())
    failing_logins(fake, failures=1)
    impatient = bill_async.RetryPolicy(max_retries=0)
    outcomes: list[object] = []

    async def create(bill: bill_async.Client, name: str) -> None:
        try:
            outcomes.append(await bill.vendors.create(name=name))
        except bill_async.BillError as failure:
            outcomes.append(failure)

    async with client(fake, retry=FAST) as bill, anyio.create_task_group() as group:
        for index in range(10):
            group.start_soon(create, bill.with_options(retry=impatient), f"now{index}")
        for index in range(10):
            group.start_soon(create, bill, f"later{index}")
    failed = [o for o in outcomes if isinstance(o, bill_async.BillError)]
    assert len(failed) == 10
    # The create was never sent: the sign-in's own failure, not an ambiguous write.
    assert all(type(f) is bill_async.ProtocolError and f.status_code == 503 for f in failed)
    assert sorted(s.data["obj"]["name"] for s in fake.seen if s.path == CREATE) == sorted(
        f"later{index}" for index in range(10)
    )
    assert fake.logins == 2


@pytest.mark.anyio
async def test_a_final_sign_in_failure_after_a_transient_one_fails_everyone_at_once() -> None:
    fake = fake_with_dead_sessions(set())
    failing_logins(fake, failures=1, then=error("BDC_1101", "User name and/or password bad."))
    caught: list[BaseException] = []

    async def create(bill: bill_async.Client) -> None:
        try:
            await bill.vendors.create(name="x")
        except bill_async.BillError as failure:
            caught.append(failure)

    async with client(fake, retry=FAST) as bill, anyio.create_task_group() as group:
        for _ in range(30):
            group.start_soon(create, bill)
    assert len(caught) == 30
    assert all(type(f) is bill_async.AuthenticationError for f in caught)
    assert fake.logins == 2  # the 503, then the refusal: no retry after a refusal
    assert fake.count(CREATE) == 0


@pytest.mark.anyio
async def test_a_waiter_stops_trying_at_its_deadline() -> None:
    clock = ManualClock()
    fake = fake_with_dead_sessions(set())
    sign_in_failures = failing_logins(fake, failures=1_000)
    answer = fake.login_answer
    assert answer is not None

    async def slow_login(seen: Seen) -> Any:
        clock.advance(1.0)  # each failed sign-in costs a second of the caller's deadline
        return await answer(seen)  # type: ignore[misc]

    fake.login_answer = slow_login
    bounded = bill_async.RetryPolicy(
        base_delay=0.001, max_delay=0.002, max_retries=100, deadline=3.5
    )
    async with client(fake, retry=FAST, clock=clock) as bill:
        with pytest.raises(bill_async.ProtocolError) as failed:
            await bill.with_options(retry=bounded).vendors.create(name="x")
    assert failed.value.status_code == 503
    assert sign_in_failures[0] == 4  # it tried again at 1, 2 and 3 s; at 4 s its deadline passed
    assert fake.count(CREATE) == 0
