"""Sessions kept between runs of a job, in a file of the user's alone: fewer logins for
repeated exports, and the login budget in ``bill-async sync``'s summary."""

from __future__ import annotations

import logging
import re
import stat
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

import bill_async
from bill_async import _cli as cli
from bill_async._core._session_file import default_session_file
from bill_async.emulator import (
    DEMO_DEV_KEY,
    RunningEmulator,
)
from tests.demo_env import demo_env
from tests.fakebill import FakeBill, ManualClock, client, credential, fixture, ok

VENDOR = fixture("Crud_Read_Vendor")


def vendor_fake() -> FakeBill:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", ok(VENDOR))
    return fake


@pytest.mark.anyio
async def test_the_next_run_goes_on_with_the_last_runs_session(tmp_path: Path) -> None:
    fake = vendor_fake()
    path = tmp_path / "state" / "sessions.json"
    for _ in range(3):  # three runs, each a new client and store, as three processes
        async with client(fake, session_store=bill_async.FileSessionStore(path)) as bill:
            await bill.vendors.read("009x")
    assert fake.logins == 1
    assert set(fake.sessions_used("Crud/Read/Vendor.json")) == {"!session-SECRET-1"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "SECRET" not in repr(bill_async.FileSessionStore(path))


@pytest.mark.anyio
async def test_an_idle_or_dead_session_in_the_file_is_replaced(tmp_path: Path) -> None:
    fake = vendor_fake()
    wall = [1_700_000_000.0]
    clock = ManualClock()
    path = tmp_path / "sessions.json"

    def run() -> bill_async.Client:
        store = bill_async.FileSessionStore(path, wall_clock=lambda: wall[0])
        return client(
            fake,
            credential(clock=clock),
            session_store=store,
            wall_clock=lambda: wall[0],
        )

    async with run() as bill:
        await bill.vendors.read("009x")
    wall[0] += 40 * 60  # past BILL's 35 idle minutes
    clock.advance(40 * 60)
    async with run() as bill:
        await bill.vendors.read("009x")
    assert fake.logins == 2
    stored = await bill_async.FileSessionStore(path).get(credential().session_key)
    assert stored is not None and stored.session_id == "!session-SECRET-2"


@pytest.mark.anyio
async def test_a_file_others_may_read_is_not_used_nor_overwritten(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = vendor_fake()
    path = tmp_path / "sessions.json"
    async with client(fake, session_store=bill_async.FileSessionStore(path)) as bill:
        await bill.vendors.read("009x")
    path.chmod(0o644)
    before = path.read_bytes()
    with caplog.at_level(logging.WARNING, logger="bill_async"):
        async with client(fake, session_store=bill_async.FileSessionStore(path)) as bill:
            await bill.vendors.read("009x")
    assert fake.logins == 2  # its session was not adopted
    assert path.read_bytes() == before
    assert "others may read or write it" in caplog.text
    assert "SECRET" not in caplog.text


def test_the_default_file_is_the_users_own_state() -> None:
    assert default_session_file({"XDG_STATE_HOME": "/s"}) == Path("/s/bill-async/sessions.json")
    assert default_session_file({"HOME": "/h"}) == Path("/h/.local/state/bill-async/sessions.json")
    assert default_session_file({}) is None


def test_repeated_exports_sign_in_once_and_the_summary_shows_the_budget(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> None:
    with serve_emulator() as served:  # small demo data, and no other test's sessions
        orgs = served.emulator.org_ids
        env = demo_env(served, XDG_STATE_HOME=str(tmp_path / "state"))
        command = ["sync", "--quiet", "--entity", "vendors", "--out", str(tmp_path / "x.db")]
        summaries = []
        for _ in range(3):
            assert cli.main(command, env=env) == 0
            summaries.append(capsys.readouterr().out)
        logins = served.emulator.counters.logins
        assert cli.main([*command, "--no-session-file"], env=env) == 0
        fresh = capsys.readouterr().out
        logins_fresh = served.emulator.counters.logins - logins
    # One session per organization, made by the first run, kept by the next two; each run
    # spends one login on ListOrgs. (The runs share this process, and so its count.)
    assert logins == len(orgs)
    assert logins_fresh == len(orgs)
    # The budget is the process's own (other tests in it spent some): each run adds its logins.
    budget = re.compile(r"Logins: (\d+) this run; BILL's hourly login budget: (\d+) of 200 used")
    runs = [budget.search(summary) for summary in summaries]
    assert all(runs), summaries
    this_run = [int(run[1]) for run in runs if run]
    used = [int(run[2]) for run in runs if run]
    assert this_run == [len(orgs), 0, 0]
    assert [used[1] - used[0], used[2] - used[1]] == [1, 1]  # ListOrgs' login, nothing more
    assert "(in this process)" in summaries[0]
    assert f"Logins: {len(orgs)} this run" in fresh
    path = tmp_path / "state" / "bill-async" / "sessions.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "demo-password" not in path.read_text() and DEMO_DEV_KEY not in path.read_text()


@pytest.mark.anyio
async def test_sessions_put_at_once_are_all_kept(tmp_path: Path) -> None:
    # Organizations sign in at once: each put reads the file, adds its session and writes it
    # whole; two at a time would each write what it read, and one session would be lost.
    import anyio

    store = bill_async.FileSessionStore(tmp_path / "sessions.json", scope="test")
    stored = [
        bill_async.StoredSession(f"session-SECRET-{n}", f"008{n:02d}", None, None, 2e9)
        for n in range(24)
    ]
    async with anyio.create_task_group() as group:
        for n, session in enumerate(stored):
            group.start_soon(store.put, f"key-{n}", session)
    for n, session in enumerate(stored):
        assert await store.get(f"key-{n}") == session
