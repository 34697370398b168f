"""The benchmarks keep working: ``python -m benchmarks --quick`` runs every scenario and prints
the markdown tables with every contender. Nothing here asserts a time."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import batch, export, models, overhead, throughput

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.benchmarks  # about 15 s: out of a plain pytest run; .ci/run runs it
def test_the_quick_run_prints_every_contender_in_markdown_tables(tmp_path: Path) -> None:
    pytest.importorskip("aiohttp")
    pytest.importorskip("uvicorn")
    markdown = tmp_path / "bench.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--markdown", str(markdown)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    rows = {line.split("|")[1].strip() for line in out.splitlines() if line.startswith("| ")}
    for name in (*overhead.CONTENDERS, *throughput.CONTENDERS):
        assert name in rows, name
    for transport in batch.TRANSPORTS:
        assert f"single ({transport})" in rows
        assert f"bulk ({transport})" in rows
    for header in (
        "| contender | µs per call |",
        "| contender | req/s at 1 |",
        "| job | wall s | vs raw aiohttp |",
        "| contender | scale | records |",
        "| model | records | json.loads µs |",
    ):
        assert header in out
    assert f"bulk ({batch.REFERENCE})" in rows
    assert "| emulator CPU s |" in out
    assert set(export.CONTENDERS) <= rows
    assert set(models.ENTITIES) <= rows
    # Both contenders exported every record at both scales, each the same number.
    table = [line.split("|") for line in out.splitlines() if line.startswith("| bill-async sync")]
    assert len(table) == 2
    for name in export.CONTENDERS:
        counts = [line.split("|")[3] for line in out.splitlines() if line.startswith(f"| {name} ")]
        assert counts == [cells[3] for cells in table], name
    # The floor the emulator's own work sets, and the hand-written client's json.loads time.
    assert "In the hand-written client's bulk job the emulator (one process" in out
    assert "`json.loads` alone took that client " in out
    assert "the bulk jobs 2 times, every contender in turn" in out  # rounds, with a range
    assert "|---|" in out
    assert "| delivery received -> committed |" in out  # scenario 6: bill-async listen
    assert "ratio  2: AiohttpTransport / raw aiohttp at 8" in out  # --quick's top level
    assert "ratio  3: bulk on AiohttpTransport: wall / raw aiohttp's" in out
    assert "ratio  4: sync / hand-written export, CPU, scale 0.02" in out
    assert "ratio  4: sync, peak RSS at scale 0.02 / at scale 0.01" in out
    assert "ratio  5: Invoice: (from_wire + reading every field) / json.loads" in out
    assert markdown.read_text(encoding="utf-8") in out


def _bulk_round(wall: float, *, created: int, distinct: int, refused: int) -> batch.BatchResult:
    stats = {
        "created": created,
        "distinct": distinct,
        "errors": {"BDC_1322": 1},
        "paths": {"Bulk/Crud/Create/Vendor.json": 2},
        "max_in_flight": 2,
        "cpu_seconds": wall / 2,
    }
    return batch.BatchResult(
        mode="bulk",
        transport="default transport",
        orgs=1,
        creates=150,
        latency=0.1,
        wall=wall,
        failures=Counter({"ConcurrencyLimitError": refused} if refused else {}),
        stats=stats,
        path="Bulk/Crud/Create/Vendor.json",
        http_parser="httptools",
    )


def test_repeated_bulk_rounds_report_the_median_and_what_any_round_left_behind() -> None:
    rounds = [
        _bulk_round(0.9, created=150, distinct=150, refused=0),
        _bulk_round(0.5, created=151, distinct=150, refused=0),  # one duplicate
        _bulk_round(0.7, created=149, distinct=149, refused=1),  # one surfaced, one missing
    ]
    combined = batch._combined(rounds)
    assert combined.wall == 0.7
    assert combined.emulator_cpu == 0.35  # the median round's
    assert combined.walls == [0.9, 0.5, 0.7]
    assert combined.duplicates == 1
    assert combined.missing == 1
    assert combined.bdc_1322_surfaced == 1
    assert combined.bdc_1322_absorbed == 3
    assert combined.failures == Counter({"ConcurrencyLimitError": 1})
    assert combined.created == 450 and combined.max_in_flight == 2
