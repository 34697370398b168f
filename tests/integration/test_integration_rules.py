"""BILL's rules end to end: the SDK's own checks, and the server's when the SDK is bypassed."""

from __future__ import annotations

import datetime as _dt
import json
import logging
from decimal import Decimal
from typing import Any

import anyio
import attrs
import httpx
import pytest

import bill_async
from bill_async import TOKEN_PERMISSIONS, Filter
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    TOKEN_REFUSED,
    Emulator,
    ManualClock,
    RunningEmulator,
)
from tests.emulator.rawhttp import SMALL
from tests.integration.conftest import QUICK_RETRY, credential, make_client

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

JULY_1, JULY_31 = _dt.date(2024, 7, 1), _dt.date(2024, 7, 31)


# -- token sessions -------------------------------------------------------------------------------


async def test_token_refusals_happen_in_the_sdk_before_anything_is_sent(
    token_client: bill_async.Client, emulator: Emulator
) -> None:
    bill = emulator.objects(emulator.token_org_id, "Bill")[0]
    with pytest.raises(bill_async.TokenPermissionError):
        await token_client.approvals.approve(object_id=bill["id"], entity="Bill")
    with pytest.raises(bill_async.TokenPermissionError):
        await token_client.invoices.send(invoice_id="00e02XXXXXXXXXXXabcde")
    with pytest.raises(bill_async.TokenPermissionError):
        await token_client.payments.pay_bills(bill_pays=[])
    assert emulator.counters.total_requests == 0  # not even a login


async def test_token_refusals_happen_in_the_server_when_the_sdk_is_bypassed(
    token_client: bill_async.Client, served: RunningEmulator, emulator: Emulator
) -> None:
    # What a token session may do works through the SDK...
    vendor = await token_client.vendors.create(name="Token Vendor")
    bill = await token_client.bills.create(
        vendor_id=vendor.id,
        invoice_number="TOK-1",
        invoice_date=JULY_1,
        due_date=JULY_31,
        bill_line_items=[{"amount": 80}],
    )
    sent = await token_client.payments.record_ap_payment(
        vendor_id=vendor.id, bill_pays=[{"billId": bill.id, "amount": 80}]
    )
    assert sent.status == bill_async.SentPayStatus.PAID
    orgs = await token_client.list_orgs()
    assert [org.org_id for org in orgs] == [emulator.token_org_id]
    # ...and what it may not, sent on its session by hand, the server refuses.
    session = token_client.session_manager.current
    assert session is not None
    user = emulator.user_id(emulator.token_org_id)
    refused: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=served.base_url + "/") as http:
        for path in TOKEN_PERMISSIONS:
            data = {"objectId": bill.id, "entity": "Bill", "approvers": [user]}
            response = await http.post(
                path,
                data={
                    "devKey": DEMO_DEV_KEY,
                    "sessionId": session.session_id,
                    "data": json.dumps(data),
                },
            )
            assert response.status_code == 200
            envelope = response.json()
            assert envelope["response_status"] == 1, path
            refused[path] = envelope["response_data"]["error_code"]
    assert set(refused.values()) == {TOKEN_REFUSED}
    assert (await token_client.bills.read(bill.id or "")).approval_status == "0"


# -- idle sessions --------------------------------------------------------------------------------


@pytest.fixture
def idle_clock(emulator: Emulator) -> ManualClock:
    """The emulator with a 3 s idle timeout, on a clock moved by hand."""
    clock = ManualClock()
    emulator.reset(attrs.evolve(SMALL, idle_timeout=3.0, clock=clock))
    return clock


async def test_an_idle_timeout_crossed_mid_run_is_recovered_by_relogin(
    served: RunningEmulator, emulator: Emulator, idle_clock: ManualClock
) -> None:
    # The SDK believes BILL's 35 minutes; the server idles sessions out after 3 s.
    org = emulator.org_ids[0]
    async with make_client(served.base_url, credential(org)) as client:
        pager = client.bills.list(page_size=5).pages()
        first = await pager.__anext__()
        idle_clock.advance(4)  # mid-run: the session dies between two pages
        rest = [page async for page in pager]
    ids = [b.id for page in [first, *rest] for b in page]
    assert ids == [b["id"] for b in emulator.objects(org, "Bill")]
    assert emulator.counters.errors == {"BDC_1109": 1}  # seen once, then replayed
    assert emulator.counters.logins == 2


async def test_an_sdk_that_knows_the_idle_timeout_renews_before_sending(
    served: RunningEmulator, emulator: Emulator, idle_clock: ManualClock
) -> None:
    org = emulator.org_ids[0]
    auth = credential(org, idle_timeout=3.0, clock=idle_clock)
    async with make_client(served.base_url, auth) as client:
        await client.session.get_info()
        idle_clock.advance(4)
        await client.vendors.list().collect()
        idle_clock.advance(1)
        await client.session.get_info()  # still fresh: no new login
    assert emulator.counters.errors == {}
    assert emulator.counters.logins == 2


# -- concurrency ----------------------------------------------------------------------------------


async def test_60_concurrent_calls_never_surface_bdc_1322(
    client: bill_async.Client, emulator: Emulator, org_id: str
) -> None:
    vendors = emulator.objects(org_id, "Vendor")
    bills = emulator.objects(org_id, "Bill")
    emulator.set_latency(0.005)
    results: dict[int, Any] = {}

    async def one(n: int) -> None:
        if n % 3 == 0:
            results[n] = (await client.vendors.read(vendors[n % len(vendors)]["id"])).id
        elif n % 3 == 1:
            results[n] = (await client.bills.read(bills[n % len(bills)]["id"])).id
        else:
            results[n] = len(await client.vendors.list(page_size=2, limit=2).collect())

    async with anyio.create_task_group() as group:
        for n in range(60):
            group.start_soon(one, n)
    assert len(results) == 60
    assert all(results[n] == vendors[n % len(vendors)]["id"] for n in range(0, 60, 3))
    assert all(results[n] == bills[n % len(bills)]["id"] for n in range(1, 60, 3))
    assert emulator.counters.errors["BDC_1322"] == 0
    assert emulator.counters.max_in_flight[org_id] == 3
    assert emulator.counters.paths["Login.json"] == 1  # one login for 60 callers


async def test_two_processes_on_one_key_are_refused_and_recover(
    served: RunningEmulator, emulator: Emulator, org_id: str
) -> None:
    # Two clients with separate limit stores, like two processes sharing a devKey: together
    # they exceed 3 in flight, the server answers BDC_1322, and the SDK waits and retries.
    emulator.set_latency(0.02)
    retry = attrs.evolve(QUICK_RETRY, max_retries=30)
    first = make_client(served.base_url, credential(org_id), retry=retry)
    second = make_client(served.base_url, credential(org_id), retry=retry)
    done: list[str] = []
    async with first, second:

        async def info(client: bill_async.Client) -> None:
            done.append((await client.session.get_info())["organizationId"])

        async with anyio.create_task_group() as group:
            for n in range(24):
                group.start_soon(info, first if n % 2 else second)
    assert done == [org_id] * 24
    assert emulator.counters.errors["BDC_1322"] > 0
    assert emulator.counters.max_in_flight[org_id] == 3


# -- dropped connections and server errors --------------------------------------------------------


async def vendors_named(client: bill_async.Client, name: str) -> list[bill_async.Vendor]:
    return await client.vendors.list(filters=[Filter("name", "=", name)]).collect()


async def test_a_write_whose_answer_is_dropped_after_it_ran_is_ambiguous_and_not_resent(
    client: bill_async.Client, emulator: Emulator
) -> None:
    await client.login()
    emulator.drop_next("Crud/Create/Vendor.json", when="after")
    with pytest.raises(bill_async.AmbiguousWriteError) as caught:
        await client.vendors.create(name="Exactly Once LLC")
    assert caught.value.operation == "Crud/Create/Vendor.json"
    assert isinstance(caught.value.__cause__, bill_async.ConnectionLostError)
    assert emulator.counters.paths["Crud/Create/Vendor.json"] == 1  # never sent again
    assert len(await vendors_named(client, "Exactly Once LLC")) == 1  # it ran: no duplicate


async def test_a_write_dropped_before_it_ran_is_ambiguous_too(
    client: bill_async.Client, emulator: Emulator
) -> None:
    await client.login()
    emulator.drop_next("Crud/Create/Vendor.json", when="before")
    with pytest.raises(bill_async.AmbiguousWriteError):
        await client.vendors.create(name="Never Made Inc.")
    assert emulator.counters.paths["Crud/Create/Vendor.json"] == 1
    assert await vendors_named(client, "Never Made Inc.") == []


async def test_dropped_and_failed_reads_are_retried(
    client: bill_async.Client, emulator: Emulator, org_id: str
) -> None:
    vendor = emulator.objects(org_id, "Vendor")[0]
    emulator.drop_next("Crud/Read/Vendor.json")
    emulator.fail_next(2, status=503, paths=["Crud/Read/Vendor.json"])
    read = await client.vendors.read(vendor["id"])
    assert read.id == vendor["id"]
    assert emulator.counters.paths["Crud/Read/Vendor.json"] == 4
    assert emulator.counters.dropped == 1 and emulator.counters.injected_failures == 2


async def test_a_5xx_on_a_write_is_ambiguous(client: bill_async.Client, emulator: Emulator) -> None:
    await client.login()
    emulator.fail_next(1, status=502, paths=["Crud/Create/Customer.json"])
    with pytest.raises(bill_async.AmbiguousWriteError):
        await client.customers.create(name="Maybe Customer")
    assert emulator.counters.paths["Crud/Create/Customer.json"] == 1


# -- hourly budget --------------------------------------------------------------------------------


async def test_the_servers_hourly_limit_reaches_the_caller(
    served: RunningEmulator, emulator: Emulator, org_id: str
) -> None:
    emulator.reset(attrs.evolve(SMALL, hourly_requests=3))
    async with make_client(served.base_url, credential(org_id)) as client:
        for _ in range(3):
            await client.session.get_info()
        with pytest.raises(bill_async.RateLimitError) as caught:
            await client.session.get_info()
        assert caught.value.code == "BDC_1144"
        assert caught.value.reset_at is not None
        # The SDK now knows the budget is spent and sends nothing more this hour.
        with pytest.raises(bill_async.BudgetExhaustedError):
            await client.vendors.read("00902ANYTHINGATALLabc")
    assert emulator.counters.total_requests == 5  # a login, 3 calls, 1 refused


async def test_amounts_stay_exact_end_to_end(client: bill_async.Client) -> None:
    vendor = await client.vendors.create(name="Cents Vendor")
    bill = await client.bills.create(
        vendor_id=vendor.id,
        invoice_number="C-1",
        invoice_date=JULY_1,
        due_date=JULY_31,
        bill_line_items=[{"amount": Decimal("0.1")}, {"amount": Decimal("0.2")}],
    )
    assert bill.amount == Decimal("0.3")


async def test_httpcore_debug_logs_show_no_session_cookie(
    served: RunningEmulator, emulator: Emulator, org_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    # httpcore logs every response header at DEBUG, and Login answers with a session cookie.
    caplog.set_level(logging.DEBUG)
    async with make_client(served.base_url, credential(org_id)) as client:
        await client.call("GetSessionInfo.json")
    session_ids = list(emulator.state.sessions)
    assert session_ids  # signed in
    assert "(b'set-cookie', b'***')" in caplog.text  # the header was logged, masked
    for secret in (*session_ids, DEMO_DEV_KEY, DEMO_PASSWORD):
        assert secret not in caplog.text
