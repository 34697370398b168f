"""One worker of a fleet, for tests/redis/test_fleet.py: ``python -m tests.redis.worker JSON``.

JSON names ``base_url``, ``redis_url``, ``prefix``, ``lease``, ``dev_key``, ``user_name``,
``password``, ``org_id``, ``vendor_ids`` and ``calls``. The worker builds its client, prints
``{"ready": true}``, and waits for a line on stdin; then it reads ``calls`` vendors at once,
without retries (so that any BDC_1322 reaches it), and prints its outcome as one JSON line:
``{"outcomes": {"ok": N, "<Error>": N}, "logins": N, "requests_used": N}``. With
``"hold": true`` it signs in before it says it is ready and makes its reads only after the go
line (the test holds them open and kills the worker).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any

import anyio
import anyio.to_thread

import bill_async
from bill_async.redis import redis_stores


def say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main(options: dict[str, Any]) -> None:
    auth = bill_async.CredentialLogin(
        user_name=options["user_name"],
        password=options["password"],
        org_id=options["org_id"],
        dev_key=options["dev_key"],
    )
    outcomes: Counter[str] = Counter()
    async with (
        redis_stores(
            options["redis_url"],
            lease=options["lease"],
            prefix=options["prefix"],
            timeout=options.get("redis_timeout", 5.0),
        ) as stores,
        bill_async.Client(
            auth,
            base_url=options["base_url"],
            limits=stores.limits,
            session_store=stores.session_store,
            retry=bill_async.RetryPolicy(max_retries=0),
        ) as client,
    ):
        if options.get("hold"):
            await client.login()
        say({"ready": True})
        await anyio.to_thread.run_sync(sys.stdin.readline)

        async def read(vendor_id: str) -> None:
            try:
                await client.vendors.read(vendor_id)
            except bill_async.BillError as error:
                outcomes[type(error).__name__] += 1
            else:
                outcomes["ok"] += 1

        vendor_ids = options["vendor_ids"]
        async with anyio.create_task_group() as group:
            for index in range(options["calls"]):
                group.start_soon(read, vendor_ids[index % len(vendor_ids)])
        say(
            {
                "outcomes": dict(outcomes),
                "logins": client.session_manager.logins,
                "requests_used": client.limits.requests_used,
            }
        )


if __name__ == "__main__":
    anyio.run(main, json.loads(sys.argv[1]))
