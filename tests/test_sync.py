"""``bill-async sync`` and the command line, against the emulator served by a real uvicorn."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

import bill_async
from bill_async import _cli as cli
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    EmulatorConfig,
    RunningEmulator,
)
from tests.demo_env import demo_env

ENTITIES = ("vendors", "customers", "bills", "invoices")


@pytest.fixture(scope="module")
def served(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> Iterator[RunningEmulator]:
    with serve_emulator(EmulatorConfig(scale=0.1)) as running:
        yield running


def run(
    args: list[str], env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = cli.main(args, env=env)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def counts(path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in tables
            if t != "checkpoints"
        }


def per_org(path: Path, table: str) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return dict(
            db.execute(f'SELECT org_id, COUNT(*) FROM "{table}" GROUP BY org_id').fetchall()
        )


def test_sync_exports_every_org_and_a_second_run_fetches_nothing_new(
    served: RunningEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bill.db"
    args = ["sync", "--out", str(out), "--quiet"] + [a for e in ENTITIES for a in ("--entity", e)]
    code, stdout, stderr = run(args, demo_env(served), capsys)
    assert code == 0, stderr
    assert "records written" in stdout and "API calls" in stdout and "elapsed" in stdout
    orgs = served.emulator.org_ids
    assert len(orgs) >= 3
    for table in ENTITIES:
        rows = per_org(out, table)
        assert set(rows) == set(orgs), table
        assert all(count > 0 for count in rows.values()), table
        entity = {
            "vendors": "Vendor",
            "customers": "Customer",
            "bills": "Bill",
            "invoices": "Invoice",
        }[table]
        assert sum(rows.values()) == sum(len(served.emulator.objects(o, entity)) for o in orgs)

    served.emulator.reset_counters()
    code, stdout, _ = run(args, demo_env(served), capsys)
    assert code == 0
    assert " 0 records written" in stdout
    # Read again: vendors and customers in full (their balances move without their updatedTime),
    # of bills and invoices only the records in each checkpoint's own millisecond, one per org
    # and entity here (the demo data, like BILL's, has few records to a millisecond).
    fetched = int(stdout.split(" records written (")[1].split(" fetched")[0])
    in_full = sum(len(served.emulator.objects(o, e)) for o in orgs for e in ("Vendor", "Customer"))
    assert in_full < fetched <= in_full + len(orgs) * 2
    lists = {p: n for p, n in served.emulator.counters.paths.items() if p.startswith("List/")}
    assert lists == {f"List/{e}.json": len(orgs) for e in ("Vendor", "Customer", "Bill", "Invoice")}

    # Change two vendors (one made inactive) in one org: only they are fetched and written.
    org = orgs[1]
    vendors = served.emulator.objects(org, "Vendor")

    async def change() -> None:
        auth = bill_async.CredentialLogin(DEMO_USER_NAME, DEMO_PASSWORD, org, DEMO_DEV_KEY)
        async with bill_async.Client(auth, base_url=served.base_url) as bill:
            await bill.vendors.update(id=vendors[0]["id"], description="changed")
            await bill.vendors.delete(vendors[1]["id"])

    anyio.run(change)
    code, stdout, _ = run(args, demo_env(served), capsys)
    assert code == 0
    assert " 2 records written" in stdout
    with contextlib.closing(sqlite3.connect(out)) as db:
        description, wire = db.execute(
            "SELECT description, wire FROM vendors WHERE id = ?", (vendors[0]["id"],)
        ).fetchone()
        assert description == "changed"
        assert json.loads(wire)["description"] == "changed"
        (active,) = db.execute(
            "SELECT is_active FROM vendors WHERE id = ?", (vendors[1]["id"],)
        ).fetchone()
        assert active == 0


def test_a_vendors_balance_moved_by_its_bill_is_current_after_an_incremental_run(
    served: RunningEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bill.db"
    args = ["sync", "--out", str(out), "--quiet", "--entity", "Vendor", "--entity", "Bill"]
    assert run(args, demo_env(served), capsys)[0] == 0
    org = served.emulator.org_ids[2]
    bill = next(b for b in served.emulator.objects(org, "Bill") if Decimal(str(b["dueAmount"])))
    vendor_id = bill["vendorId"]
    vendor_before = served.emulator.get(vendor_id)

    async def make_inactive() -> None:
        auth = bill_async.CredentialLogin(DEMO_USER_NAME, DEMO_PASSWORD, org, DEMO_DEV_KEY)
        async with bill_async.Client(auth, base_url=served.base_url) as client:
            await client.bills.delete(bill["id"])

    anyio.run(make_inactive)
    vendor_now = served.emulator.get(vendor_id)
    assert vendor_before is not None and vendor_now is not None
    # What the export must follow: the balance moved, the vendor's updatedTime did not.
    assert vendor_now["balance"] != vendor_before["balance"]
    assert vendor_now["updatedTime"] == vendor_before["updatedTime"]
    code, stdout, _ = run(args, demo_env(served), capsys)
    assert code == 0 and " 2 records written" in stdout  # the bill and its vendor
    with contextlib.closing(sqlite3.connect(out)) as db:
        (balance,) = db.execute("SELECT balance FROM vendors WHERE id = ?", (vendor_id,)).fetchone()
    assert Decimal(balance) == Decimal(str(vendor_now["balance"]))


@pytest.mark.parametrize(
    ("env_extra", "drop", "message"),
    [
        ({}, "BILL_PASSWORD", "missing BILL_PASSWORD"),
        ({}, "BILL_DEV_KEY", "missing BILL_DEV_KEY"),
        ({"BILL_TOKEN_NAME": "demo-token"}, None, "not both"),
    ],
)
def test_half_set_credentials_get_one_line_and_exit_2(
    served: RunningEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    env_extra: dict[str, str],
    drop: str | None,
    message: str,
) -> None:
    env = demo_env(served, **env_extra)
    if drop:
        del env[drop]
    served.emulator.reset_counters()
    code, _, stderr = run(["sync", "--out", str(tmp_path / "x.db")], env, capsys)
    assert code == 2
    assert message in stderr and stderr.count("\n") == 1
    assert served.emulator.counters.total_requests == 0
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--entity", "Nonsense"], "unknown entity Nonsense"),
        (["--org", "00899NOSUCHORG000000"], "unknown organization 00899NOSUCHORG000000"),
        (["--out-is-a-folder"], "is a directory"),
        (["--out-in-missing-folder"], "does not exist"),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(
    served: RunningEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    out = tmp_path / "bill.db"
    if args == ["--out-is-a-folder"]:
        out, args = tmp_path, []
    elif args == ["--out-in-missing-folder"]:
        out, args = tmp_path / "missing" / "bill.db", []
    code, _, stderr = run(["sync", "--out", str(out), *args], demo_env(served), capsys)
    assert code == 2
    assert message in stderr and stderr.count("\n") == 1


def test_an_unwritable_out_file_is_refused(
    served: RunningEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "readonly.db"
    out.write_bytes(b"")
    out.chmod(0o444)
    if os.access(out, os.W_OK):  # root may write anyway: make the file a non-database instead
        out.chmod(0o644)
        out.write_bytes(b"this is not a database" * 100)
    code, _, stderr = run(["sync", "--out", str(out)], demo_env(served), capsys)
    assert code == 2
    assert "--out" in stderr and stderr.count("\n") == 1


def test_whoami_and_list(served: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(["whoami"], demo_env(served), capsys)
    assert code == 0
    assert f"user: {DEMO_USER_NAME}" in stdout and served.emulator.org_ids[0] in stdout
    code, stdout, _ = run(["list", "vendors", "--limit", "3"], demo_env(served), capsys)
    assert code == 0 and len(stdout.splitlines()) == 3
    code, stdout, _ = run(
        ["list", "Vendor", "--json", "--filter", "isActive = 1", "--limit", "2"],
        demo_env(served),
        capsys,
    )
    assert code == 0
    records = [json.loads(line) for line in stdout.splitlines()]
    assert len(records) == 2 and all(
        r["entity"] == "Vendor" and r["isActive"] == "1" for r in records
    )
    code, _, stderr = run(["list", "vendors", "--filter", "name like x"], demo_env(served), capsys)
    assert code == 2 and "FIELD OP VALUE" in stderr


def test_a_run_killed_midway_then_run_again_matches_a_clean_run(
    tmp_path: Path, serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]]
) -> None:
    config = EmulatorConfig(scale=0.1, latency=0.02)
    with serve_emulator(config) as served:
        env = {**os.environ, **demo_env(served)}
        command = [
            sys.executable,
            "-m",
            "bill_async._cli",
            "sync",
            "--quiet",
            "--entity",
            "bills",
            "--entity",
            "invoices",
        ]
        clean = tmp_path / "clean.db"
        subprocess.run([*command, "--out", str(clean)], env=env, check=True, capture_output=True)

        killed = tmp_path / "killed.db"
        process = subprocess.Popen(
            [*command, "--out", str(killed)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if killed.exists():
                try:
                    with contextlib.closing(sqlite3.connect(killed)) as db:
                        if db.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0] >= 2:
                            break
                except sqlite3.Error:
                    pass
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        partial = counts(killed)
        assert partial != counts(clean)  # it really was killed part-way
        subprocess.run([*command, "--out", str(killed)], env=env, check=True, capture_output=True)
        assert counts(killed) == counts(clean)


@pytest.mark.parametrize("command", [["sync", "--out", "x.db"], ["whoami"], ["list", "vendors"]])
def test_with_no_credentials_and_no_emulator_flag_nothing_runs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    # A cron job that lost its environment must fail, not export the emulator's demo data.
    monkeypatch.chdir(tmp_path)
    started: list[object] = []
    monkeypatch.setattr("bill_async.emulator.running_emulator", started.append)
    code, stdout, stderr = run(command, {"HOME": str(tmp_path)}, capsys)
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1
    for name in ("BILL_DEV_KEY", "BILL_ORG_ID", "BILL_USER_NAME", "BILL_PASSWORD", "--emulator"):
        assert name in stderr
    assert list(tmp_path.iterdir()) == []  # no file created
    assert started == []  # no emulator started


def test_with_the_emulator_flag_the_embedded_emulator_is_used_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bill.db"
    code, stdout, stderr = run(
        ["sync", "--emulator", "--out", str(out), "--entity", "vendors", "--quiet"], {}, capsys
    )
    assert code == 0, stderr
    assert "embedded emulator" in stderr
    assert "Synced 4 organization(s)" in stdout
    rows = per_org(out, "vendors")
    assert len(rows) == 4 and all(count >= 100 for count in rows.values())  # the demo data


def test_workers_opening_one_new_out_file_at_once_all_get_it(tmp_path: Path) -> None:
    # Processes switching one new file to WAL at the same moment: SQLite refuses all but one
    # of them at once ("database is locked", its busy timeout not applied) about half the time.
    code = (
        "import sys; from pathlib import Path; from bill_async._sync import open_database\n"
        "print('ready', flush=True); sys.stdin.readline()\n"
        "open_database(Path(sys.argv[1]), ['Vendor']).close(); print('opened')"
    )
    for attempt in range(4):
        out = tmp_path / f"race-{attempt}.db"
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(out)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        for worker in workers:  # every one imported and waiting: then all go at once
            assert worker.stdout is not None and worker.stdout.readline() == "ready\n"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        for worker in workers:
            stdout, stderr = worker.communicate(timeout=60)
            assert (worker.returncode, stdout.strip()) == (0, "opened"), stderr
        with contextlib.closing(sqlite3.connect(out)) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_out_file_another_connection_keeps_busy_is_given_up_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On an old (rollback-journal) file that someone is reading, the switch to WAL waits the
    # whole busy timeout each time: the attempts must wait briefly, and end.
    from bill_async import _sync

    monkeypatch.setattr(_sync, "_WAL_ATTEMPTS", 3)
    monkeypatch.setattr(_sync, "_WAL_RETRY_AFTER", 0.0)
    out = tmp_path / "busy.db"
    with contextlib.closing(sqlite3.connect(out, isolation_level=None)) as reader:
        reader.execute("CREATE TABLE t (x)")
        reader.execute("BEGIN")
        reader.execute("SELECT * FROM t").fetchall()  # a read transaction holds the file
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            _sync.open_database(out, ["Vendor"])
        # Not a speed check: without the short per-attempt wait this takes 3 x 60 s.
        assert time.monotonic() - started < 30
        reader.execute("COMMIT")
    database = _sync.open_database(out, ["Vendor"])  # free again: it opens, in WAL
    assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert database.execute("PRAGMA busy_timeout").fetchone() == (60_000,)
    database.close()


def _dead_redis_url() -> str:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_an_unreachable_redis_names_the_commands_fallback_flag(
    served: RunningEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("redis")
    args = ["sync", "--out", str(tmp_path / "x.db"), "--redis-url", _dead_redis_url()]
    code, _, stderr = run(args, demo_env(served), capsys)
    assert code == 1
    assert "RedisUnavailableError" in stderr and "--redis-fallback" in stderr
    assert not (tmp_path / "x.db").exists()  # stopped before anything was sent or written


def test_the_redis_fallback_is_said_once_on_the_command_line(
    served: RunningEmulator, tmp_path: Path
) -> None:
    pytest.importorskip("redis")
    out = tmp_path / "x.db"
    command = [sys.executable, "-m", "bill_async._cli", "sync", "--out", str(out)]
    command += ["--entity", "vendors", "--redis-url", _dead_redis_url(), "--redis-fallback"]
    done = subprocess.run(
        command,
        env={**os.environ, **demo_env(served)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("falls back to in-process") == 1, done.stderr
    assert "RuntimeWarning" not in done.stderr
    assert counts(out)["vendors"] > 0


def test_a_reader_that_goes_away_ends_the_listing_quietly(served: RunningEmulator) -> None:
    # `bill-async list bills --json | head -1`: more output than a pipe holds, then no reader.
    command = [sys.executable, "-m", "bill_async._cli", "list", "bills", "--json"]
    lister = subprocess.Popen(
        command,
        env={**os.environ, **demo_env(served)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert lister.stdout is not None and lister.stderr is not None
    assert json.loads(lister.stdout.readline())["entity"] == "Bill"
    lister.stdout.close()
    with lister.stderr:
        stderr = lister.stderr.read()
    assert lister.wait(timeout=60) == 128 + signal.SIGPIPE
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


def test_closing_the_export_database_waits_for_the_write_in_progress(tmp_path: Path) -> None:
    # A second Ctrl+C ends the event loop while a worker thread may still be writing; the
    # CLI's close() then ran under that thread and crashed the process (a segfault).
    from bill_async import _sync

    database = _sync.open_database(tmp_path / "x.db", ["Vendor"])
    writer = _sync._Writer(database)
    started, go = threading.Event(), threading.Event()
    seen: list[object] = []

    def write() -> None:
        started.set()
        go.wait(10)
        seen.append(database.execute("SELECT COUNT(*) FROM checkpoints").fetchone())

    worker = threading.Thread(target=writer._in_turn, args=(write,))
    worker.start()
    assert started.wait(10)
    closer = threading.Thread(target=database.close)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive()  # waiting for the write, not closing under it
    go.set()
    worker.join(10)
    closer.join(10)
    assert seen == [(0,)] and not closer.is_alive()


# -- rows straight from the wire, BILL's own text, memory ------------------------------------


def _odd_variants(record: dict[str, object]) -> Iterator[dict[str, object]]:
    """The record with, in turn, each value replaced by forms a model keeps in ``extra``."""
    odd: list[object] = [0.1, 1.5, "2024-W27-1", "2024-07-30T19:31:00.000-0000", "3", None, 7]
    odd += [["x"], {"a": 1}, [{"entity": "X"}, 2], Decimal("NaN"), True]
    for index, key in enumerate(record):
        if key not in ("entity", "id"):
            yield {**record, key: odd[index % len(odd)]}


def test_rows_read_from_the_wire_are_the_rows_made_through_models(
    served: RunningEmulator,
) -> None:
    from bill_async import _sync
    from bill_async._v2._wire import loads

    org = served.emulator.org_ids[0]
    now = "2026-01-01T00:00:00+00:00"
    compared = 0
    for entity in _sync.LISTABLE:
        fast, through_model = _sync._row_maker(entity), _sync._model_row(entity)
        for obj in served.emulator.objects(org, entity):
            record = loads(json.dumps(obj))
            assert fast(record, org, None, now) == through_model(record, org, None, now), entity
            for wire in _odd_variants(record):  # its text as sent: a NaN has no JSON of ours
                sent = json.dumps(wire, default=str)
                row = fast(wire, org, sent, now)
                assert row == through_model(wire, org, sent, now), entity
                compared += 1
    assert compared > 10_000


def _export_list_answer(tmp_path: Path, entity: str, records: str) -> sqlite3.Connection:
    """The database of an export of ``entity`` from one List answer of ``records`` (JSON text,
    as BILL would write it)."""
    from bill_async import _sync
    from tests.fakebill import ORG, FakeBill, client

    body = '{"response_status":0,"response_message":"Success","response_data":[%s]}'
    fake = FakeBill()
    fake.on(f"List/{entity}.json", httpx.Response(200, text=body % records))
    database = _sync.open_database(tmp_path / "x.db", [entity])

    async def export() -> None:
        async with client(fake) as bill:
            await _sync.sync(bill, database, [ORG], [entity])

    anyio.run(export)
    return database


def test_the_wire_column_keeps_the_text_bill_sent(tmp_path: Path) -> None:
    records = [
        '{"entity":"Vendor","id":"00901","name":"Caf\\u00e9","balance":12.50,"isActive":"1"}',
        '{ "entity" : "Vendor", "id" : "00902", "balance" : 1E+2, "updatedTime" : null }',
    ]
    database = _export_list_answer(tmp_path, "Vendor", " , ".join(records))
    rows = database.execute("SELECT id, wire, balance, name FROM vendors ORDER BY id").fetchall()
    database.close()
    assert rows == [
        ("00901", records[0], "12.50", "Café"),
        ("00902", records[1], "1E+2", None),
    ]


def test_a_nested_column_keeps_its_json_as_bill_wrote_it(tmp_path: Path) -> None:
    lines = '[ {"entity":"BillLineItem","id":"bli01","amount":100.00,"description":"caf\\u00e9"} ]'
    records = [
        '{"entity":"Bill","id":"00n01","amount":100.00,"billLineItems":' + lines + "}",
        '{"entity":"Bill","id":"00n02","billLineItems":null}',
        # Not of the declared shape: the model keeps them in extra, the column is NULL.
        '{"entity":"Bill","id":"00n03","billLineItems":"abc"}',
        '{"entity":"Bill","id":"00n04","billLineItems":[1, 2]}',
        '{"entity":"Bill","id":"00n05","billLineItems":{}}',
    ]
    database = _export_list_answer(tmp_path, "Bill", ",".join(records))
    rows = database.execute("SELECT id, bill_line_items, amount FROM bills ORDER BY id").fetchall()
    database.close()
    assert rows == [("00n01", lines, "100.00")] + [(f"00n0{n}", None, None) for n in range(2, 6)]


def test_pages_in_memory_are_bounded_per_organization(
    served: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bill_async import _sync

    monkeypatch.setattr(_sync, "_PAGES_HELD_PER_ORG", 2)
    held: dict[int, int] = {}
    most: list[int] = [0]
    take, give_back, write = _sync._HeldPages.take, _sync._HeldPages.give_back, _sync._Writer.write

    async def counted_take(self: _sync._HeldPages) -> None:
        await take(self)
        held[id(self._permits)] = held.get(id(self._permits), 0) + 1
        most[0] = max(most[0], held[id(self._permits)])

    def counted_give_back(self: _sync._HeldPages, permits: int) -> None:
        held[id(self._permits)] = held.get(id(self._permits), 0) - permits
        give_back(self, permits)

    def slow_write(self: _sync._Writer, *args: object) -> int:
        time.sleep(0.005)  # a slow disk: without the bound, fetched pages would pile up
        return write(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(_sync._HeldPages, "take", counted_take)
    monkeypatch.setattr(_sync._HeldPages, "give_back", counted_give_back)
    monkeypatch.setattr(_sync._Writer, "write", slow_write)
    database = _sync.open_database(tmp_path / "x.db", ["Vendor", "Customer", "Bill", "Invoice"])
    orgs = served.emulator.org_ids[:2]

    async def export() -> _sync.SyncResult:
        auth = bill_async.CredentialLogin(DEMO_USER_NAME, DEMO_PASSWORD, orgs[0], DEMO_DEV_KEY)
        async with bill_async.Client(auth, base_url=served.base_url) as bill:
            return await _sync.sync(
                bill, database, orgs, ["Vendor", "Customer", "Bill", "Invoice"], page_size=20
            )

    result = anyio.run(export)
    database.close()
    assert not result.failed and result.written > 200
    assert sum(t.calls for t in result.targets) > 5 * len(result.targets)  # many pages each
    assert most[0] == 2 and set(held.values()) == {0}


def test_a_page_that_fails_to_be_written_stops_its_target_with_the_checkpoint_before_it(
    served: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bill_async import _sync

    write = _sync._Writer.write
    pages: list[int] = []

    def failing_write(self: _sync._Writer, *args: object) -> int:
        pages.append(len(args[2]))  # type: ignore[arg-type]
        if len(pages) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        time.sleep(0.01)  # the next pages are fetched meanwhile
        return write(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(_sync._Writer, "write", failing_write)
    database = _sync.open_database(tmp_path / "x.db", ["Bill"])
    org = served.emulator.org_ids[0]

    async def export() -> _sync.SyncResult:
        auth = bill_async.CredentialLogin(DEMO_USER_NAME, DEMO_PASSWORD, org, DEMO_DEV_KEY)
        async with bill_async.Client(auth, base_url=served.base_url) as bill:
            return await _sync.sync(bill, database, [org], ["Bill"], page_size=10)

    result = anyio.run(export)
    (target,) = result.targets
    assert target.error == "the database: disk I/O error" and target.done
    assert len(pages) == 3 and target.written == pages[0] + pages[1]  # none after the failed one
    rows = database.execute("SELECT wire FROM bills").fetchall()
    (checkpoint,) = database.execute("SELECT updated_time FROM checkpoints").fetchone()
    database.close()
    times = sorted(json.loads(wire)["updatedTime"] for (wire,) in rows)
    assert len(rows) == target.written and checkpoint == times[-1]


def test_a_record_that_cannot_be_read_whole_stops_its_target_with_the_checkpoint_before_it(
    served: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages wait for the writer as summaries (id, updatedTime); the writer reads each record
    # whole from its text. Should that fail, the target stops as for an unreadable answer.
    pytest.importorskip("msgspec")
    from bill_async import _sync
    from bill_async._v2 import _codec

    read_object = _codec._read_object
    read: list[str] = []

    def refusing(text: str) -> object:
        read.append(text)
        if len(read) == 25:
            raise json.JSONDecodeError("Expecting value", text, 0)
        return read_object(text)

    page_rows, pages = _sync._page_rows, list[int]()

    def counted_page_rows(*args: Any) -> Any:
        pages.append(len(args[2]))
        return page_rows(*args)

    monkeypatch.setattr(_codec, "_read_object", refusing)
    monkeypatch.setattr(_sync, "_page_rows", counted_page_rows)
    database = _sync.open_database(tmp_path / "x.db", ["Bill"])
    org = served.emulator.org_ids[0]

    async def export() -> _sync.SyncResult:
        auth = bill_async.CredentialLogin(DEMO_USER_NAME, DEMO_PASSWORD, org, DEMO_DEV_KEY)
        async with bill_async.Client(auth, base_url=served.base_url) as bill:
            return await _sync.sync(bill, database, [org], ["Bill"], page_size=10)

    result = anyio.run(export)
    (target,) = result.targets
    assert target.error is not None and target.error.startswith("ProtocolError: ")
    assert "a record that is not JSON" in target.error and read[24][:60] in target.error
    rows = database.execute("SELECT wire FROM bills").fetchall()
    (checkpoint,) = database.execute("SELECT updated_time FROM checkpoints").fetchone()
    database.close()
    assert len(pages) == 3 and sum(pages[:2]) < 25 <= sum(pages)  # the third one refused
    assert target.written == len(rows) == pages[0] + pages[1]  # the pages before it
    assert checkpoint == max(json.loads(wire)["updatedTime"] for (wire,) in rows)


def test_a_table_made_by_an_older_version_gains_the_new_fields_columns_filled(
    served: RunningEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bill.db"
    command = ["sync", "--quiet", "--entity", "vendors", "--out", str(out)]
    assert cli.main(command, env=demo_env(served)) == 0
    with contextlib.closing(sqlite3.connect(out)) as db:
        before = db.execute('SELECT id, "email", "pay_by" FROM vendors ORDER BY id').fetchall()
        db.execute('ALTER TABLE vendors DROP COLUMN "email"')
        db.execute('ALTER TABLE vendors DROP COLUMN "pay_by"')
        db.commit()
    # The next run (incremental: it fetches next to nothing) puts them back, filled from each
    # row's own record.
    assert cli.main(command, env=demo_env(served)) == 0
    capsys.readouterr()
    with contextlib.closing(sqlite3.connect(out)) as db:
        after = db.execute('SELECT id, "email", "pay_by" FROM vendors ORDER BY id').fetchall()
    assert after == before and any(email for _, email, _ in before)


def test_the_named_organizations_sign_in_while_listorgs_is_asked() -> None:
    from tests.fakebill import ORG, OTHER_ORG, Answer, FakeBill, Seen, client, error, ok

    unknown = "00899NOSUCHORG000000"
    fake = FakeBill()
    signed_in = anyio.Event()

    def login(seen: Seen) -> Answer:
        if seen.org == unknown:
            return error("BDC_1191", "Unable to find organization.")
        signed_in.set()
        return fake._login(seen)

    async def list_orgs(seen: Seen) -> Answer:
        with anyio.fail_after(5):  # answered only once a named organization has signed in
            await signed_in.wait()
        return ok([{"orgId": ORG, "orgName": "A"}, {"orgId": OTHER_ORG, "orgName": "B"}])

    fake.on("Login.json", login)
    fake.on("ListOrgs.json", list_orgs)

    async def reach() -> dict[str, str]:
        async with client(fake) as bill:
            return await cli._reachable_orgs(bill, [OTHER_ORG, unknown, OTHER_ORG])

    # The refused sign-in is left to the caller: ListOrgs does not name that organization.
    assert anyio.run(reach) == {ORG: "A", OTHER_ORG: "B"}
    assert sorted(seen.org for seen in fake.seen if seen.path == "Login.json") == sorted(
        [OTHER_ORG, unknown]
    )


def test_a_listorgs_that_fails_raises_its_own_error_not_a_group() -> None:
    from tests.fakebill import OTHER_ORG, FakeBill, client, error

    fake = FakeBill()
    fake.on("ListOrgs.json", error("BDC_1101", "User name and/or password do not match."))

    async def reach() -> None:
        async with client(fake) as bill:
            await cli._reachable_orgs(bill, [OTHER_ORG])

    with pytest.raises(bill_async.AuthenticationError):
        anyio.run(reach)
    assert fake.count("ListOrgs.json") == 1
