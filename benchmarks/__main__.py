"""Run the benchmarks of issue 7 side by side and print ratios and markdown tables.

    python -m benchmarks            # the full run (about five minutes on 2 cores)
    python -m benchmarks --quick    # a smoke run: every scenario and contender, small sizes
    python -m benchmarks --only 2   # one scenario (1, 2 or 3; comma-separated)

Scenario 1: per-call overhead in process (``benchmarks/overhead.py``). Scenario 2: loopback
throughput against a server in another process (``benchmarks/throughput.py``). Scenario 3: a
batch job against the emulator with BILL's limits (``benchmarks/batch.py``).

The numbers are for comparing contenders within one run on one machine; ``--quick`` numbers
are too short to mean anything.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks import batch, overhead, throughput
from benchmarks._report import Target, machine, markdown_table, versions

BATCH_TARGET = 1.15  # scenario 3: wall time at most this times the lower bound

FULL = {
    "overhead": {"calls": 2000, "rounds": 7},
    "throughput": {"rounds": 5, "warmup": 0.5, "duration": 2.0},
    "batch": {"orgs": 20, "creates": 200, "latency": 0.1, "single_rounds": 3, "bulk_rounds": 5},
}
QUICK = {
    "overhead": {"calls": 200, "rounds": 2},
    "throughput": {"rounds": 1, "warmup": 0.1, "duration": 0.3},
    "batch": {"orgs": 4, "creates": 30, "latency": 0.1, "single_rounds": 1, "bulk_rounds": 2},
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


def _scenario_2(params: dict[str, float], targets: list[Target]) -> str:
    result = throughput.measure_all(
        rounds=int(params["rounds"]), warmup=params["warmup"], duration=params["duration"]
    )
    top = str(throughput.LEVELS[-1])
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
    levels = [str(level) for level in throughput.LEVELS]
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
        "every contender in turn: each row is the round of median wall time, with the range, and "
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
    rows = []
    for r in results:
        rows.append(
            (
                f"{r.mode} ({r.transport})",
                _walls(r.wall, r.walls),
                f"{r.lower_bound:.2f}",
                f"{r.ratio:.2f}x",
                f"{r.wall / r.plain_bound:.2f}x",
                f"{r.emulator_cpu:.2f}",
                f"{r.bdc_1322_surfaced} ({r.bdc_1322_absorbed})",
                str(r.duplicates),
                str(r.missing),
                f"{r.calls_per_org:g} (expected {r.expected_calls_per_org})",
                ", ".join(f"{k} {v}" for k, v in sorted(r.failures.items())) or "none",
            )
        )
        if r.transport == batch.REFERENCE:
            continue  # what the emulator and machine allow: no target of ours
        label = f"3: {r.mode} on {r.transport}"
        targets.append(Target(f"{label}: wall / lower bound", r.ratio, BATCH_TARGET, at_most=True))
        targets.append(Target(f"{label}: BDC_1322 surfaced", r.bdc_1322_surfaced, 0, at_most=True))
        targets.append(Target(f"{label}: duplicates", r.duplicates, 0, at_most=True))
        if r.mode == "bulk":
            targets.append(
                Target(
                    f"{label}: calls per org (ceil(n/100) = {r.expected_calls_per_org})",
                    r.calls_per_org,
                    r.expected_calls_per_org,
                    at_most=True,
                )
            )
    header = (
        "job",
        "wall s",
        "lower bound s",
        "ratio",
        "vs n/3 x latency",
        "emulator CPU s",
        "BDC_1322 surfaced (absorbed)",
        "duplicates",
        "missing",
        "calls per org",
        "errors",
    )
    # What the bound leaves for work, against two costs no client avoids: the emulator's own
    # work (one process: it works on one request at a time) and decoding the answers.
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
            f"{r.decoding.seconds:.3f} s on those answers. {BATCH_TARGET:g}x leaves "
            f"{(BATCH_TARGET - 1) * r.lower_bound:.3f} s above the bound for all the work of "
            "client and emulator that the latency does not hide."
        )
    return (
        f"**Scenario 3: a batch job under BILL's limits** ({params['orgs']:g} organizations x "
        f"{params['creates']:g} Vendor creates, {params['latency'] * 1000:g} ms latency, "
        "3 in flight per organization, the SDK's defaults; the emulator served by uvicorn with "
        f"{results[0].http_parser}. Each job starts from the emulator's starting data. "
        f"{_rounds_note(int(params['single_rounds']), int(params['bulk_rounds']))}"
        "The lower bound is one login round "
        "trip, then ceil(calls per org / 3) rounds of latency; the next column divides by "
        "calls per org / 3 x latency alone. The raw aiohttp rows are a hand-written client "
        "doing the same job with no retries and no models: what this emulator and machine "
        "allow any client)\n\n" + markdown_table(header, rows) + "\n\n" + " ".join(notes)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", default="1,2,3", help="scenarios to run, e.g. 1,3")
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
