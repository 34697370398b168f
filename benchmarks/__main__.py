"""Run the benchmarks side by side and print ratios and markdown tables.

    python -m benchmarks            # the full run (about ten minutes on 2 cores)
    python -m benchmarks --quick    # a smoke run: every scenario and contender, tiny sizes
    python -m benchmarks --only 2   # one scenario (1 to 6; comma-separated)

Scenario 1: per-call overhead in process (``benchmarks/overhead.py``). Scenario 2: loopback
throughput against a server in another process (``benchmarks/throughput.py``). Scenario 3: a
batch job against the emulator with BILL's limits (``benchmarks/batch.py``). Scenario 4: the
main job, ``bill-async sync``, against a hand-written export (``benchmarks/export.py``).
Scenario 5: building models against parsing their JSON (``benchmarks/models.py``). Scenario 6:
how current ``bill-async listen`` keeps the v3 export, against polling (``benchmarks/webhooks.py``).

The numbers are for comparing contenders within one run on one machine; ``--quick`` numbers
are too short to mean anything.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import batch, export, models, overhead, throughput, webhooks
from benchmarks._report import Target, machine, markdown_table, versions

BATCH_TARGET = 1.15  # scenario 3: single: wall at most this times the lower bound;
BULK_TARGET = 1.15  # bulk: at most this times the hand-written client's wall, same run
EXPORT_WALL_TARGET = 1.1  # scenario 4: bill-async sync against the hand-written export
EXPORT_CPU_TARGET = 1.5
EXPORT_MEMORY_TARGET = 1.5  # peak RSS at the larger scale against the smaller
MODEL_TARGET = 1.0  # scenario 5: from_wire and reading every field against json.loads

FULL: dict[str, dict[str, Any]] = {
    "overhead": {"calls": 2000, "rounds": 7},
    "throughput": {"rounds": 5, "warmup": 0.5, "duration": 2.0, "levels": throughput.LEVELS},
    "batch": {"orgs": 20, "creates": 200, "latency": 0.1, "single_rounds": 3, "bulk_rounds": 9},
    "export": {"scales": (1.0, 4.0), "latency": 0.2, "rounds": 5, "warm_up": True},
    "models": {"scale": 0.5, "rounds": 15},
    "webhooks": {"changes": 200, "interval": 0.02},
}
QUICK: dict[str, dict[str, Any]] = {
    "overhead": {"calls": 200, "rounds": 2},
    # Fewer in flight: the naive contender builds a client (30 ms) for each call in flight.
    "throughput": {"rounds": 1, "warmup": 0.05, "duration": 0.1, "levels": (1, 4, 8)},
    "batch": {"orgs": 2, "creates": 12, "latency": 0.02, "single_rounds": 1, "bulk_rounds": 2},
    "export": {"scales": (0.01, 0.02), "latency": 0.01, "rounds": 1, "warm_up": False},
    "models": {"scale": 0.02, "rounds": 2},
    "webhooks": {"changes": 10, "interval": 0.01},
}


def _scenario_1(params: dict[str, int], targets: list[Target]) -> str:
    result = overhead.measure(**params)
    raw, sdk = result["raw httpx"], result["bill_async"]
    targets.append(
        Target("1: bill_async / raw httpx, time per call", sdk / raw, 1.25, at_most=True)
    )
    rows = [(name, f"{result[name]:.0f}", f"{result[name] / raw:.2f}x") for name in result]
    return (
        "**Scenario 1: overhead per call** (in process, the real 99-field Vendor, one call at a "
        "time; best of rounds)\n\n"
        + markdown_table(("contender", "µs per call", "vs raw httpx"), rows)
    )


def _scenario_2(params: dict[str, Any], targets: list[Target]) -> str:
    result = throughput.measure_all(**params)
    levels = [str(level) for level in params["levels"]]
    top = levels[-1]
    rate = {name: result[name]["rates"][top] for name in result}
    raw_httpx, raw_aiohttp = rate["raw httpx"], rate["raw aiohttp"]
    naive = rate["naive httpx (client per call)"]
    default, fast = rate["bill_async (default transport)"], rate["bill_async (AiohttpTransport)"]
    targets += [
        Target(
            f"2: AiohttpTransport / raw aiohttp at {top}", fast / raw_aiohttp, 0.8, at_most=False
        ),
        Target(f"2: AiohttpTransport / naive at {top}", fast / naive, 10, at_most=False),
        Target(
            f"2: default transport / raw httpx at {top}", default / raw_httpx, 1.0, at_most=False
        ),
    ]
    header = (
        "contender",
        *(f"req/s at {level}" for level in levels),
        f"CPU µs/call at {top}",
        "peak RSS MB",
    )
    rows = [
        (
            name,
            *(f"{result[name]['rates'][level]:,.0f}" for level in levels),
            f"{result[name]['cpu_us'][top]:,.0f}",
            f"{result[name]['peak_rss_mb']:.0f}",
        )
        for name in throughput.CONTENDERS
    ]
    return (
        f"**Scenario 2: loopback throughput** (requests in flight: {', '.join(levels)}; best "
        "of rounds; each contender in a fresh process, the server in another)\n\n"
        + markdown_table(header, rows)
        + "\n\nNotes: every contender form-encodes the call and parses the JSON answer; "
        "bill_async also builds the `Vendor` model. bill_async runs with `max_in_flight=128` "
        "(BILL allows 3 per organization; this scenario measures the transport) and a budget "
        "that does not run out. raw httpx keeps up to 100 connections alive."
    )


def _walls(wall: float, walls: list[float]) -> str:
    """One run's wall time, or the median of several and their range."""
    if len(walls) == 1:
        return f"{wall:.2f}"
    return f"{wall:.2f} ({min(walls):.2f}-{max(walls):.2f})"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _rounds_note(single_rounds: int, bulk_rounds: int) -> str:
    if single_rounds == bulk_rounds == 1:
        return ""
    return (
        f"The single jobs ran {_times(single_rounds)} and the bulk jobs {_times(bulk_rounds)}, "
        "every contender in turn (first and last by turns): each row is the round of median wall "
        "time, with the range, and "
        "counts what every round left behind. "
    )


def _scenario_3(params: dict[str, float], targets: list[Target]) -> str:
    results = batch.measure(
        orgs=int(params["orgs"]),
        creates=int(params["creates"]),
        latency=params["latency"],
        single_rounds=int(params["single_rounds"]),
        bulk_rounds=int(params["bulk_rounds"]),
    )
    by_hand = {r.mode: r.wall for r in results if r.transport == batch.REFERENCE}
    rows = []
    for r in results:
        rows.append(
            (
                f"{r.mode} ({r.transport})",
                _walls(r.wall, r.walls),
                f"{r.wall / by_hand[r.mode]:.2f}x",
                f"{r.lower_bound:.2f}",
                f"{r.ratio:.2f}x",
                f"{r.emulator_cpu:.2f}",
                f"{r.bdc_1322_surfaced} ({r.bdc_1322_absorbed})",
                str(r.duplicates),
                str(r.missing),
                f"{r.calls_per_org:g} (expected {r.expected_calls_per_org})",
                ", ".join(f"{k} {v}" for k, v in sorted(r.failures.items())) or "none",
            )
        )
        if r.transport != batch.REFERENCE:  # what the emulator and machine allow: no target
            targets.extend(_batch_targets(r, by_hand[r.mode]))
    header = (
        "job",
        "wall s",
        "vs raw aiohttp",
        "lower bound s",
        "vs bound",
        "emulator CPU s",
        "BDC_1322 surfaced (absorbed)",
        "duplicates",
        "missing",
        "calls per org",
        "errors",
    )
    return (
        f"**Scenario 3: a batch job under BILL's limits** ({params['orgs']:g} organizations x "
        f"{params['creates']:g} Vendor creates, {params['latency'] * 1000:g} ms latency, "
        "3 in flight per organization, the SDK's defaults; the emulator served by uvicorn with "
        f"{results[0].http_parser}. Each job starts from the emulator's starting data. "
        f"{_rounds_note(int(params['single_rounds']), int(params['bulk_rounds']))}"
        "The lower bound is one login round trip, then ceil(calls per org / 3) rounds of "
        "latency. The raw aiohttp rows are a hand-written client doing the same job with no "
        "retries and no models: what this emulator and machine allow any client. Single "
        "creates are held to the bound, bulk creates to that client)\n\n"
        + markdown_table(header, rows)
        + "\n\n"
        + " ".join(_bulk_notes(results))
    )


def _batch_targets(r: batch.BatchResult, by_hand: float) -> list[Target]:
    label = f"3: {r.mode} on {r.transport}"
    if r.mode == "single":
        found = [Target(f"{label}: wall / lower bound", r.ratio, BATCH_TARGET, at_most=True)]
    else:
        found = [
            Target(f"{label}: wall / raw aiohttp's", r.wall / by_hand, BULK_TARGET, at_most=True)
        ]
    found.append(Target(f"{label}: BDC_1322 surfaced", r.bdc_1322_surfaced, 0, at_most=True))
    found.append(Target(f"{label}: duplicates", r.duplicates, 0, at_most=True))
    if r.mode == "bulk":
        found.append(
            Target(
                f"{label}: calls per org (ceil(n/100) = {r.expected_calls_per_org})",
                r.calls_per_org,
                r.expected_calls_per_org,
                at_most=True,
            )
        )
    return found


def _bulk_notes(results: list[batch.BatchResult]) -> list[str]:
    """Why the bulk jobs are not held to the bound: the emulator's own work, and decoding."""
    notes = []
    for r in results:
        if r.decoding is None or r.mode != "bulk":
            continue
        # Its answers are held ``latency`` after they arrive, or wait for its work if longer.
        floor = max(r.lower_bound, r.latency + r.emulator_cpu)
        notes.append(
            f"In the hand-written client's bulk job the emulator (one process, so one core) used "
            f"{r.emulator_cpu:.2f} s of CPU, its logins included, to answer with "
            f"{r.decoding.answer_bytes / 1e6:.1f} MB of Vendors. It builds and encodes them as "
            "the bulk calls arrive, after the login round, so its last answer leaves no earlier "
            "than about the bound or the latency plus that time, whichever is later: "
            f"{floor:.2f} s, {floor / r.lower_bound:.1f}x the bound, for any client making these "
            "calls. `json.loads` alone took that client "
            f"{r.decoding.seconds:.3f} s on those answers. So the bulk jobs are held to that "
            f"client's wall time in the same run (at most {BULK_TARGET:g}x), not to the bound."
        )
    return notes


def _scenario_4(params: dict[str, Any], targets: list[Target]) -> str:
    results = export.measure(**params)
    scales = params["scales"]
    sdk = {r.scale: r for r in results if r.contender == export.SDK}
    by_hand = {r.scale: r for r in results if r.contender != export.SDK}
    rows = []
    for r in results:
        reference = by_hand[r.scale]
        rows.append(
            (
                r.contender,
                f"{r.scale:g}",
                ", ".join(f"{n:,}" for n in sorted(r.records)),
                f"{r.calls:g}",
                _walls(r.wall, r.walls),
                f"{r.wall / reference.wall:.2f}x",
                f"{r.cpu:.2f}",
                f"{r.cpu / reference.cpu:.2f}x",
                f"{r.peak_rss_mb:.0f}",
                f"{r.emulator_cpu:.2f}",
            )
        )
    for scale in scales:
        ours, theirs = sdk[scale], by_hand[scale]
        targets += [
            Target(
                f"4: sync / hand-written export, wall, scale {scale:g}",
                ours.wall / theirs.wall,
                EXPORT_WALL_TARGET,
                at_most=True,
            ),
            Target(
                f"4: sync / hand-written export, CPU, scale {scale:g}",
                ours.cpu / theirs.cpu,
                EXPORT_CPU_TARGET,
                at_most=True,
            ),
        ]
    small, large = min(scales), max(scales)
    targets.append(
        Target(
            f"4: sync, peak RSS at scale {large:g} / at scale {small:g}",
            sdk[large].peak_rss_mb / sdk[small].peak_rss_mb,
            EXPORT_MEMORY_TARGET,
            at_most=True,
        )
    )
    header = (
        "contender",
        "scale",
        "records",
        "calls",
        "wall s",
        "vs hand-written",
        "CPU s",
        "vs hand-written",
        "peak RSS MB",
        "emulator CPU s",
    )
    return (
        f"**Scenario 4: the main job** (`bill-async sync` of every listable entity of "
        f"{export.ORGS} organizations of demo data at the emulator's scales "
        f"{' and '.join(f'{s:g}' for s in scales)}, against a hand-written export of the same "
        f"data, `benchmarks/handwritten_export.py`; {params['latency'] * 1000:g} ms latency, 3 "
        "in flight per organization; the emulator in its own process. Each contender runs in a "
        f"fresh process, {_times(params['rounds'])} at each scale, every contender in turn "
        "(first and last by turns); "
        "each measure is the median of its rounds (wall with its range). Wall and CPU time (of "
        "every thread) are the job's, after the imports; peak RSS is the process's)\n\n"
        + markdown_table(header, rows)
    )


def _scenario_5(params: dict[str, Any], targets: list[Target]) -> str:
    results = models.measure(**params)
    rows = []
    for r in results:
        rows.append(
            (
                r.entity,
                str(r.records),
                f"{r.loads_us:.2f}",
                f"{r.build_us:.2f}",
                f"{r.build_and_read_us:.2f}",
                f"{r.ratio:.2f}x",
            )
        )
        targets.append(
            Target(
                f"5: {r.entity}: (from_wire + reading every field) / json.loads",
                r.ratio,
                MODEL_TARGET,
                at_most=True,
            )
        )
    header = (
        "model",
        "records",
        "json.loads µs",
        "from_wire µs",
        "from_wire + reading every field µs",
        "vs json.loads",
    )
    return (
        "**Scenario 5: building models** (the emulator's demo records of one organization; "
        "per record, best of "
        f"{params['rounds']} rounds: `json.loads` of the record's JSON text, against "
        "`Model.from_wire` of it as bill_async decodes it, and reading every field of the "
        "model, nested ones included; see `benchmarks/models.py`)\n\n"
        + markdown_table(header, rows)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", default="1,2,3,4,5,6", help="scenarios to run, e.g. 1,3")
    parser.add_argument("--markdown", type=Path, help="also write the markdown to this file")
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",")}
    sizes = QUICK if args.quick else FULL
    started = time.monotonic()
    targets: list[Target] = []
    sections = []
    if "1" in only:
        sections.append(_scenario_1(sizes["overhead"], targets))
    if "2" in only:
        sections.append(_scenario_2(sizes["throughput"], targets))
    if "3" in only:
        sections.append(_scenario_3(sizes["batch"], targets))
    if "4" in only:
        sections.append(_scenario_4(sizes["export"], targets))
    if "5" in only:
        sections.append(_scenario_5(sizes["models"], targets))
    if "6" in only:  # measured, with no target: how far behind the export is
        sections.append("**Scenario 6.** " + webhooks.report(webhooks.measure(**sizes["webhooks"])))
    sections.append(
        "**Targets** (ratios from this run)\n\n"
        + markdown_table(("target", "measured", "bound", ""), [t.row() for t in targets])
    )
    kind = "quick run (sizes too small to mean anything)" if args.quick else "full run"
    text = (
        f"Machine: {machine()}. Packages: {versions()}. {kind}, "
        f"{time.monotonic() - started:.0f} s.\n\n" + "\n\n".join(sections) + "\n"
    )
    print(text)
    for target in targets:
        print(f"ratio  {target.name}: {target.value:.2f} ({'met' if target.met else 'NOT met'})")
    if args.markdown is not None:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
