"""How current ``bill-async listen`` keeps a v3 export: delivery-to-database time, side by side
with polling (an incremental ``sync --api v3``).

The emulator runs in a process of its own (``benchmarks.emulator_server``, so that its CPU time
does not come out of the listener's) and sends BILL's deliveries to a listener served by uvicorn
on this process's event loop. ``changes`` vendors are updated through
v3, one every ``interval`` seconds. Reported per change: from BILL's delivery reaching the
receiver to its commit in the export (the listener's own measure), and from the update's answer
to the commit (what a reader of the export waits). The polling alternative: one incremental sync
of every list after the same changes, its time and its API calls; a poller every P seconds
leaves a change P/2 behind on average, plus that sync's time.

    python -m benchmarks.webhooks [--changes 200] [--interval 0.02]
"""

from __future__ import annotations

import argparse
import json
import math
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import uvicorn

import bill_async
from benchmarks._report import markdown_table, ready_process
from bill_async import v3
from bill_async._listen import Listener
from bill_async.emulator import DEMO_DEV_KEY, DEMO_PASSWORD, DEMO_USER_NAME
from bill_async.v3._sync import EXPORTED, open_v3_database, sync_v3
from bill_async.webhooks import Event

__all__ = ["measure", "report"]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


async def _measure(changes: int, interval: float, out: Path) -> dict[str, Any]:
    with ready_process("benchmarks.emulator_server", "--orgs", "1", "--latency", "0") as (_, line):
        ready = json.loads(line)
        org = ready["org_ids"][0]
        v3_base_url = ready["base_url"].removesuffix("/api/v2") + "/connect"
        auth = bill_async.CredentialLogin(DEMO_USER_NAME, DEMO_PASSWORD, org, DEMO_DEV_KEY)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # no Nagle
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/bill/webhooks"
        answered: dict[str, float] = {}  # the email an update set -> when it was answered
        end_to_end: list[float] = []
        async with v3.Client(auth, base_url=v3_base_url) as client:
            listener = Listener(client, out / "listen.db", url, org, sync_every=math.inf)
            server = uvicorn.Server(
                uvicorn.Config(listener.app(), lifespan="off", log_level="error")
            )
            async with anyio.create_task_group() as group:
                group.start_soon(server.serve, [sock])
                await listener.start()
                assert listener.receiver is not None

                @listener.receiver.on("*")  # after the listener's own handler: committed
                async def committed(event: Event) -> None:
                    sent = answered.get(str(event.entity.get("email")))
                    if sent is not None:
                        end_to_end.append(time.perf_counter() - sent)

                group.start_soon(lambda: listener.run(report=lambda _: None, report_every=3600))
                vendors = await client.vendors.list(limit=changes).collect()
                for number in range(changes):
                    vendor = vendors[number % len(vendors)]
                    email = f"v{number}@example.com"
                    await client.vendors.update(vendor.id, {"email": email})
                    answered[email] = time.perf_counter()
                    await anyio.sleep(interval)
                with anyio.fail_after(60):
                    while True:
                        if len(end_to_end) >= changes and not await listener.pending():
                            break
                        await anyio.sleep(0.01)
                database = open_v3_database(out / "polled.db", list(EXPORTED))
                try:
                    await sync_v3(client, database, [org], list(EXPORTED))  # the first, full
                    await client.vendors.update(vendors[0].id, {"email": "polled@example.com"})
                    started = time.perf_counter()
                    polled = await sync_v3(client, database, [org], list(EXPORTED))
                    poll_seconds = time.perf_counter() - started
                finally:
                    database.close()
                server.should_exit = True
                group.cancel_scope.cancel()
            listener.close()
        sock.close()
    return {
        "lags": list(listener.report.lags),
        "end_to_end": end_to_end,
        "poll_seconds": poll_seconds,
        "poll_calls": polled.api_calls,
    }


def measure(changes: int = 200, interval: float = 0.02) -> dict[str, Any]:
    """Run the scenario; the times are seconds."""
    with tempfile.TemporaryDirectory() as folder:
        return anyio.run(_measure, changes, interval, Path(folder))


def report(result: dict[str, Any]) -> str:
    def row(name: str, values: list[float]) -> tuple[str, ...]:
        return (
            name,
            str(len(values)),
            f"{statistics.median(values) * 1000:.1f}",
            f"{_quantile(values, 0.95) * 1000:.1f}",
            f"{max(values) * 1000:.1f}",
        )

    rows = [
        row("delivery received -> committed", result["lags"]),
        row("update answered -> committed", result["end_to_end"]),
    ]
    median = statistics.median(result["end_to_end"])
    poll = result["poll_seconds"]
    return (
        "**Webhooks: how current `bill-async listen` keeps the export** (the emulator delivering "
        "to a listener on loopback)\n\n"
        + markdown_table(("measure", "events", "median ms", "p95 ms", "max ms"), rows)
        + f"\n\nPolling instead: one incremental `sync --api v3` of the {len(EXPORTED)} lists "
        f"took {poll * 1000:.0f} ms and {result['poll_calls']} API calls for one change. "
        f"ratio: incremental sync / listen's update-to-commit median = {poll / median:.1f}x "
        "(and a poller every P seconds adds P/2 on average).\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.webhooks")
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.02)
    args = parser.parse_args(argv)
    print(report(measure(args.changes, args.interval)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
