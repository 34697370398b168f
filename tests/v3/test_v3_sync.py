"""``bill-async sync --api v3``: watermark pages over a cursor that counts positions, and the
export against the emulator (incremental, resumable, equal to a fresh export)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import anyio
import pytest

import bill_async
from bill_async import ProtocolError, v3
from bill_async import _cli as cli
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    EmulatorConfig,
    RunningEmulator,
)
from bill_async.v3._sync import (
    EXPORTED,
    open_v3_database,
    resolve_v3_lists,
    sync_v3,
    watermark_pages,
)
from tests.demo_env import demo_env


class OffsetList:
    """A v3 list as BILL's cursors may be: ``nextPage`` counts positions in the sorted result,
    so a record updated while the pages are read moves, and shifts what comes after it."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self.queries: list[dict[str, Any]] = []
        self.after_page: Any = None  # called after each answer, to change records meanwhile

    async def fetch(self, query: dict[str, Any]) -> dict[str, Any]:
        self.queries.append(query)
        assert query["sort"] == "updatedTime:asc,id:asc"
        rows = sorted(self.records, key=lambda r: (r["updatedTime"], r["id"]))
        since = query.get("filters")
        if since is not None:
            bound = since.removeprefix('updatedTime:gte:"').removesuffix('"')
            rows = [r for r in rows if r["updatedTime"] >= bound]
        offset = int(query.get("page", "0"))
        size = query["max"]
        page = [dict(r) for r in rows[offset : offset + size]]
        answer: dict[str, Any] = {"results": page}
        if offset + size < len(rows):
            answer["nextPage"] = str(offset + size)
        if self.after_page is not None:
            self.after_page(len(self.queries))
        return answer


def records(times: list[str]) -> list[dict[str, Any]]:
    return [{"id": f"r{i:03d}", "updatedTime": t} for i, t in enumerate(times)]


async def given(source: OffsetList, since: str | None, size: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    async with contextlib.aclosing(watermark_pages(source.fetch, since, size)) as pages:
        async for page in pages:
            out.extend(page)
    return out


@pytest.mark.anyio
async def test_pages_give_every_record_once_oldest_first() -> None:
    times = [f"2026-01-01T00:00:{s:02d}.000Z" for s in range(25)]
    source = OffsetList(records(times))
    got = await given(source, None, 10)
    assert [r["id"] for r in got] == [f"r{i:03d}" for i in range(25)]
    # Each page after the first is asked for afresh from the last record's time.
    assert [q.get("filters") for q in source.queries] == [
        None,
        'updatedTime:gte:"2026-01-01T00:00:09.000Z"',
        'updatedTime:gte:"2026-01-01T00:00:18.000Z"',  # page 2 began at :09
    ]
    assert all("page" not in q for q in source.queries)


@pytest.mark.anyio
async def test_a_run_of_records_at_one_time_longer_than_a_page_is_read_through_its_cursor() -> None:
    times = (
        ["2026-01-01T00:00:00.000Z"] * 2
        + ["2026-01-01T00:00:05.000Z"] * 23
        + ["2026-01-01T00:00:09.000Z"] * 3
    )
    source = OffsetList(records(times))
    got = await given(source, None, 5)
    assert [r["id"] for r in got] == [f"r{i:03d}" for i in range(28)]


@pytest.mark.anyio
async def test_a_record_updated_while_the_pages_are_read_makes_none_slip_past() -> None:
    # Following the cursor alone, r002 moving to the end after the first page would shift
    # r010 into the position the cursor has passed: it would never be given, and the
    # checkpoint would move past it for good.
    times = [f"2026-01-01T00:00:{s:02d}.000Z" for s in range(30)]
    source = OffsetList(records(times))

    def update_one(pages: int) -> None:
        if pages == 1:
            source.records[2]["updatedTime"] = "2026-01-01T00:01:00.000Z"

    source.after_page = update_one
    got = [r["id"] for r in await given(source, None, 10)]
    assert set(got) == {f"r{i:03d}" for i in range(30)}
    assert got.count("r002") == 2 and got[-1] == "r002"  # again, in its new place
    assert len(got) == 31


@pytest.mark.anyio
async def test_an_answer_that_is_not_a_list_page_is_a_protocol_error() -> None:
    async def fetch(query: dict[str, Any]) -> Any:
        return {"results": "nope"}

    with pytest.raises(ProtocolError):
        async with contextlib.aclosing(watermark_pages(fetch, None, 10)) as pages:
            async for _ in pages:
                pass


def test_lists_are_named_as_users_type_them() -> None:
    assert resolve_v3_lists([]) == list(EXPORTED)
    assert resolve_v3_lists(["Vendor", "credit-memos", "bills", "vendors"]) == [
        "vendors",
        "credit_memos",
        "bills",
    ]
    with pytest.raises(ValueError, match="unknown v3 list widgets"):
        resolve_v3_lists(["widgets"])


# -- against the emulator -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> Iterator[RunningEmulator]:
    """This module's own emulator, which its tests change: more demo data than the shared
    ``served``, and not reset between them."""
    with serve_emulator(EmulatorConfig(scale=0.05)) as running:
        yield running


def rows(path: Path) -> dict[str, dict[str, str]]:
    """Each v3 table's rows as id -> the record's JSON (what BILL sent, nothing of the run)."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name.startswith("v3_") and name != "v3_checkpoints"
        ]
        return {t: dict(db.execute(f'SELECT id, wire FROM "{t}"').fetchall()) for t in tables}


def sync_command(out: Path, *extra: str) -> list[str]:
    return ["sync", "--api", "v3", "--quiet", "--no-session-file", "--out", str(out), *extra]


def auth_for(served: RunningEmulator) -> bill_async.CredentialLogin:
    org = served.emulator.org_ids[0]
    return bill_async.CredentialLogin(DEMO_USER_NAME, DEMO_PASSWORD, org, DEMO_DEV_KEY)


async def make_changes(served: RunningEmulator) -> None:
    """Changes through both faces: a vendor made and a bill changed through v3, a customer
    archived through v3, a vendor renamed through v2."""
    async with v3.Client(auth_for(served), base_url=served.v3_base_url) as client:
        await client.vendors.create({"name": "Made through v3"})
        bill = (await client.bills.list(limit=1).collect())[0]
        await client.bills.update(bill.id, {"description": "changed through v3"})
        customer = (await client.customers.list(limit=1).collect())[0]
        await client.customers.archive(customer.id)
    async with bill_async.Client(auth_for(served), base_url=served.base_url) as client:
        vendor = (await client.vendors.list(limit=1).collect())[0]
        await client.vendors.update(vendor, name="Renamed through v2")


def test_a_second_run_is_incremental_and_ends_equal_to_a_fresh_export(
    served: RunningEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = demo_env(served)
    out = tmp_path / "v3.db"
    assert cli.main(sync_command(out), env=env) == 0
    first = rows(out)
    assert set(first) == {f"v3_{group}" for group in EXPORTED}
    assert len(first["v3_bills"]) > 100  # several pages
    capsys.readouterr()

    anyio.run(make_changes, served)
    assert cli.main(sync_command(out), env=env) == 0
    summary = capsys.readouterr().out
    fresh = tmp_path / "fresh.db"
    assert cli.main(sync_command(fresh), env=env) == 0
    assert rows(out) == rows(fresh)
    # Only what changed since (and the records at each checkpoint) was fetched again.
    fetched = int(summary.split("records written (")[1].split(" fetched")[0])
    assert fetched < len(EXPORTED) + 10
    # The v3 vendor, the bill, the customer, the v2 vendor: a rename through v2 changes the
    # vendorName BILL shows on its bills, not their updatedTime (kept out of the export).
    assert "4 records written" in summary
    assert all("vendorName" not in wire for wire in rows(out)["v3_bills"].values())


@pytest.mark.anyio
async def test_an_interrupted_export_goes_on_where_it_stopped(
    served: RunningEmulator, tmp_path: Path
) -> None:
    out = tmp_path / "v3.db"
    pages_written = 0

    class Stop(Exception):
        pass

    def stop_after_three_pages(target: Any) -> None:
        nonlocal pages_written
        if not target.done:
            pages_written += 1
            if pages_written == 3:
                raise Stop

    org = served.emulator.org_ids[0]
    async with v3.Client(auth_for(served), base_url=served.v3_base_url) as client:
        database = open_v3_database(out, ["bills"])
        try:
            with pytest.raises(BaseException) as stopped:
                await sync_v3(
                    client,
                    database,
                    [org],
                    ["bills"],
                    page_size=20,
                    progress=stop_after_three_pages,
                )
            assert stopped.group_contains(Stop)
            with contextlib.closing(sqlite3.connect(out)) as db:
                (kept,) = db.execute("SELECT COUNT(*) FROM v3_bills").fetchone()
                (mark,) = db.execute("SELECT updated_time FROM v3_checkpoints").fetchone()
                (newest,) = db.execute("SELECT MAX(updated_time) FROM v3_bills").fetchone()
            # Three pages: 20, then 19 and 19 (each began at the record the one before ended on).
            assert kept == 58 and mark == newest
            result = await sync_v3(client, database, [org], ["bills"], page_size=20)
        finally:
            database.close()
    assert not result.failed
    assert result.targets[0].calls < 20  # went on from the checkpoint
    fresh = tmp_path / "fresh.db"
    async with v3.Client(auth_for(served), base_url=served.v3_base_url) as client:
        database = open_v3_database(fresh, ["bills"])
        try:
            await sync_v3(client, database, [org], ["bills"])
        finally:
            database.close()
    assert rows(out) == rows(fresh)


@pytest.mark.anyio
async def test_an_older_record_never_replaces_a_newer_one(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bill_async.v3._sync import upsert_records

    database = open_v3_database(tmp_path / "v3.db", ["vendors"])
    now = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        newer = {"id": "v1", "name": "new", "updatedTime": "2026-01-02T00:00:00.000Z"}
        older = {"id": "v1", "name": "old", "updatedTime": "2026-01-01T00:00:00.000Z"}
        assert upsert_records(database, "org", "vendors", [newer], now) == 1
        assert upsert_records(database, "org", "vendors", [older], now) == 0
        assert upsert_records(database, "org", "vendors", [newer], now) == 0  # unchanged
        (wire,) = database.execute("SELECT wire FROM v3_vendors").fetchone()
    finally:
        database.close()
    assert '"new"' in wire


def test_the_embedded_emulator_exports_and_a_second_run_is_incremental(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "v3.db"
    command = ["sync", "--api", "v3", "--emulator", "--quiet", "--out", str(out)]
    assert cli.main([*command, "--entity", "vendors"], env={}) == 0
    first = capsys.readouterr().out
    assert cli.main([*command, "--entity", "vendors"], env={}) == 0
    second = capsys.readouterr().out
    written = int(first.split("entities into")[1].split(": ")[1].split(" records")[0])
    assert written == len(rows(out)["v3_vendors"]) > 0
    assert f"{out}: 0 records written (1 fetched)" in second


def test_v3_without_an_address_for_it_is_refused_before_anything_is_written(
    served: RunningEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = demo_env(served)
    del env["BILL_V3_BASE_URL"]  # BILL_BASE_URL is the emulator's: no v3 twin is known
    out = tmp_path / "v3.db"
    before = served.emulator.counters.total_requests
    assert cli.main(sync_command(out), env=env) == 2
    assert "set BILL_V3_BASE_URL" in capsys.readouterr().err
    assert not out.exists()
    assert served.emulator.counters.total_requests == before
    assert cli.main(sync_command(out, "--entity", "widgets"), env=demo_env(served)) == 2
    assert "unknown v3 list widgets" in capsys.readouterr().err
