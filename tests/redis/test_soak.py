"""The soak test: a fleet of 3 worker processes sharing one Redis, creating and reading vendors
through a proxy that loses requests and answers, while BILL's sessions expire twice, Redis
restarts (2 s down) in the middle, and a fifth of the calls are cancelled. Bounded: about
15 seconds.

What must hold: no vendor is created twice (a write is never sent again once it may have run),
nothing is lost (a create said to succeed exists, with its id; one that failed cleanly does
not; only a cancelled or ambiguous one may be either), and no BDC_1322, no Redis failure and no
expired session ever reaches a caller.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    EmulatorConfig,
    ManualClock,
    RunningEmulator,
)
from tests.faultproxy import FaultProxy
from tests.redis.conftest import PREFIX, RedisServer, restartable_redis
from tests.redis.test_fleet import wait_until

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
CREATES = 120
READS = 120
SPREAD = 6.0  # seconds over which each worker's calls start
# Failures no caller may ever see: the fleet must absorb them.
NEVER_SURFACED = {
    "ConcurrencyLimitError",
    "RedisStoreError",
    "RedisUnavailableError",
    "SessionExpiredError",
}


def start_worker(number: int, settings: dict[str, Any]) -> subprocess.Popen[str]:
    options = {**settings, "worker": number, "seed": 1000 + number}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.redis.soak_worker", json.dumps(options)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def disturb(clock: ManualClock, redis: RedisServer, log: list[str]) -> threading.Thread:
    """BILL drops every session at 1 s and 5 s; Redis is down from 2 s to 4 s."""

    def run() -> None:
        time.sleep(1.0)
        clock.advance(36 * 60)  # past BILL's idle timeout: every session expires
        log.append("sessions expired")
        time.sleep(1.0)
        redis.stop()
        log.append("redis stopped")
        time.sleep(2.0)
        redis.start()
        log.append("redis started")
        time.sleep(1.0)
        clock.advance(36 * 60)
        log.append("sessions expired")

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_fleet_through_faults_restarts_cancellations_and_expiries(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> None:
    clock = ManualClock()
    config = EmulatorConfig(latency=(0.002, 0.02), scale=0.01, clock=clock, seed=23)
    with (
        restartable_redis() as redis,
        serve_emulator(config) as served,
        FaultProxy(
            ("127.0.0.1", served.port), lose_request=0.015, lose_answer=0.015, seed=23
        ) as proxy,
    ):
        bill = served.emulator
        org_id = bill.org_ids[0]
        settings = {
            "base_url": f"http://127.0.0.1:{proxy.port}/api/v2",
            "redis_url": redis.url,
            "prefix": PREFIX,
            "dev_key": DEMO_DEV_KEY,
            "user_name": DEMO_USER_NAME,
            "password": DEMO_PASSWORD,
            "org_id": org_id,
            "vendor_ids": [v["id"] for v in bill.objects(org_id, "Vendor")][:5],
            "creates": CREATES,
            "reads": READS,
            "spread": SPREAD,
        }
        workers = [start_worker(number, settings) for number in range(WORKERS)]
        for worker in workers:
            assert worker.stdout is not None
            assert json.loads(worker.stdout.readline()) == {"ready": True}
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        events: list[str] = []
        disturbing = disturb(clock, redis, events)
        outcomes, logs = [], []
        for worker in workers:
            out, errors = worker.communicate(timeout=60)
            assert worker.returncode == 0, errors
            outcomes.append(json.loads(out.strip().splitlines()[-1]))
            logs.append(errors)
        disturbing.join()
        wait_until(lambda: bill.in_flight == 0)
        made = Counter(v["name"] for v in bill.objects(org_id, "Vendor"))
        ids = {v["name"]: v["id"] for v in bill.objects(org_id, "Vendor")}
        counters = bill.counters

    creates = {name: said for outcome in outcomes for name, said in outcome["creates"].items()}
    reads: Counter[str] = Counter()
    for outcome in outcomes:
        reads.update(outcome["reads"])
    said = Counter(s.split(":")[0] for s in creates.values())

    assert len(creates) == WORKERS * CREATES  # every call reported back
    assert all(made[name] <= 1 for name in creates)  # no duplicates
    for name, outcome in creates.items():  # nothing lost
        if outcome.startswith("ok:"):
            assert made[name] == 1 and ids[name] == outcome[3:], name
        elif outcome not in ("cancelled", "AmbiguousWriteError"):
            assert made[name] == 0, (name, outcome)  # a clean failure did not run
    assert not NEVER_SURFACED & set(said), said
    assert not NEVER_SURFACED & set(reads), reads
    assert set(reads) <= {"ok", "cancelled"}, reads
    # The disturbances happened, and the fleet went through them.
    assert events == ["sessions expired", "redis stopped", "redis started", "sessions expired"]
    assert proxy.faults["request lost"] > 0 and proxy.faults["answer lost"] > 0
    assert counters.errors["BDC_1109"] > 0  # sessions expired under the fleet
    assert any("answers again" in log for log in logs)  # the outage was waited out
    assert said["ok"] > WORKERS * CREATES // 2 and reads["ok"] > WORKERS * READS // 2
    assert counters.logins <= 12  # one per expiry for the fleet, and a few lost answers
