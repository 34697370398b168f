"""Failure paths found in review: each keeps its promise (no raw httpx error, nothing lost,
nothing sent that should not be)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import httpx
import pytest

import bill_async
from tests.fakebill import FakeBill, Seen, client, error, fixture, ok, token

VENDOR = fixture("Crud_Read_Vendor")
FAST = bill_async.RetryPolicy(base_delay=0.001, max_delay=0.002)


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


def not_gzip() -> httpx.Response:
    """An answer that claims gzip and is not: httpx fails to decode it when it is read."""
    return httpx.Response(
        200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
    )


# httpx leaves its own decoding generator unfinished when the body does not decode; trio then
# reports it to the garbage collector's hook. That is httpx's, not ours.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.anyio
@pytest.mark.parametrize(
    "answer",
    [
        not_gzip,
        lambda: httpx.Response(200, content=b'{"response_status": 0, "response_da'),  # cut
        lambda: httpx.Response(200, content=b"<html>oops</html>"),
    ],
)
async def test_an_unreadable_answer_to_a_write_is_ambiguous(answer: Any) -> None:
    fake = FakeBill()
    fake.on("Crud/Create/Vendor.json", lambda seen: answer())
    async with client(fake, retry=FAST) as bill:
        with pytest.raises(bill_async.AmbiguousWriteError):
            await bill.vendors.create(name="Acme")
    assert fake.count("Crud/Create/Vendor.json") == 1


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # as above
@pytest.mark.anyio
async def test_an_undecodable_answer_to_a_read_is_retried_not_a_raw_httpx_error() -> None:
    fake = FakeBill()
    fake.on(
        "Crud/Read/Vendor.json",
        lambda seen: not_gzip() if fake.count("Crud/Read/Vendor.json") == 1 else ok(VENDOR),
    )
    async with client(fake, retry=FAST) as bill:
        assert (await bill.vendors.read("009x")).id == VENDOR["id"]


@pytest.mark.anyio
async def test_logout_of_a_session_bill_forgot_does_not_log_in_again() -> None:
    fake = FakeBill()
    fake.on("Logout.json", error("BDC_1109", "Session is invalid."))
    fake.on("GetSessionInfo.json", ok({}))
    async with client(fake) as bill:
        await bill.session.get_info()
        await bill.logout()
    assert fake.paths() == ["Login.json", "GetSessionInfo.json", "Logout.json"]


@pytest.mark.anyio
async def test_logout_with_no_session_open_sends_nothing_by_either_path() -> None:
    fake = FakeBill()
    fake.on("Logout.json", ok({}))
    fake.on("GetSessionInfo.json", ok({}))
    async with client(fake) as bill:
        await bill.session.logout()  # the generated method: it used to sign in, then log out
        await bill.logout()
        assert fake.paths() == []
        await bill.session.get_info()
        await bill.session.logout()
        assert bill.session_manager.current is None
        await bill.logout()  # ended already: nothing more is sent
    assert fake.paths() == ["Login.json", "GetSessionInfo.json", "Logout.json"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "path",
    [
        "Bulk/Crud/Create/User.json",
        "Crud/Undelete/ApprovalPolicyApprover.json",
        "Bulk/Crud/Update/ApprovalPolicyApprover.json",
    ],
)
async def test_client_call_applies_family_rules_to_paths_the_table_lacks(path: str) -> None:
    fake = FakeBill()
    async with client(fake, token()) as bill:
        with pytest.raises(bill_async.TokenPermissionError):
            await bill.call(path, {"bulk": []})
    assert fake.seen == []


@pytest.mark.anyio
async def test_close_stops_a_call_waiting_to_retry() -> None:
    import anyio

    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", httpx.Response(503, text="down"))

    class Longest(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b  # no jitter: the wait before the retry is the full 0.5 s

    slow = bill_async.RetryPolicy(base_delay=0.5, max_delay=0.5, max_retries=5)
    async with client(fake, retry=slow, random=Longest()) as bill:
        outcome: list[BaseException] = []

        async def read() -> None:
            try:
                await bill.vendors.read("009x")
            except bill_async.BillError as caught:
                outcome.append(caught)

        async with anyio.create_task_group() as group:
            group.start_soon(read)
            await anyio.sleep(0.05)  # the first attempt failed; it waits to retry
            await bill.aclose()
    assert [type(e) for e in outcome] == [bill_async.ClientStateError]
    assert fake.count("Crud/Read/Vendor.json") == 1


@pytest.mark.anyio
async def test_two_1109s_not_in_a_row_are_each_replayed() -> None:
    fake = FakeBill()
    answers = iter(
        [error("BDC_1109", "x"), error("BDC_1322", "busy"), error("BDC_1109", "x"), ok(VENDOR)]
    )
    fake.on("Crud/Read/Vendor.json", lambda seen: next(answers))
    events: list[bill_async.CallEvent] = []
    async with client(fake, retry=FAST, event_hooks={"retry": [events.append]}) as bill:
        assert (await bill.vendors.read("009x")).id == VENDOR["id"]
    assert fake.count("Crud/Read/Vendor.json") == 4
    assert fake.logins == 3
    assert [type(e.error).__name__ for e in events] == [
        "SessionExpiredError",
        "ConcurrencyLimitError",
        "SessionExpiredError",
    ]


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
async def test_a_list_answer_that_is_not_an_array_is_a_protocol_error_not_the_last_page() -> None:
    fake = FakeBill()
    fake.on("List/Vendor.json", ok({"unexpected": "object"}))
    async with client(fake, retry=FAST) as bill:
        with pytest.raises(bill_async.ProtocolError, match="not an array"):
            await bill.vendors.list().collect()


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
