"""One worker of the soak test (tests/redis/test_soak.py): ``python -m tests.redis.soak_worker
JSON``.

JSON names ``base_url``, ``redis_url``, ``prefix``, ``dev_key``, ``user_name``, ``password``,
``org_id``, ``worker`` (its number), ``creates``, ``reads``, ``vendor_ids``, ``spread``
(seconds over which its calls start) and ``seed``. The worker prints ``{"ready": true}``, waits
for a line on stdin, then makes its calls, each starting at a random moment within ``spread``,
about one in five cancelled after a random few milliseconds to a second; then it prints one
JSON line: ``{"creates": {name: outcome}, "reads": {outcome: count}}``, an outcome being
``"ok:<id>"``, ``"cancelled"``, or the class of the error the call raised.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from typing import Any

import anyio
import anyio.to_thread

import bill_async
from bill_async.redis import redis_stores

RETRY = bill_async.RetryPolicy(base_delay=0.01, max_delay=0.2, max_retries=8, deadline=30.0)


def say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def outcome_of(error: BaseException) -> str:
    return type(error).__name__


async def main(options: dict[str, Any]) -> None:
    auth = bill_async.CredentialLogin(
        user_name=options["user_name"],
        password=options["password"],
        org_id=options["org_id"],
        dev_key=options["dev_key"],
    )
    rng = random.Random(options["seed"])
    creates: dict[str, str] = {}
    reads: Counter[str] = Counter()
    async with (
        redis_stores(
            options["redis_url"], lease=2.0, prefix=options["prefix"], timeout=1.0
        ) as stores,
        bill_async.Client(
            auth,
            base_url=options["base_url"],
            limits=stores.limits,
            session_store=stores.session_store,
            retry=RETRY,
            timeout=5.0,
        ) as client,
    ):
        say({"ready": True})
        await anyio.to_thread.run_sync(sys.stdin.readline)

        async def call(start: float, cancel_after: float | None, work: Any, record: Any) -> None:
            await anyio.sleep(start)
            with anyio.move_on_after(cancel_after if cancel_after is not None else 3600) as scope:
                try:
                    record(await work())
                except bill_async.BillError as error:
                    record(error)
            if scope.cancelled_caught:
                record(None)

        def create(name: str) -> tuple[Any, Any]:
            def record(result: Any) -> None:
                if result is None:
                    creates[name] = "cancelled"
                elif isinstance(result, BaseException):
                    creates[name] = outcome_of(result)
                else:
                    creates[name] = f"ok:{result.id}"

            return (lambda: client.vendors.create(name=name)), record

        def read(vendor_id: str) -> tuple[Any, Any]:
            def record(result: Any) -> None:
                if result is None:
                    reads["cancelled"] += 1
                elif isinstance(result, BaseException):
                    reads[outcome_of(result)] += 1
                else:
                    reads["ok"] += 1

            return (lambda: client.vendors.read(vendor_id)), record

        works = [create(f"soak-{options['worker']}-{n}") for n in range(options["creates"])]
        works += [read(rng.choice(options["vendor_ids"])) for _ in range(options["reads"])]
        async with anyio.create_task_group() as group:
            for work, record in works:
                start = rng.uniform(0, options["spread"])
                cancel_after = rng.uniform(0.002, 1.0) if rng.random() < 0.2 else None
                group.start_soon(call, start, cancel_after, work, record)
        say({"creates": creates, "reads": dict(reads)})


if __name__ == "__main__":
    anyio.run(main, json.loads(sys.argv[1]))
