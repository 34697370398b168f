"""The BILL emulator in a process of its own, for scenario 3, driven over stdin and stdout.

The emulator keeps BILL's rules (3 requests in flight per devKey and organization, BDC_1322
beyond; latency inside the in-flight window). It runs here, not in the benchmark's process, so
that its CPU time does not come out of the client's.

Run: ``python -m benchmarks.emulator_server --orgs 20 --latency 0.1``. It prints one line,
``READY {"base_url": ..., "org_ids": [...]}``, then answers one JSON line per command line:

- ``stats PREFIX``: the counters since the last ``reset``, and how many Vendors whose name
  starts with PREFIX exist, and how many distinct names they have (the rest are duplicates);
- ``reset``: counters back to zero.

It exits when its standard input closes.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["main"]


def _stats(emulator: Any, prefix: str) -> dict[str, Any]:
    created = 0
    names: set[str] = set()
    for org_id in emulator.org_ids:
        for vendor in emulator.objects(org_id, "Vendor"):
            name = vendor.get("name") or ""
            if name.startswith(prefix):
                created += 1
                names.add(name)
    counters = emulator.counters
    return {
        "created": created,
        "distinct": len(names),
        "errors": dict(counters.errors),
        "paths": dict(counters.paths),
        "logins": counters.logins,
        "max_in_flight": max(counters.max_in_flight.values(), default=0),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--max-in-flight", type=int, default=3)
    args = parser.parse_args(argv)

    from bill_async.emulator import EmulatorConfig, running_emulator

    config = EmulatorConfig(
        org_names=tuple(f"Benchmark Org {i + 1:02d}" for i in range(args.orgs)),
        latency=args.latency,
        max_in_flight=args.max_in_flight,
        scale=0.01,  # a few demo objects per organization: the benchmark makes its own
    )
    with running_emulator(config) as running:
        emulator = running.emulator
        emulator.seed_all()
        ready = {"base_url": running.base_url, "org_ids": emulator.org_ids}
        print("READY " + json.dumps(ready), flush=True)
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "stats":
                print(json.dumps(_stats(emulator, argument)), flush=True)
            elif command == "reset":
                emulator.reset_counters()
                print("{}", flush=True)
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)


if __name__ == "__main__":
    main()
