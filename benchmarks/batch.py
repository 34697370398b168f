"""Scenario 3, a batch job under BILL's limits: many organizations, many creates.

The emulator (``benchmarks.emulator_server``, in its own process) answers every request
``latency`` after admitting it (its own work inside that time, unless it takes longer) and
answers BDC_1322 beyond 3 requests in flight per devKey and organization, as BILL
does. The job signs in to each organization and creates ``creates`` Vendors in each, all at
once, with the SDK's defaults (3 in flight per organization, BILL's hourly budgets):

- single: one ``vendors.create`` per Vendor, every call started at once;
- bulk: one ``vendors.bulk_create`` per organization (chunks of 100, sent concurrently).

The lower bound the limits allow: a login round trip, then ``ceil(calls per org / 3)`` rounds
of ``latency`` (the organizations run side by side). Reported: the wall time against it,
BDC_1322 errors that reached the caller (and those the SDK absorbed), and duplicates (Vendors
created more than once, counted in the emulator). Every contender runs both jobs small first, so
that no measured run pays for first calls.
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks._report import ready_process

__all__ = ["TRANSPORTS", "BatchResult", "Decoding", "measure"]

TRANSPORTS = ("default transport", "AiohttpTransport")
# Not bill_async: a hand-written aiohttp client doing the same job (3 workers per organization,
# no retries, no models), for what this emulator and machine allow at all.
REFERENCE = "raw aiohttp, reference"
BULK_CHUNK = 100
# Each contender first runs both jobs on this many organizations, this many creates each. Few
# organizations: every run signs in to each, and BILL allows 200 logins an hour.
WARM_UP_ORGS = 2
WARM_UP_CREATES = 6


class Decoding:
    """What the hand-written client's create answers (not its logins) came to, and the time
    ``json.loads`` took on them."""

    def __init__(self) -> None:
        self.answer_bytes = 0
        self.seconds = 0.0


class _Emulator:
    """The emulator process, and its command line."""

    def __init__(self, process: subprocess.Popen[str], ready: dict[str, Any]) -> None:
        self._process = process
        self.base_url: str = ready["base_url"]
        self.org_ids: list[str] = ready["org_ids"]
        self.http_parser: str = ready["http_parser"]

    def command(self, line: str) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        answer: dict[str, Any] = json.loads(self._process.stdout.readline())
        return answer


@contextmanager
def _emulator(orgs: int, latency: float) -> Iterator[_Emulator]:
    args = ("--orgs", str(orgs), "--latency", str(latency))
    with ready_process("benchmarks.emulator_server", *args) as (process, ready):
        yield _Emulator(process, json.loads(ready))


class BatchResult:
    """One run of the job: what it took, and what it left behind."""

    def __init__(
        self,
        *,
        mode: str,
        transport: str,
        orgs: int,
        creates: int,
        latency: float,
        wall: float,
        failures: Counter[str],
        stats: dict[str, Any],
        path: str,
        http_parser: str,
        decoding: Decoding | None = None,
    ) -> None:
        self.mode = mode
        self.transport = transport
        self.orgs = orgs
        self.creates = creates
        self.latency = latency
        self.wall = wall
        self.walls = [wall]  # every round's, when the job ran more than once
        self.failures = failures
        self.calls_per_org = stats["paths"].get(path, 0) / orgs
        expected_calls = creates if mode == "single" else math.ceil(creates / BULK_CHUNK)
        self.expected_calls_per_org = expected_calls
        self.lower_bound = latency * (1 + math.ceil(expected_calls / 3))
        self.plain_bound = latency * expected_calls / 3  # without the login, not in rounds
        self.bdc_1322_surfaced = failures.get("ConcurrencyLimitError", 0)
        self.bdc_1322_absorbed = stats["errors"].get("BDC_1322", 0)
        self.created = stats["created"]
        self.duplicates = stats["created"] - stats["distinct"]
        self.missing = orgs * creates - stats["distinct"]
        self.max_in_flight = stats["max_in_flight"]
        # The emulator's own work (one process, so one core at a time) during the job.
        self.emulator_cpu: float = stats["cpu_seconds"]
        self.http_parser = http_parser
        self.decoding = decoding  # the hand-written client's only

    @property
    def ratio(self) -> float:
        return self.wall / self.lower_bound


async def _run(
    emulator: _Emulator, org_ids: list[str], *, mode: str, transport: str, creates: int, prefix: str
) -> tuple[float, Counter[str]]:
    import bill_async
    from bill_async.emulator import DEMO_DEV_KEY, DEMO_PASSWORD, DEMO_USER_NAME

    auth = bill_async.CredentialLogin(
        user_name=DEMO_USER_NAME,
        password=DEMO_PASSWORD,
        org_id=org_ids[0],
        dev_key=DEMO_DEV_KEY,
    )
    chosen = None
    if transport == "AiohttpTransport":
        chosen = bill_async.AiohttpTransport()
    failures: Counter[str] = Counter()
    async with bill_async.Client(
        auth, base_url=emulator.base_url, transport=chosen, limits=bill_async.InProcessLimits()
    ) as client:
        clients = [client.for_org(org_id) for org_id in org_ids]

        async def create(org: Any, name: str) -> None:
            try:
                await org.vendors.create(name=name)
            except bill_async.BillError as error:
                failures[type(error).__name__] += 1

        async def bulk(org: Any, index: int) -> None:
            items = [{"name": f"{prefix}-{index}-{i}"} for i in range(creates)]
            try:
                results = await org.vendors.bulk_create(items)
            except bill_async.BillError as error:
                failures[type(error).__name__] += creates
                return
            for result in results:
                if isinstance(result, bill_async.BillError):
                    failures[type(result).__name__] += 1

        start = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            for index, org in enumerate(clients):
                if mode == "single":
                    for i in range(creates):
                        group.create_task(create(org, f"{prefix}-{index}-{i}"))
                else:
                    group.create_task(bulk(org, index))
        wall = time.perf_counter() - start
    return wall, failures


async def _run_reference(
    emulator: _Emulator,
    org_ids: list[str],
    *,
    mode: str,
    creates: int,
    prefix: str,
    decoding: Decoding,
) -> tuple[float, Counter[str]]:
    import aiohttp

    from bill_async.emulator import DEMO_DEV_KEY, DEMO_PASSWORD, DEMO_USER_NAME

    failures: Counter[str] = Counter()
    base = emulator.base_url

    async with aiohttp.ClientSession() as http:

        async def post(path: str, form: dict[str, str]) -> Any:
            async with http.post(f"{base}/{path}", data=form) as response:
                answer = await response.read()
            started = time.perf_counter()
            envelope = json.loads(answer)
            if path != "Login.json":
                decoding.answer_bytes += len(answer)
                decoding.seconds += time.perf_counter() - started
            if envelope["response_status"] != 0:
                failures[envelope["response_data"].get("error_code", "error")] += 1
                return None
            return envelope["response_data"]

        async def job(index: int, org_id: str) -> None:
            login = {
                "devKey": DEMO_DEV_KEY,
                "userName": DEMO_USER_NAME,
                "password": DEMO_PASSWORD,
                "orgId": org_id,
            }
            session = await post("Login.json", login)
            call = {"devKey": DEMO_DEV_KEY, "sessionId": session["sessionId"]}
            names = [f"{prefix}-{index}-{i}" for i in range(creates)]
            if mode == "single":
                bodies = [{"obj": {"entity": "Vendor", "name": name}} for name in names]
                path = "Crud/Create/Vendor.json"
            else:
                bodies = [
                    {"bulk": [{"obj": {"entity": "Vendor", "name": n}} for n in chunk]}
                    for chunk in (
                        names[i : i + BULK_CHUNK] for i in range(0, len(names), BULK_CHUNK)
                    )
                ]
                path = "Bulk/Crud/Create/Vendor.json"

            async def worker() -> None:
                while bodies:
                    await post(path, {**call, "data": json.dumps(bodies.pop())})

            async with asyncio.TaskGroup() as workers:
                for _ in range(3):
                    workers.create_task(worker())

        start = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            for index, org_id in enumerate(org_ids):
                group.create_task(job(index, org_id))
        wall = time.perf_counter() - start
    return wall, failures


def _job(
    emulator: _Emulator,
    org_ids: list[str],
    *,
    mode: str,
    transport: str,
    creates: int,
    prefix: str,
    decoding: Decoding,
) -> tuple[float, Counter[str]]:
    if transport == REFERENCE:
        run = _run_reference(
            emulator, org_ids, mode=mode, creates=creates, prefix=prefix, decoding=decoding
        )
    else:
        run = _run(
            emulator, org_ids, mode=mode, transport=transport, creates=creates, prefix=prefix
        )
    return asyncio.run(run)


def _combined(rounds: list[BatchResult]) -> BatchResult:
    """The round of median wall time, with what every round left behind added up: one
    duplicate or surfaced BDC_1322 in any round shows."""
    ordered = sorted(rounds, key=lambda r: r.wall)
    median = ordered[len(ordered) // 2]
    median.walls = [r.wall for r in rounds]
    median.bdc_1322_surfaced = sum(r.bdc_1322_surfaced for r in rounds)
    median.bdc_1322_absorbed = sum(r.bdc_1322_absorbed for r in rounds)
    median.duplicates = sum(r.duplicates for r in rounds)
    median.missing = sum(r.missing for r in rounds)
    median.created = sum(r.created for r in rounds)
    median.max_in_flight = max(r.max_in_flight for r in rounds)
    median.calls_per_org = max(r.calls_per_org for r in rounds)
    median.failures = sum((r.failures for r in rounds), Counter())
    return median


def measure(
    *, orgs: int, creates: int, latency: float, single_rounds: int = 1, bulk_rounds: int = 1
) -> list[BatchResult]:
    """Run the job single and bulk, on each transport and by hand, against one emulator.

    The single job runs ``single_rounds`` times and the bulk job ``bulk_rounds`` times; each row
    is the round of median wall time (``walls`` has them all)."""
    rounds_of = {"single": single_rounds, "bulk": bulk_rounds}
    contenders = (*TRANSPORTS, REFERENCE)
    runs: dict[tuple[str, str], list[BatchResult]] = {}
    with _emulator(orgs, latency) as emulator:
        # Warm up every code path in both processes first, or the first contender measured
        # pays for first calls (imports, lazily built converters, the emulator's first objects).
        for transport in contenders:
            for mode in ("single", "bulk"):
                _job(
                    emulator,
                    emulator.org_ids[:WARM_UP_ORGS],
                    mode=mode,
                    transport=transport,
                    creates=WARM_UP_CREATES,
                    prefix="warm-up",
                    decoding=Decoding(),
                )
        # Round by round, every contender in turn, first and last by turns: a machine that slows
        # down during the run slows every contender alike, and none always follows the same one.
        for round_number in range(max(rounds_of.values())):
            for transport in contenders if round_number % 2 == 0 else contenders[::-1]:
                for mode in ("single", "bulk"):
                    if round_number >= rounds_of[mode]:
                        continue
                    prefix = f"bench-{mode}-{transport.split()[0]}-{round_number}"
                    emulator.command("reset")
                    decoding = Decoding()
                    wall, failures = _job(
                        emulator,
                        emulator.org_ids,
                        mode=mode,
                        transport=transport,
                        creates=creates,
                        prefix=prefix,
                        decoding=decoding,
                    )
                    stats = emulator.command(f"stats {prefix}-")
                    path = (
                        "Crud/Create/Vendor.json"
                        if mode == "single"
                        else "Bulk/Crud/Create/Vendor.json"
                    )
                    runs.setdefault((transport, mode), []).append(
                        BatchResult(
                            mode=mode,
                            transport=transport,
                            orgs=orgs,
                            creates=creates,
                            latency=latency,
                            wall=wall,
                            failures=failures,
                            stats=stats,
                            path=path,
                            http_parser=emulator.http_parser,
                            decoding=decoding if transport == REFERENCE else None,
                        )
                    )
    return [_combined(runs[(t, mode)]) for t in contenders for mode in ("single", "bulk")]
