"""A fleet of worker processes (tests/redis/worker.py) sharing one Redis, against one emulator
that counts server side: logins, requests in flight per organization, and BDC_1322 answers."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import redis

from bill_async._core._redact import fingerprint
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    EmulatorConfig,
    RunningEmulator,
)
from tests.redis.conftest import PREFIX, restartable_redis

ROOT = Path(__file__).resolve().parents[2]
LEASE = 2.0
WORKER = "tests.redis.worker"


@pytest.fixture
def served(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> Iterator[RunningEmulator]:
    """An emulator for each test: a latency that keeps calls overlapping, counters at zero."""
    with serve_emulator(EmulatorConfig(latency=0.02, scale=0.01)) as running:
        yield running


class Worker:
    """One worker process: started, told to go, and its outcome read back."""

    def __init__(self, running: RunningEmulator, redis_url: str, **options: Any) -> None:
        org_id = running.emulator.org_ids[0]
        vendors = [v["id"] for v in running.emulator.objects(org_id, "Vendor")]
        settings = {
            "base_url": running.base_url,
            "redis_url": redis_url,
            "prefix": PREFIX,
            "lease": LEASE,
            "dev_key": DEMO_DEV_KEY,
            "user_name": DEMO_USER_NAME,
            "password": DEMO_PASSWORD,
            "org_id": org_id,
            "vendor_ids": vendors[:5],
            "calls": 30,
            **options,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", WORKER, json.dumps(settings)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self, timeout: float = 20.0) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        line = stdout.readline() if ready else ""
        if json.loads(line or "{}").get("ready") is not True:
            self.process.kill()
            _, errors = self.process.communicate()
            raise AssertionError(f"the worker did not start: {line!r} {errors}")

    def go(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write("go\n")
        stdin.flush()

    def outcome(self, timeout: float = 30.0) -> dict[str, Any]:
        out, errors = self.process.communicate(timeout=timeout)
        assert self.process.returncode == 0, errors
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result


def start_all(workers: list[Worker]) -> None:
    for worker in workers:
        worker.wait_ready()
    for worker in workers:  # all at once: they ask for a session together
        worker.go()


def slots_key(running: RunningEmulator) -> str:
    org_id = running.emulator.org_ids[0]
    return f"{PREFIX}:gov:{{{fingerprint(DEMO_DEV_KEY)}:{org_id}}}:slots"


def budget_count(plain: redis.Redis, what: str) -> int:
    (key,) = plain.keys(f"{PREFIX}:budget:{fingerprint(DEMO_DEV_KEY)}:{what}:*")
    return int(plain.get(key) or 0)


def wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_4_workers_x_30_reads_keep_to_3_in_flight_and_log_in_once(
    served: RunningEmulator, redis_url: str
) -> None:
    workers = [Worker(served, redis_url) for _ in range(4)]
    start_all(workers)
    outcomes = [worker.outcome() for worker in workers]

    counters = served.emulator.counters
    org_id = served.emulator.org_ids[0]
    assert [o["outcomes"] for o in outcomes] == [{"ok": 30}] * 4  # no BDC_1322 reached a caller
    assert counters.max_in_flight[org_id] == 3  # never more, and all three were used
    assert counters.errors.get("BDC_1322", 0) == 0
    assert counters.logins == 1
    assert sum(o["logins"] for o in outcomes) == 1
    assert counters.paths["Crud/Read/Vendor.json"] == 120
    with redis.Redis.from_url(redis_url) as plain:
        assert budget_count(plain, "requests") == 120  # one count for the whole fleet
        assert budget_count(plain, "logins") == 1
        assert plain.zcard(slots_key(served)) == 0  # every slot was given back
    assert max(o["requests_used"] for o in outcomes) == 120  # the last call saw them all


def test_a_killed_workers_slot_comes_back_within_its_lease(
    served: RunningEmulator, redis_url: str
) -> None:
    bill = served.emulator
    bill.set_latency(0.05)  # enough work that the others are still busy when the lease ends
    doomed = Worker(served, redis_url, hold=True, calls=1)
    others = [Worker(served, redis_url, calls=30) for _ in range(3)]
    for worker in (doomed, *others):
        worker.wait_ready()  # the doomed one has signed in and shared its session
    bill.pause()  # BILL holds the next call open
    doomed.go()
    wait_until(lambda: bill.in_flight == 1)
    with redis.Redis.from_url(redis_url, decode_responses=True) as plain:

        def redis_now_ms() -> float:
            seconds, micros = plain.time()
            return seconds * 1000 + micros / 1000

        ((token, _),) = plain.zrange(slots_key(served), 0, -1, withscores=True)
        os.kill(doomed.process.pid, signal.SIGKILL)  # in the middle of its call
        doomed.process.communicate()
        killed_at = time.monotonic()
        lease_ends_ms = plain.zscore(slots_key(served), token)
        assert lease_ends_ms is not None
        assert 0 < lease_ends_ms - redis_now_ms() <= LEASE * 1000  # no one renews it now
        bill.resume()  # BILL finishes the orphaned call; its slot is still leased in Redis
        wait_until(lambda: bill.in_flight == 0)
        bill.reset_counters()

        for worker in others:  # 2 slots for them until the lease ends, then 3
            worker.go()
        wait_until(lambda: redis_now_ms() >= lease_ends_ms, timeout=LEASE + 5)
        freed_after = time.monotonic() - killed_at
        outcomes = [worker.outcome() for worker in others]

    assert freed_after <= LEASE + 0.5
    assert [o["outcomes"] for o in outcomes] == [{"ok": 30}] * 3  # the others finished
    org_id = bill.org_ids[0]
    assert bill.counters.max_in_flight[org_id] == 3  # the dead worker's slot came back
    assert bill.counters.errors.get("BDC_1322", 0) == 0
    assert bill.counters.logins == 0  # they adopted the session the dead worker shared


def test_3_workers_x_400_concurrent_reads_on_one_redis(
    served: RunningEmulator, redis_url: str
) -> None:
    # Each process wants Redis for 400 calls at once: redis-py's default pool failed all but
    # 100 of them as "unreachable", and the fallback then left the fleet on per-process limits.
    workers = [Worker(served, redis_url, calls=400) for _ in range(3)]
    start_all(workers)
    outcomes = [worker.outcome(timeout=120) for worker in workers]

    counters = served.emulator.counters
    org_id = served.emulator.org_ids[0]
    assert [o["outcomes"] for o in outcomes] == [{"ok": 400}] * 3  # none failed, for Redis or else
    assert counters.errors.get("BDC_1322", 0) == 0
    assert counters.max_in_flight[org_id] == 3
    assert counters.logins == 1
    assert counters.paths["Crud/Read/Vendor.json"] == 1200


def test_a_2_second_redis_restart_in_the_middle_fails_no_call(served: RunningEmulator) -> None:
    with restartable_redis() as server:
        workers = [Worker(served, server.url, calls=400) for _ in range(3)]
        start_all(workers)
        bill = served.emulator
        wait_until(lambda: bill.counters.paths["Crud/Read/Vendor.json"] >= 300, timeout=60)
        server.stop()
        time.sleep(2.0)
        server.start()
        outcomes = [worker.outcome(timeout=120) for worker in workers]

    counters = bill.counters
    org_id = bill.org_ids[0]
    assert [o["outcomes"] for o in outcomes] == [{"ok": 400}] * 3
    assert counters.paths["Crud/Read/Vendor.json"] == 1200  # each sent once: none retried
    assert counters.errors.get("BDC_1322", 0) == 0  # nothing was sent without its slot
    assert counters.max_in_flight[org_id] <= 3
    assert counters.logins == 1
