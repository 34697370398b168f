"""The BILL emulator in a process of its own, for scenarios 3 and 4, driven over stdin and stdout.

The emulator keeps BILL's rules (3 requests in flight per devKey and organization, BDC_1322
beyond; latency inside the in-flight window). It runs here, not in the benchmark's process, so
that its CPU time does not come out of the client's.

Run: ``python -m benchmarks.emulator_server --orgs 20 --latency 0.1`` (``--scale``: the demo
data's size, 0.01 by default: a few objects per organization). It prints one line,
``READY {"base_url": ..., "org_ids": [...], "http_parser": ...}``, then answers one JSON line
per command line:

- ``stats PREFIX``: the counters since the last ``reset``, how many Vendors whose name starts
  with PREFIX exist, how many distinct names they have (the rest are duplicates), and the CPU
  time this process has used since the last ``reset``;
- ``counters``: the requests per path and the errors since the last ``reset``, and the CPU time
  this process has used since then (nothing else: cheap between the runs of scenario 4);
- ``scale S``: the emulator back to its starting data, made at scale S (as ``reset``);
- ``reset``: the emulator back to its starting data (no sessions, none of the Vendors made
  since), counters and CPU time back to zero: every job measured starts from the same state,
  not with the objects of the jobs before it.

It exits when its standard input closes.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from typing import Any

import attrs

__all__ = ["main"]


def _stats(emulator: Any, prefix: str, cpu_since: float) -> dict[str, Any]:
    cpu_seconds = time.process_time() - cpu_since  # before counting, which takes some
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
        # Every thread of this process: the server's and this command loop's (idle).
        "cpu_seconds": cpu_seconds,
    }


def _http_parser() -> str:
    """What uvicorn parses HTTP with here: httptools (C) when installed, else h11 (Python)."""
    from importlib.metadata import version

    try:
        import httptools  # noqa: F401
    except ImportError:
        return f"h11 {version('h11')}"
    return f"httptools {version('httptools')}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--max-in-flight", type=int, default=3)
    parser.add_argument("--scale", type=float, default=0.01, help="the demo data's size")
    args = parser.parse_args(argv)

    from bill_async.emulator import EmulatorConfig, running_emulator

    config = EmulatorConfig(
        org_names=tuple(f"Benchmark Org {i + 1:02d}" for i in range(args.orgs)),
        latency=args.latency,
        max_in_flight=args.max_in_flight,
        scale=args.scale,  # scenario 3 makes its own objects; scenario 4 exports these
    )
    with running_emulator(config) as running:
        emulator = running.emulator
        emulator.seed_all()
        ready = {
            "base_url": running.base_url,
            "org_ids": emulator.org_ids,
            "http_parser": _http_parser(),
        }
        print("READY " + json.dumps(ready), flush=True)
        cpu_since = time.process_time()
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "counters":
                cpu_seconds = time.process_time() - cpu_since
                counters = emulator.counters
                answer = {"paths": dict(counters.paths), "errors": dict(counters.errors)}
                print(json.dumps({**answer, "cpu_seconds": cpu_seconds}), flush=True)
            elif command == "stats":
                print(json.dumps(_stats(emulator, argument, cpu_since)), flush=True)
            elif command in ("reset", "scale"):
                if command == "scale":
                    config = attrs.evolve(config, scale=float(argument))
                emulator.reset(config)
                emulator.seed_all()
                gc.collect()  # the last job's objects, now garbage: not on the next job's time
                cpu_since = time.process_time()
                print("{}", flush=True)
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)


if __name__ == "__main__":
    main()
