"""``bill-async listen`` against the emulator as BILL's webhook sender, both under uvicorn: the
listening export ends equal to a fresh export after duplicated, reordered and failed deliveries
of changes made through v2 and v3; each event is applied once; a forged delivery changes nothing;
an event accepted and not applied when the receiver stops is applied by the next one."""

from __future__ import annotations

import contextlib
import math
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import anyio
import httpx
import pytest
import uvicorn

import bill_async
from bill_async import _cli as cli
from bill_async import v3
from bill_async._listen import Listener, subscribed_event_types
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    EmulatorConfig,
    RunningEmulator,
)
from bill_async.v3._sync import EXPORTED, open_v3_database, sync_v3
from bill_async.webhooks import SIGNATURE_HEADER, sign
from tests.demo_env import demo_env


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # uvicorn, which serves the receiver as the command does, runs on asyncio


async def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    with anyio.fail_after(seconds):
        while True:
            if condition():
                return
            await anyio.sleep(0.02)


QUICK_RETRIES = (0.2, 0.4, 0.8)


@pytest.fixture
def served(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> Iterator[RunningEmulator]:
    """An emulator for each test (each changes its data and subscriptions), retrying quickly."""
    config = EmulatorConfig(scale=0.02, webhook_retry_schedule=QUICK_RETRIES)
    with serve_emulator(config) as running:
        yield running


def auth_for(served: RunningEmulator) -> bill_async.CredentialLogin:
    org = served.emulator.org_ids[0]
    return bill_async.CredentialLogin(DEMO_USER_NAME, DEMO_PASSWORD, org, DEMO_DEV_KEY)


def rows(path: Path) -> dict[str, dict[str, str]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return {
            f"v3_{group}": dict(db.execute(f'SELECT id, wire FROM "v3_{group}"').fetchall())
            for group in EXPORTED
        }


def event_rows(path: Path) -> list[tuple[str, float | None]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT event_id, done_at FROM webhook_events").fetchall()


@contextlib.asynccontextmanager
async def listening(
    served: RunningEmulator,
    out: Path,
    *,
    run: bool = True,
    port: int = 0,
    report: Callable[[str], None] = print,
) -> AsyncIterator[Listener]:
    """A started listener for the emulator's first organization, its receiver served by uvicorn
    (on ``port``, or a free one), and (``run``) applying events in the background."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # no Nagle
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/bill/webhooks"
    async with v3.Client(auth_for(served), base_url=served.v3_base_url) as client:
        listener = Listener(client, out, url, served.emulator.org_ids[0], sync_every=math.inf)
        server = uvicorn.Server(uvicorn.Config(listener.app(), lifespan="off", log_level="error"))
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(server.serve, [sock])
                await listener.start()
                async with anyio.create_task_group() as applying:
                    if run:
                        applying.start_soon(lambda: listener.run(report=report, report_every=3600))
                    try:
                        yield listener
                    finally:
                        applying.cancel_scope.cancel()
                server.should_exit = True  # a graceful stop: its connections closed
        finally:
            listener.close()
            sock.close()


def port_of(listener: Listener) -> int:
    return int(listener.notification_url.rsplit(":", 1)[1].split("/")[0])


async def settle(served: RunningEmulator, listener: Listener) -> None:
    """Until every event made has been applied, and nothing waits to be."""
    counts = served.emulator.counters.webhooks
    with anyio.fail_after(20):
        while True:
            if listener.report.applied >= counts.events and await listener.pending() == 0:
                return
            await anyio.sleep(0.05)


async def change_through_both_faces(served: RunningEmulator) -> None:
    async with v3.Client(auth_for(served), base_url=served.v3_base_url) as client:
        made = await client.vendors.create({"name": "Listened Supplies"})
        await client.vendors.update(made.id, {"email": "ap@listened.example"})
        bills = await client.bills.list(limit=2).collect()
        for bill in bills:
            await client.bills.update(bill.id, {"description": "changed through v3"})
        unpaid = [i async for i in client.invoices.list() if i.due_amount == i.total_amount]
        await client.invoices.archive(unpaid[0].id)  # one with payments may not be archived
    async with bill_async.Client(auth_for(served), base_url=served.base_url) as client:
        vendor = (await client.vendors.list(limit=1).collect())[0]
        await client.vendors.update(vendor, name="Renamed through v2")
        await client.vendors.update(vendor, name="Renamed twice through v2")
        await client.vendors.delete(made.id)  # v2's inactive: v3's archived


@pytest.mark.anyio
async def test_the_listening_export_equals_a_fresh_one_and_each_event_is_applied_once(
    served: RunningEmulator, tmp_path: Path
) -> None:
    out = tmp_path / "listen.db"
    hooks = served.emulator.webhooks
    async with listening(served, out) as listener:
        hooks.duplicate_next(3)
        hooks.reorder_next(4)
        hooks.lose_next(2)  # failed attempts: BILL sends them again
        await change_through_both_faces(served)
        await settle(served, listener)
        fresh = tmp_path / "fresh.db"
        database = open_v3_database(fresh, list(EXPORTED))
        try:
            await sync_v3(listener.client, database, [served.emulator.org_ids[0]], list(EXPORTED))
        finally:
            database.close()
        report = listener.report
        counts = listener.receiver.counts if listener.receiver else None
    webhooks = served.emulator.counters.webhooks
    assert webhooks.duplicated == 3 and webhooks.reordered == 4 and webhooks.failed >= 2
    assert webhooks.gave_up == 0
    # Every event made was applied once: the copies were dropped before being stored.
    assert report.applied == webhooks.events == 8
    assert counts is not None and counts.accepted == webhooks.events
    assert counts.accepted + counts.duplicates == webhooks.delivered and counts.duplicates >= 1
    assert [done is not None for _, done in event_rows(out)] == [True] * webhooks.events
    assert report.syncs == 1  # the first only: the events alone made it current
    assert rows(out) == rows(fresh)
    assert report.lags and all(lag >= 0 for lag in report.lags)


@pytest.mark.anyio
async def test_a_forged_delivery_is_refused_with_401_and_changes_nothing(
    served: RunningEmulator, tmp_path: Path
) -> None:
    out = tmp_path / "listen.db"
    async with listening(served, out) as listener:
        vendor_id = next(iter(rows(out)["v3_vendors"]))
        body = (
            b'{"metadata":{"eventId":"forged-1","subscriptionId":"s","organizationId":"o",'
            b'"eventType":"vendor.updated","version":"1"},"vendor":{"id":"'
            + vendor_id.encode()
            + b'","name":"Forged","updatedTime":"2099-01-01T00:00:00.000Z"}}'
        )
        before = rows(out)
        async with httpx.AsyncClient() as http:
            forged = await http.post(
                listener.notification_url,
                content=body,
                headers={SIGNATURE_HEADER: sign(body, "not-the-subscription-key")},
            )
            unsigned = await http.post(listener.notification_url, content=body)
        await anyio.sleep(0.2)
        assert forged.status_code == 401 and unsigned.status_code == 401
        assert forged.headers["content-type"] == "application/problem+json"
        assert rows(out) == before
        assert event_rows(out) == []
        assert listener.receiver is not None and listener.receiver.counts.refused == 2


@pytest.mark.anyio
async def test_an_event_accepted_before_a_stop_is_applied_by_the_next_receiver(
    served: RunningEmulator, tmp_path: Path
) -> None:
    out = tmp_path / "listen.db"
    # The first receiver answers 200 (the event is stored) and stops before applying it, as
    # a process killed between its answer and its handler would.
    async with listening(served, out, run=False) as first:
        async with v3.Client(auth_for(served), base_url=served.v3_base_url) as client:
            made = await client.vendors.create({"name": "Stored, not applied"})
        counts = served.emulator.counters.webhooks
        await wait_for(lambda: counts.delivered >= 1)
        assert first.report.applied == 0
    assert [done for _, done in event_rows(out)] == [None]
    assert made.id not in rows(out)["v3_vendors"]
    async with listening(served, out, port=port_of(first)) as second:
        await wait_for(lambda: second.report.applied >= 1)
        assert await second.pending() == 0
    assert made.id in rows(out)["v3_vendors"]
    assert second.report.applied == 1
    # The second receiver took the subscription over (a new key) rather than make another.
    assert second.subscription_id == first.subscription_id


@pytest.mark.anyio
async def test_a_subscription_bill_disabled_is_enabled_again_and_the_sync_catches_up(
    served: RunningEmulator, tmp_path: Path
) -> None:
    out = tmp_path / "listen.db"
    async with listening(served, out) as first:
        subscription = first.subscription_id
    # Nobody listens: BILL's retries run out and it disables the subscription.
    async with v3.Client(auth_for(served), base_url=served.v3_base_url) as client:
        missed = await client.vendors.create({"name": "Made while nobody listened"})
        counts = served.emulator.counters.webhooks
        await wait_for(lambda: counts.disabled >= 1)
        assert (await client.webhooks.get_subscription(subscription or ""))["status"] == {
            "enabled": False
        }
        said: list[str] = []
        async with listening(served, out, port=port_of(first), report=said.append) as second:
            found = await client.webhooks.get_subscription(subscription or "")
    assert found["status"] == {"enabled": True}
    assert second.subscription_id == subscription
    assert any("BILL had disabled the subscription" in line for line in said)
    assert missed.id in rows(out)["v3_vendors"]  # the first sync of the second run


@pytest.mark.anyio
async def test_a_subscription_disabled_while_listening_is_enabled_again_by_the_next_check(
    served: RunningEmulator, tmp_path: Path
) -> None:
    out = tmp_path / "listen.db"
    async with listening(served, out) as listener:
        served.emulator.webhooks.lose_next(1 + len(QUICK_RETRIES))  # every attempt of one
        async with v3.Client(auth_for(served), base_url=served.v3_base_url) as client:
            lost = await client.vendors.create({"name": "Its every delivery lost"})
        counts = served.emulator.counters.webhooks
        await wait_for(lambda: counts.disabled >= 1)
        assert lost.id not in rows(out)["v3_vendors"]
        await listener.check_subscription()
        await listener.sync()
        assert listener.notices and "disabled" in listener.notices[0]
        found = await listener.client.webhooks.get_subscription(listener.subscription_id or "")
    assert found["status"] == {"enabled": True}
    assert lost.id in rows(out)["v3_vendors"]


def test_the_event_types_are_the_exported_objects_of_the_catalogue() -> None:
    catalog = [{"type": t, "version": "1"} for t in ("vendor.created", "autopay.failed")]
    assert subscribed_event_types([*catalog, {"type": "bill.archived"}, "junk"]) == [
        "vendor.created",
        "bill.archived",
    ]


def test_listen_for_a_real_account_needs_the_address_bill_delivers_to(
    served: RunningEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = demo_env(served)
    before = served.emulator.counters.total_requests
    assert cli.main(["listen", "--out", str(tmp_path / "x.db")], env=env) == 2
    assert "--public-url is needed" in capsys.readouterr().err
    assert served.emulator.counters.total_requests == before
    assert not (tmp_path / "x.db").exists()


def test_listen_runs_for_a_while_against_the_embedded_emulator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.db"
    code = cli.main(
        ["listen", "--emulator", "--out", str(out), "--duration", "0.5", "--report-every", "0.2"],
        env={},
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "Listening at http://127.0.0.1:" in captured.err
    assert "listen: 0 events applied" in captured.out
    assert len(rows(out)["v3_vendors"]) > 0
