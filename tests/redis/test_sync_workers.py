"""``bill-async sync --redis-url``: one export spread over worker processes, one org group each."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from bill_async.emulator import (
    EmulatorConfig,
    RunningEmulator,
)
from tests.demo_env import demo_env

ENTITIES = ("vendors", "bills", "invoices")
ENTITIES_PG = ("vendors", "bills", "invoices", "customers")


def test_two_workers_share_one_export_and_bills_limits(
    redis_url: str,
    tmp_path: Path,
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> None:
    # A latency that keeps calls overlapping, and one devKey for both workers.
    with serve_emulator(EmulatorConfig(scale=0.05, latency=0.01)) as served:
        orgs = served.emulator.org_ids
        env = {**os.environ, **demo_env(served)}
        out = tmp_path / "bill.db"
        halves = [orgs[: len(orgs) // 2], orgs[len(orgs) // 2 :]]
        command = [sys.executable, "-m", "bill_async._cli", "sync", "--quiet", "--out", str(out)]
        command += ["--redis-url", redis_url]
        command += [arg for entity in ENTITIES for arg in ("--entity", entity)]
        workers = [
            subprocess.Popen(
                [*command, *[arg for org in half for arg in ("--org", org)]],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for half in halves
        ]
        results = [worker.communicate(timeout=120) for worker in workers]
        for worker, (stdout, stderr) in zip(workers, results, strict=True):
            assert worker.returncode == 0, stderr
            assert "records written" in stdout
        counters = served.emulator.counters
        with contextlib.closing(sqlite3.connect(out)) as db:
            for table, entity in zip(ENTITIES, ("Vendor", "Bill", "Invoice"), strict=True):
                rows = dict(db.execute(f"SELECT org_id, COUNT(*) FROM {table} GROUP BY org_id"))
                assert rows == {org: len(served.emulator.objects(org, entity)) for org in orgs}
        assert counters.errors.get("BDC_1322", 0) == 0
        assert max(counters.max_in_flight.values()) <= 3
        assert counters.logins == len(orgs)  # one session per org, none twice


def test_three_workers_with_redis_fill_one_database_without_duplicates_or_1322(
    redis_url: str,
    postgres_url: str,
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> None:
    psycopg = pytest.importorskip("psycopg")
    with serve_emulator(EmulatorConfig(scale=0.05, latency=0.01)) as served:
        orgs = served.emulator.org_ids  # 4: the workers take 2, 1 and 1
        env = {**os.environ, **demo_env(served)}
        command = [
            sys.executable,
            "-m",
            "bill_async._cli",
            "sync",
            "--quiet",
            "--out",
            postgres_url,
            *[a for e in ENTITIES_PG for a in ("--entity", e)],
        ]
        command += ["--redis-url", redis_url]
        splits = [orgs[:2], orgs[2:3], orgs[3:]]
        workers = [
            subprocess.Popen(
                [*command, *[arg for org in split for arg in ("--org", org)]],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for split in splits
        ]
        results = [worker.communicate(timeout=120) for worker in workers]
        for worker, (_, stderr) in zip(workers, results, strict=True):
            assert worker.returncode == 0, stderr
        counters = served.emulator.counters
        with psycopg.connect(postgres_url) as db:
            for name, entity in zip(
                ENTITIES_PG, ("Vendor", "Bill", "Invoice", "Customer"), strict=True
            ):
                counted = dict(
                    db.execute(f'SELECT org_id, COUNT(*) FROM "{name}" GROUP BY org_id').fetchall()
                )
                assert counted == {org: len(served.emulator.objects(org, entity)) for org in orgs}
            (checkpoints,) = db.execute("SELECT COUNT(*) FROM checkpoints").fetchone() or (0,)
        assert checkpoints == len(orgs) * len(ENTITIES_PG)
        assert counters.errors.get("BDC_1322", 0) == 0
        assert max(counters.max_in_flight.values()) <= 3
