"""Scenario 4, the main job: ``bill-async sync`` against a hand-written export of the same data.

The emulator (``benchmarks.emulator_server``, in its own process) serves its demo data for 4
organizations at each scale in turn, answering every request ``latency`` after admitting it, 3
in flight per organization. Each contender exports every entity ``bill-async sync`` exports,
from all 4 organizations, into a new SQLite file, in a fresh process of its own:

- ``bill-async sync``: the command itself (``bill_async._cli.main``), with its defaults;
- hand-written export: ``benchmarks/handwritten_export.py``, about 90 lines of aiohttp,
  ``json.loads`` and ``executemany``.

Each child reports its wall time and CPU time (every thread's) for the job, after its imports,
its peak resident memory, and the records in its file. Rounds run every contender in turn, in
alternate orders, and the table shows the median of each measure; the two scales show how the
cost grows with the data.

Child mode (what the rounds run): ``python -m benchmarks.export sdk|handwritten --org ORG_ID ...
--entity NAME ... --out FILE``, signed in by the ``BILL_*`` variables of ``bill-async``'s own
command line; it prints ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks._report import peak_rss_mb, ready_process

__all__ = ["CONTENDERS", "ORGS", "SDK", "ExportResult", "measure"]

SDK = "bill-async sync"
CONTENDERS = {SDK: "sdk", "hand-written export": "handwritten"}
ORGS = 4
WARM_UP_ENTITIES = ("Vendor", "Bill")  # each contender's first run, not measured


class ExportResult:
    """One contender at one scale: the medians of its rounds, and what it wrote."""

    def __init__(self, contender: str, scale: float, runs: list[dict[str, Any]]) -> None:
        self.contender = contender
        self.scale = scale
        self.runs = runs
        self.wall = statistics.median(r["wall"] for r in runs)
        self.cpu = statistics.median(r["cpu"] for r in runs)
        self.peak_rss_mb = statistics.median(r["peak_rss_mb"] for r in runs)
        self.walls = [r["wall"] for r in runs]
        self.records = {r["records"] for r in runs}  # one number when every round wrote all
        self.calls = statistics.median(r["calls"] for r in runs)
        self.emulator_cpu = statistics.median(r["emulator_cpu"] for r in runs)


class _Emulator:
    def __init__(self, process: subprocess.Popen[str], ready: dict[str, Any]) -> None:
        self._process = process
        self.base_url: str = ready["base_url"]
        self.org_ids: list[str] = ready["org_ids"]

    def command(self, line: str) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        answer: dict[str, Any] = json.loads(self._process.stdout.readline())
        return answer

    def counters(self) -> dict[str, Any]:
        return self.command("counters")


@contextmanager
def _emulator(scale: float, latency: float) -> Iterator[_Emulator]:
    args = ("--orgs", str(ORGS), "--latency", str(latency), "--scale", str(scale))
    with ready_process("benchmarks.emulator_server", *args) as (process, ready):
        yield _Emulator(process, json.loads(ready))


def _sign_in(emulator: _Emulator) -> dict[str, str]:
    """The demo account, as ``bill-async``'s environment variables."""
    from bill_async.emulator import DEMO_DEV_KEY, DEMO_PASSWORD, DEMO_USER_NAME

    return {
        "BILL_DEV_KEY": DEMO_DEV_KEY,
        "BILL_USER_NAME": DEMO_USER_NAME,
        "BILL_PASSWORD": DEMO_PASSWORD,
        "BILL_ORG_ID": emulator.org_ids[0],
        "BILL_BASE_URL": emulator.base_url,
    }


def _run_child(kind: str, emulator: _Emulator, entities: list[str], out: Path) -> dict[str, Any]:
    args = ["--out", str(out)]
    args += [arg for org in emulator.org_ids for arg in ("--org", org)]
    args += [arg for entity in entities for arg in ("--entity", entity)]
    before = emulator.counters()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.export", kind, *args],
        env={**os.environ, **_sign_in(emulator)},
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    after = emulator.counters()
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the {kind} export failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    result["calls"] = sum(after["paths"].values()) - sum(before["paths"].values())
    result["emulator_cpu"] = after["cpu_seconds"] - before["cpu_seconds"]
    return result


def measure(
    *, scales: tuple[float, ...], latency: float, rounds: int, warm_up: bool = True
) -> list[ExportResult]:
    """Every contender in turn, ``rounds`` times, at each scale (the emulator's data made anew
    for each)."""
    from bill_async._sync import LISTABLE

    entities = list(LISTABLE)
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="bill-async-export-") as folder,
        _emulator(scales[0], latency) as emulator,
    ):
        for scale in scales:
            emulator.command(f"scale {scale}")
            runs = _rounds(emulator, entities, Path(folder), rounds=rounds, warm_up=warm_up)
            results += [ExportResult(name, scale, runs[name]) for name in CONTENDERS]
    return results


def _rounds(
    emulator: _Emulator, entities: list[str], folder: Path, *, rounds: int, warm_up: bool
) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in CONTENDERS}
    if warm_up:  # the emulator's first answers, not on any contender's time
        for kind in CONTENDERS.values():
            _run_child(kind, emulator, list(WARM_UP_ENTITIES), folder / f"warm-up-{kind}.sqlite")
    for round_number in range(rounds):
        # Every contender in turn, first and last by turns: a machine that slows down or speeds
        # up during the rounds does not favour one.
        order = list(CONTENDERS.items())
        for name, kind in order if round_number % 2 == 0 else reversed(order):
            out = folder / f"{kind}-{round_number}.sqlite"
            runs[name].append(_run_child(kind, emulator, entities, out))
            for path in folder.glob(f"{out.name}*"):
                path.unlink()
    return runs


# -- child mode ---------------------------------------------------------------------------------


def _records(out: str) -> int:
    db = sqlite3.connect(out)
    try:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return sum(
            db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in tables
            if table != "checkpoints"
        )
    finally:
        db.close()


def _sdk_job(args: argparse.Namespace) -> None:
    from bill_async import _cli

    argv = ["sync", "--out", args.out, "--quiet"]
    argv += [arg for org in args.org for arg in ("--org", org)]
    argv += [arg for entity in args.entity for arg in ("--entity", entity)]

    def job() -> None:
        if _cli.main(argv) != 0:
            raise RuntimeError("bill-async sync failed")

    _measured(job, args.out)


def _handwritten_job(args: argparse.Namespace) -> None:
    import asyncio

    from benchmarks import handwritten_export

    env = os.environ
    login = {
        "devKey": env["BILL_DEV_KEY"],
        "userName": env["BILL_USER_NAME"],
        "password": env["BILL_PASSWORD"],
    }

    def job() -> None:
        base_url = env["BILL_BASE_URL"].rstrip("/")
        export = handwritten_export.export(base_url, login, args.org, args.entity, args.out)
        asyncio.run(export)

    _measured(job, args.out)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process
    return usage.ru_utime + usage.ru_stime


def _measured(job: Any, out: str) -> None:
    cpu, started = _cpu_seconds(), time.perf_counter()
    job()
    wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    peak = peak_rss_mb()
    result = {"wall": wall, "cpu": cpu, "peak_rss_mb": peak, "records": _records(out)}
    print("RESULT " + json.dumps(result), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=sorted(CONTENDERS.values()))
    parser.add_argument("--out", required=True)
    parser.add_argument("--org", action="append", required=True)
    parser.add_argument("--entity", action="append", required=True)
    args = parser.parse_args(argv)
    if args.kind == "sdk":
        # Not in the measure: the command's own imports, which happen before any job.
        import bill_async._cli  # noqa: F401

        _sdk_job(args)
    else:
        import aiohttp  # noqa: F401

        _handwritten_job(args)


if __name__ == "__main__":
    main()
