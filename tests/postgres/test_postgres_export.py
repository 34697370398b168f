"""``bill-async sync --out postgresql://...``: the same export as SQLite's in PostgreSQL, against
the emulator under uvicorn and a real PostgreSQL server."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest

import bill_async
from bill_async import _cli as cli
from bill_async import v3
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    EmulatorConfig,
    RunningEmulator,
)
from tests.demo_env import demo_env

ENTITIES = ("vendors", "bills", "invoices", "customers")


@pytest.fixture(scope="module")
def served(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> Iterator[RunningEmulator]:
    with serve_emulator(EmulatorConfig(scale=0.05)) as running:
        yield running


def sync_command(out: str, *extra: str) -> list[str]:
    entities = [arg for entity in ENTITIES for arg in ("--entity", entity)]
    return ["sync", "--quiet", "--no-session-file", "--out", out, *entities, *extra]


def table(url: str, name: str) -> dict[str, tuple[Any, ...]]:
    with psycopg.connect(url) as db:
        return {row[0]: row for row in db.execute(f'SELECT * FROM "{name}"').fetchall()}


def sqlite_table(path: Path, name: str) -> dict[str, tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return {row[0]: row for row in db.execute(f'SELECT * FROM "{name}"').fetchall()}


def test_the_export_and_its_second_run_and_the_same_records_as_sqlite(
    served: RunningEmulator,
    postgres_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = demo_env(served)
    assert cli.main(sync_command(postgres_url), env=env) == 0
    first = capsys.readouterr().out
    assert cli.main(sync_command(postgres_url), env=env) == 0
    second = capsys.readouterr().out
    orgs = served.emulator.org_ids
    for name, entity in zip(ENTITIES, ("Vendor", "Bill", "Invoice", "Customer"), strict=True):
        rows = table(postgres_url, name)
        assert len(rows) == sum(len(served.emulator.objects(org, entity)) for org in orgs)
    assert "0 records written" in second and "0 records written" not in first
    assert "***@" in first and postgres_url.split("@")[0].split(":")[-1] not in first
    # The records are SQLite's: the same ids, and BILL's text in wire, exactly.
    sqlite_out = tmp_path / "bill.db"
    assert cli.main(sync_command(str(sqlite_out)), env=env) == 0
    capsys.readouterr()
    for name in ENTITIES:
        in_postgres, in_sqlite = table(postgres_url, name), sqlite_table(sqlite_out, name)
        assert in_postgres.keys() == in_sqlite.keys()
        wire_at = -2  # wire, then synced_at, close each row
        assert {k: r[wire_at] for k, r in in_postgres.items()} == {
            k: r[wire_at] for k, r in in_sqlite.items()
        } or _same_json(in_postgres, in_sqlite, wire_at)


def _same_json(a: dict[str, tuple[Any, ...]], b: dict[str, tuple[Any, ...]], at: int) -> bool:
    import json

    return all(json.loads(json.dumps(a[k][at])) == json.loads(b[k][at]) for k in a)


def test_columns_are_typed_and_nothing_secret_is_written(
    served: RunningEmulator, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(sync_command(postgres_url), env=demo_env(served)) == 0
    capsys.readouterr()
    with psycopg.connect(postgres_url) as db:
        types = dict(
            db.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = 'bills'"
            ).fetchall()
        )
        amount, due, active = db.execute(
            'SELECT "amount", "due_date", "is_active" FROM bills LIMIT 1'
        ).fetchone() or (None, None, None)
        text = "\n".join(
            str(row)
            for name in (*ENTITIES, "checkpoints")
            for row in db.execute(f'SELECT * FROM "{name}"').fetchall()
        )
    assert types["amount"] == "numeric" and types["due_date"] == "date"
    assert types["is_active"] == "boolean" and types["wire"] == "json"
    assert types["synced_at"] == "timestamp with time zone"
    assert isinstance(amount, Decimal) and active in (True, False) and due is not None
    for secret in (DEMO_PASSWORD, DEMO_DEV_KEY, *served.emulator.state.sessions):
        assert secret not in text


def named_rows(url: str, name: str) -> dict[str, dict[str, Any]]:
    """Each row of a table as {column: value}, by id."""
    with psycopg.connect(url) as db:
        cursor = db.execute(f'SELECT * FROM "{name}"')
        columns = [column.name for column in cursor.description or ()]
        return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}


def test_a_table_made_by_an_older_version_gains_the_new_fields_columns_filled(
    served: RunningEmulator, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env = demo_env(served)
    assert cli.main(sync_command(postgres_url), env=env) == 0
    before = named_rows(postgres_url, "vendors")
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute('ALTER TABLE vendors DROP COLUMN "email", DROP COLUMN "pay_by"')
    # The next run (incremental: it fetches next to nothing) puts them back, filled from each
    # row's own record.
    assert cli.main(sync_command(postgres_url), env=env) == 0
    capsys.readouterr()
    after = named_rows(postgres_url, "vendors")
    assert after.keys() == before.keys()
    assert any(row["email"] for row in before.values())
    for key, row in before.items():
        assert (after[key]["email"], after[key]["pay_by"]) == (row["email"], row["pay_by"])


@pytest.mark.parametrize(
    "url, says",
    [
        ("postgresql://nobody:wrong-secret@127.0.0.1:1/none", "Connection refused"),
        ("postgresql://127.0.0.1:5432:bad/none", ""),
    ],
)
def test_a_database_that_cannot_be_reached_is_one_line_and_exit_2_before_bill_is_called(
    served: RunningEmulator, url: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = served.emulator.counters.total_requests
    assert cli.main(sync_command(url), env=demo_env(served)) == 2
    err = capsys.readouterr().err
    assert err.startswith("bill-async sync: --out postgresql://") and err.count("\n") == 1
    assert says in err and "wrong-secret" not in err
    assert served.emulator.counters.total_requests == before


def test_a_refused_sign_in_to_the_database_is_exit_2(
    served: RunningEmulator, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    user, rest = postgres_url.removeprefix("postgresql://").split(":", 1)
    wrong = f"postgresql://{user}:not-the-password@{rest.split('@', 1)[1]}"
    assert cli.main(sync_command(wrong), env=demo_env(served)) == 2
    err = capsys.readouterr().err
    assert "password authentication failed" in err and "not-the-password" not in err


def test_the_tables_have_sqlites_columns_in_its_order() -> None:
    from bill_async._postgres import _columns as postgres_columns
    from bill_async._sync import LISTABLE, _columns

    for entity in LISTABLE:
        assert [name for name, _ in postgres_columns(entity)] == _columns(entity)


def v3_command(out: str) -> list[str]:
    lists = [arg for name in ("vendors", "bills", "invoices") for arg in ("--entity", name)]
    return ["sync", "--api", "v3", "--quiet", "--no-session-file", "--out", out, *lists]


def test_the_v3_export_into_postgresql_is_sqlites_and_its_second_run_is_incremental(
    served: RunningEmulator,
    postgres_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    env = {**demo_env(served), "BILL_V3_BASE_URL": served.v3_base_url}
    assert cli.main(v3_command(postgres_url), env=env) == 0
    first = capsys.readouterr().out
    sqlite_out = tmp_path / "v3.db"
    assert cli.main(v3_command(str(sqlite_out)), env=env) == 0
    capsys.readouterr()
    for name in ("v3_vendors", "v3_bills", "v3_invoices"):
        in_postgres, in_sqlite = table(postgres_url, name), sqlite_table(sqlite_out, name)
        assert in_postgres and in_postgres.keys() == in_sqlite.keys()
        for key, row in in_postgres.items():
            row_id, org_id, updated, archived, wire, _ = row
            sqlite_row = in_sqlite[key]
            assert (row_id, org_id) == sqlite_row[:2]
            assert archived == (None if sqlite_row[3] is None else bool(sqlite_row[3]))
            assert json.loads(json.dumps(wire)) == json.loads(sqlite_row[4])
            assert updated is not None and updated.tzinfo is not None
    assert "0 records written" not in first
    # Checkpoints hold: the second run writes nothing; a change made since is all the third writes.
    assert cli.main(v3_command(postgres_url), env=env) == 0
    assert "0 records written" in capsys.readouterr().out
    org = served.emulator.org_ids[0]
    vendor = next(iter(served.emulator.objects(org, "Vendor")))
    with psycopg.connect(postgres_url) as db:
        before = db.execute(
            "SELECT updated_time FROM v3_vendors WHERE id = %s", (vendor["id"],)
        ).fetchone()

    async def rename() -> None:
        auth = bill_async.CredentialLogin(
            user_name=DEMO_USER_NAME, password=DEMO_PASSWORD, org_id=org, dev_key=DEMO_DEV_KEY
        )
        async with v3.Client(auth, base_url=served.v3_base_url) as client:
            await client.vendors.update(vendor["id"], {"name": "Renamed for PostgreSQL"})

    anyio.run(rename)
    assert cli.main(v3_command(postgres_url), env=env) == 0
    assert "1 records written" in capsys.readouterr().out
    with psycopg.connect(postgres_url) as db:
        name, after = db.execute(
            "SELECT wire->>'name', updated_time FROM v3_vendors WHERE id = %s", (vendor["id"],)
        ).fetchone()
    assert name == "Renamed for PostgreSQL" and after > before[0]
